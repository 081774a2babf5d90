//===- DynamicReshapes.cpp - reshapes expand-strided-metadata misses ------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICACPULOWERDYNAMICRESHAPES
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

/// memref.expand_shape of an identity-layout memref where one reassociation
/// group holds two or more dynamic dims:
///   %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %s, 64]
///       : memref<?x64xf32> into memref<?x?x64xf32>
/// becomes
///   %e = memref.reinterpret_cast %m to offset: [0], sizes: [%b, %s, 64],
///       strides: [%s * 64, 64, 1]
struct ExpandShapeWithDynamicGroup
    : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    MemRefType srcTy = op.getSrcType(), resTy = op.getResultType();
    if (!srcTy.getLayout().isIdentity() || !resTy.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not an identity layout");
    bool dynamicGroup = llvm::any_of(
        op.getReassociationIndices(), [&](const ReassociationIndices &g) {
          return llvm::count_if(g, [&](int64_t d) {
                   return resTy.isDynamicDim(d);
                 }) > 1;
        });
    if (!dynamicGroup)
      return rewriter.notifyMatchFailure(op, "no group with two dynamic dims");
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    int64_t rank = resTy.getRank();
    SmallVector<OpFoldResult> strides(rank);
    OpFoldResult running = rewriter.getIndexAttr(1);
    for (int64_t d = rank - 1; d >= 0; --d) {
      strides[d] = running;
      std::optional<int64_t> r = getConstantIntValue(running);
      std::optional<int64_t> s = getConstantIntValue(sizes[d]);
      if (r && s) {
        running = rewriter.getIndexAttr(*r * *s);
        continue;
      }
      running = arith::MulIOp::create(
                    rewriter, loc, getValueOrCreateConstantIndexOp(rewriter, loc, running),
                    getValueOrCreateConstantIndexOp(rewriter, loc, sizes[d]))
                    .getResult();
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, resTy, op.getSrc(), rewriter.getIndexAttr(0), sizes, strides);
    return success();
  }
};

struct MicaCPULowerDynamicReshapesPass
    : mica::impl::MicaCPULowerDynamicReshapesBase<
          MicaCPULowerDynamicReshapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    mica::populateLowerDynamicReshapePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mica::populateLowerDynamicReshapePatterns(RewritePatternSet &patterns) {
  patterns.add<ExpandShapeWithDynamicGroup>(patterns.getContext());
}
