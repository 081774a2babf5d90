//===- HostTensor.cpp - Host tensors of the reference evaluator -----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Element access and conversions of `HostTensor`. f16 and bf16 values are
/// decoded exactly by bit manipulation and encoded with `llvm::APFloat`
/// (round to nearest, ties to even), so no double rounding happens.
///
//===----------------------------------------------------------------------===//

#include "mica/Reference/HostTensor.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mica::reference;

int64_t mica::reference::getElementSize(ElementType type) {
  switch (type) {
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  case ElementType::I1:
  case ElementType::I8:
    return 1;
  case ElementType::I64:
    return 8;
  }
  llvm_unreachable("unknown element type");
}

bool mica::reference::isFloatType(ElementType type) {
  return type == ElementType::F32 || type == ElementType::F16 ||
         type == ElementType::BF16;
}

llvm::StringRef mica::reference::stringifyElementType(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I1:
    return "i1";
  case ElementType::I8:
    return "i8";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> mica::reference::fromMLIRType(Type type) {
  if (type.isF32())
    return ElementType::F32;
  if (type.isF16())
    return ElementType::F16;
  if (type.isBF16())
    return ElementType::BF16;
  if (type.isInteger(1))
    return ElementType::I1;
  if (type.isInteger(8))
    return ElementType::I8;
  if (type.isInteger(32))
    return ElementType::I32;
  if (type.isInteger(64))
    return ElementType::I64;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// f16 / bf16 bit patterns
//===----------------------------------------------------------------------===//

/// Exact decoding of an IEEE binary16 bit pattern.
static double decodeF16(uint16_t bits) {
  int sign = bits >> 15, exp = (bits >> 10) & 0x1f, mant = bits & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(static_cast<double>(mant), -24);
  else if (exp == 31)
    v = mant ? std::numeric_limits<double>::quiet_NaN()
             : std::numeric_limits<double>::infinity();
  else
    v = std::ldexp(static_cast<double>(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

/// Exact decoding of a bfloat16 bit pattern (the top half of an f32).
static double decodeBF16(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof(f));
  return f;
}

/// Rounds `v` to the semantics `sem` and returns the bit pattern.
static uint16_t encodeHalf(const llvm::fltSemantics &sem, double v) {
  llvm::APFloat f(v);
  bool lost;
  f.convert(sem, llvm::APFloat::rmNearestTiesToEven, &lost);
  return static_cast<uint16_t>(f.bitcastToAPInt().getZExtValue());
}

double mica::reference::roundToFloatType(ElementType type, double value) {
  switch (type) {
  case ElementType::F32:
    return static_cast<float>(value);
  case ElementType::F16:
    return decodeF16(encodeHalf(llvm::APFloat::IEEEhalf(), value));
  case ElementType::BF16:
    return decodeBF16(encodeHalf(llvm::APFloat::BFloat(), value));
  default:
    return value;
  }
}

/// Float -> integer conversion that never invokes undefined behaviour:
/// truncates toward zero, NaN gives 0, out-of-range values saturate.
static int64_t doubleToInt(double v) {
  if (std::isnan(v))
    return 0;
  if (v >= 9.2233720368547758e18)
    return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

HostTensor::HostTensor(ElementType type, llvm::ArrayRef<int64_t> shape)
    : type(type), shape(shape.begin(), shape.end()) {
  bytes.assign(getNumElements() * getElementSize(type), 0);
}

int64_t HostTensor::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

template <typename T>
static T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
static void store(uint8_t *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

double HostTensor::getDouble(int64_t i) const {
  const uint8_t *p = bytes.data() + i * getElementSize(type);
  switch (type) {
  case ElementType::F32:
    return load<float>(p);
  case ElementType::F16:
    return decodeF16(load<uint16_t>(p));
  case ElementType::BF16:
    return decodeBF16(load<uint16_t>(p));
  default:
    return static_cast<double>(getInt(i));
  }
}

void HostTensor::setDouble(int64_t i, double v) {
  uint8_t *p = bytes.data() + i * getElementSize(type);
  switch (type) {
  case ElementType::F32:
    return store<float>(p, static_cast<float>(v));
  case ElementType::F16:
    return store<uint16_t>(p, encodeHalf(llvm::APFloat::IEEEhalf(), v));
  case ElementType::BF16:
    return store<uint16_t>(p, encodeHalf(llvm::APFloat::BFloat(), v));
  case ElementType::I1:
    return store<uint8_t>(p, v != 0.0);
  default:
    return setInt(i, doubleToInt(v));
  }
}

int64_t HostTensor::getInt(int64_t i) const {
  const uint8_t *p = bytes.data() + i * getElementSize(type);
  switch (type) {
  case ElementType::I1:
    return load<uint8_t>(p) != 0;
  case ElementType::I8:
    return load<int8_t>(p);
  case ElementType::I32:
    return load<int32_t>(p);
  case ElementType::I64:
    return load<int64_t>(p);
  default:
    return doubleToInt(getDouble(i));
  }
}

void HostTensor::setInt(int64_t i, int64_t v) {
  uint8_t *p = bytes.data() + i * getElementSize(type);
  switch (type) {
  case ElementType::I1:
    return store<uint8_t>(p, v != 0);
  case ElementType::I8:
    return store<int8_t>(p, static_cast<int8_t>(static_cast<uint64_t>(v)));
  case ElementType::I32:
    return store<int32_t>(p, static_cast<int32_t>(static_cast<uint64_t>(v)));
  case ElementType::I64:
    return store<int64_t>(p, v);
  default:
    return setDouble(i, static_cast<double>(v));
  }
}

std::vector<double> HostTensor::toDoubles() const {
  std::vector<double> out(getNumElements());
  for (int64_t i = 0, e = out.size(); i < e; ++i)
    out[i] = getDouble(i);
  return out;
}

std::vector<int64_t> HostTensor::toInts() const {
  std::vector<int64_t> out(getNumElements());
  for (int64_t i = 0, e = out.size(); i < e; ++i)
    out[i] = getInt(i);
  return out;
}

HostTensor HostTensor::fromDoubles(ElementType type,
                                   llvm::ArrayRef<int64_t> shape,
                                   llvm::ArrayRef<double> values) {
  HostTensor t(type, shape);
  assert(static_cast<int64_t>(values.size()) == t.getNumElements());
  for (int64_t i = 0, e = values.size(); i < e; ++i)
    t.setDouble(i, values[i]);
  return t;
}

HostTensor HostTensor::fromInts(ElementType type, llvm::ArrayRef<int64_t> shape,
                                llvm::ArrayRef<int64_t> values) {
  HostTensor t(type, shape);
  assert(static_cast<int64_t>(values.size()) == t.getNumElements());
  for (int64_t i = 0, e = values.size(); i < e; ++i)
    t.setInt(i, values[i]);
  return t;
}

std::string HostTensor::getTypeString() const {
  std::string s;
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + stringifyElementType(type).str();
}

llvm::Expected<HostTensor> HostTensor::fromElementsAttr(ElementsAttr attr) {
  auto shaped = cast<ShapedType>(attr.getType());
  std::optional<ElementType> type = fromMLIRType(shaped.getElementType());
  if (!type || !shaped.hasStaticShape())
    return llvm::createStringError(
        llvm::formatv("unsupported constant type {0}", shaped).str());
  HostTensor t(*type, shaped.getShape());
  llvm::MutableArrayRef<uint8_t> dst = t.getMutableBytes();
  int64_t eltSize = getElementSize(*type);

  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(attr)) {
    if (*type == ElementType::I1) {
      int64_t i = 0;
      for (bool b : dense.getValues<bool>())
        t.setInt(i++, b);
      return t;
    }
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      for (int64_t i = 0, e = t.getNumElements(); i < e; ++i)
        std::memcpy(dst.data() + i * eltSize, raw.data(), eltSize);
      return t;
    }
    if (static_cast<int64_t>(raw.size()) != static_cast<int64_t>(dst.size()))
      return llvm::createStringError("dense constant has an unexpected size");
    std::memcpy(dst.data(), raw.data(), raw.size());
    return t;
  }

  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return llvm::createStringError(
          llvm::formatv("dense_resource '{0}' has no data",
                        resource.getRawHandle().getKey())
              .str());
    ArrayRef<char> raw = blob->getData();
    if (static_cast<int64_t>(raw.size()) != static_cast<int64_t>(dst.size()))
      return llvm::createStringError(
          llvm::formatv("dense_resource '{0}' holds {1} bytes but {2} needs "
                        "{3}",
                        resource.getRawHandle().getKey(), raw.size(), shaped,
                        dst.size())
              .str());
    std::memcpy(dst.data(), raw.data(), raw.size());
    return t;
  }
  return llvm::createStringError(
      llvm::formatv("unsupported constant attribute kind for {0}", shaped)
          .str());
}
