#!/usr/bin/env python3
# ===- gen_graphs.py - TF1-style test GraphDefs and numpy references -------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===-----------------------------------------------------------------------===#
"""Writes TensorFlow 1.x-style frozen GraphDefs and numpy reference outputs.

TensorFlow cannot be installed here, so the graphs are built node by node the
way TF 1.x writes them: name scopes and uniquified names (MatMul, MatMul_1),
attrs (T, transpose_b, data_format, ...), constants in every encoding
(tensor_content, typed value lists, splats, half_val), `^control` inputs,
Identity reads of frozen variables. The Python protobuf classes come from
Mica's own graph.proto (protoc --python_out into a temporary directory).

A small numpy evaluator of the same op subset (written independently of the
importer) runs each graph on random inputs and writes the reference outputs.
The dynamic_rnn graph's reference is the LSTM recurrence computed directly.

Usage: gen_graphs.py OUTDIR [--proto PATH] [--text]
For every model M: OUTDIR/M.pb (or .pbtxt with --text), OUTDIR/M.<input>.npy,
OUTDIR/M.<output>.npy and OUTDIR/M.args (mica-run/mica-import flags).
"""

import argparse
import atexit
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.join(HERE, "..", "..", "..", "..", "include", "mica",
                             "Conversion", "TFToMica", "graph.proto")


def load_proto(proto_path):
    """Compiles graph.proto with protoc and imports the generated module."""
    out = tempfile.mkdtemp(prefix="mica_tf_proto_")
    atexit.register(shutil.rmtree, out, True)
    root = os.path.abspath(os.path.join(os.path.dirname(proto_path), "..",
                                        "..", ".."))
    subprocess.check_call(["protoc", "--python_out=" + out, "-I", root,
                           os.path.abspath(proto_path)])
    sys.path.insert(0, out)
    from mica.Conversion.TFToMica import graph_pb2  # noqa: E402
    return graph_pb2


pb = None  # graph_pb2, set in main()

DT = {np.float32: 1, np.int32: 3, np.int8: 6, np.int64: 9, np.bool_: 10,
      np.float16: 19}


def dtype_enum(dt):
    return DT[np.dtype(dt).type]


class Type:
    """An attr value of type DataType."""

    def __init__(self, dt):
        self.dt = dt


class Shape:
    """An attr value of type TensorShapeProto (None: unknown rank)."""

    def __init__(self, dims):
        self.dims = dims


def fill_shape(proto, dims):
    if dims is None:
        proto.unknown_rank = True
        return
    for d in dims:
        proto.dim.add().size = -1 if d is None else d


def fill_tensor(t, value, encoding):
    """Encodes `value` in a TensorProto: content, typed, splat or half."""
    value = np.asarray(value)
    t.dtype = dtype_enum(value.dtype)
    fill_shape(t.tensor_shape, list(value.shape))
    flat = value.reshape(-1)
    if encoding == "content":
        t.tensor_content = flat.astype(value.dtype.newbyteorder("<")).tobytes()
        return
    if encoding == "splat":
        assert np.all(flat == flat[0])
        flat = flat[:1]
    if value.dtype == np.float16:
        t.half_val.extend(int(v) for v in flat.view(np.uint16))
    elif value.dtype == np.float32:
        t.float_val.extend(float(v) for v in flat)
    elif value.dtype == np.int64:
        t.int64_val.extend(int(v) for v in flat)
    elif value.dtype == np.bool_:
        t.bool_val.extend(bool(v) for v in flat)
    else:
        t.int_val.extend(int(v) for v in flat)


def set_attr(a, v):
    if isinstance(v, bool):
        a.b = v
    elif isinstance(v, int):
        a.i = v
    elif isinstance(v, float):
        a.f = v
    elif isinstance(v, str):
        a.s = v.encode()
    elif isinstance(v, Type):
        a.type = dtype_enum(v.dt)
    elif isinstance(v, Shape):
        fill_shape(a.shape, v.dims)
    elif isinstance(v, np.ndarray):
        fill_tensor(a.tensor, v, "content")
    elif isinstance(v, list):
        a.list.SetInParent()
        for x in v:
            a.list.i.append(x)
    else:
        raise TypeError(v)


