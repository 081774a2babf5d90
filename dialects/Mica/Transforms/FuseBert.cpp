//===- FuseBert.cpp - transformer block fusions ---------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The elementwise and normalization fusions of `mica-fuse-bert`: layer
/// norm (PyTorch's ReduceMean/Sub/Pow/Sqrt/Div and the Rsqrt form), GELU
/// (erf and tanh forms), bias + GELU, residual add + layer norm and
/// embeddings + layer norm. Attention lives in FuseAttention.cpp.
///
//===----------------------------------------------------------------------===//

#include "FuseBertUtils.h"

#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace mica {
#define GEN_PASS_DEF_MICAFUSEBERT
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;
using namespace mica::fusion;

namespace {

/// Base of the fusions: a pattern on any op that can report to a
/// FusionReport under a sub-rewrite name ("mica-fuse-bert.layer_norm").
struct FusionPattern : RewritePattern {
  FusionPattern(MLIRContext *ctx, FusionReport *report, StringRef name,
                PatternBenefit benefit = 1)
      : RewritePattern(MatchAnyOpTypeTag(), benefit, ctx),
        report(report), name(("mica-fuse-bert." + name).str()) {}

  /// Records a near miss and fails the match with the same reason.
  LogicalResult miss(PatternRewriter &rewriter, Operation *op,
                     const Twine &reason) const {
    if (report)
      report->missed(name, op->getLoc(), reason);
    return rewriter.notifyMatchFailure(op, reason);
  }
  void fired(Operation *op, const Twine &what) const {
    if (report)
      report->fired(name, op->getLoc(), what);
  }

