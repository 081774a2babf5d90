#!/usr/bin/env python3
# ===- run_onnx_node_tests.py - ONNX backend node test conformance --------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===----------------------------------------------------------------------===#
"""Runs the official ONNX backend node tests through Mica's importer and the
reference evaluator (or, with --compiled, the CPU backend) and reports, per
op type, how many pass.

For every test directory (model.onnx + test_data_set_N/{input,output}_K.pb)
under the node test root (libonnx-testdata's by default) the runner

  1. imports the model with `mica-import model.onnx -o model.mlir`, then
  2. runs `mica-run --reference model.mlir --test-data-dir test_data_set_N
     --check` on every data set,

each under a timeout, and classifies the test as

  pass         every data set matches the expected outputs,
  unsupported  the importer reports the op as unsupported (unknown op type
               or opset); the reason names it,
  fail         anything else, with a one-line reason: the importer's error,
               the evaluator's error, a numeric mismatch with its max error,
               a crash (signal) or a timeout.

`--fast` runs `mica-run --reference model.onnx` directly (the importer is
linked into mica-run), one process per data set instead of one more for the
import; the classification is the same.

`--compiled` runs `mica-run --specialize-shapes` instead of `mica-run
--reference`: every data set is JIT-compiled through the CPU pipeline
(mica-cpu-pipeline) and run. A node test has fixed shapes, so the model is
compiled for the shapes of the data set's inputs (--specialize-shapes; some
lowerings want static dims). The check and its tolerances are the ones of
the reference mode, except for the ops of COMPILED_TOLERANCES (each with the
reason its math needs a looser bound). Its expectation list is
expected-pass-compiled.txt; with --write-docs the runner also lists, grouped
by the first error line, every test that passes on the reference evaluator
(--reference-expect, expected-pass.txt by default) but fails compiled, with
the command that reproduces it. `--sample N` runs at most N tests per op
type (the first ones by name): the lit test of the compiled mode runs such a
representative subset of the expectation list to fit the CI budget.

A test belongs to the op type of its node (tests named `*_expanded` hold the
function body of their sibling test and count for the sibling's op type).
Ops listed in OUT_OF_SCOPE are still run and reported, but do not count
towards the in-scope pass rate; TEST_OUT_OF_SCOPE does the same for single
test variants of in-scope ops (with a reason each).

Outputs:
  stdout              per op type passed/failed/unsupported, totals, the
                      in-scope pass rate and, with -v, every failure
  --write-docs FILE   a Markdown table (docs/onnx-support.md, with
                      --compiled docs/onnx-support-compiled.md)
  --expect FILE       exit 1 naming every test of FILE that does not pass
  --write-expect FILE rewrite FILE with the tests that pass now

Only the Python standard library is used: the runner works with any
python3 and reads the ONNX models with a minimal protobuf decoder.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"

# ONNX's backend test runner compares with numpy.testing.assert_allclose
# (rtol=1e-3, atol=1e-7); we use its rtol and a slightly looser atol because
# the reference evaluator computes in double and rounds, which can differ
# from numpy's float32 results by an ulp near zero.
DEFAULT_RTOL = 1e-3
DEFAULT_ATOL = 1e-6

# --compiled: ops whose compiled math needs a looser bound than the reference
# evaluator's: op type -> (rtol, atol, why). Everything else is checked with
# --rtol/--atol like the reference mode.
COMPILED_TOLERANCES = {
}

# Op families outside the scope of the importer (issue 4): they are run and
# reported, but do not count towards the in-scope pass rate.
OUT_OF_SCOPE = {
    "training ops (optimizers and losses, not needed for inference)": [
        "Adagrad", "Adam", "Momentum", "Gradient",
        "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"],
    "random generators": [
        "Bernoulli", "RandomNormal", "RandomNormalLike", "RandomUniform",
        "RandomUniformLike", "Multinomial"],
    "sequence and optional types": [
        "SequenceAt", "SequenceConstruct", "SequenceEmpty", "SequenceErase",
        "SequenceInsert", "SequenceLength", "SequenceMap", "SplitToSequence",
        "ConcatFromSequence", "Optional", "OptionalGetElement",
        "OptionalHasElement"],
    "string ops": ["StringNormalizer", "TfIdfVectorizer", "RegexFullMatch",
                   "StringConcat", "StringSplit"],
    "control flow with subgraphs (not in the issue's op list; the ONNX "
    "tests of If/Loop mostly carry sequences and optionals)": [
        "If", "Loop", "Scan"],
    "quantized int8 inference (not in the issue's op list)": [
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
        "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger"],
    "signal processing": ["DFT", "STFT", "BlackmanWindow", "HammingWindow",
                          "HannWindow", "MelWeightMatrix"],
    "detection and vision-specific ops": [
        "NonMaxSuppression", "RoiAlign", "GridSample", "MaxUnpool"],
    "linear algebra and data-dependent set ops": ["Det", "Unique"],
}

# Test variants of in-scope ops that exercise an out-of-scope feature.
TEST_OUT_OF_SCOPE = [
    (r"^test_training_dropout(?!_zero_ratio)",
     "Dropout in training mode draws a random mask (random generators)"),
    (r"^test_cast(like)?_.*STRING",
     "string tensors (string ops)"),
    (r"^test_batchnorm_.*_training_mode$",
     "BatchNormalization in training mode (batch statistics and running "
     "mean/variance outputs: training)"),
    (r"^test_identity_(opt|sequence)$",
     "Identity of optional and sequence values (sequence and optional "
     "types)"),
]

OUT_OF_SCOPE_OPS = {op: reason for reason, ops in OUT_OF_SCOPE.items()
                    for op in ops}

SIGNAL_NAMES = {getattr(signal, n): n for n in dir(signal)
                if n.startswith("SIG") and not n.startswith("SIG_")}


# ===----------------------------------------------------------------------===#
# Minimal protobuf decoding (ModelProto -> op types and opsets)
# ===----------------------------------------------------------------------===#

def _varint(buf, i):
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """Yields (field number, value) of a serialized message; length-delimited
    values are bytes, varints are ints."""
    i, n = 0, len(buf)
    while i < n:
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            length, i = _varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wire)
        yield field, value


def _name_of(message, field):
    for f, v in _fields(message):
        if f == field:
            return v.decode()
    return ""


class ModelSummary:
    """What the runner needs from a ModelProto: node op types, the default
    opset, and the names of the graph inputs (without initializers) and
    outputs, in order."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        self.nodes, self.opset = [], None
        inputs, initializers, self.outputs = [], set(), []
        for field, value in _fields(data):
            if field == 7:  # ModelProto.graph
                for gfield, gvalue in _fields(value):
                    if gfield == 1:  # GraphProto.node
                        op_type = domain = ""
                        for nfield, nvalue in _fields(gvalue):
                            if nfield == 4:
                                op_type = nvalue.decode()
                            elif nfield == 7:
                                domain = nvalue.decode()
                        self.nodes.append((domain, op_type))
                    elif gfield == 5:  # GraphProto.initializer
                        initializers.add(_name_of(gvalue, 8))
                    elif gfield == 11:  # GraphProto.input
                        inputs.append(_name_of(gvalue, 1))
                    elif gfield == 12:  # GraphProto.output
                        self.outputs.append(_name_of(gvalue, 1))
            elif field == 8:  # ModelProto.opset_import
                domain, version = "", 0
                for ofield, ovalue in _fields(value):
                    if ofield == 1:
                        domain = ovalue.decode()
                    elif ofield == 2:
                        version = ovalue
                if domain in ("", "ai.onnx"):
                    self.opset = version
        self.inputs = [n for n in inputs if n not in initializers]


