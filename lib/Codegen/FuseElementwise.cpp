//===- FuseElementwise.cpp - elementwise fusion around contractions -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUFUSEELEMENTWISE
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

/// True for the ops mica-cpu-contraction turns into kernels.
bool isContraction(Operation *op) {
  return op && isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op);
}

struct MicaCPUFuseElementwisePass
    : mica::impl::MicaCPUFuseElementwiseBase<MicaCPUFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Only single-use producers: fusing a producer with several users
    // duplicates its computation into each of them (and into their users,
    // transitively: an embedding gather ended up recomputed in every layer).
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse() &&
             !isContraction(fused->getOwner()) && !isContraction(producer);
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateFoldTensorEmptyPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
