//===- Utils.cpp - shared helpers of the mica-to-linalg lowering ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

OpFoldResult linalg_lowering::getDim(OpBuilder &b, Location loc, Value v,
                                     int64_t d) {
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.isDynamicDim(d))
    return b.getIndexAttr(type.getDimSize(d));
  return tensor::DimOp::create(b, loc, v, d).getResult();
}

SmallVector<OpFoldResult> linalg_lowering::getDims(OpBuilder &b, Location loc,
                                                   Value v) {
  SmallVector<OpFoldResult> dims;
  for (int64_t d = 0, e = cast<RankedTensorType>(v.getType()).getRank(); d < e;
       ++d)
    dims.push_back(getDim(b, loc, v, d));
  return dims;
}

Value linalg_lowering::toValue(OpBuilder &b, Location loc, OpFoldResult ofr) {
  return getValueOrCreateConstantIndexOp(b, loc, ofr);
}

SmallVector<int64_t>
linalg_lowering::staticShapeOf(ArrayRef<OpFoldResult> dims) {
  SmallVector<int64_t> shape;
  for (OpFoldResult d : dims)
    shape.push_back(getConstantIntValue(d).value_or(ShapedType::kDynamic));
  return shape;
}

Value linalg_lowering::castTo(OpBuilder &b, Location loc, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, loc, type, v);
}

Value linalg_lowering::scalarConst(OpBuilder &b, Location loc, Type type,
                                   double v) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(v)));
}

Value linalg_lowering::extremeConst(OpBuilder &b, Location loc, Type type,
                                    bool largest) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), !largest)));
  unsigned w = type.getIntOrFloatBitWidth();
  APInt v = largest ? APInt::getSignedMaxValue(w) : APInt::getSignedMinValue(w);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value linalg_lowering::dropUnitDims(OpBuilder &b, Location loc, Value v,
                                    ArrayRef<bool> drop,
                                    SmallVectorImpl<int64_t> &kept) {
  auto type = cast<RankedTensorType>(v.getType());
  kept.clear();
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  SmallVector<int64_t> shape;
  for (int64_t d = 0, e = type.getRank(); d < e; ++d) {
    pending.push_back(d);
    if (drop[d])
      continue;
    kept.push_back(d);
    shape.push_back(type.getDimSize(d));
    groups.push_back(pending);
    pending.clear();
  }
  if (static_cast<int64_t>(kept.size()) == type.getRank())
    return v;
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto newType = RankedTensorType::get(shape, type.getElementType());
  return tensor::CollapseShapeOp::create(b, loc, newType, v, groups);
}

Value linalg_lowering::insertUnitDims(OpBuilder &b, Location loc, Value v,
                                      ArrayRef<bool> inserted,
                                      ArrayRef<OpFoldResult> dims) {
  if (llvm::none_of(inserted, [](bool x) { return x; }))
    return v;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0, e = inserted.size(); d < e; ++d) {
    pending.push_back(d);
    if (inserted[d])
      continue;
    groups.push_back(pending);
    pending.clear();
  }
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto type = RankedTensorType::get(
      staticShapeOf(dims),
      cast<RankedTensorType>(v.getType()).getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, v, groups, dims);
}

SmallVector<OpFoldResult>
linalg_lowering::getBroadcastDims(OpBuilder &b, Location loc,
                                  RankedTensorType resultType,
                                  ValueRange operands) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> dims;
  for (int64_t j = 0; j < rank; ++j) {
    if (!resultType.isDynamicDim(j)) {
      dims.push_back(b.getIndexAttr(resultType.getDimSize(j)));
      continue;
    }
    std::optional<int64_t> staticSize;
    Value dynamicFrom;
    int64_t dynamicDim = 0;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t d = j - (rank - t.getRank());
      if (d < 0)
        continue;
      if (t.isDynamicDim(d)) {
        if (!dynamicFrom) {
          dynamicFrom = v;
          dynamicDim = d;
        }
      } else if (t.getDimSize(d) != 1) {
        staticSize = t.getDimSize(d);
      }
    }
    if (staticSize)
      dims.push_back(b.getIndexAttr(*staticSize));
    else if (dynamicFrom)
      dims.push_back(getDim(b, loc, dynamicFrom, dynamicDim));
    else
      dims.push_back(b.getIndexAttr(1));
  }
  return dims;
}

Value linalg_lowering::buildBroadcastGeneric(OpBuilder &b, Location loc,
                                             ArrayRef<OpFoldResult> outDims,
                                             Type elementType,
                                             ValueRange operands,
                                             ScalarBodyFn body) {
  int64_t rank = outDims.size();
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    int64_t offset = rank - t.getRank();
    SmallVector<bool> drop;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      std::optional<int64_t> out = getConstantIntValue(outDims[offset + d]);
      drop.push_back(t.getDimSize(d) == 1 && out != 1);
    }
    SmallVector<int64_t> kept;
    inputs.push_back(dropUnitDims(b, loc, v, drop, kept));
    SmallVector<AffineExpr> exprs;
    for (int64_t d : kept)
      exprs.push_back(getAffineDimExpr(offset + d, ctx));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  Value init = tensor::EmptyOp::create(b, loc, outDims, elementType);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, r);
      });
  return generic.getResult(0);
}

