//===- ONNXToMica.cpp - ONNX model importer driver -------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The import pipeline: parse (binary or text), report every unsupported
/// op, pin input shapes, check, infer shapes (libonnx), then build one
/// `func.func` whose arguments are the graph inputs, whose results are the
/// graph outputs and whose body holds the initializers as `mica.constant`s
/// and each node converted by the converter table.
///
//===----------------------------------------------------------------------===//

#include "mica/Conversion/ONNXToMica/ONNXToMica.h"

#include "Importer.h"
#include "ONNXLoader.h"

#include "mica/Dialect/Mica/IR/MicaDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

void mica::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<MicaDialect, func::FuncDialect>();
}

std::string
mica::parseInputShapes(StringRef spec,
                       llvm::StringMap<SmallVector<int64_t>> &shapes) {
  SmallVector<StringRef> entries;
  spec.split(entries, ',', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    auto [name, dims] = entry.trim().rsplit('=');
    if (name.empty() || dims.empty() || name == entry.trim())
      return ("invalid input shape '" + entry +
              "': expected name=DIMxDIM..., e.g. input_ids=1x128")
          .str();
    SmallVector<int64_t> shape;
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    for (StringRef part : parts) {
      int64_t d;
      if (part == "?" || part == "-1")
        shape.push_back(ShapedType::kDynamic);
      else if (!part.getAsInteger(10, d) && d >= 0)
        shape.push_back(d);
      else if (dims == "scalar" && parts.size() == 1)
        break;
      else
        return ("invalid dim '" + part + "' in input shape '" + entry + "'")
            .str();
    }
    shapes[name] = shape;
  }
  return "";
}

namespace {

/// Imports one parsed model.
class ModelImporter {
public:
  ModelImporter(onnx::ModelProto &model, StringRef modelPath,
                MLIRContext *ctx, const ONNXImportOptions &options)
      : model(model), options(options),
        state(ctx, modelPath, options.maxDenseElements) {}

  OwningOpRef<ModuleOp> run();

private:
  LogicalResult collectOpsets();
  LogicalResult reportUnsupportedOps();
  LogicalResult pinInputShapes();
  LogicalResult freezeInputs();
  void collectValueTypes();
  LogicalResult convertNode(const onnx::NodeProto &node, OpBuilder &builder);
  const onnx::ModelProto &withExternalDataPaths();

  /// A copy of the model for the checker, when external data paths had to
  /// be rewritten.
  std::unique_ptr<onnx::ModelProto> checkedCopy;

  onnx::ModelProto &model;
  const ONNXImportOptions &options;
  ImportState state;
};

} // namespace

LogicalResult ModelImporter::collectOpsets() {
  for (const auto &opset : model.opset_import()) {
    StringRef domain = opset.domain();
    if (domain == "ai.onnx")
      domain = "";
    state.opsets[domain] = opset.version();
  }
  if (!state.opsets.count(""))
    return emitError(state.fileLoc())
           << "the model imports no opset of the default ONNX domain";
  return success();
}

LogicalResult ModelImporter::reportUnsupportedOps() {
  const ConverterTable &table = getConverterTable();
  // (domain, op type, opset) -> node names, in order of appearance.
  SmallVector<std::pair<std::string, SmallVector<std::string>>> unsupported;
  llvm::StringMap<size_t> index;
  for (const onnx::NodeProto &node : model.graph().node()) {
    StringRef domain = node.domain();
    if (domain == "ai.onnx")
      domain = "";
    int64_t opset = state.opsets.lookup(domain);
    auto it = table.find(converterKey(domain, node.op_type()));
    if (it != table.end() && opset >= it->second.minOpset &&
        opset <= it->second.maxOpset)
      continue;
    std::string domainName = domain.empty() ? "ai.onnx" : domain.str();
    std::string reason =
        it == table.end()
            ? "unsupported op"
            : "unsupported opset (mica supports opsets " +
                  std::to_string(it->second.minOpset) + "-" +
                  std::to_string(it->second.maxOpset) + " of this op)";
    emitError(state.nodeLoc(node))
        << reason << ": (" << domainName << ", " << node.op_type()
        << ", opset " << opset << ")";
    std::string key = "(" + domainName + ", " + node.op_type() + ", opset " +
                      std::to_string(opset) + ")";
    auto [slot, inserted] = index.try_emplace(key, unsupported.size());
    if (inserted)
      unsupported.push_back({key, {}});
    unsupported[slot->second].second.push_back("'" + state.nodeName(node) + "'");
  }
  if (unsupported.empty())
    return success();
  size_t count = 0;
  std::string summary;
  for (auto &[key, names] : unsupported) {
    count += names.size();
    summary += "\n  " + key + ": " + llvm::join(names, ", ");
  }
  return emitError(state.fileLoc())
         << count << " node(s) use ops that mica cannot import:" << summary;
}

