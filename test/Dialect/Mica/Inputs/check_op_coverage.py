"""Fails unless every op declared in MicaOps.td appears in each test file.

Usage: check_op_coverage.py MicaOps.td test.mlir [test.mlir ...]
"""
import re
import sys


def main():
    td, tests = sys.argv[1], sys.argv[2:]
    ops = sorted(set(re.findall(r'^def Mica_\w+Op\s*:\s*Mica_\w+<"(\w+)"',
                                open(td).read(), re.M)))
    if len(ops) < 70:
        sys.exit(f"only {len(ops)} ops found in {td}: the pattern is stale")
    missing = []
    for test in tests:
        text = open(test).read()
        missing += [f"{test}: mica.{op}" for op in ops
                    if not re.search(rf'\bmica\.{op}\b', text)]
    for m in missing:
        print("missing", m)
    print(f"{len(ops)} ops, {len(missing)} missing")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
