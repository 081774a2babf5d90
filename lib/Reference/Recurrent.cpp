//===- Recurrent.cpp - Reference evaluation of lstm and gru ---------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `mica.lstm` and `mica.gru` in ONNX layout, one batch entry and one
/// direction at a time, straight from the ONNX equations. With
/// `sequence_lens`, a batch entry runs `len` steps (the reverse direction
/// walks them backwards from `len - 1`), outputs at later steps are zero
/// and the final states are those after its last step.
///
//===----------------------------------------------------------------------===//

#include "EvalUtils.h"

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mica;
using namespace mica::reference;
using namespace mica::reference::detail;

namespace {

/// Operands of a recurrent op converted to double, with their sizes.
struct Recurrence {
  int64_t seq, batch, input, hidden, dirs, gates;
  std::vector<double> x, w, r, b, h0;
  std::vector<int64_t> lens;

  /// gate pre-activation block `g` of W[d] . x[t, n] + R[d] . h
  /// + Wb[d, g] + Rb[d, g] (`h` is the hidden state of this entry).
  double project(int64_t d, int64_t g, int64_t j, int64_t t, int64_t n,
                 const double *h) const {
    int64_t row = g * hidden + j;
    double acc = b[(d * 2 * gates) * hidden + row] +
                 b[(d * 2 * gates + gates) * hidden + row];
    const double *wr = w.data() + (d * gates * hidden + row) * input;
    const double *xt = x.data() + (t * batch + n) * input;
    for (int64_t i = 0; i < input; ++i)
      acc += wr[i] * xt[i];
    if (h)
      acc += recur(d, g, j, h);
    return acc;
  }

