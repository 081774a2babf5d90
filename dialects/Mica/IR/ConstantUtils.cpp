//===- ConstantUtils.cpp - compile-time work on weight tensors ------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/ConstantUtils.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

size_t mica::getElementByteWidth(Type t) {
  if (!t.isIntOrFloat())
    return 0;
  unsigned bits = t.getIntOrFloatBitWidth();
  return bits % 8 == 0 ? bits / 8 : 0;
}

/// Bytes per element, or 0 for types the helpers do not handle.
static size_t elementBytes(Type t) { return mica::getElementByteWidth(t); }

std::optional<std::vector<char>> mica::getConstantBytes(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() ||
      !type.getElementType().isIntOrFloat())
    return std::nullopt;
  size_t eb = elementBytes(type.getElementType());
  if (eb == 0)
    return std::nullopt;
  size_t total = eb * type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      std::vector<char> out(total);
      for (size_t i = 0; i < total; i += eb)
        std::copy_n(raw.begin(), eb, out.begin() + i);
      return out;
    }
    if (raw.size() != total)
      return std::nullopt;
    return std::vector<char>(raw.begin(), raw.end());
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> raw = blob->getData();
    if (raw.size() != total)
      return std::nullopt;
    return std::vector<char>(raw.begin(), raw.end());
  }
  return std::nullopt;
}

ElementsAttr mica::makeConstant(RankedTensorType type, ArrayRef<char> bytes,
                                StringRef nameHint) {
  if (type.getNumElements() <= 16)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  size_t align = std::max<size_t>(elementBytes(type.getElementType()), 1);
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, align);
  return DenseResourceElementsAttr::get(type, nameHint, std::move(blob));
}

std::optional<ElementsAttr>
mica::concatConstants(ArrayRef<ElementsAttr> parts, int64_t axis,
                      StringRef nameHint) {
  if (parts.empty())
    return std::nullopt;
  auto first = cast<RankedTensorType>(parts.front().getType());
  size_t eb = elementBytes(first.getElementType());
  int64_t rank = first.getRank();
  if (eb == 0 || axis < 0 || axis >= rank)
    return std::nullopt;
  int64_t outer = 1, axisTotal = 0;
  for (int64_t i = 0; i < axis; ++i)
    outer *= first.getDimSize(i);
  std::vector<std::vector<char>> bytes;
  std::vector<size_t> block;
  for (ElementsAttr p : parts) {
    auto t = cast<RankedTensorType>(p.getType());
    if (t.getRank() != rank || t.getElementType() != first.getElementType())
      return std::nullopt;
    std::optional<std::vector<char>> b = getConstantBytes(p);
    if (!b)
      return std::nullopt;
    axisTotal += t.getDimSize(axis);
    block.push_back(b->size() / std::max<int64_t>(outer, 1));
    bytes.push_back(std::move(*b));
  }
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = axisTotal;
  std::vector<char> out;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t p = 0; p < bytes.size(); ++p)
      out.insert(out.end(), bytes[p].begin() + o * block[p],
                 bytes[p].begin() + (o + 1) * block[p]);
  return makeConstant(RankedTensorType::get(shape, first.getElementType()),
                      out, nameHint);
}

