//===- Shape.cpp - ONNX data-movement and shape ops to mica ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Constant, Reshape (0 = copy, -1, allowzero), Flatten, Squeeze, Unsqueeze,
/// Transpose, Concat, Split, Slice, Gather, GatherElements,
/// ScatterElements/Scatter, ScatterND, Expand, Tile, Pad, Shape, Size,
/// Range, ConstantOfShape, OneHot, Resize and Upsample; DepthToSpace,
/// SpaceToDepth, Trilu, EyeLike, GatherND and Compress composed from mica
/// ops. Operands that mica
/// needs as attributes (axes, starts, pads, repeats, ...) must be
/// compile-time constants.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// Binds output 0 to `value` when it was created.
LogicalResult bind(NodeContext &ctx, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  ctx.setResult(0, *value);
  return success();
}

/// One entry of a target shape: a constant, dim `index` of the reshaped
/// tensor, or entry `index` of a run-time shape vector.
struct ShapeEntry {
  enum Kind { Const, DimOf, EntryOf } kind;
  int64_t value;
};

/// A 1-element i64 slice `[i, i+1)` of the 1-D `vector`.
FailureOr<Value> entryOf(NodeContext &ctx, Value vector, int64_t i) {
  return ctx.createValue<SliceOp>(vector, ArrayRef<int64_t>{0},
                                  ArrayRef<int64_t>{i},
                                  ArrayRef<int64_t>{i + 1},
                                  ArrayRef<int64_t>{1});
}

/// Reshapes `x` to `entries`. The static result type merges what the
/// entries say with `known` (the shape-inferred type, when given); with at
/// most one dynamic dim the reshape is static, otherwise the shape vector
/// is assembled from shape_of(x), `src` and constants.
/// With `zeroCopies` (ONNX Reshape without allowzero), a run-time entry `i`
/// that is 0 takes dim `i` of `x`.
FailureOr<Value> reshapeTo(NodeContext &ctx, Value x, ArrayRef<ShapeEntry> entries,
                           Value src = nullptr,
                           RankedTensorType known = nullptr,
                           bool zeroCopies = false) {
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (const ShapeEntry &e : entries) {
    if (e.kind == ShapeEntry::Const)
      shape.push_back(e.value < 0 ? kDyn : e.value);
    else if (e.kind == ShapeEntry::DimOf)
      shape.push_back(xType.getDimSize(e.value));
    else
      shape.push_back(kDyn);
  }
  if (known && known.getRank() == static_cast<int64_t>(shape.size()))
    for (auto [i, d] : llvm::enumerate(known.getShape()))
      if (ShapedType::isDynamic(shape[i]))
        shape[i] = d;
  if (llvm::count(shape, kDyn) <= 1)
    return ctx.reshape(x, shape);

  // Assemble the shape at run time.
  FailureOr<Value> dims = ctx.createValue<ShapeOfOp>(x);
  if (failed(dims))
    return failure();
  Value srcI64 =
      src ? ctx.castTo(src, ctx.builder.getI64Type()) : Value();
  SmallVector<Value> pieces;
  SmallVector<int64_t> consts;
  auto flush = [&] {
    if (!consts.empty())
      pieces.push_back(ctx.i64Constant(consts));
    consts.clear();
  };
  for (const ShapeEntry &e : entries) {
    if (e.kind == ShapeEntry::Const) {
      consts.push_back(e.value);
      continue;
    }
    flush();
    auto piece = entryOf(ctx, e.kind == ShapeEntry::DimOf ? *dims : srcI64,
                         e.value);
    if (failed(piece))
      return failure();
    if (e.kind == ShapeEntry::EntryOf && zeroCopies &&
        e.value < xType.getRank()) {
      auto dim = entryOf(ctx, *dims, e.value);
      if (failed(dim))
        return failure();
      auto isZero = ctx.createValue<CompareOp>(CmpPredicate::eq, *piece,
                                               ctx.i64Constant({0}));
      if (failed(isZero))
        return failure();
      piece = ctx.createValue<WhereOp>(*isZero, *dim, *piece);
      if (failed(piece))
        return failure();
    }
    pieces.push_back(*piece);
  }
  flush();
  FailureOr<Value> vector = pieces.size() == 1
                                ? FailureOr<Value>(pieces[0])
                                : ctx.createValue<ConcatOp>(pieces, 0);
  if (failed(vector))
    return failure();
  auto type = RankedTensorType::get(shape, xType.getElementType());
  return ReshapeOp::create(ctx.builder, ctx.loc, type, x, *vector).getResult();
}

/// Constant: the `value` tensor or one of the value_float(s)/value_int(s)
/// attributes.
LogicalResult convertConstant(NodeContext &ctx) {
  Builder &b = ctx.builder;
  const onnx::AttributeProto *attr = nullptr;
  for (const onnx::AttributeProto &a : ctx.node.attribute())
    attr = &a;
  if (!attr || ctx.node.attribute_size() != 1)
    return ctx.emitError() << "Constant needs exactly one value attribute";
  ElementsAttr value;
  StringRef name = attr->name();
  if (name == "value") {
    onnx::TensorProto tensor = attr->t();
    auto converted = ctx.state.convertTensor(tensor, ctx.loc);
    if (failed(converted))
      return failure();
    value = *converted;
  } else if (name == "value_float" || name == "value_floats") {
    SmallVector<float> v = name == "value_float"
                               ? SmallVector<float>{attr->f()}
                               : ctx.attrFloats(name);
    SmallVector<int64_t> shape;
    if (name == "value_floats")
      shape.push_back(v.size());
    value = DenseElementsAttr::get(
        RankedTensorType::get(shape, b.getF32Type()), ArrayRef<float>(v));
  } else if (name == "value_int" || name == "value_ints") {
    SmallVector<int64_t> v = name == "value_int"
                                 ? SmallVector<int64_t>{attr->i()}
                                 : ctx.attrInts(name);
    SmallVector<int64_t> shape;
    if (name == "value_ints")
      shape.push_back(v.size());
    value = DenseElementsAttr::get(
        RankedTensorType::get(shape, b.getI64Type()), ArrayRef<int64_t>(v));
  } else {
    return ctx.emitError() << "Constant attribute '" << name
                           << "' is not supported (strings and sparse "
                              "tensors have no mica type)";
  }
  ctx.setResult(0, ConstantOp::create(ctx.builder, ctx.loc, value));
  return success();
}

