//===- GraphRewrites.cpp - the graph rewrite stage and its report ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `applyGraphRewrites` runs every graph rewrite in the order the pipelines
/// use, sharing one FusionReport, and `mica-fusion-report` prints that
/// report as text or JSON.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mica {
#define GEN_PASS_DEF_MICAFUSIONREPORT
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

LogicalResult mica::applyGraphRewrites(Operation *root,
                                       const GraphRewriteOptions &options,
                                       FusionReport *report) {
  MLIRContext *ctx = root->getContext();
  // LSTM recognition first: it needs the cells' projections uncombined.
  if (options.recognizeLSTM && failed(applyRecognizeLSTM(root, report)))
    return root->emitError("mica-recognize-lstm did not converge");
  // Attention packs Q, K and V itself; it must see them uncombined.
  if (options.fuseBert) {
    RewritePatternSet patterns(ctx);
    populateFuseBertPatterns(patterns, report);
    if (failed(applyPatternsGreedily(root, std::move(patterns))))
      return root->emitError("mica-fuse-bert did not converge");
  }
  if (options.combineParallelDense) {
    RewritePatternSet patterns(ctx);
    populateCombineParallelDensePatterns(patterns, options.combine, report);
    if (failed(applyPatternsGreedily(root, std::move(patterns))))
      return root->emitError("mica-combine-parallel-dense did not converge");
  }
  if (report)
    report->dropResolvedMisses();
  return success();
}

namespace {

struct MicaFusionReportPass
    : mica::impl::MicaFusionReportBase<MicaFusionReportPass> {
  using MicaFusionReportBase::MicaFusionReportBase;

  void runOnOperation() override {
    if (format != "text" && format != "json") {
      emitError(getOperation().getLoc())
          << "mica-fusion-report: unknown format '" << format
          << "' (expected text or json)";
      return signalPassFailure();
    }
    GraphRewriteOptions options;
    options.recognizeLSTM = recognizeLSTM;
    options.fuseBert = fuseBert;
    options.combineParallelDense = combineParallelDense;
    options.combine.minBranches = minBranches;
    FusionReport report;
    if (failed(applyGraphRewrites(getOperation(), options, &report)))
      return signalPassFailure();

    auto print = [&](raw_ostream &os) {
      if (format == "json")
        report.printJSON(os);
      else
        report.printText(os);
    };
    if (output == "-") {
      print(llvm::errs());
      return;
    }
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(output, &error);
    if (!file) {
      emitError(getOperation().getLoc())
          << "mica-fusion-report: cannot write '" << output << "': " << error;
      return signalPassFailure();
    }
    print(file->os());
    file->keep();
  }
};

} // namespace
