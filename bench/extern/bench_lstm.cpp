//===- bench_lstm.cpp - Mica LSTM (native, oneDNN extern) vs oneDNN -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// For every case of a directory written by gen_lstm_models.py (cases.txt)
// this times one ONNX LSTM three ways, interleaved in the same process:
//
//   native   NAME.none.t<N>.so    `mica-compile --extern=none --threads N`
//                                 (scf.for recurrence, packed-weight kernels)
//   onednn   NAME.onednn.t<N>.so  `mica-compile --extern=onednn:lstm
//                                 --threads N` (mica.lstm -> mica_dnnl_lstm)
//   direct   the same LSTM built here with oneDNN's C++ API: lstm_forward,
//            forward_inference, weights in format_tag::any reordered ONCE
//            before timing, bidirectional as bidirectional_concat, zero
//            src_iter/src_iter_c, user-mode scratchpad allocated once.
//
//   mica-bench-lstm --dir DIR --threads N [--rounds 7] [--round-ms 300]
//                   [--iters K] [--warmup 2] [--switch-ms 0] [--cases a,b]
//                   [--tsv]
//
// It fails a case (exit 1) when the two Mica libraries disagree on Y by
// more than 1e-4 (max abs), and reports how far oneDNN-direct is from the
// native library (a check of this harness's weight conversion).
//
// OpenMP: this program links LLVM's libomp BEFORE libdnnl, so oneDNN's
// GOMP_* calls bind to libomp.so.5 (its GNU-compatible entry points) and
// oneDNN, the Mica libraries and the oneDNN inside the onednn library share
// ONE thread pool; libgomp is loaded (libdnnl's DT_NEEDED) but never runs a
// region. Checked with
//   LD_DEBUG=bindings build/bin/mica-bench-lstm ... 2>&1 | grep GOMP_parallel
// which shows `binding file /lib/x86_64-linux-gnu/libdnnl.so.2 [0] to
// /usr/lib/llvm-22/lib/libomp.so.5 [0]: normal symbol `GOMP_parallel'`.
// The direct path calls omp_set_num_threads(N) before every run (a Mica
// oneDNN library sets the same ICV on each call).
//
//===----------------------------------------------------------------------===//

#include "common/Harness.h"

#include <dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" void omp_set_num_threads(int);

using namespace mica::bench;

namespace {

struct LstmOptions : Options {
  int iters = 0; // fixed iterations per round and path (0: from roundMs)
  int warmup = 2;
  LstmOptions() {
    roundMs = 300.0;
    switchMs = 0;
  }
};

struct Case {
  std::string name;
  int64_t b = 1, h = 0, t = 0, d = 1;
};

std::vector<Case> readLstmCases(const Options &opt) {
  return readCases<Case>(
      opt, "gen_lstm_models.py", [](std::istringstream &ls, Case &c) {
        return bool(ls >> c.name >> c.b >> c.h >> c.t >> c.d);
      });
}

enum Path { kNative = 0, kOnednn, kDirect, kNumPaths };

struct Result {
  bool ok = false;
  double micaDiff = 0;   // max |native - onednn| on Y
  double directDiff = 0; // max |native - direct| on Y
  int iters = 0;
  Stat ms[kNumPaths];
  Stat directOverNative, directOverOnednn;
};

/// The LSTM of case `c` as one oneDNN primitive, weights reordered once.
struct DirectLstm {
  dnnl::engine &eng;
  dnnl::stream &strm;
  dnnl::lstm_forward prim;
  dnnl::memory src, srcIter, srcIterC, wl, wi, bias, dst, dstIter, dstIterC,
      scratchpad;
  std::vector<float> zeros;

