//===- MicaOps.cpp - Mica op verifiers and type inference -----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Result-type inference and verifiers of the `mica` ops. Inference
/// functions check what they need to compute a type and report the rule
/// that failed with the offending types; verifiers add the rules that do not
/// affect the result type and compare written and inferred types.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mica;

#define GET_OP_CLASSES
#include "mica/Dialect/Mica/IR/MicaOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
using Shape = SmallVector<int64_t>;
constexpr int64_t kDyn = ShapedType::kDynamic;

/// Emits "'<op>' op <message>" at `loc` when a location is given.
template <typename... Args>
LogicalResult fail(std::optional<Location> loc, StringRef opName,
                   Args &&...args) {
  return emitOptionalError(loc, "'", opName, "' op ",
                           std::forward<Args>(args)...);
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

/// Two dims agree unless both are static and differ.
bool dimsAgree(int64_t a, int64_t b) { return isDyn(a) || isDyn(b) || a == b; }

/// The more static of two agreeing dims.
int64_t mergeDim(int64_t a, int64_t b) { return isDyn(a) ? b : a; }

/// Verifies an op through its own inference function and compares the
/// result types.
template <typename OpT>
LogicalResult verifyInferred(OpT op) {
  SmallVector<Type> inferred;
  typename OpT::Adaptor adaptor(op);
  if (failed(OpT::inferReturnTypes(op.getContext(), op.getLoc(), adaptor,
                                   inferred)))
    return failure();
  if (!areCompatibleTensorTypes(inferred, op->getResultTypes()))
    return op.emitOpError("result type(s) ")
           << op->getResultTypes()
           << " incompatible with the type(s) inferred from the operands: "
           << inferred;
  return success();
}

/// Normalizes `axis` for `t`, or reports "axis N is out of range for T".
FailureOr<int64_t> checkedAxis(std::optional<Location> loc, StringRef opName,
                               int64_t axis, RankedTensorType t) {
  if (std::optional<int64_t> a = normalizeAxis(axis, t.getRank()))
    return *a;
  return fail(loc, opName, "axis ", axis, " is out of range for ", t);
}

/// Checks that `t` has rank `rank`.
LogicalResult expectRank(std::optional<Location> loc, StringRef opName,
                         StringRef what, RankedTensorType t, int64_t rank) {
  if (t.getRank() != rank)
    return fail(loc, opName, what, " must have rank ", rank, ", got ", t);
  return success();
}

/// Checks that `t` is the vector `[n]` (n may be dynamic).
LogicalResult expectVector(std::optional<Location> loc, StringRef opName,
                           StringRef what, RankedTensorType t, int64_t n) {
  if (t.getRank() != 1 || !dimsAgree(t.getDimSize(0), n))
    return fail(loc, opName, what, " must be a vector of size ",
                isDyn(n) ? std::string("?") : std::to_string(n), ", got ", t);
  return success();
}

LogicalResult sameElementType(std::optional<Location> loc, StringRef opName,
                              ValueRange values) {
  Type elt;
  for (Value v : values) {
    if (!v)
      continue;
    Type e = tensorType(v).getElementType();
    if (elt && e != elt) {
      std::string types;
      llvm::raw_string_ostream os(types);
      llvm::interleaveComma(values.getTypes(), os);
      return fail(loc, opName,
                  "operands must have the same element type, got ", types);
    }
    elt = e;
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type)
    return fail(loc, getOperationName(), "value must be a ranked tensor");
  types.push_back(type);
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from result type "
           << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type must be preserved, got ")
           << in << " -> " << out;
  int64_t outDyn = out.getNumDynamicDims();
  if (Value shape = getShape()) {
    int64_t len = tensorType(shape).getDimSize(0);
    if (!isDyn(len) && len != out.getRank())
      return emitOpError("shape operand has ")
             << len << " entries but the result " << out << " has rank "
             << out.getRank();
    if (auto values = getPartialShapeValues(shape)) {
      int64_t inferred = 0;
      for (auto [i, v] : llvm::enumerate(*values)) {
        if (!v)
          continue;
        if (*v == -1) {
          if (++inferred > 1)
            return emitOpError("shape operand may hold at most one -1");
          continue;
        }
        if (*v < 0)
          return emitOpError("shape operand entry ")
                 << i << " is negative (" << *v << ")";
        if (i < static_cast<size_t>(out.getRank()) &&
            !dimsAgree(*v, out.getDimSize(i)))
          return emitOpError("shape operand entry ")
                 << i << " is " << *v << " but the result type is " << out;
      }
    }
  } else if (outDyn > 1) {
    return emitOpError("without a shape operand the result may have at most "
                       "one dynamic dim, got ")
           << out;
  }
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("element count must be preserved, got ")
           << in << " (" << in.getNumElements() << " elements) -> " << out
           << " (" << out.getNumElements() << " elements)";
  if (in.hasStaticShape() && outDyn == 1) {
    int64_t known = 1;
    for (int64_t d : out.getShape())
      if (!isDyn(d))
        known *= d;
    if (known == 0 ? in.getNumElements() != 0
                   : in.getNumElements() % known != 0)
      return emitOpError("element count of ")
             << in << " is not a multiple of the static dims of " << out;
  }
  return success();
}

LogicalResult
ReshapeOp::reifyResultShapes(OpBuilder &b,
                             ReifiedRankedShapedTypeDims &reified) {
  Location loc = getLoc();
  RankedTensorType out = getType();
  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // Number of input elements.
  Value numel = idx(1);
  for (int64_t i = 0, e = getInput().getType().getRank(); i < e; ++i)
    numel = arith::MulIOp::create(
        b, loc, numel, tensor::DimOp::create(b, loc, getInput(), i));
  SmallVector<OpFoldResult> dims;
  if (!getShape()) {
    int64_t known = 1;
    for (int64_t d : out.getShape())
      if (!isDyn(d))
        known *= d;
    for (int64_t d : out.getShape())
      dims.push_back(isDyn(d) ? OpFoldResult(arith::DivSIOp::create(
                                    b, loc, numel, idx(std::max<int64_t>(
                                                       known, 1)))
                                    .getResult())
                              : OpFoldResult(b.getIndexAttr(d)));
    reified.push_back(dims);
    return success();
  }
  // Entries read at run time; -1 is the quotient of numel and the others.
  SmallVector<Value> entries;
  Value prodKnown = idx(1);
  Value minusOne = idx(-1);
  for (int64_t i = 0; i < out.getRank(); ++i) {
    Value v = tensor::ExtractOp::create(b, loc, getShape(), ValueRange{idx(i)});
    v = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    entries.push_back(v);
    Value isInfer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v,
                                          minusOne);
    prodKnown = arith::MulIOp::create(
        b, loc, prodKnown, arith::SelectOp::create(b, loc, isInfer, idx(1), v));
  }
  for (int64_t i = 0; i < out.getRank(); ++i) {
    if (!isDyn(out.getDimSize(i))) {
      dims.push_back(b.getIndexAttr(out.getDimSize(i)));
      continue;
    }
    Value isInfer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          entries[i], minusOne);
    Value q = arith::DivSIOp::create(b, loc, numel, prodKnown);
    dims.push_back(
        arith::SelectOp::create(b, loc, isInfer, q, entries[i]).getResult());
  }
  reified.push_back(dims);
  return success();
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return fail(loc, getOperationName(), "perm has ", perm.size(),
                " entries but the input ", in, " has rank ", in.getRank());
  llvm::SmallSet<int64_t, 8> seen;
  Shape shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || !seen.insert(p).second)
      return fail(loc, getOperationName(),
                  "perm must be a permutation of [0, rank), got [",
                  llvm::make_range(perm.begin(), perm.end()), "]");
    shape.push_back(in.getDimSize(p));
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult TransposeOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return fail(loc, name, "needs at least one input");
  if (failed(sameElementType(loc, name, inputs)))
    return failure();
  RankedTensorType first = tensorType(inputs.front());
  int64_t rank = first.getRank();
  std::optional<int64_t> axis =
      normalizeAxis(static_cast<int64_t>(adaptor.getAxis()), rank);
  if (!axis)
    return fail(loc, name, "axis ", static_cast<int64_t>(adaptor.getAxis()),
                " is out of range for rank ", rank);
  Shape shape(first.getShape());
  shape[*axis] = 0;
  for (Value v : inputs) {
    RankedTensorType t = tensorType(v);
    if (t.getRank() != rank)
      return fail(loc, name, "inputs must have the same rank, got ", first,
                  " and ", t);
    for (int64_t i = 0; i < rank; ++i) {
      if (i == *axis) {
        shape[i] = isDyn(shape[i]) || t.isDynamicDim(i)
                       ? kDyn
                       : shape[i] + t.getDimSize(i);
        continue;
      }
      if (!dimsAgree(shape[i], t.getDimSize(i)))
        return fail(loc, name, "inputs must agree on every dim but axis ",
                    *axis, ", got ", first, " and ", t);
      shape[i] = mergeDim(shape[i], t.getDimSize(i));
    }
  }
  types.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult ConcatOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = tensorType(adaptor.getInput());
  FailureOr<int64_t> axis = checkedAxis(loc, name, adaptor.getAxis(), in);
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (int64_t s : adaptor.getSizes()) {
    if (s < 0)
      return fail(loc, name, "split sizes must be non-negative, got ", s);
    total += s;
  }
  if (!in.isDynamicDim(*axis) && total != in.getDimSize(*axis))
    return fail(loc, name, "split sizes sum to ", total, " but dim ", *axis,
                " of ", in, " is ", in.getDimSize(*axis));
  for (int64_t s : adaptor.getSizes()) {
    Shape shape(in.getShape());
    shape[*axis] = s;
    types.push_back(RankedTensorType::get(shape, in.getElementType()));
  }
  return success();
}

