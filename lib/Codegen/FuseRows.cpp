//===- FuseRows.cpp - row-wise chains one row at a time (mica-cpu-fuse-rows) =//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A thin shell over upstream tile-and-fuse
/// (`scf::tileConsumerAndFuseProducersUsingSCF`): this file only decides which
/// ops form a row chain (softmax, layer norm, ...) and how the rows are
/// iterated.
///
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUFUSEROWS
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

/// Whether the first `rows` results of `map` are d0 .. d(rows-1): row i of
/// the iteration space touches row i of the operand.
bool mapsRowsToRows(AffineMap map, int64_t rows) {
  if (map.getNumResults() < rows)
    return false;
  for (int64_t i = 0; i < rows; ++i) {
    auto dim = dyn_cast<AffineDimExpr>(map.getResult(i));
    if (!dim || dim.getPosition() != i)
      return false;
  }
  return true;
}

/// The static loop ranges of a generic or fill, or std::nullopt.
std::optional<SmallVector<int64_t>> staticRanges(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics())
    return std::nullopt;
  SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  return ranges;
}

/// Whether `op` computes row by row over the same `rows` outer dims as the
/// root: those loops are parallel with the root's extents and every result
/// keeps them as its leading dims.
bool isRowWise(Operation *op, ArrayRef<int64_t> rootRanges, int64_t rows) {
  std::optional<SmallVector<int64_t>> ranges = staticRanges(op);
  if (!ranges || static_cast<int64_t>(ranges->size()) <= rows ||
      !isa<linalg::GenericOp, linalg::FillOp>(op))
    return false;
  auto linalgOp = cast<linalg::LinalgOp>(op);
  SmallVector<utils::IteratorType> iters = linalgOp.getIteratorTypesArray();
  for (int64_t i = 0; i < rows; ++i)
    if (iters[i] != utils::IteratorType::parallel ||
        (*ranges)[i] != rootRanges[i])
      return false;
  return llvm::all_of(linalgOp.getDpsInitsMutable(), [&](OpOperand &init) {
    return mapsRowsToRows(linalgOp.getMatchingIndexingMap(&init), rows);
  });
}

bool hasInnermostReduction(Operation *op) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic)
    return false;
  SmallVector<utils::IteratorType> iters = generic.getIteratorTypesArray();
  return !iters.empty() && iters.back() == utils::IteratorType::reduction;
}

struct RowChain {
  linalg::GenericOp root;
  int64_t rows;         // number of leading row dims
  int64_t rowCount;     // product of their extents
  int64_t points;       // iteration points of the root
  llvm::SetVector<Operation *> members; // producers fused into the row loop
};

/// The row chain ending at `root`, or a reason why there is none.
FailureOr<RowChain> findChain(linalg::GenericOp root, std::string &why) {
  std::optional<SmallVector<int64_t>> ranges = staticRanges(root);
  // Not a candidate at all (nothing to report): dynamic or rank < 2.
  if (!ranges || ranges->size() < 2)
    return failure();
  RowChain chain;
  chain.root = root;
  chain.rows = static_cast<int64_t>(ranges->size()) - 1;
  if (!isRowWise(root, *ranges, chain.rows)) {
    why = "the root's output is not laid out by rows";
    return failure();
  }
  chain.rowCount = 1;
  chain.points = 1;
  for (auto [i, r] : llvm::enumerate(*ranges)) {
    chain.points *= r;
    if (static_cast<int64_t>(i) < chain.rows)
      chain.rowCount *= r;
  }

  // The backward cone of the root within its block, latest op first: an op
  // joins when it computes row by row, each of its users is the root or a
  // member, and every member reads it row for row.
  llvm::SetVector<Operation *> cone;
  SmallVector<Operation *> worklist = {root};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (def && def->getBlock() == root->getBlock() && cone.insert(def))
        worklist.push_back(def);
    }
  }
  SmallVector<Operation *> ordered(cone.begin(), cone.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) {
    return b->isBeforeInBlock(a);
  });
  llvm::SmallPtrSet<Operation *, 8> group = {root};
  for (Operation *op : ordered) {
    if (!isRowWise(op, *ranges, chain.rows))
      continue;
    bool usedRowWise = llvm::all_of(op->getUses(), [&](OpOperand &use) {
      auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
      return user && group.contains(user) &&
             mapsRowsToRows(user.getMatchingIndexingMap(&use), chain.rows);
    });
    if (!usedRowWise)
      continue;
    group.insert(op);
    chain.members.insert(op);
  }
  // Plain elementwise ops without a reduction behind them are not row
  // chains either (nothing to report).
  if (!llvm::any_of(chain.members, hasInnermostReduction))
    return failure();
  if (chain.rowCount < 2) {
    why = "a single row (each op of the chain keeps its own loops)";
    return failure();
  }
  return chain;
}

