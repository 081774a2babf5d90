//===- Importer.cpp - ONNX importer state and node context -----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Types, locations, tensors (initializers and Constant values, including
/// external data) and the node context shared by all op converters.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mica/Conversion/ONNXToMica/ONNXToMica.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

std::string onnx_import::converterKey(StringRef domain, StringRef opType) {
  if (domain == "ai.onnx")
    domain = "";
  return (domain + "::" + opType).str();
}

Type onnx_import::convertElementType(MLIRContext *ctx, int32_t onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getI8Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  default:
    return nullptr;
  }
}

StringRef onnx_import::onnxTypeName(int32_t onnxType) {
  if (!onnx::TensorProto::DataType_IsValid(onnxType))
    return "<invalid>";
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(onnxType));
}

FailureOr<RankedTensorType>
ImportState::convertType(const onnx::TypeProto &type, StringRef what,
                         Location loc) const {
  if (!type.has_tensor_type())
    return emitError(loc) << what
                          << " is not a tensor (sequence, map, optional and "
                             "sparse types are not supported)";
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type elt = convertElementType(ctx, tensor.elem_type());
  if (!elt)
    return emitError(loc) << what << " has element type "
                          << onnxTypeName(tensor.elem_type())
                          << ", which mica does not support (f32, f16, "
                             "bf16, bool, int8, int32, int64)";
  if (!tensor.has_shape())
    return emitError(loc) << what
                          << " has an unknown rank after shape inference";
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0)
      shape.push_back(dim.dim_value());
    else
      shape.push_back(ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, elt);
}

//===----------------------------------------------------------------------===//
// Locations
//===----------------------------------------------------------------------===//

Location ImportState::fileLoc() const {
  return FileLineColLoc::get(ctx, modelPath, 0, 0);
}

std::string ImportState::nodeName(const onnx::NodeProto &node) const {
  if (!node.name().empty())
    return node.name();
  return node.output_size() ? node.output(0) : node.op_type();
}

Location ImportState::nodeLoc(const onnx::NodeProto &node) const {
  std::string name = nodeName(node);
  std::string opType = node.op_type();
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    opType = node.domain() + "." + opType;
  Location nameLoc = NameLoc::get(StringAttr::get(ctx, name), fileLoc());
  return FusedLoc::get(ctx, {nameLoc}, StringAttr::get(ctx, opType));
}

std::string mica::describeONNXLocation(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    auto opType = dyn_cast_or_null<StringAttr>(fused.getMetadata());
    if (opType && fused.getLocations().size() == 1)
      if (auto name = dyn_cast<NameLoc>(fused.getLocations()[0]))
        if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
          return (file.getFilename().getValue() + ": node '" +
                  name.getName().getValue() + "' (" + opType.getValue() + ")")
              .str();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getFilename().str();
  if (auto name = dyn_cast<NameLoc>(loc))
    return describeONNXLocation(name.getChildLoc());
  return "";
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// Bytes per element of an ONNX data type as stored in raw_data.
static int64_t rawElementSize(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
    return 4;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
    return 1;
  case onnx::TensorProto::INT64:
    return 8;
  default:
    return 0;
  }
}

namespace {
/// The bytes of a tensor and what keeps them alive.
struct TensorBytes {
  ArrayRef<char> data;
  /// Owners; at most one is set (none: the bytes live in the proto).
  std::unique_ptr<std::string> ownedString;
  std::unique_ptr<llvm::MemoryBuffer> mapped;
  std::vector<char> converted;
};
} // namespace