# ===----------------------------------------------------------------------===#
# Test discovery
# ===----------------------------------------------------------------------===#

class Test:
    def __init__(self, name, path):
        self.name = name
        self.path = path
        self.op_type = None
        self.opset = None
        self.data_sets = sorted(
            d for d in os.listdir(path) if d.startswith("test_data_set_"))
        self.summary = None  # ModelSummary
        self.status = None   # "pass" | "fail" | "unsupported"
        self.reason = ""
        # Graph inputs imported as constants (--freeze-input) because an op
        # needs them at compile time.
        self.frozen = []
        # The commands (argument lists) of the step that failed last: the
        # import (if any) and the mica-run; they reproduce a failure.
        self.commands = []
        # The first note after the error of a failed tool run, if any.
        self.note = ""
        self.seconds = 0.0

    @property
    def out_of_scope_reason(self):
        if self.op_type in OUT_OF_SCOPE_OPS:
            return OUT_OF_SCOPE_OPS[self.op_type]
        for pattern, reason in TEST_OUT_OF_SCOPE:
            if re.search(pattern, self.name):
                return reason
        return None


def sample(tests, n):
    """At most n tests per op type, the first ones by name."""
    kept, seen = [], {}
    for t in sorted(tests, key=lambda t: t.name):
        seen[t.op_type] = seen.get(t.op_type, 0) + 1
        if seen[t.op_type] <= n:
            kept.append(t)
    return kept


def discover(data_dir, filters):
    names = sorted(d for d in os.listdir(data_dir)
                   if os.path.isfile(os.path.join(data_dir, d, "model.onnx")))
    tests = {n: Test(n, os.path.join(data_dir, n)) for n in names}
    for name, test in tests.items():
        test.summary = ModelSummary(os.path.join(test.path, "model.onnx"))
        test.opset = test.summary.opset
        ops = [op for _, op in test.summary.nodes]
        main = [op for op in ops if op != "Constant"] or ops
        test.op_type = main[0] if main else "(empty)"
    # An expanded test counts for the op of the test it expands.
    for name, test in tests.items():
        if name.endswith("_expanded") and name[:-9] in tests:
            test.op_type = tests[name[:-9]].op_type
    selected = list(tests.values())
    if filters:
        selected = [t for t in selected
                    if any(re.search(f, t.name) for f in filters)]
    return selected


# ===----------------------------------------------------------------------===#
# Running one test
# ===----------------------------------------------------------------------===#

