//===- ImportUtils.h - building mica ops from untrusted models --*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Helpers the model importers share. Models are untrusted input: an op
/// built from a node must never abort the process, so result types are
/// inferred and the op verified before anything folds or uses it.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_IMPORTUTILS_H
#define MICA_CONVERSION_IMPORTUTILS_H

#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

namespace mica {

/// Creates `OpT` (an op with type inference) at `loc` from `args` with
/// `numResults` results, infers its result types and verifies it. Unlike
/// the inferring builders this never aborts: when inference fails, gives a
/// different number of results, or the verifier rejects the op (inference
/// may accept what the verifier does not, e.g. mixed element types), the
/// op is erased and failure returned; diagnostics from inference and the
/// verifier are emitted at `loc`.
template <typename OpT, typename... Args>
mlir::FailureOr<OpT> createInferredOp(mlir::OpBuilder &builder,
                                      mlir::Location loc, unsigned numResults,
                                      Args &&...args) {
  llvm::SmallVector<mlir::Type> placeholder(numResults,
                                            builder.getNoneType());
  OpT op = OpT::create(builder, loc, mlir::TypeRange(placeholder),
                       std::forward<Args>(args)...);
  llvm::SmallVector<mlir::Type> types;
  if (mlir::failed(OpT::inferReturnTypes(
          builder.getContext(), loc, op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), types)) ||
      types.size() != numResults) {
    op->erase();
    return mlir::failure();
  }
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  if (mlir::failed(mlir::verify(op.getOperation(), /*verifyRecursively=*/false))) {
    op->erase();
    return mlir::failure();
  }
  return op;
}

/// The integers `v` holds when they are known at import time: a constant,
/// or a 1-D value every element of which the shape analysis knows
/// (getPartialShapeValues, e.g. a shape computed from static dims).
inline std::optional<llvm::SmallVector<int64_t>> getKnownInts(mlir::Value v) {
  if (!v)
    return std::nullopt;
  mlir::Attribute attr;
  if (mlir::matchPattern(v, mlir::m_Constant(&attr)))
    if (auto elements = mlir::dyn_cast<mlir::ElementsAttr>(attr))
      return readIntElements(elements);
  if (mlir::cast<mlir::RankedTensorType>(v.getType()).getRank() != 1)
    return std::nullopt;
  auto partial = getPartialShapeValues(v);
  if (!partial)
    return std::nullopt;
  llvm::SmallVector<int64_t> out;
  for (std::optional<int64_t> e : *partial) {
    if (!e)
      return std::nullopt;
    out.push_back(*e);
  }
  return out;
}

/// The elements of `v` as doubles when it is a constant.
inline std::optional<llvm::SmallVector<double>>
getConstantFloats(mlir::Value v) {
  mlir::Attribute attr;
  if (!v || !mlir::matchPattern(v, mlir::m_Constant(&attr)))
    return std::nullopt;
  if (auto elements = mlir::dyn_cast<mlir::ElementsAttr>(attr))
    return readFloatElements(elements);
  return std::nullopt;
}

} // namespace mica

#endif // MICA_CONVERSION_IMPORTUTILS_H
