//===- GPUTarget.cpp - mica-compile --target=cuda -------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "GPUTarget.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

cl::OptionCategory &mica::getGPUTargetCategory() {
  static cl::OptionCategory category("mica-compile GPU options");
  return category;
}

enum class Target { CPU, CUDA };
static cl::opt<Target> target(
    "target", cl::desc("What to compile for"), cl::init(Target::CPU),
    cl::values(clEnumValN(Target::CPU, "cpu", "the host CPU (x86)"),
               clEnumValN(Target::CUDA, "cuda",
                          "NVIDIA GPUs: PTX (--emit=ptx, the default) or "
                          "GPU-level IR (--emit=mlir); no host runtime yet")),
    cl::cat(mica::getGPUTargetCategory()));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("--target=cuda: sm_70, sm_75, sm_80, sm_86, sm_89 or "
                     "sm_90 (CUDA 13's ptxas rejects sm_70: assemble its PTX "
                     "with -arch=sm_75)"),
            cl::init("sm_70"), cl::cat(mica::getGPUTargetCategory()));
static cl::opt<std::string>
    mma("mma",
        cl::desc("--target=cuda: TensorCore instructions: auto (WMMA before "
                 "sm_80, mma.sync m16n8k16 from sm_80), wmma, mma.sync"),
        cl::init("auto"), cl::cat(mica::getGPUTargetCategory()));
static cl::opt<int64_t>
    blockSize("block-size",
              cl::desc("--target=cuda: threads per block of the SIMT kernels"),
              cl::init(128), cl::cat(mica::getGPUTargetCategory()));

bool mica::isCUDATarget() { return target == Target::CUDA; }

static int fail(const Twine &message) {
  llvm::errs() << "mica-compile: error: " << message << "\n";
  return 1;
}

int mica::compileForCUDA(ModuleOp module, MicaGPUPipelineOptions &options,
                         StringRef emit, StringRef outputPath,
                         bool dumpAfterEach) {
  if (emit != "ptx" && emit != "mlir")
    return fail("--target=cuda writes --emit=ptx or --emit=mlir only (no "
                "host runtime or cubin packaging yet), not --emit=" +
                emit);
  options.gpuArch = gpuArch;
  options.blockSize = blockSize;
  options.mma = mma;
  options.toBinary = emit == "ptx";
  std::string error = verifyMicaGPUPipelineOptions(options);
  if (!error.empty())
    return fail(error);

  PassManager pm(module.getContext());
  if (dumpAfterEach) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting();
  }
  buildMicaGPUPipeline(pm, options);
  if (failed(pm.run(module)))
    return 1;

  std::string message;
  std::unique_ptr<llvm::ToolOutputFile> out =
      openOutputFile(outputPath, &message);
  if (!out)
    return fail(message);
  if (emit == "mlir") {
    module.print(out->os());
    out->keep();
    return 0;
  }
  // All kernels are in one gpu.module (mica-gpu-merge-modules): one PTX
  // module with an .entry per kernel.
  unsigned objects = 0;
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      if (object.getFormat() != gpu::CompilationTarget::Assembly)
        continue;
      out->os() << object.getObject().getValue();
      ++objects;
    }
  }
  if (objects == 0)
    out->os() << "// mica-compile: the model has no GPU kernels\n";
  out->keep();
  return 0;
}