/// Reshape: constant entries are resolved at import (0 copies the input
/// dim unless allowzero, -1 is inferred); a run-time shape operand is used
/// as is, with its known 0 entries (e.g. constants concatenated into it)
/// replaced by the input dims.
LogicalResult convertReshape(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), shapeIn = ctx.requiredInput(1);
  if (failed(x) || failed(shapeIn))
    return failure();
  bool allowZero = ctx.attrInt("allowzero", 0) != 0;
  int64_t rank = ctx.inputType(0).getRank();
  RankedTensorType shapeType = ctx.inputType(1);
  auto partial = shapeType.getRank() == 1
                     ? getPartialShapeValues(*shapeIn)
                     : std::nullopt;
  // A shape of static length about which nothing is known (e.g. a graph
  // input): every entry is run-time, and its 0 entries copy input dims
  // unless allowzero. (Entries of a partially known shape, like the
  // Shape/Gather/Concat pattern of exported models, are dims and are used
  // as they are.)
  bool opaqueShape = false;
  if (!partial && shapeType.getRank() == 1 && !shapeType.isDynamicDim(0)) {
    partial = SmallVector<std::optional<int64_t>>(shapeType.getDimSize(0));
    opaqueShape = true;
  }
  if (!partial) {
    // Unknown length too: take the shape operand as is.
    FailureOr<RankedTensorType> known = ctx.outputType(0);
    if (failed(known))
      return failure();
    return bind(ctx, ReshapeOp::create(ctx.builder, ctx.loc, *known, *x,
                                       ctx.castTo(*shapeIn,
                                                  ctx.builder.getI64Type()))
                         .getResult());
  }
  SmallVector<ShapeEntry> entries;
  for (auto [i, v] : llvm::enumerate(*partial)) {
    if (!v)
      entries.push_back({ShapeEntry::EntryOf, static_cast<int64_t>(i)});
    else if (*v == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= rank)
        return ctx.emitError() << "shape entry " << i
                               << " is 0 (copy) but the input has rank "
                               << rank;
      entries.push_back({ShapeEntry::DimOf, static_cast<int64_t>(i)});
    } else {
      entries.push_back({ShapeEntry::Const, *v});
    }
  }
  return bind(ctx, reshapeTo(ctx, *x, entries, *shapeIn,
                             ctx.inferredOutputType(0),
                             opaqueShape && !allowZero));
}

/// Flatten: [prod(dims[:axis]), prod(dims[axis:])].
LogicalResult convertFlatten(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  // axis is in [-rank, rank]; a negative one counts from rank.
  int64_t rawAxis = ctx.attrInt("axis", 1);
  std::optional<int64_t> axis =
      rawAxis < 0 ? normalizeAxis(rawAxis, type.getRank())
                  : normalizeAxis(rawAxis, type.getRank() + 1);
  if (!axis)
    return ctx.emitError() << "axis out of range for " << type;
  auto product = [&](int64_t from, int64_t to) -> int64_t {
    int64_t p = 1;
    for (int64_t i = from; i < to; ++i) {
      if (type.isDynamicDim(i))
        return kDyn;
      p *= type.getDimSize(i);
    }
    return p;
  };
  int64_t outer = product(0, *axis), inner = product(*axis, type.getRank());
  if (!ShapedType::isDynamic(outer) || !ShapedType::isDynamic(inner))
    return bind(ctx, ctx.reshape(*x, {outer, inner}));
  // Both sides dynamic: compute the outer product at run time.
  auto dims = ctx.createValue<ShapeOfOp>(*x);
  if (failed(dims))
    return failure();
  auto head = ctx.createValue<SliceOp>(*dims, ArrayRef<int64_t>{0},
                                       ArrayRef<int64_t>{0},
                                       ArrayRef<int64_t>{*axis},
                                       ArrayRef<int64_t>{1});
  if (failed(head))
    return failure();
  auto prod = ctx.createValue<ReduceOp>(*head, ReduceKind::prod,
                                        ArrayRef<int64_t>{0}, true);
  if (failed(prod))
    return failure();
  auto vector = ctx.createValue<ConcatOp>(
      ValueRange{*prod, ctx.i64Constant({-1})}, 0);
  if (failed(vector))
    return failure();
  auto outType = RankedTensorType::get({kDyn, kDyn}, type.getElementType());
  return bind(ctx, ReshapeOp::create(ctx.builder, ctx.loc, outType, *x,
                                     *vector)
                       .getResult());
}

/// Reads an axes list: the `axes` attribute before `inputOpset`, input 1
/// from it on. Empty when absent.
FailureOr<SmallVector<int64_t>> readAxes(NodeContext &ctx, int64_t inputOpset,
                                         unsigned inputIndex = 1) {
  if (ctx.opset() < inputOpset)
    return ctx.attrInts("axes");
  if (!ctx.input(inputIndex))
    return SmallVector<int64_t>();
  return ctx.requireConstInts(inputIndex, "axes");
}

/// Squeeze: drops the listed unit dims (all static unit dims by default).
LogicalResult convertSqueeze(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  auto axes = readAxes(ctx, 13);
  if (failed(x) || failed(axes))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  SmallVector<bool> drop(type.getRank(), false);
  if (axes->empty()) {
    for (int64_t i = 0; i < type.getRank(); ++i)
      drop[i] = type.getDimSize(i) == 1;
  }
  for (int64_t a : *axes) {
    std::optional<int64_t> axis = normalizeAxis(a, type.getRank());
    if (!axis)
      return ctx.emitError() << "axis " << a << " out of range for " << type;
    if (type.getDimSize(*axis) > 1)
      return ctx.emitError() << "cannot squeeze dim " << *axis << " of "
                             << type;
    drop[*axis] = true;
  }
  SmallVector<ShapeEntry> entries;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!drop[i])
      entries.push_back({ShapeEntry::DimOf, i});
  return bind(ctx, reshapeTo(ctx, *x, entries));
}

/// Unsqueeze: inserts unit dims at the listed output positions.
LogicalResult convertUnsqueeze(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  auto axes = readAxes(ctx, 13);
  if (failed(x) || failed(axes))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t outRank = type.getRank() + axes->size();
  SmallVector<bool> unit(outRank, false);
  for (int64_t a : *axes) {
    std::optional<int64_t> axis = normalizeAxis(a, outRank);
    if (!axis || unit[*axis])
      return ctx.emitError() << "axis " << a
                             << " is out of range or repeated for rank "
                             << outRank;
    unit[*axis] = true;
  }
  SmallVector<ShapeEntry> entries;
  for (int64_t i = 0, j = 0; i < outRank; ++i)
    entries.push_back(unit[i] ? ShapeEntry{ShapeEntry::Const, 1}
                              : ShapeEntry{ShapeEntry::DimOf, j++});
  return bind(ctx, reshapeTo(ctx, *x, entries));
}

/// Transpose: `perm` (reversed dims by default).
LogicalResult convertTranspose(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> perm = ctx.attrInts("perm");
  if (!ctx.hasAttr("perm"))
    for (int64_t i = ctx.inputType(0).getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  return bind(ctx, ctx.createValue<TransposeOp>(*x, perm));
}

/// Concat along `axis`.
LogicalResult convertConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (!ctx.hasAttr("axis"))
    return ctx.emitError() << "attribute 'axis' is required";
  return bind(ctx, ctx.createValue<ConcatOp>(inputs, ctx.attrInt("axis", 0)));
}

