//===- Shape.cpp - TF shape and data-movement op converters ---------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Reshape, Transpose, ExpandDims, Squeeze, ConcatV2, Pack, Unpack, Split,
/// SplitV, Slice, StridedSlice (all five masks), GatherV2, OneHot, Shape,
/// Fill, ZerosLike, OnesLike, Range and Tile. Shape operands must be
/// compile-time constants or foldable shape computations, except for
/// Reshape and Fill, which take run-time shapes.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <limits>

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

/// One dim of a reshape target: a dim of the source or a constant.
struct DimSource {
  bool fromInput;
  int64_t value; ///< Source dim index, or the constant size.
};

/// Reshapes `x` to dims taken from its own dims or constants; static when
/// at most one result dim is dynamic, else with a run-time shape operand.
static FailureOr<Value> reshapeFrom(NodeContext &ctx, Value x,
                                    ArrayRef<DimSource> dims) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (const DimSource &d : dims)
    shape.push_back(d.fromInput ? type.getDimSize(d.value) : d.value);
  if (llvm::count(shape, ShapedType::kDynamic) <= 1)
    return ctx.reshape(x, shape);
  FailureOr<Value> full = ctx.createValue<ShapeOfOp>(x);
  if (failed(full))
    return failure();
  SmallVector<Value> parts;
  for (const DimSource &d : dims) {
    if (!d.fromInput) {
      parts.push_back(ctx.i64Constant({d.value}));
      continue;
    }
    FailureOr<Value> part = ctx.createValue<SliceOp>(
        *full, ctx.builder.getDenseI64ArrayAttr({0}),
        ctx.builder.getDenseI64ArrayAttr({d.value}),
        ctx.builder.getDenseI64ArrayAttr({d.value + 1}),
        ctx.builder.getDenseI64ArrayAttr({1}));
    if (failed(part))
      return failure();
    parts.push_back(*part);
  }
  FailureOr<Value> target =
      ctx.createValue<ConcatOp>(parts, ctx.builder.getI64IntegerAttr(0));
  if (failed(target))
    return failure();
  return ctx.createTyped<ReshapeOp>(type.clone(shape), x, *target);
}

/// Normalizes `axis` into [0, rank) or emits an error.
static FailureOr<int64_t> checkAxis(NodeContext &ctx, int64_t axis,
                                    int64_t rank) {
  if (std::optional<int64_t> a = normalizeAxis(axis, rank))
    return *a;
  return ctx.emitError() << "axis " << axis << " is out of range for rank "
                         << rank;
}

