//===- Arch.cpp - the per-arch table of the GPU backend -------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "llvm/ADT/StringExtras.h"

#include <mutex>
#include <vector>

using namespace mlir;

/// The table: one row per chip. The PTX ISA is the oldest one that knows the
/// chip (so older drivers can still JIT it), at least 6.3 (the first with
/// `.aligned` WMMA instructions, CUDA 10); the warp grid of a block is
/// 2 x 2 warps (a 32 x 32 block tile of 16 x 16 WMMA tiles) everywhere until
/// a tuner overwrites a row.
static std::vector<mica::GPUArchInfo> &table() {
  static std::vector<mica::GPUArchInfo> rows = {
      {"sm_70", 70, "+ptx63", 2, 2}, {"sm_75", 75, "+ptx63", 2, 2},
      {"sm_80", 80, "+ptx70", 2, 2}, {"sm_86", 86, "+ptx71", 2, 2},
      {"sm_89", 89, "+ptx78", 2, 2}, {"sm_90", 90, "+ptx78", 2, 2},
  };
  return rows;
}
static std::mutex tableMutex;

std::optional<mica::GPUArchInfo> mica::lookupGPUArch(StringRef chip) {
  std::lock_guard<std::mutex> lock(tableMutex);
  for (const GPUArchInfo &row : table())
    if (row.chip == chip)
      return row;
  return std::nullopt;
}

std::string mica::supportedGPUArchs() {
  std::lock_guard<std::mutex> lock(tableMutex);
  SmallVector<StringRef> chips;
  for (const GPUArchInfo &row : table())
    chips.push_back(row.chip);
  return llvm::join(chips, ", ");
}

void mica::setGPUArchInfo(const GPUArchInfo &info) {
  std::lock_guard<std::mutex> lock(tableMutex);
  for (GPUArchInfo &row : table()) {
    if (row.chip == info.chip) {
      row = info;
      return;
    }
  }
  table().push_back(info);
}
