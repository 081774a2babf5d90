//===- Elementwise.cpp - lower mica elementwise ops to linalg.generic -----===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Unary, binary (numpy broadcasting), compare, where and cast ops become
/// one elementwise `linalg.generic` each (see buildBroadcastGeneric for the
/// broadcast maps); the scalar bodies below follow the reference evaluator
/// (lib/Reference/Elementwise.cpp): NaN-propagating max/min/clip, integer
/// division truncating toward zero, `mod` with the divisor's sign unless
/// `fmod`, round half to even.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

bool isFloat(Type t) { return isa<FloatType>(t); }

//===----------------------------------------------------------------------===//
// Scalar bodies, one overload per op
//===----------------------------------------------------------------------===//

#define FLOAT_UNARY(OP, MATH)                                                  \
  Value scalarFor(OP, OpBuilder &b, Location loc, ValueRange a, Type) {        \
    return MATH::create(b, loc, a[0]);                                         \
  }
FLOAT_UNARY(ExpOp, math::ExpOp)
FLOAT_UNARY(LogOp, math::LogOp)
FLOAT_UNARY(SqrtOp, math::SqrtOp)
FLOAT_UNARY(RsqrtOp, math::RsqrtOp)
FLOAT_UNARY(ErfOp, math::ErfOp)
FLOAT_UNARY(TanhOp, math::TanhOp)
FLOAT_UNARY(FloorOp, math::FloorOp)
FLOAT_UNARY(CeilOp, math::CeilOp)
FLOAT_UNARY(RoundOp, math::RoundEvenOp)
FLOAT_UNARY(SinOp, math::SinOp)
FLOAT_UNARY(CosOp, math::CosOp)
#undef FLOAT_UNARY

Value scalarFor(ReciprocalOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  return arith::DivFOp::create(b, loc, scalarConst(b, loc, t, 1.0), a[0]);
}
Value scalarFor(SigmoidOp, OpBuilder &b, Location loc, ValueRange a, Type) {
  return buildSigmoid(b, loc, a[0]);
}
Value scalarFor(GeluOp op, OpBuilder &b, Location loc, ValueRange a, Type) {
  return buildGelu(b, loc, a[0], op.getApproximate() == GeluApprox::tanh);
}
Value scalarFor(NegOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::NegFOp::create(b, loc, a[0]);
  return arith::SubIOp::create(b, loc, scalarConst(b, loc, t, 0), a[0]);
}
Value scalarFor(AbsOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  if (isFloat(t))
    return math::AbsFOp::create(b, loc, a[0]);
  return math::AbsIOp::create(b, loc, a[0]);
}
/// sign(x) in {-1, 0, 1}; NaN stays NaN.
Value scalarFor(SignOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  Value zero = scalarConst(b, loc, t, 0), one = scalarConst(b, loc, t, 1),
        mone = scalarConst(b, loc, t, -1);
  Value gt, lt;
  if (isFloat(t)) {
    gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0], zero);
    lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  } else {
    gt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, a[0], zero);
    lt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[0], zero);
  }
  Value rest = isFloat(t) ? a[0] : zero;
  return arith::SelectOp::create(
      b, loc, gt, one, arith::SelectOp::create(b, loc, lt, mone, rest));
}
/// x < 0 ? 0 : x (NaN and -0.0 pass through, as in the reference).
Value scalarFor(ReluOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  if (!isFloat(t))
    return arith::MaxSIOp::create(b, loc, a[0], scalarConst(b, loc, t, 0));
  return buildActivation(b, loc, Activation::relu, a[0]);
}
Value scalarFor(NotOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  return arith::XOrIOp::create(b, loc, a[0], scalarConst(b, loc, t, 1));
}
Value scalarFor(LeakyReluOp op, OpBuilder &b, Location loc, ValueRange a,
                Type t) {
  Value zero = scalarConst(b, loc, t, 0);
  Value alpha = scalarConst(b, loc, t, op.getAlpha().convertToDouble());
  Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  return arith::SelectOp::create(b, loc, neg,
                                 arith::MulFOp::create(b, loc, alpha, a[0]),
                                 a[0]);
}
Value scalarFor(EluOp op, OpBuilder &b, Location loc, ValueRange a, Type t) {
  Value zero = scalarConst(b, loc, t, 0);
  Value alpha = scalarConst(b, loc, t, op.getAlpha().convertToDouble());
  Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[0], zero);
  Value em1 = math::ExpM1Op::create(b, loc, a[0]);
  return arith::SelectOp::create(b, loc, neg,
                                 arith::MulFOp::create(b, loc, alpha, em1),
                                 a[0]);
}
/// min(max(x, lo), hi), NaN-propagating; integer bounds are rounded inward.
Value scalarFor(ClipOp op, OpBuilder &b, Location loc, ValueRange a, Type t) {
  Value v = a[0];
  if (std::optional<APFloat> lo = op.getMin()) {
    double d = lo->convertToDouble();
    if (isFloat(t))
      v = arith::MaximumFOp::create(b, loc, v, scalarConst(b, loc, t, d));
    else
      v = arith::MaxSIOp::create(b, loc, v, scalarConst(b, loc, t, std::ceil(d)));
  }
  if (std::optional<APFloat> hi = op.getMax()) {
    double d = hi->convertToDouble();
    if (isFloat(t))
      v = arith::MinimumFOp::create(b, loc, v, scalarConst(b, loc, t, d));
    else
      v = arith::MinSIOp::create(b, loc, v, scalarConst(b, loc, t, std::floor(d)));
  }
  return v;
}

