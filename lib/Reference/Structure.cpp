//===- Structure.cpp - Reference evaluation of structure ops --------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Ops that move elements without arithmetic: reshape, transpose, concat,
/// split, slice, expand, pad, tile; and the shape-producing ops shape_of,
/// fill, range and one_hot. Elements are copied as bytes, so every element
/// type is handled exactly.
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

/// A tensor with the bytes of `x` and a new shape (same element count).
HostTensor withShape(const HostTensor &x, ArrayRef<int64_t> shape) {
  HostTensor out(x.getElementType(), shape);
  std::copy(x.getBytes().begin(), x.getBytes().end(),
            out.getMutableBytes().begin());
  return out;
}

FailureOr<Results> evalReshape(ReshapeOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  RankedTensorType outType = op.getType();
  SmallVector<int64_t> target;
  if (Value shapeValue = op.getShape()) {
    target = llvm::to_vector(env.get(shapeValue).toInts());
    if (static_cast<int64_t>(target.size()) != outType.getRank())
      return fail(op) << "shape operand has " << target.size()
                      << " entries but the result has rank "
                      << outType.getRank();
  } else {
    for (int64_t d : outType.getShape())
      target.push_back(ShapedType::isDynamic(d) ? -1 : d);
  }
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1) {
      if (inferred >= 0)
        return fail(op) << "shape " << formatShape(target)
                        << " has more than one inferred (-1) dim";
      inferred = i;
    } else if (d < 0) {
      return fail(op) << "shape " << formatShape(target)
                      << " has a negative dim";
    } else {
      known *= d;
    }
  }
  int64_t numel = x.getNumElements();
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0)
      return fail(op) << "cannot reshape " << formatShape(x.getShape())
                      << " to " << formatShape(target);
    target[inferred] = numel / known;
  }
  if (getNumElements(target) != numel)
    return fail(op) << "cannot reshape " << formatShape(x.getShape()) << " ("
                    << numel << " elements) to " << formatShape(target);
  return Results{withShape(x, target)};
}

FailureOr<Results> evalTranspose(TransposeOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<int64_t> shape, inStrides = getStrides(x.getShape()), strides;
  for (int64_t p : perm) {
    shape.push_back(x.getShape()[p]);
    strides.push_back(inStrides[p]);
  }
  HostTensor out(x.getElementType(), shape);
  int64_t o = 0;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    copyElement(x, offsetOf(idx, strides), out, o++);
  });
  return Results{std::move(out)};
}

/// Copies `src` into `dst` at offset `start` along `axis` (other dims
/// equal).
void insertSlab(const HostTensor &src, HostTensor &dst, int64_t axis,
                int64_t start) {
  SmallVector<int64_t> dstStrides = getStrides(dst.getShape());
  int64_t s = 0;
  forEachIndex(src.getShape(), [&](ArrayRef<int64_t> idx) {
    SmallVector<int64_t> at(idx);
    at[axis] += start;
    copyElement(src, s++, dst, offsetOf(at, dstStrides));
  });
}

FailureOr<Results> evalConcat(ConcatOp op, const Env &env) {
  const HostTensor &first = env.get(op.getInputs().front());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (Value v : op.getInputs()) {
    const HostTensor &t = env.get(v);
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (d != *axis && t.getShape()[d] != shape[d])
        return fail(op) << "inputs " << formatShape(first.getShape())
                        << " and " << formatShape(t.getShape())
                        << " differ outside axis " << *axis;
    shape[*axis] += t.getShape()[*axis];
  }
  HostTensor out(first.getElementType(), shape);
  int64_t start = 0;
  for (Value v : op.getInputs()) {
    insertSlab(env.get(v), out, *axis, start);
    start += env.get(v).getShape()[*axis];
  }
  return Results{std::move(out)};
}

FailureOr<Results> evalSplit(SplitOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), x.getRank());
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (int64_t s : op.getSizes())
    total += s;
  if (total != x.getShape()[*axis])
    return fail(op) << "split sizes sum to " << total << " but dim " << *axis
                    << " of " << formatShape(x.getShape()) << " is "
                    << x.getShape()[*axis];
  SmallVector<int64_t> inStrides = getStrides(x.getShape());
  Results results;
  int64_t start = 0;
  for (int64_t s : op.getSizes()) {
    SmallVector<int64_t> shape(x.getShape());
    shape[*axis] = s;
    HostTensor out(x.getElementType(), shape);
    int64_t o = 0;
    forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
      SmallVector<int64_t> at(idx);
      at[*axis] += start;
      copyElement(x, offsetOf(at, inStrides), out, o++);
    });
    results.push_back(std::move(out));
    start += s;
  }
  return results;
}

