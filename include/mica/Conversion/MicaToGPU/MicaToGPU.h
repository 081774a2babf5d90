//===- MicaToGPU.h - GPU code generation passes and patterns ----*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The GPU backend between linalg on tensors and outlined NVVM kernels:
/// mixed precision (mica-f16), TensorCore tiling of contractions, mapping
/// of block/warp loops and SIMT loops to gpu.launch, and the per-arch table.
/// Passes are declared in include/mica/Conversion/MicaToGPU/Passes.td.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_MICATOGPU_MICATOGPU_H
#define MICA_CONVERSION_MICATOGPU_MICATOGPU_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mica {

#define GEN_PASS_DECL
#include "mica/Conversion/MicaToGPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mica/Conversion/MicaToGPU/Passes.h.inc"

/// One row of the per-arch table: what an NVIDIA target supports and the
/// TensorCore tile the GPU backend uses on it.
struct GPUArchInfo {
  /// `sm_XY` as given to nvvm-attach-target.
  std::string chip;
  /// Compute capability as XY (70 for sm_70).
  unsigned sm = 0;
  /// PTX ISA the NVPTX backend emits for this chip (`+ptxNN`).
  std::string ptxFeature;
  /// Warps per thread block along M and N (each warp owns fragmentsM x
  /// fragmentsN MMA tiles: 16 x 16 with WMMA, 16 x 8 with mma.sync).
  int64_t warpsM = 2;
  int64_t warpsN = 2;
  /// TensorCore instructions: mma.sync m16n8k16 (nvgpu.mma.sync, sm_80+)
  /// instead of WMMA m16n16k16 (gpu.subgroup_mma_*).
  bool mmaSync = false;
  /// MMA tiles per warp along M and N: a warp owns 16 * fragmentsM x
  /// warpTileN() * fragmentsN (the vector tile is unrolled to the MMA shape),
  /// a block warpsM x warpsN warp tiles.
  int64_t fragmentsM = 1;
  int64_t fragmentsN = 1;
  /// Shared-memory staging of the TensorCore operands: each K step's A and B
  /// block tiles are copied to workgroup memory by all threads of the block
  /// and the warps read their fragments from there. `sharedPad` extra
  /// elements per row of each staged tile avoid bank conflicts (a multiple
  /// of 8 keeps rows 16-byte aligned for ldmatrix and cp.async).
  bool stageShared = true;
  int64_t sharedPad = 8;
  /// Copies in flight over K on sm_80+ (cp.async, multi-buffered shared
  /// tiles); 1 turns the pipelining off.
  int64_t copyPipelineDepth = 2;

  /// The N extent of one warp's tile.
  int64_t warpTileN() const { return mmaSync ? 8 : 16; }

  /// Row reductions (mica-gpu-reductions): threads of a block that owns one
  /// row (a multiple of 32, at most 1024).
  int64_t rowBlockThreads = 256;
  /// Rows of at most this many (static) elements are owned by one warp,
  /// `rowWarpsPerBlock` rows per block.
  int64_t rowWarpMaxElements = 1024;
  int64_t rowWarpsPerBlock = 4;
  /// Rows of more than this many (static) elements are split across blocks
  /// of `rowSplitChunk` elements each (partial results, then a combine).
  int64_t rowSplitThreshold = 8192;
  int64_t rowSplitChunk = 2048;
};

/// `arch` with its TensorCore instructions chosen by `mma`: "auto" (the
/// table), "wmma" or "mma.sync"; std::nullopt for other values or mma.sync
/// before sm_80.
std::optional<GPUArchInfo> withMMAKind(GPUArchInfo arch, llvm::StringRef mma);

/// The table row for `chip` (sm_70 ... sm_90), or std::nullopt.
std::optional<GPUArchInfo> lookupGPUArch(llvm::StringRef chip);

/// The chips of the table, comma separated (for diagnostics).
std::string supportedGPUArchs();

/// The table row for `chip`, or std::nullopt after emitting "`passName`:
/// unsupported gpu-arch '`chip`' (supported: ...)" at `op`: the preamble of
/// the passes with a gpu-arch option.
std::optional<GPUArchInfo> requireGPUArch(mlir::Operation *op,
                                          llvm::StringRef passName,
                                          llvm::StringRef chip);

/// Overwrites (or adds) the table row for `info.chip`: the hook a tuner uses.
void setGPUArchInfo(const GPUArchInfo &info);

/// Patterns of mica-f16: a contraction with f32 inputs and init reads f16
/// inputs (truncated, constants converted at compile time) and extends them
/// to f32 in its body.
///   linalg.matmul ins(%a, %b : f32, f32) outs(%c : f32)
///   -> linalg.matmul ins(truncf(%a), truncf(%b) : f16, f16) outs(%c : f32)
/// With `tensorCoreShapesOnly`, contractions whose shape misses TensorCores
/// stay f32 (they run on the f32 SIMT path).
void populateMicaF16Patterns(mlir::RewritePatternSet &patterns,
                             bool tensorCoreShapesOnly = true);