LogicalResult SplitOp::verify() {
  if (getSizes().size() != getNumResults())
    return emitOpError("has ") << getNumResults() << " results but "
                               << getSizes().size() << " split sizes";
  return verifyInferred(*this);
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

/// Length of `[start:end:step]` over a static dim with ONNX clamping.
static int64_t sliceLength(int64_t dim, int64_t start, int64_t end,
                           int64_t step) {
  auto wrap = [&](int64_t v) { return v < 0 ? v + dim : v; };
  int64_t s = wrap(start), e = wrap(end);
  if (step > 0) {
    s = std::clamp<int64_t>(s, 0, dim);
    e = std::clamp<int64_t>(e, 0, dim);
    return e > s ? (e - s + step - 1) / step : 0;
  }
  s = std::clamp<int64_t>(s, -1, dim - 1);
  e = std::clamp<int64_t>(e, -1, dim - 1);
  return s > e ? (s - e + (-step) - 1) / (-step) : 0;
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes(), starts = adaptor.getStarts(),
                    ends = adaptor.getEnds(), steps = adaptor.getSteps();
  if (starts.size() != axes.size() || ends.size() != axes.size() ||
      steps.size() != axes.size())
    return fail(loc, name, "axes, starts, ends and steps must have the same "
                           "length, got ", axes.size(), ", ", starts.size(),
                ", ", ends.size(), ", ", steps.size());
  Shape shape(in.getShape());
  llvm::SmallSet<int64_t, 8> seen;
  for (size_t i = 0; i < axes.size(); ++i) {
    std::optional<int64_t> axis = normalizeAxis(axes[i], in.getRank());
    if (!axis || !seen.insert(*axis).second)
      return fail(loc, name, "axis ", axes[i],
                  " is out of range or repeated for ", in);
    if (steps[i] == 0)
      return fail(loc, name, "steps must be non-zero");
    if (!in.isDynamicDim(*axis))
      shape[*axis] =
          sliceLength(in.getDimSize(*axis), starts[i], ends[i], steps[i]);
    else
      shape[*axis] = kDyn;
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// GatherOp / GatherElementsOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorType(adaptor.getInput());
  RankedTensorType idx = tensorType(adaptor.getIndices());
  FailureOr<int64_t> axis = checkedAxis(loc, getOperationName(), adaptor.getAxis(), in);
  if (failed(axis))
    return failure();
  Shape shape(in.getShape().take_front(*axis));
  llvm::append_range(shape, idx.getShape());
  llvm::append_range(shape, in.getShape().drop_front(*axis + 1));
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult GatherOp::verify() { return verifyInferred(*this); }

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorType(adaptor.getInput());
  RankedTensorType idx = tensorType(adaptor.getIndices());
  if (in.getRank() != idx.getRank())
    return fail(loc, getOperationName(),
                "indices must have the rank of the input, got ", in, " and ",
                idx);
  if (failed(checkedAxis(loc, getOperationName(), adaptor.getAxis(), in)))
    return failure();
  types.push_back(RankedTensorType::get(idx.getShape(), in.getElementType()));
  return success();
}

LogicalResult GatherElementsOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// ExpandOp
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type must be preserved, got ")
           << in << " -> " << out;
  if (in.getRank() > out.getRank())
    return emitOpError("cannot broadcast ")
           << in << " to the lower rank of " << out;
  int64_t lead = out.getRank() - in.getRank();
  for (int64_t i = 0; i < in.getRank(); ++i) {
    int64_t d = in.getDimSize(i), o = out.getDimSize(lead + i);
    if (d != 1 && !dimsAgree(d, o))
      return emitOpError("input dim ")
             << i << " of " << in << " does not broadcast to " << out;
  }
  if (Value shape = getShape()) {
    int64_t len = tensorType(shape).getDimSize(0);
    if (!isDyn(len) && std::max(len, in.getRank()) != out.getRank())
      return emitOpError("result rank must be max(input rank, shape length) "
                         "= ")
             << std::max(len, in.getRank()) << ", got " << out;
  } else if (!out.hasStaticShape()) {
    for (int64_t i = 0; i < out.getRank(); ++i)
      if (out.isDynamicDim(i) &&
          (i < lead || !in.isDynamicDim(i - lead)))
        return emitOpError("without a shape operand a dynamic result dim "
                           "must come from a dynamic input dim, got ")
               << in << " -> " << out;
  }
  return success();
}

LogicalResult
ExpandOp::reifyResultShapes(OpBuilder &b,
                            ReifiedRankedShapedTypeDims &reified) {
  Location loc = getLoc();
  RankedTensorType in = getInput().getType(), out = getType();
  int64_t lead = out.getRank() - in.getRank();
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < out.getRank(); ++i) {
    if (!out.isDynamicDim(i)) {
      dims.push_back(b.getIndexAttr(out.getDimSize(i)));
      continue;
    }
    Value inDim = i >= lead ? tensor::DimOp::create(b, loc, getInput(),
                                                    i - lead)
                                  .getResult()
                            : arith::ConstantIndexOp::create(b, loc, 1)
                                  .getResult();
    if (!getShape()) {
      dims.push_back(inDim);
      continue;
    }
    int64_t shapeLen = out.getRank();
    Value pos = arith::ConstantIndexOp::create(
        b, loc, i - (out.getRank() - shapeLen));
    Value v = tensor::ExtractOp::create(b, loc, getShape(), ValueRange{pos});
    v = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    // Bidirectional broadcast: max(input dim, shape entry) for 1-vs-N.
    dims.push_back(arith::MaxSIOp::create(b, loc, inDim, v).getResult());
  }
  reified.push_back(dims);
  return success();
}