def _one_line(text, limit=160):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


CRASH_LINE_RE = re.compile(r"error:|Assertion|LLVM ERROR|UNREACHABLE")
# A symbolized frame of LLVM's crash stack dump: "#4 0x... symbol (/lib...)".
STACK_FRAME_RE = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ (\S.*?) \(/")


def _signal_reason(tool, returncode, stderr=""):
    """A crash, with the first error line the tool printed before dying (an
    assertion or LLVM ERROR) or else the first frame of its stack dump
    outside the signal handling, if any."""
    sig = -returncode
    reason = "crash: %s killed by %s" % (tool, SIGNAL_NAMES.get(sig, sig))
    lines = stderr.splitlines()
    first = next((l.strip() for l in lines if CRASH_LINE_RE.search(l)), None)
    if first:
        return reason + ": " + re.sub(r"^\S*mica-(import|run): ", "", first)
    for line in lines:
        frame = STACK_FRAME_RE.match(line)
        if frame and not frame.group(1).startswith("llvm::sys::"):
            return reason + " in " + frame.group(1)
    return reason


def _error_reason(stderr, model_path):
    """The first diagnostic of a tool's stderr, without file paths."""
    lines = [l for l in stderr.splitlines() if l.strip()]
    picked = next((l for l in lines if "error:" in l), lines[0] if lines
                  else "no diagnostic")
    picked = picked.replace(model_path + ":", "").replace(model_path, "model")
    # A model imported to .mlir keeps the locations of its model.onnx.
    picked = re.sub(r"^\S*/model\.onnx:", "", picked)
    picked = re.sub(r"^\S*mica-(import|run): ", "", picked)
    picked = re.sub(r"^\s*\d+:\d+: ", "", picked)
    picked = re.sub(r"/\S*/(test_data_set_\d+/)", r"\1", picked)
    return picked.strip()


UNSUPPORTED_RE = re.compile(r"error: (unsupported op(set)?\b.*)")


def _classify_tool_error(test, tool, proc, model_path):
    """Sets test.status/reason from a failed tool run."""
    if proc.returncode < 0:
        test.status = "fail"
        test.reason = _signal_reason(tool, proc.returncode, proc.stderr)
        return
    unsupported = UNSUPPORTED_RE.search(proc.stderr)
    if unsupported:
        test.status = "unsupported"
        test.reason = _one_line(unsupported.group(1))
        return
    test.status = "fail"
    test.reason = _one_line(_error_reason(proc.stderr, model_path))
    test.note = _first_note(proc.stderr, model_path)


def _first_note(stderr, model_path):
    """The first note after the first error of a tool's stderr (e.g. the
    operation a lowering failed on), without file paths; or ""."""
    lines = stderr.splitlines()
    first = next((i for i, l in enumerate(lines) if "error:" in l), None)
    if first is None:
        return ""
    note = next((l for l in lines[first + 1:] if "note:" in l), "")
    note = note[note.find("note:"):] if note else ""
    return _one_line(note.replace(model_path, "model"), 400)


MISMATCH_RE = re.compile(
    r"^output (\d+)(?: '([^']*)')?: (\S+)(.*?)(?: (PASS|FAIL.*))?$")


def _mismatch_reason(stdout):
    """Summarizes the failing outputs of `mica-run --check`."""
    parts = []
    for line in stdout.splitlines():
        m = MISMATCH_RE.match(line.strip())
        if not m or not (m.group(5) or "").startswith("FAIL"):
            continue
        label = "output %s" % (m.group(2) or m.group(1))
        rest = line.strip()
        shape = re.search(r"expected shape (\S+)", rest)
        if shape:
            parts.append("%s: shape %s, expected %s" % (label, m.group(3),
                                                        shape.group(1)))
            continue
        err = re.search(r"max_abs_err=(\S+) max_rel_err=(\S+)", rest)
        count = re.search(r"FAIL \((\d+) mismatches", rest)
        parts.append("%s: mismatch max_abs_err=%s max_rel_err=%s%s" % (
            label, err.group(1) if err else "?", err.group(2) if err else "?",
            " (%s elements)" % count.group(1) if count else ""))
    return "; ".join(parts)


class Config:
    """How the tests run: the tools, the mode (reference evaluator or
    compiled) and the check's tolerances."""

    def __init__(self, tools, timeout, rtol, atol, fast=False,
                 compiled=False):
        self.tools = tools
        self.timeout = timeout
        self.rtol, self.atol = rtol, atol
        self.fast = fast
        self.compiled = compiled

    @property
    def mode_flags(self):
        """The mica-run flags that select the mode."""
        return ["--specialize-shapes"] if self.compiled else ["--reference"]

    def tolerances(self, test):
        if self.compiled and test.op_type in COMPILED_TOLERANCES:
            rtol, atol, _ = COMPILED_TOLERANCES[test.op_type]
            return max(rtol, self.rtol), max(atol, self.atol)
        return self.rtol, self.atol


def run_test(test, config, tmp_root):
    start = time.time()
    try:
        _run_test(test, config, tmp_root)
    finally:
        test.seconds = time.time() - start
    return test


def _run(cmd, timeout):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              errors="replace", timeout=timeout)
    except OSError as e:  # e.g. the tool is being relinked
        return subprocess.CompletedProcess(
            cmd, 127, "", "error: cannot run %s: %s" % (cmd[0], e))


