//===- mica-run.cpp - run Mica models on concrete inputs ------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Runs a model function on concrete inputs and prints, saves or checks the
/// outputs. `--reference` evaluates with the reference evaluator.
///
///   mica-run model.mlir --reference [--entry NAME]
///       [--input name=file.npy|file.pb ...] [--test-data-dir DIR]
///       [--seed N] [--check] [--expected name=file ...] [--rtol R]
///       [--atol A] [--output-dir DIR] [--print]
///
/// Inputs bind to function arguments by the `mica.name` argument attribute
/// (the importers record graph input names there), by argument index
/// (`--input 0=a.npy`) or, without a name, by position. In a test data
/// directory, `input_K.pb` binds by its TensorProto name when that names an
/// argument, else to argument K; `output_K.pb` likewise to result K.
///
//===----------------------------------------------------------------------===//

#include "mica/InitAll.h"
#include "mica/Reference/Evaluator.h"
#include "mica/Reference/TensorIO.h"
#ifdef MICA_RUN_HAS_ONNX_IMPORTER
#include "mica/Conversion/ONNXToMica/ONNXToMica.h"
#endif

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mica::reference;
namespace cl = llvm::cl;

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir|.mlirbc|.onnx|"
                                               ".onnxtxt>"));
static cl::opt<bool> useReference(
    "reference", cl::desc("Evaluate with the reference evaluator"));
static cl::opt<std::string> entryName(
    "entry", cl::desc("Function to run (default: 'main', or the only "
                      "function)"));
static cl::list<std::string>
    inputSpecs("input", cl::desc("Input tensor: [name=]file.npy|file.pb "
                                 "(name is a mica.name or an argument "
                                 "index; unnamed inputs bind in order)"));
static cl::opt<std::string> testDataDir(
    "test-data-dir",
    cl::desc("ONNX test data set dir with input_K.pb (and output_K.pb)"));
static cl::opt<uint64_t> seed(
    "seed", cl::desc("Fill arguments without an input with seeded random "
                     "values (floats in [-1, 1), ints in [0, 4), argument "
                     "K uses seed N + K)"));
static cl::opt<int64_t> dynamicDimSize(
    "dynamic-dim-size", cl::init(1),
    cl::desc("Size of dynamic dims of randomly filled arguments"));
static cl::opt<bool> check(
    "check", cl::desc("Compare outputs with the expected ones; exit 1 on a "
                      "mismatch"));
static cl::list<std::string> expectedSpecs(
    "expected", cl::desc("Expected output: [name=]file.npy|file.pb (name is "
                         "a result mica.name or index)"));
static cl::opt<double> relTol("rtol", cl::init(1e-4),
                            cl::desc("Relative tolerance of --check"));
static cl::opt<double> absTol("atol", cl::init(1e-5),
                            cl::desc("Absolute tolerance of --check"));
static cl::opt<std::string> outputDir(
    "output-dir", cl::desc("Write every output as <name>.npy into DIR"));
static cl::opt<bool> printOutputs("print",
                                  cl::desc("Print the outputs as text"));

/// Prints "mica-run: error: <message>" and returns failure.
static LogicalResult error(const Twine &message) {
  llvm::errs() << "mica-run: error: " << message << "\n";
  return failure();
}

//===----------------------------------------------------------------------===//
// Model loading
//===----------------------------------------------------------------------===//

/// Loads a model file into a module by its extension: MLIR text or
/// bytecode, or ONNX through the importer when it is built in.
static OwningOpRef<ModuleOp> loadModel(StringRef path, MLIRContext *context,
                                       llvm::SourceMgr &sourceMgr) {
  StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".onnx" || ext == ".onnxtxt") {
#ifdef MICA_RUN_HAS_ONNX_IMPORTER
    return mica::importONNXFile(path, context);
#else
    (void)error("this mica-run was built without the ONNX importer; import "
                "'" + path + "' with mica-import first");
    return nullptr;
#endif
  }
  std::string message;
  std::unique_ptr<llvm::MemoryBuffer> file = openInputFile(path, &message);
  if (!file) {
    (void)error(message);
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(context));
}

