//===- Fused.cpp - Reference evaluation of the transformer fused ops ------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// bias_gelu, skip_layer_norm, embed_layer_norm and attention, written out
/// from their definitions (the unfused op sequences) in double.
///
//===----------------------------------------------------------------------===//

#include "EvalUtils.h"

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <limits>

using namespace mlir;
using namespace mica;
using namespace mica::reference;
using namespace mica::reference::detail;

namespace {

/// Fails unless `t` is the vector `[n]`.
LogicalResult expectVector(Operation *op, StringRef what, const HostTensor &t,
                           int64_t n) {
  if (t.getShape() != ArrayRef<int64_t>{n})
    return fail(op) << what << " must be [" << n << "], got "
                    << formatShape(t.getShape());
  return success();
}

FailureOr<Results> evalBiasGelu(BiasGeluOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &b = env.get(op.getBias());
  int64_t h = x.getShape().back();
  if (failed(expectVector(op, "bias", b, h)))
    return failure();
  bool tanhApprox = op.getApproximate() == GeluApprox::tanh;
  HostTensor out(x.getElementType(), x.getShape());
  for (int64_t i = 0, e = x.getNumElements(); i < e; ++i) {
    double v = x.getDouble(i) + b.getDouble(i % h);
    out.setDouble(i, tanhApprox ? geluTanh(v) : gelu(v));
  }
  return Results{std::move(out)};
}

FailureOr<Results> evalSkipLayerNorm(SkipLayerNormOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &skip = env.get(op.getSkip());
  const HostTensor &gamma = env.get(op.getGamma());
  const HostTensor *beta = env.getOptional(op.getBeta());
  const HostTensor *bias = env.getOptional(op.getBias());
  if (x.getShape() != skip.getShape())
    return fail(op) << "input " << formatShape(x.getShape()) << " and skip "
                    << formatShape(skip.getShape())
                    << " must have the same shape";
  int64_t h = x.getShape().back();
  if (failed(expectVector(op, "gamma", gamma, h)) ||
      (beta && failed(expectVector(op, "beta", *beta, h))) ||
      (bias && failed(expectVector(op, "bias", *bias, h))))
    return failure();
  std::vector<double> v = x.toDoubles(), s = skip.toDoubles();
  std::vector<double> g = gamma.toDoubles();
  std::vector<double> be = beta ? beta->toDoubles() : std::vector<double>();
  std::vector<double> bi = bias ? bias->toDoubles() : std::vector<double>();
  for (size_t i = 0; i < v.size(); ++i)
    v[i] += s[i] + (bias ? bi[i % h] : 0.0);
  for (int64_t r = 0, rows = h ? v.size() / h : 0; r < rows; ++r)
    layerNormRow(v.data() + r * h, h, op.getEpsilon().convertToDouble(),
                 g.data(), beta ? be.data() : nullptr);
  return Results{HostTensor::fromDoubles(x.getElementType(), x.getShape(), v)};
}

/// Row `index` of the embedding table `table` ([rows, h] doubles), or an
/// error when out of range.
FailureOr<const double *> embeddingRow(Operation *op, StringRef what,
                                       const std::vector<double> &table,
                                       int64_t rows, int64_t h, int64_t index) {
  if (index < 0 || index >= rows)
    return fail(op) << what << " index " << index << " is out of range [0, "
                    << rows << ")";
  return table.data() + index * h;
}

FailureOr<Results> evalEmbedLayerNorm(EmbedLayerNormOp op, const Env &env) {
  const HostTensor &ids = env.get(op.getInputIds());
  const HostTensor &word = env.get(op.getWordEmbedding());
  const HostTensor &pos = env.get(op.getPositionEmbedding());
  const HostTensor &gamma = env.get(op.getGamma());
  const HostTensor &beta = env.get(op.getBeta());
  const HostTensor *segIds = env.getOptional(op.getSegmentIds());
  const HostTensor *segEmb = env.getOptional(op.getSegmentEmbedding());
  const HostTensor *posIds = env.getOptional(op.getPositionIds());
  int64_t batch = ids.getShape()[0], seq = ids.getShape()[1];
  int64_t h = word.getShape()[1];
  if (pos.getShape()[1] != h || (segEmb && segEmb->getShape()[1] != h))
    return fail(op) << "embedding tables must share the hidden size " << h;
  if (failed(expectVector(op, "gamma", gamma, h)) ||
      failed(expectVector(op, "beta", beta, h)))
    return failure();
  for (const HostTensor *t : {segIds, posIds})
    if (t && t->getShape() != ids.getShape())
      return fail(op) << "segment_ids and position_ids must have the shape "
                      << formatShape(ids.getShape()) << " of input_ids";
  std::vector<double> w = word.toDoubles(), p = pos.toDoubles();
  std::vector<double> s = segEmb ? segEmb->toDoubles() : std::vector<double>();
  std::vector<double> g = gamma.toDoubles(), b = beta.toDoubles();
  std::vector<double> out(batch * seq * h);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t t = 0; t < seq; ++t) {
      int64_t i = n * seq + t;
      FailureOr<const double *> wr =
          embeddingRow(op, "word", w, word.getShape()[0], h, ids.getInt(i));
      FailureOr<const double *> pr = embeddingRow(
          op, "position", p, pos.getShape()[0], h, posIds ? posIds->getInt(i) : t);
      if (failed(wr) || failed(pr))
        return failure();
      const double *sr = nullptr;
      if (segIds) {
        FailureOr<const double *> row = embeddingRow(
            op, "segment", s, segEmb->getShape()[0], h, segIds->getInt(i));
        if (failed(row))
          return failure();
        sr = *row;
      }
      double *dst = out.data() + i * h;
      for (int64_t j = 0; j < h; ++j)
        dst[j] = (*wr)[j] + (*pr)[j] + (sr ? sr[j] : 0.0);
      layerNormRow(dst, h, op.getEpsilon().convertToDouble(), g.data(),
                   b.data());
    }
  return Results{
      HostTensor::fromDoubles(word.getElementType(), {batch, seq, h}, out)};
}

