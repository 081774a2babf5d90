//===- TFToMica.h - TensorFlow GraphDef importer ----------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Imports frozen TensorFlow 1.x GraphDefs (binary `.pb` or text `.pbtxt`)
/// into a `func.func` of `mica` ops. The graph is pruned to the nodes that
/// the chosen outputs need; Identity-like and control-only nodes vanish;
/// TF1 while loops (Enter/Merge/Switch/Exit/NextIteration/LoopCond with
/// TensorArrayV3 ops, as written by tf.nn.dynamic_rnn) become `scf.while`
/// ops whose bodies are mica ops.
///
/// Every op is located at its source node, in the ONNX importer's format:
///   loc(fused<"OpType">["scope/node_name"("graph.pb":0:0)])
/// so `describeTFLocation` (and the ONNX one) render diagnostics as
/// "graph.pb: node 'scope/node_name' (OpType)". Function arguments and
/// results carry the TF tensor name in a `mica.name` attribute ("x" for
/// output 0 of node x, "x:1" otherwise).
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_TFTOMICA_TFTOMICA_H
#define MICA_CONVERSION_TFTOMICA_TFTOMICA_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
class MLIRContext;
class DialectRegistry;
} // namespace mlir

namespace mica {

/// A graph input chosen by `--inputs name:0=1x784`.
struct TFInputSpec {
  /// Tensor name ("x", "x:0" or "x:1").
  std::string name;
  /// Shape to give it; std::nullopt keeps the placeholder's own shape. A
  /// dim of `mlir::ShapedType::kDynamic` stays dynamic.
  std::optional<llvm::SmallVector<int64_t>> shape;
};

/// A tensor replaced by a constant with `--const name:0=1.0`.
struct TFConstSpec {
  /// Tensor name ("keep_prob", "keep_prob:0").
  std::string name;
  /// The values; one value is splatted to the tensor's (static) shape.
  llvm::SmallVector<double> values;
};

/// Options of the TensorFlow importer.
struct TFImportOptions {
  /// Graph inputs in argument order. Empty: every Placeholder that the
  /// outputs need, in graph order.
  llvm::SmallVector<TFInputSpec> inputs;
  /// Graph outputs (tensor names) in result order. Empty: every output 0
  /// of a node that no other node consumes (NoOps, Asserts, constants and
  /// placeholders excluded).
  llvm::SmallVector<std::string> outputs;
  /// Tensors fed as constants (e.g. a dropout keep_prob of 1).
  llvm::SmallVector<TFConstSpec> consts;
  /// Name of the generated function; empty = "main".
  std::string functionName;
  /// Constants with at most this many elements become plain `dense`
  /// attributes, larger ones `dense_resource` blobs.
  int64_t maxDenseElements = 16;
};

/// Parses a `--inputs` list "x:0=1x784,y=?x128,z" into `inputs` ("?" or
/// "-1" is a dynamic dim, "scalar" a 0-D shape, no "=" keeps the
/// placeholder's shape). Returns an error message, or "" on success.
std::string parseTFInputSpecs(llvm::StringRef spec,
                              llvm::SmallVectorImpl<TFInputSpec> &inputs);

/// Parses a `--const` list "keep_prob:0=1.0,n=3" (a value list in
/// brackets, "t=[1,2,3]", is allowed too). Returns an error message, or ""
/// on success.
std::string parseTFConstSpecs(llvm::StringRef spec,
                              llvm::SmallVectorImpl<TFConstSpec> &consts);

/// Imports the GraphDef at `path`: the text format when the file ends in
/// `.pbtxt` (or `.pbtext`, `.txt`), else binary protobuf. Returns null after
/// emitting diagnostics; all unsupported ops of the graph are reported in
/// one go.
mlir::OwningOpRef<mlir::ModuleOp>
importTFGraphFile(llvm::StringRef path, mlir::MLIRContext *context,
                  const TFImportOptions &options = {});

/// Imports a GraphDef held in memory (serialized, or text when `isText`).
/// `graphPath` names the graph in locations.
mlir::OwningOpRef<mlir::ModuleOp>
importTFGraphBuffer(llvm::StringRef bytes, bool isText,
                    llvm::StringRef graphPath, mlir::MLIRContext *context,
                    const TFImportOptions &options = {});

/// True when `path` names a TensorFlow graph (`.pb`, `.pbtxt`, `.pbtext`).
bool isTFGraphPath(llvm::StringRef path);

/// Registers the dialects the importer creates (mica, func, scf, tensor).
void registerTFImportDialects(mlir::DialectRegistry &registry);

/// Renders an importer location as "graph.pb: node 'name' (OpType)"; other
/// locations as their file name (and line:col when known), or "".
std::string describeTFLocation(mlir::Location loc);

} // namespace mica

#endif // MICA_CONVERSION_TFTOMICA_TFTOMICA_H
