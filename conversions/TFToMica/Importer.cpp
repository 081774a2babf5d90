//===- Importer.cpp - TensorFlow importer state and node context ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Data types, locations, Const tensors in every TF encoding and the node
/// context shared by all op converters.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

//===----------------------------------------------------------------------===//
// Names and types
//===----------------------------------------------------------------------===//

TensorRef tf_import::parseTensorRef(StringRef input) {
  TensorRef ref;
  if (input.consume_front("^"))
    ref.control = true;
  auto [name, index] = input.rsplit(':');
  unsigned idx;
  if (!index.empty() && !index.getAsInteger(10, idx)) {
    ref.node = name;
    ref.index = idx;
  } else {
    ref.node = input;
  }
  return ref;
}

std::string tf_import::tensorKey(StringRef node, unsigned index) {
  return (node + ":" + Twine(index)).str();
}

Type tf_import::convertDataType(MLIRContext *ctx, int dtype) {
  Builder b(ctx);
  switch (dtype) {
  case tf::DT_FLOAT:
    return b.getF32Type();
  case tf::DT_HALF:
    return b.getF16Type();
  case tf::DT_BFLOAT16:
    return b.getBF16Type();
  case tf::DT_BOOL:
    return b.getI1Type();
  case tf::DT_INT8:
    return b.getI8Type();
  case tf::DT_INT32:
    return b.getI32Type();
  case tf::DT_INT64:
    return b.getI64Type();
  default:
    return nullptr;
  }
}

std::string tf_import::dataTypeName(int dtype) {
  if (tf::DataType_IsValid(dtype))
    return tf::DataType_Name(static_cast<tf::DataType>(dtype));
  return "<invalid DataType " + std::to_string(dtype) + ">";
}

std::optional<SmallVector<int64_t>>
tf_import::convertShape(const tf::TensorShapeProto &shape) {
  if (shape.unknown_rank())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (const auto &dim : shape.dim())
    dims.push_back(dim.size() < 0 ? ShapedType::kDynamic : dim.size());
  return dims;
}

//===----------------------------------------------------------------------===//
// Scopes and locations
//===----------------------------------------------------------------------===//

TFValue ValueScope::lookup(StringRef key) const {
  for (const ValueScope *s = this; s; s = s->parent) {
    auto it = s->values.find(key);
    if (it != s->values.end())
      return it->second;
  }
  return {};
}

Location ImportState::fileLoc() const {
  return FileLineColLoc::get(ctx, graphPath, 0, 0);
}

