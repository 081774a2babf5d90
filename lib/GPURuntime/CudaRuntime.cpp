//===- CudaRuntime.cpp - the mgpu* entry points over a dlopen'ed libcuda --===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// The host code of the GPU pipeline, lowered by upstream `gpu-to-llvm`, calls
// `mgpu*` functions (module load, kernel launch, streams, managed memory).
// Debian's MLIR ships no libmlir_cuda_runtime, and Mica must build and run
// its tests without CUDA: this library implements that ABI over the CUDA
// driver API, loaded with dlopen on first use. Without a driver or GPU every
// entry point prints one clear error and exits with status 1 (the generated
// code has no error path).
//
// Declarations of the driver API are local (no cuda.h at build time).
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

namespace {
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUdeviceptr = unsigned long long;
constexpr unsigned kMemAttachGlobal = 1;

/// The driver entry points Mica uses.
struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*ctxSynchronize)();
  CUresult (*moduleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                               void **);
  CUresult (*moduleUnload)(CUmodule);
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*streamCreate)(CUstream *, unsigned);
  CUresult (*streamSynchronize)(CUstream);
  CUresult (*streamDestroy)(CUstream);
  CUresult (*memAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*getErrorString)(CUresult, const char **);
};

[[noreturn]] void fatal(const char *what, const char *detail) {
  std::fprintf(stderr, "mica-cuda-runtime: error: %s%s%s\n", what,
               detail ? ": " : "", detail ? detail : "");
  std::exit(1);
}

template <typename F> void bind(void *lib, F &fn, const char *name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn)
    fatal("the CUDA driver lacks", name);
}

/// Loads libcuda and makes device 0's primary context current, once.
Driver &driver() {
  static Driver d;
  static std::once_flag once;
  std::call_once(once, [] {
    const char *path = std::getenv("MICA_LIBCUDA");
    void *lib = dlopen(path ? path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      fatal("cannot load the CUDA driver (libcuda.so.1; no NVIDIA driver or "
            "GPU on this machine?)",
            dlerror());
    bind(lib, d.init, "cuInit");
    bind(lib, d.deviceGet, "cuDeviceGet");
    bind(lib, d.primaryCtxRetain, "cuDevicePrimaryCtxRetain");
    bind(lib, d.ctxSetCurrent, "cuCtxSetCurrent");
    bind(lib, d.ctxSynchronize, "cuCtxSynchronize");
    bind(lib, d.moduleLoadDataEx, "cuModuleLoadDataEx");
    bind(lib, d.moduleUnload, "cuModuleUnload");
    bind(lib, d.moduleGetFunction, "cuModuleGetFunction");
    bind(lib, d.launchKernel, "cuLaunchKernel");
    bind(lib, d.streamCreate, "cuStreamCreate");
    bind(lib, d.streamSynchronize, "cuStreamSynchronize");
    bind(lib, d.streamDestroy, "cuStreamDestroy_v2");
    bind(lib, d.memAllocManaged, "cuMemAllocManaged");
    bind(lib, d.memFree, "cuMemFree_v2");
    bind(lib, d.getErrorString, "cuGetErrorString");
    CUdevice device = 0;
    CUcontext context = nullptr;
    if (d.init(0) != 0 || d.deviceGet(&device, 0) != 0 ||
        d.primaryCtxRetain(&context, device) != 0)
      fatal("the CUDA driver found no usable GPU", nullptr);
    if (d.ctxSetCurrent(context) != 0)
      fatal("cannot make the GPU's context current", nullptr);
  });
  return d;
}

/// Aborts with the driver's message when `result` is an error.
void check(CUresult result, const char *call) {
  if (result == 0)
    return;
  const char *message = nullptr;
  driver().getErrorString(result, &message);
  fatal(call, message ? message : "unknown CUDA error");
}
} // namespace

// The ABI of MLIR's gpu-to-llvm lowering (LLVM 22).
extern "C" {

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  Driver &d = driver();
  CUmodule module = nullptr;
  // CU_JIT_OPTIMIZATION_LEVEL = 7.
  int options[] = {7};
  void *values[] = {reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  check(d.moduleLoadDataEx(&module, data, 1, options, values),
        "cuModuleLoadDataEx (PTX JIT)");
  return module;
}

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  Driver &d = driver();
  CUmodule module = nullptr;
  check(d.moduleLoadDataEx(&module, data, 0, nullptr, nullptr),
        "cuModuleLoadDataEx");
  return module;
}

void mgpuModuleUnload(void *module) {
  check(driver().moduleUnload(module), "cuModuleUnload");
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = nullptr;
  check(driver().moduleGetFunction(&function, module, name),
        "cuModuleGetFunction");
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  check(driver().launchKernel(function, gridX, gridY, gridZ, blockX, blockY,
                              blockZ, smem, stream, params, extra),
        "cuLaunchKernel");
}

void *mgpuStreamCreate() {
  CUstream stream = nullptr;
  check(driver().streamCreate(&stream, /*CU_STREAM_NON_BLOCKING=*/1),
        "cuStreamCreate");
  return stream;
}

void mgpuStreamSynchronize(void *stream) {
  check(driver().streamSynchronize(stream), "cuStreamSynchronize (a kernel "
                                            "failed)");
}

void mgpuStreamDestroy(void *stream) {
  check(driver().streamDestroy(stream), "cuStreamDestroy");
}

/// gpu.alloc: device memory, or with `isHostShared` managed memory that the
/// host code reads and writes too (what mica-gpu-managed-memory asks for).
void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/, bool isHostShared) {
  Driver &d = driver();
  (void)isHostShared; // Managed memory serves both cases.
  CUdeviceptr ptr = 0;
  check(d.ctxSynchronize(), "cuCtxSynchronize");
  check(d.memAllocManaged(&ptr, sizeBytes ? sizeBytes : 1, kMemAttachGlobal),
        "cuMemAllocManaged");
  return reinterpret_cast<void *>(ptr);
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  Driver &d = driver();
  check(d.ctxSynchronize(), "cuCtxSynchronize");
  check(d.memFree(reinterpret_cast<CUdeviceptr>(ptr)), "cuMemFree");
}

} // extern "C"
