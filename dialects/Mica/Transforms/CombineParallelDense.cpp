//===- CombineParallelDense.cpp - one wide GEMM for sibling dense ops -----===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Dense layers (or matmuls with a constant 2-D right-hand side) that read
/// the same input are combined into one wider layer whose weights are
/// concatenated at compile time, followed by a split. BERT's Q/K/V
/// projections, multi-head MLPs and LSTM input projections have this shape.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICACOMBINEPARALLELDENSE
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

static constexpr StringLiteral kRewrite = "mica-combine-parallel-dense";

namespace {

/// One branch: a dense `x . W^T (+ b)` or a matmul `x . W` with constant W.
struct Branch {
  Operation *op;
  ElementsAttr weight;
  ElementsAttr bias; // dense only; may be null
  int64_t k, n;
  Activation act = Activation::none;
};

/// The constant defining `v`, if any.
ElementsAttr constantOf(Value v) {
  if (auto c = v.getDefiningOp<ConstantOp>())
    return c.getValue();
  return nullptr;
}

/// Builds the elementwise op of a fused activation epilogue.
Value applyActivation(PatternRewriter &rewriter, Location loc, Activation act,
                      Value v) {
  switch (act) {
  case Activation::none:
    return v;
  case Activation::relu:
    return ReluOp::create(rewriter, loc, v);
  case Activation::gelu:
    return GeluOp::create(rewriter, loc, v, GeluApprox::none);
  case Activation::gelu_tanh:
    return GeluOp::create(rewriter, loc, v, GeluApprox::tanh);
  case Activation::tanh:
    return TanhOp::create(rewriter, loc, v);
  case Activation::sigmoid:
    return SigmoidOp::create(rewriter, loc, v);
  }
  llvm_unreachable("unknown activation");
}

/// Combines the dense (or constant-weight matmul) users of one value.
///   %a = mica.dense %x, %wa bias(%ba) ; %b = mica.dense %x, %wb bias(%bb)
///   -> %ab = mica.dense %x, concat(%wa, %wb) bias(concat(%ba, %bb))
///      %a, %b = mica.split %ab {axis = -1}
struct CombineParallelDense : RewritePattern {
  CombineParallelDense(MLIRContext *ctx,
                       const CombineParallelDenseOptions &options,
                       FusionReport *report)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx),
        options(options), report(report) {}