#define BINARY(OP, FOP, IOP)                                                   \
  Value scalarFor(OP, OpBuilder &b, Location loc, ValueRange a, Type t) {      \
    if (isFloat(t))                                                            \
      return FOP::create(b, loc, a[0], a[1]);                                  \
    return IOP::create(b, loc, a[0], a[1]);                                    \
  }
BINARY(AddOp, arith::AddFOp, arith::AddIOp)
BINARY(SubOp, arith::SubFOp, arith::SubIOp)
BINARY(MulOp, arith::MulFOp, arith::MulIOp)
BINARY(MaxOp, arith::MaximumFOp, arith::MaxSIOp)
BINARY(MinOp, arith::MinimumFOp, arith::MinSIOp)
BINARY(PowOp, math::PowFOp, math::IPowIOp)
BINARY(AndOp, arith::AndIOp, arith::AndIOp)
BINARY(OrOp, arith::OrIOp, arith::OrIOp)
BINARY(XorOp, arith::XOrIOp, arith::XOrIOp)
#undef BINARY

/// For an integer divisor `d`: (d == -1, d with -1 replaced by 1), so that
/// INT_MIN / -1 never reaches the hardware divide.
std::pair<Value, Value> safeDivisor(OpBuilder &b, Location loc, Value d) {
  Type t = d.getType();
  Value isMinusOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d,
                                           scalarConst(b, loc, t, -1));
  Value safe = arith::SelectOp::create(b, loc, isMinusOne,
                                       scalarConst(b, loc, t, 1), d);
  return {isMinusOne, safe};
}

Value scalarFor(DivOp, OpBuilder &b, Location loc, ValueRange a, Type t) {
  if (isFloat(t))
    return arith::DivFOp::create(b, loc, a[0], a[1]);
  auto [isMinusOne, safe] = safeDivisor(b, loc, a[1]);
  Value q = arith::DivSIOp::create(b, loc, a[0], safe);
  Value negated = arith::SubIOp::create(b, loc, scalarConst(b, loc, t, 0), a[0]);
  return arith::SelectOp::create(b, loc, isMinusOne, negated, q);
}

/// C remainder, then shifted by the divisor when the signs differ (unless
/// `fmod`).
Value scalarFor(ModOp op, OpBuilder &b, Location loc, ValueRange a, Type t) {
  Value zero = scalarConst(b, loc, t, 0);
  Value r, rNonZero, rNeg, dNeg;
  if (isFloat(t)) {
    r = arith::RemFOp::create(b, loc, a[0], a[1]);
    rNonZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, r, zero);
    rNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, r, zero);
    dNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a[1], zero);
  } else {
    auto [isMinusOne, safe] = safeDivisor(b, loc, a[1]);
    r = arith::RemSIOp::create(b, loc, a[0], safe);
    rNonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
    rNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
    dNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[1], zero);
  }
  if (op.getFmod())
    return r;
  Value signsDiffer = arith::XOrIOp::create(b, loc, rNeg, dNeg);
  Value fix = arith::AndIOp::create(b, loc, rNonZero, signsDiffer);
  Value shifted = isFloat(t) ? Value(arith::AddFOp::create(b, loc, r, a[1]))
                             : Value(arith::AddIOp::create(b, loc, r, a[1]));
  return arith::SelectOp::create(b, loc, fix, shifted, r);
}