/// The function to run: --entry, else "main", else the only function.
static FailureOr<func::FuncOp> findEntry(ModuleOp module) {
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal())
      funcs.push_back(f);
  StringRef wanted = entryName.empty() ? "main" : StringRef(entryName);
  for (func::FuncOp f : funcs)
    if (f.getSymName() == wanted)
      return f;
  if (entryName.empty() && funcs.size() == 1)
    return funcs.front();
  std::string names;
  for (func::FuncOp f : funcs)
    names += (names.empty() ? "" : ", ") + f.getSymName().str();
  return error(entryName.empty()
                   ? "the model has several functions (" + names +
                         "); pick one with --entry"
                   : "no function '" + entryName + "' in the model (has: " +
                         names + ")");
}

//===----------------------------------------------------------------------===//
// Binding tensors to arguments and results
//===----------------------------------------------------------------------===//

/// The `mica.name` of each argument or result (empty when absent).
static SmallVector<std::string> getNames(func::FuncOp f, bool results) {
  SmallVector<std::string> names;
  unsigned n = results ? f.getNumResults() : f.getNumArguments();
  for (unsigned i = 0; i < n; ++i) {
    auto name = results ? f.getResultAttrOfType<StringAttr>(i, "mica.name")
                        : f.getArgAttrOfType<StringAttr>(i, "mica.name");
    names.push_back(name ? name.str() : "");
  }
  return names;
}

/// Display name of argument/result `i`.
static std::string displayName(ArrayRef<std::string> names, unsigned i,
                               StringRef kind) {
  return names[i].empty() ? (kind + " " + Twine(i)).str()
                          : "'" + names[i] + "'";
}

/// Resolves a name (a mica.name or a decimal index) to a slot index.
static std::optional<unsigned> resolveName(ArrayRef<std::string> names,
                                           StringRef name) {
  for (auto [i, n] : llvm::enumerate(names))
    if (!n.empty() && n == name)
      return i;
  unsigned index;
  if (!name.getAsInteger(10, index) && index < names.size())
    return index;
  return std::nullopt;
}

/// Tensors bound to the slots (arguments or results) of the function.
struct Binding {
  SmallVector<std::string> names;
  SmallVector<std::optional<HostTensor>> tensors;
  StringRef kind;

  /// Binds `t` to slot `i`; a second binding is an error.
  LogicalResult bind(unsigned i, HostTensor t, StringRef source) {
    if (tensors[i])
      return error(Twine(kind) + " " + displayName(names, i, kind) +
                   " is given twice (again by '" + source + "')");
    tensors[i] = std::move(t);
    return success();
  }

  /// Binds each `[name=]file` spec; unnamed specs take the next free slot.
  LogicalResult bindSpecs(ArrayRef<std::string> specs) {
    unsigned next = 0;
    for (StringRef spec : specs) {
      auto [name, file] = spec.split('=');
      if (file.empty())
        std::swap(name, file);
      llvm::Expected<NamedTensor> t = readTensorFile(file);
      if (!t)
        return error(llvm::toString(t.takeError()));
      std::optional<unsigned> slot;
      if (!name.empty()) {
        slot = resolveName(names, name);
        if (!slot)
          return error("no " + Twine(kind) + " named '" + name + "'");
      } else {
        while (next < tensors.size() && tensors[next])
          ++next;
        if (next >= tensors.size())
          return error("too many " + Twine(kind) + " files: the function has " +
                       Twine(tensors.size()));
        slot = next;
      }
      if (failed(bind(*slot, std::move(t->tensor), file)))
        return failure();
    }
    return success();
  }

  /// Binds `<prefix>_K.pb` files of an ONNX test data directory.
  LogicalResult bindTestData(StringRef dir, StringRef prefix) {
    for (unsigned k = 0;; ++k) {
      llvm::SmallString<128> path(dir);
      llvm::sys::path::append(path, (prefix + "_" + Twine(k) + ".pb").str());
      if (!llvm::sys::fs::exists(path))
        return success();
      llvm::Expected<NamedTensor> t = readTensorProtoFile(path);
      if (!t)
        return error(llvm::toString(t.takeError()));
      std::optional<unsigned> slot;
      for (auto [i, n] : llvm::enumerate(names))
        if (!n.empty() && n == t->name)
          slot = i;
      if (!slot && k < tensors.size())
        slot = k;
      if (!slot)
        return error("'" + path + "' has no matching " + kind + " (the "
                     "function has " + Twine(tensors.size()) + ")");
      if (failed(bind(*slot, std::move(t->tensor), path)))
        return failure();
    }
  }
};

