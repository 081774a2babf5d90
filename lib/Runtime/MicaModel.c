/*===- MicaModel.c - C ABI of models compiled by mica-compile -------------===*\
|*                                                                            *|
|* Part of the Mica project: an MLIR-based deep-learning compiler.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/* Implements include/mica/Runtime/MicaModel.h over the two symbols the
 * mica-emit-model-abi pass adds to every compiled model:
 *
 *  - `mica_model_signature`: a NUL-terminated string, one line per model
 *    input and output, fields separated by tabs:
 *        in|out <TAB> name <TAB> dtype <TAB> rank <TAB> d0 d1 ... (-1 dynamic)
 *  - `mica_model_entry(void **args)`: args[0] points to the results (the
 *    memref descriptors of all outputs, back to back), args[1 + i] to the
 *    memref descriptor of input i. A rank-R descriptor is 3 + 2R 64-bit
 *    words: allocated pointer, aligned pointer, offset, sizes, strides.
 *
 * Every output buffer is freshly malloc'ed by the compiled code (the CPU
 * pipeline copies results that would alias an input or a constant), so the
 * runtime owns it and frees it on the next run. Plain C11, no dependencies:
 * it is linked into every model library.
\*===----------------------------------------------------------------------===*/

#include "mica/Runtime/MicaModel.h"
#include "mica/Runtime/MicaExtern.h"

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mica_io {
  char *name;
  mica_dtype dtype;
  int rank;
  int64_t *shape;
} mica_io;

struct mica_model {
  mica_model_entry_fn entry;
  int num_inputs, num_outputs;
  mica_io *inputs, *outputs;
  int64_t *results;     /* descriptors of the last run's outputs */
  size_t results_words; /* total words of `results` */
  size_t *result_offset;
  int has_results;
  int64_t *in_desc; /* scratch descriptors for the inputs */
  size_t *in_offset;
  char error[512];
  mica_error_source_fn error_source; /* errors of external calls */
  /* Scratch arena of external calls (oneDNN scratchpads, gathered and
   * converted operands): one growing block per slot, kept across runs. */
  void *scratch[MICA_SCRATCH_SLOTS];
  size_t scratch_size[MICA_SCRATCH_SLOTS];
  /* A GPU model (see below): its device state and the runtime functions
   * that own it, kept in the object so that whichever copy of this file
   * runs the model (the library's or, through mica-run, the tool's) uses
   * the library's device runtime. */
  void *device;
  const struct mica_device_ops *device_ops;
};

/* The model running on this thread (mica_model_run), whose arena external
 * calls use. */
static _Thread_local mica_model *runningModel;

void *mica_runtime_scratch(int slot, size_t bytes) {
  mica_model *m = runningModel;
  if (!m || slot < 0 || slot >= MICA_SCRATCH_SLOTS)
    return NULL;
  if (m->scratch_size[slot] < bytes) {
    /* 64-byte aligned, contents not kept. */
    free(m->scratch[slot]);
    size_t rounded = (bytes + 63) & ~(size_t)63;
    m->scratch[slot] = aligned_alloc(64, rounded);
    m->scratch_size[slot] = m->scratch[slot] ? rounded : 0;
  }
  return m->scratch[slot];
}

/* Defined by the external-kernel runtime (lib/Runtime/OneDNN.cpp) when a
 * model links it; null otherwise. */
extern const char *mica_runtime_take_error(void) __attribute__((weak));

/* The device runtime a GPU model library links (lib/GPURuntime, for
 * `mica-compile --target=cuda`); null in CPU models. The model function of a
 * GPU model takes and returns device buffers: mica_model_run copies the
 * inputs to the device and the outputs back around it, all on the model's
 * stream, and synchronizes once at the end. */
extern void *mica_device_create(void) __attribute__((weak));
extern const char *mica_device_error(void *state) __attribute__((weak));
extern int mica_device_begin(void *state) __attribute__((weak));
extern void *mica_device_upload(void *state, const void *host, size_t bytes)
    __attribute__((weak));
