#!/usr/bin/env python3
"""Independent numpy/PyTorch references for the reference-evaluator tests.

`ref.py CASE DIR` writes an ONNX-style test data set for CASE into DIR:
input_K.pb (the function arguments, in order) and output_K.pb (the expected
results), so that a lit test runs
    mica-run file.mlir --reference --entry CASE --test-data-dir DIR --check
Every expected value is computed here, from numpy or PyTorch, never by Mica.
"""
import math
import os
import sys

import numpy as np
from onnx import numpy_helper

rng = np.random.default_rng(0)
f32 = np.float32


def rand(*shape):
    return rng.uniform(-1, 1, shape).astype(f32)


def erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64))


def gelu(x):
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def layer_norm(x, axis, eps, g=None, b=None):
    axes = tuple(range(axis, x.ndim))
    m = x.mean(axes, keepdims=True)
    v = ((x - m) ** 2).mean(axes, keepdims=True)
    y = (x - m) / np.sqrt(v + eps)
    return y * (1 if g is None else g) + (0 if b is None else b)


def softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


# ----------------------------------------------------------------------------
# Cases: each returns (inputs, outputs).


def binary_broadcast():
    a, b = rand(2, 3, 4), rand(3, 1) + 2
    return [a, b], [a + b, a - b, a * b, a / b, np.maximum(a, b), np.minimum(a, b),
                    np.power(np.abs(a), b)]


def unary_math():
    x = rand(3, 5) * 3
    p = np.abs(x) + 0.1
    return [x, p], [np.exp(x), np.log(p), np.sqrt(p), 1 / np.sqrt(p), np.tanh(x),
                    sigmoid(x), erf(x), gelu(x), gelu_tanh(x), np.where(x < 0, 0.1 * x, x),
                    np.where(x < 0, 0.5 * (np.exp(x) - 1), x), np.clip(x, -0.5, 0.25),
                    np.sin(x), np.cos(x), np.floor(x), np.ceil(x)]


def int_arith():
    a = np.array([7, -7, 7, -7, 0, 5], np.int64)
    b = np.array([2, 2, -2, -2, 3, 5], np.int64)
    return [a, b], [np.fmod(a, b), np.mod(a, b), np.trunc(a / b).astype(np.int64),
                    (a < b), np.where(a < b, a, b)]


def cast_round():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.7, -2.7], f32)
    return [x], [np.round(x), np.trunc(x).astype(np.int32), x != 0,
                 x.astype(np.float16).astype(f32)]


def structure():
    x = rand(2, 3, 4)
    shape = np.array([4, -1], np.int64)
    return [x, shape], [x.reshape(4, 6), x.transpose(2, 0, 1),
                        np.concatenate([x, x[:, :1]], 1), x[:, 1:3], x[:, ::-2, 1:],
                        np.tile(x, (1, 2, 1)), np.broadcast_to(x[:, :1], (2, 2, 3, 4))]


def pad_modes():
    x = rand(3, 4)
    p = ((1, 2), (2, 1))
    return [x], [np.pad(x, p, 'constant', constant_values=0.5), np.pad(x, p, 'reflect'),
                 np.pad(x, p, 'edge'), x[1:, :3]]


def gather_scatter():
    x = rand(5, 4)
    idx = np.array([[0, -1], [2, 3]], np.int64)
    ge_idx = np.array([[1, 0], [3, 2], [0, 0]], np.int64)
    upd = rand(3, 2)
    sc = x.copy()
    for i in range(3):
        for j in range(2):
            sc[ge_idx[i, j], j] += upd[i, j]
    nd_idx = np.array([[4], [1]], np.int64)
    nd_upd = rand(2, 4)
    nd = x.copy()
    nd[[4, 1]] = nd_upd
    return [x, idx, ge_idx, upd, nd_idx, nd_upd], [
        x[idx.reshape(-1) % 5].reshape(2, 2, 4), x[ge_idx, np.arange(2)[None, :]], sc, nd]


def one_hot_range():
    i = np.array([[1, -1], [0, 7]], np.int64)
    oh = np.zeros((2, 2, 4), f32) - 1
    for a in range(2):
        for b in range(2):
            v = i[a, b] + 4 if i[a, b] < 0 else i[a, b]
            if 0 <= v < 4:
                oh[a, b, v] = 3
    return [i], [oh, np.arange(2, 11, 3, dtype=np.int64), np.arange(1.0, -1.0, -0.5, dtype=f32)]


def matmul_dense():
    a, b = rand(2, 1, 3, 5), rand(4, 5, 6)
    x, w, bias = rand(2, 3, 5), rand(7, 5), rand(7)
    ia = rng.integers(-5, 5, (3, 4)).astype(np.int32)
    ib = rng.integers(-5, 5, (4, 2)).astype(np.int32)
    d = x @ w.T + bias
    return [a, b, x, w, bias, ia, ib], [a @ b, np.maximum(d, 0), gelu(d), gelu_tanh(d), ia @ ib]