Location ImportState::nodeLoc(const tf::NodeDef &node) const {
  Location nameLoc = NameLoc::get(StringAttr::get(ctx, node.name()), fileLoc());
  return FusedLoc::get(ctx, {nameLoc}, StringAttr::get(ctx, node.op()));
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// Bytes per element in tensor_content.
static int64_t elementSize(int dtype) {
  switch (dtype) {
  case tf::DT_FLOAT:
  case tf::DT_INT32:
    return 4;
  case tf::DT_HALF:
  case tf::DT_BFLOAT16:
    return 2;
  case tf::DT_BOOL:
  case tf::DT_INT8:
    return 1;
  case tf::DT_INT64:
    return 8;
  default:
    return 0;
  }
}

/// Number of values in the typed field of `t`'s dtype.
static int64_t typedCount(const tf::TensorProto &t) {
  switch (t.dtype()) {
  case tf::DT_FLOAT:
    return t.float_val_size();
  case tf::DT_INT32:
  case tf::DT_INT8:
    return t.int_val_size();
  case tf::DT_INT64:
    return t.int64_val_size();
  case tf::DT_BOOL:
    return t.bool_val_size();
  case tf::DT_HALF:
  case tf::DT_BFLOAT16:
    return t.half_val_size();
  default:
    return 0;
  }
}

/// Writes typed value `i` of `t` as raw little-endian bytes to `dst`.
static void putTyped(const tf::TensorProto &t, int64_t i, char *dst) {
  switch (t.dtype()) {
  case tf::DT_FLOAT: {
    float v = t.float_val(i);
    std::memcpy(dst, &v, 4);
    return;
  }
  case tf::DT_INT32: {
    int32_t v = t.int_val(i);
    std::memcpy(dst, &v, 4);
    return;
  }
  case tf::DT_INT8:
    *dst = static_cast<char>(t.int_val(i));
    return;
  case tf::DT_INT64: {
    int64_t v = t.int64_val(i);
    std::memcpy(dst, &v, 8);
    return;
  }
  case tf::DT_BOOL:
    *dst = t.bool_val(i) ? 1 : 0;
    return;
  default: { // DT_HALF / DT_BFLOAT16 bit patterns.
    uint16_t v = static_cast<uint16_t>(t.half_val(i));
    std::memcpy(dst, &v, 2);
    return;
  }
  }
}

FailureOr<ElementsAttr> ImportState::convertTensor(const tf::TensorProto &t,
                                                   StringRef name,
                                                   Location loc) {
  Type elt = convertDataType(ctx, t.dtype());
  if (!elt)
    return emitError(loc) << "tensor of unsupported dtype "
                          << dataTypeName(t.dtype())
                          << " (mica supports DT_FLOAT, DT_HALF, "
                             "DT_BFLOAT16, DT_BOOL, DT_INT8, DT_INT32, "
                             "DT_INT64)";
  std::optional<SmallVector<int64_t>> shape = convertShape(t.tensor_shape());
  if (!shape)
    return emitError(loc) << "tensor has an unknown rank";
  int64_t numElements = 1;
  for (int64_t d : *shape) {
    if (ShapedType::isDynamic(d) ||
        (d > 0 && numElements > (int64_t(1) << 40) / d))
      return emitError(loc) << "tensor has an invalid dim";
    numElements *= d;
  }
  auto type = RankedTensorType::get(*shape, elt);
  int64_t eltSize = elementSize(t.dtype());
  int64_t numBytes = numElements * eltSize;

  if (!t.tensor_content().empty() &&
      static_cast<int64_t>(t.tensor_content().size()) != numBytes)
    return emitError(loc) << "tensor_content has "
                          << t.tensor_content().size() << " bytes but "
                          << type << " needs " << numBytes;
  int64_t count = t.tensor_content().empty() ? typedCount(t) : numElements;
  if (count > numElements)
    return emitError(loc) << "tensor has " << count << " values but " << type
                          << " holds " << numElements;
  // A single typed value (or none: zeros) is a splat of any size.
  if (t.tensor_content().empty() && count <= 1 && numElements > 0) {
    char raw[8] = {0};
    if (count == 1)
      putTyped(t, 0, raw);
    if (elt.isInteger(1))
      return cast<ElementsAttr>(DenseElementsAttr::get(type, raw[0] != 0));
    auto scalar = DenseElementsAttr::getFromRawBuffer(
        RankedTensorType::get({}, elt), ArrayRef<char>(raw, eltSize));
    return cast<ElementsAttr>(
        DenseElementsAttr::get(type, scalar.getSplatValue<Attribute>()));
  }
  if (numBytes > (int64_t(1) << 32))
    return emitError(loc) << "tensor " << type << " is larger than 4 GiB";
  std::vector<char> bytes(numBytes);
  if (!t.tensor_content().empty()) {
    std::memcpy(bytes.data(), t.tensor_content().data(), numBytes);
  } else {
    // Typed values; fewer than needed repeat the last one.
    for (int64_t i = 0; i < numElements; ++i)
      putTyped(t, std::min(i, count - 1), bytes.data() + i * eltSize);
  }

  if (numElements <= maxDenseElements || elt.isInteger(1)) {
    if (elt.isInteger(1)) {
      SmallVector<bool> values;
      for (char c : bytes)
        values.push_back(c != 0);
      return cast<ElementsAttr>(DenseElementsAttr::get(type, values));
    }
    return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(bytes.data(), bytes.size())));
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes.data(), bytes.size()), eltSize);
  return cast<ElementsAttr>(
      DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(ImportState &state, const tf::NodeDef &node,
                         OpBuilder &builder)
    : state(state), node(node), builder(builder), loc(state.nodeLoc(node)) {
  for (const std::string &in : node.input())
    if (!StringRef(in).starts_with("^"))
      ++numDataInputs;
}

TFValue NodeContext::lookup(unsigned i) const {
  if (i >= numDataInputs)
    return {};
  TensorRef ref = parseTensorRef(node.input(i));
  return state.scope->lookup(tensorKey(ref.node, ref.index));
}

FailureOr<Value> NodeContext::input(unsigned i) const {
  if (i >= numDataInputs)
    return emitError() << "expects at least " << i + 1 << " inputs, has "
                       << numDataInputs;
  TFValue v = lookup(i);
  if (v.value)
    return v.value;
  if (v.range >= 0) {
    const tf::NodeDef *src = state.ranges[v.range].source;
    return emitError() << "input '" << node.input(i)
                       << "' is random: RandomUniform '" << src->name()
                       << "' only imports when it folds away (dead dropout "
                          "with keep_prob = 1, e.g. --const keep_prob=1.0)";
  }
  if (v.tensorArray >= 0)
    return emitError() << "input '" << node.input(i)
                       << "' is a TensorArray handle, not a tensor";
  return emitError() << "input '" << node.input(i)
                     << "' has no imported value";
}

RankedTensorType NodeContext::inputType(unsigned i) const {
  return cast<RankedTensorType>(lookup(i).value.getType());
}

LogicalResult NodeContext::inputs(unsigned n,
                                  SmallVectorImpl<Value> &out) const {
  for (unsigned i = 0; i < n; ++i) {
    FailureOr<Value> v = input(i);
    if (failed(v))
      return failure();
    out.push_back(*v);
  }
  return success();
}

FailureOr<TensorArrayInfo *> NodeContext::tensorArray(unsigned i) const {
  TFValue v = lookup(i);
  if (v.tensorArray < 0)
    return emitError() << "input " << i << " ('"
                       << (i < numDataInputs ? node.input(i) : "")
                       << "') is not a TensorArrayV3 handle";
  return &state.tensorArrays[v.tensorArray];
}

std::optional<SmallVector<int64_t>> NodeContext::constInts(unsigned i) const {
  return getKnownInts(lookup(i).value);
}

std::optional<SmallVector<double>> NodeContext::constFloats(unsigned i) const {
  return getConstantFloats(lookup(i).value);
}

FailureOr<SmallVector<int64_t>>
NodeContext::requireConstInts(unsigned i, StringRef what) const {
  if (auto values = constInts(i))
    return *values;
  if (i >= numDataInputs)
    return emitError() << "input '" << what << "' is missing";
  return emitError() << "input '" << what << "' ('" << node.input(i)
                     << "') must be a compile-time constant";
}

const tf::AttrValue *NodeContext::findAttr(StringRef name) const {
  auto it = node.attr().find(name.str());
  return it == node.attr().end() ? nullptr : &it->second;
}

int64_t NodeContext::attrInt(StringRef name, int64_t dflt) const {
  const tf::AttrValue *a = findAttr(name);
  return a ? a->i() : dflt;
}

float NodeContext::attrFloat(StringRef name, float dflt) const {
  const tf::AttrValue *a = findAttr(name);
  return a ? a->f() : dflt;
}

bool NodeContext::attrBool(StringRef name, bool dflt) const {
  const tf::AttrValue *a = findAttr(name);
  return a ? a->b() : dflt;
}

std::string NodeContext::attrString(StringRef name, StringRef dflt) const {
  const tf::AttrValue *a = findAttr(name);
  return a ? a->s() : dflt.str();
}

int NodeContext::attrType(StringRef name, int dflt) const {
  const tf::AttrValue *a = findAttr(name);
  return a ? a->type() : dflt;
}

SmallVector<int64_t> NodeContext::attrInts(StringRef name) const {
  const tf::AttrValue *a = findAttr(name);
  if (!a || !a->has_list())
    return {};
  return SmallVector<int64_t>(a->list().i().begin(), a->list().i().end());
}

FailureOr<Type> NodeContext::attrElementType(StringRef name) const {
  const tf::AttrValue *a = findAttr(name);
  if (!a)
    return emitError() << "missing type attribute '" << name << "'";
  Type t = convertDataType(getContext(), a->type());
  if (!t)
    return emitError() << "unsupported dtype " << dataTypeName(a->type())
                       << " (attribute '" << name << "')";
  return t;
}

bool NodeContext::isNCHW() const {
  return StringRef(attrString("data_format", "NHWC")).starts_with("NC");
}

void NodeContext::setResult(unsigned i, Value value) {
  TFValue v;
  v.value = value;
  setBinding(i, v);
}

void NodeContext::setBinding(unsigned i, TFValue value) {
  state.scope->bind(tensorKey(node.name(), i), value);
}

SmallVector<Value> NodeContext::fold(Operation *op) {
  SmallVector<Value> folded;
  if (succeeded(builder.tryFold(op, folded)) && !folded.empty()) {
    bool sameTypes = llvm::all_of(
        llvm::zip(folded, op->getResults()),
        [](auto p) { return std::get<0>(p).getType() == std::get<1>(p).getType(); });
    if (sameTypes) {
      op->erase();
      return folded;
    }
    for (Value v : folded)
      if (Operation *def = v.getDefiningOp())
        if (def != op && def->use_empty() && isa<ConstantOp>(def))
          def->erase();
  }
  return SmallVector<Value>(op->getResults());
}

Value NodeContext::i64Constant(ArrayRef<int64_t> values, bool scalar) {
  SmallVector<int64_t> shape;
  if (!scalar)
    shape.push_back(values.size());
  auto type = RankedTensorType::get(shape, builder.getI64Type());
  return ConstantOp::create(builder, loc,
                            DenseIntElementsAttr::get(type, values));
}

Attribute tf_import::scalarAttr(Type elt, double value) {
  if (auto f = dyn_cast<FloatType>(elt)) {
    APFloat v(value);
    bool lost;
    v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return FloatAttr::get(elt, v);
  }
  if (elt.isInteger(1))
    return BoolAttr::get(elt.getContext(), value != 0);
  return IntegerAttr::get(elt, static_cast<int64_t>(value));
}

Value NodeContext::scalarConstant(Type elt, double value,
                                  ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, elt);
  return ConstantOp::create(builder, loc,
                            DenseElementsAttr::get(type, scalarAttr(elt, value)));
}

