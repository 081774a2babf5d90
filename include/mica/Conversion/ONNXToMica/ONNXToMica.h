//===- ONNXToMica.h - ONNX model importer -----------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Imports ONNX models (binary protobuf, with external data files, or the
/// ONNX text format) into a `func.func` of `mica` ops. libonnx parses,
/// checks and shape-infers the model; this library maps each node to mica
/// ops and the initializers to `mica.constant`s (`dense_resource` blobs for
/// weights, `dense` for small tensors).
///
/// Every op is located at its source node:
///   loc(fused<"OpType">["node_name"("model.onnx":0:0)])
/// i.e. a FusedLoc whose metadata is the op type (domain-qualified outside
/// the default domain, e.g. "com.microsoft.Attention") around a NameLoc of
/// the node name (the first output's name for unnamed nodes) over a
/// FileLineColLoc of the model file. Errors are emitted as diagnostics at
/// those locations; see `describeONNXLocation` to render them.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_ONNXTOMICA_ONNXTOMICA_H
#define MICA_CONVERSION_ONNXTOMICA_ONNXTOMICA_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace mlir {
class MLIRContext;
class DialectRegistry;
} // namespace mlir

namespace mica {

/// Options of the ONNX importer.
struct ONNXImportOptions {
  /// Static shapes to pin graph inputs to, by input name (e.g. "input_ids"
  /// -> {1, 128}). Shape inference then runs again so that every value gets
  /// the static type that follows.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs to freeze: by input name, the path of a serialized ONNX
  /// TensorProto whose value the input takes. The input becomes an
  /// initializer (a constant) before checking and shape inference, so ops
  /// that need compile-time constant operands (Reshape shapes, Slice
  /// starts, Pad pads, ...) import when a model feeds them as inputs.
  llvm::StringMap<std::string> frozenInputs;
  /// Name of the generated function; empty = "main".
  std::string functionName;
  /// Initializers and constants with at most this many elements become
  /// plain `dense` attributes, larger ones `dense_resource` blobs.
  int64_t maxDenseElements = 16;
  /// Run onnx::checker on the model before importing it.
  bool runChecker = true;
};

/// Parses an `--input-shape` spec "name=1x128,other=4x?x8" into `shapes`
/// ("?" or "-1" keeps a dim dynamic). Returns an error message on failure,
/// an empty string on success.
std::string parseInputShapes(llvm::StringRef spec,
                             llvm::StringMap<llvm::SmallVector<int64_t>> &shapes);

/// Imports the ONNX model at `path`: binary protobuf, or the ONNX text
/// format when the file ends in `.onnxtxt` (or `.txt`). External data files
/// are resolved next to the model. Returns null after emitting diagnostics
/// (all unsupported ops of the model are reported in one go).
mlir::OwningOpRef<mlir::ModuleOp>
importONNXFile(llvm::StringRef path, mlir::MLIRContext *context,
               const ONNXImportOptions &options = {});

/// Imports a model held in memory. `bytes` is a serialized ModelProto, or
/// ONNX text when `isText`; `modelPath` names the model in locations and is
/// the base for external data files.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXBuffer(llvm::StringRef bytes, bool isText, llvm::StringRef modelPath,
                 mlir::MLIRContext *context,
                 const ONNXImportOptions &options = {});

/// Registers the dialects the importer creates (mica, func).
void registerONNXImportDialects(mlir::DialectRegistry &registry);

/// Renders an importer location as "model.onnx: node 'name' (OpType)";
/// other locations as their file name (or an empty string).
std::string describeONNXLocation(mlir::Location loc);

} // namespace mica

#endif // MICA_CONVERSION_ONNXTOMICA_ONNXTOMICA_H
