//===- FusionReport.cpp - what the graph rewrites did and why not ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/Transforms/FusionReport.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mica;

std::string FusionReport::nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations()) {
      std::string n = nodeName(inner);
      if (!n.empty())
        return n;
    }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return nodeName(call.getCallee());
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().str() + ":" + std::to_string(file.getLine()) +
            ":" + std::to_string(file.getColumn()));
  return "";
}

void FusionReport::fired(StringRef rewrite, Location loc, const Twine &what) {
  records.push_back({rewrite.str(), true, loc, nodeName(loc), what.str()});
}

void FusionReport::missed(StringRef rewrite, Location loc,
                          const Twine &reason) {
  std::string msg = reason.str();
  for (const Entry &e : records)
    if (!e.fired && e.rewrite == rewrite && e.loc == loc && e.message == msg)
      return;
  records.push_back({rewrite.str(), false, loc, nodeName(loc), msg});
}

void FusionReport::dropResolvedMisses() {
  llvm::erase_if(records, [&](const Entry &miss) {
    return !miss.fired && llvm::any_of(records, [&](const Entry &e) {
      return e.fired && e.rewrite == miss.rewrite && e.loc == miss.loc;
    });
  });
}

/// True when `loc` names a model node (a NameLoc, possibly nested).
static bool hasNodeName(Location loc) {
  if (isa<NameLoc>(loc))
    return true;
  if (auto fused = dyn_cast<FusedLoc>(loc))
    return llvm::any_of(fused.getLocations(), hasNodeName);
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return hasNodeName(call.getCallee());
  return false;
}

std::string FusionReport::nodeSuffix(Location loc) {
  return hasNodeName(loc) ? " [node '" + nodeName(loc) + "']" : "";
}

void FusionReport::emitRemarks() const {
  for (const Entry &e : records) {
    InFlightDiagnostic diag = emitRemark(e.loc);
    diag << e.rewrite << (e.fired ? ": fused: " : ": not fused: ")
         << e.message;
    diag << nodeSuffix(e.loc);
  }
}

/// Records grouped by rewrite, in first-seen order.
static llvm::MapVector<StringRef, SmallVector<const FusionReport::Entry *>>
groupByRewrite(ArrayRef<FusionReport::Entry> records) {
  llvm::MapVector<StringRef, SmallVector<const FusionReport::Entry *>> g;
  for (const FusionReport::Entry &e : records)
    g[e.rewrite].push_back(&e);
  return g;
}

void FusionReport::printText(raw_ostream &os) const {
  os << "Mica fusion report\n";
  if (records.empty())
    os << "  (no rewrite fired or nearly fired)\n";
  for (auto &[name, entries] : groupByRewrite(records)) {
    unsigned fired = llvm::count_if(entries, [](auto *e) { return e->fired; });
    os << name << ": fired " << fired << ", missed " << entries.size() - fired
       << "\n";
    for (const Entry *e : entries)
      if (e->fired)
        os << "  fired  " << e->node << ": " << e->message << "\n";
    for (const Entry *e : entries)
      if (!e->fired)
        os << "  missed " << e->node << ": " << e->message << "\n";
  }
}

void FusionReport::printJSON(raw_ostream &os) const {
  llvm::json::Array rewrites;
  for (auto &[name, entries] : groupByRewrite(records)) {
    llvm::json::Array sites, misses;
    for (const Entry *e : entries) {
      llvm::json::Object o{{"node", e->node}, {"message", e->message}};
      (e->fired ? sites : misses).push_back(std::move(o));
    }
    int64_t fired = sites.size(), missed = misses.size();
    rewrites.push_back(llvm::json::Object{{"name", name},
                                          {"fired", fired},
                                          {"missed", missed},
                                          {"sites", std::move(sites)},
                                          {"misses", std::move(misses)}});
  }
  os << llvm::formatv("{0:2}",
                      llvm::json::Value(llvm::json::Object{
                          {"rewrites", std::move(rewrites)}}))
     << "\n";
}
