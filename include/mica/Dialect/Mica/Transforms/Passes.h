//===- Passes.h - Mica dialect passes ---------------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_TRANSFORMS_PASSES_H
#define MICA_DIALECT_MICA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mica {

#define GEN_PASS_DECL
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"

} // namespace mica

#endif // MICA_DIALECT_MICA_TRANSFORMS_PASSES_H
