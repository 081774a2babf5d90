//===- Elementwise.cpp - Reference evaluation of elementwise ops ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Unary and binary elementwise ops, comparisons, `where` and `cast`.
/// Float math is done in double; integer math in int64 with two's
/// complement wrap-around to the element width.
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

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

/// Applies `f` (double -> double) to every element of a float tensor, or
/// `g` (int64 -> int64) to every element of an integer tensor.
template <typename FloatFn, typename IntFn>
FailureOr<Results> mapUnary(Operation *op, const Env &env, FloatFn f, IntFn g) {
  const HostTensor &x = env.get(op->getOperand(0));
  HostTensor out(x.getElementType(), x.getShape());
  if (x.isFloat()) {
    for (int64_t i = 0, e = x.getNumElements(); i < e; ++i)
      out.setDouble(i, f(x.getDouble(i)));
  } else {
    for (int64_t i = 0, e = x.getNumElements(); i < e; ++i)
      out.setInt(i, g(x.getInt(i)));
  }
  return Results{std::move(out)};
}

/// A float-only unary op (integer inputs are rejected by the verifier).
template <typename FloatFn>
FailureOr<Results> mapFloat(Operation *op, const Env &env, FloatFn f) {
  return mapUnary(op, env, f, [](int64_t v) { return v; });
}

/// Wrapping negation.
int64_t negate(int64_t v) {
  return static_cast<int64_t>(0 - static_cast<uint64_t>(v));
}

