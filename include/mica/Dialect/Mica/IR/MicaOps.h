//===- MicaOps.h - Mica dialect operations ----------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Declares the `mica` operations and the shape helpers that their
/// verifiers, type inference and folders share.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_MICAOPS_H
#define MICA_DIALECT_MICA_IR_MICAOPS_H

#include "mica/Dialect/Mica/IR/MicaDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <optional>

namespace mica {

/// True when `l` and `r` pairwise are ranked tensors with the same element
/// type whose shapes agree on every dim that is static in both.
bool areCompatibleTensorTypes(mlir::TypeRange l, mlir::TypeRange r);

/// Numpy broadcast of two shapes (dynamic dims allowed): a dim of 1 takes
/// the other, a dynamic dim against a static N > 1 gives N. Fails when two
/// static dims differ and neither is 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Maps `axis` in [-rank, rank) to [0, rank); std::nullopt when out of
/// range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Reads the values of a 1-D shape-like value (i32/i64) whose entries are
/// known at compile time. Looks through constants, `shape_of` of tensors
/// with static dims, `concat`, `gather` and `reshape` of such values and
/// casts. Unknown entries are std::nullopt; the result is std::nullopt
/// when not even the length is known.
std::optional<llvm::SmallVector<std::optional<int64_t>>>
getPartialShapeValues(mlir::Value v);

namespace detail {
/// Result type of an op whose operands broadcast numpy-style. The element
/// type is that of the last operand unless `elementType` is given.
llvm::LogicalResult inferBroadcastResult(std::optional<mlir::Location> loc,
                                         llvm::StringRef opName,
                                         mlir::ValueRange operands,
                                         std::optional<mlir::Type> elementType,
                                         llvm::SmallVectorImpl<mlir::Type> &out);
/// Verifies that the operands of an elementwise op broadcast together.
llvm::LogicalResult verifyBroadcastOp(mlir::Operation *op);
/// Constant-folds an elementwise unary op on small dense constants.
mlir::OpFoldResult foldUnaryOp(mlir::Operation *op,
                               llvm::ArrayRef<mlir::Attribute> operands);
/// Constant-folds an elementwise binary op on small dense constants and
/// applies the identities x+0, x*1, x-0, x/1.
mlir::OpFoldResult foldBinaryOp(mlir::Operation *op,
                                llvm::ArrayRef<mlir::Attribute> operands);
} // namespace detail

/// Largest constant (in elements) that folders materialize.
constexpr int64_t kMaxFoldElements = 1 << 16;

} // namespace mica

#define GET_OP_CLASSES
#include "mica/Dialect/Mica/IR/MicaOps.h.inc"

#endif // MICA_DIALECT_MICA_IR_MICAOPS_H
