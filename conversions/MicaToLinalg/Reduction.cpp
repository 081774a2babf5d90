//===- Reduction.cpp - lower mica reductions and normalizations -----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Reductions become a `linalg.generic` with reduction iterators into a
/// `linalg.fill`ed accumulator of the kept dims (buildReduction), followed
/// by an elementwise generic for the post-processing (mean, l2, log) and a
/// tensor.expand_shape for `keepdims`. Softmax, log_softmax and the layer
/// norms are chains of such reductions and generics that read the reduced
/// values back through projection maps (the numerically safe forms:
/// softmax subtracts the row max, computed together with the sum in one
/// online reduction, OnlineSoftmax.h; layer norm uses the two-pass
/// variance).
/// Schedules that fuse these passes belong to the CPU pipeline, not here.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"
#include "mica/Conversion/MicaToLinalg/OnlineSoftmax.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

bool isFloat(Type t) { return isa<FloatType>(t); }

Value addOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}
Value mulOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}
Value maxOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value minOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

/// Normalized, sorted, unique axes; failure when one is out of range.
FailureOr<SmallVector<int64_t>> normalizeAxes(ArrayRef<int64_t> axes,
                                              int64_t rank) {
  SmallVector<int64_t> out;
  for (int64_t a : axes) {
    std::optional<int64_t> n = normalizeAxis(a, rank);
    if (!n)
      return failure();
    out.push_back(*n);
  }
  llvm::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// Max over `axes` (a NaN-propagating float max or a signed integer max).
Value reduceMax(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes) {
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  return buildReduction(b, loc, x, axes, extremeConst(b, loc, elt, false),
                        maxOf);
}
Value reduceSum(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes) {
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  return buildReduction(b, loc, x, axes, scalarConst(b, loc, elt, 0), addOf);
}

/// Elementwise map over a (reduced) tensor.
Value mapTensor(OpBuilder &b, Location loc, ValueRange operands,
                ScalarBodyFn body) {
  Value first = operands.front();
  return buildBroadcastGeneric(
      b, loc, getDims(b, loc, first),
      cast<RankedTensorType>(first.getType()).getElementType(), operands,
      body);
}

/// Re-inserts the reduced dims of `x` as unit dims into `reduced`.
Value keepDims(OpBuilder &b, Location loc, Value reduced, Value x,
               ArrayRef<int64_t> axes) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<bool> inserted(rank, false);
  SmallVector<OpFoldResult> dims;
  for (int64_t d = 0; d < rank; ++d) {
    inserted[d] = llvm::is_contained(axes, d);
    dims.push_back(inserted[d] ? OpFoldResult(b.getIndexAttr(1))
                               : getDim(b, loc, x, d));
  }
  return insertUnitDims(b, loc, reduced, inserted, dims);
}