//===----------------------------------------------------------------------===//
// PadOp / TileOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return fail(loc, getOperationName(), "pads must have 2 * rank = ",
                2 * rank, " entries for ", in, ", got ", pads.size());
  Shape shape;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t d = in.getDimSize(i);
    if (isDyn(d)) {
      shape.push_back(kDyn);
      continue;
    }
    int64_t o = d + pads[i] + pads[i + rank];
    if (o < 0)
      return fail(loc, getOperationName(), "pads crop dim ", i, " of ", in,
                  " below zero");
    shape.push_back(o);
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult PadOp::verify() { return verifyInferred(*this); }

LogicalResult TileOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> m = adaptor.getMultiples();
  if (static_cast<int64_t>(m.size()) != in.getRank())
    return fail(loc, getOperationName(), "multiples must have one entry per "
                                         "dim of ", in, ", got ", m.size());
  Shape shape;
  for (auto [d, k] : llvm::zip(in.getShape(), m)) {
    if (k < 0)
      return fail(loc, getOperationName(), "multiples must be >= 0, got ", k);
    shape.push_back(isDyn(d) ? kDyn : d * k);
  }
  types.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult TileOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// WhereOp / CompareOp
//===----------------------------------------------------------------------===//

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  return detail::inferBroadcastResult(
      loc, getOperationName(), adaptor.getOperands(),
      tensorType(adaptor.getX()).getElementType(), types);
}

