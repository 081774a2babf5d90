//===- HostTensor.h - Host tensors of the reference evaluator ---*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `HostTensor`: a dense, row-major tensor in host memory with one of the
/// element types of the `mica` dialect. It is the value type of the
/// reference evaluator and of its I/O helpers (.npy, ONNX TensorProto).
///
//===----------------------------------------------------------------------===//

#ifndef MICA_REFERENCE_HOSTTENSOR_H
#define MICA_REFERENCE_HOSTTENSOR_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mica::reference {

/// The element types a `HostTensor` can hold (those of the `mica` dialect).
enum class ElementType { F32, F16, BF16, I1, I8, I32, I64 };

/// Size of one element in bytes (`i1` takes one byte, 0 or 1).
int64_t getElementSize(ElementType type);

/// True for f32, f16 and bf16.
bool isFloatType(ElementType type);

/// The MLIR spelling of an element type ("f32", "i1", ...).
llvm::StringRef stringifyElementType(ElementType type);

/// Maps an MLIR element type to an `ElementType`; std::nullopt for types
/// the evaluator does not handle.
std::optional<ElementType> fromMLIRType(mlir::Type type);

/// Rounds `value` to the nearest value representable in the float type
/// `type` (ties to even) and returns it widened back to double.
double roundToFloatType(ElementType type, double value);

/// A dense row-major tensor owning its bytes. f16 and bf16 elements are
/// stored in their IEEE / bfloat16 bit patterns, `i1` as one byte (0/1).
class HostTensor {
public:
  HostTensor() = default;
  /// A zero-filled tensor of the given type and shape.
  HostTensor(ElementType type, llvm::ArrayRef<int64_t> shape);

  /// Element type of the tensor.
  ElementType getElementType() const { return type; }
  /// Dims of the tensor (empty for a scalar).
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  /// Number of dims.
  int64_t getRank() const { return static_cast<int64_t>(shape.size()); }
  /// Product of the dims.
  int64_t getNumElements() const;
  /// True when the tensor holds a floating-point element type.
  bool isFloat() const { return isFloatType(type); }

  /// The raw element bytes (little endian, row-major).
  llvm::ArrayRef<uint8_t> getBytes() const { return bytes; }
  /// Mutable raw element bytes.
  llvm::MutableArrayRef<uint8_t> getMutableBytes() { return bytes; }

  /// Element `i` (row-major) converted to double.
  double getDouble(int64_t i) const;
  /// Stores `v` at `i`, rounded (floats) or truncated toward zero and
  /// wrapped (integers); `i1` stores `v != 0`.
  void setDouble(int64_t i, double v);
  /// Element `i` as an integer (floats truncate toward zero).
  int64_t getInt(int64_t i) const;
  /// Stores `v` at `i`, wrapped to the integer width; `i1` stores `v != 0`,
  /// floats the (rounded) value of `v`.
  void setInt(int64_t i, int64_t v);

  /// All elements converted to double.
  std::vector<double> toDoubles() const;
  /// All elements converted to int64 (floats truncate toward zero).
  std::vector<int64_t> toInts() const;
  /// A tensor of the given type and shape holding `values` (rounded or
  /// wrapped as by setDouble).
  static HostTensor fromDoubles(ElementType type, llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<double> values);
  /// A tensor of the given type and shape holding `values` (as by setInt).
  static HostTensor fromInts(ElementType type, llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> values);

  /// Copies the data of a constant attribute (`dense<...>`,
  /// `dense_resource<...>`) into a tensor. Fails with a message for element
  /// types, attribute kinds or blobs the evaluator cannot read.
  static llvm::Expected<HostTensor> fromElementsAttr(mlir::ElementsAttr attr);

  /// "2x3xf32"-style spelling of the shape and element type.
  std::string getTypeString() const;

private:
  ElementType type = ElementType::F32;
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<uint8_t> bytes;
};

} // namespace mica::reference

#endif // MICA_REFERENCE_HOSTTENSOR_H
