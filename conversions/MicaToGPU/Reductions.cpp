//===- Reductions.cpp - row reductions as warp/block kernels --------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// mica-gpu-reductions: softmax, layer norm and reductions over the innermost
// dim as kernels in which a block (or a warp, for short rows) owns a row.
//
// A *group* is a set of linalg.generic ops on tensors over the same rows:
// row reductions (one reduction loop, the innermost) and elementwise ops
// that read or feed them. Every value of the group is an *element
// expression* at a row index (outer..., j): an elementwise op's result is
// recomputed from its body wherever it is read, a reduction's result is a
// per-row scalar. A group runs in phases, one pass over the row each: the
// reductions whose expressions need no other reduction of the group first,
// then the ones that need them, ... Two idioms share a pass:
//   online softmax: max(e) and sum(exp(e - max)): a running max and a sum
//     rescaled by exp(old - new) when the max grows;
//   variance: sum(e) and sum((e - c(sum))^2): per-thread Welford (count,
//     mean, M2), merged exactly with Chan's formula, c applied at the end
//     (sum((e - c)^2) = M2 + n (mean - c)^2).
// Elementwise ops over the reduced shape (a mean's division) are per-row
// values too. A last pass writes the group's results that are used outside
// it. Static rows a multiple of 4 long are walked in groups of 4 (128-bit
// loads and stores); a thread's share of at most 8 groups is unrolled and
// its loads are reused by every pass (the row is read once).
// Threads combine their partial states with gpu.all_reduce (block) or
// gpu.subgroup_reduce (warp; lowered to gpu.shuffle here). A long row is
// split across blocks: kernel 1 writes each block's merged state, kernel 2
// merges the row's states in every block and writes its chunk.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUREDUCTIONS
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

//===----------------------------------------------------------------------===//
// Matching
//===----------------------------------------------------------------------===//

namespace {
/// How a row reduction combines: its combining op and the element expression
/// (the combiner's other operand), as the kinds arith and gpu know.
struct Combine {
  Operation *combiner = nullptr;
  Value element;
  arith::AtomicRMWKind kind = arith::AtomicRMWKind::addf;
  gpu::AllReduceOperation gpuKind = gpu::AllReduceOperation::ADD;
};
} // namespace

/// The kinds of a combining op (add, mul, max, min on floats).
static std::optional<std::pair<arith::AtomicRMWKind, gpu::AllReduceOperation>>
getCombineKind(Operation *op) {
  using K = arith::AtomicRMWKind;
  using G = gpu::AllReduceOperation;
  if (isa<arith::AddFOp>(op))
    return std::make_pair(K::addf, G::ADD);
  if (isa<arith::MulFOp>(op))
    return std::make_pair(K::mulf, G::MUL);
  if (isa<arith::MaximumFOp>(op))
    return std::make_pair(K::maximumf, G::MAXIMUMF);
  if (isa<arith::MinimumFOp>(op))
    return std::make_pair(K::minimumf, G::MINIMUMF);
  if (isa<arith::MaxNumFOp>(op))
    return std::make_pair(K::maxnumf, G::MAXNUMF);
  if (isa<arith::MinNumFOp>(op))
    return std::make_pair(K::minnumf, G::MINNUMF);
  return std::nullopt;
}

/// Why the body or operands of `op` cannot be evaluated element by element
/// inside a kernel (empty when they can).
static std::string getBodyMismatch(linalg::GenericOp op) {
  for (OpOperand &operand : op->getOpOperands())
    if (!getElementTypeOrSelf(operand.get().getType()).isF32())
      return "its element type is not f32";
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return "an operand is not indexed by a projected permutation";
  for (Operation &bodyOp : op.getBody()->without_terminator()) {
    if (isa<linalg::IndexOp>(bodyOp))
      continue;
    if (!isPure(&bodyOp) || bodyOp.getNumRegions() != 0 ||
        llvm::any_of(bodyOp.getOperandTypes(), llvm::IsaPred<ShapedType>))
      return "its body has " + bodyOp.getName().getStringRef().str() +
             " (only scalar arithmetic is evaluated in the kernel)";
  }
  return "";
}

/// The map from a reduction's loops to its result: (d0..dn-1) -> (d0..dn-2).
static AffineMap getRowScalarMap(MLIRContext *ctx, unsigned numLoops) {
  SmallVector<AffineExpr> dims;
  for (unsigned d = 0; d + 1 < numLoops; ++d)
    dims.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, dims, ctx);
}

/// Matches a row reduction; fills `combine` when it is one.
static std::string matchRowReduction(linalg::GenericOp op, Combine *combine) {
  if (!op.hasPureTensorSemantics())
    return "it does not work on tensors";
  if (op.getNumDpsInits() != 1)
    return "it has " + std::to_string(op.getNumDpsInits()) +
           " results (one per row is supported)";
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned numLoops = iterators.size();
  int64_t numReductions =
      llvm::count(iterators, utils::IteratorType::reduction);
  if (numReductions != 1)
    return "it reduces over " + std::to_string(numReductions) +
           " dims (only the innermost one is supported)";
  if (iterators.back() != utils::IteratorType::reduction) {
    unsigned dim = llvm::find(iterators, utils::IteratorType::reduction) -
                   iterators.begin();
    return "its reduction dim d" + std::to_string(dim) +
           " is not the innermost loop d" + std::to_string(numLoops - 1);
  }
  std::string why = getBodyMismatch(op);
  if (!why.empty())
    return why;
  if (op.getIndexingMapsArray().back() !=
      getRowScalarMap(op.getContext(), numLoops))
    return "its result is not indexed by the outer loops in order";
  if (llvm::none_of(op.getDpsInputOperands(), [&](OpOperand *operand) {
        return op.getMatchingIndexingMap(operand).isIdentity();
      }))
    return "no input reads whole rows";
  Block *body = op.getBody();
  BlockArgument acc = body->getArgument(op.getNumDpsInputs());
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Operation *combiner = yield.getOperand(0).getDefiningOp();
  auto kinds = combiner ? getCombineKind(combiner) : std::nullopt;
  if (!kinds || !acc.hasOneUse() ||
      acc.getUses().begin()->getOwner() != combiner)
    return "its body does not combine the accumulator once with "
           "add/mul/max/min";
  if (combine) {
    combine->combiner = combiner;
    combine->element = combiner->getOperand(0) == acc ? combiner->getOperand(1)
                                                      : combiner->getOperand(0);
    combine->kind = kinds->first;
    combine->gpuKind = kinds->second;
  }
  return "";
}

std::string mica::getRowReductionMismatch(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic)
    return "it is not a linalg.generic";
  return matchRowReduction(generic, nullptr);
}

/// An elementwise op that can join a group: all loops parallel, one result
/// indexed by the identity, the init not read, scalar arithmetic.
static bool isRowElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 || op.getNumLoops() == 0)
    return false;
  if (!op.getIndexingMapsArray().back().isIdentity())
    return false;
  if (!op.getBody()->getArgument(op.getNumDpsInputs()).use_empty())
    return false;
  return getBodyMismatch(op).empty();
}

//===----------------------------------------------------------------------===//
// Groups
//===----------------------------------------------------------------------===//

namespace {
/// A reduction of a group and how it is computed.
struct Reduction {
  linalg::GenericOp op;
  Combine combine;
  /// The pass over the row that computes it.
  unsigned phase = 0;
  /// The reduction of the same pass it is fused with (online softmax's sum
  /// with its max, a variance with its sum), or null.
  linalg::GenericOp partner;
  enum class Idiom { None, OnlineSoftmax, Variance } idiom = Idiom::None;
  /// Variance: the shift c(sum) in sum((e - c)^2).
  Value shift;
};

/// Ops over the same rows, in block order, and how they run.
struct Group {
  SmallVector<linalg::GenericOp> ops;
  llvm::SmallPtrSet<Operation *, 8> members;
  SmallVector<Reduction> reductions;
  unsigned numPhases = 0;
  /// Results used outside the group (written by the kernels).
  SmallVector<Value> outputs;
  /// The kernels go after this op (null: at the start of the block).
  Operation *insertAfter = nullptr;
  /// Per loop: its static size, or a tensor and dim that give it.
  struct Size {
    int64_t value;
    Value tensor;
    unsigned dim;
  };
  SmallVector<Size> sizes;

  /// Loops of the row ops (the reductions' and the row elementwise ops').
  unsigned numLoops = 0;

