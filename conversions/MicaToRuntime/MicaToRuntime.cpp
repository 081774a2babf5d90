//===- MicaToRuntime.cpp - hand mica ops to oneDNN kernels ----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `convert-mica-to-runtime`: ops chosen by `--extern` become calls into
/// lib/Runtime/OneDNN.cpp. The call sits in tensor IR on buffers
/// (to_buffer of the operands, memref.alloc'd results, to_tensor restrict),
/// so it is an opaque node that fusion neither crosses nor splits around.
///
//===----------------------------------------------------------------------===//

#include "mica/Conversion/MicaToRuntime/MicaToRuntime.h"
#include "mica/Conversion/Passes.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Runtime/MicaExtern.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringExtras.h"

namespace mica {
#define GEN_PASS_DEF_CONVERTMICATORUNTIME
#include "mica/Conversion/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

static constexpr llvm::StringLiteral kLSTMFn = "mica_dnnl_lstm";
static constexpr llvm::StringLiteral kMatmulFn = "mica_dnnl_matmul";

//===----------------------------------------------------------------------===//
// Selection and decisions
//===----------------------------------------------------------------------===//

bool mica::parseExternSelection(StringRef text, ExternSelection &sel,
                                std::string &error) {
  sel.automatic = sel.lstm = sel.matmul = false;
  text = text.trim();
  if (text.empty() || text == "none")
    return true;
  if (text == "auto") {
    sel.automatic = true;
    return true;
  }
  auto [library, kinds] = text.split(':');
  if (library != "onednn") {
    error = "unknown external library '" + library.str() +
            "' (expected none, auto or onednn[:lstm,matmul])";
    return false;
  }
  if (kinds.empty()) {
    sel.lstm = sel.matmul = true;
    return true;
  }
  SmallVector<StringRef> parts;
  kinds.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef kind : parts) {
    kind = kind.trim();
    if (kind == "lstm")
      sel.lstm = true;
    else if (kind == "matmul")
      sel.matmul = true;
    else {
      error = "unknown external op kind '" + kind.str() +
              "' (expected lstm or matmul)";
      return false;
    }
  }
  return true;
}

static bool isF32(Value v) {
  return cast<ShapedType>(v.getType()).getElementType().isF32();
}

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

static ExternDecision decideLSTM(LSTMOp op, const ExternSelection &sel) {
  ExternDecision d{true, false, ""};
  if (!sel.lstm && !sel.automatic) {
    d.reason = "native codegen: --extern does not select lstm";
    return d;
  }
  for (Value v : op->getOperands())
    if (isa<FloatType>(getElementTypeOrSelf(v.getType())) && !isF32(v)) {
      d.reason = "native codegen: oneDNN takes f32 LSTMs only, operand is " +
                 typeString(v.getType());
      return d;
    }
  if (op.getClip()) {
    d.reason = "native codegen: oneDNN's LSTM has no cell clip";
    return d;
  }
  if (op.getHiddenSize() <= 0) {
    d.reason = "native codegen: empty hidden size";
    return d;
  }
  if (sel.automatic && !sel.lstm) {
    // The rule of bench/extern (docs/pipeline.md): oneDNN only wins with
    // several threads on a batch of 8+ with a small hidden size.
    int64_t batch = op.getInput().getType().getDimSize(1);
    int64_t hidden = op.getHiddenSize();
    std::string why;
    if (sel.threads < sel.minLSTMThreads)
      why = std::to_string(sel.threads) + " thread(s) < " +
            std::to_string(sel.minLSTMThreads);
    else if (ShapedType::isDynamic(batch) || batch < sel.minLSTMBatch)
      why = "batch " +
            (ShapedType::isDynamic(batch) ? std::string("?")
                                          : std::to_string(batch)) +
            " < " + std::to_string(sel.minLSTMBatch);
    else if (hidden > sel.maxLSTMHidden)
      why = "hidden " + std::to_string(hidden) + " > " +
            std::to_string(sel.maxLSTMHidden);
    if (!why.empty()) {
      d.reason = "native codegen (auto): " + why +
                 ", where native recurrences beat oneDNN";
      return d;
    }
    d.external = true;
    d.reason = "oneDNN (auto): batch >= " + std::to_string(sel.minLSTMBatch) +
               ", hidden <= " + std::to_string(sel.maxLSTMHidden) + ", " +
               std::to_string(sel.threads) + " threads";
    return d;
  }
  d.external = true;
  d.reason = "oneDNN: selected by --extern";
  return d;
}