class Graph:
    """Builds a GraphDef with TF 1.x naming (scopes, _N suffixes)."""

    def __init__(self):
        self.g = pb.GraphDef()
        self.g.versions.producer = 27
        self.names = {}
        self.scopes = []
        self.nodes = {}

    def scope(self, name):
        graph = self

        class Scope:
            def __enter__(self):
                graph.scopes.append(name)

            def __exit__(self, *args):
                graph.scopes.pop()
        return Scope()

    def unique(self, name):
        full = "/".join(self.scopes + [name])
        if full not in self.names:
            self.names[full] = 0
            return full
        while True:
            self.names[full] += 1
            candidate = "%s_%d" % (full, self.names[full])
            if candidate not in self.names:
                self.names[candidate] = 0
                return candidate

    def node(self, op, inputs=(), name=None, controls=(), **attrs):
        n = self.g.node.add()
        n.name = self.unique(name or op)
        n.op = op
        n.input.extend(inputs)
        n.input.extend("^" + c for c in controls)
        for k, v in attrs.items():
            set_attr(n.attr[k], v)
        self.nodes[n.name] = n
        return n.name

    def const(self, value, name="Const", encoding="content", dtype=None):
        value = np.asarray(value, dtype=dtype)
        n = self.g.node.add()
        n.name = self.unique(name)
        n.op = "Const"
        set_attr(n.attr["dtype"], Type(value.dtype))
        fill_tensor(n.attr["value"].tensor, value, encoding)
        self.nodes[n.name] = n
        return n.name

    def placeholder(self, name, dtype, shape):
        return self.node("Placeholder", name=name, dtype=Type(dtype),
                         shape=Shape(shape))

    def variable(self, name, value, encoding="content"):
        """A frozen variable: Const + Identity 'name/read'."""
        c = self.const(value.astype(np.float32), name, encoding)
        return self.node("Identity", [c], name=name + "/read",
                         T=Type(np.float32))

    # Common ops with TF's attrs.
    def binary(self, op, a, b, name=None):
        return self.node(op, [a, b], name=name, T=Type(np.float32))

    def unary(self, op, a, name=None):
        return self.node(op, [a], name=name, T=Type(np.float32))

    def matmul(self, a, b, name="MatMul", ta=False, tb=False):
        return self.node("MatMul", [a, b], name=name, T=Type(np.float32),
                         transpose_a=ta, transpose_b=tb)

    def bias_add(self, a, b, name="BiasAdd"):
        return self.node("BiasAdd", [a, b], name=name, T=Type(np.float32),
                         data_format="NHWC")

    def dense(self, x, w, b, rng, name):
        with self.scope(name):
            kernel = self.variable("kernel", w)
            bias = self.variable("bias", b, "typed")
            return self.bias_add(self.matmul(x, kernel), bias)

    def concat(self, values, axis, name="concat"):
        ax = self.const(np.int32(axis), name + "/axis", "typed")
        return self.node("ConcatV2", list(values) + [ax], name=name,
                         T=Type(np.float32), N=len(values),
                         Tidx=Type(np.int32))

    def reshape(self, x, shape, name="Reshape"):
        s = self.const(np.array(shape, np.int32), name + "/shape", "typed")
        return self.node("Reshape", [x, s], name=name, T=Type(np.float32),
                         Tshape=Type(np.int32))

    def transpose(self, x, perm, name="transpose"):
        p = self.const(np.array(perm, np.int32), name + "/perm", "typed")
        return self.node("Transpose", [x, p], name=name, T=Type(np.float32),
                         Tperm=Type(np.int32))

    def mean(self, x, axes, keep, name="Mean"):
        r = self.const(np.array(axes, np.int32), name + "/reduction_indices",
                       "typed")
        return self.node("Mean", [x, r], name=name, T=Type(np.float32),
                         Tidx=Type(np.int32), keep_dims=keep)


# ===-----------------------------------------------------------------------===#
# Numpy evaluator (independent of the importer)
# ===-----------------------------------------------------------------------===#

sys.path.insert(0, HERE)
from tf_numpy import evaluate  # noqa: E402


# ===-----------------------------------------------------------------------===#
# Models
# ===-----------------------------------------------------------------------===#

