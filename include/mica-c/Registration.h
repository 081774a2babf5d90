//===- Registration.h - C API to register everything Mica provides -*- C -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// C counterparts of mica/InitAll.h: register Mica's dialects into a dialect
// registry and Mica's passes and pipelines with the global pass registry, so
// that textual pipelines (see mica-c/Pipeline.h and mlir-c/Pass.h) can name
// them.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_C_REGISTRATION_H
#define MICA_C_REGISTRATION_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Inserts the `mica` dialect and the upstream dialects Mica's IR and
/// pipelines use (func, tensor, arith, ...) into `registry`. Attach the
/// registry to a context with mlirContextAppendDialectRegistry.
MLIR_CAPI_EXPORTED void micaRegisterAllDialects(MlirDialectRegistry registry);

/// Registers every Mica pass (`mica-*`, `convert-*`) and the upstream generic
/// transformation passes Mica pipelines name (`canonicalize`, `cse`,
/// `inline`, ...) with the global pass registry. Idempotent; call it before
/// parsing a pipeline that names them.
MLIR_CAPI_EXPORTED void micaRegisterAllPasses(void);

/// Registers every Mica pass pipeline with the global pass registry.
/// Idempotent.
MLIR_CAPI_EXPORTED void micaRegisterAllPipelines(void);

#ifdef __cplusplus
}
#endif

#endif // MICA_C_REGISTRATION_H
