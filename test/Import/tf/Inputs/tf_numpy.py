# ===- tf_numpy.py - numpy evaluator of TensorFlow GraphDefs ---------------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===-----------------------------------------------------------------------===#
"""A numpy evaluator of the TensorFlow ops that Mica imports.

Written from TensorFlow's documented op semantics, independently of the
importer: it is the oracle of the TF import tests (gen_graphs.py for the
model graphs, tf_ref.py for the hand-written .pbtxt tests). It works on any
GraphDef message object (graph.node with name/op/input/attr).

evaluate(graph, feeds, outputs) -> list of numpy arrays, and the set of
Placeholder tensors it read is in `evaluate.read_placeholders` afterwards.
"""

import math

import numpy as np

NP_DT = {1: np.float32, 3: np.int32, 6: np.int8, 9: np.int64, 10: np.bool_,
         14: np.float32, 19: np.float16}


def decode_tensor(t):
    """A TensorProto in any encoding as a numpy array."""
    dt = NP_DT[t.dtype]
    shape = [d.size for d in t.tensor_shape.dim]
    n = int(np.prod(shape)) if shape else 1
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, dtype=dt).reshape(shape).copy()
    if dt == np.float16:
        vals = np.array(list(t.half_val), np.uint16).view(np.float16)
    elif dt == np.float32:
        vals = np.array(list(t.float_val), np.float32)
    elif dt == np.int64:
        vals = np.array(list(t.int64_val), np.int64)
    elif dt == np.bool_:
        vals = np.array(list(t.bool_val), np.bool_)
    else:
        vals = np.array(list(t.int_val), dt)
    if vals.size == 0:
        vals = np.zeros([1], dt)
    out = np.empty([n], dt)
    out[:vals.size] = vals[:n]
    out[vals.size:] = vals[-1]
    return out.reshape(shape)


def erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)


def sigmoid(x):
    return (1 / (1 + np.exp(-x))).astype(x.dtype)


# ===-----------------------------------------------------------------------===#
# Convolution and pooling (NHWC)
# ===-----------------------------------------------------------------------===#

def pad_same(x, k, s, d=(1, 1)):
    """NHWC SAME padding amounts (TF's formula)."""
    pads = []
    for i in range(2):
        n = x.shape[1 + i]
        out = -(-n // s[i])
        eff = (k[i] - 1) * d[i] + 1
        total = max((out - 1) * s[i] + eff - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def conv2d(x, w, strides, padding, dilations=(1, 1), explicit=None):
    """NHWC x HWIO."""
    kh, kw, ci, co = w.shape
    dh, dw = dilations
    if padding == "SAME":
        (pt, pb_), (pl, pr) = pad_same(x, (kh, kw), strides, dilations)
        x = np.pad(x, ((0, 0), (pt, pb_), (pl, pr), (0, 0)))
    elif padding == "EXPLICIT":
        x = np.pad(x, explicit)
    n, h, wd, _ = x.shape
    eh, ew = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    oh = (h - eh) // strides[0] + 1
    ow = (wd - ew) // strides[1] + 1
    out = np.zeros((n, oh, ow, co), np.float32)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * strides[0]:i * strides[0] + eh:dh,
                      j * strides[1]:j * strides[1] + ew:dw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3],
                                                            [0, 1, 2]))
    return out


def depthwise(x, w, strides, padding, dilations=(1, 1)):
    """NHWC x HWCM: output channel c*M + m reads input channel c."""
    outs = [conv2d(x[..., c:c + 1], w[:, :, c:c + 1, :], strides, padding,
                   dilations) for c in range(x.shape[-1])]
    return np.concatenate(outs, axis=-1)


def pool(x, k, s, padding, kind):
    """NHWC pooling; SAME averages over in-bounds elements only."""
    if padding == "SAME":
        (pt, pb_), (pl, pr) = pad_same(x, k, s)
        x = np.pad(x.astype(np.float64), ((0, 0), (pt, pb_), (pl, pr),
                                          (0, 0)), constant_values=np.nan)
    n, h, w, c = x.shape
    oh = (h - k[0]) // s[0] + 1
    ow = (w - k[1]) // s[1] + 1
    out = np.zeros((n, oh, ow, c), np.float32)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            out[:, i, j] = (np.nanmax if kind == "max" else np.nanmean)(
                patch, axis=(1, 2))
    return out


def nchw(x):
    return np.transpose(x, (0, 2, 3, 1))


def from_nhwc(x):
    return np.transpose(x, (0, 3, 1, 2))


