//===- Contraction.cpp - register-blocked matmul kernels (mica-cpu-contraction)
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Rewrites f32 linalg.matmul / linalg.batch_matmul into explicit vector
/// kernels on tensors (see Passes.td for the schedule). The IR stays at
/// tensor level so one-shot bufferization places it in the same buffers as
/// the rest of the model. With precision=bf16, contractions with constant
/// weights become AVX-512 BF16 dot-product kernels (bf16 inputs, f32
/// accumulation).
///
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"
#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>

namespace mica {
#define GEN_PASS_DEF_MICACPUCONTRACTION
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

namespace {

/// What the kernel generator needs to know about one contraction
/// C[b, m, n] (+)= sum_k A[b, m, k] * B[b, k, n] (batch dims optional).
struct Contraction {
  Value a, b, init;
  bool batched = false;
  /// B is indexed (n, k) instead of (k, n).
  bool bTransposed = false;
};

/// Classifies `op` or says why it is not handled.
FailureOr<Contraction> analyze(linalg::LinalgOp op, std::string &why) {
  auto isF32 = [](Value v) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.getElementType().isF32();
  };
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureTensorSemantics()) {
    why = "not a two-input contraction on tensors";
    return failure();
  }
  Contraction c;
  c.a = op.getDpsInputs()[0];
  c.b = op.getDpsInputs()[1];
  c.init = op.getDpsInits()[0];
  if (!isF32(c.a) || !isF32(c.b) || !isF32(c.init)) {
    why = "element type is not f32";
    return failure();
  }
  MLIRContext *ctx = op->getContext();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto dims = [&](unsigned n, ArrayRef<unsigned> ids) {
    SmallVector<AffineExpr> e;
    for (unsigned i : ids)
      e.push_back(getAffineDimExpr(i, ctx));
    return AffineMap::get(n, 0, e, ctx);
  };
  if (isa<linalg::MatmulOp>(op)) {
    if (maps[0] != dims(3, {0, 2}) || maps[2] != dims(3, {0, 1})) {
      why = "A or C indexing map is not the plain (m, k) / (m, n)";
      return failure();
    }
    if (maps[1] == dims(3, {1, 2}))
      c.bTransposed = true;
    else if (maps[1] != dims(3, {2, 1})) {
      why = "B indexing map is neither (k, n) nor (n, k)";
      return failure();
    }
    return c;
  }
  if (isa<linalg::BatchMatmulOp>(op)) {
    c.batched = true;
    if (maps[0] != dims(4, {0, 1, 3}) || maps[2] != dims(4, {0, 1, 2})) {
      why = "A or C indexing map is not the plain (b, m, k) / (b, m, n)";
      return failure();
    }
    if (maps[1] == dims(4, {0, 2, 3}))
      c.bTransposed = true;
    else if (maps[1] != dims(4, {0, 3, 2})) {
      why = "B indexing map is neither (b, k, n) nor (b, n, k)";
      return failure();
    }
    return c;
  }
  why = "not a matmul or batch_matmul";
  return failure();
}

/// The bytes of `v` when it is a constant, or a static slice or reshape of
/// one (the per-direction weights a recurrence lowering slices out of its
/// [D, 4H, I] constant): such B operands are packed at compile time too.
std::optional<std::vector<char>> foldConstantBytes(Value v) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr))) {
    if (auto elements = dyn_cast<ElementsAttr>(attr))
      return getConstantBytes(elements);
    return std::nullopt;
  }
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def))
    return foldConstantBytes(def->getOperand(0));
  auto slice = dyn_cast<tensor::ExtractSliceOp>(def);
  if (!slice || !slice.hasUnitStride() ||
      !slice.getSourceType().hasStaticShape() ||
      ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
      ShapedType::isDynamicShape(slice.getStaticSizes()))
    return std::nullopt;
  std::optional<std::vector<char>> bytes = foldConstantBytes(slice.getSource());
  if (!bytes)
    return std::nullopt;
  size_t elementBytes =
      getElementByteWidth(slice.getSourceType().getElementType());
  SmallVector<int64_t> shape(slice.getSourceType().getShape());
  for (auto [axis, off, size] :
       llvm::enumerate(slice.getStaticOffsets(), slice.getStaticSizes())) {
    if (off == 0 && size == shape[axis])
      continue;
    *bytes = sliceBytes(*bytes, shape, axis, off, size, elementBytes);
    shape[axis] = size;
  }
  return bytes;
}

/// An elementwise consumer of a contraction that the kernel applies to the
/// accumulators before it stores them: a linalg.generic with only parallel
/// loops that reads the contraction's result (directly or through one
/// tensor.expand_shape) with the identity map, and its other operands (bias,
/// residual, mask, scalars) with projected permutations.
struct Epilogue {
  linalg::GenericOp generic;
  /// The expand_shape between the contraction and `generic`, or null.
  tensor::ExpandShapeOp expand;
  /// Per result dim of the contraction ([b,] m, n): the generic's loop dims
  /// it expands to (one each without `expand`).
  SmallVector<ReassociationIndices> groups;
  /// The generic's inputs that are the contraction's result.
  llvm::SmallBitVector isAcc;
};