/// Packs typed repeated fields (float_data, int32_data, int64_data) into
/// little-endian raw bytes.
static void packTypedData(const onnx::TensorProto &t, int64_t numElements,
                          std::vector<char> &out) {
  int64_t eltSize = rawElementSize(t.data_type());
  out.resize(numElements * eltSize);
  char *dst = out.data();
  auto put = [&](int64_t i, const void *src) {
    std::memcpy(dst + i * eltSize, src, eltSize);
  };
  for (int64_t i = 0; i < numElements; ++i) {
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: {
      float v = t.float_data(i);
      put(i, &v);
      break;
    }
    case onnx::TensorProto::INT64: {
      int64_t v = t.int64_data(i);
      put(i, &v);
      break;
    }
    case onnx::TensorProto::INT32: {
      int32_t v = t.int32_data(i);
      put(i, &v);
      break;
    }
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::BOOL: {
      int8_t v = static_cast<int8_t>(t.int32_data(i));
      put(i, &v);
      break;
    }
    default: { // FLOAT16 / BFLOAT16: bit patterns in int32_data.
      uint16_t v = static_cast<uint16_t>(t.int32_data(i));
      put(i, &v);
      break;
    }
    }
  }
}

/// Number of typed-field entries a tensor holds.
static int64_t typedDataSize(const onnx::TensorProto &t) {
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return t.float_data_size();
  case onnx::TensorProto::INT64:
    return t.int64_data_size();
  default:
    return t.int32_data_size();
  }
}

FailureOr<ElementsAttr> ImportState::convertTensor(onnx::TensorProto &tensor,
                                                   Location loc) {
  std::string what = "tensor '" + tensor.name() + "'";
  Type elt = convertElementType(ctx, tensor.data_type());
  if (!elt)
    return emitError(loc) << what << " has element type "
                          << onnxTypeName(tensor.data_type())
                          << ", which mica does not support";
  SmallVector<int64_t> shape;
  int64_t numElements = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && numElements > (int64_t(1) << 40) / d))
      return emitError(loc) << what << " has an invalid dim " << d;
    shape.push_back(d);
    numElements *= d;
  }
  auto type = RankedTensorType::get(shape, elt);
  int64_t eltSize = rawElementSize(tensor.data_type());
  int64_t numBytes = numElements * eltSize;

  TensorBytes bytes;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &entry : tensor.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset" || entry.key() == "length") {
        int64_t v;
        if (StringRef(entry.value()).getAsInteger(10, v) || v < 0)
          return emitError(loc) << what << " has an invalid external data "
                                << entry.key() << " '" << entry.value()
                                << "'";
        (entry.key() == "offset" ? offset : length) = v;
      }
    }
    if (location.empty())
      return emitError(loc) << what
                            << " has external data without a location";
    SmallString<256> path(llvm::sys::path::parent_path(modelPath));
    llvm::sys::path::append(path, location);
    if (length < 0)
      length = numBytes;
    if (length != numBytes)
      return emitError(loc) << what << " external data length " << length
                            << " does not match its " << numBytes << " bytes";
    auto buffer = llvm::MemoryBuffer::getFileSlice(path, length, offset,
                                                   /*IsVolatile=*/false);
    if (!buffer)
      return emitError(loc) << what << ": cannot read external data file '"
                            << path << "' (offset " << offset << ", length "
                            << length << "): " << buffer.getError().message();
    if (static_cast<int64_t>((*buffer)->getBufferSize()) != numBytes)
      return emitError(loc) << what << ": external data file '" << path
                            << "' is too short";
    bytes.mapped = std::move(*buffer);
    bytes.data = ArrayRef<char>(bytes.mapped->getBufferStart(), numBytes);
  } else if (tensor.has_raw_data()) {
    if (static_cast<int64_t>(tensor.raw_data().size()) != numBytes)
      return emitError(loc)
             << what << " has " << tensor.raw_data().size()
             << " bytes of raw data but its type " << type << " needs "
             << numBytes;
    bytes.data = ArrayRef<char>(tensor.raw_data().data(), numBytes);
  } else {
    if (typedDataSize(tensor) != numElements)
      return emitError(loc) << what << " has " << typedDataSize(tensor)
                            << " values but its type " << type << " needs "
                            << numElements;
    packTypedData(tensor, numElements, bytes.converted);
    bytes.data = ArrayRef<char>(bytes.converted.data(), numBytes);
  }

  // Small tensors and booleans: plain dense attributes.
  if (numElements <= maxDenseElements || elt.isInteger(1)) {
    if (elt.isInteger(1)) {
      SmallVector<bool> values(bytes.data.begin(), bytes.data.end());
      return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
    }
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
        type, bytes.data));
  }

  // Weights: a resource blob that owns the bytes without copying them.
  AsmResourceBlob blob;
  bool aligned = reinterpret_cast<uintptr_t>(bytes.data.data()) % eltSize == 0;
  if (aligned && bytes.mapped) {
    std::shared_ptr<llvm::MemoryBuffer> owner = std::move(bytes.mapped);
    blob = AsmResourceBlob(bytes.data, eltSize,
                           [owner](void *, size_t, size_t) {},
                           /*dataIsMutable=*/false);
  } else if (aligned && tensor.has_raw_data()) {
    auto owner = std::make_shared<std::string>(
        std::move(*tensor.mutable_raw_data()));
    tensor.clear_raw_data();
    blob = AsmResourceBlob(ArrayRef<char>(owner->data(), numBytes), eltSize,
                           [owner](void *, size_t, size_t) {},
                           /*dataIsMutable=*/false);
  } else {
    blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes.data, eltSize);
  }
  std::string key = tensor.name().empty() ? "onnx_tensor" : tensor.name();
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, key, std::move(blob)));
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

