//===- Pipelines.h - Mica pass pipelines ------------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Typed options and builders of Mica's pass pipelines. mica-opt
/// (`--mica-cpu-pipeline`), mica-compile, mica-run, the C API and the Python
/// module all build the very same pipeline from these.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_PIPELINES_PIPELINES_H
#define MICA_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mica {

/// The graph-level options every Mica pipeline starts with: entry and
/// argument shapes, the three graph rewrites, the fusion report. Pipeline
/// option structs derive from this (CRTP) and add their own.
template <typename Derived>
struct MicaGraphPipelineOptions : public mlir::PassPipelineOptions<Derived> {
  template <typename T>
  using Option = mlir::detail::PassOptions::Option<T>;
  template <typename T>
  using ListOption = mlir::detail::PassOptions::ListOption<T>;

  Option<std::string> entry{
      *this, "entry",
      llvm::cl::desc("Model function (default: main or the only one)"),
      llvm::cl::init("")};
  ListOption<std::string> argShapes{
      *this, "arg-shapes",
      llvm::cl::desc("Pin entry argument shapes before compiling, as "
                     "index:AxBxC (? keeps a dim dynamic)")};
  Option<bool> recognizeLSTM{*this, "recognize-lstm",
                             llvm::cl::desc("Run mica-recognize-lstm"),
                             llvm::cl::init(true)};
  Option<bool> fuseBert{*this, "fuse-bert",
                        llvm::cl::desc("Run mica-fuse-bert"),
                        llvm::cl::init(true)};
  Option<bool> combineParallelDense{
      *this, "combine-parallel-dense",
      llvm::cl::desc("Run mica-combine-parallel-dense"), llvm::cl::init(true)};
  Option<std::string> fusionReport{
      *this, "fusion-report",
      llvm::cl::desc("Print the fusion report of the graph rewrites: "
                     "'' (no), 'text' or 'json' (to stderr)"),
      llvm::cl::init("")};
};

/// Appends the graph-level stage shared by the pipelines: mica-refine-shapes
/// (entry, argument shapes), the graph rewrites (without remarks, or as
/// mica-fusion-report when `fusionReport` is set), canonicalization.
void addMicaGraphPasses(mlir::OpPassManager &pm, llvm::StringRef entry,
                        llvm::ArrayRef<std::string> argShapes,
                        bool recognizeLSTM, bool fuseBert,
                        bool combineParallelDense,
                        llvm::StringRef fusionReport);
template <typename Derived>
void addMicaGraphPasses(mlir::OpPassManager &pm,
                        const MicaGraphPipelineOptions<Derived> &options) {
  addMicaGraphPasses(pm, options.entry, options.argShapes,
                     options.recognizeLSTM, options.fuseBert,
                     options.combineParallelDense, options.fusionReport);
}

/// Options of the CPU pipeline (mica dialect on tensors -> LLVM dialect).
struct MicaCPUPipelineOptions
    : public MicaGraphPipelineOptions<MicaCPUPipelineOptions> {
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads the contraction kernels and large "
                     "elementwise/reduction ops split into (OpenMP); 1 runs "
                     "single-threaded without OpenMP"),
      llvm::cl::init(1)};
  Option<int64_t> minParallelMacs{
      *this, "min-parallel-macs",
      llvm::cl::desc("Contractions below this many multiply-accumulates run "
                     "on one thread"),
      llvm::cl::init(262144)};
  Option<int64_t> minParallelElements{
      *this, "min-parallel-elements",
      llvm::cl::desc("Elementwise and reduction ops with fewer static "
                     "iteration points run on one thread"),
      llvm::cl::init(32768)};
  Option<int64_t> colSplitRatio{
      *this, "col-split-ratio",
      llvm::cl::desc("Threaded contractions split B's columns when N >= this "
                     "* M (0: only when M is too small)"),
      llvm::cl::init(1)};
  Option<bool> contractionKernels{
      *this, "contraction-kernels",
      llvm::cl::desc("Generate register-blocked matmul kernels "
                     "(mica-cpu-contraction); off: plain loops"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg.generic ops "
                     "(mica-cpu-vectorize); off: scalar loops for LLVM"),
      llvm::cl::init(true)};
  Option<bool> packWeights{
      *this, "pack-weights",
      llvm::cl::desc("Pack constant matmul weights into panels at compile "
                     "time"),
      llvm::cl::init(true)};
  Option<std::string> externKernels{
      *this, "extern",
      llvm::cl::desc("Ops handed to oneDNN kernels (convert-mica-to-runtime): "
                     "none, auto, or onednn[:lstm,matmul]"),
      llvm::cl::init("none")};
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("Compute type of the matmul kernels: fp32, or bf16 "
                     "(bf16 inputs and weights, f32 accumulation and "
                     "outputs: AVX-512 BF16 dot products in the native "
                     "weight kernels, oneDNN bf16 for --extern ops; needs "
                     "avx512_bf16)"),
      llvm::cl::init("fp32")};
  Option<bool> fastMath{
      *this, "fast-math",
      llvm::cl::desc("Polynomial exp/tanh/erf/log (vectorizable) instead of "
                     "libm calls"),
      llvm::cl::init(true)};
};

/// Appends the CPU pipeline to `pm` (anchored on builtin.module): shape
/// refinement, graph rewrites, convert-mica-to-linalg, elementwise fusion,
/// contraction kernels, bufferization, OpenMP and the conversion to LLVM,
/// ending with the C ABI symbols of include/mica/Runtime/MicaModel.h.
void buildMicaCPUPipeline(mlir::OpPassManager &pm,
                          const MicaCPUPipelineOptions &options);

/// Registers `mica-cpu-pipeline` with the global pass pipeline registry.
void registerMicaPipelines();

} // namespace mica

#endif // MICA_PIPELINES_PIPELINES_H
