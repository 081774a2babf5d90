//===- Recurrent.cpp - lower mica.lstm and mica.gru to linalg + scf -------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A recurrence becomes, per direction:
///   * the input projection of all steps at once, `x . W[d]^T + bias`, as a
///     mica.dense over [T, B, I] (lowered by the contraction patterns into
///     one big linalg.matmul);
///   * an scf.for over the T steps whose iter_args are the states h (and c)
///     [B, H] and the output y [T, D, B, H]; each step extracts its slice of
///     the projection (step T-1-t in the reverse direction), runs the
///     recurrent linalg.matmul `h . R[d]^T` (transposed-B indexing maps), one
///     gate linalg.generic producing the new states (gate blocks are read
///     from the [B, G, H] views through constant indices in the indexing
///     maps), and inserts h into y.
/// y_h / y_c are the final states inserted per direction. With
/// sequence_lens, a batch entry is active at time t when t < len: inactive
/// entries keep their states and write zero into y. Walking the reverse
/// direction from T-1 down, an entry therefore starts at len-1, as the
/// reference does. Static B and I; T may be dynamic.
///
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "mica/Conversion/MicaToLinalg/MicaToLinalg.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mica;
using namespace mica::linalg_lowering;

namespace {

/// Row `d` of a [D, ...] tensor as a rank-reduced slice (static shapes).
Value sliceDir(OpBuilder &b, Location loc, Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t r = t.getRank();
  SmallVector<OpFoldResult> offs(r, b.getIndexAttr(0)), sizes, strides(
                                                               r,
                                                               b.getIndexAttr(
                                                                   1));
  offs[0] = b.getIndexAttr(d);
  sizes.push_back(b.getIndexAttr(1));
  for (int64_t i = 1; i < r; ++i)
    sizes.push_back(b.getIndexAttr(t.getDimSize(i)));
  auto type = RankedTensorType::get(t.getShape().drop_front(),
                                    t.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, type, v, offs, sizes,
                                        strides);
}

/// Columns [off, off + n) of a 1-D tensor.
Value slice1D(OpBuilder &b, Location loc, Value v, int64_t off, int64_t n) {
  auto t = cast<RankedTensorType>(v.getType());
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({n}, t.getElementType()), v,
      ArrayRef<OpFoldResult>{b.getIndexAttr(off)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(n)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
}

/// Rows [off, off + n) of a 2-D tensor.
Value sliceRows(OpBuilder &b, Location loc, Value v, int64_t off, int64_t n) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t cols = t.getDimSize(1);
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({n, cols}, t.getElementType()), v,
      ArrayRef<OpFoldResult>{b.getIndexAttr(off), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(n), b.getIndexAttr(cols)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
}

/// `a [M, K] . w [N, K]^T` as a linalg.matmul with transposed-B maps into a
/// zero fill.
Value matmulTransB(OpBuilder &b, Location loc, Value a, Value w) {
  MLIRContext *ctx = b.getContext();
  auto at = cast<RankedTensorType>(a.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  Type elt = at.getElementType();
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{at.getDimSize(0), wt.getDimSize(0)}, elt);
  Value acc =
      linalg::FillOp::create(b, loc, scalarConst(b, loc, elt, 0.0), empty)
          .getResult(0);
  auto mm = linalg::MatmulOp::create(b, loc, TypeRange{acc.getType()},
                                     ValueRange{a, w}, ValueRange{acc});
  AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
             dk = getAffineDimExpr(2, ctx);
  mm.setIndexingMapsAttr(b.getAffineMapArrayAttr(
      {AffineMap::get(3, 0, {dm, dk}, ctx), AffineMap::get(3, 0, {dn, dk}, ctx),
       AffineMap::get(3, 0, {dm, dn}, ctx)}));
  return mm.getResult(0);
}

/// `v [B, G*H]` viewed as [B, G, H].
Value splitGates(OpBuilder &b, Location loc, Value v, int64_t gates) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t h = t.getDimSize(1) / gates;
  return tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({t.getDimSize(0), gates, h}, t.getElementType()),
      v, SmallVector<ReassociationIndices>{{0}, {1, 2}});
}

/// Operands of a gate generic over [B, H]: a value and how (b, j) reads it.
struct GateInputs {
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  MLIRContext *ctx;

