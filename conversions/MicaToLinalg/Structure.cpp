//===- Structure.cpp - lower mica data-movement ops -----------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Data movement lowers to tensor ops where one fits (collapse/expand/
/// reshape, insert_slice for concat, extract_slice for slice and split,
/// tensor.pad, from_elements) and to named linalg ops (transpose,
/// broadcast, fill); index-computed reads (gather, negative-step slices,
/// reflect/edge pads) become a linalg.generic over the result whose body
/// computes the source coordinates from linalg.index and reads them with
/// tensor.extract.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

using IndexFn = llvm::function_ref<SmallVector<Value>(
    OpBuilder &, Location, ArrayRef<Value> outIdx, ValueRange inputs)>;

/// A generic over `outDims` that yields `source[srcIdx(out)]` (tensor.extract;
/// `inputs` are extra elementwise operands read with `inputMaps`). The
/// index function may return fewer indices with a trailing scalar to yield
/// instead (not used); it returns exactly the source rank.
Value buildGatherGeneric(OpBuilder &b, Location loc, Value source,
                         ArrayRef<OpFoldResult> outDims, Type elt,
                         ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                         IndexFn srcIdx) {
  int64_t rank = outDims.size();
  MLIRContext *ctx = b.getContext();
  Value init = tensor::EmptyOp::create(b, loc, outDims, elt);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             iters,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               SmallVector<Value> idx;
               for (int64_t d = 0; d < rank; ++d)
                 idx.push_back(linalg::IndexOp::create(nb, l, d));
               SmallVector<Value> src = srcIdx(nb, l, idx, args.drop_back());
               Value v = tensor::ExtractOp::create(nb, l, source, src);
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// An integer scalar as an index, negative values wrapped by `dim`.
Value wrapIndex(OpBuilder &b, Location loc, Value i, Value dim) {
  Value idx = arith::IndexCastOp::create(b, loc, b.getIndexType(), i);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx,
                                    cIndex(b, loc, 0));
  return arith::SelectOp::create(b, loc, neg,
                                 arith::AddIOp::create(b, loc, idx, dim), idx);
}

//===----------------------------------------------------------------------===//
// constant, transpose, reshape
//===----------------------------------------------------------------------===//

/// mica.constant -> arith.constant of the same ElementsAttr.
struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "untyped value");
    Value c = arith::ConstantOp::create(rewriter, op.getLoc(), value);
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), c, op.getType()));
    return success();
  }
};

/// mica.transpose -> linalg.transpose.
struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    SmallVector<OpFoldResult> dims;
    for (int64_t p : op.getPerm())
      dims.push_back(getDim(rewriter, loc, x, p));
    Value init = tensor::EmptyOp::create(rewriter, loc, dims, xt.getElementType());
    Value r = linalg::TransposeOp::create(rewriter, loc, x, init, op.getPerm())
                  .getResult()[0];
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// Number of elements of `v` as an index.
Value numElements(OpBuilder &b, Location loc, Value v) {
  Value n = cIndex(b, loc, 1);
  for (OpFoldResult d : getDims(b, loc, v))
    n = arith::MulIOp::create(b, loc, n, toValue(b, loc, d));
  return n;
}