FailureOr<Results> evalSlice(SliceOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  int64_t rank = x.getRank();
  SmallVector<int64_t> begin(rank, 0), step(rank, 1), shape(x.getShape());
  for (size_t i = 0; i < op.getAxes().size(); ++i) {
    FailureOr<int64_t> axis = getAxis(op, op.getAxes()[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = x.getShape()[*axis], st = op.getSteps()[i];
    if (st == 0)
      return fail(op) << "steps must be non-zero";
    auto wrap = [&](int64_t v) { return v < 0 ? v + dim : v; };
    int64_t s = wrap(op.getStarts()[i]), e = wrap(op.getEnds()[i]);
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      shape[*axis] = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, -1, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      shape[*axis] = s > e ? (s - e - st - 1) / (-st) : 0;
    }
    begin[*axis] = s;
    step[*axis] = st;
  }
  SmallVector<int64_t> inStrides = getStrides(x.getShape());
  HostTensor out(x.getElementType(), shape);
  int64_t o = 0;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d)
      off += (begin[d] + idx[d] * step[d]) * inStrides[d];
    copyElement(x, off, out, o++);
  });
  return Results{std::move(out)};
}

/// Broadcasts `x` to `shape` (which it must broadcast to).
HostTensor broadcastTo(const HostTensor &x, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides = getBroadcastStrides(x.getShape(), shape);
  HostTensor out(x.getElementType(), shape);
  int64_t o = 0;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    copyElement(x, offsetOf(idx, strides), out, o++);
  });
  return out;
}

FailureOr<Results> evalExpand(ExpandOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  RankedTensorType outType = op.getType();
  SmallVector<int64_t> target;
  if (Value shapeValue = op.getShape()) {
    target = llvm::to_vector(env.get(shapeValue).toInts());
  } else {
    int64_t lead = outType.getRank() - x.getRank();
    for (int64_t i = 0; i < outType.getRank(); ++i) {
      int64_t d = outType.getDimSize(i);
      target.push_back(!ShapedType::isDynamic(d) ? d
                       : i >= lead               ? x.getShape()[i - lead]
                                                 : 1);
    }
  }
  // ONNX Expand is a bidirectional broadcast.
  std::optional<SmallVector<int64_t>> shape =
      broadcastConcrete(x.getShape(), target);
  if (!shape || (!op.getShape() && *shape != target))
    return fail(op) << "cannot broadcast " << formatShape(x.getShape())
                    << " to " << formatShape(target);
  return Results{broadcastTo(x, *shape)};
}

/// Maps a padded coordinate to an input coordinate for reflect/edge modes.
int64_t padSource(int64_t c, int64_t dim, PadMode mode) {
  if (mode == PadMode::edge)
    return std::clamp<int64_t>(c, 0, dim - 1);
  if (dim == 1)
    return 0;
  int64_t period = 2 * (dim - 1);
  c = ((c % period) + period) % period;
  return c < dim ? c : period - c;
}

FailureOr<Results> evalPad(PadOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  int64_t rank = x.getRank();
  ArrayRef<int64_t> pads = op.getPads();
  PadMode mode = op.getMode();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = x.getShape()[d];
    int64_t o = dim + pads[d] + pads[d + rank];
    if (o < 0)
      return fail(op) << "pads crop dim " << d << " of "
                      << formatShape(x.getShape()) << " below zero";
    if (mode != PadMode::constant && dim == 0 && o > 0)
      return fail(op) << "cannot " << stringifyPadMode(mode)
                      << "-pad an empty dim";
    shape.push_back(o);
  }
  SmallVector<int64_t> inStrides = getStrides(x.getShape());
  HostTensor out(x.getElementType(), shape);
  HostTensor fill(x.getElementType(), {1});
  fill.setDouble(0, op.getValue().convertToDouble());
  int64_t o = 0;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    int64_t off = 0;
    bool inside = true;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = idx[d] - pads[d], dim = x.getShape()[d];
      if (c < 0 || c >= dim) {
        if (mode == PadMode::constant) {
          inside = false;
          break;
        }
        c = padSource(c, dim, mode);
      }
      off += c * inStrides[d];
    }
    if (inside)
      copyElement(x, off, out, o++);
    else
      copyElement(fill, 0, out, o++);
  });
  return Results{std::move(out)};
}

