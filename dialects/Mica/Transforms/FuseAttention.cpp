//===- FuseAttention.cpp - multi-head self-attention to mica.attention ----===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#include "FuseBertUtils.h"

#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

using namespace mlir;
using namespace mica;

void mica::populateFuseAttentionPatterns(RewritePatternSet &patterns,
                                         FusionReport *report) {}