  /// Gate `g` of a [B, G, H] tensor.
  int64_t gate(Value v, int64_t g) {
    return add(v, {getAffineDimExpr(0, ctx), getAffineConstantExpr(g, ctx),
                   getAffineDimExpr(1, ctx)});
  }
  /// Gate `g` of a [G, H] tensor (biases, peepholes).
  int64_t row(Value v, int64_t g) {
    return add(v, {getAffineConstantExpr(g, ctx), getAffineDimExpr(1, ctx)});
  }
  /// A [B, H] tensor.
  int64_t full(Value v) {
    return add(v, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)});
  }
  int64_t add(Value v, ArrayRef<AffineExpr> e) {
    values.push_back(v);
    maps.push_back(AffineMap::get(2, 0, e, ctx));
    return values.size() - 1;
  }
};

/// A generic over [B, H] writing into `outs` ([B, H] each; the body
/// receives their current elements after the inputs'). The states are
/// updated in place (outs = the loop's iter_args), so one-shot bufferization
/// finds each yielded state equivalent to its iter_arg.
SmallVector<Value> buildGateGeneric(
    OpBuilder &b, Location loc, GateInputs &in, ValueRange outs,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps = in.maps;
  SmallVector<Type> types;
  for (Value o : outs) {
    maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));
    types.push_back(o.getType());
  }
  SmallVector<utils::IteratorType> its(2, utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, types, in.values, outs, maps, its,
      [&](OpBuilder &bb, Location l, ValueRange args) {
        linalg::YieldOp::create(bb, l, body(bb, l, args));
      });
  return SmallVector<Value>(op.getResults());
}

/// Shared shape checks and operands of lstm/gru; fails on what the lowering
/// does not handle.
struct RnnShape {
  int64_t T, B, I, H, D; // T may be dynamic
  Type elt;
};

template <typename OpT>
FailureOr<RnnShape> getRnnShape(OpT op, Value x, int64_t gates,
                                ConversionPatternRewriter &rewriter) {
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() != 3 || xt.isDynamicDim(1) || xt.isDynamicDim(2))
    return rewriter.notifyMatchFailure(op, "needs static B and I in [T, B, I]");
  RnnShape s;
  s.T = xt.getDimSize(0);
  s.B = xt.getDimSize(1);
  s.I = xt.getDimSize(2);
  s.H = op.getHiddenSize();
  s.D = op.getDirection() == RnnDirection::bidirectional ? 2 : 1;
  s.elt = xt.getElementType();
  auto wt = cast<RankedTensorType>(op.getW().getType());
  auto rt = cast<RankedTensorType>(op.getR().getType());
  if (wt.getShape() != ArrayRef<int64_t>{s.D, gates * s.H, s.I} ||
      rt.getShape() != ArrayRef<int64_t>{s.D, gates * s.H, s.H})
    return rewriter.notifyMatchFailure(op, "w/r shapes do not match");
  return s;
}

/// Initial state `d` ([B, H]) from an optional [D, B, H] operand, or zeros.
Value initialState(OpBuilder &b, Location loc, Value v, int64_t d,
                   const RnnShape &s) {
  if (v)
    return sliceDir(b, loc, v, d);
  Value e = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{s.B, s.H}, s.elt);
  return linalg::FillOp::create(b, loc, scalarConst(b, loc, s.elt, 0.0), e)
      .getResult(0);
}

/// A zero tensor of `shape`.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elt) {
  Value e = tensor::EmptyOp::create(b, loc, shape, elt);
  return linalg::FillOp::create(b, loc, scalarConst(b, loc, elt, 0.0), e)
      .getResult(0);
}

/// Inserts `h` [B, H] into `y` [T, D, B, H] at (t, d).
Value insertStep(OpBuilder &b, Location loc, Value h, Value y, Value t,
                 int64_t d, const RnnShape &s) {
  SmallVector<OpFoldResult> offs = {t, b.getIndexAttr(d), b.getIndexAttr(0),
                                    b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(1),
                                     b.getIndexAttr(s.B), b.getIndexAttr(s.H)};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, h, y, offs, sizes, strides);
}

/// Inserts `h` [B, H] into `out` [D, B, H] at d.
Value insertDir(OpBuilder &b, Location loc, Value h, Value out, int64_t d,
                const RnnShape &s) {
  SmallVector<OpFoldResult> offs = {b.getIndexAttr(d), b.getIndexAttr(0),
                                    b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(s.B),
                                     b.getIndexAttr(s.H)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, h, out, offs, sizes, strides);
}

