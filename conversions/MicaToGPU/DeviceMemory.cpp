//===- DeviceMemory.cpp - host code of GPU model libraries ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// mica-gpu-device-memory keeps every buffer of a model function in device
/// memory (the runtime copies inputs in and outputs out around the call);
/// mica-gpu-elide-waits leaves the function's GPU work in flight so that a
/// run synchronizes once. Together with upstream gpu-async-region
/// (one token chain per block, all on the model's stream at run time) they
/// make the host side of `mica-compile --target=cuda` libraries.
///
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToGPU/DeviceMemory.h"
#include "mica/Conversion/MicaToGPU/MicaToGPU.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace mica {
#define GEN_PASS_DEF_MICAGPUDEVICEMEMORY
#define GEN_PASS_DEF_MICAGPUELIDEWAITS
#include "mica/Conversion/MicaToGPU/Passes.h.inc"
} // namespace mica

using namespace mlir;

/// The suffix of the runtime's constant entry for element type `t` ("" when
/// lib/GPURuntime has none).
static std::string constantSuffix(Type t) {
  if (t.isF64())
    return "f64";
  if (t.isF32())
    return "f32";
  if (t.isF16())
    return "f16";
  if (t.isBF16())
    return "bf16";
  if (auto i = dyn_cast<IntegerType>(t))
    if (i.isSignless() &&
        llvm::is_contained({1u, 8u, 16u, 32u, 64u}, i.getWidth()))
      return "i" + std::to_string(i.getWidth());
  return "";
}

/// Ops whose regions become kernels (the SIMT and TensorCore paths), or are
/// kernels already. A linalg op without loops (a 0-d computation) is lowered
/// in place: host code.
static bool becomesKernel(Operation *op) {
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.getNumLoops() > 0;
  return isa<scf::ForallOp, scf::ParallelOp, gpu::LaunchOp>(op);
}

/// True when `op` itself reads or writes the contents of a buffer.
static bool touchesBufferContents(Operation *op) {
  if (isa<CallOpInterface>(op))
    return llvm::any_of(op->getOperandTypes(), llvm::IsaPred<BaseMemRefType>);
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
    Value v = e.getValue();
    return v && isa<BaseMemRefType>(v.getType()) &&
           isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect());
  });
}

/// The private declaration of the runtime's constant entry for `type`.
static func::FuncOp getConstantEntry(ModuleOp module, UnrankedMemRefType type,
                                     StringRef suffix) {
  std::string name = (mica::kDeviceConstantPrefix + suffix).str();
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto f = func::FuncOp::create(
      b, module.getLoc(), name,
      FunctionType::get(module.getContext(), {type}, {type}));
  f.setPrivate();
  return f;
}

/// The buffer `value` views: through view-like ops and memref.reshape's
/// source, up to an allocation, a global, an argument or an op result.
static Value getRootBuffer(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def))
      value = view.getViewSource();
    else if (auto reshape = dyn_cast<memref::ReshapeOp>(def))
      value = reshape.getSource();
    else
      break;
  }
  return value;
}

namespace {
/// Which buffers of a function's host code stay in host memory: those (and
/// the buffers host copies connect them to) that only host code reads or
/// writes, like the small shape buffers of dynamic reshapes. Every other
/// buffer goes to the device.
struct BufferResidence {
  llvm::DenseMap<Value, Value> parent;
  /// Roots whose group must be on the device / is accessed by the host
  /// (with the first op that does).
  llvm::DenseSet<Value> device;
  llvm::DenseMap<Value, Operation *> hostAccess;

  Value find(Value v) {
    Value root = getRootBuffer(v);
    auto it = parent.find(root);
    if (it == parent.end() || it->second == root)
      return root;
    Value top = find(it->second);
    parent[root] = top;
    return top;
  }
  void unite(Value a, Value b) {
    Value ra = find(a), rb = find(b);
    if (ra != rb)
      parent[ra] = rb;
  }
  bool onDevice(Value v) { return device.contains(find(v)); }
};
} // namespace

