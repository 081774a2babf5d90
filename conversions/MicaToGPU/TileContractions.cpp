//===- TileContractions.cpp - contractions to blocks, warps, WMMA tiles ---===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// Upstream tiling (scf::tileUsingSCF) to block and warp scf.forall loops and a
// K loop, upstream vectorization of the warp tile (16x16x16 for WMMA, 16x8x16
// for mma.sync), the upstream vector patterns that fold it into one
// vector.contract, and upstream hoisting of the accumulator out of the K loop.
// mica-gpu-vector-to-mma turns the contract into gpu.subgroup_mma_* or
// nvgpu.mma.sync after bufferization and mapping.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/Support/FormatVariadic.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUTILECONTRACTIONS
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

/// The WMMA tile (m16n16k16).
static constexpr int64_t kTile = 16;
/// Marks the K loops whose accumulator is hoisted once the tile is folded.
static constexpr llvm::StringLiteral kAccumulatorLoop = "mica.gpu.k_loop";

namespace {
/// Loop dims of a contraction with one m, n, k and at most one batch dim.
struct ContractionLoops {
  std::optional<unsigned> batch;
  unsigned m, n, k;
};
} // namespace

/// Loop dim positions read by `map` (a projected permutation).
static SmallVector<unsigned> mapDims(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

/// Checks that operand maps read [batch?] + the two dims `x`, `y` in either
/// order; sets `transposed` when they come as (y, x).
static bool hasMatrixLayout(AffineMap map, const ContractionLoops &loops,
                            unsigned x, unsigned y, bool batchRequired,
                            bool &transposed) {
  if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
    return false;
  SmallVector<unsigned> dims = mapDims(map);
  SmallVector<unsigned> expected;
  if (loops.batch && (batchRequired || llvm::is_contained(dims, *loops.batch)))
    expected.push_back(*loops.batch);
  if (dims.size() != expected.size() + 2)
    return false;
  if (!expected.empty() && dims.front() != expected.front())
    return false;
  ArrayRef<unsigned> last = ArrayRef<unsigned>(dims).take_back(2);
  transposed = last[0] == y && last[1] == x;
  return (last[0] == x && last[1] == y) || transposed;
}

static FailureOr<ContractionLoops> getLoops(linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || dims->batch.size() > 1)
    return failure();
  ContractionLoops loops{std::nullopt, dims->m[0], dims->n[0], dims->k[0]};
  if (!dims->batch.empty())
    loops.batch = dims->batch[0];
  return loops;
}

std::string mica::getTensorCoreShapeMismatch(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics())
    return "not on tensors";
  if (!linalg::isaContractionOpInterface(op) || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return "not a two-input contraction";
  FailureOr<ContractionLoops> loops = getLoops(op);
  if (failed(loops))
    return "not one M, N and K dim with at most one batch dim";
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(ranges))
    return "dynamic shape";
  int64_t m = ranges[loops->m], n = ranges[loops->n], k = ranges[loops->k];
  if (m % kTile || n % kTile || k % kTile)
    return llvm::formatv("M x N x K = {0} x {1} x {2} is not a multiple of "
                         "16 in every dim",
                         m, n, k)
        .str();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool ta = false, tb = false, tc = false;
  if (!hasMatrixLayout(maps[0], *loops, loops->m, loops->k, false, ta) ||
      !hasMatrixLayout(maps[1], *loops, loops->k, loops->n, false, tb) ||
      !hasMatrixLayout(maps[2], *loops, loops->m, loops->n, true, tc) || tc)
    return "operand layouts are not [batch] x rows x cols";
  return "";
}

std::string mica::getTensorCoreMismatch(linalg::LinalgOp op) {
  std::string shape = getTensorCoreShapeMismatch(op);
  if (!shape.empty())
    return shape;
  Type a = getElementTypeOrSelf(op.getDpsInputs()[0].getType());
  Type b = getElementTypeOrSelf(op.getDpsInputs()[1].getType());
  Type c = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (a.isF16() && b.isF16() && c.isF32())
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "operands are " << a << " x " << b << " -> " << c
     << " (TensorCores need f16 x f16 -> f32: precision=fp16)";
  return s;
}

