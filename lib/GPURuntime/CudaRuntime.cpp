//===- CudaRuntime.cpp - the mgpu* entry points over a dlopen'ed libcuda --===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// The host code of the GPU pipeline, lowered by upstream `gpu-to-llvm`, calls
// `mgpu*` functions (module load, kernel launch, streams, memory). Debian's
// MLIR ships no libmlir_cuda_runtime, and Mica must build and run its tests
// without CUDA: this file implements that ABI over the CUDA driver API,
// loaded with dlopen on first use (declarations are local: no cuda.h).
//
// It is built twice:
//  - libmica_cuda_runtime.so, for host code run by mlir-runner (managed
//    memory, `mica-gpu-managed-memory`). Without a driver or GPU the first
//    call prints one clear error and exits with status 1: that generated
//    code has no error path.
//  - libMicaCudaRuntime.a, linked (with hidden symbols) into every model
//    library `mica-compile --target=cuda` writes. There the model object
//    owns a device state (below, `mica_device_*`, called by
//    lib/Runtime/MicaModel.c): the CUDA stream all work of a run goes to, an
//    arena that serves the run's gpu.alloc calls and is reused by the next
//    run, and the device copies of the constants (uploaded on first use).
//    Errors never exit: the first one is kept, every later call of the run
//    does nothing, and mica_model_create / mica_model_run report it.
//
// Plain C++ without the C++ runtime library (no exceptions, no std::
// containers, no static objects with constructors): model libraries link
// with the C driver and depend on libc only.
//
//===----------------------------------------------------------------------===//

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <pthread.h>

namespace {
using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;
using CUdeviceptr = unsigned long long;
constexpr unsigned kMemAttachGlobal = 1;
constexpr unsigned kStreamNonBlocking = 1;
constexpr unsigned kEventDisableTiming = 2;
constexpr int kJitOptimizationLevel = 7;

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
  CUresult (*streamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*eventCreate)(CUevent *, unsigned);
  CUresult (*eventRecord)(CUevent, CUstream);
  CUresult (*eventSynchronize)(CUevent);
  CUresult (*eventDestroy)(CUevent);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*getErrorString)(CUresult, const char **);
  CUcontext context;
};

Driver theDriver;
char driverError[512];
pthread_once_t driverOnce = PTHREAD_ONCE_INIT;
/// Guards the lazily loaded modules and their function caches.
pthread_mutex_t moduleMutex = PTHREAD_MUTEX_INITIALIZER;

template <typename F> bool bind(void *lib, F &fn, const char *name) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (!fn)
    std::snprintf(driverError, sizeof(driverError),
                  "the CUDA driver lacks %s (driver too old?)", name);
  return fn != nullptr;
}

