//===- CPUPipeline.cpp - the mica-cpu-pipeline ----------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Pipelines/Pipelines.h"

#include "mica/Codegen/Passes.h"
#include "mica/Conversion/Passes.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mica::addMicaGraphPasses(OpPassManager &pm, StringRef entry,
                              ArrayRef<std::string> argShapes,
                              bool recognizeLSTM, bool fuseBert,
                              bool combineParallelDense,
                              StringRef fusionReport) {
  MicaRefineShapesOptions refine;
  refine.entry = entry.str();
  refine.argShapes.assign(argShapes.begin(), argShapes.end());
  pm.addPass(createMicaRefineShapes(refine));
  pm.addPass(createCanonicalizerPass());
  if (!fusionReport.empty()) {
    MicaFusionReportOptions report;
    report.format = fusionReport.str();
    report.recognizeLSTM = recognizeLSTM;
    report.fuseBert = fuseBert;
    report.combineParallelDense = combineParallelDense;
    pm.addPass(createMicaFusionReport(report));
  } else {
    if (recognizeLSTM)
      pm.addNestedPass<func::FuncOp>(
          createMicaRecognizeLSTM(MicaRecognizeLSTMOptions{/*remarks=*/false}));
    if (fuseBert)
      pm.addNestedPass<func::FuncOp>(
          createMicaFuseBert(MicaFuseBertOptions{/*remarks=*/false}));
    if (combineParallelDense) {
      MicaCombineParallelDenseOptions combine;
      combine.remarks = false;
      pm.addNestedPass<func::FuncOp>(createMicaCombineParallelDense(combine));
    }
  }
  pm.addPass(createCanonicalizerPass());
}

void mica::buildMicaCPUPipeline(OpPassManager &pm,
                                const MicaCPUPipelineOptions &options) {
  addMicaGraphPasses(pm, options);

  // External kernels (oneDNN) for the ops --extern chooses.
  if (options.externKernels != "none" || options.precision != "fp32") {
    ConvertMicaToRuntimeOptions runtime;
    runtime.externKernels = options.externKernels;
    runtime.threads = options.threads;
    runtime.precision = options.precision;
    pm.addPass(createConvertMicaToRuntime(runtime));
  }

  // Tensor level: linalg, fusion, kernels.
  pm.addPass(createConvertMicaToLinalg());
  pm.addPass(createMicaCPUVerifyLowered());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createMicaCPUFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  if (options.contractionKernels) {
    MicaCPUContractionOptions contraction;
    contraction.threads = options.threads;
    contraction.packWeights = options.packWeights;
    contraction.minParallelMacs = options.minParallelMacs;
    contraction.colSplitRatio = options.colSplitRatio;
    // bf16: weight contractions run on AVX-512 BF16 dot products.
    contraction.precision = options.precision;
    pm.addPass(createMicaCPUContraction(contraction));
  }
  if (options.vectorize) {
    MicaCPUFuseRowsOptions rows;
    rows.threads = options.threads;
    rows.minParallelElements = options.minParallelElements;
    pm.addNestedPass<func::FuncOp>(createMicaCPUFuseRows(rows));
    pm.addPass(createCanonicalizerPass());
    MicaCPUVectorizeOptions vectorize;
    vectorize.threads = options.threads;
    vectorize.minParallelElements = options.minParallelElements;
    pm.addNestedPass<func::FuncOp>(createMicaCPUVectorize(vectorize));
    pm.addPass(createCanonicalizerPass());
  }
  MicaCPUPrepareABIOptions abi;
  abi.entry = options.entry;
  pm.addPass(createMicaCPUPrepareABI(abi));

  // Buffers: one-shot bufferization with identity-layout function
  // boundaries (the C ABI hands dense buffers), then deallocation.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A tensor.empty whose value ends up inserted into a destination (split
  // and tiled ops, after canonicalization folded their slices of the
  // destination into smaller empties) becomes that slice of the
  // destination: computed in place instead of in a new buffer and copied.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  // Results that alias an argument come back as bufferization.clone.
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createMicaCPUPlanBuffers());

  // Loops: the rest of linalg as loops, scf.forall as OpenMP.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  if (options.fastMath) {
    pm.addNestedPass<func::FuncOp>(createMicaMathApproximation());
    pm.addNestedPass<func::FuncOp>(createMicaCPUFastMathFlags());
  }
  pm.addNestedPass<func::FuncOp>(createMicaCPULowerDynamicReshapes());
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  if (options.threads > 1) {
    ConvertSCFToOpenMPPassOptions omp;
    omp.numThreads = options.threads;
    pm.addPass(createConvertSCFToOpenMPPass(omp));
  }
  pm.addPass(createCanonicalizerPass());

  // LLVM dialect.
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // x86vector (the bf16 kernels' vdpbf16ps) lowers to LLVM intrinsics here.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = options.precision == "bf16";
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createMicaEmitModelABI());
}

void mica::registerMicaPipelines() {
  PassPipelineRegistration<MicaCPUPipelineOptions>(
      "mica-cpu-pipeline",
      "Compile a mica model to the LLVM dialect for x86 CPUs (refine shapes, "
      "graph rewrites, linalg, contraction kernels, bufferization, OpenMP, "
      "LLVM) with the C ABI of include/mica/Runtime/MicaModel.h",
      buildMicaCPUPipeline);
}