/// Reshape(tensor, shape): static when the shape values are known at
/// compile time, else a run-time reshape.
static LogicalResult convertReshape(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  auto type = cast<RankedTensorType>(in[0].getType());
  auto shapeType = cast<RankedTensorType>(in[1].getType());
  if (shapeType.getRank() != 1 || shapeType.isDynamicDim(0))
    return ctx.emitError() << "the shape operand must be a 1-D tensor of "
                              "static length, not "
                           << shapeType;
  SmallVector<int64_t> dims;
  std::optional<SmallVector<std::optional<int64_t>>> partial =
      getPartialShapeValues(in[1]);
  int64_t known = 1;
  int inferred = -1;
  for (int64_t i = 0; i < shapeType.getDimSize(0); ++i) {
    std::optional<int64_t> d = partial ? (*partial)[i] : std::nullopt;
    if (d && *d == -1) {
      if (inferred >= 0)
        return ctx.emitError() << "the shape has more than one -1";
      inferred = i;
      dims.push_back(ShapedType::kDynamic);
    } else if (d) {
      if (*d < 0)
        return ctx.emitError() << "invalid dim " << *d << " in the shape";
      dims.push_back(*d);
      known *= *d;
    } else {
      dims.push_back(ShapedType::kDynamic);
    }
  }
  bool allKnown = partial && llvm::all_of(*partial, [](auto d) {
    return d.has_value();
  });
  if (inferred >= 0 && allKnown && type.hasStaticShape()) {
    if (known == 0 || type.getNumElements() % known != 0)
      return ctx.emitError() << "cannot reshape " << type << " to a shape "
                             << "with " << known << " elements per -1 entry";
    dims[inferred] = type.getNumElements() / known;
  }
  auto result = type.clone(dims);
  FailureOr<Value> v;
  if (allKnown && llvm::count(dims, ShapedType::kDynamic) <= 1)
    v = ctx.reshape(in[0], dims);
  else
    v = ctx.createTyped<ReshapeOp>(result, in[0], in[1]);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Transpose(x, perm).
static LogicalResult convertTranspose(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> perm = ctx.requireConstInts(1, "perm");
  if (failed(x) || failed(perm))
    return failure();
  FailureOr<Value> v = ctx.transpose(*x, *perm);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// ExpandDims(x, axis): a size-1 dim inserted at axis.
static LogicalResult convertExpandDims(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> axis = ctx.requireConstInts(1, "dim");
  if (failed(x) || failed(axis))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  if (axis->size() != 1)
    return ctx.emitError() << "dim must hold one value";
  FailureOr<int64_t> a = checkAxis(ctx, (*axis)[0], rank + 1);
  if (failed(a))
    return failure();
  SmallVector<DimSource> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == *a)
      dims.push_back({false, 1});
    dims.push_back({true, i});
  }
  if (*a == rank)
    dims.push_back({false, 1});
  FailureOr<Value> v = reshapeFrom(ctx, *x, dims);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Squeeze(x) over squeeze_dims (all static size-1 dims when empty).
static LogicalResult convertSqueeze(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  SmallVector<int64_t> axes = ctx.attrInts("squeeze_dims");
  if (axes.empty())
    axes = ctx.attrInts("axis");
  SmallVector<bool> drop(type.getRank(), false);
  if (axes.empty()) {
    for (int64_t i = 0; i < type.getRank(); ++i)
      drop[i] = type.getDimSize(i) == 1;
  }
  for (int64_t axis : axes) {
    FailureOr<int64_t> a = checkAxis(ctx, axis, type.getRank());
    if (failed(a))
      return failure();
    if (!type.isDynamicDim(*a) && type.getDimSize(*a) != 1)
      return ctx.emitError() << "cannot squeeze dim " << *a << " of size "
                             << type.getDimSize(*a);
    drop[*a] = true;
  }
  SmallVector<DimSource> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!drop[i])
      dims.push_back({true, i});
  FailureOr<Value> v = reshapeFrom(ctx, *x, dims);
  if (failed(v))
    return failure();
  // Squeezed dynamic dims are 1 at run time: the result drops them.
  ctx.setResult(0, *v);
  return success();
}

/// ConcatV2(values..., axis).
static LogicalResult convertConcat(NodeContext &ctx) {
  unsigned n = ctx.numInputs() - 1;
  SmallVector<Value> in;
  if (failed(ctx.inputs(n, in)))
    return failure();
  FailureOr<SmallVector<int64_t>> axis = ctx.requireConstInts(n, "axis");
  if (failed(axis))
    return failure();
  if (in.size() == 1) {
    ctx.setResult(0, in[0]);
    return success();
  }
  FailureOr<Value> v = ctx.createValue<ConcatOp>(
      in, ctx.builder.getI64IntegerAttr((*axis)[0]));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Pack(values..., axis): each value gets a size-1 dim at axis, then they
/// are concatenated.
static LogicalResult convertPack(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(ctx.numInputs(), in)) || in.empty())
    return in.empty() ? ctx.emitError() << "Pack needs inputs" : failure();
  int64_t rank = cast<RankedTensorType>(in[0].getType()).getRank();
  FailureOr<int64_t> axis = checkAxis(ctx, ctx.attrInt("axis", 0), rank + 1);
  if (failed(axis))
    return failure();
  SmallVector<DimSource> dims;
  for (int64_t i = 0; i < rank; ++i) {
    if (i == *axis)
      dims.push_back({false, 1});
    dims.push_back({true, i});
  }
  if (*axis == rank)
    dims.push_back({false, 1});
  SmallVector<Value> parts;
  for (Value v : in) {
    FailureOr<Value> e = reshapeFrom(ctx, v, dims);
    if (failed(e))
      return failure();
    parts.push_back(*e);
  }
  if (parts.size() == 1) {
    ctx.setResult(0, parts[0]);
    return success();
  }
  FailureOr<Value> v =
      ctx.createValue<ConcatOp>(parts, ctx.builder.getI64IntegerAttr(*axis));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Splits `x` along `axis` into `sizes` and binds the pieces (reshaped by
/// `squeeze` to drop the axis, for Unpack).
static LogicalResult splitAndBind(NodeContext &ctx, Value x, int64_t axis,
                                  ArrayRef<int64_t> sizes, bool squeeze) {
  SmallVector<Value> pieces;
  if (sizes.size() == 1) {
    pieces.push_back(x);
  } else {
    auto results = ctx.create<SplitOp>(
        sizes.size(), x, ctx.builder.getI64IntegerAttr(axis),
        ctx.builder.getDenseI64ArrayAttr(sizes));
    if (failed(results))
      return failure();
    pieces = *results;
  }
  for (auto [i, piece] : llvm::enumerate(pieces)) {
    Value v = piece;
    if (squeeze) {
      int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
      SmallVector<DimSource> dims;
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis)
          dims.push_back({true, d});
      FailureOr<Value> r = reshapeFrom(ctx, v, dims);
      if (failed(r))
        return failure();
      v = *r;
    }
    ctx.setResult(i, v);
  }
  return success();
}

