//===- Indexing.cpp - lower mica.cumsum and mica.resize to linalg ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Ops whose outputs read data-dependent or computed input positions:
///   * cumsum -> a linalg.generic over (dims..., a') whose extra reduction
///     loop a' runs over the scanned axis and adds x[.., a', ..] when a' is
///     at or before a (strictly for `exclusive`; at or after for `reverse`).
///     Quadratic in the axis length, but a plain tensor-level op that
///     tiles and fuses like the other reductions.
///   * resize (static shapes) -> the source taps of every output
///     coordinate are computed at compile time (ONNX coordinate transforms
///     and nearest rounding, as the reference evaluator does) into constant
///     index/weight tables; one linalg.generic over the output reads the
///     tables per dim and tensor.extracts the 2^k corners of the
///     interpolated dims.
///   * scatter_elements / scatter_nd -> an scf.for nest over the updates
///     with the output as a tensor iter_arg: each step reads its index
///     (negative ones wrap), extracts the current element, combines it with
///     the update by `reduction` and inserts it back, so duplicate indices
///     apply in order exactly as the reference does.
///   * topk -> the stable rank of every element along the axis (a generic
///     with a reduction loop counting the elements ordered before it:
///     better value, or equal value at a lower index), then an scf.for nest
///     over the input that inserts the elements ranked below k at their
///     rank, with their indices. Quadratic in the axis length.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

/// mica.cumsum %x {axis = a} ->
///   linalg.generic ins(%x[.., a', ..]) outs(fill 0)
///     iterators [parallel..., reduction a'] { a' <= a ? acc + x : acc }
struct CumSumLowering : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Type elt = xt.getElementType();
    bool isFloat = isa<FloatType>(elt);
    MLIRContext *ctx = rewriter.getContext();

    Value init = tensor::EmptyOp::create(rewriter, loc,
                                         getDims(rewriter, loc, x), elt);
    init = linalg::FillOp::create(rewriter, loc,
                                  scalarConst(rewriter, loc, elt, 0.0), init)
               .getResult(0);
    // Loops: the output dims, then a' (= loop `rank`) over the axis.
    SmallVector<AffineExpr> in;
    for (int64_t d = 0; d < rank; ++d)
      in.push_back(getAffineDimExpr(d == *axis ? rank : d, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank + 1, 0, in, ctx),
        AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank)};
    SmallVector<utils::IteratorType> its(rank, utils::IteratorType::parallel);
    its.push_back(utils::IteratorType::reduction);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    int64_t ax = *axis;
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), ValueRange{x}, ValueRange{init},
            maps, its,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value out = linalg::IndexOp::create(b, l, ax);
              Value src = linalg::IndexOp::create(b, l, rank);
              // forward: src <= out (src < out exclusive); reverse: src >=
              // out (src > out exclusive).
              arith::CmpIPredicate pred =
                  reverse ? (exclusive ? arith::CmpIPredicate::ugt
                                       : arith::CmpIPredicate::uge)
                          : (exclusive ? arith::CmpIPredicate::ult
                                       : arith::CmpIPredicate::ule);
              Value take = arith::CmpIOp::create(b, l, pred, src, out);
              Value sum = isFloat
                              ? Value(arith::AddFOp::create(b, l, a[1], a[0]))
                              : Value(arith::AddIOp::create(b, l, a[1], a[0]));
              linalg::YieldOp::create(
                  b, l, Value(arith::SelectOp::create(b, l, take, sum, a[1])));
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// Input coordinate of output coordinate `o` (as lib/Reference).
double sourceCoordinate(CoordTransform mode, int64_t o, double scale,
                        int64_t in, int64_t out) {
  switch (mode) {
  case CoordTransform::half_pixel:
    return (o + 0.5) / scale - 0.5;
  case CoordTransform::asymmetric:
    return o / scale;
  case CoordTransform::align_corners:
    return out == 1 ? 0.0 : o * double(in - 1) / (double(in) * scale - 1);
  case CoordTransform::pytorch_half_pixel:
    return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
  }
  return 0.0;
}

