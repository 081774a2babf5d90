//===- Dialects.cpp - C API for the Mica dialects -------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica-c/Dialects.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h"

#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Mica, mica, mica::MicaDialect)