FailureOr<Value> NodeContext::reshape(Value value, ArrayRef<int64_t> shape) {
  auto in = cast<RankedTensorType>(value.getType());
  auto type = RankedTensorType::get(shape, in.getElementType());
  if (type == in)
    return value;
  if (llvm::count(shape, ShapedType::kDynamic) > 1)
    return emitError() << "cannot reshape " << in << " to " << type
                       << " (more than one dynamic dim)";
  return createTyped<ReshapeOp>(type, value, Value());
}

FailureOr<Value> NodeContext::transpose(Value value, ArrayRef<int64_t> perm) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return value;
  return createValue<TransposeOp>(value, builder.getDenseI64ArrayAttr(perm));
}

Value NodeContext::castTo(Value value, Type elt) {
  auto in = cast<RankedTensorType>(value.getType());
  if (in.getElementType() == elt)
    return value;
  return fold(CastOp::create(builder, loc, in.clone(elt), value))[0];
}

//===----------------------------------------------------------------------===//
// Converter table
//===----------------------------------------------------------------------===//

const ConverterTable &tf_import::getConverterTable() {
  static const ConverterTable table = [] {
    ConverterTable t;
    populateElementwiseConverters(t);
    populateShapeConverters(t);
    populateNNConverters(t);
    populateRecurrentConverters(t);
    populateTensorArrayConverters(t);
    return t;
  }();
  return table;
}

bool tf_import::isStructuralOp(StringRef opType) {
  return llvm::is_contained(
      {"Placeholder", "PlaceholderWithDefault", "Const", "NoOp", "Enter",
       "Exit", "Merge", "Switch", "NextIteration", "LoopCond"},
      opType);
}
