//===- RecognizeLSTM.cpp - LSTM cells from plain ops to mica.lstm ---------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Recognizes LSTM cells written with plain ops (an unrolled static_rnn, a
/// PyTorch loop traced into ONNX, a hand-written cell) from their structure
/// alone and turns each chain of time steps into one `mica.lstm`:
///
///   gates  = x W (+ h R) (+ b)          one matmul over concat(x, h), or
///                                       separate x and h matmuls / dense
///   a,b,.. = split(gates) or slices     any gate order; or one projection
///                                       per gate
///   c'     = sig(f) * c + sig(i) * tanh(g)
///   h'     = sig(o) * tanh(c')          (+ peepholes on i, f and o)
///
/// Which chunk is which gate follows from the dataflow (tanh -> g, the
/// sigmoid that scales the old cell -> f, the one that scales tanh(g) -> i,
/// the one that scales tanh(c') -> o), never from names; TF scope names only
/// annotate the report. Weights are permuted and packed at compile time into
/// the canonical ONNX layout (blocks i, o, f, c). Forward and reverse chains
/// over the same sequence then merge into one bidirectional `mica.lstm`.
///
//===----------------------------------------------------------------------===//

#include "mica/Dialect/Mica/IR/ConstantUtils.h"
#include "mica/Dialect/Mica/IR/MicaOps.h"
#include "mica/Dialect/Mica/Transforms/FusionReport.h"
#include "mica/Dialect/Mica/Transforms/Passes.h"
#include "mica/Dialect/Mica/Transforms/Transforms.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"

namespace mica {
#define GEN_PASS_DEF_MICARECOGNIZELSTM
#include "mica/Dialect/Mica/Transforms/Passes.h.inc"
} // namespace mica

using namespace mlir;
using namespace mica;

static constexpr StringLiteral kRewrite = "mica-recognize-lstm";

//===----------------------------------------------------------------------===//
// Cell structure
//===----------------------------------------------------------------------===//

namespace {

/// The four gates, in the order this file uses internally.
enum Gate : unsigned { kI = 0, kF = 1, kG = 2, kO = 3 };
constexpr const char *kGateNames[] = {"i", "f", "g", "o"};
/// mica.lstm's block order: i, o, f, c (= g).
constexpr Gate kCanonicalOrder[] = {kI, kO, kF, kG};

/// H output columns of a constant projection weight that multiply one input
/// of the cell (rows `[kOff, kOff + kSize)` of the contraction dim when the
/// input is one piece of a concat).
struct WeightBlock {
  ElementsAttr attr;
  bool denseLayout; // [N, K] (mica.dense) rather than [K, N] (mica.matmul)
  int64_t nOff, kOff, kSize;
  bool operator==(const WeightBlock &o) const {
    return attr == o.attr && denseLayout == o.denseLayout && nOff == o.nOff &&
           kOff == o.kOff && kSize == o.kSize;
  }
};

/// A constant added to a gate pre-activation; `nOff` < 0 for a scalar.
struct BiasPart {
  ElementsAttr attr;
  int64_t nOff;
  bool operator==(const BiasPart &o) const {
    return attr == o.attr && nOff == o.nOff;
  }
};

/// Everything that is summed into one gate's pre-activation.
struct GateProj {
  SmallVector<std::pair<Value, WeightBlock>> weights;
  SmallVector<BiasPart> biases;
  ElementsAttr peephole;  // [H] constant scaling c (i, f) or c' (o)
  int64_t chunkOff = -1;  // column offset in a shared projection, if any

  const WeightBlock *weightFor(Value v) const {
    for (const auto &[val, wb] : weights)
      if (val == v)
        return &wb;
    return nullptr;
  }
};

/// One matched cell: `c' = f*c + i*g`, `h' = o*tanh(c')`.
struct Cell {
  Operation *anchor = nullptr; // the add producing c'
  Value c, cNew, hNew;
  /// The two values the projections read (x and h, in first-seen order).
  SmallVector<Value, 2> inputs;
  GateProj gates[4];
  int64_t hidden = 0;
  /// Whether the previous cell state `c` is a zero constant.
  bool zeroState = false;
  llvm::SetVector<Operation *> ops;

  /// Whether `o` has the same weights, biases and peepholes, with input
  /// slot k of this cell playing the role of input slot k of `o`. A step
  /// whose previous cell state is a zero constant may lack the i and f
  /// peepholes (an importer folds `0 * P` away).
  bool sameParameters(const Cell &o) const {
    if (hidden != o.hidden || inputs.size() != o.inputs.size())
      return false;
    for (unsigned g = 0; g < 4; ++g) {
      const GateProj &a = gates[g], &b = o.gates[g];
      if (a.biases != b.biases)
        return false;
      if (a.peephole != b.peephole &&
          !(g != kO && ((!a.peephole && zeroState) ||
                        (!b.peephole && o.zeroState))))
        return false;
      for (unsigned k = 0; k < inputs.size(); ++k) {
        const WeightBlock *wa = a.weightFor(inputs[k]);
        const WeightBlock *wb = b.weightFor(o.inputs[k]);
        if (!wa || !wb || !(*wa == *wb))
          return false;
      }
    }
    return true;
  }
};

/// The constant defining `v`, if any.
ElementsAttr constantOf(Value v) {
  if (auto c = v.getDefiningOp<ConstantOp>())
    return c.getValue();
  return nullptr;
}

/// Whether `v` is a constant whose elements are all zero (+0.0 or -0.0 for
/// floats: an importer's folded `0 * -p` is -0.0).
bool isZeroConstant(Value v) {
  ElementsAttr attr = constantOf(v);
  if (!attr)
    return false;
  Type et = cast<RankedTensorType>(attr.getType()).getElementType();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat()) {
    if (isa<FloatType>(et))
      return dense.getSplatValue<APFloat>().isZero();
    if (isa<IntegerType>(et))
      return dense.getSplatValue<APInt>().isZero();
  }
  size_t eb = getElementByteWidth(et);
  std::optional<std::vector<char>> bytes = getConstantBytes(attr);
  if (!bytes || eb == 0)
    return false;
  bool isFloat = isa<FloatType>(et);
  for (size_t k = 0; k < bytes->size(); ++k) {
    unsigned char byte = (*bytes)[k];
    // Little-endian: the sign bit is the top bit of an element's last byte.
    if (isFloat && k % eb == eb - 1)
      byte &= 0x7F;
    if (byte != 0)
      return false;
  }
  return true;
}

/// Static last dim of a ranked tensor value, or ShapedType::kDynamic.
int64_t lastDim(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() == 0)
    return ShapedType::kDynamic;
  return t.getShape().back();
}

/// `mica.<name>` of the op defining `v`, or "a block argument".
std::string describe(Value v) {
  if (Operation *op = v.getDefiningOp())
    return op->getName().getStringRef().str();
  return "a block argument";
}

/// The TF/Keras scope of a node name that looks like an LSTM cell's
/// (".../basic_lstm_cell/...", ".../lstm_cell/...", "lstm/..."), or "".
std::string lstmScopeHint(Location loc) {
  std::string node = FusionReport::nodeName(loc);
  StringRef name(node);
  for (StringRef key : {"basic_lstm_cell", "lstm_cell", "lstm/"}) {
    size_t pos = name.find(key);
    if (pos != StringRef::npos)
      return name.take_front(pos + key.size()).rtrim('/').str();
  }
  return "";
}

/// Whether `v` is `a * tanh(b)` (either order); sets the parts.
bool isTimesTanh(Value v, MulOp &mul, TanhOp &tanh, Value &other) {
  mul = v.getDefiningOp<MulOp>();
  if (!mul)
    return false;
  for (unsigned j = 0; j < 2; ++j)
    if (auto t = mul->getOperand(j).getDefiningOp<TanhOp>()) {
      tanh = t;
      other = mul->getOperand(1 - j);
      return true;
    }
  return false;
}

/// Whether `op` is an add with an addend `a * tanh(b)`: a candidate cell
/// state update `c' = f*c + i*tanh(g)` (or a GRU's `(1-z)*n + z*h`).
bool isCellUpdateCandidate(Operation *op) {
  auto add = dyn_cast<AddOp>(op);
  if (!add)
    return false;
  for (Value v : add->getOperands()) {
    MulOp m;
    TanhOp t;
    Value o;
    if (isTimesTanh(v, m, t, o))
      return true;
  }
  // A cell without an input gate: c' = sigmoid(f) * c + tanh(g).
  for (unsigned k = 0; k < 2; ++k)
    if (add->getOperand(k).getDefiningOp<TanhOp>())
      if (auto m = add->getOperand(1 - k).getDefiningOp<MulOp>())
        if (m.getLhs().getDefiningOp<SigmoidOp>() ||
            m.getRhs().getDefiningOp<SigmoidOp>())
          return true;
  return false;
}

/// Whether `v` is a sigmoid, or a piece (split/slice) of one: a GRU's
/// update gate `z` often comes from one sigmoid over both of its gates.
bool isSigmoidLike(Value v) {
  Operation *def = v.getDefiningOp();
  if (isa_and_nonnull<SplitOp, SliceOp>(def))
    def = def->getOperand(0).getDefiningOp();
  return isa_and_nonnull<SigmoidOp>(def);
}

/// Whether a normalization (mica.layer_norm, or the mean/variance ops of a
/// decomposed one) computes `v` within a few ops.
bool isNormalized(Value v) {
  SmallVector<std::pair<Value, unsigned>> work{{v, 0}};
  llvm::SmallPtrSet<Operation *, 16> seen;
  while (!work.empty()) {
    auto [cur, depth] = work.pop_back_val();
    Operation *def = cur.getDefiningOp();
    if (!def || !seen.insert(def).second)
      continue;
    if (isa<LayerNormOp, ReduceOp, RsqrtOp>(def))
      return true;
    if (depth < 4 && isa<AddOp, SubOp, MulOp, DivOp, SqrtOp>(def))
      for (Value operand : def->getOperands())
        work.push_back({operand, depth + 1});
  }
  return false;
}

