#!/usr/bin/python3
"""Import time and peak memory of a large ONNX model (BERT-base by default).

Generates the model with test/models/gen_models.py when it is missing (into
--work, git-ignored by default under build/), then runs, N times each and
interleaved so machine noise hits both alike:

  mica-import model.onnx --emit-bytecode -o out.mlirbc
  python3 -c "onnx.load(model.onnx); onnx.shape_inference.infer_shapes(...)"
      (the peer: what any ONNX-consuming tool pays just to read and type
      the model; mica-import does this and builds the whole MLIR module)

and prints median and spread (min..max) of wall time and peak RSS, and
peak RSS as a multiple of the weight bytes.

Usage: bench/import/bench_import.py [--model bert_base] [--runs 5]
                                    [--build build] [--work DIR]
"""
import argparse
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEER = ("import onnx, sys; m = onnx.load(sys.argv[1]); "
        "onnx.shape_inference.infer_shapes(m, strict_mode=True)")


def measure(cmd):
    """Runs cmd under GNU time; returns (seconds, peak RSS in bytes)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    secs, kb = out.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kb) * 1024


def weight_bytes(model):
    import onnx
    m = onnx.load(model)
    return sum(len(t.raw_data) or 4 * len(t.float_data)
               for t in m.graph.initializer)


def summary(values):
    return statistics.median(values), min(values), max(values)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="bert_base")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default=None)
    a = p.parse_args()
    work = a.work or os.path.join(a.build, "bench", "import")
    model = os.path.join(work, a.model, "model.onnx")
    if not os.path.exists(model):
        print(f"generating {a.model} into {work} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "models",
                                                     "gen_models.py"),
                        "--out", work, "--only", a.model],
                       check=True, stdout=subprocess.DEVNULL)
    weights = weight_bytes(model)
    mica = [os.path.join(a.build, "bin", "mica-import"), model,
            "--emit-bytecode", "-o", os.path.join(work, a.model + ".mlirbc")]
    peer = [sys.executable, "-c", PEER, model]
    runs = {"mica-import": [], "onnx.load+infer_shapes": []}
    for _ in range(a.runs):
        runs["mica-import"].append(measure(mica))
        runs["onnx.load+infer_shapes"].append(measure(peer))
    print(f"model: {model} ({os.path.getsize(model) / 1e6:.0f} MB file, "
          f"{weights / 1e6:.0f} MB weights), {a.runs} runs each")
    print(f"{'tool':<24} {'time s (median, min..max)':<28} "
          f"{'peak RSS MB (median, min..max)':<32} RSS/weights")
    med = {}
    for name, r in runs.items():
        t = summary([x[0] for x in r])
        m = summary([x[1] for x in r])
        med[name] = t[0]
        print(f"{name:<24} {t[0]:6.2f} ({t[1]:.2f}..{t[2]:.2f})"
              f"{'':<10} {m[0] / 1e6:7.0f} ({m[1] / 1e6:.0f}..{m[2] / 1e6:.0f})"
              f"{'':<12} {m[0] / weights:4.2f}x")
    print(f"time ratio mica-import / onnx.load+infer_shapes: "
          f"{med['mica-import'] / med['onnx.load+infer_shapes']:.2f}")


if __name__ == "__main__":
    main()
