//===- Compiler.cpp - model file -> native code ---------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Compiler/Compiler.h"

#include "mica/Conversion/MicaToRuntime/MicaToRuntime.h"
#include "mica/Conversion/ONNXToMica/ONNXToMica.h"
#include "mica/Conversion/TFToMica/TFToMica.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

extern "C" {
/// lib/Runtime/MicaModel.c: the strided copy the memref lowering calls.
void memrefCopy(int64_t elemSize, void *src, void *dst);
}

#ifndef MICA_LLVM_ROOT
#define MICA_LLVM_ROOT "/usr/lib/llvm-22"
#endif
#ifndef MICA_HEADER_SOURCE
#define MICA_HEADER_SOURCE ""
#endif

OwningOpRef<ModuleOp> mica::loadModelFile(StringRef path, MLIRContext *context,
                                          llvm::SourceMgr &sourceMgr,
                                          const ModelLoadOptions &options) {
  StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".onnx" || ext == ".onnxtxt") {
    ONNXImportOptions onnx;
    for (const auto &kv : options.inputShapes)
      onnx.inputShapes[kv.getKey()] = kv.getValue();
    for (const auto &kv : options.frozenInputs)
      onnx.frozenInputs[kv.getKey()] = kv.getValue();
    return importONNXFile(path, context, onnx);
  }
  if (isTFGraphPath(path))
    return importTFGraphFile(path, context);
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &message);
  if (!file) {
    emitError(UnknownLoc::get(context)) << message;
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(context));
}

LogicalResult mica::lowerToLLVMDialect(ModuleOp module,
                                       const MicaCPUPipelineOptions &options,
                                       bool dumpAfterEach) {
  PassManager pm(module->getName());
  if (dumpAfterEach) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
        /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/true);
  }
  buildMicaCPUPipeline(pm, options);
  return pm.run(module);
}

/// Lets `module`'s context translate every dialect the pipeline leaves.
static void registerLLVMTranslations(ModuleOp module) {
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module.getContext()->appendDialectRegistry(registry);
}

static void initializeTargets() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    return true;
  }();
  (void)done;
}

std::unique_ptr<llvm::TargetMachine>
mica::createTargetMachine(StringRef mcpu, StringRef mattr, std::string &error) {
  initializeTargets();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = mcpu.empty() || mcpu == "native"
                        ? llvm::sys::getHostCPUName().str()
                        : mcpu.str();
  std::string features = mattr.str();
  if (mcpu.empty() || mcpu == "native") {
    llvm::SubtargetFeatures host;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      host.AddFeature(f.getKey(), f.getValue());
    features = host.getString() + (mattr.empty() ? "" : "," + mattr.str());
  }
  llvm::TargetOptions opts;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, opts, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}

/// Empty, or why `tm` cannot run `module`: the bf16 kernels
/// (--precision=bf16) call vdpbf16ps, and a target without avx512_bf16 would
/// crash LLVM's instruction selection.
static std::string checkTargetFeatures(ModuleOp module,
                                       llvm::TargetMachine &tm) {
  bool usesBF16Dot = false;
  module.walk([&](LLVM::CallIntrinsicOp call) {
    if (call.getIntrin().starts_with("llvm.x86.avx512bf16."))
      usesBF16Dot = true;
  });
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  if (!usesBF16Dot || (sti && sti->checkFeatures("+avx512bf16")))
    return "";
  return ("--precision=bf16 needs a CPU with avx512_bf16 (vdpbf16ps): the "
          "target (CPU '" +
          tm.getTargetCPU() +
          "' with the --mattr features) lacks it; compile with "
          "--precision=fp32, or for a CPU that has it (e.g. --mcpu=znver4, "
          "--mcpu=sapphirerapids or --mattr=+avx512bf16)")
      .str();
}

