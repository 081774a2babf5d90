#!/usr/bin/python3
"""Writes the single-LSTM ONNX models of bench/extern (and raw weights).

Grid: batch {1,16} x hidden {256,1024} x T {20,100} x direction {forward,
bidirectional} (--batches, --hiddens, --steps change it), input size =
hidden. For every case NAME
(lstm_b<B>_h<H>_t<T>_<fwd|bidi>) it writes into --out:

  NAME.onnx       one ONNX LSTM node (opset 14, layout 0), static shapes:
                  X [T, B, I] is the only graph input, W [D, 4H, I],
                  R [D, 4H, H] and B [D, 8H] are initializers (seeded
                  uniform(-0.1, 0.1) weights, bias present), initial_h and
                  initial_c absent; the only graph output is Y [T, D, B, H].
  NAME.wl.bin     the same weights for oneDNN, raw little-endian f32:
  NAME.wi.bin     weights_layer [1, D, I, 4, H] and weights_iter
  NAME.bias.bin   [1, D, H, 4, H] (format ldigo), bias [1, D, 4, H] (ldgo,
                  W and R biases summed), gates in oneDNN's order i, f, c, o
                  (ONNX's are i, o, f, c).

and cases.txt, one line per case: `NAME B H T D` (D = 1 forward, 2
bidirectional). Models are never committed: the default --out is
build/bench/extern.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

BATCHES = (1, 16)
HIDDENS = (256, 1024)
STEPS = (20, 100)
DIRECTIONS = (("fwd", "forward"), ("bidi", "bidirectional"))

# ONNX gate blocks i, o, f, c -> oneDNN i, f, c, o.
ONNX_GATE_FOR_DNNL = [0, 2, 3, 1]


def case_name(b, h, t, short):
    return f"lstm_b{b}_h{h}_t{t}_{short}"


def to_ldigo(w, hidden):
    """ONNX [D, 4H, in] -> oneDNN ldigo [1, D, in, 4, H] in oneDNN gate order."""
    d, _, n_in = w.shape
    g = w.reshape(d, 4, hidden, n_in)[:, ONNX_GATE_FOR_DNNL]  # [D, 4, H, in]
    return np.ascontiguousarray(g.transpose(0, 3, 1, 2))[None]


def write_case(out, b, h, t, short, direction, seed):
    name = case_name(b, h, t, short)
    d = 2 if direction == "bidirectional" else 1
    n_in = h
    rng = np.random.default_rng(seed)
    w = rng.uniform(-0.1, 0.1, (d, 4 * h, n_in)).astype(np.float32)
    r = rng.uniform(-0.1, 0.1, (d, 4 * h, h)).astype(np.float32)
    bias = rng.uniform(-0.1, 0.1, (d, 8 * h)).astype(np.float32)

    node = helper.make_node("LSTM", ["X", "W", "R", "B"], ["Y"],
                            hidden_size=h, direction=direction)
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [t, b, n_in])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [t, d, b, h])],
        initializer=[numpy_helper.from_array(w, "W"),
                     numpy_helper.from_array(r, "R"),
                     numpy_helper.from_array(bias, "B")])
    model = helper.make_model(graph, producer_name="mica-bench-extern",
                              opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name + ".onnx"))

    to_ldigo(w, h).astype("<f4").tofile(os.path.join(out, name + ".wl.bin"))
    to_ldigo(r, h).astype("<f4").tofile(os.path.join(out, name + ".wi.bin"))
    summed = (bias[:, :4 * h] + bias[:, 4 * h:]).reshape(d, 4, h)
    summed[:, :] = summed[:, ONNX_GATE_FOR_DNNL]
    summed[None].astype("<f4").tofile(os.path.join(out, name + ".bias.bin"))
    return name, d


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench", "extern"))
    ap.add_argument("--only", default="", help="write only cases whose name contains this")
    ap.add_argument("--batches", default=",".join(map(str, BATCHES)))
    ap.add_argument("--hiddens", default=",".join(map(str, HIDDENS)))
    ap.add_argument("--steps", default=",".join(map(str, STEPS)))
    args = ap.parse_args()
    ints = lambda text: [int(v) for v in text.split(",") if v]
    os.makedirs(args.out, exist_ok=True)
    lines = []
    seed = 0
    for b in ints(args.batches):
        for h in ints(args.hiddens):
            for t in ints(args.steps):
                for short, direction in DIRECTIONS:
                    seed += 1
                    if args.only and args.only not in case_name(b, h, t, short):
                        continue
                    name, d = write_case(args.out, b, h, t, short, direction, seed)
                    lines.append(f"{name} {b} {h} {t} {d}\n")
    with open(os.path.join(args.out, "cases.txt"), "w") as f:
        f.writelines(lines)
    print(f"wrote {len(lines)} cases into {args.out}")


if __name__ == "__main__":
    main()