/// Offsets and sizes of row `ivs` of `op`'s iteration space: one element in
/// each of the `rows` leading dims, everything in the others.
void rowTile(OpBuilder &b, Operation *op, int64_t rows, ValueRange ivs,
             SmallVectorImpl<OpFoldResult> &offsets,
             SmallVectorImpl<OpFoldResult> &sizes) {
  SmallVector<int64_t> ranges = cast<linalg::LinalgOp>(op).getStaticLoopRanges();
  for (auto [i, extent] : llvm::enumerate(ranges)) {
    bool row = static_cast<int64_t>(i) < rows;
    offsets.push_back(row ? OpFoldResult(ivs[i]) : b.getIndexAttr(0));
    sizes.push_back(b.getIndexAttr(row ? 1 : extent));
  }
}

/// Emits one row of `chain` at the insertion point: every member and the
/// root tiled to the row `ivs`, each exactly once (upstream
/// `TilingInterface::getTiledImplementation`; a member's row feeds the ops
/// that read it directly), the root writing into slices of `outputs`.
/// Returns the root's row values, or failure when a tile does not line up.
FailureOr<SmallVector<Value>> emitRow(RewriterBase &rewriter, RowChain &chain,
                                      ValueRange ivs, ValueRange outputs) {
  DenseMap<Value, Value> rows; // member result -> its row
  auto tile = [&](Operation *op) -> FailureOr<TilingResult> {
    SmallVector<OpFoldResult> offsets, sizes;
    rowTile(rewriter, op, chain.rows, ivs, offsets, sizes);
    FailureOr<TilingResult> t = cast<TilingInterface>(op).getTiledImplementation(
        rewriter, offsets, sizes);
    if (failed(t))
      return failure();
    for (Operation *slice : t->generatedSlices) {
      auto extract = dyn_cast<tensor::ExtractSliceOp>(slice);
      Value row = extract ? rows.lookup(extract.getSource()) : Value();
      if (!row)
        continue;
      if (row.getType() != extract.getType())
        return failure();
      rewriter.replaceOp(extract, row);
    }
    for (auto [result, tiled] :
         llvm::zip_equal(op->getResults(), t->tiledValues))
      rows[result] = tiled;
    return t;
  };
  // Members were collected latest first.
  for (Operation *member : llvm::reverse(chain.members))
    if (failed(tile(member)))
      return failure();
  FailureOr<TilingResult> root = tile(chain.root);
  if (failed(root) || root->tiledOps.size() != 1)
    return failure();
  // The root's row goes into the loop's output instead of its own init.
  auto tiledOp = cast<DestinationStyleOpInterface>(root->tiledOps.front());
  for (auto [init, output] :
       llvm::zip_equal(tiledOp.getDpsInitsMutable(), outputs)) {
    auto slice = init.get().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice)
      return failure();
    rewriter.modifyOpInPlace(
        slice, [&, output = output] { slice.getSourceMutable().assign(output); });
  }
  return root->tiledValues;
}

