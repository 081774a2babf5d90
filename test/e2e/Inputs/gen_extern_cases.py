#!/usr/bin/python3
# Part of the Mica project: an MLIR-based deep-learning compiler.
"""Writes the mica-dialect cases of test/e2e/extern-onednn.test.

  gen_extern_cases.py OUT_DIR

lstm.mlir: one function with five LSTMs on the same input x [T, B, I]
(forward; reverse; bidirectional; bidirectional with per-entry sequence
lengths (one 0, one T) and initial h/c as arguments; forward with peepholes
and initial h), every weight a seeded random constant.

matmul.mlir: dense + bias + relu on a dynamic batch, dense + gelu chained on
it, a rank-4 batched matmul of two arguments, a rank-3 x rank-2 matmul with
a constant right operand, a 2-D matmul of an argument and its transpose,
and a matmul whose batch dims broadcast (stays native).
"""
import os
import sys

import numpy as np

RNG = np.random.default_rng(0)


def literal(a):
    fmt = {"float_kind": lambda v: "%.8e" % v, "int": lambda v: "%d" % v}
    return "dense<" + np.array2string(a, separator=", ", threshold=1 << 30,
                                      max_line_width=1 << 30,
                                      formatter=fmt) + ">"


def ttype(shape, elem="f32"):
    dims = ["?" if d is None else str(d) for d in shape]
    return "tensor<" + "x".join(dims + [elem]) + ">"


class Func:
    def __init__(self):
        self.args, self.body, self.results = [], [], []

    def const(self, name, shape, elem="f32", values=None):
        if values is None:
            values = (RNG.standard_normal(shape) * 0.3).astype(np.float32)
        self.body.append("  %%%s = mica.constant %s : %s"
                         % (name, literal(values), ttype(shape, elem)))

    def text(self):
        types = ", ".join(t for _, t in self.results)
        return ("func.func @main(%s) -> (%s) {\n%s\n  return %s : %s\n}\n"
                % (", ".join(self.args), types, "\n".join(self.body),
                   ", ".join(v for v, _ in self.results), types))


def lstm_cases(T=5, B=3, I=4, H=8):
    f = Func()
    f.args.append("%%x: %s" % ttype([T, B, I]))
    configs = ["forward", "reverse", "bidirectional", "bidirectional_lens",
               "forward_peepholes"]
    for k, cfg in enumerate(configs):
        D = 2 if cfg.startswith("bidirectional") else 1
        direction = cfg.split("_")[0]
        f.const("w%d" % k, [D, 4 * H, I])
        f.const("r%d" % k, [D, 4 * H, H])
        f.const("b%d" % k, [D, 8 * H])
        extra = " bias(%%b%d : %s)" % (k, ttype([D, 8 * H]))
        state = ttype([D, B, H])
        if cfg == "bidirectional_lens":
            lens = RNG.integers(1, T, size=B)
            lens[0], lens[-1] = T, 0
            f.const("l%d" % k, [B], "i32", lens.astype(np.int32))
            f.args += ["%%h%d: %s" % (k, state), "%%c%d: %s" % (k, state)]
            extra += (" sequence_lens(%%l%d : %s) initial_h(%%h%d : %s)"
                      " initial_c(%%c%d : %s)"
                      % (k, ttype([B], "i32"), k, state, k, state))
        if cfg == "forward_peepholes":
            f.const("p%d" % k, [D, 3 * H])
            f.args.append("%%h%d: %s" % (k, state))
            extra += (" initial_h(%%h%d : %s) peepholes(%%p%d : %s)"
                      % (k, state, k, ttype([D, 3 * H])))
        y = ttype([T, D, B, H])
        f.body.append(
            "  %%y%d, %%yh%d, %%yc%d = mica.lstm %%x, %%w%d, %%r%d%s "
            "{direction = #mica<direction %s>, hidden_size = %d : i64} : "
            "%s, %s, %s -> %s, %s, %s"
            % (k, k, k, k, k, extra, direction, H, ttype([T, B, I]),
               ttype([D, 4 * H, I]), ttype([D, 4 * H, H]), y, state, state))
        f.results += [("%%y%d" % k, y), ("%%yh%d" % k, state),
                      ("%%yc%d" % k, state)]
    return f.text()


def matmul_cases():
    f = Func()
    x, q, kk, m = (ttype([None, 7, 24]), ttype([2, 3, 7, 16]),
                   ttype([2, 3, 16, 7]), ttype([7, 24]))
    f.args += ["%x: " + x, "%q: " + q, "%k: " + kk, "%m: " + m,
               "%v: " + ttype([3, 7, 24])]
    f.const("w0", [40, 24])
    f.const("b0", [40])
    f.const("w1", [24, 40])
    f.const("w2", [24, 12])
    f.const("w3", [24, 5])
    body, res = f.body, f.results
    body.append("  %%d0 = mica.dense %%x, %%w0 bias(%%b0 : %s) {activation = "
                "#mica<activation relu>} : %s, %s -> %s"
                % (ttype([40]), x, ttype([40, 24]), ttype([None, 7, 40])))
    body.append("  %%d1 = mica.dense %%d0, %%w1 {activation = "
                "#mica<activation gelu>} : %s, %s -> %s"
                % (ttype([None, 7, 40]), ttype([24, 40]), x))
    body.append("  %%m0 = mica.matmul %%q, %%k : (%s, %s) -> %s"
                % (q, kk, ttype([2, 3, 7, 7])))
    body.append("  %%m1 = mica.matmul %%x, %%w2 : (%s, %s) -> %s"
                % (x, ttype([24, 12]), ttype([None, 7, 12])))
    body.append("  %%mt = mica.transpose %%m [1, 0] : %s -> %s"
                % (m, ttype([24, 7])))
    body.append("  %%m2 = mica.matmul %%m, %%mt : (%s, %s) -> %s"
                % (m, ttype([24, 7]), ttype([7, 7])))
    body.append("  %%w3b = mica.reshape %%w3 : %s -> %s"
                % (ttype([24, 5]), ttype([1, 24, 5])))
    body.append("  %%m3 = mica.matmul %%v, %%w3b : (%s, %s) -> %s"
                % (ttype([3, 7, 24]), ttype([1, 24, 5]), ttype([3, 7, 5])))
    res += [("%d0", ttype([None, 7, 40])), ("%d1", x),
            ("%m0", ttype([2, 3, 7, 7])), ("%m1", ttype([None, 7, 12])),
            ("%m2", ttype([7, 7])), ("%m3", ttype([3, 7, 5]))]
    return f.text()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "lstm.mlir"), "w") as fh:
        fh.write(lstm_cases())
    with open(os.path.join(out, "matmul.mlir"), "w") as fh:
        fh.write(matmul_cases())


if __name__ == "__main__":
    main()
