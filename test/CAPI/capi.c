//===- capi.c - exercise the Mica C API from C ----------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// A plain C program over the upstream MLIR C API and Mica's: registers mica,
// parses a module of mica ops, runs pass pipelines given as text (anchored
// and bare), prints the results, and checks that bad pipelines report their
// errors through the callback. Built as mica-capi-test; this file is also
// the lit test that runs it (like upstream's mlir/test/CAPI/*.c).
//
//===----------------------------------------------------------------------===//

// RUN: mica-capi-test 2>&1 | FileCheck %s

#include "mica-c/Dialects.h"
#include "mica-c/Pipeline.h"
#include "mica-c/Registration.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// A function with dynamic shapes, a dead constant (removed by canonicalize
/// only) and two mica ops whose types mica-refine-shapes makes static.
static const char *kModule =
    "func.func @f(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {\n"
    "  %c = arith.constant 7 : i32\n"
    "  %0 = mica.relu %x : tensor<?x?xf32>\n"
    "  %1 = mica.tanh %0 : tensor<?x?xf32>\n"
    "  return %1 : tensor<?x?xf32>\n"
    "}\n";

/// MlirStringCallback that prints to stderr (FileCheck sees 2>&1).
static void printToStderr(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stderr);
}

/// Counts the callback invocations and prints each message prefixed.
static void recordError(MlirStringRef str, void *userData) {
  ++*(int *)userData;
  fprintf(stderr, "callback: %.*s", (int)str.length, str.data);
}

/// Parses kModule, runs `pipeline` on it, prints the module on success, and
/// prints what the error callback received on failure. Returns 1 when the
/// outcome differs from `expectSuccess`.
static int runOne(MlirContext ctx, const char *pipeline, int expectSuccess) {
  fprintf(stderr, "// pipeline: %s\n", pipeline);
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module)) {
    fprintf(stderr, "error: cannot parse the module\n");
    return 1;
  }
  int errors = 0;
  MlirLogicalResult result = micaRunPassPipeline(
      module, mlirStringRefCreateFromCString(pipeline), recordError, &errors);
  int failed = 0;
  if (mlirLogicalResultIsSuccess(result)) {
    fflush(stdout);
    mlirOperationPrint(mlirModuleGetOperation(module), printToStderr, NULL);
    fprintf(stderr, "\n");
    failed = !expectSuccess || errors != 0;
  } else {
    fprintf(stderr, "// failed, callback calls: %d\n", errors);
    failed = expectSuccess || errors == 0;
  }
  if (failed)
    fprintf(stderr, "error: unexpected outcome for '%s'\n", pipeline);
  mlirModuleDestroy(module);
  return failed;
}

