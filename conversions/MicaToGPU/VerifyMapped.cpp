//===- VerifyMapped.cpp - every loop nest became a GPU kernel -------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUVERIFYMAPPED
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {
/// Errors on parallel loops and linalg ops outside gpu.launch.
struct MicaGPUVerifyMappedPass
    : mica::impl::MicaGPUVerifyMappedBase<MicaGPUVerifyMappedPass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<scf::ParallelOp, scf::ForallOp, linalg::LinalgOp>(op)) {
        emitError(op->getLoc())
            << "mica-gpu-verify-mapped: this " << op->getName()
            << " was not mapped to GPU threads (dynamic bounds? pin the "
               "input shapes)";
        failed = true;
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
