//===- TFToMica.cpp - TensorFlow GraphDef importer driver ------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The import pipeline: parse the GraphDef (binary or text), choose the
/// signature (inputs, outputs, constant feeds), prune to the nodes the
/// outputs need, report every unsupported op and dangling input, order the
/// nodes (while-loop frames as single units, cycles elsewhere are errors),
/// then build one `func.func` of mica ops.
///
//===----------------------------------------------------------------------===//

#include "mica/Conversion/TFToMica/TFToMica.h"

#include "Importer.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Iterators.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <climits>
#include <deque>

using namespace mlir;
using namespace mica;
using namespace mica::tf_import;

void mica::registerTFImportDialects(DialectRegistry &registry) {
  registry.insert<MicaDialect, func::FuncDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
}

bool mica::isTFGraphPath(StringRef path) {
  return path.ends_with(".pb") || path.ends_with(".pbtxt") ||
         path.ends_with(".pbtext");
}

std::string mica::describeTFLocation(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    auto opType = dyn_cast_or_null<StringAttr>(fused.getMetadata());
    if (opType && fused.getLocations().size() == 1)
      if (auto name = dyn_cast<NameLoc>(fused.getLocations()[0]))
        if (auto file = dyn_cast<FileLineColLoc>(name.getChildLoc()))
          return (file.getFilename().getValue() + ": node '" +
                  name.getName().getValue() + "' (" + opType.getValue() + ")")
              .str();
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    if (file.getLine() == 0)
      return file.getFilename().str();
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  }
  if (auto name = dyn_cast<NameLoc>(loc))
    return describeTFLocation(name.getChildLoc());
  return "";
}

//===----------------------------------------------------------------------===//
// Option parsing
//===----------------------------------------------------------------------===//

/// Parses "1x784", "?x128" or "scalar".
static std::optional<SmallVector<int64_t>> parseDims(StringRef dims) {
  SmallVector<int64_t> shape;
  if (dims == "scalar")
    return shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t d;
    if (part == "?" || part == "-1")
      shape.push_back(ShapedType::kDynamic);
    else if (!part.getAsInteger(10, d) && d >= 0)
      shape.push_back(d);
    else
      return std::nullopt;
  }
  return shape;
}

std::string mica::parseTFInputSpecs(StringRef spec,
                                    SmallVectorImpl<TFInputSpec> &inputs) {
  SmallVector<StringRef> entries;
  spec.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    entry = entry.trim();
    auto [name, dims] = entry.split('=');
    TFInputSpec input;
    input.name = name.str();
    if (name.empty())
      return ("invalid input '" + entry + "': expected name[:N][=DIMxDIM]")
          .str();
    if (entry.contains('=')) {
      input.shape = parseDims(dims);
      if (!input.shape)
        return ("invalid shape '" + dims + "' in input '" + entry +
                "': expected e.g. 1x784, ?x128 or scalar")
            .str();
    }
    inputs.push_back(std::move(input));
  }
  return "";
}