FailureOr<Results> evalAttention(AttentionOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &weight = env.get(op.getWeight());
  const HostTensor *bias = env.getOptional(op.getBias());
  const HostTensor *mask = env.getOptional(op.getMask());
  int64_t batch = x.getShape()[0], seq = x.getShape()[1], e = x.getShape()[2];
  int64_t heads = op.getNumHeads();
  if (weight.getShape() != ArrayRef<int64_t>{3 * e, e})
    return fail(op) << "weight " << formatShape(weight.getShape())
                    << " must be [3E, E] = [" << 3 * e << ", " << e << "]";
  if (heads <= 0 || e % heads != 0)
    return fail(op) << "hidden size " << e << " is not a multiple of "
                    << heads << " heads";
  if (bias && failed(expectVector(op, "bias", *bias, 3 * e)))
    return failure();
  SmallVector<int64_t> scoreShape{batch, heads, seq, seq};
  SmallVector<int64_t> maskStrides;
  if (mask) {
    std::optional<SmallVector<int64_t>> bc =
        broadcastConcrete(scoreShape, mask->getShape());
    if (mask->getRank() > 4 || !bc || *bc != scoreShape)
      return fail(op) << "mask " << formatShape(mask->getShape())
                      << " does not broadcast to the scores "
                      << formatShape(scoreShape);
    maskStrides = getBroadcastStrides(mask->getShape(), scoreShape);
  }
  int64_t dh = e / heads;
  double scale = op.getScale() ? op.getScale()->convertToDouble()
                               : 1.0 / std::sqrt(double(dh));
  // qkv[b, s, :] = x[b, s, :] . W^T + bias: [B, S, 3E].
  std::vector<double> vx = x.toDoubles(), vw = weight.toDoubles();
  std::vector<double> vb = bias ? bias->toDoubles()
                                : std::vector<double>(3 * e, 0.0);
  std::vector<double> qkv(batch * seq * 3 * e);
  for (int64_t r = 0; r < batch * seq; ++r)
    for (int64_t j = 0; j < 3 * e; ++j) {
      double acc = vb[j];
      for (int64_t l = 0; l < e; ++l)
        acc += vx[r * e + l] * vw[j * e + l];
      qkv[r * 3 * e + j] = acc;
    }
  auto at = [&](int64_t b, int64_t s, int64_t part, int64_t h, int64_t d) {
    return qkv[(b * seq + s) * 3 * e + part * e + h * dh + d];
  };
  std::vector<double> out(batch * seq * e), scores(seq);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < seq; ++i) {
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < seq; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < dh; ++d)
            dot += at(b, i, 0, h, d) * at(b, j, 1, h, d);
          scores[j] = dot * scale;
          if (mask)
            scores[j] += mask->getDouble(offsetOf({b, h, i, j}, maskStrides));
          m = std::max(m, scores[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < seq; ++j)
          sum += scores[j] = std::exp(scores[j] - m);
        for (int64_t d = 0; d < dh; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < seq; ++j)
            acc += scores[j] / sum * at(b, j, 2, h, d);
          out[(b * seq + i) * e + h * dh + d] = acc;
        }
      }
  return Results{HostTensor::fromDoubles(x.getElementType(), x.getShape(), out)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateFusedOp(Operation *op, const Env &env) {
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](BiasGeluOp o) { return evalBiasGelu(o, env); })
      .Case([&](SkipLayerNormOp o) { return evalSkipLayerNorm(o, env); })
      .Case([&](EmbedLayerNormOp o) { return evalEmbedLayerNorm(o, env); })
      .Case([&](AttentionOp o) { return evalAttention(o, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