  FusionReport *report;
  std::string name;
};

/// The single user of `v` if it has exactly one use, else null.
Operation *singleUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

/// Matches `varEps` = mean((x - mean)^2) + eps, the variance over the
/// trailing dims from `axis` plus a constant epsilon, with the square as
/// pow(d, 2) or d * d. Returns epsilon, or fails with the reason in `why`.
FailureOr<double> matchVariancePlusEps(Value varEps, int64_t axis, Value x,
                                       Value mean, std::string &why) {
  auto addEps = varEps.getDefiningOp<AddOp>();
  Value var;
  std::optional<double> eps;
  if (addEps)
    for (Value v : {addEps.getLhs(), addEps.getRhs()})
      if (auto c = getScalarConstant(v)) {
        eps = c;
        var = otherOperand(addEps, v);
      }
  if (!eps) {
    why = "epsilon is not a constant added to the variance";
    return failure();
  }
  auto varMean = var.getDefiningOp<ReduceOp>();
  if (trailingMeanAxis(varMean) != axis) {
    why = "variance is not a mean over the normalized dims";
    return failure();
  }
  Value sq = varMean.getInput(), dev;
  if (auto pow = sq.getDefiningOp<PowOp>()) {
    if (isScalar(pow.getRhs(), 2.0, 0))
      dev = pow.getLhs();
  } else if (auto mul = sq.getDefiningOp<MulOp>()) {
    if (mul.getLhs() == mul.getRhs())
      dev = mul.getLhs();
  }
  if (!dev) {
    why = "variance is not the mean of squared deviations";
    return failure();
  }
  auto devSub = dev.getDefiningOp<SubOp>();
  if (!devSub || devSub.getLhs() != x || devSub.getRhs() != mean) {
    why = "squared deviation is not x - mean(x)";
    return failure();
  }
  return *eps;
}

/// Layer normalization written out with reductions:
///   %m = reduce mean %x ; %d = sub %x, %m ; %v = reduce mean (pow %d, 2)
///   %n = div %d, sqrt(add %v, eps)     (or mul %d, rsqrt(add %v, eps))
///   [%s = mul %n, %gamma] [%y = add %s, %beta]
///   -> %y = mica.layer_norm %x scale(%gamma) bias(%beta) {axis, epsilon}
struct FuseLayerNorm : FusionPattern {
  FuseLayerNorm(MLIRContext *ctx, FusionReport *r)
      : FusionPattern(ctx, r, "layer_norm") {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    Value num, varEps;
    if (auto div = dyn_cast<DivOp>(op)) {
      auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
      if (!sqrt)
        return failure();
      num = div.getLhs();
      varEps = sqrt.getInput();
    } else if (auto mul = dyn_cast<MulOp>(op)) {
      for (Value v : {mul.getLhs(), mul.getRhs()})
        if (auto rsqrt = v.getDefiningOp<RsqrtOp>()) {
          varEps = rsqrt.getInput();
          num = otherOperand(mul, v);
        }
      if (!varEps)
        return failure();
    } else {
      return failure();
    }
    auto centered = num.getDefiningOp<SubOp>();
    if (!centered)
      return failure();
    Value x = centered.getLhs();
    std::optional<int64_t> axis =
        trailingMeanAxis(centered.getRhs().getDefiningOp());
    if (!axis ||
        centered.getRhs().getDefiningOp<ReduceOp>().getInput() != x)
      return failure();
    // A normalization by the standard deviation: from here on, report.
    std::string why;
    FailureOr<double> eps =
        matchVariancePlusEps(varEps, *axis, x, centered.getRhs(), why);
    if (failed(eps))
      return miss(rewriter, op, why);
    if (x.getType() != op->getResult(0).getType())
      return miss(rewriter, op, "normalization broadcasts its input");

    // Optional affine epilogue with parameters of the normalized shape.
    auto xt = cast<RankedTensorType>(x.getType());
    ArrayRef<int64_t> normShape = xt.getShape().drop_front(*axis);
    auto isParam = [&](Value p) {
      auto t = dyn_cast<RankedTensorType>(p.getType());
      return t && t.getShape() == normShape;
    };
    Operation *last = op;
    Value scale, bias;
    if (auto mul = dyn_cast_or_null<MulOp>(singleUser(op->getResult(0)))) {
      Value g = otherOperand(mul, op->getResult(0));
      if (g && isParam(g) && mul.getType() == xt) {
        scale = g;
        last = mul;
      }
    }
    if (auto add = dyn_cast_or_null<AddOp>(singleUser(last->getResult(0)))) {
      Value b = otherOperand(add, last->getResult(0));
      if (b && isParam(b) && add.getType() == xt) {
        bias = b;
        last = add;
      }
    }
    rewriter.setInsertionPoint(last);
    auto ln = LayerNormOp::create(rewriter, last->getLoc(), xt, x, scale,
                                  bias, rewriter.getI64IntegerAttr(*axis),
                                  rewriter.getF32FloatAttr(*eps));
    rewriter.replaceOp(last, ln.getResult());
    fired(ln, llvm::formatv("layer_norm over {0} trailing dim(s), epsilon "
                            "{1:e}{2}{3}",
                            normShape.size(), *eps, scale ? ", scale" : "",
                            bias ? ", bias" : "")
                  .str());
    return success();
  }
};

/// TF's layer norm (tf.contrib.layers.layer_norm / Keras with fused
/// batch-norm math): the normalization folded into a scale and a shift,
///   %m = reduce mean %x ; %v = reduce mean ((x - m)^2) ; %r = rsqrt(v + eps)
///   %s = mul %r, %gamma                 (or %s = %r without gamma)
///   %y = add (mul %x, %s), (sub %beta, (mul %m, %s)) (or sub 0-free form
///        add (mul %x, %s), (neg (mul %m, %s)) without beta)
///   -> %y = mica.layer_norm %x scale(%gamma) bias(%beta)
struct FuseLayerNormScaleShift : FusionPattern {
  FuseLayerNormScaleShift(MLIRContext *ctx, FusionReport *r)
      : FusionPattern(ctx, r, "layer_norm") {}