def conv():
    import torch
    import torch.nn.functional as F
    x, w, b = rand(2, 4, 7, 8), rand(6, 2, 3, 2), rand(6)
    x1, w1 = rand(1, 3, 9), rand(2, 3, 3)
    xp = F.pad(torch.from_numpy(x), (1, 0, 2, 1))  # W: (1, 0), H: (2, 1)
    y = F.conv2d(xp, torch.from_numpy(w), torch.from_numpy(b), stride=(2, 1),
                 dilation=(1, 2), groups=2).numpy()
    y1 = F.conv1d(torch.from_numpy(x1), torch.from_numpy(w1), stride=2, padding=1).numpy()
    return [x, w, b, x1, w1], [y, y1]


def pool():
    import torch
    import torch.nn.functional as F
    x = rand(1, 2, 7, 6)
    t = torch.from_numpy(x)
    mx = F.max_pool2d(t, 3, stride=2, padding=1, ceil_mode=True).numpy()
    av = F.avg_pool2d(t, 3, stride=2, padding=1, count_include_pad=True).numpy()
    avx = F.avg_pool2d(t, 3, stride=2, padding=1, count_include_pad=False).numpy()
    return [x], [mx, av, avx, x.mean((2, 3), keepdims=True), x.max((2, 3), keepdims=True)]


def reductions():
    x = rand(3, 4, 5)
    return [x], [x.sum(1), x.mean((0, 2), keepdims=True), x.max(-1), x.min(1),
                 x.prod(2), np.abs(x).sum(1), np.sqrt((x * x).sum(1)), (x * x).sum(1),
                 np.log(np.exp(x).sum(1)), softmax(x, 1),
                 np.log(softmax(x, -1))]


def arg_cumsum_topk():
    x = np.array([[3, 1, 3, 0], [2, 5, 5, -1]], f32)
    r = x[:, ::-1]
    cs = np.cumsum(r, 1)[:, ::-1]
    ex = cs - x
    idx = np.argsort(-x, 1, kind='stable')[:, :2]
    return [x], [np.argmax(x, 1), 3 - np.argmax(r, 1, keepdims=True), np.argmin(x, 0),
                 ex, np.take_along_axis(x, idx, 1), idx]


def norms():
    x, g, b = rand(2, 3, 8), rand(3, 8), rand(3, 8)
    bx, s, bb, m, v = rand(2, 3, 4), rand(3), rand(3), rand(3), np.abs(rand(3)) + 0.5
    bn = (bx - m[:, None]) / np.sqrt(v[:, None] + 1e-3) * s[:, None] + bb[:, None]
    return [x, g, b, bx, s, bb, m, v], [layer_norm(x, 1, 1e-5, g, b), layer_norm(x, 2, 1e-5), bn]


def resize():
    import torch
    import torch.nn.functional as F
    x = rand(1, 2, 3, 4)
    t = torch.from_numpy(x)
    near = F.interpolate(t, scale_factor=(2.0, 1.5), mode='nearest').numpy()
    lin = F.interpolate(t, scale_factor=2, mode='bilinear', align_corners=False).numpy()
    ac = F.interpolate(t, scale_factor=2, mode='bilinear', align_corners=True).numpy()
    return [x], [near, lin, ac]


def fused():
    x, s, g, be, bi = rand(2, 3, 8), rand(2, 3, 8), rand(8), rand(8), rand(8)
    ids = np.array([[1, 4, 0], [3, 3, 2]], np.int64)
    seg = np.array([[0, 1, 1], [1, 0, 0]], np.int64)
    word, pos, segemb = rand(5, 8), rand(6, 8), rand(2, 8)
    emb = word[ids] + pos[np.arange(3)][None] + segemb[seg]
    return [x, s, g, be, bi, ids, seg, word, pos, segemb], [
        gelu(x + bi), gelu_tanh(x + bi), layer_norm(x + s + bi, 2, 1e-12, g, be),
        layer_norm(emb, 2, 1e-12, g, be)]


