//===- MapForall.cpp - block/warp scf.forall nests to gpu.launch ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/SCF/IR/DeviceMappingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

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
  // thread ids it creates go to the start of the launch body.
  rewriter.setInsertionPointToStart(&body);
  DiagnosedSilenceableFailure mapped =
      transform::gpu::mapNestedForallToThreadsImpl(
          rewriter, std::nullopt, launch, block, kWarpSize,
          /*syncAfterDistribute=*/false);
  if (!mapped.succeeded()) {
    (void)mapped.silence();
    return rewriter.notifyMatchFailure(launch, "warp mapping failed");
  }
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
                          "normalized, with static trip counts)";
        return signalPassFailure();
      }
    }
  }
};
} // namespace