  /// R[d, gate g, row j] . h.
  double recur(int64_t d, int64_t g, int64_t j, const double *h) const {
    const double *rr = r.data() + (d * gates * hidden + g * hidden + j) * hidden;
    double acc = 0;
    for (int64_t i = 0; i < hidden; ++i)
      acc += rr[i] * h[i];
    return acc;
  }
};

/// Reads optional operand `v` into `dst` after checking its shape; an
/// absent operand reads as zeros.
LogicalResult loadParam(Operation *op, const Env &env, Value v,
                        ArrayRef<int64_t> shape, StringRef what,
                        std::vector<double> &dst) {
  const HostTensor *t = env.getOptional(v);
  if (!t) {
    dst.assign(getNumElements(shape), 0.0);
    return success();
  }
  if (t->getShape() != shape)
    return fail(op) << what << " is " << formatShape(t->getShape())
                    << " but must be " << formatShape(shape);
  dst = t->toDoubles();
  return success();
}

/// Reads and checks the operands shared by lstm and gru.
template <typename OpT>
FailureOr<Recurrence> loadRecurrence(OpT op, const Env &env, int64_t gates) {
  Recurrence rec;
  const HostTensor &x = env.get(op.getInput());
  rec.seq = x.getShape()[0];
  rec.batch = x.getShape()[1];
  rec.input = x.getShape()[2];
  rec.hidden = op.getHiddenSize();
  rec.dirs = op.getDirection() == RnnDirection::bidirectional ? 2 : 1;
  rec.gates = gates;
  int64_t d = rec.dirs, h = rec.hidden, bsz = rec.batch;
  auto load = [&](Value v, ArrayRef<int64_t> shape, StringRef what,
                  std::vector<double> &dst) {
    return loadParam(op, env, v, shape, what, dst);
  };
  rec.x = x.toDoubles();
  if (failed(load(op.getW(), {d, gates * h, rec.input}, "w", rec.w)) ||
      failed(load(op.getR(), {d, gates * h, h}, "r", rec.r)) ||
      failed(load(op.getB(), {d, 2 * gates * h}, "bias", rec.b)) ||
      failed(load(op.getInitialH(), {d, bsz, h}, "initial_h", rec.h0)))
    return failure();
  rec.lens.assign(bsz, rec.seq);
  if (const HostTensor *lens = env.getOptional(op.getSequenceLens())) {
    if (lens->getShape() != ArrayRef<int64_t>{bsz})
      return fail(op) << "sequence_lens must be [" << bsz << "], got "
                      << formatShape(lens->getShape());
    for (int64_t n = 0; n < bsz; ++n) {
      rec.lens[n] = lens->getInt(n);
      if (rec.lens[n] < 0 || rec.lens[n] > rec.seq)
        return fail(op) << "sequence_lens[" << n << "] = " << rec.lens[n]
                        << " is outside [0, " << rec.seq << "]";
    }
  }
  return rec;
}

/// Clamps a gate pre-activation to [-clip, clip] when a clip is set.
double clipGate(std::optional<double> clip, double v) {
  return clip ? std::clamp(v, -*clip, *clip) : v;
}

FailureOr<Results> evalLSTM(LSTMOp op, const Env &env) {
  FailureOr<Recurrence> loaded = loadRecurrence(op, env, 4);
  if (failed(loaded))
    return failure();
  Recurrence &rec = *loaded;
  int64_t T = rec.seq, B = rec.batch, H = rec.hidden, D = rec.dirs;
  std::vector<double> c0, p;
  auto load = [&](Value v, ArrayRef<int64_t> shape, StringRef what,
                  std::vector<double> &dst) {
    return loadParam(op, env, v, shape, what, dst);
  };
  if (failed(load(op.getInitialC(), {D, B, H}, "initial_c", c0)) ||
      failed(load(op.getPeepholes(), {D, 3 * H}, "peepholes", p)))
    return failure();
  std::optional<double> clip;
  if (op.getClip())
    clip = op.getClip()->convertToDouble();
  // Gate blocks in W/R/B: i = 0, o = 1, f = 2, c = 3; peepholes P[i, o, f].
  enum { kI = 0, kO = 1, kF = 2, kC = 3 };
  std::vector<double> y(T * D * B * H, 0.0), yh(D * B * H), yc(D * B * H);
  for (int64_t d = 0; d < D; ++d) {
    bool reverse = op.getDirection() == RnnDirection::reverse || d == 1;
    const double *pi = p.data() + d * 3 * H, *po = pi + H, *pf = pi + 2 * H;
    for (int64_t n = 0; n < B; ++n) {
      std::vector<double> h(rec.h0.begin() + (d * B + n) * H,
                            rec.h0.begin() + (d * B + n + 1) * H);
      std::vector<double> c(c0.begin() + (d * B + n) * H,
                            c0.begin() + (d * B + n + 1) * H);
      std::vector<double> nh(H), nc(H);
      for (int64_t step = 0; step < rec.lens[n]; ++step) {
        int64_t t = reverse ? rec.lens[n] - 1 - step : step;
        for (int64_t j = 0; j < H; ++j) {
          double i = sigmoid(
              clipGate(clip, rec.project(d, kI, j, t, n, h.data()) +
                                 pi[j] * c[j]));
          double f = sigmoid(
              clipGate(clip, rec.project(d, kF, j, t, n, h.data()) +
                                 pf[j] * c[j]));
          double g =
              std::tanh(clipGate(clip, rec.project(d, kC, j, t, n, h.data())));
          nc[j] = f * c[j] + i * g;
          double o = sigmoid(
              clipGate(clip, rec.project(d, kO, j, t, n, h.data()) +
                                 po[j] * nc[j]));
          nh[j] = o * std::tanh(nc[j]);
        }
        h = nh;
        c = nc;
        std::copy(h.begin(), h.end(), y.begin() + ((t * D + d) * B + n) * H);
      }
      std::copy(h.begin(), h.end(), yh.begin() + (d * B + n) * H);
      std::copy(c.begin(), c.end(), yc.begin() + (d * B + n) * H);
    }
  }
  ElementType type = getResultElementType(op);
  return Results{HostTensor::fromDoubles(type, {T, D, B, H}, y),
                 HostTensor::fromDoubles(type, {D, B, H}, yh),
                 HostTensor::fromDoubles(type, {D, B, H}, yc)};
}

FailureOr<Results> evalGRU(GRUOp op, const Env &env) {
  FailureOr<Recurrence> loaded = loadRecurrence(op, env, 3);
  if (failed(loaded))
    return failure();
  Recurrence &rec = *loaded;
  int64_t T = rec.seq, B = rec.batch, H = rec.hidden, D = rec.dirs;
  bool linearBeforeReset = op.getLinearBeforeReset();
  // Gate blocks in W/R/B: z = 0, r = 1, h = 2.
  enum { kZ = 0, kR = 1, kH = 2 };
  std::vector<double> y(T * D * B * H, 0.0), yh(D * B * H);
  for (int64_t d = 0; d < D; ++d) {
    bool reverse = op.getDirection() == RnnDirection::reverse || d == 1;
    for (int64_t n = 0; n < B; ++n) {
      std::vector<double> h(rec.h0.begin() + (d * B + n) * H,
                            rec.h0.begin() + (d * B + n + 1) * H);
      std::vector<double> nh(H), rh(H), rgate(H);
      for (int64_t step = 0; step < rec.lens[n]; ++step) {
        int64_t t = reverse ? rec.lens[n] - 1 - step : step;
        for (int64_t j = 0; j < H; ++j) {
          rgate[j] = sigmoid(rec.project(d, kR, j, t, n, h.data()));
          rh[j] = rgate[j] * h[j];
        }
        for (int64_t j = 0; j < H; ++j) {
          double z = sigmoid(rec.project(d, kZ, j, t, n, h.data()));
          // x Wh^T + Wbh + Rbh, then the recurrent term per the variant.
          double pre = rec.project(d, kH, j, t, n, nullptr);
          if (linearBeforeReset) {
            double rbh = rec.b[(d * 6 + 3 + kH) * H + j];
            pre += (rgate[j] - 1.0) * rbh +
                   rgate[j] * rec.recur(d, kH, j, h.data());
          } else {
            pre += rec.recur(d, kH, j, rh.data());
          }
          nh[j] = (1.0 - z) * std::tanh(pre) + z * h[j];
        }
        h = nh;
        std::copy(h.begin(), h.end(), y.begin() + ((t * D + d) * B + n) * H);
      }
      std::copy(h.begin(), h.end(), yh.begin() + (d * B + n) * H);
    }
  }
  ElementType type = getResultElementType(op);
  return Results{HostTensor::fromDoubles(type, {T, D, B, H}, y),
                 HostTensor::fromDoubles(type, {D, B, H}, yh)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateRecurrentOp(Operation *op, const Env &env) {
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](LSTMOp o) { return evalLSTM(o, env); })
      .Case([&](GRUOp o) { return evalGRU(o, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
