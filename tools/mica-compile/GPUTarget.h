//===- GPUTarget.h - mica-compile --target=cuda -----------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The CUDA side of mica-compile: `--target=cuda --gpu-arch=sm_XX` runs the
/// mica-gpu-pipeline and writes a model library with the C ABI of
/// MicaModel.h (`--emit=lib`, the default for a `.so` output; or its host
/// code as `--emit=llvm|asm|obj`), the PTX of all kernels (`--emit=ptx`, the
/// default otherwise) or the GPU-level IR (`--emit=mlir`).
///
//===----------------------------------------------------------------------===//

#ifndef MICA_TOOLS_MICA_COMPILE_GPUTARGET_H
#define MICA_TOOLS_MICA_COMPILE_GPUTARGET_H

#include "mica/Pipelines/GPUPipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"

namespace mica {

/// The category of the GPU options (--target, --gpu-arch, --mma,
/// --block-size).
llvm::cl::OptionCategory &getGPUTargetCategory();

/// True when --target=cuda was given.
bool isCUDATarget();

/// Runs the GPU pipeline (with --gpu-arch etc. filled into `options`) on
/// `module` and writes `emit` ("lib", "llvm", "asm", "obj", "ptx", "mlir";
/// "" = "lib" for a .so output, else "ptx") to `outputPath`; `mcpu` and
/// `mattr` are the host CPU of the library's host code. Returns the exit
/// code.
int compileForCUDA(mlir::ModuleOp module, MicaGPUPipelineOptions &options,
                   llvm::StringRef emit, llvm::StringRef outputPath,
                   bool dumpAfterEach, llvm::StringRef mcpu = "",
                   llvm::StringRef mattr = "");

} // namespace mica

#endif // MICA_TOOLS_MICA_COMPILE_GPUTARGET_H
