//===- EvalUtils.h - Shared helpers of the reference evaluator --*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Internal interface between the evaluator driver and the per-family op
/// evaluators (Elementwise.cpp, Structure.cpp, ...), plus index and math
/// helpers they share.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_LIB_REFERENCE_EVALUTILS_H
#define MICA_LIB_REFERENCE_EVALUTILS_H

#include "mica/Reference/HostTensor.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cmath>
#include <optional>
#include <string>

namespace mica::reference::detail {

/// The tensors an op produces.
using Results = llvm::SmallVector<HostTensor, 1>;

/// Outcome of a family evaluator: std::nullopt when the op does not belong
/// to the family, failure when it was rejected (a diagnostic was emitted).
using OpOutcome = std::optional<mlir::FailureOr<Results>>;

/// The values computed so far, by SSA value.
class Env {
public:
  /// The tensor of a value that has been computed.
  const HostTensor &get(mlir::Value v) const { return values.find(v)->second; }
  /// The tensor of an optional operand, nullptr when the operand is absent.
  const HostTensor *getOptional(mlir::Value v) const {
    return v ? &values.find(v)->second : nullptr;
  }
  /// True when `v` has a tensor.
  bool contains(mlir::Value v) const { return values.count(v); }
  /// Binds `v` to `t`.
  void set(mlir::Value v, HostTensor t) { values[v] = std::move(t); }

private:
  llvm::DenseMap<mlir::Value, HostTensor> values;
};

/// Family evaluators, one per source file.
OpOutcome evaluateElementwiseOp(mlir::Operation *op, const Env &env);
OpOutcome evaluateStructureOp(mlir::Operation *op, const Env &env);
OpOutcome evaluateIndexingOp(mlir::Operation *op, const Env &env);
OpOutcome evaluateContractionOp(mlir::Operation *op, const Env &env);
OpOutcome evaluateReductionOp(mlir::Operation *op, const Env &env);
OpOutcome evaluateFusedOp(mlir::Operation *op, const Env &env);
OpOutcome evaluateRecurrentOp(mlir::Operation *op, const Env &env);

/// Element type of result `i` of `op` (checked by the driver beforehand).
ElementType getResultElementType(mlir::Operation *op, unsigned i = 0);

/// "[2, 3]" spelling of a shape, for diagnostics.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> getStrides(llvm::ArrayRef<int64_t> shape);

/// Product of `shape`.
int64_t getNumElements(llvm::ArrayRef<int64_t> shape);

/// Numpy broadcast of concrete shapes; std::nullopt when incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastConcrete(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Strides that read a tensor of shape `in` broadcast to `out` (rank of
/// `out`; 0 for broadcast dims). `in` must broadcast to `out`.
llvm::SmallVector<int64_t> getBroadcastStrides(llvm::ArrayRef<int64_t> in,
                                               llvm::ArrayRef<int64_t> out);

/// Calls `fn(index)` for every multi-index of `shape` in row-major order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn);

/// Dot product of an index with strides (a linear offset).
int64_t offsetOf(llvm::ArrayRef<int64_t> index, llvm::ArrayRef<int64_t> strides);

/// Copies element `si` of `src` to element `di` of `dst` (same type).
void copyElement(const HostTensor &src, int64_t si, HostTensor &dst,
                 int64_t di);

/// Emits "'<op>' op <message>" at the op and returns failure, for use as
/// `return fail(op) << ...;`.
inline mlir::InFlightDiagnostic fail(mlir::Operation *op) {
  return op->emitOpError();
}

/// Normalizes an axis attribute in [-rank, rank) or emits an error.
mlir::FailureOr<int64_t> getAxis(mlir::Operation *op, int64_t axis,
                                 int64_t rank);

/// Logistic sigmoid.
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
/// Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).
inline double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / M_SQRT2)); }
/// Tanh-approximated GELU.
inline double geluTanh(double x) {
  return 0.5 * x *
         (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

/// Layer normalization of `n` contiguous values at `x` in place (biased
/// variance), then `x * scale + bias` with optional per-element params.
void layerNormRow(double *x, int64_t n, double epsilon, const double *scale,
                  const double *bias);

} // namespace mica::reference::detail

#endif // MICA_LIB_REFERENCE_EVALUTILS_H
