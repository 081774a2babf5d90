//===- MicaFolds.cpp - Mica folders and canonicalization ------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Constant folding of elementwise and shape ops on small constants, the
/// algebraic identities (no-op reshape/transpose/cast, reshape of reshape,
/// transpose of transpose), and the folding of the shape subgraphs that
/// PyTorch and TF exports are full of (Shape -> Gather -> Unsqueeze ->
/// Concat -> Reshape).
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mica;

namespace {

/// A small constant as a DenseElementsAttr (dense_resource blobs are
/// read), or null.
DenseElementsAttr smallDense(Attribute a) {
  auto e = dyn_cast_or_null<ElementsAttr>(a);
  if (!e || e.getNumElements() > kMaxFoldElements)
    return nullptr;
  if (auto d = dyn_cast<DenseElementsAttr>(e))
    return d;
  if (!isa<DenseResourceElementsAttr>(e))
    return nullptr;
  std::optional<std::vector<char>> bytes = getConstantBytes(e);
  if (!bytes)
    return nullptr;
  return DenseElementsAttr::getFromRawBuffer(cast<ShapedType>(e.getType()),
                                             *bytes);
}

/// Flat index into a tensor of `shape` for the output position `idx` of a
/// broadcast (right-aligned; size-1 dims are repeated).
int64_t broadcastIndex(ArrayRef<int64_t> idx, ArrayRef<int64_t> shape) {
  int64_t flat = 0, lead = idx.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    flat = flat * shape[i] + (shape[i] == 1 ? 0 : idx[lead + i]);
  return flat;
}

/// Calls `fn(flatOut, index)` for every position of a static shape.
void forEachIndex(ArrayRef<int64_t> shape,
                  llvm::function_ref<void(int64_t, ArrayRef<int64_t>)> fn) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    fn(flat, idx);
    for (int64_t i = shape.size() - 1; i >= 0; --i) {
      if (++idx[i] < shape[i])
        break;
      idx[i] = 0;
    }
  }
}

/// Element values as doubles (floats) or int64 (integers).
struct Values {
  SmallVector<double> f;
  SmallVector<int64_t> i;
  bool isFloat = false;
};

Values readValues(DenseElementsAttr d) {
  Values v;
  if (isa<FloatType>(d.getElementType())) {
    v.isFloat = true;
    for (const APFloat &x : d.getValues<APFloat>())
      v.f.push_back(x.convertToDouble());
  } else {
    bool isBool = d.getElementType().isInteger(1);
    for (const APInt &x : d.getValues<APInt>())
      v.i.push_back(isBool ? x.getZExtValue() : x.getSExtValue());
  }
  return v;
}

/// Builds a DenseElementsAttr of `type` from doubles or integers.
DenseElementsAttr makeDense(RankedTensorType type, ArrayRef<double> f,
                            ArrayRef<int64_t> i) {
  Type elt = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(elt)) {
    SmallVector<APFloat> vals;
    for (double x : f) {
      APFloat a(x);
      bool lost;
      a.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      vals.push_back(a);
    }
    return DenseElementsAttr::get(type, vals);
  }
  unsigned width = elt.getIntOrFloatBitWidth();
  SmallVector<APInt> vals;
  for (int64_t x : i)
    vals.push_back(APInt(width, width == 1 ? (x != 0) : x, /*isSigned=*/true,
                         /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, vals);
}