/// mica.reshape: static shapes with a reassociation -> collapse_shape or
/// expand_shape; otherwise tensor.reshape with a computed index shape
/// (one -1 / dynamic dim is the element count over the others).
struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    auto rt = cast<RankedTensorType>(op.getType());
    if (!adaptor.getShape() && xt.hasStaticShape() && rt.hasStaticShape()) {
      if (xt == rt) {
        rewriter.replaceOp(op, x);
        return success();
      }
      if (rt.getRank() < xt.getRank()) {
        if (auto re = getReassociationIndicesForCollapse(xt.getShape(),
                                                         rt.getShape())) {
          rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, rt, x, *re);
          return success();
        }
      } else if (rt.getRank() > xt.getRank()) {
        if (auto re = getReassociationIndicesForCollapse(rt.getShape(),
                                                         xt.getShape())) {
          rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, rt, x, *re);
          return success();
        }
      }
    }
    // General case: a runtime index shape.
    int64_t rank = rt.getRank();
    SmallVector<Value> dims;
    if (Value shape = adaptor.getShape()) {
      auto st = cast<RankedTensorType>(shape.getType());
      if (st.isDynamicDim(0) || st.getDimSize(0) != rank)
        return rewriter.notifyMatchFailure(op, "shape length != result rank");
      Value known = cIndex(rewriter, loc, 1), minusOne = cIndex(rewriter, loc, -1);
      SmallVector<Value> entries;
      for (int64_t i = 0; i < rank; ++i) {
        Value e = tensor::ExtractOp::create(rewriter, loc, shape,
                                            ValueRange{cIndex(rewriter, loc, i)});
        e = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), e);
        entries.push_back(e);
        Value isInfer = arith::CmpIOp::create(rewriter, loc,
                                              arith::CmpIPredicate::eq, e, minusOne);
        known = arith::MulIOp::create(
            rewriter, loc, known,
            arith::SelectOp::create(rewriter, loc, isInfer,
                                    cIndex(rewriter, loc, 1), e));
      }
      Value inferred =
          arith::DivSIOp::create(rewriter, loc, numElements(rewriter, loc, x), known);
      for (int64_t i = 0; i < rank; ++i) {
        if (!rt.isDynamicDim(i)) {
          dims.push_back(cIndex(rewriter, loc, rt.getDimSize(i)));
          continue;
        }
        Value isInfer = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, entries[i], minusOne);
        dims.push_back(arith::SelectOp::create(rewriter, loc, isInfer, inferred,
                                               entries[i]));
      }
    } else {
      if (rt.getNumDynamicDims() > 1)
        return rewriter.notifyMatchFailure(op, "more than one dynamic dim");
      int64_t known = 1;
      for (int64_t i = 0; i < rank; ++i)
        if (!rt.isDynamicDim(i))
          known *= rt.getDimSize(i);
      for (int64_t i = 0; i < rank; ++i) {
        if (!rt.isDynamicDim(i)) {
          dims.push_back(cIndex(rewriter, loc, rt.getDimSize(i)));
          continue;
        }
        dims.push_back(arith::DivSIOp::create(rewriter, loc,
                                              numElements(rewriter, loc, x),
                                              cIndex(rewriter, loc, known)));
      }
    }
    Value shapeT = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({rank}, rewriter.getIndexType()),
        dims);
    rewriter.replaceOpWithNewOp<tensor::ReshapeOp>(op, rt, x, shapeT);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// concat, split, slice
//===----------------------------------------------------------------------===//

/// mica.concat -> tensor.empty + one tensor.insert_slice per input.
struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange inputs = adaptor.getInputs();
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t rank = rt.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis || inputs.empty())
      return rewriter.notifyMatchFailure(op, "bad axis or no inputs");
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, inputs.front());
    for (int64_t d = 0; d < rank; ++d)
      if (!rt.isDynamicDim(d))
        dims[d] = rewriter.getIndexAttr(rt.getDimSize(d));
    // Sum of the axis sizes.
    SmallVector<OpFoldResult> offsets;
    OpFoldResult total = rewriter.getIndexAttr(0);
    for (Value in : inputs) {
      offsets.push_back(total);
      OpFoldResult d = getDim(rewriter, loc, in, *axis);
      std::optional<int64_t> a = getConstantIntValue(total),
                             c = getConstantIntValue(d);
      if (a && c)
        total = rewriter.getIndexAttr(*a + *c);
      else if (a == 0)
        total = d;
      else
        total = arith::AddIOp::create(rewriter, loc, toValue(rewriter, loc, total),
                                      toValue(rewriter, loc, d))
                    .getResult();
    }
    if (rt.isDynamicDim(*axis))
      dims[*axis] = total;
    Value result =
        tensor::EmptyOp::create(rewriter, loc, dims, rt.getElementType());
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    for (auto [in, off] : llvm::zip(inputs, offsets)) {
      SmallVector<OpFoldResult> offs(rank, rewriter.getIndexAttr(0));
      offs[*axis] = off;
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, offs,
                                             getDims(rewriter, loc, in), strides);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, rt));
    return success();
  }
};

