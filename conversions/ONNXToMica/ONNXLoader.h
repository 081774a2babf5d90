//===- ONNXLoader.h - libonnx-facing helpers --------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The calls into libonnx that may throw (text parser, checker, shape
/// inference) live in MicaONNXLoader, the only part of the importer that is
/// compiled with exceptions. Each function catches std::exception and
/// returns its message instead: an empty string means success.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_ONNXTOMICA_ONNXLOADER_H
#define MICA_CONVERSION_ONNXTOMICA_ONNXLOADER_H

#include "onnx/onnx_pb.h"

#include <string>

namespace mica::onnx_loader {

/// Parses a serialized ModelProto from the file `path`, streaming it (the
/// file is never held in memory twice).
std::string parseBinaryFile(const std::string &path, onnx::ModelProto &model);

/// Parses a serialized ModelProto held in memory.
std::string parseBinary(const char *data, size_t size,
                        onnx::ModelProto &model);

/// Parses the ONNX text format (onnx/defs/parser.h). `text` must be
/// null-terminated.
std::string parseText(const char *text, onnx::ModelProto &model);

/// Runs onnx::checker::check_model (full check off: shape inference runs
/// separately and strictly).
std::string checkModel(const onnx::ModelProto &model);

/// Runs strict ONNX shape inference (type checks, node errors thrown, data
/// propagation on) and stores the value types in the graph's value_info.
std::string inferShapes(onnx::ModelProto &model);

} // namespace mica::onnx_loader

#endif // MICA_CONVERSION_ONNXTOMICA_ONNXLOADER_H