double applyUnary(Operation *op, double x) {
  return llvm::TypeSwitch<Operation *, double>(op)
      .Case([&](ExpOp) { return std::exp(x); })
      .Case([&](LogOp) { return std::log(x); })
      .Case([&](SqrtOp) { return std::sqrt(x); })
      .Case([&](RsqrtOp) { return 1.0 / std::sqrt(x); })
      .Case([&](ReciprocalOp) { return 1.0 / x; })
      .Case([&](ErfOp) { return std::erf(x); })
      .Case([&](TanhOp) { return std::tanh(x); })
      .Case([&](SigmoidOp) { return 1.0 / (1.0 + std::exp(-x)); })
      .Case([&](FloorOp) { return std::floor(x); })
      .Case([&](CeilOp) { return std::ceil(x); })
      .Case([&](RoundOp) { return std::nearbyint(x); })
      .Case([&](SinOp) { return std::sin(x); })
      .Case([&](CosOp) { return std::cos(x); })
      .Case([&](NegOp) { return -x; })
      .Case([&](AbsOp) { return std::fabs(x); })
      .Case([&](SignOp) { return double((x > 0) - (x < 0)); })
      .Case([&](ReluOp) { return x > 0 ? x : 0.0; })
      .Case([&](LeakyReluOp o) {
        return x < 0 ? o.getAlpha().convertToDouble() * x : x;
      })
      .Case([&](EluOp o) {
        return x < 0 ? o.getAlpha().convertToDouble() * (std::exp(x) - 1) : x;
      })
      .Case([&](ClipOp o) {
        if (o.getMin())
          x = std::max(x, o.getMin()->convertToDouble());
        if (o.getMax())
          x = std::min(x, o.getMax()->convertToDouble());
        return x;
      })
      .Case([&](GeluOp o) {
        if (o.getApproximate() == GeluApprox::tanh)
          return 0.5 * x *
                 (1 + std::tanh(std::sqrt(2 / M_PI) *
                                (x + 0.044715 * x * x * x)));
        return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
      })
      .Default([](Operation *) { return NAN; });
}

std::optional<int64_t> applyUnaryInt(Operation *op, int64_t x) {
  return llvm::TypeSwitch<Operation *, std::optional<int64_t>>(op)
      .Case([&](NegOp) { return -x; })
      .Case([&](AbsOp) { return x < 0 ? -x : x; })
      .Case([&](SignOp) { return int64_t((x > 0) - (x < 0)); })
      .Case([&](ReluOp) { return x > 0 ? x : 0; })
      .Case([&](NotOp) { return int64_t(!x); })
      .Case([&](ClipOp o) {
        if (o.getMin())
          x = std::max<int64_t>(x, o.getMin()->convertToDouble());
        if (o.getMax())
          x = std::min<int64_t>(x, o.getMax()->convertToDouble());
        return x;
      })
      .Default([](Operation *) { return std::nullopt; });
}

template <typename T>
std::optional<T> applyBinary(Operation *op, T a, T b) {
  constexpr bool isInt = std::is_integral_v<T>;
  return llvm::TypeSwitch<Operation *, std::optional<T>>(op)
      .Case([&](AddOp) { return a + b; })
      .Case([&](SubOp) { return a - b; })
      .Case([&](MulOp) { return a * b; })
      .Case([&](DivOp) -> std::optional<T> {
        if constexpr (isInt) {
          if (b == 0)
            return std::nullopt;
        }
        return a / b;
      })
      .Case([&](MaxOp) { return std::max(a, b); })
      .Case([&](MinOp) { return std::min(a, b); })
      .Case([&](PowOp) -> std::optional<T> {
        if constexpr (isInt) {
          if (b < 0)
            return std::nullopt;
          T r = 1;
          for (T k = 0; k < b; ++k)
            r *= a;
          return r;
        } else {
          return std::pow(a, b);
        }
      })
      .Case([&](ModOp o) -> std::optional<T> {
        if constexpr (isInt) {
          if (b == 0)
            return std::nullopt;
          T r = a % b;
          if (!o.getFmod() && r != 0 && ((r < 0) != (b < 0)))
            r += b;
          return r;
        } else {
          T r = std::fmod(a, b);
          if (!o.getFmod() && r != 0 && ((r < 0) != (b < 0)))
            r += b;
          return r;
        }
      })
      .Case([&](AndOp) { return T(a && b); })
      .Case([&](OrOp) { return T(a || b); })
      .Case([&](XorOp) { return T(bool(a) != bool(b)); })
      .Default([](Operation *) { return std::nullopt; });
}