Value scalarFor(CompareOp op, OpBuilder &b, Location loc, ValueRange a, Type) {
  Type t = a[0].getType();
  CmpPredicate p = op.getPredicate();
  if (isFloat(t)) {
    arith::CmpFPredicate fp;
    switch (p) {
    case CmpPredicate::eq: fp = arith::CmpFPredicate::OEQ; break;
    case CmpPredicate::ne: fp = arith::CmpFPredicate::UNE; break;
    case CmpPredicate::lt: fp = arith::CmpFPredicate::OLT; break;
    case CmpPredicate::le: fp = arith::CmpFPredicate::OLE; break;
    case CmpPredicate::gt: fp = arith::CmpFPredicate::OGT; break;
    case CmpPredicate::ge: fp = arith::CmpFPredicate::OGE; break;
    }
    return arith::CmpFOp::create(b, loc, fp, a[0], a[1]);
  }
  // Booleans compare as 0/1 (unsigned), integers signed.
  bool u = t.isInteger(1);
  arith::CmpIPredicate ip;
  switch (p) {
  case CmpPredicate::eq: ip = arith::CmpIPredicate::eq; break;
  case CmpPredicate::ne: ip = arith::CmpIPredicate::ne; break;
  case CmpPredicate::lt: ip = u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt; break;
  case CmpPredicate::le: ip = u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle; break;
  case CmpPredicate::gt: ip = u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt; break;
  case CmpPredicate::ge: ip = u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge; break;
  }
  return arith::CmpIOp::create(b, loc, ip, a[0], a[1]);
}

Value scalarFor(WhereOp, OpBuilder &b, Location loc, ValueRange a, Type) {
  return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
}

/// float<->float rounds, float->int truncates toward zero, int->int
/// sign-extends or truncates, x->i1 is x != 0, i1->x is 0 or 1.
Value scalarFor(CastOp, OpBuilder &b, Location loc, ValueRange a, Type to) {
  Value x = a[0];
  Type from = x.getType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    Value zero = scalarConst(b, loc, from, 0);
    if (isFloat(from))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  bool fromBool = from.isInteger(1);
  if (isFloat(from) && isFloat(to)) {
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, to, x);
    if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth())
      return arith::TruncFOp::create(b, loc, to, x);
    // f16 <-> bf16: through f32.
    Value f32 = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    return arith::TruncFOp::create(b, loc, to, f32);
  }
  if (isFloat(from))
    return arith::FPToSIOp::create(b, loc, to, x);
  if (isFloat(to))
    return fromBool ? Value(arith::UIToFPOp::create(b, loc, to, x))
                    : Value(arith::SIToFPOp::create(b, loc, to, x));
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (fw < tw)
    return fromBool ? Value(arith::ExtUIOp::create(b, loc, to, x))
                    : Value(arith::ExtSIOp::create(b, loc, to, x));
  return arith::TruncIOp::create(b, loc, to, x);
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

/// Any elementwise mica op -> one broadcasting linalg.generic:
///   %r = mica.add %a, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> ...
/// becomes a generic reading %a with (d0, d1) -> (d0, d1) and the collapsed
/// tensor<4xf32> of %b with (d0, d1) -> (d1), body `arith.addf`.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = dyn_cast<RankedTensorType>(op.getType());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "unranked result");
    Type elt = resultType.getElementType();
    Value r = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return scalarFor(op, b, loc, args, elt);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void mica::populateMicaElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<
      ElementwiseLowering<ExpOp>, ElementwiseLowering<LogOp>,
      ElementwiseLowering<SqrtOp>, ElementwiseLowering<RsqrtOp>,
      ElementwiseLowering<ReciprocalOp>, ElementwiseLowering<ErfOp>,
      ElementwiseLowering<TanhOp>, ElementwiseLowering<SigmoidOp>,
      ElementwiseLowering<FloorOp>, ElementwiseLowering<CeilOp>,
      ElementwiseLowering<RoundOp>, ElementwiseLowering<SinOp>,
      ElementwiseLowering<CosOp>, ElementwiseLowering<NegOp>,
      ElementwiseLowering<AbsOp>, ElementwiseLowering<SignOp>,
      ElementwiseLowering<ReluOp>, ElementwiseLowering<NotOp>,
      ElementwiseLowering<LeakyReluOp>, ElementwiseLowering<EluOp>,
      ElementwiseLowering<ClipOp>, ElementwiseLowering<GeluOp>,
      ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
      ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
      ElementwiseLowering<ModOp>, ElementwiseLowering<PowOp>,
      ElementwiseLowering<MaxOp>, ElementwiseLowering<MinOp>,
      ElementwiseLowering<AndOp>, ElementwiseLowering<OrOp>,
      ElementwiseLowering<XorOp>, ElementwiseLowering<CompareOp>,
      ElementwiseLowering<WhereOp>, ElementwiseLowering<CastOp>>(ctx);
}