  DirectLstm(const Case &c, const LstmOptions &opt, const float *x,
             dnnl::engine &eng, dnnl::stream &strm)
      : eng(eng), strm(strm) {
    using namespace dnnl;
    using dt = memory::data_type;
    using tag = memory::format_tag;
    int64_t T = c.t, B = c.b, H = c.h, I = c.h, D = c.d;
    memory::desc srcMd({T, B, I}, dt::f32, tag::tnc);
    memory::desc iterMd({1, D, B, H}, dt::f32, tag::ldnc);
    memory::desc wlUser({1, D, I, 4, H}, dt::f32, tag::ldigo);
    memory::desc wiUser({1, D, H, 4, H}, dt::f32, tag::ldigo);
    memory::desc wlAny({1, D, I, 4, H}, dt::f32, tag::any);
    memory::desc wiAny({1, D, H, 4, H}, dt::f32, tag::any);
    memory::desc biasMd({1, D, 4, H}, dt::f32, tag::ldgo);
    memory::desc dstMd({T, B, D * H}, dt::f32, tag::tnc);
    rnn_direction dir = D == 2 ? rnn_direction::bidirectional_concat
                               : rnn_direction::unidirectional_left2right;
    lstm_forward::desc desc(prop_kind::forward_inference, dir, srcMd, iterMd,
                            iterMd, wlAny, wiAny, biasMd, dstMd, iterMd,
                            iterMd);
    primitive_attr attr;
    attr.set_scratchpad_mode(scratchpad_mode::user);
    lstm_forward::primitive_desc pd(desc, attr, eng);
    prim = lstm_forward(pd);

    // Weights: read once, reordered once into the primitive's layout.
    std::string base = opt.dir + "/" + c.name;
    std::vector<float> wlData =
        readFloats(base + ".wl.bin", size_t(D * I * 4 * H));
    std::vector<float> wiData =
        readFloats(base + ".wi.bin", size_t(D * H * 4 * H));
    std::vector<float> biasData =
        readFloats(base + ".bias.bin", size_t(D * 4 * H));
    auto packed = [&](const memory::desc &user, std::vector<float> &data,
                      const memory::desc &want) {
      memory userMem(user, eng, data.data());
      memory out(want, eng);
      reorder(userMem, out).execute(strm, userMem, out);
      strm.wait();
      return out;
    };
    wl = packed(wlUser, wlData, pd.weights_layer_desc());
    wi = packed(wiUser, wiData, pd.weights_iter_desc());
    bias = packed(biasMd, biasData, pd.bias_desc());

    zeros.assign(size_t(D * B * H), 0.f);
    src = memory(pd.src_layer_desc(), eng, const_cast<float *>(x));
    srcIter = memory(pd.src_iter_desc(), eng, zeros.data());
    srcIterC = memory(pd.src_iter_c_desc(), eng, zeros.data());
    dst = memory(pd.dst_layer_desc(), eng);
    dstIter = memory(pd.dst_iter_desc(), eng);
    dstIterC = memory(pd.dst_iter_c_desc(), eng);
    scratchpad = memory(pd.scratchpad_desc(), eng);
  }

  void run() {
    prim.execute(strm, {{DNNL_ARG_SRC_LAYER, src},
                        {DNNL_ARG_SRC_ITER, srcIter},
                        {DNNL_ARG_SRC_ITER_C, srcIterC},
                        {DNNL_ARG_WEIGHTS_LAYER, wl},
                        {DNNL_ARG_WEIGHTS_ITER, wi},
                        {DNNL_ARG_BIAS, bias},
                        {DNNL_ARG_DST_LAYER, dst},
                        {DNNL_ARG_DST_ITER, dstIter},
                        {DNNL_ARG_DST_ITER_C, dstIterC},
                        {DNNL_ARG_SCRATCHPAD, scratchpad}});
    strm.wait();
  }
};

Result runCase(const Case &c, const LstmOptions &opt, dnnl::engine &eng,
               dnnl::stream &strm) {
  Result r;
  int64_t T = c.t, B = c.b, H = c.h, I = c.h, D = c.d;
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> x(size_t(T * B * I));
  for (float &v : x)
    v = dist(gen);

  std::string suffix = ".t" + std::to_string(opt.threads) + ".so";
  MicaLib native(opt.dir + "/" + c.name + ".none" + suffix);
  MicaLib onednn(opt.dir + "/" + c.name + ".onednn" + suffix);
  DirectLstm direct(c, opt, x.data(), eng, strm);

  int64_t xDims[3] = {T, B, I};
  const void *inputs[1] = {x.data()};
  const int64_t *dims[1] = {xDims};
  auto runMica = [&](MicaLib &lib) { lib.runOrDie(inputs, dims, c.name); };
  auto runPath = [&](int path) {
    if (path == kNative)
      runMica(native);
    else if (path == kOnednn)
      runMica(onednn);
    else {
      omp_set_num_threads(opt.threads);
      direct.run();
    }
  };

  // Check: Y [T, D, B, H] of both libraries; oneDNN's dst is [T, B, D*H].
  size_t count = size_t(T * D * B * H);
  auto yOf = [&](MicaLib &lib) {
    runMica(lib);
    const int64_t *yd = lib.outputDims(lib.model, 0);
    if (yd[0] != T || yd[1] != D || yd[2] != B || yd[3] != H)
      die(c.name + ": unexpected output dims");
    const float *p = static_cast<const float *>(lib.outputData(lib.model, 0));
    return std::vector<float>(p, p + count);
  };
  std::vector<float> yNative = yOf(native), yOnednn = yOf(onednn);
  runPath(kDirect);
  const float *yDirect =
      static_cast<const float *>(direct.dst.get_data_handle());
  bool nan = false;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t d = 0; d < D; ++d)
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h) {
          size_t at = size_t(((t * D + d) * B + b) * H + h);
          float n = yNative[at], o = yOnednn[at];
          float e = yDirect[(t * B + b) * D * H + d * H + h];
          nan |= std::isnan(n) || std::isnan(o) || std::isnan(e);
          r.micaDiff = std::max(r.micaDiff, double(std::fabs(n - o)));
          r.directDiff = std::max(r.directDiff, double(std::fabs(n - e)));
        }
  if (nan)
    r.micaDiff = r.directDiff = NAN;
  r.ok = !nan && r.micaDiff < 1e-4;
  if (!r.ok)
    return r;

  // Warm up every path (also with --iters); size a round so that it takes
  // ~roundMs in all.
  int sized = itersPerRound(opt, kNumPaths, opt.warmup, 1, runPath);
  r.iters = opt.iters > 0 ? opt.iters : sized;

  // Rotate who goes first, so no path always runs on a warmer cache.
  std::vector<std::vector<double>> s =
      timeRounds(opt, kNumPaths, r.iters, runPath);
  std::vector<double> ms[kNumPaths], overNative, overOnednn;
  for (int round = 0; round < opt.rounds; ++round) {
    for (int path = 0; path < kNumPaths; ++path)
      ms[path].push_back(s[path][round] * 1e3);
    overNative.push_back(s[kDirect][round] / s[kNative][round]);
    overOnednn.push_back(s[kDirect][round] / s[kOnednn][round]);
  }
  for (int path = 0; path < kNumPaths; ++path)
    r.ms[path] = stat(ms[path]);
  r.directOverNative = stat(overNative);
  r.directOverOnednn = stat(overOnednn);
  return r;
}

} // namespace

