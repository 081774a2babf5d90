//===- ModelABI.cpp - C ABI symbols of compiled models --------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// mica-cpu-prepare-abi records the model signature at tensor level;
/// mica-emit-model-abi adds the symbols of include/mica/Runtime/MicaModel.h
/// to the LLVM dialect module.
///
//===----------------------------------------------------------------------===//

#include "mica/Codegen/Passes.h"
#include "mica/Runtime/MicaExtern.h"

#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace mica {
#define GEN_PASS_DEF_MICACPUPREPAREABI
#define GEN_PASS_DEF_MICAEMITMODELABI
#include "mica/Codegen/Passes.h.inc"
} // namespace mica

using namespace mlir;

static constexpr llvm::StringLiteral kSignatureAttr = "mica.model_signature";
static constexpr llvm::StringLiteral kEntryAttr = "mica.model_entry";
static constexpr llvm::StringLiteral kExternInitFn = MICA_EXTERN_INIT_FN;

/// The runtime's dtype name of `t`, or "" when the C ABI has none.
static StringRef dtypeName(Type t) {
  if (t.isF32())
    return "f32";
  if (t.isF16())
    return "f16";
  if (t.isBF16())
    return "bf16";
  if (t.isSignlessInteger(64))
    return "i64";
  if (t.isSignlessInteger(32))
    return "i32";
  if (t.isSignlessInteger(8))
    return "i8";
  if (t.isSignlessInteger(1))
    return "bool";
  return "";
}

FailureOr<std::string> mica::buildModelSignature(func::FuncOp func) {
  std::string sig;
  llvm::raw_string_ostream os(sig);
  auto emit = [&](StringRef kind, unsigned i, Type type,
                  DictionaryAttr attrs) -> LogicalResult {
    auto tt = dyn_cast<RankedTensorType>(type);
    StringRef dtype = tt ? dtypeName(tt.getElementType()) : "";
    if (dtype.empty())
      return func.emitError() << "model " << kind << " " << i << " has type "
                              << type
                              << ", which the C ABI of compiled models cannot "
                                 "carry (ranked tensors of f32, f16, bf16, "
                                 "i64, i32, i8 or i1 only)";
    std::string name = std::to_string(i);
    if (auto n = attrs ? attrs.getAs<StringAttr>("mica.name") : StringAttr())
      name = n.str();
    for (char &c : name)
      if (c == '\t' || c == '\n')
        c = ' ';
    os << kind << "\t" << name << "\t" << dtype << "\t" << tt.getRank() << "\t";
    llvm::interleave(
        tt.getShape(), os,
        [&](int64_t d) { os << (ShapedType::isDynamic(d) ? -1 : d); }, " ");
    os << "\n";
    return success();
  };
  FunctionType ft = func.getFunctionType();
  for (auto [i, t] : llvm::enumerate(ft.getInputs()))
    if (failed(emit("in", i, t, func.getArgAttrDict(i))))
      return failure();
  for (auto [i, t] : llvm::enumerate(ft.getResults()))
    if (failed(emit("out", i, t, func.getResultAttrDict(i))))
      return failure();
  return sig;
}

namespace {

/// Finds the model function, records its signature, asks for C wrappers.
struct MicaCPUPrepareABIPass
    : mica::impl::MicaCPUPrepareABIBase<MicaCPUPrepareABIPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp entryFn;
    SmallVector<func::FuncOp> publicFns;
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isDeclaration() && f.isPublic())
        publicFns.push_back(f);
    StringRef want = entry;
    for (func::FuncOp f : publicFns)
      if (f.getSymName() == (want.empty() ? StringRef("main") : want))
        entryFn = f;
    if (!entryFn && want.empty() && publicFns.size() == 1)
      entryFn = publicFns.front();
    if (!entryFn) {
      module.emitError() << "no model function: expected '"
                         << (want.empty() ? StringRef("main") : want)
                         << "'" << (want.empty() ? " or a single public function" : "")
                         << ", found " << publicFns.size()
                         << " public functions";
      return signalPassFailure();
    }
    FailureOr<std::string> sig = mica::buildModelSignature(entryFn);
    if (failed(sig))
      return signalPassFailure();
    Builder b(module.getContext());
    module->setAttr(kSignatureAttr, b.getStringAttr(*sig));
    module->setAttr(kEntryAttr, b.getStringAttr(entryFn.getSymName()));
    entryFn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                     b.getUnitAttr());
    // The names now live in the signature; the LLVM conversion would warn
    // about argument attributes it does not know.
    for (unsigned i = 0, e = entryFn.getNumArguments(); i < e; ++i)
      entryFn.removeArgAttr(i, "mica.name");
    for (unsigned i = 0, e = entryFn.getNumResults(); i < e; ++i)
      entryFn.removeResultAttr(i, b.getStringAttr("mica.name"));
  }
};

