//===- Contraction.cpp - Reference evaluation of matmul/dense/conv/pool ---===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// matmul, dense, conv, pool and global_pool. Float products accumulate in
/// double; integer matmul accumulates with wrap-around in the element type
/// (computed in uint64, then truncated: the same result modulo 2^width).
/// Convolutions and pooling of 1 to 3 spatial dims run as 3-D with unit
/// leading dims.
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

FailureOr<Results> evalMatMul(MatMulOp op, const Env &env) {
  const HostTensor &a = env.get(op.getLhs());
  const HostTensor &b = env.get(op.getRhs());
  ArrayRef<int64_t> sa = a.getShape(), sb = b.getShape();
  int64_t m = sa.end()[-2], k = sa.back(), n = sb.back();
  if (sb.end()[-2] != k)
    return fail(op) << "contraction dims differ: " << formatShape(sa) << " x "
                    << formatShape(sb);
  std::optional<SmallVector<int64_t>> batch =
      broadcastConcrete(sa.drop_back(2), sb.drop_back(2));
  if (!batch)
    return fail(op) << "batch dims of " << formatShape(sa) << " and "
                    << formatShape(sb) << " do not broadcast";
  SmallVector<int64_t> shape(*batch);
  shape.push_back(m);
  shape.push_back(n);
  SmallVector<int64_t> ba = getBroadcastStrides(sa.drop_back(2), *batch);
  SmallVector<int64_t> bb = getBroadcastStrides(sb.drop_back(2), *batch);
  HostTensor out(a.getElementType(), shape);
  int64_t o = 0;
  if (a.isFloat()) {
    std::vector<double> va = a.toDoubles(), vb = b.toDoubles();
    forEachIndex(*batch, [&](ArrayRef<int64_t> idx) {
      const double *pa = va.data() + offsetOf(idx, ba) * m * k;
      const double *pb = vb.data() + offsetOf(idx, bb) * k * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0;
          for (int64_t l = 0; l < k; ++l)
            acc += pa[i * k + l] * pb[l * n + j];
          out.setDouble(o++, acc);
        }
    });
    return Results{std::move(out)};
  }
  std::vector<int64_t> va = a.toInts(), vb = b.toInts();
  forEachIndex(*batch, [&](ArrayRef<int64_t> idx) {
    const int64_t *pa = va.data() + offsetOf(idx, ba) * m * k;
    const int64_t *pb = vb.data() + offsetOf(idx, bb) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        uint64_t acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += uint64_t(pa[i * k + l]) * uint64_t(pb[l * n + j]);
        out.setInt(o++, int64_t(acc));
      }
  });
  return Results{std::move(out)};
}

/// Applies a fused activation epilogue.
double activate(Activation act, double x) {
  switch (act) {
  case Activation::none:
    return x;
  case Activation::relu:
    return x < 0 ? 0.0 : x;
  case Activation::gelu:
    return gelu(x);
  case Activation::gelu_tanh:
    return geluTanh(x);
  case Activation::tanh:
    return std::tanh(x);
  case Activation::sigmoid:
    return sigmoid(x);
  }
  return x;
}

FailureOr<Results> evalDense(DenseOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &w = env.get(op.getWeight());
  const HostTensor *b = env.getOptional(op.getBias());
  int64_t k = x.getShape().back(), n = w.getShape()[0];
  if (w.getShape()[1] != k)
    return fail(op) << "input " << formatShape(x.getShape()) << " has K = " << k
                    << " but weight " << formatShape(w.getShape())
                    << " has K = " << w.getShape()[1];
  if (b && b->getShape() != ArrayRef<int64_t>{n})
    return fail(op) << "bias " << formatShape(b->getShape())
                    << " must be [" << n << "]";
  int64_t rows = getNumElements(x.getShape().drop_back());
  std::vector<double> vx = x.toDoubles(), vw = w.toDoubles();
  std::vector<double> vb = b ? b->toDoubles() : std::vector<double>(n, 0.0);
  SmallVector<int64_t> shape(x.getShape());
  shape.back() = n;
  HostTensor out(x.getElementType(), shape);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      double acc = vb[j];
      for (int64_t l = 0; l < k; ++l)
        acc += vx[r * k + l] * vw[j * k + l];
      out.setDouble(r * n + j, activate(op.getActivation(), acc));
    }
  return Results{std::move(out)};
}

