#!/usr/bin/env python3
# ===- tf_ref.py - numpy reference run of a GraphDef test -----------------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===-----------------------------------------------------------------------===#
"""Checks an imported GraphDef against the numpy evaluator (tf_numpy.py).

Usage:
  tf_ref.py GRAPH WORKDIR --outputs a,b:1 [--inputs x=2x3,...]
            [--const keep_prob=1.0] [--range x=0.5,2] -- mica-run ARGS...

Feeds every placeholder the outputs read with seeded random values (floats
~ N(0, 1), ints in [-5, 5], bools; `--range name=lo,hi` draws uniformly from
[lo, hi) instead; unknown dims are 3 unless --inputs pins them), evaluates
the outputs with numpy, writes WORKDIR/<name>.npy for the inputs and the
expected outputs, then runs the command after `--` with
`--input name=WORKDIR/name.npy ... --expected out=WORKDIR/out.npy ...`
appended and exits with its status. --inputs and --const take the syntax of
mica-import's flags and must match them.
"""

import argparse
import os
import subprocess
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_graphs  # noqa: E402
from tf_numpy import NP_DT, evaluate  # noqa: E402


def key(name):
    return name if ":" in name else name + ":0"


def display(name):
    return name[:-2] if name.endswith(":0") else name


def safe(name):
    return name.replace("/", "_").replace(":", "_")


def split_outside_brackets(text):
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    if cur:
        out.append(cur)
    return out


def main():
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:
        k = argv.index("--")
        argv, cmd = argv[:k], argv[k + 1:]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("graph")
    ap.add_argument("workdir")
    ap.add_argument("--outputs", required=True)
    ap.add_argument("--inputs", action="append", default=[])
    ap.add_argument("--const", action="append", default=[])
    ap.add_argument("--range", action="append", default=[])
    args = ap.parse_args(argv)

    pb = gen_graphs.load_proto(gen_graphs.DEFAULT_PROTO)
    graph = pb.GraphDef()
    if args.graph.endswith(".pb"):
        graph.ParseFromString(open(args.graph, "rb").read())
    else:
        from google.protobuf import text_format
        text_format.Parse(open(args.graph).read(), graph)
    nodes = {n.name: n for n in graph.node}

    shapes, ranges, consts = {}, {}, {}
    for spec in args.inputs:
        for entry in spec.split(","):
            name, _, dims = entry.partition("=")
            if dims == "scalar":
                shapes[key(name)] = []
            elif dims:
                shapes[key(name)] = [None if d in ("?", "-1") else int(d)
                                     for d in dims.split("x")]
            else:
                shapes.setdefault(key(name), None)
    for spec in args.range:
        name, _, r = spec.partition("=")
        lo, hi = (float(v) for v in r.split(","))
        ranges[key(name)] = (lo, hi)
    for spec in args.const:
        for entry in split_outside_brackets(spec):
            name, _, text = entry.partition("=")
            vals = [float({"true": 1, "false": 0}.get(v.strip(), v))
                    for v in text.strip("[]").split(",")]
            consts[key(name)] = vals

    def node_of(k):
        return nodes[k.rsplit(":", 1)[0]]

    def dtype_of(n):
        a = n.attr["dtype"] if "dtype" in n.attr else n.attr["T"]
        return NP_DT[a.type]

    def static_shape(k):
        n = node_of(k)
        dims = shapes.get(k)
        if dims is None and "shape" in n.attr and \
                not n.attr["shape"].shape.unknown_rank:
            dims = [d.size if d.size >= 0 else None
                    for d in n.attr["shape"].shape.dim]
        return [3 if d is None else d for d in (dims or [])]

    feeds = {}
    feed_names = [n.name + ":0" for n in graph.node if n.op == "Placeholder"]
    feed_names += [k for k in shapes if k not in feed_names]
    for k in feed_names:
        if k in consts:
            continue
        n = node_of(k)
        dt = dtype_of(n)
        shape = static_shape(k)
        rng = np.random.default_rng(zlib.crc32(k.encode()))
        if k in ranges:
            lo, hi = ranges[k]
            v = (rng.integers(int(lo), int(hi), shape) if
                 np.issubdtype(dt, np.integer) else rng.uniform(lo, hi, shape))
        elif dt == np.bool_:
            v = rng.integers(0, 2, shape).astype(bool)
        elif np.issubdtype(dt, np.integer):
            v = rng.integers(-5, 6, shape)
        else:
            v = rng.standard_normal(shape)
        feeds[k] = np.asarray(v).astype(dt)
    for k, vals in consts.items():
        n = node_of(k)
        dt = dtype_of(n)
        shape = static_shape(k)
        if len(vals) > 1:
            feeds[k] = np.array(vals, dt).reshape(shape or [len(vals)])
        else:
            feeds[k] = np.full(shape, vals[0], dt)

    outputs = args.outputs.split(",")
    results = evaluate(graph, feeds, outputs)
    os.makedirs(args.workdir, exist_ok=True)
    flags = []
    for k in evaluate.read_placeholders:
        if k in consts:
            continue
        path = os.path.join(args.workdir, "in_" + safe(k) + ".npy")
        np.save(path, feeds[k])
        flags += ["--input", "%s=%s" % (display(k), path)]
    for name, value in zip(outputs, results):
        path = os.path.join(args.workdir, "out_" + safe(name) + ".npy")
        np.save(path, np.asarray(value))
        flags += ["--expected", "%s=%s" % (display(key(name)), path)]
    if not cmd:
        print(" ".join(flags))
        return 0
    sys.stdout.flush()
    return subprocess.call(cmd + flags)


if __name__ == "__main__":
    sys.exit(main())