/// The mica.reduce semantics on `x` over normalized `axes` (no keepdims).
FailureOr<Value> lowerReduce(OpBuilder &b, Location loc, Value x,
                             ReduceKind kind, ArrayRef<int64_t> axes) {
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  bool f = isFloat(elt);
  Value zero = scalarConst(b, loc, elt, 0);
  switch (kind) {
  case ReduceKind::sum:
    return reduceSum(b, loc, x, axes);
  case ReduceKind::mean: {
    Value s = reduceSum(b, loc, x, axes);
    Value n = countOf(b, loc, x, axes, elt);
    return mapTensor(b, loc, s, [&](OpBuilder &nb, Location l, ValueRange a) {
      return f ? Value(arith::DivFOp::create(nb, l, a[0], n))
               : Value(arith::DivSIOp::create(nb, l, a[0], n));
    });
  }
  case ReduceKind::max:
    return reduceMax(b, loc, x, axes);
  case ReduceKind::min:
    return buildReduction(b, loc, x, axes, extremeConst(b, loc, elt, true),
                          minOf);
  case ReduceKind::prod:
    return buildReduction(b, loc, x, axes, scalarConst(b, loc, elt, 1), mulOf);
  case ReduceKind::l1:
    return buildReduction(
        b, loc, x, axes, zero,
        [&](OpBuilder &nb, Location l, Value v, Value acc) {
          Value abs = f ? Value(math::AbsFOp::create(nb, l, v))
                        : Value(math::AbsIOp::create(nb, l, v));
          return addOf(nb, l, acc, abs);
        });
  case ReduceKind::l2:
  case ReduceKind::sum_square: {
    Value s = buildReduction(
        b, loc, x, axes, zero,
        [&](OpBuilder &nb, Location l, Value v, Value acc) {
          return addOf(nb, l, acc, mulOf(nb, l, v, v));
        });
    if (kind == ReduceKind::sum_square)
      return s;
    if (!f)
      return failure();
    return mapTensor(b, loc, s, [&](OpBuilder &nb, Location l, ValueRange a) {
      return math::SqrtOp::create(nb, l, a[0]);
    });
  }
  case ReduceKind::log_sum_exp: {
    if (!f)
      return failure();
    // m + log(sum(exp(x - m))) with m the max (0 where the max is -inf).
    Value m = reduceMax(b, loc, x, axes);
    Value ninf = extremeConst(b, loc, elt, false);
    m = mapTensor(b, loc, m, [&](OpBuilder &nb, Location l, ValueRange a) {
      Value isNinf =
          arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, a[0], ninf);
      return arith::SelectOp::create(nb, l, isNinf, zero, a[0]);
    });
    Value e = buildWithReduced(
        b, loc, x, axes, m, elt, [&](OpBuilder &nb, Location l, ValueRange a) {
          return math::ExpOp::create(nb, l,
                                     arith::SubFOp::create(nb, l, a[0], a[1]));
        });
    Value s = reduceSum(b, loc, e, axes);
    return mapTensor(b, loc, ValueRange{s, m},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return arith::AddFOp::create(
                           nb, l, math::LogOp::create(nb, l, a[0]), a[1]);
                     });
  }
  }
  return failure();
}

/// mica.reduce -> reduction generic (+ post-map) (+ expand_shape).
struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    FailureOr<SmallVector<int64_t>> axes = normalizeAxes(op.getAxes(), rank);
    if (failed(axes))
      return rewriter.notifyMatchFailure(op, "axis out of range");
    FailureOr<Value> r = lowerReduce(rewriter, loc, x, op.getKind(), *axes);
    if (failed(r))
      return rewriter.notifyMatchFailure(op, "reduction kind needs floats");
    Value result = *r;
    if (op.getKeepdims())
      result = keepDims(rewriter, loc, result, x, *axes);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// mica.global_pool -> mean/max over the spatial dims, kept as 1.
struct GlobalPoolLowering : OpConversionPattern<GlobalPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GlobalPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    ReduceKind kind =
        op.getKind() == PoolKind::max ? ReduceKind::max : ReduceKind::mean;
    FailureOr<Value> r = lowerReduce(rewriter, loc, x, kind, axes);
    if (failed(r))
      return failure();
    Value result = keepDims(rewriter, loc, *r, x, axes);
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// mica.argmax/argmin -> one generic with a (value, index) accumulator
/// pair; ties keep the first index unless `select_last_index`.
template <typename OpTy, bool IsMax>
struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Type elt = xt.getElementType(), i64 = rewriter.getI64Type();
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<OpFoldResult> kept;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iters;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *axis) {
        iters.push_back(utils::IteratorType::reduction);
        continue;
      }
      iters.push_back(utils::IteratorType::parallel);
      kept.push_back(getDim(rewriter, loc, x, d));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    Value vInit = linalg::FillOp::create(
                      rewriter, loc, extremeConst(rewriter, loc, elt, !IsMax),
                      tensor::EmptyOp::create(rewriter, loc, kept, elt).getResult())
                      .getResult(0);
    Value iInit = linalg::FillOp::create(
                      rewriter, loc, scalarConst(rewriter, loc, i64, 0),
                      tensor::EmptyOp::create(rewriter, loc, kept, i64).getResult())
                      .getResult(0);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap proj = AffineMap::get(rank, 0, outExprs, ctx);
    bool last = op.getSelectLastIndex();
    int64_t ax = *axis;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{vInit.getType(), iInit.getType()},
        ValueRange{x}, ValueRange{vInit, iInit},
        ArrayRef<AffineMap>{id, proj, proj}, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value better;
          if (isFloat(elt)) {
            auto p = IsMax ? (last ? arith::CmpFPredicate::OGE
                                   : arith::CmpFPredicate::OGT)
                           : (last ? arith::CmpFPredicate::OLE
                                   : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, l, p, a[0], a[1]);
          } else {
            auto p = IsMax ? (last ? arith::CmpIPredicate::sge
                                   : arith::CmpIPredicate::sgt)
                           : (last ? arith::CmpIPredicate::sle
                                   : arith::CmpIPredicate::slt);
            better = arith::CmpIOp::create(b, l, p, a[0], a[1]);
          }
          Value idx = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, ax));
          Value v = arith::SelectOp::create(b, l, better, a[0], a[1]);
          Value i = arith::SelectOp::create(b, l, better, idx, a[2]);
          linalg::YieldOp::create(b, l, ValueRange{v, i});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdims())
      result = keepDims(rewriter, loc, result, x, {ax});
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }
};