/// A sliding-window geometry over 3 spatial dims (unit dims padded in
/// front for 1-D and 2-D ops).
struct Window {
  int64_t in[3], k[3], stride[3], dil[3], padBegin[3], padEnd[3], out[3];
};

/// Output size of one window dim, as in the op's type inference.
int64_t windowOutput(int64_t in, int64_t k, int64_t stride, int64_t dil,
                     int64_t pb, int64_t pe, bool ceilMode) {
  int64_t span = in + pb + pe - dil * (k - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + pb)
    --out;
  return out;
}

/// Builds the 3-D window of an op with `spatial` spatial dims.
Window makeWindow(ArrayRef<int64_t> inShape, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  ArrayRef<int64_t> pads, bool ceilMode) {
  int64_t spatial = kernel.size(), lead = 3 - spatial;
  Window w;
  for (int64_t d = 0; d < 3; ++d) {
    int64_t s = d - lead;
    bool real = s >= 0;
    w.in[d] = real ? inShape[s] : 1;
    w.k[d] = real ? kernel[s] : 1;
    w.stride[d] = real ? strides[s] : 1;
    w.dil[d] = real ? dilations[s] : 1;
    w.padBegin[d] = real ? pads[s] : 0;
    w.padEnd[d] = real ? pads[s + spatial] : 0;
    w.out[d] = windowOutput(w.in[d], w.k[d], w.stride[d], w.dil[d],
                            w.padBegin[d], w.padEnd[d], ceilMode);
  }
  return w;
}

/// The spatial output shape of a window, without the unit dims in front.
SmallVector<int64_t> spatialOutput(const Window &w, int64_t spatial) {
  return SmallVector<int64_t>(w.out + 3 - spatial, w.out + 3);
}

FailureOr<Results> evalConv(ConvOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &wt = env.get(op.getWeight());
  const HostTensor *b = env.getOptional(op.getBias());
  ArrayRef<int64_t> xs = x.getShape(), ws = wt.getShape();
  int64_t spatial = x.getRank() - 2, group = op.getGroup();
  int64_t batch = xs[0], c = xs[1], o = ws[0], cg = ws[1];
  if (cg * group != c || o % group != 0)
    return fail(op) << "input " << formatShape(xs) << " and weight "
                    << formatShape(ws) << " do not match group " << group;
  if (b && b->getShape() != ArrayRef<int64_t>{o})
    return fail(op) << "bias " << formatShape(b->getShape()) << " must be ["
                    << o << "]";
  Window w = makeWindow(xs.drop_front(2), ws.drop_front(2), op.getStrides(),
                        op.getDilations(), op.getPads(), false);
  std::vector<double> vx = x.toDoubles(), vw = wt.toDoubles();
  std::vector<double> vb = b ? b->toDoubles() : std::vector<double>(o, 0.0);
  SmallVector<int64_t> shape{batch, o};
  llvm::append_range(shape, spatialOutput(w, spatial));
  HostTensor out(x.getElementType(), shape);
  int64_t inSize = w.in[0] * w.in[1] * w.in[2];
  int64_t kSize = w.k[0] * w.k[1] * w.k[2];
  int64_t oPerGroup = o / group, idx = 0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / oPerGroup;
      for (int64_t z = 0; z < w.out[0]; ++z)
        for (int64_t y = 0; y < w.out[1]; ++y)
          for (int64_t xx = 0; xx < w.out[2]; ++xx) {
            double acc = vb[oc];
            for (int64_t ic = 0; ic < cg; ++ic) {
              const double *src = vx.data() + (n * c + g * cg + ic) * inSize;
              const double *ker = vw.data() + (oc * cg + ic) * kSize;
              for (int64_t kz = 0; kz < w.k[0]; ++kz) {
                int64_t iz = z * w.stride[0] + kz * w.dil[0] - w.padBegin[0];
                if (iz < 0 || iz >= w.in[0])
                  continue;
                for (int64_t ky = 0; ky < w.k[1]; ++ky) {
                  int64_t iy = y * w.stride[1] + ky * w.dil[1] - w.padBegin[1];
                  if (iy < 0 || iy >= w.in[1])
                    continue;
                  for (int64_t kx = 0; kx < w.k[2]; ++kx) {
                    int64_t ix =
                        xx * w.stride[2] + kx * w.dil[2] - w.padBegin[2];
                    if (ix < 0 || ix >= w.in[2])
                      continue;
                    acc += src[(iz * w.in[1] + iy) * w.in[2] + ix] *
                           ker[(kz * w.k[1] + ky) * w.k[2] + kx];
                  }
                }
              }
            }
            out.setDouble(idx++, acc);
          }
    }
  return Results{std::move(out)};
}

