//===- ControlFlow.cpp - TF1 while loops and TensorArrays -----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// TF1 while loops (tf.while_loop, tf.nn.dynamic_rnn) are frames of nodes
/// between Enter and Exit nodes:
///
///   init -> Enter -> Merge -> Switch(pred = LoopCond(cond(Merge)))
///              ^                 |:1 -> body -> NextIteration -> Merge
///                                |:0 -> Exit
///
/// Each frame becomes one `scf.while`: the Merges are the loop-carried
/// values, the nodes feeding LoopCond form the `before` region, those
/// between Switch:1 and NextIteration the `after` region, the Exits its
/// results. Loop-invariant Enters read the outer values directly.
///
/// TensorArrayV3 handles are not values: each array's "flow" tensor is
/// represented by the array's whole contents, a tensor `[size, element...]`
/// (zeros at creation), so reads are gathers, writes and scatters are
/// `mica.scatter_nd`, and the flow that TF threads through the loop carries
/// the contents.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

//===----------------------------------------------------------------------===//
// While loops
//===----------------------------------------------------------------------===//

namespace {
/// Imports one frame.
class LoopImporter {
public:
  LoopImporter(ImportState &state, const LoopFrame &frame,
               const llvm::StringMap<const tf::NodeDef *> &nodes,
               OpBuilder &builder)
      : state(state), frame(frame), nodes(nodes), builder(builder) {}

  LogicalResult run();

private:
  /// Emits "while-loop frame 'F' cannot be imported: <why>" at `node`.
  InFlightDiagnostic blocked(const tf::NodeDef *node) {
    return emitError(state.nodeLoc(*node))
           << "while-loop frame '" << frame.name
           << "' cannot be imported: node '" << node->name() << "' ("
           << node->op() << ") ";
  }
  /// The member node producing data input `input`, or null.
  const tf::NodeDef *member(StringRef input) const {
    TensorRef ref = parseTensorRef(input);
    if (ref.control)
      return nullptr;
    const tf::NodeDef *node = nodes.lookup(ref.node);
    return node && members.contains(node) ? node : nullptr;
  }
  /// Converts, in frame order, the members that `roots` need, stopping at
  /// nodes of op types in `stops` (already bound).
  LogicalResult emitRegion(ArrayRef<const tf::NodeDef *> roots,
                           ArrayRef<StringRef> stops);

  ImportState &state;
  const LoopFrame &frame;
  const llvm::StringMap<const tf::NodeDef *> &nodes;
  OpBuilder &builder;
  llvm::DenseSet<const tf::NodeDef *> members;
};
} // namespace

LogicalResult LoopImporter::emitRegion(ArrayRef<const tf::NodeDef *> roots,
                                       ArrayRef<StringRef> stops) {
  llvm::DenseSet<const tf::NodeDef *> need;
  SmallVector<const tf::NodeDef *> work(roots.begin(), roots.end());
  while (!work.empty()) {
    const tf::NodeDef *node = work.pop_back_val();
    if (llvm::is_contained(stops, node->op()) || !need.insert(node).second)
      continue;
    for (const std::string &in : node->input())
      if (const tf::NodeDef *src = member(in))
        work.push_back(src);
  }
  for (const tf::NodeDef *node : frame.nodes) {
    if (!need.contains(node))
      continue;
    if (isStructuralOp(node->op()) && node->op() != "Const" &&
        node->op() != "NoOp")
      return blocked(node) << "is not where a while loop expects it (e.g. a "
                              "body value that bypasses Switch, or a nested "
                              "loop)";
    if (failed(convertNode(state, *node, builder))) {
      blocked(node) << "failed to convert";
      return failure();
    }
  }
  return success();
}

