//===- Passes.h - Mica conversion passes ------------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Declarations and registration of every conversion pass, generated from
/// include/mica/Conversion/Passes.td.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_PASSES_H
#define MICA_CONVERSION_PASSES_H

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"
#include "mica/Conversion/MicaToRuntime/MicaToRuntime.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mica {

#define GEN_PASS_DECL
#include "mica/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mica/Conversion/Passes.h.inc"

} // namespace mica

#endif // MICA_CONVERSION_PASSES_H