LogicalResult ModelImporter::pinInputShapes() {
  if (options.inputShapes.empty())
    return success();
  llvm::StringSet<> initializers;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  for (const auto &entry : options.inputShapes) {
    onnx::ValueInfoProto *input = nullptr;
    for (auto &candidate : *model.mutable_graph()->mutable_input())
      if (candidate.name() == entry.getKey() &&
          !initializers.contains(candidate.name()))
        input = &candidate;
    if (!input)
      return emitError(state.fileLoc())
             << "--input-shape: the graph has no input named '"
             << entry.getKey() << "'";
    if (!input->type().has_tensor_type())
      return emitError(state.fileLoc())
             << "--input-shape: input '" << entry.getKey()
             << "' is not a tensor";
    auto *shape =
        input->mutable_type()->mutable_tensor_type()->mutable_shape();
    const SmallVector<int64_t> &dims = entry.getValue();
    if (shape->dim_size() != 0 &&
        shape->dim_size() != static_cast<int>(dims.size()))
      return emitError(state.fileLoc())
             << "--input-shape: input '" << entry.getKey() << "' has rank "
             << shape->dim_size() << " but the given shape has rank "
             << dims.size();
    if (shape->dim_size() == 0)
      for (size_t i = 0; i < dims.size(); ++i)
        shape->add_dim();
    for (auto [i, d] : llvm::enumerate(dims)) {
      auto *dim = shape->mutable_dim(i);
      if (ShapedType::isDynamic(d))
        continue;
      if (dim->has_dim_value() && dim->dim_value() != d)
        return emitError(state.fileLoc())
               << "--input-shape: dim " << i << " of input '"
               << entry.getKey() << "' is " << dim->dim_value()
               << " in the model, not " << d;
      dim->set_dim_value(d);
    }
  }
  // Re-infer every intermediate type from the pinned inputs.
  model.mutable_graph()->clear_value_info();
  return success();
}

