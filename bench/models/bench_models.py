#!/usr/bin/python3
"""Whole models: Mica against ONNX Runtime, same run, same inputs, same threads.

For every model (default: distilbert, bert_base, cnn_bilstm, mlp3head):

  1. generate it with test/models/gen_models.py when it is missing (cached in
     --work, default build/bench/models; PyTorch weights and reference
     outputs in test_data_set_0);
  2. compile it once with `mica-compile --threads T`, its input shapes pinned
     to those of test_data_set_0 (--input-shape), under GNU time (wall time
     and peak RSS of the compiler);
  3. check it: mica-run --check against the PyTorch outputs, and ONNX Runtime
     (npm onnxruntime-node 1.30, intraOpNumThreads T, interOpNumThreads 1,
     graph optimization 'all') against the same outputs; the max abs error of
     each is reported;
  4. time it in --rounds interleaved rounds; each round runs, model after
     model, a fresh `mica-run lib.so --benchmark N --warmup W` and a fresh
     node process (bench/models/ort_bench.js) with the same N and W on the
     same inputs (test_data_set_0). N is --runs, raised for small models so a
     round lasts at least --min-round-ms.

The table gives the median over rounds of each side's per-round p50, the
ratio ORT/Mica (> 1: Mica is faster; median and min..max of the per-round
ratios) and the errors. Compile time and peak RSS follow.

With --rewrites-off every model (plus lstm_unrolled, an LSTM written as
per-step MatMul/Sigmoid/Tanh ops) is compiled a second time with
--recognize-lstm=0 --fuse-bert=0 --combine-parallel-dense=0, runs in the
same rounds, and a second table gives Mica-with-rewrites against
Mica-without-rewrites (and ORT).

A model that fails to generate, compile or run prints FAIL and the first
error line; the others go on.

Usage: bench/models/bench_models.py [--models a,b] [--rounds 5] [--threads 2]
           [--runs 20] [--warmup 5] [--rewrites-off] [--build build]
           [--work DIR] [--ort-modules DIR/node_modules]
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODELS = "distilbert,bert_base,cnn_bilstm,mlp3head"
NO_REWRITES = ["--recognize-lstm=0", "--fuse-bert=0",
               "--combine-parallel-dense=0"]
# --per-rewrite: one build per rewrite with only that rewrite switched off.
SINGLE_REWRITES = [("recognize-lstm", "mica_no_lstm"),
                   ("fuse-bert", "mica_no_bert"),
                   ("combine-parallel-dense", "mica_no_combine")]
ORT_PACKAGE = "onnxruntime-node@1.30.0"
RTOL, ATOL = 1e-4, 1e-5
TIMEOUT_S = 1800  # any one process


def run_proc(cmd, **kw):
    """subprocess.run with a timeout that becomes a Failure."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              check=False, timeout=TIMEOUT_S, **kw)
    except subprocess.TimeoutExpired:
        raise Failure(f"{os.path.basename(cmd[0])} timed out after "
                      f"{TIMEOUT_S} s") from None


class Failure(Exception):
    """A step of one model failed; message = what to print after FAIL."""