int main(int argc, char **argv) {
  programName = "mica-bench-lstm";
  LstmOptions opt;
  const char *synopsis = "--dir DIR --threads N [--rounds R] "
                         "[--round-ms MS | --iters K] [--warmup W] "
                         "[--switch-ms MS] [--cases a,b,...] [--tsv]";
  parseOptions(argc, argv, opt, synopsis,
               [&](const std::string &arg, auto &value) {
                 if (arg == "--iters")
                   opt.iters = std::atoi(value().c_str());
                 else if (arg == "--warmup")
                   opt.warmup = std::atoi(value().c_str());
                 else
                   return false;
                 return true;
               });
  if (opt.warmup < 0)
    usage(synopsis);
  omp_set_num_threads(opt.threads);

  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);

  std::vector<Case> cases = readLstmCases(opt);
  if (cases.empty())
    die("no cases");
  if (!opt.tsv) {
    std::printf("threads %d, %d rounds, one OpenMP runtime (libomp)\n",
                opt.threads, opt.rounds);
    std::printf("%-26s %9s %9s  %-22s %-22s %-22s %7s %7s %7s %5s\n", "case",
                "|n-o|", "|n-d|", "native ms (min..max)",
                "onednn ms (min..max)", "direct ms (min..max)", "d/nat",
                "d/onednn", "d/chosen", "iters");
  }
  int failures = 0;
  for (const Case &c : cases) {
    Result r;
    try {
      r = runCase(c, opt, eng, strm);
    } catch (const dnnl::error &e) {
      die(c.name + ": oneDNN: " + e.what());
    }
    if (!r.ok) {
      ++failures;
      std::fprintf(stderr,
                   "FAIL %s (threads %d): max |native - onednn| on Y %.3g "
                   ">= 1e-4 (|native - direct| %.3g)\n",
                   c.name.c_str(), opt.threads, r.micaDiff, r.directDiff);
    }
    // "chosen": the faster of the two Mica paths (by median).
    bool nativeWins = r.ms[kNative].med <= r.ms[kOnednn].med;
    double overChosen =
        nativeWins ? r.directOverNative.med : r.directOverOnednn.med;
    if (opt.tsv) {
      std::printf("%s\t%lld\t%lld\t%lld\t%lld\t%d\t%s\t%.3g\t%.3g",
                  c.name.c_str(), (long long)c.b, (long long)c.h,
                  (long long)c.t, (long long)c.d, opt.threads,
                  r.ok ? "ok" : "FAIL", r.micaDiff, r.directDiff);
      for (const Stat &s : r.ms)
        std::printf("\t%.4f\t%.4f\t%.4f", s.med, s.min, s.max);
      for (const Stat *s : {&r.directOverNative, &r.directOverOnednn})
        std::printf("\t%.3f\t%.3f\t%.3f", s->med, s->min, s->max);
      std::printf("\t%s\t%.3f\t%d\n", nativeWins ? "native" : "onednn",
                  overChosen, r.iters);
    } else if (r.ok) {
      auto cell = [](const Stat &s) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.3f (%.3f..%.3f)", s.med, s.min,
                      s.max);
        return std::string(buf);
      };
      std::printf("%-26s %9.2e %9.2e  %-22s %-22s %-22s %7.3f %7.3f %7.3f "
                  "%5d  chosen=%s\n",
                  c.name.c_str(), r.micaDiff, r.directDiff,
                  cell(r.ms[kNative]).c_str(), cell(r.ms[kOnednn]).c_str(),
                  cell(r.ms[kDirect]).c_str(), r.directOverNative.med,
                  r.directOverOnednn.med, overChosen, r.iters,
                  nativeWins ? "native" : "onednn");
    } else {
      std::printf("%-26s %9.2e %9.2e  WRONG RESULT\n", c.name.c_str(),
                  r.micaDiff, r.directDiff);
    }
    std::fflush(stdout);
  }
  return failures ? 1 : 0;
}