LogicalResult ModelImporter::freezeInputs() {
  onnx::GraphProto &graph = *model.mutable_graph();
  for (const auto &entry : options.frozenInputs) {
    StringRef name = entry.getKey();
    auto *inputs = graph.mutable_input();
    auto it = llvm::find_if(*inputs, [&](const onnx::ValueInfoProto &v) {
      return v.name() == name;
    });
    bool isInitializer =
        llvm::any_of(graph.initializer(), [&](const onnx::TensorProto &t) {
          return t.name() == name;
        });
    if (it == inputs->end() || isInitializer)
      return emitError(state.fileLoc())
             << "--freeze-input: the graph has no input named '" << name
             << "'";
    auto buffer = llvm::MemoryBuffer::getFile(entry.getValue());
    if (!buffer)
      return emitError(state.fileLoc())
             << "--freeze-input: cannot read '" << entry.getValue()
             << "': " << buffer.getError().message();
    onnx::TensorProto tensor;
    if (!tensor.ParseFromArray((*buffer)->getBufferStart(),
                               static_cast<int>((*buffer)->getBufferSize())))
      return emitError(state.fileLoc())
             << "--freeze-input: '" << entry.getValue()
             << "' is not a serialized ONNX TensorProto";
    const onnx::TypeProto &type = it->type();
    if (!type.has_tensor_type())
      return emitError(state.fileLoc())
             << "--freeze-input: input '" << name << "' is not a tensor";
    const auto &tensorType = type.tensor_type();
    if (tensorType.elem_type() != tensor.data_type())
      return emitError(state.fileLoc())
             << "--freeze-input: input '" << name << "' has element type "
             << onnxTypeName(tensorType.elem_type()) << " but '"
             << entry.getValue() << "' holds "
             << onnxTypeName(tensor.data_type());
    if (tensorType.has_shape()) {
      const auto &shape = tensorType.shape();
      bool matches = shape.dim_size() == tensor.dims_size();
      for (int i = 0; matches && i < shape.dim_size(); ++i)
        matches = !shape.dim(i).has_dim_value() ||
                  shape.dim(i).dim_value() == tensor.dims(i);
      if (!matches) {
        std::string dims;
        for (int64_t d : tensor.dims())
          dims += (dims.empty() ? "" : "x") + std::to_string(d);
        return emitError(state.fileLoc())
               << "--freeze-input: the shape [" << dims << "] of '"
               << entry.getValue() << "' does not match input '" << name
               << "'";
      }
    }
    tensor.set_name(name.str());
    *graph.add_initializer() = std::move(tensor);
    inputs->erase(it);
  }
  if (!options.frozenInputs.empty())
    graph.clear_value_info();
  return success();
}

/// The checker resolves external data relative to the working directory;
/// give it a copy (cheap: the weights live outside the proto) whose data
/// locations are resolved next to the model instead.
const onnx::ModelProto &ModelImporter::withExternalDataPaths() {
  auto isExternal = [](const onnx::TensorProto &t) {
    return t.data_location() == onnx::TensorProto::EXTERNAL;
  };
  if (llvm::none_of(model.graph().initializer(), isExternal))
    return model;
  checkedCopy = std::make_unique<onnx::ModelProto>(model);
  StringRef dir = llvm::sys::path::parent_path(state.modelPath);
  for (auto &t : *checkedCopy->mutable_graph()->mutable_initializer()) {
    if (!isExternal(t))
      continue;
    for (auto &entry : *t.mutable_external_data()) {
      if (entry.key() != "location" || dir.empty())
        continue;
      SmallString<256> path(dir);
      llvm::sys::path::append(path, entry.value());
      entry.set_value(path.str().str());
    }
  }
  return *checkedCopy;
}

void ModelImporter::collectValueTypes() {
  const onnx::GraphProto &graph = model.graph();
  for (const auto &v : graph.input())
    state.valueTypes[v.name()] = &v.type();
  for (const auto &v : graph.value_info())
    state.valueTypes[v.name()] = &v.type();
  for (const auto &v : graph.output())
    state.valueTypes[v.name()] = &v.type();
}

