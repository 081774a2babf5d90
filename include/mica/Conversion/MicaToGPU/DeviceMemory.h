//===- DeviceMemory.h - host code of GPU model libraries --------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The host side of a model library for CUDA (`mica-compile --target=cuda`):
/// the rewrites behind mica-gpu-device-memory and mica-gpu-elide-waits, as
/// utilities an embedding compiler can call without the passes.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_MICATOGPU_DEVICEMEMORY_H
#define MICA_CONVERSION_MICATOGPU_DEVICEMEMORY_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mica {

/// Prefix of the runtime functions that return the device copy of a
/// constant (lib/GPURuntime): `__mica_gpu_constant_<element type>`.
inline constexpr llvm::StringLiteral kDeviceConstantPrefix =
    "__mica_gpu_constant_";

/// Rewrites the host code of the bufferized `func` (everything outside
/// linalg ops, scf.forall / scf.parallel nests and gpu.launch) to keep every
/// buffer in device memory: memref.alloc/dealloc -> gpu.alloc/dealloc,
/// memref.get_global -> the runtime's device copy (declared in `module`),
/// contiguous memref.copy -> gpu.memcpy, strided memref.copy -> linalg.copy.
/// Emits an error at every host op that would touch device memory itself
/// (loads, stores, calls with buffers) and at non-identity result layouts;
/// returns failure then.
mlir::LogicalResult moveHostBuffersToDevice(mlir::RewriterBase &rewriter,
                                            mlir::func::FuncOp func);

/// Erases every blocking `gpu.wait` of `func` (what gpu-async-region puts
/// at the end of each token chain), leaving its GPU work in flight for the
/// caller to synchronize: valid when all streams are one (the model
/// runtime). Returns the number of waits erased.
unsigned elideBlockingWaits(mlir::func::FuncOp func);

} // namespace mica

#endif // MICA_CONVERSION_MICATOGPU_DEVICEMEMORY_H
