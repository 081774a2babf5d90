//===- FuseAttention.cpp - multi-head self-attention to mica.attention ----===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The attention fusion of `mica-fuse-bert`. It matches multi-head
/// self-attention as PyTorch and TF exporters write it:
///
///   q = x . Wq (+ bq)        k, v likewise (matmul, dense, or slices of one
///                            combined projection)
///   Qh = transpose(reshape(q, [B, S, H, D]), [0, 2, 1, 3])
///   Kt = transpose(reshape(k, [B, S, H, D]), [0, 2, 3, 1])  (or two
///        transposes)
///   s  = (Qh . Kt) * scale   (scale as mul/div on the scores, on Qh, on Kt
///                            or on q/k before the head split)
///   s' = s + mask            (additive mask), or where(c, s, -inf)
///   o  = reshape(transpose(softmax(s') . Vh, [0, 2, 1, 3]), [B, S, E])
///
/// and replaces `o` with one `mica.attention` whose weight packs the Q, K
/// and V projections as `[3E, E]` rows (computed at compile time from the
/// constant weights). The output projection stays a separate matmul.
///
//===----------------------------------------------------------------------===//

#include "FuseBertUtils.h"

#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mica;
using namespace mica::fusion;

namespace {

/// One of the Q, K, V projections: `input . rows^T + bias`, with `rows` the
/// `[N, E]` weight rows and `bias` `[N]` (null when absent).
struct Projection {
  Value input;
  ElementsAttr rows;
  ElementsAttr bias;
};

/// The constant behind `v`, or null.
ElementsAttr getConstant(Value v) {
  ElementsAttr attr;
  if (v && matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

/// Multiplies `scale` by the constant scalar factors applied to `v` with
/// mul (either side) or div (by the rhs) and moves `v` to the scaled value.
void peelScale(Value &v, double &scale) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto mul = dyn_cast<MulOp>(def)) {
      if (auto c = getScalarConstant(mul.getRhs())) {
        scale *= *c;
        v = mul.getLhs();
        continue;
      }
      if (auto c = getScalarConstant(mul.getLhs())) {
        scale *= *c;
        v = mul.getRhs();
        continue;
      }
    } else if (auto div = dyn_cast<DivOp>(def)) {
      if (auto c = getScalarConstant(div.getRhs()); c && *c != 0) {
        scale /= *c;
        v = div.getLhs();
        continue;
      }
    }
    return;
  }
}

/// The heads of a projection: `v = transpose(reshape(p, [B, S, H, D]), perm)`
/// with `perm` = [0, 2, 1, 3] (Q, V) or [0, 2, 3, 1] (transposed K, also as
/// [0, 2, 1, 3] followed by [0, 1, 3, 2]). Scales on either side of the
/// split are folded into `scale`.
struct Heads {
  Value projection;
  int64_t numHeads, headSize;
  /// The [B, S] dims of the head split (possibly dynamic).
  int64_t batch, seq;
};

FailureOr<Heads> matchHeads(Value v, bool transposedKey, double &scale) {
  peelScale(v, scale);
  auto outer = v.getDefiningOp<TransposeOp>();
  if (!outer)
    return failure();
  SmallVector<int64_t> perm(outer.getPerm());
  Value split = outer.getInput();
  if (transposedKey && perm == SmallVector<int64_t>{0, 1, 3, 2}) {
    peelScale(split, scale);
    auto inner = split.getDefiningOp<TransposeOp>();
    if (!inner || inner.getPerm() != ArrayRef<int64_t>{0, 2, 1, 3})
      return failure();
    perm = {0, 2, 3, 1};
    split = inner.getInput();
  }
  SmallVector<int64_t> expected =
      transposedKey ? SmallVector<int64_t>{0, 2, 3, 1}
                    : SmallVector<int64_t>{0, 2, 1, 3};
  if (perm != expected)
    return failure();
  auto reshape = split.getDefiningOp<ReshapeOp>();
  if (!reshape)
    return failure();
  RankedTensorType t = reshape.getType();
  if (t.getRank() != 4 || t.isDynamicDim(2) || t.isDynamicDim(3))
    return failure();
  Value p = reshape.getInput();
  peelScale(p, scale);
  auto pt = cast<RankedTensorType>(p.getType());
  // [B, S, E], or TF BERT's flattened [B * S, E] with a static B and S.
  bool flat = pt.getRank() == 2 && !t.isDynamicDim(0) && !t.isDynamicDim(1) &&
              pt.getDimSize(0) == t.getDimSize(0) * t.getDimSize(1);
  if ((pt.getRank() != 3 && !flat) || pt.isDynamicDim(pt.getRank() - 1) ||
      pt.getDimSize(pt.getRank() - 1) != t.getDimSize(2) * t.getDimSize(3))
    return failure();
  return Heads{p, t.getDimSize(2), t.getDimSize(3), t.getDimSize(0),
               t.getDimSize(1)};
}