std::vector<char> mica::transposeBytes(ArrayRef<char> bytes,
                                       ArrayRef<int64_t> shape,
                                       ArrayRef<int64_t> perm, size_t eb) {
  int64_t rank = shape.size();
  // Input strides (in elements), then walk the output in row-major order.
  SmallVector<int64_t> inStride(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStride[d] = inStride[d + 1] * shape[d + 1];
  SmallVector<int64_t> outShape, stride;
  for (int64_t p : perm) {
    outShape.push_back(shape[p]);
    stride.push_back(inStride[p]);
  }
  std::vector<char> out(bytes.size());
  SmallVector<int64_t> idx(rank, 0);
  size_t total = eb ? bytes.size() / eb : 0;
  for (size_t o = 0; o < total; ++o) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += idx[d] * stride[d];
    std::memcpy(out.data() + o * eb, bytes.data() + src * eb, eb);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

std::vector<char> mica::sliceBytes(ArrayRef<char> bytes,
                                   ArrayRef<int64_t> shape, int64_t axis,
                                   int64_t start, int64_t size, size_t eb) {
  int64_t outer = 1, inner = eb;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  std::vector<char> out;
  out.reserve(outer * size * inner);
  for (int64_t o = 0; o < outer; ++o) {
    const char *base = bytes.data() + (o * shape[axis] + start) * inner;
    out.insert(out.end(), base, base + size * inner);
  }
  return out;
}

LogicalResult mica::addFloatBytes(MutableArrayRef<char> acc,
                                  ArrayRef<char> rhs, Type type) {
  auto ft = dyn_cast<FloatType>(type);
  size_t eb = elementBytes(type);
  if (!ft || eb == 0 || eb > 8 || acc.size() != rhs.size())
    return failure();
  const llvm::fltSemantics &sem = ft.getFloatSemantics();
  unsigned bits = ft.getWidth();
  for (size_t i = 0; i < acc.size(); i += eb) {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, acc.data() + i, eb);
    std::memcpy(&b, rhs.data() + i, eb);
    llvm::APFloat fa(sem, llvm::APInt(bits, a)), fb(sem, llvm::APInt(bits, b));
    fa.add(fb, llvm::APFloat::rmNearestTiesToEven);
    uint64_t r = fa.bitcastToAPInt().getZExtValue();
    std::memcpy(acc.data() + i, &r, eb);
  }
  return success();
}

std::optional<ElementsAttr> mica::transposeConstant(ElementsAttr attr,
                                                    ArrayRef<int64_t> perm,
                                                    StringRef nameHint) {
  auto type = cast<RankedTensorType>(attr.getType());
  std::optional<std::vector<char>> bytes = getConstantBytes(attr);
  if (!bytes || perm.size() != static_cast<size_t>(type.getRank()))
    return std::nullopt;
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return makeConstant(RankedTensorType::get(shape, type.getElementType()),
                      transposeBytes(*bytes, type.getShape(), perm,
                                     elementBytes(type.getElementType())),
                      nameHint);
}

std::optional<ElementsAttr> mica::sliceConstant(ElementsAttr attr,
                                                int64_t axis, int64_t start,
                                                int64_t size,
                                                StringRef nameHint) {
  auto type = cast<RankedTensorType>(attr.getType());
  std::optional<std::vector<char>> bytes = getConstantBytes(attr);
  if (!bytes || axis < 0 || axis >= type.getRank() || start < 0 ||
      size < 0 || start + size > type.getDimSize(axis))
    return std::nullopt;
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = size;
  return makeConstant(RankedTensorType::get(shape, type.getElementType()),
                      sliceBytes(*bytes, type.getShape(), axis, start, size,
                                 elementBytes(type.getElementType())),
                      nameHint);
}

/// The raw bytes behind a dense_resource attribute.
static std::optional<ArrayRef<char>> resourceBytes(ElementsAttr attr) {
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return std::nullopt;
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  return blob->getData();
}

std::optional<SmallVector<int64_t>>
mica::readIntElements(ElementsAttr attr) {
  auto intType = dyn_cast<IntegerType>(attr.getElementType());
  if (!intType)
    return std::nullopt;
  SmallVector<int64_t> out;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      out.push_back(intType.getWidth() == 1 ? v.getZExtValue()
                                            : v.getSExtValue());
    return out;
  }
  std::optional<ArrayRef<char>> bytes = resourceBytes(attr);
  if (!bytes)
    return std::nullopt;
  unsigned width = intType.getWidth();
  if (width != 8 && width != 32 && width != 64)
    return std::nullopt;
  size_t n = bytes->size() / (width / 8);
  for (size_t i = 0; i < n; ++i) {
    const char *p = bytes->data() + i * (width / 8);
    if (width == 8)
      out.push_back(static_cast<int8_t>(*p));
    else if (width == 32) {
      int32_t v;
      std::memcpy(&v, p, 4);
      out.push_back(v);
    } else {
      int64_t v;
      std::memcpy(&v, p, 8);
      out.push_back(v);
    }
  }
  return out;
}

std::optional<SmallVector<double>>
mica::readFloatElements(ElementsAttr attr) {
  SmallVector<double> out;
  if (isa<IntegerType>(attr.getElementType())) {
    auto ints = readIntElements(attr);
    if (!ints)
      return std::nullopt;
    for (int64_t v : *ints)
      out.push_back(static_cast<double>(v));
    return out;
  }
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>()) {
      APFloat d = v;
      bool lost;
      d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(d.convertToDouble());
    }
    return out;
  }
  std::optional<ArrayRef<char>> bytes = resourceBytes(attr);
  if (!bytes || !attr.getElementType().isF32())
    return std::nullopt;
  for (size_t i = 0; i + 4 <= bytes->size(); i += 4) {
    float v;
    std::memcpy(&v, bytes->data() + i, 4);
    out.push_back(v);
  }
  return out;
}