LogicalResult ModelImporter::convertNode(const onnx::NodeProto &node,
                                         OpBuilder &builder) {
  StringRef domain = node.domain();
  if (domain == "ai.onnx")
    domain = "";
  NodeContext ctx(state, node, builder, state.opsets.lookup(domain));
  for (const std::string &name : node.input())
    if (!name.empty() && !state.values.count(name))
      return ctx.emitError() << "input '" << name
                             << "' is not defined by an earlier node, a "
                                "graph input or an initializer";
  const Converter &converter =
      getConverterTable().find(converterKey(domain, node.op_type()))->second;
  if (failed(converter.fn(ctx)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !state.values.count(node.output(i)))
      return ctx.emitError() << "output " << i << " ('" << node.output(i)
                             << "') is not supported by the importer";
  return success();
}

OwningOpRef<ModuleOp> ModelImporter::run() {
  MLIRContext *ctx = state.ctx;
  ctx->loadDialect<MicaDialect, func::FuncDialect>();
  Location fileLoc = state.fileLoc();
  if (failed(collectOpsets()) || failed(reportUnsupportedOps()) ||
      failed(pinInputShapes()) || failed(freezeInputs()))
    return nullptr;
  if (options.runChecker) {
    std::string error = onnx_loader::checkModel(withExternalDataPaths());
    if (!error.empty()) {
      emitError(fileLoc) << "ONNX checker: " << StringRef(error).trim();
      return nullptr;
    }
  }
  std::string error = onnx_loader::inferShapes(model);
  if (!error.empty()) {
    emitError(fileLoc) << "ONNX shape inference: " << StringRef(error).trim();
    return nullptr;
  }
  collectValueTypes();

  onnx::GraphProto &graph = *model.mutable_graph();
  OpBuilder builder(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  // Signature: graph inputs that are not initializers.
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &input : graph.input()) {
    if (initializers.contains(input.name()))
      continue;
    auto type = state.convertType(input.type(),
                                  "graph input '" + input.name() + "'",
                                  fileLoc);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&input);
  }
  std::string name =
      options.functionName.empty() ? "main" : options.functionName;
  auto func = func::FuncOp::create(builder, fileLoc, name,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(args)) {
    func.setArgAttr(i, "mica.name", builder.getStringAttr(input->name()));
    state.values[input->name()] = entry->getArgument(i);
  }
  builder.setInsertionPointToStart(entry);

  // Initializers become constants; their bytes move into resource blobs.
  for (onnx::TensorProto &init : *graph.mutable_initializer()) {
    Location loc =
        NameLoc::get(builder.getStringAttr(init.name()), fileLoc);
    FailureOr<ElementsAttr> value = state.convertTensor(init, loc);
    if (failed(value))
      return nullptr;
    state.values[init.name()] = ConstantOp::create(builder, loc, *value);
  }

  for (const onnx::NodeProto &node : graph.node())
    if (failed(convertNode(node, builder)))
      return nullptr;

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value v = state.values.lookup(output.name());
    if (!v) {
      emitError(fileLoc) << "graph output '" << output.name()
                         << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(v);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "mica.name", builder.getStringAttr(output.name()));

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

/// Parses and imports; `parse` fills the ModelProto or returns an error.
template <typename ParseFn>
static OwningOpRef<ModuleOp> importWith(ParseFn &&parse, StringRef modelPath,
                                        MLIRContext *ctx,
                                        const ONNXImportOptions &options) {
  auto model = std::make_unique<onnx::ModelProto>();
  std::string error = parse(*model);
  if (!error.empty()) {
    emitError(FileLineColLoc::get(ctx, modelPath, 0, 0)) << error;
    return nullptr;
  }
  return ModelImporter(*model, modelPath, ctx, options).run();
}

static bool isTextPath(StringRef path) {
  return path.ends_with(".onnxtxt") || path.ends_with(".txt");
}

OwningOpRef<ModuleOp> mica::importONNXFile(StringRef path, MLIRContext *ctx,
                                           const ONNXImportOptions &options) {
  Location loc = FileLineColLoc::get(ctx, path, 0, 0);
  if (!llvm::sys::fs::exists(path) || llvm::sys::fs::is_directory(path)) {
    emitError(loc) << "cannot open model file '" << path
                   << "': no such file";
    return nullptr;
  }
  if (isTextPath(path)) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true,
                                              /*RequiresNullTerminator=*/true);
    if (!buffer) {
      emitError(loc) << "cannot read '" << path
                     << "': " << buffer.getError().message();
      return nullptr;
    }
    return importONNXBuffer((*buffer)->getBuffer(), /*isText=*/true, path,
                            ctx, options);
  }
  return importWith(
      [&](onnx::ModelProto &model) {
        return onnx_loader::parseBinaryFile(path.str(), model);
      },
      path, ctx, options);
}

OwningOpRef<ModuleOp> mica::importONNXBuffer(StringRef bytes, bool isText,
                                             StringRef modelPath,
                                             MLIRContext *ctx,
                                             const ONNXImportOptions &options) {
  return importWith(
      [&](onnx::ModelProto &model) {
        if (isText) {
          std::string text = bytes.str();
          return onnx_loader::parseText(text.c_str(), model);
        }
        return onnx_loader::parseBinary(bytes.data(), bytes.size(), model);
      },
      modelPath, ctx, options);
}