int main(void) {
  // Registration: the whole of Mica through a registry, and the dialect
  // handle on its own.
  MlirContext ctx = mlirContextCreateWithThreading(false);
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  micaRegisterAllDialects(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);
  MlirDialectHandle mica = mlirGetDialectHandle__mica__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(mica);
  MlirDialect dialect = mlirDialectHandleLoadDialect(mica, ctx);
  // CHECK: // dialect: mica loaded=1
  fprintf(stderr, "// dialect: %.*s loaded=%d\n", (int)ns.length, ns.data,
          !mlirDialectIsNull(dialect));
  micaRegisterAllPasses();
  micaRegisterAllPipelines();

  int failures = 0;
  // Anchored pipeline: both passes must have run (the types are refined and
  // the dead constant is gone).
  // CHECK-LABEL: // pipeline: builtin.module(mica-refine-shapes{arg-shapes=0:2x4},canonicalize)
  // CHECK: func.func @f(%{{.*}}: tensor<2x4xf32>) -> tensor<2x4xf32>
  // CHECK-NOT: arith.constant
  // CHECK: mica.relu %{{.*}} : tensor<2x4xf32>
  // CHECK: mica.tanh %{{.*}} : tensor<2x4xf32>
  // CHECK: return %{{.*}} : tensor<2x4xf32>
  failures += runOne(
      ctx, "builtin.module(mica-refine-shapes{arg-shapes=0:2x4},canonicalize)",
      1);
  // Bare pipeline, with spaces around.
  // CHECK-LABEL: // pipeline:  mica-refine-shapes{arg-shapes=0:3x5} , canonicalize
  // CHECK: func.func @f(%{{.*}}: tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NOT: arith.constant
  // CHECK: mica.tanh %{{.*}} : tensor<3x5xf32>
  failures += runOne(
      ctx, " mica-refine-shapes{arg-shapes=0:3x5} , canonicalize", 1);
  // Anchored and bare forms of canonicalize alone: it ran (the dead constant
  // is gone), and the types stay dynamic.
  // CHECK-LABEL: // pipeline: builtin.module(canonicalize)
  // CHECK: func.func @f(%{{.*}}: tensor<?x?xf32>) -> tensor<?x?xf32>
  // CHECK-NOT: arith.constant
  // CHECK: mica.relu %{{.*}} : tensor<?x?xf32>
  failures += runOne(ctx, "builtin.module(canonicalize)", 1);
  // CHECK-LABEL: // pipeline: any(canonicalize)
  // CHECK-NOT: arith.constant
  // CHECK: mica.relu %{{.*}} : tensor<?x?xf32>
  failures += runOne(ctx, "any(canonicalize)", 1);
  // CHECK-LABEL: // pipeline: func.func(canonicalize)
  // CHECK-NOT: arith.constant
  // CHECK: mica.relu %{{.*}} : tensor<?x?xf32>
  failures += runOne(ctx, "func.func(canonicalize)", 1);
  // An empty pipeline succeeds and changes nothing.
  // CHECK-LABEL: // pipeline: builtin.module()
  // CHECK: arith.constant 7 : i32
  failures += runOne(ctx, "builtin.module()", 1);

  // An unknown pass: a parse error, reported once through the callback.
  // CHECK-LABEL: // pipeline: builtin.module(mica-no-such-pass)
  // CHECK: callback: {{.*}}error: 'mica-no-such-pass' does not refer to a registered pass or pass pipeline
  // CHECK: // failed, callback calls: 1
  failures += runOne(ctx, "builtin.module(mica-no-such-pass)", 0);
  // An unknown option.
  // CHECK-LABEL: // pipeline: mica-refine-shapes{no-such-option=1}
  // CHECK: callback: {{.*}}no such option no-such-option
  // CHECK: // failed, callback calls: 1
  failures += runOne(ctx, "mica-refine-shapes{no-such-option=1}", 0);
  // Unbalanced parentheses.
  // CHECK-LABEL: // pipeline: builtin.module(canonicalize
  // CHECK: callback: {{.*}}error: encountered unbalanced parentheses while parsing pipeline
  // CHECK: // failed, callback calls: 1
  failures += runOne(ctx, "builtin.module(canonicalize", 0);
  // A pass that fails at run time reports its diagnostic with its location.
  // CHECK-LABEL: // pipeline: mica-refine-shapes{arg-shapes=0:1x2x3}
  // CHECK: callback: -:1:1: error: mica-refine-shapes: shape for argument 0 contradicts its type 'tensor<?x?xf32>'
  // CHECK: // failed, callback calls: 1
  failures += runOne(ctx, "mica-refine-shapes{arg-shapes=0:1x2x3}", 0);

  // A NULL callback is allowed.
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  MlirLogicalResult result = micaRunPassPipeline(
      module, mlirStringRefCreateFromCString("bogus"), NULL, NULL);
  // CHECK: // null callback: failed=1
  fprintf(stderr, "// null callback: failed=%d\n",
          mlirLogicalResultIsFailure(result));
  mlirModuleDestroy(module);

  mlirContextDestroy(ctx);
  // CHECK: // failures: 0
  fprintf(stderr, "// failures: %d\n", failures);
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
