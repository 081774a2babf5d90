//===- Harness.h - Shared pieces of the benchmark harnesses -----*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
//
// What mica-bench-gemm and mica-bench-lstm have in common: the command line
// flags both take (--dir --threads --rounds --round-ms --switch-ms --cases
// --tsv; a harness adds its own through a callback), reading cases.txt and
// raw f32 files, a model library loaded with dlopen through the C ABI of
// mica/Runtime/MicaModel.h, and timing: sizing a round, interleaved rounds
// that rotate which path goes first, median/min/max over rounds.
//
// Header-only; everything is in namespace mica::bench.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_BENCH_COMMON_HARNESS_H
#define MICA_BENCH_COMMON_HARNESS_H

#include "mica/Runtime/MicaModel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace mica {
namespace bench {

/// The name in front of error and usage messages; a harness sets it first.
inline const char *programName = "mica-bench";

[[noreturn]] inline void die(const std::string &msg) {
  std::fprintf(stderr, "%s: %s\n", programName, msg.c_str());
  std::exit(2);
}

/// Prints `usage: PROGRAM SYNOPSIS` and exits 2.
[[noreturn]] inline void usage(const char *synopsis) {
  std::fprintf(stderr, "usage: %s %s\n", programName, synopsis);
  std::exit(2);
}

/// The flags every harness takes. A harness with other defaults sets them
/// before parseOptions.
struct Options {
  std::string dir;
  int threads = 1;
  int rounds = 7;
  double roundMs = 100.0;
  int switchMs = 50;
  std::vector<std::string> cases;
  bool tsv = false;
};

/// Parses the common flags into `opt`. Any other argument goes to
/// `extra(arg, value)`, which returns false for an unknown flag; `value()`
/// takes the next argument (usage() when there is none). An unknown flag, a
/// missing --dir, --threads < 1 or --rounds < 1 is usage(synopsis).
template <typename ExtraFn>
void parseOptions(int argc, char **argv, Options &opt, const char *synopsis,
                  ExtraFn extra) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc)
        usage(synopsis);
      return argv[++i];
    };
    if (arg == "--dir")
      opt.dir = value();
    else if (arg == "--threads")
      opt.threads = std::atoi(value().c_str());
    else if (arg == "--rounds")
      opt.rounds = std::atoi(value().c_str());
    else if (arg == "--round-ms")
      opt.roundMs = std::atof(value().c_str());
    else if (arg == "--switch-ms")
      opt.switchMs = std::atoi(value().c_str());
    else if (arg == "--cases") {
      std::stringstream ss(value());
      std::string item;
      while (std::getline(ss, item, ','))
        if (!item.empty())
          opt.cases.push_back(item);
    } else if (arg == "--tsv")
      opt.tsv = true;
    else if (!extra(arg, value))
      usage(synopsis);
  }
  if (opt.dir.empty() || opt.threads < 1 || opt.rounds < 1)
    usage(synopsis);
}

inline void parseOptions(int argc, char **argv, Options &opt,
                         const char *synopsis) {
  parseOptions(argc, argv, opt, synopsis,
               [](const std::string &, auto &) { return false; });
}

/// The cases of DIR/cases.txt that --cases selects (all without it), one line
/// each; `parse(line, c)` reads the fields of one and returns false for a
/// line to skip. `generator` names the script that writes the file.
template <typename CaseT, typename ParseFn>
std::vector<CaseT> readCases(const Options &opt, const char *generator,
                             ParseFn parse) {
  std::ifstream in(opt.dir + "/cases.txt");
  if (!in)
    die("cannot open " + opt.dir + "/cases.txt (run " + generator + ")");
  std::vector<CaseT> cases;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    CaseT c;
    if (!parse(ls, c))
      continue;
    if (!opt.cases.empty() && std::find(opt.cases.begin(), opt.cases.end(),
                                        c.name) == opt.cases.end())
      continue;
    cases.push_back(c);
  }
  return cases;
}

/// `count` raw little-endian floats of `path`.
inline std::vector<float> readFloats(const std::string &path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    die("cannot open " + path);
  std::vector<float> v(count);
  in.read(reinterpret_cast<char *>(v.data()), count * sizeof(float));
  if (size_t(in.gcount()) != count * sizeof(float))
    die(path + ": expected " + std::to_string(count * sizeof(float)) +
        " bytes");
  return v;
}

/// One model library, loaded with RTLD_LOCAL, and one model it created.
struct MicaLib {
  void *handle = nullptr;
  decltype(&mica_model_create) create = nullptr;
  decltype(&mica_model_destroy) destroy = nullptr;
  decltype(&mica_model_run) run = nullptr;
  decltype(&mica_model_output_data) outputData = nullptr;
  decltype(&mica_model_output_dims) outputDims = nullptr;
  decltype(&mica_model_error) error = nullptr;
  mica_model *model = nullptr;

