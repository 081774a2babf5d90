//===- MicaDialect.cpp - Mica dialect registration ------------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/MicaDialect.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mica;

#include "mica/Dialect/Mica/IR/MicaDialect.cpp.inc"
#include "mica/Dialect/Mica/IR/MicaEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mica/Dialect/Mica/IR/MicaAttrs.cpp.inc"

void MicaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mica/Dialect/Mica/IR/MicaOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mica/Dialect/Mica/IR/MicaAttrs.cpp.inc"
      >();
}

/// Folders return ElementsAttrs; they become `mica.constant`s. A type that
/// only differs in static information becomes a `tensor.cast`.
Operation *MicaDialect::materializeConstant(OpBuilder &builder,
                                            Attribute value, Type type,
                                            Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || !isa<RankedTensorType>(type))
    return nullptr;
  if (elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