extern void mica_device_download(void *state, void *host, const void *device,
                                 size_t bytes) __attribute__((weak));
extern int mica_device_end(void *state) __attribute__((weak));
extern void mica_device_destroy(void *state) __attribute__((weak));

typedef struct mica_device_ops {
  void *(*create)(void);
  const char *(*error)(void *);
  int (*begin)(void *);
  void *(*upload)(void *, const void *, size_t);
  void (*download)(void *, void *, const void *, size_t);
  int (*end)(void *);
  void (*destroy)(void *);
} mica_device_ops;

static const mica_device_ops kDeviceOps = {
    mica_device_create,   mica_device_error, mica_device_begin,
    mica_device_upload,   mica_device_download, mica_device_end,
    mica_device_destroy};

void mica_model_set_error_source(mica_model *m, mica_error_source_fn source) {
  if (m)
    m->error_source = source;
}

static const char *const kDtypeNames[] = {"f32", "f16", "bf16", "i64",
                                          "i32", "i8",  "bool"};
static const int kDtypeSizes[] = {4, 2, 2, 8, 4, 1, 1};

int mica_dtype_size(mica_dtype dtype) {
  return dtype <= MICA_DTYPE_BOOL ? kDtypeSizes[dtype] : 0;
}

const char *mica_dtype_name(mica_dtype dtype) {
  return dtype <= MICA_DTYPE_BOOL ? kDtypeNames[dtype] : "unknown";
}

static mica_dtype parseDtype(const char *s, size_t n) {
  for (int i = 0; i <= MICA_DTYPE_BOOL; ++i)
    if (strlen(kDtypeNames[i]) == n && strncmp(kDtypeNames[i], s, n) == 0)
      return (mica_dtype)i;
  return MICA_DTYPE_UNKNOWN;
}

static size_t descWords(int rank) { return 3 + 2 * (size_t)rank; }

/* Parses one signature line into `io`; returns 0 on success. */
static int parseLine(const char *line, size_t len, mica_io *io) {
  const char *end = line + len;
  const char *f[4];
  size_t flen[4];
  const char *p = line;
  for (int k = 0; k < 4; ++k) {
    const char *tab = memchr(p, '\t', (size_t)(end - p));
    if (!tab)
      return -1;
    f[k] = p;
    flen[k] = (size_t)(tab - p);
    p = tab + 1;
  }
  io->name = malloc(flen[1] + 1);
  if (!io->name)
    return -1;
  memcpy(io->name, f[1], flen[1]);
  io->name[flen[1]] = '\0';
  io->dtype = parseDtype(f[2], flen[2]);
  io->rank = atoi(f[3]);
  io->shape = calloc((size_t)io->rank + 1, sizeof(int64_t));
  if (!io->shape)
    return -1;
  for (int d = 0; d < io->rank; ++d) {
    char *next;
    io->shape[d] = strtoll(p, &next, 10);
    if (next == p || next > end)
      return -1;
    p = next;
  }
  return 0;
}

/* Compiled models allocate their intermediate buffers with malloc and free
 * them before returning. glibc serves large blocks with fresh mmaps, so every
 * run would page-fault all of its activations in again. Raising the mmap and
 * trim thresholds once keeps freed activation memory in the heap for the
 * next run. This is a process-wide setting (documented in docs/pipeline.md);
 * MICA_KEEP_MALLOC=1 leaves the host's malloc settings alone. */
