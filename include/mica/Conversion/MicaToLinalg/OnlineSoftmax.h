//===- OnlineSoftmax.h - online max/sum of softmax -------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The one-pass ("online") max and sum of softmax: a running max `m` and a
/// running sum `s` of exp(x - m), rescaled whenever the max grows:
///
///   m' = max(m, x)
///   s' = s * exp(m - m') + exp(x - m')
///
/// One of the two exponents is 0, so the step takes one exp:
///
///   e  = exp(min(m, x) - m')
///   s' = x > m ? s * e + 1 : s + e
///
/// `m` starts at the lowest finite value (not -inf), so that min(m, x) - m'
/// is never -inf - -inf; an x of -inf adds exp(-inf) = 0, a NaN makes m and
/// s NaN. Two partial states combine the same way:
///
///   m = max(m1, m2);  s = s1 * exp(m1 - m) + s2 * exp(m2 - m)
///
/// convert-mica-to-linalg writes the step as the body of a linalg.generic
/// with two reduction outputs (m, s); mica-cpu-vectorize recognizes that
/// body (isOnlineSoftmaxStep) and runs the step lane-wise on vectors, then
/// combines the lanes. Header-only: both libraries build the body from here.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_MICATOLINALG_ONLINESOFTMAX_H
#define MICA_CONVERSION_MICATOLINALG_ONLINESOFTMAX_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OperationSupport.h"

#include <utility>

namespace mica {

/// A float constant `v` of `type` (a float or a vector of floats).
inline mlir::Value onlineSoftmaxConst(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::Type type, const llvm::APFloat &v) {
  auto elt = mlir::cast<mlir::FloatType>(mlir::getElementTypeOrSelf(type));
  if (auto vt = mlir::dyn_cast<mlir::VectorType>(type))
    return mlir::arith::ConstantOp::create(b, loc,
                                           mlir::DenseElementsAttr::get(vt, v));
  return mlir::arith::ConstantOp::create(b, loc, b.getFloatAttr(elt, v));
}

/// The initial running max: the lowest finite value of `type`.
inline mlir::Value onlineSoftmaxInitMax(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::Type type) {
  auto elt = mlir::cast<mlir::FloatType>(mlir::getElementTypeOrSelf(type));
  return onlineSoftmaxConst(
      b, loc, type,
      llvm::APFloat::getLargest(elt.getFloatSemantics(), /*Negative=*/true));
}

/// One step: (m, s) and an element x -> (m', s'). Scalars or vectors.
inline std::pair<mlir::Value, mlir::Value>
buildOnlineSoftmaxStep(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                       mlir::Value m, mlir::Value s) {
  using namespace mlir;
  Value mNew = arith::MaximumFOp::create(b, loc, m, x);
  Value lo = arith::MinimumFOp::create(b, loc, m, x);
  Value e =
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, lo, mNew));
  Value grows = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, m);
  auto elt = cast<FloatType>(getElementTypeOrSelf(x.getType()));
  Value one = onlineSoftmaxConst(
      b, loc, x.getType(), llvm::APFloat::getOne(elt.getFloatSemantics()));
  Value scale = arith::SelectOp::create(b, loc, grows, e, one);
  Value add = arith::SelectOp::create(b, loc, grows, one, e);
  Value sNew = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, s, scale), add);
  return {mNew, sNew};
}

/// Two partial states -> their union (same types, scalars or vectors).
inline std::pair<mlir::Value, mlir::Value>
buildOnlineSoftmaxCombine(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value m1, mlir::Value s1, mlir::Value m2,
                          mlir::Value s2) {
  using namespace mlir;
  Value m = arith::MaximumFOp::create(b, loc, m1, m2);
  auto scaled = [&](Value mi, Value si) -> Value {
    Value e = math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, mi, m));
    return arith::MulFOp::create(b, loc, si, e);
  };
  Value s = arith::AddFOp::create(b, loc, scaled(m1, s1), scaled(m2, s2));
  return {m, s};
}

/// Whether `op` is the online max/sum reduction that
/// convert-mica-to-linalg writes for softmax: one float input, two
/// outputs (m, s) of the same type and the body of buildOnlineSoftmaxStep.
inline bool isOnlineSoftmaxStep(mlir::linalg::GenericOp op) {
  using namespace mlir;
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 2 ||
      op.getNumReductionLoops() == 0)
    return false;
  Block *body = op.getBody();
  Type elt = body->getArgument(0).getType();
  if (!isa<FloatType>(elt) ||
      !llvm::all_of(body->getArgumentTypes(), [&](Type t) { return t == elt; }))
    return false;
  // The expected body, built into a detached scratch generic (a region
  // needs a parent op to be compared) and compared.
  OpBuilder b(op.getContext());
  auto scratch = linalg::GenericOp::create(
      b, op.getLoc(), op->getResultTypes(), op.getDpsInputs(), op.getDpsInits(),
      op.getIndexingMapsArray(), op.getIteratorTypesArray(),
      [](OpBuilder &nb, Location l, ValueRange a) {
        auto [m, s] = buildOnlineSoftmaxStep(nb, l, a[0], a[1], a[2]);
        linalg::YieldOp::create(nb, l, ValueRange{m, s});
      });
  // Op by op in order, constants compared by value wherever they are
  // defined (canonicalization hoists them out of the body).
  DenseMap<Value, Value> mapped;
  for (auto [a, b] : llvm::zip_equal(scratch.getBody()->getArguments(),
                                     op.getBody()->getArguments()))
    mapped[a] = b;
  auto equivalent = [&](Value a, Value b) -> LogicalResult {
    Attribute ca, cb;
    if (mapped.lookup(a) == b || (matchPattern(a, m_Constant(&ca)) &&
                                  matchPattern(b, m_Constant(&cb)) && ca == cb))
      return success();
    return failure();
  };
  auto nonConstant = [](Block *block) {
    SmallVector<Operation *> ops;
    for (Operation &o : *block)
      if (!o.hasTrait<OpTrait::ConstantLike>())
        ops.push_back(&o);
    return ops;
  };
  SmallVector<Operation *> want = nonConstant(scratch.getBody()),
                           have = nonConstant(op.getBody());
  bool same = want.size() == have.size();
  for (size_t i = 0; same && i < want.size(); ++i)
    same = OperationEquivalence::isEquivalentTo(
        want[i], have[i], equivalent, [&](Value a, Value b) { mapped[a] = b; },
        OperationEquivalence::IgnoreLocations);
  scratch->erase();
  return same;
}

} // namespace mica

#endif // MICA_CONVERSION_MICATOLINALG_ONLINESOFTMAX_H