/// Matches `v` as a projection of some input by a constant weight:
/// `matmul(x, W)`, `dense(x, W, b)`, a slice along the last dim of either
/// (`mica.split` of a combined projection), each with an optional constant
/// bias add. Fails with the reason.
FailureOr<Projection> matchProjection(Value v, std::string &why) {
  Projection p;
  if (auto add = v.getDefiningOp<AddOp>()) {
    for (Value c : {add.getRhs(), add.getLhs()}) {
      ElementsAttr b = getConstant(c);
      if (b && cast<ShapedType>(b.getType()).getRank() == 1 &&
          otherOperand(add, c).getType() == add.getType()) {
        p.bias = b;
        v = otherOperand(add, c);
        break;
      }
    }
  }
  // A slice of a wider projection: remember which columns.
  int64_t offset = 0, width = -1;
  if (auto result = dyn_cast<OpResult>(v)) {
    if (auto split = dyn_cast<SplitOp>(result.getOwner())) {
      auto t = cast<RankedTensorType>(split.getInput().getType());
      if (*normalizeAxis(split.getAxis(), t.getRank()) != t.getRank() - 1) {
        why = "a projection is split along a dim other than the last";
        return failure();
      }
      ArrayRef<int64_t> sizes = split.getSizes();
      for (unsigned i = 0; i < result.getResultNumber(); ++i)
        offset += sizes[i];
      width = sizes[result.getResultNumber()];
      v = split.getInput();
    }
  }
  ElementsAttr rows;
  Value input;
  if (auto mm = v.getDefiningOp<MatMulOp>()) {
    ElementsAttr w = getConstant(mm.getRhs());
    if (!w || cast<ShapedType>(w.getType()).getRank() != 2) {
      why = "a projection weight is not a 2-D constant";
      return failure();
    }
    std::optional<ElementsAttr> t = transposeConstant(w, {1, 0}, "qkv_rows");
    if (!t) {
      why = "a projection weight's data is not available";
      return failure();
    }
    rows = *t;
    input = mm.getLhs();
  } else if (auto dense = v.getDefiningOp<DenseOp>()) {
    rows = getConstant(dense.getWeight());
    if (!rows || dense.getActivation() != Activation::none) {
      why = "a dense projection has a non-constant weight or an activation";
      return failure();
    }
    if (dense.getBias()) {
      if (p.bias || !(p.bias = getConstant(dense.getBias()))) {
        why = "a dense projection has a non-constant or second bias";
        return failure();
      }
    }
    input = dense.getInput();
  } else {
    why = "a projection is not a matmul or dense";
    return failure();
  }
  if (width >= 0) {
    if (p.bias && cast<ShapedType>(p.bias.getType()).getDimSize(0) != width) {
      why = "a bias does not match its slice of the combined projection";
      return failure();
    }
    std::optional<ElementsAttr> s =
        sliceConstant(rows, 0, offset, width, "qkv_rows");
    if (!s) {
      why = "a projection weight's data is not available";
      return failure();
    }
    rows = *s;
  }
  p.input = input;
  p.rows = rows;
  return p;
}

/// Multi-head self-attention from its parts to `mica.attention` (see the
/// file comment). Anchored on the softmax.
struct FuseAttention : RewritePattern {
  FuseAttention(MLIRContext *ctx, FusionReport *report)
      : RewritePattern(SoftmaxOp::getOperationName(), /*benefit=*/1, ctx),
        report(report) {}

  static constexpr StringLiteral kName = "mica-fuse-bert.attention";

  LogicalResult miss(PatternRewriter &rewriter, Operation *op,
                     const Twine &reason) const {
    if (report)
      report->missed(kName, op->getLoc(), reason);
    return rewriter.notifyMatchFailure(op, reason);
  }

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto softmax = cast<SoftmaxOp>(op);
    RankedTensorType probsType = softmax.getType();
    if (probsType.getRank() != 4)
      return failure();
    // From here on the softmax looks like attention probabilities: report.
    if (*normalizeAxis(softmax.getAxis(), 4) != 3)
      return miss(rewriter, op, "softmax is not over the last dim");

