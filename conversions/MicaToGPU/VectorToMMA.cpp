//===- VectorToMMA.cpp - convert-vector-to-gpu per gpu.launch -------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/IR/Iterators.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUVECTORTOMMA
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {
/// Thin shell over the upstream VectorToGPU entry points, one launch at a
/// time.
struct MicaGPUVectorToMMAPass
    : mica::impl::MicaGPUVectorToMMABase<MicaGPUVectorToMMAPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) {
      if (launch.getBody()
              .walk(
                  [](vector::ContractionOp) { return WalkResult::interrupt(); })
              .wasInterrupted())
        launches.push_back(launch);
    });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches) {
      RewritePatternSet patterns(&getContext());
      populatePrepareVectorToMMAPatterns(patterns, mmaSync);
      if (failed(applyPatternsGreedily(launch, std::move(patterns))))
        return signalPassFailure();
      // Upstream starts a conversion slice at every op it could apply to
      // fragments, scalar arith included (then fails on it): convert from
      // the ops of the launch body that hold a contraction (the K loops),
      // not from the scalar code of a fused epilogue.
      llvm::SetVector<Operation *> roots;
      launch.getBody().walk([&](vector::ContractionOp contract) {
        roots.insert(launch.getBody().front().findAncestorOpInBlock(
            *contract.getOperation()));
      });
      for (Operation *root : roots) {
        if (mmaSync) {
          if (failed(convertVectorToNVVMCompatibleMMASync(rewriter, root)))
            return signalPassFailure();
        } else if (failed(convertVectorToMMAOps(rewriter, root))) {
          return signalPassFailure();
        }
      }
      // The mma.sync conversion leaves the replaced vector ops dead.
      launch.getBody().walk<WalkOrder::PostOrder, ReverseIterator>(
          [&](Operation *op) {
            if (isOpTriviallyDead(op))
              rewriter.eraseOp(op);
          });
    }
  }
};
} // namespace
