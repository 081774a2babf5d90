"""Compares two printMemrefF32 outputs (one memref after the other) within
fp32 tolerances: |a - b| <= atol + rtol * |b| for every element, with the
same shapes. Prints "<n> outputs match" or each mismatch and exits 1."""
import math
import re
import sys

RTOL, ATOL = 1e-4, 1e-5


def parse(path):
    text = open(path).read()
    outputs = []
    for chunk in text.split("Unranked Memref")[1:]:
        sizes = re.search(r"sizes = \[([^\]]*)\]", chunk).group(1)
        data = chunk[chunk.index("data =") + len("data ="):]
        values = [float(v) for v in re.findall(r"[-+]?(?:nan|inf|[0-9.]+(?:e[-+]?[0-9]+)?)", data)]
        outputs.append((sizes, values))
    return outputs


def main():
    ref, got = parse(sys.argv[1]), parse(sys.argv[2])
    if len(ref) != len(got):
        print(f"{len(got)} outputs, expected {len(ref)}")
        return 1
    bad = 0
    for k, ((rs, rv), (gs, gv)) in enumerate(zip(ref, got)):
        if rs != gs or len(rv) != len(gv):
            print(f"output {k}: sizes [{gs}], expected [{rs}]")
            bad += 1
            continue
        nans = [i for i, (a, b) in enumerate(zip(gv, rv)) if math.isnan(a) != math.isnan(b)]
        if nans:
            print(f"output {k}: element {nans[0]} is {gv[nans[0]]}, expected {rv[nans[0]]}")
            bad += 1
            continue
        worst = max((abs(a - b) - RTOL * abs(b), i) for i, (a, b) in enumerate(zip(gv, rv))
                    if not math.isnan(a))
        if worst[0] > ATOL:
            i = worst[1]
            print(f"output {k}: element {i} is {gv[i]}, expected {rv[i]}")
            bad += 1
    if bad:
        return 1
    print(f"{len(ref)} outputs match")
    return 0


sys.exit(main())
