//===- Elementwise.cpp - TF elementwise op converters ---------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Arithmetic, math functions, activations, comparisons, logic, Select,
/// Cast, the Identity family and RandomUniform, whose output is tracked as a
/// value range so that dead dropout (keep_prob = 1) folds to a constant.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cmath>

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

//===----------------------------------------------------------------------===//
// Random ranges (dead dropout)
//===----------------------------------------------------------------------===//

namespace {
/// Range arithmetic supported on a RandomUniform value.
enum class RangeArith { Add, Sub, Mul, Div, None };
} // namespace

/// The single value of a constant splat input, if it is one.
static std::optional<double> splatValue(NodeContext &ctx, unsigned i) {
  std::optional<SmallVector<double>> values = ctx.constFloats(i);
  if (!values || values->empty())
    return std::nullopt;
  for (double v : *values)
    if (v != values->front())
      return std::nullopt;
  return values->front();
}

/// Binds output 0 to a range derived from `base` (type broadcast with the
/// other operand).
static LogicalResult bindRange(NodeContext &ctx, const RandomRange &base,
                               unsigned constInput, double lo, double hi) {
  RandomRange r = base;
  r.lo = lo;
  r.hi = hi;
  if (Value other = ctx.lookup(constInput).value) {
    auto otherType = cast<RankedTensorType>(other.getType());
    auto shape = broadcastShapes(base.type.getShape(), otherType.getShape());
    if (failed(shape))
      return ctx.emitError() << "operands do not broadcast: " << base.type
                             << " and " << otherType;
    r.type = RankedTensorType::get(*shape, base.type.getElementType());
    if (r.type != base.type)
      r.shape = Value();
  }
  ctx.state.ranges.push_back(r);
  TFValue v;
  v.range = ctx.state.ranges.size() - 1;
  ctx.setBinding(0, v);
  return success();
}

/// Handles a binary op one of whose operands is a random range. Returns
/// std::nullopt when neither operand is.
static std::optional<LogicalResult> convertRangeBinary(NodeContext &ctx,
                                                       RangeArith op) {
  int rangeIdx = -1;
  unsigned which = 0;
  for (unsigned i = 0; i < 2; ++i)
    if (ctx.lookup(i).range >= 0) {
      rangeIdx = ctx.lookup(i).range;
      which = i;
    }
  if (rangeIdx < 0)
    return std::nullopt;
  RandomRange base = ctx.state.ranges[rangeIdx];
  std::optional<double> c = splatValue(ctx, 1 - which);
  if (!c || op == RangeArith::None || (op == RangeArith::Sub && which == 1) ||
      (op == RangeArith::Div && (which == 1 || *c <= 0)) ||
      (op == RangeArith::Mul && *c < 0))
    return LogicalResult(ctx.input(which)); // Emits the "random" error.
  switch (op) {
  case RangeArith::Add:
    return bindRange(ctx, base, 1 - which, base.lo + *c, base.hi + *c);
  case RangeArith::Sub:
    return bindRange(ctx, base, 1 - which, base.lo - *c, base.hi - *c);
  case RangeArith::Mul:
    return bindRange(ctx, base, 1 - which, base.lo * *c, base.hi * *c);
  default:
    return bindRange(ctx, base, 1 - which, base.lo / *c, base.hi / *c);
  }
}

/// A constant (or, for dynamic shapes, a fill) with the shape of range `r`.
static FailureOr<Value> rangeConstant(NodeContext &ctx, const RandomRange &r,
                                      Type elt, double value) {
  if (r.type.hasStaticShape())
    return ctx.scalarConstant(elt, value, r.type.getShape());
  if (r.shape)
    return ctx.createTyped<FillOp>(
        RankedTensorType::get(r.type.getShape(), elt), r.shape,
                                   cast<TypedAttr>(scalarAttr(elt, value)));
  return ctx.emitError() << "RandomUniform '" << r.source->name()
                         << "' folds away but its shape " << r.type
                         << " is not static";
}

