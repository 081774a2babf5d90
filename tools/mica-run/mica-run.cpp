//===- mica-run.cpp - run Mica models on concrete inputs ------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Runs a model function on concrete inputs and prints, saves or checks the
/// outputs. `--reference` evaluates with the reference evaluator; otherwise
/// the model is JIT-compiled with the CPU pipeline (MLIR ExecutionEngine), or,
/// for a `.so` written by mica-compile (for the CPU or --target=cuda: the
/// same ABI), loaded and run through its C ABI.
///
///   mica-run model.{mlir,onnx,onnxtxt,pb,pbtxt}|libmodel.so [--reference]
///       [--threads N] [--benchmark N] [--warmup W] [--compare-reference]
///       [--entry NAME]
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

#include "mica/Compiler/Compiler.h"
#include "mica/InitAll.h"
#include "mica/Reference/Evaluator.h"
#include "mica/Reference/TensorIO.h"
#include "mica/Runtime/MicaModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

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
static cl::opt<unsigned> benchmarkRuns(
    "benchmark", cl::init(0),
    cl::desc("Time N runs of the compiled model and print min/p50/p90/p99"));
static cl::opt<unsigned> warmupRuns("warmup", cl::init(3),
                                    cl::desc("Untimed runs before --benchmark"));
static cl::opt<bool> compareReference(
    "compare-reference",
    cl::desc("Also evaluate with the reference evaluator on the same inputs "
             "and print the per-output max error (fails beyond --rtol/--atol)"));
static cl::opt<bool> specializeShapes(
    "specialize-shapes",
    cl::desc("JIT: compile for the shapes of the given inputs (needed by "
             "ops whose lowering wants static dims: conv over a dynamic "
             "length, lstm with a dynamic batch)"));
static cl::opt<int64_t> minParallelMacs(
    "min-parallel-macs", cl::init(262144),
    cl::desc("JIT: contractions below this many multiply-accumulates run on "
             "one thread"));
static cl::opt<int64_t> minParallelElements(
    "min-parallel-elements", cl::init(32768),
    cl::desc("JIT: elementwise and reduction ops with fewer iteration points "
             "run on one thread"));
static cl::opt<std::string> externKernels(
    "extern", cl::init("none"),
    cl::desc("JIT: ops handed to oneDNN kernels (none, auto, "
             "onednn[:lstm,matmul])"));
static cl::opt<std::string> precision(
    "precision", cl::init("fp32"),
    cl::desc("JIT: compute type of the matmul kernels: fp32, or bf16 (native "
             "weight matmuls on AVX-512 BF16 dot products and --extern "
             "oneDNN ops in bf16; f32 accumulation, inputs and outputs)"));
static cl::opt<bool> rewrites(
    "rewrites", cl::init(true),
    cl::desc("Run the graph rewrites when JIT-compiling (default on)"));

/// Prints "mica-run: error: <message>" and returns failure.
static LogicalResult error(const Twine &message) {
  llvm::errs() << "mica-run: error: " << message << "\n";
  return failure();
}

//===----------------------------------------------------------------------===//
// Model loading
//===----------------------------------------------------------------------===//

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

/// One input or output of the model: name (empty when absent), element
/// type and dims (-1 dynamic).
struct Slot {
  std::string name;
  std::optional<ElementType> type;
  SmallVector<int64_t> shape;
  bool ranked = true;
};

/// Inputs and outputs of the model being run, from the function (reference
/// and JIT modes) or from a compiled library's C ABI.
struct Signature {
  SmallVector<Slot> inputs, outputs;
  SmallVector<std::string> names(bool results) const {
    SmallVector<std::string> n;
    for (const Slot &s : results ? outputs : inputs)
      n.push_back(s.name);
    return n;
  }
};

static Slot slotFromType(Type type, StringAttr name) {
  Slot s;
  s.name = name ? name.str() : "";
  auto ranked = dyn_cast<RankedTensorType>(type);
  s.ranked = static_cast<bool>(ranked);
  if (ranked) {
    s.type = fromMLIRType(ranked.getElementType());
    for (int64_t d : ranked.getShape())
      s.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  }
  return s;
}