static void tuneMalloc(void) {
#if defined(__GLIBC__)
  static int done = 0;
  const char *keep = getenv("MICA_KEEP_MALLOC");
  if (done || (keep && keep[0] == '1'))
    return;
  done = 1;
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

mica_model *mica_model_create_from(const char *signature,
                                   mica_model_entry_fn entry) {
  tuneMalloc();
  mica_model *m = calloc(1, sizeof(mica_model));
  if (!m)
    return NULL;
  m->entry = entry;
  for (int pass = 0; pass < 2; ++pass) {
    int ni = 0, no = 0;
    const char *line = signature;
    while (*line) {
      const char *nl = strchr(line, '\n');
      size_t len = nl ? (size_t)(nl - line) : strlen(line);
      int isIn = strncmp(line, "in\t", 3) == 0;
      int isOut = strncmp(line, "out\t", 4) == 0;
      if (pass == 1 && (isIn || isOut)) {
        mica_io *io = isIn ? &m->inputs[ni] : &m->outputs[no];
        if (parseLine(line, len, io) != 0) {
          mica_model_destroy(m);
          return NULL;
        }
      }
      ni += isIn;
      no += isOut;
      line += len + (nl ? 1 : 0);
    }
    if (pass == 0) {
      m->num_inputs = ni;
      m->num_outputs = no;
      m->inputs = calloc((size_t)ni + 1, sizeof(mica_io));
      m->outputs = calloc((size_t)no + 1, sizeof(mica_io));
      if (!m->inputs || !m->outputs) {
        mica_model_destroy(m);
        return NULL;
      }
    }
  }
  /* Lay out the descriptors of inputs and outputs. */
  m->in_offset = calloc((size_t)m->num_inputs + 1, sizeof(size_t));
  m->result_offset = calloc((size_t)m->num_outputs + 1, sizeof(size_t));
  if (!m->in_offset || !m->result_offset) {
    mica_model_destroy(m);
    return NULL;
  }
  size_t words = 0;
  for (int i = 0; i < m->num_inputs; ++i) {
    m->in_offset[i] = words;
    words += descWords(m->inputs[i].rank);
  }
  m->in_desc = calloc(words + 1, sizeof(int64_t));
  words = 0;
  for (int i = 0; i < m->num_outputs; ++i) {
    m->result_offset[i] = words;
    words += descWords(m->outputs[i].rank);
  }
  m->results_words = words;
  m->results = calloc(words + 1, sizeof(int64_t));
  if (!m->in_desc || !m->results) {
    mica_model_destroy(m);
    return NULL;
  }
  /* A GPU model: load the driver and the kernels now. Without a usable GPU
   * the model is still created; mica_model_error says why and every run
   * fails with that message. */
  if (mica_device_create) {
    m->device_ops = &kDeviceOps;
    m->device = m->device_ops->create();
    if (!m->device) {
      mica_model_destroy(m);
      return NULL;
    }
    const char *failure = m->device_ops->error(m->device);
    if (failure)
      snprintf(m->error, sizeof(m->error), "%s", failure);
  }
  return m;
}

static void freeResults(mica_model *m) {
  if (!m->has_results)
    return;
  for (int i = 0; i < m->num_outputs; ++i)
    free((void *)(intptr_t)m->results[m->result_offset[i]]);
  m->has_results = 0;
}

void mica_model_destroy(mica_model *m) {
  if (!m)
    return;
  freeResults(m);
  if (m->device)
    m->device_ops->destroy(m->device);
  for (int i = 0; i < MICA_SCRATCH_SLOTS; ++i)
    free(m->scratch[i]);
  for (int i = 0; m->inputs && i < m->num_inputs; ++i) {
    free(m->inputs[i].name);
    free(m->inputs[i].shape);
  }
  for (int i = 0; m->outputs && i < m->num_outputs; ++i) {
    free(m->outputs[i].name);
    free(m->outputs[i].shape);
  }
  free(m->inputs);
  free(m->outputs);
  free(m->in_offset);
  free(m->result_offset);
  free(m->in_desc);
  free(m->results);
  free(m);
}

int mica_model_num_inputs(const mica_model *m) { return m->num_inputs; }
int mica_model_num_outputs(const mica_model *m) { return m->num_outputs; }

#define MICA_IO_GETTERS(KIND, ARR, COUNT)                                      \
  const char *mica_model_##KIND##_name(const mica_model *m, int i) {           \
    return i >= 0 && i < m->COUNT ? m->ARR[i].name : NULL;                     \
  }                                                                            \
  int mica_model_##KIND##_rank(const mica_model *m, int i) {                   \
    return i >= 0 && i < m->COUNT ? m->ARR[i].rank : -1;                       \
  }                                                                            \
  mica_dtype mica_model_##KIND##_dtype(const mica_model *m, int i) {           \
    return i >= 0 && i < m->COUNT ? m->ARR[i].dtype : MICA_DTYPE_UNKNOWN;      \
  }                                                                            \
  const int64_t *mica_model_##KIND##_shape(const mica_model *m, int i) {       \
    return i >= 0 && i < m->COUNT ? m->ARR[i].shape : NULL;                    \
  }