/// The epilogue of `op`, or failure with `why` saying why its consumer
/// cannot be one (`why` stays empty when the consumer is not an elementwise
/// generic at all, e.g. a transpose, a reduction or the function's return).
FailureOr<Epilogue> matchEpilogue(linalg::LinalgOp op, int64_t vectorWidth,
                                  std::string &why) {
  Value result = op->getResult(0);
  auto isGeneric = [](Operation *user) {
    if (isa<tensor::ExpandShapeOp>(user))
      return llvm::any_of(user->getUsers(), [](Operation *u) {
        return isa<linalg::GenericOp>(u);
      });
    return isa<linalg::GenericOp>(user);
  };
  if (result.use_empty())
    return failure();
  if (!result.hasOneUse() ||
      (isa<tensor::ExpandShapeOp>(*result.getUsers().begin()) &&
       !(*result.getUsers().begin())->hasOneUse())) {
    if (llvm::any_of(result.getUsers(), isGeneric))
      why = "the product has several users";
    return failure();
  }
  Epilogue e;
  Operation *user = *result.getUsers().begin();
  Value read = result;
  auto resultType = cast<RankedTensorType>(result.getType());
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
    e.expand = expand;
    e.groups = expand.getReassociationIndices();
    read = expand.getResult();
    user = *expand->getUsers().begin();
  } else {
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      e.groups.push_back({d});
  }
  e.generic = dyn_cast<linalg::GenericOp>(user);
  if (!e.generic)
    return failure();
  linalg::GenericOp g = e.generic;
  auto fail = [&](const Twine &reason) {
    why = reason.str();
    return failure();
  };
  if (!g.hasPureTensorSemantics() || g.getNumDpsInits() != 1)
    return fail("the consumer is not a one-result generic on tensors");
  if (g.getNumParallelLoops() != g.getNumLoops())
    return fail("the consumer has reduction loops");
  auto readType = cast<RankedTensorType>(read.getType());
  if (g.getNumLoops() != static_cast<unsigned>(readType.getRank()))
    return fail("the consumer's loops do not match the product's shape");
  OpOperand *init = g.getDpsInitOperand(0);
  if (!g.getMatchingIndexingMap(init).isIdentity())
    return fail("the consumer writes its result with a non-identity map");
  if (!g.getMatchingBlockArgument(init).use_empty())
    return fail("the consumer reads its output tensor");
  if (!getElementTypeOrSelf(init->get().getType()).isIntOrFloat())
    return fail("the consumer's result is not of an integer or float type");

  ReassociationIndices cols = e.groups.back();
  int64_t inner = cols.back();
  SmallVector<int64_t> ranges = g.getStaticLoopRanges();
  if (cols.size() > 1 && (ShapedType::isDynamic(ranges[inner]) ||
                          ranges[inner] % vectorWidth != 0))
    return fail("the columns are reshaped into rows of " +
                Twine(ShapedType::isDynamic(ranges[inner])
                          ? std::string("dynamic size")
                          : std::to_string(ranges[inner])) +
                ", not a multiple of the vector width " + Twine(vectorWidth));
  e.isAcc.resize(g.getNumDpsInputs());
  for (OpOperand *in : g.getDpsInputOperands()) {
    AffineMap map = g.getMatchingIndexingMap(in);
    unsigned i = in->getOperandNumber();
    if (in->get() == read) {
      if (!map.isIdentity())
        return fail("the consumer reads the product with a non-identity map");
      e.isAcc.set(i);
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(in->get().getType());
    if (!type || !type.getElementType().isIntOrFloat())
      return fail("operand " + Twine(i) +
                  " is not a tensor of integers or floats");
    if (!map.isProjectedPermutation())
      return fail("operand " + Twine(i) +
                  " is read with a map that is not a projected permutation");
    // Within a vector only the innermost column dim varies: an operand that
    // reads it must read it last (contiguously).
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      if (map.getDimPosition(r) == inner && r + 1 != map.getNumResults())
        return fail("operand " + Twine(i) + " reads the columns transposed");
  }
  if (e.isAcc.none())
    return fail("the consumer does not read the product");
  for (Operation &payload : g.getBody()->without_terminator()) {
    if (isa<linalg::IndexOp>(payload))
      return fail("the consumer uses linalg.index");
    bool scalars = llvm::all_of(payload.getOperandTypes(),
                                [](Type t) { return t.isIntOrFloat(); }) &&
                   llvm::all_of(payload.getResultTypes(),
                                [](Type t) { return t.isIntOrFloat(); });
    if (!scalars)
      return fail("the consumer computes on non-scalar values ('" +
                  payload.getName().getStringRef() + "')");
    if (isa<arith::ConstantOp>(payload))
      continue;
    if (payload.getNumRegions() != 0 ||
        !OpTrait::hasElementwiseMappableTraits(&payload))
      return fail("'" + payload.getName().getStringRef() +
                  "' in the consumer is not elementwise-mappable");
  }
  return e;
}

/// True when `init` is a linalg.fill of a constant.
bool hasConstantFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_Constant());
}

