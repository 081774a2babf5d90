#!/usr/bin/python3
"""Writes the models of test/Codegen/contraction-numerics.test into DIR.

One small model per case of mica-cpu-contraction: every strategy row of
lib/Codegen/Strategy.cpp (narrow-n, single-row, few-rows, default) crossed
with the operand variants (packed constant B, transposed constant B,
activation B, transposed activation B, batch_matmul, dynamic M, partial
tiles), and all_bf16.mlir: the constant-B cases and odd-K ones for
precision=bf16. Constant
weights get deterministic, non-repeating values so that a wrong packing
layout shows in the numbers (a splat would hide it).

Models `<case>.mlir` use mica ops (the reference evaluator runs them).
Cases the mica lowering never produces (a non-zero fill, a matmul that
accumulates into an argument, a batch_matmul with a transposed-B map) are
written at linalg level as `<case>.linalg.mlir`, with a mica twin
`<case>.mlir` that computes the same function on the same arguments (so
`mica-run --seed` draws the same inputs) and serves as the reference.

Usage: contraction_cases.py DIR
"""

import os
import sys


def values(count, salt):
    """`count` deterministic values in [-1, 1) (multiples of 1/64)."""
    return [((i * 37 + salt * 11) % 128 - 64) / 64.0 for i in range(count)]


def dense(shape, salt):
    """A dense<...> literal of `shape` with values(...)."""
    flat = values(eval("*".join(map(str, shape))), salt)

    def nest(dims, off):
        if not dims:
            return repr(flat[off]), off + 1
        parts = []
        for _ in range(dims[0]):
            text, off = nest(dims[1:], off)
            parts.append(text)
        return "[" + ", ".join(parts) + "]", off

    return "dense<" + nest(list(shape), 0)[0] + ">"


def ty(shape):
    return "tensor<" + "x".join("?" if d is None else str(d)
                                for d in shape) + "xf32>"


class Case:
    """One contraction: its arguments, body lines and result, with SSA
    names prefixed by `p` so that several cases fit in one function."""

    def __init__(self, args, body, result, rtype):
        self.args, self.body, self.result, self.rtype = args, body, result, rtype

    def model(self):
        """The case alone as `@main`."""
        return func([self])


def func(cases):
    """One `@main` computing every case of `cases` (one result each)."""
    args = ", ".join(a for c in cases for a in c.args)
    rtypes = ", ".join(c.rtype for c in cases)
    body = "".join(line for c in cases for line in c.body)
    results = ", ".join(c.result for c in cases)
    return (f"func.func @main({args}) -> ({rtypes}) {{\n{body}"
            f"  return {results} : {rtypes}\n}}\n")


def matmul(p, m, k, n, constant, batch=None):
    """A [batch x] M x K times [batch x] K x N mica.matmul."""
    a = ([batch] if batch else []) + [m, k]
    b = ([batch] if batch else []) + [k, n]
    c = ([batch] if batch else []) + [m, n]
    args = [f"%{p}a: {ty(a)}"] + ([] if constant else [f"%{p}w: {ty(b)}"])
    body = ([f"  %{p}w = mica.constant {dense(b, 3)} : {ty(b)}\n"]
            if constant else [])
    body.append(f"  %{p}r = mica.matmul %{p}a, %{p}w : ({ty(a)}, {ty(b)}) "
                f"-> {ty(c)}\n")
    return Case(args, body, f"%{p}r", ty(c))


def dense_op(p, m, k, n, constant):
    """A dense layer: M x K times (N x K)^T (a transposed-B matmul)."""
    a, w, c = [m, k], [n, k], [m, n]
    args = [f"%{p}a: {ty(a)}"] + ([] if constant else [f"%{p}w: {ty(w)}"])
    body = ([f"  %{p}w = mica.constant {dense(w, 3)} : {ty(w)}\n"]
            if constant else [])
    body.append(f"  %{p}r = mica.dense %{p}a, %{p}w : {ty(a)}, {ty(w)} -> "
                f"{ty(c)}\n")
    return Case(args, body, f"%{p}r", ty(c))