/// Split: sizes from the `split` attribute (before opset 13) or input,
/// else equal parts of a static dim.
LogicalResult convertSplit(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t axisAttr = ctx.attrInt("axis", 0);
  std::optional<int64_t> axis = normalizeAxis(axisAttr, type.getRank());
  if (!axis)
    return ctx.emitError() << "axis " << axisAttr << " out of range for "
                           << type;
  SmallVector<int64_t> sizes;
  if (ctx.opset() < 13) {
    sizes = ctx.attrInts("split");
  } else if (ctx.input(1)) {
    auto v = ctx.requireConstInts(1, "split");
    if (failed(v))
      return failure();
    sizes = *v;
  }
  unsigned n = ctx.numOutputs();
  if (sizes.empty()) {
    int64_t dim = type.getDimSize(*axis);
    if (ShapedType::isDynamic(dim))
      return ctx.emitError() << "splitting dynamic dim " << *axis << " of "
                             << type << " needs explicit split sizes";
    if (n == 0 || dim % n != 0)
      return ctx.emitError() << "dim " << dim << " does not split into " << n
                             << " equal parts";
    sizes.assign(n, dim / n);
  }
  if (sizes.size() != n)
    return ctx.emitError() << sizes.size() << " split sizes for " << n
                           << " outputs";
  auto op = ctx.create<SplitOp>(n, *x, *axis, sizes);
  if (failed(op))
    return failure();
  for (unsigned i = 0; i < n; ++i)
    ctx.setResult(i, (*op)->getResult(i));
  return success();
}

/// A 0-D i64 value: entry `i` of the 1-D operand `vector`, or the constant
/// `known` when it is known.
FailureOr<Value> scalarEntry(NodeContext &ctx, Value vector, int64_t i,
                             std::optional<int64_t> known) {
  if (known)
    return ctx.i64Constant({*known}, /*scalar=*/true);
  auto entry = entryOf(ctx, ctx.castTo(vector, ctx.builder.getI64Type()), i);
  if (failed(entry))
    return failure();
  return ctx.reshape(*entry, {});
}

/// Slices `axis` of `x` from the run-time `start` to `end` (0-D i64) by a
/// positive `step`, with ONNX clamping:
///   s = clamp(start < 0 ? start + dim : start, 0, dim), likewise e;
///   gather(x, range(s, e, step), axis)
FailureOr<Value> dynamicSlice(NodeContext &ctx, Value x, int64_t axis,
                              Value start, Value end, int64_t step) {
  Type i64 = ctx.builder.getI64Type();
  auto dims = ctx.createValue<ShapeOfOp>(x);
  if (failed(dims))
    return failure();
  auto dim = scalarEntry(ctx, *dims, axis, std::nullopt);
  if (failed(dim))
    return failure();
  Value zero = ctx.scalarConstant(i64, 0);
  auto clampIndex = [&](Value v) -> FailureOr<Value> {
    Attribute known;
    if (matchPattern(v, m_Constant(&known)))
      if (auto ints = readIntElements(cast<ElementsAttr>(known));
          ints && ints->size() == 1 && (*ints)[0] == 0)
        return v;
    auto negative = ctx.createValue<CompareOp>(CmpPredicate::lt, v, zero);
    auto wrapped = ctx.createValue<AddOp>(v, *dim);
    if (failed(negative) || failed(wrapped))
      return failure();
    auto sel = ctx.createValue<WhereOp>(*negative, *wrapped, v);
    if (failed(sel))
      return failure();
    auto upper = ctx.createValue<MinOp>(*sel, *dim);
    if (failed(upper))
      return failure();
    return ctx.createValue<MaxOp>(*upper, zero);
  };
  auto s = clampIndex(start), e = clampIndex(end);
  if (failed(s) || failed(e))
    return failure();
  Value indices = RangeOp::create(ctx.builder, ctx.loc,
                                  RankedTensorType::get({kDyn}, i64), *s, *e,
                                  ctx.scalarConstant(i64, step));
  return ctx.createValue<GatherOp>(x, indices, axis);
}

/// Slice: attributes before opset 10, inputs from it on. Axes and steps
/// must be constants; constant starts/ends give one `mica.slice`, run-time
/// ones (positive steps only) a range + gather per axis.
LogicalResult convertSlice(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  using Partial = SmallVector<std::optional<int64_t>>;
  Partial starts, ends;
  SmallVector<int64_t> axes, steps;
  if (ctx.opset() < 10) {
    for (int64_t v : ctx.attrInts("starts"))
      starts.push_back(v);
    for (int64_t v : ctx.attrInts("ends"))
      ends.push_back(v);
    axes = ctx.attrInts("axes");
  } else {
    for (auto [index, list] : {std::pair<unsigned, Partial *>{1, &starts},
                               std::pair<unsigned, Partial *>{2, &ends}}) {
      FailureOr<Value> v = ctx.requiredInput(index);
      if (failed(v))
        return failure();
      auto partial = getPartialShapeValues(*v);
      if (!partial)
        return ctx.emitNotConstant(index, index == 1 ? "starts" : "ends",
                                   "of a length known at compile time");
      *list = *partial;
    }
    if (ctx.input(3)) {
      auto a = ctx.requireConstInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (ctx.input(4)) {
      auto st = ctx.requireConstInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.emitError() << "starts, ends, axes and steps must have the "
                              "same length";
  SmallVector<int64_t> sAxes, sStarts, sEnds, sSteps;
  SmallVector<size_t> dynamicEntries;
  for (size_t i = 0; i < starts.size(); ++i) {
    if (starts[i] && ends[i]) {
      sAxes.push_back(axes[i]);
      sStarts.push_back(*starts[i]);
      sEnds.push_back(*ends[i]);
      sSteps.push_back(steps[i]);
    } else {
      dynamicEntries.push_back(i);
    }
  }
  FailureOr<Value> out = *x;
  if (!sAxes.empty() || dynamicEntries.empty())
    out = ctx.createValue<SliceOp>(*x, sAxes, sStarts, sEnds, sSteps);
  for (size_t i : dynamicEntries) {
    if (failed(out))
      return failure();
    std::optional<int64_t> axis =
        normalizeAxis(axes[i], ctx.inputType(0).getRank());
    if (!axis)
      return ctx.emitError() << "axis " << axes[i] << " out of range";
    if (steps[i] <= 0)
      return ctx.emitError() << "run-time starts/ends need a positive step";
    auto start = scalarEntry(ctx, ctx.input(1), i, starts[i]);
    auto end = scalarEntry(ctx, ctx.input(2), i, ends[i]);
    if (failed(start) || failed(end))
      return failure();
    out = dynamicSlice(ctx, *out, *axis, *start, *end, steps[i]);
  }
  return bind(ctx, out);
}

/// Gather and GatherElements along `axis`.
template <typename OpT>
LogicalResult convertGather(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), indices = ctx.requiredInput(1);
  if (failed(x) || failed(indices))
    return failure();
  return bind(ctx, ctx.createValue<OpT>(*x, *indices, ctx.attrInt("axis", 0)));
}

/// The `reduction` attribute of the scatter ops.
FailureOr<ScatterReduction> scatterReduction(NodeContext &ctx) {
  std::string r = ctx.attrString("reduction", "none");
  if (auto kind = symbolizeScatterReduction(r))
    return *kind;
  return ctx.emitError() << "invalid reduction '" << r << "'";
}

/// ScatterElements (and the older Scatter) along `axis`.
LogicalResult convertScatterElements(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), i = ctx.requiredInput(1),
       u = ctx.requiredInput(2);
  auto reduction = scatterReduction(ctx);
  if (failed(x) || failed(i) || failed(u) || failed(reduction))
    return failure();
  return bind(ctx, ctx.createValue<ScatterElementsOp>(
                       *x, *i, *u, ctx.attrInt("axis", 0), *reduction));
}

/// ScatterND.
LogicalResult convertScatterND(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), i = ctx.requiredInput(1),
       u = ctx.requiredInput(2);
  auto reduction = scatterReduction(ctx);
  if (failed(x) || failed(i) || failed(u) || failed(reduction))
    return failure();
  return bind(ctx, ctx.createValue<ScatterNDOp>(*x, *i, *u, *reduction));
}

