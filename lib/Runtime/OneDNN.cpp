//===- OneDNN.cpp - oneDNN primitives behind Mica's external calls --------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The entry points that `convert-mica-to-runtime` calls for ops it hands to
/// oneDNN (include/mica/Runtime/MicaExtern.h). Each call site owns a slot (a
/// pointer-sized global of the model); the first call on a slot builds the
/// primitive, reorders the weights into oneDNN's preferred layout and caches
/// both there, so later calls only execute. A slot keeps one primitive per
/// distinct shape (dynamic batch or sequence), created on first sight.
///
/// Operands arrive as unranked memrefs ({rank, descriptor} pairs).
/// Failures never abort: the message is kept per thread and
/// mica_model_run returns it (mica_runtime_take_error).
///
/// Threads: the oneDNN OpenMP build shares the process with the libomp that
/// compiled models use; models with external calls link libomp before
/// libdnnl so that oneDNN's GOMP_* calls bind to libomp (one thread pool).
/// Each call sets the OpenMP thread count to the model's `--threads`.
///
//===----------------------------------------------------------------------===//

#include "mica/Runtime/MicaExtern.h"

#include <dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" void omp_set_num_threads(int);
// Weak: absent from libmica_runtime_dnnl.so's view in JIT hosts.
extern "C" void *mica_runtime_scratch(int slot, size_t bytes)
    __attribute__((weak));

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;
using DT = memory::data_type;

namespace {

//===----------------------------------------------------------------------===//
// Errors, engine, scratch memory
//===----------------------------------------------------------------------===//

thread_local std::string lastError;

void fail(const std::string &message) {
  if (lastError.empty())
    lastError = message;
}

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

enum ScratchSlot {
  kGather = 0,    // gathered batch rows of the layer input
  kSrcConvert,    // layer input / matmul source in the primitive's type
  kIter,          // initial h of a partial batch (or zeros)
  kIterC,         // initial c of a partial batch (or zeros)
  kIterConvert,   // initial h in the primitive's type
  kDst,           // layer output before its scatter
  kDstConvert,    // layer output in the primitive's type
  kDstIter,       // final h before its scatter
  kDstIterC,      // final c before its scatter
  kDstIterConvert, // final h in the primitive's type
  kScratchpad,    // oneDNN's scratchpad
  kNumScratch
};
static_assert(kNumScratch <= MICA_SCRATCH_SLOTS, "arena slots");

/// Scratch memory (oneDNN's scratchpad, gathered/converted operands): the
/// running model's arena (mica_runtime_scratch of lib/Runtime/MicaModel.c,
/// linked into every compiled library), else per-thread buffers grown on
/// demand (a JIT host whose runtime library cannot see the model's).
struct Scratch {
  std::vector<char> bytes[kNumScratch];
  void *get(ScratchSlot which, size_t size) {
    if (mica_runtime_scratch)
      if (void *arena = mica_runtime_scratch(which, size))
        return arena;
    std::vector<char> &b = bytes[which];
    if (b.size() < size)
      b.resize(size);
    return b.data();
  }
};
thread_local Scratch scratch;

/// A view of one unranked memref operand.
struct View {
  int64_t rank;
  const int64_t *d;
  View(int64_t rank, void *descriptor)
      : rank(rank), d(static_cast<const int64_t *>(descriptor)) {}
  template <typename T> T *data() const {
    return reinterpret_cast<T *>(d[1]) + d[2];
  }
  int64_t size(int64_t k) const { return d[3 + k]; }
  int64_t stride(int64_t k) const { return d[3 + rank + k]; }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t k = 0; k < rank; ++k)
      n *= size(k);
    return n;
  }
  bool dense() const {
    int64_t s = 1;
    for (int64_t k = rank - 1; k >= 0; --k) {
      if (size(k) != 1 && stride(k) != s)
        return false;
      s *= size(k);
    }
    return true;
  }
  /// The elements in row-major order: the buffer itself when dense, else a
  /// copy in `copy`.
  template <typename T> const T *denseData(std::vector<T> &copy) const {
    if (dense())
      return data<T>();
    copy.resize(numel());
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0, n = numel(); i < n; ++i) {
      int64_t off = 0;
      for (int64_t k = 0; k < rank; ++k)
        off += idx[k] * stride(k);
      copy[i] = data<T>()[off];
      for (int64_t k = rank - 1; k >= 0 && ++idx[k] == size(k); --k)
        idx[k] = 0;
    }
    return copy.data();
  }
};