static Signature signatureOf(func::FuncOp f) {
  Signature sig;
  for (unsigned i = 0; i < f.getNumArguments(); ++i)
    sig.inputs.push_back(slotFromType(
        f.getArgumentTypes()[i], f.getArgAttrOfType<StringAttr>(i, "mica.name")));
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    sig.outputs.push_back(slotFromType(
        f.getResultTypes()[i], f.getResultAttrOfType<StringAttr>(i, "mica.name")));
  return sig;
}

static std::optional<ElementType> fromABIType(mica_dtype t) {
  switch (t) {
  case MICA_DTYPE_F32:
    return ElementType::F32;
  case MICA_DTYPE_F16:
    return ElementType::F16;
  case MICA_DTYPE_BF16:
    return ElementType::BF16;
  case MICA_DTYPE_I64:
    return ElementType::I64;
  case MICA_DTYPE_I32:
    return ElementType::I32;
  case MICA_DTYPE_I8:
    return ElementType::I8;
  case MICA_DTYPE_BOOL:
    return ElementType::I1;
  default:
    return std::nullopt;
  }
}

/// The C ABI functions a model object is used through. A compiled library
/// must run with its own copies (dlsym): the model object's layout belongs
/// to the runtime linked into that library (a GPU library's, or another
/// Mica version's), not to the one linked into mica-run for JIT models.
struct ModelAPI {
  decltype(&mica_model_num_inputs) num_inputs = &mica_model_num_inputs;
  decltype(&mica_model_num_outputs) num_outputs = &mica_model_num_outputs;
  decltype(&mica_model_input_name) input_name = &mica_model_input_name;
  decltype(&mica_model_input_dtype) input_dtype = &mica_model_input_dtype;
  decltype(&mica_model_input_rank) input_rank = &mica_model_input_rank;
  decltype(&mica_model_input_shape) input_shape = &mica_model_input_shape;
  decltype(&mica_model_output_name) output_name = &mica_model_output_name;
  decltype(&mica_model_output_dtype) output_dtype = &mica_model_output_dtype;
  decltype(&mica_model_output_rank) output_rank = &mica_model_output_rank;
  decltype(&mica_model_output_shape) output_shape = &mica_model_output_shape;
  decltype(&mica_model_run) run = &mica_model_run;
  decltype(&mica_model_error) error = &mica_model_error;
  decltype(&mica_model_output_dims) output_dims = &mica_model_output_dims;
  decltype(&mica_model_output_data) output_data = &mica_model_output_data;
  decltype(&mica_model_destroy) destroy = &mica_model_destroy;

  /// Points every entry at `lib`'s definition; the name of the first
  /// missing one, or "".
  std::string load(llvm::sys::DynamicLibrary &lib) {
    auto get = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          lib.getAddressOfSymbol(name));
      return fn != nullptr;
    };
    if (!get(num_inputs, "mica_model_num_inputs"))
      return "mica_model_num_inputs";
    if (!get(num_outputs, "mica_model_num_outputs"))
      return "mica_model_num_outputs";
    if (!get(input_name, "mica_model_input_name"))
      return "mica_model_input_name";
    if (!get(input_dtype, "mica_model_input_dtype"))
      return "mica_model_input_dtype";
    if (!get(input_rank, "mica_model_input_rank"))
      return "mica_model_input_rank";
    if (!get(input_shape, "mica_model_input_shape"))
      return "mica_model_input_shape";
    if (!get(output_name, "mica_model_output_name"))
      return "mica_model_output_name";
    if (!get(output_dtype, "mica_model_output_dtype"))
      return "mica_model_output_dtype";
    if (!get(output_rank, "mica_model_output_rank"))
      return "mica_model_output_rank";
    if (!get(output_shape, "mica_model_output_shape"))
      return "mica_model_output_shape";
    if (!get(run, "mica_model_run"))
      return "mica_model_run";
    if (!get(error, "mica_model_error"))
      return "mica_model_error";
    if (!get(output_dims, "mica_model_output_dims"))
      return "mica_model_output_dims";
    if (!get(output_data, "mica_model_output_data"))
      return "mica_model_output_data";
    if (!get(destroy, "mica_model_destroy"))
      return "mica_model_destroy";
    return "";
  }
};
static ModelAPI api;