/// The input projection of direction `d` for all steps, as mica.dense:
/// [T, B, I] x W[d]^T (+ bias) -> [T, B, G*H], and its per-step slice.
Value projectInput(OpBuilder &b, Location loc, Value x, Value w, Value bias,
                   int64_t d, int64_t gates, const RnnShape &s) {
  Value wd = sliceDir(b, loc, w, d);
  auto t = RankedTensorType::get({s.T, s.B, gates * s.H}, s.elt);
  return DenseOp::create(
      b, loc, t, x, wd, bias,
      ActivationAttr::get(b.getContext(), Activation::none));
}

/// Step `t` of the projection [T, B, G*H] as [B, G*H].
Value stepSlice(OpBuilder &b, Location loc, Value xw, Value t) {
  auto xt = cast<RankedTensorType>(xw.getType());
  SmallVector<OpFoldResult> offs = {t, b.getIndexAttr(0), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1),
                                     b.getIndexAttr(xt.getDimSize(1)),
                                     b.getIndexAttr(xt.getDimSize(2))};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(
      b, loc,
      RankedTensorType::get(xt.getShape().drop_front(), xt.getElementType()),
      xw, offs, sizes, strides);
}

/// The time index of loop step `iv`: `T - 1 - iv` in the reverse direction.
Value timeIndex(OpBuilder &b, Location loc, Value iv, bool reverse,
                Value T) {
  if (!reverse)
    return iv;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = arith::SubIOp::create(b, loc, T, one);
  return arith::SubIOp::create(b, loc, last, iv);
}

/// A zero [T, D, B, H] output (T read from `x` when dynamic).
Value zeroOutput(OpBuilder &b, Location loc, Value x, const RnnShape &s) {
  SmallVector<OpFoldResult> dims = {getDim(b, loc, x, 0), b.getIndexAttr(s.D),
                                    b.getIndexAttr(s.B), b.getIndexAttr(s.H)};
  Value e = tensor::EmptyOp::create(b, loc, dims, s.elt);
  return linalg::FillOp::create(b, loc, scalarConst(b, loc, s.elt, 0.0), e)
      .getResult(0);
}

/// Clamps `v` to [-clip, clip] when a clip is set.
Value clipValue(OpBuilder &b, Location loc, Value v,
                std::optional<double> clip) {
  if (!clip)
    return v;
  Value hi = scalarConst(b, loc, v.getType(), *clip);
  Value lo = scalarConst(b, loc, v.getType(), -*clip);
  return arith::MaximumFOp::create(b, loc,
                                   arith::MinimumFOp::create(b, loc, v, hi), lo);
}

/// `active ? v : old` and `active ? v : 0` for a sequence_lens step:
/// `active` is t < len (len read as i64).
struct StepMask {
  Value active;
  Value zero;

  static StepMask build(OpBuilder &b, Location loc, Value len, Value t,
                        Type elt) {
    Type i64 = b.getI64Type();
    if (len.getType() != i64)
      len = arith::ExtSIOp::create(b, loc, i64, len);
    Value ti = arith::IndexCastOp::create(b, loc, i64, t);
    return {arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ti, len),
            scalarConst(b, loc, elt, 0.0)};
  }
  Value keep(OpBuilder &b, Location loc, Value v, Value old) const {
    return arith::SelectOp::create(b, loc, active, v, old);
  }
  Value orZero(OpBuilder &b, Location loc, Value v) const {
    return arith::SelectOp::create(b, loc, active, v, zero);
  }
};

