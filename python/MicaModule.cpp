//===- MicaModule.cpp - the `mica` Python module ----------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// pybind11 bindings over the C++ library: a Context owns an MLIRContext with
/// every Mica dialect registered; Context.parse gives a Module; Module
/// .run_pipeline runs a textual pass pipeline through the C API entry point
/// (micaRunPassPipeline) so Python, C and the tools share one behaviour.
/// Compiled with -fexceptions; every MLIR failure becomes a MicaError.
///
//===----------------------------------------------------------------------===//

#include "mica-c/Pipeline.h"
#include "mica-c/Registration.h"
#include "mica/InitAll.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Support.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace py = pybind11;

namespace {

/// Raised (as mica.MicaError, a RuntimeError) for IR that does not parse or
/// verify and for pipelines that do not parse or fail; carries the
/// diagnostics.
struct MicaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An MLIRContext with the mica dialect and the upstream dialects Mica uses.
class PyMicaContext {
public:
  PyMicaContext() : context(makeRegistry()) {}

  mlir::MLIRContext &get() { return context; }

private:
  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    mica::registerAllDialects(registry);
    return registry;
  }

  mlir::MLIRContext context;
};

/// A builtin.module owned by Python; keeps its context alive.
class PyMicaModule {
public:
  PyMicaModule(std::shared_ptr<PyMicaContext> context,
           mlir::OwningOpRef<mlir::ModuleOp> module)
      : context(std::move(context)), module(std::move(module)) {}

  /// Runs `pipeline` in place; raises MicaError with the diagnostics.
  void runPipeline(const std::string &pipeline) {
    std::string errors;
    MlirLogicalResult result;
    {
      py::gil_scoped_release release;
      result = micaRunPassPipeline(
          wrap(*module), wrap(llvm::StringRef(pipeline)),
          [](MlirStringRef message, void *userData) {
            static_cast<std::string *>(userData)->append(message.data,
                                                         message.length);
          },
          &errors);
    }
    if (mlirLogicalResultIsFailure(result))
      throw MicaError("pipeline '" + pipeline + "' failed:\n" + errors);
  }

  /// The module in MLIR's custom assembly.
  std::string str() {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return text;
  }

  std::shared_ptr<PyMicaContext> getContext() { return context; }

private:
  // Declared first so that it is destroyed last.
  std::shared_ptr<PyMicaContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// Prints `diag` and its notes as "file:line:col: message", one per line.
void printDiagnostic(mlir::Diagnostic &diag, llvm::raw_ostream &os) {
  mlir::Location loc = diag.getLocation();
  if (auto fileLoc = loc->findInstanceOf<mlir::FileLineColRange>())
    os << fileLoc.getFilename().getValue() << ":" << fileLoc.getStartLine()
       << ":" << fileLoc.getStartColumn();
  else
    os << loc;
  os << ": "
     << (diag.getSeverity() == mlir::DiagnosticSeverity::Note ? "note: " : "")
     << diag << "\n";
  for (mlir::Diagnostic &note : diag.getNotes())
    printDiagnostic(note, os);
}

/// Parses `text` as a module in `context`; raises MicaError with the
/// diagnostics when it does not parse or verify.
PyMicaModule parseModule(std::shared_ptr<PyMicaContext> context,
                     const std::string &text) {
  std::string errors;
  llvm::raw_string_ostream os(errors);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  {
    mlir::ScopedDiagnosticHandler handler(
        &context->get(), [&](mlir::Diagnostic &diag) {
          printDiagnostic(diag, os);
          return mlir::success();
        });
    module = mlir::parseSourceString<mlir::ModuleOp>(
        text, mlir::ParserConfig(&context->get()), "<python>");
  }
  if (!module)
    throw MicaError("cannot parse the module:\n" + errors);
  return PyMicaModule(std::move(context), std::move(module));
}

} // namespace

PYBIND11_MODULE(_mica, m) {
  m.doc() = "Mica: parse mica IR, run Mica pass pipelines, print the result";
  micaRegisterAllPasses();
  micaRegisterAllPipelines();

  py::register_exception<MicaError>(m, "MicaError", PyExc_RuntimeError);

  py::class_<PyMicaContext, std::shared_ptr<PyMicaContext>>(
      m, "Context", "An MLIR context with every Mica dialect registered.")
      .def(py::init<>())
      .def("parse", &parseModule, py::arg("text"),
           "Parses a module (mica, func, arith, tensor ops) from text.");

  py::class_<PyMicaModule>(m, "Module", "A builtin.module owned by Python.")
      .def("run_pipeline", &PyMicaModule::runPipeline, py::arg("pipeline"),
           "Runs a textual pass pipeline in place, e.g. "
           "'mica-refine-shapes{arg-shapes=0:1x128},canonicalize' or "
           "'builtin.module(...)'.")
      .def_property_readonly("context", &PyMicaModule::getContext)
      .def("__str__", &PyMicaModule::str);
}
