//===- bench_norm.cpp - Mica softmax / layer norm vs oneDNN ---------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// For every case of a directory written by gen_norm_models.py (cases.txt) this
// loads the model library NAME.t<N>.so that `mica-compile --threads N` made of
// a one-node ONNX model (Softmax or LayerNormalization over the last axis),
// builds the same operation as a oneDNN 2.6 primitive (softmax_v2_forward,
// softmax_accurate; layer_normalization_forward with use_scale | use_shift),
// checks Mica's output against oneDNN's on the same seeded input, and times
// both interleaved in the same process:
//
//   mica-bench-norm --dir DIR --threads N [--rounds 7] [--round-ms 100]
//                   [--switch-ms 0] [--triad-mib 128] [--triad-reps 10]
//                   [--cold-mib 0] [--cases a,b] [--tsv]
//
// Both sides reuse the same input on every call, so a case whose input and
// output fit in the caches runs from them. --cold-mib M gives every case
// ceil(M MiB / input bytes) copies of the input (the same numbers) and each
// call (either side) reads the next copy, so the input comes from memory;
// the outputs stay where each side keeps them (Mica: its heap buffer, reused).
//
// A case FAILs (exit 1, the table says WRONG) when the max abs difference
// exceeds 1e-5 (softmax) or 1e-4 (layer norm), or Mica's output has a NaN.
//
// Bandwidth: GB/s = minimal bytes / median time, where minimal bytes = the
// input read once + the output written once (+ scale and bias for layer
// norm). The yardstick is the STREAM triad a[i] = b[i] + s * c[i] over three
// float arrays of --triad-mib MiB each (much larger than the caches), run by
// N std::threads (the calling thread is one of them) each on its contiguous
// slice, spin barrier between repetitions; bytes = 3 arrays. It runs before
// every case (after a 300 ms pause that lets the OpenMP workers sleep) and
// once after the last; a case's percentages use the median of the
// --triad-reps repetitions measured right before it (the kernels' times are
// medians too, and on this shared machine the load moves the bandwidth
// between cases; the best repetition, STREAM's convention, is sometimes an
// outlier). The TSV's last field is that median; a `triad` line gives best
// and median of the first and the last measurement.
//
// OpenMP: like mica-bench-lstm, this program links LLVM's libomp BEFORE
// libdnnl, so oneDNN's GOMP_* calls bind to libomp.so.5 and oneDNN and the
// Mica libraries share ONE thread pool (no switch pauses needed). oneDNN
// runs with omp_set_num_threads(N).
//
//===----------------------------------------------------------------------===//

#include "common/Harness.h"

#include <dnnl.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

extern "C" void omp_set_num_threads(int);

using namespace mica::bench;

namespace {

struct NormOptions : Options {
  int64_t triadMiB = 128; // per array
  int triadReps = 10;
  int64_t coldMiB = 0; // inputs rotate over this many MiB (0: one input)
  NormOptions() { switchMs = 0; }
};

enum class Kind { Softmax, LayerNorm };

struct Case {
  std::string name;
  Kind kind = Kind::Softmax;
  std::vector<int64_t> shape;
  int64_t rows = 1, cols = 0; // shape flattened to [rows, cols]
};

std::vector<Case> readNormCases(const Options &opt) {
  return readCases<Case>(
      opt, "gen_norm_models.py", [](std::istringstream &ls, Case &c) {
        std::string kind;
        int rank = 0;
        if (!(ls >> c.name >> kind >> rank) || rank < 1)
          return false;
        c.kind = kind == "layernorm" ? Kind::LayerNorm : Kind::Softmax;
        c.shape.resize(rank);
        for (int64_t &d : c.shape)
          if (!(ls >> d))
            return false;
        c.rows = 1;
        for (int i = 0; i + 1 < rank; ++i)
          c.rows *= c.shape[i];
        c.cols = c.shape.back();
        return true;
      });
}

//===----------------------------------------------------------------------===//
// STREAM triad
//===----------------------------------------------------------------------===//

/// One slice of the triad; out of line so that it is compiled once,
/// vectorized, and never folded into the timing loop.
__attribute__((noinline)) void triadSlice(float *__restrict a,
                                          const float *__restrict b,
                                          const float *__restrict c, float s,
                                          size_t n) {
  for (size_t i = 0; i < n; ++i)
    a[i] = b[i] + s * c[i];
}

/// A sense-reversing spin barrier for `n` threads.
class SpinBarrier {
public:
  explicit SpinBarrier(int n) : n(n) {}
  void wait() {
    bool sense = !global.load(std::memory_order_relaxed);
    if (count.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
      count.store(0, std::memory_order_relaxed);
      global.store(sense, std::memory_order_release);
    } else {
      while (global.load(std::memory_order_acquire) != sense)
        ;
    }
  }

private:
  const int n;
  std::atomic<int> count{0};
  std::atomic<bool> global{false};
};

struct Triad {
  double bestGBs = 0, medGBs = 0;
};

/// The triad with `threads` threads over three arrays of `mib` MiB,
/// allocated and first-touched once (each slice by the thread that streams
/// it), measured as often as needed.
class TriadBench {
public:
  TriadBench(int threads, int64_t mib)
      : threads(threads), n(size_t(mib) * (1 << 20) / sizeof(float)),
        a(new float[n]), b(new float[n]), c(new float[n]) {
    parallel([&](size_t lo, size_t hi, int) {
      for (size_t i = lo; i < hi; ++i)
        a[i] = 0.f, b[i] = 1.f, c[i] = 2.f;
    });
  }

