//===- MicaToLinalg.h - lower mica ops to linalg ----------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Patterns that lower `mica` ops to tensor-level linalg, tensor, arith and
/// math IR (the `convert-mica-to-linalg` pass is a thin shell over them).
/// Mica values are builtin tensors, so no type conversion is involved: the
/// patterns are plain conversion patterns usable in any dialect conversion
/// (or, since they never change types, with the greedy driver).
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_MICATOLINALG_MICATOLINALG_H
#define MICA_CONVERSION_MICATOLINALG_MICATOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace mica {

/// Adds every mica-to-linalg lowering pattern (all families below).
void populateMicaToLinalgConversionPatterns(mlir::RewritePatternSet &patterns);

/// Unary, binary (broadcasting), compare, where, cast, clip, activations.
void populateMicaElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// matmul (2-D, batched, broadcast batches) and dense (+bias +activation).
void populateMicaContractionToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// reduce, argmax/argmin, softmax/log_softmax, layer_norm and its fused
/// variants, batch_norm.
void populateMicaReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Data movement: constant, reshape, transpose, concat, split, slice,
/// gather, expand, pad, tile, fill, shape_of, range, one_hot.
void populateMicaStructureToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Sliding windows: conv (1-D/2-D/3-D, groups, strides, dilations, pads)
/// and pool (max/avg, pads, ceil_mode, count_include_pad).
void populateMicaNNToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Fused transformer ops decomposed into the mica ops they stand for
/// (lowered by the other families): attention, embed_layer_norm.
void populateMicaFusedToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Recurrences as an scf.for over time per direction (tensor iter_args,
/// linalg matmuls and gate generics per step): lstm, gru, with
/// sequence_lens masking.
void populateMicaRecurrentToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Computed or scanned positions: cumsum (exclusive, reverse), resize
/// (nearest/linear with compile-time tap tables; static shapes),
/// scatter_elements and scatter_nd (scf.for nests, all reductions), topk
/// (stable ranks, then an insertion loop nest).
void populateMicaIndexingToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace mica

#endif // MICA_CONVERSION_MICATOLINALG_MICATOLINALG_H