FREEZE_HINT_RE = re.compile(r"--freeze-input (\S+)=<")
MAX_FREEZE_ROUNDS = 8


def _input_file(test, data_set, name):
    """input_K.pb of `data_set` for graph input `name` (K = its position
    among the graph inputs)."""
    k = test.summary.inputs.index(name)
    return os.path.join(test.path, data_set, "input_%d.pb" % k)


def _import(test, config, model, data_set):
    """Runs mica-import with test.frozen bound to `data_set`'s values;
    returns the process or None after a timeout (test.reason set)."""
    cmd = [config.tools["mica-import"], os.path.join(test.path, "model.onnx"),
           "-o", model]
    for name in test.frozen:
        cmd += ["--freeze-input", "%s=%s" % (name, _input_file(test, data_set,
                                                               name))]
    test.commands = [cmd]
    try:
        return _run(cmd, config.timeout)
    except subprocess.TimeoutExpired:
        test.status = "fail"
        test.reason = "timeout: mica-import ran over %ss" % config.timeout
        return None


def _import_freezing(test, config, model):
    """Imports the model; when the importer asks for graph inputs to be
    compile-time constants (a --freeze-input hint), freezes them to the
    first data set's values and retries. Returns True on success; else
    test.status/reason are set."""
    for _ in range(MAX_FREEZE_ROUNDS):
        proc = _import(test, config, model, test.data_sets[0])
        if proc is None:
            return False
        if proc.returncode == 0:
            return True
        hints = [h for h in FREEZE_HINT_RE.findall(proc.stderr)
                 if h in test.summary.inputs and h not in test.frozen]
        if proc.returncode < 0 or not hints:
            _classify_tool_error(test, "mica-import", proc,
                                 os.path.join(test.path, "model.onnx"))
            return False
        test.frozen = sorted(set(test.frozen) | set(hints))
    test.status = "fail"
    test.reason = "mica-import: still needs constants after freezing %s" % (
        ", ".join(test.frozen))
    return False


def _check(test, config, model, data_set):
    """Runs mica-run --check (on the reference evaluator or compiled) on one
    data set; returns None on a pass, else (status, reason)."""
    data_dir = os.path.join(test.path, data_set)
    rtol, atol = config.tolerances(test)
    cmd = ([config.tools["mica-run"]] + config.mode_flags +
           [model, "--check", "--rtol", repr(rtol), "--atol", repr(atol)])
    if test.frozen:
        # The frozen inputs are no longer arguments: bind the others and the
        # expected outputs explicitly.
        for name in test.summary.inputs:
            if name not in test.frozen:
                cmd += ["--input", "%s=%s" % (name, _input_file(
                    test, data_set, name))]
        for k in range(len(test.summary.outputs)):
            cmd += ["--expected", "%d=%s" % (k, os.path.join(
                data_dir, "output_%d.pb" % k))]
    else:
        cmd += ["--test-data-dir", data_dir]
    # What reproduces a failure: the import of `model` (unless mica-run
    # imports model.onnx itself) and this run.
    test.commands = [c for c in test.commands[:1]
                     if not model.endswith(".onnx")] + [cmd]
    try:
        proc = _run(cmd, config.timeout)
    except subprocess.TimeoutExpired:
        return "fail", "%s: timeout: mica-run ran over %ss" % (data_set,
                                                               config.timeout)
    if proc.returncode == 0:
        return None
    if proc.returncode < 0:
        return "fail", _signal_reason("mica-run", proc.returncode,
                                      proc.stderr)
    mismatch = _mismatch_reason(proc.stdout)
    if mismatch:
        return "fail", mismatch
    if fast_import_hint(proc):
        return "freeze", " ".join(FREEZE_HINT_RE.findall(proc.stderr))
    _classify_tool_error(test, "mica-run", proc, model)
    return test.status, test.reason


def fast_import_hint(proc):
    return FREEZE_HINT_RE.search(proc.stderr) is not None


def _run_test(test, config, tmp_root):
    if not test.data_sets:
        test.status, test.reason = "fail", "no test_data_set_N directory"
        return
    onnx_path = os.path.join(test.path, "model.onnx")
    model = os.path.join(tmp_root, test.name + ".mlir")
    try:
        if config.fast:
            # mica-run imports the model itself; fall back to mica-import
            # when inputs must be frozen.
            result = _check(test, config, onnx_path, test.data_sets[0])
            if result is not None and result[0] == "freeze":
                # Start the import rounds from the inputs mica-run named.
                test.frozen = sorted(set(
                    h for h in result[1].split() if h in test.summary.inputs))
            if result is None or result[0] != "freeze":
                if result is None:
                    for data_set in test.data_sets[1:]:
                        result = _check(test, config, onnx_path, data_set)
                        if result is not None:
                            break
                _finish(test, result)
                return
        if not _import_freezing(test, config, model):
            return
        for i, data_set in enumerate(test.data_sets):
            if i > 0 and test.frozen:
                proc = _import(test, config, model, data_set)
                if proc is None:
                    return
                if proc.returncode != 0:
                    _classify_tool_error(test, "mica-import", proc, onnx_path)
                    return
            result = _check(test, config, model, data_set)
            if result is not None:
                break
        _finish(test, result)
    finally:
        if os.path.exists(model):
            os.unlink(model)


