/*===- run_model.c - Drives a mica-compile'd model through its C ABI ------===*\
|*                                                                            *|
|* Part of the Mica project: an MLIR-based deep-learning compiler.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/* Test driver of c-abi.test. It includes the header mica-compile writes next
 * to the library (model.h, found with -I), dlopens the library named by
 * argv[1] and calls every function of the C ABI through dlsym, typed by the
 * header's declarations, so that a header that does not match the library
 * fails to compile or to run.
 *
 * It expects the model of Inputs/add_relu.mlir:
 *   x: ?x3 f32, y: ?x3 f32, ids: 4 i64  ->  sum = relu(x + y), ids + ids
 * prints its signature, runs it at two batch sizes and prints the outputs,
 * then runs it with bad inputs and prints the errors.
\*===----------------------------------------------------------------------===*/

#include "model.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* The C ABI, resolved from the library. */
static struct {
  __typeof__(mica_dtype_name) *dtype_name;
  __typeof__(mica_dtype_size) *dtype_size;
  __typeof__(mica_model_create) *create;
  __typeof__(mica_model_destroy) *destroy;
  __typeof__(mica_model_num_inputs) *num_inputs;
  __typeof__(mica_model_num_outputs) *num_outputs;
  __typeof__(mica_model_input_name) *input_name;
  __typeof__(mica_model_output_name) *output_name;
  __typeof__(mica_model_input_rank) *input_rank;
  __typeof__(mica_model_output_rank) *output_rank;
  __typeof__(mica_model_input_dtype) *input_dtype;
  __typeof__(mica_model_output_dtype) *output_dtype;
  __typeof__(mica_model_input_shape) *input_shape;
  __typeof__(mica_model_output_shape) *output_shape;
  __typeof__(mica_model_run) *run;
  __typeof__(mica_model_output_data) *output_data;
  __typeof__(mica_model_output_dims) *output_dims;
  __typeof__(mica_model_error) *error;
} abi;

static void *lib;

static void *sym(const char *name) {
  void *p = dlsym(lib, name);
  if (!p) {
    fprintf(stderr, "missing symbol %s: %s\n", name, dlerror());
    exit(2);
  }
  return p;
}

/* Prints "[d0, d1, ...]". */
static void printDims(const int64_t *dims, int rank) {
  printf("[");
  for (int k = 0; k < rank; ++k)
    printf("%s%" PRId64, k ? ", " : "", dims[k]);
  printf("]");
}

/* Prints the declared signature of one input or output. */
static void printIO(const char *kind, int i, const char *name, mica_dtype dt,
                    int rank, const int64_t *shape) {
  printf("%s %d '%s' %s (%d bytes) rank %d shape ", kind, i, name,
         abi.dtype_name(dt), abi.dtype_size(dt), rank);
  printDims(shape, rank);
  printf("\n");
}

/* Prints the dims and values of every output of the last successful run. */
static void printOutputs(mica_model *m) {
  for (int i = 0; i < abi.num_outputs(m); ++i) {
    int rank = abi.output_rank(m, i);
    const int64_t *dims = abi.output_dims(m, i);
    int64_t n = 1;
    for (int k = 0; k < rank; ++k)
      n *= dims[k];
    printf("output %d dims ", i);
    printDims(dims, rank);
    printf(" =");
    const void *data = abi.output_data(m, i);
    for (int64_t e = 0; e < n; ++e) {
      if (abi.output_dtype(m, i) == MICA_DTYPE_F32)
        printf(" %g", ((const float *)data)[e]);
      else
        printf(" %" PRId64, ((const int64_t *)data)[e]);
    }
    printf("\n");
  }
}

/* Runs `m`, printing the outputs or the error. */
static void runAndPrint(mica_model *m, const char *what,
                        const void *const *inputs,
                        const int64_t *const *dims) {
  int rc = abi.run(m, inputs, dims);
  printf("run %s: rc=%s error='%s'\n", what, rc ? "nonzero" : "0",
         abi.error(m));
  if (rc == 0)
    printOutputs(m);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s model.so\n", argv[0]);
    return 2;
  }
  lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 2;
  }