/// Matches LSTM cells and explains why a candidate is not one.
class CellMatcher {
public:
  /// Matches the cell whose cell-state update is `anchor`. On failure,
  /// `reason` holds the first failed condition (empty when `anchor` is not
  /// even a candidate).
  FailureOr<Cell> match(Operation *anchor, std::string &reason) {
    auto it = cache.find(anchor);
    if (it != cache.end()) {
      reason = it->second.second;
      if (it->second.first)
        return *it->second.first;
      return failure();
    }
    Cell cell;
    FailureOr<Cell> result = failure();
    reason.clear();
    if (succeeded(matchImpl(anchor, cell, reason)))
      result = cell;
    cache[anchor] = {succeeded(result) ? std::optional<Cell>(cell)
                                       : std::nullopt,
                     reason};
    return result;
  }

private:
  LogicalResult matchImpl(Operation *anchor, Cell &cell, std::string &reason);
  LogicalResult collect(Value v, int64_t nOff, Gate gate, Cell &cell,
                        std::string &reason);
  LogicalResult addWeight(Value input, WeightBlock wb, Gate gate, Cell &cell,
                          std::string &reason);

  llvm::DenseMap<Operation *, std::pair<std::optional<Cell>, std::string>>
      cache;
};

LogicalResult CellMatcher::matchImpl(Operation *anchor, Cell &cell,
                                     std::string &reason) {
  auto add = dyn_cast<AddOp>(anchor);
  if (!add)
    return failure();
  cell.anchor = anchor;
  cell.cNew = add.getResult();
  cell.ops.insert(anchor);

  // The candidate term `i * tanh(g)`: skip `o * tanh(c')` terms, whose tanh
  // reads another cell update.
  MulOp igMul;
  TanhOp gTanh;
  Value iFactor, forgetTerm;
  for (unsigned k = 0; k < 2 && !igMul; ++k) {
    MulOp m;
    TanhOp t;
    Value o;
    if (!isTimesTanh(add->getOperand(k), m, t, o))
      continue;
    if (Operation *in = t.getInput().getDefiningOp())
      if (isCellUpdateCandidate(in))
        continue;
    igMul = m;
    gTanh = t;
    iFactor = o;
    forgetTerm = add->getOperand(1 - k);
  }
  if (!igMul) {
    if (isCellUpdateCandidate(anchor))
      reason = "c' = f*c + tanh(g) has no input gate (tanh(g) is not scaled "
               "by a sigmoid)";
    return failure();
  }
  cell.ops.insert(igMul);
  cell.ops.insert(gTanh);

  // Input gate: sigmoid(zi). A GRU gates its candidate with 1 - sigmoid(z).
  auto iSig = iFactor.getDefiningOp<SigmoidOp>();
  if (!iSig) {
    if (auto sub = iFactor.getDefiningOp<SubOp>())
      if (isSigmoidLike(sub.getRhs())) {
        reason = "the candidate tanh(n) is gated by 1 - sigmoid(z), a GRU "
                 "update (h' = (1-z)*n + z*h), not an LSTM input gate";
        return failure();
      }
    reason = "the factor that scales tanh(g) is " + describe(iFactor) +
             ", not a sigmoid input gate";
    return failure();
  }
  cell.ops.insert(iSig);

  // Forget term: sigmoid(zf) * c.
  SigmoidOp fSig;
  if (auto fm = forgetTerm.getDefiningOp<MulOp>()) {
    for (unsigned j = 0; j < 2 && !fSig; ++j)
      if (auto s = fm->getOperand(j).getDefiningOp<SigmoidOp>()) {
        fSig = s;
        cell.c = fm->getOperand(1 - j);
      }
    if (fSig)
      cell.ops.insert(fm);
  }
  if (!fSig) {
    reason = "c' = " + describe(forgetTerm) +
             " + i*g has no forget-gate term sigmoid(f) * c";
    return failure();
  }
  cell.ops.insert(fSig);

  // h' = sigmoid(zo) * tanh(c').
  TanhOp cTanh;
  SigmoidOp oSig;
  MulOp hMul;
  bool hasTanh = false;
  std::string cUsers;
  for (Operation *user : cell.cNew.getUsers()) {
    auto t = dyn_cast<TanhOp>(user);
    if (!t) {
      if (isa<LayerNormOp, ReduceOp>(user))
        cUsers = user->getName().getStringRef().str();
      continue;
    }
    hasTanh = true;
    for (Operation *tu : t->getUsers()) {
      auto m = dyn_cast<MulOp>(tu);
      if (!m)
        continue;
      Value other = m.getLhs() == t.getResult() ? m.getRhs() : m.getLhs();
      if (auto s = other.getDefiningOp<SigmoidOp>()) {
        cTanh = t;
        oSig = s;
        hMul = m;
        break;
      }
    }
    if (hMul)
      break;
  }
  if (!hMul) {
    if (!hasTanh && !cUsers.empty())
      reason = "the cell state c' goes through " + cUsers +
               " before its tanh (a layer-normalized cell)";
    else if (!hasTanh)
      reason = "the cell state c' is never passed through tanh";
    else
      reason = "tanh(c') is not scaled by a sigmoid output gate (h' = "
               "o * tanh(c') is missing)";
    return failure();
  }
  cell.ops.insert(cTanh);
  cell.ops.insert(oSig);
  cell.ops.insert(hMul);
  cell.hNew = hMul.getResult();
  if (oSig == iSig || oSig == fSig || iSig == fSig) {
    reason = "one sigmoid plays two gates";
    return failure();
  }

  // States: rank 2, static hidden size, same types.
  auto cType = dyn_cast<RankedTensorType>(cell.cNew.getType());
  if (!cType || cType.getRank() != 2 ||
      ShapedType::isDynamic(cType.getShape().back())) {
    reason = "the cell state is not a [batch, hidden] tensor with a static "
             "hidden size";
    return failure();
  }
  if (!isa<FloatType>(cType.getElementType()) ||
      getElementByteWidth(cType.getElementType()) == 0) {
    reason = "the cell state's element type is not a float type";
    return failure();
  }
  cell.hidden = cType.getShape().back();
  auto sameShape = [&](Value v) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.getElementType() == cType.getElementType() &&
           areCompatibleTensorTypes(TypeRange{t}, TypeRange{cType});
  };
  cell.zeroState = isZeroConstant(cell.c);
  if (!sameShape(cell.hNew) || (!sameShape(cell.c) && !cell.zeroState)) {
    reason = "the previous cell state or h' does not have the shape of c'";
    return failure();
  }

  // Gate projections.
  Value pre[4] = {iSig.getInput(), fSig.getInput(), gTanh.getInput(),
                  oSig.getInput()};
  for (unsigned g = 0; g < 4; ++g) {
    if (lastDim(pre[g]) != cell.hidden) {
      reason = std::string("gate ") + kGateNames[g] +
               " does not have the hidden size " +
               std::to_string(cell.hidden);
      return failure();
    }
    if (failed(collect(pre[g], 0, static_cast<Gate>(g), cell, reason)))
      return failure();
    if (cell.gates[g].peephole && g == kG) {
      reason = "the cell candidate g has a peephole term";
      return failure();
    }
  }
  for (unsigned g = 0; g < 4; ++g)
    for (const auto &[v, wb] : cell.gates[g].weights)
      if (!llvm::is_contained(cell.inputs, v))
        cell.inputs.push_back(v);
  // One projection over concat(x, h) (TF, Keras): its two pieces are x and
  // h. A concat is only taken apart when the gates read nothing else, so
  // that a stacked bidirectional layer's x = concat(h_fw, h_bw) stays one
  // input.
  if (cell.inputs.size() == 1)
    if (auto concat = cell.inputs[0].getDefiningOp<ConcatOp>()) {
      auto ct = cast<RankedTensorType>(concat.getType());
      if (normalizeAxis(concat.getAxis(), ct.getRank()) == ct.getRank() - 1 &&
          concat.getInputs().size() == 2) {
        Value x = concat.getInputs()[0], h = concat.getInputs()[1];
        int64_t kx = lastDim(x);
        if (ShapedType::isDynamic(kx) || ShapedType::isDynamic(lastDim(h))) {
          reason = "the projected concat(x, h) has pieces of dynamic width";
          return failure();
        }
        for (unsigned g = 0; g < 4; ++g) {
          GateProj &gp = cell.gates[g];
          WeightBlock wb = gp.weights.front().second;
          gp.weights.clear();
          WeightBlock wx = wb, wh = wb;
          wx.kOff = wb.kOff;
          wx.kSize = kx;
          wh.kOff = wb.kOff + kx;
          wh.kSize = wb.kSize - kx;
          if (failed(addWeight(x, wx, static_cast<Gate>(g), cell, reason)) ||
              failed(addWeight(h, wh, static_cast<Gate>(g), cell, reason)))
            return failure();
        }
        cell.ops.insert(concat);
        cell.inputs.assign({x, h});
      }
    }
  if (cell.inputs.size() != 2) {
    reason = "the gates read " + std::to_string(cell.inputs.size()) +
             " projected value(s); an LSTM cell reads 2 (x and h)";
    return failure();
  }
  for (unsigned g = 0; g < 4; ++g)
    if (cell.gates[g].weights.size() != 2) {
      reason = std::string("gate ") + kGateNames[g] +
               " does not project both x and h";
      return failure();
    }
  if (lastDim(cell.inputs[0]) != cell.hidden &&
      lastDim(cell.inputs[1]) != cell.hidden) {
    reason = "neither projected value has the hidden size (no recurrent h)";
    return failure();
  }
  return success();
}

