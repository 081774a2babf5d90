//===- bench_gemm.cpp - Mica GEMM kernels vs oneDNN matmul ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// For every case of a directory written by gen_gemm_models.py (cases.txt) this
// loads the model library NAME.t<N>.so that `mica-compile --threads N` made,
// builds the same product as a oneDNN fp32 matmul primitive, checks Mica's
// output against oneDNN's, and times both interleaved in the same process:
//
//   mica-bench-gemm --dir DIR --threads N [--rounds 7] [--round-ms 100]
//                   [--switch-ms 50] [--cases a,b] [--tsv] [--precision bf16]
//
// --precision bf16 (dense cases only): Mica's NAME.bf16.t<N>.so
// (`mica-compile --precision=bf16`: vdpbf16ps kernels, f32 in/out) against a
// oneDNN matmul with bf16 source and weights and f32 destination (f32
// accumulation), and Mica's fp32 library NAME.t<N>.so as a third timed path.
// oneDNN gets A already in bf16 (converted once, untimed) while Mica
// converts its f32 A inside each call: the stricter bar for Mica. A fourth
// path times oneDNN with the f32 -> bf16 reorder of A in each call (the
// same work as Mica's: f32 in, f32 out).
//
// Dense cases (constant weights, packed by Mica at compile time) give oneDNN
// its preferred weight layout (format_tag::any) and reorder the weights into
// it ONCE, before timing. Attention cases (both operands are activations) use
// plain row-major layouts on both sides.
//
// Two OpenMP runtimes share the process: oneDNN runs on GNU libgomp, Mica's
// libraries on LLVM libomp. Idle workers of one runtime spin for a while after
// a parallel region (libomp: KMP_BLOCKTIME, default 200 ms) and would steal
// the cores of the other, so this sets KMP_BLOCKTIME=20 (unless KMP_BLOCKTIME
// or OMP_WAIT_POLICY is set) and sleeps --switch-ms, untimed, whenever it
// switches between the two. On a loaded machine GNU OpenMP's default spinning
// can make oneDNN's multi-threaded runs collapse; OMP_WAIT_POLICY=passive
// (honoured by both runtimes) is the fair setting there.
//
//===----------------------------------------------------------------------===//

#include "common/Harness.h"

#include <dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace mica::bench;

