//===- Reduction.cpp - ONNX reductions and normalizations to mica ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Reduce* (axes as attribute or, for ReduceSum from opset 13, input;
/// noop_with_empty_axes), ArgMax/ArgMin, Softmax/LogSoftmax (the 2-D
/// coercion of opsets < 13 through reshapes), LayerNormalization,
/// BatchNormalization (inference), InstanceNormalization (composed), TopK
/// and CumSum.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <array>

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

LogicalResult bind(NodeContext &ctx, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  ctx.setResult(0, *value);
  return success();
}

/// Reduce{Sum,Mean,Max,Min,Prod,L1,L2,SumSquare,LogSumExp}: `mica.reduce`.
/// Axes come from the attribute, or from input 1 for ReduceSum at opset
/// 13+; no axes reduce everything unless noop_with_empty_axes.
template <ReduceKind kind, bool axesInputFrom13 = kind == ReduceKind::sum>
LogicalResult convertReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes;
  bool axesAsInput = axesInputFrom13 && ctx.opset() >= 13;
  if (axesAsInput && ctx.input(1)) {
    auto v = ctx.requireConstInts(1, "axes");
    if (failed(v))
      return failure();
    axes = *v;
  } else if (!axesAsInput) {
    axes = ctx.attrInts("axes");
  }
  if (axes.empty()) {
    if (ctx.attrInt("noop_with_empty_axes", 0)) {
      ctx.setResult(0, *x);
      return success();
    }
    axes = llvm::to_vector(llvm::seq<int64_t>(0, ctx.inputType(0).getRank()));
  }
  return bind(ctx, ctx.createValue<ReduceOp>(*x, kind, axes,
                                             ctx.attrInt("keepdims", 1) != 0));
}

/// ArgMax / ArgMin.
template <typename OpT>
LogicalResult convertArgReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  return bind(ctx, ctx.createValue<OpT>(*x, ctx.attrInt("axis", 0),
                                        ctx.attrInt("keepdims", 1) != 0,
                                        ctx.attrInt("select_last_index", 0) !=
                                            0));
}

/// Softmax / LogSoftmax. From opset 13 along `axis` (default -1). Before,
/// the input is coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])]
/// (axis default 1), normalized along the last dim and reshaped back.
template <typename OpT>
LogicalResult convertSoftmax(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (ctx.opset() >= 13) {
    std::optional<int64_t> axis = normalizeAxis(ctx.attrInt("axis", -1), rank);
    if (!axis)
      return ctx.emitError() << "axis out of range for " << type;
    return bind(ctx, OpT::create(ctx.builder, ctx.loc, *x, *axis).getResult());
  }
  std::optional<int64_t> axis = normalizeAxis(ctx.attrInt("axis", 1), rank);
  if (!axis)
    return ctx.emitError() << "axis out of range for " << type;
  if (*axis == rank - 1)
    return bind(ctx, OpT::create(ctx.builder, ctx.loc, *x, -1).getResult());
  // Coerce to 2-D.
  auto product = [&](int64_t from, int64_t to) {
    int64_t p = 1;
    for (int64_t i = from; i < to; ++i) {
      if (type.isDynamicDim(i))
        return kDyn;
      p *= type.getDimSize(i);
    }
    return p;
  };
  int64_t outer = product(0, *axis), inner = product(*axis, rank);
  if (ShapedType::isDynamic(inner))
    return ctx.emitError() << "softmax (opset < 13) over dims " << *axis
                           << ".." << rank - 1 << " of " << type
                           << " needs them static";
  FailureOr<Value> flat = ctx.reshape(*x, {outer, inner});
  if (failed(flat))
    return failure();
  Value norm = OpT::create(ctx.builder, ctx.loc, *flat, -1);
  if (type.getNumDynamicDims() <= 1)
    return bind(ctx, ctx.reshape(norm, type.getShape()));
  FailureOr<Value> dims = ctx.createValue<ShapeOfOp>(*x);
  if (failed(dims))
    return failure();
  return bind(ctx,
              ReshapeOp::create(ctx.builder, ctx.loc, type, norm, *dims)
                  .getResult());
}