/// Loads libcuda (or $MICA_LIBCUDA) and makes device 0's primary context
/// current; on failure leaves the reason in driverError.
void loadDriver() {
  Driver &d = theDriver;
  const char *path = std::getenv("MICA_LIBCUDA");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::snprintf(driverError, sizeof(driverError),
                  "cannot load the CUDA driver (libcuda.so.1; no NVIDIA "
                  "driver or GPU on this machine?): %s",
                  dlerror());
    return;
  }
  bool ok = bind(lib, d.init, "cuInit") &&
            bind(lib, d.deviceGet, "cuDeviceGet") &&
            bind(lib, d.primaryCtxRetain, "cuDevicePrimaryCtxRetain") &&
            bind(lib, d.ctxSetCurrent, "cuCtxSetCurrent") &&
            bind(lib, d.ctxSynchronize, "cuCtxSynchronize") &&
            bind(lib, d.moduleLoadDataEx, "cuModuleLoadDataEx") &&
            bind(lib, d.moduleUnload, "cuModuleUnload") &&
            bind(lib, d.moduleGetFunction, "cuModuleGetFunction") &&
            bind(lib, d.launchKernel, "cuLaunchKernel") &&
            bind(lib, d.streamCreate, "cuStreamCreate") &&
            bind(lib, d.streamSynchronize, "cuStreamSynchronize") &&
            bind(lib, d.streamDestroy, "cuStreamDestroy_v2") &&
            bind(lib, d.streamWaitEvent, "cuStreamWaitEvent") &&
            bind(lib, d.eventCreate, "cuEventCreate") &&
            bind(lib, d.eventRecord, "cuEventRecord") &&
            bind(lib, d.eventSynchronize, "cuEventSynchronize") &&
            bind(lib, d.eventDestroy, "cuEventDestroy_v2") &&
            bind(lib, d.memAlloc, "cuMemAlloc_v2") &&
            bind(lib, d.memAllocManaged, "cuMemAllocManaged") &&
            bind(lib, d.memFree, "cuMemFree_v2") &&
            bind(lib, d.memcpyAsync, "cuMemcpyAsync") &&
            bind(lib, d.getErrorString, "cuGetErrorString");
  if (!ok)
    return;
  CUdevice device = 0;
  if (d.init(0) != 0 || d.deviceGet(&device, 0) != 0 ||
      d.primaryCtxRetain(&d.context, device) != 0) {
    std::snprintf(driverError, sizeof(driverError),
                  "the CUDA driver (%s) found no usable GPU", path);
    d.context = nullptr;
  }
}

/// The driver with device 0's context current on this thread, or null (the
/// reason in driverError).
Driver *driverOrNull() {
  static __thread bool contextCurrent;
  pthread_once(&driverOnce, loadDriver);
  if (!theDriver.context)
    return nullptr;
  // The context is current per thread: make it current on this one.
  if (!contextCurrent) {
    if (theDriver.ctxSetCurrent(theDriver.context) != 0) {
      std::snprintf(driverError, sizeof(driverError),
                    "cannot make the GPU's context current");
      return nullptr;
    }
    contextCurrent = true;
  }
  return &theDriver;
}

//===----------------------------------------------------------------------===//
// Per-model device state
//===----------------------------------------------------------------------===//

/// One block of device memory of an arena.
struct Chunk {
  CUdeviceptr base;
  size_t size, used;
};

/// A device copy of a constant, keyed by its host address.
struct Constant {
  const void *host;
  size_t bytes;
  CUdeviceptr device;
};

/// What a model object owns on the device.
struct DeviceState {
  Driver *driver;
  CUstream stream;
  /// The arena of the current run: allocations bump through `chunks`; at
  /// the start of the next run a multi-chunk arena is replaced by one chunk
  /// of the total (so a steady state allocates nothing).
  Chunk *chunks;
  int numChunks, capChunks;
  Constant *constants;
  int numConstants, capConstants;
  char error[512];
  bool failed;
};

/// The model running on this thread (between mica_device_begin and _end).
__thread DeviceState *current;

[[noreturn]] void fatal(const char *what, const char *detail) {
  std::fprintf(stderr, "mica-cuda-runtime: error: %s%s%s\n", what,
               detail ? ": " : "", detail ? detail : "");
  std::exit(1);
}

/// Records the first error of `state` (or, outside a model, exits).
void fail(DeviceState *state, const char *format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  if (!state)
    fatal(message, nullptr);
  if (state->failed)
    return;
  state->failed = true;
  std::snprintf(state->error, sizeof(state->error), "%s", message);
}

/// The driver for a call made by generated code; null (error recorded) when
/// there is none or the current model already failed.
Driver *driverFor(DeviceState *state) {
  if (state && state->failed)
    return nullptr;
  Driver *d = driverOrNull();
  if (!d)
    fail(state, "%s", driverError);
  return d;
}

/// True when `result` is success; else records (or exits with) the error.
bool check(DeviceState *state, CUresult result, const char *call) {
  if (result == 0)
    return true;
  const char *message = nullptr;
  theDriver.getErrorString(result, &message);
  fail(state, "%s: %s", call, message ? message : "unknown CUDA error");
  return false;
}

