/*===- fake-libcuda.c - a CUDA driver stand-in for host-side tests -------===*\
|*                                                                            *|
|* Part of the Mica project: an MLIR-based deep-learning compiler.            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
/* The CUDA driver entry points lib/GPURuntime uses, over host memory:
 * "device" memory is malloc'ed, copies are memcpy, kernels are not run (the
 * outputs are meaningless). Loaded through MICA_LIBCUDA, it lets tests on
 * machines without a GPU check what a model library asks of the driver:
 * every stream synchronization prints the running counts of each call.
 * FAKE_CUDA_FAIL_LAUNCH=1 makes every kernel launch fail (error 719). */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long CUdeviceptr;

static struct {
  int memAlloc, memFree, memcpy, launch, streamCreate, sync, moduleLoad,
      getFunction;
} counts;

int cuInit(unsigned flags) { return 0; }
int cuDeviceGet(int *device, int ordinal) {
  *device = 0;
  return 0;
}
int cuDevicePrimaryCtxRetain(void **context, int device) {
  static int dummy;
  *context = &dummy;
  return 0;
}
int cuCtxSetCurrent(void *context) { return 0; }
int cuCtxSynchronize(void) { return 0; }

int cuModuleLoadDataEx(void **module, const void *image, unsigned numOptions,
                       int *options, void **values) {
  static int dummy;
  const uint32_t fatbinMagic = 0xBA55ED50u;
  uint32_t magic;
  memcpy(&magic, image, sizeof(magic));
  const char *kind = magic == fatbinMagic                   ? "fatbin"
                     : strstr((const char *)image, ".entry") ? "ptx"
                                                              : "unknown";
  ++counts.moduleLoad;
  fprintf(stderr, "fake-cuda: module load: %s, %u JIT options\n", kind,
          numOptions);
  *module = &dummy;
  return 0;
}
int cuModuleUnload(void *module) { return 0; }
int cuModuleGetFunction(void **function, void *module, const char *name) {
  ++counts.getFunction;
  *function = (void *)name;
  return 0;
}

int cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                   unsigned by, unsigned bz, unsigned smem, void *stream,
                   void **params, void **extra) {
  const char *fail = getenv("FAKE_CUDA_FAIL_LAUNCH");
  if (fail && fail[0] == '1')
    return 719; /* CUDA_ERROR_LAUNCH_FAILED */
  ++counts.launch;
  return 0;
}

int cuStreamCreate(void **stream, unsigned flags) {
  static int dummy;
  ++counts.streamCreate;
  *stream = &dummy;
  return 0;
}
int cuStreamSynchronize(void *stream) {
  ++counts.sync;
  fprintf(stderr,
          "fake-cuda: sync %d: streams %d, modules %d, allocs %d, frees %d, "
          "copies %d, launches %d\n",
          counts.sync, counts.streamCreate, counts.moduleLoad, counts.memAlloc,
          counts.memFree, counts.memcpy, counts.launch);
  return 0;
}
int cuStreamDestroy_v2(void *stream) { return 0; }
int cuStreamWaitEvent(void *stream, void *event, unsigned flags) { return 0; }
int cuEventCreate(void **event, unsigned flags) {
  static int dummy;
  *event = &dummy;
  return 0;
}
int cuEventRecord(void *event, void *stream) { return 0; }
int cuEventSynchronize(void *event) { return 0; }
int cuEventDestroy_v2(void *event) { return 0; }

int cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  ++counts.memAlloc;
  void *p = aligned_alloc(256, (bytes + 255) / 256 * 256);
  *ptr = (CUdeviceptr)(uintptr_t)p;
  return p ? 0 : 2; /* CUDA_ERROR_OUT_OF_MEMORY */
}
int cuMemAllocManaged(CUdeviceptr *ptr, size_t bytes, unsigned flags) {
  return cuMemAlloc_v2(ptr, bytes);
}
int cuMemFree_v2(CUdeviceptr ptr) {
  ++counts.memFree;
  free((void *)(uintptr_t)ptr);
  return 0;
}
int cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                  void *stream) {
  ++counts.memcpy;
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return 0;
}

int cuGetErrorString(int error, const char **message) {
  *message = error == 719 ? "unspecified launch failure (fake)" : "fake error";
  return 0;
}
