//===- Contrib.cpp - ONNX Runtime com.microsoft contrib ops to mica --------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The fused ops that ONNX Runtime's transformer optimizer writes map onto
/// mica's fused ops: Attention, SkipLayerNormalization,
/// EmbedLayerNormalization, BiasGelu, FastGelu, Gelu and FusedMatMul.
/// Semantics follow ONNX Runtime's contrib op documentation.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

namespace {

LogicalResult bind(NodeContext &ctx, FailureOr<Value> value) {
  if (failed(value))
    return failure();
  ctx.setResult(0, *value);
  return success();
}

/// Turns Attention's `mask_index` into mica's additive mask
/// [B, 1, 1, S]: a [B, S] 1/0 mask gives `(1 - mask) * filter`, a [B]
/// vector of valid lengths gives `filter` past each length.
FailureOr<Value> additiveMask(NodeContext &ctx, Value mask, Type elt,
                              int64_t seqLen, float filter) {
  auto maskType = cast<RankedTensorType>(mask.getType());
  Value keep; // 1 where attended, 0 where masked, [B, S] of `elt`.
  if (maskType.getRank() == 2) {
    keep = ctx.castTo(mask, elt);
  } else if (maskType.getRank() == 1) {
    if (ShapedType::isDynamic(seqLen))
      return ctx.emitError() << "a 1-D mask_index needs a static sequence "
                                "length";
    auto positions = ctx.i64Constant(
        llvm::to_vector(llvm::seq<int64_t>(0, seqLen)));
    auto lengths = ctx.reshape(ctx.castTo(mask, ctx.builder.getI64Type()),
                               {maskType.getDimSize(0), 1});
    if (failed(lengths))
      return failure();
    auto valid = ctx.createValue<CompareOp>(CmpPredicate::lt, positions,
                                            *lengths);
    if (failed(valid))
      return failure();
    keep = ctx.castTo(*valid, elt);
  } else {
    return ctx.emitError() << "mask_index of type " << maskType
                           << " is not supported ([B, S] or [B])";
  }
  auto inv = ctx.createValue<SubOp>(ctx.scalarConstant(elt, 1.0), keep);
  if (failed(inv))
    return failure();
  auto scaled = ctx.createValue<MulOp>(*inv, ctx.scalarConstant(elt, filter));
  if (failed(scaled))
    return failure();
  auto shape = cast<RankedTensorType>(scaled->getType()).getShape();
  return ctx.reshape(*scaled, {shape[0], 1, 1, shape[1]});
}

/// Attention: `mica.attention` with the [E, 3E] weights transposed to
/// mica's [3E, E] layout and the mask made additive. Unidirectional
/// (causal) attention, past state and attention bias are unsupported.
LogicalResult convertAttention(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  if (ctx.attrInt("unidirectional", 0))
    return ctx.emitError() << "unidirectional attention is not supported";
  if (ctx.input(4) || ctx.input(5) || ctx.hasOutput(1))
    return ctx.emitError() << "past state and attention bias inputs are not "
                              "supported";
  SmallVector<int64_t> qkvSizes = ctx.attrInts("qkv_hidden_sizes");
  if (!qkvSizes.empty() &&
      (qkvSizes.size() != 3 || qkvSizes[0] != qkvSizes[1] ||
       qkvSizes[1] != qkvSizes[2]))
    return ctx.emitError() << "unequal qkv_hidden_sizes are not supported";
  RankedTensorType xType = ctx.inputType(0);
  if (xType.getRank() != 3)
    return ctx.emitError() << "input must be [B, S, E], got " << xType;
  auto weight = ctx.createValue<TransposeOp>(*w, ArrayRef<int64_t>{1, 0});
  if (failed(weight))
    return failure();
  Value mask;
  if (Value m = ctx.input(3)) {
    auto additive =
        additiveMask(ctx, m, xType.getElementType(), xType.getDimSize(1),
                     ctx.attrFloat("mask_filter_value", -10000.0f));
    if (failed(additive))
      return failure();
    mask = *additive;
  }
  FloatAttr scale;
  if (ctx.hasAttr("scale"))
    scale = ctx.builder.getF32FloatAttr(ctx.attrFloat("scale", 0.0f));
  int64_t heads = ctx.attrInt("num_heads", 0);
  if (heads <= 0)
    return ctx.emitError() << "attribute 'num_heads' must be positive";
  return bind(ctx, ctx.createValue<AttentionOp>(*x, *weight, ctx.input(2),
                                                mask, heads, scale));
}

/// SkipLayerNormalization: `mica.skip_layer_norm`.
LogicalResult convertSkipLayerNorm(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), skip = ctx.requiredInput(1),
       gamma = ctx.requiredInput(2);
  if (failed(x) || failed(skip) || failed(gamma))
    return failure();
  for (unsigned i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.emitError() << "only the first output is supported";
  return bind(ctx, ctx.createValue<SkipLayerNormOp>(
                       *x, *skip, *gamma, ctx.input(3), ctx.input(4),
                       ctx.builder.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-12f))));
}