Value linalg_lowering::buildElementwise(OpBuilder &b, Location loc,
                                        RankedTensorType resultType,
                                        ValueRange operands,
                                        ScalarBodyFn body) {
  SmallVector<OpFoldResult> dims =
      getBroadcastDims(b, loc, resultType, operands);
  Value r = buildBroadcastGeneric(b, loc, dims, resultType.getElementType(),
                                  operands, body);
  return castTo(b, loc, r, resultType);
}

Value linalg_lowering::buildReduction(OpBuilder &b, Location loc, Value input,
                                      ArrayRef<int64_t> reduced, Value init,
                                      CombineFn combine) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> keptDims;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(reduced, d)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    keptDims.push_back(getDim(b, loc, input, d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  Value empty = tensor::EmptyOp::create(b, loc, keptDims, init.getType());
  Value acc = linalg::FillOp::create(b, loc, init, empty).getResult(0);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{acc.getType()}, ValueRange{input}, ValueRange{acc},
      maps, iters, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[0], args[1]));
      });
  return generic.getResult(0);
}

Value linalg_lowering::buildWithReduced(OpBuilder &b, Location loc, Value full,
                                        ArrayRef<int64_t> reduced,
                                        ValueRange reducedOperands,
                                        Type elementType, ScalarBodyFn body) {
  auto type = cast<RankedTensorType>(full.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> keptExprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(reduced, d))
      keptExprs.push_back(getAffineDimExpr(d, ctx));
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap proj = AffineMap::get(rank, 0, keptExprs, ctx);
  SmallVector<Value> inputs = {full};
  SmallVector<AffineMap> maps = {id};
  for (Value v : reducedOperands) {
    inputs.push_back(v);
    maps.push_back(proj);
  }
  maps.push_back(id);
  Value init =
      tensor::EmptyOp::create(b, loc, getDims(b, loc, full), elementType);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

Value linalg_lowering::countOf(OpBuilder &b, Location loc, Value v,
                               ArrayRef<int64_t> dims, Type type) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t staticCount = 1;
  Value dynamic;
  for (int64_t d : dims) {
    if (!t.isDynamicDim(d)) {
      staticCount *= t.getDimSize(d);
      continue;
    }
    Value dim = tensor::DimOp::create(b, loc, v, d);
    dynamic = dynamic ? arith::MulIOp::create(b, loc, dynamic, dim) : dim;
  }
  if (!dynamic)
    return scalarConst(b, loc, type, static_cast<double>(staticCount));
  if (staticCount != 1)
    dynamic = arith::MulIOp::create(
        b, loc, dynamic, arith::ConstantIndexOp::create(b, loc, staticCount));
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), dynamic);
  if (isa<FloatType>(type))
    return arith::SIToFPOp::create(b, loc, type, i64);
  if (type.getIntOrFloatBitWidth() < 64)
    return arith::TruncIOp::create(b, loc, type, i64);
  return i64;
}

Value linalg_lowering::buildSigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value one = scalarConst(b, loc, t, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

Value linalg_lowering::buildGelu(OpBuilder &b, Location loc, Value x,
                                 bool tanhApprox) {
  Type t = x.getType();
  Value half = scalarConst(b, loc, t, 0.5);
  Value one = scalarConst(b, loc, t, 1.0);
  Value inner;
  if (tanhApprox) {
    // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
    Value x3 = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value poly = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, scalarConst(b, loc, t, 0.044715), x3));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(
            b, loc, scalarConst(b, loc, t, std::sqrt(2.0 / M_PI)), poly));
  } else {
    // erf(x / sqrt(2))
    inner = math::ErfOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x, scalarConst(b, loc, t, M_SQRT1_2)));
  }
  Value hx = arith::MulFOp::create(b, loc, half, x);
  return arith::MulFOp::create(b, loc, hx,
                               arith::AddFOp::create(b, loc, one, inner));
}

Value linalg_lowering::buildActivation(OpBuilder &b, Location loc,
                                       Activation act, Value x) {
  switch (act) {
  case Activation::none:
    return x;
  case Activation::relu: {
    Value zero = scalarConst(b, loc, x.getType(), 0.0);
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    return arith::SelectOp::create(b, loc, neg, zero, x);
  }
  case Activation::gelu:
    return buildGelu(b, loc, x, /*tanhApprox=*/false);
  case Activation::gelu_tanh:
    return buildGelu(b, loc, x, /*tanhApprox=*/true);
  case Activation::tanh:
    return math::TanhOp::create(b, loc, x);
  case Activation::sigmoid:
    return buildSigmoid(b, loc, x);
  }
  return x;
}
