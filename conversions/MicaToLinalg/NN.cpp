//===- NN.cpp - lower mica.conv and mica.pool to linalg -------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Sliding-window ops. The input is padded once with tensor.pad (zero for
/// conv and average pooling, -inf for max pooling, plus the extra end pad a
/// `ceil_mode` window needs), then:
///   * conv, group 1, 1-D/2-D/3-D -> linalg.conv_{1d_ncw_fcw, 2d_nchw_fchw,
///     3d_ncdhw_fcdhw} with strides/dilations, accumulating into the
///     broadcast bias (or zero);
///   * grouped conv (depthwise included) -> a contraction linalg.generic over
///     [N, G, O/G, out...] x [C/G, k...] on the input expanded to
///     [N, G, C/G, in...] and the weight to [G, O/G, C/G, k...];
///   * pool -> a linalg.generic over [N, C, out...] x [k...] (the window is
///     a tensor.empty operand that only gives the loops their bounds);
///     average pooling then divides by the window counts, computed at compile
///     time (a scalar when every window has the same count).
/// Spatial dims and kernels must be static; N (and C for pool) may be
/// dynamic.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

/// The static geometry of a sliding window over the spatial dims.
struct WindowGeometry {
  SmallVector<int64_t> in, k, stride, dil, padBegin, padEnd, out;
};

/// Computes the window geometry (output sizes as in the op's type
/// inference); fails on dynamic spatial dims.
FailureOr<WindowGeometry> getGeometry(RankedTensorType xt,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads, bool ceilMode) {
  int64_t sp = xt.getRank() - 2;
  if (sp < 1 || (int64_t)kernel.size() != sp || (int64_t)strides.size() != sp ||
      (int64_t)dilations.size() != sp || (int64_t)pads.size() != 2 * sp)
    return failure();
  WindowGeometry g;
  for (int64_t d = 0; d < sp; ++d) {
    int64_t in = xt.getDimSize(d + 2);
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(kernel[d]))
      return failure();
    int64_t s = strides[d], dl = dilations[d], pb = pads[d],
            pe = pads[d + sp], k = kernel[d];
    int64_t span = in + pb + pe - dl * (k - 1) - 1;
    int64_t out = 0;
    if (span >= 0) {
      out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
      if (ceilMode && (out - 1) * s >= in + pb)
        --out;
    }
    g.in.push_back(in);
    g.k.push_back(k);
    g.stride.push_back(s);
    g.dil.push_back(dl);
    g.padBegin.push_back(pb);
    g.padEnd.push_back(pe);
    g.out.push_back(out);
  }
  return g;
}

/// Pads the spatial dims of `x` ([N, C, spatial...]) by the window's pads
/// plus whatever the last window reads past the end (ceil_mode), with
/// `padValue`. Returns `x` itself when nothing is padded.
Value padSpatial(OpBuilder &b, Location loc, Value x, const WindowGeometry &g,
                 double padValue) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t sp = g.in.size();
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high = low;
  SmallVector<int64_t> shape(xt.getShape());
  bool any = false;
  for (int64_t d = 0; d < sp; ++d) {
    int64_t reach = (g.out[d] - 1) * g.stride[d] + g.dil[d] * (g.k[d] - 1) + 1;
    int64_t hi = std::max(g.padEnd[d], reach - g.in[d] - g.padBegin[d]);
    low.push_back(b.getIndexAttr(g.padBegin[d]));
    high.push_back(b.getIndexAttr(hi));
    shape[d + 2] = g.in[d] + g.padBegin[d] + hi;
    any |= g.padBegin[d] != 0 || hi != 0;
  }
  if (!any)
    return x;
  Value v = scalarConst(b, loc, xt.getElementType(), padValue);
  auto type = RankedTensorType::get(shape, xt.getElementType());
  return tensor::PadOp::create(b, loc, type, x, low, high, v);
}

/// `d * stride + k * dil` (the input position a window element reads).
AffineExpr windowIndex(AffineExpr d, AffineExpr k, int64_t stride,
                       int64_t dil) {
  return d * stride + k * dil;
}