/// Swaps the last two dims of a constant tensor at compile time, or
/// std::nullopt when `value` is not a constant this can read.
static std::optional<Value> transposeConstant(RewriterBase &rewriter,
                                              Value value,
                                              RankedTensorType newType) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  Attribute attr = constant.getValue();
  Attribute result;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat())
    result = dense.resizeSplat(newType);
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && !dense.isSplat())
    raw = dense.getRawData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      raw = blob->getData();
  unsigned bits = newType.getElementTypeBitWidth();
  if (!result && (raw.empty() || bits % 8))
    return std::nullopt;
  if (!result) {
    size_t width = bits / 8;
    int64_t rows = newType.getDimSize(newType.getRank() - 1);
    int64_t cols = newType.getDimSize(newType.getRank() - 2);
    int64_t matrices = newType.getNumElements() / (rows * cols);
    if (raw.size() != static_cast<size_t>(newType.getNumElements()) * width)
      return std::nullopt;
    // Source is [matrices][rows][cols], the result [matrices][cols][rows].
    std::vector<char> out(raw.size());
    for (int64_t b = 0; b < matrices; ++b)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          std::memcpy(&out[((b * cols + c) * rows + r) * width],
                      &raw[((b * rows + r) * cols + c) * width], width);
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(out), alignof(uint64_t));
    result = DenseResourceElementsAttr::get(newType, "mica_transposed",
                                            std::move(blob));
  }
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(constant);
  return arith::ConstantOp::create(rewriter, constant.getLoc(),
                                   cast<TypedAttr>(result))
      .getResult();
}

/// `value` with its last two dims swapped: a folded constant or a
/// linalg.transpose.
static Value transposeLastTwo(RewriterBase &rewriter, Location loc,
                              Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  SmallVector<int64_t> shape = applyPermutation(type.getShape(), perm);
  auto newType = type.clone(shape);
  if (std::optional<Value> folded = transposeConstant(rewriter, value, newType))
    return *folded;
  Value init =
      tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType());
  return linalg::TransposeOp::create(rewriter, loc, value, init, perm)
      ->getResult(0);
}

/// Rewrites transposed A/B operands of `op` (a generic) to row-major copies.
static void makeOperandsRowMajor(RewriterBase &rewriter, linalg::GenericOp op,
                                 const ContractionLoops &loops) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  std::pair<unsigned, unsigned> want[2] = {{loops.m, loops.k},
                                           {loops.k, loops.n}};
  bool changed = false;
  for (unsigned i = 0; i < 2; ++i) {
    bool transposed = false;
    (void)hasMatrixLayout(maps[i], loops, want[i].first, want[i].second, false,
                          transposed);
    if (!transposed)
      continue;
    rewriter.setInsertionPoint(op);
    Value copy = transposeLastTwo(rewriter, op.getLoc(), op.getInputs()[i]);
    SmallVector<AffineExpr> results(maps[i].getResults());
    std::swap(results[results.size() - 1], results[results.size() - 2]);
    maps[i] = AffineMap::get(maps[i].getNumDims(), 0, results, op.getContext());
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(i, copy); });
    changed = true;
  }
  if (changed)
    rewriter.modifyOpInPlace(op, [&] {
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
}

/// Tiles `op` with `sizes` (one per loop) as scf.forall mapped to `mapping`
/// (one attribute per non-zero size, in loop order) or, without a mapping,
/// as scf.for; replaces `op` and returns the tiled op.
static FailureOr<linalg::LinalgOp>
tile(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> sizes,
     ArrayRef<Attribute> mapping, Operation **loop = nullptr) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op.getContext(), sizes));
  if (!mapping.empty())
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
        .setMapping(mapping);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->tiledOps.size() != 1)
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  if (loop && !tiled->loops.empty())
    *loop = tiled->loops.front();
  auto result = dyn_cast<linalg::LinalgOp>(tiled->tiledOps.front());
  if (!result)
    return failure();
  return result;
}