LogicalResult CellMatcher::addWeight(Value input, WeightBlock wb, Gate gate,
                                     Cell &cell, std::string &reason) {
  GateProj &gp = cell.gates[gate];
  if (gp.weightFor(input)) {
    reason = std::string("gate ") + kGateNames[gate] +
             " projects the same value twice";
    return failure();
  }
  auto t = dyn_cast<RankedTensorType>(input.getType());
  if (!t || t.getRank() != 2 || ShapedType::isDynamic(t.getShape().back())) {
    reason = std::string("gate ") + kGateNames[gate] +
             " projects a value that is not [batch, features] with static "
             "features";
    return failure();
  }
  gp.weights.push_back({input, wb});
  return success();
}

LogicalResult CellMatcher::collect(Value v, int64_t nOff, Gate gate,
                                   Cell &cell, std::string &reason) {
  std::string where = std::string("gate ") + kGateNames[gate] +
                      " pre-activation";
  GateProj &gp = cell.gates[gate];
  int64_t hidden = cell.hidden;
  Operation *def = v.getDefiningOp();
  if (!def) {
    reason = where + " reads a block argument, not a projection";
    return failure();
  }
  if (auto add = dyn_cast<AddOp>(def)) {
    cell.ops.insert(add);
    if (failed(collect(add.getLhs(), nOff, gate, cell, reason)))
      return failure();
    return collect(add.getRhs(), nOff, gate, cell, reason);
  }
  if (auto split = dyn_cast<SplitOp>(def)) {
    auto rank = cast<RankedTensorType>(split.getInput().getType()).getRank();
    std::optional<int64_t> axis = normalizeAxis(split.getAxis(), rank);
    if (!axis || *axis != rank - 1) {
      reason = where + " is a split along a dim other than the last";
      return failure();
    }
    int64_t off = 0;
    unsigned idx = cast<OpResult>(v).getResultNumber();
    for (unsigned k = 0; k < idx; ++k)
      off += split.getSizes()[k];
    cell.ops.insert(split);
    if (gp.chunkOff < 0)
      gp.chunkOff = nOff + off;
    return collect(split.getInput(), nOff + off, gate, cell, reason);
  }
  if (auto slice = dyn_cast<SliceOp>(def)) {
    auto inType = cast<RankedTensorType>(slice.getInput().getType());
    int64_t rank = inType.getRank();
    if (slice.getAxes().size() != 1 ||
        normalizeAxis(slice.getAxes()[0], rank) != rank - 1 ||
        slice.getSteps()[0] != 1 || slice.getStarts()[0] < 0 ||
        ShapedType::isDynamic(inType.getShape().back())) {
      reason = where + " is a slice other than a unit-step range of the "
                       "last dim";
      return failure();
    }
    cell.ops.insert(slice);
    if (gp.chunkOff < 0)
      gp.chunkOff = nOff + slice.getStarts()[0];
    return collect(slice.getInput(), nOff + slice.getStarts()[0], gate, cell,
                   reason);
  }
  // Contraction terms: x W with W [K, N], or dense x W^T (+ b), W [N, K].
  auto addProjection = [&](Value lhs, Value weight, bool denseLayout,
                           Operation *op) -> LogicalResult {
    ElementsAttr w = constantOf(weight);
    if (!w) {
      reason = "the weight of the " + op->getName().getStringRef().str() +
               " feeding gate " + kGateNames[gate] + " is not a constant";
      return failure();
    }
    auto wt = cast<RankedTensorType>(w.getType());
    if (wt.getRank() != 2 || !wt.hasStaticShape()) {
      reason = where + " has a weight that is not a static 2-D constant";
      return failure();
    }
    int64_t n = wt.getDimSize(denseLayout ? 0 : 1);
    int64_t k = wt.getDimSize(denseLayout ? 1 : 0);
    if (nOff + hidden > n) {
      reason = where + " reads columns past the weight's width";
      return failure();
    }
    cell.ops.insert(op);
    if (lastDim(lhs) != k) {
      reason = where + " projects a value whose width does not match the "
                       "weight";
      return failure();
    }
    return addWeight(lhs, {w, denseLayout, nOff, 0, k}, gate, cell, reason);
  };
  if (auto mm = dyn_cast<MatMulOp>(def))
    return addProjection(mm.getLhs(), mm.getRhs(), false, mm);
  if (auto dense = dyn_cast<DenseOp>(def)) {
    if (dense.getActivation() != Activation::none) {
      reason = where + " comes from a dense layer with an activation";
      return failure();
    }
    if (Value b = dense.getBias()) {
      ElementsAttr battr = constantOf(b);
      if (!battr) {
        reason = where + " has a bias that is not a constant";
        return failure();
      }
      gp.biases.push_back({battr, nOff});
    }
    return addProjection(dense.getInput(), dense.getWeight(), true, dense);
  }
  // Biases (e.g. TF's forget_bias): [.., N] constants broadcast along the
  // last dim, or scalars. A zero constant of any shape adds nothing (an
  // importer's folded `0 * P` peephole term at the first step).
  if (isZeroConstant(v))
    return success();
  if (ElementsAttr attr = constantOf(v)) {
    auto t = cast<RankedTensorType>(attr.getType());
    int64_t width = lastDim(v);
    bool leadingOnes = t.getRank() == 0 ||
                       llvm::all_of(t.getShape().drop_back(),
                                    [](int64_t d) { return d == 1; });
    if (!t.hasStaticShape() || !leadingOnes ||
        (t.getNumElements() != 1 && width < nOff + hidden)) {
      reason = where + " adds a constant that is not a bias along the "
                       "hidden dim";
      return failure();
    }
    gp.biases.push_back({attr, t.getNumElements() == 1 ? -1 : nOff});
    return success();
  }
  // Peepholes: c * P (i, f) or c' * P (o).
  if (auto mul = dyn_cast<MulOp>(def)) {
    Value state = gate == kO ? cell.cNew : cell.c;
    for (unsigned j = 0; j < 2; ++j) {
      if (mul->getOperand(j) != state)
        continue;
      ElementsAttr p = constantOf(mul->getOperand(1 - j));
      if (!p || cast<RankedTensorType>(p.getType()).getNumElements() !=
                    hidden) {
        reason = where + " scales the cell state by something other than a "
                         "[hidden] peephole constant";
        return failure();
      }
      if (gp.peephole) {
        reason = where + " has two peephole terms";
        return failure();
      }
      cell.ops.insert(mul);
      gp.peephole = p;
      return success();
    }
  }
  if (isa<LayerNormOp, ReduceOp, DivOp, SqrtOp, RsqrtOp>(def) ||
      isNormalized(v)) {
    reason = where + " goes through " + def->getName().getStringRef().str() +
             " (a layer-normalized cell)";
    return failure();
  }
  reason = where + " contains " + def->getName().getStringRef().str() +
           ", not a matmul/dense with constant weights, a bias or a peephole";
  return failure();
}

//===----------------------------------------------------------------------===//
// Packing weights into mica.lstm's layout
//===----------------------------------------------------------------------===//

/// Reads constants once and cuts them into mica.lstm's blocks.
class WeightPacker {
public:
  explicit WeightPacker(Type elementType)
      : elementType(elementType),
        eb(getElementByteWidth(elementType)) {}

  /// The [H, kSize] block of `wb` in row-major bytes.
  std::optional<std::vector<char>> block(const WeightBlock &wb,
                                         int64_t hidden) {
    const std::vector<char> *bytes = read(wb.attr);
    if (!bytes)
      return std::nullopt;
    auto t = cast<RankedTensorType>(wb.attr.getType());
    ArrayRef<int64_t> shape = t.getShape();
    if (wb.denseLayout) {
      std::vector<char> rows = sliceBytes(*bytes, shape, 0, wb.nOff, hidden,
                                          eb);
      return sliceBytes(rows, {hidden, shape[1]}, 1, wb.kOff, wb.kSize, eb);
    }
    std::vector<char> cols = sliceBytes(*bytes, shape, 1, wb.nOff, hidden, eb);
    std::vector<char> rows =
        sliceBytes(cols, {shape[0], hidden}, 0, wb.kOff, wb.kSize, eb);
    return transposeBytes(rows, {wb.kSize, hidden}, {1, 0}, eb);
  }

  /// The sum of a gate's bias parts as [H] bytes.
  std::optional<std::vector<char>> bias(ArrayRef<BiasPart> parts,
                                        int64_t hidden) {
    std::vector<char> acc(hidden * eb, 0);
    for (const BiasPart &p : parts) {
      const std::vector<char> *bytes = read(p.attr);
      if (!bytes)
        return std::nullopt;
      std::vector<char> part;
      if (p.nOff < 0) {
        for (int64_t j = 0; j < hidden; ++j)
          part.insert(part.end(), bytes->begin(), bytes->begin() + eb);
      } else {
        part.assign(bytes->begin() + p.nOff * eb,
                    bytes->begin() + (p.nOff + hidden) * eb);
      }
      if (failed(addFloatBytes(acc, part, elementType)))
        return std::nullopt;
    }
    return acc;
  }

