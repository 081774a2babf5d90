//===- Passes.h - Mica CPU code generation passes ---------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Passes and patterns between linalg on tensors and the LLVM dialect: the
/// contraction kernels, the C ABI of compiled models, and workarounds for
/// upstream lowering gaps. Declared in include/mica/Codegen/Passes.td.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CODEGEN_PASSES_H
#define MICA_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

#include <cstdint>

namespace mica {

#define GEN_PASS_DECL
#include "mica/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mica/Codegen/Passes.h.inc"

/// Tile sizes of one contraction: rows per register tile (`mr`), vector
/// registers per row (`nrVectors`, each `vectorWidth` lanes), and the loop
/// order over the tiles.
struct ContractionStrategy {
  int64_t mr = 8;
  int64_t nrVectors = 2;
  int64_t vectorWidth = 16;
  /// Column panels outside, row tiles inside: each K x nr panel of B is
  /// loaded once and reused from cache by every row tile, and A is re-read
  /// once per panel. Otherwise row tiles outside: the mr x K rows of A stay
  /// in cache and all of B is re-read once per row tile.
  bool colsOuter = false;
  /// With `colsOuter`: rows per block of A (a multiple of `mr`) that the
  /// column panels loop over before the next block, sized so the block
  /// stays in L2.
  int64_t rowBlock = 128;
  int64_t nr() const { return nrVectors * vectorWidth; }
};

/// The strategy for an M x N x K contraction (M < 0 when dynamic) from the
/// table in lib/Codegen/Strategy.cpp.
ContractionStrategy getContractionStrategy(int64_t m, int64_t n, int64_t k,
                                           bool constantB);

/// Patterns of mica-cpu-lower-dynamic-reshapes.
void populateLowerDynamicReshapePatterns(mlir::RewritePatternSet &patterns);

/// The line-per-tensor signature of `func` that lib/Runtime/MicaModel.c
/// parses, or failure (with a diagnostic) for types the C ABI cannot carry.
mlir::FailureOr<std::string> buildModelSignature(mlir::func::FuncOp func);

} // namespace mica

#endif // MICA_CODEGEN_PASSES_H