/// The elementwise consumer of `op`'s result that the TensorCore kernel can
/// compute before its store (bias add, activation): the only user of the
/// result, a linalg.generic with parallel loops over the result's dims, one
/// result written with the identity map, the contraction result read with
/// the identity map, every other input a static tensor read through a
/// projected permutation (a broadcast bias) or a scalar. Null when `op` has
/// no elementwise consumer; `why` says why one is not fusable.
static linalg::GenericOp getEpilogue(linalg::LinalgOp op, std::string &why) {
  Value result = op->getResult(0);
  linalg::GenericOp consumer;
  for (Operation *user : result.getUsers())
    if (auto generic = dyn_cast<linalg::GenericOp>(user);
        generic && linalg::isElementwise(generic))
      consumer = generic;
  if (!consumer)
    return nullptr;
  auto type = cast<RankedTensorType>(result.getType());
  if (!result.hasOneUse()) {
    why = "the contraction result has other users";
    return nullptr;
  }
  if (consumer.getNumDpsInits() != 1 || consumer->getNumResults() != 1 ||
      consumer.getNumLoops() != static_cast<unsigned>(type.getRank()) ||
      !consumer.getIndexingMapsArray().back().isIdentity()) {
    why = "the consumer does not write one result element per element";
    return nullptr;
  }
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    AffineMap map = consumer.getMatchingIndexingMap(input);
    if (input->get() == result) {
      if (!map.isIdentity()) {
        why = "the consumer reads the contraction result permuted";
        return nullptr;
      }
      continue;
    }
    auto inType = dyn_cast<RankedTensorType>(input->get().getType());
    if (inType && (!inType.hasStaticShape() ||
                   !map.isProjectedPermutation(/*allowZeroInResults=*/false))) {
      why = "another input of the consumer is not a static (broadcast) tensor";
      return nullptr;
    }
  }
  if (consumer.getDpsInits()[0] == result) {
    why = "the consumer writes into the contraction result";
    return nullptr;
  }
  return consumer;
}

/// Rewrites a linalg.generic on tensors whose operands are all single
/// elements into scalar code: tensor.extract of each input, the body, a
/// tensor.insert into the init.
static LogicalResult scalarizeUnitGeneric(RewriterBase &rewriter,
                                          linalg::GenericOp op) {
  for (Value v : op->getOperands())
    if (auto type = dyn_cast<RankedTensorType>(v.getType());
        type && (!type.hasStaticShape() || type.getNumElements() != 1))
      return failure();
  if (op->getNumResults() != 1)
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  IRMapping mapping;
  for (OpOperand &operand : op->getOpOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(&operand);
    if (arg.use_empty())
      continue;
    Value v = operand.get();
    if (auto type = dyn_cast<RankedTensorType>(v.getType()))
      v = tensor::ExtractOp::create(rewriter, loc, v,
                                    SmallVector<Value>(type.getRank(), zero));
    mapping.map(arg, v);
  }
  for (Operation &bodyOp : op.getBody()->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp))
      mapping.map(index.getResult(), zero);
    else
      rewriter.clone(bodyOp, mapping);
  }
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  Value init = op.getDpsInits()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  Value inserted = tensor::InsertOp::create(
      rewriter, loc, mapping.lookupOrDefault(yield.getValues()[0]), init,
      SmallVector<Value>(initType.getRank(), zero));
  rewriter.replaceOp(op, inserted);
  return success();
}

/// Distributes the block's epilogue tile `op` (rows x cols of the result,
/// after a leading unit batch dim) over the threads of the block: scf.for
/// loops over `rowThreads` x `colThreads` pieces, a forall over (row, column)
/// mapped to (#gpu.thread<y>, #gpu.thread<x>), one element per thread,
/// computed in scalars.
static LogicalResult distributeEpilogue(RewriterBase &rewriter,
                                        linalg::LinalgOp op, int64_t rowThreads,
                                        int64_t colThreads) {
  MLIRContext *ctx = op.getContext();
  unsigned rank = op.getNumLoops();
  SmallVector<int64_t> rowSizes(rank, 0), threadSizes(rank, 0);
  rowSizes[rank - 2] = rowThreads;
  rowSizes[rank - 1] = colThreads;
  threadSizes[rank - 2] = 1;
  threadSizes[rank - 1] = 1;
  FailureOr<linalg::LinalgOp> rows = tile(rewriter, op, rowSizes, {});
  if (failed(rows))
    return failure();
  FailureOr<linalg::LinalgOp> element =
      tile(rewriter, *rows, threadSizes,
           {gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::DimY),
            gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::DimX)});
  if (failed(element))
    return failure();
  auto generic = dyn_cast<linalg::GenericOp>(element->getOperation());
  return success(generic && succeeded(scalarizeUnitGeneric(rewriter, generic)));
}