/// mica.conv %x, %w bias(%b) ->
///   %p = tensor.pad %x low[0, 0, pb...] high[0, 0, pe...]
///   %i = linalg.generic { %b[o] }                       (or fill 0)
///   %r = linalg.conv_2d_nchw_fchw {strides, dilations} ins(%p, %w) outs(%i)
/// or, with group > 1, a contraction linalg.generic over the grouped views.
struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto xt = cast<RankedTensorType>(x.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type elt = resT.getElementType();
    int64_t sp = xt.getRank() - 2, group = op.getGroup();
    if (!wt.hasStaticShape() || wt.getRank() != xt.getRank())
      return rewriter.notifyMatchFailure(op, "needs a static weight shape");
    if (xt.getElementType() != elt || wt.getElementType() != elt)
      return rewriter.notifyMatchFailure(op, "mixed element types");
    FailureOr<WindowGeometry> g =
        getGeometry(xt, wt.getShape().drop_front(2), op.getStrides(),
                    op.getDilations(), op.getPads(), false);
    if (failed(g))
      return rewriter.notifyMatchFailure(op, "needs static spatial dims");
    int64_t o = wt.getDimSize(0), cg = wt.getDimSize(1);
    if (group < 1 || o % group != 0 ||
        (!xt.isDynamicDim(1) && xt.getDimSize(1) != cg * group))
      return rewriter.notifyMatchFailure(op, "channels do not match group");
    if (group == 1 && sp > 3)
      return rewriter.notifyMatchFailure(op, "more than 3 spatial dims");
    MLIRContext *ctx = rewriter.getContext();

    Value padded = padSpatial(rewriter, loc, x, *g, 0.0);
    // The accumulator: the bias broadcast over [N, O, out...], or zero.
    SmallVector<OpFoldResult> outDims = {getDim(rewriter, loc, x, 0),
                                         rewriter.getIndexAttr(o)};
    for (int64_t v : g->out)
      outDims.push_back(rewriter.getIndexAttr(v));
    Value init = tensor::EmptyOp::create(rewriter, loc, outDims, elt);
    if (Value bias = adaptor.getBias()) {
      int64_t rank = sp + 2;
      SmallVector<AffineMap> maps = {
          AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
          AffineMap::getMultiDimIdentityMap(rank, ctx)};
      SmallVector<utils::IteratorType> its(rank,
                                           utils::IteratorType::parallel);
      init = linalg::GenericOp::create(
                 rewriter, loc, init.getType(), ValueRange{bias},
                 ValueRange{init}, maps, its,
                 [](OpBuilder &b, Location l, ValueRange a) {
                   linalg::YieldOp::create(b, l, a[0]);
                 })
                 .getResult(0);
    } else {
      init = linalg::FillOp::create(rewriter, loc,
                                    scalarConst(rewriter, loc, elt, 0.0), init)
                 .getResult(0);
    }

    Value result;
    if (group == 1) {
      Attribute strides = rewriter.getI64VectorAttr(g->stride);
      Attribute dils = rewriter.getI64VectorAttr(g->dil);
      SmallVector<Type> types = {init.getType()};
      SmallVector<Value> ins = {padded, w}, outs = {init};
      if (sp == 1)
        result = linalg::Conv1DNcwFcwOp::create(rewriter, loc, types, ins, outs,
                                                strides, dils)
                     .getResult(0);
      else if (sp == 2)
        result = linalg::Conv2DNchwFchwOp::create(rewriter, loc, types, ins,
                                                  outs, strides, dils)
                     .getResult(0);
      else
        result = linalg::Conv3DNcdhwFcdhwOp::create(rewriter, loc, types, ins,
                                                    outs, strides, dils)
                     .getResult(0);
    } else {
      result = buildGroupedConv(rewriter, loc, padded, w, init, *g, group);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resT));
    return success();
  }

  /// The grouped convolution as one contraction generic. Loops:
  /// (n, g, og, out..., ic, k...).
  static Value buildGroupedConv(OpBuilder &b, Location loc, Value padded,
                                Value w, Value init, const WindowGeometry &g,
                                int64_t group) {
    MLIRContext *ctx = b.getContext();
    auto pt = cast<RankedTensorType>(padded.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    auto it = cast<RankedTensorType>(init.getType());
    Type elt = pt.getElementType();
    int64_t sp = g.in.size(), o = wt.getDimSize(0), cg = wt.getDimSize(1);
    int64_t og = o / group;

    // [N, C, in...] -> [N, G, C/G, in...]; [O, C/G, k...] -> [G, O/G, C/G,
    // k...]; [N, O, out...] -> [N, G, O/G, out...].
    auto splitDim1 = [&](Value v, int64_t inner) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape = {t.getDimSize(0), group, inner};
      llvm::append_range(shape, t.getShape().drop_front(2));
      SmallVector<OpFoldResult> dims = {getDim(b, loc, v, 0),
                                        b.getIndexAttr(group),
                                        b.getIndexAttr(inner)};
      for (int64_t d = 2; d < t.getRank(); ++d)
        dims.push_back(getDim(b, loc, v, d));
      SmallVector<ReassociationIndices> re = {{0}, {1, 2}};
      for (int64_t d = 2; d < t.getRank(); ++d)
        re.push_back({d + 1});
      return tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(shape, t.getElementType()), v, re,
          dims);
    };
    Value xg = splitDim1(padded, cg);
    Value ig = splitDim1(init, og);
    SmallVector<int64_t> wshape = {group, og, cg};
    llvm::append_range(wshape, wt.getShape().drop_front(2));
    SmallVector<ReassociationIndices> wre = {{0, 1}, {2}};
    for (int64_t d = 0; d < sp; ++d)
      wre.push_back({d + 3});
    Value wg = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(wshape, elt), w, wre);

    int64_t nLoops = 3 + 2 * sp + 1;
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    // Loop numbering: 0 n, 1 g, 2 og, 3..3+sp-1 out, 3+sp ic, 4+sp.. k.
    int64_t icLoop = 3 + sp;
    SmallVector<AffineExpr> xe = {dim(0), dim(1), dim(icLoop)};
    SmallVector<AffineExpr> we = {dim(1), dim(2), dim(icLoop)};
    SmallVector<AffineExpr> oe = {dim(0), dim(1), dim(2)};
    for (int64_t d = 0; d < sp; ++d) {
      xe.push_back(
          windowIndex(dim(3 + d), dim(icLoop + 1 + d), g.stride[d], g.dil[d]));
      we.push_back(dim(icLoop + 1 + d));
      oe.push_back(dim(3 + d));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, xe, ctx),
                                   AffineMap::get(nLoops, 0, we, ctx),
                                   AffineMap::get(nLoops, 0, oe, ctx)};
    SmallVector<utils::IteratorType> its(3 + sp,
                                         utils::IteratorType::parallel);
    its.append(1 + sp, utils::IteratorType::reduction);
    Value r = linalg::GenericOp::create(
                  b, loc, ig.getType(), ValueRange{xg, wg}, ValueRange{ig},
                  maps, its,
                  [](OpBuilder &bb, Location l, ValueRange a) {
                    Value m = arith::MulFOp::create(bb, l, a[0], a[1]);
                    linalg::YieldOp::create(
                        bb, l, Value(arith::AddFOp::create(bb, l, a[2], m)));
                  })
                  .getResult(0);
    SmallVector<ReassociationIndices> ore = {{0}, {1, 2}};
    for (int64_t d = 0; d < sp; ++d)
      ore.push_back({d + 3});
    (void)it;
    return tensor::CollapseShapeOp::create(b, loc, r, ore);
  }
};

