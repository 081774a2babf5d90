//===- Importer.h - TensorFlow importer internals ---------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Internals shared by the TensorFlow importer's op converters: the import
/// state (values by tensor name in nested scopes, TensorArrays, constants),
/// the per-node context handed to converters and the converter table.
///
/// A converter maps one NodeDef to mica ops. It reads data inputs with
/// `ctx.input(i)` (control inputs are not counted), attributes with
/// `ctx.attr*`, compile-time constant inputs with `ctx.constInts`, creates
/// ops with `ctx.create<OpT>` (result types inferred without aborting on bad
/// input, then folded) and binds outputs with `ctx.setResult`. Errors are
/// emitted with `ctx.emitError()` at the node's location.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_TFTOMICA_IMPORTER_H
#define MICA_CONVERSION_TFTOMICA_IMPORTER_H

#include "mica/Conversion/TFToMica/graph.pb.h"
#include "mica/Conversion/ImportUtils.h"
#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace mica::tf_import {

class NodeContext;

/// Converts one node; returns failure after emitting a diagnostic.
using ConverterFn = llvm::LogicalResult (*)(NodeContext &);

/// Converters by TF op type.
using ConverterTable = llvm::StringMap<ConverterFn>;

/// A parsed NodeDef input: "node", "node:N" or "^node".
struct TensorRef {
  llvm::StringRef node;
  unsigned index = 0;
  bool control = false;
};

/// Splits an input string into node name, output index and control flag.
TensorRef parseTensorRef(llvm::StringRef input);

/// The canonical tensor name "node:N" used as a value key.
std::string tensorKey(llvm::StringRef node, unsigned index);

/// Element type of a TF DataType, or null when mica has none.
mlir::Type convertDataType(mlir::MLIRContext *ctx, int dtype);

/// Printable name of a DataType ("DT_FLOAT", ...).
std::string dataTypeName(int dtype);

/// Converts a TensorShapeProto to dims (unknown dims become dynamic).
/// std::nullopt for an unknown rank.
std::optional<llvm::SmallVector<int64_t>>
convertShape(const tf::TensorShapeProto &shape);

/// A FloatAttr, IntegerAttr or BoolAttr of element type `elt` holding
/// `value`.
mlir::Attribute scalarAttr(mlir::Type elt, double value);

/// A TensorArrayV3 handle. Its "flow" tensors are represented by the whole
/// array contents: a tensor `[size, element...]`.
struct TensorArrayInfo {
  const tf::NodeDef *node = nullptr;
  int64_t size = 0;
  mlir::RankedTensorType bufferType;
};

/// A value known only by its range: the output of RandomUniform and of
/// arithmetic with constants on it. Dead dropout (keep_prob = 1) turns it
/// into a constant (floor(1 + U[0, 1)) = 1); any other use is an error.
struct RandomRange {
  /// The RandomUniform node that produced it (named in errors).
  const tf::NodeDef *source = nullptr;
  /// Values lie in [lo, hi).
  double lo = 0, hi = 1;
  mlir::RankedTensorType type;
  /// The run-time shape (a 1-D integer tensor) when `type` has dynamic
  /// dims; a folded-away mask of that shape becomes a `mica.fill`.
  mlir::Value shape;
};

/// What a tensor name is bound to: an SSA value, a TensorArray handle or a
/// random range.
struct TFValue {
  mlir::Value value;
  int tensorArray = -1;
  int range = -1;
  explicit operator bool() const {
    return value || tensorArray >= 0 || range >= 0;
  }
};

/// Tensor names to values; a loop region's scope sees its parents'.
class ValueScope {
public:
  explicit ValueScope(ValueScope *parent = nullptr) : parent(parent) {}
  /// The binding of `key` here or in a parent scope (empty when none).
  TFValue lookup(llvm::StringRef key) const;
  void bind(llvm::StringRef key, TFValue value) { values[key] = value; }

private:
  ValueScope *parent;
  llvm::StringMap<TFValue> values;
};

/// State of one import.
class ImportState {
public:
  ImportState(mlir::MLIRContext *ctx, llvm::StringRef graphPath,
              int64_t maxDenseElements)
      : ctx(ctx), graphPath(graphPath.str()),
        maxDenseElements(maxDenseElements) {}

  mlir::MLIRContext *ctx;
  std::string graphPath;
  int64_t maxDenseElements;
  /// The innermost scope of values.
  ValueScope *scope = nullptr;
  llvm::SmallVector<TensorArrayInfo> tensorArrays;
  llvm::SmallVector<RandomRange> ranges;