Value NodeContext::input(unsigned i) const {
  if (static_cast<int>(i) >= node.input_size() || node.input(i).empty())
    return nullptr;
  return state.values.lookup(node.input(i));
}

FailureOr<Value> NodeContext::requiredInput(unsigned i) const {
  if (Value v = input(i))
    return v;
  return emitError() << "input " << i << " is required";
}

RankedTensorType NodeContext::inputType(unsigned i) const {
  return cast<RankedTensorType>(input(i).getType());
}

std::optional<SmallVector<int64_t>> NodeContext::constInts(unsigned i) const {
  return getKnownInts(input(i));
}

std::optional<SmallVector<double>> NodeContext::constFloats(unsigned i) const {
  return getConstantFloats(input(i));
}

FailureOr<SmallVector<int64_t>>
NodeContext::requireConstInts(unsigned i, StringRef what) const {
  if (auto values = constInts(i))
    return *values;
  if (!input(i))
    return emitError() << "input '" << what << "' is required";
  return emitNotConstant(i, what,
                         "a compile-time constant (an initializer or a "
                         "Constant node)");
}

InFlightDiagnostic NodeContext::emitNotConstant(unsigned i, StringRef what,
                                                StringRef requirement) const {
  StringRef name = static_cast<int>(i) < node.input_size()
                       ? StringRef(node.input(i))
                       : StringRef();
  InFlightDiagnostic diag = emitError();
  diag << "input '" << what << "'";
  if (!name.empty())
    diag << " ('" << name << "')";
  diag << " must be " << requirement;
  if (Value v = input(i); v && isa<BlockArgument>(v))
    diag.attachNote(loc) << "'" << name
                         << "' is a graph input; to import the model "
                            "specialized to one value, freeze it with "
                            "--freeze-input "
                         << name << "=<TensorProto file>";
  return diag;
}