/// Converts a bound input to the argument's element type where the file
/// format cannot express it (f32 data for f16/bf16 arguments); other
/// mismatches are left for the evaluator to report.
static HostTensor adaptInput(HostTensor t, Type argType) {
  auto ranked = dyn_cast<RankedTensorType>(argType);
  std::optional<ElementType> want =
      ranked ? fromMLIRType(ranked.getElementType()) : std::nullopt;
  if (want && *want != t.getElementType() && isFloatType(*want) && t.isFloat())
    return HostTensor::fromDoubles(*want, t.getShape(), t.toDoubles());
  return t;
}

/// Collects the inputs of `f` from the flags.
static FailureOr<SmallVector<HostTensor>> gatherInputs(func::FuncOp f) {
  Binding inputs{getNames(f, false), {}, "argument"};
  inputs.tensors.resize(f.getNumArguments());
  if (!testDataDir.empty() && failed(inputs.bindTestData(testDataDir, "input")))
    return failure();
  if (failed(inputs.bindSpecs(inputSpecs)))
    return failure();
  SmallVector<HostTensor> result;
  std::string missing;
  for (auto [i, t] : llvm::enumerate(inputs.tensors)) {
    Type type = f.getArgumentTypes()[i];
    if (t) {
      result.push_back(adaptInput(std::move(*t), type));
      continue;
    }
    auto ranked = dyn_cast<RankedTensorType>(type);
    std::optional<ElementType> elt =
        ranked ? fromMLIRType(ranked.getElementType()) : std::nullopt;
    if (seed.getNumOccurrences() == 0 || !elt) {
      missing += (missing.empty() ? "" : ", ") +
                 displayName(inputs.names, i, "argument");
      continue;
    }
    SmallVector<int64_t> shape;
    for (int64_t d : ranked.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? dynamicDimSize : d);
    result.push_back(makeRandomTensor(*elt, shape, seed + i));
  }
  if (!missing.empty())
    return error("missing input for " + missing +
                 " (pass --input, --test-data-dir or --seed)");
  return result;
}

//===----------------------------------------------------------------------===//
// Printing, writing and checking outputs
//===----------------------------------------------------------------------===//

/// Prints element `i` of `t` compactly.
static void printElement(llvm::raw_ostream &os, const HostTensor &t,
                         int64_t i) {
  if (t.getElementType() == ElementType::I1) {
    os << (t.getInt(i) ? "true" : "false");
  } else if (!t.isFloat()) {
    os << t.getInt(i);
  } else {
    double v = t.getDouble(i);
    if (std::isnan(v))
      os << "nan";
    else if (std::isinf(v))
      os << (v < 0 ? "-inf" : "inf");
    else
      os << llvm::format("%.6g", v);
  }
}

/// Prints `t` as nested brackets, or a summary when it is large.
static void printTensor(llvm::raw_ostream &os, const HostTensor &t) {
  constexpr int64_t kMaxPrinted = 1024;
  int64_t n = t.getNumElements();
  if (n > kMaxPrinted) {
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      double v = t.getDouble(i);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    os << llvm::format("{min %.6g, max %.6g, mean %.6g}\n", lo, hi, sum / n);
    return;
  }
  ArrayRef<int64_t> shape = t.getShape();
  int64_t i = 0;
  std::function<void(size_t)> rec = [&](size_t d) {
    if (d == shape.size()) {
      printElement(os, t, i++);
      return;
    }
    os << "[";
    for (int64_t j = 0; j < shape[d]; ++j) {
      if (j)
        os << ", ";
      rec(d + 1);
    }
    os << "]";
  };
  rec(0);
  os << "\n";
}

/// A file name for an output: its mica.name made path-safe, or output_K.
static std::string outputFileName(StringRef name, unsigned k) {
  if (name.empty())
    return ("output_" + Twine(k) + ".npy").str();
  std::string safe;
  for (char c : name)
    safe += llvm::isAlnum(c) || c == '-' || c == '.' ? c : '_';
  return safe + ".npy";
}

