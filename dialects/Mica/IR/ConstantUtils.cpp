//===- ConstantUtils.cpp - compile-time work on weight tensors ------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/ConstantUtils.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

/// Bytes per element, or 0 for types the helpers do not handle.
static size_t elementBytes(Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  return bits % 8 == 0 ? bits / 8 : 0;
}

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
