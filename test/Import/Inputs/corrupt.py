#!/usr/bin/env python3
# ===- corrupt.py - import corrupted copies of a model file ----------------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===-----------------------------------------------------------------------===#
"""Runs mica-import on corrupted copies of a model (.onnx, .pb or .pbtxt).

Usage: corrupt.py MICA_IMPORT MODEL WORKDIR [--count N] [-- IMPORT_ARGS...]

Writes truncated copies (several lengths) and copies with seeded random bit
flips (for .pbtxt also random byte replacements), imports each with the
given extra arguments, and fails if any run crashes (a signal or an exit
code other than 0/1) or a failing run prints no diagnostic. Prints one
summary line.
"""
import os
import random
import subprocess
import sys


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        k = argv.index("--")
        argv, extra = argv[:k], argv[k + 1:]
    count = 48
    if "--count" in argv:
        k = argv.index("--count")
        count = int(argv[k + 1])
        del argv[k:k + 2]
    tool, graph, workdir = argv[:3]
    ext = os.path.splitext(graph)[1]
    data = open(graph, "rb").read()
    variants = []
    for frac in (0.0, 0.01, 0.1, 0.5, 0.9, 0.999):
        variants.append(("truncated-%g" % frac, data[: int(len(data) * frac)]))
    rng = random.Random(1234)
    for i in range(count):
        buf = bytearray(data)
        for _ in range(1 + i % 8):
            pos = rng.randrange(len(buf))
            if ext == ".pbtxt" and i % 2:
                buf[pos] = ord(rng.choice("0123456789-:^ {}\"\\xyz"))
            else:
                buf[pos] ^= 1 << rng.randrange(8)
        variants.append(("flipped-%d" % i, bytes(buf)))
    failed, rejected = [], 0
    for name, blob in variants:
        path = os.path.join(workdir, name + ext)
        with open(path, "wb") as f:
            f.write(blob)
        proc = subprocess.run([tool, path, "-o", os.devnull] + extra,
                              capture_output=True, text=True, errors="replace")
        if proc.returncode not in (0, 1):
            failed.append("%s: exit code %d\n%s" % (name, proc.returncode,
                                                     proc.stderr[-2000:]))
        elif proc.returncode == 1:
            rejected += 1
            if "error:" not in proc.stderr:
                failed.append("%s: exit 1 without a diagnostic" % name)
    for f in failed:
        print("FAIL " + f)
    print("corrupt variants: %d, rejected with a diagnostic: %d, crashes: %d"
          % (len(variants), rejected, len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