    // Forward: probs . Vh -> transpose -> reshape [B, S, E].
    if (!softmax->hasOneUse())
      return miss(rewriter, op, "the probabilities have more than one user");
    auto ctxMatmul = dyn_cast<MatMulOp>(*softmax->user_begin());
    if (!ctxMatmul || ctxMatmul.getLhs() != softmax.getResult())
      return miss(rewriter, op, "the probabilities do not multiply V");
    auto merge =
        ctxMatmul->hasOneUse()
            ? dyn_cast<TransposeOp>(*ctxMatmul->user_begin())
            : TransposeOp();
    if (!merge || merge.getPerm() != ArrayRef<int64_t>{0, 2, 1, 3} ||
        !merge->hasOneUse())
      return miss(rewriter, op, "the context is not transposed back to "
                                "[B, S, H, D]");
    auto output = dyn_cast<ReshapeOp>(*merge->user_begin());
    if (!output || (output.getType().getRank() != 3 &&
                    output.getType().getRank() != 2))
      return miss(rewriter, op, "the heads are not merged back to [B, S, E] "
                                "or [B * S, E]");

    // Backward: scores, mask and scale.
    Value scores = softmax.getInput();
    Value mask;
    Value whereCond;
    double fill = 0;
    bool fillWhenTrue = false;
    if (auto add = scores.getDefiningOp<AddOp>()) {
      bool lhsIsScores = isScoreChain(add.getLhs());
      mask = lhsIsScores ? add.getRhs() : add.getLhs();
      scores = lhsIsScores ? add.getLhs() : add.getRhs();
    } else if (auto where = scores.getDefiningOp<WhereOp>()) {
      std::optional<double> x = getScalarConstant(where.getX()),
                            y = getScalarConstant(where.getY());
      if (y && !x) {
        fill = *y;
        scores = where.getX();
      } else if (x && !y) {
        fill = *x;
        fillWhenTrue = true;
        scores = where.getY();
      } else {
        return miss(rewriter, op, "a masking select does not fill with a "
                                  "constant");
      }
      whereCond = where.getCondition();
    }
    double scale = 1.0;
    peelScale(scores, scale);
    auto qk = scores.getDefiningOp<MatMulOp>();
    if (!qk)
      return miss(rewriter, op, "the scores are not a matmul Q . K^T");
    FailureOr<Heads> q = matchHeads(qk.getLhs(), false, scale);
    FailureOr<Heads> k = matchHeads(qk.getRhs(), true, scale);
    double vScale = 1.0;
    FailureOr<Heads> v = matchHeads(ctxMatmul.getRhs(), false, vScale);
    if (failed(q))
      return miss(rewriter, op, "Q is not a projection split into heads by "
                                "reshape + transpose [0, 2, 1, 3]");
    if (failed(k))
      return miss(rewriter, op, "K^T is not a projection split into heads by "
                                "reshape + transpose [0, 2, 3, 1]");
    if (failed(v) || vScale != 1.0)
      return miss(rewriter, op, "V is not an unscaled projection split into "
                                "heads by reshape + transpose [0, 2, 1, 3]");
    if (q->numHeads != k->numHeads || q->numHeads != v->numHeads ||
        q->headSize != k->headSize || q->headSize != v->headSize)
      return miss(rewriter, op, llvm::formatv(
                                    "Q, K and V are split into different "
                                    "heads ({0}x{1}, {2}x{3}, {4}x{5})",
                                    q->numHeads, q->headSize, k->numHeads,
                                    k->headSize, v->numHeads, v->headSize));

    std::string why;
    SmallVector<Projection, 3> projections;
    for (Value p : {q->projection, k->projection, v->projection}) {
      FailureOr<Projection> proj = matchProjection(p, why);
      if (failed(proj))
        return miss(rewriter, op, why);
      projections.push_back(*proj);
    }
    Value x = projections[0].input;
    if (projections[1].input != x || projections[2].input != x)
      return miss(rewriter, op, "Q, K and V do not project the same input "
                                "(cross-attention is not fused)");
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t e = q->numHeads * q->headSize;
    if ((xt.getRank() != 3 && xt.getRank() != 2) ||
        xt.isDynamicDim(xt.getRank() - 1))
      return miss(rewriter, op, "the input is not [B, S, E] or [B * S, E] "
                                "with a static E");
    // A flattened [B * S, E] input is viewed as [B, S, E] for the op.
    auto seqType = xt.getRank() == 3
                       ? xt
                       : RankedTensorType::get({q->batch, q->seq, e},
                                               xt.getElementType());
    for (const Projection &p : projections) {
      auto rt = cast<ShapedType>(p.rows.getType());
      if (rt.getDimSize(0) != e || rt.getDimSize(1) != seqType.getDimSize(2) ||
          rt.getElementType() != xt.getElementType())
        return miss(rewriter, op,
                    llvm::formatv("a projection weight is {0}x{1}, expected "
                                  "{2}x{3} of the input's element type",
                                  rt.getDimSize(0), rt.getDimSize(1), e,
                                  seqType.getDimSize(2)));
    }
    if (output.getType() != xt)
      return miss(rewriter, op, "the merged output does not have the input's "
                                "shape");