/// Mean and variance of `x` over `axes` (kept as size-1 dims): returns
/// {x - mean, mean, var}.
FailureOr<std::array<Value, 3>> centeredMoments(NodeContext &ctx, Value x,
                                                ArrayRef<int64_t> axes) {
  auto mean = ctx.createValue<ReduceOp>(x, ReduceKind::mean, axes, true);
  if (failed(mean))
    return failure();
  auto centered = ctx.createValue<SubOp>(x, *mean);
  if (failed(centered))
    return failure();
  auto sq = ctx.createValue<MulOp>(*centered, *centered);
  if (failed(sq))
    return failure();
  auto var = ctx.createValue<ReduceOp>(*sq, ReduceKind::mean, axes, true);
  if (failed(var))
    return failure();
  return std::array<Value, 3>{*centered, *mean, *var};
}

/// LayerNormalization (opset 17): `mica.layer_norm`. When the optional
/// Mean and InvStdDev outputs are used, the normalization is composed
/// instead: mean and 1 / sqrt(var + eps) over dims [axis, rank) (kept as
/// size-1 dims, as ONNX defines these outputs), y = (x - mean) * inv *
/// scale + bias.
LogicalResult convertLayerNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  float eps = ctx.attrFloat("epsilon", 1e-5f);
  if (!ctx.hasOutput(1) && !ctx.hasOutput(2))
    return bind(ctx, ctx.createValue<LayerNormOp>(
                         *x, ctx.input(1), ctx.input(2),
                         ctx.builder.getI64IntegerAttr(ctx.attrInt("axis", -1)),
                         ctx.builder.getF32FloatAttr(eps)));
  RankedTensorType type = ctx.inputType(0);
  std::optional<int64_t> axis =
      normalizeAxis(ctx.attrInt("axis", -1), type.getRank());
  if (!axis)
    return ctx.emitError() << "axis out of range for " << type;
  auto axes = llvm::to_vector(llvm::seq<int64_t>(*axis, type.getRank()));
  auto moments = centeredMoments(ctx, *x, axes);
  if (failed(moments))
    return failure();
  auto [centered, mean, var] = *moments;
  auto shifted =
      ctx.createValue<AddOp>(var, ctx.scalarConstant(type.getElementType(),
                                                     eps));
  if (failed(shifted))
    return failure();
  Value inv = RsqrtOp::create(ctx.builder, ctx.loc, *shifted);
  FailureOr<Value> y = ctx.createValue<MulOp>(centered, inv);
  if (succeeded(y) && ctx.input(1))
    y = ctx.createValue<MulOp>(*y, ctx.input(1));
  if (succeeded(y) && ctx.input(2))
    y = ctx.createValue<AddOp>(*y, ctx.input(2));
  if (failed(y))
    return failure();
  ctx.setResult(0, *y);
  if (ctx.hasOutput(1))
    ctx.setResult(1, mean);
  if (ctx.hasOutput(2))
    ctx.setResult(2, inv);
  return success();
}

/// MeanVarianceNormalization: (x - mean) / sqrt(var + 1e-9) over `axes`
/// (default [0, 2, 3]), as ONNX's function body defines it.
LogicalResult convertMVN(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  SmallVector<int64_t> axes = ctx.hasAttr("axes")
                                  ? ctx.attrInts("axes")
                                  : SmallVector<int64_t>{0, 2, 3};
  for (int64_t &a : axes) {
    std::optional<int64_t> n = normalizeAxis(a, type.getRank());
    if (!n)
      return ctx.emitError() << "axis " << a << " out of range for " << type;
    a = *n;
  }
  auto moments = centeredMoments(ctx, *x, axes);
  if (failed(moments))
    return failure();
  auto shifted = ctx.createValue<AddOp>(
      (*moments)[2], ctx.scalarConstant(type.getElementType(), 1e-9));
  if (failed(shifted))
    return failure();
  Value inv = RsqrtOp::create(ctx.builder, ctx.loc, *shifted);
  return bind(ctx, ctx.createValue<MulOp>((*moments)[0], inv));
}

