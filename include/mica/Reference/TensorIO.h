//===- TensorIO.h - Reading and writing host tensors ------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// File formats for `HostTensor`s: numpy `.npy` and ONNX `TensorProto`
/// (`.pb`, as in the ONNX backend test directories), and seeded random
/// tensors. All failures are reported as `llvm::Error`s with a message that
/// names the file; nothing here aborts on bad input.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_REFERENCE_TENSORIO_H
#define MICA_REFERENCE_TENSORIO_H

#include "mica/Reference/HostTensor.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mica::reference {

/// A tensor and the name it was stored under (empty when unnamed).
struct NamedTensor {
  std::string name;
  HostTensor tensor;
};

/// Parses the contents of a `.npy` file: format versions 1.0, 2.0 and 3.0,
/// little-endian (or byte-order-free) dtypes `f4`, `f2`, `b1`, `i1`, `i4`,
/// `i8`, C order only.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef buffer);

/// Reads a `.npy` file (see parseNpy).
llvm::Expected<HostTensor> readNpyFile(llvm::StringRef path);

/// Serializes `t` as a version 1.0 `.npy`. numpy has no bfloat16, so bf16
/// tensors are written as f32 (exactly).
std::string serializeNpy(const HostTensor &t);

/// Writes `t` to a `.npy` file (see serializeNpy).
llvm::Error writeNpyFile(llvm::StringRef path, const HostTensor &t);

/// Parses a serialized `onnx.TensorProto` (raw_data or the typed data
/// fields) of type FLOAT, FLOAT16, BFLOAT16, BOOL, INT8, INT32 or INT64.
/// External data is not supported.
llvm::Expected<NamedTensor> parseTensorProto(llvm::StringRef buffer);

/// Reads a `.pb` file holding one `onnx.TensorProto`.
llvm::Expected<NamedTensor> readTensorProtoFile(llvm::StringRef path);

/// Writes `t` as an `onnx.TensorProto` with `raw_data` and the given name.
llvm::Error writeTensorProtoFile(llvm::StringRef path, const HostTensor &t,
                                 llvm::StringRef name);

/// Reads a tensor file by extension: `.npy`, or `.pb` (TensorProto).
llvm::Expected<NamedTensor> readTensorFile(llvm::StringRef path);

/// A deterministic random tensor for a seed: floats are uniform in
/// [-1, 1), i1 is 0 or 1, and integers are uniform in [0, 4) (small, so
/// that they are valid indices and sizes for most ops). The generator is a
/// 64-bit SplitMix, identical on every platform.
HostTensor makeRandomTensor(ElementType type, llvm::ArrayRef<int64_t> shape,
                            uint64_t seed);

} // namespace mica::reference

#endif // MICA_REFERENCE_TENSORIO_H