namespace {

struct Case {
  std::string name;
  bool dense = true;
  int64_t b = 1, m = 0, k = 0, n = 0;
};

/// omp_set_num_threads of GNU OpenMP, the runtime oneDNN was built with (not
/// LLVM libomp, which a Mica library may also bring into the process).
void setGompThreads(int n) {
  using Fn = void (*)(int);
  void *gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
  Fn fn = gomp ? reinterpret_cast<Fn>(dlsym(gomp, "omp_set_num_threads"))
               : nullptr;
  if (!fn)
    fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (!fn)
    die("cannot find omp_set_num_threads of libgomp (is oneDNN an OpenMP "
        "build?)");
  fn(n);
}

std::vector<Case> readGemmCases(const Options &opt) {
  return readCases<Case>(
      opt, "gen_gemm_models.py", [](std::istringstream &ls, Case &c) {
        std::string kind;
        if (!(ls >> c.name >> kind >> c.b >> c.m >> c.k >> c.n))
          return false;
        c.dense = kind == "dense";
        return true;
      });
}

struct Result {
  Case c;
  /// --precision bf16: Mica's fp32 library, timed as a third path, and
  /// oneDNN with the A reorder in each call as a fourth.
  double micaFp32Ms = 0, dnnlReorderMs = 0;
  double maxAbsErr = 0, relErr = 0;
  bool ok = false;
  int iters = 0;
  double micaMs = 0, dnnlMs = 0;
  Stat ratio;
};

Result runCase(const Case &c, const Options &opt, bool bf16, dnnl::engine &eng,
               dnnl::stream &strm) {
  using namespace dnnl;
  using dt = memory::data_type;
  using tag = memory::format_tag;
  Result r;
  r.c = c;

  // Inputs: A [B][M][K] (B = 1 for dense), and B [B][K][N] for attention.
  std::mt19937 gen(42);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> a(size_t(c.b * c.m * c.k));
  for (float &x : a)
    x = dist(gen);
  std::vector<float> bAct;
  std::vector<float> w;
  if (c.dense) {
    w = readFloats(opt.dir + "/" + c.name + ".w.bin", size_t(c.k * c.n));
  } else {
    bAct.resize(size_t(c.b * c.k * c.n));
    for (float &x : bAct)
      x = dist(gen) / std::sqrt(float(c.k));
  }

  // oneDNN primitive.
  memory::dims aDims = c.dense ? memory::dims{c.m, c.k}
                               : memory::dims{c.b, c.m, c.k};
  memory::dims bDims = c.dense ? memory::dims{c.k, c.n}
                               : memory::dims{c.b, c.k, c.n};
  memory::dims cDims = c.dense ? memory::dims{c.m, c.n}
                               : memory::dims{c.b, c.m, c.n};
  tag plain = c.dense ? tag::ab : tag::abc;
  // bf16: bf16 source and weights, f32 destination (f32 accumulation).
  dt inType = bf16 ? dt::bf16 : dt::f32;
  memory::desc aUserMd(aDims, dt::f32, plain);
  memory::desc aMd(aDims, inType, plain);
  memory::desc bUserMd(bDims, dt::f32, plain);
  memory::desc bMd = c.dense ? memory::desc(bDims, inType, tag::any)
                             : memory::desc(bDims, inType, plain);
  memory::desc cMd(cDims, dt::f32, plain);
  matmul::primitive_desc pd(matmul::desc(aMd, bMd, cMd), eng);
  matmul prim(pd);
  memory aUserMem(aUserMd, eng, a.data());
  memory aMem = aUserMem;
  if (bf16) {
    // A converted to bf16 once, before timing.
    aMem = memory(aMd, eng);
    reorder(aUserMem, aMem).execute(strm, aUserMem, aMem);
    strm.wait();
  }
  memory bUserMem(bUserMd, eng, c.dense ? w.data() : bAct.data());
  memory bMem = bUserMem;
  if (pd.weights_desc() != bUserMd) {
    // Pre-pack the weights once, like Mica's compile-time packing.
    bMem = memory(pd.weights_desc(), eng);
    reorder(bUserMem, bMem).execute(strm, bUserMem, bMem);
    strm.wait();
  }
  memory cMem(pd.dst_desc(), eng);
  auto runDnnl = [&] {
    prim.execute(strm, {{DNNL_ARG_SRC, aMem},
                        {DNNL_ARG_WEIGHTS, bMem},
                        {DNNL_ARG_DST, cMem}});
    strm.wait();
  };

  // Mica model (bf16: the --precision=bf16 library, and the fp32 one).
  std::string suffix = ".t" + std::to_string(opt.threads) + ".so";
  MicaLib lib(opt.dir + "/" + c.name + (bf16 ? ".bf16" : "") + suffix);
  std::unique_ptr<MicaLib> fp32Lib;
  if (bf16)
    fp32Lib = std::make_unique<MicaLib>(opt.dir + "/" + c.name + suffix);
  int64_t aShape[3], bShape[3];
  std::vector<const void *> inputs{a.data()};
  std::vector<const int64_t *> dims{aShape};
  if (c.dense) {
    aShape[0] = c.m, aShape[1] = c.k;
  } else {
    aShape[0] = c.b, aShape[1] = c.m, aShape[2] = c.k;
    bShape[0] = c.b, bShape[1] = c.k, bShape[2] = c.n;
    inputs.push_back(bAct.data());
    dims.push_back(bShape);
  }
  auto runMica = [&] { lib.runOrDie(inputs.data(), dims.data(), c.name); };
  auto runMicaFp32 = [&] {
    fp32Lib->runOrDie(inputs.data(), dims.data(), c.name);
  };

  // Check.
  runMica();
  runDnnl();
  const float *micaOut =
      static_cast<const float *>(lib.outputData(lib.model, 0));
  const float *dnnlOut = static_cast<const float *>(cMem.get_data_handle());
  size_t count = size_t(c.b * c.m * c.n);
  double maxRef = 0;
  for (size_t i = 0; i < count; ++i) {
    r.maxAbsErr = std::max(r.maxAbsErr, double(std::fabs(micaOut[i] - dnnlOut[i])));
    maxRef = std::max(maxRef, double(std::fabs(dnnlOut[i])));
  }
  if (std::isnan(r.maxAbsErr) || std::any_of(micaOut, micaOut + count, [](float x) { return std::isnan(x); }))
    r.maxAbsErr = NAN;
  r.relErr = r.maxAbsErr / std::max(maxRef, 1e-30);
  r.ok = r.relErr <= 1e-3;
  if (!r.ok)
    return r;

  // Warm up, then pick K so that one round (K of each) takes ~roundMs.
  // Rounds alternate who goes first.
  auto runDnnlReorder = [&] {
    reorder(aUserMem, aMem).execute(strm, aUserMem, aMem);
    runDnnl();
  };
  auto runPath = [&](int path) {
    if (path == 0)
      runMica();
    else if (path == 1)
      runDnnl();
    else if (path == 2)
      runMicaFp32();
    else
      runDnnlReorder();
  };
  int paths = bf16 ? 4 : 2;
  r.iters = itersPerRound(opt, paths, 3, 5, runPath);
  std::vector<std::vector<double>> s = timeRounds(opt, paths, r.iters, runPath);
  std::vector<double> micaT, dnnlT, fp32T, reorderT, ratios;
  for (int round = 0; round < opt.rounds; ++round) {
    micaT.push_back(s[0][round] * 1e3);
    dnnlT.push_back(s[1][round] * 1e3);
    if (bf16) {
      fp32T.push_back(s[2][round] * 1e3);
      reorderT.push_back(s[3][round] * 1e3);
    }
    ratios.push_back(s[1][round] / s[0][round]);
  }
  r.micaMs = median(micaT);
  r.dnnlMs = median(dnnlT);
  if (bf16) {
    r.micaFp32Ms = median(fp32T);
    r.dnnlReorderMs = median(reorderT);
  }
  r.ratio = stat(ratios);
  return r;
}

} // namespace