/// Emits the kernel of one contraction in place of `op`.
class KernelEmitter {
public:
  KernelEmitter(RewriterBase &rewriter, linalg::LinalgOp op,
                const Contraction &c, unsigned threads, bool packWeights,
                int64_t minParallelMacs, int64_t colSplitRatio, bool bf16,
                Epilogue *epilogue)
      : rw(rewriter), op(op), c(c), threads(threads), loc(op.getLoc()),
        packWeights(packWeights), minParallelMacs(minParallelMacs),
        colSplitRatio(colSplitRatio), wantBF16(bf16), epi(epilogue) {}

  /// Replaces `op` (and its epilogue's generic, when given) by its kernel
  /// (every contraction analyze() accepts has one).
  void run();

private:
  Value cst(int64_t v) { return arith::ConstantIndexOp::create(rw, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(rw, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(rw, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(rw, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(rw, loc, x, y); }
  Value dim(Value t, int64_t d) {
    return rw.createOrFold<tensor::DimOp>(loc, t, d);
  }
  /// Index list with the batch index first when batched.
  SmallVector<Value> idx(Value bIdx, Value x, Value y) {
    if (c.batched)
      return {bIdx, x, y};
    return {x, y};
  }

  /// Calls `fn(panel, k, lane, B[k][panel * nr + lane])` for every element
  /// of the constant f32 B (in (k, n) or (n, k) layout) in `bytes`.
  void
  forEachPanelElement(ArrayRef<char> bytes, int64_t k, int64_t n,
                      function_ref<void(int64_t, int64_t, int64_t, float)> fn);
  /// Packs a constant (k, n) or (n, k) B into [ceil(N/nr)][K][nr] panels.
  Value packConstantB(ArrayRef<char> bytes, int64_t k, int64_t n);
  /// Packs a constant B as bf16 into K-pair interleaved panels
  /// [ceil(N/nr)][ceil(K/2)][nr][2], stored as [..][ceil(K/2)][2 * nr]:
  /// element (p, q, 2 * l + j) is B[2q + j][p * nr + l] (zero past K or N).
  Value packConstantBF16(ArrayRef<char> bytes, int64_t k, int64_t n);
  /// Adds the accumulators to (or writes them over) the tile of `out` at
  /// local row `i`, column `j` (global: batch `bGlob`, `gRow`, `gCol`),
  /// through the epilogue when there is one.
  Value writeTile(Value out, ValueRange accs, int64_t mr, bool full,
                  Value bLocal, Value i, Value j, Value bGlob, Value gRow,
                  Value gCol);
  /// The epilogue's payload on the vector `acc` of the product at (batch
  /// `bGlob`, row `row`, columns [col, col + vectorWidth)).
  Value applyEpilogue(Value acc, Value bGlob, Value row, Value col, bool full);
  /// The bf16 K loop of one tile: `vdpbf16ps` on broadcast A pairs.
  SmallVector<Value> emitBF16KLoop(ValueRange inits, int64_t mr, Value panel,
                                   Value gRow);
  /// Emits the loops over the rows [0, rows) and columns [0, cols) of the
  /// local output `out` whose element (b, i, j) is model element
  /// (bOff + b, rOff + i, cOff + j). Returns the updated `out`.
  Value emitRegion(Value out, Value bOff, Value rOff, Value cOff, Value bCnt,
                   Value rows, Value cols);
  /// One `mr` x nr register tile at local row `i`, column `j`.
  Value emitTile(Value out, int64_t mr, bool full, Value bLocal, Value bGlob,
                 Value i, Value rOff, Value j, Value cOff);

  RewriterBase &rw;
  linalg::LinalgOp op;
  Contraction c;
  unsigned threads;
  Location loc;
  bool packWeights;
  int64_t minParallelMacs;
  /// Split B's columns over threads when N >= colSplitRatio * M: B is then
  /// the larger operand and each thread streams only its share of it.
  int64_t colSplitRatio;
  ContractionStrategy s;
  Value a, b, k;
  bool packed = false;
  /// precision=bf16 was asked for; `useBF16`: this contraction got the bf16
  /// kernel (B packed as bf16, `aBF16` is A rounded to bf16).
  bool wantBF16;
  bool useBF16 = false;
  Value aBF16;
  int64_t staticKValue = 0;
  /// The initial accumulator when the init is a constant fill (then `out`
  /// starts from the fill's destination and C is never read).
  Value fillValue;
  /// The fused elementwise consumer, or null; the sizes of its loops and
  /// the product's column count.
  Epilogue *epi;
  SmallVector<Value> loopSizes;
  Value numCols;
};

void KernelEmitter::forEachPanelElement(
    ArrayRef<char> bytes, int64_t k, int64_t n,
    function_ref<void(int64_t, int64_t, int64_t, float)> fn) {
  const float *src = reinterpret_cast<const float *>(bytes.data());
  int64_t nr = s.nr(), panels = (n + nr - 1) / nr;
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t l = 0; l < nr; ++l) {
        int64_t col = p * nr + l;
        if (col < n)
          fn(p, kk, l, c.bTransposed ? src[col * k + kk] : src[kk * n + col]);
      }
}

Value KernelEmitter::packConstantB(ArrayRef<char> bytes, int64_t k, int64_t n) {
  if (bytes.size() != static_cast<size_t>(k * n * 4))
    return {};
  int64_t nr = s.nr(), panels = (n + nr - 1) / nr;
  std::vector<char> out(static_cast<size_t>(panels * k * nr * 4), 0);
  float *dst = reinterpret_cast<float *>(out.data());
  forEachPanelElement(bytes, k, n,
                      [&](int64_t p, int64_t kk, int64_t l, float v) {
                        dst[(p * k + kk) * nr + l] = v;
                      });
  auto type = RankedTensorType::get({panels, k, nr}, rw.getF32Type());
  ElementsAttr packedAttr = makeConstant(
      type, llvm::ArrayRef<char>(out.data(), out.size()), "packed_weights");
  return arith::ConstantOp::create(rw, loc, cast<TypedAttr>(packedAttr));
}

/// Rounds an f32 to bf16, to nearest even (what vcvtneps2bf16 and
/// arith.truncf do); NaN stays a quiet NaN.
static uint16_t toBF16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

Value KernelEmitter::packConstantBF16(ArrayRef<char> bytes, int64_t k,
                                      int64_t n) {
  if (bytes.size() != static_cast<size_t>(k * n * 4))
    return {};
  int64_t nr = s.nr(), panels = (n + nr - 1) / nr, pairs = (k + 1) / 2;
  std::vector<char> out(static_cast<size_t>(panels * pairs * nr * 2 * 2), 0);
  uint16_t *dst = reinterpret_cast<uint16_t *>(out.data());
  forEachPanelElement(
      bytes, k, n, [&](int64_t p, int64_t kk, int64_t l, float v) {
        dst[((p * pairs + kk / 2) * nr + l) * 2 + kk % 2] = toBF16(v);
      });
  auto type = RankedTensorType::get({panels, pairs, 2 * nr}, rw.getBF16Type());
  ElementsAttr packedAttr =
      makeConstant(type, llvm::ArrayRef<char>(out.data(), out.size()),
                   "packed_weights_bf16");
  return arith::ConstantOp::create(rw, loc, cast<TypedAttr>(packedAttr));
}

SmallVector<Value> KernelEmitter::emitBF16KLoop(ValueRange inits, int64_t mr,
                                                Value panel, Value gRow) {
  int64_t nv = s.nrVectors, vw = s.vectorWidth;
  Type bf16 = rw.getBF16Type();
  auto pairTy = VectorType::get({2}, bf16);
  auto bTy = VectorType::get({2 * vw}, bf16);
  auto i32Ty = VectorType::get({vw}, rw.getI32Type());
  Value zero = arith::ConstantOp::create(rw, loc, rw.getFloatAttr(bf16, 0.0));
  // One step over the K pair `q`: B's panel row (2 x nr bf16), and per row
  // the pair (A[m][2q], A[m][2q+1]) broadcast as a 32-bit pattern.
  // `lastOdd`: the pair past an odd K, whose second A element is padding.
  auto step = [&](Value q, ValueRange accs, bool lastOdd) {
    SmallVector<Value> bv;
    for (int64_t v = 0; v < nv; ++v)
      bv.push_back(vector::TransferReadOp::create(
          rw, loc, bTy, b, ValueRange{panel, q, cst(v * 2 * vw)}, zero,
          ArrayRef<bool>{true}));
    Value kk = mul(q, cst(2));
    SmallVector<Value> next(accs.begin(), accs.end());
    for (int64_t r = 0; r < mr; ++r) {
      Value pair = vector::TransferReadOp::create(
          rw, loc, pairTy, aBF16, ValueRange{add(gRow, cst(r)), kk}, zero,
          ArrayRef<bool>{!lastOdd});
      Value word = vector::BitCastOp::create(
          rw, loc, VectorType::get({1}, rw.getI32Type()), pair);
      Value scalar = vector::ExtractOp::create(rw, loc, word, 0);
      Value splat = vector::BroadcastOp::create(rw, loc, i32Ty, scalar);
      Value ab = vector::BitCastOp::create(rw, loc, bTy, splat);
      for (int64_t v = 0; v < nv; ++v)
        next[r * nv + v] = x86vector::DotBF16Op::create(
            rw, loc, next[r * nv + v].getType(), next[r * nv + v], ab, bv[v]);
    }
    return next;
  };
  int64_t fullPairs = staticKValue / 2;
  auto loop =
      scf::ForOp::create(rw, loc, cst(0), cst(fullPairs), cst(1), inits,
                         [&](OpBuilder &, Location, Value q, ValueRange accs) {
                           scf::YieldOp::create(rw, loc, step(q, accs, false));
                         });
  if (staticKValue % 2 == 0)
    return SmallVector<Value>(loop.getResults());
  // Odd K: one more step whose A pair is read with a bound check (the
  // padded element is 0, like B's padding row).
  return step(cst(fullPairs), loop.getResults(), true);
}

Value KernelEmitter::emitTile(Value out, int64_t mr, bool full, Value bLocal,
                              Value bGlob, Value i, Value rOff, Value j,
                              Value cOff) {
  int64_t nv = s.nrVectors, vw = s.vectorWidth;
  auto vecTy = VectorType::get({vw}, rw.getF32Type());
  Value zero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0.0f));
  Value accInit = vector::BroadcastOp::create(
      rw, loc, vecTy, fillValue ? fillValue : zero);
  SmallVector<Value> inits(mr * nv, accInit);
  Value gRow = add(rOff, i), gCol = add(cOff, j);
  Value panel;
  if (packed)
    panel = arith::DivUIOp::create(rw, loc, gCol, cst(s.nr()));
  if (useBF16)
    return writeTile(out, emitBF16KLoop(inits, mr, panel, gRow), mr, full,
                     bLocal, i, j, bGlob, gRow, gCol);
  auto loop = scf::ForOp::create(
      rw, loc, cst(0), k, cst(1), inits,
      [&](OpBuilder &, Location, Value kk, ValueRange accs) {
        SmallVector<Value> bv;
        for (int64_t v = 0; v < nv; ++v) {
          if (packed) {
            bv.push_back(vector::TransferReadOp::create(
                rw, loc, vecTy, b, ValueRange{panel, kk, cst(v * vw)}, zero,
                ArrayRef<bool>{true}));
            continue;
          }
          bv.push_back(vector::TransferReadOp::create(
              rw, loc, vecTy, b, idx(bGlob, kk, add(gCol, cst(v * vw))), zero,
              ArrayRef<bool>{full}));
        }
        SmallVector<Value> next(accs.begin(), accs.end());
        for (int64_t r = 0; r < mr; ++r) {
          Value av = tensor::ExtractOp::create(
              rw, loc, a, idx(bGlob, add(gRow, cst(r)), kk));
          Value ab = vector::BroadcastOp::create(rw, loc, vecTy, av);
          for (int64_t v = 0; v < nv; ++v)
            next[r * nv + v] =
                vector::FMAOp::create(rw, loc, ab, bv[v], next[r * nv + v]);
        }
        scf::YieldOp::create(rw, loc, next);
      });
  return writeTile(out, loop.getResults(), mr, full, bLocal, i, j, bGlob, gRow,
                   gCol);
}

Value KernelEmitter::writeTile(Value out, ValueRange accs, int64_t mr,
                               bool full, Value bLocal, Value i, Value j,
                               Value bGlob, Value gRow, Value gCol) {
  int64_t nv = s.nrVectors, vw = s.vectorWidth;
  auto vecTy = VectorType::get({vw}, rw.getF32Type());
  Value zero = arith::ConstantOp::create(rw, loc, rw.getF32FloatAttr(0.0f));
  for (int64_t r = 0; r < mr; ++r)
    for (int64_t v = 0; v < nv; ++v) {
      Value val = accs[r * nv + v];
      SmallVector<Value> at = idx(bLocal, add(i, cst(r)), add(j, cst(v * vw)));
      if (!fillValue) {
        Value prev = vector::TransferReadOp::create(rw, loc, vecTy, out, at,
                                                    zero, ArrayRef<bool>{full});
        val = arith::AddFOp::create(rw, loc, val, prev);
      }
      if (epi)
        val = applyEpilogue(val, bGlob, add(gRow, cst(r)),
                            add(gCol, cst(v * vw)), full);
      out = vector::TransferWriteOp::create(rw, loc, val, out, at,
                                            ArrayRef<bool>{full})
                .getResult();
    }
  return out;
}

Value KernelEmitter::applyEpilogue(Value acc, Value bGlob, Value row, Value col,
                                   bool full) {
  int64_t vw = s.vectorWidth;
  linalg::GenericOp g = epi->generic;
  const ReassociationIndices &colDims = epi->groups.back();
  int64_t inner = colDims.back();
  // A vector past the last column of a partial tile is masked out of the
  // store; when the columns are reshaped, its loads must still stay inside
  // the operands, so it reads the last vector instead.
  if (!full && colDims.size() > 1)
    col = min(col, sub(numCols, cst(vw)));
  // The generic's loop indices: each product index delinearized over the
  // loop dims it expands to.
  SmallVector<Value> flat;
  if (c.batched)
    flat.push_back(bGlob);
  flat.append({row, col});
  SmallVector<Value> at(g.getNumLoops());
  for (auto [x, dims] : llvm::zip_equal(flat, epi->groups)) {
    for (int64_t d = dims.size() - 1; d > 0; --d) {
      Value size = loopSizes[dims[d]];
      at[dims[d]] = arith::RemUIOp::create(rw, loc, x, size);
      x = arith::DivUIOp::create(rw, loc, x, size);
    }
    at[dims.front()] = x;
  }
  auto vectorOf = [&](Type t) { return VectorType::get({vw}, t); };
  IRMapping map;
  for (OpOperand *in : g.getDpsInputOperands()) {
    BlockArgument arg = g.getMatchingBlockArgument(in);
    if (epi->isAcc.test(in->getOperandNumber())) {
      map.map(arg, acc);
      continue;
    }
    AffineMap m = g.getMatchingIndexingMap(in);
    SmallVector<Value> indices;
    for (unsigned r = 0; r < m.getNumResults(); ++r)
      indices.push_back(at[m.getDimPosition(r)]);
    Type t = arg.getType();
    Value val;
    if (m.getNumResults() && m.getDimPosition(m.getNumResults() - 1) == inner) {
      Value pad = arith::ConstantOp::create(rw, loc, rw.getZeroAttr(t));
      val = vector::TransferReadOp::create(
          rw, loc, vectorOf(t), in->get(), indices, pad,
          ArrayRef<bool>{full || colDims.size() > 1});
    } else {
      // Constant along the vector: one element, broadcast.
      val = vector::BroadcastOp::create(
          rw, loc, vectorOf(t),
          tensor::ExtractOp::create(rw, loc, in->get(), indices));
    }
    map.map(arg, val);
  }
  auto vectorized = [&](Value v) -> Value {
    Value mapped = map.lookupOrDefault(v);
    if (isa<VectorType>(mapped.getType()))
      return mapped;
    return vector::BroadcastOp::create(rw, loc, vectorOf(mapped.getType()),
                                       mapped);
  };
  for (Operation &payload : g.getBody()->without_terminator()) {
    if (isa<arith::ConstantOp>(payload)) {
      rw.clone(payload, map);
      continue;
    }
    // The same op (attributes and properties included) on vectors.
    for (Value v : payload.getOperands())
      map.map(v, vectorized(v));
    Operation *vop = rw.clone(payload, map);
    for (OpResult r : vop->getResults())
      r.setType(vectorOf(r.getType()));
  }
  return vectorized(g.getBody()->getTerminator()->getOperand(0));
}

Value KernelEmitter::emitRegion(Value out, Value bOff, Value rOff, Value cOff,
                                Value bCnt, Value rows, Value cols) {
  int64_t mr = s.mr, nr = s.nr();
  auto forLoop = [&](Value lb, Value ub, int64_t step, Value init,
                     function_ref<Value(Value, Value)> body) {
    auto f = scf::ForOp::create(
        rw, loc, lb, ub, cst(step), ValueRange{init},
        [&](OpBuilder &, Location, Value iv, ValueRange args) {
          scf::YieldOp::create(rw, loc, body(iv, args[0]));
        });
    return f.getResult(0);
  };
  auto rowsBody = [&](Value bLocal, Value o) {
    Value bGlob = bLocal ? add(bOff, bLocal) : Value();
    Value fullRows = sub(rows, arith::RemUIOp::create(rw, loc, rows, cst(mr)));
    Value fullCols = sub(cols, arith::RemUIOp::create(rw, loc, cols, cst(nr)));
    if (s.colsOuter) {
      // Rows [lo, hi) of one row block: full and partial column panels,
      // each over the block's full row tiles and then its remaining rows.
      auto panels = [&](Value o1, Value lo, Value hi) {
        Value fullHi =
            sub(hi, arith::RemUIOp::create(rw, loc, sub(hi, lo), cst(mr)));
        auto rowsLoop = [&](Value o2, Value j, bool full) {
          o2 = forLoop(lo, fullHi, mr, o2, [&](Value i, Value o3) {
            return emitTile(o3, mr, full, bLocal, bGlob, i, rOff, j, cOff);
          });
          if (mr == 1)
            return o2;
          return forLoop(fullHi, hi, 1, o2, [&](Value i, Value o3) {
            return emitTile(o3, 1, full, bLocal, bGlob, i, rOff, j, cOff);
          });
        };
        o1 = forLoop(cst(0), fullCols, nr, o1,
                     [&](Value j, Value o2) { return rowsLoop(o2, j, true); });
        return forLoop(fullCols, cols, nr, o1, [&](Value j, Value o2) {
          return rowsLoop(o2, j, false);
        });
      };
      // Blocks of `rowBlock` rows, so the block of A each panel re-reads
      // stays in cache; one block when the rows fit.
      std::optional<int64_t> staticRows = getConstantIntValue(rows);
      if (staticRows && *staticRows <= s.rowBlock)
        return panels(o, cst(0), rows);
      return forLoop(cst(0), rows, s.rowBlock, o, [&](Value r0, Value o1) {
        return panels(o1, r0, min(add(r0, cst(s.rowBlock)), rows));
      });
    }
    auto colsLoop = [&](Value o2, Value i, int64_t tileRows) {
      o2 = forLoop(cst(0), fullCols, nr, o2, [&](Value j, Value o3) {
        return emitTile(o3, tileRows, true, bLocal, bGlob, i, rOff, j, cOff);
      });
      return forLoop(fullCols, cols, nr, o2, [&](Value j, Value o3) {
        return emitTile(o3, tileRows, false, bLocal, bGlob, i, rOff, j, cOff);
      });
    };
    o = forLoop(cst(0), fullRows, mr, o,
                [&](Value i, Value o2) { return colsLoop(o2, i, mr); });
    if (mr == 1)
      return o;
    return forLoop(fullRows, rows, 1, o,
                   [&](Value i, Value o2) { return colsLoop(o2, i, 1); });
  };
  if (!c.batched)
    return rowsBody(Value(), out);
  return forLoop(cst(0), bCnt, 1, out,
                 [&](Value bb, Value o) { return rowsBody(bb, o); });
}

void KernelEmitter::run() {
  // With an epilogue the kernel replaces the generic: its other operands
  // may be defined after the contraction.
  if (epi)
    rw.setInsertionPoint(epi->generic);
  else
    rw.setInsertionPoint(op);
  a = c.a;
  b = c.b;
  auto aTy = cast<RankedTensorType>(a.getType());
  auto bTy = cast<RankedTensorType>(b.getType());
  int64_t rank = aTy.getRank();
  int64_t staticM = aTy.getDimSize(rank - 2);
  int64_t staticK = aTy.getDimSize(rank - 1);
  int64_t staticN = bTy.getDimSize(c.bTransposed ? rank - 2 : rank - 1);
  std::optional<std::vector<char>> bBytes =
      c.batched ? std::nullopt : foldConstantBytes(b);
  bool constantB = bBytes.has_value();
  s = getContractionStrategy(staticM, staticN, staticK, constantB);

  // Operand preparation: pack constant weights, or bring an activation B^T
  // into (k, n) order so the inner loop reads rows of B.
  if (constantB && packWeights && !ShapedType::isDynamic(staticN) &&
      !ShapedType::isDynamic(staticK)) {
    if (wantBF16) {
      if (Value p = packConstantBF16(*bBytes, staticK, staticN)) {
        b = p;
        packed = useBF16 = true;
        staticKValue = staticK;
      }
    } else if (Value p = packConstantB(*bBytes, staticK, staticN)) {
      b = p;
      packed = true;
    }
  }
  if (wantBF16 && !useBF16)
    op->emitRemark()
        << "mica-cpu-contraction: precision=bf16: computed in f32: "
        << (c.batched || !constantB
                ? "B is not a constant (activation operands stay f32)"
                : "constant B not packable (dynamic K or N, or "
                  "pack-weights=0)");
  if (useBF16) {
    // A rounded to bf16 once (an elementwise linalg.generic that
    // mica-cpu-vectorize vectorizes), so the K loop broadcasts 32-bit
    // pairs straight from memory.
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rw, loc, a);
    Value empty = tensor::EmptyOp::create(rw, loc, sizes, rw.getBF16Type());
    AffineMap id = rw.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    aBF16 = linalg::GenericOp::create(
                rw, loc, TypeRange{empty.getType()}, ValueRange{a},
                ValueRange{empty}, ArrayRef<AffineMap>{id, id}, iters,
                [&](OpBuilder &bb, Location l, ValueRange args) {
                  Value t =
                      arith::TruncFOp::create(bb, l, bb.getBF16Type(), args[0]);
                  linalg::YieldOp::create(bb, l, t);
                })
                .getResult(0);
  }
  if (!packed && c.bTransposed) {
    // Transpose once, right where B is defined: a loop-invariant B (the
    // weights of a recurrence inside its time loop) is then not transposed
    // again on every iteration.
    OpBuilder::InsertionGuard guard(rw);
    if (Operation *def = b.getDefiningOp())
      rw.setInsertionPointAfter(def);
    else
      rw.setInsertionPointToStart(cast<BlockArgument>(b).getOwner());
    SmallVector<int64_t> perm = c.batched ? SmallVector<int64_t>{0, 2, 1}
                                          : SmallVector<int64_t>{1, 0};
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : perm)
      sizes.push_back(tensor::getMixedSize(rw, loc, b, p));
    Value empty = tensor::EmptyOp::create(rw, loc, sizes, rw.getF32Type());
    b = linalg::TransposeOp::create(rw, loc, b, empty, perm).getResult()[0];
  }
  k = dim(a, rank - 1);

  // Start from a constant fill's destination instead of reading zeros.
  Value out = c.init;
  if (hasConstantFill(c.init)) {
    auto fill = c.init.getDefiningOp<linalg::FillOp>();
    fillValue = fill.getInputs()[0];
    out = fill.getOutputs()[0];
  }

  Value epiInit;
  if (epi) {
    // The kernel writes the generic's output, seen with the product's shape.
    epiInit = epi->generic.getDpsInitOperand(0)->get();
    for (OpFoldResult size : tensor::getMixedSizes(rw, loc, epiInit))
      loopSizes.push_back(getValueOrCreateConstantIndexOp(rw, loc, size));
    out = epi->expand
              ? tensor::CollapseShapeOp::create(rw, loc, epiInit, epi->groups)
                    .getResult()
              : epiInit;
    numCols = dim(out, rank - 1);
  }
  Value bCnt = c.batched ? dim(out, 0) : cst(1);
  Value rows = dim(out, rank - 2), cols = dim(out, rank - 1);
  // Small contractions (an LSTM step, a classifier head) run on one thread:
  // an OpenMP fork/join costs more than their work. Dynamic sizes count as
  // large.
  int64_t staticB = c.batched ? aTy.getDimSize(0) : 1;
  auto known = [](int64_t d) { return ShapedType::isDynamic(d) ? 1024 : d; };
  int64_t macs = known(staticB) * known(staticM) * known(staticN) *
                 known(staticK);
  if (macs < minParallelMacs)
    threads = 1;
  Value result;
  if (threads <= 1) {
    result = emitRegion(out, cst(0), cst(0), cst(0), bCnt, rows, cols);
  } else {
    // Split the batch, the rows (in register tiles) or the column panels.
    enum { Batch, Rows, Cols } split = Rows;
    if (c.batched && !ShapedType::isDynamic(staticB) &&
        staticB >= static_cast<int64_t>(threads))
      split = Batch;
    else if (!ShapedType::isDynamic(staticM) &&
             !ShapedType::isDynamic(staticN) &&
             staticN >= static_cast<int64_t>(threads) * s.nr() &&
             (staticM < static_cast<int64_t>(threads) * s.mr ||
              (colSplitRatio > 0 && staticN >= colSplitRatio * staticM)))
      // Too few rows to share, or B (K x N) dominates A (M x K): each
      // thread streams its own column panels of B once.
      split = Cols;
    Value total = split == Batch ? bCnt : split == Rows ? rows : cols;
    int64_t unit = split == Batch ? 1 : split == Rows ? s.mr : s.nr();
    Value t = cst(threads);
    // chunk = ceil(ceil(total / unit) / threads) * unit
    Value units = arith::CeilDivUIOp::create(rw, loc, total, cst(unit));
    Value chunk = mul(arith::CeilDivUIOp::create(rw, loc, units, t), cst(unit));
    auto forall = scf::ForallOp::create(
        rw, loc, ArrayRef<OpFoldResult>{rw.getIndexAttr(threads)},
        ValueRange{out}, std::nullopt);
    OpBuilder::InsertionGuard guard(rw);
    rw.setInsertionPointToStart(forall.getBody());
    Value tid = forall.getInductionVars()[0];
    Value shared = forall.getRegionIterArgs()[0];
    Value lo = min(mul(tid, chunk), total);
    Value cnt = min(chunk, sub(total, lo));
    Value bOff = cst(0), rOff = cst(0), cOff = cst(0);
    Value bC = bCnt, rC = rows, cC = cols;
    (split == Batch ? bOff : split == Rows ? rOff : cOff) = lo;
    (split == Batch ? bC : split == Rows ? rC : cC) = cnt;
    SmallVector<OpFoldResult> offs, sizes,
        strides(rank, rw.getIndexAttr(1));
    if (c.batched) {
      offs.push_back(bOff);
      sizes.push_back(bC);
    }
    offs.append({rOff, cOff});
    sizes.append({rC, cC});
    Value local =
        tensor::ExtractSliceOp::create(rw, loc, shared, offs, sizes, strides);
    Value done = emitRegion(local, bOff, rOff, cOff, bC, rC, cC);
    rw.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(rw, loc, done, shared, offs, sizes,
                                          strides);
    result = forall.getResult(0);
  }
  if (epi) {
    linalg::GenericOp g = epi->generic;
    if (epi->expand)
      result = tensor::ExpandShapeOp::create(
          rw, loc, epiInit.getType(), result, epi->groups,
          tensor::getMixedSizes(rw, loc, epiInit));
    if (result.getType() != g.getResult(0).getType())
      result =
          tensor::CastOp::create(rw, loc, g.getResult(0).getType(), result);
    rw.replaceOp(g, result);
    if (epi->expand)
      rw.eraseOp(epi->expand);
    rw.eraseOp(op);
    return;
  }
  if (result.getType() != op->getResult(0).getType())
    result = tensor::CastOp::create(rw, loc, op->getResult(0).getType(), result);
  rw.replaceOp(op, result);
}

