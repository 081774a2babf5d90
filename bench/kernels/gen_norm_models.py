#!/usr/bin/python3
"""Writes the softmax / layer-norm cases of bench/kernels as one-node ONNX models.

For every case NAME it writes into --out:
  NAME.onnx       one node over a static f32 input X (opset 17):
                  Softmax(axis=-1), or LayerNormalization(axis=-1,
                  epsilon=1e-5) with seeded scale/bias initializers
  NAME.scale.bin  layer norm: scale, raw little-endian f32 [C]
  NAME.bias.bin   layer norm: bias, raw little-endian f32 [C]
                  (the same numbers as the initializers, for oneDNN)
and cases.txt, one line per case: `NAME KIND RANK D0 .. Dn-1` (KIND softmax
or layernorm; the normalized axis is the last one).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (shape, label); the attention softmax is 12 heads x 128 x 128.
SOFTMAX = [(12, 128, 128), (1, 30522), (1, 50257), (1, 250002), (8, 50257),
           (128, 30522)]
LAYERNORM = [(128, 768), (128, 1024), (512, 768), (1, 50257)]
EPSILON = 1e-5
OPSET = 17


def shape_name(shape):
    return "x".join(str(d) for d in shape)


def model(kind, shape, scale=None, bias=None):
    x = helper.make_tensor_value_info("X", TensorProto.FLOAT, list(shape))
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, list(shape))
    inits = []
    if kind == "softmax":
        node = helper.make_node("Softmax", ["X"], ["Y"], name="softmax", axis=-1)
    else:
        inits = [numpy_helper.from_array(scale, "scale"),
                 numpy_helper.from_array(bias, "bias")]
        node = helper.make_node("LayerNormalization", ["X", "scale", "bias"], ["Y"],
                                name="layer_norm", axis=-1, epsilon=EPSILON)
    graph = helper.make_graph([node], f"{kind}_{shape_name(shape)}", [x], [y], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="gen_norm_models.py")
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    lines = []
    for shape in SOFTMAX:
        name = f"softmax_{shape_name(shape)}"
        onnx.save(model("softmax", shape), os.path.join(args.out, name + ".onnx"))
        lines.append(f"{name} softmax {len(shape)} " + " ".join(map(str, shape)))
    for shape in LAYERNORM:
        name = f"layernorm_{shape_name(shape)}"
        c = shape[-1]
        scale = (1.0 + 0.1 * rng.standard_normal(c)).astype(np.float32)
        bias = (0.1 * rng.standard_normal(c)).astype(np.float32)
        onnx.save(model("layernorm", shape, scale, bias),
                  os.path.join(args.out, name + ".onnx"))
        scale.astype("<f4").tofile(os.path.join(args.out, name + ".scale.bin"))
        bias.astype("<f4").tofile(os.path.join(args.out, name + ".bias.bin"))
        lines.append(f"{name} layernorm {len(shape)} " + " ".join(map(str, shape)))
    with open(os.path.join(args.out, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} cases to {args.out}")


if __name__ == "__main__":
    main()
