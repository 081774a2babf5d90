//===- mica-import.cpp - import ONNX models into mica IR -------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// `mica-import model.onnx|model.onnxtxt -o out.mlir [--emit-bytecode]
/// [--input-shape name=1x128,...]`: writes the model as a `func.func` of
/// mica ops (textual MLIR with locations by default). Diagnostics print as
/// "model.onnx: node 'name' (OpType): error: message"; any error exits 1.
///
//===----------------------------------------------------------------------===//

#include "mica/Conversion/ONNXToMica/ONNXToMica.h"
#include "mica/Conversion/TFToMica/TFToMica.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model.onnx|model.onnxtxt>"));
static cl::opt<std::string> outputPath("o", cl::desc("Output file"),
                                       cl::value_desc("file"),
                                       cl::init("-"));
static cl::opt<bool> emitBytecode("emit-bytecode",
                                  cl::desc("Write MLIR bytecode"));
static cl::list<std::string>
    inputShapes("input-shape", cl::CommaSeparated,
                cl::desc("Pin input shapes: name=1x128,other=4x?x8"));
static cl::list<std::string> freezeInputs(
    "freeze-input",
    cl::desc("ONNX: import graph input NAME as a constant with the value of "
             "a serialized TensorProto: NAME=FILE.pb (repeatable)"));
static cl::opt<std::string>
    functionName("function-name", cl::desc("Name of the generated function"),
                 cl::init("main"));
static cl::opt<int64_t> maxDenseElements(
    "max-dense-elements",
    cl::desc("Constants up to this many elements stay `dense`"),
    cl::init(16));
static cl::opt<bool> skipChecker("skip-checker",
                                 cl::desc("Do not run the ONNX checker"));
static cl::list<std::string>
    tfInputs("inputs", cl::desc("TF graphs: inputs and shapes, "
                                "x:0=1x784,y=?x128 (default: placeholders)"));
static cl::list<std::string>
    tfOutputs("outputs", cl::CommaSeparated,
              cl::desc("TF graphs: output tensors, out:0,... (default: "
                       "unconsumed nodes)"));
static cl::list<std::string>
    tfConsts("const", cl::desc("TF graphs: tensors fed as constants, "
                               "keep_prob:0=1.0"));
static cl::opt<bool> noDebugInfo("strip-locations",
                                 cl::desc("Print without locations"));

/// Prints diagnostics as "<where>: <severity>: <message>".
static void printDiagnostic(mlir::Diagnostic &diag) {
  StringRef severity = "error";
  switch (diag.getSeverity()) {
  case mlir::DiagnosticSeverity::Note:
    severity = "note";
    break;
  case mlir::DiagnosticSeverity::Warning:
    severity = "warning";
    break;
  case mlir::DiagnosticSeverity::Remark:
    severity = "remark";
    break;
  case mlir::DiagnosticSeverity::Error:
    break;
  }
  std::string where = mica::describeONNXLocation(diag.getLocation());
  if (!where.empty())
    errs() << where << ": ";
  errs() << severity << ": " << diag.str() << "\n";
  for (mlir::Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Mica ONNX importer\n");

  mlir::DialectRegistry registry;
  mica::registerONNXImportDialects(registry);
  mica::registerTFImportDialects(registry);
  mlir::MLIRContext context(registry);
  context.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &diag) { printDiagnostic(diag); });

  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (mica::isTFGraphPath(inputPath)) {
    mica::TFImportOptions tfOptions;
    tfOptions.functionName = functionName;
    tfOptions.maxDenseElements = maxDenseElements;
    tfOptions.outputs.assign(tfOutputs.begin(), tfOutputs.end());
    std::string error;
    for (const std::string &spec : tfInputs)
      if (error.empty())
        error = mica::parseTFInputSpecs(spec, tfOptions.inputs);
    for (const std::string &spec : tfConsts)
      if (error.empty())
        error = mica::parseTFConstSpecs(spec, tfOptions.consts);
    if (!error.empty()) {
      errs() << "error: " << error << "\n";
      return 1;
    }
    module = mica::importTFGraphFile(inputPath, &context, tfOptions);
    if (!module)
      return 1;
  }

  mica::ONNXImportOptions options;
  options.functionName = functionName;
  options.maxDenseElements = maxDenseElements;
  options.runChecker = !skipChecker;
  for (const std::string &spec : inputShapes) {
    std::string error = mica::parseInputShapes(spec, options.inputShapes);
    if (!error.empty()) {
      errs() << "error: --input-shape: " << error << "\n";
      return 1;
    }
  }

  for (StringRef spec : freezeInputs) {
    auto [name, file] = spec.split('=');
    if (name.empty() || file.empty()) {
      errs() << "error: --freeze-input: expected NAME=FILE.pb, got '" << spec
             << "'\n";
      return 1;
    }
    options.frozenInputs[name] = file.str();
  }

  if (!module)
    module = mica::importONNXFile(inputPath, &context, options);
  if (!module)
    return 1;

  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    errs() << "error: " << error << "\n";
    return 1;
  }
  if (emitBytecode) {
    if (failed(mlir::writeBytecodeToFile(*module, output->os())))
      return 1;
  } else {
    mlir::OpPrintingFlags flags;
    if (!noDebugInfo)
      flags.enableDebugInfo();
    module->print(output->os(), flags);
    output->os() << "\n";
  }
  output->keep();
  return 0;
}