  bool contains(Operation *op) const { return op && members.contains(op); }
  /// A member whose result has one value per row: a reduction, or an
  /// elementwise op over the reduced shape (a mean's division, a square
  /// root) that only reads such values and outside tensors.
  bool isRowScalarOp(Operation *op) const {
    auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
    return contains(op) && (generic.getNumReductionLoops() != 0 ||
                            generic.getNumLoops() + 1 == numLoops);
  }
  Reduction *getReduction(Operation *op) {
    for (Reduction &r : reductions)
      if (r.op == op)
        return &r;
    return nullptr;
  }
};

/// What an element expression value is: the result of a scalar op (in some
/// member's body or outside all of them), a load of an outside tensor, or
/// the per-row scalar of a reduction of the group.
struct ExprRef {
  enum class Kind { Value, Load, RowScalar } kind = Kind::Value;
  Value value;
  Value tensor;
  AffineMap map;
};
} // namespace

/// Whether `user` reads `value` (a member's result) in a way the kernel can
/// evaluate inline: an elementwise result at the same index, a reduction
/// result at the row.
static bool isInlineUse(Group &group, OpOperand &use) {
  auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!user || !user.isDpsInput(&use))
    return false;
  auto producer = use.get().getDefiningOp<linalg::GenericOp>();
  AffineMap map = user.getMatchingIndexingMap(&use);
  if (group.isRowScalarOp(producer)) {
    // A row op reads it at its row, a per-row op at the same row.
    if (user.getNumLoops() == group.numLoops)
      return map == getRowScalarMap(user.getContext(), user.getNumLoops());
    return map.isIdentity();
  }
  return map.isIdentity() && user.getNumLoops() == group.numLoops;
}

/// Follows `v` through block arguments of group members into the producer's
/// body.
static ExprRef follow(Group &group, Value v) {
  while (auto arg = dyn_cast<BlockArgument>(v)) {
    auto op = dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp());
    if (!op || !group.contains(op) ||
        arg.getArgNumber() >= op.getNumDpsInputs())
      return {ExprRef::Kind::Value, v, {}, {}};
    OpOperand *operand = op.getDpsInputOperand(arg.getArgNumber());
    Value tensor = operand->get();
    AffineMap map = op.getMatchingIndexingMap(operand);
    auto producer = tensor.getDefiningOp<linalg::GenericOp>();
    if (group.contains(producer) && isInlineUse(group, *operand)) {
      if (group.isRowScalarOp(producer))
        return {ExprRef::Kind::RowScalar, {}, tensor, map};
      v = cast<linalg::YieldOp>(producer.getBody()->getTerminator())
              .getOperand(0);
      continue;
    }
    return {ExprRef::Kind::Load, {}, tensor, map};
  }
  return {ExprRef::Kind::Value, v, {}, {}};
}

/// The op inside a member's body that defines `ref`, or null.
static Operation *getBodyOp(Group &group, const ExprRef &ref) {
  if (ref.kind != ExprRef::Kind::Value)
    return nullptr;
  Operation *def = ref.value.getDefiningOp();
  if (!def || !group.contains(def->getParentOp()))
    return nullptr;
  return def;
}

/// Whether two element expressions compute the same thing.
static bool equalExpr(Group &group, Value a, Value b) {
  ExprRef x = follow(group, a), y = follow(group, b);
  if (x.kind != y.kind)
    return false;
  if (x.kind != ExprRef::Kind::Value)
    return x.tensor == y.tensor && x.map == y.map;
  if (x.value == y.value)
    return true;
  Operation *p = getBodyOp(group, x), *q = getBodyOp(group, y);
  if (!p || !q || p->getName() != q->getName() ||
      p->getAttrDictionary() != q->getAttrDictionary() ||
      p->getNumOperands() != q->getNumOperands() || isa<linalg::IndexOp>(p))
    return false;
  for (auto [u, w] : llvm::zip(p->getOperands(), q->getOperands()))
    if (!equalExpr(group, u, w))
      return false;
  return true;
}

/// The reductions of the group that the expression `v` reads.
static void collectDeps(Group &group, Value v,
                        llvm::SetVector<Operation *> &deps,
                        DenseSet<Value> &visited) {
  if (!visited.insert(v).second)
    return;
  ExprRef ref = follow(group, v);
  if (ref.kind == ExprRef::Kind::RowScalar) {
    auto op = cast<linalg::GenericOp>(ref.tensor.getDefiningOp());
    if (op.getNumReductionLoops() != 0)
      deps.insert(op);
    else // A per-row op: the reductions it reads.
      collectDeps(group, op.getBody()->getTerminator()->getOperand(0), deps,
                  visited);
    return;
  }
  if (Operation *op = getBodyOp(group, ref))
    for (Value operand : op->getOperands())
      collectDeps(group, operand, deps, visited);
}

/// Whether `v` only depends on the row scalar of `reduction` and values
/// defined outside the group's bodies (no loads, no indices).
static bool dependsOnlyOn(Group &group, Value v, Operation *reduction) {
  ExprRef ref = follow(group, v);
  if (ref.kind == ExprRef::Kind::RowScalar) {
    auto op = cast<linalg::GenericOp>(ref.tensor.getDefiningOp());
    if (op.getNumReductionLoops() != 0)
      return op == reduction;
    return dependsOnlyOn(group, op.getBody()->getTerminator()->getOperand(0),
                         reduction);
  }
  if (ref.kind == ExprRef::Kind::Load)
    return false;
  Operation *op = getBodyOp(group, ref);
  if (!op)
    return true;
  if (isa<linalg::IndexOp>(op))
    return false;
  return llvm::all_of(op->getOperands(), [&](Value operand) {
    return dependsOnlyOn(group, operand, reduction);
  });
}

/// Looks for the two fused idioms with `first` (the earlier pass) and
/// `second`; fills `second`'s idiom.
static bool matchIdiom(Group &group, Reduction &first, Reduction &second) {
  using K = arith::AtomicRMWKind;
  if (second.combine.kind != K::addf)
    return false;
  Operation *firstOp = first.op;
  ExprRef e = follow(group, second.combine.element);
  Operation *top = getBodyOp(group, e);
  // sum(exp(e1 - max(e1))).
  if ((first.combine.kind == K::maximumf || first.combine.kind == K::maxnumf) &&
      isa_and_nonnull<math::ExpOp>(top)) {
    Operation *sub = getBodyOp(group, follow(group, top->getOperand(0)));
    if (!isa_and_nonnull<arith::SubFOp>(sub))
      return false;
    ExprRef rhs = follow(group, sub->getOperand(1));
    if (rhs.kind != ExprRef::Kind::RowScalar ||
        rhs.tensor.getDefiningOp() != firstOp ||
        !equalExpr(group, sub->getOperand(0), first.combine.element))
      return false;
    second.idiom = Reduction::Idiom::OnlineSoftmax;
    return true;
  }
  // sum((e1 - c(sum(e1)))^2).
  if (first.combine.kind == K::addf && isa_and_nonnull<arith::MulFOp>(top) &&
      equalExpr(group, top->getOperand(0), top->getOperand(1))) {
    Operation *sub = getBodyOp(group, follow(group, top->getOperand(0)));
    if (!isa_and_nonnull<arith::SubFOp>(sub))
      return false;
    for (unsigned i = 0; i < 2; ++i) {
      if (equalExpr(group, sub->getOperand(i), first.combine.element) &&
          dependsOnlyOn(group, sub->getOperand(1 - i), firstOp)) {
        second.idiom = Reduction::Idiom::Variance;
        second.shift = sub->getOperand(1 - i);
        return true;
      }
    }
  }
  return false;
}