template <typename T> bool grow(T *&array, int &capacity, int needed) {
  if (needed <= capacity)
    return true;
  int newCapacity = capacity ? capacity * 2 : 8;
  if (newCapacity < needed)
    newCapacity = needed;
  void *grown = std::realloc(array, sizeof(T) * newCapacity);
  if (!grown)
    return false;
  array = static_cast<T *>(grown);
  capacity = newCapacity;
  return true;
}

constexpr size_t kAlignment = 256;
constexpr size_t kMinChunk = size_t(1) << 20;

/// `bytes` of device memory from the arena of `state`'s current run.
CUdeviceptr arenaAlloc(DeviceState *state, size_t bytes) {
  Driver *d = driverFor(state);
  if (!d)
    return 0;
  bytes = (bytes + kAlignment - 1) & ~(kAlignment - 1);
  if (state->numChunks > 0) {
    Chunk &last = state->chunks[state->numChunks - 1];
    if (last.size - last.used >= bytes) {
      CUdeviceptr p = last.base + last.used;
      last.used += bytes;
      return p;
    }
  }
  size_t size = state->numChunks > 0
                    ? state->chunks[state->numChunks - 1].size * 2
                    : kMinChunk;
  if (size < bytes)
    size = bytes;
  if (!grow(state->chunks, state->capChunks, state->numChunks + 1)) {
    fail(state, "out of host memory");
    return 0;
  }
  CUdeviceptr base = 0;
  if (!check(state, d->memAlloc(&base, size), "cuMemAlloc (model arena)"))
    return 0;
  state->chunks[state->numChunks++] = {base, size, bytes};
  return base;
}

/// Makes the arena empty for the next run; several chunks become one.
void arenaReset(DeviceState *state) {
  if (state->numChunks > 1 && !state->failed) {
    size_t total = 0;
    for (int i = 0; i < state->numChunks; ++i) {
      total += state->chunks[i].used;
      check(state, state->driver->memFree(state->chunks[i].base),
            "cuMemFree (model arena)");
    }
    state->numChunks = 0;
    if (total < kMinChunk)
      total = kMinChunk;
    CUdeviceptr base = 0;
    if (check(state, state->driver->memAlloc(&base, total),
              "cuMemAlloc (model arena)"))
      state->chunks[state->numChunks++] = {base, total, 0};
  }
  for (int i = 0; i < state->numChunks; ++i)
    state->chunks[i].used = 0;
}

//===----------------------------------------------------------------------===//
// Kernel modules: registered by the library's constructor (no driver call
// there: loading a library must not fail), loaded on first use.
//===----------------------------------------------------------------------===//

struct CachedFunction {
  const char *name;
  CUfunction function;
};

struct LazyModule {
  const void *data;
  bool jit;
  int optLevel;
  CUmodule module;
  CachedFunction *functions;
  int numFunctions, capFunctions;
  LazyModule *next;
};

LazyModule *modules;

/// Loads `m` into the context once; false (error recorded) on failure.
bool ensureLoaded(DeviceState *state, LazyModule *m) {
  Driver *d = driverFor(state);
  if (!d)
    return false;
  pthread_mutex_lock(&moduleMutex);
  bool ok = true;
  if (!m->module) {
    int options[] = {kJitOptimizationLevel};
    void *values[] = {reinterpret_cast<void *>(intptr_t(m->optLevel))};
    ok = check(state,
               d->moduleLoadDataEx(&m->module, m->data, m->jit ? 1 : 0,
                                   m->jit ? options : nullptr,
                                   m->jit ? values : nullptr),
               m->jit ? "cuModuleLoadDataEx (PTX JIT by the driver)"
                      : "cuModuleLoadDataEx (cubin/fatbin)");
  }
  pthread_mutex_unlock(&moduleMutex);
  return ok;
}