def first_error(text):
    """The first line of `text` that looks like an error, else the first."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if "error" in l.lower() or "fail" in l.lower():
            return l[:300]
    return lines[0][:300] if lines else "(no output)"


def nearest_rank(values, pct):
    """Percentile as mica-run computes it (nearest rank on sorted values)."""
    v = sorted(values)
    return v[min(len(v) - 1, int(pct / 100.0 * (len(v) - 1) + 0.5))]


# --------------------------------------------------------------------------
# Models and inputs
# --------------------------------------------------------------------------

def ensure_models(names, work):
    """Generates the models of `names` missing from `work`; returns failures."""
    missing = [n for n in names
               if not os.path.exists(os.path.join(work, n, "test_data_set_0",
                                                  "output_0.pb"))]
    failed = {}
    for n in missing:  # one by one: an unknown name must not stop the rest
        print(f"generating {n} into {work} ...", flush=True)
        out = subprocess.run(
            [sys.executable, os.path.join(ROOT, "test", "models",
                                          "gen_models.py"),
             "--out", work, "--only", n],
            capture_output=True, text=True, check=False)
        if out.returncode != 0:
            failed[n] = "gen_models.py: " + first_error(out.stderr)
    return failed


def load_tensors(data_dir, prefix):
    """[(name, array)] of data_dir/prefix_K.pb in K order."""
    result = []
    k = 0
    while True:
        path = os.path.join(data_dir, f"{prefix}_{k}.pb")
        if not os.path.exists(path):
            return result
        t = onnx.TensorProto()
        with open(path, "rb") as f:
            t.ParseFromString(f.read())
        result.append((t.name, numpy_helper.to_array(t)))
        k += 1


ORT_TYPES = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64",
             np.dtype(np.int64): "int64", np.dtype(np.int32): "int32",
             np.dtype(np.int8): "int8", np.dtype(np.uint8): "uint8",
             np.dtype(np.bool_): "bool"}


class Model:
    """One benchmarked model: paths, inputs, expected outputs, results."""

    def __init__(self, name, work):
        self.name = name
        self.dir = os.path.join(work, name)
        self.onnx = os.path.join(self.dir, "model.onnx")
        self.data = os.path.join(self.dir, "test_data_set_0")
        self.inputs = load_tensors(self.data, "input")
        self.expected = load_tensors(self.data, "output")
        self.fail = None          # first error: the model is skipped
        self.variants = {}        # "mica" / "mica_norw" -> Variant
        self.ort = Side("ORT")

    def add_variant(self, key, label, flags):
        """A Mica build of this model with extra mica-compile `flags`, its
        library at DIR/KEY.so."""
        self.variants[key] = Variant(label,
                                     os.path.join(self.dir, key + ".so"),
                                     flags)

    def input_shapes(self):
        return ",".join(f"{n}=" + "x".join(str(d) for d in a.shape)
                        for n, a in self.inputs)

    def ort_inputs(self, tmp):
        """Writes the inputs as raw files for ort_bench.js; returns specs."""
        specs = []
        for k, (n, a) in enumerate(self.inputs):
            if a.dtype not in ORT_TYPES:
                raise Failure(f"input '{n}' has unsupported type {a.dtype}")
            path = os.path.join(tmp, f"{self.name}_in{k}.bin")
            np.ascontiguousarray(a).tofile(path)
            specs.append({"name": n, "type": ORT_TYPES[a.dtype],
                          "dims": list(a.shape), "file": path})
        return specs


class Side:
    """Per-round p50s, max abs error, and a failure of one contender."""

    def __init__(self, label):
        self.label = label
        self.p50 = []
        self.runs = None          # timed runs per round; 0: not in rounds
        self.err = None
        self.check = ""
        self.fail = None


class Variant(Side):
    """A Mica build of a model (with or without the graph rewrites)."""

    def __init__(self, label, lib, flags):
        super().__init__(label)
        self.lib = lib
        self.flags = flags
        self.compile_s = None
        self.compile_rss = None


# --------------------------------------------------------------------------
# Mica
# --------------------------------------------------------------------------

def compile_mica(model, variant, build, threads, reuse=False):
    compiler = os.path.join(build, "bin", "mica-compile")
    if reuse and os.path.exists(variant.lib) and all(
            os.path.getmtime(variant.lib) > os.path.getmtime(f)
            for f in (compiler, model.onnx)):
        return False
    cmd = [os.path.join(build, "bin", "mica-compile"), model.onnx,
           "-o", variant.lib, "--threads", str(threads),
           "--input-shape", model.input_shapes()] + variant.flags
    variant.cmd = " ".join(cmd)
    out = run_proc(["/usr/bin/time", "-f", "MICA_TIME %e %M"] + cmd)
    stats = [l for l in out.stderr.splitlines() if l.startswith("MICA_TIME")]
    if stats:
        secs, kb = stats[-1].split()[1:]
        variant.compile_s, variant.compile_rss = float(secs), int(kb) * 1024
    if out.returncode != 0 or not os.path.exists(variant.lib):
        errs = "\n".join(l for l in out.stderr.splitlines()
                         if not l.startswith("MICA_TIME"))
        raise Failure(f"mica-compile exit {out.returncode}: "
                      + first_error(errs + "\n" + out.stdout))
    return True


def run_mica(model, variant, build, runs, warmup, check=False):
    """One mica-run process; returns its p50 (and records errors if check)."""
    cmd = [os.path.join(build, "bin", "mica-run"), variant.lib,
           "--test-data-dir", model.data,
           "--benchmark", str(runs), "--warmup", str(warmup)]
    if check:
        cmd += ["--check", "--rtol", str(RTOL), "--atol", str(ATOL)]
    out = run_proc(cmd)
    text = out.stdout + out.stderr
    p50 = None
    errs = []
    verdicts = []
    for line in text.splitlines():
        if line.startswith("benchmark:"):
            p50 = float(line.split(" p50 ")[1].split()[0])
        if "max_abs_err=" in line:
            errs.append(float(line.split("max_abs_err=")[1].split()[0]))
            verdicts.append(line.split()[-1])
    if check:
        if errs:
            variant.err = max(errs)
            variant.check = ("PASS" if all(v == "PASS" for v in verdicts)
                             else "FAIL(tol)")
        elif out.returncode != 0:
            raise Failure(f"mica-run exit {out.returncode}: "
                          + first_error(text))
    if p50 is None:
        raise Failure(f"mica-run exit {out.returncode}: " + first_error(text))
    return p50


# --------------------------------------------------------------------------
# ONNX Runtime
# --------------------------------------------------------------------------

def ensure_ort(modules):
    """Installs onnxruntime-node into modules' parent when it is missing."""
    if os.path.isdir(os.path.join(modules, "onnxruntime-node")):
        return
    parent = os.path.dirname(os.path.abspath(modules))
    os.makedirs(parent, exist_ok=True)
    print(f"installing {ORT_PACKAGE} into {parent} ...", flush=True)
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit",
                    "--no-fund", ORT_PACKAGE], cwd=parent, check=True,
                   stdout=subprocess.DEVNULL)