  /// The x of `mul(x, s)` in either operand order, or null.
  static Value mulBy(Value v, Value s) {
    auto mul = v.getDefiningOp<MulOp>();
    if (!mul)
      return {};
    return otherOperand(mul, s);
  }

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto add = dyn_cast<AddOp>(op);
    if (!add)
      return failure();
    // One side is beta - m * s (or -(m * s)), the other x * s.
    for (auto [scaled, shift] : {std::pair(add.getLhs(), add.getRhs()),
                                 std::pair(add.getRhs(), add.getLhs())}) {
      Value beta, ms;
      if (auto sub = shift.getDefiningOp<SubOp>()) {
        beta = sub.getLhs();
        ms = sub.getRhs();
      } else if (auto neg = shift.getDefiningOp<NegOp>()) {
        ms = neg.getInput();
      } else {
        continue;
      }
      auto msMul = ms.getDefiningOp<MulOp>();
      auto xsMul = scaled.getDefiningOp<MulOp>();
      if (!msMul || !xsMul)
        continue;
      // The shared scale s is an operand of both products.
      Value s;
      for (Value c : {msMul.getLhs(), msMul.getRhs()})
        if (c == xsMul.getLhs() || c == xsMul.getRhs())
          s = c;
      if (!s)
        continue;
      Value mean = otherOperand(msMul, s), x = otherOperand(xsMul, s);
      auto meanOp = mean ? mean.getDefiningOp<ReduceOp>() : ReduceOp();
      std::optional<int64_t> axis = trailingMeanAxis(meanOp);
      if (!axis || meanOp.getInput() != x)
        continue;
      // From here the shape is a scale-shift normalization: report.
      Value gamma, rs = s;
      if (auto g = s.getDefiningOp<MulOp>()) {
        for (Value c : {g.getLhs(), g.getRhs()})
          if (c.getDefiningOp<RsqrtOp>()) {
            rs = c;
            gamma = otherOperand(g, c);
          }
      }
      auto rsqrt = rs.getDefiningOp<RsqrtOp>();
      if (!rsqrt)
        return miss(rewriter, op, "the scale is not rsqrt(variance + eps) "
                                  "(times gamma)");
      std::string why;
      FailureOr<double> eps =
          matchVariancePlusEps(rsqrt.getInput(), *axis, x, mean, why);
      if (failed(eps))
        return miss(rewriter, op, why);
      auto xt = cast<RankedTensorType>(x.getType());
      ArrayRef<int64_t> normShape = xt.getShape().drop_front(*axis);
      auto isParam = [&](Value p) {
        auto t = dyn_cast_or_null<RankedTensorType>(p ? p.getType() : Type());
        return t && t.getShape() == normShape;
      };
      if ((gamma && !isParam(gamma)) || (beta && !isParam(beta)))
        return miss(rewriter, op, "gamma or beta is not of the normalized "
                                  "shape");
      if (add.getType() != xt)
        return miss(rewriter, op, "normalization broadcasts its input");
      auto ln = LayerNormOp::create(rewriter, op->getLoc(), xt, x, gamma, beta,
                                    rewriter.getI64IntegerAttr(*axis),
                                    rewriter.getF32FloatAttr(*eps));
      rewriter.replaceOp(op, ln.getResult());
      fired(ln, llvm::formatv("layer_norm (scale-shift form) over {0} "
                              "trailing dim(s), epsilon {1:e}{2}{3}",
                              normShape.size(), *eps, gamma ? ", scale" : "",
                              beta ? ", bias" : "")
                    .str());
      return success();
    }
    return failure();
  }
};

//===----------------------------------------------------------------------===//
// gelu
//===----------------------------------------------------------------------===//

/// The op computing `0.5 * x * t` from `t` in any association, or null:
///   mul(mul(t, x), 0.5) | mul(mul(t, 0.5), x) | mul(mul(x, 0.5), t)
Operation *matchHalfTimes(Value t, Value x) {
  for (Operation *u : t.getUsers()) {
    if (!isa<MulOp>(u))
      continue;
    Value other = otherOperand(u, t);
    Operation *next = singleUser(u->getResult(0));
    if (other == x) {
      if (isa_and_nonnull<MulOp>(next) &&
          isScalar(otherOperand(next, u->getResult(0)), 0.5))
        return next;
    } else if (isScalar(other, 0.5)) {
      if (isa_and_nonnull<MulOp>(next) &&
          otherOperand(next, u->getResult(0)) == x)
        return next;
    } else if (auto half = other.getDefiningOp<MulOp>()) {
      Value h = otherOperand(half, x);
      if (h && isScalar(h, 0.5))
        return u;
    }
  }
  return nullptr;
}

/// GELU from its formula, exact or tanh approximation:
///   0.5 * x * (1 + erf(x / sqrt(2)))
///   0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
///   -> mica.gelu %x [approximate = tanh]
struct FuseGelu : FusionPattern {
  FuseGelu(MLIRContext *ctx, FusionReport *r) : FusionPattern(ctx, r, "gelu") {}