/// Sets the OpenMP thread count for oneDNN's parallel regions.
void useThreads(int64_t threads) {
  if (threads > 0)
    omp_set_num_threads(static_cast<int>(threads));
}

Dims denseStrides(const Dims &dims) {
  Dims strides(dims.size(), 1);
  for (int64_t k = static_cast<int64_t>(dims.size()) - 2; k >= 0; --k)
    strides[k] = strides[k + 1] * std::max<int64_t>(dims[k + 1], 1);
  return strides;
}

/// A plain row-major f32 descriptor with the dims of `md`.
memory::desc plainF32(const memory::desc &md) {
  return memory::desc(md.dims(), DT::f32, denseStrides(md.dims()));
}

/// A memory object of `md` holding the f32 data at `f32` (converted through
/// a scratch buffer when `md` is not f32).
memory input(const memory::desc &md, const float *f32, ScratchSlot slot,
             dnnl::stream &stream) {
  if (md.data_type() == DT::f32)
    return memory(md, cpuEngine(), const_cast<float *>(f32));
  memory user(plainF32(md), cpuEngine(), const_cast<float *>(f32));
  memory converted(md, cpuEngine(), scratch.get(slot, md.get_size()));
  dnnl::reorder(user, converted).execute(stream, user, converted);
  return converted;
}

/// An output memory of `md` whose f32 result lands at `f32` after finish().
struct Output {
  memory mem;
  float *f32 = nullptr;
  bool convert = false;
  Output(const memory::desc &md, float *f32, ScratchSlot slot) : f32(f32) {
    convert = md.data_type() != DT::f32;
    mem = memory(md, cpuEngine(),
                 convert ? scratch.get(slot, md.get_size()) : f32);
  }
  void finish(dnnl::stream &stream) {
    if (!convert)
      return;
    memory user(plainF32(mem.get_desc()), cpuEngine(), f32);
    dnnl::reorder(mem, user).execute(stream, mem, user);
  }
};

/// The slot's object, created on first use under a process-wide lock.
template <typename State> State &stateOf(void **slot) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (!*slot)
    *slot = new State();
  return *static_cast<State *>(*slot);
}

//===----------------------------------------------------------------------===//
// LSTM
//===----------------------------------------------------------------------===//

/// Mica's gate blocks are i, o, f, c (ONNX); oneDNN's are i, f, c, o.
constexpr int kGateFromMica[4] = {0, 2, 3, 1};
/// Peepholes: Mica i, o, f; oneDNN i, f, o.
constexpr int kPeepFromMica[3] = {0, 2, 1};

struct LstmPrimitive {
  dnnl::lstm_forward primitive;
  dnnl::lstm_forward::primitive_desc pd;
  memory weightsLayer, weightsIter, bias, peephole;
  bool weightsLoaded = false;
};

struct LstmState {
  std::mutex mutex;
  /// Weights in oneDNN's gate order and plain ldigo/ldgo layouts, per
  /// direction: the source of every reorder.
  std::vector<float> w[2], r[2], b[2], p[2];
  bool userWeightsReady = false;
  std::map<std::vector<int64_t>, std::unique_ptr<LstmPrimitive>> primitives;
};

/// Fills the plain, gate-permuted weights of direction `d` from the model's
/// operands.
void loadLstmUserWeights(LstmState &s, int64_t flags, int64_t d, int64_t H,
                         int64_t I, const View &w, const View &r,
                         const View &b, const View &p) {
  std::vector<float> tw, tr, tb, tp;
  const float *wd = w.denseData(tw), *rd = r.denseData(tr);
  auto transposeGates = [&](const float *src, int64_t in,
                            std::vector<float> &dst) {
    // src [D, 4H, in] (Mica gates) -> dst [in, 4, H] (oneDNN gates).
    dst.assign(in * 4 * H, 0.f);
    const float *base = src + d * 4 * H * in;
    for (int64_t g = 0; g < 4; ++g)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < in; ++i)
          dst[(i * 4 + g) * H + h] = base[(kGateFromMica[g] * H + h) * in + i];
  };
  transposeGates(wd, I, s.w[d]);
  transposeGates(rd, H, s.r[d]);
  s.b[d].assign(4 * H, 0.f);
  if (flags & MICA_LSTM_HAS_BIAS) {
    const float *bd = b.denseData(tb) + d * 8 * H;
    for (int64_t g = 0; g < 4; ++g)
      for (int64_t h = 0; h < H; ++h)
        s.b[d][g * H + h] = bd[kGateFromMica[g] * H + h] +
                            bd[4 * H + kGateFromMica[g] * H + h];
  }
  if (flags & MICA_LSTM_HAS_PEEPHOLES) {
    const float *pd = p.denseData(tp) + d * 3 * H;
    s.p[d].assign(3 * H, 0.f);
    for (int64_t g = 0; g < 3; ++g)
      for (int64_t h = 0; h < H; ++h)
        s.p[d][g * H + h] = pd[kPeepFromMica[g] * H + h];
  }
}