/// Expand: static when the target shape is a constant and the result type
/// is static, else with the shape operand.
LogicalResult convertExpand(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), shape = ctx.requiredInput(1);
  if (failed(x) || failed(shape))
    return failure();
  // Result dims: the broadcast of the input dims and the known shape
  // entries.
  RankedTensorType computed;
  if (auto partial = ctx.inputType(1).getRank() == 1
                         ? getPartialShapeValues(*shape)
                         : std::nullopt) {
    RankedTensorType in = ctx.inputType(0);
    int64_t rank = std::max<int64_t>(in.getRank(), partial->size());
    SmallVector<int64_t> dims(rank, kDyn);
    for (int64_t i = 0; i < rank; ++i) {
      int64_t xi = i - (rank - in.getRank()), si = i - (rank - partial->size());
      int64_t xd = xi >= 0 ? in.getDimSize(xi) : 1;
      std::optional<int64_t> sd =
          si >= 0 ? (*partial)[si] : std::optional<int64_t>(1);
      if (sd && *sd != 1)
        dims[i] = *sd;
      else if (!ShapedType::isDynamic(xd) && (xd != 1 || sd))
        dims[i] = xd;
    }
    computed = RankedTensorType::get(dims, in.getElementType());
  }
  FailureOr<RankedTensorType> type = ctx.outputType(0, computed);
  if (failed(type))
    return failure();
  Value operand;
  if (!ctx.constInts(1) || !type->hasStaticShape())
    operand = ctx.castTo(*shape, ctx.builder.getI64Type());
  return bind(ctx,
              ExpandOp::create(ctx.builder, ctx.loc, *type, *x, operand)
                  .getResult());
}

/// Tile: constant `repeats`.
LogicalResult convertTile(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  auto repeats = ctx.requireConstInts(1, "repeats");
  if (failed(x) || failed(repeats))
    return failure();
  return bind(ctx, ctx.createValue<TileOp>(*x, *repeats));
}

/// Pad: `pads`/`value` attributes before opset 11, constant inputs after.
LogicalResult convertPad(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> pads;
  double value = 0.0;
  if (ctx.opset() < 11) {
    pads = ctx.attrInts("pads");
    value = ctx.attrFloat("value", 0.0f);
  } else {
    auto p = ctx.requireConstInts(1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (ctx.input(2)) {
      auto v = ctx.constFloats(2);
      if (!v || v->size() != 1)
        return ctx.emitNotConstant(2, "constant_value",
                                   "a compile-time constant scalar");
      value = (*v)[0];
    }
  }
  std::string modeName = ctx.attrString("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return ctx.emitError() << "pad mode '" << modeName
                           << "' is not supported (constant, reflect, edge)";
  return bind(ctx, ctx.createValue<PadOp>(*x, *mode, pads, APFloat(value)));
}

/// Shape (with start/end from opset 15): shape_of, sliced.
LogicalResult convertShape(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> dims = ctx.createValue<ShapeOfOp>(*x);
  if (failed(dims))
    return failure();
  int64_t rank = ctx.inputType(0).getRank();
  int64_t start = ctx.attrInt("start", 0), end = ctx.attrInt("end", rank);
  if (start != 0 || end < rank)
    dims = ctx.createValue<SliceOp>(*dims, ArrayRef<int64_t>{0},
                                    ArrayRef<int64_t>{start},
                                    ArrayRef<int64_t>{end},
                                    ArrayRef<int64_t>{1});
  return bind(ctx, dims);
}

/// Size: product of the shape, as a 0-D i64.
LogicalResult convertSize(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> dims = ctx.createValue<ShapeOfOp>(*x);
  if (failed(dims))
    return failure();
  return bind(ctx, ctx.createValue<ReduceOp>(*dims, ReduceKind::prod,
                                             ArrayRef<int64_t>{0}, false));
}

/// Range(start, limit, delta).
LogicalResult convertRange(NodeContext &ctx) {
  auto s = ctx.requiredInput(0), l = ctx.requiredInput(1),
       d = ctx.requiredInput(2);
  if (failed(s) || failed(l) || failed(d))
    return failure();
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, RankedTensorType::get({kDyn}, getElementTypeOrSelf(s->getType())));
  if (failed(type))
    return failure();
  return bind(ctx,
              RangeOp::create(ctx.builder, ctx.loc, *type, *s, *l, *d)
                  .getResult());
}

/// ConstantOfShape: `mica.fill` with the `value` attribute (f32 0 by
/// default).
LogicalResult convertConstantOfShape(NodeContext &ctx) {
  FailureOr<Value> shape = ctx.requiredInput(0);
  if (failed(shape))
    return failure();
  TypedAttr value = ctx.builder.getF32FloatAttr(0.0f);
  if (const onnx::AttributeProto *attr = ctx.findAttr("value")) {
    onnx::TensorProto tensor = attr->t();
    auto converted = ctx.state.convertTensor(tensor, ctx.loc);
    if (failed(converted))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*converted);
    if (!dense || dense.getNumElements() != 1)
      return ctx.emitError() << "attribute 'value' must hold one element";
    value = cast<TypedAttr>(*dense.value_begin<Attribute>());
  }
  RankedTensorType computed;
  if (auto partial = ctx.inputType(0).getRank() == 1
                         ? getPartialShapeValues(*shape)
                         : std::nullopt) {
    SmallVector<int64_t> dims;
    for (std::optional<int64_t> d : *partial)
      dims.push_back(d ? *d : kDyn);
    computed = RankedTensorType::get(dims, value.getType());
  }
  FailureOr<RankedTensorType> type = ctx.outputType(0, computed);
  if (failed(type))
    return failure();
  return bind(ctx, FillOp::create(ctx.builder, ctx.loc, *type,
                                  ctx.castTo(*shape, ctx.builder.getI64Type()),
                                  value)
                       .getResult());
}

