#!/usr/bin/env python3
"""Writes unrolled LSTM models in every form mica-recognize-lstm must
recognize (and a few it must not) as mica IR with seeded random weights.

    gen_lstm_cells.py OUTDIR

writes OUTDIR/<case>.mlir and OUTDIR/cases.txt ("<case> <expected mica.lstm
count>" per line). recognize-lstm-numerics.test runs every case through the
reference evaluator before and after the rewrite and compares.

Forms: gate orders (TF i,j,f,o with forget_bias, PyTorch i,f,g,o, ONNX
i,o,f,c, Keras i,f,c,o), one matmul over concat(x, h) / separate x and h
matmuls / mica.dense (weights [N, K]) / one projection per gate, split vs
slices, peepholes, time-major and batch-major sequences (split, slice,
gather), zero or given initial states, bidirectional, stacked.
"""

import os
import random
import struct
import sys

B, I, H, T = 2, 3, 4, 5


def f32_hex(values):
    return "0x04000000" + "".join(struct.pack("<f", v).hex().upper()
                                  for v in values)


class Func:
    """A func.func under construction: SSA values and dense_resource blobs."""

    def __init__(self, name, rng):
        self.name, self.rng = name, rng
        self.body, self.blobs, self.args, self.results = [], {}, [], []
        self.n = 0

    def op(self, text, type_):
        self.n += 1
        v = "%%v%d" % self.n
        self.body.append("    %s = %s" % (v, text.replace("$T", type_)))
        return v

    def arg(self, type_):
        v = "%%a%d" % len(self.args)
        self.args.append((v, type_))
        return v

    def const(self, shape, scale=0.5, zero=False):
        n = 1
        for d in shape:
            n *= d
        name = "w%d" % len(self.blobs)
        vals = [0.0] * n if zero else [
            self.rng.uniform(-scale, scale) for _ in range(n)]
        self.blobs[name] = f32_hex(vals)
        return self.op("mica.constant dense_resource<%s> : $T" % name,
                       ty(shape))

    def text(self):
        args = ", ".join("%s: %s" % a for a in self.args)
        res = ", ".join(t for _, t in self.results)
        out = ["func.func @%s(%s) -> (%s) {" % (self.name, args, res)]
        out += self.body
        out.append("    return %s : %s" % (", ".join(v for v, _ in
                                                    self.results), res))
        out.append("}")
        return "\n".join(out)


def ty(shape):
    return "tensor<%sf32>" % "".join("%dx" % d for d in shape)


def binop(f, name, a, b, shape, bshape=None):
    return f.op("mica.%s %s, %s : (%s, %s) -> $T" %
                (name, a, b, ty(shape), ty(shape if bshape is None else bshape)),
                ty(shape))


def unop(f, name, a, shape):
    return f.op("mica.%s %s : $T" % (name, a), ty(shape))


def matmul(f, a, w, ashape, wshape):
    return f.op("mica.matmul %s, %s : (%s, %s) -> $T" %
                (a, w, ty(ashape), ty(wshape)),
                ty([ashape[0], wshape[1]]))


ORDERS = {
    "tf": "igfo",        # i, j, f, o (j = g) + forget_bias on f
    "pytorch": "ifgo",
    "onnx": "iofg",      # i, o, f, c
    "keras": "ifgo",     # i, f, c, o
}


class Params:
    """Weights of one LSTM layer in the layout a given form needs."""

    def __init__(self, f, inp, form):
        self.form, self.inp = form, inp
        p = form["proj"]
        if p == "concat":
            self.w = f.const([inp + H, 4 * H])
        elif p == "separate":
            self.wx, self.wh = f.const([inp, 4 * H]), f.const([H, 4 * H])
        elif p == "dense":
            self.wx, self.wh = f.const([4 * H, inp]), f.const([4 * H, H])
        elif p == "pergate":
            self.wx = [f.const([inp, H]) for _ in range(4)]
            self.wh = [f.const([H, H]) for _ in range(4)]
            self.bg = [f.const([H]) for _ in range(4)]
        if p != "pergate":
            self.b = f.const([4 * H])
        if form.get("peephole"):
            self.p = {g: f.const([H]) for g in "ifo"}
        if form["order"] == "tf":
            self.forget = f.op("mica.constant dense<1.0> : $T", "tensor<f32>")


