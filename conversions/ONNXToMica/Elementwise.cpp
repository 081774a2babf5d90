//===- Elementwise.cpp - ONNX elementwise ops to mica ----------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Binary arithmetic (numpy broadcasting), variadic Max/Min/Sum/Mean, unary
/// math and activations, comparisons, logic, Where, Cast/CastLike, Identity
/// and Dropout (inference: identity). Activations and math functions without
/// a mica op (HardSigmoid, Softplus, Celu, Shrink, sinh/cosh/tan, the inverse
/// trigonometric and hyperbolic functions, IsNaN/IsInf) are composed from
/// mica ops.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cmath>

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

namespace {

/// Binary op with broadcasting: `OpT(a, b)`. The exponent of Pow may have
/// another type than the base and is cast to it.
template <typename OpT>
LogicalResult convertBinary(NodeContext &ctx) {
  auto lhs = ctx.requiredInput(0), rhs = ctx.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  Value r = *rhs;
  if constexpr (std::is_same_v<OpT, PowOp>)
    r = ctx.castTo(r, getElementTypeOrSelf(lhs->getType()));
  FailureOr<Value> out;
  if constexpr (std::is_same_v<OpT, ModOp>)
    out = ctx.createValue<ModOp>(*lhs, r, ctx.attrInt("fmod", 0) != 0);
  else
    out = ctx.createValue<OpT>(*lhs, r);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// Variadic Max/Min/Sum (a chain of binary ops) and Mean (Sum / n).
template <typename OpT, bool isMean = false>
LogicalResult convertVariadic(NodeContext &ctx) {
  FailureOr<Value> acc = ctx.requiredInput(0);
  if (failed(acc))
    return failure();
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    FailureOr<Value> next = ctx.requiredInput(i);
    if (failed(next))
      return failure();
    acc = ctx.createValue<OpT>(*acc, *next);
    if (failed(acc))
      return failure();
  }
  if (isMean && ctx.numInputs() > 1) {
    Value n = ctx.scalarConstant(getElementTypeOrSelf(acc->getType()),
                                 ctx.numInputs());
    acc = ctx.createValue<DivOp>(*acc, n);
    if (failed(acc))
      return failure();
  }
  ctx.setResult(0, *acc);
  return success();
}

/// Comparison: Equal/Less/LessOrEqual/Greater/GreaterOrEqual.
template <CmpPredicate pred>
LogicalResult convertCompare(NodeContext &ctx) {
  auto lhs = ctx.requiredInput(0), rhs = ctx.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto out = ctx.createValue<CompareOp>(pred, *lhs, *rhs);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// Unary op whose result type is its operand type.
template <typename OpT>
LogicalResult convertUnary(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ctx.setResult(0, OpT::create(ctx.builder, ctx.loc, *x));
  return success();
}

/// LeakyRelu and Elu: unary with an `alpha` attribute.
template <typename OpT>
LogicalResult convertAlphaUnary(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  float dflt = std::is_same_v<OpT, LeakyReluOp> ? 0.01f : 1.0f;
  ctx.setResult(0, OpT::create(ctx.builder, ctx.loc, *x,
                               ctx.builder.getF32FloatAttr(
                                   ctx.attrFloat("alpha", dflt))));
  return success();
}

/// Clip: bounds are attributes before opset 11, optional constant inputs
/// from opset 11 on.
LogicalResult convertClip(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  std::optional<double> lo, hi;
  if (ctx.opset() < 11) {
    if (ctx.hasAttr("min"))
      lo = ctx.attrFloat("min", 0.0f);
    if (ctx.hasAttr("max"))
      hi = ctx.attrFloat("max", 0.0f);
  } else {
    for (unsigned i : {1u, 2u}) {
      if (!ctx.input(i))
        continue;
      auto v = ctx.constFloats(i);
      if (!v || v->size() != 1)
        return ctx.emitNotConstant(i, i == 1 ? "min" : "max",
                                   "a compile-time constant scalar");
      (i == 1 ? lo : hi) = (*v)[0];
    }
  }
  Builder &b = ctx.builder;
  FloatAttr minAttr = lo ? b.getF64FloatAttr(*lo) : FloatAttr();
  FloatAttr maxAttr = hi ? b.getF64FloatAttr(*hi) : FloatAttr();
  ctx.setResult(0, ClipOp::create(ctx.builder, ctx.loc, *x, minAttr, maxAttr));
  return success();
}

/// HardSigmoid: clip(alpha * x + beta, 0, 1); HardSwish: x * that with
/// alpha = 1/6, beta = 1/2.
template <bool isSwish>
LogicalResult convertHardSigmoid(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Type elt = getElementTypeOrSelf(x->getType());
  double alpha = isSwish ? 1.0 / 6 : ctx.attrFloat("alpha", 0.2f);
  double beta = isSwish ? 0.5 : ctx.attrFloat("beta", 0.5f);
  auto scaled = ctx.createValue<MulOp>(*x, ctx.scalarConstant(elt, alpha));
  if (failed(scaled))
    return failure();
  auto shifted = ctx.createValue<AddOp>(*scaled, ctx.scalarConstant(elt, beta));
  if (failed(shifted))
    return failure();
  Value hs = ClipOp::create(ctx.builder, ctx.loc, *shifted,
                            ctx.builder.getF64FloatAttr(0.0),
                            ctx.builder.getF64FloatAttr(1.0));
  if (isSwish) {
    auto out = ctx.createValue<MulOp>(*x, hs);
    if (failed(out))
      return failure();
    hs = *out;
  }
  ctx.setResult(0, hs);
  return success();
}

/// Softplus: log(exp(x) + 1); Softsign: x / (1 + |x|).
template <bool isSoftsign>
LogicalResult convertSoftActivation(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  OpBuilder &b = ctx.builder;
  Value one = ctx.scalarConstant(getElementTypeOrSelf(x->getType()), 1.0);
  Value inner = isSoftsign ? AbsOp::create(b, ctx.loc, *x).getResult()
                           : ExpOp::create(b, ctx.loc, *x).getResult();
  auto sum = ctx.createValue<AddOp>(inner, one);
  if (failed(sum))
    return failure();
  FailureOr<Value> out =
      isSoftsign ? ctx.createValue<DivOp>(*x, *sum)
                 : FailureOr<Value>(LogOp::create(b, ctx.loc, *sum).getResult());
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// Selu: gamma * (x > 0 ? x : alpha * (exp(x) - 1)) = gamma * elu(x).
LogicalResult convertSelu(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Value elu = EluOp::create(ctx.builder, ctx.loc, *x,
                            ctx.builder.getF32FloatAttr(ctx.attrFloat(
                                "alpha", 1.67326319217681884765625f)));
  auto out = ctx.createValue<MulOp>(
      elu, ctx.scalarConstant(getElementTypeOrSelf(x->getType()),
                              ctx.attrFloat("gamma", 1.05070102214813232421875f)));
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// PRelu: where(x < 0, x * slope, x).
LogicalResult convertPRelu(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), slope = ctx.requiredInput(1);
  if (failed(x) || failed(slope))
    return failure();
  Value zero = ctx.scalarConstant(getElementTypeOrSelf(x->getType()), 0.0);
  auto neg = ctx.createValue<CompareOp>(CmpPredicate::lt, *x, zero);
  auto scaled = ctx.createValue<MulOp>(*x, *slope);
  if (failed(neg) || failed(scaled))
    return failure();
  auto out = ctx.createValue<WhereOp>(*neg, *scaled, *x);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// Where(condition, x, y).
LogicalResult convertWhere(NodeContext &ctx) {
  auto c = ctx.requiredInput(0), x = ctx.requiredInput(1),
       y = ctx.requiredInput(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  auto out = ctx.createValue<WhereOp>(*c, *x, *y);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// Cast (`to` attribute) and CastLike (element type of input 1).
LogicalResult convertCast(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  Type elt;
  if (ctx.node.op_type() == "CastLike") {
    FailureOr<Value> like = ctx.requiredInput(1);
    if (failed(like))
      return failure();
    elt = getElementTypeOrSelf(like->getType());
  } else {
    int64_t to = ctx.attrInt("to", 0);
    elt = convertElementType(ctx.getContext(), to);
    if (!elt)
      return ctx.emitError() << "cast to " << onnxTypeName(to)
                             << ", which mica does not support";
  }
  ctx.setResult(0, ctx.castTo(*x, elt));
  return success();
}

/// Identity and Dropout (inference): the input itself; Dropout's optional
/// mask output is all true.
LogicalResult convertIdentity(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  ctx.setResult(0, *x);
  if (ctx.hasOutput(1)) {
    auto shape = ctx.createValue<ShapeOfOp>(*x);
    if (failed(shape))
      return failure();
    auto type = cast<RankedTensorType>(x->getType())
                    .clone(ctx.builder.getI1Type());
    ctx.setResult(1, FillOp::create(ctx.builder, ctx.loc, type, *shape,
                                    ctx.builder.getBoolAttr(true)));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Composed math: hyperbolic and inverse trigonometric functions, IsNaN,
// IsInf, ThresholdedRelu, Shrink, Celu
//===----------------------------------------------------------------------===//

/// Builds elementwise expressions at the node; the first failure (an
/// inference error, already reported) sticks and later steps are no-ops.
struct Expr {
  NodeContext &ctx;
  Type elt;
  bool failed = false;

  Value c(double v) { return ctx.scalarConstant(elt, v); }
  template <typename OpT> Value bin(Value a, Value b) {
    if (failed || !a || !b)
      return (failed = true, Value());
    FailureOr<Value> r = ctx.createValue<OpT>(a, b);
    if (mlir::failed(r))
      return (failed = true, Value());
    return *r;
  }
  template <typename OpT> Value un(Value a) {
    if (failed || !a)
      return (failed = true, Value());
    return OpT::create(ctx.builder, ctx.loc, a);
  }
  Value add(Value a, Value b) { return bin<AddOp>(a, b); }
  Value sub(Value a, Value b) { return bin<SubOp>(a, b); }
  Value mul(Value a, Value b) { return bin<MulOp>(a, b); }
  Value div(Value a, Value b) { return bin<DivOp>(a, b); }
  Value cmp(CmpPredicate p, Value a, Value b) {
    if (failed || !a || !b)
      return (failed = true, Value());
    FailureOr<Value> r = ctx.createValue<CompareOp>(p, a, b);
    if (mlir::failed(r))
      return (failed = true, Value());
    return *r;
  }
  Value select(Value cond, Value a, Value b) {
    if (failed || !cond || !a || !b)
      return (failed = true, Value());
    FailureOr<Value> r = ctx.createValue<WhereOp>(cond, a, b);
    if (mlir::failed(r))
      return (failed = true, Value());
    return *r;
  }

  /// atan(x) as in Cephes' atanf: reduce |x| to [0, tan(pi/8)] with
  /// atan(x) = pi/2 + atan(-1/x) (x > tan(3pi/8)) and
  /// atan(x) = pi/4 + atan((x-1)/(x+1)) (x > tan(pi/8)), then a degree-9 odd
  /// polynomial (relative error about 1e-7 in f32).
  Value atan(Value x) {
    Value ax = un<AbsOp>(x);
    Value big = cmp(CmpPredicate::gt, ax, c(2.414213562373095));
    Value mid = cmp(CmpPredicate::gt, ax, c(0.4142135623730950));
    Value t = select(big, div(c(-1.0), ax),
                     select(mid, div(sub(ax, c(1.0)), add(ax, c(1.0))), ax));
    Value base = select(big, c(M_PI_2), select(mid, c(M_PI_4), c(0.0)));
    Value z = mul(t, t);
    Value p = c(8.05374449538e-2);
    p = sub(mul(p, z), c(1.38776856032e-1));
    p = add(mul(p, z), c(1.99777106478e-1));
    p = sub(mul(p, z), c(3.33329491539e-1));
    Value r = add(base, add(mul(mul(p, z), t), t));
    return mul(un<SignOp>(x), r);
  }
};

/// Unary functions composed from mica ops:
///   Sinh = (e^x - e^-x) / 2, Cosh = (e^x + e^-x) / 2, Tan = sin / cos,
///   Asinh = sign(x) log(|x| + sqrt(x^2 + 1)), Acosh = log(x + sqrt(x^2-1)),
///   Atanh = log((1 + x) / (1 - x)) / 2, Atan (polynomial, see Expr::atan),
///   Asin = atan(x / sqrt(1 - x^2)), Acos = pi/2 - asin(x).
enum class MathFn { Sinh, Cosh, Tan, Asinh, Acosh, Atanh, Atan, Asin, Acos };

template <MathFn fn>
LogicalResult convertMath(NodeContext &ctx) {
  FailureOr<Value> in = ctx.requiredInput(0);
  if (failed(in))
    return failure();
  Value x = *in;
  Expr e{ctx, getElementTypeOrSelf(x.getType())};
  Value r;
  switch (fn) {
  case MathFn::Sinh:
  case MathFn::Cosh: {
    Value ep = e.un<ExpOp>(x), en = e.un<ExpOp>(e.un<NegOp>(x));
    r = e.mul(fn == MathFn::Sinh ? e.sub(ep, en) : e.add(ep, en), e.c(0.5));
    break;
  }
  case MathFn::Tan:
    r = e.div(e.un<SinOp>(x), e.un<CosOp>(x));
    break;
  case MathFn::Asinh: {
    Value ax = e.un<AbsOp>(x);
    Value root = e.un<SqrtOp>(e.add(e.mul(x, x), e.c(1.0)));
    r = e.mul(e.un<SignOp>(x), e.un<LogOp>(e.add(ax, root)));
    break;
  }
  case MathFn::Acosh:
    r = e.un<LogOp>(
        e.add(x, e.un<SqrtOp>(e.sub(e.mul(x, x), e.c(1.0)))));
    break;
  case MathFn::Atanh:
    r = e.mul(e.un<LogOp>(e.div(e.add(e.c(1.0), x), e.sub(e.c(1.0), x))),
              e.c(0.5));
    break;
  case MathFn::Atan:
    r = e.atan(x);
    break;
  case MathFn::Asin:
  case MathFn::Acos: {
    Value asin =
        e.atan(e.div(x, e.un<SqrtOp>(e.sub(e.c(1.0), e.mul(x, x)))));
    r = fn == MathFn::Asin ? asin : e.sub(e.c(M_PI_2), asin);
    break;
  }
  }
  if (e.failed)
    return failure();
  ctx.setResult(0, r);
  return success();
}

/// IsNaN: x != x. IsInf: x == +inf (detect_positive) or x == -inf
/// (detect_negative).
LogicalResult convertIsNaNOrInf(NodeContext &ctx) {
  FailureOr<Value> in = ctx.requiredInput(0);
  if (failed(in))
    return failure();
  Expr e{ctx, getElementTypeOrSelf(in->getType())};
  Value r;
  if (ctx.node.op_type() == "IsNaN") {
    r = e.cmp(CmpPredicate::ne, *in, *in);
  } else {
    bool pos = ctx.attrInt("detect_positive", 1) != 0;
    bool neg = ctx.attrInt("detect_negative", 1) != 0;
    Value isPos = e.cmp(CmpPredicate::eq, *in, e.c(INFINITY));
    Value isNeg = e.cmp(CmpPredicate::eq, *in, e.c(-INFINITY));
    if (pos && neg)
      r = e.bin<OrOp>(isPos, isNeg);
    else if (pos)
      r = isPos;
    else if (neg)
      r = isNeg;
    else
      r = e.cmp(CmpPredicate::ne, isPos, isPos); // all false
  }
  if (e.failed)
    return failure();
  ctx.setResult(0, r);
  return success();
}

/// ThresholdedRelu: x > alpha ? x : 0. Shrink: x < -lambd ? x + bias :
/// x > lambd ? x - bias : 0. Celu: max(0, x) + min(0, alpha (e^(x/alpha)
/// - 1)).
LogicalResult convertPiecewise(NodeContext &ctx) {
  FailureOr<Value> in = ctx.requiredInput(0);
  if (failed(in))
    return failure();
  Value x = *in;
  Expr e{ctx, getElementTypeOrSelf(x.getType())};
  StringRef op = ctx.node.op_type();
  Value r;
  if (op == "ThresholdedRelu") {
    r = e.select(e.cmp(CmpPredicate::gt, x, e.c(ctx.attrFloat("alpha", 1.0f))),
                 x, e.c(0.0));
  } else if (op == "Shrink") {
    double lambd = ctx.attrFloat("lambd", 0.5f);
    double bias = ctx.attrFloat("bias", 0.0f);
    r = e.select(e.cmp(CmpPredicate::lt, x, e.c(-lambd)), e.add(x, e.c(bias)),
                 e.select(e.cmp(CmpPredicate::gt, x, e.c(lambd)),
                          e.sub(x, e.c(bias)), e.c(0.0)));
  } else { // Celu
    double alpha = ctx.attrFloat("alpha", 1.0f);
    Value expm1 = e.sub(e.un<ExpOp>(e.div(x, e.c(alpha))), e.c(1.0));
    r = e.add(e.bin<MaxOp>(x, e.c(0.0)),
              e.bin<MinOp>(e.mul(expm1, e.c(alpha)), e.c(0.0)));
  }
  if (e.failed)
    return failure();
  ctx.setResult(0, r);
  return success();
}

} // namespace

void onnx_import::populateElementwiseConverters(ConverterTable &table) {
  auto add = [&](StringRef op, ConverterFn fn, int64_t minOpset = 1) {
    table[converterKey("", op)] = {fn, minOpset, 17};
  };
  // Opset 7 introduced numpy broadcasting for the binary ops.
  add("Add", convertBinary<AddOp>, 7);
  add("Sub", convertBinary<SubOp>, 7);
  add("Mul", convertBinary<MulOp>, 7);
  add("Div", convertBinary<DivOp>, 7);
  add("Pow", convertBinary<PowOp>, 7);
  add("Mod", convertBinary<ModOp>, 10);
  add("And", convertBinary<AndOp>, 7);
  add("Or", convertBinary<OrOp>, 7);
  add("Xor", convertBinary<XorOp>, 7);
  add("Max", convertVariadic<MaxOp>, 8);
  add("Min", convertVariadic<MinOp>, 8);
  add("Sum", convertVariadic<AddOp>, 8);
  add("Mean", convertVariadic<AddOp, true>, 8);
  add("Equal", convertCompare<CmpPredicate::eq>, 7);
  add("Less", convertCompare<CmpPredicate::lt>, 7);
  add("LessOrEqual", convertCompare<CmpPredicate::le>, 12);
  add("Greater", convertCompare<CmpPredicate::gt>, 7);
  add("GreaterOrEqual", convertCompare<CmpPredicate::ge>, 12);
  add("Neg", convertUnary<NegOp>, 6);
  add("Abs", convertUnary<AbsOp>, 6);
  add("Exp", convertUnary<ExpOp>, 6);
  add("Log", convertUnary<LogOp>, 6);
  add("Sqrt", convertUnary<SqrtOp>, 6);
  add("Reciprocal", convertUnary<ReciprocalOp>, 6);
  add("Erf", convertUnary<ErfOp>, 9);
  add("Tanh", convertUnary<TanhOp>, 6);
  add("Sigmoid", convertUnary<SigmoidOp>, 6);
  add("Relu", convertUnary<ReluOp>, 6);
  add("Floor", convertUnary<FloorOp>, 6);
  add("Ceil", convertUnary<CeilOp>, 6);
  add("Round", convertUnary<RoundOp>, 11);
  add("Sign", convertUnary<SignOp>, 9);
  add("Sin", convertUnary<SinOp>, 7);
  add("Cos", convertUnary<CosOp>, 7);
  add("Not", convertUnary<NotOp>, 1);
  add("LeakyRelu", convertAlphaUnary<LeakyReluOp>, 6);
  add("Elu", convertAlphaUnary<EluOp>, 6);
  add("Clip", convertClip, 6);
  add("HardSigmoid", convertHardSigmoid<false>, 6);
  add("HardSwish", convertHardSigmoid<true>, 14);
  add("Softplus", convertSoftActivation<false>, 1);
  add("Softsign", convertSoftActivation<true>, 1);
  add("Selu", convertSelu, 6);
  add("PRelu", convertPRelu, 7);
  add("Where", convertWhere, 9);
  add("Cast", convertCast, 6);
  add("CastLike", convertCast, 15);
  add("Identity", convertIdentity, 1);
  add("Dropout", convertIdentity, 7);
  add("Sinh", convertMath<MathFn::Sinh>, 9);
  add("Cosh", convertMath<MathFn::Cosh>, 9);
  add("Tan", convertMath<MathFn::Tan>, 7);
  add("Asinh", convertMath<MathFn::Asinh>, 9);
  add("Acosh", convertMath<MathFn::Acosh>, 9);
  add("Atanh", convertMath<MathFn::Atanh>, 9);
  add("Atan", convertMath<MathFn::Atan>, 7);
  add("Asin", convertMath<MathFn::Asin>, 7);
  add("Acos", convertMath<MathFn::Acos>, 7);
  add("IsNaN", convertIsNaNOrInf, 9);
  add("IsInf", convertIsNaNOrInf, 10);
  add("ThresholdedRelu", convertPiecewise, 10);
  add("Shrink", convertPiecewise, 9);
  add("Celu", convertPiecewise, 12);
}
