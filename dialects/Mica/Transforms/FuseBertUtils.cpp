//===- FuseBertUtils.cpp - matchers shared by the BERT fusions ------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "FuseBertUtils.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

std::optional<double> mica::fusion::getScalarConstant(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (!attr.isSplat() && attr.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  if (isa<IntegerType>(attr.getElementType()))
    return static_cast<double>((*attr.getValues<APInt>().begin())
                                   .getSExtValue());
  return std::nullopt;
}

bool mica::fusion::isScalar(Value v, double expected, double tol) {
  std::optional<double> c = getScalarConstant(v);
  return c && std::fabs(*c - expected) <= tol * std::max(1.0, std::fabs(expected));
}

Value mica::fusion::otherOperand(Operation *op, Value v) {
  if (!op || op->getNumOperands() != 2)
    return nullptr;
  if (op->getOperand(0) == v)
    return op->getOperand(1);
  if (op->getOperand(1) == v)
    return op->getOperand(0);
  return nullptr;
}

std::optional<int64_t> mica::fusion::trailingMeanAxis(Operation *op) {
  auto reduce = dyn_cast_or_null<ReduceOp>(op);
  if (!reduce || reduce.getKind() != ReduceKind::mean || !reduce.getKeepdims())
    return std::nullopt;
  int64_t rank = reduce.getInput().getType().getRank();
  SmallVector<int64_t> axes;
  for (int64_t a : reduce.getAxes())
    axes.push_back(a < 0 ? a + rank : a);
  llvm::sort(axes);
  if (axes.empty() || axes.back() != rank - 1)
    return std::nullopt;
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return std::nullopt;
  return axes.front();
}
