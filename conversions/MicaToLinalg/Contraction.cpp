//===- Contraction.cpp - lower mica.matmul and mica.dense to linalg -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Contractions become named linalg ops wherever the shapes allow, so the
/// CPU/GPU strategies can match them:
///   * 2-D x 2-D                        -> linalg.matmul
///   * [B..., M, K] x [K, N]            -> collapse to [B*M, K], linalg.matmul,
///                                         expand
///   * equal batch dims [B..., M, K] x [B..., K, N]
///                                      -> (collapse batches) linalg.batch_matmul
///   * broadcast batches                -> a contraction linalg.generic
///   * dense: [..., K] x [N, K]^T       -> linalg.matmul with transposed-B
///                                         indexing maps, then one generic for
///                                         the bias and the activation.
/// Accumulation is in the result element type, starting from a
/// linalg.fill of zero.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

/// A zero-filled tensor of `dims` x `elt` (the accumulator of a contraction).
Value zeroTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims,
                 Type elt) {
  Value empty = tensor::EmptyOp::create(b, loc, dims, elt);
  return linalg::FillOp::create(b, loc, scalarConst(b, loc, elt, 0.0), empty)
      .getResult(0);
}

/// Reassociation that merges dims [0, n) into one and keeps the rest:
/// [[0..n-1], [n], [n+1], ...] for a tensor of rank `rank`.
SmallVector<ReassociationIndices> mergeLeading(int64_t n, int64_t rank) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t d = 0; d < n; ++d)
    groups[0].push_back(d);
  for (int64_t d = n; d < rank; ++d)
    groups.push_back({d});
  return groups;
}

/// Collapses the first `n` dims of `v` into one.
Value collapseLeading(OpBuilder &b, Location loc, Value v, int64_t n) {
  auto t = cast<RankedTensorType>(v.getType());
  if (n == 1)
    return v;
  return tensor::CollapseShapeOp::create(b, loc, v,
                                         mergeLeading(n, t.getRank()));
}

/// Expands the leading dim of `v` back into `dims[0, n)`; `dims` are all the
/// result dims.
Value expandLeading(OpBuilder &b, Location loc, Value v, int64_t n,
                    ArrayRef<OpFoldResult> dims) {
  if (n == 1)
    return v;
  auto vt = cast<RankedTensorType>(v.getType());
  SmallVector<OpFoldResult> out(dims);
  SmallVector<int64_t> shape = staticShapeOf(out);
  ArrayRef<int64_t> group = ArrayRef<int64_t>(shape).take_front(n);
  bool groupStatic = llvm::none_of(group, ShapedType::isDynamic);
  if (vt.isDynamicDim(0) && groupStatic) {
    // The verifier wants a dynamic dim in the group of a dynamic source dim.
    out[0] = toValue(b, loc, out[0]);
    shape[0] = ShapedType::kDynamic;
  } else if (!vt.isDynamicDim(0) && !groupStatic) {
    // A static source dim: every dim of its group must be static; at most
    // one is unknown here, the quotient of the others.
    int64_t known = 1, unknown = 0;
    for (int64_t d = 0; d < n; ++d) {
      if (ShapedType::isDynamic(shape[d]))
        ++unknown;
      else
        known *= shape[d];
    }
    if (unknown != 1 || known == 0)
      return {};
    for (int64_t d = 0; d < n; ++d)
      if (ShapedType::isDynamic(shape[d])) {
        shape[d] = vt.getDimSize(0) / known;
        out[d] = b.getIndexAttr(shape[d]);
      }
  }
  auto type = RankedTensorType::get(shape, vt.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, v,
                                       mergeLeading(n, out.size()), out);
}

/// Prefers the static size of `type`'s dim `d` over `dim`.
OpFoldResult refine(OpBuilder &b, RankedTensorType type, int64_t d,
                    OpFoldResult dim) {
  if (!type.isDynamicDim(d))
    return b.getIndexAttr(type.getDimSize(d));
  return dim;
}