MICA_IO_GETTERS(input, inputs, num_inputs)
MICA_IO_GETTERS(output, outputs, num_outputs)
#undef MICA_IO_GETTERS

/* Number of elements of a tensor with `rank` dims `dims`. */
static size_t numElements(int rank, const int64_t *dims) {
  size_t n = 1;
  for (int k = 0; k < rank; ++k)
    n *= (size_t)dims[k];
  return n;
}

/* The run of a GPU model (m->device): inputs to the device, the model
 * function on device buffers, outputs back into fresh host buffers that the
 * model owns like a CPU model's. */
static int runOnDevice(mica_model *m, void **args, const int64_t *const *dims) {
  void *d = m->device;
  const mica_device_ops *ops = m->device_ops;
  if (ops->begin(d) != 0) {
    snprintf(m->error, sizeof(m->error), "%s", ops->error(d));
    return 1;
  }
  for (int i = 0; i < m->num_inputs; ++i) {
    const mica_io *io = &m->inputs[i];
    int64_t *desc = m->in_desc + m->in_offset[i];
    size_t bytes = numElements(io->rank, dims[i]) * mica_dtype_size(io->dtype);
    void *device = ops->upload(d, (const void *)(intptr_t)desc[1], bytes);
    desc[0] = desc[1] = (int64_t)(intptr_t)device;
  }
  if (!ops->error(d))
    m->entry(args);
  /* Every output descriptor gets a host buffer before anything can fail, so
   * that freeResults only ever sees host pointers. */
  for (int i = 0; i < m->num_outputs; ++i) {
    const mica_io *io = &m->outputs[i];
    int64_t *desc = m->results + m->result_offset[i];
    size_t elem = (size_t)mica_dtype_size(io->dtype);
    size_t bytes =
        ops->error(d) ? 0 : numElements(io->rank, desc + 3) * elem;
    const char *device = (const char *)(intptr_t)desc[1] + desc[2] * elem;
    void *host = malloc(bytes ? bytes : 1);
    desc[0] = desc[1] = (int64_t)(intptr_t)host;
    desc[2] = 0;
    if (!host) {
      snprintf(m->error, sizeof(m->error), "out of memory");
      bytes = 0;
    }
    ops->download(d, host, device, bytes);
  }
  m->has_results = 1;
  if (ops->end(d) != 0 || m->error[0]) {
    if (!m->error[0])
      snprintf(m->error, sizeof(m->error), "%s", ops->error(d));
    freeResults(m);
    return 1;
  }
  return 0;
}