def run_ort(model, specs, modules, threads, runs, warmup, out_dir=None):
    """One node process; returns the p50 of its timed runs."""
    req = {"model": model.onnx, "threads": threads, "warmup": warmup,
           "runs": runs, "rounds": 1, "inputs": specs, "out_dir": out_dir}
    env = dict(os.environ, NODE_PATH=modules)
    out = run_proc(["node", os.path.join(HERE, "ort_bench.js")],
                   input=json.dumps(req), env=env)
    if out.returncode != 0:
        raise Failure(f"onnxruntime exit {out.returncode}: "
                      + first_error(out.stderr))
    rounds = [json.loads(l) for l in out.stdout.splitlines()
              if l.startswith("{")]
    return nearest_rank(rounds[-1]["ms"], 50)


def check_ort(model, out_dir):
    """Max abs error of ORT's outputs (written to out_dir) vs PyTorch."""
    with open(os.path.join(out_dir, "outputs.json")) as f:
        meta = json.load(f)
    worst, ok = 0.0, True
    for (name, want), got in zip(model.expected, meta):
        arr = np.fromfile(got["file"], dtype=want.dtype).reshape(got["dims"])
        if arr.shape != want.shape:
            raise Failure(f"ORT output '{name}' has shape {arr.shape}, "
                          f"expected {want.shape}")
        diff = np.abs(arr.astype(np.float64) - want.astype(np.float64))
        worst = max(worst, float(diff.max()) if diff.size else 0.0)
        ok = ok and np.allclose(arr, want, rtol=RTOL, atol=ATOL)
    model.ort.err = worst
    model.ort.check = "PASS" if ok else "FAIL(tol)"


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def fmt_ms(v):
    if v is None:
        return "-"
    return f"{v:.4f}" if v < 0.1 else f"{v:.3f}" if v < 10 else f"{v:.2f}"