/// The online max and sum of exp(x - max) of `x` over `axes` in one
/// linalg.generic with two reduction outputs (OnlineSoftmax.h): m starts at
/// the lowest finite value, s at 0.
std::pair<Value, Value> buildOnlineMaxSum(OpBuilder &b, Location loc, Value x,
                                          ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  Type elt = type.getElementType();
  MLIRContext *ctx = b.getContext();
  SmallVector<OpFoldResult> keptDims;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      iters.push_back(utils::IteratorType::reduction);
      continue;
    }
    iters.push_back(utils::IteratorType::parallel);
    keptDims.push_back(getDim(b, loc, x, d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  auto acc = [&](Value init) {
    Value empty = tensor::EmptyOp::create(b, loc, keptDims, elt);
    return linalg::FillOp::create(b, loc, init, empty).getResult(0);
  };
  Value m0 = acc(onlineSoftmaxInitMax(b, loc, elt));
  Value s0 = acc(scalarConst(b, loc, elt, 0));
  AffineMap out = AffineMap::get(rank, 0, outExprs, ctx);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 out, out};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{m0.getType(), s0.getType()}, ValueRange{x},
      ValueRange{m0, s0}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        auto [m, s] = buildOnlineSoftmaxStep(nb, l, a[0], a[1], a[2]);
        linalg::YieldOp::create(nb, l, ValueRange{m, s});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

/// Smallest static input (bytes) whose softmax uses the online max/sum.
/// The online step costs a second exp per element: measured with
/// bench/kernels/bench_norm.py (AVX-512, 2 cores), it was 10-35 % slower
/// than the four-pass chain whenever the input stayed in the caches
/// (12x128x128, vocabulary rows up to 1x250002 and 8x50257, 1.5-3 MiB) and
/// 10-30 % faster once the passes went to memory (128x30522, 15 MiB).
constexpr int64_t kOnlineSoftmaxMinBytes = int64_t(8) << 20;

/// Whether the softmax over `xt` is large enough for the online form.
bool prefersOnlineSoftmax(RankedTensorType xt) {
  if (!xt.hasStaticShape())
    return false;
  return xt.getNumElements() * (xt.getElementTypeBitWidth() / 8) >=
         kOnlineSoftmaxMinBytes;
}

/// Inputs of at least kOnlineSoftmaxMinBytes: one reduction computes the
/// online max m and sum s = sum(exp(x - m)) (buildOnlineMaxSum), one
/// elementwise pass the result: softmax: y = exp(x - m) * (1 / s);
/// log_softmax: y = x - m - log(s). Two passes over the row instead of
/// four, and no intermediate tensor of the input's shape.
/// Smaller (or dynamic) inputs, where the passes hit the caches:
/// softmax: m = max(x); e = exp(x - m); y = e / sum(e).
/// log_softmax: y = x - m - log(sum(exp(x - m))).
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), xt.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Type elt = xt.getElementType();
    if (!isFloat(elt))
      return rewriter.notifyMatchFailure(op, "not a float tensor");
    SmallVector<int64_t> axes = {*axis};
    if (!prefersOnlineSoftmax(xt)) {
      rewriter.replaceOp(op, castTo(rewriter, loc,
                                    buildFourPass(rewriter, loc, x, axes),
                                    op.getType()));
      return success();
    }
    auto [m, s] = buildOnlineMaxSum(rewriter, loc, x, axes);
    Value result = buildWithReduced(
        rewriter, loc, x, axes, ValueRange{m, s}, elt,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
          if (IsLog)
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, a[2]));
          Value inv =
              arith::DivFOp::create(b, l, scalarConst(b, l, elt, 1.0), a[2]);
          return arith::MulFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                       inv);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, op.getType()));
    return success();
  }

  /// max, exp(x - max), sum, then divide (or x - m - log(sum)).
  static Value buildFourPass(OpBuilder &b, Location loc, Value x,
                             ArrayRef<int64_t> axes) {
    Type elt = cast<RankedTensorType>(x.getType()).getElementType();
    Value m = reduceMax(b, loc, x, axes);
    Value e = buildWithReduced(
        b, loc, x, axes, m, elt, [&](OpBuilder &nb, Location l, ValueRange a) {
          return math::ExpOp::create(nb, l,
                                     arith::SubFOp::create(nb, l, a[0], a[1]));
        });
    Value s = reduceSum(b, loc, e, axes);
    if (IsLog)
      return buildWithReduced(
          b, loc, x, axes, ValueRange{m, s}, elt,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value shifted = arith::SubFOp::create(nb, l, a[0], a[1]);
            return arith::SubFOp::create(nb, l, shifted,
                                         math::LogOp::create(nb, l, a[2]));
          });
    return buildWithReduced(b, loc, e, axes, s, elt,
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return arith::DivFOp::create(nb, l, a[0], a[1]);
                            });
  }
};

