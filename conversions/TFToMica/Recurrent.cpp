//===- Recurrent.cpp - TF LSTM block op converters ------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// LSTMBlockCell (one step) and BlockLSTM (a whole sequence) to mica.lstm.
/// TF packs the weights as one `[I + H, 4H]` matrix with gate columns
/// i, c, f, o and adds `forget_bias` to the forget gate; mica.lstm wants
/// `w [1, 4H, I]` and `r [1, 4H, H]` in gate order i, o, f, c and
/// `b [1, 8H]`, so the importer slices, transposes and reorders them (all
/// of which folds away for constant weights within the folding limit).
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

/// Reorders the four gate blocks of `x` along `axis` from TF's i, c, f, o
/// to mica's i, o, f, c, adding `forgetBias` to the f block when non-zero.
static FailureOr<Value> reorderGates(NodeContext &ctx, Value x, int64_t axis,
                                     int64_t hidden, float forgetBias) {
  auto parts = ctx.create<SplitOp>(
      4, x, ctx.builder.getI64IntegerAttr(axis),
      ctx.builder.getDenseI64ArrayAttr({hidden, hidden, hidden, hidden}));
  if (failed(parts))
    return failure();
  Value f = (*parts)[2];
  if (forgetBias != 0) {
    Type elt = cast<RankedTensorType>(f.getType()).getElementType();
    FailureOr<Value> biased =
        ctx.createValue<AddOp>(f, ctx.scalarConstant(elt, forgetBias));
    if (failed(biased))
      return failure();
    f = *biased;
  }
  SmallVector<Value> ordered = {(*parts)[0], (*parts)[3], f, (*parts)[1]};
  return ctx.createValue<ConcatOp>(ordered, ctx.builder.getI64IntegerAttr(axis));
}

/// Rows [begin, end) of matrix `w`.
static FailureOr<Value> rows(NodeContext &ctx, Value w, int64_t begin,
                             int64_t end) {
  auto &b = ctx.builder;
  return ctx.createValue<SliceOp>(
      w, b.getDenseI64ArrayAttr({0}), b.getDenseI64ArrayAttr({begin}),
      b.getDenseI64ArrayAttr({end}), b.getDenseI64ArrayAttr({1}));
}

