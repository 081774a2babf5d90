//===- InitAll.h - register every Mica dialect, pass and pipeline -*- C++ -*-//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// One place that registers what Mica provides, for the tools, the C API,
/// the Python module and embedding compilers.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_INITALL_H
#define MICA_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mica {

/// Adds the mica dialect and the upstream dialects Mica's pipelines use.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every Mica pass (mica-*, convert-*) with the global registry.
void registerAllPasses();

/// Registers every Mica pass pipeline with the global registry.
void registerAllPipelines();

} // namespace mica

#endif // MICA_INITALL_H
