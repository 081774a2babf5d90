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
/// unsupported.
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

} // namespace

void onnx_import::populateRecurrentConverters(ConverterTable &table) {
  table[converterKey("", "LSTM")] = {convertRecurrent<LSTMOp, 4>, 7, 17};
  table[converterKey("", "GRU")] = {convertRecurrent<GRUOp, 3>, 7, 17};
}