LogicalResult WhereOp::verify() {
  if (failed(sameElementType(getLoc(), getOperationName(), {getX(), getY()})))
    return failure();
  return verifyInferred(*this);
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  return detail::inferBroadcastResult(loc, getOperationName(),
                                      adaptor.getOperands(),
                                      IntegerType::get(ctx, 1), types);
}

LogicalResult CompareOp::verify() {
  if (failed(sameElementType(getLoc(), getOperationName(), getOperands())))
    return failure();
  return verifyInferred(*this);
}

//===----------------------------------------------------------------------===//
// OneHotOp / RangeOp / ShapeOfOp / FillOp
//===----------------------------------------------------------------------===//

LogicalResult OneHotOp::verify() {
  RankedTensorType idx = getIndices().getType(), out = getType();
  if (out.getRank() != idx.getRank() + 1)
    return emitOpError("result rank must be indices rank + 1, got ")
           << idx << " -> " << out;
  if (getDepth() <= 0)
    return emitOpError("depth must be positive, got ") << getDepth();
  std::optional<int64_t> axis = normalizeAxis(getAxis(), out.getRank());
  if (!axis)
    return emitOpError("axis ") << getAxis() << " is out of range for "
                                << out;
  for (int64_t i = 0, j = 0; i < out.getRank(); ++i) {
    int64_t expected = i == *axis ? getDepth() : idx.getDimSize(j++);
    if (!dimsAgree(expected, out.getDimSize(i)))
      return emitOpError("result ")
             << out << " does not match indices " << idx << " with depth "
             << getDepth() << " at axis " << *axis;
  }
  return success();
}

LogicalResult RangeOp::verify() {
  for (Value v : getOperands())
    if (tensorType(v).getRank() != 0 ||
        tensorType(v).getElementType() != getType().getElementType())
      return emitOpError("start, limit and delta must be 0-D tensors of the "
                         "result element type, got ")
             << getOperandTypes() << " -> " << getType();
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-D, got ") << getType();
  return success();
}

LogicalResult ShapeOfOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  types.push_back(
      RankedTensorType::get({tensorType(adaptor.getInput()).getRank()},
                            IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult ShapeOfOp::verify() { return verifyInferred(*this); }

LogicalResult FillOp::verify() {
  int64_t len = getShape().getType().getDimSize(0);
  if (!isDyn(len) && len != getType().getRank())
    return emitOpError("shape has ")
           << len << " entries but the result is " << getType();
  if (cast<TypedAttr>(getValue()).getType() != getType().getElementType())
    return emitOpError("value ")
           << getValue() << " must have the result element type "
           << getType().getElementType();
  if (auto values = getPartialShapeValues(getShape()))
    for (auto [i, v] : llvm::enumerate(*values))
      if (v && i < static_cast<size_t>(getType().getRank()) &&
          !dimsAgree(*v, getType().getDimSize(i)))
        return emitOpError("shape entry ")
               << i << " is " << *v << " but the result is " << getType();
  return success();
}

LogicalResult FillOp::reifyResultShapes(OpBuilder &b,
                                        ReifiedRankedShapedTypeDims &reified) {
  Location loc = getLoc();
  SmallVector<OpFoldResult> dims;
  for (int64_t i = 0; i < getType().getRank(); ++i) {
    if (!getType().isDynamicDim(i)) {
      dims.push_back(b.getIndexAttr(getType().getDimSize(i)));
      continue;
    }
    Value pos = arith::ConstantIndexOp::create(b, loc, i);
    Value v = tensor::ExtractOp::create(b, loc, getShape(), ValueRange{pos});
    dims.push_back(
        arith::IndexCastOp::create(b, loc, b.getIndexType(), v).getResult());
  }
  reified.push_back(dims);
  return success();
}

//===----------------------------------------------------------------------===//
// ClipOp
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() && getMin()->convertToDouble() >
                                  getMax()->convertToDouble())
    return emitOpError("min (")
           << getMin()->convertToDouble() << ") must not exceed max ("
           << getMax()->convertToDouble() << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType l = tensorType(adaptor.getLhs());
  RankedTensorType r = tensorType(adaptor.getRhs());
  if (l.getRank() < 2 || r.getRank() < 2)
    return fail(loc, name, "operands must have rank >= 2, got ", l, " and ",
                r);
  if (l.getElementType() != r.getElementType())
    return fail(loc, name, "operands must have the same element type, got ",
                l, " and ", r);
  int64_t k1 = l.getShape().back(), k2 = r.getShape().end()[-2];
  if (!dimsAgree(k1, k2))
    return fail(loc, name, "contraction dims differ: lhs ", l, " has K = ",
                k1, ", rhs ", r, " has K = ", k2);
  FailureOr<Shape> batch = broadcastShapes(l.getShape().drop_back(2),
                                           r.getShape().drop_back(2));
  if (failed(batch))
    return fail(loc, name, "batch dims do not broadcast: ", l, " and ", r);
  Shape shape = *batch;
  shape.push_back(l.getShape().end()[-2]);
  shape.push_back(r.getShape().back());
  types.push_back(RankedTensorType::get(shape, l.getElementType()));
  return success();
}

