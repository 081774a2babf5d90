#!/usr/bin/env bash
# Graph rewrites on the CPU backend: each rewrite switched off on its own and
# all of them off, against Mica with every rewrite and ONNX Runtime, in one
# interleaved run (bench/models/bench_models.py --per-rewrite --rewrites-off).
# Models: the 3-head MLP, the LSTM models (cnn_bilstm, the unrolled LSTM at
# test size and at production size T=20/hidden 256), DistilBERT, BERT-base.
# Usage: bash bench/rewrites/run.sh [--rounds N] [--threads N] [...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec /usr/bin/python3 "$ROOT/bench/models/bench_models.py" \
  --models mlp3head,cnn_bilstm,lstm_unrolled,lstm_unrolled_large,distilbert,bert_base \
  --per-rewrite --rewrites-off "$@"