/// mica.matmul -> linalg.matmul / batch_matmul / contraction generic.
struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lt = cast<RankedTensorType>(lhs.getType());
    auto rt = cast<RankedTensorType>(rhs.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type elt = resT.getElementType();
    if (lt.getElementType() != elt || rt.getElementType() != elt)
      return rewriter.notifyMatchFailure(op, "mixed element types");
    int64_t lr = lt.getRank(), rr = rt.getRank(), res = resT.getRank();
    if (lr < 2 || rr < 2)
      return rewriter.notifyMatchFailure(op, "operand of rank < 2");
    int64_t nb = res - 2;
    OpFoldResult m = refine(rewriter, resT, res - 2, getDim(rewriter, loc, lhs, lr - 2));
    OpFoldResult n = refine(rewriter, resT, res - 1, getDim(rewriter, loc, rhs, rr - 1));

    // Result batch dims: static from the result type, else from an operand.
    SmallVector<OpFoldResult> dims;
    bool sameBatches = lr == rr;
    for (int64_t j = 0; j < nb; ++j) {
      int64_t dl = j - (nb - (lr - 2)), dr = j - (nb - (rr - 2));
      int64_t sl = dl >= 0 ? lt.getDimSize(dl) : 1;
      int64_t sr = dr >= 0 ? rt.getDimSize(dr) : 1;
      if ((sl == 1) != (sr == 1))
        sameBatches = false;
      if (!resT.isDynamicDim(j))
        dims.push_back(rewriter.getIndexAttr(resT.getDimSize(j)));
      else if (!ShapedType::isDynamic(sl) && sl != 1)
        dims.push_back(rewriter.getIndexAttr(sl));
      else if (!ShapedType::isDynamic(sr) && sr != 1)
        dims.push_back(rewriter.getIndexAttr(sr));
      else if (ShapedType::isDynamic(sl))
        dims.push_back(getDim(rewriter, loc, lhs, dl));
      else if (ShapedType::isDynamic(sr))
        dims.push_back(getDim(rewriter, loc, rhs, dr));
      else
        dims.push_back(rewriter.getIndexAttr(1));
    }
    dims.push_back(m);
    dims.push_back(n);

    Value result;
    if (rr == 2) {
      // [B..., M, K] x [K, N]: rows of all batches in one GEMM.
      Value a = collapseLeading(rewriter, loc, lhs, lr - 1);
      SmallVector<OpFoldResult> flat = {getDim(rewriter, loc, a, 0), n};
      Value acc = zeroTensor(rewriter, loc, flat, elt);
      Value mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                          ValueRange{a, rhs}, ValueRange{acc})
                     .getResult(0);
      SmallVector<OpFoldResult> lhsDims = getDims(rewriter, loc, lhs);
      lhsDims.back() = n;
      result = expandLeading(rewriter, loc, mm, lr - 1, lhsDims);
      if (!result)
        return rewriter.notifyMatchFailure(op, "cannot expand the batch dims");
    } else if (sameBatches) {
      // Equal batch dims: one batch dim, linalg.batch_matmul.
      Value a = collapseLeading(rewriter, loc, lhs, nb);
      Value bm = collapseLeading(rewriter, loc, rhs, nb);
      SmallVector<OpFoldResult> flat = {getDim(rewriter, loc, a, 0), m, n};
      Value acc = zeroTensor(rewriter, loc, flat, elt);
      Value mm = linalg::BatchMatmulOp::create(rewriter, loc,
                                               TypeRange{acc.getType()},
                                               ValueRange{a, bm}, ValueRange{acc})
                     .getResult(0);
      result = expandLeading(rewriter, loc, mm, nb, dims);
      if (!result)
        return rewriter.notifyMatchFailure(op, "cannot expand the batch dims");
    } else {
      result = buildBroadcastContraction(rewriter, loc, lhs, rhs, dims, elt);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resT));
    return success();
  }

  /// Loops (b..., m, n, k); batch dims of size 1 that broadcast are
  /// collapsed away so the maps stay projected permutations.
  static Value buildBroadcastContraction(OpBuilder &b, Location loc, Value lhs,
                                         Value rhs, ArrayRef<OpFoldResult> dims,
                                         Type elt) {
    MLIRContext *ctx = b.getContext();
    int64_t nb = dims.size() - 2, nloops = nb + 3;
    auto mapFor = [&](Value &v, bool isLhs) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t r = t.getRank(), off = nb - (r - 2);
      SmallVector<bool> drop(r, false);
      for (int64_t d = 0; d < r - 2; ++d)
        drop[d] = t.getDimSize(d) == 1 && getConstantIntValue(dims[off + d]) != 1;
      SmallVector<int64_t> kept;
      v = dropUnitDims(b, loc, v, drop, kept);
      SmallVector<AffineExpr> exprs;
      for (int64_t d : kept) {
        if (d < r - 2)
          exprs.push_back(getAffineDimExpr(off + d, ctx));
        else if (d == r - 2)
          exprs.push_back(getAffineDimExpr(isLhs ? nb : nb + 2, ctx));
        else
          exprs.push_back(getAffineDimExpr(isLhs ? nb + 2 : nb + 1, ctx));
      }
      return AffineMap::get(nloops, 0, exprs, ctx);
    };
    AffineMap lm = mapFor(lhs, true), rm = mapFor(rhs, false);
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < nb + 2; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    AffineMap om = AffineMap::get(nloops, 0, outExprs, ctx);
    Value acc = zeroTensor(b, loc, dims, elt);
    SmallVector<utils::IteratorType> iters(nloops, utils::IteratorType::parallel);
    iters.back() = utils::IteratorType::reduction;
    bool isF = isa<FloatType>(elt);
    return linalg::GenericOp::create(
               b, loc, TypeRange{acc.getType()}, ValueRange{lhs, rhs},
               ValueRange{acc}, ArrayRef<AffineMap>{lm, rm, om}, iters,
               [&](OpBuilder &nb2, Location l, ValueRange args) {
                 Value p = isF ? Value(arith::MulFOp::create(nb2, l, args[0], args[1]))
                               : Value(arith::MulIOp::create(nb2, l, args[0], args[1]));
                 Value s = isF ? Value(arith::AddFOp::create(nb2, l, args[2], p))
                               : Value(arith::AddIOp::create(nb2, l, args[2], p));
                 linalg::YieldOp::create(nb2, l, s);
               })
        .getResult(0);
  }
};

