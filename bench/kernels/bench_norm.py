#!/usr/bin/python3
"""Mica softmax / layer norm vs oneDNN 2.6, and both against STREAM triad.

  /usr/bin/python3 bench/kernels/bench_norm.py [--threads 1,2] [--rounds 7]
      [--cases NAME,...] [--cold-mib 256] [--triad-mib 128]

1. gen_norm_models.py writes one-node ONNX models into build/bench/norm
   (--work): Softmax(axis=-1) over 12x128x128, 1x30522, 1x50257, 1x250002,
   8x50257, 128x30522; LayerNormalization(axis=-1, epsilon=1e-5, seeded
   scale/bias) over 128x768, 128x1024, 512x768, 1x50257,
2. `mica-compile NAME.onnx --threads N -o NAME.t<N>.so` for every thread
   count (skipped when the library is newer than the model and the compiler),
3. build/bin/mica-bench-norm (CMake target mica-bench-norm, built when oneDNN
   is found) checks Mica's output against oneDNN's softmax_v2_forward /
   layer_normalization_forward on the same seeded input (max abs error;
   WRONG beyond 1e-5 for softmax, 1e-4 for layer norm), times both
   interleaved, and measures the STREAM triad with the same thread count,
4. prints one table: medians over rounds, ratio = oneDNN time / Mica time
   (> 1: Mica faster) with its min..max over rounds, GB/s of both (minimal
   bytes: input read once + output written once + scale/bias) and that as a
   percentage of the triad bandwidth measured right before that case (median
   of its repetitions: medians against medians).

--cold-mib M makes every call read its input from the next of enough copies
to cover M MiB (out of cache); by default the same input is reused and the
small cases run from the caches (> 100 % of triad is possible then).

Exits non-zero when a Mica library computes a wrong result.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "common"))
from benchutil import add_common_args, loadavg, machine_line, newer, setup  # noqa: E402


def fmt_bytes(b):
    return f"{b / 2**20:.2f} MiB" if b >= 2**20 else f"{b / 2**10:.0f} KiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap, "norm")
    ap.add_argument("--round-ms", type=float, default=100.0)
    ap.add_argument("--switch-ms", type=int, default=0,
                    help="untimed pause between the two sides (one OpenMP pool: 0)")
    ap.add_argument("--triad-mib", type=int, default=128, help="MiB per triad array")
    ap.add_argument("--triad-reps", type=int, default=10)
    ap.add_argument("--cold-mib", type=int, default=0,
                    help="rotate input copies over this many MiB (0: reuse one input)")
    ap.add_argument("--cases", default="", help="comma-separated case names (default all)")
    ap.add_argument("--regen", action="store_true", help="rewrite the models")
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="extra mica-compile flag (repeatable; use another "
                         "--work, the libraries are not keyed by flags)")
    args = ap.parse_args()

    work, compiler, harness, threads = setup(args, "norm", "mica-bench-norm")

    cases_txt = os.path.join(work, "cases.txt")
    gen = os.path.join(HERE, "gen_norm_models.py")
    if args.regen or not newer(cases_txt, gen):
        subprocess.run([sys.executable, gen, "--out", work], check=True)
    cases = {}
    with open(cases_txt) as f:
        for line in f:
            parts = line.split()
            if parts and (not args.cases or parts[0] in args.cases.split(",")):
                name, kind, rank = parts[0], parts[1], int(parts[2])
                cases[name] = (kind, [int(d) for d in parts[3:3 + rank]])
    if not cases:
        sys.exit("no cases selected")

    # A case that does not compile is reported and left out of the timing.
    compile_failed = {}  # (name, threads) -> first error line
    for name in cases:
        model = os.path.join(work, name + ".onnx")
        for n in threads:
            lib = os.path.join(work, f"{name}.t{n}.so")
            if newer(lib, model, compiler):
                continue
            cmd = [compiler, model, "--threads", str(n), "-o", lib] + args.compile_flag
            print("+", " ".join(cmd), flush=True)
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if p.returncode != 0:
                if os.path.exists(lib):
                    os.remove(lib)  # never time a stale library
                lines = [l for l in p.stdout.splitlines() if l.strip()]
                why = next((l for l in lines if "error" in l.lower()),
                           lines[0] if lines else f"exit {p.returncode}")
                rc = f"signal {-p.returncode}" if p.returncode < 0 else f"exit {p.returncode}"
                compile_failed[(name, n)] = f"{rc}: {why.strip()[:120]}"
                print(f"COMPILE FAIL {name} threads {n}: {compile_failed[(name, n)]}",
                      file=sys.stderr, flush=True)

    load_before = loadavg()
    rows, triad, failed = [], {}, False
    for n in threads:
        ok = [c for c in cases if (c, n) not in compile_failed]
        if not ok:
            continue
        cmd = [harness, "--dir", work, "--threads", str(n), "--rounds", str(args.rounds),
               "--round-ms", str(args.round_ms), "--switch-ms", str(args.switch_ms),
               "--triad-mib", str(args.triad_mib), "--triad-reps", str(args.triad_reps),
               "--cold-mib", str(args.cold_mib), "--tsv"]
        if len(ok) < len(cases) or args.cases:
            cmd += ["--cases", ",".join(ok)]
        print("+", " ".join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"mica-bench-norm failed (exit {p.returncode})")
        failed |= p.returncode == 1
        for line in p.stdout.splitlines():
            f = line.split("\t")
            if f[0] == "triad" and len(f) == 6:
                triad[n] = [float(v) for v in f[2:]]
            elif len(f) == 13:
                rows.append(f)

    print()
    print("| case | shape | threads | moved | max abs err | Mica ms | oneDNN ms | "
          "oneDNN/Mica | spread | Mica GB/s | oneDNN GB/s | Mica % triad | oneDNN % triad |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (name, n), why in compile_failed.items():
        rows.append([name, str(n), "COMPILE", why] + [""] * 9)
    order = {name: i for i, name in enumerate(cases)}
    rows.sort(key=lambda r: (int(r[1]), order[r[0]]))
    triad_meds = {}  # threads -> the per-case triad medians
    for name, n, status, err, mms, dms, ratio, rmin, rmax, mgb, dgb, _, tri in rows:
        kind, shape = cases[name]
        elems = 1
        for d in shape:
            elems *= d
        moved = 8 * elems + (8 * shape[-1] if kind == "layernorm" else 0)
        label = "x".join(map(str, shape))
        op = "softmax" if kind == "softmax" else "layer norm"
        if status == "COMPILE":
            print(f"| {op} | {label} | {n} | {fmt_bytes(moved)} | | **COMPILE FAIL** "
                  f"({err}) | | | | | | | |")
            continue
        head = f"| {op} | {label} | {n} | {fmt_bytes(moved)} | {float(err):.1e} "
        if status != "ok":
            print(head + "| **WRONG** | | | | | | | |")
            continue
        best = float(tri)  # the triad median measured right before this case
        triad_meds.setdefault(int(n), []).append(best)
        print(head + f"| {float(mms):.4f} | {float(dms):.4f} | {float(ratio):.3f} | "
              f"{float(rmin):.2f}..{float(rmax):.2f} | {float(mgb):.1f} | {float(dgb):.1f} | "
              f"{100 * float(mgb) / best:.0f} % | {100 * float(dgb) / best:.0f} % |")
    print()
    for n in threads:
        if n in triad:
            bb, bm, ab, am = triad[n]
            meds = triad_meds.get(n, [bm])
            print(f"STREAM triad, {n} thread(s), 3 x {args.triad_mib} MiB: first best "
                  f"{bb:.1f} GB/s (median {bm:.1f}), last best {ab:.1f} (median {am:.1f}); "
                  f"the medians before each case (the % triad yardsticks) "
                  f"{min(meds):.1f}..{max(meds):.1f}")
    print("ratio = oneDNN time / Mica time, median (min..max) over rounds (> 1: Mica faster); "
          "GB/s = moved bytes (input once + output once + scale/bias) / median time; "
          "oneDNN and Mica on one LLVM libomp pool, same process; inputs "
          + (f"cold (copies over {args.cold_mib} MiB)" if args.cold_mib else
             "reused (cache-resident when they fit)") + ".")
    print(machine_line(load_before))
    if failed or compile_failed:
        print("WRONG RESULTS or COMPILE FAILURES: see FAIL lines above", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