/// Orders the members of `group` and finds where their kernels go: right
/// after the last op that defines something the members read (operands,
/// values their bodies capture); every use of a result outside the group
/// must come later. Returns why they cannot be placed, or "".
static std::string scheduleGroup(Group &group, Block *block) {
  group.ops.clear();
  group.outputs.clear();
  for (Operation &op : *block)
    if (group.members.contains(&op))
      group.ops.push_back(cast<linalg::GenericOp>(op));
  Operation *after = nullptr;
  auto noteDef = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || group.contains(def))
      return;
    Operation *ancestor = block->findAncestorOpInBlock(*def);
    if (ancestor && (!after || after->isBeforeInBlock(ancestor)))
      after = ancestor;
  };
  for (linalg::GenericOp op : group.ops) {
    for (OpOperand &init : op.getDpsInitsMutable())
      if (group.contains(init.get().getDefiningOp()))
        return "an op writes into a row of the group";
    // What the kernels read: the inputs, a reduction's init (a fill's
    // value); an elementwise op's init is never read.
    for (Value operand : op.getDpsInputs())
      noteDef(operand);
    if (op.getNumReductionLoops() != 0) {
      Value init = op.getDpsInitOperand(0)->get();
      if (auto fill = init.getDefiningOp<linalg::FillOp>())
        noteDef(fill.getInputs()[0]);
      else
        noteDef(init);
    }
    op.getBody()->walk([&](Operation *inner) {
      for (Value operand : inner->getOperands())
        if (!op->isAncestor(operand.getParentBlock()->getParentOp()))
          noteDef(operand);
    });
  }
  group.insertAfter = after;
  for (linalg::GenericOp op : group.ops) {
    bool outside = false;
    for (Operation *user : op->getResult(0).getUsers()) {
      if (group.contains(user))
        continue;
      Operation *ancestor = block->findAncestorOpInBlock(*user);
      if (!ancestor || (after && !after->isBeforeInBlock(ancestor)))
        return "a result of the group is used before all its inputs are "
               "defined";
      outside = true;
    }
    if (outside)
      group.outputs.push_back(op->getResult(0));
  }
  return "";
}

