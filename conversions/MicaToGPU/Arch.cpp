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
/// `.aligned` WMMA instructions, CUDA 10). sm_70/sm_75 use WMMA with 2 x 2
/// warps of 2 x 2 tiles of 16 x 16; sm_80+ mma.sync m16n8k16 with 2 x 2
/// warps of 2 x 4 tiles of 16 x 8: a warp owns 32 x 32, a block 64 x 64 (128
/// threads), smaller where the shape needs it. A tuner overwrites rows.
static std::vector<mica::GPUArchInfo> &table() {
  static std::vector<mica::GPUArchInfo> rows = {
      {"sm_70", 70, "+ptx63", 2, 2, false, 2, 2},
      {"sm_75", 75, "+ptx63", 2, 2, false, 2, 2},
      {"sm_80", 80, "+ptx70", 2, 2, true, 2, 4},
      {"sm_86", 86, "+ptx71", 2, 2, true, 2, 4},
      {"sm_89", 89, "+ptx78", 2, 2, true, 2, 4},
      {"sm_90", 90, "+ptx78", 2, 2, true, 2, 4},
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

std::optional<mica::GPUArchInfo>
mica::requireGPUArch(Operation *op, StringRef passName, StringRef chip) {
  std::optional<GPUArchInfo> arch = lookupGPUArch(chip);
  if (!arch)
    emitError(op->getLoc()) << passName << ": unsupported gpu-arch '" << chip
                            << "' (supported: " << supportedGPUArchs() << ")";
  return arch;
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

std::optional<mica::GPUArchInfo> mica::withMMAKind(GPUArchInfo arch,
                                                   StringRef mma) {
  if (mma == "auto")
    return arch;
  // Switching kinds keeps the warp tile's N extent (16-wide WMMA tiles,
  // 8-wide mma.sync tiles).
  if (mma == "wmma") {
    if (arch.mmaSync && arch.fragmentsN % 2 == 0)
      arch.fragmentsN /= 2;
    else if (arch.mmaSync)
      arch.warpsN = std::max<int64_t>(1, arch.warpsN / 2);
    arch.mmaSync = false;
    return arch;
  }
  if (mma == "mma.sync" && arch.sm >= 80) {
    if (!arch.mmaSync)
      arch.fragmentsN *= 2;
    arch.mmaSync = true;
    return arch;
  }
  return std::nullopt;
}