/// True when `op`, a host op, reads or writes `operand` itself (the buffer
/// has to be on the host).
static bool isHostAccess(Operation *op, OpOperand &operand) {
  if (auto reshape = dyn_cast<memref::ReshapeOp>(op))
    return operand.get() == reshape.getShape();
  return touchesBufferContents(op);
}

LogicalResult mica::moveHostBuffersToDevice(RewriterBase &rewriter,
                                            func::FuncOp func) {
  SmallVector<Operation *> hostOps, kernelOps;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == func.getOperation())
      return WalkResult::advance();
    if (becomesKernel(op)) {
      kernelOps.push_back(op);
      return WalkResult::skip();
    }
    hostOps.push_back(op);
    return WalkResult::advance();
  });

  // Which buffers the host code itself reads or writes, which ones kernels,
  // arguments and results need on the device.
  BufferResidence residence;
  SmallVector<std::pair<Value, Value>> links;
  SmallVector<Value> deviceUses, hostUses;
  SmallVector<Operation *> hostUsers;
  for (Operation *op : kernelOps)
    for (Value v : op->getOperands())
      if (isa<BaseMemRefType>(v.getType()))
        deviceUses.push_back(v);
  for (Operation *op : hostOps) {
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      links.push_back({copy.getSource(), copy.getTarget()});
      continue;
    }
    if (isa<ViewLikeOpInterface, memref::DimOp, memref::DeallocOp,
            memref::ExtractStridedMetadataOp>(op))
      continue;
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<BaseMemRefType>(operand.get().getType()))
        continue;
      if (isHostAccess(op, operand)) {
        hostUses.push_back(operand.get());
        hostUsers.push_back(op);
      } else if (!isa<memref::ReshapeOp>(op)) {
        // Results, loop-carried buffers, ...: on the device.
        deviceUses.push_back(operand.get());
      }
    }
  }
  for (auto [a, b] : links)
    residence.unite(a, b);
  for (Value v : deviceUses)
    residence.device.insert(residence.find(v));
  for (BlockArgument arg : func.getArguments())
    if (isa<BaseMemRefType>(arg.getType()))
      residence.device.insert(residence.find(arg));
  // Buffers that are neither allocated nor globals here (arguments of
  // nested blocks, op results) cannot be kept on the host.
  for (Operation *op : hostOps)
    for (Value v : op->getOperands())
      if (isa<BaseMemRefType>(v.getType())) {
        Value root = getRootBuffer(v);
        if (!root.getDefiningOp<memref::AllocOp>() &&
            !root.getDefiningOp<memref::GetGlobalOp>())
          residence.device.insert(residence.find(root));
      }

  // Everything the rewrite cannot handle is reported before anything
  // changes.
  bool unsupported = false;
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (memref && !memref.getLayout().isIdentity()) {
      func.emitError() << "mica-gpu-device-memory: result " << i << " has type "
                       << type
                       << "; the runtime copies results out as contiguous "
                          "buffers (identity layout only)";
      unsupported = true;
    }
  }
  for (auto [v, op] : llvm::zip(hostUses, hostUsers)) {
    if (!residence.onDevice(v))
      continue;
    op->emitError()
        << "mica-gpu-device-memory: this " << op->getName()
        << " uses the contents of a buffer on the host that kernels, "
           "arguments or results need in device memory (a data-dependent "
           "host loop or a scalar read on the host?); managed-memory=1 runs "
           "such code under mlir-runner instead";
    unsupported = true;
  }
  for (Operation *op : hostOps) {
    if (isa<memref::AllocaOp>(op) && residence.onDevice(op->getResult(0))) {
      op->emitError() << "mica-gpu-device-memory: a stack buffer that kernels "
                         "use (device memory only)";
      unsupported = true;
    }
    auto global = dyn_cast<memref::GetGlobalOp>(op);
    if (global && residence.onDevice(global) &&
        (constantSuffix(global.getType().getElementType()).empty() ||
         !global.getType().getLayout().isIdentity())) {
      op->emitError() << "mica-gpu-device-memory: no device constants of "
                         "type "
                      << global.getType()
                      << " (the runtime uploads identity-layout buffers of "
                         "f64, f32, f16, bf16, i64, i32, i16, i8 or i1)";
      unsupported = true;
    }
  }
  if (unsupported)
    return failure();

  auto module = func->getParentOfType<ModuleOp>();
  Block &entry = func.getBody().front();
  // Device constants are fetched once, at the top of the function.
  OpBuilder::InsertPoint constantsEnd(&entry, entry.begin());
  llvm::StringMap<Value> constants;
  // Buffers only the host code uses stay where they are (decided before
  // anything is rewritten).
  SmallVector<Operation *> toDevice;
  for (Operation *op : hostOps) {
    if (!isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp,
             memref::GetGlobalOp>(op))
      continue;
    Value buffer = isa<memref::DeallocOp>(op) ? op->getOperand(0)
                   : isa<memref::CopyOp>(op)  ? op->getOperand(1)
                                              : op->getResult(0);
    if (residence.onDevice(buffer))
      toDevice.push_back(op);
  }
  for (Operation *op : toDevice) {
    Location loc = op->getLoc();
    rewriter.setInsertionPoint(op);
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      auto device = gpu::AllocOp::create(
          rewriter, loc, alloc.getType(), /*asyncToken=*/Type(), ValueRange{},
          alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/false);
      rewriter.replaceOp(alloc, device.getMemref());
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      gpu::DeallocOp::create(rewriter, loc, Type(), ValueRange{},
                             dealloc.getMemref());
      rewriter.eraseOp(dealloc);
    } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      auto sourceType = cast<MemRefType>(copy.getSource().getType());
      auto targetType = cast<MemRefType>(copy.getTarget().getType());
      if (sourceType.getLayout().isIdentity() &&
          targetType.getLayout().isIdentity())
        gpu::MemcpyOp::create(rewriter, loc, Type(), ValueRange{},
                              copy.getTarget(), copy.getSource());
      else
        linalg::CopyOp::create(rewriter, loc, copy.getSource(),
                               copy.getTarget());
      rewriter.eraseOp(copy);
    } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
      Value &device = constants[global.getName()];
      if (!device) {
        MemRefType type = global.getType();
        auto unranked = UnrankedMemRefType::get(type.getElementType(),
                                                type.getMemorySpace());
        func::FuncOp callee = getConstantEntry(
            module, unranked, constantSuffix(type.getElementType()));
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.restoreInsertionPoint(constantsEnd);
        Value host =
            memref::GetGlobalOp::create(rewriter, loc, type, global.getName());
        Value cast = memref::CastOp::create(rewriter, loc, unranked, host);
        Value call =
            func::CallOp::create(rewriter, loc, callee, cast).getResult(0);
        device = memref::CastOp::create(rewriter, loc, type, call);
        constantsEnd = rewriter.saveInsertionPoint();
      }
      rewriter.replaceOp(global, device);
    }
  }
  return success();
}

