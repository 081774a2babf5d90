//===- mica-compile.cpp - compile a model to a native library -------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
///   mica-compile model.{onnx,onnxtxt,pb,pbtxt,mlir} -o libmodel.so
///       [--emit=lib|mlir|llvm|asm|obj] [--threads N] [--mcpu CPU]
///       [--mattr FEATURES] [--fusion-report[=text|json]]
///       [--recognize-lstm=0] [--fuse-bert=0] [--combine-parallel-dense=0]
///       [--input-shape name=1x128] [--dump-after-each] [--remarks]
///
/// Writes a shared library with the C ABI of include/mica/Runtime/MicaModel.h
/// and that header next to it (libmodel.h), or stops at an earlier stage.
///
///   mica-compile model.onnx --target=cuda --gpu-arch=sm_70
///       [--emit=lib|llvm|asm|obj|ptx|mlir] [--precision=fp32|bf16|fp16]
///       [--gpu-binary=auto|ptx|cubin|fatbin] -o libmodel.so|model.ptx
///
/// Writes a library with the same C ABI whose kernels run on an NVIDIA GPU
/// (the default for a .so output), the PTX of all GPU kernels (one module;
/// the default otherwise) or the GPU-level IR (GPUTarget.cpp).
///
//===----------------------------------------------------------------------===//

#include "GPUTarget.h"
#include "mica/Compiler/Compiler.h"
#include "mica/Conversion/MicaToRuntime/MicaToRuntime.h"
#include "mica/Conversion/ONNXToMica/ONNXToMica.h"
#include "mica/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("mica-compile options");
static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model>"), cl::cat(category));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("path"),
                                       cl::init("libmodel.so"),
                                       cl::cat(category));
enum class Emit { Lib, Mlir, Llvm, Asm, Obj, Ptx };
static cl::opt<Emit> emit(
    "emit", cl::desc("What to write"), cl::init(Emit::Lib),
    cl::values(clEnumValN(Emit::Lib, "lib", "shared library + header"),
               clEnumValN(Emit::Mlir, "mlir", "LLVM dialect after the pipeline"),
               clEnumValN(Emit::Llvm, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "assembly"),
               clEnumValN(Emit::Obj, "obj", "object file"),
               clEnumValN(Emit::Ptx, "ptx",
                          "PTX of all kernels (--target=cuda)")),
    cl::cat(category));
static cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: host)"),
                                 cl::init(""), cl::cat(category));
static cl::opt<std::string> mattr("mattr",
                                  cl::desc("Target features (+avx512f,...)"),
                                  cl::init(""), cl::cat(category));
static cl::opt<std::string> fusionReport(
    "fusion-report", cl::desc("Print the fusion report (text or json)"),
    cl::ValueOptional, cl::init(""), cl::cat(category));
static cl::opt<bool> recognizeLSTM("recognize-lstm", cl::init(true),
                                   cl::desc("Run mica-recognize-lstm"),
                                   cl::cat(category));
static cl::opt<bool> fuseBert("fuse-bert", cl::init(true),
                              cl::desc("Run mica-fuse-bert"),
                              cl::cat(category));
static cl::opt<bool> combineParallelDense(
    "combine-parallel-dense", cl::init(true),
    cl::desc("Run mica-combine-parallel-dense"), cl::cat(category));
static cl::opt<bool> contractionKernels(
    "contraction-kernels", cl::init(true),
    cl::desc("Register-blocked matmul kernels (off: plain loops)"),
    cl::cat(category));
static cl::opt<bool> packWeights("pack-weights", cl::init(true),
                                 cl::desc("Pack constant weights at compile "
                                          "time"),
                                 cl::cat(category));
static cl::opt<int64_t> minParallelMacs(
    "min-parallel-macs", cl::init(262144),
    cl::desc("Contractions below this many multiply-accumulates run on one "
             "thread"),
    cl::cat(category));
static cl::opt<int64_t> minParallelElements(
    "min-parallel-elements", cl::init(32768),
    cl::desc("Elementwise and reduction ops with fewer iteration points run "
             "on one thread"),
    cl::cat(category));
static cl::opt<int64_t> colSplitRatio(
    "col-split-ratio", cl::init(1),
    cl::desc("Threaded matmuls split B's columns (not A's rows) when N >= "
             "this * M (0: only when M is too small to share)"),
    cl::cat(category));
static cl::opt<bool> fastMath("fast-math", cl::init(true),
                              cl::desc("Polynomial exp/tanh/erf"),
                              cl::cat(category));
static cl::list<std::string> inputShapes(
    "input-shape", cl::desc("ONNX: pin input shapes, name=1x128,other=4x?"),
    cl::cat(category));
static cl::opt<std::string> externKernels(
    "extern", cl::init("none"),
    cl::desc("Ops handed to oneDNN kernels: none, auto (per-op cost rule, "
             "see docs/pipeline.md) or onednn[:lstm,matmul]; the library "
             "then loads libdnnl.so.2"),
    cl::cat(category));