/// OneHot(indices, depth, values = [off, on]) with constant depth and
/// values.
LogicalResult convertOneHot(NodeContext &ctx) {
  FailureOr<Value> indices = ctx.requiredInput(0);
  auto depth = ctx.constFloats(1);
  auto values = ctx.constFloats(2);
  if (failed(indices))
    return failure();
  if (!depth || depth->size() != 1)
    return ctx.emitNotConstant(1, "depth", "a compile-time constant scalar");
  if (!values || values->size() != 2)
    return ctx.emitNotConstant(2, "values",
                               "a compile-time constant of 2 elements");
  RankedTensorType idxType = ctx.inputType(0);
  std::optional<int64_t> axis =
      normalizeAxis(ctx.attrInt("axis", -1), idxType.getRank() + 1);
  if (!axis)
    return ctx.emitError() << "axis out of range for " << idxType;
  SmallVector<int64_t> dims(idxType.getShape());
  dims.insert(dims.begin() + *axis, static_cast<int64_t>((*depth)[0]));
  FailureOr<RankedTensorType> type = ctx.outputType(
      0, RankedTensorType::get(dims, ctx.inputType(2).getElementType()));
  if (failed(type))
    return failure();
  Value idx = *indices;
  if (!isa<IntegerType>(getElementTypeOrSelf(idx.getType())) ||
      getElementTypeOrSelf(idx.getType()).isInteger(1) ||
      getElementTypeOrSelf(idx.getType()).isInteger(8))
    idx = ctx.castTo(idx, ctx.builder.getI64Type());
  return bind(ctx, OneHotOp::create(ctx.builder, ctx.loc, *type, idx,
                                    static_cast<int64_t>((*depth)[0]),
                                    ctx.attrInt("axis", -1),
                                    APFloat((*values)[1]),
                                    APFloat((*values)[0]))
                       .getResult());
}

/// The ONNX 1-D resize coefficients for a sample at fraction `ratio` past
/// its floor (1 when the sample is on a grid point).
SmallVector<double> resizeCoeffs(StringRef mode, StringRef nearestMode,
                                 double ratio, double cubicA) {
  if (mode == "cubic") {
    double a = cubicA, r = ratio, q = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * q - (a + 3)) * q * q + 1,
            ((a * (q + 1) - 5 * a) * (q + 1) + 8 * a) * (q + 1) - 4 * a};
  }
  if (mode == "linear")
    return {1 - ratio, ratio};
  // nearest
  if (ratio == 1)
    return {0, 1};
  bool up;
  if (nearestMode == "round_prefer_ceil")
    up = ratio >= 0.5;
  else if (nearestMode == "floor")
    up = false;
  else if (nearestMode == "ceil")
    up = true;
  else // round_prefer_floor
    up = ratio > 0.5;
  return {up ? 0.0 : 1.0, up ? 1.0 : 0.0};
}