LstmPrimitive &lstmPrimitive(LstmState &s, int64_t flags, int64_t d,
                             dnnl::rnn_direction dir, int64_t T, int64_t B,
                             int64_t I, int64_t H) {
  std::unique_ptr<LstmPrimitive> &slot = s.primitives[{d, T, B}];
  if (slot)
    return *slot;
  DT dt = (flags & MICA_EXTERN_BF16) ? DT::bf16 : DT::f32;
  memory::desc srcLayer({T, B, I}, dt, Tag::tnc);
  memory::desc iter({1, 1, B, H}, dt, Tag::ldnc);
  memory::desc iterC({1, 1, B, H}, DT::f32, Tag::ldnc);
  memory::desc wl({1, 1, I, 4, H}, dt, Tag::any);
  memory::desc wi({1, 1, H, 4, H}, dt, Tag::any);
  memory::desc peep = (flags & MICA_LSTM_HAS_PEEPHOLES)
                          ? memory::desc({1, 1, 3, H}, DT::f32, Tag::ldgo)
                          : memory::desc();
  memory::desc bias({1, 1, 4, H}, DT::f32, Tag::ldgo);
  memory::desc dstLayer({T, B, H}, dt, Tag::tnc);
  dnnl::lstm_forward::desc desc(dnnl::prop_kind::forward_inference, dir,
                                srcLayer, iter, iterC, wl, wi, peep, bias,
                                dstLayer, iter, iterC);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  auto prim = std::make_unique<LstmPrimitive>();
  prim->pd = dnnl::lstm_forward::primitive_desc(desc, attr, cpuEngine());
  prim->primitive = dnnl::lstm_forward(prim->pd);
  prim->weightsLayer = memory(prim->pd.weights_layer_desc(), cpuEngine());
  prim->weightsIter = memory(prim->pd.weights_iter_desc(), cpuEngine());
  prim->bias = memory(bias, cpuEngine());
  if (flags & MICA_LSTM_HAS_PEEPHOLES)
    prim->peephole = memory(peep, cpuEngine());
  slot = std::move(prim);
  return *slot;
}

/// Reorders direction `d`'s plain weights into the primitive's layout.
void loadLstmWeights(LstmState &s, LstmPrimitive &prim, int64_t flags,
                     int64_t d, int64_t I, int64_t H, dnnl::stream &stream) {
  auto reorderInto = [&](std::vector<float> &src, Dims dims, Tag tag,
                         memory &dst) {
    memory user(memory::desc(dims, DT::f32, tag), cpuEngine(), src.data());
    dnnl::reorder(user, dst).execute(stream, user, dst);
  };
  reorderInto(s.w[d], {1, 1, I, 4, H}, Tag::ldigo, prim.weightsLayer);
  reorderInto(s.r[d], {1, 1, H, 4, H}, Tag::ldigo, prim.weightsIter);
  std::memcpy(prim.bias.get_data_handle(), s.b[d].data(),
              s.b[d].size() * sizeof(float));
  if (flags & MICA_LSTM_HAS_PEEPHOLES)
    std::memcpy(prim.peephole.get_data_handle(), s.p[d].data(),
                s.p[d].size() * sizeof(float));
  stream.wait();
  prim.weightsLoaded = true;
}

