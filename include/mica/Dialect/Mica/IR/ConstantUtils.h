//===- ConstantUtils.h - compile-time work on weight tensors ----*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Byte-level helpers that let rewrites transform constant weights at
/// compile time (concatenate, stack) whether they are `dense<...>` or
/// `dense_resource<...>` blobs, without going through per-element
/// attributes.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_CONSTANTUTILS_H
#define MICA_DIALECT_MICA_IR_CONSTANTUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace mica {

/// The row-major bytes of a constant with a static shape and an element
/// type of at least 8 bits (splats are expanded). std::nullopt for other
/// attributes (i1 data, opaque elements, a missing blob).
std::optional<std::vector<char>> getConstantBytes(mlir::ElementsAttr attr);

/// Builds a constant of `type` from row-major bytes: `dense<...>` up to 16
/// elements, a `dense_resource` blob named after `nameHint` above.
mlir::ElementsAttr makeConstant(mlir::RankedTensorType type,
                                llvm::ArrayRef<char> bytes,
                                llvm::StringRef nameHint);

/// Concatenates constants of equal rank and element type along `axis`.
/// std::nullopt when a constant's bytes are not available.
std::optional<mlir::ElementsAttr>
concatConstants(llvm::ArrayRef<mlir::ElementsAttr> parts, int64_t axis,
                llvm::StringRef nameHint);

} // namespace mica

#endif // MICA_DIALECT_MICA_IR_CONSTANTUTILS_H