unsigned mica::elideBlockingWaits(func::FuncOp func) {
  SmallVector<gpu::WaitOp> waits;
  func.walk([&](gpu::WaitOp wait) {
    if (!wait.getAsyncToken())
      waits.push_back(wait);
  });
  for (gpu::WaitOp wait : waits)
    wait.erase();
  return waits.size();
}

namespace {
struct MicaGPUDeviceMemoryPass
    : mica::impl::MicaGPUDeviceMemoryBase<MicaGPUDeviceMemoryPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    bool anyFailed = false;
    SmallVector<func::FuncOp> funcs(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp func : funcs)
      if (!func.isExternal() &&
          failed(mica::moveHostBuffersToDevice(rewriter, func)))
        anyFailed = true;
    if (anyFailed)
      signalPassFailure();
  }
};

struct MicaGPUElideWaitsPass
    : mica::impl::MicaGPUElideWaitsBase<MicaGPUElideWaitsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || mica::elideBlockingWaits(func) > 0)
      return;
    bool hasGPUWork =
        func.walk([](gpu::AsyncOpInterface) { return WalkResult::interrupt(); })
            .wasInterrupted();
    if (hasGPUWork)
      func.emitRemark("mica-gpu-elide-waits: GPU work but no blocking "
                      "gpu.wait (run gpu-async-region first): nothing to "
                      "elide");
  }
};
} // namespace