/// mica.split -> one tensor.extract_slice per result.
struct SplitLowering : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis || llvm::any_of(op.getSizes(), [](int64_t s) { return s < 0; }))
      return rewriter.notifyMatchFailure(op, "bad axis or sizes");
    SmallVector<Value> results;
    int64_t offset = 0;
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    for (auto [size, res] : llvm::zip(op.getSizes(), op.getResults())) {
      SmallVector<OpFoldResult> offs(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = getDims(rewriter, loc, x);
      // An empty piece reads at 0 (the verifier rejects offsets == dim).
      offs[*axis] = rewriter.getIndexAttr(size == 0 ? 0 : offset);
      sizes[*axis] = rewriter.getIndexAttr(size);
      Value s = tensor::ExtractSliceOp::create(rewriter, loc, x, offs, sizes,
                                               strides);
      results.push_back(castTo(rewriter, loc, s, res.getType()));
      offset += size;
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// mica.slice with ONNX clamping. Positive steps -> tensor.extract_slice;
/// a negative step -> a generic reading input[begin + i * step].
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    SmallVector<OpFoldResult> begins(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> counts = getDims(rewriter, loc, x);
    SmallVector<int64_t> steps(rank, 1);
    for (size_t i = 0; i < op.getAxes().size(); ++i) {
      std::optional<int64_t> axis = normalizeAxis(op.getAxes()[i], rank);
      int64_t st = op.getSteps()[i];
      if (!axis || st == 0)
        return rewriter.notifyMatchFailure(op, "bad axis or zero step");
      steps[*axis] = st;
      int64_t s = op.getStarts()[i], e = op.getEnds()[i];
      if (!xt.isDynamicDim(*axis)) {
        int64_t dim = xt.getDimSize(*axis);
        auto wrap = [&](int64_t v) { return v < 0 ? v + dim : v; };
        s = wrap(s);
        e = wrap(e);
        int64_t count;
        if (st > 0) {
          s = std::clamp<int64_t>(s, 0, dim);
          e = std::clamp<int64_t>(e, 0, dim);
          count = e > s ? (e - s + st - 1) / st : 0;
        } else {
          s = std::clamp<int64_t>(s, -1, dim - 1);
          e = std::clamp<int64_t>(e, -1, dim - 1);
          count = s > e ? (s - e - st - 1) / (-st) : 0;
        }
        begins[*axis] = rewriter.getIndexAttr(s);
        counts[*axis] = rewriter.getIndexAttr(count);
        continue;
      }
      // Dynamic dim: the same arithmetic on index values.
      Value dim = toValue(rewriter, loc, counts[*axis]);
      Value zero = cIndex(rewriter, loc, 0);
      auto wrap = [&](int64_t v) -> Value {
        Value c = cIndex(rewriter, loc, v);
        return v < 0 ? Value(arith::AddIOp::create(rewriter, loc, c, dim)) : c;
      };
      auto clamp = [&](Value v, Value lo, Value hi) -> Value {
        return arith::MinSIOp::create(rewriter, loc,
                                      arith::MaxSIOp::create(rewriter, loc, v, lo), hi);
      };
      Value sv = wrap(s), ev = wrap(e), count;
      Value one = cIndex(rewriter, loc, 1);
      if (st > 0) {
        sv = clamp(sv, zero, dim);
        ev = clamp(ev, zero, dim);
        Value span = arith::SubIOp::create(rewriter, loc, ev, sv);
        count = arith::CeilDivSIOp::create(rewriter, loc, span, cIndex(rewriter, loc, st));
      } else {
        Value mone = cIndex(rewriter, loc, -1);
        Value last = arith::SubIOp::create(rewriter, loc, dim, one);
        sv = clamp(sv, mone, last);
        ev = clamp(ev, mone, last);
        Value span = arith::SubIOp::create(rewriter, loc, sv, ev);
        count = arith::CeilDivSIOp::create(rewriter, loc, span, cIndex(rewriter, loc, -st));
      }
      begins[*axis] = sv;
      counts[*axis] = arith::MaxSIOp::create(rewriter, loc, count, zero).getResult();
    }
    Value result;
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> strides;
      for (int64_t s : steps)
        strides.push_back(rewriter.getIndexAttr(s));
      // Empty dims read at 0 (the verifier rejects offsets == dim).
      for (int64_t d = 0; d < rank; ++d)
        if (getConstantIntValue(counts[d]) == 0)
          begins[d] = rewriter.getIndexAttr(0);
      result = tensor::ExtractSliceOp::create(rewriter, loc, x, begins, counts,
                                              strides);
    } else {
      result = buildGatherGeneric(
          rewriter, loc, x, counts, xt.getElementType(), {}, {},
          [&](OpBuilder &b, Location l, ArrayRef<Value> idx, ValueRange) {
            SmallVector<Value> src;
            for (int64_t d = 0; d < rank; ++d) {
              Value off = arith::MulIOp::create(b, l, idx[d], cIndex(b, l, steps[d]));
              src.push_back(arith::AddIOp::create(b, l, toValue(b, l, begins[d]), off));
            }
            return src;
          });
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// gather, gather_elements
//===----------------------------------------------------------------------===//

/// mica.gather -> generic over the result reading indices elementwise and
/// the input with tensor.extract.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), ind = adaptor.getIndices();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t r = xt.getRank(), q = cast<RankedTensorType>(ind.getType()).getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), r);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t ax = *axis;
    SmallVector<OpFoldResult> outDims;
    for (int64_t d = 0; d < ax; ++d)
      outDims.push_back(getDim(rewriter, loc, x, d));
    for (int64_t d = 0; d < q; ++d)
      outDims.push_back(getDim(rewriter, loc, ind, d));
    for (int64_t d = ax + 1; d < r; ++d)
      outDims.push_back(getDim(rewriter, loc, x, d));
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < q; ++d)
      exprs.push_back(getAffineDimExpr(ax + d, ctx));
    AffineMap indMap = AffineMap::get(outDims.size(), 0, exprs, ctx);
    Value axisDim = toValue(rewriter, loc, getDim(rewriter, loc, x, ax));
    Value result = buildGatherGeneric(
        rewriter, loc, x, outDims, xt.getElementType(), ind, indMap,
        [&](OpBuilder &b, Location l, ArrayRef<Value> idx, ValueRange in) {
          SmallVector<Value> src(idx.begin(), idx.begin() + ax);
          src.push_back(wrapIndex(b, l, in[0], axisDim));
          src.append(idx.begin() + ax + q, idx.end());
          return src;
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// mica.gather_elements -> generic over the indices' shape.
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), ind = adaptor.getIndices();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t r = xt.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), r);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t ax = *axis;
    Value axisDim = toValue(rewriter, loc, getDim(rewriter, loc, x, ax));
    Value result = buildGatherGeneric(
        rewriter, loc, x, getDims(rewriter, loc, ind), xt.getElementType(), ind,
        AffineMap::getMultiDimIdentityMap(r, rewriter.getContext()),
        [&](OpBuilder &b, Location l, ArrayRef<Value> idx, ValueRange in) {
          SmallVector<Value> src(idx);
          src[ax] = wrapIndex(b, l, in[0], axisDim);
          return src;
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// expand, tile, pad
//===----------------------------------------------------------------------===//

/// Collapses the broadcast unit dims of `x` and linalg.broadcasts it to
/// `outDims` (right-aligned).
Value broadcastTo(OpBuilder &b, Location loc, Value x,
                  ArrayRef<OpFoldResult> outDims) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = outDims.size(), off = rank - xt.getRank();
  SmallVector<bool> drop;
  for (int64_t d = 0; d < xt.getRank(); ++d)
    drop.push_back(xt.getDimSize(d) == 1 &&
                   getConstantIntValue(outDims[off + d]) != 1);
  SmallVector<int64_t> kept;
  Value c = dropUnitDims(b, loc, x, drop, kept);
  SmallVector<int64_t> added;
  for (int64_t j = 0; j < rank; ++j)
    if (!llvm::is_contained(kept, j - off))
      added.push_back(j);
  // linalg.broadcast wants the kept dims to agree exactly (static or
  // dynamic) with the init's.
  SmallVector<int64_t> outShape = staticShapeOf(outDims), keptShape;
  for (int64_t d : kept)
    keptShape.push_back(outShape[off + d]);
  c = castTo(b, loc, c, RankedTensorType::get(keptShape, xt.getElementType()));
  Value init = tensor::EmptyOp::create(b, loc, outDims, xt.getElementType());
  if (added.empty())
    return linalg::CopyOp::create(b, loc, c, init).getResult(0);
  return linalg::BroadcastOp::create(b, loc, c, init, added).getResult()[0];
}

/// mica.expand -> collapse the broadcast unit dims + linalg.broadcast.
struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t rank = rt.getRank(), off = rank - xt.getRank();
    if (off < 0)
      return rewriter.notifyMatchFailure(op, "result rank below input rank");
    Value shape = adaptor.getShape();
    int64_t shapeOff = 0;
    if (shape) {
      auto st = cast<RankedTensorType>(shape.getType());
      if (st.isDynamicDim(0) || st.getDimSize(0) > rank)
        return rewriter.notifyMatchFailure(op, "shape length unknown");
      shapeOff = rank - st.getDimSize(0);
    }
    SmallVector<OpFoldResult> dims;
    for (int64_t j = 0; j < rank; ++j) {
      if (!rt.isDynamicDim(j)) {
        dims.push_back(rewriter.getIndexAttr(rt.getDimSize(j)));
        continue;
      }
      int64_t d = j - off;
      if (d >= 0 && !xt.isDynamicDim(d) && xt.getDimSize(d) != 1) {
        dims.push_back(rewriter.getIndexAttr(xt.getDimSize(d)));
        continue;
      }
      if (d >= 0 && xt.getDimSize(d) != 1 && !shape) {
        dims.push_back(getDim(rewriter, loc, x, d));
        continue;
      }
      if (!shape || j < shapeOff)
        return rewriter.notifyMatchFailure(op, "cannot size a dynamic dim");
      // max(input dim, shape entry): one of them is 1 when they broadcast.
      Value e = tensor::ExtractOp::create(
          rewriter, loc, shape, ValueRange{cIndex(rewriter, loc, j - shapeOff)});
      e = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), e);
      if (d >= 0)
        e = arith::MaxSIOp::create(rewriter, loc, e,
                                   toValue(rewriter, loc, getDim(rewriter, loc, x, d)));
      dims.push_back(e);
    }
    Value r = broadcastTo(rewriter, loc, x, dims);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, rt));
    return success();
  }
};

