//===- NN.cpp - TF contraction, convolution and reduction converters ------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// MatMul, BatchMatMul/V2/V3, BiasAdd, Conv2D, DepthwiseConv2dNative,
/// MaxPool, AvgPool, FusedBatchNorm/V2/V3, Softmax, LogSoftmax, the
/// reductions (Mean, Sum, Max, Min, Prod) and ArgMax/ArgMin. NHWC ops are
/// transposed to mica's NCHW around the op.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

/// Swaps the last two dims of `x` when `swap`.
static FailureOr<Value> swapLast(NodeContext &ctx, Value x, bool swap) {
  if (!swap)
    return x;
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank < 2)
    return ctx.emitError() << "operand of rank " << rank
                           << " has no matrix dims to transpose";
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return ctx.transpose(x, perm);
}

/// MatMul (transpose_a/b) and BatchMatMul/V2/V3 (adj_x/adj_y): numpy
/// matmul on (optionally) transposed operands.
static LogicalResult convertMatMul(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  bool isBatch = ctx.opType().starts_with("BatchMatMul");
  bool ta = ctx.attrBool(isBatch ? "adj_x" : "transpose_a", false);
  bool tb = ctx.attrBool(isBatch ? "adj_y" : "transpose_b", false);
  FailureOr<Value> a = swapLast(ctx, in[0], ta);
  FailureOr<Value> b = swapLast(ctx, in[1], tb);
  if (failed(a) || failed(b))
    return failure();
  FailureOr<Value> v = ctx.createValue<MatMulOp>(*a, *b);
  if (failed(v))
    return failure();
  if (ctx.hasAttr("Tout")) {
    FailureOr<Type> out = ctx.attrElementType("Tout");
    if (failed(out))
      return failure();
    *v = ctx.castTo(*v, *out);
  }
  ctx.setResult(0, *v);
  return success();
}