  /// The location of `node`: fused<op>[name(file:0:0)].
  mlir::Location nodeLoc(const tf::NodeDef &node) const;
  /// The location of the graph file.
  mlir::Location fileLoc() const;

  /// Converts a TensorProto (a Const value) to an ElementsAttr in any TF
  /// encoding: tensor_content, typed *_val lists (a short list repeats its
  /// last value, an empty one is zeros), half_val for f16/bf16. `dense`
  /// when small, else a `dense_resource` blob named `name`.
  mlir::FailureOr<mlir::ElementsAttr>
  convertTensor(const tf::TensorProto &tensor, llvm::StringRef name,
                mlir::Location loc);
};

// Reading constant elements is shared with the other importer and the
// rewrites (mica/Dialect/Mica/IR/ConstantUtils.h).
using mica::readFloatElements;
using mica::readIntElements;

/// The per-node view converters work with.
class NodeContext {
public:
  NodeContext(ImportState &state, const tf::NodeDef &node,
              mlir::OpBuilder &builder);

  ImportState &state;
  const tf::NodeDef &node;
  mlir::OpBuilder &builder;
  mlir::Location loc;

  mlir::MLIRContext *getContext() const { return state.ctx; }
  llvm::StringRef opType() const { return node.op(); }

  /// Emits an error located at the node.
  mlir::InFlightDiagnostic emitError() const { return mlir::emitError(loc); }

  //===--------------------------------------------------------------------===//
  // Operands
  //===--------------------------------------------------------------------===//

  /// Number of data inputs (control inputs excluded).
  unsigned numInputs() const { return numDataInputs; }
  /// The binding of data input `i` (empty when unbound).
  TFValue lookup(unsigned i) const;
  /// The SSA value of data input `i`; an error when it is a TensorArray
  /// handle or a random value that did not fold away.
  mlir::FailureOr<mlir::Value> input(unsigned i) const;
  /// Type of input `i` (which must be a value).
  mlir::RankedTensorType inputType(unsigned i) const;
  /// Inputs [0, n) as values (all must be values).
  mlir::LogicalResult inputs(unsigned n,
                             llvm::SmallVectorImpl<mlir::Value> &out) const;
  /// The TensorArray that input `i` is a handle of; error when it is not.
  mlir::FailureOr<TensorArrayInfo *> tensorArray(unsigned i) const;

  /// Values of a compile-time constant integer input (constants and
  /// foldable shape computations); std::nullopt when not constant.
  std::optional<llvm::SmallVector<int64_t>> constInts(unsigned i) const;
  /// Like constInts for float (or integer) values.
  std::optional<llvm::SmallVector<double>> constFloats(unsigned i) const;
  /// constInts that emits "input <what> must be a compile-time constant".
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  requireConstInts(unsigned i, llvm::StringRef what) const;

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  const tf::AttrValue *findAttr(llvm::StringRef name) const;
  bool hasAttr(llvm::StringRef name) const { return findAttr(name); }
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const;
  float attrFloat(llvm::StringRef name, float dflt) const;
  bool attrBool(llvm::StringRef name, bool dflt) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef dflt) const;
  int attrType(llvm::StringRef name, int dflt) const;
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name) const;
  /// The element type named by type attribute `name`; error when absent or
  /// unsupported.
  mlir::FailureOr<mlir::Type> attrElementType(llvm::StringRef name) const;
  /// True when the NHWC/NCHW `data_format` attr says channels first.
  bool isNCHW() const;

  //===--------------------------------------------------------------------===//
  // Results
  //===--------------------------------------------------------------------===//

  /// Binds output `i` to `value`.
  void setResult(unsigned i, mlir::Value value);
  /// Binds output `i` to any binding.
  void setBinding(unsigned i, TFValue value);

  //===--------------------------------------------------------------------===//
  // Building ops
  //===--------------------------------------------------------------------===//

  /// Creates `OpT` from `args`, infers its result types, verifies (see
  /// createInferredOp) and folds it. Never aborts: failed inference or
  /// verification emits an error at the node.
  template <typename OpT, typename... Args>
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> create(unsigned numResults,
                                                         Args &&...args) {
    mlir::FailureOr<OpT> op = createInferredOp<OpT>(
        builder, loc, numResults, std::forward<Args>(args)...);
    if (mlir::failed(op))
      return mlir::failure();
    return fold(*op);
  }
  /// create<OpT> for single-result ops.
  template <typename OpT, typename... Args>
  mlir::FailureOr<mlir::Value> createValue(Args &&...args) {
    auto results = create<OpT>(1, std::forward<Args>(args)...);
    if (mlir::failed(results))
      return mlir::failure();
    return (*results)[0];
  }
  /// Creates an op with explicit result types, verifies it (errors at the
  /// node) and folds it.
  template <typename OpT, typename... Args>
  mlir::FailureOr<mlir::Value> createTyped(mlir::Type type, Args &&...args) {
    OpT op = OpT::create(builder, loc, type, std::forward<Args>(args)...);
    if (mlir::failed(mlir::verify(op.getOperation(), false))) {
      op->erase();
      return mlir::failure();
    }
    return fold(op)[0];
  }
  /// Folds `op` when its operands are constants; returns its results (or
  /// what they folded to).
  llvm::SmallVector<mlir::Value> fold(mlir::Operation *op);

  /// A 1-D i64 constant (0-D when `scalar`).
  mlir::Value i64Constant(llvm::ArrayRef<int64_t> values,
                          bool scalar = false);
  /// A splat constant of `value` with element type `elt` and `shape`.
  mlir::Value scalarConstant(mlir::Type elt, double value,
                             llvm::ArrayRef<int64_t> shape = {});
  /// A static reshape of `value` to `shape` (at most one dynamic dim).
  mlir::FailureOr<mlir::Value> reshape(mlir::Value value,
                                       llvm::ArrayRef<int64_t> shape);
  /// Transposes `value` by `perm`.
  mlir::FailureOr<mlir::Value> transpose(mlir::Value value,
                                         llvm::ArrayRef<int64_t> perm);
  /// Casts `value` to element type `elt` (no-op when equal).
  mlir::Value castTo(mlir::Value value, mlir::Type elt);