/// Grows a group from `seed`: elementwise ops and reductions connected to it
/// through inline uses. Returns why it cannot run as row kernels, or "".
static std::string buildGroup(linalg::GenericOp seed, Group &group,
                              const DenseSet<Operation *> &taken) {
  SmallVector<linalg::GenericOp> worklist = {seed};
  group.members.insert(seed);
  Block *block = seed->getBlock();
  auto unitLoops = [](linalg::GenericOp op) {
    return op.getStaticLoopRanges();
  };
  SmallVector<int64_t> space = unitLoops(seed);
  bool staticSpace = !ShapedType::isDynamicShape(space);
  // Tensors the members read or write whole rows of: an op that reads one
  // of them at the identity has the same loop sizes.
  DenseSet<Value> rowTensors;
  auto addRowTensors = [&](linalg::GenericOp op) {
    for (OpOperand &operand : op->getOpOperands())
      if (op.getMatchingIndexingMap(&operand).isIdentity())
        rowTensors.insert(operand.get());
    if (op.getNumReductionLoops() == 0)
      rowTensors.insert(op->getResult(0));
  };
  addRowTensors(seed);
  auto sameSpace = [&](linalg::GenericOp op, bool viaIdentity) {
    if (op->getBlock() != block || taken.contains(op))
      return false;
    if (viaIdentity || (staticSpace && unitLoops(op) == space))
      return true;
    return llvm::any_of(op.getDpsInputOperands(), [&](OpOperand *operand) {
      return op.getMatchingIndexingMap(operand).isIdentity() &&
             rowTensors.contains(operand->get());
    });
  };
  group.numLoops = seed.getNumLoops();
  // Row ops (the seed's loops) and per-row elementwise ops (its outer loops).
  auto isCandidate = [&](linalg::GenericOp op) {
    if (!op)
      return false;
    if (op.getNumLoops() == group.numLoops)
      return isRowElementwise(op) || matchRowReduction(op, nullptr).empty();
    return op.getNumLoops() + 1 == group.numLoops && isRowElementwise(op);
  };
  // Takes `member` in while the kernels still have a place (a residual add
  // would otherwise chain every layer norm of a model into one group).
  auto join = [&](linalg::GenericOp member) {
    group.members.insert(member);
    if (!scheduleGroup(group, block).empty()) {
      group.members.erase(member);
      return;
    }
    addRowTensors(member);
    worklist.push_back(member);
  };
  while (!worklist.empty()) {
    linalg::GenericOp op = worklist.pop_back_val();
    bool perRow = group.isRowScalarOp(op);
    // Consumers: row ops read a per-row value at their row, per-row ops at
    // the same row, row ops read a row at the same index.
    for (OpOperand &use : op->getResult(0).getUses()) {
      auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (!isCandidate(user) || group.contains(user))
        continue;
      AffineMap map = user.getMatchingIndexingMap(&use);
      bool rowUser = user.getNumLoops() == group.numLoops;
      bool inl = perRow ? (rowUser ? map == getRowScalarMap(op.getContext(),
                                                            user.getNumLoops())
                                   : map.isIdentity())
                        : rowUser && map.isIdentity();
      if (!user.isDpsInput(&use) || !inl ||
          !sameSpace(user, !perRow || !rowUser))
        continue;
      join(user);
    }
    // Producers of the rows it reads.
    for (OpOperand *operand : op.getDpsInputOperands()) {
      if (op.getNumLoops() != group.numLoops)
        break;
      auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
      if (!producer || group.contains(producer) ||
          !isRowElementwise(producer) ||
          producer.getNumLoops() != op.getNumLoops() ||
          !op.getMatchingIndexingMap(operand).isIdentity() ||
          !sameSpace(producer, true))
        continue;
      join(producer);
    }
  }
  std::string why = scheduleGroup(group, block);
  if (!why.empty())
    return why;
  for (linalg::GenericOp op : group.ops) {
    Reduction r;
    r.op = op;
    if (op.getNumReductionLoops() != 0) {
      (void)matchRowReduction(op, &r.combine);
      if (group.contains(op.getDpsInitOperand(0)->get().getDefiningOp()))
        return "a reduction's init is computed by the group";
      group.reductions.push_back(r);
    }
  }
  // Every read of a member's result inside the group must be inline.
  for (linalg::GenericOp op : group.ops)
    for (OpOperand *operand : op.getDpsInputOperands())
      if (group.contains(operand->get().getDefiningOp()) &&
          !isInlineUse(group, *operand))
        return "an op reads a row of the group at another index";
  // Row sizes: constants, or dims of tensors the members read from outside.
  SmallVector<int64_t> loops = seed.getStaticLoopRanges();
  for (unsigned d = 0; d < loops.size(); ++d) {
    std::pair<Value, unsigned> source;
    if (ShapedType::isDynamic(loops[d])) {
      for (linalg::GenericOp op : group.ops) {
        for (OpOperand &operand : op->getOpOperands()) {
          if (group.contains(operand.get().getDefiningOp()) ||
              (!op.isDpsInput(&operand) &&
               (op.getNumReductionLoops() == 0 ||
                operand.get().getDefiningOp<linalg::FillOp>())))
            continue;
          AffineMap map = op.getMatchingIndexingMap(&operand);
          if (std::optional<unsigned> pos =
                  map.getResultPosition(getAffineDimExpr(d, op.getContext())))
            source = {operand.get(), *pos};
        }
      }
      if (!source.first)
        return "the size of loop d" + std::to_string(d) +
               " is not the dim of a tensor read from outside the group";
    }
    group.sizes.push_back({loops[d], source.first, source.second});
  }
  // Passes over the row.
  for (Reduction &r : group.reductions) {
    llvm::SetVector<Operation *> deps;
    DenseSet<Value> visited;
    collectDeps(group, r.combine.element, deps, visited);
    unsigned phase = 0;
    for (Operation *dep : deps)
      phase = std::max(phase, group.getReduction(dep)->phase + 1);
    r.phase = phase;
    if (deps.size() == 1) {
      Reduction *first = group.getReduction(deps[0]);
      bool firstFree = first->idiom == Reduction::Idiom::None &&
                       llvm::none_of(group.reductions, [&](Reduction &o) {
                         return o.partner == first->op;
                       });
      if (firstFree && matchIdiom(group, *first, r)) {
        r.partner = first->op;
        r.phase = first->phase;
      }
    }
    group.numPhases = std::max(group.numPhases, r.phase + 1);
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Kernel emission
//===----------------------------------------------------------------------===//

namespace {
/// How the threads of one block (or warp) are emitted: on the GPU they are
/// the launch's threads; emulated, sequential loops.
struct Threads {
  bool emulate = false;
  /// gpu.subgroup_reduce (a warp owns the row) instead of gpu.all_reduce.
  bool warp = false;
  int64_t count = 0;
  Value tid;
};

/// Per-thread states: SSA values on the GPU, a scratch buffer
/// [threads x size] when emulated.
struct States {
  SmallVector<Value> values;
  Value scratch;
  unsigned size = 0;
};

/// Emits the kernels of one group.
class GroupEmitter {
public:
  GroupEmitter(Group &group, const mica::GPUArchInfo &arch,
               const mica::RowReductionOptions &options)
      : group(group), arch(arch), options(options) {}

  LogicalResult emit(RewriterBase &rewriter);

private:
  Group &group;
  const mica::GPUArchInfo &arch;
  const mica::RowReductionOptions &options;
  Location loc = UnknownLoc();
  /// Host side.
  DenseMap<Value, Value> buffers;
  DenseMap<Value, Value> outputBuffers;
  OpBuilder *host = nullptr;
  /// Row sizes: outer dims and the row length.
  SmallVector<Value> outerSizes;
  Value rowLength;
  /// Elements per thread and step along a row: 4 (128-bit loads and stores
  /// of the contiguous rows) when rows allow, else 1.
  int64_t width = 1;
  /// With width 4: the first element of the current group of 4 and the
  /// 4-wide loads made for it (keyed by tensor and map).
  Value groupStart;
  DenseMap<std::pair<Value, AffineMap>, Value> groupLoads;
  /// When a thread's share of a row is a few groups of 4 (static rows, not
  /// emulated): the walk is unrolled and the 4-wide loads are kept across
  /// the passes, so the row is read from memory once. `groupIndex` is the
  /// unrolled group being evaluated (-1 in a loop).
  int64_t unrolled = 0;
  int64_t groupIndex = -1;
  DenseMap<std::pair<std::pair<Value, AffineMap>, int64_t>, Value> keptLoads;
  /// The launches (or emulating loops) made.
  SmallVector<Operation *> kernels;
  /// Kernel state.
  SmallVector<Value> outer;
  DenseMap<Operation *, Value> rowScalars;
  Type f32;

  Value cst(OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value cstF(OpBuilder &b, double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value negInf(OpBuilder &b) {
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(f32, APFloat::getInf(APFloat::IEEEsingle(), true)));
  }
  Value bufferOf(Value tensor);
  /// The lane of the group of 4 being evaluated.
  int64_t lane = 0;
  Value groupLoad(OpBuilder &b, const ExprRef &ref, ValueRange indices,
                  ValueRange idx);
  bool isContiguous(Value tensor, AffineMap map);
  void forEachElement(OpBuilder &b, const Threads &threads, Value tid, Value lo,
                      Value hi, ValueRange init,
                      function_ref<SmallVector<Value>(OpBuilder &, ValueRange,
                                                      ValueRange, IRMapping &)>
                          body,
                      function_ref<void(OpBuilder &, Value)> afterGroup = {},
                      SmallVector<Value> *results = nullptr);
  Value emitExpr(OpBuilder &b, Value v, ValueRange idx, IRMapping &cache);
  Value emitReductionInit(OpBuilder &b, Reduction &r);
  unsigned stateSize(Reduction &r);
  SmallVector<Value> neutralState(OpBuilder &b, Reduction &r);
  SmallVector<Value> updateState(OpBuilder &b, Reduction &r, ValueRange state,
                                 ValueRange idx, IRMapping &cache);
  SmallVector<Reduction *> phaseReductions(unsigned phase);

  // Threads.
  States forEachThread(OpBuilder &b, const Threads &threads, unsigned size,
                       function_ref<SmallVector<Value>(OpBuilder &, Value)> fn);
  Value across(OpBuilder &b, const Threads &threads, States &states,
               gpu::AllReduceOperation kind, arith::AtomicRMWKind akind,
               function_ref<Value(OpBuilder &, ValueRange)> fn);
  void perThread(OpBuilder &b, const Threads &threads,
                 function_ref<void(OpBuilder &, Value)> fn);
  void onThreadZero(OpBuilder &b, const Threads &threads,
                    function_ref<void(OpBuilder &)> fn);

  // Passes.
  States runPass(OpBuilder &b, const Threads &threads, unsigned phase, Value lo,
                 Value hi);
  SmallVector<Value> mergeStates(OpBuilder &b, const Threads &threads,
                                 unsigned phase, States &states, Value lo,
                                 Value hi);
  void finalize(OpBuilder &b, unsigned phase, ValueRange merged);
  void computePerRowOps(OpBuilder &b);
  void writeOutputs(OpBuilder &b, const Threads &threads, Value lo, Value hi,
                    bool writeScalars);
  void emitBlock(OpBuilder &b, const Threads &threads, Value row);

  void setOuter(OpBuilder &b, Value row);
  void emitLaunch(
      OpBuilder &b, Value gridX, Value gridY, int64_t threadsX,
      int64_t threadsY, bool warp,
      function_ref<void(OpBuilder &, const Threads &, Value, Value)> body);
};
} // namespace

Value GroupEmitter::bufferOf(Value tensor) {
  auto it = buffers.find(tensor);
  if (it != buffers.end())
    return it->second;
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memrefType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = bufferization::ToBufferOp::create(*host, loc, memrefType,
                                                   tensor, host->getUnitAttr());
  buffers[tensor] = buffer;
  return buffer;
}

/// Whether a row read through `map` is contiguous and 16-byte aligned in
/// groups of 4: the row dim is its innermost index and the buffer's rows are
/// a static multiple of 4 long.
bool GroupEmitter::isContiguous(Value tensor, AffineMap map) {
  if (map.getNumResults() == 0 ||
      map.getResults().back() !=
          getAffineDimExpr(map.getNumDims() - 1, map.getContext()))
    return false;
  int64_t last = cast<RankedTensorType>(tensor.getType()).getShape().back();
  return !ShapedType::isDynamic(last) && last % 4 == 0;
}

/// With width 4, the 4-wide load of the current group for a contiguous read
/// (made once per group, at the group's first element); null otherwise.
Value GroupEmitter::groupLoad(OpBuilder &b, const ExprRef &ref,
                              ValueRange indices, ValueRange idx) {
  if (width == 1 || idx.empty() || !isContiguous(ref.tensor, ref.map))
    return {};
  auto key = std::make_pair(ref.tensor, ref.map);
  // Emulated, the passes are separate loops over the threads: nothing is
  // kept across them.
  if (groupIndex >= 0 && !options.emulate)
    if (Value known = keptLoads.lookup(std::make_pair(key, groupIndex)))
      return known;
  if (Value known = groupLoads.lookup(key))
    return known;
  SmallVector<Value> start(indices);
  start.back() = groupStart;
  Value vec = vector::LoadOp::create(
      b, loc, VectorType::get({width}, f32), bufferOf(ref.tensor), start,
      /*nontemporal=*/false, llvm::MaybeAlign(4 * width));
  groupLoads[key] = vec;
  if (groupIndex >= 0)
    keptLoads[std::make_pair(key, groupIndex)] = vec;
  return vec;
}

/// A thread's strided walk over [lo, hi) of the current row: elements tid,
/// tid + T, ... (width 1) or groups of 4 at 4 tid, 4 (tid + T), ... (width
/// 4), `body` once per element with its loop indices, in order, carrying
/// `init`; `afterGroup` after each group (width 4) or element.
void GroupEmitter::forEachElement(
    OpBuilder &b, const Threads &threads, Value tid, Value lo, Value hi,
    ValueRange init,
    function_ref<SmallVector<Value>(OpBuilder &, ValueRange, ValueRange,
                                    IRMapping &)>
        body,
    function_ref<void(OpBuilder &, Value)> afterGroup,
    SmallVector<Value> *results) {
  Value start = arith::AddIOp::create(
      b, loc, lo, arith::MulIOp::create(b, loc, tid, cst(b, width)));
  // The `width` elements of the group at `groupStart`, then `afterGroup`.
  auto emitGroup = [&](ValueRange in) {
    SmallVector<Value> carried(in);
    groupLoads.clear();
    for (lane = 0; lane < width; ++lane) {
      SmallVector<Value> idx(outer);
      idx.push_back(
          lane == 0 ? groupStart
                    : arith::AddIOp::create(b, loc, groupStart, cst(b, lane))
                          .getResult());
      IRMapping cache;
      carried = body(b, idx, carried, cache);
    }
    lane = 0;
    if (afterGroup)
      afterGroup(b, groupStart);
    return carried;
  };
  if (unrolled) {
    // Straight-line groups start, start + 4 T, ... (the row is exactly
    // `unrolled` groups per thread).
    SmallVector<Value> carried(init);
    for (groupIndex = 0; groupIndex < unrolled; ++groupIndex) {
      groupStart =
          groupIndex == 0
              ? start
              : arith::AddIOp::create(
                    b, loc, start, cst(b, groupIndex * threads.count * width))
                    .getResult();
      carried = emitGroup(carried);
    }
    groupIndex = -1;
    groupLoads.clear();
    if (results)
      *results = carried;
    return;
  }
  auto loop = scf::ForOp::create(b, loc, start, hi,
                                 cst(b, threads.count * width), init);
  OpBuilder::InsertionGuard guard(b);
  if (loop.getBody()->mightHaveTerminator())
    b.setInsertionPoint(loop.getBody()->getTerminator());
  else
    b.setInsertionPointToStart(loop.getBody());
  groupStart = loop.getInductionVar();
  SmallVector<Value> carried = emitGroup(loop.getRegionIterArgs());
  groupLoads.clear();
  if (!init.empty())
    scf::YieldOp::create(b, loc, carried);
  if (results)
    results->assign(loop.getResults().begin(), loop.getResults().end());
}

/// Evaluates the element expression `v` at loop indices `idx` (empty when
/// `v` reads no element): loads of outside tensors, row scalars, and the
/// scalar ops of the members' bodies, cloned once per `cache`.
Value GroupEmitter::emitExpr(OpBuilder &b, Value v, ValueRange idx,
                             IRMapping &cache) {
  if (Value known = cache.lookupOrNull(v))
    return known;
  ExprRef ref = follow(group, v);
  Value result;
  if (ref.kind == ExprRef::Kind::RowScalar) {
    result = rowScalars.lookup(ref.tensor.getDefiningOp());
    assert(result && "row scalar used before its pass");
  } else if (ref.kind == ExprRef::Kind::Load) {
    // Whole-row reads are shared by all expressions (keyed by the tensor).
    bool identity = ref.map.isIdentity();
    if (identity)
      if (Value known = cache.lookupOrNull(ref.tensor))
        return cache.map(v, known), known;
    SmallVector<Value> indices;
    for (AffineExpr e : ref.map.getResults())
      indices.push_back(idx[cast<AffineDimExpr>(e).getPosition()]);
    if (Value vec = groupLoad(b, ref, indices, idx)) {
      // This lane's element of the 4-wide load of its group.
      result = vector::ExtractOp::create(b, loc, vec, lane);
    } else {
      result = memref::LoadOp::create(b, loc, bufferOf(ref.tensor), indices);
    }
    if (identity)
      cache.map(ref.tensor, result);
  } else if (Operation *op = getBodyOp(group, ref)) {
    if (auto index = dyn_cast<linalg::IndexOp>(op)) {
      result = idx[index.getDim()];
    } else {
      IRMapping mapping;
      for (Value operand : op->getOperands())
        mapping.map(operand, emitExpr(b, operand, idx, cache));
      Operation *clone = b.clone(*op, mapping);
      for (auto [from, to] : llvm::zip(op->getResults(), clone->getResults()))
        cache.map(from, to);
      result = clone->getResult(cast<OpResult>(ref.value).getResultNumber());
    }
  } else {
    result = ref.value; // Defined outside the group (a constant, an arg).
  }
  cache.map(v, result);
  return result;
}

/// The init of a reduction at the current row: a fill constant or a load.
Value GroupEmitter::emitReductionInit(OpBuilder &b, Reduction &r) {
  Value init = r.op.getDpsInitOperand(0)->get();
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    return fill.getInputs()[0];
  if (outer.empty())
    return memref::LoadOp::create(b, loc, bufferOf(init), ValueRange{});
  return memref::LoadOp::create(b, loc, bufferOf(init), outer);
}

unsigned GroupEmitter::stateSize(Reduction &r) {
  if (r.partner)
    return 0; // Lives in its partner's state.
  for (Reduction &o : group.reductions)
    if (o.partner == r.op)
      return o.idiom == Reduction::Idiom::OnlineSoftmax ? 2 : 4;
  return 1;
}

static Reduction *getFusedSecond(Group &group, Reduction &r) {
  for (Reduction &o : group.reductions)
    if (o.partner == r.op)
      return &o;
  return nullptr;
}

/// A thread's state before it sees an element: the neutral element; (-inf,
/// 0) for online softmax (max, sum); (0, 0, 0, 0) for (sum, count, mean,
/// M2).
SmallVector<Value> GroupEmitter::neutralState(OpBuilder &b, Reduction &r) {
  Reduction *second = getFusedSecond(group, r);
  if (!second)
    return {arith::getIdentityValue(r.combine.kind, f32, b, loc)};
  if (second->idiom == Reduction::Idiom::OnlineSoftmax)
    return {negInf(b), cstF(b, 0.0)};
  Value zero = cstF(b, 0.0);
  return {zero, zero, zero, zero};
}

/// One element into a thread's state.
SmallVector<Value> GroupEmitter::updateState(OpBuilder &b, Reduction &r,
                                             ValueRange state, ValueRange idx,
                                             IRMapping &cache) {
  Value e = emitExpr(b, r.combine.element, idx, cache);
  Reduction *second = getFusedSecond(group, r);
  if (!second) {
    IRMapping mapping;
    mapping.map(r.combine.element, e);
    BlockArgument acc = r.op.getBody()->getArgument(r.op.getNumDpsInputs());
    mapping.map(acc, state[0]);
    return {b.clone(*r.combine.combiner, mapping)->getResult(0)};
  }
  if (second->idiom == Reduction::Idiom::OnlineSoftmax) {
    // m' = max(m, e); one exp per element: t = exp(min(m, e) - m'), then
    // s' = s * t + 1 when e raised the max, s + t otherwise; 0 while
    // m' = -inf.
    Value m = state[0], s = state[1];
    Value mNew = arith::getReductionOp(r.combine.kind, b, loc, m, e);
    Value raised =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, e, m);
    Value low = arith::SelectOp::create(b, loc, raised, m, e);
    Value t =
        math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, low, mNew));
    Value sNew = arith::SelectOp::create(
        b, loc, raised,
        arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, s, t),
                              cstF(b, 1.0)),
        arith::AddFOp::create(b, loc, s, t));
    Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mNew,
                                        negInf(b));
    sNew = arith::SelectOp::create(b, loc, empty, cstF(b, 0.0), sNew);
    return {mNew, sNew};
  }
  // Welford: n' = n + 1, d = e - mean, mean' = mean + d / n',
  // M2' = M2 + d * (e - mean').
  Value sum = state[0], n = state[1], mean = state[2], m2 = state[3];
  Value sumNew = arith::AddFOp::create(b, loc, sum, e);
  Value nNew = arith::AddFOp::create(b, loc, n, cstF(b, 1.0));
  Value d = arith::SubFOp::create(b, loc, e, mean);
  Value meanNew = arith::AddFOp::create(b, loc, mean,
                                        arith::DivFOp::create(b, loc, d, nNew));
  Value m2New = arith::AddFOp::create(
      b, loc, m2,
      arith::MulFOp::create(b, loc, d,
                            arith::SubFOp::create(b, loc, e, meanNew)));
  return {sumNew, nNew, meanNew, m2New};
}