static ExternDecision decideMatmul(Operation *op, const ExternSelection &sel) {
  ExternDecision d{true, false, ""};
  if (!sel.matmul) {
    d.reason = sel.automatic ? "native codegen (auto): native matmul kernels "
                               "match oneDNN on every measured shape"
                             : "native codegen: --extern does not select "
                               "matmul";
    return d;
  }
  for (Value v : op->getOperands())
    if (!isF32(v)) {
      d.reason = "native codegen: oneDNN path takes f32 only, operand is " +
                 typeString(v.getType());
      return d;
    }
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    auto lhs = cast<RankedTensorType>(mm.getLhs().getType());
    auto rhs = cast<RankedTensorType>(mm.getRhs().getType());
    if (lhs.getRank() > 12) {
      d.reason = "native codegen: rank above oneDNN's 12";
      return d;
    }
    if (rhs.getRank() != 2) {
      bool same = lhs.getRank() == rhs.getRank();
      for (int64_t k = 0; same && k < lhs.getRank() - 2; ++k)
        same = !lhs.isDynamicDim(k) && lhs.getDimSize(k) == rhs.getDimSize(k);
      if (!same) {
        d.reason = "native codegen: batch dims broadcast or are not known "
                   "equal (" +
                   typeString(lhs) + " x " + typeString(rhs) + ")";
        return d;
      }
    }
  }
  d.external = true;
  d.reason = "oneDNN: selected by --extern";
  return d;
}

ExternDecision mica::decideExtern(Operation *op, const ExternSelection &sel) {
  if (auto lstm = dyn_cast<LSTMOp>(op))
    return decideLSTM(lstm, sel);
  if (isa<DenseOp, MatMulOp>(op))
    return decideMatmul(op, sel);
  return {};
}

