//===- TensorProto.cpp - ONNX TensorProto reading and writing -------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `onnx.TensorProto` files, as in the ONNX backend test directories
/// (input_K.pb, output_K.pb). Only protobuf's generated parsing code is
/// used, which reports errors by return value and never throws, so this
/// file builds with -fno-exceptions.
///
//===----------------------------------------------------------------------===//

#include "mica/Reference/TensorIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace llvm;
using namespace mica::reference;

/// The ONNX data type of an element type.
static onnx::TensorProto::DataType toONNX(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return onnx::TensorProto::FLOAT;
  case ElementType::F16:
    return onnx::TensorProto::FLOAT16;
  case ElementType::BF16:
    return onnx::TensorProto::BFLOAT16;
  case ElementType::I1:
    return onnx::TensorProto::BOOL;
  case ElementType::I8:
    return onnx::TensorProto::INT8;
  case ElementType::I32:
    return onnx::TensorProto::INT32;
  case ElementType::I64:
    return onnx::TensorProto::INT64;
  }
  llvm_unreachable("unknown element type");
}

/// The element type of an ONNX data type, or std::nullopt.
static std::optional<ElementType> fromONNX(int dataType) {
  for (ElementType t : {ElementType::F32, ElementType::F16, ElementType::BF16,
                        ElementType::I1, ElementType::I8, ElementType::I32,
                        ElementType::I64})
    if (toONNX(t) == dataType)
      return t;
  return std::nullopt;
}

Expected<NamedTensor> mica::reference::parseTensorProto(StringRef buffer) {
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(buffer.data(), static_cast<int>(buffer.size())))
    return createStringError("malformed onnx.TensorProto");
  std::optional<ElementType> type = fromONNX(proto.data_type());
  if (!type)
    return createStringError(formatv("unsupported TensorProto data type {0} "
                                     "(expected FLOAT, FLOAT16, BFLOAT16, "
                                     "BOOL, INT8, INT32 or INT64)",
                                     proto.data_type())
                                 .str());
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return createStringError("TensorProto with external data is not "
                             "supported");
  SmallVector<int64_t> shape;
  for (int64_t d : proto.dims()) {
    if (d < 0)
      return createStringError("TensorProto has a negative dim");
    shape.push_back(d);
  }
  NamedTensor result{proto.name(), HostTensor(*type, shape)};
  HostTensor &t = result.tensor;
  int64_t n = t.getNumElements();
  auto sizeError = [&](size_t found) {
    return createStringError(formatv("TensorProto '{0}' holds {1} values but "
                                     "{2} needs {3}",
                                     proto.name(), found, t.getTypeString(), n)
                                 .str());
  };
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != t.getBytes().size())
      return sizeError(raw.size() / getElementSize(*type));
    std::memcpy(t.getMutableBytes().data(), raw.data(), raw.size());
    if (*type == ElementType::I1)
      for (int64_t i = 0; i < n; ++i)
        t.setInt(i, t.getBytes()[i] != 0);
    return result;
  }
  switch (*type) {
  case ElementType::F32:
    if (proto.float_data_size() != n)
      return sizeError(proto.float_data_size());
    for (int64_t i = 0; i < n; ++i)
      t.setDouble(i, proto.float_data(i));
    return result;
  case ElementType::I64:
    if (proto.int64_data_size() != n)
      return sizeError(proto.int64_data_size());
    for (int64_t i = 0; i < n; ++i)
      t.setInt(i, proto.int64_data(i));
    return result;
  case ElementType::F16:
  case ElementType::BF16:
    // Bit patterns in int32_data.
    if (proto.int32_data_size() != n)
      return sizeError(proto.int32_data_size());
    for (int64_t i = 0; i < n; ++i) {
      uint16_t bits = static_cast<uint16_t>(proto.int32_data(i));
      std::memcpy(t.getMutableBytes().data() + 2 * i, &bits, 2);
    }
    return result;
  default:
    if (proto.int32_data_size() != n)
      return sizeError(proto.int32_data_size());
    for (int64_t i = 0; i < n; ++i)
      t.setInt(i, proto.int32_data(i));
    return result;
  }
}

Expected<NamedTensor> mica::reference::readTensorProtoFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(file.getError(),
                             "cannot read '" + path + "': " +
                                 file.getError().message());
  Expected<NamedTensor> t = parseTensorProto((*file)->getBuffer());
  if (!t)
    return createStringError(path + ": " + toString(t.takeError()));
  return t;
}

Error mica::reference::writeTensorProtoFile(StringRef path,
                                            const HostTensor &t,
                                            StringRef name) {
  onnx::TensorProto proto;
  proto.set_name(name.str());
  proto.set_data_type(toONNX(t.getElementType()));
  for (int64_t d : t.getShape())
    proto.add_dims(d);
  proto.set_raw_data(std::string(
      reinterpret_cast<const char *>(t.getBytes().data()),
      t.getBytes().size()));
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return createStringError("cannot serialize TensorProto '" + name + "'");
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write '" + path + "': " +
                                     ec.message());
  os << bytes;
  return Error::success();
}
