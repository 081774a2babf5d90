//===- SinkIntoLaunch.cpp - values a kernel cannot take as arguments ------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUSINKINTOLAUNCH
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

/// Pure, region-free ops worth cloning into a launch: what yields MMA
/// matrices or vectors, and the constants those use.
static bool isSinkable(Operation *op) {
  if (!isPure(op) || op->getNumRegions() != 0)
    return false;
  if (isa<arith::ConstantOp>(op))
    return true;
  return llvm::any_of(op->getResultTypes(),
                      llvm::IsaPred<gpu::MMAMatrixType, VectorType>);
}

namespace {
struct MicaGPUSinkIntoLaunchPass
    : mica::impl::MicaGPUSinkIntoLaunchBase<MicaGPUSinkIntoLaunchPass> {
  void runOnOperation() override {
    bool failed = false;
    llvm::SetVector<Operation *> sunk;
    getOperation().walk([&](gpu::LaunchOp launch) {
      launch.getBody().walk([&](Operation *op) {
        for (Value v : op->getOperands())
          if (Operation *def = v.getDefiningOp();
              def && !launch->isAncestor(def) && isSinkable(def))
            sunk.insert(def);
      });
      if (mlir::failed(sinkOperationsIntoLaunchOp(launch, isSinkable))) {
        failed = true;
        return;
      }
      // What is still used from above becomes a kernel argument.
      launch.getBody().walk([&](Operation *op) {
        for (Value v : op->getOperands())
          if (isa<gpu::MMAMatrixType>(v.getType()) &&
              !launch->isAncestor(v.getParentRegion()->getParentOp())) {
            op->emitError() << "mica-gpu-sink-into-launch: this " << v.getType()
                            << " comes from outside the gpu.launch and is not "
                               "a pure op that can be cloned into it; a kernel "
                               "cannot take it as an argument";
            failed = true;
          }
      });
    });
    if (failed)
      return signalPassFailure();
    // The originals that only the launches used (and what only they used).
    SmallVector<Operation *> originals(sunk.begin(), sunk.end());
    for (bool erased = true; erased;) {
      erased = false;
      for (Operation *&op : originals)
        if (op && isOpTriviallyDead(op)) {
          op->erase();
          op = nullptr;
          erased = true;
        }
    }
  }
};
} // namespace
