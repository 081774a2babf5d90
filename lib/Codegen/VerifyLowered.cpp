//===- VerifyLowered.cpp - located errors for ops without a CPU lowering --===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUVERIFYLOWERED
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {

/// "model node 'NAME' (OPTYPE)" from the importers' locations
/// (fused<"OpType">[name("node"(file))]), or "" when there is no name.
std::string describeNode(Location loc) {
  StringRef opType;
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    if (auto t = dyn_cast_or_null<StringAttr>(fused.getMetadata()))
      opType = t.getValue();
    for (Location inner : fused.getLocations())
      if (isa<NameLoc>(inner)) {
        loc = inner;
        break;
      }
  }
  auto name = dyn_cast<NameLoc>(loc);
  if (!name)
    return "";
  std::string s = "model node '" + name.getName().str() + "'";
  if (!opType.empty())
    s += " (" + opType.str() + ")";
  return s;
}

struct MicaCPUVerifyLoweredPass
    : mica::impl::MicaCPUVerifyLoweredBase<MicaCPUVerifyLoweredPass> {
  void runOnOperation() override {
    bool failedAny = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<mica::MicaDialect>(op->getDialect()))
        return;
      failedAny = true;
      std::string node = describeNode(op->getLoc());
      InFlightDiagnostic diag = op->emitError();
      if (!node.empty())
        diag << node << ": ";
      diag << "no CPU lowering for '"
                                << op->getName().getStringRef()
                                << "' with operand types (";
      llvm::interleaveComma(op->getOperandTypes(), diag);
      diag << ") and result types (";
      llvm::interleaveComma(op->getResultTypes(), diag);
      diag << ")";
      StringRef name = op->getName().stripDialect();
      if (llvm::is_contained({"conv", "pool", "resize", "conv_transpose"},
                             name))
        diag << ": its lowering needs static spatial dims";
      else if (llvm::is_contained({"lstm", "gru", "rnn"}, name))
        diag << ": its lowering needs a static batch and input size";
      diag << "; pin the model's input shapes (mica-compile --input-shape, "
              "mica-run --specialize-shapes, mica-refine-shapes arg-shapes)";
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