def cell(f, x, h, c, prm, form):
    """One step; returns (h', c')."""
    inp, bh, b4 = prm.inp, [B, H], [B, 4 * H]
    order = ORDERS[form["order"]]
    pre = {}
    if form["proj"] == "pergate":
        for k, g in enumerate(order):
            a = matmul(f, x, prm.wx[k], [B, inp], [inp, H])
            r = matmul(f, h, prm.wh[k], bh, [H, H])
            pre[g] = binop(f, "add", binop(f, "add", a, r, bh), prm.bg[k], bh,
                           [H])
    else:
        if form["proj"] == "concat":
            xh = f.op("mica.concat %s, %s {axis = 1 : i64} : (%s, %s) -> $T" %
                      (x, h, ty([B, inp]), ty(bh)), ty([B, inp + H]))
            z = matmul(f, xh, prm.w, [B, inp + H], [inp + H, 4 * H])
            z = binop(f, "add", z, prm.b, b4, [4 * H])
        elif form["proj"] == "separate":
            z = binop(f, "add", matmul(f, x, prm.wx, [B, inp], [inp, 4 * H]),
                      matmul(f, h, prm.wh, bh, [H, 4 * H]), b4)
            z = binop(f, "add", z, prm.b, b4, [4 * H])
        else:
            zx = f.op("mica.dense %s, %s bias(%s : %s) : %s, %s -> $T" %
                      (x, prm.wx, prm.b, ty([4 * H]), ty([B, inp]),
                       ty([4 * H, inp])), ty(b4))
            zh = f.op("mica.dense %s, %s : %s, %s -> $T" %
                      (h, prm.wh, ty(bh), ty([4 * H, H])), ty(b4))
            z = binop(f, "add", zx, zh, b4)
        if form.get("slices"):
            for k, g in enumerate(order):
                pre[g] = f.op(
                    "mica.slice %s {axes = array<i64: 1>, starts = "
                    "array<i64: %d>, ends = array<i64: %d>, steps = "
                    "array<i64: 1>} : %s -> $T" % (z, k * H, k * H + H,
                                                   ty(b4)), ty(bh))
        else:
            s = f.op("mica.split %s {axis = 1 : i64, sizes = array<i64: %d, "
                     "%d, %d, %d>} : %s -> (%s)" %
                     (z, H, H, H, H, ty(b4), ", ".join([ty(bh)] * 4)),
                     "")
            f.body[-1] = f.body[-1].replace(s + " =", s + ":4 =")
            for k, g in enumerate(order):
                pre[g] = "%s#%d" % (s, k)
    if form["order"] == "tf":
        pre["f"] = binop(f, "add", pre["f"], prm.forget, bh, [])
    if form.get("peephole"):
        pre["i"] = binop(f, "add", pre["i"],
                         binop(f, "mul", c, prm.p["i"], bh, [H]), bh)
        pre["f"] = binop(f, "add", pre["f"],
                         binop(f, "mul", c, prm.p["f"], bh, [H]), bh)
    si = unop(f, "sigmoid", pre["i"], bh)
    sf = unop(f, "sigmoid", pre["f"], bh)
    tg = unop(f, "tanh", pre["g"], bh)
    c2 = binop(f, "add", binop(f, "mul", sf, c, bh),
               binop(f, "mul", si, tg, bh), bh)
    po = pre["o"]
    if form.get("peephole"):
        po = binop(f, "add", po, binop(f, "mul", c2, prm.p["o"], bh, [H]), bh)
    so = unop(f, "sigmoid", po, bh)
    h2 = binop(f, "mul", so, unop(f, "tanh", c2, bh), bh)
    return h2, c2


def steps_of(f, x, form, inp):
    """The T per-step [B, inp] inputs of sequence x."""
    seq = form.get("seq", "split0")
    bi = [B, inp]
    if seq == "split0" or seq == "split1":
        ax = int(seq[-1])
        shape = [T, B, inp] if ax == 0 else [B, T, inp]
        one = [1, B, inp] if ax == 0 else [B, 1, inp]
        s = f.op("mica.split %s {axis = %d : i64, sizes = array<i64: %s>} : "
                 "%s -> (%s)" % (x, ax, ", ".join(["1"] * T), ty(shape),
                                 ", ".join([ty(one)] * T)), "")
        f.body[-1] = f.body[-1].replace(s + " =", s + ":%d =" % T)
        return [f.op("mica.reshape %s#%d : %s -> $T" % (s, t, ty(one)),
                     ty(bi)) for t in range(T)]
    if seq == "slice0":
        out = []
        for t in range(T):
            r = f.op("mica.slice %s {axes = array<i64: 0>, starts = array<i64:"
                     " %d>, ends = array<i64: %d>, steps = array<i64: 1>} : %s"
                     " -> $T" % (x, t, t + 1, ty([T, B, inp])),
                     ty([1, B, inp]))
            out.append(f.op("mica.reshape %s : %s -> $T" %
                            (r, ty([1, B, inp])), ty(bi)))
        return out
    if seq == "gather1":
        out = []
        for t in range(T):
            idx = f.op("mica.constant dense<%d> : $T" % t, "tensor<i64>")
            out.append(f.op("mica.gather %s, %s {axis = 1 : i64} : (%s, "
                            "tensor<i64>) -> $T" % (x, idx, ty([B, T, inp])),
                            ty(bi)))
        return out
    raise ValueError(seq)


