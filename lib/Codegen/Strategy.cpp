//===- Strategy.cpp - per-shape code generation strategies ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The table mica-cpu-contraction takes its register tiles from. Rows are
/// tried in order; the first whose predicate accepts the shape wins. A tuner
/// replaces or prepends rows (docs/pipeline.md, "How a strategy is chosen").
/// Every row is exercised against the reference evaluator by
/// test/Codegen/mica-cpu-contraction-numerics.test.
///
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"

#include <algorithm>

using namespace mica;

namespace {
struct StrategyRow {
  const char *name;
  /// Accepts (M, N, K, constant B); M < 0 when dynamic.
  bool (*matches)(int64_t m, int64_t n, int64_t k, bool constantB);
  int64_t mr, nrVectors;
};
} // namespace

// AVX-512: 32 vector registers. An mr x nrVectors tile keeps mr * nrVectors
// accumulators, nrVectors B segments and one broadcast A element live.
static const StrategyRow kTable[] = {
    // Narrow outputs (N <= 16, e.g. classifier heads): one vector per row,
    // more rows.
    {"narrow-n", [](int64_t, int64_t n, int64_t, bool) { return n > 0 && n <= 16; },
     16, 1},
    // A single row (batch-1 dense layers, LSTM steps): weight traffic bound;
    // wide tiles amortize the A broadcast.
    {"single-row", [](int64_t m, int64_t, int64_t, bool) { return m == 1; },
     1, 4},
    // 2-7 rows (small-batch dense layers, LSTM steps of a small batch): all
    // rows in one tile so B streams once; 4 vectors wide up to 5 rows, 3
    // beyond (at most 21 accumulators).
    {"few-rows", [](int64_t m, int64_t, int64_t, bool) { return m >= 2 && m < 8; },
     0, 0},
    // The default: 8 rows x 32 columns (16 accumulators).
    {"default", [](int64_t, int64_t, int64_t, bool) { return true; }, 8, 2},
};

ContractionStrategy mica::getContractionStrategy(int64_t m, int64_t n,
                                                 int64_t k, bool constantB) {
  for (const StrategyRow &row : kTable) {
    if (!row.matches(m, n, k, constantB))
      continue;
    ContractionStrategy s;
    // mr == 0: as many rows as M, width by row count.
    s.mr = row.mr ? row.mr : m;
    s.nrVectors = row.nrVectors ? row.nrVectors : (m <= 5 ? 4 : 3);
    // Stream the larger operand once: B (K x N) when N >= M, i.e. weights
    // at the row counts of a sequence (BERT's 128 x 768 x 3072 re-read its
    // 9.4 MB of weights from memory 8 times per thread with rows outside).
    // A dynamic M counts as large unless B is a constant.
    s.colsOuter = m < 0 ? constantB : n >= m;
    // The rows of A each pass over the column panels re-reads: up to
    // kBlockBytes of A (half of a 1 MiB L2, the rest for the B panel), at
    // least one register tile. A dynamic K counts as 1024.
    constexpr int64_t kBlockBytes = 512 * 1024;
    int64_t kk = k > 0 ? k : 1024;
    s.rowBlock = std::max<int64_t>(1, kBlockBytes / (kk * 4) / s.mr) * s.mr;
    return s;
  }
  return ContractionStrategy();
}
