//===- MathApproximation.cpp - vectorizable math functions ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUFASTMATHFLAGS
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
    // Upstream passes full op names ("math.exp").
    auto wanted = [](StringRef name) {
      name.consume_front("math.");
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

/// Adds reassoc + contract to the fast-math flags of every arith op.
struct MicaCPUFastMathFlagsPass
    : mica::impl::MicaCPUFastMathFlagsBase<MicaCPUFastMathFlagsPass> {
  void runOnOperation() override {
    getOperation().walk([](arith::ArithFastMathInterface op) {
      // Ops whose flags are optional (extf, truncf) may have none yet.
      arith::FastMathFlagsAttr old = op.getFastMathFlagsAttr();
      arith::FastMathFlags flags =
          (old ? old.getValue() : arith::FastMathFlags::none) |
          arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
      op->setAttr(op.getFastMathAttrName(),
                  arith::FastMathFlagsAttr::get(op->getContext(), flags));
    });
  }
};
} // namespace