/// The loop over the rows of `chain` (an scf.forall when `parallel`, else
/// an scf.for nest) with one row per iteration; its results replace the
/// root's. On failure the IR is left unchanged.
FailureOr<SmallVector<Value>> buildRowLoop(RewriterBase &rewriter,
                                           RowChain &chain, bool parallel) {
  linalg::GenericOp root = chain.root;
  Location loc = root.getLoc();
  SmallVector<int64_t> ranges = root.getStaticLoopRanges();
  SmallVector<OpFoldResult> ubs;
  for (int64_t i = 0; i < chain.rows; ++i)
    ubs.push_back(rewriter.getIndexAttr(ranges[i]));
  rewriter.setInsertionPoint(root);
  auto insertRow = [&](ValueRange ivs, ValueRange tiled, ValueRange outputs,
                       bool parallelInsert) {
    SmallVector<OpFoldResult> offsets, sizes;
    rowTile(rewriter, root, chain.rows, ivs, offsets, sizes);
    SmallVector<OpFoldResult> strides(offsets.size(),
                                      rewriter.getIndexAttr(1));
    SmallVector<Value> updated;
    for (auto [row, output] : llvm::zip_equal(tiled, outputs)) {
      if (parallelInsert)
        tensor::ParallelInsertSliceOp::create(rewriter, loc, row, output,
                                              offsets, sizes, strides);
      else
        updated.push_back(tensor::InsertSliceOp::create(
            rewriter, loc, row, output, offsets, sizes, strides));
    }
    return updated;
  };

  if (parallel) {
    auto forall = scf::ForallOp::create(rewriter, loc, ubs, root.getDpsInits(),
                                        std::nullopt);
    rewriter.setInsertionPointToStart(forall.getBody());
    FailureOr<SmallVector<Value>> tiled =
        emitRow(rewriter, chain, forall.getInductionVars(),
                forall.getRegionIterArgs());
    if (failed(tiled)) {
      rewriter.eraseOp(forall);
      return failure();
    }
    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    insertRow(forall.getInductionVars(), *tiled, forall.getRegionIterArgs(),
              /*parallelInsert=*/true);
    return SmallVector<Value>(forall.getResults());
  }

  SmallVector<Value> lbs, ubValues, steps;
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  for (int64_t i = 0; i < chain.rows; ++i) {
    lbs.push_back(zero);
    ubValues.push_back(arith::ConstantIndexOp::create(rewriter, loc, ranges[i]));
    steps.push_back(one);
  }
  bool ok = true;
  scf::LoopNest nest = scf::buildLoopNest(
      rewriter, loc, lbs, ubValues, steps, root.getDpsInits(),
      [&](OpBuilder &, Location, ValueRange ivs, ValueRange args) {
        FailureOr<SmallVector<Value>> tiled =
            emitRow(rewriter, chain, ivs, args);
        if (failed(tiled)) {
          ok = false;
          return scf::ValueVector(args.begin(), args.end());
        }
        return scf::ValueVector(insertRow(ivs, *tiled, args, false));
      });
  if (!ok) {
    rewriter.eraseOp(nest.loops.front());
    return failure();
  }
  return SmallVector<Value>(nest.results);
}

struct MicaCPUFuseRowsPass
    : mica::impl::MicaCPUFuseRowsBase<MicaCPUFuseRowsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.getNumReductionLoops() == 0 && op.hasPureTensorSemantics())
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    llvm::SmallPtrSet<Operation *, 16> fused;
    // Latest first: a chain's root is its last op.
    for (linalg::GenericOp root : llvm::reverse(candidates)) {
      if (fused.contains(root))
        continue;
      std::string why;
      FailureOr<RowChain> chain = findChain(root, why);
      if (failed(chain)) {
        // `why` is empty for ops that are no row chain at all.
        if (remarks && !why.empty())
          emitRemark(root.getLoc())
              << "row chain left as separate ops: " << why
              << mica::FusionReport::nodeSuffix(root.getLoc());
        continue;
      }
      bool parallel = threads > 1 && chain->rowCount >= threads &&
                      chain->points >= minParallelElements;
      Location loc = root.getLoc();
      FailureOr<SmallVector<Value>> results =
          buildRowLoop(rewriter, *chain, parallel);
      if (failed(results)) {
        if (remarks)
          emitRemark(loc)
              << "row chain left as separate ops: a row tile does not line up"
              << mica::FusionReport::nodeSuffix(loc);
        continue;
      }
      rewriter.replaceOp(root, *results);
      llvm::SetVector<Operation *> &members = chain->members;
      // The members only fed the chain: they are dead now (latest first).
      for (Operation *op : members) {
        fused.insert(op);
        if (op->use_empty())
          rewriter.eraseOp(op);
      }
      if (remarks)
        emitRemark(loc)
            << "row chain of " << members.size() + 1 << " ops fused: "
            << chain->rowCount << " rows, "
            << (parallel ? "scf.forall over threads" : "serial scf.for")
            << mica::FusionReport::nodeSuffix(loc);
    }
  }
};

} // namespace