/// Runs one direction over the batch entries `rows` (all of them, in order,
/// when `rows` is empty) for `T` steps.
void runLstmGroup(LstmState &s, int64_t flags, int64_t d, int64_t D,
                  dnnl::rnn_direction dir, int64_t T, int64_t B, int64_t I,
                  int64_t H, const std::vector<int64_t> &rows, const float *x,
                  const float *h0, const float *c0, float *y, float *yh,
                  float *yc, dnnl::stream &stream) {
  bool all = rows.empty();
  int64_t Bg = all ? B : static_cast<int64_t>(rows.size());
  LstmPrimitive &prim = lstmPrimitive(s, flags, d, dir, T, Bg, I, H);
  if (!prim.weightsLoaded || !(flags & MICA_EXTERN_CONST_WEIGHTS))
    loadLstmWeights(s, prim, flags, d, I, H, stream);

  // Sources: gathered rows (a partial batch) or the model's buffers.
  const float *src = x;
  if (!all) {
    float *g = static_cast<float *>(scratch.get(kGather, T * Bg * I * 4));
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < Bg; ++j)
        std::memcpy(g + (t * Bg + j) * I, x + (t * B + rows[j]) * I,
                    I * sizeof(float));
    src = g;
  }
  auto stateIn = [&](const float *full, ScratchSlot slot) -> const float * {
    float *g = static_cast<float *>(scratch.get(slot, Bg * H * 4));
    if (!full) {
      std::fill(g, g + Bg * H, 0.f);
      return g;
    }
    const float *base = full + d * B * H;
    if (all)
      return base;
    for (int64_t j = 0; j < Bg; ++j)
      std::memcpy(g + j * H, base + rows[j] * H, H * sizeof(float));
    return g;
  };
  const float *hIn = stateIn(h0, kIter), *cIn = stateIn(c0, kIterC);

  // Destinations: written in place when the layout allows.
  bool direct = all && D == 1;
  float *dstLayer =
      direct ? y : static_cast<float *>(scratch.get(kDst, T * Bg * H * 4));
  float *hOut = all ? yh + d * B * H
                    : static_cast<float *>(scratch.get(kDstIter, Bg * H * 4));
  float *cOut = all ? yc + d * B * H
                    : static_cast<float *>(scratch.get(kDstIterC, Bg * H * 4));

  const auto &pd = prim.pd;
  memory srcMem = input(pd.src_layer_desc(), src, kSrcConvert, stream);
  memory hMem = input(pd.src_iter_desc(), hIn, kIterConvert, stream);
  memory cMem(pd.src_iter_c_desc(), cpuEngine(), const_cast<float *>(cIn));
  Output dst(pd.dst_layer_desc(), dstLayer, kDstConvert);
  Output hDst(pd.dst_iter_desc(), hOut, kDstIterConvert);
  memory cDst(pd.dst_iter_c_desc(), cpuEngine(), cOut);
  memory::desc scratchMd = pd.scratchpad_desc();
  memory pad(scratchMd, cpuEngine(),
             scratch.get(kScratchpad, scratchMd.get_size()));
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC_LAYER, srcMem},
      {DNNL_ARG_SRC_ITER, hMem},
      {DNNL_ARG_SRC_ITER_C, cMem},
      {DNNL_ARG_WEIGHTS_LAYER, prim.weightsLayer},
      {DNNL_ARG_WEIGHTS_ITER, prim.weightsIter},
      {DNNL_ARG_BIAS, prim.bias},
      {DNNL_ARG_DST_LAYER, dst.mem},
      {DNNL_ARG_DST_ITER, hDst.mem},
      {DNNL_ARG_DST_ITER_C, cDst},
      {DNNL_ARG_SCRATCHPAD, pad}};
  if (flags & MICA_LSTM_HAS_PEEPHOLES)
    args[DNNL_ARG_WEIGHTS_PEEPHOLE] = prim.peephole;
  prim.primitive.execute(stream, args);
  dst.finish(stream);
  hDst.finish(stream);
  stream.wait();

  // Scatter what was not written in place.
  if (!direct)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < Bg; ++j)
        std::memcpy(y + ((t * D + d) * B + (all ? j : rows[j])) * H,
                    dstLayer + (t * Bg + j) * H, H * sizeof(float));
  if (!all)
    for (int64_t j = 0; j < Bg; ++j) {
      std::memcpy(yh + (d * B + rows[j]) * H, hOut + j * H, H * 4);
      std::memcpy(yc + (d * B + rows[j]) * H, cOut + j * H, H * 4);
    }
}

