//===- Reduction.cpp - Reference evaluation of reductions and norms -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// reduce, argmax/argmin, softmax/log_softmax, cumsum, topk, layer_norm and
/// batch_norm. Float reductions accumulate in double; integer ones in int64
/// with wrap-around to the element width.
///
//===----------------------------------------------------------------------===//

#include "EvalUtils.h"

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mica;
using namespace mica::reference;
using namespace mica::reference::detail;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Splits a shape at `axis` into (outer, dim, inner) extents.
struct AxisSplit {
  int64_t outer, dim, inner;
  /// Linear index of (o, a, i).
  int64_t at(int64_t o, int64_t a, int64_t i) const {
    return (o * dim + a) * inner + i;
  }
};

AxisSplit splitAt(ArrayRef<int64_t> shape, int64_t axis) {
  return {getNumElements(shape.take_front(axis)), shape[axis],
          getNumElements(shape.drop_front(axis + 1))};
}

/// Reduces a group of float values.
double reduceFloat(ReduceKind kind, ArrayRef<double> v) {
  double acc = 0;
  switch (kind) {
  case ReduceKind::sum:
  case ReduceKind::mean:
    for (double x : v)
      acc += x;
    return kind == ReduceKind::mean ? acc / v.size() : acc;
  case ReduceKind::max:
    acc = -kInf;
    for (double x : v)
      acc = std::isnan(x) || std::isnan(acc) ? NAN : std::max(acc, x);
    return acc;
  case ReduceKind::min:
    acc = kInf;
    for (double x : v)
      acc = std::isnan(x) || std::isnan(acc) ? NAN : std::min(acc, x);
    return acc;
  case ReduceKind::prod:
    acc = 1;
    for (double x : v)
      acc *= x;
    return acc;
  case ReduceKind::l1:
    for (double x : v)
      acc += std::fabs(x);
    return acc;
  case ReduceKind::l2:
  case ReduceKind::sum_square:
    for (double x : v)
      acc += x * x;
    return kind == ReduceKind::l2 ? std::sqrt(acc) : acc;
  case ReduceKind::log_sum_exp: {
    double m = -kInf;
    for (double x : v)
      m = std::max(m, x);
    if (std::isinf(m))
      return m;
    for (double x : v)
      acc += std::exp(x - m);
    return m + std::log(acc);
  }
  }
  return acc;
}

/// Reduces a group of integer values (wrapping).
int64_t reduceInt(ReduceKind kind, ArrayRef<int64_t> v) {
  uint64_t acc = 0;
  switch (kind) {
  case ReduceKind::max:
    return v.empty() ? std::numeric_limits<int64_t>::min()
                     : *std::max_element(v.begin(), v.end());
  case ReduceKind::min:
    return v.empty() ? std::numeric_limits<int64_t>::max()
                     : *std::min_element(v.begin(), v.end());
  case ReduceKind::prod:
    acc = 1;
    for (int64_t x : v)
      acc *= uint64_t(x);
    return int64_t(acc);
  case ReduceKind::l1:
    for (int64_t x : v)
      acc += uint64_t(x < 0 ? -x : x);
    return int64_t(acc);
  case ReduceKind::sum_square:
    for (int64_t x : v)
      acc += uint64_t(x) * uint64_t(x);
    return int64_t(acc);
  default:
    for (int64_t x : v)
      acc += uint64_t(x);
    return int64_t(acc);
  }
}

