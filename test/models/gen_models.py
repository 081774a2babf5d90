#!/usr/bin/python3
"""Generate Mica's end-to-end test models as ONNX files with reference outputs.

Every model is a small PyTorch module with random (seeded) fp32 weights. It is
exported with torch.onnx.export and its PyTorch outputs are stored next to it
in the ONNX backend-test layout:

    OUT/<model>/model.onnx
    OUT/<model>/test_data_set_0/input_<k>.pb    (TensorProto, named as graph input k)
    OUT/<model>/test_data_set_0/output_<k>.pb   (TensorProto, named as graph output k)

Usage:
    /usr/bin/python3 test/models/gen_models.py --out DIR [--only a,b] [--size tiny|distilbert|bert-base]

--size picks the BERT variant of the default set (bert_tiny, distilbert or
bert_base); the other models have a single size. --only names models
explicitly (any of them, including a BERT variant other than --size's).
Needs Debian's python3-torch (1.13), python3-onnx and python3-numpy.
"""

import argparse
import io
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

OPSET = 14


# --------------------------------------------------------------------------
# BERT-style encoder
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class BertConfig:
    """Shape of a BERT-style encoder and of its test inputs."""
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int  # 0: no token_type_ids input (DistilBERT)
    pooler: bool     # tanh(Linear(h[:, 0])) second output (BERT)
    batch: int
    seq: int
    ln_eps: float = 1e-12


BERT_CONFIGS = {
    "bert_tiny": BertConfig(hidden=64, layers=2, heads=4, ffn=256, vocab=1000,
                            max_positions=128, type_vocab=2, pooler=True,
                            batch=1, seq=16),
    "distilbert": BertConfig(hidden=768, layers=6, heads=12, ffn=3072,
                             vocab=30522, max_positions=512, type_vocab=0,
                             pooler=False, batch=1, seq=128),
    "bert_base": BertConfig(hidden=768, layers=12, heads=12, ffn=3072,
                            vocab=30522, max_positions=512, type_vocab=2,
                            pooler=True, batch=1, seq=128),
}
SIZE_TO_BERT = {"tiny": "bert_tiny", "distilbert": "distilbert",
                "bert-base": "bert_base"}


def _randomize_layer_norm(ln):
    """Give a LayerNorm non-trivial affine parameters (default is 1 and 0)."""
    with torch.no_grad():
        ln.weight.copy_(1.0 + 0.1 * torch.randn_like(ln.weight))
        ln.bias.copy_(0.1 * torch.randn_like(ln.bias))


class BertLayer(nn.Module):
    """Post-LN transformer layer: self-attention and GELU FFN with residuals."""

    def __init__(self, cfg):
        super().__init__()
        self.heads = cfg.heads
        self.head_dim = cfg.hidden // cfg.heads
        self.query = nn.Linear(cfg.hidden, cfg.hidden)
        self.key = nn.Linear(cfg.hidden, cfg.hidden)
        self.value = nn.Linear(cfg.hidden, cfg.hidden)
        self.attn_out = nn.Linear(cfg.hidden, cfg.hidden)
        self.attn_norm = nn.LayerNorm(cfg.hidden, eps=cfg.ln_eps)
        self.intermediate = nn.Linear(cfg.hidden, cfg.ffn)
        self.ffn_out = nn.Linear(cfg.ffn, cfg.hidden)
        self.ffn_norm = nn.LayerNorm(cfg.hidden, eps=cfg.ln_eps)

    def _split_heads(self, x):
        """[B, S, H] -> [B, heads, S, head_dim]."""
        x = x.view(x.size(0), x.size(1), self.heads, self.head_dim)
        return x.permute(0, 2, 1, 3)

    def forward(self, x, mask_add):
        q = self._split_heads(self.query(x))
        k = self._split_heads(self.key(x))
        v = self._split_heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = torch.softmax(scores + mask_add, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3)
        ctx = ctx.reshape(x.size(0), x.size(1), self.heads * self.head_dim)
        x = self.attn_norm(x + self.attn_out(ctx))
        y = self.ffn_out(F.gelu(self.intermediate(x)))  # erf form
        return self.ffn_norm(x + y)