  explicit MicaLib(const std::string &path) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      die("dlopen " + path + ": " + dlerror());
    auto sym = [&](const char *name) {
      void *p = dlsym(handle, name);
      if (!p)
        die(path + ": missing symbol " + name);
      return p;
    };
    create = reinterpret_cast<decltype(create)>(sym("mica_model_create"));
    destroy = reinterpret_cast<decltype(destroy)>(sym("mica_model_destroy"));
    run = reinterpret_cast<decltype(run)>(sym("mica_model_run"));
    outputData =
        reinterpret_cast<decltype(outputData)>(sym("mica_model_output_data"));
    outputDims =
        reinterpret_cast<decltype(outputDims)>(sym("mica_model_output_dims"));
    error = reinterpret_cast<decltype(error)>(sym("mica_model_error"));
    model = create();
    if (!model)
      die(path + ": mica_model_create failed");
  }
  MicaLib(const MicaLib &) = delete;
  MicaLib &operator=(const MicaLib &) = delete;
  ~MicaLib() {
    destroy(model);
    dlclose(handle);
  }

  /// Runs the model; dies with `what` and the model's error on failure.
  void runOrDie(const void *const *inputs, const int64_t *const *dims,
                const std::string &what) {
    if (run(model, inputs, dims) != 0)
      die(what + ": mica_model_run: " + error(model));
  }
};

//===----------------------------------------------------------------------===//
// Timing
//===----------------------------------------------------------------------===//

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

/// Median, min and max of one series.
struct Stat {
  double med = 0, min = 0, max = 0;
};

inline Stat stat(const std::vector<double> &v) {
  return {median(v), *std::min_element(v.begin(), v.end()),
          *std::max_element(v.begin(), v.end())};
}

/// The untimed --switch-ms pause between two paths.
inline void pause(const Options &opt) {
  if (opt.switchMs > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(opt.switchMs));
}

/// CPU seconds of the whole process (all threads) so far.
inline double processCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

/// Seconds per call of `fn()` over `iters` calls: wall time, or with
/// MICA_BENCH_CLOCK=cpu the process's CPU time (all threads), which other
/// jobs time-sharing the cores inflate far less than wall time (a loaded,
/// shared machine; it still counts cache/SMT interference and, with
/// threads, OpenMP spin-waiting: use OMP_WAIT_POLICY=passive with it).
template <typename Fn> double timeLoop(Fn &&fn, int iters) {
  static const bool cpuClock = [] {
    const char *v = getenv("MICA_BENCH_CLOCK");
    return v && std::string(v) == "cpu";
  }();
  if (cpuClock) {
    double t0 = processCpuSeconds();
    for (int i = 0; i < iters; ++i)
      fn();
    return (processCpuSeconds() - t0) / iters;
  }
  auto t0 = Clock::now();
  for (int i = 0; i < iters; ++i)
    fn();
  return secondsSince(t0) / iters;
}

/// Warms up each path (`runPath(p)`, p < numPaths) with `warmup` untimed
/// calls, times `measure` more, and returns how many calls of each make one
/// round of ~opt.roundMs over all paths (at least 1).
template <typename RunPath>
int itersPerRound(const Options &opt, int numPaths, int warmup, int measure,
                  RunPath &&runPath) {
  double once = 0;
  for (int path = 0; path < numPaths; ++path) {
    auto fn = [&] { runPath(path); };
    pause(opt);
    timeLoop(fn, warmup);
    once += timeLoop(fn, measure);
  }
  return std::max(1, int(opt.roundMs * 1e-3 / once));
}

/// opt.rounds rounds of `iters` calls of every path; round r starts with path
/// r % numPaths and goes on in turn, so no path always runs on a warmer cache
/// or right after another's idle workers. Each path gets a pause and one
/// untimed call first. Returns seconds per call, [path][round].
template <typename RunPath>
std::vector<std::vector<double>> timeRounds(const Options &opt, int numPaths,
                                            int iters, RunPath &&runPath) {
  std::vector<std::vector<double>> s(numPaths);
  for (int round = 0; round < opt.rounds; ++round) {
    for (int k = 0; k < numPaths; ++k) {
      int path = (round + k) % numPaths;
      pause(opt);
      runPath(path);
      s[path].push_back(timeLoop([&] { runPath(path); }, iters));
    }
  }
  return s;
}

} // namespace bench
} // namespace mica

#endif // MICA_BENCH_COMMON_HARNESS_H
