//===- Fused.cpp - lower the BERT fusions (attention, embeddings) ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The fused transformer ops are decomposed into the mica ops they stand
/// for, which the same conversion then lowers with their own patterns (the
/// dialect conversion legalizes the ops a pattern creates):
///   * mica.attention -> dense (QKV projection) -> expand_shape to
///     [B, S, 3, H, dh] -> Q, K, V copied out head-major by generics ->
///     matmul(Q * scale, K^T) (+ mask) -> softmax -> matmul(., V) ->
///     transpose to [B, S, H, dh] -> collapse_shape to [B, S, E];
///   * mica.embed_layer_norm -> gathers of the word, position and segment
///     rows (the position rows are a slice [0, S) without position_ids) ->
///     adds -> layer_norm over the hidden dim.
/// Dynamic batch and sequence dims are supported.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

/// A ranked tensor type with `shape` permuted by `perm`.
RankedTensorType permuted(RankedTensorType t, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  return RankedTensorType::get(shape, t.getElementType());
}

/// mica.transpose of `v` by `perm`.
Value transpose(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  return TransposeOp::create(b, loc, permuted(t, perm), v,
                             b.getDenseI64ArrayAttr(perm));
}

/// mica.attention %x, %w bias(%b) mask(%m) {num_heads = H} ->
///   %qkv = mica.dense %x, %w bias(%b)                       [B, S, 3E]
///   %q   = linalg.generic (part 0 of expand_shape %qkv)      [B, H, S, dh]
///   (%k to [B, H, dh, S] and %v likewise)
///   %s   = mica.matmul (%q * scale), %k                     [B, H, S, S]
///   %p   = mica.softmax (%s + %m)
///   %o   = collapse_shape (mica.transpose (mica.matmul %p, %v))  [B, S, E]
struct AttentionLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto xt = cast<RankedTensorType>(x.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type elt = xt.getElementType();
    int64_t heads = op.getNumHeads();
    if (xt.getRank() != 3 || wt.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "expects [B, S, E] x [3E, E]");
    int64_t e = xt.getDimSize(2);
    if (ShapedType::isDynamic(e) || heads <= 0 || e % heads != 0)
      return rewriter.notifyMatchFailure(
          op, "needs a static hidden size divisible by num_heads");
    int64_t dh = e / heads;
    double scale = op.getScale() ? op.getScale()->convertToDouble()
                                 : 1.0 / std::sqrt(double(dh));
    int64_t bDim = xt.getDimSize(0), sDim = xt.getDimSize(1);

    // QKV projection and head split.
    auto qkvT = RankedTensorType::get({bDim, sDim, 3 * e}, elt);
    Value qkv = DenseOp::create(
        rewriter, loc, qkvT, x, w, adaptor.getBias(),
        ActivationAttr::get(rewriter.getContext(), Activation::none));
    SmallVector<OpFoldResult> split = {
        getDim(rewriter, loc, x, 0), getDim(rewriter, loc, x, 1),
        rewriter.getIndexAttr(3), rewriter.getIndexAttr(heads),
        rewriter.getIndexAttr(dh)};
    Value heads5 = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({bDim, sDim, 3, heads, dh}, elt), qkv,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3, 4}}, split);
    // Q, K, V: part `i` of the split moved into its own contiguous
    // head-major tensor by one copy generic that reads the split directly
    // (the part index is a constant in its indexing map); K goes straight
    // to [B, H, dh, S]. `perm[r]` is the split dim (of b, s, h, d) that
    // result dim r runs over.
    MLIRContext *mctx = rewriter.getContext();
    auto part = [&](int64_t i, ArrayRef<int64_t> perm) -> Value {
      // Split dims: 0 b, 1 s, (2 part), 3 h, 4 d; loops are result dims.
      SmallVector<OpFoldResult> splitDims = getDims(rewriter, loc, heads5);
      SmallVector<OpFoldResult> outDims;
      SmallVector<AffineExpr> inExprs(5);
      for (auto [r, p] : llvm::enumerate(perm)) {
        outDims.push_back(splitDims[p]);
        inExprs[p] = getAffineDimExpr(r, mctx);
      }
      inExprs[2] = getAffineConstantExpr(i, mctx);
      Value init = tensor::EmptyOp::create(rewriter, loc, outDims, elt);
      SmallVector<AffineMap> maps = {AffineMap::get(4, 0, inExprs, mctx),
                                     AffineMap::getMultiDimIdentityMap(4, mctx)};
      SmallVector<utils::IteratorType> its(4, utils::IteratorType::parallel);
      return linalg::GenericOp::create(
                 rewriter, loc, init.getType(), ValueRange{heads5},
                 ValueRange{init}, maps, its,
                 [](OpBuilder &b, Location l, ValueRange a) {
                   linalg::YieldOp::create(b, l, a[0]);
                 })
          .getResult(0);
    };
    auto headT = RankedTensorType::get({bDim, heads, sDim, dh}, elt);
    Value q = part(0, {0, 3, 1, 4}), kt = part(1, {0, 3, 4, 1}),
          v = part(2, {0, 3, 1, 4});

    // Scores, mask, softmax.
    auto scalarT = RankedTensorType::get({}, elt);
    Value scaleT = ConstantOp::create(
        rewriter, loc, scalarT,
        DenseElementsAttr::get(scalarT, FloatAttr::get(elt, scale)));
    q = MulOp::create(rewriter, loc, headT, q, scaleT);
    auto scoreT = RankedTensorType::get({bDim, heads, sDim, sDim}, elt);
    Value scores = MatMulOp::create(rewriter, loc, scoreT, q, kt);
    if (Value mask = adaptor.getMask())
      scores = AddOp::create(rewriter, loc, scoreT, scores, mask);
    Value probs = SoftmaxOp::create(rewriter, loc, scoreT, scores,
                                    rewriter.getI64IntegerAttr(-1));

    // Context and head merge.
    Value ctx = MatMulOp::create(rewriter, loc, headT, probs, v);
    Value merged = transpose(rewriter, loc, ctx, {0, 2, 1, 3});
    Value out = tensor::CollapseShapeOp::create(
        rewriter, loc, merged,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    rewriter.replaceOp(op, castTo(rewriter, loc, out, resT));
    return success();
  }
};