/// Why the shape or layout of `op` does not fit TensorCores (empty when it
/// does): not a single m/n/k contraction with at most one batch dim,
/// dynamic shapes, M/N/K not multiples of 16.
std::string getTensorCoreShapeMismatch(mlir::linalg::LinalgOp op);

/// Why `op` cannot run on TensorCores (empty when it can): a shape mismatch
/// or inputs that are not f16 with an f32 result.
std::string getTensorCoreMismatch(mlir::linalg::LinalgOp op);

/// Tiles one TensorCore-eligible contraction to blocks, warps and K steps of
/// 16 and vectorizes the warp tile (see mica-gpu-tile-contractions); marks
/// the K loop for hoistTensorCoreAccumulators. Returns the block-level
/// scf.forall.
/// With `arch.stageShared`, the A and B K-step tiles of the block are
/// copied to workgroup memory (linalg.copy into a
/// bufferization.alloc_tensor) and the warps read from there; a constant
/// fill init is written into the warp tile in the kernel (no fill kernel).
/// `notes` receives why a part of that did not apply.
mlir::FailureOr<mlir::scf::ForallOp>
tileContractionForTensorCores(mlir::RewriterBase &rewriter,
                              mlir::linalg::LinalgOp op,
                              const GPUArchInfo &arch,
                              std::string *notes = nullptr);

/// After populateTensorCoreContractPatterns: hoists the accumulator of every
/// K loop marked by tileContractionForTensorCores out of the loop (a vector
/// iter_arg, kept in registers).
void hoistTensorCoreAccumulators(mlir::RewriterBase &rewriter,
                                 mlir::Operation *root);

/// Patterns that fold the vectorized 16x16x16 tile into one 2-D
/// vector.contract with f16 operands (reduction to contract, extension
/// folding, unit batch dims cast away). With `arch`, warp tiles of several
/// MMA tiles are unrolled to the MMA shape (16 x 16 x 16 for WMMA,
/// 16 x 8 x 16 for mma.sync: upstream vector unrolling).
void populateTensorCoreContractPatterns(mlir::RewritePatternSet &patterns,
                                        const GPUArchInfo *arch = nullptr);

/// Maps one bufferized block-level scf.forall (and its nested warp foralls)
/// to a gpu.launch (see mica-gpu-map-forall).
mlir::FailureOr<mlir::gpu::LaunchOp>
mapForallToGPULaunch(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall);

/// Software-pipelines the K loop `loop` of a TensorCore launch whose copies
/// to (multi-buffered) shared memory are nvgpu.device_async_copy groups:
/// the copies and their address computations run `depth` iterations ahead
/// of the rest (upstream scf::pipelineForLoop, peeled epilogue), each
/// nvgpu.device_async_wait leaves `depth - 1` groups in flight. Fails
/// without async copies or with ops with regions in the loop body.
mlir::FailureOr<mlir::scf::ForOp>
pipelineSharedMemoryCopies(mlir::RewriterBase &rewriter, mlir::scf::ForOp loop,
                           int64_t depth);

/// Replaces every workgroup memref.alloc in the body of `launch` by a
/// workgroup attribution of the launch (a .shared array after outlining).
void useWorkgroupAttributions(mlir::RewriterBase &rewriter,
                              mlir::gpu::LaunchOp launch);

/// Why the linalg op `op` is not a row reduction that mica-gpu-reductions
/// turns into a warp/block kernel (empty when it is): one f32 result, one
/// reduction dim that is the innermost loop, a body that combines the
/// accumulator with add/mul/max/min, pure scalar arithmetic.
std::string getRowReductionMismatch(mlir::linalg::LinalgOp op);

/// How mica-gpu-reductions emits its kernels.
struct RowReductionOptions {
  /// Emit a remark for every reduction left to the SIMT path, saying why.
  bool remarks = true;
  /// Sequential loops over blocks and threads instead of gpu.launch (same
  /// partition, same combine order): runs on the CPU to check the numerics.
  bool emulate = false;
};

/// Rewrites every group of row reductions over the innermost dim and the
/// elementwise ops that share their rows (softmax, layer norm, reduce ops)
/// in `func` into kernels where a warp or a block owns a row, or, for long
/// rows, a partial kernel and a combine kernel (see mica-gpu-reductions).
/// Returns the number of groups rewritten.
int64_t mapRowReductionsToGPU(mlir::RewriterBase &rewriter,
                              mlir::func::FuncOp func, const GPUArchInfo &arch,
                              const RowReductionOptions &options);

} // namespace mica

#endif // MICA_CONVERSION_MICATOGPU_MICATOGPU_H
