//===- InitAll.cpp - register every Mica dialect, pass and pipeline -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/InitAll.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h"
#include "mica/Conversion/Passes.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Codegen/Passes.h"
#include "mica/Pipelines/Pipelines.h"
#include "mica/Conversion/MicaToGPU/MicaToGPU.h"
#include "mica/Pipelines/GPUPipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mica::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mica::MicaDialect, mlir::func::FuncDialect,
                  mlir::tensor::TensorDialect, mlir::arith::ArithDialect,
                  mlir::scf::SCFDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect>();
  // The CPU pipeline goes through most of upstream MLIR (bufferization,
  // vector, memref, OpenMP, LLVM) and needs their interface models
  // (bufferization, convert-to-llvm, inliner): register all of it.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // The GPU pipeline serializes gpu.modules to PTX (gpu-module-to-binary):
  // LLVM IR translations and the NVVM target attribute's serializer.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

void mica::registerAllPasses() {
  mica::registerMicaPasses();
  mica::registerMicaConversionPasses();
  mica::registerMicaCodegenPasses();
  mica::registerMicaGPUPasses();
}

void mica::registerAllPipelines() {
  mica::registerMicaPipelines();
  mica::registerMicaGPUPipeline();
}
