#!/usr/bin/python3
"""Mica GEMM kernels vs oneDNN 2.6 fp32 matmul, measured in the same process.

  /usr/bin/python3 bench/kernels/bench_gemm.py [--threads 1,2] [--rounds 7]

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
ROOT = os.path.dirname(os.path.dirname(HERE))


def newer(target, *sources):
    if not os.path.exists(target):
        return False
    t = os.path.getmtime(target)
    return all(os.path.getmtime(s) <= t for s in sources)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", help="models and libraries (default BUILD/bench/kernels)")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--round-ms", type=float, default=100.0)
    ap.add_argument("--switch-ms", type=int, default=50,
                    help="untimed pause when switching between the two OpenMP runtimes")
    ap.add_argument("--cases", default="", help="comma-separated case names (default all)")
    ap.add_argument("--regen", action="store_true", help="rewrite the models")
    args = ap.parse_args()

    work = args.work or os.path.join(args.build, "bench", "kernels")
    compiler = os.path.join(args.build, "bin", "mica-compile")
    harness = os.path.join(args.build, "bin", "mica-bench-gemm")
    for tool, target in ((compiler, "mica-compile"), (harness, "mica-bench-gemm")):
        if not os.path.exists(tool):
            sys.exit(f"{tool} missing: build it with `ninja -C {args.build} {target}`"
                     + (" (needs libdnnl-dev)" if target == "mica-bench-gemm" else ""))
    threads = [int(t) for t in args.threads.split(",") if t]

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

    for name, *_ in cases:
        mlir = os.path.join(work, name + ".mlir")
        for n in threads:
            lib = os.path.join(work, f"{name}.t{n}.so")
            if newer(lib, mlir, compiler):
                continue
            cmd = [compiler, mlir, "-o", lib, f"--threads={n}"]
            print("+", " ".join(cmd), flush=True)
            subprocess.run(cmd, check=True)

    def loadavg():
        try:
            with open("/proc/loadavg") as f:
                return " ".join(f.read().split()[:3])
        except OSError:
            return "?"

    load_before = loadavg()
    rows = []
    failed = False
    for n in threads:
        cmd = [harness, "--dir", work, "--threads", str(n), "--rounds", str(args.rounds),
               "--round-ms", str(args.round_ms), "--switch-ms", str(args.switch_ms), "--tsv"]
        if args.cases:
            cmd += ["--cases", args.cases]
        print("+", " ".join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"mica-bench-gemm failed (exit {p.returncode})")
        failed |= p.returncode == 1
        rows += [l.split("\t") for l in p.stdout.splitlines() if l.count("\t") == 11]

    shape = {c[0]: c for c in cases}

    def label(name):
        _, kind, b, m, k, n = shape[name]
        return f"{m}x{k}x{n}" if kind == "dense" else f"{b}x({m}x{k} . {k}x{n})"

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
    print(f"{os.cpu_count()} CPUs; load average before {load_before}, after {loadavg()}; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
          f"KMP_BLOCKTIME={os.environ.get('KMP_BLOCKTIME', '20 (harness default)' if 'OMP_WAIT_POLICY' not in os.environ else '(unset)')}")
    if failed:
        print("WRONG RESULTS: see FAIL lines above", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