  /// A peephole vector as [H] bytes (zeros when absent).
  std::optional<std::vector<char>> peephole(ElementsAttr p, int64_t hidden) {
    if (!p)
      return std::vector<char>(hidden * eb, 0);
    const std::vector<char> *bytes = read(p);
    if (!bytes)
      return std::nullopt;
    return *bytes;
  }

private:
  const std::vector<char> *read(ElementsAttr attr) {
    auto it = cache.find(attr);
    if (it == cache.end()) {
      std::optional<std::vector<char>> b = getConstantBytes(attr);
      if (!b || cast<RankedTensorType>(attr.getType()).getElementType() !=
                    elementType)
        return nullptr;
      it = cache.try_emplace(attr, std::move(*b)).first;
    }
    return &it->second;
  }

  Type elementType;
  size_t eb;
  llvm::DenseMap<Attribute, std::vector<char>> cache;
};

/// A chain's weights in mica.lstm's layout (one direction).
struct PackedWeights {
  std::vector<char> w, r, b, p;
  bool anyPeephole = false;

  /// Creates the constants W [1, 4H, I], R [1, 4H, H], B [1, 8H] and, with
  /// peepholes, P [1, 3H] (else a null value).
  std::tuple<Value, Value, Value, Value>
  materialize(PatternRewriter &rewriter, Location loc, Type et,
              int64_t hidden, int64_t inputSize) const {
    auto constant = [&](ArrayRef<int64_t> shape, ArrayRef<char> bytes,
                        StringRef name) -> Value {
      return ConstantOp::create(
          rewriter, loc,
          makeConstant(RankedTensorType::get(shape, et), bytes, name));
    };
    return {constant({1, 4 * hidden, inputSize}, w, "lstm_w"),
            constant({1, 4 * hidden, hidden}, r, "lstm_r"),
            constant({1, 8 * hidden}, b, "lstm_b"),
            anyPeephole ? constant({1, 3 * hidden}, p, "lstm_p") : Value()};
  }
};

