//===- SharedMemory.cpp - cp.async pipelining and workgroup buffers -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// The last step of the shared-memory staging of the TensorCore kernels, per
// gpu.launch (after mica-gpu-map-forall shared and distributed the copies):
// on sm_80+ the global -> shared vector copies become cp.async groups
// (upstream nvgpu::createAsyncGroups), their buffers are multi-buffered
// (upstream memref::multiBuffer) and the K loop is software-pipelined
// (upstream scf::pipelineForLoop, with the schedule of upstream's
// transform.nvgpu.pipeline_shared_memory_copies: copies and their address
// computations in stage 0, everything else `depth` iterations later). Then
// every workgroup allocation becomes a workgroup attribution of the launch
// (what gpu-kernel-outlining and convert-gpu-to-nvvm turn into .shared
// arrays).
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/NVGPU/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "llvm/Support/FormatVariadic.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUSHAREDMEMORY
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

/// The workgroup allocations directly in the launch body.
static SmallVector<memref::AllocOp> getWorkgroupAllocs(gpu::LaunchOp launch) {
  SmallVector<memref::AllocOp> allocs;
  for (auto alloc : launch.getBody().front().getOps<memref::AllocOp>())
    if (gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(alloc.getType()))
      allocs.push_back(alloc);
  return allocs;
}

/// The innermost scf.for that holds every user of `alloc`, if any.
static scf::ForOp getUserLoop(memref::AllocOp alloc) {
  scf::ForOp loop;
  for (Operation *user : alloc->getUsers()) {
    auto parent = user->getParentOfType<scf::ForOp>();
    if (!parent || (loop && parent != loop))
      return scf::ForOp();
    loop = parent;
  }
  return loop;
}

/// Stage 0 of the pipelined K loop: the async copies, their group, the
/// barriers before them, and everything in the loop body they depend on.
/// Fails when the body has ops with regions (upstream's restriction).
static LogicalResult getStage0(scf::ForOp loop,
                               llvm::SmallPtrSetImpl<Operation *> &stage0) {
  SmallVector<Operation *> barriers;
  bool any = false;
  for (Operation &op : *loop.getBody()) {
    if (op.getNumRegions())
      return failure();
    if (isa<gpu::BarrierOp>(op)) {
      barriers.push_back(&op);
    } else if (isa<nvgpu::DeviceAsyncCopyOp, nvgpu::DeviceAsyncCreateGroupOp>(
                   op)) {
      stage0.insert(&op);
      stage0.insert(barriers.begin(), barriers.end());
      barriers.clear();
      any = true;
    }
  }
  return success(any);
}

FailureOr<scf::ForOp> mica::pipelineSharedMemoryCopies(RewriterBase &rewriter,
                                                       scf::ForOp loop,
                                                       int64_t depth) {
  llvm::SmallPtrSet<Operation *, 16> stage0;
  if (depth < 2 || failed(getStage0(loop, stage0)))
    return failure();
  SetVector<Operation *> slice;
  BackwardSliceOptions sliceOptions(
      [&](Operation *op) { return op->getBlock() == loop.getBody(); });
  sliceOptions.inclusive = true;
  for (Operation &op : *loop.getBody())
    if (stage0.contains(&op))
      (void)getBackwardSlice(&op, &slice, sliceOptions);

  scf::PipeliningOption options;
  options.getScheduleFn =
      [&](scf::ForOp forOp,
          std::vector<std::pair<Operation *, unsigned>> &schedule) {
        if (forOp != loop)
          return;
        for (Operation &op : *forOp.getBody())
          if (!slice.contains(&op) && !isa<scf::YieldOp>(op))
            schedule.emplace_back(&op, depth);
        for (Operation &op : *forOp.getBody())
          if (slice.contains(&op))
            schedule.emplace_back(&op, 0);
      };
  // A wait lets the groups of the later iterations stay in flight.
  options.annotateFn = [&](Operation *op,
                           scf::PipeliningOption::PipelinerPart part,
                           unsigned iteration) {
    auto wait = dyn_cast<nvgpu::DeviceAsyncWaitOp>(op);
    if (!wait || wait.getNumGroups())
      return;
    int64_t inFlight = depth - 1;
    if (part == scf::PipeliningOption::PipelinerPart::Epilogue)
      inFlight = depth - 1 - iteration;
    wait.setNumGroups(inFlight);
  };
  options.peelEpilogue = true;
  rewriter.setInsertionPoint(loop);
  return scf::pipelineForLoop(rewriter, loop, options);
}

/// Turns the copies of `launch` into cp.async groups; when every workgroup
/// buffer is used in one K loop with a static trip count of at least `depth`,
/// multi-buffers them first and pipelines the loop. Returns why the loop was
/// not pipelined, or "".
static std::string pipelineCopies(RewriterBase &rewriter, gpu::LaunchOp launch,
                                  int64_t depth) {
  // The buffers used only inside one loop (the staged A/B tiles; not the C
  // tile of a fused epilogue).
  SmallVector<memref::AllocOp> allocs;
  llvm::SetVector<Operation *> loops;
  std::string why;
  for (memref::AllocOp alloc : getWorkgroupAllocs(launch)) {
    scf::ForOp loop = getUserLoop(alloc);
    if (!loop)
      continue;
    allocs.push_back(alloc);
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(loop.getStep());
    if (!lb || !ub || !step || *step <= 0 ||
        (*ub - *lb + *step - 1) / *step < depth)
      why = llvm::formatv("the K loop has fewer than {0} static steps", depth);
    else
      loops.insert(loop);
  }
  if (allocs.empty())
    why = "the copies are not in one K loop (a single K step?)";
  if (depth < 2)
    why = "pipeline-depth < 2";
  if (why.empty())
    for (memref::AllocOp alloc : allocs)
      if (failed(memref::multiBuffer(rewriter, alloc, depth,
                                     /*skipOverrideAnalysis=*/true)))
        return "multi-buffering failed";
  nvgpu::createAsyncGroups(rewriter, launch, /*bypassL1=*/true);
  if (!why.empty())
    return why;
  for (Operation *loop : loops)
    if (failed(mica::pipelineSharedMemoryCopies(rewriter,
                                                cast<scf::ForOp>(loop), depth)))
      return "the K loop cannot be pipelined (ops with regions in its body, "
             "or no async copies)";
  return "";
}

void mica::useWorkgroupAttributions(RewriterBase &rewriter,
                                    gpu::LaunchOp launch) {
  for (memref::AllocOp alloc : getWorkgroupAllocs(launch)) {
    BlockArgument buffer =
        launch.addWorkgroupAttribution(alloc.getType(), alloc.getLoc());
    rewriter.replaceAllUsesWith(alloc, buffer);
    rewriter.eraseOp(alloc);
  }
}

namespace {
/// Thin shell over pipelineSharedMemoryCopies (with upstream multiBuffer and
/// createAsyncGroups) and useWorkgroupAttributions for each gpu.launch.
struct MicaGPUSharedMemoryPass
    : mica::impl::MicaGPUSharedMemoryBase<MicaGPUSharedMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp l) { launches.push_back(l); });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches) {
      if (getWorkgroupAllocs(launch).empty())
        continue;
      if (asyncCopies) {
        std::string why = pipelineCopies(rewriter, launch, pipelineDepth);
        if (!why.empty() && remarks)
          emitRemark(launch.getLoc())
              << "mica-gpu-shared-memory: copies not pipelined: " << why;
      }
      mica::useWorkgroupAttributions(rewriter, launch);
    }
  }
};
} // namespace
