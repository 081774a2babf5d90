//===- Evaluator.h - Reference evaluator of mica IR -------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The reference evaluator: a plain C++ interpreter of `mica` functions on
/// host tensors, op by op. It is the numeric oracle for importer
/// conformance, lowerings and graph rewrites, so it favours clarity over
/// speed: float math is done in double and rounded to the element type at
/// every op boundary (f16/bf16 results are rounded back from double).
///
/// Every `mica` op is supported, plus `func.return`, `tensor.cast` and
/// `arith.constant` on tensors. Shapes are checked at run time against the
/// op rules and the IR types; anything unsupported or inconsistent gives a
/// diagnostic at the op's location and a failure, never a crash.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_REFERENCE_EVALUATOR_H
#define MICA_REFERENCE_EVALUATOR_H

#include "mica/Reference/HostTensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

namespace mica::reference {

/// Evaluates `func` on `inputs` (one per argument, in order) and returns
/// its results. Argument types are checked against the inputs: the element
/// type and rank must match and static dims must equal the input dims;
/// dynamic dims take the input's size. Diagnostics go to the context's
/// diagnostic engine, located at the offending op (or the function).
mlir::FailureOr<llvm::SmallVector<HostTensor>>
evaluate(mlir::func::FuncOp func, llvm::ArrayRef<HostTensor> inputs);

} // namespace mica::reference

#endif // MICA_REFERENCE_EVALUATOR_H