  /// Classifies a user of the shared input as a branch; on failure returns
  /// the reason it cannot take part (empty: not a dense-like op at all).
  FailureOr<Branch> classify(Operation *op, Value x,
                             std::string &reason) const {
    Branch b{op, nullptr, nullptr, 0, 0};
    Value w;
    if (auto dense = dyn_cast<DenseOp>(op)) {
      if (dense.getInput() != x)
        return failure();
      w = dense.getWeight();
      b.act = dense.getActivation();
      if (Value bias = dense.getBias()) {
        b.bias = constantOf(bias);
        if (!b.bias) {
          reason = "its bias is not a constant";
          return failure();
        }
      }
    } else if (auto mm = dyn_cast<MatMulOp>(op)) {
      if (mm.getLhs() != x || mm.getRhs().getType().getRank() != 2)
        return failure();
      w = mm.getRhs();
    } else {
      return failure();
    }
    b.weight = constantOf(w);
    if (!b.weight) {
      reason = "its weight is not a constant";
      return failure();
    }
    if (!w.hasOneUse()) {
      reason = "its weight is also used elsewhere; combining would "
               "duplicate it";
      return failure();
    }
    auto wt = cast<RankedTensorType>(b.weight.getType());
    bool isDense = isa<DenseOp>(op);
    b.n = wt.getDimSize(isDense ? 0 : 1);
    b.k = wt.getDimSize(isDense ? 1 : 0);
    return b;
  }

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<DenseOp, MatMulOp>(op))
      return failure();
    Value x = op->getOperand(0);
    bool isDense = isa<DenseOp>(op);
    // Candidates of the same kind reading `x`, in block order; the first
    // one anchors the group so the group is rewritten once.
    SmallVector<Operation *> users;
    for (Operation *u : x.getUsers())
      if (u->getName() == op->getName() && u->getOperand(0) == x &&
          u->getBlock() == op->getBlock() && !llvm::is_contained(users, u))
        users.push_back(u);
    if (users.size() < 2)
      return rewriter.notifyMatchFailure(op, "no sibling reads the input");
    llvm::sort(users, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    if (users.front() != op)
      return rewriter.notifyMatchFailure(op, "not the first sibling");

    SmallVector<Branch> branches;
    for (Operation *u : users) {
      std::string reason;
      FailureOr<Branch> b = classify(u, x, reason);
      if (failed(b)) {
        if (!reason.empty() && report)
          report->missed(kRewrite, u->getLoc(), reason);
        continue;
      }
      if (!branches.empty()) {
        const Branch &f = branches.front();
        Type fe = cast<RankedTensorType>(f.weight.getType()).getElementType();
        Type be = cast<RankedTensorType>(b->weight.getType()).getElementType();
        if (fe != be || b->k != f.k) {
          if (report)
            report->missed(kRewrite, u->getLoc(),
                           fe != be ? "its weight element type differs from "
                                      "its siblings'"
                                    : "its contraction size differs from "
                                      "its siblings'");
          continue;
        }
      }
      branches.push_back(*b);
    }
    if (branches.size() < std::max(2u, options.minBranches)) {
      if (report && branches.size() >= 1 && users.size() >= 2)
        report->missed(kRewrite, op->getLoc(),
                       llvm::Twine(branches.size()) +
                           " compatible branch(es) read the input, " +
                           "min-branches is " +
                           llvm::Twine(std::max(2u, options.minBranches)));
      return rewriter.notifyMatchFailure(op, "too few compatible branches");
    }

    bool equalWidths = llvm::all_of(branches, [&](const Branch &b) {
      return b.n == branches.front().n;
    });
    if (options.toBatch && equalWidths)
      return rewriteToBatch(op, x, branches, rewriter);

    // Concatenated weights (and biases, zeros where a branch has none).
    SmallVector<ElementsAttr> weights, biases;
    bool anyBias = false;
    for (const Branch &b : branches)
      anyBias |= static_cast<bool>(b.bias);
    for (const Branch &b : branches) {
      weights.push_back(b.weight);
      if (!anyBias)
        continue;
      if (b.bias) {
        biases.push_back(b.bias);
        continue;
      }
      auto bt = RankedTensorType::get(
          {b.n}, cast<RankedTensorType>(b.weight.getType()).getElementType());
      biases.push_back(DenseElementsAttr::get(
          bt, rewriter.getZeroAttr(bt.getElementType())));
    }
    std::optional<ElementsAttr> w =
        concatConstants(weights, isDense ? 0 : 1, "combined_weight");
    std::optional<ElementsAttr> bias;
    if (anyBias)
      bias = concatConstants(biases, 0, "combined_bias");
    if (!w || (anyBias && !bias)) {
      if (report)
        report->missed(kRewrite, op->getLoc(),
                       "weight bytes are not available at compile time");
      return rewriter.notifyMatchFailure(op, "unreadable constants");
    }

    Location loc = rewriter.getFusedLoc(llvm::to_vector(
        llvm::map_range(branches, [](const Branch &b) {
          return b.op->getLoc();
        })));
    rewriter.setInsertionPoint(op);
    Activation act = branches.front().act;
    bool sameAct = llvm::all_of(
        branches, [&](const Branch &b) { return b.act == act; });
    Value wv = ConstantOp::create(rewriter, loc, *w);
    Value combined;
    if (isDense) {
      Value bv = anyBias ? ConstantOp::create(rewriter, loc, *bias).getResult()
                         : Value();
      combined = DenseOp::create(rewriter, loc, x, wv, bv,
                                 sameAct ? act : Activation::none);
    } else {
      combined = MatMulOp::create(rewriter, loc, x, wv);
    }
    auto ct = cast<RankedTensorType>(combined.getType());
    SmallVector<int64_t> sizes;
    for (const Branch &b : branches)
      sizes.push_back(b.n);
    auto split = SplitOp::create(rewriter, loc, combined, ct.getRank() - 1,
                                 sizes);
    int64_t total = 0;
    for (auto [i, b] : llvm::enumerate(branches)) {
      Value v = split.getResult(i);
      if (!sameAct)
        v = applyActivation(rewriter, b.op->getLoc(), b.act, v);
      total += b.n;
      rewriter.replaceOp(b.op, v);
    }
    if (report)
      report->fired(kRewrite, op->getLoc(),
                    llvm::Twine("combined ") + llvm::Twine(branches.size()) +
                        (isDense ? " dense" : " matmul") +
                        " ops into one of width " + llvm::Twine(total) +
                        (options.toBatch ? " (not stacked: to-batch needs "
                                           "equal widths)"
                                         : ""));
    return success();
  }

  /// Stacks equal-width branches into one batched matmul:
  ///   %y = mica.matmul %x, %W   (W: [n, 1..., k, width], x: [..., m, k])
  ///   [%y = mica.add %y, %B]    (B: [n, 1..., 1, width])
  ///   %a = mica.gather %y, 0 {axis = 0} ; %b = mica.gather %y, 1 ...
  /// The leading batch dim of W broadcasts against x's batch dims.
  LogicalResult rewriteToBatch(Operation *op, Value x,
                               ArrayRef<Branch> branches,
                               PatternRewriter &rewriter) const {
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank(), n = branches.size();
    int64_t k = branches.front().k, width = branches.front().n;
    Type elt = cast<RankedTensorType>(branches.front().weight.getType())
                   .getElementType();
    // Weight of each branch as [1, 1..., k, width] (dense stores [width, k]).
    SmallVector<int64_t> wShape(std::max<int64_t>(rank, 2) + 1, 1);
    wShape[wShape.size() - 2] = k;
    wShape.back() = width;
    SmallVector<int64_t> bShape(wShape.size(), 1);
    bShape.back() = width;
    SmallVector<ElementsAttr> weights, biases;
    bool anyBias = llvm::any_of(branches, [](auto &b) { return bool(b.bias); });
    for (const Branch &b : branches) {
      std::optional<ElementsAttr> w = b.weight;
      if (isa<DenseOp>(b.op))
        w = transposeConstant(b.weight, {1, 0}, "stacked_weight");
      std::optional<std::vector<char>> bytes =
          w ? getConstantBytes(*w) : std::nullopt;
      if (!bytes)
        return fail(op, rewriter, "weight bytes are not available at "
                                  "compile time");
      weights.push_back(makeConstant(RankedTensorType::get(wShape, elt),
                                     *bytes, "stacked_weight"));
      if (!anyBias)
        continue;
      auto bt = RankedTensorType::get(bShape, elt);
      if (!b.bias) {
        biases.push_back(
            DenseElementsAttr::get(bt, rewriter.getZeroAttr(elt)));
        continue;
      }
      std::optional<std::vector<char>> bb = getConstantBytes(b.bias);
      if (!bb)
        return fail(op, rewriter, "bias bytes are not available at compile "
                                  "time");
      biases.push_back(makeConstant(bt, *bb, "stacked_bias"));
    }
    std::optional<ElementsAttr> w =
        concatConstants(weights, 0, "stacked_weight");
    std::optional<ElementsAttr> bias;
    if (anyBias)
      bias = concatConstants(biases, 0, "stacked_bias");
    if (!w || (anyBias && !bias))
      return fail(op, rewriter, "weight bytes are not available at compile "
                                "time");

    Location loc = rewriter.getFusedLoc(llvm::to_vector(llvm::map_range(
        branches, [](const Branch &b) { return b.op->getLoc(); })));
    rewriter.setInsertionPoint(op);
    Value batched = MatMulOp::create(
        rewriter, loc, x, ConstantOp::create(rewriter, loc, *w).getResult());
    if (anyBias)
      batched = AddOp::create(rewriter, loc, batched,
                              ConstantOp::create(rewriter, loc, *bias));
    Activation act = branches.front().act;
    bool sameAct = llvm::all_of(
        branches, [&](const Branch &b) { return b.act == act; });
    if (sameAct)
      batched = applyActivation(rewriter, loc, act, batched);
    for (auto [i, b] : llvm::enumerate(branches)) {
      Value index = ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              RankedTensorType::get({}, rewriter.getI64Type()),
              rewriter.getI64IntegerAttr(i)));
      Value v = GatherOp::create(rewriter, loc, batched, index, 0);
      if (!sameAct)
        v = applyActivation(rewriter, b.op->getLoc(), b.act, v);
      if (v.getType() != b.op->getResult(0).getType())
        v = tensor::CastOp::create(rewriter, loc,
                                   b.op->getResult(0).getType(), v);
      rewriter.replaceOp(b.op, v);
    }
    if (report)
      report->fired(kRewrite, op->getLoc(),
                    llvm::Twine("stacked ") + llvm::Twine(n) +
                        " ops of width " + llvm::Twine(width) +
                        " into one batched matmul");
    return success();
  }

  LogicalResult fail(Operation *op, PatternRewriter &rewriter,
                     const Twine &reason) const {
    if (report)
      report->missed(kRewrite, op->getLoc(), reason);
    return rewriter.notifyMatchFailure(op, reason);
  }

  CombineParallelDenseOptions options;
  FusionReport *report;
};

struct MicaCombineParallelDensePass
    : mica::impl::MicaCombineParallelDenseBase<MicaCombineParallelDensePass> {
  using MicaCombineParallelDenseBase::MicaCombineParallelDenseBase;
  void runOnOperation() override {
    FusionReport report;
    RewritePatternSet patterns(&getContext());
    CombineParallelDenseOptions opts;
    opts.minBranches = minBranches;
    opts.toBatch = toBatch;
    populateCombineParallelDensePatterns(patterns, opts, &report);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    report.dropResolvedMisses();
    if (remarks)
      report.emitRemarks();
  }
};

} // namespace

void mica::populateCombineParallelDensePatterns(
    RewritePatternSet &patterns, const CombineParallelDenseOptions &options,
    FusionReport *report) {
  patterns.add<CombineParallelDense>(patterns.getContext(), options, report);
}