LogicalResult MatMulOp::verify() { return verifyInferred(*this); }

LogicalResult DenseOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType w = tensorType(adaptor.getWeight());
  if (x.getRank() < 1)
    return fail(loc, name, "input must have rank >= 1, got ", x);
  if (failed(expectRank(loc, name, "weight [N, K]", w, 2)))
    return failure();
  if (!dimsAgree(x.getShape().back(), w.getDimSize(1)))
    return fail(loc, name, "input ", x, " has K = ", x.getShape().back(),
                " but weight ", w, " ([N, K]) has K = ", w.getDimSize(1));
  if (failed(sameElementType(loc, name, adaptor.getOperands())))
    return failure();
  if (Value b = adaptor.getBias())
    if (failed(expectVector(loc, name, "bias", tensorType(b),
                            w.getDimSize(0))))
      return failure();
  Shape shape(x.getShape());
  shape.back() = w.getDimSize(0);
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult DenseOp::verify() { return verifyInferred(*this); }

/// Output size of a sliding window over a dim (conv and pooling).
static int64_t windowOutput(int64_t in, int64_t k, int64_t stride,
                            int64_t dil, int64_t pb, int64_t pe,
                            bool ceilMode) {
  if (isDyn(in) || isDyn(k))
    return kDyn;
  int64_t span = in + pb + pe - dil * (k - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // The last window must start inside the input or the begin padding.
  if (ceilMode && (out - 1) * stride >= in + pb)
    --out;
  return out;
}

/// Shared checks of window attributes for conv and pooling.
static LogicalResult checkWindowAttrs(std::optional<Location> loc,
                                      StringRef name, RankedTensorType in,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads) {
  int64_t spatial = in.getRank() - 2;
  if (spatial < 1 || spatial > 3)
    return fail(loc, name, "input must be [N, C, spatial...] with 1 to 3 "
                           "spatial dims, got ", in);
  if (static_cast<int64_t>(strides.size()) != spatial ||
      static_cast<int64_t>(dilations.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial)
    return fail(loc, name, "strides and dilations need ", spatial,
                " entries and pads ", 2 * spatial, " for ", in, ", got ",
                strides.size(), ", ", dilations.size(), ", ", pads.size());
  for (int64_t s : strides)
    if (s <= 0)
      return fail(loc, name, "strides must be positive");
  for (int64_t d : dilations)
    if (d <= 0)
      return fail(loc, name, "dilations must be positive");
  for (int64_t p : pads)
    if (p < 0)
      return fail(loc, name, "pads must be non-negative");
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType w = tensorType(adaptor.getWeight());
  if (failed(checkWindowAttrs(loc, name, x, adaptor.getStrides(),
                              adaptor.getDilations(), adaptor.getPads())))
    return failure();
  if (w.getRank() != x.getRank())
    return fail(loc, name, "weight [O, C/group, kernel...] must have the "
                           "input's rank, got ", x, " and ", w);
  int64_t group = static_cast<int64_t>(adaptor.getGroup());
  if (group <= 0)
    return fail(loc, name, "group must be positive, got ", group);
  int64_t c = x.getDimSize(1), o = w.getDimSize(0);
  if (!isDyn(c) && !isDyn(w.getDimSize(1)) && w.getDimSize(1) * group != c)
    return fail(loc, name, "input channels (", c, ") must equal weight dim 1 ",
                "times group (", w.getDimSize(1), " x ", group, "): ", x,
                ", ", w);
  if (!isDyn(o) && o % group != 0)
    return fail(loc, name, "output channels (", o,
                ") must be a multiple of group ", group);
  if (failed(sameElementType(loc, name, adaptor.getOperands())))
    return failure();
  if (Value b = adaptor.getBias())
    if (failed(expectVector(loc, name, "bias", tensorType(b), o)))
      return failure();
  int64_t spatial = x.getRank() - 2;
  Shape shape{x.getDimSize(0), o};
  for (int64_t i = 0; i < spatial; ++i)
    shape.push_back(windowOutput(
        x.getDimSize(i + 2), w.getDimSize(i + 2), adaptor.getStrides()[i],
        adaptor.getDilations()[i], adaptor.getPads()[i],
        adaptor.getPads()[i + spatial], false));
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ConvOp::verify() { return verifyInferred(*this); }

LogicalResult PoolOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  if (failed(checkWindowAttrs(loc, name, x, adaptor.getStrides(),
                              adaptor.getDilations(), adaptor.getPads())))
    return failure();
  int64_t spatial = x.getRank() - 2;
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  if (static_cast<int64_t>(kernel.size()) != spatial)
    return fail(loc, name, "kernel needs ", spatial, " entries for ", x,
                ", got ", kernel.size());
  Shape shape{x.getDimSize(0), x.getDimSize(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    if (kernel[i] <= 0)
      return fail(loc, name, "kernel sizes must be positive");
    shape.push_back(windowOutput(x.getDimSize(i + 2), kernel[i],
                                 adaptor.getStrides()[i],
                                 adaptor.getDilations()[i],
                                 adaptor.getPads()[i],
                                 adaptor.getPads()[i + spatial],
                                 adaptor.getCeilMode()));
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult PoolOp::verify() { return verifyInferred(*this); }

LogicalResult GlobalPoolOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getInput());
  if (x.getRank() < 3)
    return fail(loc, getOperationName(),
                "input must be [N, C, spatial...], got ", x);
  Shape shape(x.getShape());
  for (int64_t i = 2; i < x.getRank(); ++i)
    shape[i] = 1;
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult GlobalPoolOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getInput());
  llvm::SmallSet<int64_t, 8> axes;
  for (int64_t a : adaptor.getAxes()) {
    std::optional<int64_t> n = normalizeAxis(a, x.getRank());
    if (!n || !axes.insert(*n).second)
      return fail(loc, getOperationName(), "axis ", a,
                  " is out of range or repeated for ", x);
  }
  Shape shape;
  for (int64_t i = 0; i < x.getRank(); ++i) {
    if (!axes.count(i))
      shape.push_back(x.getDimSize(i));
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ReduceOp::verify() {
  ReduceKind k = getKind();
  bool needsFloat = k == ReduceKind::mean || k == ReduceKind::l2 ||
                    k == ReduceKind::log_sum_exp;
  if (needsFloat && !isa<FloatType>(getInput().getType().getElementType()))
    return emitOpError("reduction '")
           << stringifyReduceKind(k) << "' needs a float input, got "
           << getInput().getType();
  return verifyInferred(*this);
}

/// Result type of argmax/argmin.
static LogicalResult inferArgReduce(std::optional<Location> loc,
                                    StringRef name, RankedTensorType x,
                                    int64_t axisAttr, bool keepdims,
                                    SmallVectorImpl<Type> &types) {
  FailureOr<int64_t> axis = checkedAxis(loc, name, axisAttr, x);
  if (failed(axis))
    return failure();
  Shape shape(x.getShape());
  if (keepdims)
    shape[*axis] = 1;
  else
    shape.erase(shape.begin() + *axis);
  types.push_back(
      RankedTensorType::get(shape, IntegerType::get(x.getContext(), 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return inferArgReduce(loc, getOperationName(),
                        tensorType(adaptor.getInput()),
                        static_cast<int64_t>(adaptor.getAxis()),
                        adaptor.getKeepdims(), types);
}
LogicalResult ArgMaxOp::verify() { return verifyInferred(*this); }

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  return inferArgReduce(loc, getOperationName(),
                        tensorType(adaptor.getInput()),
                        static_cast<int64_t>(adaptor.getAxis()),
                        adaptor.getKeepdims(), types);
}
LogicalResult ArgMinOp::verify() { return verifyInferred(*this); }

/// Softmax-like ops need a valid axis.
template <typename OpT>
static LogicalResult verifyAxisOp(OpT op) {
  if (!normalizeAxis(op.getAxis(), op.getInput().getType().getRank()))
    return op.emitOpError("axis ")
           << static_cast<int64_t>(op.getAxis()) << " is out of range for "
           << op.getInput().getType();
  return success();
}
LogicalResult SoftmaxOp::verify() { return verifyAxisOp(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifyAxisOp(*this); }
LogicalResult CumSumOp::verify() { return verifyAxisOp(*this); }

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getInput());
  int64_t k = static_cast<int64_t>(adaptor.getK());
  FailureOr<int64_t> axis = checkedAxis(loc, getOperationName(), adaptor.getAxis(), x);
  if (failed(axis))
    return failure();
  if (k < 0 || (!x.isDynamicDim(*axis) && k > x.getDimSize(*axis)))
    return fail(loc, getOperationName(), "k = ", k,
                " must be in [0, dim] for axis ", *axis, " of ", x);
  Shape shape(x.getShape());
  shape[*axis] = k;
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  types.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}
LogicalResult TopKOp::verify() { return verifyInferred(*this); }

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  FailureOr<int64_t> axis = checkedAxis(loc, name, adaptor.getAxis(), x);
  if (failed(axis))
    return failure();
  if (failed(sameElementType(loc, name, adaptor.getOperands())))
    return failure();
  ArrayRef<int64_t> normShape = x.getShape().drop_front(*axis);
  for (Value p : {adaptor.getScale(), adaptor.getBias()}) {
    if (!p)
      continue;
    RankedTensorType t = tensorType(p);
    if (failed(verifyCompatibleShape(t.getShape(), normShape)))
      return fail(loc, name, "scale and bias must have the normalized shape [",
                  llvm::make_range(normShape.begin(), normShape.end()),
                  "] of ", x, ", got ", t);
  }
  types.push_back(x);
  return success();
}
LogicalResult LayerNormOp::verify() { return verifyInferred(*this); }

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  if (x.getRank() < 2)
    return fail(loc, name, "input must be [N, C, ...], got ", x);
  if (failed(sameElementType(loc, name, adaptor.getOperands())))
    return failure();
  for (Value p : adaptor.getOperands().drop_front())
    if (failed(expectVector(loc, name, "scale, bias, mean and variance",
                            tensorType(p), x.getDimSize(1))))
      return failure();
  types.push_back(x);
  return success();
}
LogicalResult BatchNormOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// Scatter and resize
//===----------------------------------------------------------------------===//

LogicalResult ScatterElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType idx = tensorType(adaptor.getIndices());
  RankedTensorType upd = tensorType(adaptor.getUpdates());
  if (idx.getRank() != x.getRank() ||
      failed(verifyCompatibleShape(idx.getShape(), upd.getShape())))
    return fail(loc, name, "indices and updates must have the same shape and "
                           "the input's rank, got ", x, ", ", idx, ", ", upd);
  if (!normalizeAxis(static_cast<int64_t>(adaptor.getAxis()), x.getRank()))
    return fail(loc, name, "axis is out of range for ", x);
  types.push_back(x);
  return success();
}
LogicalResult ScatterElementsOp::verify() {
  if (failed(sameElementType(getLoc(), getOperationName(),
                             {getInput(), getUpdates()})))
    return failure();
  return verifyInferred(*this);
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType idx = tensorType(adaptor.getIndices());
  RankedTensorType upd = tensorType(adaptor.getUpdates());
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1))
    return fail(loc, name, "indices must have a static last dim, got ", idx);
  int64_t q = idx.getShape().back();
  if (q > x.getRank())
    return fail(loc, name, "index tuples of length ", q,
                " exceed the rank of ", x);
  Shape expected(idx.getShape().drop_back());
  llvm::append_range(expected, x.getShape().drop_front(q));
  if (failed(verifyCompatibleShape(expected, upd.getShape())))
    return fail(loc, name, "updates must have shape indices[:-1] + "
                           "input[q:], got ", upd, " for ", x, " and ", idx);
  types.push_back(x);
  return success();
}
LogicalResult ScatterNDOp::verify() {
  if (failed(sameElementType(getLoc(), getOperationName(),
                             {getInput(), getUpdates()})))
    return failure();
  return verifyInferred(*this);
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getInput());
  ArrayRef<double> scales = adaptor.getScales();
  if (static_cast<int64_t>(scales.size()) != x.getRank())
    return fail(loc, getOperationName(), "scales need one entry per dim of ",
                x, ", got ", scales.size());
  Shape shape;
  for (auto [d, s] : llvm::zip(x.getShape(), scales)) {
    if (!(s > 0))
      return fail(loc, getOperationName(), "scales must be positive");
    shape.push_back(isDyn(d) ? kDyn
                             : static_cast<int64_t>(std::floor(d * s + 1e-9)));
  }
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}
LogicalResult ResizeOp::verify() { return verifyInferred(*this); }