def _finish(test, result):
    if result is None:
        test.status, test.reason = "pass", ""
    else:
        test.status, test.reason = result[0], _one_line(result[1], 240)
    if test.frozen and test.status != "pass":
        test.reason = _one_line("(frozen: %s) %s" % (", ".join(test.frozen),
                                                     test.reason), 240)


# ===----------------------------------------------------------------------===#
# Reporting
# ===----------------------------------------------------------------------===#

def per_op(tests):
    ops = {}
    for t in tests:
        ops.setdefault(t.op_type, []).append(t)
    return dict(sorted(ops.items()))


def counts(tests):
    c = {"pass": 0, "fail": 0, "unsupported": 0}
    for t in tests:
        c[t.status] += 1
    return c


def in_scope(tests):
    return [t for t in tests if t.out_of_scope_reason is None]


def totals_text(tests):
    c = counts(tests)
    scoped = in_scope(tests)
    sc = counts(scoped)
    rate = 100.0 * sc["pass"] / len(scoped) if scoped else 0.0
    lines = [
        "Total: %d tests: %d passed, %d failed, %d unsupported" % (
            len(tests), c["pass"], c["fail"], c["unsupported"]),
        "In scope: %d tests: %d passed, %d failed, %d unsupported" % (
            len(scoped), sc["pass"], sc["fail"], sc["unsupported"]),
        "In-scope pass rate: %.1f%%" % rate,
        "Passed with graph inputs frozen to the test data "
        "(--freeze-input): %d" % sum(1 for t in tests
                                      if t.status == "pass" and t.frozen),
    ]
    return lines, rate


def print_report(tests, verbose, out=sys.stdout):
    width = max([len(op) for op in per_op(tests)] + [7])
    print("%-*s  %6s  %6s  %11s  %s" % (width, "op type", "passed", "failed",
                                        "unsupported", "scope"), file=out)
    for op, op_tests in per_op(tests).items():
        c = counts(op_tests)
        scope = "in" if op not in OUT_OF_SCOPE_OPS else "out"
        print("%-*s  %6d  %6d  %11d  %s" % (width, op, c["pass"], c["fail"],
                                            c["unsupported"], scope),
              file=out)
    if verbose:
        print("", file=out)
        for t in sorted(tests, key=lambda t: t.name):
            if t.status != "pass":
                print("%s %s [%s]: %s" % (t.status.upper(), t.name,
                                          t.op_type, t.reason), file=out)
    print("", file=out)
    lines, _ = totals_text(tests)
    for line in lines:
        print(line, file=out)


def _md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def _reason_class(reason):
    """A failure reason with numbers and names generalized, for grouping."""
    reason = re.sub(r"test_data_set_\d+: ", "", reason)
    reason = re.sub(r"max_abs_err=\S+ max_rel_err=\S+( \(\d+ elements\))?",
                    "mismatch", reason)
    reason = re.sub(r"mismatch mismatch", "mismatch", reason)
    reason = re.sub(r"node '[^']*'", "node", reason)
    reason = re.sub(r"output [^:;]+:", "output:", reason)
    reason = re.sub(r"\b(tensor|vector|memref)<[^>]*>", r"\1<...>", reason)
    return reason


def _coarse_reason(reason):
    """A failure reason with names, types and numbers generalized."""
    reason = _reason_class(reason)
    reason = re.sub(r"^\(frozen: [^)]*\) ", "", reason)
    reason = re.sub(r"graph input '[^']*'", "a graph input", reason)
    reason = re.sub(r"element type [A-Z0-9]+", "element type T", reason)
    reason = re.sub(r"(cast to|dtype) [A-Z0-9]+", r"\1 T", reason)
    reason = re.sub(r"data type \d+", "data type N", reason)
    reason = re.sub(r"test_data_set_\d+/\w+\.pb", "a data file", reason)
    reason = re.sub(r"\(ai\.onnx, \w+, opset \d+\)", "op", reason)
    reason = re.sub(r"^node \([^)]*\): ", "", reason)
    return reason


REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "..", ".."))


def repro_commands(test):
    """The shell commands that reproduce test's failure: the tools by name
    (build/bin on PATH), the runner's temporary import as /tmp/TEST.mlir."""
    lines = []
    for cmd in test.commands:
        words = [os.path.basename(cmd[0])]
        for word in cmd[1:]:
            if word.startswith(REPO_ROOT + os.sep):
                word = os.path.relpath(word, REPO_ROOT)
            word = re.sub(r"^\S*/mica-onnx-node-[^/]*/", "/tmp/", word)
            words.append(shlex.quote(word))
        lines.append(" ".join(words))
    return lines


