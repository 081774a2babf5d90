//===- InitAll.cpp - register every Mica dialect, pass and pipeline -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/InitAll.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

void mica::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mica::MicaDialect, mlir::func::FuncDialect,
                  mlir::tensor::TensorDialect, mlir::arith::ArithDialect,
                  mlir::scf::SCFDialect>();
}

void mica::registerAllPasses() { mica::registerMicaPasses(); }

void mica::registerAllPipelines() {}