//===----------------------------------------------------------------------===//
// Fused ops
//===----------------------------------------------------------------------===//

LogicalResult BiasGeluOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(adaptor.getInput());
  if (x.getRank() < 1 ||
      failed(expectVector(loc, getOperationName(), "bias",
                          tensorType(adaptor.getBias()), x.getShape().back())))
    return failure();
  if (failed(sameElementType(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  types.push_back(x);
  return success();
}
LogicalResult BiasGeluOp::verify() { return verifyInferred(*this); }

LogicalResult SkipLayerNormOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType s = tensorType(adaptor.getSkip());
  if (x.getRank() < 1 ||
      failed(verifyCompatibleShape(x.getShape(), s.getShape())))
    return fail(loc, name, "input and skip must have the same shape, got ", x,
                " and ", s);
  if (failed(sameElementType(loc, name, adaptor.getOperands())))
    return failure();
  int64_t h = x.getShape().back();
  for (Value p : {adaptor.getGamma(), adaptor.getBeta(), adaptor.getBias()})
    if (p && failed(expectVector(loc, name, "gamma, beta and bias",
                                 tensorType(p), h)))
      return failure();
  Shape shape;
  for (auto [a, b] : llvm::zip(x.getShape(), s.getShape()))
    shape.push_back(mergeDim(a, b));
  types.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}
LogicalResult SkipLayerNormOp::verify() { return verifyInferred(*this); }

LogicalResult EmbedLayerNormOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType ids = tensorType(adaptor.getInputIds());
  RankedTensorType word = tensorType(adaptor.getWordEmbedding());
  RankedTensorType pos = tensorType(adaptor.getPositionEmbedding());
  if (failed(expectRank(loc, name, "input_ids [B, S]", ids, 2)) ||
      failed(expectRank(loc, name, "word_embedding [V, H]", word, 2)) ||
      failed(expectRank(loc, name, "position_embedding [P, H]", pos, 2)))
    return failure();
  int64_t h = word.getDimSize(1);
  if (!dimsAgree(h, pos.getDimSize(1)))
    return fail(loc, name, "embeddings must share the hidden size, got ", word,
                " and ", pos);
  SmallVector<Value> floats{adaptor.getWordEmbedding(),
                            adaptor.getPositionEmbedding(),
                            adaptor.getGamma(), adaptor.getBeta()};
  if (Value se = adaptor.getSegmentEmbedding()) {
    floats.push_back(se);
    RankedTensorType t = tensorType(se);
    if (t.getRank() != 2 || !dimsAgree(t.getDimSize(1), h))
      return fail(loc, name, "segment_embedding must be [T, H] with H = ", h,
                  ", got ", t);
  }
  if (failed(sameElementType(loc, name, floats)))
    return failure();
  for (Value p : {adaptor.getGamma(), adaptor.getBeta()})
    if (failed(expectVector(loc, name, "gamma and beta", tensorType(p), h)))
      return failure();
  for (Value p : {adaptor.getSegmentIds(), adaptor.getPositionIds()})
    if (p && failed(verifyCompatibleShape(tensorType(p).getShape(),
                                          ids.getShape())))
      return fail(loc, name, "segment_ids and position_ids must have the "
                             "shape of input_ids ", ids, ", got ",
                  tensorType(p));
  if (static_cast<bool>(adaptor.getSegmentIds()) !=
      static_cast<bool>(adaptor.getSegmentEmbedding()))
    return fail(loc, name, "segment_ids and segment_embedding come together");
  types.push_back(RankedTensorType::get(
      {ids.getDimSize(0), ids.getDimSize(1), h}, word.getElementType()));
  return success();
}
LogicalResult EmbedLayerNormOp::verify() { return verifyInferred(*this); }

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef name = getOperationName();
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType w = tensorType(adaptor.getWeight());
  if (failed(expectRank(loc, name, "input [B, S, E]", x, 3)) ||
      failed(expectRank(loc, name, "weight [3E, E]", w, 2)))
    return failure();
  int64_t e = x.getDimSize(2);
  if (!dimsAgree(w.getDimSize(1), e) ||
      (!isDyn(e) && !dimsAgree(w.getDimSize(0), 3 * e)))
    return fail(loc, name, "weight must be [3E, E] for input ", x, ", got ",
                w);
  int64_t heads = static_cast<int64_t>(adaptor.getNumHeads());
  if (heads <= 0 || (!isDyn(e) && e % heads != 0))
    return fail(loc, name, "hidden size ", e,
                " must be a positive multiple of num_heads = ", heads);
  if (Value b = adaptor.getBias())
    if (failed(expectVector(loc, name, "bias", tensorType(b),
                            isDyn(e) ? kDyn : 3 * e)))
      return failure();
  if (Value m = adaptor.getMask()) {
    RankedTensorType mt = tensorType(m);
    Shape scores{x.getDimSize(0), heads, x.getDimSize(1), x.getDimSize(1)};
    FailureOr<Shape> bc = broadcastShapes(scores, mt.getShape());
    if (mt.getRank() > 4 || failed(bc) ||
        failed(verifyCompatibleShape(*bc, scores)))
      return fail(loc, name, "mask ", mt,
                  " must broadcast to the scores [B, heads, S, S] of ", x);
  }
  if (failed(sameElementType(loc, name, adaptor.getOperands())))
    return failure();
  types.push_back(x);
  return success();
}
LogicalResult AttentionOp::verify() { return verifyInferred(*this); }

