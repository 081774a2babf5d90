//===- MergeModules.cpp - all outlined kernels in one gpu.module ----------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/IR/SymbolTable.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUMERGEMODULES
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

namespace {
/// Moves the kernels of every gpu.module into one, each renamed after its old
/// module (unique: gpu-kernel-outlining names modules after their kernels
/// and uniquifies them), and retargets the gpu.launch_func ops.
struct MicaGPUMergeModulesPass
    : mica::impl::MicaGPUMergeModulesBase<MicaGPUMergeModulesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> modules(module.getOps<gpu::GPUModuleOp>());
    if (modules.empty())
      return;
    for (gpu::GPUModuleOp gpuModule : modules) {
      if (gpuModule.getTargetsAttr() || gpuModule.getOffloadingHandlerAttr()) {
        gpuModule.emitError() << "mica-gpu-merge-modules: run before targets "
                                 "are attached";
        return signalPassFailure();
      }
    }
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(builder, module.getLoc(),
                                           moduleName.getValue());
    SymbolTable symbols(module);
    symbols.insert(merged); // uniquifies the name if it is taken
    Block *mergedBody = merged.getBody();
    llvm::DenseMap<Attribute, SymbolRefAttr> renamed;
    for (gpu::GPUModuleOp gpuModule : modules) {
      StringRef moduleSym = gpuModule.getSymName();
      for (Operation &op :
           llvm::make_early_inc_range(gpuModule.getBody()->getOperations())) {
        auto func = dyn_cast<gpu::GPUFuncOp>(op);
        if (func && func.isKernel()) {
          // Shared buffers 16-byte aligned: ldmatrix reads 16-byte rows,
          // cp.async copies up to 16 bytes.
          for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e;
               ++i)
            if (!func.getWorkgroupAttributionAttr(i, "llvm.align"))
              func.setWorkgroupAttributionAttr(i, "llvm.align",
                                               builder.getI64IntegerAttr(16));
          SymbolRefAttr oldRef =
              SymbolRefAttr::get(gpuModule.getSymNameAttr(),
                                 {FlatSymbolRefAttr::get(func.getNameAttr())});
          func->moveBefore(mergedBody, mergedBody->end());
          // Module names are unique in `module`, so they are unique here too.
          SymbolTable::setSymbolName(func, moduleSym);
          renamed[oldRef] =
              SymbolRefAttr::get(merged.getSymNameAttr(),
                                 {FlatSymbolRefAttr::get(func.getNameAttr())});
          continue;
        }
        // Helpers (e.g. convert-math-to-funcs functions) that outlining
        // cloned into every module calling them: keep one copy.
        auto name =
            op.getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName());
        if (!name) {
          op.emitError() << "mica-gpu-merge-modules: unexpected op in a "
                            "gpu.module";
          return signalPassFailure();
        }
        if (SymbolTable::lookupSymbolIn(merged, name))
          op.erase();
        else
          op.moveBefore(mergedBody, mergedBody->end());
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find(launch.getKernel());
      if (it != renamed.end())
        launch.setKernelAttr(it->second);
    });
    for (gpu::GPUModuleOp gpuModule : modules)
      gpuModule.erase();
  }
};
} // namespace