/// Packs the parameters of `chain` (x in input slot `xs`, h in `rs`) in the
/// canonical order i, o, f, c; sets `reason` on failure.
std::optional<PackedWeights> packWeights(ArrayRef<Cell> chain, unsigned xs,
                                         unsigned rs, Type et,
                                         std::string &reason) {
  const Cell &first = chain.front();
  int64_t hidden = first.hidden;
  WeightPacker packer(et);
  PackedWeights out;
  // A step with a zero previous cell state may have lost its i and f
  // peepholes to constant folding: take each gate's from any step.
  ElementsAttr peepholes[4];
  for (const Cell &cell : chain)
    for (unsigned g = 0; g < 4; ++g)
      if (!peepholes[g])
        peepholes[g] = cell.gates[g].peephole;
  out.anyPeephole = llvm::any_of(peepholes, [](ElementsAttr p) {
    return static_cast<bool>(p);
  });
  for (Gate g : kCanonicalOrder) {
    const GateProj &gp = first.gates[g];
    auto w = packer.block(*gp.weightFor(first.inputs[xs]), hidden);
    auto r = packer.block(*gp.weightFor(first.inputs[rs]), hidden);
    auto b = packer.bias(gp.biases, hidden);
    if (!w || !r || !b) {
      reason = "the weights are not readable at compile time or do not have "
               "the state's element type";
      return std::nullopt;
    }
    out.w.insert(out.w.end(), w->begin(), w->end());
    out.r.insert(out.r.end(), r->begin(), r->end());
    out.b.insert(out.b.end(), b->begin(), b->end());
  }
  out.b.resize(out.b.size() * 2, 0); // recurrence biases Rb = 0
  for (Gate g : {kI, kO, kF}) {
    auto p = packer.peephole(peepholes[g], hidden);
    if (!p) {
      reason = "a peephole is not readable at compile time";
      return std::nullopt;
    }
    out.p.insert(out.p.end(), p->begin(), p->end());
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Chains of cells
//===----------------------------------------------------------------------===//

/// Where the x of one step comes from: row `index` along `axis` (0 for a
/// time-major [T, B, I] sequence, 1 for a batch-major [B, T, I] one) of
/// `seq`.
struct StepSource {
  /// The sequence, or several whose rows are concatenated along the
  /// features (a stacked bidirectional layer's x_t = concat(h_fw, h_bw)).
  SmallVector<Value, 2> seqs;
  /// The feature width each of `seqs` contributes.
  SmallVector<int64_t, 2> widths;
  int64_t axis;
  int64_t index;
  bool sameSequence(const StepSource &o) const {
    return seqs == o.seqs && axis == o.axis;
  }
};

/// Drops unit dims from a shape (for comparing a step with a sequence row).
SmallVector<int64_t> nonUnitDims(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> out;
  for (int64_t d : shape)
    if (d != 1)
      out.push_back(d);
  return out;
}

/// Recognizes `x_t` as row t of a sequence along dim 0 or (for a rank-3
/// batch-major sequence) dim 1: reshape(split(seq)#t), reshape(slice(seq,
/// t:t+1)), or gather(seq, t).
std::optional<StepSource> traceStep(Value xt) {
  Value v = xt;
  if (auto r = v.getDefiningOp<ReshapeOp>())
    if (!r.getShape())
      v = r.getInput();
  StepSource src;
  // concat(row t of s1, row t of s2, ..) along the features.
  if (auto concat = v.getDefiningOp<ConcatOp>()) {
    auto ct = cast<RankedTensorType>(concat.getType());
    if (normalizeAxis(concat.getAxis(), ct.getRank()) != ct.getRank() - 1 ||
        ct.getRank() != 2 || concat.getInputs().size() < 2)
      return std::nullopt;
    for (auto [k, piece] : llvm::enumerate(concat.getInputs())) {
      std::optional<StepSource> p = traceStep(piece);
      if (!p || (k && (p->axis != src.axis || p->index != src.index)))
        return std::nullopt;
      src.axis = p->axis;
      src.index = p->index;
      src.seqs.append(p->seqs);
      src.widths.append(p->widths);
    }
    return src;
  }
  auto timeAxis = [](Value seq, int64_t axis) -> std::optional<int64_t> {
    auto t = cast<RankedTensorType>(seq.getType());
    std::optional<int64_t> a = normalizeAxis(axis, t.getRank());
    if (a == 0 || (a == 1 && t.getRank() == 3))
      return a;
    return std::nullopt;
  };
  if (auto split = v.getDefiningOp<SplitOp>()) {
    std::optional<int64_t> axis = timeAxis(split.getInput(), split.getAxis());
    if (!axis ||
        !llvm::all_of(split.getSizes(), [](int64_t s) { return s == 1; }))
      return std::nullopt;
    src.seqs = {split.getInput()};
    src.axis = *axis;
    src.index = cast<OpResult>(v).getResultNumber();
  } else if (auto slice = v.getDefiningOp<SliceOp>()) {
    auto t = cast<RankedTensorType>(slice.getInput().getType());
    std::optional<int64_t> axis =
        slice.getAxes().size() == 1
            ? timeAxis(slice.getInput(), slice.getAxes()[0])
            : std::nullopt;
    if (!axis || slice.getSteps()[0] != 1)
      return std::nullopt;
    int64_t start = slice.getStarts()[0], end = slice.getEnds()[0];
    int64_t dim = t.getDimSize(*axis);
    if (start < 0 || end < 0) {
      if (ShapedType::isDynamic(dim))
        return std::nullopt;
      start = start < 0 ? start + dim : start;
      end = end < 0 ? end + dim : end;
    }
    if (end - start != 1)
      return std::nullopt;
    src.seqs = {slice.getInput()};
    src.axis = *axis;
    src.index = start;
  } else if (auto gather = v.getDefiningOp<GatherOp>()) {
    auto t = cast<RankedTensorType>(gather.getInput().getType());
    std::optional<int64_t> axis =
        timeAxis(gather.getInput(), gather.getAxis());
    ElementsAttr idx = constantOf(gather.getIndices());
    if (!axis || !idx ||
        cast<RankedTensorType>(idx.getType()).getNumElements() != 1)
      return std::nullopt;
    int64_t i = (*idx.getValues<APInt>().begin()).getSExtValue();
    if (i < 0) {
      if (t.isDynamicDim(*axis))
        return std::nullopt;
      i += t.getDimSize(*axis);
    }
    src.seqs = {gather.getInput()};
    src.axis = *axis;
    src.index = i;
  } else {
    return std::nullopt;
  }
  auto seqType = cast<RankedTensorType>(src.seqs.front().getType());
  auto xType = cast<RankedTensorType>(xt.getType());
  src.widths = {lastDim(xt)};
  SmallVector<int64_t> row(seqType.getShape());
  row.erase(row.begin() + src.axis);
  if (seqType.getRank() < 2 || nonUnitDims(row) != nonUnitDims(xType.getShape()))
    return std::nullopt;
  return src;
}

/// The ancestor of `op` in `block`, or null.
Operation *ancestorIn(Block *block, Operation *op) {
  return block->findAncestorOpInBlock(*op);
}

/// Recognizes a chain of LSTM cells, starting at the cell whose state
/// update is the matched op, and replaces it with one `mica.lstm`.
///   %c1 = add(mul(sigmoid(%f), %c0), mul(sigmoid(%i), tanh(%g)))
///   %h1 = mul(sigmoid(%o), tanh(%c1))        ... T steps
///   -> %y, %yh, %yc = mica.lstm %seq, %W, %R bias(%B) initial_h(..) ..
struct RecognizeLSTMChain : RewritePattern {
  RecognizeLSTMChain(MLIRContext *ctx, FusionReport *report)
      : RewritePattern(AddOp::getOperationName(), /*benefit=*/1, ctx),
        report(report) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override;

private:
  /// The slot of `next.inputs` that reads `prev`'s h', when `next`
  /// continues `prev` with the same parameters.
  static std::optional<unsigned> link(const Cell &prev, const Cell &next) {
    if (next.c != prev.cNew || !prev.sameParameters(next))
      return std::nullopt;
    for (unsigned k = 0; k < next.inputs.size(); ++k)
      if (next.inputs[k] == prev.hNew)
        return k;
    return std::nullopt;
  }

  LogicalResult miss(PatternRewriter &rewriter, Operation *op,
                     const Twine &reason) const {
    if (report) {
      std::string hint = lstmScopeHint(op->getLoc());
      report->missed(kRewrite, op->getLoc(),
                     hint.empty() ? reason
                                  : reason + " (in LSTM scope '" + hint + "')");
    }
    return rewriter.notifyMatchFailure(op, reason);
  }

  FusionReport *report;
};

LogicalResult
RecognizeLSTMChain::matchAndRewrite(Operation *op,
                                    PatternRewriter &rewriter) const {
  if (!isCellUpdateCandidate(op))
    return rewriter.notifyMatchFailure(op, "not a cell state update");
  CellMatcher matcher;
  std::string reason;
  FailureOr<Cell> head = matcher.match(op, reason);
  if (failed(head)) {
    if (reason.empty())
      return rewriter.notifyMatchFailure(op, "not an LSTM cell candidate");
    return miss(rewriter, op, reason);
  }

  // Only the first step of a chain rewrites it.
  std::string ignored;
  if (Operation *prevOp = head->c.getDefiningOp())
    if (isCellUpdateCandidate(prevOp)) {
      FailureOr<Cell> prev = matcher.match(prevOp, ignored);
      if (succeeded(prev) && link(*prev, *head))
        return rewriter.notifyMatchFailure(op, "not the first step");
    }

  // Follow c' and h' to the next steps.
  SmallVector<Cell, 1> chain{*head};
  std::optional<unsigned> recurrent;
  while (chain.size() < 100000) {
    const Cell &cur = chain.back();
    std::optional<Cell> next;
    for (Operation *user : cur.cNew.getUsers()) {
      if (!isa<MulOp>(user) || cur.ops.contains(user))
        continue;
      for (Operation *uu : user->getUsers()) {
        if (!isCellUpdateCandidate(uu))
          continue;
        FailureOr<Cell> cand = matcher.match(uu, ignored);
        if (failed(cand))
          continue;
        std::optional<unsigned> slot = link(cur, *cand);
        if (!slot || (recurrent && *slot != *recurrent))
          continue;
        recurrent = slot;
        next = *cand;
        break;
      }
      if (next)
        break;
    }
    if (!next)
      break;
    chain.push_back(*next);
  }
  const Cell &first = chain.front();
  int64_t steps = chain.size(), hidden = first.hidden;

  // Which input is h: the chain tells; a single cell prefers a zero
  // constant, then the value of hidden width (for one step the two roles
  // are interchangeable when both have that width).
  if (!recurrent) {
    unsigned r = 1;
    if (isZeroConstant(first.inputs[0]) && !isZeroConstant(first.inputs[1]))
      r = 0;
    else if (lastDim(first.inputs[1]) != hidden)
      r = 0;
    recurrent = r;
  }
  unsigned rs = *recurrent, xs = 1 - rs;
  if (lastDim(first.inputs[rs]) != hidden)
    return miss(rewriter, op, "the recurrent input does not have the hidden "
                              "size");
  Value h0 = first.inputs[rs], c0 = first.c;
  auto stateType = cast<RankedTensorType>(first.cNew.getType());
  auto xType = cast<RankedTensorType>(first.inputs[xs].getType());
  int64_t inputSize = xType.getShape().back();
  for (const Cell &cell : chain)
    if (cell.inputs[xs].getType() != xType)
      return miss(rewriter, op, "the steps' inputs differ in type");
  if (!ShapedType::isDynamic(xType.getDimSize(0)) &&
      !ShapedType::isDynamic(stateType.getDimSize(0)) &&
      xType.getDimSize(0) != stateType.getDimSize(0))
    return miss(rewriter, op, "x and the state differ in batch size");
  if (!isZeroConstant(h0) &&
      !areCompatibleTensorTypes(TypeRange{h0.getType()}, TypeRange{stateType}))
    return miss(rewriter, op, "the initial h does not have the state's "
                              "shape");

  // Everything the chain's cells compute; uses outside it are replaced.
  llvm::SetVector<Operation *> chainOps;
  for (const Cell &cell : chain)
    chainOps.insert(cell.ops.begin(), cell.ops.end());
  auto isExternal = [&](OpOperand &use) {
    return !chainOps.contains(use.getOwner());
  };
  bool anyExternal = false;
  for (const Cell &cell : chain)
    anyExternal |= llvm::any_of(cell.hNew.getUses(), isExternal);
  anyExternal |= llvm::any_of(chain.back().cNew.getUses(), isExternal);
  if (!anyExternal)
    return rewriter.notifyMatchFailure(op, "the chain's outputs are unused");
  for (const Cell &cell : llvm::drop_end(chain))
    if (llvm::any_of(cell.cNew.getUses(), isExternal))
      return miss(rewriter, op,
                  "the cell state of an inner step is used outside the "
                  "chain (mica.lstm yields only the last one)");

  // The sequence: rows of one tensor (forward or backward), else stacked.
  Block *block = op->getBlock();
  for (const Cell &cell : chain)
    if (cell.anchor->getBlock() != block)
      return miss(rewriter, op, "the steps are in different blocks");
  SmallVector<std::optional<StepSource>> sources;
  for (const Cell &cell : chain)
    sources.push_back(traceStep(cell.inputs[xs]));
  bool fromSeq = llvm::all_of(sources, [&](const auto &s) {
    return s && s->sameSequence(*sources.front());
  });
  RnnDirection direction = RnnDirection::forward;
  int64_t lo = 0;
  if (fromSeq) {
    int64_t a = sources.front()->index;
    bool fwd = true, bwd = steps > 1;
    for (int64_t t = 0; t < steps; ++t) {
      fwd &= sources[t]->index == a + t;
      bwd &= sources[t]->index == a - t;
    }
    fromSeq = fwd || bwd;
    if (bwd) {
      direction = RnnDirection::reverse;
      lo = a - (steps - 1);
    } else {
      lo = a;
    }
  }

  // Insert after the last definition the new op depends on, and check that
  // every replaced use comes after it.
  Operation *after = nullptr;
  auto dependOn = [&](Value v) {
    if (!v || isZeroConstant(v))
      return;
    Operation *def = v.getDefiningOp();
    if (!def || !(def = ancestorIn(block, def)))
      return;
    if (!after || after->isBeforeInBlock(def))
      after = def;
  };
  if (fromSeq) {
    for (Value seq : sources.front()->seqs)
      dependOn(seq);
  } else {
    for (const Cell &cell : chain)
      dependOn(cell.inputs[xs]);
  }
  dependOn(h0);
  dependOn(c0);
  auto replacedUses = [&](Value v, auto fn) {
    for (OpOperand &use : v.getUses())
      if (isExternal(use))
        fn(use);
  };
  bool ordered = true;
  auto checkUse = [&](OpOperand &use) {
    Operation *user = ancestorIn(block, use.getOwner());
    if (after && (!user || !after->isBeforeInBlock(user)))
      ordered = false;
  };
  for (const Cell &cell : chain)
    replacedUses(cell.hNew, checkUse);
  replacedUses(chain.back().cNew, checkUse);
  if (!ordered)
    return miss(rewriter, op, "an output of one step is used before the "
                              "input of a later step is defined");

  Type et = stateType.getElementType();
  std::string packReason;
  std::optional<PackedWeights> packed = packWeights(chain, xs, rs, et, packReason);
  if (!packed)
    return miss(rewriter, op, packReason);
  bool anyPeephole = packed->anyPeephole;

  // Build the op.
  SmallVector<Location> locs;
  for (const Cell &cell : chain)
    locs.push_back(cell.anchor->getLoc());
  Location loc = rewriter.getFusedLoc(locs);
  if (after)
    rewriter.setInsertionPointAfter(after);
  else
    rewriter.setInsertionPointToStart(block);
  auto [w, r, b, p] =
      packed->materialize(rewriter, loc, et, hidden, inputSize);
  int64_t batch = xType.getDimSize(0);
  auto seqType = RankedTensorType::get({steps, batch, inputSize},
                                       xType.getElementType());
  Value input;
  if (fromSeq) {
    int64_t axis = sources.front()->axis;
    SmallVector<Value, 2> parts;
    for (auto [seq, width] :
         llvm::zip(sources.front()->seqs, sources.front()->widths)) {
      auto t = cast<RankedTensorType>(seq.getType());
      if (lo != 0 || t.getDimSize(axis) != steps) {
        SmallVector<int64_t> shape(t.getShape());
        shape[axis] = steps;
        seq = SliceOp::create(rewriter, loc,
                              RankedTensorType::get(shape, t.getElementType()),
                              seq, ArrayRef<int64_t>{axis},
                              ArrayRef<int64_t>{lo},
                              ArrayRef<int64_t>{lo + steps},
                              ArrayRef<int64_t>{1});
      }
      if (axis == 1) {
        // Batch-major [B, T, I]: time-major for mica.lstm.
        t = cast<RankedTensorType>(seq.getType());
        seq = TransposeOp::create(
            rewriter, loc,
            RankedTensorType::get({t.getDimSize(1), t.getDimSize(0),
                                   t.getDimSize(2)},
                                  t.getElementType()),
            seq, ArrayRef<int64_t>{1, 0, 2});
      }
      auto partType = RankedTensorType::get({steps, batch, width},
                                            xType.getElementType());
      parts.push_back(seq.getType() == partType
                          ? seq
                          : ReshapeOp::create(rewriter, loc, partType, seq,
                                              Value())
                                .getResult());
    }
    input = parts.size() == 1
                ? parts.front()
                : ConcatOp::create(rewriter, loc, seqType, parts, 2)
                      .getResult();
  } else {
    auto rowType = RankedTensorType::get({1, batch, inputSize},
                                         xType.getElementType());
    SmallVector<Value> rows;
    for (const Cell &cell : chain)
      rows.push_back(
          ReshapeOp::create(rewriter, loc, rowType, cell.inputs[xs], Value()));
    input = rows.size() == 1
                ? rows.front()
                : ConcatOp::create(rewriter, loc, seqType, rows, 0).getResult();
  }
  auto stateType3 = RankedTensorType::get({1, batch, hidden}, et);
  auto initial = [&](Value v) -> Value {
    if (isZeroConstant(v))
      return Value();
    return ReshapeOp::create(rewriter, loc, stateType3, v, Value());
  };
  Value ih = initial(h0), ic = initial(c0);
  auto lstm = LSTMOp::create(
      rewriter, loc, RankedTensorType::get({steps, 1, batch, hidden}, et),
      stateType3, stateType3, input, w, r, b, /*sequence_lens=*/Value(), ih,
      ic, p, RnnDirectionAttr::get(rewriter.getContext(), direction),
      rewriter.getI64IntegerAttr(hidden), /*clip=*/FloatAttr());

  // Replace h' of every step with its row of Y and the final c' with Y_c.
  // When only the last h' is used, it is Y_h; otherwise every row comes
  // from one split of Y, so that a model's re-stacking of the per-step
  // outputs becomes a view of Y (RestackSplitRows).
  bool needRows = llvm::any_of(llvm::drop_end(chain), [&](const Cell &cell) {
    return llvm::any_of(cell.hNew.getUses(), isExternal);
  });
  SplitOp ySplit;
  if (needRows)
    ySplit = SplitOp::create(rewriter, loc, lstm.getY(), 0,
                             SmallVector<int64_t>(steps, 1));
  for (int64_t s = 0; s < steps; ++s) {
    Value h = chain[s].hNew;
    if (llvm::none_of(h.getUses(), isExternal))
      continue;
    int64_t idx = direction == RnnDirection::reverse ? steps - 1 - s : s;
    Value row = ySplit ? ySplit.getResult(idx) : lstm.getYH();
    Value repl = ReshapeOp::create(rewriter, loc, h.getType(), row, Value());
    rewriter.replaceUsesWithIf(h, repl, isExternal);
  }
  Value cLast = chain.back().cNew;
  if (llvm::any_of(cLast.getUses(), isExternal)) {
    Value repl =
        ReshapeOp::create(rewriter, loc, cLast.getType(), lstm.getYC(), Value());
    rewriter.replaceUsesWithIf(cLast, repl, isExternal);
  }

  if (report) {
    std::string order = "per-gate projections";
    SmallVector<std::pair<int64_t, Gate>> offs;
    for (unsigned g = 0; g < 4; ++g)
      offs.push_back({first.gates[g].chunkOff, static_cast<Gate>(g)});
    if (llvm::all_of(offs, [](auto &o) { return o.first >= 0; })) {
      llvm::sort(offs);
      SmallVector<StringRef> names;
      for (auto &o : offs)
        names.push_back(kGateNames[o.second]);
      order = "gate order " + llvm::join(names, ",");
    }
    std::string hint = lstmScopeHint(op->getLoc());
    if (!hint.empty())
      hint = " (scope '" + hint + "')";
    report->fired(kRewrite, op->getLoc(),
                  Twine(steps) + " step(s) of an LSTM cell (hidden " +
                      Twine(hidden) + ", " + order +
                      (anyPeephole ? ", peepholes" : "") + ") became one " +
                      stringifyRnnDirection(direction) + " mica.lstm" + hint);
  }
  // The replaced cells are dead now: erase them here rather than leave
  // half-erased cells to later pattern applications.
  llvm::SmallPtrSet<Operation *, 32> erased;
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation *dead : llvm::reverse(chainOps)) {
      if (erased.contains(dead) || !dead->use_empty())
        continue;
      erased.insert(dead);
      rewriter.eraseOp(dead);
      changed = true;
    }
  }

  return success();
}