/// Shared type inference of the recurrent ops: `gates` is 4 for LSTM and 3
/// for GRU.
static LogicalResult
inferRecurrent(std::optional<Location> loc, StringRef name, Value input,
               Value w, Value r, Value b, Value seqLens,
               ArrayRef<Value> states, Value peepholes, RnnDirection dir,
               int64_t hidden, int64_t gates, int64_t numResults,
               SmallVectorImpl<Type> &types) {
  RankedTensorType x = tensorType(input);
  if (failed(expectRank(loc, name, "input [T, B, I]", x, 3)))
    return failure();
  int64_t d = dir == RnnDirection::bidirectional ? 2 : 1;
  if (hidden <= 0)
    return fail(loc, name, "hidden_size must be positive, got ", hidden);
  Shape wShape{d, gates * hidden, x.getDimSize(2)};
  Shape rShape{d, gates * hidden, hidden};
  if (failed(verifyCompatibleShape(tensorType(w).getShape(), wShape)))
    return fail(loc, name, "w must be [D, ", gates, "H, I] = [", d, ", ",
                gates * hidden, ", ", x.getDimSize(2), "], got ",
                tensorType(w));
  if (failed(verifyCompatibleShape(tensorType(r).getShape(), rShape)))
    return fail(loc, name, "r must be [D, ", gates, "H, H] = [", d, ", ",
                gates * hidden, ", ", hidden, "], got ", tensorType(r));
  if (b && failed(verifyCompatibleShape(tensorType(b).getShape(),
                                        {d, 2 * gates * hidden})))
    return fail(loc, name, "bias must be [D, ", 2 * gates, "H], got ",
                tensorType(b));
  if (seqLens && failed(expectVector(loc, name, "sequence_lens",
                                     tensorType(seqLens), x.getDimSize(1))))
    return failure();
  for (Value s : states)
    if (s && failed(verifyCompatibleShape(tensorType(s).getShape(),
                                          {d, x.getDimSize(1), hidden})))
      return fail(loc, name, "initial states must be [D, B, H], got ",
                  tensorType(s));
  if (peepholes && failed(verifyCompatibleShape(
                       tensorType(peepholes).getShape(), {d, 3 * hidden})))
    return fail(loc, name, "peepholes must be [D, 3H], got ",
                tensorType(peepholes));
  SmallVector<Value> floats{input, w, r, b, peepholes};
  llvm::append_range(floats, states);
  if (failed(sameElementType(loc, name, floats)))
    return failure();
  Type elt = x.getElementType();
  types.push_back(
      RankedTensorType::get({x.getDimSize(0), d, x.getDimSize(1), hidden}, elt));
  for (int64_t i = 1; i < numResults; ++i)
    types.push_back(RankedTensorType::get({d, x.getDimSize(1), hidden}, elt));
  return success();
}

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferRecurrent(
      loc, getOperationName(), adaptor.getInput(), adaptor.getW(),
      adaptor.getR(), adaptor.getB(), adaptor.getSequenceLens(),
      {adaptor.getInitialH(), adaptor.getInitialC()}, adaptor.getPeepholes(),
      adaptor.getDirection(), static_cast<int64_t>(adaptor.getHiddenSize()),
      4, 3, types);
}
LogicalResult LSTMOp::verify() { return verifyInferred(*this); }

LogicalResult GRUOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRecurrent(loc, getOperationName(), adaptor.getInput(),
                        adaptor.getW(), adaptor.getR(), adaptor.getB(),
                        adaptor.getSequenceLens(), {adaptor.getInitialH()},
                        Value(), adaptor.getDirection(),
                        static_cast<int64_t>(adaptor.getHiddenSize()), 3, 2,
                        types);
}
LogicalResult GRUOp::verify() { return verifyInferred(*this); }
