//===- Vectorize.cpp - tile + vectorize linalg.generic (mica-cpu-vectorize) ===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A thin shell over upstream tiling (`scf::tileUsingSCF`) and vectorization
/// (`linalg::vectorize`) with the tile and vector sizes chosen per op here.
///
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUVECTORIZE
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

/// Tile and vector sizes for `op`, or std::nullopt when the op is left as
/// loops (a dynamic or too large reduction, no loops).
struct Sizes {
  SmallVector<int64_t> tile, vector;
  /// The innermost reduction is tiled too (scf.for carrying the result).
  bool tilesReduction = false;
};

std::optional<Sizes> chooseSizes(linalg::GenericOp op, int64_t width,
                                 int64_t maxReduction, int64_t chunk) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  int64_t n = ranges.size();
  if (n == 0)
    return std::nullopt;
  Sizes s;
  int64_t reductionElems = 1;
  for (int64_t i = 0; i < n; ++i) {
    bool last = i == n - 1;
    if (iters[i] == utils::IteratorType::reduction) {
      if (ShapedType::isDynamic(ranges[i]))
        return std::nullopt;
      // A long innermost reduction (softmax over a vocabulary) in chunks of
      // `chunk`: the loop carries the partial result, each chunk is one
      // vector reduction (splitRemainders made the length a multiple).
      if (last && ranges[i] > maxReduction && ranges[i] % chunk == 0) {
        s.tile.push_back(chunk);
        s.vector.push_back(chunk);
        s.tilesReduction = true;
        continue;
      }
      reductionElems *= ranges[i];
      s.tile.push_back(0);
      s.vector.push_back(ranges[i]);
      continue;
    }
    if (!last) {
      s.tile.push_back(1);
      s.vector.push_back(1);
      continue;
    }
    int64_t v = !ShapedType::isDynamic(ranges[i]) && ranges[i] <= width
                    ? ranges[i]
                    : width;
    s.tile.push_back(v);
    s.vector.push_back(v);
  }
  // Several reduction dims (often unit dims from broadcasting) produced
  // invalid vector.multi_reduction ops upstream: keep those as loops.
  // The same for a reduction that is not the innermost loop.
  if (reductionElems > maxReduction || op.getNumReductionLoops() > 1 ||
      (op.getNumReductionLoops() == 1 &&
       iters[n - 1] != utils::IteratorType::reduction))
    return std::nullopt;
  return s;
}

/// Splits `op` along its innermost dim so that the first part has a length
/// the tiles divide: a parallel dim longer than `vector-width` at a multiple
/// of it, a reduction longer than `max-reduction` at a multiple of
/// `reduction-chunk` (upstream `linalg::splitOp`; the second part of a
/// reduction continues from the first part's result). Both parts then have
/// static tiles only and vectorize; without the split every tile would be
/// a dynamic remainder and stay scalar. Appends the parts to `parts`.
void splitRemainders(RewriterBase &rewriter, linalg::GenericOp op,
                     int64_t width, int64_t maxReduction, int64_t chunk,
                     SmallVectorImpl<linalg::GenericOp> &parts) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  if (ranges.empty() || ShapedType::isDynamic(ranges.back())) {
    parts.push_back(op);
    return;
  }
  int64_t n = ranges.back(), step = 0;
  if (iters.back() == utils::IteratorType::parallel && n > width)
    step = width;
  else if (iters.back() == utils::IteratorType::reduction && n > maxReduction)
    step = chunk;
  if (!step || n % step == 0) {
    parts.push_back(op);
    return;
  }
  rewriter.setInsertionPoint(op);
  auto [head, tail] =
      linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                      ranges.size() - 1, rewriter.getIndexAttr(n / step * step));
  auto headOp = dyn_cast_or_null<linalg::GenericOp>(head.getOperation());
  auto tailOp = dyn_cast_or_null<linalg::GenericOp>(tail.getOperation());
  if (!headOp || !tailOp) {
    // splitOp leaves the op alone when it fails.
    if (!head && !tail)
      parts.push_back(op);
    return;
  }
  parts.push_back(headOp);
  parts.push_back(tailOp);
}