/// RandomUniform: output in [0, 1) of the shape given by input 0.
static LogicalResult convertRandomUniform(NodeContext &ctx) {
  FailureOr<Type> elt = ctx.attrElementType("dtype");
  FailureOr<Value> shapeValue = ctx.input(0);
  if (failed(elt) || failed(shapeValue))
    return failure();
  // The shape may be known only at run time (dropout on a dynamic batch).
  auto shapeType = cast<RankedTensorType>(shapeValue->getType());
  if (shapeType.getRank() != 1 || shapeType.isDynamicDim(0) ||
      !isa<IntegerType>(shapeType.getElementType()))
    return ctx.emitError() << "the shape must be a 1-D integer tensor of "
                              "static length, not "
                           << shapeType;
  std::optional<SmallVector<std::optional<int64_t>>> partial =
      getPartialShapeValues(*shapeValue);
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < shapeType.getDimSize(0); ++i) {
    std::optional<int64_t> d = partial ? (*partial)[i] : std::nullopt;
    if (d && *d < 0)
      return ctx.emitError() << "invalid dim " << *d << " in the shape";
    dims.push_back(d ? *d : ShapedType::kDynamic);
  }
  RandomRange r;
  r.source = &ctx.node;
  r.type = RankedTensorType::get(dims, *elt);
  r.shape = *shapeValue;
  ctx.state.ranges.push_back(r);
  TFValue v;
  v.range = ctx.state.ranges.size() - 1;
  ctx.setBinding(0, v);
  return success();
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

