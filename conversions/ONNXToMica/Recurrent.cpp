//===- Recurrent.cpp - ONNX LSTM and GRU to mica ---------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// ONNX's LSTM and GRU layouts are mica's canonical ones, so the operands
/// map one to one onto `mica.lstm` / `mica.gru`. Batch-major `layout = 1`
/// (opset 14) is transposed to sequence-major and back. Activations other
/// than the defaults and LSTM's input_forget coupling are reported as
/// unsupported. The simple RNN has no mica op: it is unrolled over its
/// static sequence length into matmuls and activations.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

namespace {

/// Checks that the `activations` attribute holds the defaults
/// (`defaults` per direction) and that no activation alpha/beta is given.
LogicalResult checkActivations(NodeContext &ctx, ArrayRef<StringRef> defaults,
                               int64_t numDirections) {
  SmallVector<std::string> acts = ctx.attrStrings("activations");
  for (auto [i, act] : llvm::enumerate(acts))
    if (!StringRef(act).equals_insensitive(defaults[i % defaults.size()]) ||
        static_cast<int64_t>(acts.size()) !=
            numDirections * static_cast<int64_t>(defaults.size()))
      return ctx.emitError() << "activations other than the defaults ("
                             << llvm::join(defaults, ", ")
                             << ") are not supported, got '" << act << "'";
  if (ctx.hasAttr("activation_alpha") || ctx.hasAttr("activation_beta"))
    return ctx.emitError() << "activation_alpha/activation_beta are not "
                              "supported";
  return success();
}

/// Swaps dims 0 and 1 (batch-major <-> sequence-major) when `layout` = 1.
FailureOr<Value> swapBatch(NodeContext &ctx, Value v, bool batchMajor,
                           ArrayRef<int64_t> perm) {
  if (!v || !batchMajor)
    return v;
  return ctx.createValue<TransposeOp>(v, perm);
}

/// Shared LSTM/GRU conversion. `numGates` is 4 (LSTM) or 3 (GRU).
template <typename OpT, int numGates>
LogicalResult convertRecurrent(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), w = ctx.requiredInput(1),
       r = ctx.requiredInput(2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  std::string dirName = ctx.attrString("direction", "forward");
  std::optional<RnnDirection> direction = symbolizeRnnDirection(dirName);
  if (!direction)
    return ctx.emitError() << "invalid direction '" << dirName << "'";
  int64_t numDirections = *direction == RnnDirection::bidirectional ? 2 : 1;
  constexpr bool isLSTM = numGates == 4;
  SmallVector<StringRef> defaults = {"Sigmoid", "Tanh"};
  if (isLSTM)
    defaults.push_back("Tanh");
  if (failed(checkActivations(ctx, defaults, numDirections)))
    return failure();
  if (isLSTM && ctx.attrInt("input_forget", 0))
    return ctx.emitError() << "input_forget = 1 is not supported";
  int64_t hidden = ctx.attrInt("hidden_size", ctx.inputType(2).getDimSize(2));
  if (ShapedType::isDynamic(hidden) || hidden <= 0)
    return ctx.emitError() << "hidden_size is unknown";
  bool batchMajor = ctx.attrInt("layout", 0) != 0;
  static constexpr int64_t swap01[] = {1, 0, 2};
  static constexpr int64_t yToBatchMajor[] = {2, 0, 1, 3};
  auto input = swapBatch(ctx, *x, batchMajor, swap01);
  auto h0 = swapBatch(ctx, ctx.input(5), batchMajor, swap01);
  FailureOr<Value> c0 = Value();
  if (isLSTM)
    c0 = swapBatch(ctx, ctx.input(6), batchMajor, swap01);
  if (failed(input) || failed(h0) || failed(c0))
    return failure();

  FloatAttr clip;
  if (ctx.hasAttr("clip"))
    clip = ctx.builder.getF32FloatAttr(ctx.attrFloat("clip", 0.0f));
  FailureOr<OpT> op;
  if constexpr (isLSTM)
    op = ctx.create<LSTMOp>(3, *input, *w, *r, ctx.input(3), ctx.input(4),
                            *h0, *c0, ctx.input(7), *direction, hidden, clip);
  else
    op = ctx.create<GRUOp>(2, *input, *w, *r, ctx.input(3), ctx.input(4),
                           *h0, *direction, hidden,
                           ctx.attrInt("linear_before_reset", 0) != 0);
  if (failed(op))
    return failure();

  // Results: y [T, D, B, H] (batch-major: [B, T, D, H]), states [D, B, H]
  // (batch-major: [B, D, H]).
  for (unsigned i = 0; i < (*op)->getNumResults(); ++i) {
    Value v = (*op)->getResult(i);
    FailureOr<Value> out =
        swapBatch(ctx, v, batchMajor,
                  i == 0 ? ArrayRef<int64_t>(yToBatchMajor)
                         : ArrayRef<int64_t>(swap01));
    if (failed(out))
      return failure();
    ctx.setResult(i, *out);
  }
  return success();
}

/// Applies an ONNX RNN activation (Tanh, Relu or Sigmoid) to `v`.
FailureOr<Value> applyActivation(NodeContext &ctx, StringRef name, Value v) {
  if (name.equals_insensitive("Tanh"))
    return TanhOp::create(ctx.builder, ctx.loc, v).getResult();
  if (name.equals_insensitive("Relu"))
    return ReluOp::create(ctx.builder, ctx.loc, v).getResult();
  if (name.equals_insensitive("Sigmoid"))
    return SigmoidOp::create(ctx.builder, ctx.loc, v).getResult();
  return ctx.emitError() << "RNN activation '" << name
                         << "' is not supported (Tanh, Relu, Sigmoid)";
}

/// Slice [i, i+1) of dim 0 of `v`, reshaped to `shape`.
FailureOr<Value> pick(NodeContext &ctx, Value v, int64_t i,
                      ArrayRef<int64_t> shape) {
  auto s = ctx.createValue<SliceOp>(v, ArrayRef<int64_t>{0},
                                    ArrayRef<int64_t>{i},
                                    ArrayRef<int64_t>{i + 1},
                                    ArrayRef<int64_t>{1});
  if (failed(s))
    return failure();
  return ctx.reshape(*s, shape);
}

/// RNN (the simple recurrence, no mica op): unrolled over the static
/// sequence length, per direction
///   h_t = f(clip(x_t W^T + h_{t-1} R^T + Wb + Rb))
/// with Y [T, D, B, H] stacking every h_t and Y_h [D, B, H] the last one
/// (reverse directions run from t = T-1 down). sequence_lens is not
/// supported.
LogicalResult convertRNN(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), w = ctx.requiredInput(1),
       r = ctx.requiredInput(2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  if (ctx.input(4))
    return ctx.emitError() << "sequence_lens is not supported for RNN";
  std::string dirName = ctx.attrString("direction", "forward");
  std::optional<RnnDirection> direction = symbolizeRnnDirection(dirName);
  if (!direction)
    return ctx.emitError() << "invalid direction '" << dirName << "'";
  int64_t dirs = *direction == RnnDirection::bidirectional ? 2 : 1;
  SmallVector<std::string> acts = ctx.attrStrings("activations");
  if (acts.empty())
    acts.assign(dirs, "Tanh");
  if (static_cast<int64_t>(acts.size()) != dirs)
    return ctx.emitError() << "expected " << dirs << " activations, got "
                           << acts.size();
  if (ctx.hasAttr("activation_alpha") || ctx.hasAttr("activation_beta"))
    return ctx.emitError() << "activation_alpha/activation_beta are not "
                              "supported";
  bool batchMajor = ctx.attrInt("layout", 0) != 0;
  static constexpr int64_t swap01[] = {1, 0, 2};
  auto input = swapBatch(ctx, *x, batchMajor, swap01);
  auto h0 = swapBatch(ctx, ctx.input(5), batchMajor, swap01);
  if (failed(input) || failed(h0))
    return failure();
  auto inType = cast<RankedTensorType>(input->getType());
  if (!inType.hasStaticShape() || !ctx.inputType(1).hasStaticShape())
    return ctx.emitError() << "RNN needs static input and weight shapes, got "
                           << inType << " and " << ctx.inputType(1);
  int64_t steps = inType.getDimSize(0), batch = inType.getDimSize(1),
          in = inType.getDimSize(2);
  int64_t hidden = ctx.attrInt("hidden_size", ctx.inputType(1).getDimSize(1));
  Type elt = inType.getElementType();
  std::optional<double> clip;
  if (ctx.hasAttr("clip"))
    clip = ctx.attrFloat("clip", 0.0f);

  SmallVector<Value> ys, lasts;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = *direction == RnnDirection::reverse || d == 1;
    auto wd = pick(ctx, *w, d, {hidden, in});
    auto rd = pick(ctx, *r, d, {hidden, hidden});
    if (failed(wd) || failed(rd))
      return failure();
    auto wt = ctx.createValue<TransposeOp>(*wd, ArrayRef<int64_t>{1, 0});
    auto rt = ctx.createValue<TransposeOp>(*rd, ArrayRef<int64_t>{1, 0});
    if (failed(wt) || failed(rt))
      return failure();
    Value bias;
    if (Value b = ctx.input(3)) {
      auto bd = pick(ctx, b, d, {2, hidden});
      if (failed(bd))
        return failure();
      auto sum = ctx.createValue<ReduceOp>(*bd, ReduceKind::sum,
                                           ArrayRef<int64_t>{0}, false);
      if (failed(sum))
        return failure();
      bias = *sum;
    }
    Value h;
    if (*h0) {
      auto hd = pick(ctx, *h0, d, {batch, hidden});
      if (failed(hd))
        return failure();
      h = *hd;
    } else {
      h = ctx.scalarConstant(elt, 0.0, {batch, hidden});
    }
    SmallVector<Value> outs(steps);
    for (int64_t step = 0; step < steps; ++step) {
      int64_t t = reverse ? steps - 1 - step : step;
      auto xt = pick(ctx, *input, t, {batch, in});
      if (failed(xt))
        return failure();
      auto xw = ctx.createValue<MatMulOp>(*xt, *wt);
      auto hr = ctx.createValue<MatMulOp>(h, *rt);
      if (failed(xw) || failed(hr))
        return failure();
      auto pre = ctx.createValue<AddOp>(*xw, *hr);
      if (succeeded(pre) && bias)
        pre = ctx.createValue<AddOp>(*pre, bias);
      if (failed(pre))
        return failure();
      Value z = *pre;
      if (clip)
        z = ClipOp::create(ctx.builder, ctx.loc, z,
                           ctx.builder.getF64FloatAttr(-*clip),
                           ctx.builder.getF64FloatAttr(*clip));
      auto next = applyActivation(ctx, acts[d], z);
      if (failed(next))
        return failure();
      h = *next;
      auto y = ctx.reshape(h, {1, 1, batch, hidden});
      if (failed(y))
        return failure();
      outs[t] = *y;
    }
    auto yd = steps == 1 ? FailureOr<Value>(outs[0])
                         : ctx.createValue<ConcatOp>(outs, 0);
    auto last = ctx.reshape(h, {1, batch, hidden});
    if (failed(yd) || failed(last))
      return failure();
    ys.push_back(*yd);
    lasts.push_back(*last);
  }
  auto y = dirs == 1 ? FailureOr<Value>(ys[0])
                     : ctx.createValue<ConcatOp>(ys, 1);
  auto yh = dirs == 1 ? FailureOr<Value>(lasts[0])
                      : ctx.createValue<ConcatOp>(lasts, 0);
  if (failed(y) || failed(yh))
    return failure();
  static constexpr int64_t yToBatchMajor[] = {2, 0, 1, 3};
  y = swapBatch(ctx, *y, batchMajor, yToBatchMajor);
  yh = swapBatch(ctx, *yh, batchMajor, swap01);
  if (failed(y) || failed(yh))
    return failure();
  ctx.setResult(0, *y);
  ctx.setResult(1, *yh);
  return success();
}

} // namespace

void onnx_import::populateRecurrentConverters(ConverterTable &table) {
  table[converterKey("", "LSTM")] = {convertRecurrent<LSTMOp, 4>, 7, 17};
  table[converterKey("", "GRU")] = {convertRecurrent<GRUOp, 3>, 7, 17};
  table[converterKey("", "RNN")] = {convertRNN, 7, 17};
}
