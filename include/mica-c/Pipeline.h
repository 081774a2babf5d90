//===- Pipeline.h - C API to run textual pass pipelines -----------*- C -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// Runs a pass pipeline, given in MLIR's textual pipeline syntax, on a module:
// the single entry point that C embedders, the Python module and mica-compile
// share.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_C_PIPELINE_H
#define MICA_C_PIPELINE_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Parses `pipeline` and runs it on `module` (in place).
///
/// `pipeline` is either anchored on the module,
///   "builtin.module(mica-refine-shapes{arg-shapes=0:1x4},canonicalize)",
/// or a bare list of module/op-agnostic passes and nested pipelines,
///   "mica-refine-shapes,func.func(canonicalize)".
/// The passes must have been registered (micaRegisterAllPasses). The IR is
/// verified after each pass.
///
/// Returns success when the pipeline parsed and every pass succeeded. On
/// failure, every message (the parse error, or the diagnostics emitted while
/// the pipeline ran, each with its location) is passed to `errorCallback`
/// together with `userData`, possibly in several pieces; the module may then be
/// partially transformed. `errorCallback` may be NULL.
MLIR_CAPI_EXPORTED MlirLogicalResult
micaRunPassPipeline(MlirModule module, MlirStringRef pipeline,
                    MlirStringCallback errorCallback, void *userData);

#ifdef __cplusplus
}
#endif

#endif // MICA_C_PIPELINE_H