def hw(attr_list, fmt):
    """The (H, W) entries of a 4-entry attribute in data_format order."""
    return (attr_list[2], attr_list[3]) if fmt == "NCHW" else (attr_list[1],
                                                                attr_list[2])


# ===-----------------------------------------------------------------------===#
# StridedSlice (TF's sparse -> dense spec, all five masks)
# ===-----------------------------------------------------------------------===#

def strided_slice(x, begin, end, strides, a):
    """Builds the numpy index TF's spec means: Ellipsis, np.newaxis, ints
    (shrink) and slices (masked ends are None)."""
    bm, em = a.get("begin_mask", 0), a.get("end_mask", 0)
    el, na = a.get("ellipsis_mask", 0), a.get("new_axis_mask", 0)
    sh = a.get("shrink_axis_mask", 0)
    idx = []
    for i in range(len(begin)):
        if el >> i & 1:
            idx.append(Ellipsis)
        elif na >> i & 1:
            idx.append(np.newaxis)
        elif sh >> i & 1:
            idx.append(int(begin[i]))
        else:
            b = None if bm >> i & 1 else int(begin[i])
            e = None if em >> i & 1 else int(end[i])
            idx.append(slice(b, e, int(strides[i])))
    return x[tuple(idx)]


# ===-----------------------------------------------------------------------===#
# LSTM block ops (TF's LSTMBlockCell: gates i, ci, f, o)
# ===-----------------------------------------------------------------------===#

def lstm_block_cell(x, cs, h, w, wci, wcf, wco, b, forget_bias, peephole):
    hidden = h.shape[1]
    z = np.concatenate([x, h], 1) @ w + b
    i, ci, f, o = (z[:, k * hidden:(k + 1) * hidden] for k in range(4))
    if peephole:
        i = i + cs * wci
        f = f + cs * wcf
    i = sigmoid(i)
    f = sigmoid(f + forget_bias)
    ci = np.tanh(ci)
    cs = ci * i + cs * f
    if peephole:
        o = o + cs * wco
    o = sigmoid(o)
    co = np.tanh(cs)
    h = co * o
    return [i, cs, f, o, ci, co, h]


# ===-----------------------------------------------------------------------===#
# The evaluator
# ===-----------------------------------------------------------------------===#

def attr_value(a):
    kind = a.WhichOneof("value")
    if kind == "list":
        if len(a.list.s):
            return [s.decode() for s in a.list.s]
        if len(a.list.f):
            return list(a.list.f)
        return list(a.list.i)
    if kind == "s":
        return a.s.decode()
    if kind is None:
        return None
    return getattr(a, kind)


def evaluate(graph, feeds, outputs):
    """Evaluates tensors `outputs` ("node" or "node:N") of `graph` given
    `feeds` ({"node:N": array}); records the placeholders it read in
    evaluate.read_placeholders."""
    nodes = {n.name: n for n in graph.node}
    memo = {}
    read = []

    def tensor(name):
        name = name if ":" in name else name + ":0"
        if name in feeds:
            if nodes.get(name.rsplit(":", 1)[0]) is not None and \
                    name not in read:
                read.append(name)
            return feeds[name]
        node, idx = name.rsplit(":", 1)
        if node not in memo:
            memo[node] = run(nodes[node])
        return memo[node][int(idx)]

    def run(n):
        ins = [tensor(i) for i in n.input if not i.startswith("^")]
        return run_op(n, ins)

    result = [np.asarray(tensor(o)) for o in outputs]
    evaluate.read_placeholders = read
    return result


evaluate.read_placeholders = []

UNARY = {
    "Neg": np.negative, "Abs": np.abs, "Exp": np.exp, "Log": np.log,
    "Tanh": np.tanh, "Sqrt": np.sqrt, "Floor": np.floor, "Ceil": np.ceil,
    "Square": np.square, "Sigmoid": sigmoid, "Erf": erf,
    "Rsqrt": lambda x: (1 / np.sqrt(x)).astype(x.dtype),
    "Relu": lambda x: np.maximum(x, 0).astype(x.dtype),
    "Relu6": lambda x: np.clip(x, 0, 6).astype(x.dtype),
    "Elu": lambda x: np.where(x > 0, x, np.expm1(x)).astype(x.dtype),
    "LogicalNot": np.logical_not, "Sign": np.sign,
    "Reciprocal": lambda x: (1 / x).astype(x.dtype),
}


