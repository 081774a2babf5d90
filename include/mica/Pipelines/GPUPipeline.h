//===- GPUPipeline.h - the mica-gpu-pipeline --------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Typed options and builder of the GPU pipeline (mica dialect on tensors ->
/// outlined NVVM kernels -> PTX). mica-opt (`--mica-gpu-pipeline`) and
/// mica-compile (`--target=cuda`) build the very same pipeline from these.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_PIPELINES_GPUPIPELINE_H
#define MICA_PIPELINES_GPUPIPELINE_H

#include "mica/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mica {

/// Options of the GPU pipeline.
struct MicaGPUPipelineOptions
    : public MicaGraphPipelineOptions<MicaGPUPipelineOptions> {
  Option<std::string> gpuArch{
      *this, "gpu-arch",
      llvm::cl::desc("NVIDIA target: sm_70, sm_75, sm_80, sm_86, sm_89, "
                     "sm_90"),
      llvm::cl::init("sm_70")};
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("fp16: contractions in f16 with f32 accumulation on "
                     "TensorCores (mica-f16); fp32: everything f32 (SIMT)"),
      llvm::cl::init("fp16")};
  Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("TensorCore instructions: auto (WMMA before sm_80, "
                     "mma.sync m16n8k16 from sm_80), wmma, mma.sync"),
      llvm::cl::init("auto")};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the SIMT (elementwise, "
                     "reduction) kernels"),
      llvm::cl::init(128)};
  Option<bool> remarks{
      *this, "remarks",
      llvm::cl::desc("Remark on every contraction that misses TensorCores"),
      llvm::cl::init(true)};
  Option<bool> fastMath{
      *this, "fast-math",
      llvm::cl::desc("Polynomial exp/tanh/erf/log (no libdevice needed)"),
      llvm::cl::init(true)};
  Option<std::string> cudaPath{
      *this, "cuda-path",
      llvm::cl::desc("CUDA toolkit whose nvvm/libdevice is linked into the "
                     "kernels (default: $CUDA_HOME, $CUDA_PATH or "
                     "/usr/local/cuda when present)"),
      llvm::cl::init("")};
  Option<bool> managedMemory{
      *this, "managed-memory",
      llvm::cl::desc("Host buffers as CUDA managed memory "
                     "(mica-gpu-managed-memory), so the host code lowered by "
                     "gpu-to-llvm runs with libmica_cuda_runtime.so"),
      llvm::cl::init(false)};
  Option<bool> hostABI{
      *this, "host-abi",
      llvm::cl::desc("The host side of a model library (mica-compile "
                     "--target=cuda -o lib.so): the model signature, every "
                     "buffer in device memory (mica-gpu-device-memory), "
                     "async work on one stream (gpu-async-region, "
                     "mica-gpu-elide-waits), host code lowered to the LLVM "
                     "dialect with the C ABI of MicaModel.h"),
      llvm::cl::init(false)};
  Option<std::string> binaryFormat{
      *this, "binary-format",
      llvm::cl::desc("What the kernels are embedded as (gpu-module-to-binary "
                     "format): isa (PTX, JIT-compiled by the driver), bin "
                     "(cubin, needs ptxas) or fatbin (cubin + PTX, needs "
                     "ptxas and fatbinary)"),
      llvm::cl::init("isa")};
  Option<bool> toBinary{
      *this, "to-binary",
      llvm::cl::desc("Lower the kernels to NVVM and PTX (gpu.binary); off: "
                     "stop at the GPU-level IR (outlined gpu.module)"),
      llvm::cl::init(true)};
};

/// Appends the GPU pipeline to `pm` (anchored on builtin.module): shape
/// refinement and graph rewrites as on the CPU, convert-mica-to-linalg,
/// mica-f16, TensorCore tiling of contractions, bufferization, block/warp
/// and SIMT mapping to gpu.launch, kernel outlining into one gpu.module and,
/// with `to-binary`, NVVM and PTX (gpu.binary, format isa). The host code
/// stays at the memref + gpu.launch_func level (no host runtime yet).
void buildMicaGPUPipeline(mlir::OpPassManager &pm,
                          const MicaGPUPipelineOptions &options);

/// Checks the options (gpu-arch in the table, precision fp32|fp16,
/// block-size in range); returns an error message or "".
std::string verifyMicaGPUPipelineOptions(const MicaGPUPipelineOptions &options);

/// Registers `mica-gpu-pipeline` with the global pass pipeline registry.
void registerMicaGPUPipeline();

} // namespace mica

#endif // MICA_PIPELINES_GPUPIPELINE_H