/// oneDNN's direction for direction `d` of a Mica LSTM (bidirectional ones
/// run as two unidirectional primitives).
dnnl::rnn_direction directionOf(int64_t direction, int64_t d) {
  return direction == MICA_LSTM_REVERSE || d == 1
             ? dnnl::rnn_direction::unidirectional_right2left
             : dnnl::rnn_direction::unidirectional_left2right;
}

void lstm(void **slot, int64_t flags, int64_t H, int64_t threads, View x,
          View w, View r, View b, View seq, View h0, View c0, View p, View y,
          View yh, View yc) {
  LstmState &s = stateOf<LstmState>(slot);
  std::lock_guard<std::mutex> lock(s.mutex);
  useThreads(threads);
  int64_t T = x.size(0), B = x.size(1), I = x.size(2);
  int64_t direction = flags & 3;
  int64_t D = direction == MICA_LSTM_BIDIRECTIONAL ? 2 : 1;
  if (!s.userWeightsReady || !(flags & MICA_EXTERN_CONST_WEIGHTS)) {
    for (int64_t d = 0; d < D; ++d)
      loadLstmUserWeights(s, flags, d, H, I, w, r, b, p);
    s.userWeightsReady = true;
    for (auto &entry : s.primitives)
      entry.second->weightsLoaded = false;
  }
  if (flags & MICA_EXTERN_PREPARE) {
    if (T == 0 || B == 0 || H == 0)
      return;
    dnnl::stream stream(cpuEngine());
    for (int64_t d = 0; d < D; ++d) {
      dnnl::rnn_direction dir = directionOf(direction, d);
      LstmPrimitive &prim = lstmPrimitive(s, flags, d, dir, T, B, I, H);
      if (!prim.weightsLoaded)
        loadLstmWeights(s, prim, flags, d, I, H, stream);
    }
    return;
  }
  if (T == 0 || B == 0 || H == 0) {
    std::vector<float> t0, t1;
    for (int64_t i = 0, n = yh.numel(); i < n; ++i) {
      yh.data<float>()[i] =
          (flags & MICA_LSTM_HAS_INITIAL_H) ? h0.denseData(t0)[i] : 0.f;
      yc.data<float>()[i] =
          (flags & MICA_LSTM_HAS_INITIAL_C) ? c0.denseData(t1)[i] : 0.f;
    }
    return;
  }

  std::vector<float> tx, th, tc;
  const float *xd = x.denseData(tx);
  const float *h0d =
      (flags & MICA_LSTM_HAS_INITIAL_H) ? h0.denseData(th) : nullptr;
  const float *c0d =
      (flags & MICA_LSTM_HAS_INITIAL_C) ? c0.denseData(tc) : nullptr;
  float *yd = y.data<float>(), *yhd = yh.data<float>(),
        *ycd = yc.data<float>();

  // Sequence lengths: batch entries grouped by length; each group runs on
  // its own for exactly its steps (oneDNN has no per-entry lengths).
  std::map<int64_t, std::vector<int64_t>> groups;
  bool full = true;
  if (flags & MICA_LSTM_HAS_SEQUENCE_LENS) {
    std::vector<int64_t> tl;
    const int64_t *lens = seq.denseData(tl);
    for (int64_t j = 0; j < B; ++j) {
      int64_t len = std::clamp<int64_t>(lens[j], 0, T);
      groups[len].push_back(j);
      full &= len == T;
    }
  }
  if (!full)
    std::fill(yd, yd + y.numel(), 0.f);

  dnnl::stream stream(cpuEngine());
  for (int64_t d = 0; d < D; ++d) {
    dnnl::rnn_direction dir = directionOf(direction, d);
    if (full) {
      runLstmGroup(s, flags, d, D, dir, T, B, I, H, {}, xd, h0d, c0d, yd,
                   yhd, ycd, stream);
      continue;
    }
    for (auto &[len, rows] : groups) {
      if (len > 0) {
        runLstmGroup(s, flags, d, D, dir, len, B, I, H, rows, xd, h0d, c0d,
                     yd, yhd, ycd, stream);
        continue;
      }
      // Empty sequences keep their initial state.
      for (int64_t j : rows)
        for (int64_t h = 0; h < H; ++h) {
          int64_t at = (d * B + j) * H + h;
          yhd[at] = h0d ? h0d[at] : 0.f;
          ycd[at] = c0d ? c0d[at] : 0.f;
        }
    }
  }
}

//===----------------------------------------------------------------------===//
// Matmul / dense
//===----------------------------------------------------------------------===//