/// Nearest input index of coordinate `x` under `mode`, clamped.
int64_t nearestIndex(NearestMode mode, double x, int64_t in) {
  double r = 0;
  switch (mode) {
  case NearestMode::round_prefer_floor:
    r = (x - std::floor(x) == 0.5) ? std::floor(x) : std::round(x);
    break;
  case NearestMode::round_prefer_ceil:
    r = (x - std::floor(x) == 0.5) ? std::ceil(x) : std::round(x);
    break;
  case NearestMode::floor:
    r = std::floor(x);
    break;
  case NearestMode::ceil:
    r = std::ceil(x);
    break;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
}

/// mica.resize %x ->
///   linalg.generic ins(%lo_d, [%hi_d, %w_d for interpolated d]...)
///     { sum over corners of w * tensor.extract %x[idx...] }
struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (!xt.hasStaticShape() || !resT.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = xt.getRank();
    ArrayRef<double> scales = op.getScales();
    if ((int64_t)scales.size() != rank)
      return rewriter.notifyMatchFailure(op, "one scale per dim expected");
    Type elt = xt.getElementType();
    bool linear = op.getMode() == ResizeMode::linear;
    MLIRContext *ctx = rewriter.getContext();

    // Compile-time taps per dim; a dim is interpolated when some output
    // coordinate weighs two different input positions.
    SmallVector<Value> ins;
    SmallVector<AffineMap> maps;
    struct DimTables {
      int64_t lo, hi = -1, w = -1;
    };
    SmallVector<DimTables> tables(rank);
    auto addTable = [&](int64_t d, Attribute values, Type type) {
      ins.push_back(arith::ConstantOp::create(rewriter, loc,
                                              cast<TypedAttr>(values)));
      maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(d, ctx)));
      (void)type;
      return (int64_t)ins.size() - 1;
    };
    for (int64_t d = 0; d < rank; ++d) {
      int64_t in = xt.getDimSize(d), out = resT.getDimSize(d);
      if (in == 0 || out == 0)
        return rewriter.notifyMatchFailure(op, "empty dim");
      SmallVector<int64_t> lo, hi;
      SmallVector<double> w;
      bool interpolated = false;
      for (int64_t o = 0; o < out; ++o) {
        double c = sourceCoordinate(op.getCoordinateTransformationMode(), o,
                                    scales[d], in, out);
        if (!linear) {
          lo.push_back(nearestIndex(op.getNearestMode(), c, in));
          continue;
        }
        c = std::clamp(c, 0.0, double(in - 1));
        int64_t l = static_cast<int64_t>(std::floor(c));
        lo.push_back(l);
        hi.push_back(std::min(l + 1, in - 1));
        w.push_back(c - l);
        interpolated |= w.back() != 0.0 && hi.back() != l;
      }
      auto idxT = RankedTensorType::get({out}, rewriter.getI64Type());
      tables[d].lo = addTable(
          d, DenseIntElementsAttr::get(idxT, ArrayRef<int64_t>(lo)), idxT);
      if (interpolated) {
        tables[d].hi = addTable(
            d, DenseIntElementsAttr::get(idxT, ArrayRef<int64_t>(hi)), idxT);
        auto wT = RankedTensorType::get({out}, elt);
        SmallVector<Attribute> ws;
        for (double v : w)
          ws.push_back(FloatAttr::get(elt, v));
        tables[d].w = addTable(d, DenseElementsAttr::get(wT, ws), wT);
      }
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
    Value init = tensor::EmptyOp::create(rewriter, loc, resT.getShape(), elt);
    SmallVector<utils::IteratorType> its(rank, utils::IteratorType::parallel);
    SmallVector<int64_t> active;
    for (int64_t d = 0; d < rank; ++d)
      if (tables[d].hi >= 0)
        active.push_back(d);
    Value r =
        linalg::GenericOp::create(
            rewriter, loc, resT, ins, ValueRange{init}, maps, its,
            [&](OpBuilder &b, Location l, ValueRange a) {
              auto toIndex = [&](Value v) -> Value {
                return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
              };
              SmallVector<Value> lo, hi(rank);
              for (int64_t d = 0; d < rank; ++d) {
                lo.push_back(toIndex(a[tables[d].lo]));
                if (tables[d].hi >= 0)
                  hi[d] = toIndex(a[tables[d].hi]);
              }
              Value one = scalarConst(b, l, elt, 1.0);
              Value sum;
              for (int64_t corner = 0; corner < (int64_t(1) << active.size());
                   ++corner) {
                SmallVector<Value> idx(lo);
                Value weight;
                for (auto [k, d] : llvm::enumerate(active)) {
                  bool upper = (corner >> k) & 1;
                  Value wd = a[tables[d].w];
                  Value f = upper ? wd
                                  : Value(arith::SubFOp::create(b, l, one, wd));
                  if (upper)
                    idx[d] = hi[d];
                  weight = weight ? Value(arith::MulFOp::create(b, l, weight, f))
                                  : f;
                }
                Value v = tensor::ExtractOp::create(b, l, x, idx);
                if (weight)
                  v = arith::MulFOp::create(b, l, weight, v);
                sum = sum ? Value(arith::AddFOp::create(b, l, sum, v)) : v;
              }
              linalg::YieldOp::create(b, l, sum);
            })
            .getResult(0);
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// `old` combined with `upd` by `reduction` (none: the update wins).
Value combineScatter(OpBuilder &b, Location loc, ScatterReduction reduction,
                     Value old, Value upd) {
  bool isFloat = isa<FloatType>(old.getType());
  switch (reduction) {
  case ScatterReduction::none:
    return upd;
  case ScatterReduction::add:
    return isFloat ? Value(arith::AddFOp::create(b, loc, old, upd))
                   : Value(arith::AddIOp::create(b, loc, old, upd));
  case ScatterReduction::mul:
    return isFloat ? Value(arith::MulFOp::create(b, loc, old, upd))
                   : Value(arith::MulIOp::create(b, loc, old, upd));
  case ScatterReduction::max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, old, upd))
                   : Value(arith::MaxSIOp::create(b, loc, old, upd));
  case ScatterReduction::min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, old, upd))
                   : Value(arith::MinSIOp::create(b, loc, old, upd));
  }
  return upd;
}

