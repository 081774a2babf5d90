#!/usr/bin/env python3
"""Runs every case that gen_lstm_cells.py wrote through mica-recognize-lstm
and compares the reference evaluator's outputs before and after the rewrite
on the same seeded random inputs.

    check_recognize_lstm.py DIR [--rtol R] [--atol A]

Prints one line per case:

    <case>: <n> mica.lstm (expected <m>), <k> of <k> outputs match, <summary>

where <summary> is the pass's "recognized X of Y candidate LSTM cell(s)"
remark. mica-opt and mica-run are taken from PATH (lit puts the build's
tools there). Exits 1 when a tool fails.
"""

import argparse
import os
import re
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode not in (0, 1):
        sys.stderr.write("%s failed (%d):\n%s%s" % (
            " ".join(cmd), p.returncode, p.stdout, p.stderr))
        sys.exit(1)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--rtol", default="1e-5")
    ap.add_argument("--atol", default="1e-6")
    ap.add_argument("--seed", default="11")
    args = ap.parse_args()
    with open(os.path.join(args.dir, "cases.txt")) as f:
        cases = [line.split() for line in f if line.strip()]
    for name, expected in cases:
        src = os.path.join(args.dir, name + ".mlir")
        rec = os.path.join(args.dir, name + ".rec.mlir")
        before = os.path.join(args.dir, name + ".before")
        p = run(["mica-opt", "--mica-recognize-lstm", src, "-o", rec])
        summary = re.search(r"recognized \d+ of \d+ candidate LSTM cell\(s\)",
                            p.stderr)
        with open(rec) as f:
            lstms = len(re.findall(r"= mica\.lstm ", f.read()))
        run(["mica-run", "--reference", "--seed", args.seed, "--output-dir",
             before, src])
        outputs = sorted(os.listdir(before),
                         key=lambda n: int(re.search(r"\d+", n).group()))
        expect = []
        for k, out in enumerate(outputs):
            expect += ["--expected", "%d=%s" % (k, os.path.join(before, out))]
        p = run(["mica-run", "--reference", "--seed", args.seed, rec, "--check",
                 "--rtol", args.rtol, "--atol", args.atol] + expect)
        passed = p.stdout.count(" PASS")
        print("%s: %d mica.lstm (expected %s), %d of %d outputs match, %s" % (
            name, lstms, expected, passed, len(outputs),
            summary.group() if summary else "no summary"))
        if passed != len(outputs):
            sys.stdout.write(p.stdout + p.stderr)


if __name__ == "__main__":
    main()
