//===- Contraction.cpp - ONNX MatMul/Gemm/Einsum/Conv/pooling to mica ------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Contractions and windowed ops: MatMul (1-D operands through reshapes,
/// N-D batch broadcasting), Gemm (a `mica.dense` when it is a linear layer,
/// else matmul + elementwise ops), Einsum (two-operand contractions with
/// batch dims, transposes and sum reductions of one operand), Conv (with
/// auto_pad), MaxPool, AveragePool and the global pools.
///
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mica;
using namespace mica::onnx_import;

namespace {

/// MatMul: numpy matmul. A 1-D lhs [K] becomes [1, K] and a 1-D rhs [K]
/// becomes [K, 1]; the inserted dim is dropped from the result.
LogicalResult convertMatMul(NodeContext &ctx) {
  auto a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  RankedTensorType aType = ctx.inputType(0), bType = ctx.inputType(1);
  bool aVec = aType.getRank() == 1, bVec = bType.getRank() == 1;
  Value lhs = *a, rhs = *b;
  if (aVec) {
    auto r = ctx.reshape(lhs, {1, aType.getDimSize(0)});
    if (failed(r))
      return failure();
    lhs = *r;
  }
  if (bVec) {
    auto r = ctx.reshape(rhs, {bType.getDimSize(0), 1});
    if (failed(r))
      return failure();
    rhs = *r;
  }
  auto out = ctx.createValue<MatMulOp>(lhs, rhs);
  if (failed(out))
    return failure();
  if (aVec || bVec) {
    auto shape = llvm::to_vector(
        cast<RankedTensorType>(out->getType()).getShape());
    if (bVec)
      shape.erase(shape.end() - 1);
    if (aVec)
      shape.erase(shape.end() - (bVec ? 1 : 2));
    out = ctx.reshape(*out, shape);
    if (failed(out))
      return failure();
  }
  ctx.setResult(0, *out);
  return success();
}

/// Gemm: alpha * A' B' + beta * C. With alpha = 1, no transA and a bias
/// that is a vector over N (or absent) it is one `mica.dense`:
///   Gemm(x, W, b, transB=1)  ->  mica.dense %x, %W bias(%b)
/// (transB = 0 transposes W into the [N, K] layout). Otherwise matmul, mul
/// and add.
LogicalResult convertGemm(NodeContext &ctx) {
  auto a = ctx.requiredInput(0), b = ctx.requiredInput(1);
  if (failed(a) || failed(b))
    return failure();
  Value c = ctx.input(2);
  float alpha = ctx.attrFloat("alpha", 1.0f), beta = ctx.attrFloat("beta", 1.0f);
  bool transA = ctx.attrInt("transA", 0), transB = ctx.attrInt("transB", 0);
  if (ctx.inputType(0).getRank() != 2 || ctx.inputType(1).getRank() != 2)
    return ctx.emitError() << "A and B must be 2-D, got "
                           << ctx.inputType(0) << " and " << ctx.inputType(1);
  Type elt = ctx.inputType(0).getElementType();
  int64_t n = ctx.inputType(1).getDimSize(transB ? 0 : 1);

  // Scale C by beta up front (folds for constant C).
  if (c && beta != 1.0f) {
    auto scaled = ctx.createValue<MulOp>(c, ctx.scalarConstant(elt, beta));
    if (failed(scaled))
      return failure();
    c = *scaled;
  }

  RankedTensorType cType =
      c ? cast<RankedTensorType>(c.getType()) : RankedTensorType();
  bool biasIsVector = c && !ShapedType::isDynamic(n) &&
                      cType.hasStaticShape() && cType.getNumElements() == n &&
                      (cType.getRank() == 1 ||
                       (cType.getRank() == 2 && cType.getDimSize(0) == 1));
  auto transpose = [&](Value v) {
    return ctx.createValue<TransposeOp>(v, ArrayRef<int64_t>{1, 0});
  };
  if (alpha == 1.0f && !transA && isa<FloatType>(elt) &&
      (!c || biasIsVector)) {
    FailureOr<Value> weight = transB ? *b : transpose(*b);
    if (failed(weight))
      return failure();
    Value bias;
    if (c) {
      auto r = ctx.reshape(c, {n});
      if (failed(r))
        return failure();
      bias = *r;
    }
    auto out = ctx.createValue<DenseOp>(*a, *weight, bias, Activation::none);
    if (failed(out))
      return failure();
    ctx.setResult(0, *out);
    return success();
  }

  FailureOr<Value> lhs = transA ? transpose(*a) : *a;
  FailureOr<Value> rhs = transB ? transpose(*b) : *b;
  if (failed(lhs) || failed(rhs))
    return failure();
  auto out = ctx.createValue<MatMulOp>(*lhs, *rhs);
  if (failed(out))
    return failure();
  if (alpha != 1.0f)
    out = ctx.createValue<MulOp>(*out, ctx.scalarConstant(elt, alpha));
  if (succeeded(out) && c)
    out = ctx.createValue<AddOp>(*out, c);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// Parses an einsum term of an operand of rank `rank`, expanding "..." into
/// digits aligned right ('0' + (10 - n + i) for n ellipsis dims, so that
/// broadcast ellipsis dims share names). Fails on invalid terms.
FailureOr<std::string> expandTerm(StringRef term, int64_t rank) {
  std::string out;
  size_t dots = term.find("...");
  int64_t explicitLetters = term.size() - (dots == StringRef::npos ? 0 : 3);
  for (size_t i = 0; i < term.size(); ++i) {
    if (i == dots) {
      int64_t ell = rank - explicitLetters;
      if (ell < 0 || ell > 10)
        return failure();
      for (int64_t k = 0; k < ell; ++k)
        out.push_back('0' + (10 - ell + k));
      i += 2;
      continue;
    }
    if (!llvm::isAlpha(term[i]))
      return failure();
    out.push_back(term[i]);
  }
  if (dots == StringRef::npos && static_cast<int64_t>(out.size()) != rank)
    return failure();
  return out;
}

/// Einsum: one operand -> transpose and/or sum reduction; two operands ->
/// batched matmul (batch letters in both and the output, one contracted
/// letter, at most one free letter per operand) with transposes around it.
/// Repeated letters (diagonals) and other forms are reported unsupported.
LogicalResult convertEinsum(NodeContext &ctx) {
  std::string equation = ctx.attrString("equation", "");
  equation.erase(llvm::remove_if(equation, ::isspace), equation.end());
  auto [lhsText, outText] = StringRef(equation).split("->");
  bool implicitOut = !StringRef(equation).contains("->");
  SmallVector<StringRef> termTexts;
  lhsText.split(termTexts, ',');
  if (termTexts.size() != ctx.numInputs() || termTexts.size() > 2)
    return ctx.emitError() << "einsum '" << equation
                           << "' is not supported (one or two operands)";
  SmallVector<std::string> terms;
  SmallVector<Value> operands;
  for (auto [i, text] : llvm::enumerate(termTexts)) {
    FailureOr<Value> v = ctx.requiredInput(i);
    if (failed(v))
      return failure();
    auto term = expandTerm(text, ctx.inputType(i).getRank());
    if (failed(term))
      return ctx.emitError() << "invalid einsum term '" << text << "' for "
                             << ctx.inputType(i);
    llvm::StringSet<> seen;
    for (char ch : *term)
      if (!seen.insert(StringRef(&ch, 1)).second)
        return ctx.emitError() << "einsum '" << equation
                               << "' with a repeated letter (diagonal) is "
                                  "not supported";
    terms.push_back(*term);
    operands.push_back(*v);
  }
  std::string out;
  if (implicitOut) {
    // Ellipsis dims first, then the letters appearing once, alphabetically.
    std::string all = llvm::join(terms, "");
    for (char ch = '0'; ch <= 'z'; ++ch)
      if ((llvm::isDigit(ch) && llvm::count(all, ch)) ||
          (llvm::isAlpha(ch) && llvm::count(all, ch) == 1))
        out.push_back(ch);
  } else {
    int64_t ell = 0;
    for (const std::string &t : terms)
      ell = std::max<int64_t>(ell, llvm::count_if(t, llvm::isDigit));
    bool dots = outText.contains("...");
    auto expanded =
        expandTerm(outText, outText.size() - (dots ? 3 : 0) + (dots ? ell : 0));
    if (failed(expanded))
      return ctx.emitError() << "invalid einsum output '" << outText << "'";
    out = *expanded;
  }

  // Permutes `v` (letters `from`) into the letter order `to`.
  auto permute = [&](Value v, StringRef from,
                     StringRef to) -> FailureOr<Value> {
    if (from == to)
      return v;
    SmallVector<int64_t> perm;
    for (char ch : to)
      perm.push_back(from.find(ch));
    return ctx.createValue<TransposeOp>(v, perm);
  };

  if (terms.size() == 1) {
    // Sum out letters missing from the output, then transpose.
    std::string kept;
    SmallVector<int64_t> axes;
    for (auto [i, ch] : llvm::enumerate(terms[0])) {
      if (StringRef(out).contains(ch))
        kept.push_back(ch);
      else
        axes.push_back(i);
    }
    Value v = operands[0];
    if (!axes.empty()) {
      auto r = ctx.createValue<ReduceOp>(v, ReduceKind::sum, axes, false);
      if (failed(r))
        return failure();
      v = *r;
    }
    auto res = permute(v, kept, out);
    if (failed(res))
      return failure();
    ctx.setResult(0, *res);
    return success();
  }

  StringRef a = terms[0], b = terms[1];
  std::string batch, contracted, freeA, freeB;
  for (char ch : a) {
    bool inB = b.contains(ch), inOut = StringRef(out).contains(ch);
    if (inB && inOut)
      batch.push_back(ch);
    else if (inB)
      contracted.push_back(ch);
    else if (inOut)
      freeA.push_back(ch);
    else
      return ctx.emitError() << "einsum '" << equation
                             << "' sums out a letter of one operand; not "
                                "supported";
  }
  for (char ch : b)
    if (!a.contains(ch)) {
      if (!StringRef(out).contains(ch))
        return ctx.emitError() << "einsum '" << equation
                               << "' sums out a letter of one operand; not "
                                  "supported";
      freeB.push_back(ch);
    }
  if (contracted.size() != 1 || freeA.size() > 1 || freeB.size() > 1)
    return ctx.emitError() << "einsum '" << equation
                           << "' is not a batched matrix product; not "
                              "supported";
  auto lhs = permute(operands[0], a, batch + freeA + contracted);
  auto rhs = permute(operands[1], b, batch + contracted + freeB);
  if (failed(lhs) || failed(rhs))
    return failure();
  // Missing free letters become unit dims.
  auto addUnit = [&](Value v, int64_t pos) -> FailureOr<Value> {
    auto shape = llvm::to_vector(cast<RankedTensorType>(v.getType()).getShape());
    shape.insert(shape.begin() + shape.size() + pos, 1);
    return ctx.reshape(v, shape);
  };
  if (freeA.empty())
    lhs = addUnit(*lhs, -1);
  if (succeeded(rhs) && freeB.empty())
    rhs = addUnit(*rhs, 0);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto prod = ctx.createValue<MatMulOp>(*lhs, *rhs);
  if (failed(prod))
    return failure();
  if (freeA.empty() || freeB.empty()) {
    auto shape = llvm::to_vector(
        cast<RankedTensorType>(prod->getType()).getShape());
    if (freeB.empty())
      shape.pop_back();
    if (freeA.empty())
      shape.erase(shape.end() - (freeB.empty() ? 1 : 2));
    prod = ctx.reshape(*prod, shape);
    if (failed(prod))
      return failure();
  }
  auto res = permute(*prod, batch + freeA + freeB, out);
  if (failed(res))
    return failure();
  ctx.setResult(0, *res);
  return success();
}

//===----------------------------------------------------------------------===//
// Conv and pooling
//===----------------------------------------------------------------------===//

/// Resolved window attributes of a Conv or pool node.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

/// Reads kernel_shape/strides/dilations/pads/auto_pad for `spatial` dims
/// of `input`; `kernel` is the kernel extent (from the weight for Conv).
FailureOr<Window> resolveWindow(NodeContext &ctx, RankedTensorType input,
                                ArrayRef<int64_t> kernel) {
  int64_t spatial = input.getRank() - 2;
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = ctx.attrInts("strides");
  w.dilations = ctx.attrInts("dilations");
  w.pads = ctx.attrInts("pads");
  if (w.strides.empty())
    w.strides.assign(spatial, 1);
  if (w.dilations.empty())
    w.dilations.assign(spatial, 1);
  if (w.pads.empty())
    w.pads.assign(2 * spatial, 0);
  if (static_cast<int64_t>(w.kernel.size()) != spatial ||
      static_cast<int64_t>(w.strides.size()) != spatial ||
      static_cast<int64_t>(w.dilations.size()) != spatial ||
      static_cast<int64_t>(w.pads.size()) != 2 * spatial)
    return ctx.emitError() << "kernel_shape, strides, dilations and pads "
                              "must match the "
                           << spatial << " spatial dims of " << input;
  for (int64_t k : w.kernel)
    if (ShapedType::isDynamic(k) || k <= 0)
      return ctx.emitError() << "the kernel shape must be static and positive";
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2), s = w.strides[i];
      int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total;
      if (s == 1)
        total = extent - 1;
      else if (!ShapedType::isDynamic(in))
        total = std::max<int64_t>(0, ((in + s - 1) / s - 1) * s + extent - in);
      else
        return ctx.emitError() << "auto_pad " << autoPad
                               << " with stride > 1 needs static spatial "
                                  "dims, got "
                               << input;
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return ctx.emitError() << "invalid auto_pad '" << autoPad << "'";
  }
  return w;
}

