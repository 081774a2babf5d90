//===- MathApproximation.cpp - vectorizable math functions ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICAMATHAPPROXIMATION
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {
/// A thin shell over upstream's populateMathPolynomialApproximationPatterns
/// for the functions deep-learning models use.
struct MicaMathApproximationPass
    : mica::impl::MicaMathApproximationBase<MicaMathApproximationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    auto wanted = [](StringRef name) {
      return llvm::is_contained({"exp", "expm1", "tanh", "erf", "log",
                                 "log1p", "log2", "sin", "cos", "atan",
                                 "atan2"},
                                name);
    };
    populateMathF32ExpansionPatterns(patterns, wanted);
    populateMathPolynomialApproximationPatterns(patterns, wanted);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