/// BiasAdd(value, bias): bias over the channel dim (last for NHWC, 1 for
/// NCHW).
static LogicalResult convertBiasAdd(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  auto type = cast<RankedTensorType>(in[0].getType());
  Value bias = in[1];
  if (ctx.isNCHW() && type.getRank() > 2) {
    SmallVector<int64_t> shape(type.getRank() - 1, 1);
    shape[0] = cast<RankedTensorType>(bias.getType()).getDimSize(0);
    FailureOr<Value> b = ctx.reshape(bias, shape);
    if (failed(b))
      return failure();
    bias = *b;
  }
  FailureOr<Value> v = ctx.createValue<AddOp>(in[0], bias);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Moves channels from last to dim 1 (NHWC -> NCHW) unless already NCHW.
static FailureOr<Value> toNCHW(NodeContext &ctx, Value x) {
  if (ctx.isNCHW())
    return x;
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> perm = {0, rank - 1};
  for (int64_t i = 1; i < rank - 1; ++i)
    perm.push_back(i);
  return ctx.transpose(x, perm);
}

/// Inverse of toNCHW.
static FailureOr<Value> fromNCHW(NodeContext &ctx, Value x) {
  if (ctx.isNCHW())
    return x;
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> perm = {0};
  for (int64_t i = 2; i < rank; ++i)
    perm.push_back(i);
  perm.push_back(1);
  return ctx.transpose(x, perm);
}

/// Spatial entries (H, W) of a per-dim attribute list in data_format order.
static FailureOr<SmallVector<int64_t>> spatialAttr(NodeContext &ctx,
                                                   StringRef name,
                                                   int64_t dflt) {
  SmallVector<int64_t> all = ctx.attrInts(name);
  if (all.empty())
    return SmallVector<int64_t>{dflt, dflt};
  if (all.size() != 4)
    return ctx.emitError() << "attribute '" << name << "' must have 4 entries";
  if (ctx.isNCHW())
    return SmallVector<int64_t>{all[2], all[3]};
  return SmallVector<int64_t>{all[1], all[2]};
}

/// Begin pads then end pads for `padding` (SAME, VALID or EXPLICIT) of an
/// NCHW input with kernel `kernel`.
static FailureOr<SmallVector<int64_t>>
computePads(NodeContext &ctx, RankedTensorType nchw, ArrayRef<int64_t> kernel,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  std::string padding = ctx.attrString("padding", "VALID");
  SmallVector<int64_t> begin, end;
  if (padding == "VALID")
    return SmallVector<int64_t>(4, 0);
  if (padding == "EXPLICIT") {
    SmallVector<int64_t> p = ctx.attrInts("explicit_paddings");
    if (p.size() != 8)
      return ctx.emitError() << "explicit_paddings must have 8 entries";
    int64_t h = ctx.isNCHW() ? 2 : 1, w = h + 1;
    return SmallVector<int64_t>{p[2 * h], p[2 * w], p[2 * h + 1], p[2 * w + 1]};
  }
  if (padding != "SAME")
    return ctx.emitError() << "unsupported padding '" << padding << "'";
  for (int i = 0; i < 2; ++i) {
    int64_t in = nchw.getDimSize(2 + i);
    if (ShapedType::isDynamic(in))
      return ctx.emitError() << "SAME padding needs static spatial dims, not "
                             << nchw;
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
    begin.push_back(total / 2);
    end.push_back(total - total / 2);
  }
  begin.append(end.begin(), end.end());
  return begin;
}

/// Conv2D (filter HWIO) and DepthwiseConv2dNative (filter HWCM, group C).
static LogicalResult convertConv(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  auto filterType = cast<RankedTensorType>(in[1].getType());
  if (filterType.getRank() != 4 || !filterType.hasStaticShape())
    return ctx.emitError() << "the filter must be 4-D and static, not "
                           << filterType;
  FailureOr<Value> x = toNCHW(ctx, in[0]);
  if (failed(x))
    return failure();
  bool depthwise = ctx.opType() == "DepthwiseConv2dNative";
  int64_t group = 1;
  Value filter = in[1];
  if (depthwise) {
    // [H, W, C, M] -> [H, W, 1, C*M]: output channel c*M+m reads channel c.
    ArrayRef<int64_t> f = filterType.getShape();
    group = f[2];
    FailureOr<Value> r = ctx.reshape(filter, {f[0], f[1], 1, f[2] * f[3]});
    if (failed(r))
      return failure();
    filter = *r;
  }
  FailureOr<Value> w = ctx.transpose(filter, {3, 2, 0, 1});
  FailureOr<SmallVector<int64_t>> strides = spatialAttr(ctx, "strides", 1);
  FailureOr<SmallVector<int64_t>> dilations = spatialAttr(ctx, "dilations", 1);
  if (failed(w) || failed(strides) || failed(dilations))
    return failure();
  SmallVector<int64_t> kernel = {filterType.getDimSize(0),
                                 filterType.getDimSize(1)};
  FailureOr<SmallVector<int64_t>> pads =
      computePads(ctx, cast<RankedTensorType>(x->getType()), kernel, *strides,
                  *dilations);
  if (failed(pads))
    return failure();
  auto &b = ctx.builder;
  FailureOr<Value> conv = ctx.createValue<ConvOp>(
      *x, *w, Value(), b.getDenseI64ArrayAttr(*strides),
      b.getDenseI64ArrayAttr(*dilations), b.getDenseI64ArrayAttr(*pads),
      b.getI64IntegerAttr(group));
  if (failed(conv))
    return failure();
  FailureOr<Value> v = fromNCHW(ctx, *conv);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// MaxPool / AvgPool (average over in-bounds elements only).
static LogicalResult convertPool(NodeContext &ctx) {
  FailureOr<Value> in = ctx.input(0);
  if (failed(in))
    return failure();
  FailureOr<Value> x = toNCHW(ctx, *in);
  FailureOr<SmallVector<int64_t>> kernel = spatialAttr(ctx, "ksize", 1);
  FailureOr<SmallVector<int64_t>> strides = spatialAttr(ctx, "strides", 1);
  if (failed(x) || failed(kernel) || failed(strides))
    return failure();
  SmallVector<int64_t> dilations = {1, 1};
  FailureOr<SmallVector<int64_t>> pads = computePads(
      ctx, cast<RankedTensorType>(x->getType()), *kernel, *strides, dilations);
  if (failed(pads))
    return failure();
  auto &b = ctx.builder;
  PoolKind kind = ctx.opType() == "MaxPool" ? PoolKind::max : PoolKind::avg;
  FailureOr<Value> pool = ctx.createValue<PoolOp>(
      *x, PoolKindAttr::get(ctx.getContext(), kind),
      b.getDenseI64ArrayAttr(*kernel), b.getDenseI64ArrayAttr(*strides),
      b.getDenseI64ArrayAttr(*pads), b.getDenseI64ArrayAttr(dilations),
      b.getBoolAttr(false), b.getBoolAttr(false));
  if (failed(pool))
    return failure();
  FailureOr<Value> v = fromNCHW(ctx, *pool);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// FusedBatchNorm/V2/V3 in inference mode (output 0 only).
static LogicalResult convertFusedBatchNorm(NodeContext &ctx) {
  if (ctx.attrBool("is_training", true))
    return ctx.emitError() << "is_training = true: only inference-mode "
                              "batch normalization (a frozen graph) imports";
  SmallVector<Value> in;
  if (failed(ctx.inputs(5, in)))
    return failure();
  FailureOr<Value> x = toNCHW(ctx, in[0]);
  if (failed(x))
    return failure();
  FailureOr<Value> bn = ctx.createValue<BatchNormOp>(
      *x, in[1], in[2], in[3], in[4],
      ctx.builder.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-4f)));
  if (failed(bn))
    return failure();
  FailureOr<Value> v = fromNCHW(ctx, *bn);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Softmax / LogSoftmax over the last dim.
template <typename OpT>
static LogicalResult convertSoftmax(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> v = ctx.createTyped<OpT>(x->getType(), *x,
                                            ctx.builder.getI64IntegerAttr(-1));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Mean, Sum, Max, Min, Prod over reduction_indices (keep_dims attr).
template <ReduceKind kind>
static LogicalResult convertReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> axes =
      ctx.requireConstInts(1, "reduction_indices");
  if (failed(x) || failed(axes))
    return failure();
  bool keep = ctx.attrBool("keep_dims", false);
  FailureOr<Value> v = ctx.createValue<ReduceOp>(
      *x, ReduceKindAttr::get(ctx.getContext(), kind),
      ctx.builder.getDenseI64ArrayAttr(*axes), ctx.builder.getBoolAttr(keep));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// ArgMax / ArgMin(input, dimension) as output_type (i64 by default).
template <typename OpT>
static LogicalResult convertArgReduce(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<SmallVector<int64_t>> axis = ctx.requireConstInts(1, "dimension");
  if (failed(x) || failed(axis))
    return failure();
  auto &b = ctx.builder;
  FailureOr<Value> v =
      ctx.createValue<OpT>(*x, b.getI64IntegerAttr((*axis)[0]),
                           b.getBoolAttr(false), b.getBoolAttr(false));
  if (failed(v))
    return failure();
  Type elt = convertDataType(ctx.getContext(),
                             ctx.attrType("output_type", tf::DT_INT64));
  ctx.setResult(0, ctx.castTo(*v, elt ? elt : b.getI64Type()));
  return success();
}

void tf_import::populateNNConverters(ConverterTable &t) {
  for (StringRef name :
       {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3"})
    t[name] = convertMatMul;
  t["BiasAdd"] = convertBiasAdd;
  t["BiasAddV1"] = convertBiasAdd;
  t["Conv2D"] = convertConv;
  t["DepthwiseConv2dNative"] = convertConv;
  t["MaxPool"] = convertPool;
  t["AvgPool"] = convertPool;
  for (StringRef name : {"FusedBatchNorm", "FusedBatchNormV2",
                         "FusedBatchNormV3"})
    t[name] = convertFusedBatchNorm;
  t["Softmax"] = convertSoftmax<SoftmaxOp>;
  t["LogSoftmax"] = convertSoftmax<LogSoftmaxOp>;
  t["Mean"] = convertReduce<ReduceKind::mean>;
  t["Sum"] = convertReduce<ReduceKind::sum>;
  t["Max"] = convertReduce<ReduceKind::max>;
  t["Min"] = convertReduce<ReduceKind::min>;
  t["Prod"] = convertReduce<ReduceKind::prod>;
  t["ArgMax"] = convertArgReduce<ArgMaxOp>;
  t["ArgMin"] = convertArgReduce<ArgMinOp>;
}