/// EmbedLayerNormalization: `mica.embed_layer_norm`; the mask_index output
/// is the number of ones of each row of the mask (i32), or the sequence
/// length without a mask.
LogicalResult convertEmbedLayerNorm(NodeContext &ctx) {
  auto ids = ctx.requiredInput(0), word = ctx.requiredInput(2),
       pos = ctx.requiredInput(3), gamma = ctx.requiredInput(5),
       beta = ctx.requiredInput(6);
  if (failed(ids) || failed(word) || failed(pos) || failed(gamma) ||
      failed(beta))
    return failure();
  Value segmentIds = ctx.input(1), segmentEmb = ctx.input(4);
  if (!segmentIds != !segmentEmb)
    return ctx.emitError()
           << "segment_ids and segment_embedding must come together";
  if (ctx.hasOutput(2))
    return ctx.emitError() << "the embedding_sum output is not supported";
  auto out = ctx.createValue<EmbedLayerNormOp>(
      *ids, *word, *pos, *gamma, *beta, segmentIds, segmentEmb, ctx.input(8),
      ctx.builder.getF32FloatAttr(ctx.attrFloat("epsilon", 1e-12f)));
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  if (!ctx.hasOutput(1))
    return success();
  RankedTensorType idsType = ctx.inputType(0);
  Type i32 = ctx.builder.getI32Type();
  FailureOr<Value> count;
  if (Value mask = ctx.input(7)) {
    count = ctx.createValue<ReduceOp>(ctx.castTo(mask, i32), ReduceKind::sum,
                                      ArrayRef<int64_t>{1}, false);
  } else {
    if (ShapedType::isDynamic(idsType.getDimSize(1)) ||
        ShapedType::isDynamic(idsType.getDimSize(0)))
      return ctx.emitError() << "mask_index without a mask needs static "
                                "input_ids dims, got "
                             << idsType;
    count = ctx.scalarConstant(i32, idsType.getDimSize(1),
                               {idsType.getDimSize(0)});
  }
  if (failed(count))
    return failure();
  ctx.setResult(1, *count);
  return success();
}

/// BiasGelu (exact) and FastGelu (tanh approximation, optional bias).
template <GeluApprox approx>
LogicalResult convertBiasGelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  if (Value bias = ctx.input(1))
    return bind(ctx, ctx.createValue<BiasGeluOp>(*x, bias, approx));
  return bind(ctx, GeluOp::create(ctx.builder, ctx.loc, *x, approx).getResult());
}

/// FusedMatMul: alpha * op(A) op(B) with op = optional transpose of the
/// last two dims.
LogicalResult convertFusedMatMul(NodeContext &ctx) {
  auto a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  if (ctx.attrInt("transBatchA", 0) || ctx.attrInt("transBatchB", 0))
    return ctx.emitError() << "transBatchA/transBatchB are not supported";
  auto transposeLast = [&](Value v) -> FailureOr<Value> {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    if (rank < 2)
      return ctx.emitError() << "transposed operands must have rank >= 2";
    auto perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(perm[rank - 1], perm[rank - 2]);
    return ctx.createValue<TransposeOp>(v, perm);
  };
  FailureOr<Value> lhs = ctx.attrInt("transA", 0) ? transposeLast(*a) : *a;
  FailureOr<Value> rhs = ctx.attrInt("transB", 0) ? transposeLast(*b) : *b;
  if (failed(lhs) || failed(rhs))
    return failure();
  auto out = ctx.createValue<MatMulOp>(*lhs, *rhs);
  float alpha = ctx.attrFloat("alpha", 1.0f);
  if (succeeded(out) && alpha != 1.0f)
    out = ctx.createValue<MulOp>(
        *out, ctx.scalarConstant(getElementTypeOrSelf(out->getType()), alpha));
  return bind(ctx, out);
}

} // namespace

void onnx_import::populateContribConverters(ConverterTable &table) {
  auto add = [&](StringRef op, ConverterFn fn) {
    table[converterKey("com.microsoft", op)] = {fn, 1, 1000};
  };
  add("Attention", convertAttention);
  add("SkipLayerNormalization", convertSkipLayerNorm);
  add("EmbedLayerNormalization", convertEmbedLayerNorm);
  add("BiasGelu", convertBiasGelu<GeluApprox::none>);
  add("FastGelu", convertBiasGelu<GeluApprox::tanh>);
  add("Gelu", convertBiasGelu<GeluApprox::none>);
  add("FusedMatMul", convertFusedMatMul);
}