  /// x from `x / sqrt(2)` or `x * (1 / sqrt(2))`.
  static Value matchErfArg(Value arg) {
    if (auto div = arg.getDefiningOp<DivOp>())
      if (isScalar(div.getRhs(), std::sqrt(2.0)))
        return div.getLhs();
    if (auto mul = arg.getDefiningOp<MulOp>())
      for (Value v : {mul.getLhs(), mul.getRhs()})
        if (isScalar(v, 1.0 / std::sqrt(2.0)))
          return otherOperand(mul, v);
    return nullptr;
  }

  /// x from `sqrt(2/pi) * (x + 0.044715 * x^3)`.
  static Value matchTanhArg(Value arg) {
    auto mul = arg.getDefiningOp<MulOp>();
    if (!mul)
      return nullptr;
    Value inner;
    for (Value v : {mul.getLhs(), mul.getRhs()})
      if (isScalar(v, std::sqrt(2.0 / M_PI)))
        inner = otherOperand(mul, v);
    auto add = inner ? inner.getDefiningOp<AddOp>() : AddOp();
    if (!add)
      return nullptr;
    for (Value x : {add.getLhs(), add.getRhs()}) {
      auto cubeMul = otherOperand(add, x).getDefiningOp<MulOp>();
      if (!cubeMul)
        continue;
      for (Value c : {cubeMul.getLhs(), cubeMul.getRhs()}) {
        if (!isScalar(c, 0.044715))
          continue;
        Value cube = otherOperand(cubeMul, c);
        if (auto pow = cube.getDefiningOp<PowOp>())
          if (pow.getLhs() == x && isScalar(pow.getRhs(), 3.0, 0))
            return x;
        if (auto m = cube.getDefiningOp<MulOp>()) {
          Value sq = otherOperand(m, x);
          auto sqMul = sq ? sq.getDefiningOp<MulOp>() : MulOp();
          if (sqMul && sqMul.getLhs() == x && sqMul.getRhs() == x)
            return x;
        }
      }
    }
    return nullptr;
  }

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    Value x;
    GeluApprox approx;
    if (auto erf = dyn_cast<ErfOp>(op)) {
      x = matchErfArg(erf.getInput());
      approx = GeluApprox::none;
    } else if (auto tanh = dyn_cast<TanhOp>(op)) {
      x = matchTanhArg(tanh.getInput());
      approx = GeluApprox::tanh;
    } else {
      return failure();
    }
    if (!x)
      return failure();
    auto onePlus = dyn_cast_or_null<AddOp>(singleUser(op->getResult(0)));
    if (!onePlus || !isScalar(otherOperand(onePlus, op->getResult(0)), 1.0))
      return miss(rewriter, op, "the erf/tanh term is not added to 1");
    Operation *root = matchHalfTimes(onePlus.getResult(), x);
    if (!root)
      return miss(rewriter, op, "1 + erf/tanh(...) is not multiplied by "
                                "0.5 * x");
    if (root->getResult(0).getType() != x.getType())
      return miss(rewriter, op, "the product broadcasts x");
    rewriter.setInsertionPoint(root);
    auto gelu = GeluOp::create(rewriter, root->getLoc(), x, approx);
    rewriter.replaceOp(root, gelu.getResult());
    fired(gelu, approx == GeluApprox::tanh ? "gelu (tanh approximation)"
                                           : "gelu (erf)");
    return success();
  }
};

//===----------------------------------------------------------------------===//
// bias_gelu
//===----------------------------------------------------------------------===//