struct MatmulPrimitive {
  dnnl::matmul primitive;
  dnnl::matmul::primitive_desc pd;
  memory weights; // reordered constant weights
  bool weightsLoaded = false;
};

struct MatmulState {
  std::mutex mutex;
  std::map<std::vector<int64_t>, std::unique_ptr<MatmulPrimitive>> primitives;
};

dnnl::algorithm activationAlgorithm(int64_t activation) {
  switch (activation) {
  case MICA_ACT_RELU:
    return dnnl::algorithm::eltwise_relu;
  case MICA_ACT_GELU:
    return dnnl::algorithm::eltwise_gelu_erf;
  case MICA_ACT_GELU_TANH:
    return dnnl::algorithm::eltwise_gelu_tanh;
  case MICA_ACT_TANH:
    return dnnl::algorithm::eltwise_tanh;
  case MICA_ACT_SIGMOID:
    return dnnl::algorithm::eltwise_logistic;
  default:
    return dnnl::algorithm::undef;
  }
}

/// The scalar activations of MICA_ACT_* (empty contractions only).
float applyActivation(int64_t activation, float x) {
  switch (activation) {
  case MICA_ACT_RELU:
    return x > 0.f ? x : 0.f;
  case MICA_ACT_GELU:
    return 0.5f * x * (1.f + std::erf(x * 0.70710678f));
  case MICA_ACT_GELU_TANH:
    return 0.5f * x *
           (1.f + std::tanh(0.79788456f * (x + 0.044715f * x * x * x)));
  case MICA_ACT_TANH:
    return std::tanh(x);
  case MICA_ACT_SIGMOID:
    return 1.f / (1.f + std::exp(-x));
  default:
    return x;
  }
}

void matmul(void **slot, int64_t flags, int64_t activation, int64_t threads,
            View a, View b, View bias, View c) {
  MatmulState &s = stateOf<MatmulState>(slot);
  std::lock_guard<std::mutex> lock(s.mutex);
  useThreads(threads);
  if (c.numel() == 0)
    return;
  bool dense = flags & MICA_MATMUL_DENSE;
  DT dt = (flags & MICA_EXTERN_BF16) ? DT::bf16 : DT::f32;
  // oneDNN problem: src [batch..., M, K] x weights [batch..., K, N].
  Dims src, wei, dst, weiStrides;
  if (dense) {
    int64_t K = a.size(a.rank - 1), N = b.size(0);
    int64_t M = K ? a.numel() / K : c.numel() / N;
    src = {M, K};
    wei = {K, N};
    weiStrides = {1, K};
    dst = {M, N};
  } else {
    int64_t n = c.rank;
    for (int64_t k = 0; k < n; ++k)
      dst.push_back(c.size(k));
    src.assign(n - a.rank, 1);
    for (int64_t k = 0; k < a.rank; ++k)
      src.push_back(a.size(k));
    wei.assign(n - b.rank, 1);
    for (int64_t k = 0; k < b.rank; ++k)
      wei.push_back(b.size(k));
    weiStrides = denseStrides(wei);
  }
  if (src.back() == 0) {
    // An empty contraction: act(bias) or act(0) everywhere.
    std::vector<float> tbias;
    const float *bd =
        (flags & MICA_MATMUL_HAS_BIAS) ? bias.denseData(tbias) : nullptr;
    float *cd = c.data<float>();
    int64_t n = dst.back();
    for (int64_t i = 0, e = c.numel(); i < e; ++i)
      cd[i] = applyActivation(activation, bd ? bd[i % n] : 0.f);
    return;
  }
  std::vector<int64_t> key = src;
  key.insert(key.end(), wei.begin(), wei.end());
  std::unique_ptr<MatmulPrimitive> &entry = s.primitives[key];
  bool constWeights = flags & MICA_EXTERN_CONST_WEIGHTS;
  memory::desc userWei(wei, DT::f32, weiStrides);
  if (!entry) {
    memory::desc srcMd(src, dt, denseStrides(src));
    memory::desc weiMd =
        constWeights || dt != DT::f32
            ? memory::desc(wei, dt, Tag::any)
            : userWei;
    memory::desc biasMd;
    if (flags & MICA_MATMUL_HAS_BIAS) {
      Dims bdims(dst.size(), 1);
      bdims.back() = dst.back();
      biasMd = memory::desc(bdims, DT::f32, denseStrides(bdims));
    }
    memory::desc dstMd(dst, DT::f32, denseStrides(dst));
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::algorithm alg = activationAlgorithm(activation);
    if (alg != dnnl::algorithm::undef) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, alg, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    auto prim = std::make_unique<MatmulPrimitive>();
    prim->pd = dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(srcMd, weiMd, biasMd, dstMd), attr, cpuEngine());
    prim->primitive = dnnl::matmul(prim->pd);
    if (prim->pd.weights_desc() != userWei)
      prim->weights = memory(prim->pd.weights_desc(), cpuEngine());
    entry = std::move(prim);
  }
  MatmulPrimitive &prim = *entry;
  dnnl::stream stream(cpuEngine());
  std::vector<float> ta, tb, tbias;
  // Dense weights [N, K] are read through strides: only batched operands
  // must be dense.
  const float *bd = dense && b.stride(1) == 1 && b.stride(0) == b.size(1)
                        ? b.data<float>()
                        : b.denseData(tb);
  memory weights;
  if (prim.weights) {
    if (!prim.weightsLoaded || !constWeights) {
      memory user(userWei, cpuEngine(), const_cast<float *>(bd));
      dnnl::reorder(user, prim.weights).execute(stream, user, prim.weights);
      stream.wait();
      prim.weightsLoaded = true;
    }
    weights = prim.weights;
  } else {
    weights = memory(userWei, cpuEngine(), const_cast<float *>(bd));
  }
  if (flags & MICA_EXTERN_PREPARE)
    return;
  const float *ad = a.denseData(ta);
  memory srcMem = input(prim.pd.src_desc(), ad, kSrcConvert, stream);
  memory dstMem(prim.pd.dst_desc(), cpuEngine(), c.data<float>());
  memory::desc scratchMd = prim.pd.scratchpad_desc();
  memory pad(scratchMd, cpuEngine(),
             scratch.get(kScratchpad, scratchMd.get_size()));
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, srcMem},
                                          {DNNL_ARG_WEIGHTS, weights},
                                          {DNNL_ARG_DST, dstMem},
                                          {DNNL_ARG_SCRATCHPAD, pad}};
  if (flags & MICA_MATMUL_HAS_BIAS)
    args[DNNL_ARG_BIAS] = memory(prim.pd.bias_desc(), cpuEngine(),
                                 const_cast<float *>(bias.denseData(tbias)));
  prim.primitive.execute(stream, args);
  stream.wait();
}

