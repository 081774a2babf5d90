//===- MicaToRuntime.h - hand mica ops to external kernels ------*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The selection of ops that go to oneDNN (`--extern`), the per-op decision
/// with its reason, and the patterns that replace chosen ops by calls into
/// the external-kernel runtime (include/mica/Runtime/MicaExtern.h). The
/// `convert-mica-to-runtime` pass is a thin shell over them.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_MICATORUNTIME_MICATORUNTIME_H
#define MICA_CONVERSION_MICATORUNTIME_MICATORUNTIME_H

#include "mlir/IR/PatternMatch.h"

#include <string>

namespace mica {

/// What `--extern` asks for.
struct ExternSelection {
  /// `auto`: each op by the cost rule; otherwise the listed kinds always.
  bool automatic = false;
  bool lstm = false;
  bool matmul = false;
  /// Compute the external kernels in bf16.
  bool bf16 = false;
  unsigned threads = 1;
  /// auto: an LSTM goes to oneDNN when it has at least `minLSTMBatch`
  /// batch entries, at most `maxLSTMHidden` hidden units and the model runs
  /// on at least `minLSTMThreads` threads (bench/extern).
  int64_t minLSTMBatch = 8;
  int64_t maxLSTMHidden = 512;
  unsigned minLSTMThreads = 2;

  bool any() const { return automatic || lstm || matmul; }
};

/// Parses `none`, `auto`, `onednn` or `onednn:lstm,matmul` into `sel`
/// (kinds only; precision and threads are set by the caller). On failure
/// returns false with a message in `error`.
bool parseExternSelection(llvm::StringRef text, ExternSelection &sel,
                          std::string &error);

/// Where one op goes.
struct ExternDecision {
  /// The op is one `--extern` may take (lstm, dense, matmul).
  bool considered = false;
  /// It goes to oneDNN.
  bool external = false;
  /// Why (for the remark).
  std::string reason;
};
ExternDecision decideExtern(mlir::Operation *op, const ExternSelection &sel);

/// Patterns replacing every op that decideExtern sends to oneDNN by a call
/// (mica.lstm -> mica_dnnl_lstm, mica.dense/mica.matmul -> mica_dnnl_matmul).
void populateMicaToRuntimePatterns(mlir::RewritePatternSet &patterns,
                                   const ExternSelection &sel);

/// True when `module` (any level, up to the LLVM dialect) calls the
/// external-kernel runtime, i.e. its library needs libMicaRuntimeDNNL and
/// oneDNN.
bool usesExternRuntime(mlir::Operation *module);

} // namespace mica

#endif // MICA_CONVERSION_MICATORUNTIME_MICATORUNTIME_H
