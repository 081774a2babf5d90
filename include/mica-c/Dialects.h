//===- Dialects.h - C API for the Mica dialects -------------------*- C -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// This header declares the C interface for registering and accessing the
// `mica` dialect, in the style of the upstream mlir-c/Dialect/*.h headers. A
// dialect handle is inserted into an MlirDialectRegistry (or loaded into an
// MlirContext directly) with mlirDialectHandleInsertDialect /
// mlirDialectHandleLoadDialect from mlir-c/IR.h.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_C_DIALECTS_H
#define MICA_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Declares `MlirDialectHandle mlirGetDialectHandle__mica__(void)`: the
/// handle of the `mica` dialect (namespace "mica").
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Mica, mica);

#ifdef __cplusplus
}
#endif

#endif // MICA_C_DIALECTS_H
