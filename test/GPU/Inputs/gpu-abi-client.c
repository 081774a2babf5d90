/*===- gpu-abi-client.c - a C program using a GPU model library ----------===*\
|*                                                                            *|
|* Part of the Mica project: an MLIR-based deep-learning compiler.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/* Loads a model library with dlopen and uses the C ABI of MicaModel.h the
 * way an embedder does: its signature, then create / run / destroy on
 * inputs of ones, printing what each call returns (cuda-lib.test runs it
 * without a usable driver: create must succeed and say why, run must fail
 * with that message, nothing may exit the process). */

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mica/Runtime/MicaModel.h"

#define LOAD(lib, name) ((__typeof__(&name))dlsym(lib, #name))

int main(int argc, char **argv) {
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  mica_model *m = LOAD(lib, mica_model_create)();
  printf("create: %s\n", m ? "model" : "NULL");
  if (!m)
    return 1;
  printf("create error: %s\n", LOAD(lib, mica_model_error)(m));
  int n = LOAD(lib, mica_model_num_inputs)(m);
  const void *inputs[16];
  const int64_t *dims[16];
  for (int i = 0; i < n && i < 16; ++i) {
    int rank = LOAD(lib, mica_model_input_rank)(m, i);
    const int64_t *shape = LOAD(lib, mica_model_input_shape)(m, i);
    int64_t *d = calloc((size_t)rank + 1, sizeof(int64_t));
    size_t count = 1;
    for (int k = 0; k < rank; ++k) {
      d[k] = shape[k] < 0 ? 2 : shape[k];
      count *= (size_t)d[k];
    }
    int size = LOAD(lib, mica_dtype_size)(LOAD(lib, mica_model_input_dtype)(m, i));
    printf("input %d: %s rank %d\n", i, LOAD(lib, mica_model_input_name)(m, i),
           rank);
    inputs[i] = calloc(count, (size_t)size);
    dims[i] = d;
  }
  int rc = LOAD(lib, mica_model_run)(m, inputs, dims);
  printf("run: %d: %s\n", rc, LOAD(lib, mica_model_error)(m));
  printf("output 0: %s\n",
         LOAD(lib, mica_model_output_data)(m, 0) ? "data" : "NULL");
  LOAD(lib, mica_model_destroy)(m);
  printf("destroyed\n");
  return 0;
}