/// mica.dense %x, %w bias(%b) {activation} ->
///   %mm = linalg.matmul indexing_maps = [(m,n,k)->(m,k), (m,n,k)->(n,k),
///                                        (m,n,k)->(m,n)]
///   %r  = linalg.generic { act(%mm[m,n] + %b[n]) }
/// with the leading dims of %x collapsed into m and expanded back after.
struct DenseLowering : OpConversionPattern<DenseOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DenseOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto xt = cast<RankedTensorType>(x.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    auto resT = cast<RankedTensorType>(op.getType());
    Type elt = resT.getElementType();
    if (xt.getRank() < 1 || wt.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "expects [..., K] x [N, K]");
    if (xt.getElementType() != elt || wt.getElementType() != elt)
      return rewriter.notifyMatchFailure(op, "mixed element types");
    int64_t r = xt.getRank();
    MLIRContext *ctx = rewriter.getContext();

    // [..., K] -> [R, K] (a rank-1 input becomes [1, K]).
    Value a;
    if (r == 1)
      a = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, xt.getDimSize(0)}, elt), x,
          SmallVector<ReassociationIndices>{{0, 1}},
          SmallVector<OpFoldResult>{rewriter.getIndexAttr(1),
                                    getDim(rewriter, loc, x, 0)});
    else
      a = collapseLeading(rewriter, loc, x, r - 1);
    OpFoldResult n =
        refine(rewriter, resT, resT.getRank() - 1, getDim(rewriter, loc, w, 0));
    SmallVector<OpFoldResult> flat = {getDim(rewriter, loc, a, 0), n};
    Value acc = zeroTensor(rewriter, loc, flat, elt);
    auto mm = linalg::MatmulOp::create(rewriter, loc, TypeRange{acc.getType()},
                                       ValueRange{a, w}, ValueRange{acc});
    AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
               dk = getAffineDimExpr(2, ctx);
    mm.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
        {AffineMap::get(3, 0, {dm, dk}, ctx), AffineMap::get(3, 0, {dn, dk}, ctx),
         AffineMap::get(3, 0, {dm, dn}, ctx)}));
    Value result = mm.getResult(0);

    // Epilogue: bias and activation in one generic.
    Activation act = op.getActivation();
    if (adaptor.getBias() || act != Activation::none) {
      SmallVector<Value> operands = {result};
      if (Value bias = adaptor.getBias())
        operands.push_back(bias);
      bool hasBias = operands.size() == 2;
      result = buildBroadcastGeneric(
          rewriter, loc, flat, elt, operands,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value v = args[0];
            if (hasBias)
              v = arith::AddFOp::create(b, l, v, args[1]);
            return buildActivation(b, l, act, v);
          });
    }

    // [R, N] -> [..., N].
    if (r == 1) {
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, result, SmallVector<ReassociationIndices>{{0, 1}});
    } else {
      SmallVector<OpFoldResult> dims = getDims(rewriter, loc, x);
      dims.back() = n;
      result = expandLeading(rewriter, loc, result, r - 1, dims);
      if (!result)
        return rewriter.notifyMatchFailure(op, "cannot expand the batch dims");
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resT));
    return success();
  }
};

} // namespace

void mica::populateMicaContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, DenseLowering>(patterns.getContext());
}