/// mica.tile: linalg.broadcast [d0, d1] to [m0, d0, m1, d1], then collapse
/// [[0, 1], [2, 3]].
struct TileLowering : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    if (static_cast<int64_t>(op.getMultiples().size()) != rank ||
        llvm::any_of(op.getMultiples(), [](int64_t m) { return m < 0; }))
      return rewriter.notifyMatchFailure(op, "bad multiples");
    SmallVector<OpFoldResult> dims;
    SmallVector<int64_t> added;
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d) {
      added.push_back(2 * d);
      dims.push_back(rewriter.getIndexAttr(op.getMultiples()[d]));
      dims.push_back(getDim(rewriter, loc, x, d));
      groups.push_back({2 * d, 2 * d + 1});
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, dims, xt.getElementType());
    Value b = linalg::BroadcastOp::create(rewriter, loc, x, init, added)
                  .getResult()[0];
    Value r = tensor::CollapseShapeOp::create(rewriter, loc, b, groups);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// mica.pad: constant mode with non-negative pads -> tensor.pad; other
/// modes and crops -> a generic mapping each output coordinate to its
/// source (reflect: mirror without repeating the edge; edge: clamp;
/// constant: select against the bounds).
struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (static_cast<int64_t>(pads.size()) != 2 * rank)
      return rewriter.notifyMatchFailure(op, "pads size != 2 * rank");
    Type elt = xt.getElementType();
    PadMode mode = op.getMode();
    Value padValue = scalarConst(rewriter, loc, elt,
                                 op.getValue().convertToDouble());
    SmallVector<OpFoldResult> outDims;
    for (int64_t d = 0; d < rank; ++d) {
      OpFoldResult in = getDim(rewriter, loc, x, d);
      int64_t extra = pads[d] + pads[d + rank];
      if (std::optional<int64_t> c = getConstantIntValue(in))
        outDims.push_back(rewriter.getIndexAttr(*c + extra));
      else
        outDims.push_back(arith::AddIOp::create(rewriter, loc, toValue(rewriter, loc, in),
                                                cIndex(rewriter, loc, extra))
                              .getResult());
    }
    Value result;
    if (mode == PadMode::constant &&
        llvm::all_of(pads, [](int64_t p) { return p >= 0; })) {
      SmallVector<OpFoldResult> low, high;
      for (int64_t d = 0; d < rank; ++d) {
        low.push_back(rewriter.getIndexAttr(pads[d]));
        high.push_back(rewriter.getIndexAttr(pads[d + rank]));
      }
      auto type = RankedTensorType::get(staticShapeOf(outDims), elt);
      result = tensor::PadOp::create(rewriter, loc, type, x, low, high, padValue);
    } else {
      SmallVector<Value> inDims;
      for (int64_t d = 0; d < rank; ++d)
        inDims.push_back(toValue(rewriter, loc, getDim(rewriter, loc, x, d)));
      // Constant mode reads a clamped coordinate and selects the pad value
      // outside the input.
      Value init = tensor::EmptyOp::create(rewriter, loc, outDims, elt);
      MLIRContext *ctx = rewriter.getContext();
      SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
      result = linalg::GenericOp::create(
                   rewriter, loc, TypeRange{init.getType()}, ValueRange{},
                   ValueRange{init},
                   ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
                   iters,
                   [&](OpBuilder &b, Location l, ValueRange) {
                     Value zero = cIndex(b, l, 0), one = cIndex(b, l, 1);
                     Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
                     SmallVector<Value> src;
                     for (int64_t d = 0; d < rank; ++d) {
                       Value c = arith::SubIOp::create(
                           b, l, linalg::IndexOp::create(b, l, d),
                           cIndex(b, l, pads[d]));
                       Value last = arith::SubIOp::create(b, l, inDims[d], one);
                       if (mode == PadMode::reflect) {
                         // period 2(n-1); c mod period; mirror the upper half.
                         Value period = arith::MaxSIOp::create(
                             b, l, arith::AddIOp::create(b, l, last, last), one);
                         Value m = arith::RemSIOp::create(b, l, c, period);
                         m = arith::RemSIOp::create(
                             b, l, arith::AddIOp::create(b, l, m, period), period);
                         Value upper = arith::CmpIOp::create(
                             b, l, arith::CmpIPredicate::sgt, m, last);
                         c = arith::SelectOp::create(
                             b, l, upper, arith::SubIOp::create(b, l, period, m), m);
                       } else {
                         if (mode == PadMode::constant) {
                           Value ge = arith::CmpIOp::create(
                               b, l, arith::CmpIPredicate::sge, c, zero);
                           Value le = arith::CmpIOp::create(
                               b, l, arith::CmpIPredicate::sle, c, last);
                           inside = arith::AndIOp::create(
                               b, l, inside, arith::AndIOp::create(b, l, ge, le));
                         }
                         c = arith::MinSIOp::create(
                             b, l, arith::MaxSIOp::create(b, l, c, zero), last);
                       }
                       src.push_back(c);
                     }
                     Value v = tensor::ExtractOp::create(b, l, x, src);
                     if (mode == PadMode::constant)
                       v = arith::SelectOp::create(b, l, inside, v, padValue);
                     linalg::YieldOp::create(b, l, v);
                   })
                   .getResult(0);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// fill, shape_of, range, one_hot
//===----------------------------------------------------------------------===//

/// mica.fill -> linalg.fill of a tensor.empty sized by the shape operand.
struct FillLowering : OpConversionPattern<FillOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FillOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = cast<RankedTensorType>(op.getType());
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value || value.getType() != rt.getElementType())
      return rewriter.notifyMatchFailure(op, "value of another type");
    SmallVector<OpFoldResult> dims;
    for (int64_t d = 0; d < rt.getRank(); ++d) {
      if (!rt.isDynamicDim(d)) {
        dims.push_back(rewriter.getIndexAttr(rt.getDimSize(d)));
        continue;
      }
      Value e = tensor::ExtractOp::create(rewriter, loc, adaptor.getShape(),
                                          ValueRange{cIndex(rewriter, loc, d)});
      dims.push_back(
          arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), e)
              .getResult());
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, dims, rt.getElementType());
    Value c = arith::ConstantOp::create(rewriter, loc, value);
    Value r = linalg::FillOp::create(rewriter, loc, c, init).getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, rt));
    return success();
  }
};