/// Adds mica_model_signature, mica_model_entry and mica_model_create.
struct MicaEmitModelABIPass
    : mica::impl::MicaEmitModelABIBase<MicaEmitModelABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto sig = module->getAttrOfType<StringAttr>(kSignatureAttr);
    auto entryName = module->getAttrOfType<StringAttr>(kEntryAttr);
    if (!sig || !entryName) {
      module.emitError("mica-emit-model-abi needs the attributes written by "
                       "mica-cpu-prepare-abi");
      return signalPassFailure();
    }
    std::string wrapperName = ("_mlir_ciface_" + entryName.getValue()).str();
    auto wrapper = module.lookupSymbol<LLVM::LLVMFuncOp>(wrapperName);
    if (!wrapper) {
      module.emitError() << "mica-emit-model-abi: no '" << wrapperName
                         << "' (run after the conversion to LLVM)";
      return signalPassFailure();
    }
    MLIRContext *ctx = module.getContext();
    Location loc = module.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    auto voidTy = LLVM::LLVMVoidType::get(ctx);

    // The signature string, NUL-terminated.
    std::string text = sig.getValue().str();
    text.push_back('\0');
    auto arrTy = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size());
    LLVM::GlobalOp::create(b, loc, arrTy, /*isConstant=*/true,
                           LLVM::Linkage::External, "mica_model_signature",
                           b.getStringAttr(text));

    // void mica_model_entry(void **args): args[i] is wrapper parameter i.
    auto entryFn = LLVM::LLVMFuncOp::create(
        b, loc, "mica_model_entry",
        LLVM::LLVMFunctionType::get(voidTy, {ptrTy}));
    {
      OpBuilder::InsertionGuard g(b);
      Block *body = entryFn.addEntryBlock(b);
      b.setInsertionPointToStart(body);
      SmallVector<Value> args;
      for (unsigned i = 0, e = wrapper.getNumArguments(); i < e; ++i) {
        if (!isa<LLVM::LLVMPointerType>(wrapper.getArgumentTypes()[i])) {
          module.emitError() << "mica-emit-model-abi: parameter " << i
                             << " of '" << wrapperName
                             << "' is not a pointer";
          return signalPassFailure();
        }
        Value slot = LLVM::GEPOp::create(
            b, loc, ptrTy, ptrTy, body->getArgument(0),
            ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        args.push_back(LLVM::LoadOp::create(b, loc, ptrTy, slot));
      }
      LLVM::CallOp::create(b, loc, wrapper, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }

    // mica_model *mica_model_create(void).
    auto createFrom = LLVM::LLVMFuncOp::create(
        b, loc, "mica_model_create_from",
        LLVM::LLVMFunctionType::get(ptrTy, {ptrTy, ptrTy}));
    auto create = LLVM::LLVMFuncOp::create(
        b, loc, "mica_model_create", LLVM::LLVMFunctionType::get(ptrTy, {}));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(create.addEntryBlock(b));
    // External kernels (convert-mica-to-runtime) build their primitives and
    // reorder constant weights when the model is created.
    if (auto init = module.lookupSymbol<LLVM::LLVMFuncOp>(kExternInitFn))
      LLVM::CallOp::create(b, loc, init, ValueRange{});
    Value s = LLVM::AddressOfOp::create(b, loc, ptrTy, "mica_model_signature");
    Value e = LLVM::AddressOfOp::create(b, loc, ptrTy, "mica_model_entry");
    Value m =
        LLVM::CallOp::create(b, loc, createFrom, ValueRange{s, e}).getResult();
    LLVM::ReturnOp::create(b, loc, m);
    module->removeAttr(kSignatureAttr);
    module->removeAttr(kEntryAttr);
  }
};

} // namespace