/// The largest of `preferred`, `preferred / 2`, ..., 1 that divides `tiles`.
static int64_t fitWarps(int64_t tiles, int64_t preferred) {
  int64_t warps = std::max<int64_t>(preferred, 1);
  while (warps > 1 && tiles % warps)
    warps /= 2;
  return warps;
}

/// Stages input `index` of `op` (the K-step tile inside `kLoop`) in shared
/// memory. The operand must be `extract_slice(extract_slice(P, warp offsets),
/// K-step offsets)` with P the block tile (defined outside the warp forall):
/// the whole K-step slice of P is copied into a workgroup buffer
/// (`bufferization.alloc_tensor` in `#gpu.address_space<workgroup>`, `pad`
/// extra elements per row) and the warp reads its tile from that buffer.
///   %w = extract_slice %P[%wi, %k] [16, 16]
/// becomes
///   %s = linalg.copy ins(extract_slice %P[0, %k] [BM, 16])
///                    outs(extract_slice (alloc_tensor : BM x (16 + pad)))
///   %w = extract_slice %s[%wi, 0] [16, 16]
/// Every warp copies the same data: mica-gpu-map-forall shares the buffer
/// and distributes the copy over the threads of the block.
static LogicalResult stageInSharedMemory(RewriterBase &rewriter,
                                         scf::ForOp kLoop, linalg::LinalgOp op,
                                         unsigned index, int64_t pad,
                                         std::string &why) {
  Value operand = op.getDpsInputs()[index];
  auto kSlice = operand.getDefiningOp<tensor::ExtractSliceOp>();
  auto warpSlice =
      kSlice ? kSlice.getSource().getDefiningOp<tensor::ExtractSliceOp>()
             : tensor::ExtractSliceOp();
  auto warpLoop = kLoop->getParentOfType<scf::ForallOp>();
  if (!kSlice || !warpSlice || !warpLoop ||
      warpLoop->isAncestor(
          warpSlice.getSource().getParentRegion()->getParentOp()) ||
      !kSlice.hasUnitStride() || !warpSlice.hasUnitStride() ||
      kSlice.getSourceType().getRank() != kSlice.getResultType().getRank() ||
      warpSlice.getSourceType().getRank() !=
          warpSlice.getResultType().getRank()) {
    why = "operand is not a slice of the block tile";
    return failure();
  }
  auto blockType = cast<RankedTensorType>(warpSlice.getSourceType());
  if (!blockType.hasStaticShape()) {
    why = "block tile has a dynamic shape";
    return failure();
  }
  SmallVector<OpFoldResult> kOffsets = kSlice.getMixedOffsets();
  SmallVector<OpFoldResult> warpOffsets = warpSlice.getMixedOffsets();
  SmallVector<OpFoldResult> kSizes = kSlice.getMixedSizes();
  std::optional<unsigned> kDim;
  bool otherOffsets = false;
  for (auto [d, offset] : llvm::enumerate(kOffsets)) {
    if (dyn_cast_if_present<Value>(offset) == kLoop.getInductionVar())
      kDim = d;
    else if (!isZeroInteger(offset))
      otherOffsets = true;
  }
  if (!kDim || otherOffsets || !isZeroInteger(warpOffsets[*kDim])) {
    why = "operand is not sliced along the K loop";
    return failure();
  }

  // The K-step slice of the block tile, in a padded workgroup buffer.
  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(op);
  int64_t rank = blockType.getRank();
  SmallVector<OpFoldResult> stagedOffsets(rank, rewriter.getIndexAttr(0));
  SmallVector<int64_t> stagedShape(blockType.getShape());
  stagedOffsets[*kDim] = kOffsets[*kDim];
  std::optional<int64_t> kStep = getConstantIntValue(kSizes[*kDim]);
  if (!kStep) {
    why = "K step is not static";
    return failure();
  }
  stagedShape[*kDim] = *kStep;
  SmallVector<OpFoldResult> stagedSizes =
      getAsIndexOpFoldResult(ctx, stagedShape);
  SmallVector<OpFoldResult> ones(rank, rewriter.getIndexAttr(1));
  Value staged = tensor::ExtractSliceOp::create(
      rewriter, loc, warpSlice.getSource(), stagedOffsets, stagedSizes, ones);
  SmallVector<int64_t> paddedShape(stagedShape);
  paddedShape.back() += pad;
  auto workgroup = gpu::AddressSpaceAttr::get(
      ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
  Value buffer = bufferization::AllocTensorOp::create(
      rewriter, loc, blockType.clone(paddedShape), ValueRange(), Value(),
      Value(), workgroup);
  if (pad)
    buffer = tensor::ExtractSliceOp::create(
        rewriter, loc, buffer,
        SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(0)), stagedSizes,
        ones);
  Value copied =
      linalg::CopyOp::create(rewriter, loc, staged, buffer)->getResult(0);

  // The warp's tile of the staged slice.
  SmallVector<OpFoldResult> viewOffsets(warpOffsets);
  viewOffsets[*kDim] = rewriter.getIndexAttr(0);
  Value view = tensor::ExtractSliceOp::create(rewriter, loc, copied,
                                              viewOffsets, kSizes, ones);
  rewriter.modifyOpInPlace(op, [&] { op->setOperand(index, view); });
  return success();
}