void *registerModule(const void *data, bool jit, int optLevel) {
  auto *m = static_cast<LazyModule *>(std::calloc(1, sizeof(LazyModule)));
  if (!m)
    fatal("out of host memory", nullptr);
  m->data = data;
  m->jit = jit;
  m->optLevel = optLevel;
  pthread_mutex_lock(&moduleMutex);
  m->next = modules;
  modules = m;
  pthread_mutex_unlock(&moduleMutex);
  return m;
}

/// A constant's device copy (uploaded on the model stream the first time).
CUdeviceptr deviceConstant(DeviceState *state, const void *host, size_t bytes) {
  for (int i = 0; i < state->numConstants; ++i)
    if (state->constants[i].host == host && state->constants[i].bytes == bytes)
      return state->constants[i].device;
  Driver *d = driverFor(state);
  if (!d)
    return 0;
  if (!grow(state->constants, state->capConstants, state->numConstants + 1)) {
    fail(state, "out of host memory");
    return 0;
  }
  CUdeviceptr device = 0;
  if (!check(state, d->memAlloc(&device, bytes ? bytes : 1),
             "cuMemAlloc (constant)") ||
      !check(state,
             d->memcpyAsync(device, reinterpret_cast<CUdeviceptr>(host), bytes,
                            state->stream),
             "cuMemcpyAsync (constant upload)"))
    return 0;
  state->constants[state->numConstants++] = {host, bytes, device};
  return device;
}

/// Rank-`rank` memref descriptor: allocated, aligned, offset, sizes, strides.
struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

/// The device twin of the constant described by `in` (a memref global with
/// an identity layout), as a fresh heap descriptor (the caller frees it).
UnrankedMemRef constantDescriptor(UnrankedMemRef in, size_t elementBytes) {
  DeviceState *state = current;
  if (!state)
    fatal("a device-memory model function ran outside mica_model_run "
          "(constants need the model's device state)",
          nullptr);
  const int64_t *desc = static_cast<const int64_t *>(in.descriptor);
  size_t words = 3 + 2 * size_t(in.rank);
  size_t count = 1;
  for (int64_t k = 0; k < in.rank; ++k)
    count *= size_t(desc[3 + k]);
  const char *host =
      reinterpret_cast<const char *>(desc[1]) + desc[2] * elementBytes;
  CUdeviceptr device = deviceConstant(state, host, count * elementBytes);
  auto *out = static_cast<int64_t *>(std::malloc(words * sizeof(int64_t)));
  if (!out)
    fatal("out of host memory", nullptr);
  std::memcpy(out, desc, words * sizeof(int64_t));
  out[0] = out[1] = int64_t(device);
  out[2] = 0;
  return {in.rank, out};
}
} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// The ABI of MLIR's gpu-to-llvm lowering (LLVM 22).
//===----------------------------------------------------------------------===//

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return registerModule(data, /*jit=*/true, optLevel);
}

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  return registerModule(data, /*jit=*/false, 0);
}

void mgpuModuleUnload(void *handle) {
  // Runs from the library's destructor: never fail there.
  auto *m = static_cast<LazyModule *>(handle);
  pthread_mutex_lock(&moduleMutex);
  for (LazyModule **p = &modules; *p; p = &(*p)->next)
    if (*p == m) {
      *p = m->next;
      break;
    }
  pthread_mutex_unlock(&moduleMutex);
  if (m->module && theDriver.moduleUnload)
    theDriver.moduleUnload(m->module);
  std::free(m->functions);
  std::free(m);
}

void *mgpuModuleGetFunction(void *handle, const char *name) {
  DeviceState *state = current;
  auto *m = static_cast<LazyModule *>(handle);
  if (!ensureLoaded(state, m))
    return nullptr;
  // Generated code asks for the function at every launch: cache it.
  CUfunction function = nullptr;
  pthread_mutex_lock(&moduleMutex);
  for (int i = 0; i < m->numFunctions && !function; ++i)
    if (m->functions[i].name == name ||
        std::strcmp(m->functions[i].name, name) == 0)
      function = m->functions[i].function;
  pthread_mutex_unlock(&moduleMutex);
  if (function)
    return function;
  if (!check(state, theDriver.moduleGetFunction(&function, m->module, name),
             "cuModuleGetFunction"))
    return nullptr;
  pthread_mutex_lock(&moduleMutex);
  if (grow(m->functions, m->capFunctions, m->numFunctions + 1))
    m->functions[m->numFunctions++] = {name, function};
  pthread_mutex_unlock(&moduleMutex);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (!d || !function)
    return;
  check(state,
        d->launchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ,
                        smem, stream, params, extra),
        "cuLaunchKernel");
}