def rand(rng, *shape, scale=0.5):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def dropout(g, x, keep_prob):
    """TF 1.x tf.nn.dropout(x, keep_prob) with a random mask."""
    with g.scope("dropout"):
        shape = g.node("Shape", [x], T=Type(np.float32),
                       out_type=Type(np.int32))
        with g.scope("random_uniform"):
            lo = g.const(np.float32(0), "min", "typed")
            hi = g.const(np.float32(1), "max", "typed")
            r = g.node("RandomUniform", [shape], T=Type(np.int32),
                       dtype=Type(np.float32), seed=0, seed2=0)
            span = g.binary("Sub", hi, lo, "sub")
            scaled = g.binary("Mul", r, span, "mul")
        noise = g.binary("Add", scaled, lo, "random_uniform")
        kp = g.binary("Add", keep_prob, noise, "add")
        mask = g.unary("Floor", kp)
        div = g.binary("RealDiv", x, keep_prob, "div")
        return g.binary("Mul", div, mask, "mul")


def mlp(rng):
    g = Graph()
    x = g.placeholder("x", np.float32, [None, 32])
    kp = g.placeholder("keep_prob", np.float32, [])
    h = g.dense(x, rand(rng, 32, 64), rand(rng, 64), rng, "dense")
    h = g.unary("Relu", h, "dense/Relu")
    h = dropout(g, h, kp)
    logits = g.dense(h, rand(rng, 64, 10), np.full(10, 0.1, np.float32), rng,
                     "dense_1")
    with g.scope("init"):
        noop = g.node("NoOp")
    g.node("Softmax", [logits], name="probs", T=Type(np.float32),
           controls=[noop])
    feeds = {"x:0": rand(rng, 4, 32, scale=1.0)}
    return g, feeds, ["probs"], {"keep_prob": 1.0}, {"x": "4x32"}


def cnn(rng):
    g = Graph()
    x = g.placeholder("input", np.float32, [1, 8, 8, 3])
    with g.scope("conv1"):
        w = g.variable("weights", rand(rng, 3, 3, 3, 8))
        c = g.node("Conv2D", [x, w], T=Type(np.float32), strides=[1, 1, 1, 1],
                   padding="SAME", data_format="NHWC", dilations=[1, 1, 1, 1],
                   use_cudnn_on_gpu=True)
        c = g.bias_add(c, g.variable("biases", rand(rng, 8), "typed"))
        c = g.unary("Relu", c)
    p = g.node("MaxPool", [c], name="pool1/MaxPool", T=Type(np.float32),
               ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID",
               data_format="NHWC")
    with g.scope("dw"):
        w = g.variable("depthwise_weights", rand(rng, 3, 3, 8, 1))
        d = g.node("DepthwiseConv2dNative", [p, w], T=Type(np.float32),
                   strides=[1, 1, 1, 1], padding="SAME", data_format="NHWC",
                   dilations=[1, 1, 1, 1])
        bn = g.node("FusedBatchNormV3",
                    [d, g.variable("gamma", 1 + rand(rng, 8, scale=0.1)),
                     g.variable("beta", rand(rng, 8, scale=0.1)),
                     g.variable("moving_mean", rand(rng, 8, scale=0.1)),
                     g.variable("moving_variance",
                                1 + np.abs(rand(rng, 8, scale=0.1)))],
                    name="BatchNorm/FusedBatchNormV3", T=Type(np.float32),
                    U=Type(np.float32), epsilon=0.001, is_training=False,
                    data_format="NHWC")
        r = g.unary("Relu6", bn)
    a = g.node("AvgPool", [r], name="pool2/AvgPool", T=Type(np.float32),
               ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME",
               data_format="NHWC")
    flat = g.reshape(a, [1, -1], "flatten/Reshape")
    logits = g.dense(flat, rand(rng, 32, 5), rand(rng, 5), rng, "logits")
    g.node("Softmax", [logits], name="predictions", T=Type(np.float32))
    feeds = {"input:0": rand(rng, 1, 8, 8, 3, scale=1.0)}
    return g, feeds, ["predictions"], {}, {}


def basic_lstm_step(g, x, h, c, kernel, bias, forget_bias):
    """tf.nn.rnn_cell.BasicLSTMCell.__call__ (state_is_tuple)."""
    with g.scope("basic_lstm_cell"):
        xh = g.concat([x, h], 1)
        gates = g.bias_add(g.matmul(xh, kernel), bias)
        one = g.const(np.int32(1), "split/split_dim", "typed")
        split = g.node("Split", [one, gates], name="split", T=Type(np.float32),
                       num_split=4)
        i, j, f, o = (split + ":%d" % k if k else split for k in range(4))
        fb = g.const(np.float32(forget_bias), "add/y", "typed")
        f = g.binary("Add", f, fb, "add")
        new_c = g.binary("AddV2", g.binary("Mul", c, g.unary("Sigmoid", f)),
                         g.binary("Mul", g.unary("Sigmoid", i),
                                  g.unary("Tanh", j)), "add_1")
        new_h = g.binary("Mul", g.unary("Tanh", new_c),
                         g.unary("Sigmoid", o))
    return new_h, new_c


