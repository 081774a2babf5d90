//===- MapForall.cpp - block/warp scf.forall nests to gpu.launch ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/DeviceMappingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUMAPFORALL
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

static constexpr int64_t kWarpSize = 32;

/// The mapping attributes of `forall` if they all have type `AttrT`.
template <typename AttrT>
static std::optional<SmallVector<AttrT>> getMappingOf(scf::ForallOp forall) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  if (!mapping || mapping->empty())
    return std::nullopt;
  SmallVector<AttrT> result;
  for (Attribute attr : *mapping) {
    auto typed = dyn_cast<AttrT>(attr);
    if (!typed)
      return std::nullopt;
    result.push_back(typed);
  }
  return result;
}

/// Static trip counts of a normalized forall (lower bound 0, step 1).
static std::optional<SmallVector<int64_t>> getTripCounts(scf::ForallOp forall) {
  if (!forall.isNormalized())
    return std::nullopt;
  std::optional<SmallVector<int64_t>> ubs =
      getConstantIntValues(forall.getMixedUpperBound());
  return ubs;
}

/// True when `value` is the same in every iteration of `warpLoop`: defined
/// outside it, or computed by pure ops from such values and from induction
/// variables of scf.for loops inside it whose bounds are uniform.
static bool isUniformIn(Value value, Operation *warpLoop) {
  if (!warpLoop->isAncestor(value.getParentRegion()->getParentOp()))
    return true;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
    return loop && arg == loop.getInductionVar() &&
           isUniformIn(loop.getLowerBound(), warpLoop) &&
           isUniformIn(loop.getUpperBound(), warpLoop) &&
           isUniformIn(loop.getStep(), warpLoop);
  }
  Operation *def = value.getDefiningOp();
  if (!isPure(def) || def->getNumRegions())
    return false;
  return llvm::all_of(def->getOperands(),
                      [&](Value v) { return isUniformIn(v, warpLoop); });
}

/// The memref.alloc behind `value` (through subviews), if any.
static memref::AllocOp getAlloc(Value value) {
  while (auto subview = value.getDefiningOp<memref::SubViewOp>())
    value = subview.getSource();
  return value.getDefiningOp<memref::AllocOp>();
}

/// The copies into workgroup memory that mica-gpu-tile-contractions put into
/// the warp loops of `forall` (the staged A/B tiles). Each must copy the same
/// data in every warp (uniform source, only uniform scf.for loops around it)
/// into a static allocation; otherwise the launch cannot share it.
static FailureOr<SmallVector<linalg::CopyOp>>
collectSharedCopies(scf::ForallOp forall) {
  SmallVector<linalg::CopyOp> copies;
  bool ok = true;
  forall.getBody()->walk([&](linalg::CopyOp copy) {
    auto type = dyn_cast<MemRefType>(copy.getOutputs()[0].getType());
    if (!type || !gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(type))
      return;
    memref::AllocOp alloc = getAlloc(copy.getOutputs()[0]);
    auto warpLoop = copy->getParentOfType<scf::ForallOp>();
    ok &= alloc && alloc->getNumOperands() == 0 && warpLoop != forall &&
          type.hasStaticShape() && isUniformIn(copy.getInputs()[0], warpLoop);
    for (Operation *p = copy->getParentOp(); ok && p != warpLoop;
         p = p->getParentOp()) {
      auto loop = dyn_cast<scf::ForOp>(p);
      ok &= loop && isUniformIn(loop.getInductionVar(), warpLoop);
    }
    copies.push_back(copy);
  });
  if (!ok)
    return failure();
  return copies;
}