    // The mask must broadcast to the scores.
    Type elt = xt.getElementType();
    if (mask) {
      auto mt = cast<RankedTensorType>(mask.getType());
      if (mt.getElementType() != elt || mt.getRank() > 4)
        return miss(rewriter, op, "the additive mask is not a float tensor "
                                  "of rank <= 4 of the scores' type");
      if (failed(broadcastShapes(mt.getShape(), probsType.getShape())))
        return miss(rewriter, op, "the additive mask does not broadcast to "
                                  "the scores");
    }
    if (whereCond) {
      auto ct = cast<RankedTensorType>(whereCond.getType());
      if (ct.getRank() > 4 ||
          failed(broadcastShapes(ct.getShape(), probsType.getShape())))
        return miss(rewriter, op, "the masking condition does not broadcast "
                                  "to the scores");
    }

    // Pack [Wq; Wk; Wv] rows and the biases.
    std::optional<ElementsAttr> weight = concatConstants(
        {projections[0].rows, projections[1].rows, projections[2].rows}, 0,
        "qkv_weight");
    if (!weight)
      return miss(rewriter, op, "the projection weights' data is not "
                                "available");
    std::optional<ElementsAttr> bias;
    if (llvm::any_of(projections, [](auto &p) { return bool(p.bias); })) {
      SmallVector<ElementsAttr, 3> parts;
      for (Projection &p : projections) {
        if (!p.bias) {
          auto zt = RankedTensorType::get({e}, elt);
          p.bias = cast<ElementsAttr>(
              DenseElementsAttr::get(zt, rewriter.getZeroAttr(elt)));
        }
        parts.push_back(p.bias);
      }
      bias = concatConstants(parts, 0, "qkv_bias");
      if (!bias)
        return miss(rewriter, op, "the projection biases' data is not "
                                  "available");
    }

    Location loc = rewriter.getFusedLoc({op->getLoc(), output.getLoc()});
    rewriter.setInsertionPoint(output);
    auto weightOp = ConstantOp::create(rewriter, loc, *weight);
    Value biasValue =
        bias ? ConstantOp::create(rewriter, loc, *bias).getResult() : Value();
    if (whereCond) {
      // where(c, s, fill) == s + where(c, 0, fill).
      auto scalar = RankedTensorType::get({}, elt);
      Value zero = ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(scalar, rewriter.getFloatAttr(elt, 0.0)));
      Value filled = ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(scalar, rewriter.getFloatAttr(elt, fill)));
      auto ct = cast<RankedTensorType>(whereCond.getType());
      auto mt = RankedTensorType::get(ct.getShape(), elt);
      mask = WhereOp::create(rewriter, loc, mt, whereCond,
                             fillWhenTrue ? filled : zero,
                             fillWhenTrue ? zero : filled);
    }
    Value input = x;
    if (seqType != xt)
      input = ReshapeOp::create(rewriter, loc, seqType, x, Value());
    Value fused = AttentionOp::create(
        rewriter, loc, seqType, input, weightOp, biasValue, mask,
        rewriter.getI64IntegerAttr(q->numHeads),
        rewriter.getF32FloatAttr(static_cast<float>(scale)));
    if (seqType != xt)
      fused = ReshapeOp::create(rewriter, loc, xt, fused, Value());
    rewriter.replaceOp(output, fused);
    if (report)
      report->fired(kName, op->getLoc(),
                    llvm::formatv("{0} heads of size {1}, scale {2:e}{3}{4}",
                                  q->numHeads, q->headSize, scale,
                                  bias ? ", bias" : "",
                                  whereCond ? ", select mask"
                                            : (mask ? ", additive mask" : ""))
                        .str());
    return success();
  }

  /// True when `v` leads (through scalar scales) to a matmul: the scores
  /// side of `scores + mask`.
  static bool isScoreChain(Value v) {
    double unused = 1.0;
    peelScale(v, unused);
    return v.getDefiningOp<MatMulOp>() != nullptr;
  }

  FusionReport *report;
};

} // namespace

void mica::populateFuseAttentionPatterns(RewritePatternSet &patterns,
                                         FusionReport *report) {
  patterns.add<FuseAttention>(patterns.getContext(), report);
}
