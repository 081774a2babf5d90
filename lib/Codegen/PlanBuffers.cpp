//===- PlanBuffers.cpp - one arena for a function's buffers ---------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// mica-cpu-plan-buffers: static memory planning of the temporary buffers
/// bufferization leaves (alloc/dealloc pairs) into one arena. Lifetimes are
/// intervals over the function's top-level ops; offsets are assigned largest
/// buffer first at the lowest offset free over the buffer's interval.
///
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUPLANBUFFERS
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes;
  int64_t begin, end; // top-level positions, inclusive
  int64_t arena = -1, offset = -1;
};

int64_t aligned(int64_t bytes) {
  return static_cast<int64_t>(llvm::alignTo(bytes, kAlignment));
}

/// Bytes of a static, identity-layout memref whose elements are whole bytes
/// (i1 takes one), or std::nullopt.
std::optional<int64_t> staticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  int64_t width;
  if (element.isIndex())
    width = 8;
  else if (element.isIntOrFloat())
    width = llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
  else
    return std::nullopt;
  return type.getNumElements() * width;
}

/// The op of `body`'s top level that holds `op`, when every op between them
/// runs its regions sequentially (scf.for, scf.while, scf.if); nullptr
/// otherwise (a parallel loop runs iterations, and their buffers, at once).
Operation *topLevelAncestor(Operation *op, Block &body) {
  while (op->getBlock() != &body) {
    Operation *parent = op->getParentOp();
    if (!parent || !isa<scf::ForOp, scf::WhileOp, scf::IfOp>(parent))
      return nullptr;
    op = parent;
  }
  return op;
}

/// The only memref.dealloc of `alloc`, or null (none, or several).
memref::DeallocOp soleDealloc(memref::AllocOp alloc) {
  memref::DeallocOp dealloc;
  for (Operation *user : alloc->getUsers()) {
    auto d = dyn_cast<memref::DeallocOp>(user);
    if (!d)
      continue;
    if (dealloc)
      return {};
    dealloc = d;
  }
  return dealloc;
}

/// Gives each iteration of a top-level scf.forall with static bounds its
/// own slot of one buffer allocated around the loop, for the static
/// temporaries the loop body allocates and frees (a row chain's row
/// buffers): no malloc per iteration, and the buffer itself is a top-level
/// temporary the arenas can take. Only when all slots together fit in
/// `maxBytes`.
///
/// Only buffers of at most kMaxSlotBytes: for those the per-iteration malloc
/// is what costs (attention softmax 12x128x128 at 2 threads, 512-byte rows:
/// 0.107 -> 0.070 ms); a larger per-row buffer comes back from malloc as
/// the same cache-hot block every iteration, while slots walk through fresh
/// memory (layer norm 512x768, 3 KiB rows: 0.071 -> 0.076 ms with slots).
constexpr int64_t kMaxSlotBytes = 1024;

void hoistIterationBuffers(Block &body, int64_t maxBytes) {
  for (auto forall : llvm::make_early_inc_range(body.getOps<scf::ForallOp>())) {
    ArrayRef<int64_t> lbs = forall.getStaticLowerBound();
    ArrayRef<int64_t> ubs = forall.getStaticUpperBound();
    ArrayRef<int64_t> steps = forall.getStaticStep();
    if (ShapedType::isDynamicShape(lbs) || ShapedType::isDynamicShape(ubs) ||
        ShapedType::isDynamicShape(steps))
      continue;
    SmallVector<int64_t> counts;
    int64_t trips = 1;
    for (auto [lb, ub, step] : llvm::zip_equal(lbs, ubs, steps)) {
      counts.push_back(step > 0 && ub > lb ? llvm::divideCeil(ub - lb, step)
                                           : 0);
      trips *= counts.back();
    }
    if (trips <= 1)
      continue;
    Block *loopBody = forall.getBody();
    for (auto alloc :
         llvm::make_early_inc_range(loopBody->getOps<memref::AllocOp>())) {
      std::optional<int64_t> bytes = staticBytes(alloc.getType());
      memref::DeallocOp dealloc = soleDealloc(alloc);
      if (!bytes || *bytes > kMaxSlotBytes ||
          !alloc.getSymbolOperands().empty() || !dealloc ||
          dealloc->getBlock() != loopBody || trips * aligned(*bytes) > maxBytes)
        continue;
      Location loc = alloc.getLoc();
      OpBuilder builder(forall);
      auto type =
          MemRefType::get({trips * aligned(*bytes)}, builder.getI8Type());
      Value slots = memref::AllocOp::create(
          builder, loc, type, builder.getI64IntegerAttr(kAlignment));
      builder.setInsertionPointAfter(forall);
      memref::DeallocOp::create(builder, loc, slots);
      // Slot of this iteration: its row-major linear index.
      builder.setInsertionPoint(alloc);
      auto cst = [&](int64_t v) {
        return arith::ConstantIndexOp::create(builder, loc, v).getResult();
      };
      Value linear = cst(0);
      for (auto [iv, lb, step, count] :
           llvm::zip_equal(forall.getInductionVars(), lbs, steps, counts)) {
        Value idx = builder.createOrFold<arith::DivUIOp>(
            loc, builder.createOrFold<arith::SubIOp>(loc, iv, cst(lb)),
            cst(step));
        linear = builder.createOrFold<arith::AddIOp>(
            loc, builder.createOrFold<arith::MulIOp>(loc, linear, cst(count)),
            idx);
      }
      Value offset = builder.createOrFold<arith::MulIOp>(loc, linear,
                                                         cst(aligned(*bytes)));
      Value view = memref::ViewOp::create(builder, loc, alloc.getType(), slots,
                                          offset, ValueRange());
      alloc.replaceAllUsesWith(view);
      dealloc.erase();
      alloc.erase();
    }
  }
}

