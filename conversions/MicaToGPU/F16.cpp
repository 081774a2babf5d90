//===- F16.cpp - mica-f16: f16 contractions with f32 accumulation ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICAF16
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

/// The f32 values of a constant tensor (dense or dense_resource), or
/// std::nullopt for other constants.
static std::optional<SmallVector<float>> getF32Values(Attribute attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> values = resource.tryGetAsArrayRef();
    if (!values)
      return std::nullopt;
    return SmallVector<float>(values->begin(), values->end());
  }
  return std::nullopt;
}

/// `value` (f32 tensor) as f16: the source of an f16 -> f32 extension, an f16
/// constant for a constant, otherwise an elementwise truncf.
static Value truncateToF16(RewriterBase &rewriter, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  auto f16Type = type.clone(rewriter.getF16Type());

  // Fold: weights become f16 constants at compile time.
  if (auto constant = value.getDefiningOp<arith::ConstantOp>()) {
    if (std::optional<SmallVector<float>> values =
            getF32Values(constant.getValue())) {
      SmallVector<uint16_t> halves;
      halves.reserve(values->size());
      for (float v : *values) {
        APFloat f(v);
        bool losesInfo = false;
        f.convert(APFloat::IEEEhalf(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
        halves.push_back(
            static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue()));
      }
      if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
          dense && dense.isSplat())
        halves.resize(1);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(constant);
      Attribute attr;
      if (isa<DenseElementsAttr>(constant.getValue())) {
        SmallVector<APFloat> floats;
        for (uint16_t h : halves)
          floats.push_back(APFloat(APFloat::IEEEhalf(), APInt(16, h)));
        attr = DenseElementsAttr::get(f16Type, floats);
      } else {
        auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(
            ArrayRef<uint16_t>(halves));
        attr = DenseResourceElementsAttr::get(f16Type, "mica_f16_weight",
                                              std::move(blob));
      }
      return arith::ConstantOp::create(rewriter, constant.getLoc(),
                                       cast<TypedAttr>(attr));
    }
  }

  // Fold: an f16 value extended to f32 is read directly.
  if (auto generic = value.getDefiningOp<linalg::GenericOp>()) {
    if (generic.getNumDpsInputs() == 1 && generic.getNumResults() == 1 &&
        generic.getInputs()[0].getType() == f16Type &&
        llvm::all_of(generic.getIndexingMapsArray(),
                     [](AffineMap m) { return m.isIdentity(); })) {
      Block &body = generic.getRegion().front();
      if (body.getOperations().size() == 2)
        if (auto ext = dyn_cast<arith::ExtFOp>(body.front()))
          if (ext.getIn() == body.getArgument(0))
            return generic.getInputs()[0];
    }
  }

  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, value);
  Value init =
      tensor::EmptyOp::create(rewriter, loc, sizes, rewriter.getF16Type());
  AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto trunc = linalg::GenericOp::create(
      rewriter, loc, TypeRange{f16Type}, ValueRange{value}, ValueRange{init},
      ArrayRef<AffineMap>{id, id}, iterators,
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value t = arith::TruncFOp::create(b, loc, b.getF16Type(), args[0]);
        linalg::YieldOp::create(b, loc, t);
      });
  return trunc.getResult(0);
}

/// Matches a linalg contraction (mul-add body) whose inputs and init are f32
/// tensors; rewrites it in place to read f16 inputs, extended to f32 in its
/// body (so the accumulation stays f32).
///   %r = linalg.matmul ins(%a, %b : tensor<MxKxf32>, tensor<KxNxf32>) ...
///   -> %r = linalg.matmul ins(%a16, %b16 : tensor<MxKxf16>, ...) ...
struct ContractionToF16 : OpInterfaceRewritePattern<linalg::LinalgOp> {
  ContractionToF16(MLIRContext *ctx, bool tensorCoreShapesOnly)
      : OpInterfaceRewritePattern(ctx),
        tensorCoreShapesOnly(tensorCoreShapesOnly) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    if (!linalg::isaContractionOpInterface(op))
      return rewriter.notifyMatchFailure(op, "not a contraction");
    if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
      return rewriter.notifyMatchFailure(op, "not two inputs and one init");
    auto isF32Tensor = [](Value v) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      return type && type.getElementType().isF32();
    };
    if (!llvm::all_of(op->getOperands(), isF32Tensor))
      return rewriter.notifyMatchFailure(op, "operands are not f32 tensors");
    if (tensorCoreShapesOnly && !mica::getTensorCoreShapeMismatch(op).empty())
      return rewriter.notifyMatchFailure(op, "shape misses TensorCores");

    Location loc = op.getLoc();
    SmallVector<Value> inputs;
    for (Value input : op.getDpsInputs())
      inputs.push_back(truncateToF16(rewriter, loc, input));

    Block *body = op.getBlock();
    Type f16 = rewriter.getF16Type();
    rewriter.modifyOpInPlace(op, [&] {
      for (auto [i, input] : llvm::enumerate(inputs))
        op->setOperand(i, input);
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(body);
      for (unsigned i = 0; i < inputs.size(); ++i) {
        BlockArgument arg = body->getArgument(i);
        arg.setType(f16);
        Value ext =
            arith::ExtFOp::create(rewriter, loc, rewriter.getF32Type(), arg);
        arg.replaceAllUsesExcept(ext, ext.getDefiningOp());
      }
    });
    return success();
  }

private:
  bool tensorCoreShapesOnly;
};

/// Thin shell over populateMicaF16Patterns.
struct MicaF16Pass : mica::impl::MicaF16Base<MicaF16Pass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    mica::populateMicaF16Patterns(patterns, tensorCoreShapesOnly);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace

void mica::populateMicaF16Patterns(RewritePatternSet &patterns,
                                   bool tensorCoreShapesOnly) {
  patterns.add<ContractionToF16>(patterns.getContext(), tensorCoreShapesOnly);
}
