//===- Pipeline.cpp - C API to run textual pass pipelines -----------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica-c/Pipeline.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Support.h"
#include "mlir/CAPI/Utils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;

/// Returns the body of `pipeline` when it is wrapped in an anchor that a
/// module pass manager can take as is (`builtin.module(...)` or `any(...)`),
/// std::nullopt otherwise. parsePassPipeline(text, pm) adds `text` *inside*
/// `pm`, so handing it the wrapped form would nest a second module pass
/// manager whose passes never run: the wrapper must be peeled first.
static std::optional<StringRef> stripModuleAnchor(StringRef pipeline) {
  pipeline = pipeline.trim();
  for (StringRef anchor : {"builtin.module", "any"}) {
    StringRef rest = pipeline;
    if (!rest.consume_front(anchor))
      continue;
    rest = rest.ltrim();
    if (!rest.starts_with("(") || !rest.ends_with(")"))
      continue;
    // The opening parenthesis must be closed by the very last character
    // ("builtin.module(a),func.func(b)" is not wrapped). Pass options in
    // braces may contain anything and are skipped.
    int parens = 0, braces = 0;
    size_t closing = StringRef::npos;
    for (size_t i = 0, e = rest.size(); i < e && closing == StringRef::npos;
         ++i) {
      char c = rest[i];
      if (c == '{')
        ++braces;
      else if (c == '}')
        braces = std::max(0, braces - 1);
      else if (braces == 0 && c == '(')
        ++parens;
      else if (braces == 0 && c == ')' && --parens == 0)
        closing = i;
    }
    if (closing == rest.size() - 1)
      return rest.drop_front().drop_back().trim();
  }
  return std::nullopt;
}

/// Prints `loc` as "file:line:col" when it has such a location inside (the
/// way mlir-opt reports them), as the location attribute otherwise.
static void printLocation(Location loc, llvm::raw_ostream &os) {
  if (auto fileLoc = loc->findInstanceOf<FileLineColRange>()) {
    os << fileLoc.getFilename().getValue() << ":" << fileLoc.getStartLine()
       << ":" << fileLoc.getStartColumn();
    return;
  }
  os << loc;
}

/// Prints `diag` as "<loc>: <severity>: <message>" followed by its notes, one
/// per line.
static void printDiagnostic(Diagnostic &diag, llvm::raw_ostream &os) {
  auto severityName = [](DiagnosticSeverity severity) {
    switch (severity) {
    case DiagnosticSeverity::Error:
      return "error";
    case DiagnosticSeverity::Warning:
      return "warning";
    case DiagnosticSeverity::Note:
      return "note";
    case DiagnosticSeverity::Remark:
      return "remark";
    }
    return "error";
  };
  printLocation(diag.getLocation(), os);
  os << ": " << severityName(diag.getSeverity()) << ": " << diag << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note, os);
}

MlirLogicalResult micaRunPassPipeline(MlirModule module, MlirStringRef pipeline,
                                      MlirStringCallback errorCallback,
                                      void *userData) {
  ModuleOp moduleOp = unwrap(module);
  MLIRContext *ctx = moduleOp.getContext();

  // Everything reported while parsing and running goes to `messages`; it is
  // handed to the callback only when the pipeline fails.
  std::string messages;
  llvm::raw_string_ostream os(messages);
  auto fail = [&]() {
    os.flush();
    if (errorCallback && !messages.empty())
      errorCallback(wrap(StringRef(messages)), userData);
    return wrap(failure());
  };
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    printDiagnostic(diag, os);
    return success();
  });

  StringRef text = unwrap(pipeline);
  if (std::optional<StringRef> body = stripModuleAnchor(text))
    text = *body;

  PassManager pm(ctx, ModuleOp::getOperationName(),
                 OpPassManager::Nesting::Implicit);
  if (failed(parsePassPipeline(text, pm, os))) {
    os.flush();
    if (messages.empty() || messages.back() != '\n')
      os << "\n";
    return fail();
  }
  if (failed(pm.run(moduleOp))) {
    if (messages.empty())
      os << "pass pipeline '" << unwrap(pipeline) << "' failed\n";
    return fail();
  }
  return wrap(success());
}
