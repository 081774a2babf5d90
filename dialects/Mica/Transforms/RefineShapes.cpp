//===- RefineShapes.cpp - propagate static shapes through mica ops --------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The `mica-refine-shapes` pass and its patterns: each mica op takes the
/// most static result type its operands allow, casts between mica ops
/// disappear, and entry function signatures follow.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mica {
#define GEN_PASS_DEF_MICAREFINESHAPES
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

namespace {

/// True when `refined` is compatible with `old`, keeps every static dim of
/// `old` and differs from it.
bool isStrictlyMoreRefined(Type refined, Type old) {
  auto r = dyn_cast<RankedTensorType>(refined);
  auto o = dyn_cast<RankedTensorType>(old);
  if (!r || !o || r == o || r.getElementType() != o.getElementType() ||
      r.getRank() != o.getRank())
    return false;
  for (auto [a, b] : llvm::zip(r.getShape(), o.getShape()))
    if (!ShapedType::isDynamic(b) && a != b)
      return false;
  return true;
}

/// Merges `candidate` into `old`: static dims of either win.
RankedTensorType mergeTypes(RankedTensorType old, ArrayRef<int64_t> dims) {
  SmallVector<int64_t> shape(old.getShape());
  for (auto [s, d] : llvm::zip(shape, dims))
    if (ShapedType::isDynamic(s))
      s = d;
  return RankedTensorType::get(shape, old.getElementType());
}

/// The value of a constant 0-D (or single-element) tensor.
std::optional<double> getScalarValue(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>((*attr.getValues<APInt>().begin()).getSExtValue());
}

/// The most static result types `op` allows, or failure.
FailureOr<SmallVector<Type>> refinedResultTypes(Operation *op) {
  SmallVector<Type> types;
  if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
    if (failed(infer.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)))
      return failure();
    return types;
  }
  auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!out)
    return failure();
  if (auto cast = dyn_cast<CastOp>(op)) {
    types.push_back(mergeTypes(out, cast.getInput().getType().getShape()));
    return types;
  }
  auto fromValues = [&](Value shape) -> std::optional<SmallVector<int64_t>> {
    auto values = getPartialShapeValues(shape);
    if (!values)
      return std::nullopt;
    SmallVector<int64_t> dims;
    for (std::optional<int64_t> v : *values)
      dims.push_back(v && *v >= 0 ? *v : ShapedType::kDynamic);
    return dims;
  };
  if (auto fill = dyn_cast<FillOp>(op)) {
    auto dims = fromValues(fill.getShape());
    if (!dims || static_cast<int64_t>(dims->size()) != out.getRank())
      return failure();
    types.push_back(mergeTypes(out, *dims));
    return types;
  }
  if (auto expand = dyn_cast<ExpandOp>(op)) {
    ArrayRef<int64_t> in = expand.getInput().getType().getShape();
    SmallVector<int64_t> target(out.getShape());
    if (expand.getShape()) {
      auto dims = fromValues(expand.getShape());
      if (!dims)
        return failure();
      target = *dims;
    }
    // A dim of 1 on one side takes the other; otherwise they agree.
    SmallVector<int64_t> dims(out.getRank(), ShapedType::kDynamic);
    int64_t lt = out.getRank() - target.size(), li = out.getRank() - in.size();
    for (int64_t i = 0; i < out.getRank(); ++i) {
      int64_t t = i >= lt ? target[i - lt] : 1;
      int64_t s = i >= li ? in[i - li] : 1;
      if (t == 1)
        dims[i] = s;
      else if (s == 1 || !ShapedType::isDynamic(t))
        dims[i] = t;
    }
    types.push_back(mergeTypes(out, dims));
    return types;
  }
  if (auto range = dyn_cast<RangeOp>(op)) {
    auto s = getScalarValue(range.getStart());
    auto l = getScalarValue(range.getLimit());
    auto d = getScalarValue(range.getDelta());
    if (!s || !l || !d || *d == 0)
      return failure();
    int64_t n = std::max<int64_t>(
        static_cast<int64_t>(std::ceil((*l - *s) / *d)), 0);
    types.push_back(RankedTensorType::get({n}, out.getElementType()));
    return types;
  }
  if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    RankedTensorType in = reshape.getInput().getType();
    if (reshape.getShape() || !in.hasStaticShape() ||
        out.getNumDynamicDims() != 1)
      return failure();
    int64_t known = 1;
    for (int64_t d : out.getShape())
      if (!ShapedType::isDynamic(d))
        known *= d;
    if (known == 0)
      return failure();
    SmallVector<int64_t> dims(out.getShape());
    for (int64_t &d : dims)
      if (ShapedType::isDynamic(d))
        d = in.getNumElements() / known;
    types.push_back(RankedTensorType::get(dims, out.getElementType()));
    return types;
  }
  return failure();
}

