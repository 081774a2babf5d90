//===- RecognizeLSTM.cpp - LSTM cells from plain ops to mica.lstm ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mica {
#define GEN_PASS_DEF_MICARECOGNIZELSTM
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

namespace {
struct MicaRecognizeLSTMPass
    : mica::impl::MicaRecognizeLSTMBase<MicaRecognizeLSTMPass> {
  using MicaRecognizeLSTMBase::MicaRecognizeLSTMBase;
  void runOnOperation() override {
    FusionReport report;
    RewritePatternSet patterns(&getContext());
    populateRecognizeLSTMPatterns(patterns, &report);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    report.dropResolvedMisses();
    if (remarks)
      report.emitRemarks();
  }
};
} // namespace

void mica::populateRecognizeLSTMPatterns(RewritePatternSet &patterns,
                                         FusionReport *report) {}