SmallVector<Reduction *> GroupEmitter::phaseReductions(unsigned phase) {
  SmallVector<Reduction *> result;
  for (Reduction &r : group.reductions)
    if (r.phase == phase && !r.partner)
      result.push_back(&r);
  return result;
}

States GroupEmitter::forEachThread(
    OpBuilder &b, const Threads &threads, unsigned size,
    function_ref<SmallVector<Value>(OpBuilder &, Value)> fn) {
  States states;
  states.size = size;
  if (!threads.emulate) {
    states.values = fn(b, threads.tid);
    return states;
  }
  states.scratch = memref::AllocaOp::create(
      b, loc,
      MemRefType::get({threads.count, std::max<unsigned>(size, 1)}, f32));
  auto loop =
      scf::ForOp::create(b, loc, cst(b, 0), cst(b, threads.count), cst(b, 1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  SmallVector<Value> values = fn(b, loop.getInductionVar());
  for (auto [k, value] : llvm::enumerate(values))
    memref::StoreOp::create(b, loc, value, states.scratch,
                            ValueRange{loop.getInductionVar(), cst(b, k)});
  return states;
}

/// fn(state of a thread) combined over the threads with `kind`.
Value GroupEmitter::across(OpBuilder &b, const Threads &threads, States &states,
                           gpu::AllReduceOperation kind,
                           arith::AtomicRMWKind akind,
                           function_ref<Value(OpBuilder &, ValueRange)> fn) {
  if (!threads.emulate) {
    Value v = fn(b, states.values);
    if (threads.warp)
      return gpu::SubgroupReduceOp::create(b, loc, v, kind, /*uniform=*/true);
    return gpu::AllReduceOp::create(
        b, loc, v, gpu::AllReduceOperationAttr::get(b.getContext(), kind),
        /*uniform=*/true);
  }
  Value init = arith::getIdentityValue(akind, f32, b, loc);
  auto loop = scf::ForOp::create(b, loc, cst(b, 0), cst(b, threads.count),
                                 cst(b, 1), ValueRange{init});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  SmallVector<Value> state;
  for (unsigned k = 0; k < states.size; ++k)
    state.push_back(memref::LoadOp::create(
        b, loc, states.scratch, ValueRange{loop.getInductionVar(), cst(b, k)}));
  Value v = fn(b, state);
  Value acc = arith::getReductionOp(akind, b, loc, loop.getRegionIterArg(0), v);
  scf::YieldOp::create(b, loc, acc);
  return loop.getResult(0);
}

void GroupEmitter::perThread(OpBuilder &b, const Threads &threads,
                             function_ref<void(OpBuilder &, Value)> fn) {
  if (!threads.emulate)
    return fn(b, threads.tid);
  auto loop =
      scf::ForOp::create(b, loc, cst(b, 0), cst(b, threads.count), cst(b, 1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(loop.getBody()->getTerminator());
  fn(b, loop.getInductionVar());
}

void GroupEmitter::onThreadZero(OpBuilder &b, const Threads &threads,
                                function_ref<void(OpBuilder &)> fn) {
  if (threads.emulate)
    return fn(b);
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      threads.tid, cst(b, 0));
  auto ifOp = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  fn(b);
}

/// One pass of the threads over [lo, hi) of the current row, strided by the
/// thread count: the states of the pass's reductions.
States GroupEmitter::runPass(OpBuilder &b, const Threads &threads,
                             unsigned phase, Value lo, Value hi) {
  SmallVector<Reduction *> reductions = phaseReductions(phase);
  unsigned size = 0;
  for (Reduction *r : reductions)
    size += stateSize(*r);
  return forEachThread(b, threads, size, [&](OpBuilder &b, Value tid) {
    SmallVector<Value> init;
    for (Reduction *r : reductions)
      llvm::append_range(init, neutralState(b, *r));
    SmallVector<Value> results;
    forEachElement(
        b, threads, tid, lo, hi, init,
        [&](OpBuilder &b, ValueRange idx, ValueRange state, IRMapping &cache) {
          SmallVector<Value> next;
          unsigned pos = 0;
          for (Reduction *r : reductions) {
            unsigned n = stateSize(*r);
            llvm::append_range(
                next, updateState(b, *r, state.slice(pos, n), idx, cache));
            pos += n;
          }
          return next;
        },
        {}, &results);
    return results;
  });
}

/// The threads' states merged into one (the block's state, same layout).
SmallVector<Value> GroupEmitter::mergeStates(OpBuilder &b,
                                             const Threads &threads,
                                             unsigned phase, States &states,
                                             Value lo, Value hi) {
  using K = arith::AtomicRMWKind;
  using G = gpu::AllReduceOperation;
  SmallVector<Value> merged;
  unsigned pos = 0;
  for (Reduction *r : phaseReductions(phase)) {
    unsigned n = stateSize(*r);
    auto slice = [pos](ValueRange s, unsigned k) { return s[pos + k]; };
    Reduction *second = getFusedSecond(group, *r);
    if (!second) {
      merged.push_back(
          across(b, threads, states, r->combine.gpuKind, r->combine.kind,
                 [&](OpBuilder &, ValueRange s) { return slice(s, 0); }));
    } else if (second->idiom == Reduction::Idiom::OnlineSoftmax) {
      // M = max_t m_t; S = sum_t s_t * exp(m_t - M) (0 where m_t = -inf).
      Value m = across(b, threads, states, r->combine.gpuKind, r->combine.kind,
                       [&](OpBuilder &, ValueRange s) { return slice(s, 0); });
      Value s = across(
          b, threads, states, G::ADD, K::addf, [&](OpBuilder &b, ValueRange s) {
            Value mt = slice(s, 0);
            Value scaled = arith::MulFOp::create(
                b, loc, slice(s, 1),
                math::ExpOp::create(b, loc,
                                    arith::SubFOp::create(b, loc, mt, m)));
            Value empty = arith::CmpFOp::create(
                b, loc, arith::CmpFPredicate::OEQ, mt, negInf(b));
            return arith::SelectOp::create(b, loc, empty, cstF(b, 0.0), scaled)
                .getResult();
          });
      merged.append({m, s});
    } else {
      // Chan: n = sum n_t, mean = sum / n, M2 = sum_t M2_t + n_t (mean_t -
      // mean)^2 (mean = 0 for an empty block).
      Value sum =
          across(b, threads, states, G::ADD, K::addf,
                 [&](OpBuilder &, ValueRange s) { return slice(s, 0); });
      // The counts add up to the elements of [lo, hi): no reduction.
      Value count = arith::UIToFPOp::create(
          b, loc, f32,
          arith::IndexCastUIOp::create(b, loc, b.getI64Type(),
                                       arith::SubIOp::create(b, loc, hi, lo)));
      Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                          count, cstF(b, 0.0));
      Value mean =
          arith::SelectOp::create(b, loc, empty, cstF(b, 0.0),
                                  arith::DivFOp::create(b, loc, sum, count));
      Value m2 = across(
          b, threads, states, G::ADD, K::addf, [&](OpBuilder &b, ValueRange s) {
            Value d = arith::SubFOp::create(b, loc, slice(s, 2), mean);
            Value dd = arith::MulFOp::create(b, loc, d, d);
            return arith::AddFOp::create(
                       b, loc, slice(s, 3),
                       arith::MulFOp::create(b, loc, slice(s, 1), dd))
                .getResult();
          });
      merged.append({sum, count, mean, m2});
    }
    pos += n;
  }
  return merged;
}

/// The row scalars of a pass's reductions from the merged state: combined
/// with each reduction's init.
void GroupEmitter::finalize(OpBuilder &b, unsigned phase, ValueRange merged) {
  unsigned pos = 0;
  for (Reduction *r : phaseReductions(phase)) {
    Reduction *second = getFusedSecond(group, *r);
    Value first = arith::getReductionOp(r->combine.kind, b, loc,
                                        emitReductionInit(b, *r), merged[pos]);
    rowScalars[r->op] = first;
    computePerRowOps(b);
    if (!second) {
      pos += 1;
      continue;
    }
    Value total;
    if (second->idiom == Reduction::Idiom::OnlineSoftmax) {
      // The sum rescaled from the merged max to the final one.
      Value m = merged[pos], s = merged[pos + 1];
      Value scaled = arith::MulFOp::create(
          b, loc, s,
          math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, m, first)));
      Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, m,
                                          negInf(b));
      total = arith::SelectOp::create(b, loc, empty, cstF(b, 0.0), scaled);
      pos += 2;
    } else {
      // sum((e - c)^2) = M2 + n (mean - c)^2, c from the first sum.
      IRMapping cache;
      Value c = emitExpr(b, second->shift, ValueRange{}, cache);
      Value count = merged[pos + 1], mean = merged[pos + 2],
            m2 = merged[pos + 3];
      Value d = arith::SubFOp::create(b, loc, mean, c);
      total = arith::AddFOp::create(
          b, loc, m2,
          arith::MulFOp::create(b, loc, count,
                                arith::MulFOp::create(b, loc, d, d)));
      pos += 4;
    }
    rowScalars[second->op] = arith::getReductionOp(
        second->combine.kind, b, loc, emitReductionInit(b, *second), total);
    computePerRowOps(b);
  }
}

