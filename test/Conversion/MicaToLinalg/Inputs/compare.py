#!/usr/bin/env python3
"""Compares compiled outputs (mlir-runner printMemref* text) with the
reference evaluator's (`mica-run --reference --print`), output by output.

usage: compare.py REF.txt COMPILED.txt [--rtol R] [--atol A]
Prints `N outputs match` or every mismatching element, exits 1 on mismatch.
Default tolerances: fp32 rtol 1e-4, atol 1e-5 (docs: design.md).
"""
import math
import re
import sys

NUM = re.compile(r"-?(?:nan|inf|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)")


def numbers(text):
    text = text.replace("true", "1").replace("false", "0")
    return [float(x) for x in NUM.findall(text)]


def reference_outputs(text):
    outs = []
    for line in text.splitlines():
        m = re.match(r"output \d+: \S+ = (.*)$", line)
        if m:
            outs.append(numbers(m.group(1)))
    return outs


def compiled_outputs(text):
    blocks = text.split("Unranked Memref")[1:]
    return [numbers(b.split("data =", 1)[1]) for b in blocks]


def close(a, b, rtol, atol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def main():
    args = sys.argv[1:]
    rtol, atol = 1e-4, 1e-5
    if "--rtol" in args:
        i = args.index("--rtol"); rtol = float(args[i + 1]); del args[i:i + 2]
    if "--atol" in args:
        i = args.index("--atol"); atol = float(args[i + 1]); del args[i:i + 2]
    ref = reference_outputs(open(args[0]).read())
    got = compiled_outputs(open(args[1]).read())
    if len(ref) != len(got):
        print(f"FAIL: {len(ref)} reference outputs, {len(got)} compiled")
        return 1
    bad = 0
    for k, (r, g) in enumerate(zip(ref, got)):
        if len(r) != len(g):
            print(f"FAIL output {k}: {len(r)} reference elements, {len(g)} compiled")
            bad += 1
            continue
        for i, (a, b) in enumerate(zip(g, r)):
            if not close(a, b, rtol, atol):
                print(f"FAIL output {k} element {i}: compiled {a}, reference {b}")
                bad += 1
    if bad:
        return 1
    print(f"{len(ref)} outputs match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