# name -> model text. M/N/K are chosen so that M % mr != 0 and N % nr != 0
# (remainder rows and masked column tiles) unless a case says otherwise.
CASES = {
    # default (8 x 32)
    "default_packed": matmul("default_packed_", 20, 24, 40, True),
    "default_packed_t": dense_op("default_packed_t_", 20, 24, 40, True),
    "default_act": matmul("default_act_", 20, 24, 40, False),
    "default_act_t": dense_op("default_act_t_", 20, 24, 40, False),
    "default_batch": matmul("default_batch_", 20, 24, 40, False, batch=3),
    "default_batch1": matmul("default_batch1_", 20, 24, 40, False, batch=1),
    "default_dyn_m": dense_op("default_dyn_m_", None, 24, 40, True),
    "default_dyn_m_act": matmul("default_dyn_m_act_", None, 24, 40, False),
    "default_cols": dense_op("default_cols_", 12, 24, 72, True),
    "default_cols_act": matmul("default_cols_act_", 12, 24, 72, False),
    # narrow-n (16 x 16)
    "narrow_packed": matmul("narrow_packed_", 37, 24, 16, True),
    "narrow_packed_t": dense_op("narrow_packed_t_", 37, 24, 10, True),
    "narrow_act": matmul("narrow_act_", 37, 24, 10, False),
    "narrow_act_t": dense_op("narrow_act_t_", 37, 24, 12, False),
    "narrow_batch": matmul("narrow_batch_", 37, 24, 10, False, batch=2),
    "narrow_dyn_m": dense_op("narrow_dyn_m_", None, 24, 12, True),
    # single-row (1 x 64)
    "single_packed": matmul("single_packed_", 1, 24, 100, True),
    "single_packed_t": dense_op("single_packed_t_", 1, 24, 100, True),
    "single_act": matmul("single_act_", 1, 24, 100, False),
    "single_act_t": dense_op("single_act_t_", 1, 24, 100, False),
    "single_cols": dense_op("single_cols_", 1, 24, 160, True),
    "single_batch": matmul("single_batch_", 1, 24, 100, False, batch=3),
    # few-rows (M x 64 for M <= 5, M x 48 for 6 and 7)
    "few_packed": matmul("few_packed_", 4, 24, 100, True),
    "few_packed_t": dense_op("few_packed_t_", 3, 24, 100, True),
    "few_act": matmul("few_act_", 4, 24, 100, False),
    "few_act_t": dense_op("few_act_t_", 2, 24, 100, False),
    "few_batch": matmul("few_batch_", 5, 24, 100, False, batch=3),
    "few_wide": dense_op("few_wide_", 7, 24, 100, True),
    "few_cols": dense_op("few_cols_", 4, 24, 160, True),
}

# precision=bf16: the cases with a constant B (the ones the bf16 kernels
# take; activation-B cases stay f32) of every strategy row, plus an odd K
# (25: the last K pair is padded) per row. All in all_bf16.mlir.
BF16_CASES = [name for name in CASES
              if any(t in name for t in ("packed", "cols", "wide"))
              and "act" not in name] + ["default_dyn_m", "narrow_dyn_m"]
ODD_K = {
    "default_odd_k": dense_op("default_odd_k_", 20, 25, 40, True),
    "narrow_odd_k": matmul("narrow_odd_k_", 37, 25, 10, True),
    "single_odd_k": matmul("single_odd_k_", 1, 25, 100, True),
    "few_odd_k": dense_op("few_odd_k_", 5, 25, 100, True),
}