def tf_div(x, y):
    if np.issubdtype(x.dtype, np.integer):
        q = np.abs(x) // np.abs(y)
        return (np.sign(x) * np.sign(y) * q).astype(x.dtype)
    return (x / y).astype(x.dtype)


BINARY = {
    "Add": np.add, "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
    "RealDiv": tf_div, "Div": tf_div,
    "FloorDiv": lambda x, y: (np.floor_divide(x, y)),
    "FloorMod": np.mod, "Maximum": np.maximum, "Minimum": np.minimum,
    "Pow": lambda x, y: np.power(x, y).astype(x.dtype),
    "SquaredDifference": lambda x, y: np.square(x - y),
    "Equal": np.equal, "NotEqual": np.not_equal, "Less": np.less,
    "LessEqual": np.less_equal, "Greater": np.greater,
    "GreaterEqual": np.greater_equal, "LogicalAnd": np.logical_and,
    "LogicalOr": np.logical_or,
}

REDUCE = {"Mean": np.mean, "Sum": np.sum, "Max": np.max, "Min": np.min,
          "Prod": np.prod}


def run_op(n, ins):
    """Runs node `n` on input arrays `ins`; returns its outputs."""
    op = n.op

    def a(k, default=None):
        return attr_value(n.attr[k]) if k in n.attr else default

    if op == "Const":
        return [decode_tensor(n.attr["value"].tensor)]
    if op in ("Identity", "StopGradient", "PlaceholderWithDefault",
              "Snapshot"):
        return [ins[0]]
    if op == "IdentityN":
        return list(ins)
    if op in UNARY:
        return [UNARY[op](ins[0])]
    if op in BINARY:
        x, y = ins
        r = np.asarray(BINARY[op](x, y))
        return [r if r.dtype == np.bool_ else r.astype(np.result_type(x, y))]
    if op == "AddN":
        return [sum(ins[1:], ins[0])]
    if op == "RandomUniform":
        return [np.random.uniform(size=ins[0]).astype(np.float32)]
    if op == "Cast":
        return [ins[0].astype(NP_DT[a("DstT")])]
    if op == "Shape":
        return [np.array(ins[0].shape, NP_DT[a("out_type", 3)])]
    if op in ("Select", "SelectV2"):
        c, x, y = ins
        if op == "Select" and c.ndim == 1 and x.ndim > 1:
            c = c.reshape([-1] + [1] * (x.ndim - 1))
        return [np.where(c, x, y)]
    # Contractions.
    if op == "MatMul":
        x = ins[0].T if a("transpose_a") else ins[0]
        y = ins[1].T if a("transpose_b") else ins[1]
        return [x @ y]
    if op.startswith("BatchMatMul"):
        x = np.swapaxes(ins[0], -1, -2) if a("adj_x") else ins[0]
        y = np.swapaxes(ins[1], -1, -2) if a("adj_y") else ins[1]
        if op == "BatchMatMul":
            assert x.shape[:-2] == y.shape[:-2], "BatchMatMul broadcasts"
        return [np.matmul(x, y)]
    if op == "BiasAdd":
        x, b = ins
        if a("data_format", "NHWC") == "NCHW" and x.ndim > 2:
            b = b.reshape([-1] + [1] * (x.ndim - 2))
        return [x + b]
    # Convolution, pooling, normalization.
    if op in ("Conv2D", "DepthwiseConv2dNative", "MaxPool", "AvgPool",
              "FusedBatchNorm", "FusedBatchNormV3"):
        fmt = a("data_format", "NHWC")
        x = nchw(ins[0]) if fmt == "NCHW" else ins[0]
        if op == "Conv2D":
            s, d = hw(a("strides"), fmt), hw(a("dilations", [1] * 4), fmt)
            explicit = None
            if a("padding") == "EXPLICIT":
                p = a("explicit_paddings")
                pairs = [(p[2 * k], p[2 * k + 1]) for k in range(4)]
                explicit = [pairs[0], pairs[2], pairs[3], pairs[1]] if \
                    fmt == "NCHW" else pairs
            y = conv2d(x, ins[1], s, a("padding"), d, explicit)
        elif op == "DepthwiseConv2dNative":
            s, d = hw(a("strides"), fmt), hw(a("dilations", [1] * 4), fmt)
            y = depthwise(x, ins[1], s, a("padding"), d)
        elif op in ("MaxPool", "AvgPool"):
            y = pool(x, hw(a("ksize"), fmt), hw(a("strides"), fmt),
                     a("padding"), "max" if op == "MaxPool" else "avg")
        else:
            _, sc, of, m, v = ins
            y = ((x - m) / np.sqrt(v + a("epsilon", 1e-4)) * sc + of)
            y = y.astype(np.float32)
        y = from_nhwc(y) if fmt == "NCHW" else y
        if op.startswith("FusedBatchNorm"):
            return [y, ins[3], ins[4], ins[3], ins[4], ins[3]]
        return [y]
    if op in ("Softmax", "LogSoftmax"):
        x = ins[0]
        e = np.exp(x - x.max(-1, keepdims=True))
        s = e / e.sum(-1, keepdims=True)
        return [s if op == "Softmax" else np.log(s).astype(x.dtype)]
    if op in REDUCE:
        axes = tuple(int(v) for v in np.atleast_1d(ins[1]))
        r = REDUCE[op](ins[0], axis=axes, keepdims=a("keep_dims", False))
        return [np.asarray(r).astype(ins[0].dtype)]
    if op in ("ArgMax", "ArgMin"):
        f = np.argmax if op == "ArgMax" else np.argmin
        return [f(ins[0], axis=int(ins[1])).astype(
            NP_DT[a("output_type", 9)])]
    # Shapes and data movement.
    if op == "Reshape":
        return [ins[0].reshape(ins[1])]
    if op == "Transpose":
        return [np.transpose(ins[0], ins[1])]
    if op == "ExpandDims":
        return [np.expand_dims(ins[0], int(np.asarray(ins[1]).reshape(-1)[0]))]
    if op == "Squeeze":
        dims = a("squeeze_dims") or []
        return [np.squeeze(ins[0], axis=tuple(dims) if dims else None)]
    if op == "ConcatV2":
        return [np.concatenate(ins[:-1], axis=int(ins[-1]))]
    if op == "Pack":
        return [np.stack(ins, axis=a("axis", 0))]
    if op == "Unpack":
        ax = a("axis", 0)
        return [np.take(ins[0], i, axis=ax) for i in
                range(ins[0].shape[ax])]
    if op == "Split":
        return np.split(ins[1], a("num_split"), axis=int(ins[0]))
    if op == "SplitV":
        x, sizes, ax = ins[0], list(ins[1]), int(ins[2])
        if -1 in sizes:
            k = sizes.index(-1)
            sizes[k] = x.shape[ax] - (sum(sizes) + 1)
        return np.split(x, np.cumsum(sizes)[:-1], axis=ax)
    if op == "Slice":
        idx = tuple(slice(int(b), None if s == -1 else int(b) + int(s))
                    for b, s in zip(ins[1], ins[2]))
        return [ins[0][idx]]
    if op == "StridedSlice":
        keys = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                "shrink_axis_mask")
        return [strided_slice(ins[0], ins[1], ins[2], ins[3],
                              {k: a(k, 0) for k in keys})]
    if op in ("GatherV2", "Gather"):
        ax = int(ins[2]) if op == "GatherV2" else 0
        return [np.take(ins[0], ins[1], axis=ax)]
    if op == "OneHot":
        idx, depth, on, off = ins
        depth = int(depth)
        ax = a("axis", -1)
        hot = np.eye(depth, dtype=bool)[np.clip(idx, 0, depth - 1)]
        hot &= ((idx >= 0) & (idx < depth))[..., None]
        out = np.where(hot, on, off).astype(NP_DT[a("T")])
        if ax != -1:
            out = np.moveaxis(out, -1, ax)
        return [out]
    if op == "Fill":
        return [np.full(ins[0], ins[1], ins[1].dtype)]
    if op == "ZerosLike":
        return [np.zeros_like(ins[0])]
    if op == "OnesLike":
        return [np.ones_like(ins[0])]
    if op == "Range":
        s, l, d = ins
        return [np.arange(s, l, d).astype(np.result_type(s, l, d))]
    if op == "Tile":
        return [np.tile(ins[0], ins[1])]
    # LSTM blocks.
    if op == "LSTMBlockCell":
        return lstm_block_cell(*ins, a("forget_bias", 1.0),
                               a("use_peephole", False))
    if op == "BlockLSTM":
        x, cs, h = ins[1], ins[2], ins[3]
        outs = [[] for _ in range(7)]
        for t in range(x.shape[0]):
            r = lstm_block_cell(x[t], cs, h, *ins[4:], a("forget_bias", 1.0),
                                a("use_peephole", False))
            cs, h = r[1], r[6]
            for k in range(7):
                outs[k].append(r[k])
        return [np.stack(o) for o in outs]
    raise NotImplementedError(op)