/// (x - mean) / sqrt(var + eps) over dims [axis, rank) (two passes), then
/// * scale + bias broadcast over the trailing dims.
Value buildLayerNorm(OpBuilder &b, Location loc, Value x, int64_t axis,
                     Value scale, Value bias, double eps) {
  auto xt = cast<RankedTensorType>(x.getType());
  Type elt = xt.getElementType();
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < xt.getRank(); ++d)
    axes.push_back(d);
  Value n = countOf(b, loc, x, axes, elt);
  Value sum = reduceSum(b, loc, x, axes);
  Value centered = buildWithReduced(
      b, loc, x, axes, sum, elt, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value mean = arith::DivFOp::create(nb, l, a[1], n);
        return arith::SubFOp::create(nb, l, a[0], mean);
      });
  Value sq = buildReduction(b, loc, centered, axes, scalarConst(b, loc, elt, 0),
                            [](OpBuilder &nb, Location l, Value v, Value acc) {
                              return arith::AddFOp::create(
                                  nb, l, acc, arith::MulFOp::create(nb, l, v, v));
                            });
  Value epsV = scalarConst(b, loc, elt, eps);
  Value normed = buildWithReduced(
      b, loc, centered, axes, sq, elt,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value var = arith::DivFOp::create(nb, l, a[1], n);
        Value inv = math::RsqrtOp::create(nb, l,
                                          arith::AddFOp::create(nb, l, var, epsV));
        return arith::MulFOp::create(nb, l, a[0], inv);
      });
  if (!scale && !bias)
    return normed;
  SmallVector<Value> operands = {normed};
  if (scale)
    operands.push_back(scale);
  if (bias)
    operands.push_back(bias);
  bool hasScale = static_cast<bool>(scale);
  return buildBroadcastGeneric(
      b, loc, getDims(b, loc, normed), elt, operands,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value v = a[0];
        unsigned i = 1;
        if (hasScale)
          v = arith::MulFOp::create(nb, l, v, a[i++]);
        if (i < a.size())
          v = arith::AddFOp::create(nb, l, v, a[i]);
        return v;
      });
}