  /// `reps` timed repetitions after one untimed one.
  Triad measure(int reps) {
    SpinBarrier barrier(threads);
    std::vector<double> secs;
    parallel([&](size_t lo, size_t hi, int t) {
      for (int rep = -1; rep < reps; ++rep) {
        barrier.wait();
        Clock::time_point t0 = Clock::now();
        triadSlice(a.get() + lo, b.get() + lo, c.get() + lo, 3.f, hi - lo);
        barrier.wait();
        if (t == 0 && rep >= 0)
          secs.push_back(secondsSince(t0));
      }
    });
    if (a[n / 2] != 7.f) // 1 + 3 * 2
      die("triad computed a wrong result");
    double bytes = 3.0 * double(n) * sizeof(float);
    return {bytes / *std::min_element(secs.begin(), secs.end()) * 1e-9,
            bytes / median(secs) * 1e-9};
  }

private:
  /// Runs fn(lo, hi, t) on `threads` threads (the caller is thread 0).
  template <typename Fn> void parallel(Fn fn) {
    auto slice = [&](int t) { fn(n * t / threads, n * (t + 1) / threads, t); };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
      pool.emplace_back(slice, t);
    slice(0);
    for (std::thread &th : pool)
      th.join();
  }

  int threads;
  size_t n;
  std::unique_ptr<float[]> a, b, c;
};

//===----------------------------------------------------------------------===//
// One case
//===----------------------------------------------------------------------===//

struct Result {
  double maxAbsErr = 0, tolerance = 0;
  bool ok = false;
  int iters = 0;
  double micaMs = 0, dnnlMs = 0;
  Stat ratio;
};

/// Minimal bytes one call must move: input once, output once, + scale/bias.
double minimalBytes(const Case &c) {
  double bytes = 2.0 * double(c.rows) * double(c.cols) * sizeof(float);
  if (c.kind == Kind::LayerNorm)
    bytes += 2.0 * double(c.cols) * sizeof(float);
  return bytes;
}

Result runCase(const Case &c, const NormOptions &opt, dnnl::engine &eng,
               dnnl::stream &strm) {
  using namespace dnnl;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  Result r;
  size_t count = size_t(c.rows * c.cols);

  // Seeded input: logit-like values for softmax, an offset and spread that
  // layer norm has to remove.
  std::mt19937 gen(42);
  size_t inBytes = count * sizeof(float);
  size_t copies = opt.coldMiB > 0
                      ? std::max<size_t>(1, (size_t(opt.coldMiB << 20) +
                                             inBytes - 1) / inBytes)
                      : 1;
  std::vector<float> x(count);
  if (c.kind == Kind::Softmax) {
    std::normal_distribution<float> dist(0.f, 3.f);
    for (float &v : x)
      v = dist(gen);
  } else {
    std::uniform_real_distribution<float> dist(-2.f, 3.f);
    for (float &v : x)
      v = dist(gen);
  }
  std::vector<float> scale, bias;
  if (c.kind == Kind::LayerNorm) {
    scale = readFloats(opt.dir + "/" + c.name + ".scale.bin", size_t(c.cols));
    bias = readFloats(opt.dir + "/" + c.name + ".bias.bin", size_t(c.cols));
  }

  // The input copies, back to back (copy 0 is x).
  std::vector<float> xs(copies * count);
  for (size_t k = 0; k < copies; ++k)
    std::copy(x.begin(), x.end(), xs.begin() + k * count);
  size_t nextMica = 0, nextDnnl = 0;

  // oneDNN primitive over [rows, cols], normalizing axis 1.
  memory::desc md({c.rows, c.cols}, dt::f32, tag::ab);
  memory srcMem(md, eng, xs.data());
  memory dstMem(md, eng);
  primitive prim;
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, srcMem},
                                       {DNNL_ARG_DST, dstMem}};
  if (c.kind == Kind::Softmax) {
#if DNNL_VERSION_MAJOR == 2 && DNNL_VERSION_MINOR >= 6
    softmax_v2_forward::desc d(prop_kind::forward_inference,
                               algorithm::softmax_accurate, md, md, 1);
    prim = softmax_v2_forward(softmax_v2_forward::primitive_desc(d, eng));
#else
    softmax_forward::desc d(prop_kind::forward_inference, md, 1);
    prim = softmax_forward(softmax_forward::primitive_desc(d, eng));
#endif
  } else {
    memory::desc vecMd({c.cols}, dt::f32, tag::a);
    layer_normalization_forward::desc d(
        prop_kind::forward_inference, md, 1e-5f,
        normalization_flags::use_scale | normalization_flags::use_shift);
    prim = layer_normalization_forward(
        layer_normalization_forward::primitive_desc(d, eng));
    args.emplace(DNNL_ARG_SCALE, memory(vecMd, eng, scale.data()));
    args.emplace(DNNL_ARG_SHIFT, memory(vecMd, eng, bias.data()));
  }
  auto runDnnl = [&] {
    if (copies > 1) {
      srcMem.set_data_handle(xs.data() + nextDnnl * count);
      nextDnnl = (nextDnnl + 1) % copies;
    }
    prim.execute(strm, args);
    strm.wait();
  };

  // Mica model.
  MicaLib lib(opt.dir + "/" + c.name + ".t" + std::to_string(opt.threads) +
              ".so");
  const void *inputs[1] = {xs.data()};
  const int64_t *dims[1] = {c.shape.data()};
  auto runMica = [&] {
    if (copies > 1) {
      inputs[0] = xs.data() + nextMica * count;
      nextMica = (nextMica + 1) % copies;
    }
    lib.runOrDie(inputs, dims, c.name);
  };

  // Check.
  omp_set_num_threads(opt.threads);
  runMica();
  runDnnl();
  const float *micaOut =
      static_cast<const float *>(lib.outputData(lib.model, 0));
  const float *dnnlOut = static_cast<const float *>(dstMem.get_data_handle());
  for (size_t i = 0; i < count; ++i) {
    double d = std::fabs(double(micaOut[i]) - double(dnnlOut[i]));
    if (std::isnan(d)) {
      r.maxAbsErr = NAN;
      break;
    }
    r.maxAbsErr = std::max(r.maxAbsErr, d);
  }
  r.tolerance = c.kind == Kind::Softmax ? 1e-5 : 1e-4;
  r.ok = r.maxAbsErr <= r.tolerance; // false for NaN
  if (!r.ok)
    return r;

  auto runPath = [&](int path) {
    if (path == 0)
      runMica();
    else
      runDnnl();
  };
  r.iters = itersPerRound(opt, 2, 3, 5, runPath);
  std::vector<std::vector<double>> s = timeRounds(opt, 2, r.iters, runPath);
  std::vector<double> micaT, dnnlT, ratios;
  for (int round = 0; round < opt.rounds; ++round) {
    micaT.push_back(s[0][round] * 1e3);
    dnnlT.push_back(s[1][round] * 1e3);
    ratios.push_back(s[1][round] / s[0][round]);
  }
  r.micaMs = median(micaT);
  r.dnnlMs = median(dnnlT);
  r.ratio = stat(ratios);
  return r;
}

} // namespace