/// mica.pool max|avg %x ->
///   %p = tensor.pad %x ... (-inf | 0)
///   %r = linalg.generic ins(%p, tensor.empty [k...]) outs(fill -inf | 0)
///          { max | add }
///   (avg) %r = linalg.generic { %r / count }   count: scalar or constant
struct PoolLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type elt = resT.getElementType();
    bool isMax = op.getKind() == PoolKind::max;
    FailureOr<WindowGeometry> g =
        getGeometry(xt, op.getKernel(), op.getStrides(), op.getDilations(),
                    op.getPads(), op.getCeilMode());
    if (failed(g))
      return rewriter.notifyMatchFailure(op, "needs static spatial dims");
    int64_t sp = g->in.size();
    MLIRContext *ctx = rewriter.getContext();
    double inf = std::numeric_limits<double>::infinity();

    Value padded = padSpatial(rewriter, loc, x, *g, isMax ? -inf : 0.0);
    SmallVector<OpFoldResult> outDims = {getDim(rewriter, loc, x, 0),
                                         getDim(rewriter, loc, x, 1)};
    for (int64_t v : g->out)
      outDims.push_back(rewriter.getIndexAttr(v));
    Value init = tensor::EmptyOp::create(rewriter, loc, outDims, elt);
    Value initVal = isMax ? extremeConst(rewriter, loc, elt, false)
                          : scalarConst(rewriter, loc, elt, 0.0);
    init = linalg::FillOp::create(rewriter, loc, initVal, init).getResult(0);
    Value window = tensor::EmptyOp::create(rewriter, loc, g->k, elt);

    // Loops: (n, c, out..., k...).
    int64_t nLoops = 2 + 2 * sp;
    auto dim = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xe = {dim(0), dim(1)}, ke, oe = {dim(0), dim(1)};
    for (int64_t d = 0; d < sp; ++d) {
      xe.push_back(
          windowIndex(dim(2 + d), dim(2 + sp + d), g->stride[d], g->dil[d]));
      ke.push_back(dim(2 + sp + d));
      oe.push_back(dim(2 + d));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, xe, ctx),
                                   AffineMap::get(nLoops, 0, ke, ctx),
                                   AffineMap::get(nLoops, 0, oe, ctx)};
    SmallVector<utils::IteratorType> its(2 + sp,
                                         utils::IteratorType::parallel);
    its.append(sp, utils::IteratorType::reduction);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), ValueRange{padded, window},
            ValueRange{init}, maps, its,
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value v = isMax ? Value(arith::MaximumFOp::create(b, l, a[0],
                                                                a[2]))
                              : Value(arith::AddFOp::create(b, l, a[0], a[2]));
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);

    if (!isMax)
      result = divideByCounts(rewriter, loc, result, *g,
                              op.getCountIncludePad());
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resT));
    return success();
  }

  /// Divides the window sums by the number of elements each window counts
  /// (in-bounds ones, or also the padding with count_include_pad; never the
  /// ceil_mode overhang), known at compile time.
  static Value divideByCounts(OpBuilder &b, Location loc, Value sums,
                              const WindowGeometry &g, bool includePad) {
    MLIRContext *ctx = b.getContext();
    auto st = cast<RankedTensorType>(sums.getType());
    Type elt = st.getElementType();
    int64_t sp = g.in.size();
    // Per dim, the count of each output position; the window count is the
    // product over dims.
    SmallVector<SmallVector<int64_t>> perDim(sp);
    for (int64_t d = 0; d < sp; ++d)
      for (int64_t o = 0; o < g.out[d]; ++o) {
        int64_t c = 0;
        for (int64_t k = 0; k < g.k[d]; ++k) {
          int64_t i = o * g.stride[d] + k * g.dil[d] - g.padBegin[d];
          bool inPadded = i >= -g.padBegin[d] && i < g.in[d] + g.padEnd[d];
          bool inBounds = i >= 0 && i < g.in[d];
          c += includePad ? inPadded : inBounds;
        }
        perDim[d].push_back(c);
      }
    SmallVector<double> counts = {1.0};
    for (int64_t d = 0; d < sp; ++d) {
      SmallVector<double> next;
      for (double c : counts)
        for (int64_t v : perDim[d])
          next.push_back(c * v);
      counts = std::move(next);
    }
    bool uniform = llvm::all_equal(counts);
    int64_t rank = st.getRank();
    SmallVector<AffineMap> maps;
    SmallVector<Value> ins;
    if (!uniform) {
      auto ct = RankedTensorType::get(g.out, elt);
      SmallVector<Attribute> vals;
      for (double c : counts)
        vals.push_back(FloatAttr::get(elt, c));
      ins.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(ct, vals)));
      SmallVector<AffineExpr> e;
      for (int64_t d = 0; d < sp; ++d)
        e.push_back(getAffineDimExpr(2 + d, ctx));
      maps.push_back(AffineMap::get(rank, 0, e, ctx));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
    SmallVector<utils::IteratorType> its(rank, utils::IteratorType::parallel);
    double scalar = counts.empty() ? 1.0 : counts.front();
    return linalg::GenericOp::create(
               b, loc, st, ValueRange(ins), ValueRange{sums}, maps, its,
               [&](OpBuilder &bb, Location l, ValueRange a) {
                 Value c = uniform ? scalarConst(bb, l, elt, scalar) : a[0];
                 linalg::YieldOp::create(
                     bb, l, Value(arith::DivFOp::create(bb, l, a.back(), c)));
               })
        .getResult(0);
  }
};

} // namespace

void mica::populateMicaNNToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering, PoolLowering>(patterns.getContext());
}
