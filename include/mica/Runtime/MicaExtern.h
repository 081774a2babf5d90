/*===- MicaExtern.h - external kernels called by compiled models --*- C -*-===*
 *
 * Part of the Mica project: an MLIR-based deep-learning compiler.
 *
 *===----------------------------------------------------------------------===*
 *
 * The C entry points that `convert-mica-to-runtime` emits calls to, for ops
 * handed to oneDNN (`mica-compile --extern=...`), and the flag bits of their
 * arguments. They live in lib/Runtime/OneDNN.cpp: libMicaRuntimeDNNL.a is
 * linked into every compiled model that has external calls, which then loads
 * libdnnl.so.2 (oneDNN 2.x, Debian package libdnnl2) and LLVM's libomp; a
 * model without external calls depends on neither.
 *
 * Every memref operand is an unranked memref: a {rank, descriptor} pair
 * where the descriptor is {allocated, aligned, offset, sizes[rank],
 * strides[rank]}. `slot` is a pointer-sized global of the model, one per
 * call site: the first call builds the oneDNN primitive and reorders the
 * weights into it, later calls only execute.
 *
 *===----------------------------------------------------------------------===*/

#ifndef MICA_RUNTIME_MICAEXTERN_H
#define MICA_RUNTIME_MICAEXTERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags shared by all external calls. */
#define MICA_EXTERN_CONST_WEIGHTS 0x100 /* weights are model constants */
#define MICA_EXTERN_BF16 0x200          /* compute in bf16 (f32 in and out) */
/* Only build the primitive and load the weights (activation operands are
 * placeholders of the right shape, never read or written). */
#define MICA_EXTERN_PREPARE 0x400

/* The private function of a model that prepares every call site whose
 * weights are constants and shapes static; mica_model_create calls it. */
#define MICA_EXTERN_INIT_FN "__mica_extern_init"

/* mica_dnnl_lstm flags: the direction in the low two bits. */
#define MICA_LSTM_FORWARD 0
#define MICA_LSTM_REVERSE 1
#define MICA_LSTM_BIDIRECTIONAL 2
#define MICA_LSTM_HAS_BIAS 0x4
#define MICA_LSTM_HAS_SEQUENCE_LENS 0x8
#define MICA_LSTM_HAS_INITIAL_H 0x10
#define MICA_LSTM_HAS_INITIAL_C 0x20
#define MICA_LSTM_HAS_PEEPHOLES 0x40

/* mica_dnnl_matmul flags and activations (mica::Activation's values). */
#define MICA_MATMUL_HAS_BIAS 0x1
#define MICA_MATMUL_DENSE 0x2 /* b is a [N, K] weight, a is [..., K] */
#define MICA_ACT_NONE 0
#define MICA_ACT_RELU 1
#define MICA_ACT_GELU 2
#define MICA_ACT_GELU_TANH 3
#define MICA_ACT_TANH 4
#define MICA_ACT_SIGMOID 5

/* mica.lstm in Mica's (ONNX) layout: x [T, B, I], w [D, 4H, I],
 * r [D, 4H, H], b [D, 8H], seq [B] (i64), h0/c0 [D, B, H], p [D, 3H];
 * results y [T, D, B, H], yh/yc [D, B, H]. Absent operands are flagged off
 * and may be any memref. */
void mica_dnnl_lstm(void **slot, int64_t flags, int64_t hidden,
                    int64_t threads, int64_t xr, void *x, int64_t wr, void *w,
                    int64_t rr, void *r, int64_t br, void *b, int64_t sr,
                    void *seq, int64_t hr, void *h0, int64_t cr, void *c0,
                    int64_t pr, void *p, int64_t yr, void *y, int64_t yhr,
                    void *yh, int64_t ycr, void *yc);

/* c = act(a . b + bias): mica.matmul (a [..., M, K], b [..., K, N], equal
 * batch dims or a rank-2 b) or mica.dense (MICA_MATMUL_DENSE). */
void mica_dnnl_matmul(void **slot, int64_t flags, int64_t activation,
                      int64_t threads, int64_t ar, void *a, int64_t br,
                      void *b, int64_t biasr, void *bias, int64_t cr, void *c);

/* Scratch memory of external calls from the running model's arena: a block
 * of at least `bytes` for `slot` (0 <= slot < MICA_SCRATCH_SLOTS), 64-byte
 * aligned, owned by the model object (freed by mica_model_destroy), reused
 * and grown across runs; contents are not kept when it grows. NULL outside
 * mica_model_run. Defined by lib/Runtime/MicaModel.c; the oneDNN wrappers
 * fall back to per-thread buffers where it is absent (JIT hosts). */
#define MICA_SCRATCH_SLOTS 16
void *mica_runtime_scratch(int slot, size_t bytes);

/* The first error of an external call on this thread since the last take
 * (NULL when none); mica_model_run returns it. */
const char *mica_runtime_take_error(void);

#ifdef __cplusplus
}
#endif

#endif /* MICA_RUNTIME_MICAEXTERN_H */