int main(int argc, char **argv) {
  programName = "mica-bench-norm";
  const char *synopsis =
      "--dir DIR --threads N [--rounds R] [--round-ms MS] [--switch-ms MS] "
      "[--triad-mib MIB] [--triad-reps K] [--cold-mib MIB] [--cases a,b,...] [--tsv]";
  NormOptions opt;
  parseOptions(argc, argv, opt, synopsis,
               [&](const std::string &arg, auto &value) {
                 if (arg == "--triad-mib")
                   opt.triadMiB = std::atoll(value().c_str());
                 else if (arg == "--triad-reps")
                   opt.triadReps = std::atoi(value().c_str());
                 else if (arg == "--cold-mib")
                   opt.coldMiB = std::atoll(value().c_str());
                 else
                   return false;
                 return true;
               });
  if (opt.triadMiB < 1 || opt.triadReps < 1 || opt.coldMiB < 0)
    usage(synopsis);

  std::vector<Case> cases = readNormCases(opt);
  if (cases.empty())
    die("no cases");

  // Before any OpenMP region exists: no idle team spins beside it.
  TriadBench triadBench(opt.threads, opt.triadMiB);
  Triad before = triadBench.measure(opt.triadReps);
  if (!opt.tsv) {
    std::printf("threads %d, %d rounds of ~%.0f ms (oneDNN and Mica on one "
                "libomp pool), inputs %s\n",
                opt.threads, opt.rounds, opt.roundMs,
                opt.coldMiB ? "cold (rotating copies)" : "reused (warm)");
    std::printf("triad before: best %.1f GB/s, median %.1f GB/s (3 x %lld "
                "MiB)\n",
                before.bestGBs, before.medGBs, (long long)opt.triadMiB);
    std::printf("%-22s %9s %9s %10s %8s %14s %9s %9s %6s %6s %6s\n", "case",
                "max|err|", "mica ms", "oneDNN ms", "ratio", "spread",
                "mica GB/s", "dnnl GB/s", "mica%", "dnnl%", "iters");
  }

  omp_set_num_threads(opt.threads);
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);

  // Let the libomp workers go to sleep (KMP_BLOCKTIME, 200 ms by default)
  // before the std::threads of the triad need the cores.
  auto triadNow = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return triadBench.measure(opt.triadReps);
  };
  int failures = 0;
  bool first = true;
  for (const Case &c : cases) {
    // The yardstick of this case: the triad measured right before it.
    Triad triad = first ? before : triadNow();
    first = false;
    Result r = runCase(c, opt, eng, strm);
    double bytes = minimalBytes(c);
    double micaGBs = r.ok ? bytes / r.micaMs * 1e-6 : 0.0;
    double dnnlGBs = r.ok ? bytes / r.dnnlMs * 1e-6 : 0.0;
    if (!r.ok) {
      ++failures;
      std::fprintf(stderr,
                   "FAIL %s (threads %d): max abs err %.3g > %.0e\n",
                   c.name.c_str(), opt.threads, r.maxAbsErr, r.tolerance);
    }
    if (opt.tsv) {
      std::printf("%s\t%d\t%s\t%.3g\t%.5f\t%.5f\t%.3f\t%.3f\t%.3f\t%.2f\t%.2f"
                  "\t%d\t%.2f\n",
                  c.name.c_str(), opt.threads, r.ok ? "ok" : "FAIL",
                  r.maxAbsErr, r.micaMs, r.dnnlMs, r.ratio.med, r.ratio.min,
                  r.ratio.max, micaGBs, dnnlGBs, r.iters, triad.medGBs);
    } else if (r.ok) {
      std::printf("%-22s %9.2e %9.4f %10.4f %7.3fx %6.3f..%-6.3f %9.1f %9.1f "
                  "%5.0f%% %5.0f%% %6d\n",
                  c.name.c_str(), r.maxAbsErr, r.micaMs, r.dnnlMs, r.ratio.med,
                  r.ratio.min, r.ratio.max, micaGBs, dnnlGBs,
                  100.0 * micaGBs / triad.medGBs,
                  100.0 * dnnlGBs / triad.medGBs, r.iters);
    } else {
      std::printf("%-22s %9.2e   WRONG RESULT (tolerance %.0e)\n",
                  c.name.c_str(), r.maxAbsErr, r.tolerance);
    }
    std::fflush(stdout);
  }

  Triad after = triadNow();
  if (opt.tsv)
    std::printf("triad\t%d\t%.2f\t%.2f\t%.2f\t%.2f\n", opt.threads,
                before.bestGBs, before.medGBs, after.bestGBs, after.medGBs);
  else
    std::printf("triad after: best %.1f GB/s, median %.1f GB/s (percentages "
                "above: of the triad median measured right before each case)\n",
                after.bestGBs, after.medGBs);
  return failures ? 1 : 0;
}