//===----------------------------------------------------------------------===//
// dynamic_rnn loops
//===----------------------------------------------------------------------===//

/// The value of a one-element integer constant.
std::optional<int64_t> intConstant(Value v) {
  ElementsAttr attr = constantOf(v);
  if (!attr || !isa<IntegerType>(
                   cast<RankedTensorType>(attr.getType()).getElementType()) ||
      cast<RankedTensorType>(attr.getType()).getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// Whether `v` is `arg + 1` (either operand order).
bool isIncrement(Value v, Value arg) {
  auto add = v.getDefiningOp<AddOp>();
  if (!add)
    return false;
  for (unsigned k = 0; k < 2; ++k)
    if (add->getOperand(k) == arg && intConstant(add->getOperand(1 - k)) == 1)
      return true;
  return false;
}

/// `v` without reshapes that have no shape operand.
Value stripReshapes(Value v) {
  while (auto r = v.getDefiningOp<ReshapeOp>()) {
    if (r.getShape())
      break;
    v = r.getInput();
  }
  return v;
}

/// A TF dynamic_rnn `scf.while` loop whose body is one LSTM cell becomes one
/// `mica.lstm` over the whole sequence. The loop must carry only the cell
/// state, h, counters (+1 per iteration, compared `<` constants in the
/// condition: that gives the trip count T) and optionally the output
/// accumulator (h' scattered into row t).
///   %r:5 = scf.while (%c = %c0, %h = %h0, %t = 0, %k = 0, %acc = %zeros)
///     condition(lt(%t, T) and lt(%k, T)) ...
///   do { %x = mica.gather %seq, %t {axis = 0}; <cell>; yield %c', %h',
///        %t + 1, %k + 1, scatter_nd(%acc, [[%t]], [%h']) }
///   -> %y, %yh, %yc = mica.lstm %seq, ...; %r#4 = reshape(%y), ...
struct RecognizeLSTMLoop : RewritePattern {
  RecognizeLSTMLoop(MLIRContext *ctx, FusionReport *report)
      : RewritePattern("scf.while", /*benefit=*/2, ctx), report(report) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumRegions() != 2 || !op->getRegion(0).hasOneBlock() ||
        !op->getRegion(1).hasOneBlock())
      return rewriter.notifyMatchFailure(op, "not a single-block loop");
    Block &before = op->getRegion(0).front(), &body = op->getRegion(1).front();
    unsigned n = op->getNumOperands();
    Operation *cond = before.getTerminator();
    if (cond->getNumOperands() != n + 1 ||
        !llvm::equal(cond->getOperands().drop_front(), before.getArguments()) ||
        body.getNumArguments() != n || op->getNumResults() != n)
      return rewriter.notifyMatchFailure(op, "the condition reorders values");

    // Find the cell first: loops without one are none of our business.
    CellMatcher matcher;
    std::optional<Cell> cell;
    std::string reason;
    for (Operation &inner : body) {
      if (!isCellUpdateCandidate(&inner))
        continue;
      std::string why;
      FailureOr<Cell> c = matcher.match(&inner, why);
      if (failed(c)) {
        reason = why;
        continue;
      }
      if (cell)
        return miss(rewriter, op, "the loop body holds more than one cell");
      cell = *c;
    }
    if (!cell)
      return rewriter.notifyMatchFailure(op, reason.empty() ? "no LSTM cell"
                                                            : reason);

    // Trip count: a conjunction of `counter < constant`.
    std::optional<int64_t> trip;
    SmallVector<Value> conj{cond->getOperand(0)};
    while (!conj.empty()) {
      Value v = conj.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (def && def->getName().getStringRef() == "tensor.extract" &&
          def->getNumOperands() == 1) {
        conj.push_back(def->getOperand(0));
        continue;
      }
      if (auto a = dyn_cast_or_null<AndOp>(def)) {
        conj.push_back(a.getLhs());
        conj.push_back(a.getRhs());
        continue;
      }
      auto cmp = dyn_cast_or_null<CompareOp>(def);
      auto arg = cmp ? dyn_cast<BlockArgument>(cmp.getLhs()) : nullptr;
      std::optional<int64_t> bound =
          cmp ? intConstant(cmp.getRhs()) : std::nullopt;
      if (!cmp || cmp.getPredicate() != CmpPredicate::lt || !arg ||
          arg.getOwner() != &before || !bound)
        return miss(rewriter, op, "the loop condition is not a conjunction "
                                  "of counter < constant");
      std::optional<int64_t> init = intConstant(op->getOperand(arg.getArgNumber()));
      if (!init)
        return miss(rewriter, op, "a loop counter does not start at a "
                                  "constant");
      trip = std::min(trip.value_or(*bound - *init), *bound - *init);
    }
    if (!trip || *trip <= 0)
      return miss(rewriter, op, "the loop has no positive constant trip "
                                "count");

    // The carried states and the step's input x = gather(seq, t).
    auto argIndex = [&](Value v) -> std::optional<unsigned> {
      auto a = dyn_cast<BlockArgument>(v);
      if (!a || a.getOwner() != &body)
        return std::nullopt;
      return a.getArgNumber();
    };
    std::optional<unsigned> kc = argIndex(cell->c);
    std::optional<unsigned> rs, kh;
    for (unsigned k = 0; k < 2; ++k)
      if ((kh = argIndex(cell->inputs[k]))) {
        rs = k;
        break;
      }
    Operation *yield = body.getTerminator();
    if (!kc || !kh || yield->getNumOperands() != n ||
        yield->getOperand(*kc) != cell->cNew ||
        yield->getOperand(*kh) != cell->hNew)
      return miss(rewriter, op, "the loop does not carry the cell's c and h "
                                "from one iteration to the next");
    unsigned xs = 1 - *rs;
    auto gather = stripReshapes(cell->inputs[xs]).getDefiningOp<GatherOp>();
    std::optional<unsigned> kt =
        gather ? argIndex(gather.getIndices()) : std::nullopt;
    Value seq = gather ? gather.getInput() : Value();
    if (!gather || !kt || !isIncrement(yield->getOperand(*kt), body.getArgument(*kt)) ||
        intConstant(op->getOperand(*kt)) != 0 ||
        normalizeAxis(gather.getAxis(),
                      cast<RankedTensorType>(seq.getType()).getRank()) != 0 ||
        op->isAncestor(seq.getParentBlock()->getParentOp()))
      return miss(rewriter, op, "the step's input is not row t of a sequence "
                                "defined outside the loop, t counting from 0");
    auto seqType = cast<RankedTensorType>(seq.getType());
    auto xType = cast<RankedTensorType>(cell->inputs[xs].getType());
    if (seqType.getRank() != 3 ||
        nonUnitDims(seqType.getShape().drop_front()) !=
            nonUnitDims(xType.getShape()) ||
        (!seqType.isDynamicDim(0) && seqType.getDimSize(0) < *trip))
      return miss(rewriter, op, "the sequence is not [T, batch, features] "
                                "with at least T rows");

    // Every other carried value is a counter or the output accumulator.
    auto stateType = cast<RankedTensorType>(cell->cNew.getType());
    int64_t hidden = cell->hidden, batch = xType.getDimSize(0);
    SmallVector<int> role(n, 0); // 1 counter, 2 accumulator
    for (unsigned j = 0; j < n; ++j) {
      if (j == *kc || j == *kh)
        continue;
      Value arg = body.getArgument(j), next = yield->getOperand(j);
      if (isIncrement(next, arg) && intConstant(op->getOperand(j))) {
        role[j] = 1;
        continue;
      }
      auto scatter = next.getDefiningOp<ScatterNDOp>();
      auto accType = cast<RankedTensorType>(arg.getType());
      if (scatter && scatter.getInput() == arg &&
          scatter.getReduction() == ScatterReduction::none &&
          stripReshapes(scatter.getIndices()) == body.getArgument(*kt) &&
          stripReshapes(scatter.getUpdates()) == cell->hNew &&
          accType.getRank() == 3 && accType.getDimSize(0) == *trip &&
          cast<RankedTensorType>(scatter.getIndices().getType())
                  .getNumElements() == 1) {
        role[j] = 2;
        continue;
      }
      return miss(rewriter, op, "the loop carries a value other than the "
                                "states, counters and the output "
                                "accumulator");
    }

    std::string packReason;
    std::optional<PackedWeights> packed =
        packWeights(*cell, xs, *rs, stateType.getElementType(), packReason);
    if (!packed)
      return miss(rewriter, op, packReason);

    Location loc = rewriter.getFusedLoc({op->getLoc(), cell->anchor->getLoc()});
    rewriter.setInsertionPoint(op);
    Type et = stateType.getElementType();
    int64_t inputSize = xType.getShape().back();
    auto [w, r, b, p] =
        packed->materialize(rewriter, loc, et, hidden, inputSize);
    Value input = seq;
    if (seqType.getDimSize(0) != *trip) {
      SmallVector<int64_t> shape(seqType.getShape());
      shape[0] = *trip;
      input = SliceOp::create(rewriter, loc,
                              RankedTensorType::get(shape, et), input,
                              ArrayRef<int64_t>{0}, ArrayRef<int64_t>{0},
                              ArrayRef<int64_t>{*trip}, ArrayRef<int64_t>{1});
    }
    auto inType = RankedTensorType::get({*trip, batch, inputSize}, et);
    if (input.getType() != inType)
      input = ReshapeOp::create(rewriter, loc, inType, input, Value());
    auto stateType3 = RankedTensorType::get({1, batch, hidden}, et);
    auto initial = [&](Value v) -> Value {
      if (isZeroConstant(v))
        return Value();
      return ReshapeOp::create(rewriter, loc, stateType3, v, Value());
    };
    auto lstm = LSTMOp::create(
        rewriter, loc,
        RankedTensorType::get({*trip, 1, batch, hidden}, et), stateType3,
        stateType3, input, w, r, b, /*sequence_lens=*/Value(),
        initial(op->getOperand(*kh)), initial(op->getOperand(*kc)), p,
        RnnDirectionAttr::get(rewriter.getContext(), RnnDirection::forward),
        rewriter.getI64IntegerAttr(hidden), /*clip=*/FloatAttr());
    SmallVector<Value> repl(n);
    for (unsigned j = 0; j < n; ++j) {
      Type t = op->getResult(j).getType();
      if (j == *kc)
        repl[j] = ReshapeOp::create(rewriter, loc, t, lstm.getYC(), Value());
      else if (j == *kh)
        repl[j] = ReshapeOp::create(rewriter, loc, t, lstm.getYH(), Value());
      else if (role[j] == 2)
        repl[j] = ReshapeOp::create(rewriter, loc, t, lstm.getY(), Value());
      else {
        auto ct = cast<RankedTensorType>(t);
        int64_t last = *intConstant(op->getOperand(j)) + *trip;
        repl[j] = ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(
                ct, APInt(ct.getElementTypeBitWidth(), last, true)));
      }
    }
    if (report) {
      std::string hint = lstmScopeHint(cell->anchor->getLoc());
      report->fired(kRewrite, op->getLoc(),
                    "a loop of " + Twine(*trip) +
                        " step(s) of an LSTM cell (hidden " + Twine(hidden) +
                        (packed->anyPeephole ? ", peepholes" : "") +
                        ") became one forward mica.lstm" +
                        (hint.empty() ? "" : " (scope '" + hint + "')"));
    }
    rewriter.replaceOp(op, repl);
    return success();
  }