bool isSplatOf(Attribute a, double v) {
  auto d = dyn_cast_or_null<DenseElementsAttr>(a);
  if (!d || !d.isSplat())
    return false;
  if (isa<FloatType>(d.getElementType()))
    return d.getSplatValue<APFloat>().convertToDouble() == v;
  return d.getSplatValue<APInt>().getSExtValue() == static_cast<int64_t>(v);
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise folders
//===----------------------------------------------------------------------===//

OpFoldResult mica::detail::foldUnaryOp(Operation *op,
                                       ArrayRef<Attribute> operands) {
  DenseElementsAttr in = smallDense(operands[0]);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!in || !type.hasStaticShape())
    return {};
  Values v = readValues(in);
  SmallVector<double> f;
  SmallVector<int64_t> i;
  if (v.isFloat) {
    for (double x : v.f)
      f.push_back(applyUnary(op, x));
  } else {
    for (int64_t x : v.i) {
      std::optional<int64_t> r = applyUnaryInt(op, x);
      if (!r)
        return {};
      i.push_back(*r);
    }
  }
  if (in.isSplat())
    return DenseElementsAttr::get(
        type, makeDense(RankedTensorType::get({1}, type.getElementType()), f,
                        i)
                  .getValues<Attribute>()[0]);
  return makeDense(type, f, i);
}

OpFoldResult mica::detail::foldBinaryOp(Operation *op,
                                        ArrayRef<Attribute> operands) {
  Value lhs = op->getOperand(0);
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  // Identities that keep the lhs as it is.
  if (lhs.getType() == type) {
    Attribute r = operands[1];
    if ((isa<AddOp, SubOp>(op) && isSplatOf(r, 0)) ||
        (isa<MulOp, DivOp>(op) && isSplatOf(r, 1)))
      return lhs;
  }
  DenseElementsAttr a = smallDense(operands[0]), b = smallDense(operands[1]);
  if (!a || !b || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  Values va = readValues(a), vb = readValues(b);
  auto sa = cast<RankedTensorType>(a.getType()).getShape();
  auto sb = cast<RankedTensorType>(b.getType()).getShape();
  SmallVector<double> f;
  SmallVector<int64_t> i;
  bool ok = true;
  forEachIndex(type.getShape(), [&](int64_t, ArrayRef<int64_t> idx) {
    int64_t ia = a.isSplat() ? 0 : broadcastIndex(idx, sa);
    int64_t ib = b.isSplat() ? 0 : broadcastIndex(idx, sb);
    if (va.isFloat) {
      std::optional<double> r = applyBinary<double>(op, va.f[ia], vb.f[ib]);
      ok &= r.has_value();
      f.push_back(r.value_or(0));
    } else {
      std::optional<int64_t> r = applyBinary<int64_t>(op, va.i[ia], vb.i[ib]);
      ok &= r.has_value();
      i.push_back(r.value_or(0));
    }
  });
  if (!ok)
    return {};
  return makeDense(type, f, i);
}

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr a = smallDense(adaptor.getLhs()),
                    b = smallDense(adaptor.getRhs());
  RankedTensorType type = getType();
  if (!a || !b || !type.hasStaticShape())
    return {};
  Values va = readValues(a), vb = readValues(b);
  auto sa = cast<RankedTensorType>(a.getType()).getShape();
  auto sb = cast<RankedTensorType>(b.getType()).getShape();
  SmallVector<int64_t> out;
  CmpPredicate p = getPredicate();
  forEachIndex(type.getShape(), [&](int64_t, ArrayRef<int64_t> idx) {
    int64_t ia = a.isSplat() ? 0 : broadcastIndex(idx, sa);
    int64_t ib = b.isSplat() ? 0 : broadcastIndex(idx, sb);
    double x = va.isFloat ? va.f[ia] : double(va.i[ia]);
    double y = va.isFloat ? vb.f[ib] : double(vb.i[ib]);
    bool r = false;
    switch (p) {
    case CmpPredicate::eq: r = x == y; break;
    case CmpPredicate::ne: r = x != y; break;
    case CmpPredicate::lt: r = x < y; break;
    case CmpPredicate::le: r = x <= y; break;
    case CmpPredicate::gt: r = x > y; break;
    case CmpPredicate::ge: r = x >= y; break;
    }
    out.push_back(r);
  });
  return makeDense(type, {}, out);
}

