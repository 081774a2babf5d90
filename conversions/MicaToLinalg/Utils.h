//===- Utils.h - shared helpers of the mica-to-linalg lowering --*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Builders shared by the op families of convert-mica-to-linalg: dims as
/// OpFoldResults, unit-dim collapsing for broadcasts, broadcasting
/// elementwise `linalg.generic`s, reductions, scalar constants and the
/// activation bodies.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSIONS_MICATOLINALG_UTILS_H
#define MICA_CONVERSIONS_MICATOLINALG_UTILS_H

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mica::linalg_lowering {

/// Builds the scalar body of an elementwise generic from the input block
/// arguments; returns the value to yield.
using ScalarBodyFn =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange)>;

/// Combines an input element with the accumulator of a reduction.
using CombineFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::Value x, mlir::Value acc)>;

/// Size of dim `d` of `v`: an index attribute when static, else tensor.dim.
mlir::OpFoldResult getDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                          int64_t d);
/// All dims of `v` (see getDim).
llvm::SmallVector<mlir::OpFoldResult> getDims(mlir::OpBuilder &b,
                                              mlir::Location loc, mlir::Value v);
/// `ofr` as an index Value (materializing constants).
mlir::Value toValue(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::OpFoldResult ofr);
/// Static shape of a list of dims (ShapedType::kDynamic where a Value).
llvm::SmallVector<int64_t> staticShapeOf(llvm::ArrayRef<mlir::OpFoldResult> d);

/// tensor.cast `v` to `type` when the types differ (more or less static).
mlir::Value castTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                   mlir::Type type);

/// A scalar constant of `type` (float or integer) with value `v`.
mlir::Value scalarConst(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Type type, double v);
/// +inf / -inf for floats; the largest / smallest value for integers.
mlir::Value extremeConst(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Type type, bool largest);

/// Removes the dims of `v` marked in `drop` (all static 1) with
/// tensor.collapse_shape; `kept` receives the surviving dim indices.
mlir::Value dropUnitDims(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         llvm::ArrayRef<bool> drop,
                         llvm::SmallVectorImpl<int64_t> &kept);

/// Inverse of dropUnitDims: expands `v` to `dims` (the surviving dims are the
/// non-`inserted` ones, in order) with tensor.expand_shape.
mlir::Value insertUnitDims(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value v, llvm::ArrayRef<bool> inserted,
                           llvm::ArrayRef<mlir::OpFoldResult> dims);

/// Numpy-broadcast output dims of `operands` (right-aligned) for a result
/// of `resultType`'s rank: a static dim != 1 of any operand wins, else the
/// dim of an operand with a dynamic dim (assumed not to broadcast), else 1.
/// Static dims of `resultType` override dynamic ones.
llvm::SmallVector<mlir::OpFoldResult>
getBroadcastDims(mlir::OpBuilder &b, mlir::Location loc,
                 mlir::RankedTensorType resultType, mlir::ValueRange operands);

/// An elementwise linalg.generic over `outDims` whose inputs broadcast
/// numpy-style: static unit dims that broadcast are collapsed away so every
/// indexing map is a projected permutation. The result element type is
/// `elementType`. `body` receives one scalar per operand.
mlir::Value buildBroadcastGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                  llvm::ArrayRef<mlir::OpFoldResult> outDims,
                                  mlir::Type elementType,
                                  mlir::ValueRange operands, ScalarBodyFn body);

/// buildBroadcastGeneric with the dims of getBroadcastDims, cast to
/// `resultType`.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, ScalarBodyFn body);

/// A generic over `input`'s dims that reduces the sorted dims `reduced`,
/// starting from `init` (a scalar) and combining with `combine`; the result
/// has the kept dims only.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> reduced,
                           mlir::Value init, CombineFn combine);

/// An elementwise generic over the dims of `full` whose extra operands
/// `reducedOperands` have the dims of `full` minus `reduced` (results of
/// buildReduction) and are read through projections. `body` receives the
/// element of `full` first, then one per reduced operand.
mlir::Value buildWithReduced(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value full, llvm::ArrayRef<int64_t> reduced,
                             mlir::ValueRange reducedOperands,
                             mlir::Type elementType, ScalarBodyFn body);

/// The number of elements over the dims `dims` of `v`, as a scalar of
/// `type` (float or integer).
mlir::Value countOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                    llvm::ArrayRef<int64_t> dims, mlir::Type type);

/// Scalar activations shared by the elementwise ops and the fused epilogues.
mlir::Value buildSigmoid(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);
mlir::Value buildGelu(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      bool tanhApprox);
mlir::Value buildActivation(mlir::OpBuilder &b, mlir::Location loc,
                            Activation act, mlir::Value x);

} // namespace mica::linalg_lowering

#endif // MICA_CONVERSIONS_MICATOLINALG_UTILS_H