template <typename Fn> void guarded(const char *what, Fn fn) {
  try {
    fn();
  } catch (const dnnl::error &e) {
    fail(std::string("oneDNN ") + what + ": " + e.what() + " (status " +
         std::to_string(static_cast<int>(e.status)) + ")");
  } catch (const std::exception &e) {
    fail(std::string("oneDNN ") + what + ": " + e.what());
  }
}

} // namespace

extern "C" {

const char *mica_runtime_take_error(void) {
  static thread_local std::string taken;
  if (lastError.empty())
    return nullptr;
  taken.swap(lastError);
  lastError.clear();
  return taken.c_str();
}

void mica_dnnl_lstm(void **slot, int64_t flags, int64_t hidden,
                    int64_t threads, int64_t xr, void *x, int64_t wr, void *w,
                    int64_t rr, void *r, int64_t br, void *b, int64_t sr,
                    void *seq, int64_t hr, void *h0, int64_t cr, void *c0,
                    int64_t pr, void *p, int64_t yr, void *y, int64_t yhr,
                    void *yh, int64_t ycr, void *yc) {
  guarded("LSTM", [&] {
    lstm(slot, flags, hidden, threads, View(xr, x), View(wr, w), View(rr, r),
         View(br, b), View(sr, seq), View(hr, h0), View(cr, c0), View(pr, p),
         View(yr, y), View(yhr, yh), View(ycr, yc));
  });
}

void mica_dnnl_matmul(void **slot, int64_t flags, int64_t activation,
                      int64_t threads, int64_t ar, void *a, int64_t br,
                      void *b, int64_t biasr, void *bias, int64_t cr,
                      void *c) {
  guarded("matmul", [&] {
    matmul(slot, flags, activation, threads, View(ar, a), View(br, b),
           View(biasr, bias), View(cr, c));
  });
}

} // extern "C"
