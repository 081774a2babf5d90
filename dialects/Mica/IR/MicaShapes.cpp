//===- MicaShapes.cpp - shape helpers shared by mica ops ------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Broadcasting, axis normalization, compatibility of written and inferred
/// types, and the partial evaluation of shape subgraphs
/// (Shape -> Gather -> Unsqueeze -> Concat chains) used by folders and
/// shape refinement.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mica;

bool mica::areCompatibleTensorTypes(TypeRange l, TypeRange r) {
  if (l.size() != r.size())
    return false;
  for (auto [a, b] : llvm::zip(l, r)) {
    auto ta = dyn_cast<RankedTensorType>(a);
    auto tb = dyn_cast<RankedTensorType>(b);
    if (!ta || !tb) {
      if (a != b)
        return false;
      continue;
    }
    if (ta.getElementType() != tb.getElementType() ||
        failed(verifyCompatibleShape(ta.getShape(), tb.getShape())))
      return false;
  }
  return true;
}

FailureOr<SmallVector<int64_t>> mica::broadcastShapes(ArrayRef<int64_t> a,
                                                      ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else if (ShapedType::isDynamic(da))
      out[i] = db;
    else if (ShapedType::isDynamic(db))
      out[i] = da;
    else
      return failure();
  }
  return out;
}

std::optional<int64_t> mica::normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

/// Values of a constant integer tensor, or std::nullopt.
static std::optional<SmallVector<std::optional<int64_t>>>
constantInts(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (attr.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  SmallVector<std::optional<int64_t>> out;
  for (const APInt &x : attr.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

std::optional<SmallVector<std::optional<int64_t>>>
mica::getPartialShapeValues(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() > 1 ||
      !isa<IntegerType>(type.getElementType()))
    return std::nullopt;
  if (auto c = constantInts(v))
    return c;
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto shapeOf = dyn_cast<ShapeOfOp>(def)) {
    SmallVector<std::optional<int64_t>> out;
    for (int64_t d : shapeOf.getInput().getType().getShape())
      out.push_back(ShapedType::isDynamic(d) ? std::nullopt
                                             : std::optional<int64_t>(d));
    return out;
  }
  if (auto concat = dyn_cast<ConcatOp>(def)) {
    SmallVector<std::optional<int64_t>> out;
    for (Value in : concat.getInputs()) {
      auto part = getPartialShapeValues(in);
      if (!part)
        return std::nullopt;
      llvm::append_range(out, *part);
    }
    return out;
  }
  if (auto reshape = dyn_cast<ReshapeOp>(def)) {
    // Unsqueeze/squeeze of a scalar or vector keeps the values.
    auto in = getPartialShapeValues(reshape.getInput());
    if (in && type.hasStaticShape() &&
        static_cast<int64_t>(in->size()) == type.getNumElements())
      return in;
    return std::nullopt;
  }
  if (auto cast = dyn_cast<CastOp>(def)) {
    if (isa<IntegerType>(cast.getInput().getType().getElementType()))
      return getPartialShapeValues(cast.getInput());
    return std::nullopt;
  }
  if (auto gather = dyn_cast<GatherOp>(def)) {
    auto src = getPartialShapeValues(gather.getInput());
    auto idx = constantInts(gather.getIndices());
    if (!src || !idx)
      return std::nullopt;
    SmallVector<std::optional<int64_t>> out;
    int64_t n = src->size();
    for (std::optional<int64_t> i : *idx) {
      int64_t k = *i < 0 ? *i + n : *i;
      if (k < 0 || k >= n)
        return std::nullopt;
      out.push_back((*src)[k]);
    }
    return out;
  }
  if (auto slice = dyn_cast<SliceOp>(def)) {
    auto src = getPartialShapeValues(slice.getInput());
    if (!src || slice.getAxes().size() != 1 || slice.getSteps()[0] != 1)
      return std::nullopt;
    int64_t n = src->size();
    int64_t s = slice.getStarts()[0], e = slice.getEnds()[0];
    s = std::clamp<int64_t>(s < 0 ? s + n : s, 0, n);
    e = std::clamp<int64_t>(e < 0 ? e + n : e, 0, n);
    SmallVector<std::optional<int64_t>> out;
    for (int64_t i = s; i < e; ++i)
      out.push_back((*src)[i]);
    return out;
  }
  if (auto tc = dyn_cast<tensor::CastOp>(def))
    return getPartialShapeValues(tc.getSource());
  if (def->getNumResults() == 1 && type.hasStaticShape()) {
    SmallVector<std::optional<int64_t>> out(type.getNumElements(),
                                            std::nullopt);
    return out;
  }
  return std::nullopt;
}

LogicalResult mica::detail::inferBroadcastResult(
    std::optional<Location> loc, StringRef opName, ValueRange operands,
    std::optional<Type> elementType, SmallVectorImpl<Type> &out) {
  SmallVector<int64_t> shape;
  bool first = true;
  for (Value v : operands) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return emitOptionalError(loc, "'", opName,
                               "' op operands must be ranked tensors");
    if (first) {
      shape.assign(t.getShape().begin(), t.getShape().end());
      first = false;
      continue;
    }
    FailureOr<SmallVector<int64_t>> b = broadcastShapes(shape, t.getShape());
    if (failed(b)) {
      std::string types;
      llvm::raw_string_ostream os(types);
      llvm::interleaveComma(operands.getTypes(), os);
      return emitOptionalError(
          loc, "'", opName,
          "' op operands are not broadcast-compatible (numpy rules: trailing "
          "dims must be equal or 1), got ",
          types);
    }
    shape = std::move(*b);
  }
  Type elt = elementType
                 ? *elementType
                 : cast<RankedTensorType>(operands.back().getType())
                       .getElementType();
  out.push_back(RankedTensorType::get(shape, elt));
  return success();
}

LogicalResult mica::detail::verifyBroadcastOp(Operation *op) {
  Type elt;
  for (Value v : op->getOperands()) {
    Type e = cast<RankedTensorType>(v.getType()).getElementType();
    if (elt && e != elt)
      return op->emitOpError("operands must have the same element type, got ")
             << op->getOperandTypes();
    elt = e;
  }
  SmallVector<Type> inferred;
  if (failed(inferBroadcastResult(op->getLoc(), op->getName().getStringRef(),
                                  op->getOperands(), std::nullopt, inferred)))
    return failure();
  if (!areCompatibleTensorTypes(inferred, op->getResultTypes()))
    return op->emitOpError("result type ")
           << op->getResultTypes() << " is not the broadcast of the operands "
           << op->getOperandTypes() << " (expected " << inferred << ")";
  return success();
}