static Signature signatureOf(const mica_model *m) {
  Signature sig;
  auto slot = [](const char *name, mica_dtype t, int rank,
                 const int64_t *shape) {
    Slot s;
    s.name = name ? name : "";
    s.type = fromABIType(t);
    s.shape.assign(shape, shape + rank);
    return s;
  };
  for (int i = 0; i < api.num_inputs(m); ++i)
    sig.inputs.push_back(slot(api.input_name(m, i),
                              api.input_dtype(m, i),
                              api.input_rank(m, i),
                              api.input_shape(m, i)));
  for (int i = 0; i < api.num_outputs(m); ++i)
    sig.outputs.push_back(slot(api.output_name(m, i),
                               api.output_dtype(m, i),
                               api.output_rank(m, i),
                               api.output_shape(m, i)));
  return sig;
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
/// format cannot express it (f32 data for f16/bf16 arguments, integer
/// widths); other mismatches are left for the runner to report.
static HostTensor adaptInput(HostTensor t, const Slot &slot) {
  if (!slot.type || *slot.type == t.getElementType())
    return t;
  if (isFloatType(*slot.type) && t.isFloat())
    return HostTensor::fromDoubles(*slot.type, t.getShape(), t.toDoubles());
  if (!isFloatType(*slot.type) && !t.isFloat())
    return HostTensor::fromInts(*slot.type, t.getShape(), t.toInts());
  return t;
}

/// Collects the model inputs from the flags.
static FailureOr<SmallVector<HostTensor>> gatherInputs(const Signature &sig) {
  Binding inputs{sig.names(false), {}, "argument"};
  inputs.tensors.resize(sig.inputs.size());
  if (!testDataDir.empty() && failed(inputs.bindTestData(testDataDir, "input")))
    return failure();
  if (failed(inputs.bindSpecs(inputSpecs)))
    return failure();
  SmallVector<HostTensor> result;
  std::string missing;
  for (auto [i, t] : llvm::enumerate(inputs.tensors)) {
    const Slot &slot = sig.inputs[i];
    if (t) {
      result.push_back(adaptInput(std::move(*t), slot));
      continue;
    }
    if (seed.getNumOccurrences() == 0 || !slot.type || !slot.ranked) {
      missing += (missing.empty() ? "" : ", ") +
                 displayName(inputs.names, i, "argument");
      continue;
    }
    SmallVector<int64_t> shape;
    for (int64_t d : slot.shape)
      shape.push_back(d < 0 ? dynamicDimSize : d);
    result.push_back(makeRandomTensor(*slot.type, shape, seed + i));
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
static LogicalResult handleOutputs(const Signature &sig,
                                   ArrayRef<HostTensor> outputs) {
  SmallVector<std::string> names = sig.names(true);
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

//===----------------------------------------------------------------------===//
// Compiled models (JIT or a mica-compile library)
//===----------------------------------------------------------------------===//

/// Input buffers and dims as mica_model_run takes them.
struct ABIInputs {
  SmallVector<const void *> data;
  SmallVector<const int64_t *> dims;
};

/// Checks `inputs` against the model's dtypes and ranks and points the C ABI
/// arrays at them (the tensors must outlive the result).
static FailureOr<ABIInputs> toABIInputs(const Signature &sig,
                                        ArrayRef<HostTensor> inputs) {
  ABIInputs abi;
  for (auto [i, t] : llvm::enumerate(inputs)) {
    const Slot &slot = sig.inputs[i];
    if (slot.type && *slot.type != t.getElementType())
      return error("input " + displayName(sig.names(false), i, "argument") +
                   " has type " + t.getTypeString() + ", the model takes " +
                   stringifyElementType(*slot.type));
    if (static_cast<size_t>(t.getRank()) != slot.shape.size())
      return error("input " + displayName(sig.names(false), i, "argument") +
                   " has rank " + Twine(t.getRank()) + ", the model takes " +
                   Twine(slot.shape.size()));
    abi.data.push_back(t.getBytes().data());
    abi.dims.push_back(t.getShape().data());
  }
  return abi;
}

/// One mica_model_run; its error becomes a mica-run error.
static LogicalResult runOnce(mica_model *m, const ABIInputs &in) {
  if (api.run(m, in.data.data(), in.dims.data()) != 0)
    return error(Twine("the compiled model failed: ") + api.error(m));
  return success();
}

/// Runs a compiled model once and copies its outputs.
static FailureOr<SmallVector<HostTensor>>
runCompiled(mica_model *m, const Signature &sig, const ABIInputs &in) {
  if (failed(runOnce(m, in)))
    return failure();
  SmallVector<HostTensor> outputs;
  for (auto [k, slot] : llvm::enumerate(sig.outputs)) {
    const int64_t *d = api.output_dims(m, k);
    HostTensor t(*slot.type, ArrayRef<int64_t>(d, slot.shape.size()));
    std::memcpy(t.getMutableBytes().data(), api.output_data(m, k),
                t.getMutableBytes().size());
    outputs.push_back(std::move(t));
  }
  return outputs;
}

/// Times --benchmark runs after --warmup and prints the distribution.
static LogicalResult benchmark(mica_model *m, const ABIInputs &in) {
  for (unsigned i = 0; i < warmupRuns; ++i)
    if (failed(runOnce(m, in)))
      return failure();
  std::vector<double> ms;
  for (unsigned i = 0; i < benchmarkRuns; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    LogicalResult ran = runOnce(m, in);
    auto t1 = std::chrono::steady_clock::now();
    if (failed(ran))
      return failure();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1,
                       static_cast<size_t>(p / 100.0 * (ms.size() - 1) + 0.5))];
  };
  double mean = 0;
  for (double v : ms)
    mean += v;
  mean /= ms.size();
  llvm::outs() << llvm::format(
      "benchmark: %u runs, ms: min %.4f p50 %.4f p90 %.4f p99 %.4f mean %.4f "
      "spread(p90-p10)/p50 %.1f%%\n",
      benchmarkRuns.getValue(), ms.front(), pct(50), pct(90), pct(99), mean,
      100.0 * (pct(90) - pct(10)) / pct(50));
  return success();
}

/// Prints the max error of each compiled output against the reference
/// evaluator's; fails beyond the tolerances.
static LogicalResult compareWithReference(const Signature &sig,
                                          ArrayRef<HostTensor> compiled,
                                          ArrayRef<HostTensor> reference) {
  bool allPass = true;
  for (auto [k, t] : llvm::enumerate(compiled)) {
    std::string label = "compare output " + std::to_string(k) +
                        (sig.outputs[k].name.empty()
                             ? std::string()
                             : " '" + sig.outputs[k].name + "'");
    allPass &= compareOutput(label, t, reference[k]);
  }
  if (!allPass)
    return error(llvm::formatv("compiled outputs differ from the reference "
                               "evaluator (rtol {0:e}, atol {1:e})",
                               relTol.getValue(), absTol.getValue())
                     .str());
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM y(argc, argv);
  static cl::OptionCategory runCategory("mica-run options");
  // libLLVM/libMLIR register a hidden "threads" option: replace it.
  if (cl::Option *other = cl::getRegisteredOptions().lookup("threads"))
    other->removeArgument();
  cl::opt<unsigned> threads("threads", cl::init(1),
                            cl::desc("Threads when JIT-compiling"),
                            cl::cat(runCategory));
  for (cl::Option *o : std::initializer_list<cl::Option *>{
           &modelPath, &useReference, &entryName, &testDataDir, &seed,
           &dynamicDimSize, &check, &relTol, &absTol, &outputDir,
           &printOutputs, &benchmarkRuns, &warmupRuns, &compareReference,
           &rewrites, &specializeShapes, &minParallelMacs,
           &minParallelElements})
    o->addCategory(runCategory);
  // cl::list overloads operator&: register the lists directly.
  inputSpecs.addCategory(runCategory);
  expectedSpecs.addCategory(runCategory);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv, "Mica model runner\n");

  // A library written by mica-compile: dlopen it and use its C ABI.
  if (StringRef(modelPath).ends_with(".so")) {
    if (useReference || compareReference) {
      (void)error("--reference and --compare-reference need the model file, "
                  "not a compiled library");
      return 1;
    }
    std::string message;
    // dlopen searches the library path for names without a slash.
    SmallString<256> libPath(modelPath);
    (void)llvm::sys::fs::make_absolute(libPath);
    auto lib = llvm::sys::DynamicLibrary::getPermanentLibrary(
        libPath.c_str(), &message);
    if (!lib.isValid()) {
      (void)error("cannot load '" + modelPath + "': " + message);
      return 1;
    }
    auto create = reinterpret_cast<mica_model *(*)()>(
        lib.getAddressOfSymbol("mica_model_create"));
    if (!create) {
      (void)error("'" + modelPath + "' is not a Mica model (no "
                  "mica_model_create)");
      return 1;
    }
    if (std::string missing = api.load(lib); !missing.empty()) {
      (void)error("'" + modelPath + "' is not a Mica model (no " + missing +
                  ")");
      return 1;
    }
    mica_model *m = create();
    if (!m) {
      (void)error("mica_model_create failed");
      return 1;
    }
    // A GPU model without a usable driver/GPU is created with its reason.
    if (const char *why = api.error(m); why && *why) {
      (void)error("cannot run '" + modelPath + "': " + why);
      api.destroy(m);
      return 1;
    }
    Signature sig = signatureOf(m);
    FailureOr<SmallVector<HostTensor>> inputs = gatherInputs(sig);
    if (failed(inputs))
      return 1;
    FailureOr<ABIInputs> abi = toABIInputs(sig, *inputs);
    if (failed(abi))
      return 1;
    FailureOr<SmallVector<HostTensor>> outputs = runCompiled(m, sig, *abi);
    if (failed(outputs) || failed(handleOutputs(sig, *outputs)))
      return 1;
    int rc = benchmarkRuns && failed(benchmark(m, *abi)) ? 1 : 0;
    api.destroy(m);
    return rc;
  }

  DialectRegistry registry;
  mica::registerAllDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  ScopedDiagnosticHandler remarkFilter(&context, [](Diagnostic &d) {
    return success(d.getSeverity() == DiagnosticSeverity::Remark);
  });

  OwningOpRef<ModuleOp> module =
      mica::loadModelFile(modelPath, &context, sourceMgr);
  if (!module)
    return 1;
  FailureOr<func::FuncOp> entry = findEntry(*module);
  if (failed(entry))
    return 1;
  Signature sig = signatureOf(*entry);
  FailureOr<SmallVector<HostTensor>> inputs = gatherInputs(sig);
  if (failed(inputs))
    return 1;
  if (useReference) {
    if (benchmarkRuns || compareReference) {
      (void)error("--benchmark and --compare-reference run compiled models; "
                  "drop --reference");
      return 1;
    }
    FailureOr<SmallVector<HostTensor>> outputs = evaluate(*entry, *inputs);
    if (failed(outputs))
      return 1;
    return failed(handleOutputs(sig, *outputs)) ? 1 : 0;
  }

  // JIT: the reference (when asked for) runs on the imported module first.
  std::optional<SmallVector<HostTensor>> reference;
  if (compareReference) {
    FailureOr<SmallVector<HostTensor>> r = evaluate(*entry, *inputs);
    if (failed(r))
      return 1;
    reference = std::move(*r);
  }
  mica::MicaCPUPipelineOptions options;
  options.entry = entry->getSymName().str();
  options.threads = threads;
  options.minParallelMacs = minParallelMacs;
  options.minParallelElements = minParallelElements;
  options.recognizeLSTM = rewrites;
  options.fuseBert = rewrites;
  options.combineParallelDense = rewrites;
  options.externKernels = externKernels;
  options.precision = precision;
  if (specializeShapes) {
    SmallVector<std::string> shapes;
    for (auto [i, t] : llvm::enumerate(*inputs)) {
      std::string spec = std::to_string(i) + ":";
      for (auto [k, d] : llvm::enumerate(t.getShape()))
        spec += (k ? "x" : "") + std::to_string(d);
      if (t.getRank() == 0)
        continue;
      shapes.push_back(spec);
    }
    options.argShapes = shapes;
  }
  if (failed(mica::lowerToLLVMDialect(*module, options)))
    return 1;
  std::string message;
  std::unique_ptr<mica::JitModel> jit =
      mica::JitModel::create(*module, threads > 1, message);
  if (!jit) {
    (void)error(message);
    return 1;
  }
  FailureOr<ABIInputs> abi = toABIInputs(sig, *inputs);
  if (failed(abi))
    return 1;
  FailureOr<SmallVector<HostTensor>> outputs =
      runCompiled(jit->get(), sig, *abi);
  if (failed(outputs) || failed(handleOutputs(sig, *outputs)))
    return 1;
  if (reference && failed(compareWithReference(sig, *outputs, *reference)))
    return 1;
  if (benchmarkRuns && failed(benchmark(jit->get(), *abi)))
    return 1;
  return 0;
}