#define RESOLVE(FIELD, NAME) *(void **)&abi.FIELD = sym(#NAME)
  RESOLVE(dtype_name, mica_dtype_name);
  RESOLVE(dtype_size, mica_dtype_size);
  RESOLVE(create, mica_model_create);
  RESOLVE(destroy, mica_model_destroy);
  RESOLVE(num_inputs, mica_model_num_inputs);
  RESOLVE(num_outputs, mica_model_num_outputs);
  RESOLVE(input_name, mica_model_input_name);
  RESOLVE(output_name, mica_model_output_name);
  RESOLVE(input_rank, mica_model_input_rank);
  RESOLVE(output_rank, mica_model_output_rank);
  RESOLVE(input_dtype, mica_model_input_dtype);
  RESOLVE(output_dtype, mica_model_output_dtype);
  RESOLVE(input_shape, mica_model_input_shape);
  RESOLVE(output_shape, mica_model_output_shape);
  RESOLVE(run, mica_model_run);
  RESOLVE(output_data, mica_model_output_data);
  RESOLVE(output_dims, mica_model_output_dims);
  RESOLVE(error, mica_model_error);
#undef RESOLVE

  mica_model *m = abi.create();
  if (!m) {
    fprintf(stderr, "mica_model_create failed\n");
    return 2;
  }

  /* Signature. */
  printf("inputs %d outputs %d\n", abi.num_inputs(m), abi.num_outputs(m));
  for (int i = 0; i < abi.num_inputs(m); ++i)
    printIO("input", i, abi.input_name(m, i), abi.input_dtype(m, i),
            abi.input_rank(m, i), abi.input_shape(m, i));
  for (int i = 0; i < abi.num_outputs(m); ++i)
    printIO("output", i, abi.output_name(m, i), abi.output_dtype(m, i),
            abi.output_rank(m, i), abi.output_shape(m, i));
  printf("input 3 name %s rank %d dtype %s\n",
         abi.input_name(m, 3) ? "non-null" : "null", abi.input_rank(m, 3),
         abi.dtype_name(abi.input_dtype(m, 3)));
  printf("before any run: output 0 data %s dims %s error='%s'\n",
         abi.output_data(m, 0) ? "non-null" : "null",
         abi.output_dims(m, 0) ? "non-null" : "null", abi.error(m));

  /* Batches 2, 0 and 3 with the same model object. */
  float x2[] = {-1, 2, -3, 4, -5, 6};
  float y2[] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  int64_t ids[] = {1, 2, 3, 40};
  int64_t xd2[] = {2, 3}, idsd[] = {4};
  const void *in2[] = {x2, y2, ids};
  const int64_t *dims2[] = {xd2, xd2, idsd};
  runAndPrint(m, "batch 2", in2, dims2);

  /* Batch 0: empty outputs. */
  int64_t xd0[] = {0, 3};
  const int64_t *dims0[] = {xd0, xd0, idsd};
  runAndPrint(m, "batch 0", in2, dims0);

  float x3[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  float y3[] = {-1, -1, -1, -10, 0.25f, -10, 0, 0, -9.5f};
  int64_t xd3[] = {3, 3};
  const void *in3[] = {x3, y3, ids};
  const int64_t *dims3[] = {xd3, xd3, idsd};
  runAndPrint(m, "batch 3", in3, dims3);

  /* Errors: a static dim that does not match, null buffer, null dims, a
   * negative dynamic dim. The outputs of the last successful run stay. */
  int64_t xbad[] = {2, 4}, idsbad[] = {5}, xneg[] = {-1, 3};
  const int64_t *dimsBadX[] = {xd2, xbad, idsd};
  runAndPrint(m, "static dim of y", in2, dimsBadX);
  const int64_t *dimsBadIds[] = {xd2, xd2, idsbad};
  runAndPrint(m, "static dim of ids", in2, dimsBadIds);
  const void *inNull[] = {x2, NULL, ids};
  runAndPrint(m, "null buffer", inNull, dims2);
  const int64_t *dimsNull[] = {xd2, xd2, NULL};
  runAndPrint(m, "null dims", in2, dimsNull);
  const int64_t *dimsNeg[] = {xneg, xd2, idsd};
  runAndPrint(m, "negative dim", in2, dimsNeg);
  printf("after the errors:\n");
  printOutputs(m);

  /* A good run clears the error (batch 1: the first row of batch 3). */
  int64_t xd1[] = {1, 3};
  const int64_t *dims1[] = {xd1, xd1, idsd};
  runAndPrint(m, "batch 1", in3, dims1);

  /* A second model object of the same library is independent. */
  mica_model *m2 = abi.create();
  runAndPrint(m2, "second model", in2, dims2);
  abi.destroy(m2);
  abi.destroy(m);
  printf("done\n");
  return 0;
}
