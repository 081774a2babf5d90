//===- FuseBertUtils.h - matchers shared by the BERT fusions ----*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECTS_MICA_TRANSFORMS_FUSEBERTUTILS_H
#define MICA_DIALECTS_MICA_TRANSFORMS_FUSEBERTUTILS_H

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include <optional>

namespace mica::fusion {

/// The value of a constant whose elements are all equal (a splat or a
/// single element), as a double.
std::optional<double> getScalarConstant(mlir::Value v);

/// True when `v` is a constant scalar within `tol` (relative) of `expected`.
bool isScalar(mlir::Value v, double expected, double tol = 1e-3);

/// For a commutative binary op, the operand that is not `v`, or null.
mlir::Value otherOperand(mlir::Operation *op, mlir::Value v);

/// If `op` is a `mica.reduce mean` with keepdims over the trailing dims
/// [k, rank), returns k.
std::optional<int64_t> trailingMeanAxis(mlir::Operation *op);

} // namespace mica::fusion

#endif // MICA_DIALECTS_MICA_TRANSFORMS_FUSEBERTUTILS_H