/// Resize by interpolation matrices, for the modes `mica.resize` does not
/// have (cubic; tf_half_pixel_for_nn and tf_crop_and_resize coordinates;
/// exclude_outside). The resize is separable: for each resized axis (last
/// to first, like ONNX's reference) a constant [out, in] matrix built
/// exactly as ONNX's reference interpolation picks neighbours (edge
/// padded) and weights them is applied with a `mica.matmul` on that axis
/// moved last; out-of-range crop samples add `extrapolation_value`. Needs
/// static input dims and a float element type.
LogicalResult convertResizeByMatrices(NodeContext &ctx, Value x,
                                      StringRef mode, StringRef coordMode) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  Type elt = type.getElementType();
  if (!type.hasStaticShape() || !isa<FloatType>(elt))
    return ctx.emitError() << "resize mode '" << mode << "' with "
                           << coordMode << " coordinates needs a static "
                           << "float input, got " << type;
  SmallVector<double> scales;
  SmallVector<int64_t> outSizes;
  if (auto sc = ctx.constFloats(2); sc && !sc->empty()) {
    scales = *sc;
    if (static_cast<int64_t>(scales.size()) != rank)
      return ctx.emitError() << "scales must have one entry per dim of "
                             << type;
    for (int64_t i = 0; i < rank; ++i)
      outSizes.push_back(static_cast<int64_t>(
          std::floor(type.getDimSize(i) * scales[i])));
  } else if (ctx.input(2) && !sc) {
    return ctx.emitNotConstant(2, "scales");
  } else {
    auto sizes = ctx.requireConstInts(3, "sizes");
    if (failed(sizes))
      return failure();
    if (static_cast<int64_t>(sizes->size()) != rank)
      return ctx.emitError() << "sizes must have one entry per dim of "
                             << type;
    outSizes = *sizes;
    for (int64_t i = 0; i < rank; ++i)
      scales.push_back(static_cast<double>(outSizes[i]) / type.getDimSize(i));
  }
  SmallVector<double> roi;
  if (coordMode == "tf_crop_and_resize") {
    auto r = ctx.constFloats(1);
    if (!r)
      return ctx.emitNotConstant(1, "roi");
    roi = *r;
    if (static_cast<int64_t>(roi.size()) != 2 * rank)
      return ctx.emitError() << "roi must have 2 entries per dim of " << type;
  }
  std::string nearestMode =
      ctx.attrString("nearest_mode", "round_prefer_floor");
  double cubicA = ctx.attrFloat("cubic_coeff_a", -0.75f);
  bool excludeOutside = ctx.attrInt("exclude_outside", 0) != 0;
  double extrapolation = ctx.attrFloat("extrapolation_value", 0.0f);

  Value y = x;
  for (int64_t axis = rank - 1; axis >= 0; --axis) {
    int64_t n = type.getDimSize(axis), m = outSizes[axis];
    double scale = scales[axis];
    if (m == n && scale == 1.0 && coordMode != "tf_crop_and_resize")
      continue;
    // ONNX's reference uses the unrounded resized length.
    double length = n * scale;
    SmallVector<double> matrix(m * n, 0.0), bias(m, 0.0);
    bool anyBias = false;
    for (int64_t o = 0; o < m; ++o) {
      double xo = o;
      double xi;
      if (coordMode == "half_pixel")
        xi = (xo + 0.5) / scale - 0.5;
      else if (coordMode == "pytorch_half_pixel")
        xi = length != 1 ? (xo + 0.5) / scale - 0.5 : -0.5;
      else if (coordMode == "align_corners")
        xi = length == 1 ? 0 : xo * (n - 1) / (length - 1);
      else if (coordMode == "asymmetric")
        xi = xo / scale;
      else if (coordMode == "tf_half_pixel_for_nn")
        xi = (xo + 0.5) / scale;
      else { // tf_crop_and_resize
        double start = roi[axis], end = roi[rank + axis];
        xi = length != 1
                 ? start * (n - 1) + xo * (end - start) * (n - 1) / (length - 1)
                 : start * (n - 1) + (end - start) * (n - 1) / 2;
        if (xi < 0 || xi > n - 1) {
          bias[o] = extrapolation;
          anyBias |= extrapolation != 0;
          continue;
        }
      }
      double floorX = std::floor(xi);
      double ratio = xi - floorX;
      if (ratio == 0)
        ratio = 1;
      SmallVector<double> coeffs =
          resizeCoeffs(mode, nearestMode, ratio, cubicA);
      int64_t count = coeffs.size();
      // The `count` grid points nearest to xi (ties to the lower index),
      // in ascending order, as ONNX's get_neighbor_idxes picks them.
      int64_t first = static_cast<int64_t>(floorX) - (count / 2 - 1);
      if (ratio == 1)
        first = static_cast<int64_t>(floorX) - count / 2;
      double total = 0;
      for (int64_t k = 0; k < count; ++k) {
        int64_t idx = first + k;
        if (excludeOutside && (idx < 0 || idx >= n))
          coeffs[k] = 0;
        total += coeffs[k];
      }
      for (int64_t k = 0; k < count; ++k) {
        int64_t idx = std::clamp<int64_t>(first + k, 0, n - 1);
        matrix[o * n + idx] += excludeOutside ? coeffs[k] / total : coeffs[k];
      }
    }
    // y: move `axis` last, multiply by matrix^T [n, m], move it back.
    SmallVector<int64_t> perm;
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis)
        perm.push_back(i);
    perm.push_back(axis);
    SmallVector<int64_t> inverse(rank);
    for (int64_t i = 0; i < rank; ++i)
      inverse[perm[i]] = i;
    SmallVector<double> transposed(n * m);
    for (int64_t o = 0; o < m; ++o)
      for (int64_t i = 0; i < n; ++i)
        transposed[i * m + o] = matrix[o * n + i];
    auto matType = RankedTensorType::get({n, m}, elt);
    SmallVector<APFloat> values;
    for (double v : transposed) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(elt).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    Value mat = ConstantOp::create(ctx.builder, ctx.loc,
                                   DenseElementsAttr::get(matType, values));
    FailureOr<Value> v = y;
    if (axis != rank - 1)
      v = ctx.createValue<TransposeOp>(*v, perm);
    if (succeeded(v))
      v = ctx.createValue<MatMulOp>(*v, mat);
    if (succeeded(v) && anyBias) {
      SmallVector<APFloat> b;
      for (double e : bias) {
        APFloat f(e);
        bool lost;
        f.convert(cast<FloatType>(elt).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &lost);
        b.push_back(f);
      }
      Value bc = ConstantOp::create(
          ctx.builder, ctx.loc,
          DenseElementsAttr::get(RankedTensorType::get({m}, elt), b));
      v = ctx.createValue<AddOp>(*v, bc);
    }
    if (succeeded(v) && axis != rank - 1)
      v = ctx.createValue<TransposeOp>(*v, inverse);
    if (failed(v))
      return failure();
    y = *v;
  }
  ctx.setResult(0, y);
  return success();
}

/// Resize (opset 10: scales; 11+: roi, scales, sizes) and Upsample
/// (scales attribute in opset 7, input from 9): nearest or linear with
/// constant scales or sizes.
LogicalResult convertResize(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  bool upsample = ctx.node.op_type() == "Upsample";
  std::string modeName = ctx.attrString("mode", "nearest");
  if (!upsample && ctx.opset() >= 11) {
    std::string coordName =
        ctx.attrString("coordinate_transformation_mode", "half_pixel");
    if (modeName == "cubic" || coordName == "tf_half_pixel_for_nn" ||
        coordName == "tf_crop_and_resize" ||
        ctx.attrInt("exclude_outside", 0) != 0)
      return convertResizeByMatrices(ctx, *x, modeName, coordName);
  }
  std::optional<ResizeMode> mode =
      modeName == "bilinear" ? ResizeMode::linear : symbolizeResizeMode(modeName);
  if (!mode)
    return ctx.emitError() << "resize mode '" << modeName
                           << "' is not supported (nearest, linear)";
  SmallVector<double> scales;
  if (upsample && ctx.opset() < 9) {
    for (float s : ctx.attrFloats("scales"))
      scales.push_back(s);
  } else {
    unsigned scalesIndex = upsample || ctx.opset() < 11 ? 1 : 2;
    if (auto s = ctx.constFloats(scalesIndex))
      scales = *s;
    else if (ctx.input(scalesIndex))
      return ctx.emitNotConstant(scalesIndex, "scales");
    if (scales.empty() && !upsample && ctx.opset() >= 11) {
      auto sizes = ctx.requireConstInts(3, "sizes");
      if (failed(sizes))
        return failure();
      if (static_cast<int64_t>(sizes->size()) != type.getRank())
        return ctx.emitError() << "sizes must have one entry per dim of "
                               << type;
      for (auto [i, size] : llvm::enumerate(*sizes)) {
        int64_t in = type.getDimSize(i);
        if (ShapedType::isDynamic(in))
          return ctx.emitError() << "resizing to 'sizes' needs static input "
                                    "dims, got "
                                 << type;
        double s = static_cast<double>(size) / in;
        while (std::floor(in * s) < size)
          s = std::nextafter(s, HUGE_VAL);
        scales.push_back(s);
      }
    }
  }
  if (static_cast<int64_t>(scales.size()) != type.getRank())
    return ctx.emitError() << "scales must have one entry per dim of " << type;

  CoordTransform coord = CoordTransform::asymmetric;
  NearestMode nearest = NearestMode::floor;
  if (!upsample && ctx.opset() >= 11) {
    std::string coordName =
        ctx.attrString("coordinate_transformation_mode", "half_pixel");
    std::optional<CoordTransform> c = symbolizeCoordTransform(coordName);
    if (!c)
      return ctx.emitError() << "coordinate_transformation_mode '"
                             << coordName << "' is not supported";
    coord = *c;
    std::string nearestName =
        ctx.attrString("nearest_mode", "round_prefer_floor");
    std::optional<NearestMode> n = symbolizeNearestMode(nearestName);
    if (!n)
      return ctx.emitError() << "nearest_mode '" << nearestName
                             << "' is not supported";
    nearest = *n;
  }
  return bind(ctx,
              ctx.createValue<ResizeOp>(*x, *mode, scales, coord, nearest));
}

