//===- mica-opt.cpp - the Mica optimizer driver ---------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `mlir-opt` over Mica: every mica dialect, pass and pipeline plus all
/// upstream dialects and passes, so Mica's pipelines can be replayed and
/// debugged step by step.
///
//===----------------------------------------------------------------------===//

#include "mica/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mica::registerAllPasses();
  mica::registerAllPipelines();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mica::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Mica optimizer driver\n", registry));
}
