//===- Importer.h - ONNX importer internals ---------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Internals shared by the ONNX importer's op converters: the import state
/// (values by name, types from shape inference, constants), the per-node
/// context handed to converters, and the converter table.
///
/// A converter maps one ONNX node to mica ops. It reads operands with
/// `ctx.input(i)` (null for absent optional inputs), attributes with
/// `ctx.attr*`, compile-time constant operands with `ctx.constInts`,
/// creates ops with `ctx.create<OpT>` (result types inferred without
/// aborting on bad input) and binds the node's outputs with `ctx.setResult`.
/// Errors are emitted with `ctx.emitError()` at the node's location.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_ONNXTOMICA_IMPORTER_H
#define MICA_CONVERSION_ONNXTOMICA_IMPORTER_H

#include "mica/Conversion/ImportUtils.h"
#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx_pb.h"

#include <optional>

namespace mica::onnx_import {

class NodeContext;

/// Converts one node; returns failure after emitting a diagnostic.
using ConverterFn = llvm::LogicalResult (*)(NodeContext &);

/// A converter for an op type, valid for opsets [minOpset, maxOpset] of the
/// op's domain. Converters dispatch on `ctx.opset()` where semantics changed.
struct Converter {
  ConverterFn fn;
  int64_t minOpset = 1;
  int64_t maxOpset = 17;
};

/// Converters by "domain::OpType" (the default domain is "").
using ConverterTable = llvm::StringMap<Converter>;

/// Key of `opType` in `domain` in the converter table.
std::string converterKey(llvm::StringRef domain, llvm::StringRef opType);

/// Element type of an ONNX TensorProto data type, or null if mica has none.
mlir::Type convertElementType(mlir::MLIRContext *ctx, int32_t onnxType);

/// Printable name of an ONNX data type ("FLOAT", "DOUBLE", ...).
llvm::StringRef onnxTypeName(int32_t onnxType);

/// State of one import: values by name and the pieces to build ops.
class ImportState {
public:
  ImportState(mlir::MLIRContext *ctx, llvm::StringRef modelPath,
              int64_t maxDenseElements)
      : ctx(ctx), modelPath(modelPath.str()),
        maxDenseElements(maxDenseElements) {}

  mlir::MLIRContext *ctx;
  /// Path of the model as given; external data resolves next to it.
  std::string modelPath;
  /// Constants with at most this many elements become `dense`.
  int64_t maxDenseElements;
  /// Imported values by ONNX name.
  llvm::StringMap<mlir::Value> values;
  /// Types of ONNX values after shape inference (inputs, value_info,
  /// outputs).
  llvm::StringMap<const onnx::TypeProto *> valueTypes;
  /// Opset of each domain ("" = default domain).
  llvm::StringMap<int64_t> opsets;

  /// The name of `node`, or its first output's name when it has none.
  std::string nodeName(const onnx::NodeProto &node) const;
  /// The location of `node`: fused<op_type>[name(file:0:0)].
  mlir::Location nodeLoc(const onnx::NodeProto &node) const;
  /// The location of the model file itself.
  mlir::Location fileLoc() const;

  /// Converts an ONNX type to a ranked tensor type; emits an error at `loc`
  /// naming `what` when the type is not a tensor, has no rank or its element
  /// type is not supported.
  mlir::FailureOr<mlir::RankedTensorType>
  convertType(const onnx::TypeProto &type, llvm::StringRef what,
              mlir::Location loc) const;

  /// Converts a TensorProto (initializer or Constant value) to an
  /// ElementsAttr: `dense` when small, else a `dense_resource` blob that
  /// takes over the tensor's raw bytes (the proto is mutated) or maps its
  /// external data file. Emits an error at `loc` on failure.
  mlir::FailureOr<mlir::ElementsAttr>
  convertTensor(onnx::TensorProto &tensor, mlir::Location loc);
};

// Reading constant elements is shared with the other importer and the
// rewrites (mica/Dialect/Mica/IR/ConstantUtils.h).
using mica::readFloatElements;
using mica::readIntElements;

/// The per-node view converters work with.
class NodeContext {
public:
  NodeContext(ImportState &state, const onnx::NodeProto &node,
              mlir::OpBuilder &builder, int64_t opset)
      : state(state), node(node), builder(builder), loc(state.nodeLoc(node)),
        nodeOpset(opset) {}

  ImportState &state;
  const onnx::NodeProto &node;
  mlir::OpBuilder &builder;
  mlir::Location loc;

  /// Opset of the node's domain in this model.
  int64_t opset() const { return nodeOpset; }
  mlir::MLIRContext *getContext() const { return state.ctx; }

  /// Emits an error located at the node.
  mlir::InFlightDiagnostic emitError() const {
    return mlir::emitError(loc);
  }

  //===--------------------------------------------------------------------===//
  // Operands
  //===--------------------------------------------------------------------===//

  /// Number of inputs written in the node (including empty ones).
  unsigned numInputs() const { return node.input_size(); }
  /// The `i`th input, or null when absent (past the end or empty name).
  mlir::Value input(unsigned i) const;
  /// The `i`th input; emits an error naming it when absent.
  mlir::FailureOr<mlir::Value> requiredInput(unsigned i) const;
  /// Type of the `i`th input (which must be present).
  mlir::RankedTensorType inputType(unsigned i) const;

