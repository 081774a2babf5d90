#!/usr/bin/env python3
"""Writes OUT/model.onnx whose weight is stored in OUT/weights.bin
(ONNX external data), for the importer's external-data test."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
w = numpy_helper.from_array(
    np.arange(64 * 32, dtype=np.float32).reshape(64, 32) / 100.0, "weight")
b = numpy_helper.from_array(np.ones(32, dtype=np.float32), "bias")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "weight"], ["mm"], name="proj/MatMul"),
     helper.make_node("Add", ["mm", "bias"], ["y"], name="proj/Add")],
    "external", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32])],
    initializer=[w, b])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
onnx.save_model(model, os.path.join(out, "model.onnx"),
                save_as_external_data=True, all_tensors_to_one_file=True,
                location="weights.bin", size_threshold=1024)