struct MicaCPUVectorizePass
    : mica::impl::MicaCPUVectorizeBase<MicaCPUVectorizePass> {
  using Base::Base;

  /// Whether `op`'s tile loops become one scf.forall: several threads, a
  /// static iteration space of at least min-parallel-elements points, more
  /// than one tile to share and at least as many rows as threads.
  bool runsInParallel(linalg::GenericOp op, const Sizes &sizes) const {
    // Already inside a parallel loop (a row chain of mica-cpu-fuse-rows):
    // a nested team would only add a fork/join.
    if (threads <= 1 || sizes.tilesReduction ||
        op->getParentOfType<scf::ForallOp>())
      return false;
    int64_t points = 1, tiles = 1, rows = 1;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    for (auto [i, range, tile] : llvm::enumerate(ranges, sizes.tile)) {
      if (ShapedType::isDynamic(range))
        return false;
      points *= range;
      if (tile)
        tiles *= llvm::divideCeil(range, tile);
      if (i + 1 < ranges.size())
        rows *= range;
    }
    // Fewer rows than threads (one vocabulary-long row): the row's
    // reductions run on one thread anyway, and a fork/join per elementwise
    // pass over it cost more than it saved (softmax 1 x 50257 on 2 threads
    // ran 2.2x slower than on one).
    return points >= minParallelElements && tiles > 1 && rows >= threads;
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      // Gathers (tensor.extract) and index arithmetic in the body hit
      // upstream vectorizer bugs in LLVM 22 (invalid IR); they stay loops.
      bool simpleBody = true;
      op.getBody()->walk([&](Operation *inner) {
        if (isa<tensor::ExtractOp, linalg::IndexOp>(inner))
          simpleBody = false;
      });
      // Outputs must be written in loop order (dims increasing, reduction
      // dims dropped); other layouts produced invalid multi_reductions.
      bool inOrder = llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &o) {
        AffineMap m = op.getMatchingIndexingMap(&o);
        int64_t prev = -1;
        for (AffineExpr e : m.getResults()) {
          auto d = dyn_cast<AffineDimExpr>(e);
          if (!d || static_cast<int64_t>(d.getPosition()) <= prev)
            return false;
          prev = d.getPosition();
        }
        return true;
      });
      // i1 tensors: a vector<Nxi1> is bit-packed in memory while memref<i1>
      // elements take a byte each, so vector loads/stores of them are wrong.
      bool hasI1 = llvm::any_of(op->getOperandTypes(), [](Type t) {
        return getElementTypeOrSelf(t).isInteger(1);
      });
      if (op.hasPureTensorSemantics() && simpleBody && inOrder && !hasI1)
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> parts;
    for (linalg::GenericOp op : ops)
      splitRemainders(rewriter, op, vectorWidth, maxReduction, reductionChunk,
                      parts);
    for (linalg::GenericOp op : parts) {
      std::optional<Sizes> sizes =
          chooseSizes(op, vectorWidth, maxReduction, reductionChunk);
      if (!sizes)
        continue;
      rewriter.setInsertionPoint(op);
      scf::SCFTilingOptions options;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t t : sizes->tile)
        tileSizes.push_back(rewriter.getIndexAttr(t));
      options.setTileSizes(tileSizes);
      if (runsInParallel(op, *sizes))
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue;
      rewriter.replaceOp(op, tiled->replacements);
      for (Operation *t : tiled->tiledOps) {
        // Only full, static tiles, vectorized without explicit vector
        // sizes: masked vectorization (of remainders, or with sizes given)
        // produced invalid IR upstream, so such tiles stay scalar.
        auto tiledOp = dyn_cast<linalg::LinalgOp>(t);
        if (!tiledOp || tiledOp.getStaticLoopRanges() != sizes->vector)
          continue;
        if (failed(linalg::vectorizeOpPrecondition(t)))
          continue;
        rewriter.setInsertionPoint(t);
        FailureOr<linalg::VectorizationResult> v = linalg::vectorize(rewriter, t);
        if (succeeded(v))
          rewriter.replaceOp(t, v->replacements);
      }
    }
    // Lower what the LLVM conversion does not take: n-D reductions,
    // broadcasts, shape casts and transposes; drop the unit dims of tiles.
    RewritePatternSet patterns(&getContext());
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorBroadcastLoweringPatterns(patterns);
    vector::populateVectorShapeCastLoweringPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(
        patterns, vector::VectorTransposeLowering::EltWise);
    // Destinations for empty-tensor elimination before bufferization: a
    // slice of an empty tensor is an empty tensor of the slice's shape.
    tensor::populateFoldTensorEmptyPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Every use gets its own tensor.empty: CSE merged the destinations of
    // different ops, and two ops writing into one empty tensor make
    // bufferization copy one of them (a whole extra pass over the tensor).
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk([&](tensor::EmptyOp e) { empties.push_back(e); });
    for (tensor::EmptyOp empty : empties) {
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : empty->getUses())
        uses.push_back(&use);
      for (OpOperand *use : llvm::drop_begin(uses)) {
        rewriter.setInsertionPoint(empty);
        use->set(rewriter.clone(*empty)->getResult(0));
      }
    }
  }
};

} // namespace