private:
  LogicalResult miss(PatternRewriter &rewriter, Operation *op,
                     const Twine &reason) const {
    if (report)
      report->missed(kRewrite, op->getLoc(), "loop: " + reason);
    return rewriter.notifyMatchFailure(op, reason);
  }

  FusionReport *report;
};

//===----------------------------------------------------------------------===//
// Bidirectional merge and clean-up
//===----------------------------------------------------------------------===//

/// Concatenates two values along `axis`: at compile time when both are
/// constants, else with mica.concat.
Value concatValues(PatternRewriter &rewriter, Location loc, Value a, Value b,
                   int64_t axis) {
  ElementsAttr ca = constantOf(a), cb = constantOf(b);
  if (ca && cb)
    if (std::optional<ElementsAttr> c =
            concatConstants({ca, cb}, axis, "lstm_bidi"))
      return ConstantOp::create(rewriter, loc, *c);
  return ConcatOp::create(rewriter, loc, ValueRange{a, b}, axis);
}

/// Whether `a` and `b` compute the same value: the same value, or the same
/// side-effect-free op (name, attributes, types) over equivalent operands,
/// up to `depth` ops deep (the per-direction copies of a stacked input).
bool equivalentValues(Value a, Value b, unsigned depth) {
  if (a == b)
    return true;
  Operation *x = a.getDefiningOp(), *y = b.getDefiningOp();
  if (!x || !y || depth == 0 || x->getName() != y->getName() ||
      x->getAttrDictionary() != y->getAttrDictionary() ||
      x->getResultTypes() != y->getResultTypes() ||
      x->getNumOperands() != y->getNumOperands() ||
      x->getNumRegions() != 0 || !isMemoryEffectFree(x) ||
      cast<OpResult>(a).getResultNumber() !=
          cast<OpResult>(b).getResultNumber())
    return false;
  for (auto [p, q] : llvm::zip(x->getOperands(), y->getOperands()))
    if (!equivalentValues(p, q, depth - 1))
      return false;
  return true;
}

/// Moves the side-effect-free computation of `v` (up to `depth` ops deep)
/// before `point` when it comes after it in the same block.
LogicalResult hoistBefore(PatternRewriter &rewriter, Value v,
                          Operation *point, unsigned depth) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return success();
  Operation *anc = point->getBlock()->findAncestorOpInBlock(*def);
  if (!anc)
    return success(); // defined in an enclosing region
  if (anc->isBeforeInBlock(point))
    return success();
  if (anc != def || def == point || depth == 0 || def->getNumRegions() != 0 ||
      !isMemoryEffectFree(def))
    return failure();
  for (Value operand : def->getOperands())
    if (failed(hoistBefore(rewriter, operand, point, depth - 1)))
      return failure();
  rewriter.moveOpBefore(def, point);
  return success();
}

/// A forward and a reverse `mica.lstm` over the same sequence become one
/// bidirectional `mica.lstm` (weights stacked along the direction dim).
///   %yf, .. = mica.lstm %x, %wf, %rf {direction = forward}
///   %yr, .. = mica.lstm %x, %wr, %rr {direction = reverse}
///   -> %y, .. = mica.lstm %x, concat(%wf, %wr), .. {direction = bidirectional}
struct MergeBidirectionalLSTM : OpRewritePattern<LSTMOp> {
  MergeBidirectionalLSTM(MLIRContext *ctx, FusionReport *report)
      : OpRewritePattern(ctx), report(report) {}

