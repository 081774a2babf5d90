//===- Registration.cpp - C API to register everything Mica provides ------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica-c/Registration.h"

#include "mica/InitAll.h"

#include "mlir/CAPI/IR.h"
#include "mlir/Transforms/Passes.h"

void micaRegisterAllDialects(MlirDialectRegistry registry) {
  mica::registerAllDialects(*unwrap(registry));
}

void micaRegisterAllPasses(void) {
  // Pipelines given as text routinely name canonicalize/cse next to the mica
  // passes; register the generic upstream transforms along with ours.
  mlir::registerTransformsPasses();
  mica::registerAllPasses();
}

void micaRegisterAllPipelines(void) { mica::registerAllPipelines(); }