/// mica.lstm ->
///   %xw = mica.dense %x, %w[d] bias(%wb[d] + %rb[d])        [T, B, 4H]
///   scf.for %t iter_args(%h, %c, %y) {
///     %hr = linalg.matmul %h, %r[d]^T                        [B, 4H]
///     %h', %c' = linalg.generic (i, o, f, c gates, peepholes, clip)
///     %y' = tensor.insert_slice %h' into %y[t, d]
///   }
struct LSTMLowering : OpConversionPattern<LSTMOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LSTMOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<RnnShape> shape =
        getRnnShape(op, adaptor.getInput(), 4, rewriter);
    if (failed(shape))
      return failure();
    const RnnShape &s = *shape;
    std::optional<double> clip;
    if (op.getClip())
      clip = op.getClip()->convertToDouble();
    auto stateT = RankedTensorType::get({s.B, s.H}, s.elt);
    Value y = zeroOutput(rewriter, loc, adaptor.getInput(), s);
    Value tLen =
        toValue(rewriter, loc, getDim(rewriter, loc, adaptor.getInput(), 0));
    Value yh = zeros(rewriter, loc, {s.D, s.B, s.H}, s.elt);
    Value yc = zeros(rewriter, loc, {s.D, s.B, s.H}, s.elt);
    MLIRContext *ctx = rewriter.getContext();

    for (int64_t d = 0; d < s.D; ++d) {
      bool reverse = op.getDirection() == RnnDirection::reverse || d == 1;
      Value bias;
      if (Value b = adaptor.getB()) {
        Value bd = sliceDir(rewriter, loc, b, d);
        auto bt = RankedTensorType::get({4 * s.H}, s.elt);
        bias = AddOp::create(rewriter, loc, bt,
                             slice1D(rewriter, loc, bd, 0, 4 * s.H),
                             slice1D(rewriter, loc, bd, 4 * s.H, 4 * s.H));
      }
      Value xw = projectInput(rewriter, loc, adaptor.getInput(),
                              adaptor.getW(), bias, d, 4, s);
      Value rd = sliceDir(rewriter, loc, adaptor.getR(), d);
      Value peep;
      if (Value p = adaptor.getPeepholes())
        peep = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get({3, s.H}, s.elt),
            sliceDir(rewriter, loc, p, d),
            SmallVector<ReassociationIndices>{{0, 1}});
      Value h0 = initialState(rewriter, loc, adaptor.getInitialH(), d, s);
      Value c0 = initialState(rewriter, loc, adaptor.getInitialC(), d, s);

      Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value ub = tLen;
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      auto loop = scf::ForOp::create(
          rewriter, loc, lb, ub, one, ValueRange{h0, c0, y},
          [&](OpBuilder &b, Location l, Value iv, ValueRange state) {
            Value t = timeIndex(b, l, iv, reverse, tLen);
            Value xs = splitGates(b, l, stepSlice(b, l, xw, t), 4);
            Value hr = splitGates(b, l, matmulTransB(b, l, state[0], rd), 4);
            GateInputs in{{}, {}, ctx};
            // Gate blocks: i = 0, o = 1, f = 2, c = 3; peepholes i, o, f.
            int64_t xi = in.gate(xs, 0), xo = in.gate(xs, 1),
                    xf = in.gate(xs, 2), xc = in.gate(xs, 3);
            int64_t ri = in.gate(hr, 0), ro = in.gate(hr, 1),
                    rf = in.gate(hr, 2), rc = in.gate(hr, 3);
            int64_t pi = -1, po = -1, pf = -1;
            if (peep) {
              pi = in.row(peep, 0);
              po = in.row(peep, 1);
              pf = in.row(peep, 2);
            }
            Value lens = adaptor.getSequenceLens();
            int64_t il = -1;
            if (lens)
              il = in.add(lens, {getAffineDimExpr(0, ctx)});
            int64_t hh = in.values.size();     // the h out operand (old h)
            int64_t cc = in.values.size() + 1; // the c out operand
            SmallVector<Value> outs = {state[0], state[1]};
            if (lens)
              outs.push_back(tensor::EmptyOp::create(b, l, stateT.getShape(),
                                                     s.elt));
            SmallVector<Value> next = buildGateGeneric(
                b, l, in, outs,
                [&](OpBuilder &bb, Location ll, ValueRange a) {
                  auto add = [&](Value p, Value q) -> Value {
                    return arith::AddFOp::create(bb, ll, p, q);
                  };
                  auto mul = [&](Value p, Value q) -> Value {
                    return arith::MulFOp::create(bb, ll, p, q);
                  };
                  Value c = a[cc];
                  Value iPre = add(a[xi], a[ri]), fPre = add(a[xf], a[rf]);
                  if (pi >= 0) {
                    iPre = add(iPre, mul(a[pi], c));
                    fPre = add(fPre, mul(a[pf], c));
                  }
                  Value ig = buildSigmoid(bb, ll, clipValue(bb, ll, iPre, clip));
                  Value fg = buildSigmoid(bb, ll, clipValue(bb, ll, fPre, clip));
                  Value gg = math::TanhOp::create(
                      bb, ll, clipValue(bb, ll, add(a[xc], a[rc]), clip));
                  Value nc = add(mul(fg, c), mul(ig, gg));
                  Value oPre = add(a[xo], a[ro]);
                  if (po >= 0)
                    oPre = add(oPre, mul(a[po], nc));
                  Value og = buildSigmoid(bb, ll, clipValue(bb, ll, oPre, clip));
                  Value nh = mul(og, math::TanhOp::create(bb, ll, nc));
                  if (il < 0)
                    return SmallVector<Value>{nh, nc};
                  StepMask m = StepMask::build(bb, ll, a[il], t, s.elt);
                  return SmallVector<Value>{m.keep(bb, ll, nh, a[hh]),
                                            m.keep(bb, ll, nc, c),
                                            m.orZero(bb, ll, nh)};
                });
            Value ny = insertStep(b, l, lens ? next[2] : next[0], state[2], t,
                                  d, s);
            scf::YieldOp::create(b, l, ValueRange{next[0], next[1], ny});
          });
      y = loop.getResult(2);
      yh = insertDir(rewriter, loc, loop.getResult(0), yh, d, s);
      yc = insertDir(rewriter, loc, loop.getResult(1), yc, d, s);
    }
    rewriter.replaceOp(op, {castTo(rewriter, loc, y, op.getY().getType()),
                            castTo(rewriter, loc, yh, op.getYH().getType()),
                            castTo(rewriter, loc, yc, op.getYC().getType())});
    return success();
  }
};