FailureOr<Results> evalReduce(ReduceOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  llvm::SmallSet<int64_t, 8> axes;
  for (int64_t a : op.getAxes()) {
    FailureOr<int64_t> axis = getAxis(op, a, x.getRank());
    if (failed(axis))
      return failure();
    axes.insert(*axis);
  }
  if (axes.empty())
    return Results{x};
  // Groups of input elements per output element, in input order.
  SmallVector<int64_t> kept, outShape;
  for (int64_t d = 0; d < x.getRank(); ++d) {
    kept.push_back(axes.count(d) ? 1 : x.getShape()[d]);
    if (!axes.count(d))
      outShape.push_back(x.getShape()[d]);
    else if (op.getKeepdims())
      outShape.push_back(1);
  }
  SmallVector<int64_t> toGroup = getBroadcastStrides(kept, x.getShape());
  int64_t groups = getNumElements(kept);
  HostTensor out(x.getElementType(), outShape);
  if (x.isFloat()) {
    std::vector<std::vector<double>> values(groups);
    int64_t i = 0;
    forEachIndex(x.getShape(), [&](ArrayRef<int64_t> idx) {
      values[offsetOf(idx, toGroup)].push_back(x.getDouble(i++));
    });
    for (int64_t g = 0; g < groups; ++g)
      out.setDouble(g, reduceFloat(op.getKind(), values[g]));
  } else {
    std::vector<std::vector<int64_t>> values(groups);
    int64_t i = 0;
    forEachIndex(x.getShape(), [&](ArrayRef<int64_t> idx) {
      values[offsetOf(idx, toGroup)].push_back(x.getInt(i++));
    });
    for (int64_t g = 0; g < groups; ++g)
      out.setInt(g, reduceInt(op.getKind(), values[g]));
  }
  return Results{std::move(out)};
}

/// argmax (`isMax`) or argmin along an axis.
template <typename OpT>
FailureOr<Results> evalArgReduce(OpT op, const Env &env, bool isMax) {
  const HostTensor &x = env.get(op.getInput());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  AxisSplit s = splitAt(x.getShape(), *axis);
  if (s.dim == 0)
    return fail(op) << "cannot reduce an empty axis";
  SmallVector<int64_t> shape(x.getShape());
  if (op.getKeepdims())
    shape[*axis] = 1;
  else
    shape.erase(shape.begin() + *axis);
  HostTensor out(ElementType::I64, shape);
  bool last = op.getSelectLastIndex();
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      int64_t best = 0;
      double bestV = x.getDouble(s.at(o, 0, i));
      for (int64_t a = 1; a < s.dim; ++a) {
        double v = x.getDouble(s.at(o, a, i));
        bool better = isMax ? (v > bestV || (last && v == bestV))
                            : (v < bestV || (last && v == bestV));
        if (better) {
          best = a;
          bestV = v;
        }
      }
      out.setInt(o * s.inner + i, best);
    }
  return Results{std::move(out)};
}

/// softmax or log_softmax along an axis.
template <typename OpT>
FailureOr<Results> evalSoftmax(OpT op, const Env &env, bool isLog) {
  const HostTensor &x = env.get(op.getInput());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  AxisSplit s = splitAt(x.getShape(), *axis);
  HostTensor out(x.getElementType(), x.getShape());
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      double m = -kInf, sum = 0;
      for (int64_t a = 0; a < s.dim; ++a)
        m = std::max(m, x.getDouble(s.at(o, a, i)));
      for (int64_t a = 0; a < s.dim; ++a)
        sum += std::exp(x.getDouble(s.at(o, a, i)) - m);
      for (int64_t a = 0; a < s.dim; ++a) {
        double v = x.getDouble(s.at(o, a, i)) - m;
        out.setDouble(s.at(o, a, i), isLog ? v - std::log(sum)
                                           : std::exp(v) / sum);
      }
    }
  return Results{std::move(out)};
}

FailureOr<Results> evalCumSum(CumSumOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  AxisSplit s = splitAt(x.getShape(), *axis);
  HostTensor out(x.getElementType(), x.getShape());
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      double accF = 0;
      uint64_t accI = 0;
      for (int64_t step = 0; step < s.dim; ++step) {
        int64_t a = op.getReverse() ? s.dim - 1 - step : step;
        int64_t at = s.at(o, a, i);
        if (op.getExclusive()) {
          x.isFloat() ? out.setDouble(at, accF) : out.setInt(at, accI);
        }
        if (x.isFloat())
          accF += x.getDouble(at);
        else
          accI += uint64_t(x.getInt(at));
        if (!op.getExclusive()) {
          x.isFloat() ? out.setDouble(at, accF) : out.setInt(at, accI);
        }
      }
    }
  return Results{std::move(out)};
}