FailureOr<Results> evalPool(PoolOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  ArrayRef<int64_t> xs = x.getShape();
  int64_t spatial = x.getRank() - 2;
  Window w = makeWindow(xs.drop_front(2), op.getKernel(), op.getStrides(),
                        op.getDilations(), op.getPads(), op.getCeilMode());
  bool isMax = op.getKind() == PoolKind::max;
  bool includePad = op.getCountIncludePad();
  std::vector<double> vx = x.toDoubles();
  SmallVector<int64_t> shape{xs[0], xs[1]};
  llvm::append_range(shape, spatialOutput(w, spatial));
  HostTensor out(x.getElementType(), shape);
  int64_t inSize = w.in[0] * w.in[1] * w.in[2], idx = 0;
  // A window position is "in the padded input" when it lies in
  // [-padBegin, in + padEnd); count_include_pad divides by those.
  auto inPadded = [&](int64_t d, int64_t i) {
    return i >= -w.padBegin[d] && i < w.in[d] + w.padEnd[d];
  };
  for (int64_t nc = 0; nc < xs[0] * xs[1]; ++nc) {
    const double *src = vx.data() + nc * inSize;
    for (int64_t z = 0; z < w.out[0]; ++z)
      for (int64_t y = 0; y < w.out[1]; ++y)
        for (int64_t xx = 0; xx < w.out[2]; ++xx) {
          double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
          int64_t count = 0, padded = 0;
          for (int64_t kz = 0; kz < w.k[0]; ++kz) {
            int64_t iz = z * w.stride[0] + kz * w.dil[0] - w.padBegin[0];
            for (int64_t ky = 0; ky < w.k[1]; ++ky) {
              int64_t iy = y * w.stride[1] + ky * w.dil[1] - w.padBegin[1];
              for (int64_t kx = 0; kx < w.k[2]; ++kx) {
                int64_t ix = xx * w.stride[2] + kx * w.dil[2] - w.padBegin[2];
                if (inPadded(0, iz) && inPadded(1, iy) && inPadded(2, ix))
                  ++padded;
                if (iz < 0 || iz >= w.in[0] || iy < 0 || iy >= w.in[1] ||
                    ix < 0 || ix >= w.in[2])
                  continue;
                double v = src[(iz * w.in[1] + iy) * w.in[2] + ix];
                acc = isMax ? std::max(acc, v) : acc + v;
                ++count;
              }
            }
          }
          if (!isMax)
            acc /= includePad ? padded : count;
          out.setDouble(idx++, acc);
        }
  }
  return Results{std::move(out)};
}

FailureOr<Results> evalGlobalPool(GlobalPoolOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  ArrayRef<int64_t> xs = x.getShape();
  int64_t inner = getNumElements(xs.drop_front(2));
  bool isMax = op.getKind() == PoolKind::max;
  SmallVector<int64_t> shape(xs);
  for (int64_t d = 2; d < x.getRank(); ++d)
    shape[d] = 1;
  HostTensor out(x.getElementType(), shape);
  for (int64_t nc = 0; nc < xs[0] * xs[1]; ++nc) {
    double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
    for (int64_t i = 0; i < inner; ++i) {
      double v = x.getDouble(nc * inner + i);
      acc = isMax ? std::max(acc, v) : acc + v;
    }
    out.setDouble(nc, isMax ? acc : acc / inner);
  }
  return Results{std::move(out)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateContractionOp(Operation *op, const Env &env) {
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](MatMulOp o) { return evalMatMul(o, env); })
      .Case([&](DenseOp o) { return evalDense(o, env); })
      .Case([&](ConvOp o) { return evalConv(o, env); })
      .Case([&](PoolOp o) { return evalPool(o, env); })
      .Case([&](GlobalPoolOp o) { return evalGlobalPool(o, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