def compiled_regressions(tests, reference_passes):
    """The tests that pass on the reference evaluator (their names in
    reference_passes) but not compiled, grouped by their first error line
    with names and numbers generalized: [(reason, [tests])], the largest
    group first."""
    groups = {}
    for t in sorted(tests, key=lambda t: t.name):
        if t.name in reference_passes and t.status != "pass":
            groups.setdefault(_coarse_reason(t.reason), []).append(t)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def write_docs(tests, path, args_text, data_dir, compiled=False,
               reference_passes=None):
    lines = []
    add = lines.append
    add("<!-- Generated by test/conformance/run_onnx_node_tests.py; do not "
        "edit. -->")
    if compiled:
        add("# ONNX support: backend node test conformance, compiled (CPU "
            "backend)")
    else:
        add("# ONNX support: backend node test conformance")
    add("")
    add("Generated by `test/conformance/run_onnx_node_tests.py %s` from "
        "the ONNX backend node tests of `libonnx-testdata` (`%s`)." % (
            args_text, data_dir))
    if compiled:
        add("Each test is JIT-compiled through the CPU backend "
            "(`mica-run --specialize-shapes --check`, no `--reference`) "
            "and run on every `test_data_set_N` (rtol %g, atol %g, as on "
            "the reference evaluator, except for the ops listed under "
            "\"Tolerances\"). A node test has fixed shapes, so each data "
            "set compiles the model for the shapes of its inputs "
            "(`--specialize-shapes`: some lowerings want static dims). "
            "Tests named `*_expanded` (the op's function body) count for "
            "the op they expand. Regenerate with `--compiled --write-docs "
            "docs/onnx-support-compiled.md`; "
            "`test/conformance/onnx-node-tests-compiled.test` fails when a "
            "test of `test/conformance/expected-pass-compiled.txt` stops "
            "passing (to fit the CI budget it runs the first expected test "
            "of every op type, `--only-expected --sample 1`; run the whole "
            "list with `--compiled --fast --expect "
            "test/conformance/expected-pass-compiled.txt`). The reference "
            "evaluator's table is "
            "[onnx-support.md](onnx-support.md)." % (
                DEFAULT_RTOL, DEFAULT_ATOL))
    else:
        add("Each test is imported with `mica-import` and evaluated with "
            "`mica-run --reference --check` on every `test_data_set_N` "
            "(rtol %g, atol %g). Tests named `*_expanded` (the op's "
            "function body) count for the op they expand. Regenerate with "
            "`--write-docs docs/onnx-support.md`; "
            "`test/conformance/onnx-node-tests.test` fails when a test of "
            "`test/conformance/expected-pass.txt` stops passing." % (
                DEFAULT_RTOL, DEFAULT_ATOL))
    add("")
    add("Many node tests feed operands that mica needs at compile time "
        "(Slice starts, Pad pads, Resize scales, ReduceSum axes, TopK K, "
        "...) as graph inputs. When the importer says so (a `--freeze-input` "
        "note), the runner imports the model once per data set with those "
        "inputs frozen to the data set's values (`mica-import --freeze-input "
        "NAME=input_K.pb`); the table counts such tests as passed and the "
        "failure list names the frozen inputs. Running the models with "
        "these operands as runtime values is not supported.")
    add("")
    total_lines, _ = totals_text(tests)
    if compiled:
        regressions = compiled_regressions(tests, reference_passes)
        total_lines.append(
            "Pass on the reference evaluator but fail compiled: %d (see "
            "[below](#tests-that-pass-on-the-reference-evaluator-but-fail-"
            "compiled))" % sum(len(m) for _, m in regressions))
    for line in total_lines:
        add("- " + line)
    add("")
    if compiled:
        add("## Tolerances")
        add("")
        if COMPILED_TOLERANCES:
            add("The check is the reference mode's except for these ops, "
                "whose compiled math needs a looser bound:")
            add("")
            add("| op type | rtol | atol | why |")
            add("|---|---:|---:|---|")
            for op, (rtol, atol, why) in sorted(COMPILED_TOLERANCES.items()):
                add("| %s | %g | %g | %s |" % (op, rtol, atol,
                                               _md_escape(why)))
        else:
            add("Every op is checked with the reference mode's tolerances.")
        add("")
        add("## Tests that pass on the reference evaluator but fail compiled")
        add("")
        add("Every node test that passes on the reference evaluator (the "
            "tests of `test/conformance/expected-pass.txt`) should also "
            "pass compiled; these do not: compiler bugs of the CPU "
            "backend, grouped by their first error line (names and numbers "
            "generalized). Each test names its own first error (and the "
            "note after it, if any) and the commands that reproduce it, "
            "with `build/bin` on `PATH` (a `/tmp/TEST.mlir` is the import "
            "of the command before it).")
        add("")
        if not regressions:
            add("None.")
            add("")
        for key, members in regressions:
            add("### %s (%d %s)" % (_md_escape(key), len(members),
                                    "test" if len(members) == 1 else "tests"))
            add("")
            for t in members:
                add("- `%s` (%s): %s" % (t.name, t.op_type,
                                         _md_escape(t.reason)))
                if t.note:
                    add("  `%s`" % t.note.replace("`", "'"))
                add("")
                add("  ```sh")
                for command in repro_commands(t):
                    add("  " + command)
                add("  ```")
            add("")
    add("| op type | in scope | passed | failed | unsupported | failure "
        "reasons |")
    add("|---|---|---:|---:|---:|---|")
    for op, op_tests in per_op(tests).items():
        c = counts(op_tests)
        groups = {}
        for t in op_tests:
            if t.status != "pass":
                groups.setdefault(_reason_class(t.reason), []).append(t.name)
        reasons = "; ".join(
            "%s (%d)" % (r, len(n)) if len(n) > 1 else r
            for r, n in sorted(groups.items(), key=lambda kv: -len(kv[1])))
        scoped = "no" if op in OUT_OF_SCOPE_OPS else "yes"
        add("| %s | %s | %d | %d | %d | %s |" % (
            op, scoped, c["pass"], c["fail"], c["unsupported"],
            _md_escape(reasons)))
    add("")
    add("## In-scope tests that do not pass, by reason")
    add("")
    add("| reason | tests | op types |")
    add("|---|---:|---|")
    classes = {}
    for t in in_scope(tests):
        if t.status != "pass":
            key = _coarse_reason(t.reason)
            classes.setdefault(key, []).append(t)
    for key, members in sorted(classes.items(),
                               key=lambda kv: (-len(kv[1]), kv[0])):
        add("| %s | %d | %s |" % (_md_escape(key), len(members), ", ".join(
            sorted({t.op_type for t in members}))))
    add("")
    add("## Out of scope")
    add("")
    add("These ops are run and listed above but do not count towards the "
        "in-scope pass rate.")
    add("")
    for reason, ops in OUT_OF_SCOPE.items():
        add("- %s: %s" % (reason, ", ".join(sorted(ops))))
    for pattern, reason in TEST_OUT_OF_SCOPE:
        add("- tests matching `%s`: %s" % (pattern, reason))
    add("")
    add("## Tests that do not pass")
    add("")
    add("| test | op type | in scope | status | reason |")
    add("|---|---|---|---|---|")
    for t in sorted(tests, key=lambda t: t.name):
        if t.status != "pass":
            add("| %s | %s | %s | %s | %s |" % (
                t.name, t.op_type,
                "yes" if t.out_of_scope_reason is None else "no",
                t.status, _md_escape(t.reason)))
    add("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def read_expect(path):
    with open(path) as f:
        return [l.strip() for l in f
                if l.strip() and not l.lstrip().startswith("#")]


def write_expect(tests, path, compiled=False):
    passing = sorted(t.name for t in tests if t.status == "pass")
    with open(path, "w") as f:
        if compiled:
            f.write("# ONNX backend node tests that pass JIT-compiled through "
                    "the CPU backend (mica-run\n"
                    "# --specialize-shapes). "
                    "test/conformance/onnx-node-tests-compiled.test fails "
                    "when one of\n"
                    "# them stops passing. Regenerate with: "
                    "run_onnx_node_tests.py --compiled --write-expect\n")
        else:
            f.write("# ONNX backend node tests that pass through mica-import "
                    "and mica-run --reference.\n"
                    "# test/conformance/onnx-node-tests.test fails when one "
                    "of them stops passing.\n"
                    "# Regenerate with: run_onnx_node_tests.py "
                    "--write-expect test/conformance/expected-pass.txt\n")
        for name in passing:
            f.write(name + "\n")


# ===----------------------------------------------------------------------===#
# Main
# ===----------------------------------------------------------------------===#

def find_tool(name, tools_dir):
    if tools_dir:
        path = os.path.join(tools_dir, name)
        if os.path.exists(path):
            return path
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "..", "build", "bin", name),):
        if os.path.exists(candidate):
            return os.path.normpath(candidate)
    found = shutil.which(name)
    if not found:
        sys.exit("error: cannot find %s (pass --tools-dir)" % name)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR,
                        help="ONNX node test root (default: %(default)s)")
    parser.add_argument("--tools-dir",
                        help="directory with mica-import and mica-run")
    parser.add_argument("-j", "--jobs", type=int, default=2,
                        help="parallel workers (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds per tool run (default: %(default)s)")
    parser.add_argument("--rtol", type=float, default=DEFAULT_RTOL)
    parser.add_argument("--atol", type=float, default=DEFAULT_ATOL)
    parser.add_argument("--fast", action="store_true",
                        help="run mica-run on model.onnx directly (no "
                        "separate mica-import process)")
    parser.add_argument("--compiled", action="store_true",
                        help="JIT-compile every test through the CPU "
                        "backend (mica-run --specialize-shapes) instead of "
                        "evaluating it with mica-run --reference")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="run at most N tests per op type (the first by "
                        "name, after --filter and --only-expected): a "
                        "deterministic representative subset")
    parser.add_argument("--reference-expect", metavar="FILE",
                        help="with --compiled: the tests that pass on the "
                        "reference evaluator (default: "
                        "test/conformance/expected-pass.txt); the report "
                        "and the docs list those that fail compiled")
    parser.add_argument("--filter", action="append", default=[],
                        help="only tests whose name matches this regex "
                        "(repeatable)")
    parser.add_argument("--expect", metavar="FILE",
                        help="exit 1 when a test listed in FILE does not "
                        "pass")
    parser.add_argument("--write-expect", metavar="FILE", nargs="?",
                        const="__default__",
                        help="rewrite FILE (default: the --expect file or "
                        "test/conformance/expected-pass.txt, with "
                        "--compiled expected-pass-compiled.txt) with the "
                        "tests that pass")
    parser.add_argument("--write-docs", metavar="FILE",
                        help="write the Markdown conformance table to FILE")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every test that does not pass")
    parser.add_argument("--quiet-table", action="store_true",
                        help="print only totals (and failures with -v)")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="print the N slowest tests")
    parser.add_argument("--only-expected", action="store_true",
                        help="run only the tests listed in the --expect "
                        "file (a quick regression check; the summary then "
                        "covers those tests only)")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.data_dir):
        sys.exit("error: no ONNX node tests at '%s' (install "
                 "libonnx-testdata or pass --data-dir)" % args.data_dir)
    here = os.path.dirname(os.path.abspath(__file__))
    tools = {n: find_tool(n, args.tools_dir)
             for n in ("mica-import", "mica-run")}
    tests = discover(args.data_dir, args.filter)
    expected = read_expect(args.expect) if args.expect else []
    if args.only_expected:
        if not args.expect:
            sys.exit("error: --only-expected needs --expect FILE")
        wanted = set(expected)
        tests = [t for t in tests if t.name in wanted]
    if args.sample > 0:
        tests = sample(tests, args.sample)
    if (args.filter or args.sample) and expected:
        names = {t.name for t in tests}
        expected = [n for n in expected if n in names]
    config = Config(tools, args.timeout, args.rtol, args.atol, args.fast,
                    args.compiled)

    start = time.time()
    tmp_root = tempfile.mkdtemp(prefix="mica-onnx-node-")
    try:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_test, t, config, tmp_root)
                       for t in tests]
            for f in futures:
                f.result()
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    elapsed = time.time() - start

    if args.quiet_table:
        if args.verbose:
            for t in sorted(tests, key=lambda t: t.name):
                if t.status != "pass":
                    print("%s %s [%s]: %s" % (t.status.upper(), t.name,
                                              t.op_type, t.reason))
        for line in totals_text(tests)[0]:
            print(line)
    else:
        print_report(tests, args.verbose)
    for t in sorted(tests, key=lambda t: -t.seconds)[:args.slowest]:
        print("slow: %6.2fs %s" % (t.seconds, t.name))
    reference_passes = set()
    if args.compiled:
        reference_passes = set(read_expect(
            args.reference_expect or os.path.join(here, "expected-pass.txt")))
        regressions = compiled_regressions(tests, reference_passes)
        print("Pass on the reference evaluator but fail compiled: %d" % sum(
            len(m) for _, m in regressions))
        if args.verbose:
            for key, members in regressions:
                print("  %s (%d): %s" % (key, len(members), " ".join(
                    t.name for t in members)))
    print("Ran %d tests in %.1fs with %d workers%s%s%s%s" % (
        len(tests), elapsed, args.jobs,
        " (compiled)" if args.compiled else "",
        " (fast mode)" if args.fast else "",
        " (only the expected-pass tests)" if args.only_expected else "",
        " (at most %d per op type)" % args.sample if args.sample else ""))

    if args.write_docs:
        shown = ["--compiled"] if args.compiled else []
        shown += ["--fast"] if args.fast else []
        shown += ["--write-docs", "docs/onnx-support%s.md" % (
            "-compiled" if args.compiled else "")]
        write_docs(tests, args.write_docs, " ".join(shown), args.data_dir,
                   args.compiled, reference_passes)
    if args.write_expect:
        path = args.write_expect
        if path == "__default__":
            path = args.expect or os.path.join(here, "expected-pass%s.txt" % (
                "-compiled" if args.compiled else ""))
        write_expect(tests, path, args.compiled)

    status = 0
    if expected:
        by_name = {t.name: t for t in tests}
        missing = [n for n in expected if n not in by_name]
        regressed = [by_name[n] for n in expected
                     if n in by_name and by_name[n].status != "pass"]
        for n in missing:
            print("REGRESSION %s: listed in %s but not found" % (
                n, args.expect))
        for t in regressed:
            print("REGRESSION %s [%s]: %s: %s" % (t.name, t.op_type, t.status,
                                                 t.reason))
        if missing or regressed:
            print("%d of %d expected-pass tests do not pass" % (
                len(missing) + len(regressed), len(expected)))
            status = 1
        else:
            print("All %d expected-pass tests pass" % len(expected))
    return status


if __name__ == "__main__":
    sys.exit(main())
