//===- MicaDialect.h - Mica dialect -----------------------------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Declares the `mica` dialect and its enum attributes.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_MICADIALECT_H
#define MICA_DIALECT_MICA_IR_MICADIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h.inc"
#include "mica/Dialect/Mica/IR/MicaEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mica/Dialect/Mica/IR/MicaAttrs.h.inc"

#endif // MICA_DIALECT_MICA_IR_MICADIALECT_H