/// mica.shape_of -> tensor.from_elements of the dims as i64.
struct ShapeOfLowering : OpConversionPattern<ShapeOfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ShapeOfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    SmallVector<Value> dims;
    for (OpFoldResult d : getDims(rewriter, loc, x))
      dims.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                                toValue(rewriter, loc, d)));
    auto type = RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                      rewriter.getI64Type());
    Value r = tensor::FromElementsOp::create(rewriter, loc, type, dims);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// mica.range -> a generic over max(ceil((limit - start) / delta), 0)
/// elements computing start + i * delta.
struct RangeLowering : OpConversionPattern<RangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = cast<RankedTensorType>(op.getType());
    Type elt = rt.getElementType();
    auto scalar = [&](Value t) -> Value {
      if (cast<RankedTensorType>(t.getType()).getRank() != 0)
        return {};
      return tensor::ExtractOp::create(rewriter, loc, t, ValueRange{});
    };
    Value s = scalar(adaptor.getStart()), l = scalar(adaptor.getLimit()),
          d = scalar(adaptor.getDelta());
    if (!s || !l || !d || rt.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "expects 0-D operands");
    Value count;
    if (isa<FloatType>(elt)) {
      Value q = arith::DivFOp::create(rewriter, loc,
                                      arith::SubFOp::create(rewriter, loc, l, s), d);
      q = math::CeilOp::create(rewriter, loc, q);
      count = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), q);
      count = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), count);
    } else {
      Value span = arith::SubIOp::create(rewriter, loc, l, s);
      Value q = arith::CeilDivSIOp::create(rewriter, loc, span, d);
      count = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), q);
    }
    count = arith::MaxSIOp::create(rewriter, loc, count, cIndex(rewriter, loc, 0));
    OpFoldResult n = rt.isDynamicDim(0) ? OpFoldResult(count)
                                        : rewriter.getIndexAttr(rt.getDimSize(0));
    Value init = tensor::EmptyOp::create(rewriter, loc, ArrayRef<OpFoldResult>{n}, elt);
    MLIRContext *ctx = rewriter.getContext();
    Value r = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{init.getType()}, ValueRange{},
                  ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
                  ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
                  [&](OpBuilder &b, Location nl, ValueRange) {
                    Value i = arith::IndexCastOp::create(
                        b, nl, b.getI64Type(), linalg::IndexOp::create(b, nl, 0));
                    Value v;
                    if (isa<FloatType>(elt)) {
                      Value fi = arith::SIToFPOp::create(b, nl, elt, i);
                      v = arith::AddFOp::create(b, nl, s,
                                                arith::MulFOp::create(b, nl, fi, d));
                    } else {
                      if (elt.getIntOrFloatBitWidth() < 64)
                        i = arith::TruncIOp::create(b, nl, elt, i);
                      v = arith::AddIOp::create(b, nl, s,
                                                arith::MulIOp::create(b, nl, i, d));
                    }
                    linalg::YieldOp::create(b, nl, v);
                  })
                  .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, rt));
    return success();
  }
};

