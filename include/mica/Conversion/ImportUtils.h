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

#include "mlir/IR/Builders.h"
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

} // namespace mica

#endif // MICA_CONVERSION_IMPORTUTILS_H