/// Gives a mica op its most static result types. Users outside the mica
/// dialect (other than func.return, handled by the pass) see a
/// `tensor.cast` back to the old type.
///   %0 = mica.relu %x : tensor<1x128xf32> -> tensor<?x?xf32>
///   -> %0 = mica.relu %x : tensor<1x128xf32>
struct RefineResultTypes : RewritePattern {
  RefineResultTypes(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<MicaDialect>(op->getDialect()))
      return rewriter.notifyMatchFailure(op, "not a mica op");
    FailureOr<SmallVector<Type>> types = refinedResultTypes(op);
    if (failed(types) || types->size() != op->getNumResults())
      return rewriter.notifyMatchFailure(op, "no inferable result types");
    bool changed = false;
    for (auto [res, t] : llvm::zip(op->getResults(), *types))
      changed |= isStrictlyMoreRefined(t, res.getType());
    if (!changed)
      return rewriter.notifyMatchFailure(op, "result types already refined");
    rewriter.setInsertionPointAfter(op);
    for (auto [res, t] : llvm::zip(op->getResults(), *types)) {
      if (!isStrictlyMoreRefined(t, res.getType()))
        continue;
      Type old = res.getType();
      Value result = res;
      Type refined = t;
      rewriter.modifyOpInPlace(op, [&] { result.setType(refined); });
      for (OpOperand &use : llvm::make_early_inc_range(res.getUses())) {
        Operation *user = use.getOwner();
        if (isa<MicaDialect>(user->getDialect()) || isa<func::ReturnOp>(user))
          continue;
        auto cast = tensor::CastOp::create(rewriter, op->getLoc(), old, res);
        rewriter.modifyOpInPlace(user, [&] { use.set(cast); });
      }
    }
    return success();
  }
};

/// A mica op reading `tensor.cast` of a more static value reads the value
/// itself.
///   %c = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
///   mica.exp %c -> mica.exp %x
struct BypassLosingCasts : OpRewritePattern<tensor::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::CastOp cast,
                                PatternRewriter &rewriter) const override {
    if (!isStrictlyMoreRefined(cast.getSource().getType(), cast.getType()))
      return rewriter.notifyMatchFailure(cast, "cast does not lose info");
    bool changed = false;
    for (OpOperand &use : llvm::make_early_inc_range(cast->getUses())) {
      Operation *user = use.getOwner();
      if (!isa<MicaDialect>(user->getDialect()) && !isa<func::ReturnOp>(user))
        continue;
      rewriter.modifyOpInPlace(user, [&] { use.set(cast.getSource()); });
      changed = true;
    }
    return success(changed);
  }
};

/// Sets function result types to the types returned.
void updateSignature(func::FuncOp func) {
  auto ret = dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
  if (!ret)
    return;
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().getArgumentTypes(),
                                 ret.getOperandTypes()));
}

/// Parses "index:AxBxC" ("?" for a dynamic dim).
FailureOr<std::pair<unsigned, SmallVector<int64_t>>>
parseArgShape(StringRef spec) {
  auto [idx, dims] = spec.split(':');
  unsigned index;
  if (idx.trim().getAsInteger(10, index) || dims.empty())
    return failure();
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p == "?")
      d = ShapedType::kDynamic;
    else if (p.trim().getAsInteger(10, d) || d < 0)
      return failure();
    shape.push_back(d);
  }
  return std::make_pair(index, shape);
}

struct MicaRefineShapesPass
    : mica::impl::MicaRefineShapesBase<MicaRefineShapesPass> {
  using MicaRefineShapesBase::MicaRefineShapesBase;

  void runOnOperation() override {
    SmallVector<std::pair<unsigned, SmallVector<int64_t>>> shapes;
    for (const std::string &spec : argShapes) {
      auto parsed = parseArgShape(spec);
      if (failed(parsed)) {
        getOperation().emitError("mica-refine-shapes: cannot parse arg-shapes "
                                 "entry '")
            << spec << "' (expected index:AxBxC, e.g. 0:1x128)";
        return signalPassFailure();
      }
      shapes.push_back(*parsed);
    }
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      bool pinned = entry.empty() ? func.isPublic() : func.getName() == entry;
      if (failed(refineFunctionShapes(
              func, pinned ? ArrayRef(shapes)
                           : ArrayRef<std::pair<unsigned, SmallVector<int64_t>>>())))
        return signalPassFailure();
    }
  }
};

} // namespace

void mica::populateRefineShapesPatterns(RewritePatternSet &patterns) {
  patterns.add<RefineResultTypes, BypassLosingCasts>(patterns.getContext());
}

LogicalResult mica::refineFunctionShapes(
    Operation *op,
    ArrayRef<std::pair<unsigned, SmallVector<int64_t>>> shapes) {
  auto func = cast<func::FuncOp>(op);
  Block &entry = func.getBody().front();
  for (const auto &[index, shape] : shapes) {
    if (index >= entry.getNumArguments())
      continue;
    BlockArgument arg = entry.getArgument(index);
    auto old = dyn_cast<RankedTensorType>(arg.getType());
    auto pinned = old ? RankedTensorType::get(shape, old.getElementType())
                      : RankedTensorType();
    if (!old || (pinned != old && !isStrictlyMoreRefined(pinned, old)))
      return func.emitError("mica-refine-shapes: shape for argument ")
             << index << " contradicts its type " << arg.getType();
    arg.setType(pinned);
  }
  func.setType(FunctionType::get(func.getContext(), entry.getArgumentTypes(),
                                 func.getResultTypes()));
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  populateRefineShapesPatterns(patterns);
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    if (name.getDialectNamespace() == MicaDialect::getDialectNamespace())
      name.getCanonicalizationPatterns(patterns, ctx);
  tensor::CastOp::getCanonicalizationPatterns(patterns, ctx);
  GreedyRewriteConfig config;
  // Shapes flow forward: visit producers before consumers.
  config.setUseTopDownTraversal(true);
  config.setMaxIterations(64);
  if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
    return func.emitError("mica-refine-shapes: shape propagation did not "
                          "converge");
  updateSignature(func);
  return success();
}
