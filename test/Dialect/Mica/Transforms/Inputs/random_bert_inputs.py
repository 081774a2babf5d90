#!/usr/bin/python3
"""Writes seeded random inputs for the BERT test models as .npy files.

Usage: random_bert_inputs.py OUTDIR BATCH SEQ [VOCAB] [TYPES]
Writes OUTDIR/input_ids.npy, attention_mask.npy (the last quarter of each
row padded) and token_type_ids.npy, all int64 [BATCH, SEQ].
"""
import os
import sys

import numpy as np

out, batch, seq = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
vocab = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
types = int(sys.argv[5]) if len(sys.argv) > 5 else 2
rng = np.random.default_rng(1234 + batch * 100 + seq)
os.makedirs(out, exist_ok=True)
mask = np.ones((batch, seq), np.int64)
mask[:, seq - seq // 4:] = 0
np.save(os.path.join(out, "input_ids.npy"),
        rng.integers(0, vocab, (batch, seq), dtype=np.int64))
np.save(os.path.join(out, "attention_mask.npy"), mask)
np.save(os.path.join(out, "token_type_ids.npy"),
        rng.integers(0, types, (batch, seq), dtype=np.int64))
