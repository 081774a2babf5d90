//===- Evaluator.cpp - Reference evaluator driver -------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Walks a function op by op, hands each op to its family evaluator and
/// checks every produced tensor against the op's result type, so that a
/// run-time shape that contradicts the IR is reported where it appears.
///
//===----------------------------------------------------------------------===//

#include "mica/Reference/Evaluator.h"

#include "EvalUtils.h"

#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mica;
using namespace mica::reference;
using namespace mica::reference::detail;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

ElementType mica::reference::detail::getResultElementType(Operation *op, unsigned i) {
  return *reference::fromMLIRType(
      cast<RankedTensorType>(op->getResult(i).getType()).getElementType());
}

std::string mica::reference::detail::formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? ", " : "") + std::to_string(d);
  return s + "]";
}

SmallVector<int64_t> mica::reference::detail::getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

int64_t mica::reference::detail::getNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::optional<SmallVector<int64_t>>
mica::reference::detail::broadcastConcrete(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

SmallVector<int64_t> mica::reference::detail::getBroadcastStrides(ArrayRef<int64_t> in,
                                                 ArrayRef<int64_t> out) {
  SmallVector<int64_t> inStrides = getStrides(in);
  SmallVector<int64_t> strides(out.size(), 0);
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    strides[lead + i] = in[i] == 1 ? 0 : inStrides[i];
  return strides;
}

void mica::reference::detail::forEachIndex(ArrayRef<int64_t> shape,
                          function_ref<void(ArrayRef<int64_t>)> fn) {
  if (getNumElements(shape) == 0)
    return;
  SmallVector<int64_t> index(shape.size(), 0);
  while (true) {
    fn(index);
    int64_t d = static_cast<int64_t>(shape.size()) - 1;
    for (; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

int64_t mica::reference::detail::offsetOf(ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
  int64_t off = 0;
  for (auto [i, s] : llvm::zip(index, strides))
    off += i * s;
  return off;
}

void mica::reference::detail::copyElement(const HostTensor &src, int64_t si, HostTensor &dst,
                         int64_t di) {
  int64_t size = getElementSize(src.getElementType());
  std::memcpy(dst.getMutableBytes().data() + di * size,
              src.getBytes().data() + si * size, size);
}

FailureOr<int64_t> mica::reference::detail::getAxis(Operation *op, int64_t axis, int64_t rank) {
  std::optional<int64_t> n = normalizeAxis(axis, rank);
  if (!n)
    return fail(op) << "axis " << axis << " is out of range for rank "
                    << rank;
  return *n;
}

void mica::reference::detail::layerNormRow(double *x, int64_t n, double epsilon,
                          const double *scale, const double *bias) {
  double mean = 0;
  for (int64_t i = 0; i < n; ++i)
    mean += x[i];
  mean /= n;
  double var = 0;
  for (int64_t i = 0; i < n; ++i)
    var += (x[i] - mean) * (x[i] - mean);
  var /= n;
  double inv = 1.0 / std::sqrt(var + epsilon);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = (x[i] - mean) * inv;
    if (scale)
      x[i] *= scale[i];
    if (bias)
      x[i] += bias[i];
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// The element type and shape a value of `type` has on the host: a ranked
/// tensor, or a scalar integer/float as a rank-0 tensor.
static std::optional<std::pair<Type, ArrayRef<int64_t>>>
getHostShape(Type type) {
  if (auto ranked = dyn_cast<RankedTensorType>(type))
    return std::make_pair(ranked.getElementType(), ranked.getShape());
  if (type.isIntOrFloat())
    return std::make_pair(type, ArrayRef<int64_t>{});
  return std::nullopt;
}

/// Checks that `t` may be a value of `type`: same element type and rank,
/// equal static dims.
static bool matchesType(const HostTensor &t, Type type) {
  auto hostShape = getHostShape(type);
  if (!hostShape ||
      reference::fromMLIRType(hostShape->first) != t.getElementType() ||
      static_cast<int64_t>(hostShape->second.size()) != t.getRank())
    return false;
  for (auto [d, a] : llvm::zip(hostShape->second, t.getShape()))
    if (!ShapedType::isDynamic(d) && d != a)
      return false;
  return true;
}

/// Evaluates the ops the driver handles itself (constants, casts, element
/// extraction).
static OpOutcome evaluateBuiltinOp(Operation *op, const Env &env) {
  auto fromAttr = [&](ElementsAttr attr) -> OpOutcome {
    llvm::Expected<HostTensor> t = HostTensor::fromElementsAttr(attr);
    if (!t)
      return FailureOr<Results>(fail(op) << llvm::toString(t.takeError()));
    return FailureOr<Results>(Results{std::move(*t)});
  };
  return llvm::TypeSwitch<Operation *, OpOutcome>(op)
      .Case([&](mica::ConstantOp c) { return fromAttr(c.getValue()); })
      .Case([&](arith::ConstantOp c) -> OpOutcome {
        auto attr = dyn_cast<ElementsAttr>(c.getValue());
        if (!attr)
          return FailureOr<Results>(fail(op) << "only tensor constants are "
                                                "supported");
        return fromAttr(attr);
      })
      .Case([&](tensor::CastOp c) -> OpOutcome {
        return FailureOr<Results>(Results{env.get(c.getSource())});
      })
      .Case([&](tensor::ExtractOp e) -> OpOutcome {
        const HostTensor &src = env.get(e.getTensor());
        if (!e.getIndices().empty())
          return FailureOr<Results>(fail(op) << "only extraction from "
                                                "rank-0 tensors is supported");
        HostTensor scalar(src.getElementType(), {});
        copyElement(src, 0, scalar, 0);
        return FailureOr<Results>(Results{std::move(scalar)});
      })
      .Default([](Operation *) -> OpOutcome { return std::nullopt; });
}

/// Checks that every operand and result of `op` is a ranked tensor (or a
/// scalar) of a supported element type.
static LogicalResult checkTypes(Operation *op) {
  for (Type t : llvm::concat<const Type>(op->getOperandTypes(),
                                          op->getResultTypes())) {
    auto hostShape = getHostShape(t);
    if (!hostShape || !reference::fromMLIRType(hostShape->first))
      return op->emitError("reference evaluator: unsupported type ")
             << t << " (expected a ranked tensor of f32, f16, bf16, i1, i8, "
                     "i32 or i64)";
  }
  return success();
}

/// Evaluates one op without regions through the family evaluators.
static FailureOr<Results> evaluateOp(Operation *op, const Env &env) {
  if (failed(checkTypes(op)))
    return failure();
  using Family = OpOutcome (*)(Operation *, const Env &);
  static const Family families[] = {
      evaluateBuiltinOp,     evaluateElementwiseOp, evaluateStructureOp,
      evaluateIndexingOp,    evaluateContractionOp, evaluateReductionOp,
      evaluateFusedOp,       evaluateRecurrentOp};
  for (Family family : families)
    if (OpOutcome outcome = family(op, env))
      return std::move(*outcome);
  return op->emitError("reference evaluator: unsupported op '")
         << op->getName() << "'";
}

/// Binds the values `tensors` to the arguments of `block`, checking types.
static LogicalResult bindArguments(Operation *owner, Block &block,
                                   ArrayRef<HostTensor> tensors, Env &env) {
  if (tensors.size() != block.getNumArguments())
    return owner->emitError("reference evaluator: region takes ")
           << block.getNumArguments() << " arguments but " << tensors.size()
           << " values were passed";
  for (auto [i, arg, t] : llvm::enumerate(block.getArguments(), tensors)) {
    if (!matchesType(t, arg.getType()))
      return owner->emitError("reference evaluator: value ")
             << i << " is " << t.getTypeString() << " but region argument "
             << i << " has type " << arg.getType();
    env.set(arg, t);
  }
  return success();
}

static SmallVector<HostTensor> lookup(ValueRange values, const Env &env) {
  SmallVector<HostTensor> tensors;
  for (Value v : values)
    tensors.push_back(env.get(v));
  return tensors;
}

static FailureOr<Operation *> evaluateBlock(Block &block, Env &env);

/// Upper bound on the trip count of an scf.while: a loop that runs longer is
/// reported instead of hanging the evaluator.
static constexpr int64_t kMaxWhileIterations = 1 << 24;

/// Evaluates an scf.while by running its regions until the condition is
/// false.
static FailureOr<Results> evaluateWhile(scf::WhileOp op, Env &env) {
  SmallVector<HostTensor> carried = lookup(op.getInits(), env);
  for (int64_t iteration = 0;; ++iteration) {
    if (iteration == kMaxWhileIterations)
      return op.emitError("reference evaluator: loop did not terminate after ")
             << kMaxWhileIterations << " iterations";
    Block &before = op.getBefore().front();
    if (failed(bindArguments(op, before, carried, env)))
      return failure();
    FailureOr<Operation *> cond = evaluateBlock(before, env);
    if (failed(cond))
      return failure();
    auto condition = cast<scf::ConditionOp>(*cond);
    SmallVector<HostTensor> forwarded = lookup(condition.getArgs(), env);
    if (env.get(condition.getCondition()).getInt(0) == 0)
      return Results(forwarded.begin(), forwarded.end());
    Block &after = op.getAfter().front();
    if (failed(bindArguments(op, after, forwarded, env)))
      return failure();
    FailureOr<Operation *> yield = evaluateBlock(after, env);
    if (failed(yield))
      return failure();
    carried = lookup((*yield)->getOperands(), env);
  }
}

/// Evaluates an scf.if by running the taken branch.
static FailureOr<Results> evaluateIf(scf::IfOp op, Env &env) {
  bool taken = env.get(op.getCondition()).getInt(0) != 0;
  Region &region = taken ? op.getThenRegion() : op.getElseRegion();
  if (region.empty())
    return Results{};
  FailureOr<Operation *> yield = evaluateBlock(region.front(), env);
  if (failed(yield))
    return failure();
  SmallVector<HostTensor> results = lookup((*yield)->getOperands(), env);
  return Results(results.begin(), results.end());
}

/// Evaluates the ops of `block` in order and returns its terminator, whose
/// operands are then bound in `env`.
static FailureOr<Operation *> evaluateBlock(Block &block, Env &env) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>())
      return &op;
    FailureOr<Results> results =
        llvm::TypeSwitch<Operation *, FailureOr<Results>>(&op)
            .Case([&](scf::WhileOp w) { return evaluateWhile(w, env); })
            .Case([&](scf::IfOp i) { return evaluateIf(i, env); })
            .Default([&](Operation *other) -> FailureOr<Results> {
              if (other->getNumRegions() != 0)
                return other->emitError("reference evaluator: ops with "
                                        "regions are not supported: '")
                       << other->getName() << "'";
              return evaluateOp(other, env);
            });
    if (failed(results))
      return failure();
    if (results->size() != op.getNumResults())
      return op.emitError("reference evaluator: produced ")
             << results->size() << " results, expected "
             << op.getNumResults();
    for (auto [i, result, t] : llvm::enumerate(op.getResults(), *results)) {
      if (!matchesType(t, result.getType()))
        return op.emitError("reference evaluator: result ")
               << i << " is " << t.getTypeString()
               << " at run time, which contradicts its type "
               << result.getType();
      env.set(result, std::move(t));
    }
  }
  return block.getParentOp()->emitError(
      "reference evaluator: block has no terminator");
}

FailureOr<SmallVector<HostTensor>>
reference::evaluate(func::FuncOp func, ArrayRef<HostTensor> inputs) {
  if (func.isExternal())
    return func.emitError("reference evaluator: function '")
           << func.getSymName() << "' has no body";
  if (!func.getBody().hasOneBlock())
    return func.emitError("reference evaluator: only single-block functions "
                          "are supported");
  Block &block = func.getBody().front();
  if (inputs.size() != block.getNumArguments())
    return func.emitError("reference evaluator: '")
           << func.getSymName() << "' takes " << block.getNumArguments()
           << " arguments but " << inputs.size() << " inputs were given";

  Env env;
  for (auto [i, arg, input] : llvm::enumerate(block.getArguments(), inputs)) {
    if (!matchesType(input, arg.getType()))
      return func.emitError("reference evaluator: input ")
             << i << " is " << input.getTypeString() << " but argument " << i
             << " has type " << arg.getType();
    env.set(arg, input);
  }
  FailureOr<Operation *> terminator = evaluateBlock(block, env);
  if (failed(terminator))
    return failure();
  if (!isa<func::ReturnOp>(*terminator))
    return func.emitError("reference evaluator: function has no func.return");
  return lookup((*terminator)->getOperands(), env);
}