bool mica::usesExternRuntime(Operation *module) {
  bool found = false;
  module->walk([&](Operation *op) {
    auto sym = dyn_cast<SymbolOpInterface>(op);
    if (sym && (sym.getName() == kLSTMFn || sym.getName() == kMatmulFn)) {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

//===----------------------------------------------------------------------===//
// Call construction
//===----------------------------------------------------------------------===//

namespace {

/// Builds one external call: declarations, slot, operand views, results.
class CallBuilder {
public:
  CallBuilder(PatternRewriter &rw, Operation *op)
      : rw(rw), loc(op->getLoc()),
        module(op->getParentOfType<ModuleOp>()) {}

  /// A fresh slot global for this call site, as an !llvm.ptr.
  Value slot() {
    std::string name;
    for (unsigned n = 0;; ++n) {
      name = "__mica_extern_slot_" + std::to_string(n);
      if (!module.lookupSymbol(name))
        break;
    }
    {
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPointToStart(module.getBody());
      LLVM::GlobalOp::create(rw, loc, rw.getI64Type(), /*isConstant=*/false,
                             LLVM::Linkage::Internal, name,
                             rw.getI64IntegerAttr(0));
    }
    return LLVM::AddressOfOp::create(rw, loc,
                                     LLVM::LLVMPointerType::get(ctx()), name);
  }

  Value i64(int64_t v) {
    return arith::ConstantOp::create(rw, loc, rw.getI64IntegerAttr(v));
  }

  /// The unranked buffer of a tensor operand (read only).
  Value view(Value tensor) {
    auto type = cast<RankedTensorType>(tensor.getType());
    SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
    auto layout =
        StridedLayoutAttr::get(ctx(), ShapedType::kDynamic, strides);
    auto memref =
        MemRefType::get(type.getShape(), type.getElementType(), layout);
    Value buffer = bufferization::ToBufferOp::create(rw, loc, memref, tensor,
                                                     /*read_only=*/true);
    return unranked(buffer);
  }

  /// A fresh buffer for a result of type `type`; dynamic dims from `dims`.
  Value alloc(RankedTensorType type, ValueRange dims) {
    auto memref = MemRefType::get(type.getShape(), type.getElementType());
    return memref::AllocOp::create(rw, loc, memref, dims);
  }

  Value unranked(Value buffer) {
    auto type = cast<BaseMemRefType>(buffer.getType());
    return memref::CastOp::create(
        rw, loc, UnrankedMemRefType::get(type.getElementType(), 0), buffer);
  }

  Value toTensor(Value buffer, Type type) {
    return bufferization::ToTensorOp::create(rw, loc, type, buffer,
                                             /*restrict=*/true,
                                             /*writable=*/true);
  }

  Value dim(Value tensor, int64_t k) {
    return tensor::DimOp::create(rw, loc, tensor, k);
  }

  /// Declares `name` (private, no body) unless it exists, and calls it.
  void call(StringRef name, ValueRange args) {
    auto fn = module.lookupSymbol<func::FuncOp>(name);
    if (!fn) {
      OpBuilder::InsertionGuard guard(rw);
      rw.setInsertionPointToEnd(module.getBody());
      fn = func::FuncOp::create(
          rw, loc, name, rw.getFunctionType(ValueRange(args).getTypes(), {}));
      fn.setPrivate();
    }
    func::CallOp::create(rw, loc, fn, args);
  }

  MLIRContext *ctx() { return rw.getContext(); }

private:
  PatternRewriter &rw;
  Location loc;
  ModuleOp module;
};

/// Dynamic dims of `type`, each read from (operand, dim) by `source`.
template <typename Source>
SmallVector<Value> dynamicDims(RankedTensorType type, Source source) {
  SmallVector<Value> dims;
  for (int64_t k = 0; k < type.getRank(); ++k)
    if (type.isDynamicDim(k))
      dims.push_back(source(k));
  return dims;
}

bool isConstant(Value v) { return v && matchPattern(v, m_Constant()); }

struct LSTMToRuntime : OpRewritePattern<LSTMOp> {
  LSTMToRuntime(MLIRContext *ctx, const ExternSelection &sel)
      : OpRewritePattern(ctx), sel(sel) {}

  LogicalResult matchAndRewrite(LSTMOp op,
                                PatternRewriter &rw) const override {
    if (!decideExtern(op, sel).external)
      return failure();
    CallBuilder b(rw, op);
    Location loc = op.getLoc();
    int64_t flags = static_cast<int64_t>(op.getDirection());
    if (op.getB())
      flags |= MICA_LSTM_HAS_BIAS;
    if (op.getSequenceLens())
      flags |= MICA_LSTM_HAS_SEQUENCE_LENS;
    if (op.getInitialH())
      flags |= MICA_LSTM_HAS_INITIAL_H;
    if (op.getInitialC())
      flags |= MICA_LSTM_HAS_INITIAL_C;
    if (op.getPeepholes())
      flags |= MICA_LSTM_HAS_PEEPHOLES;
    if (isConstant(op.getW()) && isConstant(op.getR()) &&
        (!op.getB() || isConstant(op.getB())) &&
        (!op.getPeepholes() || isConstant(op.getPeepholes())))
      flags |= MICA_EXTERN_CONST_WEIGHTS;
    if (sel.bf16)
      flags |= MICA_EXTERN_BF16;

    Value x = op.getInput();
    Value xv = b.view(x);
    auto optional = [&](Value v) { return v ? b.view(v) : xv; };
    // Sequence lengths travel as i64.
    Value seq;
    if (Value lens = op.getSequenceLens()) {
      auto type = cast<RankedTensorType>(lens.getType());
      if (!type.getElementType().isInteger(64))
        lens = CastOp::create(rw, loc, type.clone(rw.getI64Type()), lens);
      seq = b.view(lens);
    } else {
      Value empty = memref::AllocaOp::create(
          rw, loc, MemRefType::get({0}, rw.getI64Type()));
      seq = b.unranked(empty);
    }
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto hType = cast<RankedTensorType>(op.getYH().getType());
    auto cType = cast<RankedTensorType>(op.getYC().getType());
    // y [T, D, B, H]; y_h, y_c [D, B, H]: T and B come from x.
    Value y = b.alloc(yType, dynamicDims(yType, [&](int64_t k) {
      return b.dim(x, k == 0 ? 0 : 1);
    }));
    auto stateDims = [&](RankedTensorType t) {
      return dynamicDims(t, [&](int64_t) { return b.dim(x, 1); });
    };
    Value yh = b.alloc(hType, stateDims(hType));
    Value yc = b.alloc(cType, stateDims(cType));
    b.call(kLSTMFn,
           {b.slot(), b.i64(flags), b.i64(op.getHiddenSize()),
            b.i64(sel.threads), xv, b.view(op.getW()), b.view(op.getR()),
            optional(op.getB()), seq, optional(op.getInitialH()),
            optional(op.getInitialC()), optional(op.getPeepholes()),
            b.unranked(y), b.unranked(yh), b.unranked(yc)});
    rw.replaceOp(op, {b.toTensor(y, yType), b.toTensor(yh, hType),
                      b.toTensor(yc, cType)});
    return success();
  }

  ExternSelection sel;
};

/// mica.dense and mica.matmul -> mica_dnnl_matmul.
template <typename OpTy> struct MatmulToRuntime : OpRewritePattern<OpTy> {
  MatmulToRuntime(MLIRContext *ctx, const ExternSelection &sel)
      : OpRewritePattern<OpTy>(ctx), sel(sel) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rw) const override {
    if (!decideExtern(op, sel).external)
      return failure();
    CallBuilder b(rw, op);
    constexpr bool dense = std::is_same_v<OpTy, DenseOp>;
    Value a, w, bias;
    int64_t activation = MICA_ACT_NONE;
    int64_t flags = sel.bf16 ? MICA_EXTERN_BF16 : 0;
    if constexpr (dense) {
      a = op.getInput();
      w = op.getWeight();
      bias = op.getBias();
      activation = static_cast<int64_t>(op.getActivation());
      flags |= MICA_MATMUL_DENSE;
    } else {
      a = op.getLhs();
      w = op.getRhs();
    }
    if (bias)
      flags |= MICA_MATMUL_HAS_BIAS;
    if (isConstant(w))
      flags |= MICA_EXTERN_CONST_WEIGHTS;
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t rank = outType.getRank();
    auto aType = cast<RankedTensorType>(a.getType());
    Value out = b.alloc(outType, dynamicDims(outType, [&](int64_t k) {
      if (k == rank - 1)
        return b.dim(w, dense ? 0
                              : cast<RankedTensorType>(w.getType()).getRank() -
                                    1);
      // Leading dims (and M) follow a's.
      return b.dim(a, k - rank + aType.getRank());
    }));
    Value av = b.view(a);
    b.call(kMatmulFn, {b.slot(), b.i64(flags), b.i64(activation),
                       b.i64(sel.threads), av, b.view(w),
                       bias ? b.view(bias) : av, b.unranked(out)});
    rw.replaceOp(op, b.toTensor(out, outType));
    return success();
  }

  ExternSelection sel;
};

/// The buffer behind an unranked operand view (the memref.cast source).
Value viewSource(Value unranked) {
  auto cast = unranked.getDefiningOp<memref::CastOp>();
  return cast ? cast.getSource() : Value();
}

/// Builds MICA_EXTERN_INIT_FN: each call site whose weights are constants and
/// whose activation shapes are static is called once with MICA_EXTERN_PREPARE
/// on placeholders, so mica_model_create builds the primitives and reorders
/// the weights before the first run. Other sites prepare on their first call.
void buildExternInit(ModuleOp module) {
  SmallVector<func::CallOp> calls;
  module.walk([&](func::CallOp call) {
    if (call.getCallee() == kLSTMFn || call.getCallee() == kMatmulFn)
      calls.push_back(call);
  });
  OpBuilder b(module.getContext());
  func::FuncOp init;
  for (func::CallOp call : calls) {

    llvm::APInt flagBits;
    if (!matchPattern(call.getOperand(1), m_ConstantInt(&flagBits)))
      continue;
    int64_t flags = flagBits.getSExtValue();
    if (!(flags & MICA_EXTERN_CONST_WEIGHTS))
      continue;
    bool lstm = call.getCallee() == kLSTMFn;
    // Operand roles after (slot, flags, int, threads): LSTM x, w, r, b, seq,
    // h0, c0, p, y, yh, yc; matmul a, b, bias, c.
    auto isWeight = [&](unsigned i) {
      return lstm ? (i == 5 || i == 6 || i == 7 || i == 11) : i == 5;
    };
    auto isShape = [&](unsigned i) { return lstm ? i == 4 : i == 4 || i == 7; };
    // Activation shapes must be static.
    bool ok = true;
    for (unsigned i = 4; i < call->getNumOperands(); ++i) {
      Value src = viewSource(call.getOperand(i));
      if (isShape(i) && (!src || !cast<ShapedType>(src.getType())
                                      .hasStaticShape()))
        ok = false;
    }
    if (!ok)
      continue;
    Location loc = call.getLoc();
    if (!init) {
      b.setInsertionPointToEnd(module.getBody());
      init = func::FuncOp::create(b, loc, MICA_EXTERN_INIT_FN,
                                  b.getFunctionType({}, {}));
      init.setPrivate();
      b.setInsertionPointToStart(init.addEntryBlock());
      func::ReturnOp::create(b, loc);
    }
    b.setInsertionPoint(init.getBody().front().getTerminator());
    SmallVector<Value> args;
    Value placeholder;
    for (unsigned i = 0; i < call->getNumOperands(); ++i) {
      Value v = call.getOperand(i);
      if (i < 4) {
        Operation *def = v.getDefiningOp();
        if (i == 1)
          args.push_back(arith::ConstantOp::create(
              b, loc, b.getI64IntegerAttr(flags | MICA_EXTERN_PREPARE)));
        else
          args.push_back(b.clone(*def)->getResult(0));
        continue;
      }
      auto type = cast<UnrankedMemRefType>(v.getType());
      Value src = viewSource(v);
      auto toBuffer =
          src ? src.getDefiningOp<bufferization::ToBufferOp>() : nullptr;
      if (isWeight(i) && toBuffer && isConstant(toBuffer.getTensor())) {
        Value tensor = b.clone(*toBuffer.getTensor().getDefiningOp())
                           ->getResult(0);
        Value buffer = bufferization::ToBufferOp::create(
            b, loc, toBuffer.getType(), tensor, /*read_only=*/true);
        args.push_back(memref::CastOp::create(b, loc, type, buffer));
        continue;
      }
      if (isShape(i)) {
        auto shaped = cast<ShapedType>(src.getType());
        Value buffer = memref::AllocOp::create(
            b, loc,
            MemRefType::get(shaped.getShape(), shaped.getElementType()));
        args.push_back(memref::CastOp::create(b, loc, type, buffer));
        if (!placeholder)
          placeholder = args.back();
        continue;
      }
      if (type.getElementType().isF32() && placeholder) {
        args.push_back(placeholder);
        continue;
      }
      Value empty = memref::AllocaOp::create(
          b, loc, MemRefType::get({0}, type.getElementType()));
      args.push_back(memref::CastOp::create(b, loc, type, empty));
    }
    func::CallOp::create(b, loc, call.getCallee(), TypeRange(), args);
  }
}

struct ConvertMicaToRuntimePass
    : mica::impl::ConvertMicaToRuntimeBase<ConvertMicaToRuntimePass> {
  using Base::Base;

  void runOnOperation() override {
    ExternSelection sel;
    std::string error;
    if (!parseExternSelection(externKernels, sel, error)) {
      getOperation().emitError("convert-mica-to-runtime: ") << error;
      return signalPassFailure();
    }
    if (precision != "fp32" && precision != "bf16") {
      getOperation().emitError("convert-mica-to-runtime: precision must be "
                               "fp32 or bf16, not '")
          << precision << "'";
      return signalPassFailure();
    }
    sel.bf16 = precision == "bf16";
    sel.threads = threads;
    sel.minLSTMBatch = minLSTMBatch;
    sel.maxLSTMHidden = maxLSTMHidden;
    sel.minLSTMThreads = minLSTMThreads;
    if (!sel.any())
      return;
    if (remarks)
      getOperation().walk([&](Operation *op) {
        ExternDecision d = decideExtern(op, sel);
        if (!d.considered)
          return;
        // No "see current operation" note: name the model node instead.
        emitRemark(op->getLoc()) << op->getName() << " -> " << d.reason
                                  << FusionReport::nodeSuffix(op->getLoc());
      });
    RewritePatternSet patterns(&getContext());
    populateMicaToRuntimePatterns(patterns, sel);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
    buildExternInit(getOperation());
  }
};

} // namespace

void mica::populateMicaToRuntimePatterns(RewritePatternSet &patterns,
                                         const ExternSelection &sel) {
  patterns.add<LSTMToRuntime, MatmulToRuntime<DenseOp>,
               MatmulToRuntime<MatMulOp>>(patterns.getContext(), sel);
}