/// In a model run every stream is the model's stream: the work of a run is
/// ordered as the host code issues it.
void *mgpuStreamCreate() {
  DeviceState *state = current;
  if (state)
    return state->stream;
  CUstream stream = nullptr;
  check(nullptr, driverFor(nullptr)->streamCreate(&stream, kStreamNonBlocking),
        "cuStreamCreate");
  return stream;
}

void mgpuStreamSynchronize(void *stream) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (d)
    check(state, d->streamSynchronize(stream),
          "cuStreamSynchronize (a kernel or copy failed)");
}

void mgpuStreamDestroy(void *stream) {
  DeviceState *state = current;
  if (state && stream == state->stream)
    return;
  Driver *d = driverFor(state);
  if (d)
    check(state, d->streamDestroy(stream), "cuStreamDestroy");
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (d)
    check(state, d->streamWaitEvent(stream, event, 0), "cuStreamWaitEvent");
}

void *mgpuEventCreate() {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  CUevent event = nullptr;
  if (d)
    check(state, d->eventCreate(&event, kEventDisableTiming), "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (d && event)
    check(state, d->eventDestroy(event), "cuEventDestroy");
}

void mgpuEventSynchronize(void *event) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (d && event)
    check(state, d->eventSynchronize(event), "cuEventSynchronize");
}

void mgpuEventRecord(void *event, void *stream) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (d && event)
    check(state, d->eventRecord(event, stream), "cuEventRecord");
}

/// gpu.alloc. In a model run: device memory from the model's arena (freed
/// all at once when the next run starts). Outside (mlir-runner): managed
/// memory, which serves host-shared and device allocations alike.
void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                   bool /*isHostShared*/) {
  DeviceState *state = current;
  if (state)
    return reinterpret_cast<void *>(arenaAlloc(state, sizeBytes));
  Driver *d = driverFor(nullptr);
  CUdeviceptr ptr = 0;
  check(nullptr, d->ctxSynchronize(), "cuCtxSynchronize");
  check(nullptr,
        d->memAllocManaged(&ptr, sizeBytes ? sizeBytes : 1, kMemAttachGlobal),
        "cuMemAllocManaged");
  return reinterpret_cast<void *>(ptr);
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (current)
    return; // Arena memory: released by the next run's reset.
  Driver *d = driverFor(nullptr);
  check(nullptr, d->ctxSynchronize(), "cuCtxSynchronize");
  check(nullptr, d->memFree(reinterpret_cast<CUdeviceptr>(ptr)), "cuMemFree");
}

/// gpu.memcpy: the driver infers the direction (unified addressing).
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  DeviceState *state = current;
  Driver *d = driverFor(state);
  if (d && sizeBytes)
    check(state,
          d->memcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                         reinterpret_cast<CUdeviceptr>(src), sizeBytes, stream),
          "cuMemcpyAsync");
}

//===----------------------------------------------------------------------===//
// Device constants (mica-gpu-device-memory): one entry per element type,
// called with the host global as an unranked memref.
//===----------------------------------------------------------------------===//

#define MICA_GPU_CONSTANT(SUFFIX, BYTES)                                       \
  UnrankedMemRef __mica_gpu_constant_##SUFFIX(int64_t rank, void *desc) {      \
    return constantDescriptor({rank, desc}, BYTES);                            \
  }