/// The constant a `linalg.fill` writes into `init`, if it does.
static std::optional<TypedAttr> getFillConstant(Value init,
                                                linalg::FillOp &fill) {
  fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return std::nullopt;
  auto constant = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  return constant.getValue();
}

FailureOr<scf::ForallOp>
mica::tileContractionForTensorCores(RewriterBase &rewriter, linalg::LinalgOp op,
                                    const GPUArchInfo &arch,
                                    std::string *notes) {
  if (!getTensorCoreMismatch(op).empty())
    return failure();
  auto note = [&](const Twine &text) {
    if (notes)
      *notes += (notes->empty() ? "" : "; ") + text.str();
  };
  linalg::FillOp fill;
  std::optional<TypedAttr> fillValue =
      getFillConstant(op.getDpsInits()[0], fill);
  FailureOr<ContractionLoops> loops = getLoops(op);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  MLIRContext *ctx = op.getContext();

  // Generic form, operands row-major.
  linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> generalized =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generalized))
      return failure();
    generic = *generalized;
  }
  makeOperandsRowMajor(rewriter, generic, *loops);

  // Blocks: batch -> z, M -> y, N -> x.
  // Per warp fragmentsM x fragmentsN MMA tiles, warpsM x warpsN warps per
  // block, as many of each as divide the shape.
  int64_t mmaN = arch.warpTileN();
  int64_t tilesM = ranges[loops->m] / kTile, tilesN = ranges[loops->n] / mmaN;
  int64_t fragsM = fitWarps(tilesM, arch.fragmentsM);
  int64_t fragsN = fitWarps(tilesN, arch.fragmentsN);
  int64_t warpsM = fitWarps(tilesM / fragsM, arch.warpsM);
  int64_t warpsN = fitWarps(tilesN / fragsN, arch.warpsN);
  int64_t warpM = kTile * fragsM, warpN = mmaN * fragsN;
  unsigned numLoops = ranges.size();
  SmallVector<int64_t> blockSizes(numLoops, 0), warpSizes(numLoops, 0),
      kSizes(numLoops, 0);
  SmallVector<Attribute> blockMap, warpMap;
  for (unsigned d = 0; d < numLoops; ++d) {
    if (loops->batch && d == *loops->batch) {
      blockSizes[d] = 1;
      blockMap.push_back(
          gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimZ));
    } else if (d == loops->m) {
      blockSizes[d] = warpsM * warpM;
      warpSizes[d] = warpM;
      blockMap.push_back(
          gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimY));
      warpMap.push_back(
          gpu::GPUWarpMappingAttr::get(ctx, gpu::MappingId::DimY));
    } else if (d == loops->n) {
      blockSizes[d] = warpsN * warpN;
      warpSizes[d] = warpN;
      blockMap.push_back(
          gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX));
      warpMap.push_back(
          gpu::GPUWarpMappingAttr::get(ctx, gpu::MappingId::DimX));
    } else if (d == loops->k) {
      kSizes[d] = kTile;
    }
  }
  // An elementwise consumer (bias, activation) becomes the epilogue of the
  // kernel when the init is a constant fill: the block's C tile lives in
  // shared memory and the consumer's block tile is computed from it.
  std::string epilogueWhy;
  linalg::GenericOp epilogue = getEpilogue(generic, epilogueWhy);
  if (epilogue && !fillValue) {
    epilogue = nullptr;
    epilogueWhy = "the accumulator init is not a constant fill";
  }
  if (!epilogue && !epilogueWhy.empty())
    note("elementwise consumer not fused: " + epilogueWhy);

  Operation *blockLoop = nullptr;
  FailureOr<linalg::LinalgOp> tiled = failure();
  linalg::LinalgOp epilogueTile;
  if (epilogue) {
    // The consumer's loops are the result dims; tile it to blocks and fuse
    // the contraction into the block loop (upstream tile-and-fuse).
    AffineMap outMap = generic.getIndexingMapsArray().back();
    SmallVector<int64_t> sizes;
    SmallVector<Attribute> mapping;
    for (unsigned r = 0; r < outMap.getNumResults(); ++r) {
      unsigned d = outMap.getDimPosition(r);
      sizes.push_back(blockSizes[d]);
      mapping.push_back(
          blockMap[llvm::count_if(llvm::seq<unsigned>(0, d),
                                  [&](unsigned e) { return blockSizes[e]; })]);
    }
    scf::SCFTileAndFuseOptions options;
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(ctx, sizes))
        .setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
        .setMapping(mapping);
    options.setTilingOptions(tiling);
    Operation *contraction = generic;
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer, bool)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (producer.getOwner() != contraction)
            return std::nullopt;
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        });
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> fused =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(fused) || fused->loops.size() != 1)
      return failure();
    for (Operation *t : fused->tiledAndFusedOps) {
      auto linalgOp = dyn_cast<linalg::LinalgOp>(t);
      if (!linalgOp)
        continue;
      if (linalgOp.getNumReductionLoops())
        tiled = linalgOp;
      else
        epilogueTile = linalgOp;
    }
    if (failed(tiled) || !epilogueTile)
      return failure();
    rewriter.replaceAllUsesWith(epilogue->getResult(0),
                                fused->replacements[epilogue->getResult(0)]);
    blockLoop = fused->loops.front();
    // The block's C tile: a workgroup buffer (written from the
    // accumulators, read by the epilogue).
    OpOperand &init = tiled->getDpsInitsMutable()[0];
    rewriter.setInsertionPoint(*tiled);
    Value cTile = bufferization::AllocTensorOp::create(
        rewriter, tiled->getLoc(), init.get().getType(), ValueRange(), Value(),
        Value(),
        gpu::AddressSpaceAttr::get(
            ctx, gpu::GPUDialect::getWorkgroupAddressSpace()));
    rewriter.modifyOpInPlace(*tiled, [&] { init.set(cTile); });
  } else {
    tiled = tile(rewriter, generic, blockSizes, blockMap, &blockLoop);
  }
  if (failed(tiled))
    return failure();
  tiled = tile(rewriter, *tiled, warpSizes, warpMap);
  if (failed(tiled))
    return failure();
  Operation *kLoop = nullptr;
  tiled = tile(rewriter, *tiled, kSizes, {}, &kLoop);
  if (failed(tiled))
    return failure();
  auto kFor = dyn_cast_or_null<scf::ForOp>(kLoop);
  // The fused epilogue relies on the init being written in the kernel.
  if (epilogue && (!kFor || kFor.getInitArgs().size() != 1))
    return failure();

  // A constant init (the zero fill of a dense layer) is written into the
  // warp tile right before the K loop instead of by a separate kernel: once
  // the accumulator is hoisted, it starts as a constant in registers.
  if (fillValue && kFor && kFor.getInitArgs().size() == 1) {
    Value init = kFor.getInitArgs()[0];
    auto type = cast<RankedTensorType>(init.getType());
    rewriter.setInsertionPoint(kFor);
    Location loc = kFor.getLoc();
    auto vectorType = VectorType::get(type.getShape(), type.getElementType());
    Value splat = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(vectorType, cast<Attribute>(*fillValue)));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value written = vector::TransferWriteOp::create(
                        rewriter, loc, splat, init,
                        SmallVector<Value>(type.getRank(), zero),
                        SmallVector<bool>(type.getRank(), true))
                        ->getResult(0);
    rewriter.modifyOpInPlace(
        kFor, [&] { kFor.getInitArgsMutable()[0].assign(written); });
    auto blockForall = cast<scf::ForallOp>(blockLoop);
    if (blockForall.getOutputs().size() == 1 &&
        blockForall.getOutputs()[0] == fill.getResult(0))
      rewriter.modifyOpInPlace(blockForall, [&] {
        blockForall.getOutputsMutable()[0].assign(fill.getOutputs()[0]);
      });
  } else if (fill) {
    note("accumulator init is not a constant fill: read from memory");
  }

  // The epilogue: one element per thread, rows of the block in steps of
  // warpsM (the thread grid is 32 * warpsN x warpsM).
  if (epilogue &&
      failed(distributeEpilogue(rewriter, epilogueTile, warpsM, 32 * warpsN)))
    return failure();

  // A and B K-step tiles through shared memory.
  if (arch.stageShared) {
    for (unsigned i = 0; i < 2; ++i) {
      std::string why;
      if (!kFor || failed(stageInSharedMemory(rewriter, kFor, *tiled, i,
                                              arch.sharedPad, why)))
        note(Twine("operand ") + (i ? "B" : "A") +
             " not staged in shared memory: " +
             (kFor ? why : std::string("no K loop")));
    }
  }

  // The 16x16x16 (x1) tile as vector ops.
  rewriter.setInsertionPoint(*tiled);
  FailureOr<linalg::VectorizationResult> vectorized =
      linalg::vectorize(rewriter, *tiled);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(*tiled, vectorized->replacements);
  if (kLoop)
    kLoop->setAttr(kAccumulatorLoop, rewriter.getUnitAttr());
  return cast<scf::ForallOp>(blockLoop);
}