/// The per-row elementwise ops whose reductions are all known (in block
/// order: they may read each other), once per row.
void GroupEmitter::computePerRowOps(OpBuilder &b) {
  for (linalg::GenericOp op : group.ops) {
    if (op.getNumReductionLoops() != 0 || !group.isRowScalarOp(op) ||
        rowScalars.count(op))
      continue;
    Value yielded = op.getBody()->getTerminator()->getOperand(0);
    llvm::SetVector<Operation *> deps;
    DenseSet<Value> visited;
    collectDeps(group, yielded, deps, visited);
    if (!llvm::all_of(deps,
                      [&](Operation *dep) { return rowScalars.count(dep); }))
      continue;
    IRMapping cache;
    rowScalars[op] = emitExpr(b, yielded, outer, cache);
  }
}

/// The group's results used outside it: rows over [lo, hi) by all threads,
/// row scalars by thread 0 (when `writeScalars`).
void GroupEmitter::writeOutputs(OpBuilder &b, const Threads &threads, Value lo,
                                Value hi, bool writeScalars) {
  SmallVector<Value> rows, scalars;
  for (Value output : group.outputs)
    (group.isRowScalarOp(output.getDefiningOp()) ? scalars : rows)
        .push_back(output);
  if (!rows.empty()) {
    perThread(b, threads, [&](OpBuilder &b, Value tid) {
      // Width 4: each group's 4 values per output go out in one 128-bit
      // store.
      SmallVector<SmallVector<Value>> groups(rows.size());
      forEachElement(
          b, threads, tid, lo, hi, {},
          [&](OpBuilder &b, ValueRange idx, ValueRange, IRMapping &cache) {
            for (auto [k, row] : llvm::enumerate(rows)) {
              auto op = cast<linalg::GenericOp>(row.getDefiningOp());
              Value yielded =
                  cast<linalg::YieldOp>(op.getBody()->getTerminator())
                      .getOperand(0);
              Value v = emitExpr(b, yielded, idx, cache);
              if (width == 1)
                memref::StoreOp::create(b, loc, v, outputBuffers[row], idx);
              else
                groups[k].push_back(v);
            }
            return SmallVector<Value>();
          },
          [&](OpBuilder &b, Value start) {
            if (width == 1)
              return;
            SmallVector<Value> idx(outer);
            idx.push_back(start);
            for (auto [k, row] : llvm::enumerate(rows)) {
              Value vec = vector::FromElementsOp::create(
                  b, loc, VectorType::get({width}, f32), groups[k]);
              vector::StoreOp::create(b, loc, vec, outputBuffers[row], idx,
                                      /*nontemporal=*/false,
                                      llvm::MaybeAlign(4 * width));
              groups[k].clear();
            }
          });
    });
  }
  if (!scalars.empty() && writeScalars) {
    onThreadZero(b, threads, [&](OpBuilder &b) {
      for (Value scalar : scalars)
        memref::StoreOp::create(b, loc, rowScalars[scalar.getDefiningOp()],
                                outputBuffers[scalar], outer);
    });
  }
}