int mica_model_run(mica_model *m, const void *const *inputs,
                   const int64_t *const *dims) {
  m->error[0] = '\0';
  void **args = malloc(sizeof(void *) * ((size_t)m->num_inputs + 1));
  if (!args) {
    snprintf(m->error, sizeof(m->error), "out of memory");
    return 1;
  }
  for (int i = 0; i < m->num_inputs; ++i) {
    const mica_io *io = &m->inputs[i];
    /* A tensor with a zero dim has no data: its buffer may be null. */
    int empty = 0;
    for (int k = 0; dims[i] && k < io->rank; ++k)
      empty |= dims[i][k] == 0;
    if ((!inputs[i] && !empty) || (io->rank > 0 && !dims[i])) {
      snprintf(m->error, sizeof(m->error), "input %d ('%s'): null %s", i,
               io->name, inputs[i] ? "dims" : "buffer");
      free(args);
      return 1;
    }
    int64_t *d = m->in_desc + m->in_offset[i];
    d[0] = d[1] = (int64_t)(intptr_t)inputs[i];
    d[2] = 0;
    int64_t stride = 1;
    for (int k = io->rank - 1; k >= 0; --k) {
      if (io->shape[k] >= 0 && dims[i][k] != io->shape[k]) {
        snprintf(m->error, sizeof(m->error),
                 "input %d ('%s'): dim %d is %lld, the model needs %lld", i,
                 io->name, k, (long long)dims[i][k],
                 (long long)io->shape[k]);
        free(args);
        return 1;
      }
      if (dims[i][k] < 0) {
        snprintf(m->error, sizeof(m->error),
                 "input %d ('%s'): dim %d is negative", i, io->name, k);
        free(args);
        return 1;
      }
      d[3 + k] = dims[i][k];
      d[3 + io->rank + k] = stride;
      stride *= dims[i][k];
    }
    args[1 + i] = d;
  }
  freeResults(m);
  args[0] = m->results;
  if (m->device) {
    int rc = runOnDevice(m, args, dims);
    free(args);
    return rc;
  }
  mica_model *outer = runningModel;
  runningModel = m;
  m->entry(args);
  runningModel = outer;
  m->has_results = 1;
  free(args);
  mica_error_source_fn source =
      m->error_source ? m->error_source : mica_runtime_take_error;
  const char *failure = source ? source() : NULL;
  if (failure) {
    snprintf(m->error, sizeof(m->error), "%s", failure);
    freeResults(m);
    return 1;
  }
  return 0;
}

const void *mica_model_output_data(const mica_model *m, int i) {
  if (!m->has_results || i < 0 || i >= m->num_outputs)
    return NULL;
  const int64_t *d = m->results + m->result_offset[i];
  return (const char *)(intptr_t)d[1] +
         d[2] * mica_dtype_size(m->outputs[i].dtype);
}

const int64_t *mica_model_output_dims(const mica_model *m, int i) {
  if (!m->has_results || i < 0 || i >= m->num_outputs)
    return NULL;
  return m->results + m->result_offset[i] + 3;
}

const char *mica_model_error(const mica_model *m) { return m->error; }

/* memrefCopy: the generic strided copy that MLIR's memref-to-llvm conversion
 * calls for non-contiguous memref.copy (upstream provides it in
 * libmlir_c_runner_utils; compiled models must not depend on that library).
 * `src` and `dst` point to {int64_t rank; void *descriptor} pairs. */
typedef struct mica_unranked_memref {
  int64_t rank;
  void *descriptor;
} mica_unranked_memref;

void memrefCopy(int64_t elemSize, mica_unranked_memref *src,
                mica_unranked_memref *dst) {
  int64_t rank = src->rank;
  const int64_t *s = (const int64_t *)src->descriptor;
  const int64_t *d = (const int64_t *)dst->descriptor;
  const char *sp = (const char *)(intptr_t)s[1] + s[2] * elemSize;
  char *dp = (char *)(intptr_t)d[1] + d[2] * elemSize;
  if (rank == 0) {
    memcpy(dp, sp, (size_t)elemSize);
    return;
  }
  const int64_t *sizes = s + 3, *sstr = s + 3 + rank, *dstr = d + 3 + rank;
  for (int64_t k = 0; k < rank; ++k)
    if (sizes[k] == 0)
      return;
  int64_t idx[64] = {0};
  if (rank > 64)
    abort();
  for (;;) {
    int64_t so = 0, dO = 0;
    for (int64_t k = 0; k < rank; ++k) {
      so += idx[k] * sstr[k];
      dO += idx[k] * dstr[k];
    }
    memcpy(dp + dO * elemSize, sp + so * elemSize, (size_t)elemSize);
    int64_t k = rank - 1;
    while (k >= 0 && ++idx[k] == sizes[k])
      idx[k--] = 0;
    if (k < 0)
      return;
  }
}