/// Converts an LSTM block op. `first` is the index of x among the inputs
/// (1 for BlockLSTM, after seq_len_max; 0 for LSTMBlockCell).
static LogicalResult convertLSTMBlock(NodeContext &ctx) {
  bool sequence = ctx.opType() == "BlockLSTM";
  unsigned first = sequence ? 1 : 0;
  SmallVector<Value> in;
  if (failed(ctx.inputs(first + 8, in)))
    return failure();
  Value x = in[first], cs = in[first + 1], h = in[first + 2],
        w = in[first + 3], wci = in[first + 4], wcf = in[first + 5],
        wco = in[first + 6], bias = in[first + 7];
  if (ctx.attrFloat("cell_clip", -1) > 0)
    return ctx.emitError() << "cell_clip = " << ctx.attrFloat("cell_clip", -1)
                           << " is not supported (mica.lstm clips gate "
                              "inputs, TF clips the cell state); use "
                              "cell_clip = -1";
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (wType.getRank() != 2 || !wType.hasStaticShape() ||
      wType.getDimSize(1) % 4 != 0)
    return ctx.emitError() << "the weight must be a static [I + H, 4H] "
                              "matrix, not "
                           << wType;
  int64_t hidden = wType.getDimSize(1) / 4;
  int64_t inputSize = wType.getDimSize(0) - hidden;
  if (xType.getRank() != (sequence ? 3 : 2) ||
      xType.getShape().back() != inputSize)
    return ctx.emitError() << "input " << xType << " does not match the "
                           << "weight " << wType << " (hidden size "
                           << hidden << ")";
  int64_t batch = xType.getDimSize(xType.getRank() - 2);

  // Weights: [I + H, 4H] -> W [1, 4H, I], R [1, 4H, H], gates i, o, f, c.
  auto packWeight = [&](int64_t begin, int64_t end) -> FailureOr<Value> {
    FailureOr<Value> part = rows(ctx, w, begin, end);
    if (failed(part))
      return failure();
    FailureOr<Value> t = ctx.transpose(*part, {1, 0});
    if (failed(t))
      return failure();
    FailureOr<Value> r = reorderGates(ctx, *t, 0, hidden, 0);
    if (failed(r))
      return failure();
    return ctx.reshape(*r, {1, 4 * hidden, end - begin});
  };
  FailureOr<Value> W = packWeight(0, inputSize);
  FailureOr<Value> R = packWeight(inputSize, inputSize + hidden);
  if (failed(W) || failed(R))
    return failure();
  float forgetBias = ctx.attrFloat("forget_bias", 1.0f);
  FailureOr<Value> b = reorderGates(ctx, bias, 0, hidden, forgetBias);
  if (failed(b))
    return failure();
  Type elt = xType.getElementType();
  FailureOr<Value> b8 = ctx.createValue<ConcatOp>(
      ValueRange{*b, ctx.scalarConstant(elt, 0, {4 * hidden})},
      ctx.builder.getI64IntegerAttr(0));
  if (failed(b8))
    return failure();
  FailureOr<Value> B = ctx.reshape(*b8, {1, 8 * hidden});
  FailureOr<Value> h0 = ctx.reshape(h, {1, batch, hidden});
  FailureOr<Value> c0 = ctx.reshape(cs, {1, batch, hidden});
  if (failed(B) || failed(h0) || failed(c0))
    return failure();
  Value peepholes;
  if (ctx.attrBool("use_peephole", false)) {
    FailureOr<Value> p = ctx.createValue<ConcatOp>(
        ValueRange{wci, wco, wcf}, ctx.builder.getI64IntegerAttr(0));
    if (failed(p))
      return failure();
    FailureOr<Value> P = ctx.reshape(*p, {1, 3 * hidden});
    if (failed(P))
      return failure();
    peepholes = *P;
  }
  Value seq = x;
  if (!sequence) {
    FailureOr<Value> s = ctx.reshape(x, {1, batch, inputSize});
    if (failed(s))
      return failure();
    seq = *s;
  }
  Value seqLens;
  if (sequence) {
    std::optional<SmallVector<int64_t>> maxLen = ctx.constInts(0);
    if (!maxLen || maxLen->size() != 1 ||
        (!xType.isDynamicDim(0) && (*maxLen)[0] < xType.getDimSize(0)))
      return ctx.emitError() << "seq_len_max must be a constant of at least "
                                "the sequence length";
  }
  auto lstm = ctx.create<LSTMOp>(
      3, seq, *W, *R, *B, seqLens, *h0, *c0, peepholes,
      RnnDirectionAttr::get(ctx.getContext(), RnnDirection::forward),
      ctx.builder.getI64IntegerAttr(hidden), FloatAttr());
  if (failed(lstm))
    return failure();
  Value y = (*lstm)[0], yh = (*lstm)[1], yc = (*lstm)[2];
  if (sequence) {
    FailureOr<Value> hs =
        ctx.reshape(y, {xType.getDimSize(0), batch, hidden});
    if (failed(hs))
      return failure();
    ctx.setResult(6, *hs);
    return success();
  }
  FailureOr<Value> hOut = ctx.reshape(yh, {batch, hidden});
  FailureOr<Value> cOut = ctx.reshape(yc, {batch, hidden});
  if (failed(hOut) || failed(cOut))
    return failure();
  ctx.setResult(1, *cOut);
  ctx.setResult(6, *hOut);
  return success();
}

void tf_import::populateRecurrentConverters(ConverterTable &t) {
  t["LSTMBlockCell"] = convertLSTMBlock;
  t["BlockLSTM"] = convertLSTMBlock;
}