/// The outer indices of row `row` (row-major over the outer dims).
void GroupEmitter::setOuter(OpBuilder &b, Value row) {
  outer.clear();
  if (outerSizes.empty())
    return;
  if (outerSizes.size() == 1) {
    outer.push_back(row);
    return;
  }
  auto delin = affine::AffineDelinearizeIndexOp::create(
      b, loc, row, ValueRange(outerSizes), /*hasOuterBound=*/true);
  llvm::append_range(outer, delin.getResults());
}

/// A block that owns a whole row: every pass, then the outputs.
void GroupEmitter::emitBlock(OpBuilder &b, const Threads &threads, Value row) {
  setOuter(b, row);
  rowScalars.clear();
  keptLoads.clear();
  Value zero = cst(b, 0);
  for (unsigned phase = 0; phase < group.numPhases; ++phase) {
    States states = runPass(b, threads, phase, zero, rowLength);
    SmallVector<Value> merged =
        mergeStates(b, threads, phase, states, zero, rowLength);
    finalize(b, phase, merged);
  }
  writeOutputs(b, threads, zero, rowLength, /*writeScalars=*/true);
}

/// A launch of gridX x gridY blocks of threadsX x threadsY threads whose
/// body gets (threads, block x, block y); emulated, loops over the blocks
/// (threadsY rows of one warp each become blocks of threadsX threads).
void GroupEmitter::emitLaunch(
    OpBuilder &b, Value gridX, Value gridY, int64_t threadsX, int64_t threadsY,
    bool warp,
    function_ref<void(OpBuilder &, const Threads &, Value, Value)> body) {
  Threads threads;
  threads.count = threadsX;
  threads.warp = warp;
  if (options.emulate) {
    threads.emulate = true;
    Value one = cst(b, 1), zero = cst(b, 0);
    if (threadsY > 1)
      gridX = arith::MulIOp::create(b, loc, gridX, cst(b, threadsY));
    auto loopY = scf::ForOp::create(b, loc, zero, gridY, one);
    kernels.push_back(loopY);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loopY.getBody()->getTerminator());
    auto loopX = scf::ForOp::create(b, loc, zero, gridX, one);
    b.setInsertionPoint(loopX.getBody()->getTerminator());
    body(b, threads, loopX.getInductionVar(), loopY.getInductionVar());
    return;
  }
  Value one = cst(b, 1);
  auto launch = gpu::LaunchOp::create(b, loc, gridX, gridY, one,
                                      cst(b, threadsX), cst(b, threadsY), one);
  kernels.push_back(launch);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&launch.getBody().front());
  threads.tid = launch.getThreadIds().x;
  Value bx = launch.getBlockIds().x;
  if (threadsY > 1)
    bx = arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, bx, cst(b, threadsY)),
        launch.getThreadIds().y);
  body(b, threads, bx, launch.getBlockIds().y);
}