/// LRN over channels (dim 1, static): x / (bias + alpha / size * s)^beta
/// where s sums x^2 over the window [c - (size-1)/2, c + ceil((size-1)/2)]:
/// the squares are zero-padded along the channels and `size` shifted
/// slices added.
LogicalResult convertLRN(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank(), size = ctx.attrInt("size", 0);
  if (rank < 3 || type.isDynamicDim(1) || size < 1)
    return ctx.emitError() << "LRN needs a static channel dim (dim 1) and "
                              "size >= 1, got "
                           << type << " and size " << size;
  int64_t channels = type.getDimSize(1);
  Type elt = type.getElementType();
  auto sq = ctx.createValue<MulOp>(*x, *x);
  if (failed(sq))
    return failure();
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[1] = (size - 1) / 2;
  pads[rank + 1] = size - 1 - pads[1];
  auto padded = ctx.createValue<PadOp>(*sq, PadMode::constant, pads,
                                       APFloat(0.0));
  if (failed(padded))
    return failure();
  FailureOr<Value> sum;
  for (int64_t i = 0; i < size; ++i) {
    auto window = ctx.createValue<SliceOp>(
        *padded, ArrayRef<int64_t>{1}, ArrayRef<int64_t>{i},
        ArrayRef<int64_t>{i + channels}, ArrayRef<int64_t>{1});
    if (failed(window))
      return failure();
    sum = i == 0 ? window : ctx.createValue<AddOp>(*sum, *window);
    if (failed(sum))
      return failure();
  }
  double alpha = ctx.attrFloat("alpha", 1e-4f), beta = ctx.attrFloat("beta",
                                                                     0.75f);
  double bias = ctx.attrFloat("bias", 1.0f);
  auto scaled =
      ctx.createValue<MulOp>(*sum, ctx.scalarConstant(elt, alpha / size));
  if (failed(scaled))
    return failure();
  auto base = ctx.createValue<AddOp>(*scaled, ctx.scalarConstant(elt, bias));
  if (failed(base))
    return failure();
  auto denom = ctx.createValue<PowOp>(*base, ctx.scalarConstant(elt, beta));
  if (failed(denom))
    return failure();
  return bind(ctx, ctx.createValue<DivOp>(*x, *denom));
}

/// ReduceLogSum: log(reduce_sum(x)).
LogicalResult convertReduceLogSum(NodeContext &ctx) {
  if (failed(convertReduce<ReduceKind::sum, /*axesInputFrom13=*/false>(ctx)))
    return failure();
  Value sum = ctx.state.values.lookup(ctx.node.output(0));
  ctx.setResult(0, LogOp::create(ctx.builder, ctx.loc, sum));
  return success();
}

/// Hardmax along `axis` (opset 13; before, over the 2-D coercion at `axis`
/// like Softmax): one_hot(argmax(x, axis), depth = dim(axis), axis) with
/// the first maximum winning, cast to the input type by the one-hot
/// values.
LogicalResult convertHardmax(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  std::optional<int64_t> axis =
      normalizeAxis(ctx.attrInt("axis", ctx.opset() >= 13 ? -1 : 1), rank);
  if (!axis)
    return ctx.emitError() << "axis out of range for " << type;
  Value in = *x;
  if (ctx.opset() < 13 && *axis != rank - 1) {
    if (!type.hasStaticShape())
      return ctx.emitError() << "hardmax (opset < 13) needs a static shape, "
                                "got "
                             << type;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) *= type.getDimSize(i);
    FailureOr<Value> flat = ctx.reshape(in, {outer, inner});
    if (failed(flat))
      return failure();
    in = *flat;
  }
  auto inType = cast<RankedTensorType>(in.getType());
  int64_t a = in == *x ? *axis : 1;
  if (inType.isDynamicDim(a))
    return ctx.emitError() << "hardmax needs a static dim " << a << ", got "
                           << inType;
  auto arg = ctx.createValue<ArgMaxOp>(in, a, false, false);
  if (failed(arg))
    return failure();
  SmallVector<int64_t> dims(inType.getShape());
  auto outType = RankedTensorType::get(dims, inType.getElementType());
  Value hot = OneHotOp::create(ctx.builder, ctx.loc, outType, *arg,
                               inType.getDimSize(a), a, APFloat(1.0),
                               APFloat(0.0));
  if (in == *x)
    return bind(ctx, hot);
  return bind(ctx, ctx.reshape(hot, type.getShape()));
}

/// BatchNormalization in inference mode: `mica.batch_norm`.
LogicalResult convertBatchNorm(NodeContext &ctx) {
  SmallVector<Value> in;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  if (ctx.attrInt("training_mode", 0) || ctx.hasOutput(1))
    return ctx.emitError()
           << "training mode (running statistics outputs) is not supported";
  return bind(ctx, ctx.createValue<BatchNormOp>(
                       in[0], in[1], in[2], in[3], in[4],
                       ctx.builder.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-5f))));
}

