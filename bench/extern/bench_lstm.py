#!/usr/bin/python3
"""Mica LSTM, native vs oneDNN extern, beside oneDNN called directly.

  /usr/bin/python3 bench/extern/bench_lstm.py [--threads 1,2] [--rounds 7]
      [--round-ms 300] [--only SUBSTRING] [--quick] [--reuse]

1. gen_lstm_models.py writes single-LSTM ONNX models (batch {1,16} x hidden
   {256,1024} x T {20,100} x forward/bidirectional, input = hidden) and the
   same weights in oneDNN's layout into build/bench/extern (--work),
2. compiles every case for every thread count N twice:
   `mica-compile NAME.onnx -o NAME.none.tN.so --threads N --extern=none` and
   `... -o NAME.onednn.tN.so --extern=onednn:lstm` (skipped when the library
   is newer than the model and the compiler, or than the model alone with
   --reuse; compile wall times are kept in compile_times.json and printed),
3. build/bin/mica-bench-lstm (CMake target mica-bench-lstm, built when oneDNN
   is found) checks the two libraries against each other (Y, max abs diff
   < 1e-4) and times native, Mica-oneDNN and a oneDNN lstm_forward primitive
   built directly (weights pre-packed once) interleaved over rounds,
4. prints one markdown table: medians over rounds, ratios direct/native and
   direct/Mica-oneDNN (> 1: that Mica path is faster than oneDNN direct) and
   the winner between the two Mica paths.

--quick runs B in {1,16}, H=256, T=20, both directions. --batches,
--hiddens and --steps change the grid (use another --work to keep the
default one). Exits non-zero when a Mica library computes a wrong result.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "common"))
from benchutil import (add_common_args, loadavg, machine_line, newer, run,  # noqa: E402
                       run_harness, setup)

EXTERNS = (("none", "none"), ("onednn", "onednn:lstm"))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap, "extern")
    ap.add_argument("--round-ms", type=float, default=300.0,
                    help="target length of one round (all three paths)")
    ap.add_argument("--iters", type=int, default=0,
                    help="fixed iterations per round and path (overrides --round-ms)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--only", default="", help="only cases whose name contains this")
    ap.add_argument("--quick", action="store_true",
                    help="B in {1,16}, H=256, T=20, both directions")
    ap.add_argument("--batches", default="1,16", help="grid: batch sizes")
    ap.add_argument("--hiddens", default="256,1024", help="grid: hidden (= input) sizes")
    ap.add_argument("--steps", default="20,100", help="grid: sequence lengths T")
    ap.add_argument("--regen", action="store_true", help="rewrite the models")
    ap.add_argument("--reuse", action="store_true",
                    help="keep existing libraries even when mica-compile is newer")
    args = ap.parse_args()

    work, compiler, harness, threads = setup(args, "extern", "mica-bench-lstm")

    cases_txt = os.path.join(work, "cases.txt")
    gen = os.path.join(HERE, "gen_lstm_models.py")
    grid = ["--batches", args.batches, "--hiddens", args.hiddens, "--steps", args.steps]
    grid_txt = os.path.join(work, "grid.txt")
    same_grid = os.path.exists(grid_txt) and open(grid_txt).read() == " ".join(grid)
    if args.regen or not newer(cases_txt, gen) or not same_grid:
        subprocess.run([sys.executable, gen, "--out", work] + grid, check=True)
        with open(grid_txt, "w") as f:
            f.write(" ".join(grid))
    cases = []
    with open(cases_txt) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            name = parts[0]
            if args.only and args.only not in name:
                continue
            if args.quick and "_h256_t20_" not in name:
                continue
            cases.append(parts)
    if not cases:
        sys.exit("no cases selected")

    times_json = os.path.join(work, "compile_times.json")
    compile_s = {}
    if os.path.exists(times_json):
        with open(times_json) as f:
            compile_s = json.load(f)
    for name, *_ in cases:
        onnx = os.path.join(work, name + ".onnx")
        for n in threads:
            for short, flag in EXTERNS:
                lib = os.path.join(work, f"{name}.{short}.t{n}.so")
                fresh = newer(lib, onnx) if args.reuse else newer(lib, onnx, compiler)
                if fresh and os.path.basename(lib) in compile_s:
                    continue
                compile_s[os.path.basename(lib)] = run(
                    [compiler, onnx, "-o", lib, f"--threads={n}", f"--extern={flag}"])
                with open(times_json, "w") as f:
                    json.dump(compile_s, f, indent=1, sort_keys=True)

    names = ",".join(c[0] for c in cases)

    def harness_args(n):
        cmd = ["--dir", work, "--threads", str(n), "--rounds", str(args.rounds),
               "--round-ms", str(args.round_ms), "--warmup", str(args.warmup),
               "--cases", names, "--tsv"]
        if args.iters:
            cmd += ["--iters", str(args.iters)]
        return cmd

    load_before = loadavg()
    rows, failed = run_harness(harness, threads, harness_args, 26)

    print()
    print("| case (B,H,T,dir,threads) | native ms | Mica-oneDNN ms | direct oneDNN ms "
          "| direct/native | direct/Mica-oneDNN | winner |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        name, b, h, t, d, n, status, mdiff, ddiff = row[:9]
        nat, one, dire = (row[9:12], row[12:15], row[15:18])
        r_n, r_o = row[18:21], row[21:24]
        label = f"{b},{h},{t},{'bidi' if d == '2' else 'fwd'},{n}"
        if status != "ok":
            print(f"| {label} | **WRONG** (max diff {float(mdiff):.2g}) | | | | | |")
            continue
        cell = lambda s: f"{float(s[0]):.3f} ({float(s[1]):.3f}..{float(s[2]):.3f})"
        rat = lambda s: f"{float(s[0]):.2f} ({float(s[1]):.2f}..{float(s[2]):.2f})"
        speed = float(nat[0]) / float(one[0])
        winner = (f"Mica-oneDNN {speed:.2f}x" if speed > 1 else f"native {1 / speed:.2f}x")
        print(f"| {label} | {cell(nat)} | {cell(one)} | {cell(dire)} | {rat(r_n)} "
              f"| {rat(r_o)} | {winner} |")
    print()
    print("ms: median (min..max) over rounds; direct/X = oneDNN-direct time / X time, "
          "median (min..max) of per-round ratios (> 1: X faster than oneDNN direct); "
          "winner: the faster Mica path and by how much (median times).")
    ok = [r for r in rows if r[6] == "ok"]
    if ok:
        print(f"max abs diff on Y over these cases: native vs Mica-oneDNN "
              f"{max(float(r[7]) for r in ok):.2g}, native vs oneDNN direct "
              f"{max(float(r[8]) for r in ok):.2g}.")
    print(machine_line(load_before))
    print()
    print("compile wall time, s (mica-compile, per library):")
    print()
    print("| case | " + " | ".join(f"native t{n} | Mica-oneDNN t{n}" for n in threads) + " |")
    print("|---|" + "---|---|" * len(threads))
    for name, *_ in cases:
        cells = []
        for n in threads:
            for short, _ in EXTERNS:
                s = compile_s.get(f"{name}.{short}.t{n}.so")
                cells.append(f"{s:.1f}" if s is not None else "?")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if failed:
        print("WRONG RESULTS: see FAIL lines above", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
