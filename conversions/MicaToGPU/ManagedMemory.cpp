//===- ManagedMemory.cpp - host buffers as CUDA managed memory ------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUMANAGEDMEMORY
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

/// True when a gpu.launch uses `value` (directly or through a view).
static bool reachesLaunch(Value value) {
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user->getParentOfType<gpu::LaunchOp>())
        return true;
      if (isa<ViewLikeOpInterface>(user))
        llvm::append_range(worklist, user->getResults());
    }
  }
  return false;
}

/// A managed copy of `value` (an identity-layout memref) right after `pos`.
static Value managedCopy(OpBuilder &b, Location loc, Value value) {
  auto type = cast<MemRefType>(value.getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(b, loc, value, d));
  auto alloc = gpu::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()),
      /*asyncToken=*/Type(), ValueRange{}, dynamicSizes, ValueRange{},
      /*hostShared=*/true);
  memref::CopyOp::create(b, loc, value, alloc.getMemref());
  return alloc.getMemref();
}

namespace {
struct MicaGPUManagedMemoryPass
    : mica::impl::MicaGPUManagedMemoryBase<MicaGPUManagedMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    OpBuilder b(&getContext());
    // Arguments the kernels read: copied in at the entry.
    b.setInsertionPointToStart(&func.getBody().front());
    for (BlockArgument arg : func.getArguments()) {
      auto type = dyn_cast<MemRefType>(arg.getType());
      if (!type || !type.getLayout().isIdentity() || !reachesLaunch(arg))
        continue;
      Value copy = managedCopy(b, arg.getLoc(), arg);
      // Every use after the copy (not the memref.dim ops that size it).
      Operation *copyOp = copy.getDefiningOp()->getNextNode();
      arg.replaceUsesWithIf(copy, [&](OpOperand &use) {
        Operation *user =
            func.getBody().front().findAncestorOpInBlock(*use.getOwner());
        return user && copyOp->isBeforeInBlock(user);
      });
    }
    SmallVector<Operation *> ops;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (isa<memref::AllocOp, memref::DeallocOp, memref::GetGlobalOp>(op))
        ops.push_back(op);
      return WalkResult::advance();
    });
    for (Operation *op : ops) {
      b.setInsertionPoint(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        if (!alloc.getType().getLayout().isIdentity())
          continue;
        auto managed = gpu::AllocOp::create(
            b, alloc.getLoc(), alloc.getType(), Type(), ValueRange{},
            alloc.getDynamicSizes(), alloc.getSymbolOperands(),
            /*hostShared=*/true);
        alloc.replaceAllUsesWith(managed.getMemref());
        alloc.erase();
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        if (dealloc.getMemref().getDefiningOp<gpu::AllocOp>()) {
          gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange{},
                                 dealloc.getMemref());
          dealloc.erase();
        }
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        if (!reachesLaunch(global) ||
            !global.getType().getLayout().isIdentity())
          continue;
        b.setInsertionPointAfter(global);
        Value copy = managedCopy(b, global.getLoc(), global);
        global.getResult().replaceAllUsesExcept(
            copy, copy.getDefiningOp()->getNextNode());
      }
    }
  }
};
} // namespace