/// mica.one_hot -> a generic over the result comparing linalg.index(axis)
/// with the (wrapped) index.
struct OneHotLowering : OpConversionPattern<OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value ind = adaptor.getIndices();
    auto rt = cast<RankedTensorType>(op.getType());
    int64_t rank = rt.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t ax = *axis, depth = op.getDepth();
    SmallVector<OpFoldResult> dims;
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> exprs;
    for (int64_t j = 0, d = 0; j < rank; ++j) {
      if (j == ax) {
        dims.push_back(rewriter.getIndexAttr(depth));
        continue;
      }
      dims.push_back(getDim(rewriter, loc, ind, d++));
      exprs.push_back(getAffineDimExpr(j, ctx));
    }
    Type elt = rt.getElementType();
    Value on = scalarConst(rewriter, loc, elt, op.getOnValue().convertToDouble());
    Value off = scalarConst(rewriter, loc, elt, op.getOffValue().convertToDouble());
    Value init = tensor::EmptyOp::create(rewriter, loc, dims, elt);
    Type i64 = rewriter.getI64Type();
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    Value r = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{init.getType()}, ValueRange{ind},
                  ValueRange{init},
                  ArrayRef<AffineMap>{AffineMap::get(rank, 0, exprs, ctx),
                                      AffineMap::getMultiDimIdentityMap(rank, ctx)},
                  iters,
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value idx = a[0];
                    if (idx.getType() != i64)
                      idx = arith::ExtSIOp::create(b, l, i64, idx);
                    Value dep = arith::ConstantIntOp::create(b, l, i64, depth);
                    Value neg = arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::slt, idx,
                        arith::ConstantIntOp::create(b, l, i64, 0));
                    idx = arith::SelectOp::create(
                        b, l, neg, arith::AddIOp::create(b, l, idx, dep), idx);
                    Value pos = arith::IndexCastOp::create(
                        b, l, i64, linalg::IndexOp::create(b, l, ax));
                    Value hit = arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::eq, pos, idx);
                    linalg::YieldOp::create(
                        b, l, ValueRange{arith::SelectOp::create(b, l, hit, on, off)});
                  })
                  .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, rt));
    return success();
  }
};

} // namespace

void mica::populateMicaStructureToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, TransposeLowering, ReshapeLowering,
               ConcatLowering, SplitLowering, SliceLowering, GatherLowering,
               GatherElementsLowering, ExpandLowering, TileLowering, PadLowering,
               FillLowering, ShapeOfLowering, RangeLowering, OneHotLowering>(
      patterns.getContext());
}