/// Compares `actual` with `expected`; prints one line, returns true on a
/// pass.
static bool compareOutput(StringRef label, const HostTensor &actual,
                          const HostTensor &expected) {
  llvm::outs() << label << ": " << actual.getTypeString();
  if (actual.getShape() != expected.getShape()) {
    llvm::outs() << " expected shape " << expected.getTypeString()
                 << " FAIL\n";
    return false;
  }
  double maxAbs = 0, maxRel = 0;
  int64_t worst = -1, mismatches = 0;
  for (int64_t i = 0, e = actual.getNumElements(); i < e; ++i) {
    double a = actual.getDouble(i), b = expected.getDouble(i);
    if ((std::isnan(a) && std::isnan(b)) || a == b)
      continue;
    double abs = std::fabs(a - b);
    double rel = b != 0 ? abs / std::fabs(b) : abs;
    if (std::isnan(abs))
      abs = rel = INFINITY;
    maxAbs = std::max(maxAbs, abs);
    maxRel = std::max(maxRel, rel);
    if (!(abs <= absTol + relTol * std::fabs(b))) {
      if (worst < 0 || abs > std::fabs(actual.getDouble(worst) -
                                       expected.getDouble(worst)))
        worst = i;
      ++mismatches;
    }
  }
  llvm::outs() << llvm::format(" max_abs_err=%.3g max_rel_err=%.3g", maxAbs,
                               maxRel);
  if (mismatches == 0) {
    llvm::outs() << " PASS\n";
    return true;
  }
  llvm::outs() << " FAIL (" << mismatches << " mismatches; element " << worst
               << ": got ";
  printElement(llvm::outs(), actual, worst);
  llvm::outs() << ", expected ";
  printElement(llvm::outs(), expected, worst);
  llvm::outs() << ")\n";
  return false;
}

/// Prints, writes and checks the outputs per the flags.
static LogicalResult handleOutputs(func::FuncOp f,
                                   ArrayRef<HostTensor> outputs) {
  SmallVector<std::string> names = getNames(f, true);
  for (auto [k, t] : llvm::enumerate(outputs)) {
    std::string label =
        "output " + std::to_string(k) +
        (names[k].empty() ? std::string() : " '" + names[k] + "'");
    if (printOutputs) {
      llvm::outs() << label << ": " << t.getTypeString() << " = ";
      printTensor(llvm::outs(), t);
    }
    if (!outputDir.empty()) {
      if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
        return error("cannot create '" + outputDir + "': " + ec.message());
      llvm::SmallString<128> path(outputDir);
      llvm::sys::path::append(path, outputFileName(names[k], k));
      if (llvm::Error err = writeNpyFile(path, t))
        return error(llvm::toString(std::move(err)));
    }
  }
  if (!check)
    return success();

  Binding expected{names, {}, "result"};
  expected.tensors.resize(outputs.size());
  if (!testDataDir.empty() &&
      failed(expected.bindTestData(testDataDir, "output")))
    return failure();
  if (failed(expected.bindSpecs(expectedSpecs)))
    return failure();
  bool allPass = true;
  for (auto [k, t] : llvm::enumerate(outputs)) {
    std::string label =
        "output " + std::to_string(k) +
        (names[k].empty() ? std::string() : " '" + names[k] + "'");
    if (!expected.tensors[k])
      return error("--check: no expected value for " + label);
    allPass &= compareOutput(label, t, *expected.tensors[k]);
  }
  if (!allPass)
    return error(llvm::formatv("outputs differ from the expected values "
                               "(rtol {0:e}, atol {1:e})",
                               relTol.getValue(), absTol.getValue())
                     .str());
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  static cl::OptionCategory runCategory("mica-run options");
  for (cl::Option *o : std::initializer_list<cl::Option *>{
           &modelPath, &useReference, &entryName, &testDataDir, &seed,
           &dynamicDimSize, &check, &relTol, &absTol, &outputDir,
           &printOutputs})
    o->addCategory(runCategory);
  // cl::list overloads operator&: register the lists directly.
  inputSpecs.addCategory(runCategory);
  expectedSpecs.addCategory(runCategory);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv, "Mica model runner\n");
  if (!useReference) {
    (void)error("only reference evaluation is available: pass --reference");
    return 1;
  }

  DialectRegistry registry;
  mica::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);

  OwningOpRef<ModuleOp> module = loadModel(modelPath, &context, sourceMgr);
  if (!module)
    return 1;
  FailureOr<func::FuncOp> entry = findEntry(*module);
  if (failed(entry))
    return 1;
  FailureOr<SmallVector<HostTensor>> inputs = gatherInputs(*entry);
  if (failed(inputs))
    return 1;
  FailureOr<SmallVector<HostTensor>> outputs = evaluate(*entry, *inputs);
  if (failed(outputs))
    return 1;
  return failed(handleOutputs(*entry, *outputs)) ? 1 : 0;
}
