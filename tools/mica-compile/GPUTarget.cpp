//===- GPUTarget.cpp - mica-compile --target=cuda -------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "GPUTarget.h"
#include "mica/Compiler/Compiler.h"
#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

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
                          "NVIDIA GPUs: a model library (--emit=lib, the "
                          "default for a .so output), PTX (--emit=ptx, the "
                          "default otherwise) or GPU-level IR "
                          "(--emit=mlir)")),
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

static cl::opt<std::string> gpuBinary(
    "gpu-binary",
    cl::desc("--target=cuda libraries: how the kernels are embedded: auto "
             "(fatbin = cubin + PTX when CUDA's ptxas and fatbinary are found "
             "and ptxas accepts --gpu-arch, else PTX that the driver "
             "JIT-compiles at load), ptx, cubin, fatbin"),
    cl::init("auto"), cl::cat(mica::getGPUTargetCategory()));

bool mica::isCUDATarget() { return target == Target::CUDA; }

static int fail(const Twine &message) {
  llvm::errs() << "mica-compile: error: " << message << "\n";
  return 1;
}

/// `tool` of a CUDA toolkit ($CUDA_HOME, $CUDA_PATH, /usr/local/cuda, then
/// PATH: what gpu-module-to-binary looks at), or "".
static std::string findCUDATool(StringRef tool) {
  SmallVector<std::string> dirs;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(var))
      dirs.push_back(value);
  dirs.push_back("/usr/local/cuda");
  for (const std::string &dir : dirs) {
    SmallString<128> path(dir);
    llvm::sys::path::append(path, "bin", tool);
    if (llvm::sys::fs::can_execute(path))
      return path.str().str();
  }
  if (auto path = llvm::sys::findProgramByName(tool))
    return *path;
  return "";
}

/// True when `ptxas` assembles an empty module for `arch` (CUDA 13's ptxas
/// rejects sm_70, for example).
static bool ptxasAccepts(StringRef ptxas, const mica::GPUArchInfo &arch) {
  StringRef isa = StringRef(arch.ptxFeature).drop_front(4); // "+ptxNN"
  SmallString<128> ptxPath;
  if (llvm::sys::fs::createTemporaryFile("mica-probe", "ptx", ptxPath))
    return false;
  llvm::FileRemover removePtx(ptxPath);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(ptxPath, ec);
    if (ec)
      return false;
    os << ".version " << isa.drop_back(1) << "." << isa.take_back(1)
       << "\n.target " << arch.chip << "\n.address_size 64\n";
  }
  SmallString<128> cubinPath(ptxPath);
  cubinPath += ".cubin";
  llvm::FileRemover removeCubin(cubinPath);
  StringRef args[] = {ptxas, "-arch", arch.chip, ptxPath, "-o", cubinPath};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(""),
                                          StringRef("")};
  return llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects) == 0;
}

/// The gpu-module-to-binary format of a library's kernels (--gpu-binary);
/// with `auto`, `why` says what was chosen and why.
static FailureOr<std::string> libraryBinaryFormat(StringRef chip,
                                                  std::string &why) {
  if (gpuBinary == "ptx")
    return std::string("isa");
  if (gpuBinary == "cubin")
    return std::string("bin");
  if (gpuBinary == "fatbin")
    return std::string("fatbin");
  if (gpuBinary != "auto") {
    (void)fail("--gpu-binary must be auto, ptx, cubin or fatbin, not '" +
               gpuBinary + "'");
    return failure();
  }
  std::string ptxas = findCUDATool("ptxas");
  std::optional<mica::GPUArchInfo> arch = mica::lookupGPUArch(chip);
  std::string fatbinary = findCUDATool("fatbinary");
  if (!ptxas.empty() && !fatbinary.empty() && arch &&
      ptxasAccepts(ptxas, *arch)) {
    why = "kernels embedded as a fatbin: the cubin for " + chip.str() + " (" +
          ptxas + ") and its PTX";
    return std::string("fatbin");
  }
  why = "kernels embedded as PTX, JIT-compiled by the driver when the model "
        "is created: " +
        (ptxas.empty()       ? std::string("no ptxas found")
         : fatbinary.empty() ? std::string("no fatbinary found")
         : !arch             ? std::string("unknown arch")
                             : ptxas + " does not accept -arch " + chip.str());
  return std::string("isa");
}

int mica::compileForCUDA(ModuleOp module, MicaGPUPipelineOptions &options,
                         StringRef emit, StringRef outputPath,
                         bool dumpAfterEach, StringRef mcpu, StringRef mattr) {
  bool shared = outputPath.ends_with(".so");
  if (emit.empty())
    emit = shared ? "lib" : "ptx";
  if (shared && (emit == "ptx" || emit == "mlir"))
    return fail("--emit=" + emit + " writes text, not a shared library ('" +
                outputPath +
                "'): use --emit=lib, or an output name without .so");
  bool library =
      emit == "lib" || emit == "llvm" || emit == "asm" || emit == "obj";
  options.gpuArch = gpuArch;
  options.blockSize = blockSize;
  options.mma = mma;
  options.toBinary = emit != "mlir";
  options.hostABI = library;
  if (library) {
    std::string why;
    FailureOr<std::string> format = libraryBinaryFormat(gpuArch, why);
    if (failed(format))
      return 1;
    options.binaryFormat = *format;
    if (!why.empty())
      emitRemark(module.getLoc()) << why;
  } else if (gpuBinary.getNumOccurrences()) {
    return fail("--gpu-binary chooses how a library embeds its kernels; "
                "--emit=" +
                emit + " writes " + (emit == "ptx" ? "PTX" : "MLIR"));
  }
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
  if (library) {
    // Host code of a model library, linked with the CUDA runtime.
    mica::LinkOptions link;
    link.cudaRuntime = true;
    mica::HostOutput output = emit == "llvm"  ? mica::HostOutput::LLVMIR
                              : emit == "asm" ? mica::HostOutput::Assembly
                              : emit == "obj" ? mica::HostOutput::Object
                                              : mica::HostOutput::Library;
    if (failed(mica::writeHostCode(module, output, outputPath, mcpu, mattr,
                                   link, error)))
      return error.empty() ? 1 : fail(error);
    return 0;
  }

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