/// Index element `v` (any integer type) as an index into a dim of size
/// `size`, negative values counting from the back.
Value wrapIndex(OpBuilder &b, Location loc, Value v, Value size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
  Value wrapped = arith::AddIOp::create(b, loc, i, size);
  return arith::SelectOp::create(b, loc, neg, wrapped, i);
}

/// An scf.for nest over `dims` carrying `init`; `body` gets the induction
/// variables and the carried tensor and returns its next value.
Value scatterLoop(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                  Value init,
                  function_ref<Value(OpBuilder &, Location, ValueRange, Value)>
                      body) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(dims.size(), zero), steps(dims.size(), one), ubs;
  for (OpFoldResult d : dims)
    ubs.push_back(toValue(b, loc, d));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder &bb, Location l, ValueRange ivs, ValueRange iter) {
        return scf::ValueVector{body(bb, l, ivs, iter[0])};
      });
  return nest.results.empty() ? init : nest.results.front();
}

/// mica.scatter_elements %x, %i, %u {axis = a} ->
///   scf.for (nest over %i's dims) iter_args(%out = %x) {
///     %k = wrap(%i[ivs]); %p = ivs with p[a] = %k
///     tensor.insert combine(%out[%p], %u[ivs]) into %out[%p]
///   }
struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), idx = adaptor.getIndices(),
          upd = adaptor.getUpdates();
    auto xt = cast<RankedTensorType>(x.getType());
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), xt.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    ScatterReduction red = op.getReduction();
    Value size = toValue(rewriter, loc, getDim(rewriter, loc, x, *axis));
    Value r = scatterLoop(
        rewriter, loc, getDims(rewriter, loc, idx), x,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value out) {
          Value k = wrapIndex(b, l, tensor::ExtractOp::create(b, l, idx, ivs),
                              size);
          SmallVector<Value> pos(ivs);
          pos[*axis] = k;
          Value old = tensor::ExtractOp::create(b, l, out, pos);
          Value u = tensor::ExtractOp::create(b, l, upd, ivs);
          return Value(tensor::InsertOp::create(
              b, l, combineScatter(b, l, red, old, u), out, pos));
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// mica.scatter_nd %x, %i [..., q], %u ->
///   scf.for (nest over %i's leading dims and %x's dims from q)
///       iter_args(%out = %x) {
///     %p = (wrap(%i[t..., 0]), ..., wrap(%i[t..., q-1]), s...)
///     tensor.insert combine(%out[%p], %u[t..., s...]) into %out[%p]
///   }
struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), idx = adaptor.getIndices(),
          upd = adaptor.getUpdates();
    auto xt = cast<RankedTensorType>(x.getType());
    auto it = cast<RankedTensorType>(idx.getType());
    int64_t q = it.getDimSize(it.getRank() - 1);
    if (ShapedType::isDynamic(q) || q > xt.getRank() || it.getRank() < 1)
      return rewriter.notifyMatchFailure(op, "needs a static tuple length");
    ScatterReduction red = op.getReduction();
    int64_t lead = it.getRank() - 1;
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, idx);
    dims.pop_back();
    SmallVector<OpFoldResult> xdims = getDims(rewriter, loc, x);
    llvm::append_range(dims, ArrayRef<OpFoldResult>(xdims).drop_front(q));
    SmallVector<Value> sizes;
    for (int64_t j = 0; j < q; ++j)
      sizes.push_back(toValue(rewriter, loc, xdims[j]));
    Value r = scatterLoop(
        rewriter, loc, dims, x,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value out) {
          SmallVector<Value> pos, at(ivs.take_front(lead));
          for (int64_t j = 0; j < q; ++j) {
            at.push_back(arith::ConstantIndexOp::create(b, l, j));
            pos.push_back(wrapIndex(
                b, l, tensor::ExtractOp::create(b, l, idx, at), sizes[j]));
            at.pop_back();
          }
          llvm::append_range(pos, ivs.drop_front(lead));
          Value old = tensor::ExtractOp::create(b, l, out, pos);
          Value u = tensor::ExtractOp::create(b, l, upd, ivs);
          return Value(tensor::InsertOp::create(
              b, l, combineScatter(b, l, red, old, u), out, pos));
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, op.getType()));
    return success();
  }
};

