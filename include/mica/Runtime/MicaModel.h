/*===- MicaModel.h - C ABI of a model compiled by mica-compile ----*- C -*-===*\
|*                                                                            *|
|* Part of the Mica project: an MLIR-based deep-learning compiler.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/** \file
 * The C ABI every library written by `mica-compile` exports (and that
 * `mica-run` uses for in-process JIT models). One library holds one model.
 *
 *   mica_model *m = mica_model_create();
 *   const void *in[] = {ids, mask};
 *   const int64_t *dims[] = {ids_dims, mask_dims};
 *   if (mica_model_run(m, in, dims) != 0) puts(mica_model_error(m));
 *   const float *y = mica_model_output_data(m, 0);
 *   const int64_t *ydims = mica_model_output_dims(m, 0);
 *   mica_model_destroy(m);
 *
 * Inputs are dense row-major buffers of the declared dtype; `dims` give the
 * actual size of every dimension (dynamic ones may take any size, static ones
 * must match). Outputs are owned by the model and stay valid until the next
 * mica_model_run or mica_model_destroy. A model object is not thread-safe;
 * create one per thread. Weights live in the library (read-only).
 *
 * Dependencies: libc and libm; LLVM's libomp when compiled with
 * `--threads N` (N > 1). A library compiled with `--extern` that handed ops
 * to oneDNN (see MicaExtern.h) also loads libdnnl.so.2 (Debian: libdnnl2),
 * libomp and libstdc++; `readelf -d` lists what a given library needs.
 * mica_model_create then builds the oneDNN primitives and reorders their
 * constant weights, so it takes longer than for a plain library.
 *
 * A library compiled with `--target=cuda` runs the model on an NVIDIA GPU
 * behind the same functions; it links no CUDA library: mica_model_create
 * loads the driver (dlopen "libcuda.so.1", or $MICA_LIBCUDA) and the
 * kernels, and gives the model object its own CUDA stream and device memory
 * (weights uploaded on the first run). Inputs are copied to the device and
 * outputs back into host buffers on each run, which synchronizes once.
 * Without a usable driver or GPU, mica_model_create still returns a model
 * whose mica_model_error says why, and every mica_model_run fails with that
 * message; a failed kernel or copy also makes mica_model_run return
 * non-zero (CUDA errors are sticky: destroy that model).
\*===----------------------------------------------------------------------===*/

#ifndef MICA_RUNTIME_MICAMODEL_H
#define MICA_RUNTIME_MICAMODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Element types of model inputs and outputs. */
typedef enum mica_dtype {
  MICA_DTYPE_F32 = 0,
  MICA_DTYPE_F16 = 1,
  MICA_DTYPE_BF16 = 2,
  MICA_DTYPE_I64 = 3,
  MICA_DTYPE_I32 = 4,
  MICA_DTYPE_I8 = 5,
  MICA_DTYPE_BOOL = 6, /* one byte per element, 0 or 1 */
  MICA_DTYPE_UNKNOWN = 255
} mica_dtype;

/** Size in bytes of one element of `dtype` (0 for MICA_DTYPE_UNKNOWN). */
int mica_dtype_size(mica_dtype dtype);
/** Name of `dtype` ("f32", "i64", ...). */
const char *mica_dtype_name(mica_dtype dtype);

typedef struct mica_model mica_model;

/** Creates an instance of the model of this library; NULL when out of memory.
 * (A GPU library without a usable GPU returns a model whose
 * mica_model_error is not empty; see above.) */
mica_model *mica_model_create(void);
/** Frees `model` and the outputs of its last run. */
void mica_model_destroy(mica_model *model);

/** Number of inputs / outputs (the model function's arguments / results). */
int mica_model_num_inputs(const mica_model *model);
int mica_model_num_outputs(const mica_model *model);
/** Graph name of input / output `i` (its position as text when unnamed). */
const char *mica_model_input_name(const mica_model *model, int i);
const char *mica_model_output_name(const mica_model *model, int i);
/** Declared rank, dtype and dims (-1 for a dynamic dim). */
int mica_model_input_rank(const mica_model *model, int i);
int mica_model_output_rank(const mica_model *model, int i);
mica_dtype mica_model_input_dtype(const mica_model *model, int i);
mica_dtype mica_model_output_dtype(const mica_model *model, int i);
const int64_t *mica_model_input_shape(const mica_model *model, int i);
const int64_t *mica_model_output_shape(const mica_model *model, int i);

/** Runs the model on `inputs[i]` with dims `dims[i]`. Returns 0 on success,
 * non-zero with a message in mica_model_error otherwise (a static dim that
 * does not match, a null buffer). */
int mica_model_run(mica_model *model, const void *const *inputs,
                   const int64_t *const *dims);
/** Data and actual dims of output `i` of the last successful run. */
const void *mica_model_output_data(const mica_model *model, int i);
const int64_t *mica_model_output_dims(const mica_model *model, int i);
/** Message of the last failed call ("" when none). */
const char *mica_model_error(const mica_model *model);

/** The C-ABI entry every compiled model provides, and the signature string
 * that describes it (see lib/Runtime/MicaModel.c). Embedders that JIT a model
 * create a model from these two symbols. */
typedef void (*mica_model_entry_fn)(void **args);
mica_model *mica_model_create_from(const char *signature,
                                   mica_model_entry_fn entry);

/* Where mica_model_run collects the errors of external calls (oneDNN
 * kernels, see MicaExtern.h): a function returning the pending message or
 * NULL. A compiled library finds its own; embedders that JIT a model with
 * external calls pass mica_runtime_take_error of the library they loaded. */
typedef const char *(*mica_error_source_fn)(void);
void mica_model_set_error_source(mica_model *m, mica_error_source_fn source);

#ifdef __cplusplus
}
#endif

#endif /* MICA_RUNTIME_MICAMODEL_H */