LogicalResult LoopImporter::run() {
  members.insert(frame.nodes.begin(), frame.nodes.end());
  SmallVector<const tf::NodeDef *> merges, switches(0), exits, enters;
  const tf::NodeDef *loopCond = nullptr;
  for (const tf::NodeDef *node : frame.nodes) {
    StringRef op = node->op();
    if (op == "Merge")
      merges.push_back(node);
    else if (op == "Exit")
      exits.push_back(node);
    else if (op == "Enter")
      enters.push_back(node);
    else if (op == "LoopCond") {
      if (loopCond)
        return blocked(node) << "is a second LoopCond of the frame";
      loopCond = node;
    }
  }
  if (!loopCond)
    return blocked(frame.nodes.front()) << "is in a frame without LoopCond";
  if (merges.empty())
    return blocked(loopCond) << "has no loop variables (Merge nodes)";

  // Loop variables: Merge(Enter(init), NextIteration(next)).
  SmallVector<const tf::NodeDef *> inits, nexts;
  SmallVector<Value> initValues;
  for (const tf::NodeDef *merge : merges) {
    const tf::NodeDef *enter = nullptr, *next = nullptr;
    for (const std::string &in : merge->input()) {
      TensorRef ref = parseTensorRef(in);
      const tf::NodeDef *src = nodes.lookup(ref.node);
      if (ref.control || !src)
        continue;
      if (src->op() == "Enter")
        enter = src;
      else if (src->op() == "NextIteration")
        next = src;
    }
    if (!enter || !next || merge->input_size() != 2)
      return blocked(merge) << "must merge one Enter and one NextIteration";
    if (next->input_size() < 1)
      return blocked(next) << "has no input";
    NodeContext ctx(state, *enter, builder);
    TFValue init = ctx.lookup(0);
    if (!init.value)
      return blocked(enter) << "enters '" << enter->input(0)
                            << "', which is not a tensor (a TensorArray "
                               "handle or random value cannot be a loop "
                               "variable)";
    inits.push_back(enter);
    nexts.push_back(next);
    initValues.push_back(init.value);
  }

  // Switch per loop variable and Exits.
  llvm::DenseMap<const tf::NodeDef *, unsigned> mergeIndex;
  for (auto [i, m] : llvm::enumerate(merges))
    mergeIndex[m] = i;
  SmallVector<const tf::NodeDef *> switchOf(merges.size(), nullptr);
  for (const tf::NodeDef *node : frame.nodes) {
    if (node->op() != "Switch")
      continue;
    const tf::NodeDef *src =
        node->input_size() ? nodes.lookup(parseTensorRef(node->input(0)).node)
                           : nullptr;
    if (!src || !mergeIndex.count(src))
      return blocked(node) << "does not switch a loop variable (Merge)";
    switchOf[mergeIndex[src]] = node;
  }
  llvm::DenseMap<const tf::NodeDef *, unsigned> switchIndex;
  for (auto [i, s] : llvm::enumerate(switchOf)) {
    if (!s)
      return blocked(merges[i]) << "has no Switch";
    switchIndex[s] = i;
  }

  // Enters of invariants read the outer values: bind them in a loop scope.
  ValueScope *outer = state.scope;
  ValueScope loopScope(outer);
  for (const tf::NodeDef *enter : enters) {
    NodeContext ctx(state, *enter, builder);
    loopScope.bind(tensorKey(enter->name(), 0), ctx.lookup(0));
  }

  SmallVector<Type> types = llvm::to_vector(ValueRange(initValues).getTypes());
  SmallVector<Location> locs(types.size(), state.nodeLoc(*loopCond));
  Location whileLoc = FusedLoc::get(
      state.ctx,
      {NameLoc::get(StringAttr::get(state.ctx, frame.name), state.fileLoc())},
      StringAttr::get(state.ctx, "while"));
  auto whileOp = scf::WhileOp::create(builder, whileLoc, types, initValues);
  OpBuilder::InsertionGuard guard(builder);

  // before: the condition.
  {
    Block *block = builder.createBlock(&whileOp.getBefore(), {}, types, locs);
    ValueScope scope(&loopScope);
    state.scope = &scope;
    for (auto [i, merge] : llvm::enumerate(merges)) {
      TFValue v;
      v.value = block->getArgument(i);
      scope.bind(tensorKey(merge->name(), 0), v);
    }
    const tf::NodeDef *condSrc =
        loopCond->input_size() ? member(loopCond->input(0)) : nullptr;
    LogicalResult ok =
        condSrc ? emitRegion({condSrc}, {"Merge", "Enter"}) : success();
    NodeContext ctx(state, *loopCond, builder);
    FailureOr<Value> cond = failure();
    if (succeeded(ok))
      cond = ctx.input(0);
    state.scope = outer;
    if (failed(cond))
      return failure();
    auto condType = cast<RankedTensorType>(cond->getType());
    if (!condType.getElementType().isInteger(1) ||
        condType.getNumElements() != 1)
      return blocked(loopCond) << "takes " << condType
                               << ", expected a boolean scalar";
    Value scalar = *cond;
    if (condType.getRank() != 0) {
      FailureOr<Value> r = ctx.reshape(*cond, {});
      if (failed(r))
        return failure();
      scalar = *r;
    }
    Value flag = tensor::ExtractOp::create(builder, ctx.loc, scalar,
                                           ValueRange{});
    scf::ConditionOp::create(builder, ctx.loc, flag, block->getArguments());
  }

  // after: the body.
  {
    Block *block = builder.createBlock(&whileOp.getAfter(), {}, types, locs);
    ValueScope scope(&loopScope);
    state.scope = &scope;
    for (auto [i, sw] : llvm::enumerate(switchOf)) {
      TFValue v;
      v.value = block->getArgument(i);
      scope.bind(tensorKey(sw->name(), 1), v);
    }
    SmallVector<const tf::NodeDef *> roots;
    for (const tf::NodeDef *next : nexts)
      if (const tf::NodeDef *src = member(next->input(0)))
        roots.push_back(src);
    LogicalResult ok = emitRegion(roots, {"Switch", "Enter"});
    SmallVector<Value> yields;
    for (auto [i, next] : llvm::enumerate(nexts)) {
      if (failed(ok))
        break;
      NodeContext ctx(state, *next, builder);
      FailureOr<Value> v = ctx.input(0);
      if (failed(v)) {
        ok = failure();
        break;
      }
      Value y = *v;
      if (y.getType() != types[i]) {
        if (!areCompatibleTensorTypes(y.getType(), types[i])) {
          blocked(next) << "changes loop variable '" << merges[i]->name()
                        << "' from " << types[i] << " to " << y.getType();
          ok = failure();
          break;
        }
        y = tensor::CastOp::create(builder, ctx.loc, types[i], y);
      }
      yields.push_back(y);
    }
    state.scope = outer;
    if (failed(ok))
      return failure();
    scf::YieldOp::create(builder, state.nodeLoc(*nexts.front()), yields);
  }

  // Exits read the loop results.
  for (const tf::NodeDef *exit : exits) {
    const tf::NodeDef *sw =
        exit->input_size() ? nodes.lookup(parseTensorRef(exit->input(0)).node)
                           : nullptr;
    if (!sw || !switchIndex.count(sw))
      return blocked(exit) << "does not leave through a Switch of the frame";
    TFValue v;
    v.value = whileOp.getResult(switchIndex[sw]);
    outer->bind(tensorKey(exit->name(), 0), v);
  }
  return success();
}