int main(int argc, char **argv) {
  programName = "mica-bench-gemm";
  Options opt;
  bool bf16 = false;
  const char *synopsis = "--dir DIR --threads N [--rounds R] [--round-ms MS] "
                         "[--switch-ms MS] [--cases a,b,...] [--tsv] "
                         "[--precision fp32|bf16]";
  parseOptions(argc, argv, opt, synopsis,
               [&](const std::string &arg, auto &value) {
                 if (arg != "--precision")
                   return false;
                 std::string p = value();
                 if (p != "fp32" && p != "bf16")
                   usage(synopsis);
                 bf16 = p == "bf16";
                 return true;
               });

  // Before any libomp initializes (it reads the environment once). An
  // explicit KMP_BLOCKTIME or OMP_WAIT_POLICY wins.
  if (!getenv("KMP_BLOCKTIME") && !getenv("OMP_WAIT_POLICY"))
    setenv("KMP_BLOCKTIME", "20", /*overwrite=*/0);
  setGompThreads(opt.threads);

  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);

  std::vector<Case> cases = readGemmCases(opt);
  // bf16: the native bf16 kernels cover constant weights only (attention's
  // activation operands stay f32 in Mica), so only the dense cases.
  if (bf16)
    cases.erase(std::remove_if(cases.begin(), cases.end(),
                               [](const Case &c) { return !c.dense; }),
                cases.end());
  if (cases.empty())
    die("no cases");
  if (!opt.tsv) {
    auto env = [](const char *name) {
      const char *v = getenv(name);
      return v ? v : "(unset)";
    };
    std::printf("threads %d, %d rounds of ~%.0f ms (oneDNN on libgomp, Mica on "
                "libomp, KMP_BLOCKTIME=%s, OMP_WAIT_POLICY=%s)%s\n",
                opt.threads, opt.rounds, opt.roundMs, env("KMP_BLOCKTIME"),
                env("OMP_WAIT_POLICY"),
                bf16 ? ", bf16: Mica bf16 vs oneDNN bf16 (last column: Mica "
                       "fp32 ms)"
                     : "");
    std::printf("%-24s %10s %10s %11s %9s %14s %8s %8s %6s\n", "case",
                "max|err|", "mica ms", "oneDNN ms", "ratio", "spread",
                "mica GF/s", "dnnl GF/s", "iters");
  }
  int failures = 0;
  for (const Case &c : cases) {
    Result r = runCase(c, opt, bf16, eng, strm);
    double flop = 2.0 * double(c.b) * double(c.m) * double(c.k) * double(c.n);
    if (!r.ok) {
      ++failures;
      std::fprintf(stderr,
                   "FAIL %s (threads %d): max abs err %.3g, relative %.3g > "
                   "1e-3\n",
                   c.name.c_str(), opt.threads, r.maxAbsErr, r.relErr);
    }
    if (opt.tsv) {
      std::printf(
          "%s\t%d\t%s\t%.3g\t%.4f\t%.4f\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%d",
          c.name.c_str(), opt.threads, r.ok ? "ok" : "FAIL", r.maxAbsErr,
          r.micaMs, r.dnnlMs, r.ratio.med, r.ratio.min, r.ratio.max,
          r.ok ? flop / r.micaMs * 1e-6 : 0.0,
          r.ok ? flop / r.dnnlMs * 1e-6 : 0.0, r.iters);
      if (bf16)
        std::printf("\t%.4f\t%.4f\n", r.micaFp32Ms, r.dnnlReorderMs);
      else
        std::printf("\n");
    } else if (r.ok) {
      std::printf(
          "%-24s %10.2e %10.4f %11.4f %8.3fx %6.3f..%-6.3f %8.1f %8.1f %6d\n",
          c.name.c_str(), r.maxAbsErr, r.micaMs, r.dnnlMs, r.ratio.med,
          r.ratio.min, r.ratio.max, flop / r.micaMs * 1e-6,
          flop / r.dnnlMs * 1e-6, r.iters);
      if (bf16)
        std::printf(
            "    (Mica fp32 %.4f ms, oneDNN bf16 + A reorder %.4f ms)\n",
            r.micaFp32Ms, r.dnnlReorderMs);
    } else {
      std::printf("%-24s %10.2e   WRONG RESULT (relative error %.3g)\n",
                  c.name.c_str(), r.maxAbsErr, r.relErr);
    }
    std::fflush(stdout);
  }
  return failures ? 1 : 0;
}