/// Split(axis, value) into num_split equal pieces.
static LogicalResult convertSplit(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> axis = ctx.requireConstInts(0, "split_dim");
  FailureOr<Value> x = ctx.input(1);
  if (failed(axis) || failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  FailureOr<int64_t> a = checkAxis(ctx, (*axis)[0], type.getRank());
  if (failed(a))
    return failure();
  int64_t n = ctx.attrInt("num_split", 1);
  int64_t dim = type.getDimSize(*a);
  if (n <= 0 || ShapedType::isDynamic(dim) || dim % n != 0)
    return ctx.emitError() << "cannot split dim " << *a << " of " << type
                           << " into " << n << " equal static pieces";
  return splitAndBind(ctx, *x, *a, SmallVector<int64_t>(n, dim / n), false);
}

/// SplitV(value, size_splits, axis); one size may be -1.
static LogicalResult convertSplitV(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> sizes =
      ctx.requireConstInts(1, "size_splits");
  FailureOr<SmallVector<int64_t>> axis = ctx.requireConstInts(2, "split_dim");
  if (failed(x) || failed(sizes) || failed(axis))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  FailureOr<int64_t> a = checkAxis(ctx, (*axis)[0], type.getRank());
  if (failed(a))
    return failure();
  int64_t total = 0, inferred = -1;
  for (auto [i, s] : llvm::enumerate(*sizes)) {
    if (s == -1)
      inferred = i;
    else
      total += s;
  }
  if (inferred >= 0) {
    if (type.isDynamicDim(*a))
      return ctx.emitError() << "size_splits has -1 but dim " << *a
                             << " is dynamic";
    (*sizes)[inferred] = type.getDimSize(*a) - total;
  }
  return splitAndBind(ctx, *x, *a, *sizes, false);
}

/// Unpack(value) into num pieces along axis, each without that dim.
static LogicalResult convertUnpack(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  FailureOr<int64_t> a = checkAxis(ctx, ctx.attrInt("axis", 0), type.getRank());
  if (failed(a))
    return failure();
  int64_t n = ctx.attrInt("num", type.getDimSize(*a));
  if (type.isDynamicDim(*a) && n <= 0)
    return ctx.emitError() << "cannot unpack dynamic dim " << *a;
  return splitAndBind(ctx, *x, *a, SmallVector<int64_t>(n, 1), true);
}

/// Slice(x, begin, size); size -1 runs to the end.
static LogicalResult convertSlice(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> begin = ctx.requireConstInts(1, "begin");
  FailureOr<SmallVector<int64_t>> size = ctx.requireConstInts(2, "size");
  if (failed(x) || failed(begin) || failed(size))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  if (int64_t(begin->size()) != rank || int64_t(size->size()) != rank)
    return ctx.emitError() << "begin and size must have " << rank
                           << " entries";
  SmallVector<int64_t> axes, ends, steps(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    axes.push_back(i);
    ends.push_back((*size)[i] == -1 ? std::numeric_limits<int64_t>::max()
                                    : (*begin)[i] + (*size)[i]);
  }
  auto &b = ctx.builder;
  FailureOr<Value> v = ctx.createValue<SliceOp>(
      *x, b.getDenseI64ArrayAttr(axes), b.getDenseI64ArrayAttr(*begin),
      b.getDenseI64ArrayAttr(ends), b.getDenseI64ArrayAttr(steps));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// StridedSlice(x, begin, end, strides) with begin/end/ellipsis/new_axis/
/// shrink_axis masks: the sparse spec is expanded to one entry per input
/// dim (TF's BuildDenseSpec), sliced with ONNX clamping semantics, then
/// reshaped to add new axes and drop shrunk ones.
static LogicalResult convertStridedSlice(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> begin = ctx.requireConstInts(1, "begin");
  FailureOr<SmallVector<int64_t>> end = ctx.requireConstInts(2, "end");
  FailureOr<SmallVector<int64_t>> strides = ctx.requireConstInts(3, "strides");
  if (failed(x) || failed(begin) || failed(end) || failed(strides))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  int64_t n = begin->size();
  if (int64_t(end->size()) != n || int64_t(strides->size()) != n)
    return ctx.emitError() << "begin, end and strides differ in length";
  int64_t beginMask = ctx.attrInt("begin_mask", 0);
  int64_t endMask = ctx.attrInt("end_mask", 0);
  int64_t ellipsisMask = ctx.attrInt("ellipsis_mask", 0);
  int64_t newAxisMask = ctx.attrInt("new_axis_mask", 0);
  int64_t shrinkMask = ctx.attrInt("shrink_axis_mask", 0);
  if (llvm::popcount(uint64_t(ellipsisMask)) > 1)
    return ctx.emitError() << "more than one ellipsis in ellipsis_mask";
  // An implicit ellipsis follows the spec when none is given.
  bool implicitEllipsis = ellipsisMask == 0;
  int64_t sparseDims = n + (implicitEllipsis ? 1 : 0);
  if (implicitEllipsis)
    ellipsisMask = int64_t(1) << n;
  int64_t newAxesAfterEllipsis = 0;
  bool afterEllipsis = false;
  for (int64_t i = 0; i < sparseDims; ++i) {
    if (afterEllipsis && (newAxisMask >> i & 1))
      ++newAxesAfterEllipsis;
    if (ellipsisMask >> i & 1)
      afterEllipsis = true;
  }

  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  SmallVector<int64_t> axes, starts, ends, steps;
  /// Final dims: index of a sliced dim, -1 a new axis (shrunk dims vanish).
  SmallVector<int64_t> finalDims;
  int64_t full = 0;
  auto addDim = [&](int64_t dim, int64_t b, int64_t e, int64_t s, bool bm,
                    bool em, bool shrink) {
    if (shrink) {
      axes.push_back(dim);
      starts.push_back(b);
      ends.push_back(b == -1 ? kMax : b + 1);
      steps.push_back(1);
      return;
    }
    axes.push_back(dim);
    starts.push_back(bm ? (s > 0 ? 0 : kMax) : b);
    ends.push_back(em ? (s > 0 ? kMax : kMin) : e);
    steps.push_back(s);
    finalDims.push_back(dim);
  };
  for (int64_t i = 0; i < sparseDims; ++i) {
    if (ellipsisMask >> i & 1) {
      int64_t next =
          std::min(rank - (sparseDims - i) + 1 + newAxesAfterEllipsis, rank);
      for (; full < next; ++full)
        addDim(full, 0, 0, 1, true, true, false);
    } else if (newAxisMask >> i & 1) {
      finalDims.push_back(-1);
    } else {
      if (full >= rank)
        return ctx.emitError() << "the slice spec indexes more dims than the "
                                  "input's rank "
                               << rank;
      int64_t s = (*strides)[i];
      if (s == 0)
        return ctx.emitError() << "stride " << i << " is zero";
      bool shrink = shrinkMask >> i & 1;
      if (shrink && !type.isDynamicDim(full)) {
        int64_t b = (*begin)[i] < 0 ? (*begin)[i] + type.getDimSize(full)
                                    : (*begin)[i];
        if (b < 0 || b >= type.getDimSize(full))
          return ctx.emitError() << "index " << (*begin)[i]
                                 << " is out of range for dim " << full
                                 << " of size " << type.getDimSize(full);
      }
      addDim(full, (*begin)[i], (*end)[i], s, beginMask >> i & 1,
             endMask >> i & 1, shrink);
      ++full;
    }
  }
  auto &b = ctx.builder;
  FailureOr<Value> sliced = ctx.createValue<SliceOp>(
      *x, b.getDenseI64ArrayAttr(axes), b.getDenseI64ArrayAttr(starts),
      b.getDenseI64ArrayAttr(ends), b.getDenseI64ArrayAttr(steps));
  if (failed(sliced))
    return failure();
  SmallVector<DimSource> dims;
  bool identity = int64_t(finalDims.size()) == rank;
  for (auto [i, d] : llvm::enumerate(finalDims)) {
    dims.push_back(d < 0 ? DimSource{false, 1} : DimSource{true, d});
    identity &= d == int64_t(i);
  }
  FailureOr<Value> v = identity ? sliced : reshapeFrom(ctx, *sliced, dims);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// GatherV2(params, indices, axis) with batch_dims = 0; Gather (axis 0).
static LogicalResult convertGather(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  int64_t axis = 0;
  if (ctx.opType() == "GatherV2") {
    FailureOr<SmallVector<int64_t>> a = ctx.requireConstInts(2, "axis");
    if (failed(a))
      return failure();
    axis = (*a)[0];
    if (ctx.attrInt("batch_dims", 0) != 0)
      return ctx.emitError() << "batch_dims != 0 is not supported";
  }
  FailureOr<Value> v = ctx.createValue<GatherOp>(
      in[0], in[1], ctx.builder.getI64IntegerAttr(axis));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// OneHot(indices, depth, on_value, off_value) with attr axis.
static LogicalResult convertOneHot(NodeContext &ctx) {
  FailureOr<Value> indices = ctx.input(0);
  FailureOr<SmallVector<int64_t>> depth = ctx.requireConstInts(1, "depth");
  std::optional<SmallVector<double>> on = ctx.constFloats(2);
  std::optional<SmallVector<double>> off = ctx.constFloats(3);
  FailureOr<Type> elt = ctx.attrElementType("T");
  if (failed(indices) || failed(depth) || failed(elt))
    return failure();
  if (!on || !off || on->size() != 1 || off->size() != 1)
    return ctx.emitError() << "on_value and off_value must be constant "
                              "scalars";
  auto type = cast<RankedTensorType>((*indices).getType());
  int64_t axis = ctx.attrInt("axis", -1);
  FailureOr<int64_t> a = checkAxis(ctx, axis, type.getRank() + 1);
  if (failed(a))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + *a, (*depth)[0]);
  auto &b = ctx.builder;
  // TF gives all-off rows for negative indices; mica.one_hot (like ONNX)
  // wraps them. Map them to `depth`, which is out of range for both.
  Type idxElt = type.getElementType();
  FailureOr<Value> negative = ctx.createValue<CompareOp>(
      CmpPredicateAttr::get(ctx.getContext(), CmpPredicate::lt), *indices,
      ctx.scalarConstant(idxElt, 0));
  if (failed(negative))
    return failure();
  FailureOr<Value> safeIndices = ctx.createValue<WhereOp>(
      *negative, ctx.scalarConstant(idxElt, (*depth)[0]), *indices);
  if (failed(safeIndices))
    return failure();
  indices = safeIndices;
  FailureOr<Value> v = ctx.createTyped<OneHotOp>(
      RankedTensorType::get(shape, *elt), *indices,
      b.getI64IntegerAttr((*depth)[0]), b.getI64IntegerAttr(*a),
      b.getF64FloatAttr((*on)[0]), b.getF64FloatAttr((*off)[0]));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Shape(x) as out_type (i32 by default).
static LogicalResult convertShapeOp(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> s = ctx.createValue<ShapeOfOp>(*x);
  if (failed(s))
    return failure();
  Type elt = convertDataType(ctx.getContext(),
                             ctx.attrType("out_type", tf::DT_INT32));
  ctx.setResult(0, ctx.castTo(*s, elt ? elt : ctx.builder.getI32Type()));
  return success();
}

/// A tensor of `shape` (1-D shape value) filled with `value`: a constant
/// when the shape is known, else mica.fill.
static FailureOr<Value> fillShape(NodeContext &ctx, Value shape, Type elt,
                                  double value) {
  std::optional<SmallVector<std::optional<int64_t>>> partial =
      getPartialShapeValues(shape);
  auto shapeType = cast<RankedTensorType>(shape.getType());
  if (!partial && (shapeType.getRank() != 1 || shapeType.isDynamicDim(0)))
    return ctx.emitError() << "the shape operand must have a static length";
  SmallVector<int64_t> dims;
  bool known = true;
  for (int64_t i = 0; i < shapeType.getDimSize(0); ++i) {
    std::optional<int64_t> d = partial ? (*partial)[i] : std::nullopt;
    dims.push_back(d ? *d : ShapedType::kDynamic);
    known &= d.has_value();
  }
  if (known)
    return ctx.scalarConstant(elt, value, dims);
  return ctx.createTyped<FillOp>(RankedTensorType::get(dims, elt), shape,
                                 cast<TypedAttr>(scalarAttr(elt, value)));
}

/// Fill(dims, value): value must be a constant scalar.
static LogicalResult convertFill(NodeContext &ctx) {
  FailureOr<Value> shape = ctx.input(0);
  std::optional<SmallVector<double>> value = ctx.constFloats(1);
  if (failed(shape) || failed(ctx.input(1)))
    return failure();
  if (!value || value->size() != 1)
    return ctx.emitError() << "the fill value must be a constant scalar";
  FailureOr<Value> v =
      fillShape(ctx, *shape, ctx.inputType(1).getElementType(), (*value)[0]);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// ZerosLike / OnesLike.
static LogicalResult convertFillLike(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  double value = ctx.opType() == "OnesLike" ? 1 : 0;
  if (type.hasStaticShape()) {
    ctx.setResult(0, ctx.scalarConstant(type.getElementType(), value,
                                        type.getShape()));
    return success();
  }
  FailureOr<Value> shape = ctx.createValue<ShapeOfOp>(*x);
  if (failed(shape))
    return failure();
  FailureOr<Value> v = ctx.createTyped<FillOp>(
      type, *shape, cast<TypedAttr>(scalarAttr(type.getElementType(), value)));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Range(start, limit, delta).
static LogicalResult convertRange(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(3, in)))
    return failure();
  Type elt = ctx.inputType(0).getElementType();
  std::optional<SmallVector<double>> s = ctx.constFloats(0),
                                     l = ctx.constFloats(1),
                                     d = ctx.constFloats(2);
  int64_t size = ShapedType::kDynamic;
  if (s && l && d && s->size() == 1 && l->size() == 1 && d->size() == 1) {
    if ((*d)[0] == 0)
      return ctx.emitError() << "delta is zero";
    size = std::max<int64_t>(
        0, int64_t(std::ceil(((*l)[0] - (*s)[0]) / (*d)[0])));
  }
  for (Value &v : in) {
    FailureOr<Value> r = ctx.reshape(v, {});
    if (failed(r))
      return failure();
    v = ctx.castTo(*r, elt);
  }
  FailureOr<Value> v = ctx.createTyped<RangeOp>(
      RankedTensorType::get({size}, elt), in[0], in[1], in[2]);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Tile(x, multiples).
static LogicalResult convertTile(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> multiples =
      ctx.requireConstInts(1, "multiples");
  if (failed(x) || failed(multiples))
    return failure();
  FailureOr<Value> v = ctx.createValue<TileOp>(
      *x, ctx.builder.getDenseI64ArrayAttr(*multiples));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

void tf_import::populateShapeConverters(ConverterTable &t) {
  t["Reshape"] = convertReshape;
  t["Transpose"] = convertTranspose;
  t["ExpandDims"] = convertExpandDims;
  t["Squeeze"] = convertSqueeze;
  t["ConcatV2"] = convertConcat;
  t["Pack"] = convertPack;
  t["Unpack"] = convertUnpack;
  t["Split"] = convertSplit;
  t["SplitV"] = convertSplitV;
  t["Slice"] = convertSlice;
  t["StridedSlice"] = convertStridedSlice;
  t["GatherV2"] = convertGather;
  t["Gather"] = convertGather;
  t["OneHot"] = convertOneHot;
  t["Shape"] = convertShapeOp;
  t["Fill"] = convertFill;
  t["ZerosLike"] = convertFillLike;
  t["OnesLike"] = convertFillLike;
  t["Range"] = convertRange;
  t["Tile"] = convertTile;
}