LogicalResult GroupEmitter::emit(RewriterBase &rewriter) {
  loc = group.reductions.front().op.getLoc();
  f32 = rewriter.getF32Type();
  OpBuilder b(rewriter.getContext());
  if (group.insertAfter)
    b.setInsertionPointAfter(group.insertAfter);
  else
    b.setInsertionPointToStart(group.ops.front()->getBlock());
  host = &b;

  SmallVector<Value> loopSizes;
  for (const Group::Size &size : group.sizes)
    loopSizes.push_back(size.tensor ? Value(tensor::DimOp::create(
                                          b, loc, size.tensor, size.dim))
                                    : cst(b, size.value));
  outerSizes = loopSizes;
  rowLength = outerSizes.pop_back_val();
  Value rows = cst(b, 1);
  for (Value size : outerSizes)
    rows = arith::MulIOp::create(b, loc, rows, size);

  // Output buffers.
  for (Value output : group.outputs) {
    auto type = cast<RankedTensorType>(output.getType());
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        dynamicSizes.push_back(loopSizes[d]);
    outputBuffers[output] = memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), f32), dynamicSizes);
  }
  // Operands read by the kernels: buffers made before the launches.
  for (linalg::GenericOp op : group.ops) {
    for (OpOperand *operand : op.getDpsInputOperands())
      if (!group.contains(operand->get().getDefiningOp()))
        (void)bufferOf(operand->get());
    if (group.getReduction(op))
      if (!op.getDpsInitOperand(0)->get().getDefiningOp<linalg::FillOp>())
        (void)bufferOf(op.getDpsInitOperand(0)->get());
  }

  std::optional<int64_t> length = getConstantIntValue(rowLength);
  bool split =
      length && *length > arch.rowSplitThreshold && group.numPhases == 1;
  if (length && *length > arch.rowSplitThreshold && !split && options.remarks)
    emitRemark(loc) << "mica-gpu-reductions: a row of " << *length
                    << " elements is not split across blocks: its group "
                       "needs "
                    << group.numPhases
                    << " passes before its outputs (one is supported); a "
                       "block owns the row";
  bool warp = length && *length <= arch.rowWarpMaxElements && !split;
  // 128-bit accesses when every thread gets at least one full group of 4
  // (static rows, a multiple of 4 long; split chunks are multiples of 4).
  int64_t rowThreads = warp ? 32 : arch.rowBlockThreads;
  if (length && *length % 4 == 0 && *length >= 4 * rowThreads)
    width = 4;
  // A row of at most 8 groups of 4 per thread stays in registers between
  // the passes (one read from memory; emulated, the walk is unrolled the
  // same way but each pass loads again).
  if (width == 4 && !split && *length % (4 * rowThreads) == 0 &&
      *length / (4 * rowThreads) <= 8)
    unrolled = *length / (4 * rowThreads);
  if (split) {
    // Kernel 1: per-block states into [rows x blocks x state]; kernel 2:
    // each block merges its row's states and writes its chunk.
    int64_t threads = arch.rowBlockThreads;
    int64_t chunk =
        llvm::alignTo(std::max<int64_t>(arch.rowSplitChunk,
                                        llvm::divideCeil(*length, threads)),
                      width);
    int64_t blocks = llvm::divideCeil(*length, chunk);
    unsigned size = 0;
    for (Reduction *r : phaseReductions(0))
      size += stateSize(*r);
    Value partials = memref::AllocOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic, blocks, size}, f32),
        ValueRange{rows});
    auto chunkBounds = [&](OpBuilder &b, Value block) {
      Value lo = arith::MulIOp::create(b, loc, block, cst(b, chunk));
      Value hi = arith::MinSIOp::create(
          b, loc, arith::AddIOp::create(b, loc, lo, cst(b, chunk)), rowLength);
      return std::make_pair(lo, hi);
    };
    emitLaunch(b, rows, cst(b, blocks), threads, 1, false,
               [&](OpBuilder &b, const Threads &t, Value row, Value block) {
                 setOuter(b, row);
                 auto [lo, hi] = chunkBounds(b, block);
                 States states = runPass(b, t, 0, lo, hi);
                 SmallVector<Value> merged =
                     mergeStates(b, t, 0, states, lo, hi);
                 onThreadZero(b, t, [&](OpBuilder &b) {
                   for (auto [k, v] : llvm::enumerate(merged))
                     memref::StoreOp::create(b, loc, v, partials,
                                             ValueRange{row, block, cst(b, k)});
                 });
               });
    // Kernel 2 spans the row's chunks when it writes rows, else one block
    // per row merges the states and writes the row scalars.
    bool writesRows = llvm::any_of(group.outputs, [&](Value output) {
      return !group.isRowScalarOp(output.getDefiningOp());
    });
    emitLaunch(
        b, rows, cst(b, writesRows ? blocks : 1), threads, 1, false,
        [&](OpBuilder &b, const Threads &t, Value row, Value block) {
          setOuter(b, row);
          rowScalars.clear();
          States states = forEachThread(
              b, t, size, [&](OpBuilder &b, Value tid) -> SmallVector<Value> {
                // Thread t holds block t's state (neutral past the blocks).
                SmallVector<Value> neutral;
                for (Reduction *r : phaseReductions(0))
                  llvm::append_range(neutral, neutralState(b, *r));
                Value inRange = arith::CmpIOp::create(
                    b, loc, arith::CmpIPredicate::slt, tid, cst(b, blocks));
                auto ifOp = scf::IfOp::create(
                    b, loc, ValueRange(neutral).getTypes(), inRange, true);
                {
                  OpBuilder::InsertionGuard guard(b);
                  b.setInsertionPointToStart(ifOp.thenBlock());
                  SmallVector<Value> loaded;
                  for (unsigned k = 0; k < size; ++k)
                    loaded.push_back(memref::LoadOp::create(
                        b, loc, partials, ValueRange{row, tid, cst(b, k)}));
                  scf::YieldOp::create(b, loc, loaded);
                  b.setInsertionPointToStart(ifOp.elseBlock());
                  scf::YieldOp::create(b, loc, neutral);
                }
                return SmallVector<Value>(ifOp.getResults());
              });
          SmallVector<Value> merged =
              mergeStates(b, t, 0, states, cst(b, 0), rowLength);
          finalize(b, 0, merged);
          auto [lo, hi] = chunkBounds(b, block);
          writeOutputs(b, t, lo, hi, /*writeScalars=*/false);
          // Row scalars once per row, by block 0.
          SmallVector<Value> scalars;
          for (Value output : group.outputs)
            if (group.isRowScalarOp(output.getDefiningOp()))
              scalars.push_back(output);
          if (!scalars.empty()) {
            Value first = arith::CmpIOp::create(
                b, loc, arith::CmpIPredicate::eq, block, cst(b, 0));
            auto ifOp = scf::IfOp::create(b, loc, first, false);
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
            onThreadZero(b, t, [&](OpBuilder &b) {
              for (Value scalar : scalars)
                memref::StoreOp::create(b, loc,
                                        rowScalars[scalar.getDefiningOp()],
                                        outputBuffers[scalar], outer);
            });
          }
        });
  } else if (warp) {
    int64_t warps = arch.rowWarpsPerBlock;
    Value grid = arith::DivUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, rows, cst(b, warps - 1)),
        cst(b, warps));
    emitLaunch(b, grid, cst(b, 1), 32, warps, true,
               [&](OpBuilder &b, const Threads &t, Value row, Value) {
                 Value inRange = arith::CmpIOp::create(
                     b, loc, arith::CmpIPredicate::ult, row, rows);
                 auto ifOp = scf::IfOp::create(b, loc, inRange, false);
                 OpBuilder::InsertionGuard guard(b);
                 b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
                 emitBlock(b, t, row);
               });
  } else {
    emitLaunch(b, rows, cst(b, 1), arch.rowBlockThreads, 1, false,
               [&](OpBuilder &b, const Threads &t, Value row, Value) {
                 emitBlock(b, t, row);
               });
  }

  // Results as tensors; the group's ops go.
  for (Value output : group.outputs) {
    Value tensor = bufferization::ToTensorOp::create(
        b, loc, output.getType(), outputBuffers[output],
        /*restrict=*/b.getUnitAttr(), /*writable=*/b.getUnitAttr());
    rewriter.replaceUsesWithIf(output, tensor, [&](OpOperand &use) {
      return !group.contains(use.getOwner());
    });
  }
  for (linalg::GenericOp op : llvm::reverse(group.ops)) {
    assert(op->use_empty() && "group result still used");
    rewriter.eraseOp(op);
  }
  // What the element expressions compute once per row (layer norm's
  // rsqrt(var + eps), a softmax's 1 / sum ...) leaves the loops over the
  // row (upstream loop-invariant code motion, innermost loops first).
  for (Operation *kernel : kernels)
    kernel->walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
  return success();
}

//===----------------------------------------------------------------------===//
// Driver and pass
//===----------------------------------------------------------------------===//

int64_t mica::mapRowReductionsToGPU(RewriterBase &rewriter, func::FuncOp func,
                                    const GPUArchInfo &arch,
                                    const RowReductionOptions &options) {
  SmallVector<linalg::GenericOp> candidates;
  func.walk([&](linalg::GenericOp op) {
    if (op.hasPureTensorSemantics() && op.getNumReductionLoops() != 0)
      candidates.push_back(op);
  });
  DenseSet<Operation *> taken;
  int64_t count = 0;
  for (linalg::GenericOp op : candidates) {
    if (taken.contains(op))
      continue;
    std::string why = matchRowReduction(op, nullptr);
    Group group;
    if (why.empty())
      why = buildGroup(op, group, taken);
    for (Operation *member : group.members)
      taken.insert(member);
    if (!why.empty()) {
      if (options.remarks)
        emitRemark(op.getLoc())
            << "mica-gpu-reductions: SIMT fallback for a reduction: " << why;
      continue;
    }
    GroupEmitter emitter(group, arch, options);
    if (succeeded(emitter.emit(rewriter)))
      ++count;
  }
  return count;
}

namespace {
/// Thin shell over mapRowReductionsToGPU; lowers the warp reductions to
/// shuffles (upstream populateGpuLowerSubgroupReduceToShufflePatterns).
struct MicaGPUReductionsPass
    : mica::impl::MicaGPUReductionsBase<MicaGPUReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<mica::GPUArchInfo> arch =
        mica::requireGPUArch(func, "mica-gpu-reductions", gpuArch);
    if (!arch)
      return signalPassFailure();
    if (arch->rowBlockThreads < 32 || arch->rowBlockThreads > 1024 ||
        arch->rowBlockThreads % 32 != 0 || arch->rowWarpsPerBlock < 1 ||
        arch->rowWarpsPerBlock > 32 || arch->rowSplitChunk < 1) {
      emitError(func.getLoc())
          << "mica-gpu-reductions: the per-arch table row of " << arch->chip
          << " has invalid reduction sizes (rowBlockThreads must be a "
             "multiple of 32 in [32, 1024], rowWarpsPerBlock in [1, 32], "
             "rowSplitChunk positive)";
      return signalPassFailure();
    }
    mica::RowReductionOptions options;
    options.remarks = remarks;
    options.emulate = emulate;
    IRRewriter rewriter(&getContext());
    mica::mapRowReductionsToGPU(rewriter, func, *arch, options);
    RewritePatternSet patterns(&getContext());
    populateGpuLowerSubgroupReduceToShufflePatterns(
        patterns, /*subgroupSize=*/32, /*shuffleBitwidth=*/32);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