def attention():
    B, S, E, H = 2, 4, 8, 2
    x, w, b = rand(B, S, E), rand(3 * E, E), rand(3 * E)
    mask = np.zeros((B, 1, 1, S), f32)
    mask[0, ..., 3] = mask[1, ..., 0] = -10000.0
    mask[1, ..., 2] = -0.5
    qkv = x @ w.T + b
    q, k, v = [qkv[..., i * E:(i + 1) * E].reshape(B, S, H, E // H).transpose(0, 2, 1, 3)
               for i in range(3)]
    p = softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(E // H) + mask, -1)
    out = (p @ v).transpose(0, 2, 1, 3).reshape(B, S, E)
    p2 = softmax(q @ k.transpose(0, 1, 3, 2) * 0.25, -1)
    out2 = (p2 @ v).transpose(0, 2, 1, 3).reshape(B, S, E)
    return [x, w, b, mask], [out, out2]


def onnx_lstm_weights(lstm, suffix):
    """PyTorch (i, f, g, o) blocks -> ONNX (i, o, f, c)."""
    def perm(t):
        i, f, g, o = np.split(t.detach().numpy(), 4, 0)
        return np.concatenate([i, o, f, g], 0)
    return (perm(getattr(lstm, 'weight_ih_l0' + suffix)),
            perm(getattr(lstm, 'weight_hh_l0' + suffix)),
            np.concatenate([perm(getattr(lstm, 'bias_ih_l0' + suffix)),
                            perm(getattr(lstm, 'bias_hh_l0' + suffix))]))


def lstm():
    import torch
    torch.manual_seed(0)
    T, B, I, H = 5, 3, 4, 6
    m = torch.nn.LSTM(I, H, bidirectional=True)
    x, h0, c0 = rand(T, B, I), rand(2, B, H), rand(2, B, H)
    lens = np.array([5, 3, 1], np.int64)
    ws = [onnx_lstm_weights(m, s) for s in ('', '_reverse')]
    W, R, Bb = [np.stack([w[i] for w in ws]) for i in range(3)]
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.from_numpy(x), lens)
    with torch.no_grad():
        y, (hn, cn) = m(packed, (torch.from_numpy(h0), torch.from_numpy(c0)))
    y = torch.nn.utils.rnn.pad_packed_sequence(y, total_length=T)[0].numpy()
    y = y.reshape(T, B, 2, H).transpose(0, 2, 1, 3)
    return [x, W, R, Bb, lens, h0, c0], [y, hn.numpy(), cn.numpy()]


def lstm_peephole_np(x, W, R, Bb, P, clip):
    """Forward ONNX LSTM with peepholes and clip, straight from the spec."""
    T, B, _ = x.shape
    H = R.shape[-1]
    h, c = np.zeros((B, H)), np.zeros((B, H))
    ys = []
    for t in range(T):
        g = x[t] @ W[0].T + h @ R[0].T + Bb[0, :4 * H] + Bb[0, 4 * H:]
        gi, go, gf, gc = np.split(g, 4, 1)
        gi = np.clip(gi + P[0, :H] * c, -clip, clip)
        gf = np.clip(gf + P[0, 2 * H:] * c, -clip, clip)
        c = sigmoid(gf) * c + sigmoid(gi) * np.tanh(np.clip(gc, -clip, clip))
        h = sigmoid(np.clip(go + P[0, H:2 * H] * c, -clip, clip)) * np.tanh(c)
        ys.append(h)
    return np.stack(ys)[:, None], h[None], c[None]


def lstm_peephole():
    T, B, I, H = 4, 2, 3, 5
    x, W, R, Bb, P = rand(T, B, I), rand(1, 4 * H, I), rand(1, 4 * H, H), rand(1, 8 * H), rand(1, 3 * H)
    return [x, W, R, Bb, P], list(lstm_peephole_np(x, W, R, Bb, P, 0.5))


def gru():
    import torch
    torch.manual_seed(1)
    T, B, I, H = 4, 2, 3, 5
    m = torch.nn.GRU(I, H)  # PyTorch's GRU is ONNX's linear_before_reset = 1.

    def perm(t):
        r, z, n = np.split(t.detach().numpy(), 3, 0)
        return np.concatenate([z, r, n], 0)
    W, R = perm(m.weight_ih_l0)[None], perm(m.weight_hh_l0)[None]
    Bb = np.concatenate([perm(m.bias_ih_l0), perm(m.bias_hh_l0)])[None]
    x, h0 = rand(T, B, I), rand(1, B, H)
    with torch.no_grad():
        y, hn = m(torch.from_numpy(x), torch.from_numpy(h0))
    # linear_before_reset = 0, reverse direction, from the ONNX equations.
    h = h0[0].astype(np.float64)
    ys = [None] * T
    for t in reversed(range(T)):
        z = sigmoid(x[t] @ W[0, :H].T + h @ R[0, :H].T + Bb[0, :H] + Bb[0, 3 * H:4 * H])
        r = sigmoid(x[t] @ W[0, H:2 * H].T + h @ R[0, H:2 * H].T + Bb[0, H:2 * H] + Bb[0, 4 * H:5 * H])
        n = np.tanh(x[t] @ W[0, 2 * H:].T + (r * h) @ R[0, 2 * H:].T + Bb[0, 5 * H:] + Bb[0, 2 * H:3 * H])
        h = (1 - z) * n + z * h
        ys[t] = h
    return [x, W, R, Bb, h0], [y.numpy()[:, None], hn.numpy(), np.stack(ys)[:, None], h[None]]


def main():
    case, out = sys.argv[1], sys.argv[2]
    inputs, outputs = globals()[case]()
    os.makedirs(out, exist_ok=True)
    for prefix, tensors in (('input', inputs), ('output', outputs)):
        for k, t in enumerate(tensors):
            t = np.asarray(t)
            if t.dtype == np.float64:
                t = t.astype(f32)
            with open(os.path.join(out, '%s_%d.pb' % (prefix, k)), 'wb') as f:
                f.write(numpy_helper.from_array(t).SerializeToString())


if __name__ == '__main__':
    main()
