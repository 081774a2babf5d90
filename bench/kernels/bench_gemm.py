#!/usr/bin/python3
"""Mica GEMM kernels vs oneDNN 2.6 fp32 matmul, measured in the same process.

  /usr/bin/python3 bench/kernels/bench_gemm.py [--threads 1,2] [--rounds 7]
                                               [--precision bf16]

--precision bf16: the dense (constant weight) cases only, each compiled twice
(`mica-compile --precision=bf16` into CASE.bf16.t<N>.so, and fp32); the
harness times Mica bf16 (vdpbf16ps kernels), oneDNN bf16 matmul (bf16
source and weights, f32 accumulation and output) and Mica fp32 in the same
rounds, and oneDNN bf16 with the f32 -> bf16 reorder of A in each call (the
same f32-in/f32-out work as Mica's); the table adds those times, Mica fp32
time / bf16 time and oneDNN(+reorder) / Mica.

1. gen_gemm_models.py writes the cases (plain linalg MLIR; dense cases carry a
   seeded random constant weight as a dense_resource blob) into
   build/bench/kernels (--work),
2. `mica-compile CASE.mlir -o CASE.t<N>.so --threads N` for every thread
   count (skipped when the library is newer than the model and the compiler),
3. build/bin/mica-bench-gemm (CMake target mica-bench-gemm, built when oneDNN
   is found) checks Mica's output against oneDNN's and times both interleaved,
4. prints one table: medians over rounds, ratio = oneDNN time / Mica time
   (> 1: Mica faster) with its min..max over rounds, GFLOP/s of both.

Exits non-zero when a Mica library computes a wrong result.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "common"))
from benchutil import (add_common_args, loadavg, machine_line, newer, run,  # noqa: E402
                       run_harness, setup)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap, "kernels")
    ap.add_argument("--round-ms", type=float, default=100.0)
    ap.add_argument("--switch-ms", type=int, default=50,
                    help="untimed pause when switching between the two OpenMP runtimes")
    ap.add_argument("--cases", default="", help="comma-separated case names (default all)")
    ap.add_argument("--regen", action="store_true", help="rewrite the models")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                    help="bf16: Mica bf16 vs oneDNN bf16 (and Mica fp32), dense cases")
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="extra mica-compile flag (repeatable; use another "
                         "--work, the libraries are not keyed by flags)")
    args = ap.parse_args()

    work, compiler, harness, threads = setup(args, "kernels", "mica-bench-gemm")

    cases_txt = os.path.join(work, "cases.txt")
    gen = os.path.join(HERE, "gen_gemm_models.py")
    if args.regen or not newer(cases_txt, gen):
        subprocess.run([sys.executable, gen, "--out", work], check=True)
    cases = []
    with open(cases_txt) as f:
        for line in f:
            parts = line.split()
            if parts and (not args.cases or parts[0] in args.cases.split(",")):
                cases.append(parts)

    bf16 = args.precision == "bf16"
    if bf16:
        cases = [c for c in cases if c[1] == "dense"]
    for name, *_ in cases:
        mlir = os.path.join(work, name + ".mlir")
        for n in threads:
            for tag, flags in [("", [])] + ([(".bf16", ["--precision=bf16"])] if bf16 else []):
                lib = os.path.join(work, f"{name}{tag}.t{n}.so")
                if newer(lib, mlir, compiler):
                    continue
                run([compiler, mlir, "-o", lib, f"--threads={n}"] + flags +
                    args.compile_flag)

    def harness_args(n):
        cmd = ["--dir", work, "--threads", str(n), "--rounds", str(args.rounds),
               "--round-ms", str(args.round_ms), "--switch-ms", str(args.switch_ms), "--tsv"]
        if args.cases:
            cmd += ["--cases", args.cases]
        if bf16:
            cmd += ["--precision", "bf16"]
        return cmd

    load_before = loadavg()
    rows, failed = run_harness(harness, threads, harness_args, 13 if bf16 else 11)

    shape = {c[0]: c for c in cases}

    def label(name):
        _, kind, b, m, k, n = shape[name]
        return f"{m}x{k}x{n}" if kind == "dense" else f"{b}x({m}x{k} . {k}x{n})"

    if bf16:
        print()
        print("| case | threads | max abs err | Mica bf16 ms | oneDNN bf16 ms | oneDNN/Mica "
              "| spread | oneDNN bf16 + A reorder ms | (oneDNN + reorder)/Mica "
              "| Mica fp32 ms | Mica fp32/bf16 | Mica bf16 GFLOP/s "
              "| oneDNN bf16 GFLOP/s |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for name, n, status, err, mms, dms, ratio, rmin, rmax, mgf, dgf, _, fms, rms in rows:
            if status != "ok":
                print(f"| {label(name)} | {n} | {float(err):.2g} | **WRONG** | | | | | | | | | |")
                continue
            print(f"| {label(name)} | {n} | {float(err):.1e} | {float(mms):.4f} | "
                  f"{float(dms):.4f} | {float(ratio):.3f} | {float(rmin):.3f}..{float(rmax):.3f} | "
                  f"{float(rms):.4f} | {float(rms) / float(mms):.3f} | "
                  f"{float(fms):.4f} | {float(fms) / float(mms):.2f} | {float(mgf):.0f} | "
                  f"{float(dgf):.0f} |")
        print()
        print("ratio = oneDNN bf16 time / Mica bf16 time, median over rounds (> 1: Mica "
              "faster); max abs err: Mica bf16 vs oneDNN bf16; oneDNN gets A already in "
              "bf16, Mica converts its f32 A in each call.")
        print(machine_line(load_before, "20 (harness default)"
                           if "OMP_WAIT_POLICY" not in os.environ else "(unset)")
              + ("; times are process CPU time (MICA_BENCH_CLOCK=cpu)"
                 if os.environ.get("MICA_BENCH_CLOCK") == "cpu" else ""))
        if failed:
            print("WRONG RESULTS: see FAIL lines above", file=sys.stderr)
            sys.exit(1)
        return

    print()
    print("| case | B | threads | max abs err | Mica ms | oneDNN ms | oneDNN/Mica | spread "
          "| Mica GFLOP/s | oneDNN GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, n, status, err, mms, dms, ratio, rmin, rmax, mgf, dgf, _ in rows:
        kind = "weights" if shape[name][1] == "dense" else "activation"
        if status != "ok":
            print(f"| {label(name)} | {kind} | {n} | {float(err):.2g} | **WRONG** | | | | | |")
            continue
        print(f"| {label(name)} | {kind} | {n} | {float(err):.1e} | {float(mms):.4f} | "
              f"{float(dms):.4f} | {float(ratio):.3f} | {float(rmin):.3f}..{float(rmax):.3f} | "
              f"{float(mgf):.0f} | {float(dgf):.0f} |")
    print()
    print("ratio = oneDNN time / Mica time, median over rounds (> 1: Mica faster); "
          "oneDNN on GNU libgomp, Mica on LLVM libomp, same process.")
    print(machine_line(load_before, "20 (harness default)"
                       if "OMP_WAIT_POLICY" not in os.environ else "(unset)"))
    if failed:
        print("WRONG RESULTS: see FAIL lines above", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