/// InstanceNormalization: per (n, c) over the spatial dims,
/// `scale[c] * (x - mean) / sqrt(var + eps) + bias[c]`, composed from mica
/// ops.
LogicalResult convertInstanceNorm(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), scale = ctx.requiredInput(1),
       bias = ctx.requiredInput(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 3)
    return ctx.emitError() << "input must have spatial dims, got " << type;
  Type elt = type.getElementType();
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  auto mean = ctx.createValue<ReduceOp>(*x, ReduceKind::mean, axes, true);
  if (failed(mean))
    return failure();
  auto centered = ctx.createValue<SubOp>(*x, *mean);
  if (failed(centered))
    return failure();
  auto sq = ctx.createValue<MulOp>(*centered, *centered);
  if (failed(sq))
    return failure();
  auto var = ctx.createValue<ReduceOp>(*sq, ReduceKind::mean, axes, true);
  if (failed(var))
    return failure();
  auto shifted = ctx.createValue<AddOp>(
      *var, ctx.scalarConstant(elt, ctx.attrFloat("epsilon", 1e-5f)));
  if (failed(shifted))
    return failure();
  Value inv = RsqrtOp::create(ctx.builder, ctx.loc, *shifted);
  auto norm = ctx.createValue<MulOp>(*centered, inv);
  if (failed(norm))
    return failure();
  // scale/bias [C] -> [C, 1, ...] to broadcast over the spatial dims.
  SmallVector<int64_t> cShape(rank - 1, 1);
  cShape[0] = ctx.inputType(1).getDimSize(0);
  auto s = ctx.reshape(*scale, cShape), b = ctx.reshape(*bias, cShape);
  if (failed(s) || failed(b))
    return failure();
  auto scaled = ctx.createValue<MulOp>(*norm, *s);
  if (failed(scaled))
    return failure();
  return bind(ctx, ctx.createValue<AddOp>(*scaled, *b));
}

/// TopK: `k` as attribute (opset < 10) or constant input.
LogicalResult convertTopK(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t k;
  if (ctx.opset() < 10) {
    k = ctx.attrInt("k", 0);
  } else {
    auto v = ctx.requireConstInts(1, "K");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return ctx.emitError() << "input 'K' must hold one value";
    k = (*v)[0];
  }
  auto op = ctx.create<TopKOp>(2, *x, k, ctx.attrInt("axis", -1),
                               ctx.attrInt("largest", 1) != 0);
  if (failed(op))
    return failure();
  ctx.setResult(0, op->getValues());
  ctx.setResult(1, op->getIndices());
  return success();
}

/// CumSum with a constant axis input.
LogicalResult convertCumSum(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  auto axis = ctx.requireConstInts(1, "axis");
  if (failed(x) || failed(axis))
    return failure();
  if (axis->size() != 1)
    return ctx.emitError() << "input 'axis' must hold one value";
  return bind(ctx, CumSumOp::create(ctx.builder, ctx.loc, *x, (*axis)[0],
                                    ctx.attrInt("exclusive", 0) != 0,
                                    ctx.attrInt("reverse", 0) != 0)
                       .getResult());
}

} // namespace

void onnx_import::populateReductionConverters(ConverterTable &table) {
  auto add = [&](StringRef op, ConverterFn fn, int64_t minOpset = 1) {
    table[converterKey("", op)] = {fn, minOpset, 17};
  };
  add("ReduceSum", convertReduce<ReduceKind::sum>);
  add("ReduceMean", convertReduce<ReduceKind::mean>);
  add("ReduceMax", convertReduce<ReduceKind::max>);
  add("ReduceMin", convertReduce<ReduceKind::min>);
  add("ReduceProd", convertReduce<ReduceKind::prod>);
  add("ReduceL1", convertReduce<ReduceKind::l1>);
  add("ReduceL2", convertReduce<ReduceKind::l2>);
  add("ReduceSumSquare", convertReduce<ReduceKind::sum_square>);
  add("ReduceLogSumExp", convertReduce<ReduceKind::log_sum_exp>);
  add("ArgMax", convertArgReduce<ArgMaxOp>);
  add("ArgMin", convertArgReduce<ArgMinOp>);
  add("Softmax", convertSoftmax<SoftmaxOp>);
  add("LogSoftmax", convertSoftmax<LogSoftmaxOp>);
  add("LayerNormalization", convertLayerNorm, 17);
  add("BatchNormalization", convertBatchNorm, 7);
  add("InstanceNormalization", convertInstanceNorm, 6);
  add("TopK", convertTopK);
  add("CumSum", convertCumSum, 11);
  add("ReduceLogSum", convertReduceLogSum);
  add("MeanVarianceNormalization", convertMVN, 9);
  add("LRN", convertLRN);
  add("Hardmax", convertHardmax);
}