  LogicalResult matchAndRewrite(LSTMOp fwd,
                                PatternRewriter &rewriter) const override {
    if (fwd.getDirection() != RnnDirection::forward)
      return rewriter.notifyMatchFailure(fwd, "not a forward LSTM");
    LSTMOp rev;
    for (Operation &other : *fwd->getBlock()) {
      auto cand = dyn_cast<LSTMOp>(&other);
      if (cand && cand.getDirection() == RnnDirection::reverse &&
          cand.getHiddenSize() == fwd.getHiddenSize() &&
          equivalentValues(cand.getInput(), fwd.getInput(), 4)) {
        rev = cand;
        break;
      }
    }
    if (!rev)
      return rewriter.notifyMatchFailure(fwd, "no reverse twin");
    auto sameOptional = [](Value a, Value b) {
      return static_cast<bool>(a) == static_cast<bool>(b);
    };
    if (fwd.getSequenceLens() || rev.getSequenceLens() ||
        fwd.getClipAttr() != rev.getClipAttr() ||
        !sameOptional(fwd.getB(), rev.getB()) ||
        !sameOptional(fwd.getInitialH(), rev.getInitialH()) ||
        !sameOptional(fwd.getInitialC(), rev.getInitialC()) ||
        !sameOptional(fwd.getPeepholes(), rev.getPeepholes()) ||
        fwd.getW().getType() != rev.getW().getType() ||
        fwd.getR().getType() != rev.getR().getType())
      return rewriter.notifyMatchFailure(fwd, "the directions differ in form");

    // The merged op replaces the earlier direction: the later one's operands
    // (side-effect free computations) move before it. Its input is the
    // earlier one's (equivalent to the later one's).
    LSTMOp early = fwd->isBeforeInBlock(rev) ? fwd : rev;
    LSTMOp late = early == fwd ? rev : fwd;
    for (Value v : late->getOperands().drop_front())
      if (failed(hoistBefore(rewriter, v, early, 8)))
        return rewriter.notifyMatchFailure(
            fwd, "an operand of the reverse direction is computed after the "
                 "forward one and cannot move");
    Operation *insertAt = early;
    rewriter.setInsertionPoint(insertAt);

    Location loc = rewriter.getFusedLoc({fwd.getLoc(), rev.getLoc()});
    auto cat = [&](Value a, Value b) -> Value {
      return a ? concatValues(rewriter, loc, a, b, 0) : Value();
    };
    auto merged = LSTMOp::create(
        rewriter, loc, early.getInput(), cat(fwd.getW(), rev.getW()),
        cat(fwd.getR(), rev.getR()), cat(fwd.getB(), rev.getB()), Value(),
        cat(fwd.getInitialH(), rev.getInitialH()),
        cat(fwd.getInitialC(), rev.getInitialC()),
        cat(fwd.getPeepholes(), rev.getPeepholes()),
        RnnDirectionAttr::get(getContext(), RnnDirection::bidirectional),
        fwd.getHiddenSizeAttr(), fwd.getClipAttr());
    auto y = SplitOp::create(rewriter, loc, merged.getY(), 1,
                             ArrayRef<int64_t>{1, 1});
    auto yh = SplitOp::create(rewriter, loc, merged.getYH(), 0,
                              ArrayRef<int64_t>{1, 1});
    auto yc = SplitOp::create(rewriter, loc, merged.getYC(), 0,
                              ArrayRef<int64_t>{1, 1});
    auto replace = [&](LSTMOp old, unsigned d) {
      SmallVector<Value> repl;
      SmallVector<Value, 3> parts{y.getResult(d), yh.getResult(d),
                                  yc.getResult(d)};
      for (auto [v, from] : llvm::zip(old->getResults(), parts))
        repl.push_back(v.getType() == from.getType()
                           ? from
                           : ReshapeOp::create(rewriter, loc, v.getType(),
                                               from, Value())
                                 .getResult());
      rewriter.replaceOp(old, repl);
    };
    if (report)
      report->fired(kRewrite, fwd.getLoc(),
                    "merged a forward and a reverse mica.lstm over the same "
                    "sequence into one bidirectional mica.lstm");
    replace(fwd, 0);
    replace(rev, 1);
    return success();
  }

  FusionReport *report;
};

/// Restacks the rows of a sequence that was split along dim 0: a concat
/// along some dim `a` of all of a split's results, in order, each reshaped
/// so that dim `a` is 1, is the split input reshaped to [T, row shape]
/// with T moved to dim `a`. This turns per-step outputs re-stacked by the
/// model (time-major or batch-major) into a view of mica.lstm's Y.
///   %r:3 = mica.split %y {axis = 0}; %s = mica.concat reshape(%r#0), ..
///   -> %s = mica.reshape %y              (a = 0)
///   -> %s = mica.transpose (mica.reshape %y) [1, 0, 2]   (a = 1)
struct RestackSplitRows : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConcatOp concat,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(concat.getType());
    std::optional<int64_t> axis =
        normalizeAxis(concat.getAxis(), type.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(concat, "bad axis");
    SplitOp split;
    for (auto [i, in] : llvm::enumerate(concat.getInputs())) {
      Value v = in;
      while (auto r = v.getDefiningOp<ReshapeOp>()) {
        if (r.getShape())
          break;
        v = r.getInput();
      }
      auto s = v.getDefiningOp<SplitOp>();
      if (!s || (split && s != split) ||
          cast<OpResult>(v).getResultNumber() != i)
        return rewriter.notifyMatchFailure(concat, "not the rows of a split");
      split = s;
    }
    auto inType = cast<RankedTensorType>(split.getInput().getType());
    if (normalizeAxis(split.getAxis(), inType.getRank()) != 0 ||
        split.getNumResults() != concat.getInputs().size() ||
        llvm::count_if(type.getShape(), ShapedType::isDynamic) > 1 ||
        type.getElementType() != inType.getElementType())
      return rewriter.notifyMatchFailure(concat, "not a whole split");
    if (!llvm::all_of(split.getSizes(), [](int64_t s) { return s == 1; }))
      return rewriter.notifyMatchFailure(concat, "split rows are not unit");
    // Each piece is one row of the split input, reshaped (row-major) so
    // that dim `axis` is 1.
    for (Value in : concat.getInputs())
      if (cast<RankedTensorType>(in.getType()).getDimSize(*axis) != 1)
        return rewriter.notifyMatchFailure(concat, "pieces are not rows");
    int64_t steps = split.getNumResults();
    if (*axis == 0) {
      rewriter.replaceOpWithNewOp<ReshapeOp>(concat, type, split.getInput(),
                                             Value());
      return success();
    }
    // [T, row...] then move T to `axis`.
    SmallVector<int64_t> rowMajor(type.getShape());
    rowMajor.erase(rowMajor.begin() + *axis);
    rowMajor.insert(rowMajor.begin(), steps);
    SmallVector<int64_t> perm;
    for (int64_t d = 1; d <= *axis; ++d)
      perm.push_back(d);
    perm.push_back(0);
    for (int64_t d = *axis + 1; d < type.getRank(); ++d)
      perm.push_back(d);
    Value stacked = ReshapeOp::create(
        rewriter, concat.getLoc(),
        RankedTensorType::get(rowMajor, type.getElementType()),
        split.getInput(), Value());
    rewriter.replaceOpWithNewOp<TransposeOp>(concat, type, stacked, perm);
    return success();
  }
};

/// Cell-state updates under `root` that are LSTM cells (`cells`) or near
/// misses (`candidates` counts both).
struct CellCount {
  unsigned cells = 0, candidates = 0;
};
CellCount countCells(Operation *root) {
  CellCount count;
  CellMatcher matcher;
  root->walk([&](AddOp add) {
    if (!isCellUpdateCandidate(add))
      return;
    std::string reason;
    if (succeeded(matcher.match(add, reason)))
      ++count.cells;
    else if (reason.empty())
      return;
    ++count.candidates;
  });
  return count;
}

struct MicaRecognizeLSTMPass
    : mica::impl::MicaRecognizeLSTMBase<MicaRecognizeLSTMPass> {
  using MicaRecognizeLSTMBase::MicaRecognizeLSTMBase;
  void runOnOperation() override {
    Operation *func = getOperation();
    CellCount before = countCells(func);
    if (before.candidates == 0)
      return;
    unsigned lstmsBefore = 0, lstmsAfter = 0;
    func->walk([&](LSTMOp) { ++lstmsBefore; });

    FusionReport report;
    // Not converging within the driver's bound leaves valid IR: keep what
    // was rewritten.
    (void)applyRecognizeLSTM(func, &report);
    report.dropResolvedMisses();
    if (!remarks)
      return;
    report.emitRemarks();
    // The summary: how many of the cells that looked like LSTM cells are
    // now inside a mica.lstm.
    CellCount after = countCells(func);
    func->walk([&](LSTMOp) { ++lstmsAfter; });
    emitRemark(func->getLoc())
        << kRewrite << ": recognized " << before.cells - after.cells << " of "
        << before.candidates << " candidate LSTM cell(s) into "
        << lstmsAfter - lstmsBefore << " mica.lstm op(s)";
  }
};

} // namespace

LogicalResult mica::applyRecognizeLSTM(Operation *root,
                                       FusionReport *report) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  populateRecognizeLSTMPatterns(patterns, report);
  ReshapeOp::getCanonicalizationPatterns(patterns, ctx);
  // Top-down: a stacked layer's input chain is rewritten before the
  // layer that reads it, so the upper layer sees mica.lstm's Y.
  GreedyRewriteConfig config;
  config.setUseTopDownTraversal(true);
  return applyPatternsGreedily(root, std::move(patterns), config);
}

void mica::populateRecognizeLSTMPatterns(RewritePatternSet &patterns,
                                         FusionReport *report) {
  patterns.add<RecognizeLSTMLoop, RecognizeLSTMChain, MergeBidirectionalLSTM>(
      patterns.getContext(), report);
  patterns.add<RestackSplitRows>(patterns.getContext());
}