private:
  unsigned numDataInputs = 0;
};

//===----------------------------------------------------------------------===//
// Converter families (one file each)
//===----------------------------------------------------------------------===//

/// Arithmetic, math, activations, comparisons, logic, Select, Cast,
/// Identity-like ops and the random ops of dead dropout.
void populateElementwiseConverters(ConverterTable &table);
/// Reshape, Transpose, ExpandDims, Squeeze, ConcatV2, Pack, Unpack, Split,
/// SplitV, Slice, StridedSlice, GatherV2, OneHot, Shape, Fill, ZerosLike,
/// OnesLike, Range, Tile.
void populateShapeConverters(ConverterTable &table);
/// MatMul, BatchMatMul*, BiasAdd, Conv2D, DepthwiseConv2dNative, pooling,
/// FusedBatchNorm*, softmax, reductions, ArgMax/ArgMin.
void populateNNConverters(ConverterTable &table);
/// LSTMBlockCell and BlockLSTM.
void populateRecurrentConverters(ConverterTable &table);
/// TensorArrayV3 and its read/write/scatter/gather/size ops.
void populateTensorArrayConverters(ConverterTable &table);

/// A TF1 while-loop frame: the nodes between its Enters and Exits.
struct LoopFrame {
  /// The `frame_name` of its Enter nodes.
  std::string name;
  /// Member nodes in topological order (NextIteration -> Merge edges
  /// ignored), Enter and Exit nodes included.
  llvm::SmallVector<const tf::NodeDef *> nodes;
};

/// Converts one node (not a while-loop structure node) in the current
/// scope: Const, PlaceholderWithDefault and the converter table.
mlir::LogicalResult convertNode(ImportState &state, const tf::NodeDef &node,
                                mlir::OpBuilder &builder);

/// Imports `frame` as an `scf.while` at the builder's insertion point and
/// binds its Exit nodes. `nodes` finds nodes by name. On failure the error
/// names the frame and the first node that blocks it.
mlir::LogicalResult
importWhileLoop(ImportState &state, const LoopFrame &frame,
                const llvm::StringMap<const tf::NodeDef *> &nodes,
                mlir::OpBuilder &builder);

/// The full table (built once).
const ConverterTable &getConverterTable();

/// Op types the graph driver handles itself (Placeholder, Const, while-loop
/// structure, NoOp).
bool isStructuralOp(llvm::StringRef opType);

} // namespace mica::tf_import

#endif // MICA_CONVERSION_TFTOMICA_IMPORTER_H