MICA_GPU_CONSTANT(f64, 8)
MICA_GPU_CONSTANT(f32, 4)
MICA_GPU_CONSTANT(f16, 2)
MICA_GPU_CONSTANT(bf16, 2)
MICA_GPU_CONSTANT(i64, 8)
MICA_GPU_CONSTANT(i32, 4)
MICA_GPU_CONSTANT(i16, 2)
MICA_GPU_CONSTANT(i8, 1)
MICA_GPU_CONSTANT(i1, 1)
#undef MICA_GPU_CONSTANT

//===----------------------------------------------------------------------===//
// The model object's device state (lib/Runtime/MicaModel.c).
//===----------------------------------------------------------------------===//

/// A device state: the driver loaded, the stream created and all kernel
/// modules loaded, or the first error in mica_device_error. Null only when
/// out of host memory.
void *mica_device_create(void) {
  auto *state = static_cast<DeviceState *>(std::calloc(1, sizeof(DeviceState)));
  if (!state)
    return nullptr;
  state->driver = driverFor(state);
  if (!state->driver)
    return state;
  if (!check(state,
             state->driver->streamCreate(&state->stream, kStreamNonBlocking),
             "cuStreamCreate"))
    return state;
  pthread_mutex_lock(&moduleMutex);
  LazyModule *list = modules;
  pthread_mutex_unlock(&moduleMutex);
  for (LazyModule *m = list; m; m = m->next)
    if (!ensureLoaded(state, m))
      break;
  return state;
}

/// The first error of `state`, or null.
const char *mica_device_error(void *state) {
  auto *s = static_cast<DeviceState *>(state);
  return s->failed ? s->error : nullptr;
}

/// Starts a run on this thread: the arena is reset. Non-zero when the state
/// has failed.
int mica_device_begin(void *state) {
  auto *s = static_cast<DeviceState *>(state);
  // The context is current per thread: a run may come from a new thread.
  if (s->failed || !driverFor(s))
    return 1;
  arenaReset(s);
  current = s;
  return s->failed ? 1 : 0;
}

/// `bytes` of arena memory holding a copy of `host` (queued on the stream).
void *mica_device_upload(void *state, const void *host, size_t bytes) {
  auto *s = static_cast<DeviceState *>(state);
  CUdeviceptr device = arenaAlloc(s, bytes ? bytes : 1);
  if (device && bytes && !s->failed)
    check(s,
          s->driver->memcpyAsync(device, reinterpret_cast<CUdeviceptr>(host),
                                 bytes, s->stream),
          "cuMemcpyAsync (input)");
  return reinterpret_cast<void *>(device);
}

/// Queues a copy of `bytes` at device address `device` into `host`.
void mica_device_download(void *state, void *host, const void *device,
                          size_t bytes) {
  auto *s = static_cast<DeviceState *>(state);
  if (s->failed || !bytes)
    return;
  check(s,
        s->driver->memcpyAsync(reinterpret_cast<CUdeviceptr>(host),
                               reinterpret_cast<CUdeviceptr>(device), bytes,
                               s->stream),
        "cuMemcpyAsync (output)");
}

/// Ends the run: waits for the stream (the one synchronization of a run).
/// Non-zero when anything failed.
int mica_device_end(void *state) {
  auto *s = static_cast<DeviceState *>(state);
  if (!s->failed)
    check(s, s->driver->streamSynchronize(s->stream),
          "cuStreamSynchronize (a kernel or copy of the run failed)");
  current = nullptr;
  return s->failed ? 1 : 0;
}

void mica_device_destroy(void *state) {
  auto *s = static_cast<DeviceState *>(state);
  if (!s)
    return;
  if (s->driver && driverOrNull()) {
    if (s->stream)
      s->driver->streamSynchronize(s->stream);
    for (int i = 0; i < s->numChunks; ++i)
      s->driver->memFree(s->chunks[i].base);
    for (int i = 0; i < s->numConstants; ++i)
      s->driver->memFree(s->constants[i].device);
    if (s->stream)
      s->driver->streamDestroy(s->stream);
  }
  std::free(s->chunks);
  std::free(s->constants);
  std::free(s);
}

} // extern "C"