/// where(c, x, y): a splat condition selects one operand when it already has
/// the result type; all-constant operands fold elementwise.
OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr c = smallDense(adaptor.getCondition());
  RankedTensorType type = getType();
  if (!c)
    return {};
  if (c.isSplat()) {
    Value chosen = c.getSplatValue<bool>() ? getX() : getY();
    if (chosen.getType() == type)
      return chosen;
  }
  DenseElementsAttr x = smallDense(adaptor.getX()), y = smallDense(adaptor.getY());
  if (!x || !y || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  Values vc = readValues(c), vx = readValues(x), vy = readValues(y);
  auto sc = cast<RankedTensorType>(c.getType()).getShape();
  auto sx = cast<RankedTensorType>(x.getType()).getShape();
  auto sy = cast<RankedTensorType>(y.getType()).getShape();
  SmallVector<double> f;
  SmallVector<int64_t> i;
  forEachIndex(type.getShape(), [&](int64_t, ArrayRef<int64_t> idx) {
    int64_t ic = c.isSplat() ? 0 : broadcastIndex(idx, sc);
    int64_t ix = x.isSplat() ? 0 : broadcastIndex(idx, sx);
    int64_t iy = y.isSplat() ? 0 : broadcastIndex(idx, sy);
    bool take = vc.i[ic] != 0;
    if (vx.isFloat)
      f.push_back(take ? vx.f[ix] : vy.f[iy]);
    else
      i.push_back(take ? vx.i[ix] : vy.i[iy]);
  });
  return makeDense(type, f, i);
}

