//===- Compiler.h - model file -> native code ---------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The steps mica-compile and mica-run share: load a model file (ONNX,
/// TensorFlow GraphDef, MLIR), run the CPU pipeline, translate to optimized
/// LLVM IR for the host (or a given CPU), emit assembly or an object, link a
/// model library, or JIT-compile it in-process.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_COMPILER_COMPILER_H
#define MICA_COMPILER_COMPILER_H

#include "mica/Pipelines/Pipelines.h"
#include "mica/Runtime/MicaModel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mica {

/// How to load a model file.
struct ModelLoadOptions {
  /// ONNX: static shapes to pin graph inputs to ("input_ids" -> {1, 128}).
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// ONNX: graph inputs frozen to the TensorProto files named here.
  llvm::StringMap<std::string> frozenInputs;
};

/// Loads `path` by extension: .onnx/.onnxtxt (ONNX importer), .pb/.pbtxt
/// (TensorFlow importer), anything else as MLIR text or bytecode. Returns
/// null after emitting diagnostics.
mlir::OwningOpRef<mlir::ModuleOp>
loadModelFile(llvm::StringRef path, mlir::MLIRContext *context,
              llvm::SourceMgr &sourceMgr, const ModelLoadOptions &options = {});

/// Runs the CPU pipeline on `module` (mica dialect -> LLVM dialect).
/// `dumpAfterEach` prints the IR after every pass to stderr.
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       const MicaCPUPipelineOptions &options,
                                       bool dumpAfterEach = false);

/// A target machine for `mcpu` / `mattr` (empty: the host's CPU and
/// features). Null with `error` set on failure.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(llvm::StringRef mcpu, llvm::StringRef mattr,
                    std::string &error);

/// Translates an LLVM dialect module to LLVM IR and optimizes it (O3) for
/// `tm`. Null after emitting diagnostics.
std::unique_ptr<llvm::Module> translateAndOptimize(mlir::ModuleOp module,
                                                   llvm::LLVMContext &ctx,
                                                   llvm::TargetMachine &tm);

/// Writes `module` as an object file or assembly text to `path`.
mlir::LogicalResult emitMachineCode(llvm::Module &module,
                                    llvm::TargetMachine &tm,
                                    llvm::StringRef path, bool assembly,
                                    std::string &error);

/// Links `objectPath` with the Mica runtime (and LLVM's OpenMP runtime when
/// `openmp`) into the shared library `outputPath`. With `externKernels`
/// (the model calls oneDNN, see usesExternRuntime) it also links
/// libMicaRuntimeDNNL.a, libomp and libdnnl, in that order, so that oneDNN
/// runs on the same OpenMP runtime as the generated code. With
/// `cudaRuntime` (a --target=cuda model) it links libMicaCudaRuntime.a with
/// its symbols hidden (the CUDA driver is dlopen'ed at run time).
mlir::LogicalResult linkModelLibrary(llvm::StringRef objectPath,
                                     llvm::StringRef outputPath, bool openmp,
                                     bool externKernels, std::string &error,
                                     bool cudaRuntime = false);

/// What writeHostCode writes.
enum class HostOutput { LLVMIR, Assembly, Object, Library };

/// How writeHostCode links a model library (see linkModelLibrary).
struct LinkOptions {
  bool openmp = false;
  bool externKernels = false;
  bool cudaRuntime = false;
};

/// The host tail of mica-compile (CPU and --target=cuda alike): translates
/// the LLVM dialect `module` to LLVM IR for `mcpu` / `mattr` (see
/// createTargetMachine), optimizes it and writes `output` to `outputPath`:
/// the LLVM IR, assembly, an object, or a shared library linked as `link`
/// says with the C header of compiled models next to it (`outputPath` with
/// the extension .h). On failure `error` says why, or stays empty where
/// diagnostics were emitted.
mlir::LogicalResult writeHostCode(mlir::ModuleOp module, HostOutput output,
                                  llvm::StringRef outputPath,
                                  llvm::StringRef mcpu, llvm::StringRef mattr,
                                  const LinkOptions &link, std::string &error);

/// A model JIT-compiled in-process (MLIR ExecutionEngine), with the C ABI of
/// include/mica/Runtime/MicaModel.h.
class JitModel {
public:
  /// Compiles an LLVM dialect module produced by lowerToLLVMDialect. A
  /// module with external (oneDNN) calls loads libmica_runtime_dnnl.so.
  static std::unique_ptr<JitModel> create(mlir::ModuleOp module, bool openmp,
                                          std::string &error);
  ~JitModel();
  mica_model *get() const { return model; }

private:
  JitModel() = default;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  mica_model *model = nullptr;
};

/// Writes the C header of compiled models (include/mica/Runtime/MicaModel.h)
/// to `path`.
mlir::LogicalResult writeModelHeader(llvm::StringRef path, std::string &error);

} // namespace mica

#endif // MICA_COMPILER_COMPILER_H
