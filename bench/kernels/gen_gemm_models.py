#!/usr/bin/python3
"""Writes the GEMM cases of bench/kernels as plain linalg MLIR (+ raw weights).

For every case NAME it writes into --out:
  NAME.mlir       func.func @main: linalg.matmul / linalg.batch_matmul into a
                  linalg.fill 0 init. Dense cases multiply the argument %a by a
                  CONSTANT weight embedded as a dense_resource blob; attention
                  cases take both operands as arguments.
  NAME.w.bin      dense cases: the weight, raw little-endian f32 [K][N]
                  (the same numbers as the blob, for the oneDNN side).
and cases.txt, one line per case: `NAME KIND B M K N` (KIND dense|batch).
"""
import argparse
import os

import numpy as np

DENSE = [(128, 768, 768), (128, 768, 3072), (128, 3072, 768), (128, 768, 2304)]
BATCH = [(12, 128, 64, 128), (12, 128, 128, 64)]


def dense_mlir(m, k, n, w):
    blob = "0x04000000" + w.astype("<f4").tobytes().hex().upper()
    return f"""func.func @main(%a: tensor<{m}x{k}xf32>) -> tensor<{m}x{n}xf32> {{
  %w = arith.constant dense_resource<gemm_w> : tensor<{k}x{n}xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{m}x{n}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  %r = linalg.matmul ins(%a, %w : tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>)
                     outs(%init : tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32>
  return %r : tensor<{m}x{n}xf32>
}}

{{-#
  dialect_resources: {{
    builtin: {{
      gemm_w: "{blob}"
    }}
  }}
#-}}
"""


def batch_mlir(b, m, k, n):
    return f"""func.func @main(%a: tensor<{b}x{m}x{k}xf32>, %bm: tensor<{b}x{k}x{n}xf32>) -> tensor<{b}x{m}x{n}xf32> {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{b}x{m}x{n}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<{b}x{m}x{n}xf32>) -> tensor<{b}x{m}x{n}xf32>
  %r = linalg.batch_matmul ins(%a, %bm : tensor<{b}x{m}x{k}xf32>, tensor<{b}x{k}x{n}xf32>)
                           outs(%init : tensor<{b}x{m}x{n}xf32>) -> tensor<{b}x{m}x{n}xf32>
  return %r : tensor<{b}x{m}x{n}xf32>
}}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    lines = []
    for m, k, n in DENSE:
        name = f"dense_{m}x{k}x{n}"
        # Scaled so that outputs stay O(1) whatever K is.
        w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
        with open(os.path.join(args.out, name + ".mlir"), "w") as f:
            f.write(dense_mlir(m, k, n, w))
        w.astype("<f4").tofile(os.path.join(args.out, name + ".w.bin"))
        lines.append(f"{name} dense 1 {m} {k} {n}")
    for b, m, k, n in BATCH:
        name = f"bmm_{b}x{m}x{k}x{n}"
        with open(os.path.join(args.out, name + ".mlir"), "w") as f:
            f.write(batch_mlir(b, m, k, n))
        lines.append(f"{name} batch {b} {m} {k} {n}")
    with open(os.path.join(args.out, "cases.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} cases to {args.out}")


if __name__ == "__main__":
    main()
