//===- Indexing.cpp - Reference evaluation of gather/scatter/resize -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Ops that address elements through computed indices: gather,
/// gather_elements, scatter_elements, scatter_nd and resize. Negative
/// indices count from the back; out-of-range indices are run-time errors.
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

/// Wraps a possibly negative index into [0, dim) or emits an error.
FailureOr<int64_t> wrapIndex(Operation *op, int64_t index, int64_t dim) {
  int64_t i = index < 0 ? index + dim : index;
  if (i < 0 || i >= dim)
    return fail(op) << "index " << index << " is out of range for a dim of "
                    << "size " << dim;
  return i;
}

FailureOr<Results> evalGather(GatherOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &indices = env.get(op.getIndices());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> in = x.getShape();
  int64_t outer = getNumElements(in.take_front(*axis));
  int64_t dim = in[*axis];
  int64_t inner = getNumElements(in.drop_front(*axis + 1));
  int64_t n = indices.getNumElements();
  SmallVector<int64_t> shape(in.take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, in.drop_front(*axis + 1));
  HostTensor out(x.getElementType(), shape);
  for (int64_t j = 0; j < n; ++j) {
    FailureOr<int64_t> k = wrapIndex(op, indices.getInt(j), dim);
    if (failed(k))
      return failure();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        copyElement(x, (o * dim + *k) * inner + i, out,
                    (o * n + j) * inner + i);
  }
  return Results{std::move(out)};
}

FailureOr<Results> evalGatherElements(GatherElementsOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &indices = env.get(op.getIndices());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  for (int64_t d = 0; d < x.getRank(); ++d)
    if (d != *axis && indices.getShape()[d] > x.getShape()[d])
      return fail(op) << "indices " << formatShape(indices.getShape())
                      << " exceed the input " << formatShape(x.getShape())
                      << " in dim " << d;
  SmallVector<int64_t> inStrides = getStrides(x.getShape());
  HostTensor out(x.getElementType(), indices.getShape());
  int64_t o = 0;
  LogicalResult status = success();
  forEachIndex(indices.getShape(), [&](ArrayRef<int64_t> idx) {
    if (failed(status))
      return;
    FailureOr<int64_t> k =
        wrapIndex(op, indices.getInt(o), x.getShape()[*axis]);
    if (failed(k)) {
      status = failure();
      return;
    }
    SmallVector<int64_t> at(idx);
    at[*axis] = *k;
    copyElement(x, offsetOf(at, inStrides), out, o++);
  });
  if (failed(status))
    return failure();
  return Results{std::move(out)};
}

/// Combines `update` into element `i` of `out` by `reduction`.
void scatterInto(HostTensor &out, int64_t i, const HostTensor &updates,
                 int64_t u, ScatterReduction reduction) {
  if (reduction == ScatterReduction::none) {
    copyElement(updates, u, out, i);
    return;
  }
  if (out.isFloat()) {
    double a = out.getDouble(i), b = updates.getDouble(u);
    switch (reduction) {
    case ScatterReduction::add:
      return out.setDouble(i, a + b);
    case ScatterReduction::mul:
      return out.setDouble(i, a * b);
    case ScatterReduction::max:
      return out.setDouble(i, std::max(a, b));
    default:
      return out.setDouble(i, std::min(a, b));
    }
  }
  int64_t a = out.getInt(i), b = updates.getInt(u);
  switch (reduction) {
  case ScatterReduction::add:
    return out.setInt(i, int64_t(uint64_t(a) + uint64_t(b)));
  case ScatterReduction::mul:
    return out.setInt(i, int64_t(uint64_t(a) * uint64_t(b)));
  case ScatterReduction::max:
    return out.setInt(i, std::max(a, b));
  default:
    return out.setInt(i, std::min(a, b));
  }
}

FailureOr<Results> evalScatterElements(ScatterElementsOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &indices = env.get(op.getIndices());
  const HostTensor &updates = env.get(op.getUpdates());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  if (indices.getShape() != updates.getShape())
    return fail(op) << "indices " << formatShape(indices.getShape())
                    << " and updates " << formatShape(updates.getShape())
                    << " must have the same shape";
  for (int64_t d = 0; d < x.getRank(); ++d)
    if (d != *axis && indices.getShape()[d] > x.getShape()[d])
      return fail(op) << "indices " << formatShape(indices.getShape())
                      << " exceed the input " << formatShape(x.getShape())
                      << " in dim " << d;
  SmallVector<int64_t> outStrides = getStrides(x.getShape());
  HostTensor out = x;
  int64_t u = 0;
  LogicalResult status = success();
  forEachIndex(indices.getShape(), [&](ArrayRef<int64_t> idx) {
    if (failed(status))
      return;
    FailureOr<int64_t> k =
        wrapIndex(op, indices.getInt(u), x.getShape()[*axis]);
    if (failed(k)) {
      status = failure();
      return;
    }
    SmallVector<int64_t> at(idx);
    at[*axis] = *k;
    scatterInto(out, offsetOf(at, outStrides), updates, u++,
                op.getReduction());
  });
  if (failed(status))
    return failure();
  return Results{std::move(out)};
}