struct MicaCPUPlanBuffersPass
    : mica::impl::MicaCPUPlanBuffersBase<MicaCPUPlanBuffersPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block &body = func.getBody().front();
    hoistIterationBuffers(body, maxArenaBytes);
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;

    SmallVector<Buffer> buffers;
    func.walk([&](memref::AllocOp alloc) {
      std::optional<int64_t> bytes = staticBytes(alloc.getType());
      if (!bytes || !alloc.getSymbolOperands().empty())
        return;
      // Exactly one dealloc, in the alloc's own block (no conditional or
      // transferred ownership).
      memref::DeallocOp dealloc = soleDealloc(alloc);
      if (!dealloc || dealloc->getBlock() != alloc->getBlock())
        return;
      Operation *first = topLevelAncestor(alloc, body);
      Operation *last = topLevelAncestor(dealloc, body);
      if (!first || !last)
        return;
      buffers.push_back(Buffer{alloc, dealloc, *bytes, position[first],
                               position[last]});
    });
    if (buffers.empty())
      return;

    // Largest first, each at the lowest aligned offset free over its
    // interval among the buffers already placed in the first arena with
    // room (at most max-arena-bytes each: the C library hands larger blocks
    // out as fresh mappings, page-faulted again on every run).
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      if (aligned(b.bytes) <= maxArenaBytes)
        order.push_back(&b);
    llvm::stable_sort(order, [](Buffer *a, Buffer *b) {
      return a->bytes > b->bytes;
    });
    SmallVector<int64_t> arenaBytes;
    int64_t separateBytes = 0;
    SmallVector<Buffer *> placed;
    for (Buffer *b : order) {
      for (int64_t arena = 0;; ++arena) {
        if (arena == static_cast<int64_t>(arenaBytes.size()))
          arenaBytes.push_back(0);
        SmallVector<std::pair<int64_t, int64_t>> busy;
        for (Buffer *p : placed)
          if (p->arena == arena && p->begin <= b->end && b->begin <= p->end)
            busy.push_back({p->offset, p->offset + p->bytes});
        llvm::sort(busy);
        int64_t offset = 0;
        for (auto [lo, hi] : busy) {
          if (offset + b->bytes <= lo)
            break;
          offset = std::max(offset, aligned(hi));
        }
        if (offset + b->bytes > maxArenaBytes)
          continue;
        b->arena = arena;
        b->offset = offset;
        arenaBytes[arena] = std::max(arenaBytes[arena], offset + b->bytes);
        break;
      }
      placed.push_back(b);
      separateBytes += aligned(b->bytes);
    }
    if (placed.empty())
      return;

    // The arenas: allocated at entry, freed before every return.
    OpBuilder builder(func.getContext());
    builder.setInsertionPointToStart(&body);
    Location loc = func.getLoc();
    SmallVector<Value> arenas;
    int64_t totalBytes = 0;
    for (int64_t bytes : arenaBytes) {
      auto type = MemRefType::get({aligned(bytes)}, builder.getI8Type());
      arenas.push_back(memref::AllocOp::create(
          builder, loc, type, builder.getI64IntegerAttr(kAlignment)));
      totalBytes += aligned(bytes);
    }
    func.walk([&](func::ReturnOp ret) {
      builder.setInsertionPoint(ret);
      for (Value arena : arenas)
        memref::DeallocOp::create(builder, ret.getLoc(), arena);
    });
    for (Buffer *b : placed) {
      builder.setInsertionPoint(b->alloc);
      Value offset =
          arith::ConstantIndexOp::create(builder, b->alloc.getLoc(), b->offset);
      Value view = memref::ViewOp::create(builder, b->alloc.getLoc(),
                                          b->alloc.getType(), arenas[b->arena],
                                          offset, ValueRange());
      b->alloc.replaceAllUsesWith(view);
      b->dealloc.erase();
      b->alloc.erase();
    }
    if (remarks)
      emitRemark(func.getLoc())
          << "planned " << placed.size() << " buffers into "
          << arenas.size() << " arena(s) of " << totalBytes << " bytes ("
          << separateBytes << " bytes as separate allocations)";
  }
};

} // namespace