/// mica.layer_norm -> buildLayerNorm.
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value x = adaptor.getInput();
    std::optional<int64_t> axis = normalizeAxis(
        op.getAxis(), cast<RankedTensorType>(x.getType()).getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis out of range");
    Value r = buildLayerNorm(rewriter, op.getLoc(), x, *axis,
                             adaptor.getScale(), adaptor.getBias(),
                             op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, castTo(rewriter, op.getLoc(), r, op.getType()));
    return success();
  }
};

/// mica.skip_layer_norm -> one add generic, then buildLayerNorm over the
/// last dim.
struct SkipLayerNormLowering : OpConversionPattern<SkipLayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SkipLayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resT = cast<RankedTensorType>(op.getType());
    SmallVector<Value> operands = {adaptor.getInput(), adaptor.getSkip()};
    if (Value bias = adaptor.getBias())
      operands.push_back(bias);
    SmallVector<OpFoldResult> dims =
        getBroadcastDims(rewriter, loc, resT, operands);
    Value sum = buildBroadcastGeneric(
        rewriter, loc, dims, resT.getElementType(), operands,
        [](OpBuilder &b, Location l, ValueRange a) {
          Value v = arith::AddFOp::create(b, l, a[0], a[1]);
          if (a.size() == 3)
            v = arith::AddFOp::create(b, l, v, a[2]);
          return v;
        });
    Value r = buildLayerNorm(rewriter, loc, sum, resT.getRank() - 1,
                             adaptor.getGamma(), adaptor.getBeta(),
                             op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, castTo(rewriter, loc, r, resT));
    return success();
  }
};

/// mica.bias_gelu -> one elementwise generic gelu(x + bias).
struct BiasGeluLowering : OpConversionPattern<BiasGeluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BiasGeluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    bool tanhApprox = op.getApproximate() == GeluApprox::tanh;
    Value r = buildElementwise(
        rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()),
        adaptor.getOperands(), [&](OpBuilder &b, Location l, ValueRange a) {
          return buildGelu(b, l, arith::AddFOp::create(b, l, a[0], a[1]),
                           tanhApprox);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// mica.batch_norm -> one generic reading the [C] parameters through
/// (d0, d1, ...) -> (d1).
struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    if (rank < 2)
      return rewriter.notifyMatchFailure(op, "expects [N, C, ...]");
    for (Value p : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()})
      if (cast<RankedTensorType>(p.getType()).getRank() != 1)
        return rewriter.notifyMatchFailure(op, "expects [C] parameters");
    MLIRContext *ctx = rewriter.getContext();
    Type elt = xt.getElementType();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap ch = AffineMap::get(rank, 0, getAffineDimExpr(1, ctx));
    Value init = tensor::EmptyOp::create(rewriter, loc, getDims(rewriter, loc, x), elt);
    Value eps = scalarConst(rewriter, loc, elt, op.getEpsilon().convertToDouble());
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()},
        ValueRange{x, adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                   adaptor.getVariance()},
        ValueRange{init}, ArrayRef<AffineMap>{id, ch, ch, ch, ch, id}, iters,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value c = arith::SubFOp::create(b, l, a[0], a[3]);
          Value inv = math::RsqrtOp::create(b, l, arith::AddFOp::create(b, l, a[4], eps));
          Value v = arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, c, inv), a[1]);
          linalg::YieldOp::create(b, l, ValueRange{arith::AddFOp::create(b, l, v, a[2])});
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, generic.getResult(0), op.getType()));
    return success();
  }
};

} // namespace

void mica::populateMicaReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering, GlobalPoolLowering,
               ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>,
               SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, LayerNormLowering,
               SkipLayerNormLowering, BiasGeluLowering, BatchNormLowering>(
      patterns.getContext());
}
