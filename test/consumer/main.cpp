//===- main.cpp - an external program that embeds Mica --------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What an embedding compiler does with an installed Mica: register the mica
/// dialect and passes in its own MLIRContext, parse mica IR, run Mica's passes
/// in its own PassManager, print the result. Exits non-zero on any failure.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/MicaDialect.h"
#include "mica/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/raw_ostream.h"

/// Dynamic shapes to refine, and a dead constant only canonicalize removes.
static const char *const kModule = R"mlir(
func.func @consumer(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c = arith.constant 7 : i32
  %0 = mica.relu %x : tensor<?x?xf32>
  %1 = mica.sigmoid %0 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}
)mlir";

int main() {
  mlir::DialectRegistry registry;
  mica::registerAllDialects(registry);
  mica::registerAllPasses();
  mica::registerAllPipelines();
  mlir::registerCanonicalizerPass();

  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module) {
    llvm::errs() << "mica-consumer: cannot parse the module\n";
    return 1;
  }
  llvm::outs() << "loaded dialect: "
               << (context.getLoadedDialect<mica::MicaDialect>() ? "mica"
                                                                  : "none")
               << "\n";

  // An un-anchored pipeline goes into a module pass manager as is.
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline(
          "mica-refine-shapes{arg-shapes=0:8x16},canonicalize", pm,
          llvm::errs()))) {
    llvm::errs() << "mica-consumer: cannot parse the pass pipeline\n";
    return 1;
  }
  if (mlir::failed(pm.run(*module))) {
    llvm::errs() << "mica-consumer: the pass pipeline failed\n";
    return 1;
  }
  module->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
