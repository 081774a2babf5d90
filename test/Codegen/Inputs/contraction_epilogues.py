#!/usr/bin/python3
"""Writes the model of test/Codegen/contraction-epilogues.test into DIR.

Contractions whose elementwise consumer mica-cpu-contraction applies in the
kernel's epilogue, in the shapes convert-mica-to-linalg gives them: dense
layers with bias + GELU, bias + residual add, a QKV-style reshape of the
columns into [3, heads, 16] with its bias, attention scores reshaped to
[batch, heads, seq, seq] with a scale and a broadcast mask, a wide dense
layer whose columns the threads split, and a K = 1024 layer whose 150 rows
are two row blocks of the strategy. Weights get deterministic,
non-repeating values so a wrong index in the epilogue shows in the numbers.

Usage: contraction_epilogues.py DIR
"""

import os
import sys

# The value, literal and type helpers of the strategy-table cases.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from contraction_cases import dense, ty  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    x, res = ty([None, 16, 24]), ty([None, 16, 40])
    q, k, mask = ty([4, 16, 8]), ty([4, 8, 16]), ty([2, 1, 1, 16])
    results = [res, res, ty([None, 16, 3, 2, 16]), ty([2, 2, 16, 16]),
               ty([None, 16, 160]), ty([150, 160])]
    wide = ty([150, 1024])
    lines = [
        f"func.func @main(%x: {x}, %res: {res}, %q: {q}, %k: {k}, "
        f"%mask: {mask}, %y: {wide}) -> ({', '.join(results)}) {{",
        f"  %w40 = mica.constant {dense([40, 24], 1)} : {ty([40, 24])}",
        f"  %b40 = mica.constant {dense([40], 2)} : {ty([40])}",
        f"  %v40 = mica.constant {dense([40, 24], 7)} : {ty([40, 24])}",
        f"  %w96 = mica.constant {dense([96, 24], 3)} : {ty([96, 24])}",
        f"  %b96 = mica.constant {dense([96], 4)} : {ty([96])}",
        f"  %w160 = mica.constant {dense([160, 24], 5)} : {ty([160, 24])}",
        f"  %b160 = mica.constant {dense([160], 6)} : {ty([160])}",
        f"  %scale = mica.constant dense<0.125> : tensor<f32>",
        f"  %w1k = mica.constant {dense([160, 1024], 8)} : {ty([160, 1024])}",
        # bias + GELU (partial column panel: 40 = 32 + 8)
        f"  %0 = mica.dense %x, %w40 bias(%b40 : {ty([40])}) "
        f"{{activation = #mica<activation gelu>}} : {x}, {ty([40, 24])} -> {res}",
        # bias + residual
        f"  %d = mica.dense %x, %v40 bias(%b40 : {ty([40])}) : {x}, "
        f"{ty([40, 24])} -> {res}",
        f"  %1 = mica.add %d, %res : ({res}, {res}) -> {res}",
        # QKV: columns reshaped to [3, 2, 16], with bias
        f"  %qkv = mica.dense %x, %w96 bias(%b96 : {ty([96])}) : {x}, "
        f"{ty([96, 24])} -> {ty([None, 16, 96])}",
        f"  %2 = mica.reshape %qkv : {ty([None, 16, 96])} -> {results[2]}",
        # attention scores: [4 = 2 x 2, 16, 16] -> [2, 2, 16, 16], scale, mask
        f"  %s = mica.matmul %q, %k : ({q}, {k}) -> {ty([4, 16, 16])}",
        f"  %s4 = mica.reshape %s : {ty([4, 16, 16])} -> {results[3]}",
        f"  %ss = mica.mul %s4, %scale : ({results[3]}, tensor<f32>) -> {results[3]}",
        f"  %3 = mica.add %ss, %mask : ({results[3]}, {mask}) -> {results[3]}",
        # wide: threads split the 5 column panels, bias + ReLU
        f"  %4 = mica.dense %x, %w160 bias(%b160 : {ty([160])}) "
        f"{{activation = #mica<activation relu>}} : {x}, {ty([160, 24])} -> "
        f"{results[4]}",
        # K = 1024, N >= M (column panels outside): the 150 rows are two row blocks of 128 and 22 (two
        # register tiles and 6 single rows), bias in the epilogue
        f"  %5 = mica.dense %y, %w1k bias(%b160 : {ty([160])}) : {wide}, "
        f"{ty([160, 1024])} -> {results[5]}",
        f"  return %0, %1, %2, %3, %4, %5 : {', '.join(results)}",
        "}",
    ]
    with open(os.path.join(out, "epilogues.mlir"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