/// mica.embed_layer_norm %ids, %word, %pos, %g, %b segment(%sid, %seg) ->
///   %w = mica.gather %word, %ids                     [B, S, H]
///   %p = mica.gather %pos, %pid  |  extract_slice %pos[0, S)
///   %s = mica.gather %seg, %sid
///   mica.layer_norm (%w + %p + %s) scale(%g) bias(%b) {axis = -1}
struct EmbedLayerNormLowering : OpConversionPattern<EmbedLayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EmbedLayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value ids = adaptor.getInputIds();
    auto idsT = cast<RankedTensorType>(ids.getType());
    auto wordT = cast<RankedTensorType>(adaptor.getWordEmbedding().getType());
    auto resT = cast<RankedTensorType>(op.getType());
    if (idsT.getRank() != 2 || wordT.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "expects [B, S] ids, 2-D tables");
    Type elt = wordT.getElementType();
    int64_t h = wordT.getDimSize(1);
    auto rowsT =
        RankedTensorType::get({idsT.getDimSize(0), idsT.getDimSize(1), h}, elt);
    IntegerAttr axis0 = rewriter.getI64IntegerAttr(0);
    Value sum = GatherOp::create(rewriter, loc, rowsT,
                                 adaptor.getWordEmbedding(), ids, axis0);
    Value pos;
    if (Value pid = adaptor.getPositionIds()) {
      pos = GatherOp::create(rewriter, loc, rowsT,
                             adaptor.getPositionEmbedding(), pid, axis0);
    } else {
      // Positions 0..S-1: the first S rows, broadcast over the batch.
      Value table = adaptor.getPositionEmbedding();
      SmallVector<OpFoldResult> offs(2, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = {getDim(rewriter, loc, ids, 1),
                                         getDim(rewriter, loc, table, 1)};
      SmallVector<OpFoldResult> strides(2, rewriter.getIndexAttr(1));
      auto posT = RankedTensorType::get({idsT.getDimSize(1), h}, elt);
      pos = tensor::ExtractSliceOp::create(rewriter, loc, posT, table, offs,
                                           sizes, strides);
    }
    sum = AddOp::create(rewriter, loc, rowsT, sum, pos);
    if (Value sid = adaptor.getSegmentIds()) {
      Value seg = GatherOp::create(rewriter, loc, rowsT,
                                   adaptor.getSegmentEmbedding(), sid, axis0);
      sum = AddOp::create(rewriter, loc, rowsT, sum, seg);
    }
    Value out = LayerNormOp::create(
        rewriter, loc, rowsT, sum, adaptor.getGamma(), adaptor.getBeta(),
        rewriter.getI64IntegerAttr(-1), op.getEpsilonAttr());
    rewriter.replaceOp(op, castTo(rewriter, loc, out, resT));
    return success();
  }
};

} // namespace

void mica::populateMicaFusedToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionLowering, EmbedLayerNormLowering>(
      patterns.getContext());
}