def lstm_reference(x_tbi, w, b, forget_bias, h, c):
    """The BasicLSTMCell recurrence (gate order i, j, f, o)."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    outs = []
    for t in range(x_tbi.shape[0]):
        z = np.concatenate([x_tbi[t], h], 1) @ w + b
        i, j, f, o = np.split(z, 4, axis=1)
        c = c * sig(f + forget_bias) + sig(i) * np.tanh(j)
        h = np.tanh(c) * sig(o)
        outs.append(h)
    return np.stack(outs), h, c


def static_rnn_lstm(rng, steps=16, batch=2, inp=6, hidden=8):
    g = Graph()
    x = g.placeholder("inputs", np.float32, [batch, steps, inp])
    xs = g.node("Unpack", [x], name="unstack", T=Type(np.float32), num=steps,
                axis=1)
    with g.scope("rnn"):
        kernel = g.variable("basic_lstm_cell/kernel",
                            rand(rng, inp + hidden, 4 * hidden))
        bias = g.variable("basic_lstm_cell/bias", rand(rng, 4 * hidden),
                          "typed")
        with g.scope("BasicLSTMCellZeroState"):
            zc = g.const(np.zeros([batch, hidden], np.float32), "zeros",
                         "splat")
            zh = g.const(np.zeros([batch, hidden], np.float32), "zeros_1",
                         "splat")
        h, c = zh, zc
        outs = []
        for t in range(steps):
            h, c = basic_lstm_step(g, xs + (":%d" % t if t else ""), h, c,
                                   kernel, bias, 1.0)
            outs.append(h)
    g.node("Pack", outs, name="outputs", T=Type(np.float32), N=steps, axis=1)
    g.node("Identity", [c], name="final_c", T=Type(np.float32))
    feeds = {"inputs:0": rand(rng, batch, steps, inp, scale=1.0)}
    return g, feeds, ["outputs", "final_c"], {}, {}


def peephole_lstm(rng, steps=5, batch=3, inp=4, hidden=6):
    """An LSTMCell with peepholes written with one MatMul pair per gate."""
    g = Graph()
    x = g.placeholder("x", np.float32, [steps, batch, inp])
    xs = g.node("Unpack", [x], name="unstack", T=Type(np.float32), num=steps,
                axis=0)
    with g.scope("lstm_cell"):
        W = {k: g.variable("W_x" + k, rand(rng, inp, hidden)) for k in "ifco"}
        U = {k: g.variable("W_h" + k, rand(rng, hidden, hidden)) for k in
             "ifco"}
        B = {k: g.variable("b_" + k, rand(rng, hidden), "typed") for k in
             "ifco"}
        P = {k: g.variable("w_" + k + "_diag", rand(rng, hidden)) for k in
             "ifo"}
    h = g.const(np.zeros([batch, hidden], np.float32), "zeros", "splat")
    c = h
    with g.scope("rnn"):
        for t in range(steps):
            xt = xs + (":%d" % t if t else "")
            with g.scope("lstm_cell"):
                pre = {k: g.binary("AddV2", g.binary(
                    "AddV2", g.matmul(xt, W[k]), g.matmul(h, U[k])), B[k])
                    for k in "ifco"}
                i = g.unary("Sigmoid", g.binary(
                    "AddV2", pre["i"], g.binary("Mul", P["i"], c)))
                f = g.unary("Sigmoid", g.binary(
                    "AddV2", pre["f"], g.binary("Mul", P["f"], c)))
                c = g.binary("AddV2", g.binary("Mul", f, c),
                             g.binary("Mul", i, g.unary("Tanh", pre["c"])))
                o = g.unary("Sigmoid", g.binary(
                    "AddV2", pre["o"], g.binary("Mul", P["o"], c)))
                h = g.binary("Mul", o, g.unary("Tanh", c))
    g.node("Identity", [h], name="h", T=Type(np.float32))
    feeds = {"x:0": rand(rng, steps, batch, inp, scale=1.0)}
    return g, feeds, ["h"], {}, {}


def gru(rng, steps=6, batch=2, inp=5, hidden=7):
    """tf.nn.rnn_cell.GRUCell over static_rnn steps."""
    g = Graph()
    x = g.placeholder("x", np.float32, [batch, steps, inp])
    xs = g.node("Unpack", [x], name="unstack", T=Type(np.float32), num=steps,
                axis=1)
    with g.scope("rnn/gru_cell"):
        gk = g.variable("gates/kernel", rand(rng, inp + hidden, 2 * hidden))
        gb = g.variable("gates/bias", np.ones(2 * hidden, np.float32), "splat")
        ck = g.variable("candidate/kernel", rand(rng, inp + hidden, hidden))
        cb = g.variable("candidate/bias", np.zeros(hidden, np.float32),
                        "splat")
    h = g.const(np.zeros([batch, hidden], np.float32), "GRUCellZeroState/"
                "zeros", "splat")
    with g.scope("rnn"):
        for t in range(steps):
            xt = xs + (":%d" % t if t else "")
            with g.scope("gru_cell"):
                gates = g.bias_add(g.matmul(g.concat([xt, h], 1), gk), gb)
                v = g.unary("Sigmoid", gates)
                one = g.const(np.int32(1), "split/split_dim", "typed")
                sp = g.node("Split", [one, v], name="split",
                            T=Type(np.float32), num_split=2)
                r, u = sp, sp + ":1"
                rh = g.binary("Mul", r, h)
                cand = g.bias_add(g.matmul(g.concat([xt, rh], 1), ck), cb)
                cnew = g.unary("Tanh", cand)
                one_f = g.const(np.float32(1), "sub/x", "typed")
                h = g.binary("AddV2", g.binary("Mul", u, h), g.binary(
                    "Mul", g.binary("Sub", one_f, u), cnew))
    g.node("Identity", [h], name="h", T=Type(np.float32))
    feeds = {"x:0": rand(rng, batch, steps, inp, scale=1.0)}
    return g, feeds, ["h"], {}, {}


def layer_norm(g, x, hidden, rng):
    """tf.contrib.layers.layer_norm as BERT uses it (moments, Rsqrt)."""
    with g.scope("LayerNorm"):
        beta = g.variable("beta", rand(rng, hidden, scale=0.1), "typed")
        gamma = g.variable("gamma", 1 + rand(rng, hidden, scale=0.1))
        with g.scope("moments"):
            mean = g.mean(x, [-1], True, "mean")
            sg = g.unary("StopGradient", mean)
            sq = g.binary("SquaredDifference", x, sg)
            var = g.mean(sq, [-1], True, "variance")
        with g.scope("batchnorm"):
            eps = g.const(np.float32(1e-12), "add/y", "typed")
            inv = g.unary("Rsqrt", g.binary("AddV2", var, eps, "add"))
            mul = g.binary("Mul", inv, gamma, "mul")
            mul1 = g.binary("Mul", x, mul, "mul_1")
            mul2 = g.binary("Mul", mean, mul, "mul_2")
            sub = g.binary("Sub", beta, mul2, "sub")
            return g.binary("AddV2", mul1, sub, "add_1")


def bert_layer(rng, batch=1, seq=8, hidden=16, heads=2, inter=32):
    g = Graph()
    d = hidden // heads
    x = g.placeholder("input", np.float32, [batch, seq, hidden])
    mask = g.placeholder("input_mask", np.int32, [batch, seq])
    with g.scope("bert/encoder"):
        # create_attention_mask_from_input_mask
        m = g.node("Reshape", [mask, g.const(np.array([batch, 1, seq],
                                                      np.int32), "Reshape/shape")],
                   name="Reshape", T=Type(np.int32), Tshape=Type(np.int32))
        m = g.node("Cast", [m], name="Cast", SrcT=Type(np.int32),
                   DstT=Type(np.float32), Truncate=False)
        ones = g.const(np.ones([batch, seq, 1], np.float32), "ones", "splat")
        amask = g.binary("Mul", ones, m, "mul")
        x2 = g.reshape(x, [-1, hidden], "Reshape_1")
        with g.scope("layer_0"):
            with g.scope("attention/self"):
                def proj(name):
                    t = g.dense(x2, rand(rng, hidden, hidden),
                                rand(rng, hidden, scale=0.1), rng, name)
                    t = g.reshape(t, [batch, seq, heads, d])
                    return g.transpose(t, [0, 2, 1, 3])
                q, k, v = proj("query"), proj("key"), proj("value")
                s = g.node("BatchMatMulV2", [q, k], name="MatMul",
                           T=Type(np.float32), adj_x=False, adj_y=True)
                s = g.binary("Mul", s, g.const(np.float32(1 / math.sqrt(d)),
                                               "Mul/y", "typed"), "Mul")
                dim = g.const(np.int32(1), "ExpandDims/dim", "typed")
                em = g.node("ExpandDims", [amask, dim], name="ExpandDims",
                            T=Type(np.float32), Tdim=Type(np.int32))
                one = g.const(np.float32(1), "sub/x", "typed")
                adder = g.binary("Mul", g.binary("Sub", one, em, "sub"),
                                 g.const(np.float32(-10000), "mul/y",
                                         "typed"), "mul")
                s = g.binary("AddV2", s, adder, "add")
                p = g.node("Softmax", [s], name="Softmax", T=Type(np.float32))
                ctx = g.node("BatchMatMulV2", [p, v], name="MatMul_1",
                             T=Type(np.float32), adj_x=False, adj_y=False)
                ctx = g.transpose(ctx, [0, 2, 1, 3], "transpose_3")
                ctx = g.reshape(ctx, [batch * seq, hidden], "Reshape_3")
            with g.scope("attention/output"):
                o = g.dense(ctx, rand(rng, hidden, hidden),
                            rand(rng, hidden, scale=0.1), rng, "dense")
                o = layer_norm(g, g.binary("AddV2", o, x2, "add"), hidden, rng)
            with g.scope("intermediate"):
                t = g.dense(o, rand(rng, hidden, inter),
                            rand(rng, inter, scale=0.1), rng, "dense")
                with g.scope("dense"):
                    sq2 = g.unary("Sqrt", g.const(np.float32(2), "Sqrt/x",
                                                  "typed"))
                    cdf = g.binary("Mul", g.const(np.float32(0.5), "mul/x",
                                                  "typed"),
                                   g.binary("AddV2", g.const(
                                       np.float32(1), "add/x", "typed"),
                                       g.unary("Erf", g.binary(
                                           "RealDiv", t, sq2, "truediv")),
                                       "add"), "mul")
                    t = g.binary("Mul", t, cdf, "mul_1")
            with g.scope("output"):
                y = g.dense(t, rand(rng, inter, hidden),
                            rand(rng, hidden, scale=0.1), rng, "dense")
                y = layer_norm(g, g.binary("AddV2", y, o, "add"), hidden, rng)
        g.reshape(y, [batch, seq, hidden], "layer_output")
    m = np.ones([batch, seq], np.int32)
    m[:, -3:] = 0
    feeds = {"input:0": rand(rng, batch, seq, hidden, scale=1.0),
             "input_mask:0": m}
    return g, feeds, ["bert/encoder/layer_output"], {}, {}


def dynamic_rnn_lstm(rng, steps=7, batch=2, inp=4, hidden=5):
    """tf.nn.dynamic_rnn(BasicLSTMCell) as TF 1.x builds it (v1 loop)."""
    g = Graph()
    x = g.placeholder("x", np.float32, [batch, steps, inp])
    i32 = Type(np.int32)
    f32 = Type(np.float32)
    w = rand(rng, inp + hidden, 4 * hidden)
    b = rand(rng, 4 * hidden)
    with g.scope("rnn"):
        kernel = g.variable("basic_lstm_cell/kernel", w)
        bias = g.variable("basic_lstm_cell/bias", b, "typed")
        xt = g.transpose(x, [1, 0, 2], "transpose")
        zeros = g.const(np.zeros([batch, hidden], np.float32),
                        "BasicLSTMCellZeroState/zeros", "splat")
        time = g.const(np.int32(0), "time", "typed")
        size = g.const(np.int32(steps), "TensorArray/size", "typed")
        ta_out = g.node("TensorArrayV3", [size], name="TensorArray",
                        dtype=f32, element_shape=Shape([batch, hidden]),
                        dynamic_size=False, clear_after_read=True,
                        identical_element_shapes=True,
                        tensor_array_name="rnn/dynamic_rnn/output_0")
        ta_in = g.node("TensorArrayV3", [size], name="TensorArray_1",
                       dtype=f32, element_shape=Shape([batch, inp]),
                       dynamic_size=False, clear_after_read=True,
                       identical_element_shapes=True,
                       tensor_array_name="rnn/dynamic_rnn/input_0")
        with g.scope("TensorArrayUnstack"):
            rng_ = g.node("Range", [g.const(np.int32(0), "range/start",
                                            "typed"),
                                    g.const(np.int32(steps), "strided_slice",
                                            "typed"),
                                    g.const(np.int32(1), "range/delta",
                                            "typed")],
                          name="range", Tidx=i32)
            scat = g.node("TensorArrayScatterV3",
                          [ta_in, rng_, xt, ta_in + ":1"],
                          name="TensorArrayScatter/TensorArrayScatterV3",
                          T=f32, _class=None) if False else g.node(
                "TensorArrayScatterV3", [ta_in, rng_, xt, ta_in + ":1"],
                name="TensorArrayScatter/TensorArrayScatterV3", T=f32)
        maxit = g.const(np.int32(steps), "Maximum", "typed")
        frame = "rnn/while/while_context"
        with g.scope("while"):
            def enter(v, name, const=False, t=f32):
                return g.node("Enter", [v], name=name, T=t, frame_name=frame,
                              is_constant=const, parallel_iterations=32)
            loop_init = [(g.const(np.int32(0), "iteration_counter", "typed")
                          if False else None)]
            it0 = g.const(np.int32(0), "iteration_counter")
            ent = [enter(it0, "Enter", t=i32), enter(time, "Enter_1", t=i32),
                   enter(ta_out + ":1", "Enter_2"), enter(zeros, "Enter_3"),
                   enter(zeros, "Enter_4")]
            merges = [g.node("Merge", [e, e], name="Merge" + (
                "_%d" % k if k else ""), T=t, N=2) for k, (e, t) in
                enumerate(zip(ent, [i32, i32, f32, f32, f32]))]
            lim = enter(maxit, "Less/Enter", True, i32)
            less = g.node("Less", [merges[0], lim], name="Less", T=i32)
            lim1 = enter(g.const(np.int32(steps), "rnn/strided_slice_1"
                                 if False else "steps", "typed"),
                         "Less_1/Enter", True, i32)
            less1 = g.node("Less", [merges[1], lim1], name="Less_1", T=i32)
            cond = g.node("LogicalAnd", [less, less1], name="LogicalAnd")
            lc = g.node("LoopCond", [cond], name="LoopCond")
            sws = [g.node("Switch", [m, lc], name="Switch" + (
                "_%d" % k if k else ""), T=t, _class=None) if False else
                g.node("Switch", [m, lc], name="Switch" + ("_%d" % k if k
                                                            else ""), T=t)
                for k, (m, t) in enumerate(zip(merges, [i32, i32, f32, f32,
                                                        f32]))]
            ids = [g.node("Identity", [s + ":1"], name="Identity" + (
                "_%d" % k if k else ""), T=t) for k, (s, t) in
                enumerate(zip(sws, [i32, i32, f32, f32, f32]))]
            one = g.const(np.int32(1), "add/y", "typed")
            it1 = g.node("AddV2", [ids[0], one], name="add", T=i32)
            xt_read = g.node("TensorArrayReadV3", [
                enter(ta_in, "TensorArrayReadV3/Enter", True,
                      Type(np.float32)),
                ids[1], enter(scat, "TensorArrayReadV3/Enter_1", True)],
                name="TensorArrayReadV3", dtype=f32)
            k_in = enter(kernel, "basic_lstm_cell/MatMul/Enter", True)
            b_in = enter(bias, "basic_lstm_cell/BiasAdd/Enter", True)
            h, c = basic_lstm_step(g, xt_read, ids[4], ids[3], k_in, b_in,
                                   1.0)
            wr = g.node("TensorArrayWriteV3", [
                enter(ta_out, "TensorArrayWrite/TensorArrayWriteV3/Enter",
                      True), ids[1], h, ids[2]],
                name="TensorArrayWrite/TensorArrayWriteV3", T=f32,
                controls=[ids[1]])
            one1 = g.const(np.int32(1), "add_1/y", "typed", )
            t1 = g.node("AddV2", [ids[1], one1], name="add_1", T=i32)
            nexts = [g.node("NextIteration", [v], name="NextIteration" + (
                "_%d" % k if k else ""), T=t) for k, (v, t) in
                enumerate(zip([it1, t1, wr, c, h],
                              [i32, i32, f32, f32, f32]))]
            for m, n in zip(merges, nexts):
                g.nodes[m].input[1] = n
            exits = [g.node("Exit", [s], name="Exit" + ("_%d" % k if k
                                                        else ""), T=t)
                     for k, (s, t) in enumerate(zip(sws, [i32, i32, f32, f32,
                                                          f32]))]
        with g.scope("TensorArrayStack"):
            sz = g.node("TensorArraySizeV3", [ta_out, exits[2]],
                        name="TensorArraySizeV3")
            r = g.node("Range", [g.const(np.int32(0), "range/start", "typed"),
                                 sz, g.const(np.int32(1), "range/delta",
                                             "typed")],
                       name="range", Tidx=i32)
            st = g.node("TensorArrayGatherV3", [ta_out, r, exits[2]],
                        name="TensorArrayGatherV3", dtype=f32,
                        element_shape=Shape([batch, hidden]))
        g.transpose(st, [1, 0, 2], "transpose_1")
    xv = rand(rng, batch, steps, inp, scale=1.0)
    zero = np.zeros([batch, hidden], np.float32)
    ys, hT, cT = lstm_reference(np.transpose(xv, (1, 0, 2)), w, b, 1.0, zero,
                                zero)
    refs = {"rnn/transpose_1": np.transpose(ys, (1, 0, 2)).astype(np.float32),
            "rnn/while/Exit_3": cT.astype(np.float32),
            "rnn/while/Exit_4": hT.astype(np.float32)}
    return g, {"x:0": xv}, list(refs), {}, {}, refs


MODELS = {
    "mlp": mlp,
    "cnn": cnn,
    "static_rnn_lstm": static_rnn_lstm,
    "peephole_lstm": peephole_lstm,
    "gru": gru,
    "bert_layer": bert_layer,
    "dynamic_rnn_lstm": dynamic_rnn_lstm,
}


def safe(name):
    return name.replace("/", "_").replace(":", "_")


def main():
    global pb
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--proto", default=DEFAULT_PROTO)
    ap.add_argument("--text", action="store_true",
                    help="write .pbtxt instead of binary .pb")
    ap.add_argument("--only", nargs="*", help="models to write")
    args = ap.parse_args()
    pb = load_proto(args.proto)
    os.makedirs(args.outdir, exist_ok=True)
    from google.protobuf import text_format
    for name, fn in MODELS.items():
        if args.only and name not in args.only:
            continue
        rng = np.random.default_rng(abs(hash(name)) % 1000 if False else
                                    sum(map(ord, name)))
        np.random.seed(0)
        made = fn(rng)
        g, feeds, outputs, consts, shapes = made[:5]
        path = os.path.join(args.outdir, name + (".pbtxt" if args.text
                                                 else ".pb"))
        if args.text:
            with open(path, "w") as f:
                f.write(text_format.MessageToString(g.g))
        else:
            with open(path, "wb") as f:
                f.write(g.g.SerializeToString())
        if len(made) > 5:
            refs = [made[5][o] for o in outputs]
        else:
            all_feeds = dict(feeds)
            for k, v in consts.items():
                all_feeds[k + ":0"] = np.float32(v)
            refs = evaluate(g.g, all_feeds, outputs)
        run_args, import_args = [], []
        for k, v in feeds.items():
            n = k[:-2]
            np.save(os.path.join(args.outdir, "%s.%s.npy" % (name, safe(n))),
                    v)
            run_args.append("--input %s=%%dir/%s.%s.npy" % (n, name, safe(n)))
        for o, r in zip(outputs, refs):
            np.save(os.path.join(args.outdir, "%s.%s.npy" % (name, safe(o))),
                    np.asarray(r))
            run_args.append("--expected %s=%%dir/%s.%s.npy" %
                            (o, name, safe(o)))
        import_args.append("--outputs " + ",".join(outputs))
        for k, v in consts.items():
            import_args.append("--const %s=%r" % (k, v))
        if shapes:
            import_args.append("--inputs " + ",".join(
                "%s=%s" % kv for kv in shapes.items()))
        with open(os.path.join(args.outdir, name + ".args"), "w") as f:
            f.write(" ".join(import_args) + "\n" + " ".join(run_args) + "\n")
        print("wrote", path, "(%d nodes)" % len(g.g.node))


if __name__ == "__main__":
    main()
