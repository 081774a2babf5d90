//===- TileParallelLoops.cpp - SIMT loops into thread blocks --------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUTILEPARALLELLOOPS
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {
/// Thin shell over scf::tileParallelLoop: innermost dim by `block-size`
/// (or its static trip count when smaller), every other dim by 1.
struct MicaGPUTileParallelLoopsPass
    : mica::impl::MicaGPUTileParallelLoopsBase<MicaGPUTileParallelLoopsPass> {
  using Base::Base;

  /// Processors for `rank` loop dims, innermost first on x.
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping(unsigned rank,
                                                       bool blocks) {
    MLIRContext *ctx = &getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    SmallVector<gpu::ParallelLoopDimMappingAttr> result;
    for (unsigned d = 0; d < rank; ++d) {
      unsigned fromInner = rank - 1 - d;
      gpu::Processor processor = gpu::Processor::Sequential;
      if (blocks && fromInner < 3)
        processor = static_cast<gpu::Processor>(
            static_cast<unsigned>(gpu::Processor::BlockX) + fromInner);
      else if (!blocks && fromInner == 0)
        processor = gpu::Processor::ThreadX;
      result.push_back(
          gpu::ParallelLoopDimMappingAttr::get(ctx, processor, id, id));
    }
    return result;
  }

  void runOnOperation() override {
    if (blockSize < 1 || blockSize > 1024) {
      emitError(getOperation().getLoc())
          << "mica-gpu-tile-parallel-loops: block-size " << blockSize.getValue()
          << " is not in [1, 1024]";
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
        loops.push_back(loop);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    for (scf::ParallelOp loop : loops) {
      SmallVector<int64_t> sizes(loop.getNumLoops(), 1);
      int64_t inner = blockSize;
      std::optional<int64_t> lb =
          getConstantIntValue(loop.getLowerBound().back());
      std::optional<int64_t> ub =
          getConstantIntValue(loop.getUpperBound().back());
      std::optional<int64_t> step = getConstantIntValue(loop.getStep().back());
      if (lb && ub && step && *step > 0)
        inner = std::clamp<int64_t>((*ub - *lb + *step - 1) / *step, 1, inner);
      sizes.back() = inner;
      auto [outer, threads] =
          scf::tileParallelLoop(loop, sizes, /*noMinMaxBounds=*/false);
      // Innermost dim: tiles on block x, tile elements on thread x; the next
      // outer dims on blocks y, z; the rest (and the unit dims of the tile)
      // sequential. Upstream gpu-map-parallel-loops leaves mapped loops
      // alone; its greedy order would give thread x to a unit dim.
      (void)gpu::setMappingAttr(outer, mapping(outer.getNumLoops(), true));
      (void)gpu::setMappingAttr(threads, mapping(threads.getNumLoops(), false));
    }
    // Fold the tile arithmetic (steps, affine.min bounds) to constants so
    // convert-parallel-loops-to-gpu sees static launch bounds; no patterns:
    // scf.parallel canonicalization would merge the tile loops again.
    (void)applyPatternsGreedily(
        getOperation(),
        FrozenRewritePatternSet(RewritePatternSet(&getContext())));
  }
};
} // namespace