//===----------------------------------------------------------------------===//
// Structure folders
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in == out && in.getNumDynamicDims() <= 1)
    return getInput();
  if (auto d = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (out.hasStaticShape())
      return d.reshape(out);
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())) &&
      getInput().getType() == getType())
    return getInput();
  DenseElementsAttr d = smallDense(adaptor.getInput());
  if (!d || !getType().hasStaticShape())
    return {};
  if (d.isSplat())
    return d.resizeSplat(getType());
  auto inShape = getInput().getType().getShape();
  SmallVector<Attribute> src(d.getValues<Attribute>());
  SmallVector<Attribute> dst(src.size());
  SmallVector<int64_t> strides(inShape.size(), 1);
  for (int64_t i = inShape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * inShape[i + 1];
  forEachIndex(getType().getShape(), [&](int64_t flat, ArrayRef<int64_t> idx) {
    int64_t s = 0;
    for (size_t k = 0; k < idx.size(); ++k)
      s += idx[k] * strides[getPerm()[k]];
    dst[flat] = src[s];
  });
  return DenseElementsAttr::get(getType(), dst);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  RankedTensorType type = getType();
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldElements)
    return {};
  int64_t axis = *normalizeAxis(getAxis(), type.getRank());
  // Row-major concat: for each outer index, append each input's block.
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= type.getDimSize(i);
  SmallVector<SmallVector<Attribute>> parts;
  SmallVector<int64_t> blocks;
  for (auto [v, a] : llvm::zip(getInputs(), adaptor.getInputs())) {
    auto d = dyn_cast_or_null<DenseElementsAttr>(a);
    if (!d)
      return {};
    parts.emplace_back(d.getValues<Attribute>());
    blocks.push_back(d.getNumElements() / std::max<int64_t>(outer, 1));
  }
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t p = 0; p < parts.size(); ++p)
      out.append(parts[p].begin() + o * blocks[p],
                 parts[p].begin() + (o + 1) * blocks[p]);
  return DenseElementsAttr::get(type, out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  RankedTensorType in = getInput().getType();
  if (in == getType() && in.hasStaticShape()) {
    bool identity = true;
    for (auto [a, s, st] : llvm::zip(getAxes(), getStarts(), getSteps())) {
      int64_t dim = in.getDimSize(*normalizeAxis(a, in.getRank()));
      identity &= st == 1 && (s == 0 || s <= -dim);
    }
    if (identity)
      return getInput();
  }
  DenseElementsAttr d = smallDense(adaptor.getInput());
  if (!d || !getType().hasStaticShape() || !in.hasStaticShape())
    return {};
  if (d.isSplat())
    return d.resizeSplat(getType());
  // Start and step per dim.
  int64_t rank = in.getRank();
  SmallVector<int64_t> start(rank, 0), step(rank, 1);
  for (auto [a, s, st] : llvm::zip(getAxes(), getStarts(), getSteps())) {
    int64_t ax = *normalizeAxis(a, rank), dim = in.getDimSize(ax);
    int64_t v = s < 0 ? s + dim : s;
    start[ax] = st > 0 ? std::clamp<int64_t>(v, 0, dim)
                       : std::clamp<int64_t>(v, -1, dim - 1);
    step[ax] = st;
  }
  SmallVector<Attribute> src(d.getValues<Attribute>());
  SmallVector<Attribute> dst;
  forEachIndex(getType().getShape(), [&](int64_t, ArrayRef<int64_t> idx) {
    int64_t flat = 0;
    for (int64_t k = 0; k < rank; ++k)
      flat = flat * in.getDimSize(k) + start[k] + idx[k] * step[k];
    dst.push_back(src[flat]);
  });
  return DenseElementsAttr::get(getType(), dst);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr d = smallDense(adaptor.getInput());
  auto idxAttr =
      dyn_cast_or_null<DenseIntElementsAttr>(smallDense(adaptor.getIndices()));
  RankedTensorType in = getInput().getType();
  if (!d || !idxAttr || !getType().hasStaticShape() || !in.hasStaticShape())
    return {};
  int64_t axis = *normalizeAxis(getAxis(), in.getRank());
  int64_t outer = 1, inner = 1, n = in.getDimSize(axis);
  for (int64_t i = 0; i < axis; ++i)
    outer *= in.getDimSize(i);
  for (int64_t i = axis + 1; i < in.getRank(); ++i)
    inner *= in.getDimSize(i);
  SmallVector<int64_t> idx;
  for (const APInt &x : idxAttr.getValues<APInt>()) {
    int64_t k = x.getSExtValue();
    k = k < 0 ? k + n : k;
    if (k < 0 || k >= n)
      return {};
    idx.push_back(k);
  }
  SmallVector<Attribute> src(d.getValues<Attribute>());
  SmallVector<Attribute> dst;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : idx)
      for (int64_t i = 0; i < inner; ++i)
        dst.push_back(src[(o * n + k) * inner + i]);
  return DenseElementsAttr::get(getType(), dst);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  auto d = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (d && d.isSplat() && getType().hasStaticShape())
    return d.resizeSplat(getType());
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  DenseElementsAttr d = smallDense(adaptor.getInput());
  if (!d || !getType().hasStaticShape())
    return {};
  Values v = readValues(d);
  SmallVector<double> f;
  SmallVector<int64_t> i;
  bool toFloat = isa<FloatType>(getType().getElementType());
  bool toBool = getType().getElementType().isInteger(1);
  size_t n = v.isFloat ? v.f.size() : v.i.size();
  for (size_t k = 0; k < n; ++k) {
    double x = v.isFloat ? v.f[k] : double(v.i[k]);
    if (toFloat)
      f.push_back(x);
    else if (toBool)
      i.push_back(x != 0);
    else
      i.push_back(v.isFloat ? static_cast<int64_t>(std::trunc(x)) : v.i[k]);
  }
  auto type = d.isSplat()
                  ? RankedTensorType::get({1}, getType().getElementType())
                  : getType();
  DenseElementsAttr r = makeDense(type, f, i);
  return d.isSplat() ? r.resizeSplat(getType()) : r;
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto s = dyn_cast_or_null<DenseElementsAttr>(adaptor.getStart());
  auto l = dyn_cast_or_null<DenseElementsAttr>(adaptor.getLimit());
  auto d = dyn_cast_or_null<DenseElementsAttr>(adaptor.getDelta());
  if (!s || !l || !d || !getType().hasStaticShape())
    return {};
  Values vs = readValues(s), vl = readValues(l), vd = readValues(d);
  double start = vs.isFloat ? vs.f[0] : vs.i[0];
  double limit = vl.isFloat ? vl.f[0] : vl.i[0];
  double delta = vd.isFloat ? vd.f[0] : vd.i[0];
  if (delta == 0)
    return {};
  int64_t n = std::max<int64_t>(
      static_cast<int64_t>(std::ceil((limit - start) / delta)), 0);
  if (n != getType().getDimSize(0))
    return {};
  SmallVector<double> f;
  SmallVector<int64_t> i;
  for (int64_t k = 0; k < n; ++k) {
    f.push_back(start + k * delta);
    i.push_back(static_cast<int64_t>(start) + k * static_cast<int64_t>(delta));
  }
  return makeDense(getType(), f, i);
}

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  RankedTensorType in = getInput().getType();
  if (!in.hasStaticShape() || !getType().hasStaticShape())
    return {};
  return makeDense(getType(), {}, in.getShape());
}