void mica::hoistTensorCoreAccumulators(RewriterBase &rewriter,
                                       Operation *root) {
  SmallVector<scf::ForOp> kLoops;
  root->walk([&](scf::ForOp loop) {
    if (loop->removeAttr(kAccumulatorLoop))
      kLoops.push_back(loop);
  });
  // Upstream hoisting of the loop-invariant transfer_read/transfer_write pair
  // of the accumulator into a vector iter_arg.
  for (scf::ForOp loop : kLoops)
    (void)hoistLoopInvariantSubsets(rewriter, loop);
}

/// The MMA shape for the unrolling of a warp tile's vector ops: contracts
/// to m16 x n x k16, A reads to 16 x 16, B reads, accumulator reads and
/// writes to 16 x n.
static std::optional<SmallVector<int64_t>> getMMAShape(Operation *op,
                                                       int64_t n) {
  if (auto contract = dyn_cast<vector::ContractionOp>(op))
    if (contract.getIteratorTypes().size() == 3)
      return SmallVector<int64_t>{kTile, n, kTile};
  if (auto read = dyn_cast<vector::TransferReadOp>(op)) {
    if (read.getVectorType().getRank() != 2)
      return std::nullopt;
    // A (the lhs of a contraction, maybe through the slices of an already
    // unrolled contraction) is 16 x 16.
    SmallVector<std::pair<Operation *, Value>> users;
    for (Operation *user : read->getUsers())
      users.push_back({user, read.getResult()});
    for (unsigned i = 0; i < users.size(); ++i) {
      auto [user, value] = users[i];
      if (auto contract = dyn_cast<vector::ContractionOp>(user);
          contract && contract.getLhs() == value)
        return SmallVector<int64_t>{kTile, kTile};
      if (isa<vector::ExtractStridedSliceOp>(user))
        for (Operation *next : user->getUsers())
          users.push_back({next, user->getResult(0)});
    }
    return SmallVector<int64_t>{kTile, n};
  }
  if (auto write = dyn_cast<vector::TransferWriteOp>(op))
    if (write.getVectorType().getRank() == 2)
      return SmallVector<int64_t>{kTile, n};
  return std::nullopt;
}