struct MicaCPUContractionPass
    : mica::impl::MicaCPUContractionBase<MicaCPUContractionPass> {
  using Base::Base;
  void runOnOperation() override {
    if (precision != "fp32" && precision != "bf16") {
      getOperation().emitError("mica-cpu-contraction: precision must be fp32 "
                               "or bf16, not '")
          << precision << "'";
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      std::string why;
      FailureOr<Contraction> c = analyze(op, why);
      if (failed(c)) {
        op->emitRemark() << "mica-cpu-contraction: left to the loop lowering: "
                         << why;
        continue;
      }
      // The elementwise consumer becomes the kernel's epilogue when the
      // accumulators start from a constant fill (else the kernel adds them
      // to C, which the epilogue's output does not hold).
      std::string noEpilogue;
      FailureOr<Epilogue> epilogue =
          epilogues
              ? matchEpilogue(op, ContractionStrategy().vectorWidth, noEpilogue)
              : FailureOr<Epilogue>(failure());
      if (succeeded(epilogue) && !hasConstantFill(c->init)) {
        noEpilogue = "the product accumulates into a computed init";
        epilogue = failure();
      }
      if (remarks && !noEpilogue.empty())
        op->emitRemark() << "mica-cpu-contraction: elementwise consumer not "
                            "fused: "
                         << noEpilogue
                         << mica::FusionReport::nodeSuffix(op->getLoc());
      if (remarks && succeeded(epilogue))
        op->emitRemark() << "mica-cpu-contraction: fused the elementwise "
                            "consumer into the kernel's epilogue"
                         << mica::FusionReport::nodeSuffix(op->getLoc());
      KernelEmitter(rewriter, op, *c, threads, packWeights, minParallelMacs,
                    colSplitRatio, precision == "bf16",
                    succeeded(epilogue) ? &*epilogue : nullptr)
          .run();
    }
  }
};

} // namespace