//===----------------------------------------------------------------------===//
// Rearrangements composed from reshape/transpose/gather/where
//===----------------------------------------------------------------------===//

/// DepthToSpace (DCR or CRD) and SpaceToDepth on NCHW with static C, H, W,
/// as reshape -> transpose -> reshape:
///   DCR: [N, b, b, C/b^2, H, W] perm [0, 3, 4, 1, 5, 2]
///   CRD: [N, C/b^2, b, b, H, W] perm [0, 1, 4, 2, 5, 3]
///   SpaceToDepth: [N, C, H/b, b, W/b, b] perm [0, 3, 5, 1, 2, 4]
LogicalResult convertDepthSpace(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t b = ctx.attrInt("blocksize", 0);
  bool toSpace = ctx.node.op_type() == "DepthToSpace";
  if (type.getRank() != 4 || b < 1 ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return ctx.emitError() << "needs a 4-D input with static C, H, W and "
                              "blocksize >= 1, got "
                           << type << " and blocksize " << b;
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  if (toSpace ? c % (b * b) : h % b || w % b)
    return ctx.emitError() << type << " is not divisible by blocksize " << b;
  SmallVector<int64_t> split, perm, out;
  if (!toSpace) {
    split = {n, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    out = {n, c * b * b, h / b, w / b};
  } else if (ctx.attrString("mode", "DCR") == "CRD") {
    split = {n, c / (b * b), b, b, h, w};
    perm = {0, 1, 4, 2, 5, 3};
    out = {n, c / (b * b), h * b, w * b};
  } else {
    split = {n, b, b, c / (b * b), h, w};
    perm = {0, 3, 4, 1, 5, 2};
    out = {n, c / (b * b), h * b, w * b};
  }
  FailureOr<Value> v = ctx.reshape(*x, split);
  if (succeeded(v))
    v = ctx.createValue<TransposeOp>(*v, perm);
  if (failed(v))
    return failure();
  return bind(ctx, ctx.reshape(*v, out));
}

/// A constant i1 mask of `shape` (static, rank >= 2) over its last two dims
/// (row i, column j): true where `keep(j - i)`.
Value diagonalMask(NodeContext &ctx, ArrayRef<int64_t> shape,
                   llvm::function_ref<bool(int64_t)> keep) {
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  SmallVector<bool> bits;
  bits.reserve(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      bits.push_back(keep(j - i));
  auto type = RankedTensorType::get({rows, cols}, ctx.builder.getI1Type());
  return ConstantOp::create(ctx.builder, ctx.loc,
                            DenseElementsAttr::get(type, ArrayRef(bits)));
}

/// Trilu: where(mask, x, 0) with a constant mask of the (static) last two
/// dims keeping j - i >= k (upper) or j - i <= k (lower); k is a constant
/// input (default 0).
LogicalResult convertTrilu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2 || type.isDynamicDim(rank - 1) || type.isDynamicDim(rank - 2))
    return ctx.emitError() << "needs static last two dims, got " << type;
  int64_t k = 0;
  if (ctx.input(1)) {
    auto v = ctx.requireConstInts(1, "k");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return ctx.emitError() << "input 'k' must hold one value";
    k = (*v)[0];
  }
  bool upper = ctx.attrInt("upper", 1) != 0;
  Value mask = diagonalMask(ctx, type.getShape(), [&](int64_t d) {
    return upper ? d >= k : d <= k;
  });
  return bind(ctx, ctx.createValue<WhereOp>(
                       mask, *x, ctx.scalarConstant(type.getElementType(), 0)));
}

/// EyeLike: ones on diagonal `k` of a static 2-D shape, zeros elsewhere, in
/// `dtype` (default: the input's element type).
LogicalResult convertEyeLike(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() != 2 || !type.hasStaticShape())
    return ctx.emitError() << "needs a static 2-D input, got " << type;
  Type elt = type.getElementType();
  if (ctx.hasAttr("dtype")) {
    int64_t dtype = ctx.attrInt("dtype", 0);
    elt = convertElementType(ctx.getContext(), dtype);
    if (!elt)
      return ctx.emitError() << "dtype " << onnxTypeName(dtype)
                             << " is not supported by mica";
  }
  int64_t k = ctx.attrInt("k", 0);
  Value mask =
      diagonalMask(ctx, type.getShape(), [&](int64_t d) { return d == k; });
  return bind(ctx, ctx.createValue<WhereOp>(mask, ctx.scalarConstant(elt, 1),
                                            ctx.scalarConstant(elt, 0)));
}

/// GatherND(data, indices, batch_dims = b) with m = indices.shape[-1]: the
/// indexed dims [b, b + m) of data (static) are flattened together with
/// the batch dims, each index tuple (negative entries wrapped) becomes a
/// linear index (a dot product with the row-major strides, plus the batch
/// offset) and one `mica.gather` along axis 0 picks the slices.
LogicalResult convertGatherND(NodeContext &ctx) {
  auto data = ctx.requiredInput(0), indices = ctx.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  RankedTensorType dType = ctx.inputType(0), iType = ctx.inputType(1);
  int64_t b = ctx.attrInt("batch_dims", 0), q = iType.getRank();
  if (q < 1 || iType.isDynamicDim(q - 1))
    return ctx.emitError() << "the last dim of the indices must be static, "
                              "got "
                           << iType;
  int64_t m = iType.getDimSize(q - 1);
  if (b < 0 || b >= q || b + m > dType.getRank())
    return ctx.emitError() << "batch_dims " << b << " and index depth " << m
                           << " do not fit data " << dType << " and indices "
                           << iType;
  for (int64_t i = 0; i < b + m; ++i)
    if (dType.isDynamicDim(i) || (i < b && iType.isDynamicDim(i)))
      return ctx.emitError() << "needs static batch and indexed dims, got "
                             << dType << " and " << iType;
  ArrayRef<int64_t> dims = dType.getShape();
  SmallVector<int64_t> sizes(dims.begin() + b, dims.begin() + b + m);
  SmallVector<int64_t> strides(m, 1);
  for (int64_t j = m - 2; j >= 0; --j)
    strides[j] = strides[j + 1] * sizes[j + 1];
  int64_t block = m ? strides[0] * sizes[0] : 1, batch = 1;
  for (int64_t i = 0; i < b; ++i)
    batch *= dims[i];

  Value idx = ctx.castTo(*indices, ctx.builder.getI64Type());
  Value sizeVec = ctx.i64Constant(sizes);
  auto neg = ctx.createValue<CompareOp>(CmpPredicate::lt, idx,
                                        ctx.i64Constant({0}, true));
  auto wrapped = ctx.createValue<AddOp>(idx, sizeVec);
  if (failed(neg) || failed(wrapped))
    return failure();
  auto fixed = ctx.createValue<WhereOp>(*neg, *wrapped, idx);
  if (failed(fixed))
    return failure();
  auto weighted = ctx.createValue<MulOp>(*fixed, ctx.i64Constant(strides));
  if (failed(weighted))
    return failure();
  auto linear = ctx.createValue<ReduceOp>(*weighted, ReduceKind::sum,
                                          ArrayRef<int64_t>{q - 1}, false);
  if (failed(linear))
    return failure();
  if (b > 0) {
    // Offset of each batch entry: its flat batch position times `block`.
    SmallVector<int64_t> offsets, offShape(dims.begin(), dims.begin() + b);
    for (int64_t i = 0; i < batch; ++i)
      offsets.push_back(i * block);
    offShape.append(q - 1 - b, 1);
    auto offType =
        RankedTensorType::get(offShape, ctx.builder.getI64Type());
    Value off = ConstantOp::create(
        ctx.builder, ctx.loc,
        DenseElementsAttr::get(offType, ArrayRef<int64_t>(offsets)));
    linear = ctx.createValue<AddOp>(*linear, off);
    if (failed(linear))
      return failure();
  }
  SmallVector<int64_t> flatShape{batch * block};
  flatShape.append(dims.begin() + b + m, dims.end());
  FailureOr<Value> flat = ctx.reshape(*data, flatShape);
  if (failed(flat))
    return failure();
  return bind(ctx, ctx.createValue<GatherOp>(*flat, *linear, 0));
}