static cl::opt<std::string> precision(
    "precision", cl::init("fp32"),
    cl::desc("Compute type of the matmul kernels: fp32, or bf16 (native "
             "weight matmuls on AVX-512 BF16 dot products, vdpbf16ps, and "
             "--extern oneDNN ops in bf16; f32 accumulation, inputs and "
             "outputs stay f32; needs a CPU with avx512_bf16); with "
             "--target=cuda: fp32 or fp16"),
    cl::cat(category));
static cl::opt<std::string> entry("entry", cl::desc("Model function"),
                                  cl::init(""), cl::cat(category));
static cl::opt<bool> dumpAfterEach("dump-after-each",
                                   cl::desc("Print the IR after every pass"),
                                   cl::cat(category));
static cl::opt<bool> remarks("remarks",
                             cl::desc("Show remarks of the code generator"),
                             cl::cat(category));

static int fail(const Twine &message) {
  llvm::errs() << "mica-compile: error: " << message << "\n";
  return 1;
}

/// Writes -o with `print`; returns the exit code.
static int writeOutput(llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string message;
  auto out = openOutputFile(outputPath, &message);
  if (!out)
    return fail(message);
  print(out->os());
  out->keep();
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // libLLVM/libMLIR already register a hidden "threads" option: replace it
  // with ours (it has to be created after that one exists).
  if (cl::Option *other = cl::getRegisteredOptions().lookup("threads"))
    other->removeArgument();
  cl::opt<unsigned> threads("threads",
                            cl::desc("Threads of the compiled model"),
                            cl::init(1), cl::cat(category));
  cl::HideUnrelatedOptions({&category, &mica::getGPUTargetCategory()});
  cl::ParseCommandLineOptions(argc, argv, "Mica model compiler\n");

  DialectRegistry registry;
  mica::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler sourceHandler(sourceMgr, &context);
  ScopedDiagnosticHandler remarkFilter(&context, [](Diagnostic &d) {
    return success(d.getSeverity() == DiagnosticSeverity::Remark && !remarks);
  });

  mica::ModelLoadOptions load;
  for (const std::string &spec : inputShapes) {
    std::string err = mica::parseInputShapes(spec, load.inputShapes);
    if (!err.empty())
      return fail("--input-shape: " + err);
  }
  OwningOpRef<ModuleOp> module =
      mica::loadModelFile(inputPath, &context, sourceMgr, load);
  if (!module)
    return 1;

  if (mica::isCUDATarget()) {
    mica::MicaGPUPipelineOptions gpu;
    gpu.entry = entry;
    gpu.recognizeLSTM = recognizeLSTM;
    gpu.fuseBert = fuseBert;
    gpu.combineParallelDense = combineParallelDense;
    gpu.fastMath = fastMath;
    if (precision.getNumOccurrences())
      gpu.precision = precision;
    if (fusionReport.getNumOccurrences())
      gpu.fusionReport =
          fusionReport.empty() ? std::string("text") : fusionReport.getValue();
    // No --emit: a library for a .so output, else PTX (GPUTarget.cpp).
    StringRef gpuEmit = !emit.getNumOccurrences() ? ""
                        : emit == Emit::Ptx       ? "ptx"
                        : emit == Emit::Mlir      ? "mlir"
                        : emit == Emit::Llvm      ? "llvm"
                        : emit == Emit::Asm       ? "asm"
                        : emit == Emit::Obj       ? "obj"
                                                  : "lib";
    return mica::compileForCUDA(*module, gpu, gpuEmit, outputPath,
                                dumpAfterEach, mcpu, mattr);
  }
  if (emit == Emit::Ptx)
    return fail("--emit=ptx needs --target=cuda");

  mica::MicaCPUPipelineOptions options;
  options.entry = entry;
  options.threads = threads;
  options.minParallelMacs = minParallelMacs;
  options.minParallelElements = minParallelElements;
  options.colSplitRatio = colSplitRatio;
  options.recognizeLSTM = recognizeLSTM;
  options.fuseBert = fuseBert;
  options.combineParallelDense = combineParallelDense;
  options.contractionKernels = contractionKernels;
  options.packWeights = packWeights;
  options.fastMath = fastMath;
  options.externKernels = externKernels;
  options.precision = precision;
  if (fusionReport.getNumOccurrences())
    options.fusionReport =
        fusionReport.empty() ? std::string("text") : fusionReport.getValue();
  if (failed(mica::lowerToLLVMDialect(*module, options, dumpAfterEach)))
    return 1;

  if (emit == Emit::Mlir)
    return writeOutput([&](llvm::raw_ostream &os) { module->print(os); });
  mica::LinkOptions link;
  link.openmp = threads > 1;
  link.externKernels = mica::usesExternRuntime(*module);
  mica::HostOutput output = emit == Emit::Llvm  ? mica::HostOutput::LLVMIR
                            : emit == Emit::Asm ? mica::HostOutput::Assembly
                            : emit == Emit::Obj ? mica::HostOutput::Object
                                                : mica::HostOutput::Library;
  std::string error;
  if (failed(mica::writeHostCode(*module, output, outputPath, mcpu, mattr, link,
                                 error)))
    return error.empty() ? 1 : fail(error);
  return 0;
}