  /// The values of a compile-time constant integer input (initializer,
  /// Constant node or foldable shape computation). std::nullopt when absent
  /// or not constant.
  std::optional<llvm::SmallVector<int64_t>> constInts(unsigned i) const;
  /// Like constInts for float (or integer) values.
  std::optional<llvm::SmallVector<double>> constFloats(unsigned i) const;
  /// constInts that emits "input <what> must be a compile-time constant"
  /// when the input is present but not constant.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  requireConstInts(unsigned i, llvm::StringRef what) const;
  /// Emits "input '<what>' ('<value>') must be <requirement>" for input
  /// `i`; when the value is a graph input, a note tells how to freeze it
  /// (`--freeze-input <value>=<tensor.pb>`).
  mlir::InFlightDiagnostic
  emitNotConstant(unsigned i, llvm::StringRef what,
                  llvm::StringRef requirement = "a compile-time constant") const;

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  const onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return findAttr(name); }
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name) const;
  llvm::SmallVector<float> attrFloats(llvm::StringRef name) const;
  llvm::SmallVector<std::string> attrStrings(llvm::StringRef name) const;

  //===--------------------------------------------------------------------===//
  // Results
  //===--------------------------------------------------------------------===//

  /// Number of outputs written in the node.
  unsigned numOutputs() const { return node.output_size(); }
  /// True when output `i` is written and named.
  bool hasOutput(unsigned i) const {
    return static_cast<int>(i) < node.output_size() &&
           !node.output(i).empty();
  }
  /// The shape-inferred type of output `i`; null when ONNX shape inference
  /// gave it no rank (e.g. Reshape of a computed shape in opset <= 17).
  mlir::RankedTensorType inferredOutputType(unsigned i) const;
  /// The type of output `i`: the shape-inferred type refined with the
  /// static dims of `computed` (the importer's own derivation), or
  /// `computed` alone when shape inference has no rank. Emits an error when
  /// neither is known.
  mlir::FailureOr<mlir::RankedTensorType>
  outputType(unsigned i, mlir::RankedTensorType computed = nullptr) const;
  /// Binds output `i` to `value`.
  void setResult(unsigned i, mlir::Value value);

  //===--------------------------------------------------------------------===//
  // Building ops
  //===--------------------------------------------------------------------===//

  /// Creates `OpT` (an op with type inference) from `args`, infers its
  /// result types and verifies it (see createInferredOp): never aborts on
  /// a bad model.
  template <typename OpT, typename... Args>
  mlir::FailureOr<OpT> create(unsigned numResults, Args &&...args) {
    return createInferredOp<OpT>(builder, loc, numResults,
                                 std::forward<Args>(args)...);
  }
  /// create<OpT> for single-result ops, returning the result value.
  template <typename OpT, typename... Args>
  mlir::FailureOr<mlir::Value> createValue(Args &&...args) {
    auto op = create<OpT>(1, std::forward<Args>(args)...);
    if (mlir::failed(op))
      return mlir::failure();
    return (*op)->getResult(0);
  }

  /// A `mica.constant` of i64 values of shape [values.size()] (or 0-D when
  /// `scalar`).
  mlir::Value i64Constant(llvm::ArrayRef<int64_t> values,
                          bool scalar = false);
  /// A `mica.constant` splat of `value` with element type `elt` and
  /// `shape` (0-D by default).
  mlir::Value scalarConstant(mlir::Type elt, double value,
                             llvm::ArrayRef<int64_t> shape = {});
  /// A static reshape of `value` to `shape` (at most one dynamic dim).
  mlir::FailureOr<mlir::Value> reshape(mlir::Value value,
                                       llvm::ArrayRef<int64_t> shape);
  /// Casts `value` to element type `elt` (no-op when equal).
  mlir::Value castTo(mlir::Value value, mlir::Type elt);

private:
  int64_t nodeOpset;
};

//===----------------------------------------------------------------------===//
// Converter families (one file each)
//===----------------------------------------------------------------------===//

/// Add/Sub/..., unary math, activations, comparisons, logic, Where, Cast,
/// Identity, Dropout.
void populateElementwiseConverters(ConverterTable &table);
/// MatMul, Gemm, Einsum, Conv, pooling.
void populateContractionConverters(ConverterTable &table);
/// Reshape, Transpose, Concat, Split, Slice, Gather*, Scatter*, Expand,
/// Tile, Pad, Shape, Size, Range, ConstantOfShape, Constant, OneHot,
/// Resize.
void populateShapeConverters(ConverterTable &table);
/// Reductions, ArgMax/ArgMin, Softmax, normalizations, TopK, CumSum.
void populateReductionConverters(ConverterTable &table);
/// LSTM, GRU.
void populateRecurrentConverters(ConverterTable &table);
/// com.microsoft contrib ops.
void populateContribConverters(ConverterTable &table);

/// The full table (built once).
const ConverterTable &getConverterTable();

} // namespace mica::onnx_import

#endif // MICA_CONVERSION_ONNXTOMICA_IMPORTER_H