void mica::populateTensorCoreContractPatterns(RewritePatternSet &patterns,
                                              const GPUArchInfo *arch) {
  if (arch) {
    int64_t n = arch->warpTileN();
    vector::populateVectorUnrollPatterns(
        patterns, vector::UnrollVectorOptions().setNativeShapeFn(
                      [n](Operation *op) { return getMMAShape(op, n); }));
  }
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateFoldArithExtensionPatterns(patterns);
  vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  MLIRContext *ctx = patterns.getContext();
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    if (name.getDialectNamespace() == "vector")
      name.getCanonicalizationPatterns(patterns, ctx);
}

namespace {
/// Thin shell over tileContractionForTensorCores and
/// populateTensorCoreContractPatterns; remarks for the SIMT fallbacks.
struct MicaGPUTileContractionsPass
    : mica::impl::MicaGPUTileContractionsBase<MicaGPUTileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::optional<mica::GPUArchInfo> arch =
        mica::requireGPUArch(func, "mica-gpu-tile-contractions", gpuArch);
    if (!arch)
      return signalPassFailure();
    arch = mica::withMMAKind(*arch, mma);
    if (arch)
      arch->stageShared &= sharedMemory;
    if (!arch) {
      emitError(func.getLoc())
          << "mica-gpu-tile-contractions: mma must be auto, wmma or mma.sync "
             "(sm_80 and newer), not '"
          << mma.getValue() << "' for " << gpuArch.getValue();
      return signalPassFailure();
    }
    // An elementwise consumer that reads a TensorCore contraction through
    // an expand_shape (a dense layer's bias on [batch, seq, hidden]) is
    // collapsed to the contraction's dims (upstream reshape folding by
    // collapsing), so it can become the kernel's epilogue.
    if (arch->stageShared) {
      RewritePatternSet reshapes(&getContext());
      linalg::populateFoldReshapeOpsByCollapsingPatterns(
          reshapes, [](OpOperand *operand) {
            auto expand = operand->get().getDefiningOp<tensor::ExpandShapeOp>();
            auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
            auto producer =
                expand ? expand.getSrc().getDefiningOp<linalg::LinalgOp>()
                       : linalg::LinalgOp();
            return consumer && linalg::isElementwise(consumer) && producer &&
                   linalg::isaContractionOpInterface(producer) &&
                   mica::getTensorCoreMismatch(producer).empty();
          });
      if (failed(applyPatternsGreedily(func, std::move(reshapes))))
        return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> contractions;
    func.walk([&](linalg::LinalgOp op) {
      if (linalg::isaContractionOpInterface(op) && op.hasPureTensorSemantics())
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : contractions) {
      std::string why = mica::getTensorCoreMismatch(op);
      std::string notes;
      Location loc = op.getLoc();
      OperationName name = op->getName();
      if (why.empty() && failed(mica::tileContractionForTensorCores(
                             rewriter, op, *arch, &notes)))
        why = "tiling or vectorization failed";
      if (!why.empty() && remarks)
        emitRemark(loc) << "mica-gpu-tile-contractions: SIMT fallback for "
                        << name << ": " << why;
      else if (!notes.empty() && remarks)
        emitRemark(loc) << "mica-gpu-tile-contractions: " << name << ": "
                        << notes;
    }
    RewritePatternSet patterns(&getContext());
    mica::populateTensorCoreContractPatterns(patterns);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    // Warp tiles of several MMA tiles: unrolled to the MMA shape once the
    // contractions are formed.
    RewritePatternSet unroll(&getContext());
    mica::populateTensorCoreContractPatterns(unroll, &*arch);
    if (failed(applyPatternsGreedily(func, std::move(unroll))))
      return signalPassFailure();
    mica::hoistTensorCoreAccumulators(rewriter, func);
  }
};
} // namespace