/// mica.topk %x {k, axis = a} ->
///   %rank = linalg.generic (reduction over a') { count of better-or-earlier }
///   scf.for (nest over %x) iter_args(%v, %i) {
///     scf.if %rank[ivs] < k { insert %x[ivs], ivs[a] at [.., rank, ..] }
///   }
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    int64_t ax = *axis, k = op.getK();
    Type elt = xt.getElementType();
    bool isFloat = isa<FloatType>(elt), largest = op.getLargest();
    Type i64 = rewriter.getI64Type();
    MLIRContext *ctx = rewriter.getContext();

    // The stable rank of each element along the axis.
    SmallVector<OpFoldResult> dims = getDims(rewriter, loc, x);
    Value rinit = tensor::EmptyOp::create(rewriter, loc, dims, i64);
    rinit = linalg::FillOp::create(rewriter, loc,
                                   scalarConst(rewriter, loc, i64, 0.0), rinit)
                .getResult(0);
    SmallVector<AffineExpr> other;
    for (int64_t d = 0; d < rank; ++d)
      other.push_back(getAffineDimExpr(d == ax ? rank : d, ctx));
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank + 1, ctx);
    SmallVector<AffineMap> maps = {id.getMajorSubMap(rank),
                                   AffineMap::get(rank + 1, 0, other, ctx),
                                   id.getMajorSubMap(rank)};
    SmallVector<utils::IteratorType> its(rank, utils::IteratorType::parallel);
    its.push_back(utils::IteratorType::reduction);
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, rinit.getType(), ValueRange{x, x}, ValueRange{rinit},
            maps, its,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value v = a[0], w = a[1];
              Value better, equal;
              if (isFloat) {
                better = arith::CmpFOp::create(
                    b, l,
                    largest ? arith::CmpFPredicate::OGT
                            : arith::CmpFPredicate::OLT,
                    w, v);
                equal =
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, w, v);
              } else {
                better = arith::CmpIOp::create(
                    b, l,
                    largest ? arith::CmpIPredicate::sgt
                            : arith::CmpIPredicate::slt,
                    w, v);
                equal =
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, w, v);
              }
              Value self = linalg::IndexOp::create(b, l, ax);
              Value src = linalg::IndexOp::create(b, l, rank);
              Value earlier = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ult, src, self);
              Value before = arith::OrIOp::create(
                  b, l, better, arith::AndIOp::create(b, l, equal, earlier));
              Value inc = arith::AddIOp::create(
                  b, l, a[2], scalarConst(b, l, i64, 1.0));
              linalg::YieldOp::create(
                  b, l, Value(arith::SelectOp::create(b, l, before, inc, a[2])));
            })
            .getResult(0);

    // Insert the elements ranked below k.
    SmallVector<OpFoldResult> outDims(dims);
    outDims[ax] = rewriter.getIndexAttr(k);
    Value vals = tensor::EmptyOp::create(rewriter, loc, outDims, elt);
    vals = linalg::FillOp::create(rewriter, loc,
                                  scalarConst(rewriter, loc, elt, 0.0), vals)
               .getResult(0);
    Value idxs = tensor::EmptyOp::create(rewriter, loc, outDims, i64);
    idxs = linalg::FillOp::create(rewriter, loc,
                                  scalarConst(rewriter, loc, i64, 0.0), idxs)
               .getResult(0);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lbs(rank, zero), steps(rank, one), ubs;
    for (OpFoldResult d : dims)
      ubs.push_back(toValue(rewriter, loc, d));
    Value kv = arith::ConstantIntOp::create(rewriter, loc, i64, k);
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{vals, idxs},
        [&](OpBuilder &b, Location l, ValueRange ivs, ValueRange iter) {
          Value r = tensor::ExtractOp::create(b, l, ranks, ivs);
          Value keep =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r, kv);
          auto ifOp = scf::IfOp::create(
              b, l, keep,
              [&](OpBuilder &bb, Location ll) {
                SmallVector<Value> pos(ivs);
                pos[ax] =
                    arith::IndexCastOp::create(bb, ll, bb.getIndexType(), r);
                Value v = tensor::ExtractOp::create(bb, ll, x, ivs);
                Value i = arith::IndexCastOp::create(bb, ll, i64, ivs[ax]);
                Value nv = tensor::InsertOp::create(bb, ll, v, iter[0], pos);
                Value ni = tensor::InsertOp::create(bb, ll, i, iter[1], pos);
                scf::YieldOp::create(bb, ll, ValueRange{nv, ni});
              },
              [&](OpBuilder &bb, Location ll) {
                scf::YieldOp::create(bb, ll, iter);
              });
          return scf::ValueVector(ifOp.getResults());
        });
    if (!nest.results.empty()) {
      vals = nest.results[0];
      idxs = nest.results[1];
    }
    rewriter.replaceOp(op, {castTo(rewriter, loc, vals, op.getValues().getType()),
                            castTo(rewriter, loc, idxs,
                                   op.getIndices().getType())});
    return success();
  }
};

} // namespace

void mica::populateMicaIndexingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CumSumLowering, ResizeLowering, ScatterElementsLowering,
               ScatterNDLowering, TopKLowering>(patterns.getContext());
}
