//===- MicaToLinalg.cpp - the convert-mica-to-linalg pass -----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A thin shell over populateMicaToLinalgConversionPatterns: a partial
/// dialect conversion in which the upstream target dialects are legal and
/// mica ops are converted where a pattern applies (all of them must be, with
/// `strict`).
///
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"
#include "mica/Conversion/Passes.h"
#include "mica/Dialect/Mica/IR/MicaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mica {
#define GEN_PASS_DEF_CONVERTMICATOLINALG
#include "mica/Conversion/Passes.h.inc"
} // namespace mica

using namespace mlir;

void mica::populateMicaToLinalgConversionPatterns(RewritePatternSet &patterns) {
  populateMicaElementwiseToLinalgPatterns(patterns);
  populateMicaContractionToLinalgPatterns(patterns);
  populateMicaReductionToLinalgPatterns(patterns);
  populateMicaStructureToLinalgPatterns(patterns);
  populateMicaNNToLinalgPatterns(patterns);
  populateMicaFusedToLinalgPatterns(patterns);
  populateMicaRecurrentToLinalgPatterns(patterns);
  populateMicaIndexingToLinalgPatterns(patterns);
}

namespace {

struct ConvertMicaToLinalgPass
    : mica::impl::ConvertMicaToLinalgBase<ConvertMicaToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect>();
    if (strict)
      target.addIllegalDialect<mica::MicaDialect>();
    RewritePatternSet patterns(ctx);
    mica::populateMicaToLinalgConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