def fmt_err(side):
    if side.err is None:
        return "-"
    return f"{side.err:.2e}" + ("" if side.check == "PASS" else
                                f" {side.check}")


def ratio_stats(num, den):
    """Median and min..max of the per-round ratios num/den."""
    if not num.p50 or not den.p50:
        return "-", "-"
    if len(num.p50) != len(den.p50):  # a side timed by its check run only
        return (f"{statistics.median(num.p50) / statistics.median(den.p50):.2f}",
                "1 sample")
    r = [a / b for a, b in zip(num.p50, den.p50)]
    return f"{statistics.median(r):.2f}", f"{min(r):.2f}..{max(r):.2f}"


def med(side):
    return statistics.median(side.p50) if side.p50 else None


def print_table(headers, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    line = lambda cells: "| " + " | ".join(
        str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def report(models, args):
    print(f"\n## Mica vs ONNX Runtime {ORT_PACKAGE.split('@')[1]}, "
          f"{args.threads} threads, {args.rounds} rounds (ms = median of "
          f"per-round p50)\n")
    rows = []
    for m in models:
        mica = m.variants.get("mica")
        if m.fail or mica is None or mica.fail:
            why = m.fail or (mica.fail if mica else "-")
            rows.append([m.name, "FAIL", fmt_ms(med(m.ort)), "-", "-", why,
                         fmt_err(m.ort)])
            continue
        if m.ort.fail:
            rows.append([m.name, fmt_ms(med(mica)), "FAIL", "-", "-",
                         fmt_err(mica), m.ort.fail])
            continue
        r, spread = ratio_stats(m.ort, mica)
        rows.append([m.name, fmt_ms(med(mica)), fmt_ms(med(m.ort)), r, spread,
                     fmt_err(mica), fmt_err(m.ort)])
    print_table(["model", "Mica ms", "ORT ms", "ORT/Mica", "ratio min..max",
                 "Mica max abs err", "ORT max abs err"], rows)

    if args.extern:
        print("\n## --extern variants vs ONNX Runtime (ORT/variant; > 1: "
              "Mica faster)\n")
        rows = []
        for m in models:
            for key, v in m.variants.items():
                if not key.startswith("mica_extern_") or m.fail:
                    continue
                if v.fail or m.ort.fail:
                    rows.append([m.name, v.label, "FAIL", "-", "-",
                                 v.fail or m.ort.fail])
                    continue
                r, spread = ratio_stats(m.ort, v)
                rows.append([m.name, v.label, fmt_ms(med(v)),
                             fmt_ms(med(m.ort)), r, spread])
        print_table(["model", "variant", "ms", "ORT ms", "ORT/variant",
                     "ratio min..max"], rows)

    print("\n## mica-compile (wall time, peak RSS)\n")
    rows = []
    for m in models:
        for v in m.variants.values():
            if v.compile_s is None:
                continue
            rows.append([m.name, v.label, f"{v.compile_s:.1f} s",
                         f"{v.compile_rss / 2**20:.0f} MiB",
                         "FAIL" if v.fail else "ok"])
    print_table(["model", "variant", "compile time", "peak RSS", "status"],
                rows)

    if args.per_rewrite:
        print("\n## Each graph rewrite on vs off (time without it / time "
              "with all rewrites; >1: the rewrite helps)\n")
        rows = []
        for m in models:
            on = m.variants.get("mica")
            if m.fail or on is None or on.fail:
                continue
            row = [m.name, fmt_ms(med(on))]
            for flag, key in SINGLE_REWRITES:
                off = m.variants.get(key)
                if off is None or off.fail:
                    row.append("FAIL")
                    continue
                r, spread = ratio_stats(off, on)
                row.append(f"{r} ({spread})")
            rows.append(row)
        print_table(["model", "Mica ms (all rewrites)"] +
                    [f"without {flag}" for flag, _ in SINGLE_REWRITES], rows)

    if not args.rewrites_off:
        return
    print("\n## Graph rewrites: Mica with vs without "
          "(--recognize-lstm=0 --fuse-bert=0 --combine-parallel-dense=0)\n")
    rows = []
    for m in models:
        on, off = m.variants.get("mica"), m.variants.get("mica_norw")
        if m.fail or on is None or off is None or on.fail or off.fail:
            why = m.fail or (on.fail if on and on.fail else
                             off.fail if off else "-")
            rows.append([m.name, "FAIL" if not on or on.fail else
                         fmt_ms(med(on)),
                         "FAIL" if not off or off.fail else fmt_ms(med(off)),
                         "-", "-", fmt_ms(med(m.ort)), "-", "-", why])
            continue
        r, spread = ratio_stats(off, on)
        ro, _ = ratio_stats(m.ort, on) if not m.ort.fail else ("-", "-")
        ro_off, _ = ratio_stats(m.ort, off) if not m.ort.fail else ("-", "-")
        rows.append([m.name, fmt_ms(med(on)), fmt_ms(med(off)), r, spread,
                     fmt_ms(med(m.ort)) if not m.ort.fail else "FAIL",
                     ro, ro_off, fmt_err(off)])
    print_table(["model", "Mica ms", "Mica no-rewrites ms",
                 "no-rw/rw (>1: rewrites help)", "min..max", "ORT ms",
                 "ORT/Mica", "ORT/Mica-no-rw", "no-rw max abs err"], rows)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=DEFAULT_MODELS,
                   help=f"comma-separated gen_models.py names "
                        f"(default {DEFAULT_MODELS})")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=20,
                   help="timed runs per round and contender (at least)")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--min-round-ms", type=float, default=300.0,
                   help="raise --runs so a round of a fast model lasts this "
                        "long (default 300)")
    p.add_argument("--max-round-s", type=float, default=20.0,
                   help="cap on one side's timed runs in a round: a slower "
                        "side runs fewer times (default 20)")
    p.add_argument("--reuse", action="store_true",
                   help="keep a compiled library newer than mica-compile "
                        "and the model (no compile time then)")
    p.add_argument("--rewrites-off", action="store_true",
                   help="also compile without the graph rewrites (and add "
                        "lstm_unrolled)")
    p.add_argument("--per-rewrite", action="store_true",
                   help="also compile once per graph rewrite with only that "
                        "rewrite off, and print each rewrite's speedup")
    p.add_argument("--extern", default="",
                   help="comma-separated --extern settings of mica-compile "
                        "to add as variants (e.g. auto,onednn:lstm)")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=None,
                   help="model and library cache (default BUILD/bench/models)")
    p.add_argument("--ort-modules", default=None,
                   help="node_modules holding onnxruntime-node (default "
                        "WORK/ort/node_modules, installed from npm when "
                        "missing)")
    args = p.parse_args()
    work = os.path.abspath(args.work or os.path.join(args.build, "bench",
                                                      "models"))
    os.makedirs(work, exist_ok=True)
    modules = os.path.abspath(args.ort_modules or
                              os.path.join(work, "ort", "node_modules"))
    names = [n for n in args.models.split(",") if n]
    if (args.rewrites_off or args.per_rewrite) and \
            "lstm_unrolled" not in names:
        names.append("lstm_unrolled")

    ensure_ort(modules)
    gen_failed = ensure_models(names, work)
    tmp = tempfile.mkdtemp(prefix="mica-bench-models-")
    models, specs = [], {}
    try:
        for n in names:
            if n in gen_failed:
                m = Model.__new__(Model)
                m.name, m.fail, m.variants, m.ort = n, gen_failed[n], {}, \
                    Side("ORT")
                models.append(m)
                print(f"{n}: FAIL {m.fail}", flush=True)
                continue
            m = Model(n, work)
            models.append(m)
            m.add_variant("mica", "Mica", [])
            if args.rewrites_off:
                m.add_variant("mica_norw", "Mica no-rewrites", NO_REWRITES)
            if args.per_rewrite:
                for flag, key in SINGLE_REWRITES:
                    m.add_variant(key, f"Mica without {flag}", [f"--{flag}=0"])
            for ext in [e for e in args.extern.split(",") if e]:
                m.add_variant("mica_extern_" + re.sub(r"[^a-z0-9]", "_", ext),
                              f"Mica --extern={ext}", [f"--extern={ext}"])
            setup(m, args, modules, tmp, specs)

        for r in range(args.rounds):
            for m in models:
                if m.fail:
                    continue
                for v in m.variants.values():
                    if v.fail or not v.runs:
                        continue
                    try:
                        v.p50.append(run_mica(m, v, args.build, v.runs,
                                              args.warmup))
                    except Failure as e:
                        v.fail = str(e)
                if not m.ort.fail and m.ort.runs:
                    try:
                        m.ort.p50.append(run_ort(m, specs[m.name], modules,
                                                 args.threads, m.ort.runs,
                                                 args.warmup))
                    except Failure as e:
                        m.ort.fail = str(e)
                parts = [f"{v.label} {fmt_ms(v.p50[-1])}"
                         for v in list(m.variants.values()) + [m.ort]
                         if not v.fail and v.runs and v.p50]
                print(f"round {r + 1}/{args.rounds} {m.name}: "
                      + ", ".join(parts) + " ms", flush=True)
        report(models, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def setup(m, args, modules, tmp, specs):
    """Compiles and checks model m; sets each side's runs per round.

    The check runs (one warm-up, two timed) give a first time per side. All
    sides get the same K = max(--runs, --min-round-ms / slowest estimate),
    except a side so slow that K runs would exceed --max-round-s: it gets
    fewer, and one whose single run exceeds a third of that is not run in
    the rounds at all; its time is then the check run's (one sample).
    """
    estimates = {}
    for key, v in m.variants.items():
        try:
            if compile_mica(m, v, args.build, args.threads, args.reuse):
                print(f"{m.name}: {v.label} compiled in {v.compile_s:.1f} "
                      f"s, peak RSS {v.compile_rss / 2**20:.0f} MiB",
                      flush=True)
            else:
                print(f"{m.name}: {v.label} reused {v.lib}", flush=True)
            estimates[key] = run_mica(m, v, args.build, 2, 1, check=True)
            print(f"{m.name}: {v.label} max abs err {fmt_err(v)}, first "
                  f"p50 {fmt_ms(estimates[key])} ms", flush=True)
        except Failure as e:
            v.fail = str(e)
            print(f"{m.name}: {v.label} FAIL {v.fail}", flush=True)
    try:
        specs[m.name] = m.ort_inputs(tmp)
        out_dir = os.path.join(tmp, m.name + "_ort_out")
        estimates["ort"] = run_ort(m, specs[m.name], modules, args.threads,
                                   2, 1, out_dir=out_dir)
        check_ort(m, out_dir)
        print(f"{m.name}: ORT max abs err {fmt_err(m.ort)}, first p50 "
              f"{fmt_ms(estimates['ort'])} ms", flush=True)
    except Failure as e:
        m.ort.fail = str(e)
        print(f"{m.name}: ORT FAIL {m.ort.fail}", flush=True)
    cap_ms = 1000.0 * args.max_round_s
    normal = [t for t in estimates.values() if t * args.runs <= cap_ms]
    k = max(args.runs, math.ceil(args.min_round_ms /
                                 max(max(normal, default=1.0), 1e-3)))
    sides = dict(m.variants, ort=m.ort)
    for key, t in estimates.items():
        side = sides[key]
        side.runs = min(k, int((cap_ms - t * args.warmup) // t)) \
            if t * 3 <= cap_ms else 0
        if side.runs < 3:
            side.runs = 0
            side.p50 = [t]
            print(f"{m.name}: {side.label} takes {fmt_ms(t)} ms a run: "
                  f"timed by the check run only (one sample)", flush=True)
        elif side.runs < k:
            print(f"{m.name}: {side.label}: {side.runs} runs per round "
                  f"(--max-round-s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