/// Replaces `copy` by vector loads/stores distributed over the `threads`
/// threads of the block (`tid` is the linear thread id): each thread moves
/// up to 16 bytes at a time, unrolled when the vectors divide evenly among
/// the threads (as mica-gpu-shared-memory's pipelining needs), else in a
/// loop.
static void distributeCopy(RewriterBase &rewriter, linalg::CopyOp copy,
                           Value tid, int64_t threads) {
  Location loc = copy.getLoc();
  Value src = copy.getInputs()[0], dst = copy.getOutputs()[0];
  auto type = cast<MemRefType>(dst.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t elems = type.getNumElements();
  int64_t bits = type.getElementTypeBitWidth();
  int64_t width = 1;
  bool even = false;
  for (int64_t w = std::max<int64_t>(128 / bits, 1); w >= 1 && !even; w /= 2)
    if (shape.back() % w == 0 && (elems / w) % threads == 0)
      width = w, even = true;
  if (!even)
    for (int64_t w = std::max<int64_t>(128 / bits, 1); w > 1; w /= 2)
      if (shape.back() % w == 0) {
        width = w;
        break;
      }
  SmallVector<int64_t> basis(shape);
  basis.back() /= width;
  int64_t vectors = elems / width;
  auto vectorType = VectorType::get({width}, type.getElementType());
  rewriter.setInsertionPoint(copy);
  auto move = [&](OpBuilder &b, Value linear) {
    SmallVector<Value> indices(
        affine::AffineDelinearizeIndexOp::create(b, loc, linear, basis)
            ->getResults());
    // affine.apply, not arith: upstream VectorToGPU (mma.sync) takes
    // integer arith ops in a launch for elementwise fragment ops.
    AffineExpr d0 = b.getAffineDimExpr(0);
    indices.back() = affine::AffineApplyOp::create(
        b, loc, AffineMap::get(1, 0, d0 * width), indices.back());
    Value v = vector::LoadOp::create(b, loc, vectorType, src, indices);
    vector::StoreOp::create(b, loc, v, dst, indices);
  };
  if (even) {
    for (int64_t j = 0; j < vectors / threads; ++j) {
      AffineExpr d0 = rewriter.getAffineDimExpr(0);
      move(rewriter,
           affine::AffineApplyOp::create(
               rewriter, loc, AffineMap::get(1, 0, d0 + j * threads), tid));
    }
  } else {
    Value ub = arith::ConstantIndexOp::create(rewriter, loc, vectors);
    Value step = arith::ConstantIndexOp::create(rewriter, loc, threads);
    scf::ForOp::create(rewriter, loc, tid, ub, step, ValueRange(),
                       [&](OpBuilder &b, Location, Value iv, ValueRange) {
                         move(b, iv);
                         scf::YieldOp::create(b, loc);
                       });
  }
  rewriter.eraseOp(copy);
}

/// Shares the staged tiles of `launch` among its threads: the allocations
/// move to the start of the launch body (one buffer per block), each run of
/// consecutive copies is distributed over the threads and fenced by
/// gpu.barrier before (the previous step's reads are done) and after (the
/// tile is complete).
static void shareCopies(RewriterBase &rewriter, gpu::LaunchOp launch,
                        ArrayRef<linalg::CopyOp> copies,
                        ArrayRef<int64_t> block) {
  if (copies.empty())
    return;
  Block &body = launch.getBody().front();
  Location loc = launch.getLoc();
  rewriter.setInsertionPointToStart(&body);
  Value ids[3] = {gpu::ThreadIdOp::create(rewriter, loc, gpu::Dimension::x),
                  gpu::ThreadIdOp::create(rewriter, loc, gpu::Dimension::y),
                  gpu::ThreadIdOp::create(rewriter, loc, gpu::Dimension::z)};
  Value tid = affine::AffineLinearizeIndexOp::create(
      rewriter, loc, ValueRange{ids[2], ids[1], ids[0]},
      ArrayRef<int64_t>{block[2], block[1], block[0]}, /*disjoint=*/true);
  for (linalg::CopyOp copy : copies) {
    memref::AllocOp alloc = getAlloc(copy.getOutputs()[0]);
    if (alloc->getBlock() != &body)
      rewriter.moveOpBefore(alloc, &body.front());
  }
  // Runs of copies separated only by pure ops (the subviews between them).
  llvm::SmallPtrSet<Operation *, 8> pending;
  for (linalg::CopyOp copy : copies)
    pending.insert(copy);
  for (linalg::CopyOp copy : copies) {
    if (!pending.contains(copy))
      continue;
    Operation *last = copy;
    SmallVector<linalg::CopyOp> run = {copy};
    pending.erase(copy);
    for (Operation *op = copy->getNextNode(); op; op = op->getNextNode()) {
      if (pending.contains(op)) {
        run.push_back(cast<linalg::CopyOp>(op));
        pending.erase(op);
        last = op;
        continue;
      }
      if (!isPure(op))
        break;
    }
    rewriter.setInsertionPoint(copy);
    gpu::BarrierOp::create(rewriter, loc);
    rewriter.setInsertionPointAfter(last);
    gpu::BarrierOp::create(rewriter, loc);
    int64_t threads = block[0] * block[1] * block[2];
    for (linalg::CopyOp c : run)
      distributeCopy(rewriter, c, tid, threads);
  }
}

FailureOr<gpu::LaunchOp> mica::mapForallToGPULaunch(RewriterBase &rewriter,
                                                    scf::ForallOp forall) {
  // Upstream normalization (lower bound 0, step 1) of the block forall and
  // its warp foralls.
  SmallVector<scf::ForallOp> nested;
  forall.getBody()->walk([&](scf::ForallOp inner) { nested.push_back(inner); });
  for (scf::ForallOp inner : nested) {
    if (inner.isNormalized())
      continue;
    rewriter.setInsertionPoint(inner);
    if (failed(normalizeForallOp(rewriter, inner)))
      return rewriter.notifyMatchFailure(inner, "cannot normalize");
  }
  if (!forall.isNormalized()) {
    rewriter.setInsertionPoint(forall);
    FailureOr<scf::ForallOp> normalized = normalizeForallOp(rewriter, forall);
    if (failed(normalized))
      return rewriter.notifyMatchFailure(forall, "cannot normalize");
    forall = *normalized;
  }
  auto blockMapping = getMappingOf<gpu::GPUBlockMappingAttr>(forall);
  std::optional<SmallVector<int64_t>> trips = getTripCounts(forall);
  if (!blockMapping || !trips || forall.getNumResults() != 0)
    return rewriter.notifyMatchFailure(
        forall, "not a bufferized, normalized, static #gpu.block forall");

  // Grid: one dim per mapping id.
  SmallVector<int64_t> grid(3, 1);
  for (auto [attr, trip] : llvm::zip(*blockMapping, *trips)) {
    int64_t id = attr.getMappingId();
    if (id > 2)
      return rewriter.notifyMatchFailure(forall, "linear block mapping");
    grid[id] = trip;
  }
  // Block: 32 threads per warp of the nested warp foralls (the widest).
  SmallVector<int64_t> warps(3, 1);
  forall.getBody()->walk([&](scf::ForallOp inner) {
    auto warpMapping = getMappingOf<gpu::GPUWarpMappingAttr>(inner);
    std::optional<SmallVector<int64_t>> innerTrips = getTripCounts(inner);
    if (!warpMapping || !innerTrips)
      return;
    for (auto [attr, trip] : llvm::zip(*warpMapping, *innerTrips))
      if (attr.getMappingId() <= 2)
        warps[attr.getMappingId()] = std::max(warps[attr.getMappingId()], trip);
  });
  SmallVector<int64_t> block = {warps[0] * kWarpSize, warps[1], warps[2]};

  FailureOr<SmallVector<linalg::CopyOp>> copies = collectSharedCopies(forall);
  if (failed(copies))
    return rewriter.notifyMatchFailure(
        forall, "a copy into workgroup memory differs between warps");

  Location loc = forall.getLoc();
  rewriter.setInsertionPoint(forall);
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  auto launch =
      gpu::LaunchOp::create(rewriter, loc, c(grid[0]), c(grid[1]), c(grid[2]),
                            c(block[0]), c(block[1]), c(block[2]));
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToEnd(&body);
  auto terminator = gpu::TerminatorOp::create(rewriter, loc);

  // Block ids replace the induction variables; the body moves in.
  rewriter.setInsertionPoint(terminator);
  gpu::Dimension dims[3] = {gpu::Dimension::x, gpu::Dimension::y,
                            gpu::Dimension::z};
  SmallVector<Value> ids;
  for (gpu::GPUBlockMappingAttr attr : *blockMapping)
    ids.push_back(
        gpu::BlockIdOp::create(rewriter, loc, dims[attr.getMappingId()]));
  Block *forallBody = forall.getBody();
  rewriter.eraseOp(forallBody->getTerminator());
  rewriter.inlineBlockBefore(forallBody, terminator, ids);
  rewriter.eraseOp(forall);

  // Warps: upstream distribution (predicates surplus warps off); the
  // thread ids it creates go to the start of the launch body. A thread
  // forall (a fused epilogue) reads what the warps wrote: a barrier after
  // each distributed forall.
  bool threadLoops = false;
  body.walk([&](scf::ForallOp inner) {
    threadLoops |= getMappingOf<gpu::GPUThreadMappingAttr>(inner).has_value();
  });
  rewriter.setInsertionPointToStart(&body);
  DiagnosedSilenceableFailure mapped =
      transform::gpu::mapNestedForallToThreadsImpl(
          rewriter, std::nullopt, launch, block, kWarpSize,
          /*syncAfterDistribute=*/threadLoops);
  if (!mapped.succeeded()) {
    (void)mapped.silence();
    return rewriter.notifyMatchFailure(launch, "warp mapping failed");
  }
  shareCopies(rewriter, launch, *copies, block);
  return launch;
}

namespace {
/// Thin shell over mapForallToGPULaunch for each outermost block forall.
struct MicaGPUMapForallPass
    : mica::impl::MicaGPUMapForallBase<MicaGPUMapForallPass> {
  void runOnOperation() override {
    SmallVector<scf::ForallOp> foralls;
    getOperation().walk<WalkOrder::PreOrder>([&](scf::ForallOp forall) {
      if (getMappingOf<gpu::GPUBlockMappingAttr>(forall)) {
        foralls.push_back(forall);
        return WalkResult::skip();
      }
      return WalkResult::advance();
    });
    IRRewriter rewriter(&getContext());
    for (scf::ForallOp forall : foralls) {
      Location loc = forall.getLoc();
      if (failed(mica::mapForallToGPULaunch(rewriter, forall))) {
        emitError(loc) << "mica-gpu-map-forall: cannot map this block "
                          "scf.forall to a gpu.launch (it must be bufferized, "
                          "normalized, with static trip counts; copies into "
                          "workgroup memory must be the same in every warp)";
        return signalPassFailure();
      }
    }
  }
};
} // namespace