LogicalResult
tf_import::importWhileLoop(ImportState &state, const LoopFrame &frame,
                           const llvm::StringMap<const tf::NodeDef *> &nodes,
                           OpBuilder &builder) {
  return LoopImporter(state, frame, nodes, builder).run();
}

//===----------------------------------------------------------------------===//
// TensorArrays
//===----------------------------------------------------------------------===//

/// TensorArrayV3(size): output 0 the handle, output 1 the flow (zeros of
/// `[size, element_shape...]`).
static LogicalResult convertTensorArray(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> size = ctx.requireConstInts(0, "size");
  FailureOr<Type> elt = ctx.attrElementType("dtype");
  if (failed(size) || failed(elt))
    return failure();
  if (ctx.attrBool("dynamic_size", false))
    return ctx.emitError() << "dynamic_size TensorArrays are not supported";
  const tf::AttrValue *shapeAttr = ctx.findAttr("element_shape");
  std::optional<SmallVector<int64_t>> shape =
      shapeAttr ? convertShape(shapeAttr->shape()) : std::nullopt;
  if (!shape || llvm::any_of(*shape, ShapedType::isDynamic))
    return ctx.emitError() << "the TensorArray needs a static element_shape";
  SmallVector<int64_t> bufferShape = {(*size)[0]};
  bufferShape.append(shape->begin(), shape->end());
  TensorArrayInfo info;
  info.node = &ctx.node;
  info.size = (*size)[0];
  info.bufferType = RankedTensorType::get(bufferShape, *elt);
  ctx.state.tensorArrays.push_back(info);
  TFValue handle;
  handle.tensorArray = ctx.state.tensorArrays.size() - 1;
  ctx.setBinding(0, handle);
  ctx.setResult(1, ctx.scalarConstant(*elt, 0, bufferShape));
  return success();
}

/// True when `indices` are the constants 0, 1, ..., n-1.
static bool isIota(std::optional<SmallVector<int64_t>> indices, int64_t n) {
  if (!indices || int64_t(indices->size()) != n)
    return false;
  for (auto [i, v] : llvm::enumerate(*indices))
    if (v != int64_t(i))
      return false;
  return true;
}