/// gelu(x + b) with a constant bias over the last dim:
///   %s = mica.add %x, %b ; %g = mica.gelu %s -> mica.bias_gelu %x, %b
struct FuseBiasGelu : FusionPattern {
  FuseBiasGelu(MLIRContext *ctx, FusionReport *r)
      : FusionPattern(ctx, r, "bias_gelu") {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto gelu = dyn_cast<GeluOp>(op);
    if (!gelu)
      return failure();
    auto add = gelu.getInput().getDefiningOp<AddOp>();
    if (!add)
      return failure();
    for (Value b : {add.getRhs(), add.getLhs()}) {
      Value x = otherOperand(add, b);
      auto bt = b.getType();
      auto xt = x.getType();
      if (!b.getDefiningOp<ConstantOp>() || cast<RankedTensorType>(bt).getRank() != 1)
        continue;
      auto xr = cast<RankedTensorType>(xt);
      if (xr != add.getType() || xr.getRank() < 1 ||
          xr.getShape().back() != cast<RankedTensorType>(bt).getDimSize(0))
        continue;
      if (!add->hasOneUse())
        return miss(rewriter, op, "the biased value is also used elsewhere");
      auto fused = BiasGeluOp::create(rewriter, op->getLoc(), x, b,
                                      gelu.getApproximate());
      rewriter.replaceOp(op, fused.getResult());
      fired(fused, "bias + gelu");
      return success();
    }
    return miss(rewriter, op, "the gelu input is an add without a constant "
                              "bias over the last dim");
  }
};

//===----------------------------------------------------------------------===//
// skip_layer_norm
//===----------------------------------------------------------------------===//

/// A constant of shape [n] filled with `value`.
Value vectorConstant(PatternRewriter &rewriter, Location loc, Type elt,
                     int64_t n, double value) {
  auto t = RankedTensorType::get({n}, elt);
  return ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(t, rewriter.getFloatAttr(elt, value)));
}

/// Residual add + layer norm over the last dim, with an optional bias:
///   %s = mica.add %x, %skip [; %s2 = mica.add %s, %bias]
///   %y = mica.layer_norm %s scale(%g) bias(%b) {axis = -1}
///   -> %y = mica.skip_layer_norm %x, %skip, %g beta(%b) bias(%bias)
struct FuseSkipLayerNorm : FusionPattern {
  FuseSkipLayerNorm(MLIRContext *ctx, FusionReport *r)
      : FusionPattern(ctx, r, "skip_layer_norm") {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto ln = dyn_cast<LayerNormOp>(op);
    if (!ln)
      return failure();
    RankedTensorType t = ln.getType();
    auto sum = ln.getInput().getDefiningOp<AddOp>();
    if (!sum || t.getRank() < 2)
      return failure();
    Value a = sum.getLhs(), b = sum.getRhs(), bias;
    // Sums of embedding gathers are embed_layer_norm's.
    if (a.getDefiningOp<GatherOp>() || b.getDefiningOp<GatherOp>())
      return failure();
    // The bias may be added to either side of the residual sum.
    auto peelBias = [&](Value &v) {
      // Only a bias add private to the residual sum is absorbed: an add
      // with other users (e.g. a layer norm's beta feeding the next
      // projections) stays where it is.
      auto add = v.getDefiningOp<AddOp>();
      if (!add || bias || !add->hasOneUse())
        return;
      for (Value c : {add.getRhs(), add.getLhs()}) {
        auto ct = cast<RankedTensorType>(c.getType());
        if (c.getDefiningOp<ConstantOp>() && ct.getRank() == 1 &&
            add.getType() == t && otherOperand(add, c).getType() == t) {
          bias = c;
          v = otherOperand(add, c);
          return;
        }
      }
    };
    peelBias(a);
    peelBias(b);
    if (a.getType() != t || b.getType() != t)
      return miss(rewriter, op, "the residual add broadcasts (input and skip "
                                "shapes differ)");
    if (*normalizeAxis(ln.getAxis(), t.getRank()) != t.getRank() - 1)
      return miss(rewriter, op, "layer norm is not over the last dim only");
    int64_t h = t.getShape().back();
    if (ShapedType::isDynamic(h))
      return miss(rewriter, op, "hidden size is dynamic");
    Value gamma = ln.getScale();
    if (!gamma)
      gamma = vectorConstant(rewriter, op->getLoc(), t.getElementType(), h,
                             1.0);
    auto fused = SkipLayerNormOp::create(rewriter, op->getLoc(), t, a, b,
                                         gamma, ln.getBias(), bias,
                                         ln.getEpsilonAttr());
    rewriter.replaceOp(op, fused.getResult());
    fired(fused, bias ? "skip + bias + layer_norm" : "skip + layer_norm");
    return success();
  }
};

//===----------------------------------------------------------------------===//
// embed_layer_norm
//===----------------------------------------------------------------------===//