# Linalg-level cases and their mica twins (same arguments, same order).
LINALG = {
    "fill_nonzero": (
        """func.func @main(%a: tensor<20x24xf32>, %b: tensor<24x40xf32>) -> tensor<20x40xf32> {
  %c = arith.constant 2.5 : f32
  %e = tensor.empty() : tensor<20x40xf32>
  %f = linalg.fill ins(%c : f32) outs(%e : tensor<20x40xf32>) -> tensor<20x40xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<20x24xf32>, tensor<24x40xf32>) outs(%f : tensor<20x40xf32>) -> tensor<20x40xf32>
  return %0 : tensor<20x40xf32>
}
""",
        """func.func @main(%a: tensor<20x24xf32>, %b: tensor<24x40xf32>) -> tensor<20x40xf32> {
  %c = mica.constant dense<2.5> : tensor<20x40xf32>
  %0 = mica.matmul %a, %b : (tensor<20x24xf32>, tensor<24x40xf32>) -> tensor<20x40xf32>
  %1 = mica.add %0, %c : (tensor<20x40xf32>, tensor<20x40xf32>) -> tensor<20x40xf32>
  return %1 : tensor<20x40xf32>
}
"""),
    # (Accumulating into the argument itself is in contraction-bugs.test.)
    "init_computed": (
        """func.func @main(%a: tensor<20x24xf32>, %b: tensor<24x40xf32>, %c: tensor<20x40xf32>) -> tensor<20x40xf32> {
  %e = tensor.empty() : tensor<20x40xf32>
  %d = linalg.add ins(%c, %c : tensor<20x40xf32>, tensor<20x40xf32>) outs(%e : tensor<20x40xf32>) -> tensor<20x40xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<20x24xf32>, tensor<24x40xf32>) outs(%d : tensor<20x40xf32>) -> tensor<20x40xf32>
  return %0 : tensor<20x40xf32>
}
""",
        """func.func @main(%a: tensor<20x24xf32>, %b: tensor<24x40xf32>, %c: tensor<20x40xf32>) -> tensor<20x40xf32> {
  %d = mica.add %c, %c : (tensor<20x40xf32>, tensor<20x40xf32>) -> tensor<20x40xf32>
  %0 = mica.matmul %a, %b : (tensor<20x24xf32>, tensor<24x40xf32>) -> tensor<20x40xf32>
  %1 = mica.add %0, %d : (tensor<20x40xf32>, tensor<20x40xf32>) -> tensor<20x40xf32>
  return %1 : tensor<20x40xf32>
}
"""),
    "batch_t_act": (
        """func.func @main(%a: tensor<3x20x24xf32>, %b: tensor<3x40x24xf32>) -> tensor<3x20x40xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x20x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3x20x40xf32>) -> tensor<3x20x40xf32>
  %0 = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>] ins(%a, %b : tensor<3x20x24xf32>, tensor<3x40x24xf32>) outs(%f : tensor<3x20x40xf32>) -> tensor<3x20x40xf32>
  return %0 : tensor<3x20x40xf32>
}
""",
        """func.func @main(%a: tensor<3x20x24xf32>, %b: tensor<3x40x24xf32>) -> tensor<3x20x40xf32> {
  %t = mica.transpose %b [0, 2, 1] : tensor<3x40x24xf32> -> tensor<3x24x40xf32>
  %0 = mica.matmul %a, %t : (tensor<3x20x24xf32>, tensor<3x24x40xf32>) -> tensor<3x20x40xf32>
  return %0 : tensor<3x20x40xf32>
}
"""),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, case in CASES.items():
        with open(os.path.join(out, name + ".mlir"), "w") as f:
            f.write(case.model())
    # All cases in one function: one JIT compilation runs them all.
    with open(os.path.join(out, "all.mlir"), "w") as f:
        f.write(func(list(CASES.values())))
    with open(os.path.join(out, "all_bf16.mlir"), "w") as f:
        f.write(func([CASES[n] for n in BF16_CASES] + list(ODD_K.values())))
    for name, (lin, twin) in LINALG.items():
        with open(os.path.join(out, name + ".linalg.mlir"), "w") as f:
            f.write(lin)
        with open(os.path.join(out, name + ".mlir"), "w") as f:
            f.write(twin)


if __name__ == "__main__":
    main()