/// mica.gru ->
///   %xw = mica.dense %x, %w[d] bias(%wb[d])                 [T, B, 3H]
///   scf.for %t iter_args(%h, %y) {
///     %hr = linalg.matmul %h, %r[d]^T                        [B, 3H]
///     %z, %r, %rh = linalg.generic (sigmoids, r.h)
///     (default) %m = linalg.matmul %rh, %r[d][2H:3H]^T
///     %h' = linalg.generic ((1-z).tanh(x_h + m + Rbh) + z.h)
///           (linear_before_reset: tanh(x_h + r.(hr_h + Rbh)))
///   }
struct GRULowering : OpConversionPattern<GRUOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GRUOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    FailureOr<RnnShape> shape =
        getRnnShape(op, adaptor.getInput(), 3, rewriter);
    if (failed(shape))
      return failure();
    const RnnShape &s = *shape;
    bool lbr = op.getLinearBeforeReset();
    auto stateT = RankedTensorType::get({s.B, s.H}, s.elt);
    Value y = zeroOutput(rewriter, loc, adaptor.getInput(), s);
    Value tLen =
        toValue(rewriter, loc, getDim(rewriter, loc, adaptor.getInput(), 0));
    Value yh = zeros(rewriter, loc, {s.D, s.B, s.H}, s.elt);
    MLIRContext *ctx = rewriter.getContext();

    for (int64_t d = 0; d < s.D; ++d) {
      bool reverse = op.getDirection() == RnnDirection::reverse || d == 1;
      Value wb, rb;
      if (Value b = adaptor.getB()) {
        Value bd = sliceDir(rewriter, loc, b, d);
        wb = slice1D(rewriter, loc, bd, 0, 3 * s.H);
        rb = tensor::ExpandShapeOp::create(
            rewriter, loc, RankedTensorType::get({3, s.H}, s.elt),
            slice1D(rewriter, loc, bd, 3 * s.H, 3 * s.H),
            SmallVector<ReassociationIndices>{{0, 1}});
      }
      Value xw = projectInput(rewriter, loc, adaptor.getInput(),
                              adaptor.getW(), wb, d, 3, s);
      Value rd = sliceDir(rewriter, loc, adaptor.getR(), d);
      Value rh = sliceRows(rewriter, loc, rd, 2 * s.H, s.H);
      Value h0 = initialState(rewriter, loc, adaptor.getInitialH(), d, s);

      Value lb = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value ub = tLen;
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      auto loop = scf::ForOp::create(
          rewriter, loc, lb, ub, one, ValueRange{h0, y},
          [&](OpBuilder &b, Location l, Value iv, ValueRange state) {
            Value t = timeIndex(b, l, iv, reverse, tLen);
            Value h = state[0];
            Value xs = splitGates(b, l, stepSlice(b, l, xw, t), 3);
            Value hr = splitGates(b, l, matmulTransB(b, l, h, rd), 3);
            auto add = [](OpBuilder &bb, Location ll, Value p,
                          Value q) -> Value {
              return arith::AddFOp::create(bb, ll, p, q);
            };
            auto mul = [](OpBuilder &bb, Location ll, Value p,
                          Value q) -> Value {
              return arith::MulFOp::create(bb, ll, p, q);
            };
            // z, r and r.h (gate blocks z = 0, r = 1, h = 2).
            GateInputs in1{{}, {}, ctx};
            int64_t xz = in1.gate(xs, 0), xr = in1.gate(xs, 1);
            int64_t hz = in1.gate(hr, 0), hrr = in1.gate(hr, 1);
            int64_t hh = in1.full(h);
            int64_t bz = -1, br = -1;
            if (rb) {
              bz = in1.row(rb, 0);
              br = in1.row(rb, 1);
            }
            SmallVector<Value> zrOuts(
                3, tensor::EmptyOp::create(b, l, stateT.getShape(), s.elt));
            SmallVector<Value> zr = buildGateGeneric(
                b, l, in1, zrOuts,
                [&](OpBuilder &bb, Location ll, ValueRange a) {
                  Value zp = add(bb, ll, a[xz], a[hz]);
                  Value rp = add(bb, ll, a[xr], a[hrr]);
                  if (bz >= 0) {
                    zp = add(bb, ll, zp, a[bz]);
                    rp = add(bb, ll, rp, a[br]);
                  }
                  Value z = buildSigmoid(bb, ll, zp);
                  Value r = buildSigmoid(bb, ll, rp);
                  return SmallVector<Value>{z, r, mul(bb, ll, r, a[hh])};
                });
            // The candidate and the new state.
            GateInputs in2{{}, {}, ctx};
            int64_t iz = in2.full(zr[0]), ir = in2.full(zr[1]);
            int64_t ixh = in2.gate(xs, 2);
            int64_t irec = lbr ? in2.gate(hr, 2)
                               : in2.full(matmulTransB(b, l, zr[2], rh));
            int64_t ibh = rb ? in2.row(rb, 2) : -1;
            Value lens = adaptor.getSequenceLens();
            int64_t il = -1;
            if (lens)
              il = in2.add(lens, {getAffineDimExpr(0, ctx)});
            int64_t ih = in2.values.size(); // the h out operand
            SmallVector<Value> outs = {h};
            if (lens)
              outs.push_back(tensor::EmptyOp::create(b, l, stateT.getShape(),
                                                     s.elt));
            SmallVector<Value> res = buildGateGeneric(
                b, l, in2, outs,
                [&](OpBuilder &bb, Location ll, ValueRange a) {
                  Value rec = a[irec];
                  if (ibh >= 0)
                    rec = add(bb, ll, rec, a[ibh]);
                  if (lbr)
                    rec = mul(bb, ll, a[ir], rec);
                  Value cand =
                      math::TanhOp::create(bb, ll, add(bb, ll, a[ixh], rec));
                  Value oneC = scalarConst(bb, ll, s.elt, 1.0);
                  Value keep = arith::SubFOp::create(bb, ll, oneC, a[iz]);
                  Value nv = add(bb, ll, mul(bb, ll, keep, cand),
                                 mul(bb, ll, a[iz], a[ih]));
                  if (il < 0)
                    return SmallVector<Value>{nv};
                  StepMask m = StepMask::build(bb, ll, a[il], t, s.elt);
                  return SmallVector<Value>{m.keep(bb, ll, nv, a[ih]),
                                            m.orZero(bb, ll, nv)};
                });
            Value nh = res[0];
            Value ny = insertStep(b, l, lens ? res[1] : nh, state[1], t, d, s);
            scf::YieldOp::create(b, l, ValueRange{nh, ny});
          });
      y = loop.getResult(1);
      yh = insertDir(rewriter, loc, loop.getResult(0), yh, d, s);
    }
    rewriter.replaceOp(op, {castTo(rewriter, loc, y, op.getY().getType()),
                            castTo(rewriter, loc, yh, op.getYH().getType())});
    return success();
  }
};

} // namespace

void mica::populateMicaRecurrentToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LSTMLowering, GRULowering>(patterns.getContext());
}