/// True when `v` is a constant holding 0, 1, ..., n-1 along its last dim
/// (all leading dims 1).
bool isPositionRange(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return false;
  int64_t i = 0;
  for (const APInt &x : attr.getValues<APInt>())
    if (x.getSExtValue() != i++)
      return false;
  return true;
}

/// For a constant `c` of type [1, S, H] or [S, H] summed into embeddings of
/// type `t` = [B, S, H] (static S and H), the same data as an [S, H] table
/// constant; null otherwise.
Value foldedPositionTable(PatternRewriter &rewriter, Value c,
                          RankedTensorType t) {
  auto ct = cast<RankedTensorType>(c.getType());
  ArrayRef<int64_t> shape = ct.getShape();
  if (shape.size() == 3 && shape[0] == 1)
    shape = shape.drop_front();
  if (shape.size() != 2 || !ct.hasStaticShape() || t.isDynamicDim(1) ||
      shape[0] != t.getDimSize(1) || shape[1] != t.getDimSize(2) ||
      ct.getElementType() != t.getElementType())
    return {};
  ElementsAttr attr;
  if (!matchPattern(c, m_Constant(&attr)))
    return {};
  std::optional<std::vector<char>> bytes = getConstantBytes(attr);
  if (!bytes)
    return {};
  auto tableType = RankedTensorType::get(shape, ct.getElementType());
  return ConstantOp::create(rewriter, c.getLoc(),
                            makeConstant(tableType, *bytes, "position_table"));
}