FailureOr<Results> evalScatterND(ScatterNDOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  const HostTensor &indices = env.get(op.getIndices());
  const HostTensor &updates = env.get(op.getUpdates());
  int64_t q = indices.getShape().back();
  if (q > x.getRank())
    return fail(op) << "index tuples of length " << q << " exceed the rank "
                    << "of " << formatShape(x.getShape());
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, x.getShape().drop_front(q));
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return fail(op) << "updates " << formatShape(updates.getShape())
                    << " must have shape " << formatShape(expected);
  int64_t tuples = getNumElements(indices.getShape().drop_back());
  int64_t slice = getNumElements(x.getShape().drop_front(q));
  SmallVector<int64_t> strides = getStrides(x.getShape());
  HostTensor out = x;
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t base = 0;
    for (int64_t j = 0; j < q; ++j) {
      FailureOr<int64_t> k =
          wrapIndex(op, indices.getInt(t * q + j), x.getShape()[j]);
      if (failed(k))
        return failure();
      base += *k * strides[j];
    }
    for (int64_t i = 0; i < slice; ++i)
      scatterInto(out, base + i, updates, t * slice + i, op.getReduction());
  }
  return Results{std::move(out)};
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

/// Input coordinate of output coordinate `o` (ONNX Resize). Like ONNX's
/// reference implementation, align_corners divides by the unrounded
/// resized length `in * scale` minus one (the integer output size `out`
/// differs from it when the scale does not divide evenly).
double sourceCoordinate(CoordTransform mode, int64_t o, double scale,
                        int64_t in, int64_t out) {
  switch (mode) {
  case CoordTransform::half_pixel:
    return (o + 0.5) / scale - 0.5;
  case CoordTransform::asymmetric:
    return o / scale;
  case CoordTransform::align_corners:
    return out == 1 ? 0.0 : o * double(in - 1) / (double(in) * scale - 1);
  case CoordTransform::pytorch_half_pixel:
    return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
  }
  return 0.0;
}

/// Nearest input index of coordinate `x` under `mode`, clamped.
int64_t nearestIndex(NearestMode mode, double x, int64_t in) {
  double r;
  switch (mode) {
  case NearestMode::round_prefer_floor:
    r = (x - std::floor(x) == 0.5) ? std::floor(x) : std::round(x);
    break;
  case NearestMode::round_prefer_ceil:
    r = (x - std::floor(x) == 0.5) ? std::ceil(x) : std::round(x);
    break;
  case NearestMode::floor:
    r = std::floor(x);
    break;
  case NearestMode::ceil:
    r = std::ceil(x);
    break;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1);
}

FailureOr<Results> evalResize(ResizeOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  ArrayRef<double> scales = op.getScales();
  int64_t rank = x.getRank();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(
        static_cast<int64_t>(std::floor(x.getShape()[d] * scales[d] + 1e-9)));
  for (int64_t d = 0; d < rank; ++d)
    if (x.getShape()[d] == 0 && shape[d] > 0)
      return fail(op) << "cannot resize an empty dim";
  // Per dim and output coordinate: the two source indices and the weight
  // of the upper one (nearest uses only the lower one).
  struct Tap {
    int64_t lo, hi;
    double w;
  };
  SmallVector<std::vector<Tap>> taps(rank);
  bool linear = op.getMode() == ResizeMode::linear;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t in = x.getShape()[d];
    for (int64_t o = 0; o < shape[d]; ++o) {
      double c = sourceCoordinate(op.getCoordinateTransformationMode(), o,
                                  scales[d], in, shape[d]);
      if (!linear) {
        int64_t i = nearestIndex(op.getNearestMode(), c, in);
        taps[d].push_back({i, i, 0.0});
        continue;
      }
      c = std::clamp(c, 0.0, double(in - 1));
      int64_t lo = static_cast<int64_t>(std::floor(c));
      int64_t hi = std::min(lo + 1, in - 1);
      taps[d].push_back({lo, hi, c - lo});
    }
  }
  SmallVector<int64_t> inStrides = getStrides(x.getShape());
  std::vector<double> values = x.toDoubles();
  std::vector<double> result;
  result.reserve(getNumElements(shape));
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    // Sum over the 2^rank corners of the interpolation cell.
    double sum = 0;
    for (int64_t corner = 0; corner < (int64_t(1) << rank); ++corner) {
      double w = 1;
      int64_t off = 0;
      for (int64_t d = 0; d < rank && w != 0; ++d) {
        const Tap &t = taps[d][idx[d]];
        bool upper = (corner >> d) & 1;
        w *= upper ? t.w : 1.0 - t.w;
        off += (upper ? t.hi : t.lo) * inStrides[d];
      }
      if (w != 0)
        sum += w * values[off];
    }
    result.push_back(sum);
  });
  return Results{HostTensor::fromDoubles(x.getElementType(), shape, result)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateIndexingOp(Operation *op, const Env &env) {
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](GatherOp o) { return evalGather(o, env); })
      .Case([&](GatherElementsOp o) { return evalGatherElements(o, env); })
      .Case([&](ScatterElementsOp o) { return evalScatterElements(o, env); })
      .Case([&](ScatterNDOp o) { return evalScatterND(o, env); })
      .Case([&](ResizeOp o) { return evalResize(o, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
