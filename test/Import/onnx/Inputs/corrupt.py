#!/usr/bin/env python3
"""Runs mica-import on corrupted copies of an ONNX model.

Usage: corrupt.py MICA_IMPORT MODEL WORKDIR

Writes truncated copies (several lengths) and copies with seeded random byte
flips, imports each, and fails if any run crashes (signal or exit code other
than 0/1) or a failing run prints no diagnostic. Prints one summary line.
"""
import os
import random
import subprocess
import sys


def main():
    tool, model, workdir = sys.argv[1:4]
    data = open(model, "rb").read()
    variants = []
    for frac in (0.01, 0.1, 0.5, 0.9, 0.999):
        variants.append(("truncated-%g" % frac, data[: int(len(data) * frac)]))
    rng = random.Random(1234)
    for i in range(24):
        buf = bytearray(data)
        for _ in range(1 + i % 8):
            pos = rng.randrange(len(buf))
            buf[pos] ^= 1 << rng.randrange(8)
        variants.append(("flipped-%d" % i, bytes(buf)))
    failed, rejected = [], 0
    for name, blob in variants:
        path = os.path.join(workdir, name + ".onnx")
        with open(path, "wb") as f:
            f.write(blob)
        proc = subprocess.run([tool, path, "-o", os.devnull],
                              capture_output=True, text=True)
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
