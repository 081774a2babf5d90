//===- FusionReport.h - what the graph rewrites did and why not -*- C++ -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The fusion report: every graph rewrite records where it fired and, for
/// each near miss (a structure it recognized but could not rewrite), the
/// first condition that failed. Passes turn the records into MLIR remarks;
/// `mica-fusion-report` prints them as text or JSON.
///
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_TRANSFORMS_FUSIONREPORT_H
#define MICA_DIALECT_MICA_TRANSFORMS_FUSIONREPORT_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mica {

/// Records of one or more rewrite passes over a module.
class FusionReport {
public:
  /// One record: a rewrite fired at `loc`, or missed there for `message`.
  struct Entry {
    std::string rewrite;
    bool fired;
    mlir::Location loc;
    std::string node;
    std::string message;
  };

  /// Records that `rewrite` fired at `loc`; `what` says what it produced.
  void fired(llvm::StringRef rewrite, mlir::Location loc,
             const llvm::Twine &what);
  /// Records a near miss of `rewrite` at `loc` with the failed condition.
  /// Repeated identical records (the same rewrite, place and reason) are
  /// kept once.
  void missed(llvm::StringRef rewrite, mlir::Location loc,
              const llvm::Twine &reason);

  llvm::ArrayRef<Entry> entries() const { return records; }
  /// Forgets near misses at places where the same rewrite fired later.
  void dropResolvedMisses();

  /// Emits one MLIR remark per record ("<rewrite>: fused ..." or
  /// "<rewrite>: not fused: <reason>").
  void emitRemarks() const;
  /// Per rewrite: how often it fired and where, then every near miss.
  void printText(llvm::raw_ostream &os) const;
  /// The same as a JSON object {"rewrites": [{"name", "fired", "missed",
  /// "sites": [...], "misses": [...]}]}.
  void printJSON(llvm::raw_ostream &os) const;

  /// The model node a location names (NameLoc, possibly inside a FusedLoc
  /// or CallSiteLoc), or the printed location.
  static std::string nodeName(mlir::Location loc);
  /// " [node 'NAME']" when `loc` names a model node (importers' locations
  /// print as the model file only), else "": appended to remarks.
  static std::string nodeSuffix(mlir::Location loc);

private:
  llvm::SmallVector<Entry> records;
};

} // namespace mica

#endif // MICA_DIALECT_MICA_TRANSFORMS_FUSIONREPORT_H
