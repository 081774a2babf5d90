//===- ConstantUtils.h - compile-time work on weight tensors ----*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Byte-level helpers that let rewrites transform constant weights at
/// compile time (concatenate, stack, slice, transpose, add) whether they are `dense<...>` or
/// `dense_resource<...>` blobs, without going through per-element
/// attributes.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_CONSTANTUTILS_H
#define MICA_DIALECT_MICA_IR_CONSTANTUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/LogicalResult.h"

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

/// Bytes per element of `type` (a scalar int or float type of a whole
/// number of bytes), or 0 for types the helpers do not handle.
size_t getElementByteWidth(mlir::Type type);

/// The row-major bytes of a tensor of `shape` whose dims are permuted:
/// result dim `k` is input dim `perm[k]` (as `mica.transpose`).
std::vector<char> transposeBytes(llvm::ArrayRef<char> bytes,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<int64_t> perm,
                                 size_t elementBytes);

/// The row-major bytes of `[start, start + size)` along `axis` of a tensor
/// of `shape`.
std::vector<char> sliceBytes(llvm::ArrayRef<char> bytes,
                             llvm::ArrayRef<int64_t> shape, int64_t axis,
                             int64_t start, int64_t size,
                             size_t elementBytes);

/// Adds the floating-point elements of `rhs` to those of `acc` (same
/// count, element type `type`). Fails for non-float element types.
llvm::LogicalResult addFloatBytes(llvm::MutableArrayRef<char> acc,
                                  llvm::ArrayRef<char> rhs, mlir::Type type);

/// Transposes a constant with a static shape (see transposeBytes).
std::optional<mlir::ElementsAttr>
transposeConstant(mlir::ElementsAttr attr, llvm::ArrayRef<int64_t> perm,
                  llvm::StringRef nameHint);

/// Takes `[start, start + size)` along `axis` of a constant.
std::optional<mlir::ElementsAttr> sliceConstant(mlir::ElementsAttr attr,
                                                int64_t axis, int64_t start,
                                                int64_t size,
                                                llvm::StringRef nameHint);

/// Reads an integer constant (dense or dense_resource) as int64s; i1
/// reads as 0/1. std::nullopt for other attributes.
std::optional<llvm::SmallVector<int64_t>>
readIntElements(mlir::ElementsAttr attr);

/// Reads a float or integer constant as doubles (dense of any float type,
/// dense_resource of f32 or integers).
std::optional<llvm::SmallVector<double>>
readFloatElements(mlir::ElementsAttr attr);

} // namespace mica

#endif // MICA_DIALECT_MICA_IR_CONSTANTUTILS_H
