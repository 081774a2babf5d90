//===- GPUPipeline.cpp - the mica-gpu-pipeline ----------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Pipelines/GPUPipeline.h"

#include "mica/Codegen/Passes.h"
#include "mica/Conversion/MicaToGPU/MicaToGPU.h"
#include "mica/Conversion/Passes.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

using namespace mlir;

std::string
mica::verifyMicaGPUPipelineOptions(const MicaGPUPipelineOptions &options) {
  if (!lookupGPUArch(options.gpuArch))
    return "unsupported gpu-arch '" + options.gpuArch.getValue() +
           "' (supported: " + supportedGPUArchs() + ")";
  if (!withMMAKind(*lookupGPUArch(options.gpuArch), options.mma))
    return "mma must be auto, wmma or mma.sync (sm_80 and newer), not '" +
           options.mma.getValue() + "' for " + options.gpuArch.getValue();
  if (options.precision != "fp16" && options.precision != "fp32")
    return "precision must be fp32 or fp16, not '" +
           options.precision.getValue() + "'";
  if (options.blockSize < 1 || options.blockSize > 1024)
    return "block-size must be in [1, 1024]";
  if (options.binaryFormat != "isa" && options.binaryFormat != "bin" &&
      options.binaryFormat != "fatbin")
    return "binary-format must be isa, bin or fatbin, not '" +
           options.binaryFormat.getValue() + "'";
  if (options.hostABI && options.managedMemory)
    return "host-abi (device memory) and managed-memory exclude each other";
  return "";
}

/// `path` if given, else $CUDA_HOME, $CUDA_PATH or /usr/local/cuda when it
/// holds libdevice; "" when none does (PTX then keeps extern __nv_* calls).
static std::string findCUDAToolkit(StringRef path) {
  if (!path.empty())
    return path.str();
  SmallVector<std::string> candidates;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(var))
      candidates.push_back(value);
  candidates.push_back("/usr/local/cuda");
  for (const std::string &candidate : candidates) {
    SmallString<128> libdevice(candidate);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(libdevice))
      return candidate;
  }
  return "";
}

void mica::buildMicaGPUPipeline(OpPassManager &pm,
                                const MicaGPUPipelineOptions &options) {
  std::optional<GPUArchInfo> arch = lookupGPUArch(options.gpuArch);
  if (arch)
    arch = withMMAKind(*arch, options.mma);
  addMicaGraphPasses(pm, options);

  // Tensor level: linalg, mixed precision, fusion, TensorCore tiles.
  pm.addPass(createConvertMicaToLinalg());
  pm.addPass(createMicaCPUVerifyLowered());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.precision == "fp16") {
    pm.addNestedPass<func::FuncOp>(createMicaF16());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  pm.addNestedPass<func::FuncOp>(createMicaCPUFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  MicaGPUTileContractionsOptions tiling;
  tiling.gpuArch = options.gpuArch;
  tiling.mma = options.mma;
  tiling.remarks = options.remarks;
  pm.addNestedPass<func::FuncOp>(createMicaGPUTileContractions(tiling));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Softmax, layer norm, reductions: a warp or block per row.
  MicaGPUReductionsOptions reductions;
  reductions.gpuArch = options.gpuArch;
  reductions.remarks = options.remarks;
  pm.addNestedPass<func::FuncOp>(createMicaGPUReductions(reductions));

  // A model library: record the signature of the model function.
  if (options.hostABI) {
    MicaCPUPrepareABIOptions abi;
    abi.entry = options.entry;
    pm.addPass(createMicaCPUPrepareABI(abi));
  }

  // Buffers (identity layouts at the function boundary; no deallocation
  // yet: the host side is not executed by anything in this pipeline).
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // A model library keeps every buffer in device memory (strided host
  // copies become linalg.copy: SIMT kernels below).
  if (options.hostABI)
    pm.addPass(createMicaGPUDeviceMemory());

  // Kernels: TensorCore launches, then SIMT launches for the rest.
  pm.addNestedPass<func::FuncOp>(createMicaGPUMapForall());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  MicaGPUVectorToMMAOptions mma;
  mma.mmaSync = arch && arch->mmaSync;
  pm.addNestedPass<func::FuncOp>(createMicaGPUVectorToMMA(mma));
  MicaGPUSharedMemoryOptions shared;
  shared.asyncCopies = arch && arch->sm >= 80;
  shared.pipelineDepth = arch ? arch->copyPipelineDepth : 1;
  shared.remarks = options.remarks;
  pm.addNestedPass<func::FuncOp>(createMicaGPUSharedMemory(shared));
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  MicaGPUTileParallelLoopsOptions simt;
  simt.blockSize = options.blockSize;
  // No canonicalization in between: it would merge the tile loops again.
  pm.addNestedPass<func::FuncOp>(createMicaGPUTileParallelLoops(simt));
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addNestedPass<func::FuncOp>(createMicaGPUVerifyMapped());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.fastMath)
    pm.addNestedPass<func::FuncOp>(createMicaMathApproximation());
  if (options.managedMemory)
    pm.addNestedPass<func::FuncOp>(createMicaGPUManagedMemory());
  // Integer powers (math.ipowi/fpowi) as functions that outlining copies
  // into the kernel module.
  pm.addPass(createConvertMathToFuncs());
  // Zero accumulators hoisted out of the TensorCore launches go back in (a
  // kernel cannot take an MMA matrix as argument).
  pm.addNestedPass<func::FuncOp>(createMicaGPUSinkIntoLaunch());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createMicaGPUMergeModules());
  if (options.hostABI) {
    // One token chain per block, no blocking waits (the runtime puts all of
    // a model's work on its stream and synchronizes after the output
    // copies).
    pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
    pm.addNestedPass<func::FuncOp>(createMicaGPUElideWaits());
  }
  if (!options.toBinary || !arch)
    return;

  // NVVM and PTX.
  GpuNVVMAttachTargetOptions target;
  target.chip = arch->chip;
  target.features = arch->ptxFeature;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  // convert-gpu-to-nvvm calls libdevice (__nv_sqrtf, ...) for the math that
  // mica-math-approximation leaves: the serializer links it from the toolkit.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.binaryFormat;
  binary.toolkitPath = findCUDAToolkit(options.cudaPath);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (!options.hostABI)
    return;

  // Host code to the LLVM dialect (gpu-to-llvm: mgpu* runtime calls,
  // kernels embedded by the offloading translation), then the C ABI.
  // Reshapes with several dynamic dims in a group: expand-strided-metadata
  // crashes on them (as on the CPU).
  pm.addNestedPass<func::FuncOp>(createMicaCPULowerDynamicReshapes());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createMicaEmitModelABI());
}

void mica::registerMicaGPUPipeline() {
  registerPassPipeline(
      "mica-gpu-pipeline",
      "Compile a mica model to NVIDIA GPU kernels: graph rewrites, linalg, "
      "mica-f16, TensorCore (WMMA) contractions, SIMT elementwise and "
      "reduction kernels, outlined to one gpu.module, NVVM, PTX",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        MicaGPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        std::string error = verifyMicaGPUPipelineOptions(options);
        if (!error.empty())
          return errorHandler("mica-gpu-pipeline: " + error);
        buildMicaGPUPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(MicaGPUPipelineOptions());
      });
}
