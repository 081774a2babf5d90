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
template <ReduceKind kind>
LogicalResult convertReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes;
  bool axesAsInput = kind == ReduceKind::sum && ctx.opset() >= 13;
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

/// LayerNormalization (opset 17): `mica.layer_norm`. The optional Mean and
/// InvStdDev outputs are not supported.
LogicalResult convertLayerNorm(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  if (ctx.hasOutput(1) || ctx.hasOutput(2))
    return ctx.emitError()
           << "the Mean and InvStdDev outputs are not supported";
  return bind(ctx, ctx.createValue<LayerNormOp>(
                       *x, ctx.input(1), ctx.input(2),
                       ctx.builder.getI64IntegerAttr(ctx.attrInt("axis", -1)),
                       ctx.builder.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-5f))));
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
}
