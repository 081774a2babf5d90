#!/usr/bin/python3
"""Check a directory written by gen_models.py.

For every OUT/<model>/model.onnx: run onnx.checker (full check, which includes
strict shape inference), check that test_data_set_0/{input,output}_<k>.pb load,
are named after graph input/output k, and agree in element type and rank (and
in each static dimension) with the graph's declared and inferred types; then
print the node op-type counts. Exits 1 if any model fails.

Usage:
    /usr/bin/python3 test/models/check_models.py DIR [DIR/<model> ...]
"""

import argparse
import collections
import glob
import os
import sys

import onnx
from onnx import numpy_helper, shape_inference


def _check_tensor(path, value_info):
    """Load a TensorProto file and check it against a graph ValueInfoProto."""
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    array = numpy_helper.to_array(tensor)
    ttype = value_info.type.tensor_type
    errors = []
    if tensor.name != value_info.name:
        errors.append(f"name {tensor.name!r} != {value_info.name!r}")
    if tensor.data_type != ttype.elem_type:
        errors.append(f"elem type {tensor.data_type} != {ttype.elem_type}")
    dims = ttype.shape.dim
    if len(dims) != array.ndim:
        errors.append(f"rank {array.ndim} != {len(dims)}")
    else:
        for axis, (d, n) in enumerate(zip(dims, array.shape)):
            if d.HasField("dim_value") and d.dim_value != n:
                errors.append(f"dim {axis}: {n} != {d.dim_value}")
    return errors


def check_model(model_dir):
    """Return (model, list of error strings) for one model dir."""
    model = onnx.load(os.path.join(model_dir, "model.onnx"))
    try:
        onnx.checker.check_model(model, full_check=True)
        inferred = shape_inference.infer_shapes(model, check_type=True,
                                                strict_mode=True)
    except (onnx.checker.ValidationError,
            shape_inference.InferenceError) as e:
        return model, [f"checker: {e}"]

    errors = []
    data_dir = os.path.join(model_dir, "test_data_set_0")
    for kind, infos in (("input", model.graph.input),
                        ("output", inferred.graph.output)):
        files = sorted(glob.glob(os.path.join(data_dir, f"{kind}_*.pb")))
        if len(files) != len(infos):
            errors.append(f"{len(files)} {kind} files for {len(infos)} "
                          f"graph {kind}s")
            continue
        for k, info in enumerate(infos):
            path = os.path.join(data_dir, f"{kind}_{k}.pb")
            errors += [f"{kind}_{k}.pb: {e}" for e in _check_tensor(path, info)]
    return model, errors


def _signature(model):
    """One-line 'name:type[dims]' summary of the graph inputs and outputs."""
    def fmt(v):
        t = v.type.tensor_type
        dims = ",".join(d.dim_param or str(d.dim_value) for d in t.shape.dim)
        return f"{v.name}:{onnx.TensorProto.DataType.Name(t.elem_type).lower()}[{dims}]"
    return (" ".join(fmt(v) for v in model.graph.input) + " -> "
            + " ".join(fmt(v) for v in model.graph.output))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="+",
                        help="output dir of gen_models.py, or model dirs")
    args = parser.parse_args()

    model_dirs = []
    for d in args.dirs:
        if os.path.isfile(os.path.join(d, "model.onnx")):
            model_dirs.append(d)
        else:
            model_dirs += sorted(os.path.dirname(p) for p in
                                 glob.glob(os.path.join(d, "*", "model.onnx")))
    if not model_dirs:
        parser.error("no model.onnx found")

    failed = 0
    for model_dir in model_dirs:
        name = os.path.basename(os.path.normpath(model_dir))
        model, errors = check_model(model_dir)
        ops = collections.Counter(n.op_type for n in model.graph.node)
        print(f"{name}: {'FAIL' if errors else 'ok'}")
        print(f"  {_signature(model)}")
        print("  " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
        for e in errors:
            print(f"  error: {e}")
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