std::string mica::parseTFConstSpecs(StringRef spec,
                                    SmallVectorImpl<TFConstSpec> &consts) {
  // Split at commas outside brackets.
  SmallVector<StringRef> entries;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= spec.size(); ++i) {
    if (i == spec.size() || (spec[i] == ',' && depth == 0)) {
      if (i > start)
        entries.push_back(spec.slice(start, i));
      start = i + 1;
    } else if (spec[i] == '[') {
      ++depth;
    } else if (spec[i] == ']') {
      --depth;
    }
  }
  for (StringRef entry : entries) {
    entry = entry.trim();
    auto [name, text] = entry.split('=');
    if (name.empty() || text.empty())
      return ("invalid constant '" + entry +
              "': expected name[:N]=VALUE or name[:N]=[V,V,...]")
          .str();
    TFConstSpec c;
    c.name = name.str();
    text = text.trim();
    bool list = text.consume_front("[");
    if (list && !text.consume_back("]"))
      return ("invalid constant '" + entry + "': missing ']'").str();
    SmallVector<StringRef> values;
    text.split(values, ',', -1, /*KeepEmpty=*/false);
    for (StringRef v : values) {
      double d;
      v = v.trim();
      if (v == "true")
        d = 1;
      else if (v == "false")
        d = 0;
      else if (v.getAsDouble(d))
        return ("invalid value '" + v + "' in constant '" + entry + "'").str();
      c.values.push_back(d);
    }
    if (c.values.empty())
      return ("constant '" + entry + "' has no value").str();
    consts.push_back(std::move(c));
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Node conversion
//===----------------------------------------------------------------------===//

/// Type attributes whose dtype must be one mica supports.
static constexpr StringLiteral kTypeAttrs[] = {"T", "dtype", "DstT", "SrcT"};

LogicalResult tf_import::convertNode(ImportState &state,
                                     const tf::NodeDef &node,
                                     OpBuilder &builder) {
  NodeContext ctx(state, node, builder);
  StringRef op = node.op();
  for (StringRef name : kTypeAttrs) {
    const tf::AttrValue *a = ctx.findAttr(name);
    if (!a || a->value_case() != tf::AttrValue::kType ||
        a->type() == tf::DT_RESOURCE || convertDataType(state.ctx, a->type()))
      continue;
    return ctx.emitError() << "unsupported dtype " << dataTypeName(a->type())
                           << " (attribute '" << name
                           << "'); mica supports DT_FLOAT, DT_HALF, "
                              "DT_BFLOAT16, DT_BOOL, DT_INT8, DT_INT32 and "
                              "DT_INT64";
  }
  if (op == "Const") {
    const tf::AttrValue *value = ctx.findAttr("value");
    if (!value || !value->has_tensor())
      return ctx.emitError() << "Const has no 'value' tensor";
    const tf::AttrValue *dtype = ctx.findAttr("dtype");
    if (dtype && dtype->type() != value->tensor().dtype())
      return ctx.emitError()
             << "the 'dtype' attribute (" << dataTypeName(dtype->type())
             << ") differs from the value's dtype ("
             << dataTypeName(value->tensor().dtype()) << ")";
    FailureOr<ElementsAttr> attr =
        state.convertTensor(value->tensor(), node.name(), ctx.loc);
    if (failed(attr))
      return failure();
    ctx.setResult(0, ConstantOp::create(builder, ctx.loc, *attr));
    return success();
  }
  if (op == "PlaceholderWithDefault") {
    ctx.setBinding(0, ctx.lookup(0));
    return success();
  }
  if (op == "Placeholder")
    return ctx.emitError() << "placeholder '" << node.name()
                           << "' is needed by the outputs but is not fed: "
                              "name it in --inputs or --const";
  if (op == "NoOp")
    return success();
  if (isStructuralOp(op))
    return ctx.emitError() << "'" << op
                           << "' outside of a well-formed while-loop frame";
  auto it = getConverterTable().find(op);
  if (it == getConverterTable().end())
    return ctx.emitError() << "unsupported op: " << op;
  return it->second(ctx);
}

//===----------------------------------------------------------------------===//
// Graph import
//===----------------------------------------------------------------------===//

namespace {

/// Imports one parsed GraphDef.
class GraphImporter {
public:
  GraphImporter(const tf::GraphDef &graph, StringRef path, MLIRContext *ctx,
                const TFImportOptions &options)
      : graph(graph), options(options),
        state(ctx, path, options.maxDenseElements), scratch(ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  /// A tensor of the signature.
  struct Signature {
    std::string key;     ///< "node:N"
    std::string display; ///< "node" or "node:N"
    const tf::NodeDef *node = nullptr;
  };

  Location loc(const tf::NodeDef *node) const { return state.nodeLoc(*node); }
  FailureOr<Signature> resolve(StringRef name, StringRef flag);
  LogicalResult indexNodes();
  LogicalResult chooseSignature();
  LogicalResult prune();
  LogicalResult reportUnsupportedOps();
  LogicalResult sortNodes();
  LogicalResult assignFrames();
  LogicalResult sortUnits();
  FailureOr<RankedTensorType> feedType(const Signature &feed,
                                       std::optional<SmallVector<int64_t>>
                                           shape);
  /// The needed producer of data input `input`, or null when the input is
  /// fed (or is a control input).
  const tf::NodeDef *producer(StringRef input) const;

  const tf::GraphDef &graph;
  const TFImportOptions &options;
  ImportState state;
  /// A builder for node contexts that only read attributes.
  OpBuilder scratch;

  llvm::StringMap<const tf::NodeDef *> nodes;
  SmallVector<Signature> inputs, outputs, consts;
  SmallVector<const TFConstSpec *> constSpecs;
  SmallVector<std::optional<SmallVector<int64_t>>> inputShapes;
  llvm::StringSet<> fed;
  llvm::SetVector<const tf::NodeDef *> needed;
  /// Needed nodes in topological order (NextIteration -> Merge ignored).
  SmallVector<const tf::NodeDef *> order;
  /// Frame index of each needed node for ordering (Exit nodes belong to
  /// their frame), -1 outside loops.
  DenseMap<const tf::NodeDef *, int> unitFrame;
  SmallVector<LoopFrame> frames;
  /// Units in emission order: a node (frame -1) or a whole frame.
  SmallVector<std::pair<const tf::NodeDef *, int>> units;
};

} // namespace

FailureOr<GraphImporter::Signature> GraphImporter::resolve(StringRef name,
                                                           StringRef flag) {
  TensorRef ref = parseTensorRef(name);
  const tf::NodeDef *node = nodes.lookup(ref.node);
  if (!node || ref.control)
    return emitError(state.fileLoc())
           << flag << ": the graph has no node named '" << ref.node << "'";
  Signature s;
  s.key = tensorKey(ref.node, ref.index);
  s.display = ref.index == 0 ? ref.node.str() : s.key;
  s.node = node;
  return s;
}

LogicalResult GraphImporter::indexNodes() {
  bool ok = true;
  for (const tf::NodeDef &node : graph.node()) {
    if (node.name().empty()) {
      emitError(state.fileLoc()) << "a '" << node.op() << "' node has no name";
      ok = false;
      continue;
    }
    if (!nodes.try_emplace(node.name(), &node).second) {
      emitError(loc(&node)) << "duplicate node name '" << node.name() << "'";
      ok = false;
    }
  }
  return success(ok);
}

LogicalResult GraphImporter::chooseSignature() {
  // Outputs: as given, else every output 0 that nothing consumes.
  if (!options.outputs.empty()) {
    for (const std::string &name : options.outputs) {
      FailureOr<Signature> s = resolve(name, "--outputs");
      if (failed(s))
        return failure();
      outputs.push_back(*s);
    }
  } else {
    llvm::StringSet<> consumed;
    for (const tf::NodeDef &node : graph.node())
      for (const std::string &in : node.input())
        consumed.insert(parseTensorRef(in).node);
    for (const tf::NodeDef &node : graph.node()) {
      if (consumed.contains(node.name()) ||
          llvm::is_contained({"NoOp", "Assert", "Const", "Placeholder",
                              "PlaceholderWithDefault", "SaveV2", "RestoreV2",
                              "VarHandleOp", "VariableV2"},
                             node.op()))
        continue;
      outputs.push_back({tensorKey(node.name(), 0), node.name(), &node});
    }
    if (outputs.empty())
      return emitError(state.fileLoc())
             << "the graph has no output: name the output tensors with "
                "--outputs";
  }
  for (const TFConstSpec &spec : options.consts) {
    FailureOr<Signature> s = resolve(spec.name, "--const");
    if (failed(s))
      return failure();
    consts.push_back(*s);
    constSpecs.push_back(&spec);
    fed.insert(s->key);
  }
  for (const TFInputSpec &spec : options.inputs) {
    FailureOr<Signature> s = resolve(spec.name, "--inputs");
    if (failed(s))
      return failure();
    if (!fed.insert(s->key).second)
      return emitError(state.fileLoc())
             << "--inputs: '" << spec.name << "' is fed twice";
    inputs.push_back(*s);
    inputShapes.push_back(spec.shape);
  }
  return success();
}

const tf::NodeDef *GraphImporter::producer(StringRef input) const {
  TensorRef ref = parseTensorRef(input);
  if (ref.control || fed.contains(tensorKey(ref.node, ref.index)))
    return nullptr;
  return nodes.lookup(ref.node);
}

LogicalResult GraphImporter::prune() {
  bool ok = true;
  std::deque<const tf::NodeDef *> work;
  auto visit = [&](const tf::NodeDef *node) {
    if (needed.insert(node))
      work.push_back(node);
  };
  for (const Signature &s : outputs)
    if (!fed.contains(s.key))
      visit(s.node);
  while (!work.empty()) {
    const tf::NodeDef *node = work.front();
    work.pop_front();
    for (const std::string &in : node->input()) {
      TensorRef ref = parseTensorRef(in);
      const tf::NodeDef *src = nodes.lookup(ref.node);
      if (!src) {
        emitError(loc(node)) << (ref.control ? "control input '" : "input '")
                             << in << "' refers to node '" << ref.node
                             << "', which is not in the graph";
        ok = false;
        continue;
      }
      if (!ref.control && !fed.contains(tensorKey(ref.node, ref.index)))
        visit(src);
    }
  }
  if (!ok)
    return failure();
  // Without --inputs, the needed placeholders are the inputs (graph order).
  if (options.inputs.empty()) {
    for (const tf::NodeDef &node : graph.node()) {
      if (node.op() != "Placeholder" || !needed.contains(&node) ||
          fed.contains(tensorKey(node.name(), 0)))
        continue;
      inputs.push_back({tensorKey(node.name(), 0), node.name(), &node});
      inputShapes.push_back(std::nullopt);
      fed.insert(inputs.back().key);
    }
  }
  // Fed nodes whose other outputs nobody needs are not imported.
  DenseSet<const tf::NodeDef *> used;
  for (const Signature &s : outputs)
    if (!fed.contains(s.key))
      used.insert(s.node);
  for (const tf::NodeDef *node : needed)
    for (const std::string &in : node->input())
      if (const tf::NodeDef *src = producer(in))
        used.insert(src);
  SmallVector<const tf::NodeDef *> keep;
  for (const tf::NodeDef *node : needed)
    if (used.contains(node))
      keep.push_back(node);
  needed.clear();
  needed.insert(keep.begin(), keep.end());
  return success();
}

LogicalResult GraphImporter::reportUnsupportedOps() {
  const ConverterTable &table = getConverterTable();
  SmallVector<std::pair<std::string, SmallVector<std::string>>> unsupported;
  llvm::StringMap<size_t> index;
  for (const tf::NodeDef *node : needed) {
    if (isStructuralOp(node->op()) || table.count(node->op()))
      continue;
    emitError(loc(node)) << "unsupported op: " << node->op();
    auto [slot, inserted] = index.try_emplace(node->op(), unsupported.size());
    if (inserted)
      unsupported.push_back({node->op(), {}});
    unsupported[slot->second].second.push_back("'" + node->name() + "'");
  }
  if (unsupported.empty())
    return success();
  size_t count = 0;
  std::string summary;
  for (auto &[op, names] : unsupported) {
    count += names.size();
    summary += "\n  " + op + ": " + llvm::join(names, ", ");
  }
  return emitError(state.fileLoc())
         << count << " node(s) use ops that mica cannot import:" << summary;
}

/// True for the back edge of a while loop (NextIteration into Merge).
static bool isBackEdge(const tf::NodeDef &consumer,
                       const tf::NodeDef &producer) {
  return consumer.op() == "Merge" && producer.op() == "NextIteration";
}

LogicalResult GraphImporter::sortNodes() {
  DenseMap<const tf::NodeDef *, unsigned> indegree;
  DenseMap<const tf::NodeDef *, SmallVector<const tf::NodeDef *>> users;
  for (const tf::NodeDef *node : needed) {
    indegree[node];
    for (const std::string &in : node->input()) {
      const tf::NodeDef *src = producer(in);
      if (!src || !needed.contains(src) || isBackEdge(*node, *src))
        continue;
      ++indegree[node];
      users[src].push_back(node);
    }
  }
  std::deque<const tf::NodeDef *> ready;
  for (const tf::NodeDef *node : needed)
    if (indegree[node] == 0)
      ready.push_back(node);
  while (!ready.empty()) {
    const tf::NodeDef *node = ready.front();
    ready.pop_front();
    order.push_back(node);
    for (const tf::NodeDef *user : users[node])
      if (--indegree[user] == 0)
        ready.push_back(user);
  }
  if (order.size() == needed.size())
    return success();
  // Walk back from an unsorted node through unsorted producers until a
  // node repeats: that node lies on a cycle.
  const tf::NodeDef *node = nullptr;
  for (const tf::NodeDef *n : needed)
    if (indegree[n] != 0) {
      node = n;
      break;
    }
  DenseSet<const tf::NodeDef *> seen;
  while (node && seen.insert(node).second) {
    const tf::NodeDef *next = nullptr;
    for (const std::string &in : node->input()) {
      const tf::NodeDef *src = producer(in);
      if (src && needed.contains(src) && !isBackEdge(*node, *src) &&
          indegree[src] != 0) {
        next = src;
        break;
      }
    }
    if (!next)
      break;
    node = next;
  }
  std::string names;
  if (node) {
    // Name the cycle's nodes in order (at most 8).
    SmallVector<std::string> path;
    const tf::NodeDef *n = node;
    do {
      path.push_back("'" + n->name() + "'");
      const tf::NodeDef *next = nullptr;
      for (const std::string &in : n->input()) {
        const tf::NodeDef *src = producer(in);
        if (src && needed.contains(src) && !isBackEdge(*n, *src) &&
            indegree[src] != 0 && seen.contains(src)) {
          next = src;
          break;
        }
      }
      n = next;
    } while (n && n != node && path.size() < 8);
    names = llvm::join(llvm::reverse(path), " -> ");
  }
  return emitError(node ? loc(node) : state.fileLoc())
         << "the graph has a cycle (" << names
         << ") that is not a while loop (only Merge <- NextIteration back "
            "edges of a frame may close a cycle)";
}

LogicalResult GraphImporter::assignFrames() {
  // Frame of the values a node produces (Exit leaves its frame).
  DenseMap<const tf::NodeDef *, int> valueFrame;
  llvm::StringMap<int> frameIndex;
  for (const tf::NodeDef *node : order) {
    int frame = -1;
    const tf::NodeDef *from = nullptr;
    for (const std::string &in : node->input()) {
      const tf::NodeDef *src = producer(in);
      if (!src || !needed.contains(src) || isBackEdge(*node, *src))
        continue;
      int f = valueFrame.lookup(src);
      if (f < 0)
        continue;
      if (frame >= 0 && f != frame)
        return emitError(loc(node))
               << "node '" << node->name() << "' mixes values of while-loop "
               << "frames '" << frames[frame].name << "' and '"
               << frames[f].name << "'";
      frame = f;
      from = src;
    }
    if (node->op() == "Enter") {
      NodeContext ctx(state, *node, scratch);
      std::string name = ctx.attrString("frame_name", "");
      if (frame >= 0)
        return emitError(loc(node))
               << "nested while loops are not supported: frame '" << name
               << "' is entered inside frame '" << frames[frame].name
               << "' (from node '" << from->name() << "')";
      auto [it, inserted] = frameIndex.try_emplace(name, frames.size());
      if (inserted)
        frames.push_back({name, {}});
      frame = it->second;
    }
    unitFrame[node] = frame;
    valueFrame[node] = node->op() == "Exit" ? -1 : frame;
    if (node->op() == "Exit" && frame < 0)
      return emitError(loc(node)) << "Exit node '" << node->name()
                                  << "' is not inside a while-loop frame";
    if (frame >= 0)
      frames[frame].nodes.push_back(node);
  }
  return success();
}

LogicalResult GraphImporter::sortUnits() {
  // Unit of a node: itself outside loops, its frame inside.
  auto unitOf = [&](const tf::NodeDef *node) -> std::pair<const tf::NodeDef *, int> {
    int f = unitFrame.lookup(node);
    return f < 0 ? std::make_pair(node, -1)
                 : std::make_pair((const tf::NodeDef *)nullptr, f);
  };
  using Unit = std::pair<const tf::NodeDef *, int>;
  DenseMap<Unit, unsigned> indegree;
  DenseMap<Unit, SmallVector<Unit>> users;
  SmallVector<Unit> all;
  for (const tf::NodeDef *node : order) {
    Unit u = unitOf(node);
    if (indegree.try_emplace(u, 0).second)
      all.push_back(u);
    for (const std::string &in : node->input()) {
      const tf::NodeDef *src = producer(in);
      if (!src || !needed.contains(src) || isBackEdge(*node, *src))
        continue;
      Unit v = unitOf(src);
      if (v == u)
        continue;
      ++indegree[u];
      users[v].push_back(u);
    }
  }
  std::deque<Unit> ready;
  for (const Unit &u : all)
    if (indegree[u] == 0)
      ready.push_back(u);
  while (!ready.empty()) {
    Unit u = ready.front();
    ready.pop_front();
    units.push_back(u);
    for (const Unit &user : users[u])
      if (--indegree[user] == 0)
        ready.push_back(user);
  }
  if (units.size() == all.size())
    return success();
  for (const Unit &u : all)
    if (indegree[u] != 0 && u.second >= 0)
      return emitError(loc(frames[u.second].nodes.front()))
             << "while-loop frame '" << frames[u.second].name
             << "' consumes a value computed from its own results";
  return emitError(state.fileLoc()) << "cannot order the graph's nodes";
}

FailureOr<RankedTensorType>
GraphImporter::feedType(const Signature &feed,
                        std::optional<SmallVector<int64_t>> shape) {
  NodeContext ctx(state, *feed.node, scratch);
  StringRef typeAttr = ctx.hasAttr("dtype") ? "dtype" : "T";
  FailureOr<Type> elt = ctx.attrElementType(typeAttr);
  if (failed(elt))
    return failure();
  if (!shape && ctx.hasAttr("shape"))
    shape = convertShape(ctx.findAttr("shape")->shape());
  if (!shape)
    return ctx.emitError() << "the shape of '" << feed.display
                           << "' is unknown: give it with --inputs "
                           << feed.display << "=DIMxDIM...";
  return RankedTensorType::get(*shape, *elt);
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  MLIRContext *ctx = state.ctx;
  ctx->loadDialect<MicaDialect, func::FuncDialect, scf::SCFDialect,
                   tensor::TensorDialect>();
  if (failed(indexNodes()) || failed(chooseSignature()) || failed(prune()) ||
      failed(reportUnsupportedOps()) || failed(sortNodes()) ||
      failed(assignFrames()) || failed(sortUnits()))
    return nullptr;

  Location fileLoc = state.fileLoc();
  OpBuilder builder(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> argTypes;
  for (auto [feed, shape] : llvm::zip(inputs, inputShapes)) {
    FailureOr<RankedTensorType> type = feedType(feed, shape);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
  }
  std::string name =
      options.functionName.empty() ? "main" : options.functionName;
  auto func = func::FuncOp::create(builder, fileLoc, name,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  ValueScope root;
  state.scope = &root;
  for (auto [i, feed] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, "mica.name", builder.getStringAttr(feed.display));
    TFValue v;
    v.value = entry->getArgument(i);
    root.bind(feed.key, v);
  }
  builder.setInsertionPointToStart(entry);

  // Constant feeds: a splat (or list) of the given values.
  for (auto [feed, spec] : llvm::zip(consts, constSpecs)) {
    FailureOr<RankedTensorType> type = feedType(feed, std::nullopt);
    if (failed(type))
      return nullptr;
    SmallVector<int64_t> shape(type->getShape());
    if (!type->hasStaticShape())
      shape = spec->values.size() == 1
                  ? SmallVector<int64_t>{}
                  : SmallVector<int64_t>{int64_t(spec->values.size())};
    int64_t n = ShapedType::getNumElements(shape);
    if (spec->values.size() != 1 && int64_t(spec->values.size()) != n) {
      emitError(loc(feed.node))
          << "--const " << spec->name << ": " << spec->values.size()
          << " values given for a tensor of " << n << " elements";
      return nullptr;
    }
    NodeContext nctx(state, *feed.node, builder);
    Type elt = type->getElementType();
    Value v;
    if (spec->values.size() == 1) {
      v = nctx.scalarConstant(elt, spec->values[0], shape);
    } else {
      SmallVector<Attribute> attrs;
      for (double d : spec->values)
        attrs.push_back(scalarAttr(elt, d));
      v = ConstantOp::create(
          builder, nctx.loc,
          DenseElementsAttr::get(RankedTensorType::get(shape, elt), attrs));
    }
    TFValue tv;
    tv.value = v;
    root.bind(feed.key, tv);
  }

  for (auto [node, frame] : units) {
    LogicalResult result =
        frame < 0 ? convertNode(state, *node, builder)
                  : importWhileLoop(state, frames[frame], nodes, builder);
    if (failed(result))
      return nullptr;
  }

  SmallVector<Value> results;
  for (const Signature &out : outputs) {
    TFValue v = root.lookup(out.key);
    if (!v.value) {
      emitError(loc(out.node))
          << "output '" << out.display << "' is "
          << (v ? "not a tensor" : "not produced by the importer");
      return nullptr;
    }
    results.push_back(v.value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(outputs))
    func.setResultAttr(i, "mica.name", builder.getStringAttr(out.display));
  state.scope = nullptr;
  // Constants and folded-away computations that nothing reads (axis and
  // shape operands, intermediate results of import-time folding).
  func.walk<WalkOrder::PostOrder, ReverseIterator>([](Operation *op) {
    if (isOpTriviallyDead(op))
      op->erase();
  });
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

namespace {
/// Collects the first TextFormat parse error with its position.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string &message) override {
    if (!hasError) {
      hasError = true;
      this->line = line;
      this->column = column;
      this->message = message;
    }
  }
  bool hasError = false;
  int line = 0, column = 0;
  std::string message;
};
} // namespace

OwningOpRef<ModuleOp> mica::importTFGraphBuffer(StringRef bytes, bool isText,
                                                StringRef graphPath,
                                                MLIRContext *ctx,
                                                const TFImportOptions &options) {
  tf::GraphDef graph;
  if (isText) {
    google::protobuf::TextFormat::Parser parser;
    TextErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    google::protobuf::io::ArrayInputStream stream(bytes.data(),
                                                  static_cast<int>(bytes.size()));
    if (!parser.Parse(&stream, &graph)) {
      emitError(FileLineColLoc::get(ctx, graphPath, errors.line + 1,
                                    errors.column + 1))
          << "malformed GraphDef text at line " << errors.line + 1
          << ", column " << errors.column + 1 << ": " << errors.message;
      return nullptr;
    }
  } else {
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(bytes.data()),
        static_cast<int>(bytes.size()));
    stream.SetTotalBytesLimit(INT_MAX);
    if (!graph.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage()) {
      emitError(FileLineColLoc::get(ctx, graphPath, 0, 0))
          << "malformed protobuf: '" << graphPath
          << "' is not a binary GraphDef (text GraphDefs need a .pbtxt "
             "extension)";
      return nullptr;
    }
  }
  return GraphImporter(graph, graphPath, ctx, options).run();
}

OwningOpRef<ModuleOp> mica::importTFGraphFile(StringRef path, MLIRContext *ctx,
                                              const TFImportOptions &options) {
  Location loc = FileLineColLoc::get(ctx, path, 0, 0);
  if (!llvm::sys::fs::exists(path) || llvm::sys::fs::is_directory(path)) {
    emitError(loc) << "cannot open graph file '" << path << "': no such file";
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(loc) << "cannot read '" << path
                   << "': " << buffer.getError().message();
    return nullptr;
  }
  if ((*buffer)->getBufferSize() > size_t(INT_MAX)) {
    emitError(loc) << "graph file '" << path << "' is larger than 2 GiB";
    return nullptr;
  }
  bool isText = !path.ends_with(".pb");
  return importTFGraphBuffer((*buffer)->getBuffer(), isText, path, ctx,
                             options);
}
