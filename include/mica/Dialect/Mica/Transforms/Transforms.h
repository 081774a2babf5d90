//===- Transforms.h - Mica rewrite pattern entry points ---------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The patterns behind Mica's passes, exposed so that an embedding compiler
/// can run them in its own pass pipeline.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_TRANSFORMS_TRANSFORMS_H
#define MICA_DIALECT_MICA_TRANSFORMS_TRANSFORMS_H

#include "mlir/IR/PatternMatch.h"

namespace mica {

class FusionReport;

/// Options of the parallel-dense combining rewrite.
struct CombineParallelDenseOptions {
  /// Fewest compatible branches that are worth combining (at least 2).
  unsigned minBranches = 2;
  /// Stack branches of equal width into one batched matmul (weights
  /// [branches, ..., K, N]) instead of one wider layer.
  bool toBatch = false;
};

/// Dense layers (or matmuls with a constant 2-D weight) that read the same
/// input become one wider layer with weights concatenated at compile time,
/// followed by a `mica.split`. Fired rewrites and near misses go to
/// `report` when it is given.
void populateCombineParallelDensePatterns(
    mlir::RewritePatternSet &patterns,
    const CombineParallelDenseOptions &options, FusionReport *report);

/// Which graph rewrites `applyGraphRewrites` runs.
struct GraphRewriteOptions {
  bool recognizeLSTM = true;
  bool fuseBert = true;
  bool combineParallelDense = true;
  CombineParallelDenseOptions combine;
};

/// Runs the graph rewrite stage on `root` (and everything nested in it):
/// LSTM recognition, the BERT fusions, then parallel-dense combining, each
/// to a fixed point, recording every fire and near miss in `report` (may be
/// null). Fails when a rewrite does not converge.
llvm::LogicalResult applyGraphRewrites(mlir::Operation *root,
                                       const GraphRewriteOptions &options,
                                       FusionReport *report);

/// Patterns that give each mica op the result type inferred from its
/// operands when that type is more static than the written one (and
/// insert `tensor.cast`s back for users that are not mica ops).
void populateRefineShapesPatterns(mlir::RewritePatternSet &patterns);

/// Refines `func`'s argument types with `shapes` (argument index -> static
/// shape), propagates them with the refine-shapes and canonicalization
/// patterns and updates the function's result types. Fails when a pinned
/// shape contradicts the argument type.
llvm::LogicalResult
refineFunctionShapes(mlir::Operation *func,
                     llvm::ArrayRef<std::pair<unsigned,
                                              llvm::SmallVector<int64_t>>>
                         shapes);

/// The transformer fusions of mica-fuse-bert: layer_norm, gelu, bias_gelu,
/// skip_layer_norm, embed_layer_norm and attention.
void populateFuseBertPatterns(mlir::RewritePatternSet &patterns,
                              FusionReport *report);

/// Multi-head self-attention written out with matmuls, reshapes,
/// transposes and softmax becomes `mica.attention` (part of
/// populateFuseBertPatterns).
void populateFuseAttentionPatterns(mlir::RewritePatternSet &patterns,
                                   FusionReport *report);

/// Recognizes LSTM cells built from plain ops and chains the cells of
/// consecutive time steps into `mica.lstm` ops (see mica-recognize-lstm).
/// Fired rewrites and near misses go to `report` when it is given.
void populateRecognizeLSTMPatterns(mlir::RewritePatternSet &patterns,
                                   FusionReport *report);

/// Runs the LSTM recognition patterns on `root` the way mica-recognize-lstm
/// does (with reshape canonicalization, top-down so a stacked layer sees the
/// mica.lstm of the layer below). Fails when the rewrite does not converge.
llvm::LogicalResult applyRecognizeLSTM(mlir::Operation *root,
                                       FusionReport *report);

} // namespace mica

#endif // MICA_DIALECT_MICA_TRANSFORMS_TRANSFORMS_H