OpFoldResult FillOp::fold(FoldAdaptor adaptor) {
  if (!getType().hasStaticShape() || !adaptor.getShape())
    return {};
  return SplatElementsAttr::get(getType(), getValue());
}

OpFoldResult ReduceOp::fold(FoldAdaptor) {
  if (getAxes().empty() && getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Canonicalization patterns
//===----------------------------------------------------------------------===//

namespace {

/// Replaces `op`'s result by `newValue`, casting back to the old type when
/// the new one is more refined (users keep the type they were built with).
void replaceWithRefined(PatternRewriter &rewriter, Operation *op,
                        Value newValue) {
  Type oldType = op->getResult(0).getType();
  if (newValue.getType() != oldType)
    newValue = tensor::CastOp::create(rewriter, op->getLoc(), oldType, newValue);
  rewriter.replaceOp(op, newValue);
}

/// reshape(reshape(x)) -> reshape(x): reshapes reinterpret the row-major
/// element order, so only the outer target matters.
///   %1 = mica.reshape %0 ...; %2 = mica.reshape %1 ... -> %2 = reshape %0
struct ComposeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  }
};

/// Uses the compile-time-known entries of the shape operand (through
/// Shape -> Gather -> Unsqueeze -> Concat chains) to make the result type
/// more static, and drops the operand once the result type says it all.
///   %s = concat(gather(shape_of %x), [12, 64]) ; reshape %x shape(%s)
///     : tensor<?x768xf32> -> tensor<?x?x?xf32>
///   -> reshape %x shape(%s) : ... -> tensor<?x12x64xf32>
struct RefineReshapeFromShape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Value shape = op.getShape();
    if (!shape)
      return rewriter.notifyMatchFailure(op, "no shape operand");
    auto values = getPartialShapeValues(shape);
    RankedTensorType out = op.getType(), in = op.getInput().getType();
    if (!values || static_cast<int64_t>(values->size()) != out.getRank())
      return rewriter.notifyMatchFailure(op, "shape entries are unknown");
    SmallVector<int64_t> dims(out.getShape());
    int64_t inferIdx = -1, known = 1;
    bool allKnown = true; // every entry but a -1 is known
    for (auto [i, v] : llvm::enumerate(*values)) {
      if (v && *v == -1) {
        inferIdx = i;
        continue;
      }
      if (v) {
        dims[i] = *v;
        known *= *v;
      } else if (ShapedType::isDynamic(dims[i])) {
        allKnown = false;
      } else {
        known *= dims[i];
      }
    }
    if (inferIdx >= 0) {
      if (allKnown && in.hasStaticShape() && known > 0)
        dims[inferIdx] = in.getNumElements() / known;
      else
        allKnown = false;
    }
    auto refined = RankedTensorType::get(dims, out.getElementType());
    // With at most one dynamic dim the element count determines it.
    bool dropShape = refined.getNumDynamicDims() <= 1;
    if (refined == out && !dropShape)
      return rewriter.notifyMatchFailure(op, "nothing to refine");
    auto newOp = ReshapeOp::create(rewriter, op.getLoc(), refined,
                                   op.getInput(),
                                   dropShape ? Value() : shape);
    replaceWithRefined(rewriter, op, newOp);
    return success();
  }
};

/// transpose(transpose(x, p1), p2) -> transpose(x, p1 o p2).
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a transpose");
    SmallVector<int64_t> perm;
    for (int64_t p : op.getPerm())
      perm.push_back(inner.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(),
                                             inner.getInput(), perm);
    return success();
  }
};

} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes, RefineReshapeFromShape>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<ComposeTransposes>(context);
}