/// Converts a binary op to `OpT` (with range arithmetic `rop` on random
/// values).
template <typename OpT, RangeArith rop = RangeArith::None>
static LogicalResult convertBinary(NodeContext &ctx) {
  if (auto r = convertRangeBinary(ctx, rop))
    return *r;
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  FailureOr<Value> v = ctx.createValue<OpT>(in[0], in[1]);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// FloorMod: remainder with the divisor's sign.
static LogicalResult convertFloorMod(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  FailureOr<Value> v =
      ctx.createValue<ModOp>(in[0], in[1], ctx.builder.getBoolAttr(false));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// FloorDiv: floor(x / y) for floats; for integers the truncating quotient
/// minus one where the remainder is non-zero and the signs differ.
static LogicalResult convertFloorDiv(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  FailureOr<Value> q = ctx.createValue<DivOp>(in[0], in[1]);
  if (failed(q))
    return failure();
  Type elt = ctx.inputType(0).getElementType();
  if (isa<FloatType>(elt)) {
    FailureOr<Value> f = ctx.createValue<FloorOp>(*q);
    if (failed(f))
      return failure();
    ctx.setResult(0, *f);
    return success();
  }
  // r = x - q*y; adjust = (r != 0) & ((r < 0) != (y < 0)).
  auto pred = [&](CmpPredicate p) {
    return CmpPredicateAttr::get(ctx.getContext(), p);
  };
  Value zero = ctx.scalarConstant(elt, 0);
  FailureOr<Value> qy = ctx.createValue<MulOp>(*q, in[1]);
  if (failed(qy))
    return failure();
  FailureOr<Value> r = ctx.createValue<SubOp>(in[0], *qy);
  if (failed(r))
    return failure();
  FailureOr<Value> nz = ctx.createValue<CompareOp>(pred(CmpPredicate::ne), *r, zero);
  FailureOr<Value> rneg = ctx.createValue<CompareOp>(pred(CmpPredicate::lt), *r, zero);
  FailureOr<Value> yneg = ctx.createValue<CompareOp>(pred(CmpPredicate::lt), in[1], zero);
  if (failed(nz) || failed(rneg) || failed(yneg))
    return failure();
  FailureOr<Value> diff = ctx.createValue<XorOp>(*rneg, *yneg);
  if (failed(diff))
    return failure();
  FailureOr<Value> adjust = ctx.createValue<AndOp>(*nz, *diff);
  if (failed(adjust))
    return failure();
  Value one = ctx.castTo(*adjust, elt);
  FailureOr<Value> out = ctx.createValue<SubOp>(*q, one);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// SquaredDifference: (x - y) * (x - y).
static LogicalResult convertSquaredDifference(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  FailureOr<Value> d = ctx.createValue<SubOp>(in[0], in[1]);
  if (failed(d))
    return failure();
  FailureOr<Value> v = ctx.createValue<MulOp>(*d, *d);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// AddN: a chain of adds.
static LogicalResult convertAddN(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(ctx.numInputs(), in)) || in.empty())
    return in.empty() ? ctx.emitError() << "AddN needs inputs" : failure();
  Value acc = in[0];
  for (Value v : ArrayRef<Value>(in).drop_front()) {
    FailureOr<Value> sum = ctx.createValue<AddOp>(acc, v);
    if (failed(sum))
      return failure();
    acc = *sum;
  }
  ctx.setResult(0, acc);
  return success();
}

/// Evaluates `x <pred> c` for x in [lo, hi) when the answer is the same for
/// every x.
static std::optional<bool> decideCompare(CmpPredicate p, double lo, double hi,
                                         double c) {
  switch (p) {
  case CmpPredicate::ge:
    return lo >= c ? std::optional<bool>(true)
                   : hi <= c ? std::optional<bool>(false) : std::nullopt;
  case CmpPredicate::gt:
    return lo > c ? std::optional<bool>(true)
                  : hi <= c ? std::optional<bool>(false) : std::nullopt;
  case CmpPredicate::lt:
    return hi <= c ? std::optional<bool>(true)
                   : lo >= c ? std::optional<bool>(false) : std::nullopt;
  case CmpPredicate::le:
    return hi <= c ? std::optional<bool>(true)
                   : lo > c ? std::optional<bool>(false) : std::nullopt;
  default:
    return std::nullopt;
  }
}

/// Swaps the operands of a predicate (a < b == b > a).
static CmpPredicate swapped(CmpPredicate p) {
  switch (p) {
  case CmpPredicate::lt:
    return CmpPredicate::gt;
  case CmpPredicate::gt:
    return CmpPredicate::lt;
  case CmpPredicate::le:
    return CmpPredicate::ge;
  case CmpPredicate::ge:
    return CmpPredicate::le;
  default:
    return p;
  }
}

/// Equal, Less, ... (a random operand compared with a constant folds when
/// the answer is certain).
template <CmpPredicate pred>
static LogicalResult convertCompare(NodeContext &ctx) {
  for (unsigned i = 0; i < 2; ++i) {
    int idx = ctx.lookup(i).range;
    if (idx < 0)
      continue;
    RandomRange r = ctx.state.ranges[idx];
    std::optional<double> c = splatValue(ctx, 1 - i);
    std::optional<bool> answer;
    if (c)
      answer = decideCompare(i == 0 ? pred : swapped(pred), r.lo, r.hi, *c);
    if (!answer)
      return ctx.input(i);
    FailureOr<Value> v =
        rangeConstant(ctx, r, ctx.builder.getI1Type(), *answer ? 1 : 0);
    if (failed(v))
      return failure();
    ctx.setResult(0, *v);
    return success();
  }
  SmallVector<Value> in;
  if (failed(ctx.inputs(2, in)))
    return failure();
  FailureOr<Value> v = ctx.createValue<CompareOp>(
      CmpPredicateAttr::get(ctx.getContext(), pred), in[0], in[1]);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

/// Converts a unary op to `OpT`.
template <typename OpT>
static LogicalResult convertUnary(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> v = ctx.createTyped<OpT>(x->getType(), *x);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Floor (a random range whose values share one floor becomes a constant).
static LogicalResult convertFloor(NodeContext &ctx) {
  int idx = ctx.lookup(0).range;
  if (idx < 0)
    return convertUnary<FloorOp>(ctx);
  RandomRange r = ctx.state.ranges[idx];
  double f = std::floor(r.lo);
  if (r.hi > f + 1)
    return ctx.input(0);
  FailureOr<Value> v = rangeConstant(ctx, r, r.type.getElementType(), f);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Square: x * x.
static LogicalResult convertSquare(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> v = ctx.createValue<MulOp>(*x, *x);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Relu6: clip to [0, 6].
static LogicalResult convertRelu6(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> v =
      ctx.createTyped<ClipOp>(x->getType(), *x, ctx.builder.getF64FloatAttr(0),
                              ctx.builder.getF64FloatAttr(6));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Elu (alpha 1) and LeakyRelu (attr alpha).
template <typename OpT>
static LogicalResult convertAlphaActivation(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  if (failed(x))
    return failure();
  float alpha = std::is_same_v<OpT, EluOp> ? 1.0f : ctx.attrFloat("alpha", 0.2f);
  FailureOr<Value> v = ctx.createTyped<OpT>(x->getType(), *x,
                                            ctx.builder.getF32FloatAttr(alpha));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// Cast to DstT.
static LogicalResult convertCast(NodeContext &ctx) {
  FailureOr<Value> x = ctx.input(0);
  FailureOr<Type> elt = ctx.attrElementType("DstT");
  if (failed(x) || failed(elt))
    return failure();
  ctx.setResult(0, ctx.castTo(*x, *elt));
  return success();
}

/// Identity, StopGradient, Snapshot, ...: output i is input i (any binding,
/// so TensorArray handles and random values pass through).
static LogicalResult convertIdentity(NodeContext &ctx) {
  unsigned n = ctx.opType() == "IdentityN" ? ctx.numInputs() : 1;
  for (unsigned i = 0; i < n; ++i) {
    TFValue v = ctx.lookup(i);
    if (!v)
      return LogicalResult(ctx.input(i));
    ctx.setBinding(i, v);
  }
  return success();
}

/// Select (a rank-1 condition picks rows) and SelectV2 (broadcasting).
static LogicalResult convertSelect(NodeContext &ctx) {
  SmallVector<Value> in;
  if (failed(ctx.inputs(3, in)))
    return failure();
  auto condType = cast<RankedTensorType>(in[0].getType());
  auto xType = cast<RankedTensorType>(in[1].getType());
  if (ctx.opType() == "Select" && condType.getRank() == 1 &&
      xType.getRank() > 1) {
    SmallVector<int64_t> shape(xType.getRank(), 1);
    shape[0] = condType.getDimSize(0);
    FailureOr<Value> c = ctx.reshape(in[0], shape);
    if (failed(c))
      return failure();
    in[0] = *c;
  }
  FailureOr<Value> v = ctx.createValue<WhereOp>(in[0], in[1], in[2]);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

void tf_import::populateElementwiseConverters(ConverterTable &t) {
  t["Add"] = convertBinary<AddOp, RangeArith::Add>;
  t["AddV2"] = convertBinary<AddOp, RangeArith::Add>;
  t["Sub"] = convertBinary<SubOp, RangeArith::Sub>;
  t["Mul"] = convertBinary<MulOp, RangeArith::Mul>;
  t["RealDiv"] = convertBinary<DivOp, RangeArith::Div>;
  t["Div"] = convertBinary<DivOp, RangeArith::Div>;
  t["Maximum"] = convertBinary<MaxOp>;
  t["Minimum"] = convertBinary<MinOp>;
  t["Pow"] = convertBinary<PowOp>;
  t["LogicalAnd"] = convertBinary<AndOp>;
  t["LogicalOr"] = convertBinary<OrOp>;
  t["FloorMod"] = convertFloorMod;
  t["FloorDiv"] = convertFloorDiv;
  t["SquaredDifference"] = convertSquaredDifference;
  t["AddN"] = convertAddN;
  t["Equal"] = convertCompare<CmpPredicate::eq>;
  t["NotEqual"] = convertCompare<CmpPredicate::ne>;
  t["Less"] = convertCompare<CmpPredicate::lt>;
  t["LessEqual"] = convertCompare<CmpPredicate::le>;
  t["Greater"] = convertCompare<CmpPredicate::gt>;
  t["GreaterEqual"] = convertCompare<CmpPredicate::ge>;

  t["Neg"] = convertUnary<NegOp>;
  t["Abs"] = convertUnary<AbsOp>;
  t["Sign"] = convertUnary<SignOp>;
  t["Rsqrt"] = convertUnary<RsqrtOp>;
  t["Sqrt"] = convertUnary<SqrtOp>;
  t["Reciprocal"] = convertUnary<ReciprocalOp>;
  t["Inv"] = convertUnary<ReciprocalOp>;
  t["Exp"] = convertUnary<ExpOp>;
  t["Log"] = convertUnary<LogOp>;
  t["Tanh"] = convertUnary<TanhOp>;
  t["Sigmoid"] = convertUnary<SigmoidOp>;
  t["Relu"] = convertUnary<ReluOp>;
  t["Erf"] = convertUnary<ErfOp>;
  t["Ceil"] = convertUnary<CeilOp>;
  t["Round"] = convertUnary<RoundOp>;
  t["Sin"] = convertUnary<SinOp>;
  t["Cos"] = convertUnary<CosOp>;
  t["LogicalNot"] = convertUnary<NotOp>;
  t["Floor"] = convertFloor;
  t["Square"] = convertSquare;
  t["Relu6"] = convertRelu6;
  t["Elu"] = convertAlphaActivation<EluOp>;
  t["LeakyRelu"] = convertAlphaActivation<LeakyReluOp>;

  t["Cast"] = convertCast;
  t["Select"] = convertSelect;
  t["SelectV2"] = convertSelect;
  for (StringRef name : {"Identity", "IdentityN", "StopGradient", "Snapshot",
                         "PreventGradient", "CheckNumerics"})
    t[name] = convertIdentity;
  t["RandomUniform"] = convertRandomUniform;
}