/// Writes `values` `[n, element...]` at rows `indices` `[n]` of `buffer`.
static FailureOr<Value> scatterRows(NodeContext &ctx, Value buffer,
                                    Value indices, Value values) {
  int64_t n = cast<RankedTensorType>(indices.getType()).getNumElements();
  FailureOr<Value> idx = ctx.reshape(indices, {n, 1});
  if (failed(idx))
    return failure();
  return ctx.createValue<ScatterNDOp>(
      buffer, *idx, values,
      ScatterReductionAttr::get(ctx.getContext(), ScatterReduction::none));
}

/// TensorArrayScatterV3(handle, indices, value, flow_in).
static LogicalResult convertTensorArrayScatter(NodeContext &ctx) {
  FailureOr<TensorArrayInfo *> ta = ctx.tensorArray(0);
  SmallVector<Value> in;
  if (failed(ta) || failed(ctx.input(1)) || failed(ctx.input(2)) ||
      failed(ctx.input(3)))
    return failure();
  Value indices = *ctx.input(1), value = *ctx.input(2), flow = *ctx.input(3);
  if (isIota(ctx.constInts(1), (*ta)->size) &&
      areCompatibleTensorTypes(value.getType(), flow.getType())) {
    ctx.setResult(0, value);
    return success();
  }
  FailureOr<Value> v = scatterRows(ctx, flow, indices, value);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// TensorArrayReadV3(handle, index, flow_in): row `index` of the contents.
static LogicalResult convertTensorArrayRead(NodeContext &ctx) {
  FailureOr<TensorArrayInfo *> ta = ctx.tensorArray(0);
  FailureOr<Value> index = ctx.input(1);
  FailureOr<Value> flow = ctx.input(2);
  if (failed(ta) || failed(index) || failed(flow))
    return failure();
  FailureOr<Value> v = ctx.createValue<GatherOp>(
      *flow, *index, ctx.builder.getI64IntegerAttr(0));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// TensorArrayWriteV3(handle, index, value, flow_in).
static LogicalResult convertTensorArrayWrite(NodeContext &ctx) {
  FailureOr<TensorArrayInfo *> ta = ctx.tensorArray(0);
  FailureOr<Value> index = ctx.input(1);
  FailureOr<Value> value = ctx.input(2);
  FailureOr<Value> flow = ctx.input(3);
  if (failed(ta) || failed(index) || failed(value) || failed(flow))
    return failure();
  SmallVector<int64_t> rowShape = {1};
  auto valueType = cast<RankedTensorType>(value->getType());
  rowShape.append(valueType.getShape().begin(), valueType.getShape().end());
  FailureOr<Value> row = ctx.reshape(*value, rowShape);
  if (failed(row))
    return failure();
  FailureOr<Value> v = scatterRows(ctx, *flow, *index, *row);
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// TensorArrayGatherV3(handle, indices, flow_in): rows `indices`.
static LogicalResult convertTensorArrayGather(NodeContext &ctx) {
  FailureOr<TensorArrayInfo *> ta = ctx.tensorArray(0);
  FailureOr<Value> indices = ctx.input(1);
  FailureOr<Value> flow = ctx.input(2);
  if (failed(ta) || failed(indices) || failed(flow))
    return failure();
  if (isIota(ctx.constInts(1), (*ta)->size)) {
    ctx.setResult(0, *flow);
    return success();
  }
  FailureOr<Value> v = ctx.createValue<GatherOp>(
      *flow, *indices, ctx.builder.getI64IntegerAttr(0));
  if (failed(v))
    return failure();
  ctx.setResult(0, *v);
  return success();
}

/// TensorArraySizeV3(handle, flow_in): the static size.
static LogicalResult convertTensorArraySize(NodeContext &ctx) {
  FailureOr<TensorArrayInfo *> ta = ctx.tensorArray(0);
  if (failed(ta))
    return failure();
  ctx.setResult(0, ctx.scalarConstant(ctx.builder.getI32Type(), (*ta)->size));
  return success();
}

/// TensorArrayCloseV3: nothing to do.
static LogicalResult convertTensorArrayClose(NodeContext &ctx) {
  return success();
}

void tf_import::populateTensorArrayConverters(ConverterTable &t) {
  t["TensorArrayV3"] = convertTensorArray;
  t["TensorArrayScatterV3"] = convertTensorArrayScatter;
  t["TensorArrayReadV3"] = convertTensorArrayRead;
  t["TensorArrayWriteV3"] = convertTensorArrayWrite;
  t["TensorArrayGatherV3"] = convertTensorArrayGather;
  t["TensorArraySizeV3"] = convertTensorArraySize;
  t["TensorArrayCloseV3"] = convertTensorArrayClose;
}