/// Compress with a compile-time constant condition: a gather of the
/// positions where it is true (along `axis`, or of the flattened input).
LogicalResult convertCompress(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto cond = ctx.constInts(1);
  if (!cond)
    return ctx.emitNotConstant(1, "condition");
  RankedTensorType type = ctx.inputType(0);
  Value in = *x;
  int64_t axis = 0;
  if (ctx.hasAttr("axis")) {
    std::optional<int64_t> a =
        normalizeAxis(ctx.attrInt("axis", 0), type.getRank());
    if (!a)
      return ctx.emitError() << "axis out of range for " << type;
    axis = *a;
  } else {
    if (!type.hasStaticShape())
      return ctx.emitError() << "compress without axis needs a static "
                                "shape, got "
                             << type;
    FailureOr<Value> flat = ctx.reshape(*x, {type.getNumElements()});
    if (failed(flat))
      return failure();
    in = *flat;
  }
  SmallVector<int64_t> picked;
  for (auto [i, c] : llvm::enumerate(*cond))
    if (c)
      picked.push_back(i);
  return bind(ctx, ctx.createValue<GatherOp>(in, ctx.i64Constant(picked),
                                             axis));
}

/// ReverseSequence with compile-time constant sequence_lens: a
/// `mica.gather_elements` along the time axis whose indices (t < len[b] ?
/// len[b] - 1 - t : t, a constant over the time and batch dims) are
/// expanded to the input's static shape.
LogicalResult convertReverseSequence(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto lens = ctx.constInts(1);
  if (!lens)
    return ctx.emitNotConstant(1, "sequence_lens");
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  int64_t timeAxis = ctx.attrInt("time_axis", 0);
  int64_t batchAxis = ctx.attrInt("batch_axis", 1);
  if (rank < 2 || !type.hasStaticShape() ||
      !((timeAxis == 0 && batchAxis == 1) || (timeAxis == 1 && batchAxis == 0)))
    return ctx.emitError() << "needs a static input of rank >= 2 and "
                              "time/batch axes 0/1, got "
                           << type;
  int64_t steps = type.getDimSize(timeAxis), batch = type.getDimSize(batchAxis);
  if (static_cast<int64_t>(lens->size()) != batch)
    return ctx.emitError() << "sequence_lens has " << lens->size()
                           << " entries for batch " << batch;
  SmallVector<int64_t> shape(rank, 1), indices;
  shape[timeAxis] = steps;
  shape[batchAxis] = batch;
  for (int64_t i = 0; i < shape[0]; ++i)
    for (int64_t j = 0; j < shape[1]; ++j) {
      int64_t t = timeAxis == 0 ? i : j, b = timeAxis == 0 ? j : i;
      int64_t len = std::clamp<int64_t>((*lens)[b], 0, steps);
      indices.push_back(t < len ? len - 1 - t : t);
    }
  auto idxType = RankedTensorType::get(shape, ctx.builder.getI64Type());
  Value idx = ConstantOp::create(
      ctx.builder, ctx.loc,
      DenseElementsAttr::get(idxType, ArrayRef<int64_t>(indices)));
  auto fullType = RankedTensorType::get(type.getShape(),
                                        ctx.builder.getI64Type());
  if (fullType != idxType)
    idx = ExpandOp::create(ctx.builder, ctx.loc, fullType, idx, Value());
  return bind(ctx, ctx.createValue<GatherElementsOp>(*x, idx, timeAxis));
}

} // namespace

void onnx_import::populateShapeConverters(ConverterTable &table) {
  auto add = [&](StringRef op, ConverterFn fn, int64_t minOpset = 1) {
    table[converterKey("", op)] = {fn, minOpset, 17};
  };
  add("Constant", convertConstant, 1);
  add("Reshape", convertReshape, 5);
  add("Flatten", convertFlatten, 1);
  add("DepthToSpace", convertDepthSpace, 1);
  add("SpaceToDepth", convertDepthSpace, 1);
  add("Trilu", convertTrilu, 14);
  add("EyeLike", convertEyeLike, 9);
  add("GatherND", convertGatherND, 11);
  add("Compress", convertCompress, 9);
  add("ReverseSequence", convertReverseSequence, 10);
  add("Squeeze", convertSqueeze, 1);
  add("Unsqueeze", convertUnsqueeze, 1);
  add("Transpose", convertTranspose, 1);
  add("Concat", convertConcat, 4);
  add("Split", convertSplit, 2);
  add("Slice", convertSlice, 1);
  add("Gather", convertGather<GatherOp>, 1);
  add("GatherElements", convertGather<GatherElementsOp>, 11);
  add("Scatter", convertScatterElements, 9);
  add("ScatterElements", convertScatterElements, 11);
  add("ScatterND", convertScatterND, 11);
  add("Expand", convertExpand, 8);
  add("Tile", convertTile, 6);
  add("Pad", convertPad, 2);
  add("Shape", convertShape, 1);
  add("Size", convertSize, 1);
  add("Range", convertRange, 11);
  add("ConstantOfShape", convertConstantOfShape, 9);
  add("OneHot", convertOneHot, 9);
  add("Resize", convertResize, 10);
  table[converterKey("", "Upsample")] = {convertResize, 7, 9};
}