def seq_type(form, inp):
    return ty([B, T, inp] if form.get("seq", "split0") in ("split1", "gather1")
              else [T, B, inp])


def stack(f, hs, width, axis=0):
    """Re-stacks per-step [B, width] outputs along `axis` (0: [T, B, w])."""
    one = [1, B, width] if axis == 0 else [B, 1, width]
    rows = [f.op("mica.reshape %s : %s -> $T" % (h, ty([B, width])), ty(one))
            for h in hs]
    out = [T, B, width] if axis == 0 else [B, T, width]
    return f.op("mica.concat %s {axis = %d : i64} : (%s) -> $T" %
                (", ".join(rows), axis, ", ".join([ty(one)] * len(rows))),
                ty(out))


def layer(f, xs, form, inp, reverse=False, h0=None, c0=None):
    prm = Params(f, inp, form)
    h = h0 or f.const([B, H], zero=True)
    c = c0 or f.const([B, H], zero=True)
    hs = [None] * T
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        h, c = cell(f, xs[t], h, c, prm, form)
        hs[t] = h
    return hs, h, c


def model(name, rng, form, layers=1, bidi=False, states=False):
    f = Func(name, rng)
    x = f.arg(seq_type(form, I))
    h0 = f.arg(ty([B, H])) if states else None
    c0 = f.arg(ty([B, H])) if states else None
    xs, inp = steps_of(f, x, form, I), I
    for l in range(layers):
        hs, h, c = layer(f, xs, form, inp, h0=h0 if l == 0 else None,
                         c0=c0 if l == 0 else None)
        if bidi:
            hb, hbl, cbl = layer(f, xs, form, inp, reverse=True)
            hs = [f.op("mica.concat %s, %s {axis = 1 : i64} : (%s, %s) -> $T"
                       % (a, b, ty([B, H]), ty([B, H])), ty([B, 2 * H]))
                  for a, b in zip(hs, hb)]
            f.results.append((hbl, ty([B, H])))
        xs, inp = hs, (2 * H if bidi else H)
    ax = 1 if form.get("seq") in ("split1", "gather1") else 0
    y = stack(f, xs, inp, ax)
    f.results = [(y, ty([T, B, inp] if ax == 0 else [B, T, inp])),
                 (h, ty([B, H])), (c, ty([B, H]))] + f.results
    return f


def emit(path, f):
    with open(path, "w") as out:
        out.write(f.text() + "\n")
        out.write("{-#\n  dialect_resources: {\n    builtin: {\n")
        out.write(",\n".join("      %s: \"%s\"" % kv
                             for kv in f.blobs.items()))
        out.write("\n    }\n  }\n#-}\n")


CASES = [
    # name, form, extra, expected mica.lstm count
    ("tf_concat", {"order": "tf", "proj": "concat"}, {}, 1),
    ("pytorch_separate", {"order": "pytorch", "proj": "separate"},
     {"states": True}, 1),
    ("onnx_separate_slices", {"order": "onnx", "proj": "separate",
                              "slices": True}, {}, 1),
    ("keras_dense", {"order": "keras", "proj": "dense", "seq": "split1"},
     {"states": True}, 1),
    ("pergate_peephole", {"order": "onnx", "proj": "pergate",
                          "peephole": True}, {}, 1),
    ("tf_peephole_concat", {"order": "tf", "proj": "concat",
                            "peephole": True}, {"states": True}, 1),
    ("slice_seq", {"order": "pytorch", "proj": "concat", "seq": "slice0"},
     {}, 1),
    ("gather_seq", {"order": "tf", "proj": "separate", "seq": "gather1"},
     {}, 1),
    ("stacked", {"order": "pytorch", "proj": "separate"}, {"layers": 2}, 2),
    ("bidirectional", {"order": "tf", "proj": "concat"}, {"bidi": True}, 1),
    ("stacked_bidirectional", {"order": "onnx", "proj": "separate"},
     {"bidi": True, "layers": 2}, 2),
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    with open(os.path.join(out, "cases.txt"), "w") as lst:
        for name, form, extra, count in CASES:
            emit(os.path.join(out, name + ".mlir"),
                 model(name, rng, form, **extra))
            lst.write("%s %d\n" % (name, count))


if __name__ == "__main__":
    main()
