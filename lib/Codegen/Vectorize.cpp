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
#include "mica/Conversion/MicaToLinalg/OnlineSoftmax.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

/// Why the online softmax reduction `op` (isOnlineSoftmaxStep) cannot be
/// vectorized by vectorizeOnlineSoftmax, or an empty string: its ranges must
/// be static, its only reduction the innermost loop, and it must read its
/// input and write its outputs in loop order (the rows leading).
std::string onlineSoftmaxBlocker(linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t n = ranges.size();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return "dynamic dims";
  if (op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return "the reduction is not the innermost loop";
  MLIRContext *ctx = op.getContext();
  AffineMap rows =
      AffineMap::getMultiDimIdentityMap(n, ctx).getMajorSubMap(n - 1);
  if (op.getIndexingMapsArray() !=
      SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(n, ctx), rows,
                             rows})
    return "the input is not read in loop order";
  return "";
}

/// Replaces `op`, an online softmax reduction (isOnlineSoftmaxStep) of one
/// row (every parallel dim 1, the row static), with the step on vectors of
/// `width` lanes: an scf.for over the row carries a running max and sum
/// per lane, the lanes (and a shorter vector for the row's remainder) are
/// combined at the end and then with the outputs' initial values.
///
///   scf.for %k = 0 to N step W iter_args(%m, %s) -> (vector<Wxf32>, ...)
///     %x = vector.transfer_read %row[0, %k] ; step(%x, %m, %s)
///   %M = vector.reduction <maximumf> %m ; %S = vector.reduction <add>
///        (%s * exp(%m - %M)) ; combine with the inits; tensor.insert
void vectorizeOnlineSoftmax(RewriterBase &rewriter, linalg::GenericOp op,
                            int64_t width) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = op.getDpsInputs()[0];
  auto xt = cast<RankedTensorType>(x.getType());
  Type elt = xt.getElementType();
  int64_t rank = xt.getRank(), n = xt.getShape().back();
  int64_t w = std::min(width, n), body = n / w * w, tail = n - body;
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value zeroF =
      arith::ConstantOp::create(rewriter, loc, rewriter.getFloatAttr(elt, 0.0));
  Value pad = ub::PoisonOp::create(rewriter, loc, elt);
  auto readAt = [&](Value k, int64_t lanes) -> Value {
    SmallVector<Value> idx(rank - 1, zero);
    idx.push_back(k);
    auto vt = VectorType::get({lanes}, elt);
    return vector::TransferReadOp::create(
        rewriter, loc, vt, x, idx, pad,
        AffineMap::getMinorIdentityMap(rank, 1, rewriter.getContext()),
        ArrayRef<bool>{true});
  };
  // Lane-wise state over `lanes`-wide pieces in [begin, end), reduced to
  // one (max, sum).
  auto partial = [&](int64_t begin, int64_t end,
                     int64_t lanes) -> std::pair<Value, Value> {
    auto vt = VectorType::get({lanes}, elt);
    Value m0 = mica::onlineSoftmaxInitMax(rewriter, loc, vt);
    Value s0 = vector::BroadcastOp::create(rewriter, loc, vt, zeroF);
    Value m, s;
    if (end - begin == lanes) {
      std::tie(m, s) = mica::buildOnlineSoftmaxStep(
          rewriter, loc,
          readAt(arith::ConstantIndexOp::create(rewriter, loc, begin), lanes),
          m0, s0);
    } else {
      auto loop = scf::ForOp::create(
          rewriter, loc, arith::ConstantIndexOp::create(rewriter, loc, begin),
          arith::ConstantIndexOp::create(rewriter, loc, end),
          arith::ConstantIndexOp::create(rewriter, loc, lanes),
          ValueRange{m0, s0},
          [&](OpBuilder &b, Location l, Value k, ValueRange acc) {
            auto [mk, sk] = mica::buildOnlineSoftmaxStep(b, l, readAt(k, lanes),
                                                         acc[0], acc[1]);
            scf::YieldOp::create(b, l, ValueRange{mk, sk});
          });
      m = loop.getResult(0);
      s = loop.getResult(1);
    }
    Value mMax = vector::ReductionOp::create(
        rewriter, loc, vector::CombiningKind::MAXIMUMF, m);
    Value scale = math::ExpOp::create(
        rewriter, loc,
        arith::SubFOp::create(
            rewriter, loc, m,
            vector::BroadcastOp::create(rewriter, loc, vt, mMax)));
    Value sSum = vector::ReductionOp::create(
        rewriter, loc, vector::CombiningKind::ADD,
        arith::MulFOp::create(rewriter, loc, s, scale));
    return {mMax, sSum};
  };
  auto [m, s] = partial(0, body, w);
  if (tail) {
    auto [mt, st] = partial(body, n, tail);
    std::tie(m, s) =
        mica::buildOnlineSoftmaxCombine(rewriter, loc, m, s, mt, st);
  }
  // Continue from the outputs' initial values, unless they are the fills
  // of the empty state (lowest, 0) that convert-mica-to-linalg writes.
  SmallVector<Value> results;
  Value inits[2] = {op.getDpsInits()[0], op.getDpsInits()[1]};
  auto outIdx = [&](Value init) {
    return SmallVector<Value>(cast<RankedTensorType>(init.getType()).getRank(),
                              zero);
  };
  auto filledWith = [](Value v, bool lowest) {
    while (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>())
      v = slice.getSource();
    auto fill = v.getDefiningOp<linalg::FillOp>();
    FloatAttr c;
    if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&c)))
      return false;
    APFloat want = lowest ? APFloat::getLargest(c.getValue().getSemantics(),
                                                /*Negative=*/true)
                          : APFloat::getZero(c.getValue().getSemantics());
    return c.getValue().bitwiseIsEqual(want);
  };
  if (!filledWith(inits[0], true) || !filledWith(inits[1], false)) {
    Value m0 =
        tensor::ExtractOp::create(rewriter, loc, inits[0], outIdx(inits[0]));
    Value s0 =
        tensor::ExtractOp::create(rewriter, loc, inits[1], outIdx(inits[1]));
    std::tie(m, s) =
        mica::buildOnlineSoftmaxCombine(rewriter, loc, m0, s0, m, s);
  }
  Value reduced[2] = {m, s};
  for (auto [v, init] : llvm::zip_equal(reduced, inits))
    results.push_back(
        tensor::InsertOp::create(rewriter, loc, v, init, outIdx(init)));
  rewriter.replaceOp(op, results);
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

  /// The online softmax reduction `op` one row at a time (an scf.for nest
  /// over its parallel dims, or an scf.forall under the same rule as the
  /// other ops), each row vectorized by vectorizeOnlineSoftmax. The row is
  /// never chunked or split: the lane-wise state handles any length.
  void vectorizeOnlineSoftmaxRows(RewriterBase &rewriter,
                                  linalg::GenericOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    Location loc = op.getLoc();
    int64_t lanes = std::min(vectorWidth.getValue(), ranges.back());
    if (llvm::all_of(ArrayRef<int64_t>(ranges).drop_back(),
                     [](int64_t r) { return r == 1; })) {
      vectorizeOnlineSoftmax(rewriter, op, vectorWidth);
    } else {
      Sizes sizes;
      sizes.tile.assign(ranges.size(), 1);
      sizes.tile.back() = 0;
      sizes.vector = sizes.tile;
      scf::SCFTilingOptions options;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t t : sizes.tile)
        tileSizes.push_back(rewriter.getIndexAttr(t));
      options.setTileSizes(tileSizes);
      if (runsInParallel(op, sizes))
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled) || tiled->tiledOps.size() != 1) {
        if (remarks)
          op.emitRemark()
              << "online softmax reduction left as loops: rows not tiled";
        return;
      }
      rewriter.replaceOp(op, tiled->replacements);
      vectorizeOnlineSoftmax(rewriter,
                             cast<linalg::GenericOp>(tiled->tiledOps.front()),
                             vectorWidth);
    }
    if (remarks)
      emitRemark(loc) << "online softmax reduction vectorized: " << lanes
                      << " lanes per row of " << ranges.back();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops, online;
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
      if (!op.hasPureTensorSemantics() || !simpleBody || !inOrder || hasI1)
        return;
      // The online max/sum of softmax: its own vector schedule below.
      if (mica::isOnlineSoftmaxStep(op)) {
        std::string why = onlineSoftmaxBlocker(op);
        if (why.empty()) {
          online.push_back(op);
          return;
        }
        if (remarks)
          op.emitRemark() << "online softmax reduction left as loops: " << why;
      }
      ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : online)
      vectorizeOnlineSoftmaxRows(rewriter, op);
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