FailureOr<Results> evalClip(ClipOp op, const Env &env) {
  double lo = op.getMin() ? op.getMin()->convertToDouble()
                          : -std::numeric_limits<double>::infinity();
  double hi = op.getMax() ? op.getMax()->convertToDouble()
                          : std::numeric_limits<double>::infinity();
  auto clampInt = [&](int64_t v) {
    if (static_cast<double>(v) < lo)
      return static_cast<int64_t>(std::ceil(lo));
    if (static_cast<double>(v) > hi)
      return static_cast<int64_t>(std::floor(hi));
    return v;
  };
  return mapUnary(
      op, env,
      [&](double v) { return std::isnan(v) ? v : std::min(std::max(v, lo), hi); },
      clampInt);
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

/// Evaluates a broadcasting binary op: `f` on doubles for float operands,
/// `g` on int64 for integer and boolean operands. The result element type
/// is the op's (i1 for comparisons).
template <typename FloatFn, typename IntFn>
FailureOr<Results> mapBinary(Operation *op, const Env &env, FloatFn f,
                             IntFn g) {
  const HostTensor &a = env.get(op->getOperand(op->getNumOperands() - 2));
  const HostTensor &b = env.get(op->getOperand(op->getNumOperands() - 1));
  std::optional<SmallVector<int64_t>> shape =
      broadcastConcrete(a.getShape(), b.getShape());
  if (!shape)
    return fail(op) << "operand shapes " << formatShape(a.getShape())
                    << " and " << formatShape(b.getShape())
                    << " do not broadcast";
  SmallVector<int64_t> sa = getBroadcastStrides(a.getShape(), *shape);
  SmallVector<int64_t> sb = getBroadcastStrides(b.getShape(), *shape);
  HostTensor out(getResultElementType(op), *shape);
  int64_t o = 0;
  bool isFloat = a.isFloat();
  forEachIndex(*shape, [&](ArrayRef<int64_t> idx) {
    int64_t ia = offsetOf(idx, sa), ib = offsetOf(idx, sb);
    if (isFloat)
      out.setDouble(o++, f(a.getDouble(ia), b.getDouble(ib)));
    else
      out.setInt(o++, g(a.getInt(ia), b.getInt(ib)));
  });
  return Results{std::move(out)};
}

/// Fails when an integer divisor operand holds a zero.
LogicalResult checkIntDivisor(Operation *op, const Env &env) {
  const HostTensor &b = env.get(op->getOperand(1));
  if (b.isFloat())
    return success();
  for (int64_t i = 0, e = b.getNumElements(); i < e; ++i)
    if (b.getInt(i) == 0)
      return fail(op) << "integer division by zero (rhs element " << i << ")";
  return success();
}

/// Integer division truncating toward zero; INT64_MIN / -1 wraps.
int64_t divInt(int64_t a, int64_t b) {
  if (b == -1)
    return negate(a);
  return a / b;
}

/// Remainder with the sign of the dividend (`fmod`) or of the divisor.
int64_t modInt(int64_t a, int64_t b, bool fmod) {
  if (b == -1)
    return 0;
  int64_t r = a % b;
  if (!fmod && r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

double modFloat(double a, double b, bool fmod) {
  double r = std::fmod(a, b);
  if (!fmod && r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

/// Wrapping integer power by squaring (exponent >= 0).
int64_t powInt(int64_t base, int64_t exp) {
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1, b *= b)
    if (e & 1)
      result *= b;
  return static_cast<int64_t>(result);
}

FailureOr<Results> evalPow(PowOp op, const Env &env) {
  const HostTensor &b = env.get(op.getRhs());
  if (!b.isFloat())
    for (int64_t i = 0, e = b.getNumElements(); i < e; ++i)
      if (b.getInt(i) < 0)
        return fail(op) << "integer pow needs exponents >= 0, got "
                        << b.getInt(i);
  return mapBinary(
      op, env, [](double x, double y) { return std::pow(x, y); }, powInt);
}

/// NaN-propagating max/min.
double maxFloat(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN()
                                        : std::max(a, b);
}
double minFloat(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN()
                                        : std::min(a, b);
}

FailureOr<Results> evalCompare(CompareOp op, const Env &env) {
  CmpPredicate pred = op.getPredicate();
  auto cmp = [pred](auto a, auto b) -> int64_t {
    switch (pred) {
    case CmpPredicate::eq:
      return a == b;
    case CmpPredicate::ne:
      return a != b;
    case CmpPredicate::lt:
      return a < b;
    case CmpPredicate::le:
      return a <= b;
    case CmpPredicate::gt:
      return a > b;
    case CmpPredicate::ge:
      return a >= b;
    }
    return 0;
  };
  return mapBinary(
      op, env, [&](double a, double b) { return double(cmp(a, b)); },
      [&](int64_t a, int64_t b) { return cmp(a, b); });
}

//===----------------------------------------------------------------------===//
// where / cast
//===----------------------------------------------------------------------===//

FailureOr<Results> evalWhere(WhereOp op, const Env &env) {
  const HostTensor &c = env.get(op.getCondition());
  const HostTensor &x = env.get(op.getX());
  const HostTensor &y = env.get(op.getY());
  std::optional<SmallVector<int64_t>> shape =
      broadcastConcrete(c.getShape(), x.getShape());
  if (shape)
    shape = broadcastConcrete(*shape, y.getShape());
  if (!shape)
    return fail(op) << "condition " << formatShape(c.getShape()) << ", x "
                    << formatShape(x.getShape()) << " and y "
                    << formatShape(y.getShape()) << " do not broadcast";
  SmallVector<int64_t> sc = getBroadcastStrides(c.getShape(), *shape);
  SmallVector<int64_t> sx = getBroadcastStrides(x.getShape(), *shape);
  SmallVector<int64_t> sy = getBroadcastStrides(y.getShape(), *shape);
  HostTensor out(x.getElementType(), *shape);
  int64_t o = 0;
  forEachIndex(*shape, [&](ArrayRef<int64_t> idx) {
    if (c.getInt(offsetOf(idx, sc)))
      copyElement(x, offsetOf(idx, sx), out, o++);
    else
      copyElement(y, offsetOf(idx, sy), out, o++);
  });
  return Results{std::move(out)};
}

FailureOr<Results> evalCast(CastOp op, const Env &env) {
  const HostTensor &x = env.get(op.getInput());
  HostTensor out(getResultElementType(op), x.getShape());
  for (int64_t i = 0, e = x.getNumElements(); i < e; ++i) {
    if (x.isFloat())
      out.setDouble(i, x.getDouble(i));
    else
      out.setInt(i, x.getInt(i));
  }
  return Results{std::move(out)};
}

} // namespace

OpOutcome mica::reference::detail::evaluateElementwiseOp(Operation *op, const Env &env) {
  using R = FailureOr<Results>;
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      // Float unary ops.
      .Case([&](ExpOp) { return mapFloat(op, env, [](double x) { return std::exp(x); }); })
      .Case([&](LogOp) { return mapFloat(op, env, [](double x) { return std::log(x); }); })
      .Case([&](SqrtOp) { return mapFloat(op, env, [](double x) { return std::sqrt(x); }); })
      .Case([&](RsqrtOp) { return mapFloat(op, env, [](double x) { return 1.0 / std::sqrt(x); }); })
      .Case([&](ReciprocalOp) { return mapFloat(op, env, [](double x) { return 1.0 / x; }); })
      .Case([&](ErfOp) { return mapFloat(op, env, [](double x) { return std::erf(x); }); })
      .Case([&](TanhOp) { return mapFloat(op, env, [](double x) { return std::tanh(x); }); })
      .Case([&](SigmoidOp) { return mapFloat(op, env, sigmoid); })
      .Case([&](FloorOp) { return mapFloat(op, env, [](double x) { return std::floor(x); }); })
      .Case([&](CeilOp) { return mapFloat(op, env, [](double x) { return std::ceil(x); }); })
      // Round half to even (the default rounding mode), as ONNX Round.
      .Case([&](RoundOp) { return mapFloat(op, env, [](double x) { return std::nearbyint(x); }); })
      .Case([&](SinOp) { return mapFloat(op, env, [](double x) { return std::sin(x); }); })
      .Case([&](CosOp) { return mapFloat(op, env, [](double x) { return std::cos(x); }); })
      .Case([&](GeluOp g) {
        return mapFloat(op, env, g.getApproximate() == GeluApprox::tanh
                                     ? geluTanh
                                     : gelu);
      })
      .Case([&](LeakyReluOp l) {
        double alpha = l.getAlpha().convertToDouble();
        return mapFloat(op, env, [=](double x) { return x < 0 ? alpha * x : x; });
      })
      .Case([&](EluOp l) {
        double alpha = l.getAlpha().convertToDouble();
        return mapFloat(op, env, [=](double x) {
          return x < 0 ? alpha * (std::exp(x) - 1.0) : x;
        });
      })
      // Numeric unary ops.
      .Case([&](NegOp) {
        return mapUnary(op, env, [](double x) { return -x; }, negate);
      })
      .Case([&](AbsOp) {
        return mapUnary(op, env, [](double x) { return std::fabs(x); },
                        [](int64_t x) { return x < 0 ? negate(x) : x; });
      })
      .Case([&](SignOp) {
        return mapUnary(
            op, env,
            [](double x) { return std::isnan(x) ? x : double((x > 0) - (x < 0)); },
            [](int64_t x) { return int64_t((x > 0) - (x < 0)); });
      })
      .Case([&](ReluOp) {
        return mapUnary(op, env, [](double x) { return x < 0 ? 0.0 : x; },
                        [](int64_t x) { return x < 0 ? int64_t(0) : x; });
      })
      .Case([&](NotOp) {
        return mapUnary(op, env, [](double x) { return double(x == 0); },
                        [](int64_t x) { return int64_t(x == 0); });
      })
      .Case([&](ClipOp c) { return evalClip(c, env); })
      // Binary ops.
      .Case([&](AddOp) {
        return mapBinary(op, env, std::plus<double>(), [](int64_t a, int64_t b) {
          return int64_t(uint64_t(a) + uint64_t(b));
        });
      })
      .Case([&](SubOp) {
        return mapBinary(op, env, std::minus<double>(), [](int64_t a, int64_t b) {
          return int64_t(uint64_t(a) - uint64_t(b));
        });
      })
      .Case([&](MulOp) {
        return mapBinary(op, env, std::multiplies<double>(),
                         [](int64_t a, int64_t b) {
                           return int64_t(uint64_t(a) * uint64_t(b));
                         });
      })
      .Case([&](DivOp) -> R {
        if (failed(checkIntDivisor(op, env)))
          return failure();
        return mapBinary(op, env, std::divides<double>(), divInt);
      })
      .Case([&](ModOp m) -> R {
        if (failed(checkIntDivisor(op, env)))
          return failure();
        bool fmod = m.getFmod();
        return mapBinary(
            op, env, [=](double a, double b) { return modFloat(a, b, fmod); },
            [=](int64_t a, int64_t b) { return modInt(a, b, fmod); });
      })
      .Case([&](PowOp p) { return evalPow(p, env); })
      .Case([&](MaxOp) {
        return mapBinary(op, env, maxFloat,
                         [](int64_t a, int64_t b) { return std::max(a, b); });
      })
      .Case([&](MinOp) {
        return mapBinary(op, env, minFloat,
                         [](int64_t a, int64_t b) { return std::min(a, b); });
      })
      .Case([&](AndOp) {
        return mapBinary(op, env, std::multiplies<double>(),
                         [](int64_t a, int64_t b) { return int64_t(a && b); });
      })
      .Case([&](OrOp) {
        return mapBinary(op, env, std::plus<double>(),
                         [](int64_t a, int64_t b) { return int64_t(a || b); });
      })
      .Case([&](XorOp) {
        return mapBinary(op, env, std::plus<double>(),
                         [](int64_t a, int64_t b) { return int64_t(!a != !b); });
      })
      .Case([&](CompareOp c) { return evalCompare(c, env); })
      .Case([&](WhereOp w) { return evalWhere(w, env); })
      .Case([&](CastOp c) { return evalCast(c, env); })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}