FailureOr<Results> evalTopK(TopKOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  AxisSplit s = splitAt(x.getShape(), *axis);
  int64_t k = op.getK();
  if (k < 0 || k > s.dim)
    return fail(op) << "k = " << k << " exceeds the axis size " << s.dim;
  SmallVector<int64_t> shape(x.getShape());
  shape[*axis] = k;
  HostTensor values(x.getElementType(), shape), indices(ElementType::I64, shape);
  AxisSplit r{s.outer, k, s.inner};
  bool largest = op.getLargest();
  std::vector<int64_t> order(s.dim);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      std::iota(order.begin(), order.end(), 0);
      auto value = [&](int64_t a) { return x.getDouble(s.at(o, a, i)); };
      // Stable sort: ties keep the lower index first.
      std::stable_sort(order.begin(), order.end(), [&](int64_t l, int64_t m) {
        return largest ? value(l) > value(m) : value(l) < value(m);
      });
      for (int64_t j = 0; j < k; ++j) {
        copyElement(x, s.at(o, order[j], i), values, r.at(o, j, i));
        indices.setInt(r.at(o, j, i), order[j]);
      }
    }
  return Results{std::move(values), std::move(indices)};
}

FailureOr<Results> evalLayerNorm(LayerNormOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor *scale = env.getOptional(op.getScale());
  const HostTensor *bias = env.getOptional(op.getBias());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> norm = x.getShape().drop_front(*axis);
  for (const HostTensor *p : {scale, bias})
    if (p && p->getShape() != norm)
      return fail(op) << "scale and bias " << formatShape(p->getShape())
                      << " must have the normalized shape "
                      << formatShape(norm);
  int64_t n = getNumElements(norm), rows = getNumElements(
                                        x.getShape().take_front(*axis));
  std::vector<double> v = x.toDoubles();
  std::vector<double> vs = scale ? scale->toDoubles() : std::vector<double>();
  std::vector<double> vb = bias ? bias->toDoubles() : std::vector<double>();
  for (int64_t r = 0; r < rows; ++r)
    layerNormRow(v.data() + r * n, n, op.getEpsilon().convertToDouble(),
                 scale ? vs.data() : nullptr, bias ? vb.data() : nullptr);
  return Results{HostTensor::fromDoubles(x.getElementType(), x.getShape(), v)};
}

FailureOr<Results> evalBatchNorm(BatchNormOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  int64_t c = x.getShape()[1];
  std::vector<double> params[4];
  Value operands[4] = {op.getScale(), op.getBias(), op.getMean(),
                       op.getVariance()};
  for (int i = 0; i < 4; ++i) {
    const HostTensor &p = env.get(operands[i]);
    if (p.getShape() != ArrayRef<int64_t>{c})
      return fail(op) << "scale, bias, mean and variance must be [" << c
                      << "], got " << formatShape(p.getShape());
    params[i] = p.toDoubles();
  }
  AxisSplit s = splitAt(x.getShape(), 1);
  double eps = op.getEpsilon().convertToDouble();
  HostTensor out(x.getElementType(), x.getShape());
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t ch = 0; ch < c; ++ch) {
      double inv = 1.0 / std::sqrt(params[3][ch] + eps);
      for (int64_t i = 0; i < s.inner; ++i) {
        int64_t at = s.at(o, ch, i);
        out.setDouble(at, (x.getDouble(at) - params[2][ch]) * inv *
                                  params[0][ch] +
                              params[1][ch]);
      }
    }
  return Results{std::move(out)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateReductionOp(Operation *op, const Env &env) {
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](ReduceOp o) { return evalReduce(o, env); })
      .Case([&](ArgMaxOp o) { return evalArgReduce(o, env, true); })
      .Case([&](ArgMinOp o) { return evalArgReduce(o, env, false); })
      .Case([&](SoftmaxOp o) { return evalSoftmax(o, env, false); })
      .Case([&](LogSoftmaxOp o) { return evalSoftmax(o, env, true); })
      .Case([&](CumSumOp o) { return evalCumSum(o, env); })
      .Case([&](TopKOp o) { return evalTopK(o, env); })
      .Case([&](LayerNormOp o) { return evalLayerNorm(o, env); })
      .Case([&](BatchNormOp o) { return evalBatchNorm(o, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