class BertEncoder(nn.Module):
    """Embeddings + LayerNorm + N BertLayers (+ optional pooler)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.word_emb = nn.Embedding(cfg.vocab, cfg.hidden)
        self.pos_emb = nn.Embedding(cfg.max_positions, cfg.hidden)
        self.type_emb = (nn.Embedding(cfg.type_vocab, cfg.hidden)
                         if cfg.type_vocab else None)
        self.emb_norm = nn.LayerNorm(cfg.hidden, eps=cfg.ln_eps)
        self.layers = nn.ModuleList(BertLayer(cfg) for _ in range(cfg.layers))
        self.pooler = nn.Linear(cfg.hidden, cfg.hidden) if cfg.pooler else None
        self.register_buffer("position_ids",
                             torch.arange(cfg.max_positions).unsqueeze(0))
        for m in self.modules():
            if isinstance(m, nn.LayerNorm):
                _randomize_layer_norm(m)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        seq = input_ids.size(1)
        x = self.word_emb(input_ids) + self.pos_emb(self.position_ids[:, :seq])
        if self.type_emb is not None:
            x = x + self.type_emb(token_type_ids)
        x = self.emb_norm(x)
        mask = attention_mask[:, None, None, :].to(x.dtype)
        mask_add = (1.0 - mask) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_add)
        if self.pooler is None:
            return x
        return x, torch.tanh(self.pooler(x[:, 0]))


def make_bert(name):
    """BERT-style encoder `name` (a key of BERT_CONFIGS) and its export spec."""
    cfg = BERT_CONFIGS[name]
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, cfg.vocab, (cfg.batch, cfg.seq), generator=g)
    mask = torch.ones(cfg.batch, cfg.seq, dtype=torch.int64)
    mask[:, cfg.seq - cfg.seq // 4:] = 0  # right padding on the last quarter
    inputs = {"input_ids": ids, "attention_mask": mask}
    if cfg.type_vocab:
        types = torch.zeros(cfg.batch, cfg.seq, dtype=torch.int64)
        types[:, cfg.seq // 2:] = 1
        inputs["token_type_ids"] = types
    outputs = ["last_hidden_state"] + (["pooler_output"] if cfg.pooler else [])
    bs = {0: "batch", 1: "sequence"}
    dyn = {n: bs for n in inputs}
    dyn["last_hidden_state"] = bs
    if cfg.pooler:
        dyn["pooler_output"] = {0: "batch"}
    return BertEncoder(cfg), inputs, outputs, dyn


# --------------------------------------------------------------------------
# Recurrent models
# --------------------------------------------------------------------------

class CnnBiLstm(nn.Module):
    """Text classifier: embedding -> Conv1d+ReLU -> BiLSTM -> max over time -> Linear."""

    def __init__(self, vocab=500, dim=32, hidden=32, classes=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.conv = nn.Conv1d(dim, dim, kernel_size=3, padding=1)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, classes)

    def forward(self, tokens):
        x = self.emb(tokens).transpose(1, 2)          # [B, dim, T]
        x = F.relu(self.conv(x)).transpose(1, 2)      # [B, T, dim]
        y, _ = self.lstm(x)                           # [B, T, 2*hidden]
        return self.fc(torch.max(y, dim=1).values)    # [B, classes]


def make_cnn_bilstm(_name):
    """CnnBiLstm on one sequence of 20 tokens."""
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, 500, (1, 20), generator=g)
    dyn = {"tokens": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}}
    return CnnBiLstm(), {"tokens": tokens}, ["logits"], dyn


class Lstm2(nn.Module):
    """2-layer nn.LSTM, time-major, with explicit initial states."""

    def __init__(self, inp=16, hidden=32, layers=2):
        super().__init__()
        self.lstm = nn.LSTM(inp, hidden, num_layers=layers)

    def forward(self, x, h0, c0):
        y, (hn, cn) = self.lstm(x, (h0, c0))
        return y, hn, cn


def make_lstm2(_name):
    """Lstm2 on x [T=10, B=1, 16] with h0, c0 [2, 1, 32]."""
    g = torch.Generator().manual_seed(1)
    inputs = {"x": torch.randn(10, 1, 16, generator=g),
              "h0": 0.5 * torch.randn(2, 1, 32, generator=g),
              "c0": 0.5 * torch.randn(2, 1, 32, generator=g)}
    dyn = {"x": {0: "sequence", 1: "batch"}, "h0": {1: "batch"},
           "c0": {1: "batch"}, "y": {0: "sequence", 1: "batch"},
           "hn": {1: "batch"}, "cn": {1: "batch"}}
    return Lstm2(), inputs, ["y", "hn", "cn"], dyn


class LstmUnrolled(nn.Module):
    """One LSTM layer written as an explicit per-time-step loop.

    Same math and parameter layout as nn.LSTM (gates i, f, g, o), but the
    export traces the Python loop, so the graph holds plain MatMul / Add /
    Sigmoid / Tanh / Mul ops for every step instead of an ONNX LSTM op.
    """

    def __init__(self, inp=16, hidden=32):
        super().__init__()
        self.hidden = hidden
        ref = nn.LSTM(inp, hidden)  # borrow nn.LSTM's init and layout
        self.w_ih = nn.Parameter(ref.weight_ih_l0.detach().clone())
        self.w_hh = nn.Parameter(ref.weight_hh_l0.detach().clone())
        self.bias = nn.Parameter((ref.bias_ih_l0 + ref.bias_hh_l0).detach())

    def forward(self, x, h, c):
        ys = []
        for x_t in x.unbind(0):
            gates = x_t @ self.w_ih.t() + h @ self.w_hh.t() + self.bias
            i, f, g, o = gates.split(self.hidden, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            ys.append(h)
        return torch.stack(ys), h, c


def make_lstm_unrolled(_name):
    """LstmUnrolled on x [T=8, B=1, 16] with h0, c0 [1, 32]; T is static."""
    g = torch.Generator().manual_seed(1)
    inputs = {"x": torch.randn(8, 1, 16, generator=g),
              "h0": 0.5 * torch.randn(1, 32, generator=g),
              "c0": 0.5 * torch.randn(1, 32, generator=g)}
    dyn = {"x": {1: "batch"}, "h0": {0: "batch"}, "c0": {0: "batch"},
           "y": {1: "batch"}, "hn": {0: "batch"}, "cn": {0: "batch"}}
    return LstmUnrolled(), inputs, ["y", "hn", "cn"], dyn


def make_lstm_unrolled_large(_name):
    """LstmUnrolled, production size: x [T=20, B=1, 256], hidden 256 (the
    size of facts.md's oneDNN LSTM figure); for benchmarks, not the suite."""
    g = torch.Generator().manual_seed(1)
    inputs = {"x": torch.randn(20, 1, 256, generator=g),
              "h0": 0.5 * torch.randn(1, 256, generator=g),
              "c0": 0.5 * torch.randn(1, 256, generator=g)}
    dyn = {"x": {1: "batch"}, "h0": {0: "batch"}, "c0": {0: "batch"},
           "y": {1: "batch"}, "hn": {0: "batch"}, "cn": {0: "batch"}}
    return LstmUnrolled(256, 256), inputs, ["y", "hn", "cn"], dyn


# --------------------------------------------------------------------------
# MLP with a shared trunk and three heads
# --------------------------------------------------------------------------

class Mlp3Head(nn.Module):
    """Linear+ReLU trunk whose output feeds three independent Linear heads."""

    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(64, 128)
        self.head_a = nn.Linear(128, 32)
        self.head_b = nn.Linear(128, 32)
        self.head_c = nn.Linear(128, 16)

    def forward(self, x):
        t = F.relu(self.trunk(x))
        return self.head_a(t), self.head_b(t), self.head_c(t)


def make_mlp3head(_name):
    """Mlp3Head on x [4, 64]."""
    g = torch.Generator().manual_seed(1)
    outputs = ["head_a", "head_b", "head_c"]
    dyn = {n: {0: "batch"} for n in ["x"] + outputs}
    return Mlp3Head(), {"x": torch.randn(4, 64, generator=g)}, outputs, dyn


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------

MODELS = {
    "bert_tiny": make_bert,
    "distilbert": make_bert,
    "bert_base": make_bert,
    "cnn_bilstm": make_cnn_bilstm,
    "lstm2": make_lstm2,
    "lstm_unrolled": make_lstm_unrolled,
    "lstm_unrolled_large": make_lstm_unrolled_large,
    "mlp3head": make_mlp3head,
}
SMALL_MODELS = ["cnn_bilstm", "lstm2", "lstm_unrolled", "mlp3head"]


def _write_tensor(path, array, name):
    """Write `array` as a TensorProto named `name` to `path`."""
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def generate(name, out_dir, opset=OPSET):
    """Build model `name` with fixed seeds, export it and its test data."""
    torch.manual_seed(0)  # weights; each factory seeds its own inputs
    module, inputs, output_names, dynamic_axes = MODELS[name](name)
    module.eval()
    args = tuple(inputs.values())
    with torch.no_grad():
        ref = module(*args)
    ref = ref if isinstance(ref, tuple) else (ref,)

    buf = io.BytesIO()
    with warnings.catch_warnings():
        # torch 1.13 warns about its own shape inference of prim::Constant and
        # about LSTMs with a dynamic batch (their zero initial states are
        # built from Shape, so they are fine).
        warnings.filterwarnings("ignore", category=UserWarning,
                                module=r"torch\.onnx")
        torch.onnx.export(module, args, buf, opset_version=opset,
                          do_constant_folding=True, input_names=list(inputs),
                          output_names=output_names,
                          dynamic_axes=dynamic_axes)
    model = onnx.load_from_string(buf.getvalue())
    graph_inputs = [i.name for i in model.graph.input]
    graph_outputs = [o.name for o in model.graph.output]
    if graph_inputs != list(inputs) or graph_outputs != output_names:
        raise RuntimeError(f"{name}: exported graph has inputs {graph_inputs}, "
                           f"outputs {graph_outputs}")

    data_dir = os.path.join(out_dir, name, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(out_dir, name, "model.onnx"), "wb") as f:
        f.write(buf.getvalue())
    for k, (n, t) in enumerate(inputs.items()):
        _write_tensor(os.path.join(data_dir, f"input_{k}.pb"), t.numpy(), n)
    for k, (n, t) in enumerate(zip(output_names, ref)):
        _write_tensor(os.path.join(data_dir, f"output_{k}.pb"), t.numpy(), n)
    return model


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--only", default="",
                        help="comma-separated model names; all known: "
                             + ", ".join(MODELS))
    parser.add_argument("--opset", type=int, default=OPSET,
                        help=f"ONNX opset of the export (default {OPSET}; "
                             "torch 1.13 exports 7..17)")
    parser.add_argument("--size", choices=sorted(SIZE_TO_BERT), default="tiny",
                        help="BERT variant in the default set (default: tiny)")
    args = parser.parse_args()

    if args.only:
        names = [n for n in args.only.split(",") if n]
        unknown = [n for n in names if n not in MODELS]
        if unknown:
            parser.error(f"unknown model(s) {unknown}; known: {list(MODELS)}")
    else:
        names = [SIZE_TO_BERT[args.size]] + SMALL_MODELS

    torch.set_num_threads(1)  # bit-reproducible reference outputs
    for name in names:
        start = time.time()
        model = generate(name, args.out, args.opset)
        print(f"{name}: {len(model.graph.node)} nodes, "
              f"{time.time() - start:.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