/// Word + position (+ token type) embedding gathers summed and normalized:
///   %w = gather %word[%ids] ; %p = gather %pos[%pids] ; %t = gather ...
///   %y = mica.layer_norm (add (add %w, %p), %t)
///   -> mica.embed_layer_norm %ids, %word, %pos, %g, %b segment(...)
/// The word table is the largest of the tables gathered by [B, S] ids; the
/// position gather is the one whose indices do not come from an argument.
struct FuseEmbedLayerNorm : FusionPattern {
  FuseEmbedLayerNorm(MLIRContext *ctx, FusionReport *r)
      : FusionPattern(ctx, r, "embed_layer_norm", /*benefit=*/2) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto ln = dyn_cast<LayerNormOp>(op);
    if (!ln)
      return failure();
    // Leaves of the add tree.
    SmallVector<Value> leaves, work{ln.getInput()};
    while (!work.empty()) {
      Value v = work.pop_back_val();
      if (auto add = v.getDefiningOp<AddOp>(); add && leaves.size() < 4) {
        work.push_back(add.getLhs());
        work.push_back(add.getRhs());
        continue;
      }
      leaves.push_back(v);
    }
    SmallVector<GatherOp> gathers;
    SmallVector<Value> constants;
    for (Value v : leaves) {
      if (auto g = v.getDefiningOp<GatherOp>())
        gathers.push_back(g);
      else if (v.getDefiningOp<ConstantOp>())
        constants.push_back(v);
    }
    if (gathers.empty() || gathers.size() + constants.size() < 2)
      return failure();
    if (gathers.size() + constants.size() != leaves.size())
      return miss(rewriter, op, "a summand of the embeddings is neither a "
                                "gather nor a constant");
    RankedTensorType t = ln.getType();
    for (GatherOp g : gathers)
      if (g.getAxis() != 0 || g.getInput().getType().getRank() != 2 ||
          g.getIndices().getType().getRank() != 2)
        return miss(rewriter, op, "an embedding is not a gather of rows of a "
                                  "2-D table by [B, S] indices");
    if (gathers.size() > 3)
      return miss(rewriter, op, "more than three embeddings are summed");
    if (*normalizeAxis(ln.getAxis(), t.getRank()) != t.getRank() - 1 ||
        t.getRank() != 3 || ShapedType::isDynamic(t.getShape().back()))
      return miss(rewriter, op, "layer norm is not over a static last dim of "
                                "[B, S, H]");
    // Position: indices that are not (derived from) a block argument.
    auto fromArgument = [](Value v) {
      while (Operation *d = v.getDefiningOp()) {
        if (d->getNumOperands() != 1 || !isa<CastOp, ReshapeOp>(d))
          return false;
        v = d->getOperand(0);
      }
      return isa<BlockArgument>(v);
    };
    GatherOp pos;
    SmallVector<GatherOp> byIds;
    for (GatherOp g : gathers) {
      if (!fromArgument(g.getIndices()) && !pos)
        pos = g;
      else
        byIds.push_back(g);
    }
    // A position embedding already gathered at compile time (static
    // sequence length): a constant [1, S, H] or [S, H] table read at
    // positions 0..S-1.
    Value posTable;
    if (!constants.empty()) {
      if (pos || constants.size() > 1)
        return miss(rewriter, op, "more than one position embedding");
      posTable = foldedPositionTable(rewriter, constants.front(), t);
      if (!posTable)
        return miss(rewriter, op, "a constant summand is not a [1, S, H] "
                                  "position table");
    } else if (!pos) {
      return miss(rewriter, op, "no position embedding (every gather is "
                                "indexed by a function argument)");
    }
    if (byIds.empty())
      return miss(rewriter, op, "no word embedding gathered by input ids");
    llvm::sort(byIds, [](GatherOp a, GatherOp b) {
      return a.getInput().getType().getDimSize(0) >
             b.getInput().getType().getDimSize(0);
    });
    GatherOp word = byIds.front();
    GatherOp seg = byIds.size() > 1 ? byIds[1] : GatherOp();
    Value ids = word.getIndices();
    Value posIds;
    if (pos && !isPositionRange(pos.getIndices())) {
      posIds = pos.getIndices();
      auto pt = cast<RankedTensorType>(posIds.getType());
      auto it = cast<RankedTensorType>(ids.getType());
      if (pt.getElementType() != it.getElementType() ||
          pt.getRank() != it.getRank() ||
          failed(broadcastShapes(pt.getShape(), it.getShape())))
        return miss(rewriter, op, "position ids are neither 0..S-1 nor "
                                  "broadcastable to the input ids");
      if (pt != it) {
        // Positions shared by the batch ([1, S], e.g. a slice of a
        // position_ids buffer): the sum broadcast their embeddings, so
        // broadcast the ids to the input ids' shape instead.
        Value shape = ShapeOfOp::create(
            rewriter, op->getLoc(),
            RankedTensorType::get({it.getRank()}, rewriter.getI64Type()),
            ids);
        posIds = ExpandOp::create(rewriter, op->getLoc(), it, posIds, shape);
      }
    }
    if (seg && seg.getIndices().getType() != ids.getType())
      return miss(rewriter, op, "segment ids differ in type or shape from "
                                "the input ids");
    int64_t h = t.getShape().back();
    Type elt = t.getElementType();
    Value gamma = ln.getScale() ? ln.getScale()
                                : vectorConstant(rewriter, op->getLoc(), elt,
                                                 h, 1.0);
    Value beta = ln.getBias() ? ln.getBias()
                              : vectorConstant(rewriter, op->getLoc(), elt, h,
                                               0.0);
    auto fused = EmbedLayerNormOp::create(
        rewriter, op->getLoc(), t, ids, word.getInput(),
        pos ? pos.getInput() : posTable, gamma,
        beta, seg ? seg.getIndices() : Value(),
        seg ? seg.getInput() : Value(), posIds, ln.getEpsilonAttr());
    rewriter.replaceOp(op, fused.getResult());
    fired(fused, seg ? "word + position + segment embeddings + layer_norm"
                     : "word + position embeddings + layer_norm");
    return success();
  }
};

struct MicaFuseBertPass : mica::impl::MicaFuseBertBase<MicaFuseBertPass> {
  using MicaFuseBertBase::MicaFuseBertBase;
  void runOnOperation() override {
    FusionReport report;
    RewritePatternSet patterns(&getContext());
    populateFuseBertPatterns(patterns, &report);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    report.dropResolvedMisses();
    if (remarks)
      report.emitRemarks();
  }
};

} // namespace

void mica::populateFuseBertPatterns(RewritePatternSet &patterns,
                                    FusionReport *report) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<FuseLayerNorm, FuseLayerNormScaleShift, FuseGelu, FuseBiasGelu, FuseSkipLayerNorm,
               FuseEmbedLayerNorm>(ctx, report);
  populateFuseAttentionPatterns(patterns, report);
}