const onnx::AttributeProto *NodeContext::findAttr(StringRef name) const {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t NodeContext::attrInt(StringRef name, int64_t dflt) const {
  const onnx::AttributeProto *a = findAttr(name);
  return a ? a->i() : dflt;
}

float NodeContext::attrFloat(StringRef name, float dflt) const {
  const onnx::AttributeProto *a = findAttr(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::attrString(StringRef name, StringRef dflt) const {
  const onnx::AttributeProto *a = findAttr(name);
  return a ? a->s() : dflt.str();
}

SmallVector<int64_t> NodeContext::attrInts(StringRef name) const {
  const onnx::AttributeProto *a = findAttr(name);
  if (!a)
    return {};
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

SmallVector<float> NodeContext::attrFloats(StringRef name) const {
  const onnx::AttributeProto *a = findAttr(name);
  if (!a)
    return {};
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

SmallVector<std::string> NodeContext::attrStrings(StringRef name) const {
  const onnx::AttributeProto *a = findAttr(name);
  if (!a)
    return {};
  return SmallVector<std::string>(a->strings().begin(), a->strings().end());
}

RankedTensorType NodeContext::inferredOutputType(unsigned i) const {
  if (!hasOutput(i))
    return nullptr;
  const onnx::TypeProto *type = state.valueTypes.lookup(node.output(i));
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return nullptr;
  Type elt = convertElementType(getContext(), type->tensor_type().elem_type());
  if (!elt)
    return nullptr;
  SmallVector<int64_t> shape;
  for (const auto &dim : type->tensor_type().shape().dim())
    shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                        ? dim.dim_value()
                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, elt);
}

FailureOr<RankedTensorType>
NodeContext::outputType(unsigned i, RankedTensorType computed) const {
  RankedTensorType inferred = inferredOutputType(i);
  if (!inferred) {
    if (computed)
      return computed;
    return emitError() << "the type of output " << i
                       << " is unknown (shape inference gave no rank)";
  }
  if (!computed || computed.getRank() != inferred.getRank())
    return inferred;
  SmallVector<int64_t> shape(inferred.getShape());
  for (auto [d, c] : llvm::zip(shape, computed.getShape()))
    if (ShapedType::isDynamic(d))
      d = c;
  return RankedTensorType::get(shape, inferred.getElementType());
}

void NodeContext::setResult(unsigned i, Value value) {
  if (hasOutput(i))
    state.values[node.output(i)] = value;
}

Value NodeContext::i64Constant(ArrayRef<int64_t> values, bool scalar) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  auto type = RankedTensorType::get(shape, builder.getI64Type());
  return ConstantOp::create(builder, loc,
                            DenseIntElementsAttr::get(type, values));
}

Value NodeContext::scalarConstant(Type elt, double value,
                                  ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, elt);
  Attribute scalar;
  if (auto f = dyn_cast<FloatType>(elt)) {
    APFloat v(value);
    bool lost;
    v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    scalar = FloatAttr::get(elt, v);
  } else {
    scalar = IntegerAttr::get(elt, static_cast<int64_t>(value));
  }
  return ConstantOp::create(builder, loc,
                            DenseElementsAttr::get(type, scalar));
}

FailureOr<Value> NodeContext::reshape(Value value, ArrayRef<int64_t> shape) {
  auto in = cast<RankedTensorType>(value.getType());
  auto type = RankedTensorType::get(shape, in.getElementType());
  if (type == in)
    return value;
  if (llvm::count(shape, ShapedType::kDynamic) > 1)
    return emitError() << "cannot reshape " << in << " to " << type
                       << " (more than one dynamic dim)";
  return ReshapeOp::create(builder, loc, type, value, Value()).getResult();
}

Value NodeContext::castTo(Value value, Type elt) {
  auto in = cast<RankedTensorType>(value.getType());
  if (in.getElementType() == elt)
    return value;
  return CastOp::create(builder, loc, in.clone(elt), value);
}

//===----------------------------------------------------------------------===//
// Converter table
//===----------------------------------------------------------------------===//

const ConverterTable &onnx_import::getConverterTable() {
  static const ConverterTable table = [] {
    ConverterTable t;
    populateElementwiseConverters(t);
    populateContractionConverters(t);
    populateShapeConverters(t);
    populateReductionConverters(t);
    populateRecurrentConverters(t);
    populateContribConverters(t);
    return t;
  }();
  return table;
}
