#!/usr/bin/python3
"""Reference outputs for the com.microsoft contrib-op model (contrib.onnxtxt).

Parses the model with onnx.parser, draws seeded random inputs, and computes
the outputs with numpy following ONNX Runtime's contrib-op definitions
(docs/ContribOperators.md of onnxruntime): EmbedLayerNormalization (mask_index
= row sums of the mask), Attention (mask 1/0 -> additive -10000, scale
1/sqrt(head size)), SkipLayerNormalization, FastGelu (tanh form), BiasGelu,
Gelu (erf form), FusedMatMul (alpha, transA/transB).

Writes OUT/model.onnx and OUT/test_data_set_0/{input,output}_K.pb. With
--ort NODE_MODULES_DIR it also runs the model in ONNX Runtime (the npm
package onnxruntime-node) and exits 1 if ORT disagrees with the numpy
outputs by more than 1e-5 (used to validate this script; ORT is not needed
by the test suite).

Usage: contrib_reference.py MODEL.onnxtxt OUT [--ort DIR]
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np
import onnx
import onnx.parser
from onnx import numpy_helper


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def gelu_erf(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) *
                                    (x + 0.044715 * x ** 3)))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def evaluate(model, feeds):
    """Evaluates the contrib-op graph node by node in float64."""
    env = {k: v.astype(np.float64) if v.dtype == np.float32 else v
           for k, v in feeds.items()}
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init).astype(np.float64)
    for n in model.graph.node:
        x = [env[i] if i else None for i in n.input]
        op = n.op_type
        if op == "EmbedLayerNormalization":
            ids, seg, word, pos, segemb, g, b, mask = x
            s = ids.shape[1]
            y = word[ids] + pos[np.arange(s)][None] + segemb[seg]
            out = [layer_norm(y, g, b, attr(n, "epsilon", 1e-12)),
                   mask.sum(1).astype(np.int32)]
        elif op == "Attention":
            inp, w, bias, mask = x
            heads = attr(n, "num_heads", 1)
            bsz, s, e = inp.shape
            d = e // heads
            qkv = inp @ w + bias
            q, k, v = [qkv[..., i * e:(i + 1) * e].reshape(bsz, s, heads, d)
                       .transpose(0, 2, 1, 3) for i in range(3)]
            add = (1.0 - mask[:, None, None, :].astype(np.float64)) * -10000.0
            p = softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + add)
            out = [(p @ v).transpose(0, 2, 1, 3).reshape(bsz, s, e)]
        elif op == "SkipLayerNormalization":
            inp, skip, g = x[:3]
            b = x[3] if len(x) > 3 and x[3] is not None else 0.0
            bias = x[4] if len(x) > 4 and x[4] is not None else 0.0
            out = [layer_norm(inp + skip + bias, g, b,
                              attr(n, "epsilon", 1e-12))]
        elif op == "FastGelu":
            out = [gelu_tanh(x[0] + (x[1] if len(x) > 1 else 0.0))]
        elif op == "BiasGelu":
            out = [gelu_erf(x[0] + x[1])]
        elif op == "Gelu":
            out = [gelu_erf(x[0])]
        elif op == "FusedMatMul":
            a, b = x
            if attr(n, "transA", 0):
                a = np.swapaxes(a, -1, -2)
            if attr(n, "transB", 0):
                b = np.swapaxes(b, -1, -2)
            out = [attr(n, "alpha", 1.0) * (a @ b)]
        else:
            sys.exit(f"contrib_reference.py: no reference for {op}")
        for name, val in zip(n.output, out):
            env[name] = val
    return [env[o.name] for o in model.graph.output]


def random_inputs(model, rng):
    feeds = {}
    for vi in model.graph.input:
        t = vi.type.tensor_type
        shape = [d.dim_value for d in t.shape.dim]
        if vi.name == "mask":
            m = np.ones(shape, np.int32)
            m[:, shape[1] - 2:] = 0
            feeds[vi.name] = m
        elif t.elem_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32):
            # ids index the smallest table they can reach (segments: 2).
            high = 2 if vi.name == "seg" else 10
            feeds[vi.name] = rng.integers(0, high, shape).astype(
                np.int64 if t.elem_type == onnx.TensorProto.INT64 else np.int32)
        else:
            feeds[vi.name] = rng.uniform(-1, 1, shape).astype(np.float32)
    return feeds


def run_ort(model_path, feeds, node_modules):
    script = """
const ort = require('onnxruntime-node');
const fs = require('fs');
const req = JSON.parse(fs.readFileSync(0, 'utf8'));
(async () => {
  const s = await ort.InferenceSession.create(req.model);
  const feeds = {};
  for (const [k, v] of Object.entries(req.feeds)) {
    const T = v.type === 'int64' ? BigInt64Array : v.type === 'int32' ? Int32Array : Float32Array;
    const data = v.type === 'int64' ? T.from(v.data.map(BigInt)) : T.from(v.data);
    feeds[k] = new ort.Tensor(v.type, data, v.dims);
  }
  const out = await s.run(feeds);
  const res = {};
  for (const [k, t] of Object.entries(out)) res[k] = Array.from(t.data, Number);
  console.log(JSON.stringify(res));
})();
"""
    req = {"model": model_path, "feeds": {
        k: {"type": str(v.dtype), "data": v.flatten().tolist(),
            "dims": list(v.shape)} for k, v in feeds.items()}}
    env = dict(os.environ, NODE_PATH=node_modules)
    out = subprocess.run(["node", "-e", script], input=json.dumps(req),
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"onnxruntime failed:\n{out.stderr}")
    return json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("out")
    p.add_argument("--ort", help="node_modules dir holding onnxruntime-node")
    a = p.parse_args()
    text = "\n".join(l for l in open(a.model) if not l.startswith("#"))
    model = onnx.parser.parse_model(text)
    rng = np.random.default_rng(42)
    feeds = random_inputs(model, rng)
    outputs = evaluate(model, feeds)
    data = os.path.join(a.out, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(a.out, "model.onnx"))
    for k, vi in enumerate(model.graph.input):
        t = numpy_helper.from_array(feeds[vi.name], vi.name)
        open(os.path.join(data, f"input_{k}.pb"), "wb").write(
            t.SerializeToString())
    for k, (vi, v) in enumerate(zip(model.graph.output, outputs)):
        want = vi.type.tensor_type.elem_type
        v = v.astype(np.int32 if want == onnx.TensorProto.INT32
                     else np.float32)
        t = numpy_helper.from_array(v, vi.name)
        open(os.path.join(data, f"output_{k}.pb"), "wb").write(
            t.SerializeToString())
    if a.ort:
        got = run_ort(os.path.join(a.out, "model.onnx"), feeds, a.ort)
        worst = 0.0
        for vi, v in zip(model.graph.output, outputs):
            diff = np.abs(np.array(got[vi.name]) - v.flatten()).max()
            print(f"ORT vs numpy '{vi.name}': max abs diff {diff:.3g}")
            worst = max(worst, diff)
        sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    main()