/// Conv: `mica.conv` (NCHW, OIHW, optional bias, group).
LogicalResult convertConv(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xType = ctx.inputType(0), wType = ctx.inputType(1);
  if (xType.getRank() < 3 || xType.getRank() > 5 ||
      wType.getRank() != xType.getRank())
    return ctx.emitError() << "Conv needs 1-3 spatial dims and a weight of "
                              "the input rank, got "
                           << xType << " and " << wType;
  SmallVector<int64_t> kernel = ctx.attrInts("kernel_shape");
  if (kernel.empty())
    kernel.assign(wType.getShape().begin() + 2, wType.getShape().end());
  auto window = resolveWindow(ctx, xType, kernel);
  if (failed(window))
    return failure();
  auto out = ctx.createValue<ConvOp>(*x, *w, ctx.input(2), window->strides,
                                     window->dilations, window->pads,
                                     ctx.attrInt("group", 1));
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// ConvTranspose as a stride-1 `mica.conv` over the zero-upsampled input:
///   1. every spatial dim of x gets s - 1 zeros after each element
///      (reshape [.., D, 1, ..] -> pad the unit dim to s -> reshape [.., D*s]),
///   2. is padded by d (k - 1) - pad_begin before and
///      d (k - 1) - pad_end + output_padding - (s - 1) after (a negative
///      amount crops),
///   3. is convolved (dilation d, group g) with the weight turned from
///      [Cin, Cout/g, k..] into [Cout, Cin/g, k..] and flipped spatially.
/// Pads come from `pads`, or from `output_shape` / auto_pad SAME_* (total =
/// s (D - 1) + output_padding + d (k - 1) + 1 - out, split as ONNX does:
/// begin = total / 2 for SAME_UPPER and NOTSET, the larger half for
/// SAME_LOWER).
LogicalResult convertConvTranspose(NodeContext &ctx) {
  auto x = ctx.requiredInput(0), w = ctx.requiredInput(1);
  if (failed(x) || failed(w))
    return failure();
  RankedTensorType xType = ctx.inputType(0), wType = ctx.inputType(1);
  int64_t rank = xType.getRank(), spatial = rank - 2;
  if (rank < 3 || rank > 5 || wType.getRank() != rank ||
      !wType.hasStaticShape() ||
      llvm::any_of(xType.getShape().drop_front(), ShapedType::isDynamic))
    return ctx.emitError() << "ConvTranspose needs 1-3 spatial dims, a static "
                              "weight of the input rank and static input "
                              "dims but the batch, got "
                           << xType << " and " << wType;
  int64_t group = ctx.attrInt("group", 1);
  int64_t cin = xType.getDimSize(1), coutG = wType.getDimSize(1);
  if (group < 1 || cin % group || wType.getDimSize(0) != cin)
    return ctx.emitError() << "weight " << wType << " does not match input "
                           << xType << " with group " << group;
  auto list = [&](StringRef name, int64_t n, int64_t dflt) {
    SmallVector<int64_t> v = ctx.attrInts(name);
    if (v.empty())
      v.assign(n, dflt);
    return v;
  };
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  SmallVector<int64_t> strides = list("strides", spatial, 1),
                       dilations = list("dilations", spatial, 1),
                       pads = list("pads", 2 * spatial, 0),
                       outPad = list("output_padding", spatial, 0);
  SmallVector<int64_t> outShape = ctx.attrInts("output_shape");
  if (static_cast<int64_t>(outShape.size()) == rank)
    outShape.erase(outShape.begin(), outShape.begin() + 2);
  if (static_cast<int64_t>(strides.size()) != spatial ||
      static_cast<int64_t>(dilations.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial ||
      static_cast<int64_t>(outPad.size()) != spatial ||
      (!outShape.empty() && static_cast<int64_t>(outShape.size()) != spatial))
    return ctx.emitError() << "strides, dilations, pads, output_padding and "
                              "output_shape must match the "
                           << spatial << " spatial dims";
  std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
  if (autoPad == "VALID")
    pads.assign(2 * spatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t in = xType.getDimSize(i + 2);
    int64_t full = strides[i] * (in - 1) + outPad[i] +
                   (kernel[i] - 1) * dilations[i] + 1;
    int64_t target;
    if (!outShape.empty())
      target = outShape[i];
    else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
      target = in * strides[i];
    else
      continue;
    int64_t total = full - target;
    int64_t half = total / 2;
    pads[i] = autoPad == "SAME_LOWER" ? total - half : half;
    pads[i + spatial] = total - pads[i];
  }

  // 1. Zero-upsample: [N, C, D1, .., Dn] -> [N, C, D1, 1, .., Dn, 1] ->
  // pad the unit dims to s -> [N, C, D1*s1, .., Dn*sn].
  Value up = *x;
  if (llvm::any_of(strides, [](int64_t s) { return s > 1; })) {
    SmallVector<int64_t> split{xType.getDimSize(0), cin}, merged = split;
    SmallVector<int64_t> upPads(2 * (2 + 2 * spatial), 0);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t d = xType.getDimSize(i + 2);
      split.append({d, 1});
      merged.push_back(d * strides[i]);
      upPads[2 + 2 * spatial + 3 + 2 * i] = strides[i] - 1;
    }
    FailureOr<Value> v = ctx.reshape(up, split);
    if (succeeded(v))
      v = ctx.createValue<PadOp>(*v, PadMode::constant, upPads, APFloat(0.0));
    if (succeeded(v))
      v = ctx.reshape(*v, merged);
    if (failed(v))
      return failure();
    up = *v;
  }
  // 2. Pad (or crop) the upsampled input.
  SmallVector<int64_t> padAmounts(2 * rank, 0);
  SmallVector<int64_t> cropAxes, cropStarts, cropEnds, cropSteps;
  auto upType = cast<RankedTensorType>(up.getType());
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t extent = dilations[i] * (kernel[i] - 1);
    int64_t before = extent - pads[i];
    int64_t after = extent - pads[i + spatial] + outPad[i] - (strides[i] - 1);
    padAmounts[i + 2] = std::max<int64_t>(before, 0);
    padAmounts[rank + i + 2] = std::max<int64_t>(after, 0);
    if (before < 0 || after < 0) {
      cropAxes.push_back(i + 2);
      cropStarts.push_back(std::max<int64_t>(-before, 0));
      cropEnds.push_back(upType.getDimSize(i + 2) + padAmounts[i + 2] -
                         std::max<int64_t>(-after, 0));
      cropSteps.push_back(1);
    }
  }
  if (llvm::any_of(padAmounts, [](int64_t p) { return p > 0; })) {
    auto padded = ctx.createValue<PadOp>(up, PadMode::constant, padAmounts,
                                         APFloat(0.0));
    if (failed(padded))
      return failure();
    up = *padded;
  }
  if (!cropAxes.empty()) {
    auto cropped = ctx.createValue<SliceOp>(up, cropAxes, cropStarts,
                                            cropEnds, cropSteps);
    if (failed(cropped))
      return failure();
    up = *cropped;
  }
  // 3. Weight [Cin, Cout/g, k..] -> [g, Cin/g, Cout/g, k..] -> transpose
  // -> [Cout, Cin/g, k..], flipped along the kernel dims.
  SmallVector<int64_t> grouped{group, cin / group, coutG};
  grouped.append(kernel);
  SmallVector<int64_t> perm{0, 2, 1};
  SmallVector<int64_t> flipAxes, flipStarts, flipEnds, flipSteps;
  SmallVector<int64_t> oihw{group * coutG, cin / group};
  oihw.append(kernel);
  for (int64_t i = 0; i < spatial; ++i) {
    perm.push_back(3 + i);
    flipAxes.push_back(2 + i);
    flipStarts.push_back(-1);
    flipEnds.push_back(-kernel[i] - 1);
    flipSteps.push_back(-1);
  }
  FailureOr<Value> weight = ctx.reshape(*w, grouped);
  if (succeeded(weight))
    weight = ctx.createValue<TransposeOp>(*weight, perm);
  if (succeeded(weight))
    weight = ctx.reshape(*weight, oihw);
  if (succeeded(weight))
    weight = ctx.createValue<SliceOp>(*weight, flipAxes, flipStarts, flipEnds,
                                      flipSteps);
  if (failed(weight))
    return failure();
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  auto out = ctx.createValue<ConvOp>(up, *weight, ctx.input(2), ones,
                                     dilations, zeros, group);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// MaxPool / AveragePool: `mica.pool`.
template <PoolKind kind>
LogicalResult convertPool(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  if (ctx.hasOutput(1))
    return ctx.emitError() << "the Indices output of MaxPool is not supported";
  if (ctx.attrInt("storage_order", 0) != 0)
    return ctx.emitError() << "storage_order = 1 is not supported";
  RankedTensorType xType = ctx.inputType(0);
  if (xType.getRank() < 3)
    return ctx.emitError() << "pooling needs spatial dims, got " << xType;
  auto window = resolveWindow(ctx, xType, ctx.attrInts("kernel_shape"));
  if (failed(window))
    return failure();
  auto out = ctx.createValue<PoolOp>(
      *x, kind, window->kernel, window->strides, window->pads,
      window->dilations, ctx.attrInt("count_include_pad", 0) != 0,
      ctx.attrInt("ceil_mode", 0) != 0);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

/// GlobalAveragePool / GlobalMaxPool: `mica.global_pool`.
template <PoolKind kind>
LogicalResult convertGlobalPool(NodeContext &ctx) {
  FailureOr<Value> x = ctx.requiredInput(0);
  if (failed(x))
    return failure();
  auto out = ctx.createValue<GlobalPoolOp>(*x, kind);
  if (failed(out))
    return failure();
  ctx.setResult(0, *out);
  return success();
}

} // namespace

void onnx_import::populateContractionConverters(ConverterTable &table) {
  table[converterKey("", "MatMul")] = {convertMatMul, 1, 17};
  table[converterKey("", "Gemm")] = {convertGemm, 7, 17};
  table[converterKey("", "Einsum")] = {convertEinsum, 12, 17};
  table[converterKey("", "Conv")] = {convertConv, 1, 17};
  table[converterKey("", "ConvTranspose")] = {convertConvTranspose, 1, 17};
  table[converterKey("", "MaxPool")] = {convertPool<PoolKind::max>, 1, 17};
  table[converterKey("", "AveragePool")] = {convertPool<PoolKind::avg>, 7, 17};
  table[converterKey("", "GlobalAveragePool")] = {
      convertGlobalPool<PoolKind::avg>, 1, 17};
  table[converterKey("", "GlobalMaxPool")] = {convertGlobalPool<PoolKind::max>,
                                              1, 17};
}
