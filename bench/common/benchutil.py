"""Shared pieces of the benchmark drivers (bench/kernels/bench_gemm.py,
bench/extern/bench_lstm.py).

Part of the Mica project: an MLIR-based deep-learning compiler.

The flags every driver takes (--build --work --threads --rounds), locating
mica-compile and a harness in BUILD/bin, compiling only what is stale
(`newer`), echoing and running a command, running a harness with --tsv once
per thread count, and the machine line under the tables.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def newer(target, *sources):
    """True when `target` exists and is at least as new as every source."""
    if not os.path.exists(target):
        return False
    t = os.path.getmtime(target)
    return all(os.path.getmtime(s) <= t for s in sources)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def add_common_args(ap, work):
    """--build, --work (default BUILD/bench/WORK), --threads, --rounds."""
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", help=f"models and libraries (default BUILD/bench/{work})")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--rounds", type=int, default=7)


def setup(args, work, harness_target):
    """Work directory, mica-compile, the harness and the thread counts; exits
    when a tool is not built."""
    work_dir = args.work or os.path.join(args.build, "bench", work)
    compiler = os.path.join(args.build, "bin", "mica-compile")
    harness = os.path.join(args.build, "bin", harness_target)
    for tool, target in ((compiler, "mica-compile"), (harness, harness_target)):
        if not os.path.exists(tool):
            sys.exit(f"{tool} missing: build it with `ninja -C {args.build} {target}`"
                     + (" (needs libdnnl-dev)" if target == harness_target else ""))
    threads = [int(t) for t in args.threads.split(",") if t]
    return work_dir, compiler, harness, threads


def run(cmd):
    """Echoes `cmd`, runs it (failing on a non-zero exit), returns its wall time
    in seconds."""
    print("+", " ".join(cmd), flush=True)
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    return time.monotonic() - t0


def run_harness(harness, threads, args_for, tabs):
    """Runs `harness` once per thread count with the arguments `args_for(n)`;
    returns the rows (lines with `tabs` tabs, split) and whether any case
    failed (exit 1). Exits on any other exit status."""
    rows = []
    failed = False
    for n in threads:
        cmd = [harness] + args_for(n)
        print("+", " ".join(cmd), flush=True)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"{os.path.basename(harness)} failed (exit {p.returncode})")
        failed |= p.returncode == 1
        rows += [l.split("\t") for l in p.stdout.splitlines() if l.count("\t") == tabs]
    return rows, failed


def machine_line(load_before, kmp_blocktime_default="(unset)"):
    """CPUs, load average before and now, and the OpenMP waiting settings."""
    return (f"{os.cpu_count()} CPUs; load average before {load_before}, after {loadavg()}; "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
            f"KMP_BLOCKTIME={os.environ.get('KMP_BLOCKTIME', kmp_blocktime_default)}")