std::unique_ptr<llvm::Module>
mica::translateAndOptimize(ModuleOp module, llvm::LLVMContext &ctx,
                           llvm::TargetMachine &tm) {
  registerLLVMTranslations(module);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, ctx, "mica_model");
  if (!llvmModule) {
    module.emitError("translation to LLVM IR failed");
    return nullptr;
  }
  std::string featureError = checkTargetFeatures(module, tm);
  if (!featureError.empty()) {
    mlir::emitError(module.getLoc()) << featureError;
    return nullptr;
  }
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  // Let the backend tune for the target CPU in every function.
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", tm.getTargetCPU());
    f.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  auto transformer = makeOptimizingTransformer(3, 0, &tm);
  if (llvm::Error err = transformer(llvmModule.get())) {
    module.emitError() << "LLVM optimization failed: "
                       << llvm::toString(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

LogicalResult mica::emitMachineCode(llvm::Module &module,
                                    llvm::TargetMachine &tm, StringRef path,
                                    bool assembly, std::string &error) {
  std::error_code ec;
  auto out = std::make_unique<llvm::ToolOutputFile>(path, ec,
                                                     llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out->os(), nullptr,
                             assembly ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return failure();
  }
  pm.run(module);
  out->keep();
  return success();
}

/// Directory of the running executable.
static std::string executableDir() {
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  return llvm::sys::path::parent_path(exe).str();
}

/// A library of the Mica runtime: <prefix>/lib next to <prefix>/bin (build
/// and install trees alike).
static FailureOr<std::string> runtimeLibrary(StringRef name,
                                             std::string &error) {
  SmallString<256> path(executableDir());
  llvm::sys::path::append(path, "..", "lib", name);
  if (!llvm::sys::fs::exists(path)) {
    error = "the Mica runtime library is missing: " + path.str().str();
    return failure();
  }
  return path.str().str();
}

LogicalResult mica::linkModelLibrary(StringRef objectPath, StringRef outputPath,
                                     bool openmp, bool externKernels,
                                     std::string &error, bool cudaRuntime) {
  FailureOr<std::string> runtime = runtimeLibrary("libMicaRuntime.a", error);
  if (failed(runtime))
    return failure();
  FailureOr<std::string> cuda = std::string();
  if (cudaRuntime &&
      failed(cuda = runtimeLibrary("libMicaCudaRuntime.a", error)))
    return failure();
  FailureOr<std::string> externRuntime = std::string();
  if (externKernels &&
      failed(externRuntime = runtimeLibrary("libMicaRuntimeDNNL.a", error)))
    return failure();
  std::string linker;
  for (StringRef candidate :
       {StringRef(MICA_LLVM_ROOT "/bin/clang"), StringRef("cc")}) {
    if (auto p = llvm::sys::findProgramByName(candidate)) {
      linker = *p;
      break;
    }
  }
  if (linker.empty()) {
    error = "no C compiler driver to link with (clang-22 or cc)";
    return failure();
  }
  std::string libDir = MICA_LLVM_ROOT "/lib";
  SmallVector<std::string> args = {linker, "-shared", "-o", outputPath.str(),
                                   objectPath.str()};
  if (externKernels)
    args.push_back(*externRuntime);
  if (cudaRuntime) {
    // Hidden: two model libraries in one process keep their own state.
    // Linked even when the host code makes no runtime call: MicaModel.c
    // only refers to the device state weakly.
    args.push_back("-Wl,--undefined=mica_device_create");
    args.push_back("-Wl,--exclude-libs,libMicaCudaRuntime.a");
    args.push_back(*cuda);
  }
  args.push_back(*runtime);
  if (openmp || externKernels) {
    args.push_back("-L" + libDir);
    args.push_back("-Wl,-rpath," + libDir);
    // Before libdnnl: oneDNN's GOMP_* calls bind to libomp.
    args.push_back("-Wl,--no-as-needed");
    args.push_back("-lomp");
  }
  if (externKernels) {
    args.push_back("-ldnnl");
    args.push_back("-lstdc++");
  }
  if (cudaRuntime)
    args.push_back("-ldl");
  args.push_back("-lm");
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(linker, argRefs, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    error = "linking '" + outputPath.str() + "' failed (" + linker +
            (message.empty() ? "" : ": " + message) + ")";
    return failure();
  }
  return success();
}

LogicalResult mica::writeHostCode(ModuleOp module, HostOutput output,
                                  StringRef outputPath, StringRef mcpu,
                                  StringRef mattr, const LinkOptions &link,
                                  std::string &error) {
  error.clear();
  std::unique_ptr<llvm::TargetMachine> tm =
      createTargetMachine(mcpu, mattr, error);
  if (!tm)
    return failure();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, llvmContext, *tm);
  if (!llvmModule)
    return failure();
  if (output == HostOutput::LLVMIR) {
    std::unique_ptr<llvm::ToolOutputFile> out =
        openOutputFile(outputPath, &error);
    if (!out)
      return failure();
    llvmModule->print(out->os(), nullptr);
    out->keep();
    return success();
  }
  if (output != HostOutput::Library)
    return emitMachineCode(*llvmModule, *tm, outputPath,
                           output == HostOutput::Assembly, error);
  // A shared library: object to a temporary file, then link.
  SmallString<128> objectPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("mica-model", "o", objectPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return failure();
  }
  llvm::FileRemover removeObject(objectPath);
  if (failed(emitMachineCode(*llvmModule, *tm, objectPath, false, error)) ||
      failed(linkModelLibrary(objectPath, outputPath, link.openmp,
                              link.externKernels, error, link.cudaRuntime)))
    return failure();
  SmallString<128> headerPath(outputPath);
  llvm::sys::path::replace_extension(headerPath, "h");
  return writeModelHeader(headerPath, error);
}

std::unique_ptr<mica::JitModel>
mica::JitModel::create(ModuleOp module, bool openmp, std::string &error) {
  initializeTargets();
  registerLLVMTranslations(module);
  std::unique_ptr<llvm::TargetMachine> tm = createTargetMachine("", "", error);
  if (!tm)
    return nullptr;
  error = checkTargetFeatures(module, *tm);
  if (!error.empty())
    return nullptr;
  auto transformer = makeOptimizingTransformer(3, 0, tm.get());
  std::string omp = MICA_LLVM_ROOT "/lib/libomp.so";
  bool externKernels = usesExternRuntime(module);
  std::string externLib;
  if (externKernels) {
    FailureOr<std::string> lib =
        runtimeLibrary("libmica_runtime_dnnl.so", error);
    if (failed(lib))
      return nullptr;
    externLib = *lib;
  }
  SmallVector<StringRef> libs;
  // libomp first: oneDNN's GOMP_* calls bind to it.
  if (openmp || externKernels)
    libs.push_back(omp);
  if (externKernels)
    libs.push_back(externLib);
  ExecutionEngineOptions options;
  options.transformer = transformer;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  options.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(module, options);
  if (!engine) {
    error = "JIT compilation failed: " + llvm::toString(engine.takeError());
    return nullptr;
  }
  std::unique_ptr<JitModel> jit(new JitModel());
  jit->engine = std::move(*engine);
  jit->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    map[interner("mica_model_create_from")] = {
        llvm::orc::ExecutorAddr::fromPtr(&mica_model_create_from),
        llvm::JITSymbolFlags::Exported};
    map[interner("memrefCopy")] = {
        llvm::orc::ExecutorAddr::fromPtr(&memrefCopy),
        llvm::JITSymbolFlags::Exported};
    return map;
  });
  jit->engine->initialize();
  auto create = jit->engine->lookup("mica_model_create");
  if (!create) {
    error = "JIT: no mica_model_create: " + llvm::toString(create.takeError());
    return nullptr;
  }
  jit->model = reinterpret_cast<mica_model *(*)()>(*create)();
  if (!jit->model) {
    error = "JIT: mica_model_create failed (bad signature)";
    return nullptr;
  }
  if (externKernels) {
    auto take = jit->engine->lookup("mica_runtime_take_error");
    if (!take) {
      error = "JIT: no mica_runtime_take_error in " + externLib + ": " +
              llvm::toString(take.takeError());
      return nullptr;
    }
    mica_model_set_error_source(jit->model,
                                reinterpret_cast<mica_error_source_fn>(*take));
  }
  return jit;
}

mica::JitModel::~JitModel() { mica_model_destroy(model); }

LogicalResult mica::writeModelHeader(StringRef path, std::string &error) {
  std::string source = MICA_HEADER_SOURCE;
  std::string message;
  auto in = openInputFile(source, &message);
  if (!in) {
    SmallString<256> installed(executableDir());
    llvm::sys::path::append(installed, "..", "include", "mica", "Runtime");
    llvm::sys::path::append(installed, "MicaModel.h");
    in = openInputFile(installed, &message);
  }
  if (!in) {
    error = "cannot find MicaModel.h: " + message;
    return failure();
  }
  auto out = openOutputFile(path, &message);
  if (!out) {
    error = message;
    return failure();
  }
  out->os() << in->getBuffer();
  out->keep();
  return success();
}