FailureOr<Results> evalTile(TileOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  SmallVector<int64_t> shape;
  for (auto [d, m] : llvm::zip(x.getShape(), op.getMultiples()))
    shape.push_back(d * m);
  SmallVector<int64_t> inStrides = getStrides(x.getShape());
  HostTensor out(x.getElementType(), shape);
  int64_t o = 0;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    int64_t off = 0;
    for (int64_t d = 0; d < x.getRank(); ++d)
      off += (idx[d] % x.getShape()[d]) * inStrides[d];
    copyElement(x, off, out, o++);
  });
  return Results{std::move(out)};
}

FailureOr<Results> evalShapeOf(ShapeOfOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  return Results{HostTensor::fromInts(ElementType::I64, {x.getRank()},
                                      x.getShape())};
}

FailureOr<Results> evalFill(FillOp op, const Env &env) {
  SmallVector<int64_t> shape = llvm::to_vector(env.get(op.getShape()).toInts());
  for (int64_t d : shape)
    if (d < 0)
      return fail(op) << "shape " << formatShape(shape) << " has a negative dim";
  HostTensor out(getResultElementType(op), shape);
  Attribute value = op.getValue();
  for (int64_t i = 0, e = out.getNumElements(); i < e; ++i) {
    if (auto f = dyn_cast<FloatAttr>(value))
      out.setDouble(i, f.getValueAsDouble());
    else if (auto n = dyn_cast<IntegerAttr>(value))
      out.setInt(i, n.getValue().getSExtValue());
    else
      return fail(op) << "value must be an integer or float attribute";
  }
  return Results{std::move(out)};
}

FailureOr<Results> evalRange(RangeOp op, const Env &env) {
  const HostTensor &start = env.get(op.getStart());
  const HostTensor &limit = env.get(op.getLimit());
  const HostTensor &delta = env.get(op.getDelta());
  ElementType type = getResultElementType(op);
  if (isFloatType(type)) {
    double s = start.getDouble(0), l = limit.getDouble(0),
           d = delta.getDouble(0);
    if (d == 0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d))
      return fail(op) << "needs a non-zero delta and finite bounds";
    int64_t n = std::max<int64_t>(
        static_cast<int64_t>(std::ceil((l - s) / d)), 0);
    HostTensor out(type, {n});
    for (int64_t i = 0; i < n; ++i)
      out.setDouble(i, s + i * d);
    return Results{std::move(out)};
  }
  int64_t s = start.getInt(0), l = limit.getInt(0), d = delta.getInt(0);
  if (d == 0)
    return fail(op) << "delta must be non-zero";
  int64_t span = l - s;
  int64_t n = d > 0 ? (span > 0 ? (span + d - 1) / d : 0)
                    : (span < 0 ? (-span + (-d) - 1) / (-d) : 0);
  HostTensor out(type, {n});
  for (int64_t i = 0; i < n; ++i)
    out.setInt(i, s + i * d);
  return Results{std::move(out)};
}

FailureOr<Results> evalOneHot(OneHotOp op, const Env &env) {
  const HostTensor &indices = env.get(op.getIndices());
  int64_t depth = op.getDepth();
  FailureOr<int64_t> axis = getAxis(op, op.getAxis(), indices.getRank() + 1);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + *axis, depth);
  HostTensor out(getResultElementType(op), shape);
  double on = op.getOnValue().convertToDouble();
  double off = op.getOffValue().convertToDouble();
  SmallVector<int64_t> idxStrides = getStrides(indices.getShape());
  int64_t o = 0;
  forEachIndex(shape, [&](ArrayRef<int64_t> idx) {
    SmallVector<int64_t> at(idx);
    at.erase(at.begin() + *axis);
    int64_t v = indices.getInt(offsetOf(at, idxStrides));
    if (v < 0)
      v += depth;
    out.setDouble(o++, v == idx[*axis] ? on : off);
  });
  return Results{std::move(out)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateStructureOp(Operation *op, const Env &env) {
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](ReshapeOp o) { return evalReshape(o, env); })
      .Case([&](TransposeOp o) { return evalTranspose(o, env); })
      .Case([&](ConcatOp o) { return evalConcat(o, env); })
      .Case([&](SplitOp o) { return evalSplit(o, env); })
      .Case([&](SliceOp o) { return evalSlice(o, env); })
      .Case([&](ExpandOp o) { return evalExpand(o, env); })
      .Case([&](PadOp o) { return evalPad(o, env); })
      .Case([&](TileOp o) { return evalTile(o, env); })
      .Case([&](ShapeOfOp o) { return evalShapeOf(o, env); })
      .Case([&](FillOp o) { return evalFill(o, env); })
      .Case([&](RangeOp o) { return evalRange(o, env); })
      .Case([&](OneHotOp o) { return evalOneHot(o, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
