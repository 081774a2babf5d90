//===- MicaOps.td - Mica dialect operations ----------------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_MICAOPS_TD
#define MICA_DIALECT_MICA_IR_MICAOPS_TD

include "mica/Dialect/Mica/IR/MicaBase.td"
include "mica/Dialect/Mica/IR/MicaAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/CastInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpAsmInterface.td"

// Ops whose result types follow from operand types and attributes. The
// written result type may be less or more refined than the inferred one, as
// long as the two are compatible (same element type, shapes that agree on
// every static dim); mica-refine-shapes tightens it.
class Mica_InferOp<string mnemonic, list<Trait> traits = []>
    : Mica_Op<mnemonic, !listconcat(traits,
        [Pure, InferTypeOpAdaptor])> {
  code micaExtraDecl = "";
  let extraClassDeclaration = [{
    /// Accept written result types that are compatible with the inferred
    /// ones (dims may be more or less static).
    static bool isCompatibleReturnTypes(::mlir::TypeRange l,
                                        ::mlir::TypeRange r) {
      return ::mica::areCompatibleTensorTypes(l, r);
    }
  }] # micaExtraDecl;
}

//===----------------------------------------------------------------------===//
// Structure ops
//===----------------------------------------------------------------------===//

def Mica_ConstantOp : Mica_InferOp<"constant", [ConstantLike]> {
  let summary = "tensor constant (dense or dense_resource)";
  let description = [{
    A constant tensor. `value` is any `ElementsAttr`: `dense<...>` for small
    tensors and `dense_resource<...>` for weights, which the importers store
    as blobs without copying.

    ```mlir
    %0 = mica.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %1 = mica.constant dense_resource<w0> : tensor<768x768xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Mica_ReshapeOp : Mica_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "reshape (also squeeze, unsqueeze, flatten)";
  let description = [{
    Reinterprets `input` with the shape of the result, row-major. Without a
    `shape` operand the result type is the target shape; it may hold at most
    one dynamic dim, which is inferred from the element count. With a
    `shape` operand (1-D integer tensor of the result rank) the target dims
    are read from it at run time; one entry may be -1 (inferred). ONNX's
    "0 = copy" convention is resolved by the importer.

    ```mlir
    %0 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
    %1 = mica.reshape %y shape(%s : tensor<3xi64>)
        : tensor<?x768xf32> -> tensor<?x12x64xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Optional<Mica_ShapeTensor>:$shape);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = [{
    $input (`shape` `(` $shape^ `:` type($shape) `)`)? attr-dict `:`
    type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Mica_TransposeOp : Mica_InferOp<"transpose"> {
  let summary = "permute dimensions";
  let description = [{
    Permutes the dims of `input`:
    result dim `k` is input dim `perm[k]`.

    ```mlir
    %0 = mica.transpose %x [0, 2, 1, 3]
        : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat =
      "$input $perm attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Mica_ConcatOp : Mica_InferOp<"concat"> {
  let summary = "concatenate tensors along an axis";
  let description = [{
    All inputs have the same rank and element type and agree on every dim
    but `axis` (negative axes count from the back).

    ```mlir
    %0 = mica.concat %a, %b {axis = 0 : i64}
        : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
    ```
  }];
  let arguments = (ins Variadic<Mica_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, $output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mica_SplitOp : Mica_InferOp<"split"> {
  let summary = "split a tensor into pieces along an axis";
  let description = [{
    Splits `input` along `axis` into pieces of the given `sizes` (one result
    per entry; they sum to the dim when it is static).

    ```mlir
    %0:3 = mica.split %x {axis = 1 : i64, sizes = array<i64: 4, 4, 8>}
        : tensor<2x16xf32> -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x8xf32>)
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, I64Attr:$axis,
                   DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Mica_Tensor>:$outputs);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` `(` type($outputs) `)`";
  let hasVerifier = 1;
}

def Mica_SliceOp : Mica_InferOp<"slice"> {
  let summary = "strided slice with ONNX clamping semantics";
  let description = [{
    For each listed axis, takes `input[start : end : step]` with ONNX Slice
    semantics: negative `start`/`end` count from the back, both are clamped
    to the dim (to `[-1, dim-1]` for negative steps), `step` is non-zero.
    Axes not listed are kept whole.

    ```mlir
    %0 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 0>,
                        ends = array<i64: 4>, steps = array<i64: 2>}
        : tensor<2x8xf32> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, DenseI64ArrayAttr:$axes,
                   DenseI64ArrayAttr:$starts, DenseI64ArrayAttr:$ends,
                   DenseI64ArrayAttr:$steps);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mica_GatherOp : Mica_InferOp<"gather"> {
  let summary = "gather slices along an axis (ONNX Gather, tf.gather)";
  let description = [{
    `output[i..., j..., k...] = input[i..., indices[j...], k...]` where the
    `i` run over the dims before `axis`. Negative indices count from the
    back. Result shape: `input.shape[:axis] + indices.shape +
    input.shape[axis+1:]`.

    ```mlir
    %0 = mica.gather %emb, %ids {axis = 0 : i64}
        : (tensor<1000x64xf32>, tensor<1x16xi64>) -> tensor<1x16x64xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Mica_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat =
      "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mica_GatherElementsOp : Mica_InferOp<"gather_elements"> {
  let summary = "gather single elements along an axis";
  let description = [{
    `output[i][j][k] = input[index][j][k]` with `index = indices[i][j][k]`
    for `axis = 0`, likewise for other axes. `indices` has the rank of
    `input`; the result has the shape of `indices`.

    ```mlir
    %0 = mica.gather_elements %x, %i {axis = 1 : i64}
        : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Mica_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat =
      "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Mica_ExpandOp : Mica_Op<"expand", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "broadcast a tensor to a shape (broadcast_to)";
  let description = [{
    Broadcasts `input` numpy-style to the result shape. The target shape is
    the result type, or, with a `shape` operand, read at run time (the
    result is then the broadcast of input shape and `shape`, as in ONNX
    Expand).

    ```mlir
    %0 = mica.expand %x : tensor<1x4xf32> -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Optional<Mica_ShapeTensor>:$shape);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = [{
    $input (`shape` `(` $shape^ `:` type($shape) `)`)? attr-dict `:`
    type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mica_PadOp : Mica_InferOp<"pad"> {
  let summary = "pad (or crop, with negative pads) a tensor";
  let description = [{
    `pads` holds `rank` begin pads followed by `rank` end pads (ONNX
    order). Negative pads crop. `mode` is `constant` (fill with `value`),
    `reflect` or `edge`.

    ```mlir
    %0 = mica.pad %x constant {pads = array<i64: 0, 1, 0, 1>, value = 0.0}
        : tensor<2x3xf32> -> tensor<2x5xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Mica_PadModeAttr:$mode,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat =
      "$input `` $mode attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Mica_TileOp : Mica_InferOp<"tile"> {
  let summary = "repeat a tensor along each dim";
  let description = [{
    Result dim `i` is `input.dim(i) * multiples[i]`.

    ```mlir
    %0 = mica.tile %x {multiples = array<i64: 2, 1>}
        : tensor<2x3xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, DenseI64ArrayAttr:$multiples);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Mica_CastOp : Mica_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "element type conversion";
  let description = [{
    Converts every element to the result element type: float<->float
    rounds to nearest even, float->int truncates toward zero, int->int
    sign-extends or truncates, x->i1 is `x != 0`, i1->x gives 0 or 1.

    ```mlir
    %0 = mica.cast %x : tensor<4xf32> -> tensor<4xf16>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def Mica_WhereOp : Mica_InferOp<"where"> {
  let summary = "select elementwise, with broadcasting";
  let description = [{
    `output = condition ? x : y`, all three broadcast numpy-style.

    ```mlir
    %0 = mica.where %c, %a, %b
        : (tensor<4xi1>, tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Mica_BoolTensor:$condition, Mica_Tensor:$x,
                   Mica_Tensor:$y);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Mica_OneHotOp : Mica_Op<"one_hot", [Pure]> {
  let summary = "one-hot encoding";
  let description = [{
    Inserts a new dim of size `depth` at `axis` (-1 = last): the element at
    position `indices[...]` along it is `on_value`, all others `off_value`.
    Negative indices count from `depth`; out-of-range indices give an all
    `off_value` row. The result element type is the written one.

    ```mlir
    %0 = mica.one_hot %i {depth = 4 : i64, axis = -1 : i64,
                          on_value = 1.0, off_value = 0.0}
        : tensor<3xi64> -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Mica_IndexTensor:$indices, I64Attr:$depth,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "1.0">:$on_value,
                   DefaultValuedAttr<F64Attr, "0.0">:$off_value);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat =
      "$indices attr-dict `:` type($indices) `->` type($output)";
  let hasVerifier = 1;
}

def Mica_RangeOp : Mica_Op<"range", [Pure]> {
  let summary = "arithmetic sequence [start, limit) by delta";
  let description = [{
    Operands are 0-D tensors of the result element type. The result has
    `max(ceil((limit - start) / delta), 0)` elements.

    ```mlir
    %0 = mica.range %s, %l, %d
        : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$start, Mica_NumericTensor:$limit,
                   Mica_NumericTensor:$delta);
  let results = (outs Mica_NumericTensor:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Mica_ShapeOfOp : Mica_InferOp<"shape_of"> {
  let summary = "the shape of a tensor as a 1-D i64 tensor";
  let description = [{
    ```mlir
    %0 = mica.shape_of %x : tensor<?x768xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input);
  let results = (outs 1DTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Mica_FillOp : Mica_Op<"fill", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
        ["reifyResultShapes"]>]> {
  let summary = "a tensor of a run-time shape filled with one value";
  let description = [{
    ONNX ConstantOfShape / tf.fill: the result has the shape given by the
    1-D `shape` operand and every element equals `value` (an integer or
    float attribute of the result element type).

    ```mlir
    %0 = mica.fill %s {value = 0.0 : f32} : tensor<2xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Mica_ShapeTensor:$shape, TypedAttrInterface:$value);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = "$shape attr-dict `:` type($shape) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

class Mica_UnaryOp<string mnemonic, Type type, list<Trait> traits = []>
    : Mica_Op<mnemonic, !listconcat(traits, [Pure, Elementwise,
        SameOperandsAndResultType])> {
  let arguments = (ins type:$input);
  let results = (outs type:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::mica::detail::foldUnaryOp(getOperation(),
                                         adaptor.getOperands());
    }
  }];
}

class Mica_SimpleUnaryOp<string mnemonic, Type type, string what,
                          string elt = "f32">
    : Mica_UnaryOp<mnemonic, type> {
  let summary = "elementwise " # mnemonic;
  let description = "Applies `" # mnemonic # "` to every element ("
    # what # ").\n\n```mlir\n%0 = mica." # mnemonic # " %x : tensor<?x4x"
    # elt # ">\n```";
}

def Mica_ExpOp : Mica_SimpleUnaryOp<"exp", Mica_FloatTensor, "floating point", "f32">;
def Mica_LogOp : Mica_SimpleUnaryOp<"log", Mica_FloatTensor, "floating point", "f32">;
def Mica_SqrtOp : Mica_SimpleUnaryOp<"sqrt", Mica_FloatTensor, "floating point", "f32">;
def Mica_RsqrtOp : Mica_SimpleUnaryOp<"rsqrt", Mica_FloatTensor, "floating point", "f32">;
def Mica_ReciprocalOp : Mica_SimpleUnaryOp<"reciprocal", Mica_FloatTensor, "floating point", "f32">;
def Mica_ErfOp : Mica_SimpleUnaryOp<"erf", Mica_FloatTensor, "floating point", "f32">;
def Mica_TanhOp : Mica_SimpleUnaryOp<"tanh", Mica_FloatTensor, "floating point", "f32">;
def Mica_SigmoidOp : Mica_SimpleUnaryOp<"sigmoid", Mica_FloatTensor, "floating point", "f32">;
def Mica_FloorOp : Mica_SimpleUnaryOp<"floor", Mica_FloatTensor, "floating point", "f32">;
def Mica_CeilOp : Mica_SimpleUnaryOp<"ceil", Mica_FloatTensor, "floating point", "f32">;
def Mica_RoundOp : Mica_SimpleUnaryOp<"round", Mica_FloatTensor, "floating point", "f32">;
def Mica_SinOp : Mica_SimpleUnaryOp<"sin", Mica_FloatTensor, "floating point", "f32">;
def Mica_CosOp : Mica_SimpleUnaryOp<"cos", Mica_FloatTensor, "floating point", "f32">;
def Mica_NegOp : Mica_SimpleUnaryOp<"neg", Mica_NumericTensor, "numeric", "f32">;
def Mica_AbsOp : Mica_SimpleUnaryOp<"abs", Mica_NumericTensor, "numeric", "f32">;
def Mica_SignOp : Mica_SimpleUnaryOp<"sign", Mica_NumericTensor, "numeric", "f32">;
def Mica_ReluOp : Mica_SimpleUnaryOp<"relu", Mica_NumericTensor, "numeric", "f32">;
def Mica_NotOp : Mica_SimpleUnaryOp<"not", Mica_BoolTensor, "boolean", "i1">;

def Mica_LeakyReluOp : Mica_UnaryOp<"leaky_relu", Mica_FloatTensor> {
  let summary = "leaky ReLU: x < 0 ? alpha * x : x";
  let description = [{
    ```mlir
    %0 = mica.leaky_relu %x {alpha = 0.1 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input,
                   DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def Mica_EluOp : Mica_UnaryOp<"elu", Mica_FloatTensor> {
  let summary = "ELU: x < 0 ? alpha * (exp(x) - 1) : x";
  let description = [{
    ```mlir
    %0 = mica.elu %x {alpha = 1.0 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input,
                   DefaultValuedAttr<F32Attr, "1.0f">:$alpha);
}

def Mica_ClipOp : Mica_UnaryOp<"clip", Mica_NumericTensor> {
  let summary = "clamp to [min, max] (either bound optional)";
  let description = [{
    ```mlir
    %0 = mica.clip %x {min = 0.0, max = 6.0} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                   OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
}

def Mica_GeluOp : Mica_UnaryOp<"gelu", Mica_FloatTensor> {
  let summary = "GELU, exact (erf) or tanh approximation";
  let description = [{
    `none`: `0.5 x (1 + erf(x / sqrt(2)))`;
    `tanh`: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.

    ```mlir
    %0 = mica.gelu %x approximate = tanh : tensor<4xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input,
                   DefaultValuedAttr<Mica_GeluApproxAttr,
                                     "::mica::GeluApprox::none">:$approximate);
  let assemblyFormat =
      "$input (`approximate` `=` `` $approximate^)? attr-dict `:` type($output)";
}

class Mica_BinaryOp<string mnemonic, Type type, list<Trait> traits = []>
    : Mica_InferOp<mnemonic, traits> {
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> loc,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::mica::detail::inferBroadcastResult(
          loc, getOperationName(), adaptor.getOperands(), std::nullopt, types);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mica::detail::verifyBroadcastOp(getOperation());
    }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::mica::detail::foldBinaryOp(getOperation(),
                                          adaptor.getOperands());
    }
  }];
}

class Mica_SimpleBinaryOp<string mnemonic, Type type, string what,
                           list<Trait> traits = []>
    : Mica_BinaryOp<mnemonic, type, traits> {
  let summary = "elementwise " # mnemonic # " with broadcasting";
  let description = "Computes `" # mnemonic # "(lhs, rhs)` elementwise ("
    # what # "). Operands broadcast numpy-style; the result shape is their "
    # "broadcast.\n\n```mlir\n%0 = mica." # mnemonic
    # " %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>\n```";
}

def Mica_SubOp : Mica_SimpleBinaryOp<"sub", Mica_NumericTensor,
    "integer division truncates toward zero; integer pow needs exponents >= 0">;
def Mica_DivOp : Mica_SimpleBinaryOp<"div", Mica_NumericTensor,
    "integer division truncates toward zero; integer pow needs exponents >= 0">;
def Mica_PowOp : Mica_SimpleBinaryOp<"pow", Mica_NumericTensor,
    "integer division truncates toward zero; integer pow needs exponents >= 0">;
def Mica_AddOp : Mica_SimpleBinaryOp<"add", Mica_NumericTensor,
    "commutative", [Commutative]>;
def Mica_MulOp : Mica_SimpleBinaryOp<"mul", Mica_NumericTensor,
    "commutative", [Commutative]>;
def Mica_MaxOp : Mica_SimpleBinaryOp<"max", Mica_NumericTensor,
    "commutative", [Commutative]>;
def Mica_MinOp : Mica_SimpleBinaryOp<"min", Mica_NumericTensor,
    "commutative", [Commutative]>;
def Mica_AndOp : Mica_SimpleBinaryOp<"and", Mica_BoolTensor,
    "boolean", [Commutative]>;
def Mica_OrOp : Mica_SimpleBinaryOp<"or", Mica_BoolTensor,
    "boolean", [Commutative]>;
def Mica_XorOp : Mica_SimpleBinaryOp<"xor", Mica_BoolTensor,
    "boolean", [Commutative]>;

def Mica_ModOp : Mica_BinaryOp<"mod", Mica_NumericTensor> {
  let summary = "remainder with broadcasting";
  let description = [{
    With `fmod = false` (default) the result takes the sign of the divisor
    (Python `%`, TF FloorMod); with `fmod = true` that of the dividend (C
    `fmod`).

    ```mlir
    %0 = mica.mod %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$lhs, Mica_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$fmod);
}

def Mica_CompareOp : Mica_InferOp<"compare"> {
  let summary = "elementwise comparison with broadcasting (result i1)";
  let description = [{
    ```mlir
    %0 = mica.compare lt, %a, %b
        : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Mica_CmpPredicateAttr:$predicate,
                   Mica_Tensor:$lhs, Mica_Tensor:$rhs);
  let results = (outs Mica_BoolTensor:$output);
  let assemblyFormat = [{
    `` $predicate `,` $lhs `,` $rhs attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Mica_MatMulOp : Mica_InferOp<"matmul"> {
  let summary = "N-D matrix product with batch broadcasting";
  let description = [{
    numpy `matmul` on operands of rank >= 2: the last two dims are
    contracted (`[..., M, K] x [..., K, N] -> [..., M, N]`), the leading
    (batch) dims broadcast. Any rank is allowed (TF BatchMatMul with rank >
    3). Integer operands accumulate in their own type.

    ```mlir
    %0 = mica.matmul %q, %k : (tensor<1x12x128x64xf32>,
        tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$lhs, Mica_NumericTensor:$rhs);
  let results = (outs Mica_NumericTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mica_DenseOp : Mica_InferOp<"dense"> {
  let summary = "fully connected layer: act(x . W^T + b)";
  let description = [{
    `input` is `[..., K]`, `weight` is `[N, K]` (the PyTorch Linear layout),
    the optional `bias` is `[N]`; the result is `[..., N]` with the fused
    `activation` epilogue applied.

    ```mlir
    %0 = mica.dense %x, %w bias(%b : tensor<128xf32>)
        {activation = #mica<activation relu>}
        : tensor<4x64xf32>, tensor<128x64xf32> -> tensor<4x128xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$weight,
                   Optional<Mica_FloatTensor>:$bias,
                   DefaultValuedAttr<Mica_ActivationAttr,
                                     "::mica::Activation::none">:$activation);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `:` type($bias) `)`)? attr-dict `:`
    type($input) `,` type($weight) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Mica_ConvOp : Mica_InferOp<"conv"> {
  let summary = "1-D/2-D/3-D convolution (NCHW, OIHW)";
  let description = [{
    `input` is `[N, C, spatial...]`, `weight` is `[O, C/group, kernel...]`,
    the optional `bias` is `[O]`. `strides` and `dilations` have one entry
    per spatial dim, `pads` the begin pads then the end pads. Output size
    per spatial dim: `(in + pb + pe - dil*(k-1) - 1) / stride + 1`.

    ```mlir
    %0 = mica.conv %x, %w {strides = array<i64: 1, 1>,
        dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
        group = 1 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
        -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$weight,
                   Optional<Mica_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `:` type($bias) `)`)? attr-dict `:`
    type($input) `,` type($weight) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Mica_PoolOp : Mica_InferOp<"pool"> {
  let summary = "max or average pooling over spatial dims (NCHW)";
  let description = [{
    Window `kernel`, `strides`, `dilations` per spatial dim; `pads` begin
    pads then end pads. Average pooling divides by the window size
    including padding when `count_include_pad`, else by the number of
    in-bounds elements. `ceil_mode` rounds the output size up.

    ```mlir
    %0 = mica.pool max %x {kernel = array<i64: 2, 2>,
        strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
        dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_PoolKindAttr:$kind,
                   DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                   DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat =
      "`` $kind $input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Mica_GlobalPoolOp : Mica_InferOp<"global_pool"> {
  let summary = "max or average over all spatial dims (keeps them as 1)";
  let description = [{
    ```mlir
    %0 = mica.global_pool avg %x : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_PoolKindAttr:$kind);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat =
      "`` $kind $input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

def Mica_ReduceOp : Mica_InferOp<"reduce"> {
  let summary = "reduce over axes (sum, mean, max, min, prod, l1, l2, ...)";
  let description = [{
    Reduces `input` over `axes` (negative axes count from the back; an
    empty list reduces nothing). With `keepdims` reduced dims stay as 1.
    `l2` is `sqrt(sum(x^2))`, `sum_square` is `sum(x^2)`, `log_sum_exp` is
    `log(sum(exp(x)))`.

    ```mlir
    %0 = mica.reduce mean %x {axes = array<i64: -1>, keepdims = true}
        : tensor<1x128x768xf32> -> tensor<1x128x1xf32>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$input, Mica_ReduceKindAttr:$kind,
                   DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Mica_NumericTensor:$output);
  let assemblyFormat =
      "`` $kind $input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

class Mica_ArgReduceOp<string mnemonic, string what>
    : Mica_InferOp<mnemonic> {
  let summary = "index of the " # what # " along an axis (i64)";
  let description = "Ties resolve to the first index, or the last with "
    # "`select_last_index`.\n\n```mlir\n%0 = mica." # mnemonic
    # " %x {axis = 1 : i64, keepdims = false} : tensor<2x5xf32> -> tensor<2xi64>\n```";
  let arguments = (ins Mica_NumericTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs TensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}
def Mica_ArgMaxOp : Mica_ArgReduceOp<"argmax", "maximum">;
def Mica_ArgMinOp : Mica_ArgReduceOp<"argmin", "minimum">;

class Mica_SoftmaxBase<string mnemonic, string formula>
    : Mica_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = mnemonic # " along one axis";
  let description = "`" # formula # "` along `axis` (default -1).\n\n"
    # "```mlir\n%0 = mica." # mnemonic # " %x {axis = -1 : i64} : tensor<1x12x128x128xf32>\n```";
  let arguments = (ins Mica_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}
def Mica_SoftmaxOp : Mica_SoftmaxBase<"softmax", "exp(x - max) / sum(exp(x - max))">;
def Mica_LogSoftmaxOp : Mica_SoftmaxBase<"log_softmax", "x - max - log(sum(exp(x - max)))">;

def Mica_CumSumOp : Mica_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "cumulative sum along an axis";
  let description = [{
    ```mlir
    %0 = mica.cumsum %x {axis = 0 : i64, exclusive = false, reverse = false}
        : tensor<4xf32>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Mica_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Mica_TopKOp : Mica_InferOp<"topk"> {
  let summary = "k largest (or smallest) values along an axis, and indices";
  let description = [{
    Results are sorted (largest first, or smallest first when
    `largest = false`); ties keep the lower index first.

    ```mlir
    %v, %i = mica.topk %x {k = 2 : i64, axis = -1 : i64}
        : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
    ```
  }];
  let arguments = (ins Mica_NumericTensor:$input, I64Attr:$k,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Mica_NumericTensor:$values, TensorOf<[I64]>:$indices);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($values) `,` type($indices)";
  let hasVerifier = 1;
}

def Mica_LayerNormOp : Mica_InferOp<"layer_norm", [AttrSizedOperandSegments]> {
  let summary = "layer normalization over the trailing dims from `axis`";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, mean and
    (biased) variance over dims `[axis, rank)`. `scale` and `bias` are
    optional and have the shape of those trailing dims.

    ```mlir
    %0 = mica.layer_norm %x scale(%g : tensor<768xf32>)
        bias(%b : tensor<768xf32>) {axis = -1 : i64, epsilon = 1.0e-12 : f32}
        : tensor<1x128x768xf32> -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input,
                   Optional<Mica_FloatTensor>:$scale,
                   Optional<Mica_FloatTensor>:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? attr-dict `:`
    type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Mica_BatchNormOp : Mica_InferOp<"batch_norm"> {
  let summary = "batch normalization, inference form";
  let description = [{
    `y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c]` over
    channel dim 1 of `[N, C, ...]`.

    ```mlir
    %0 = mica.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f32}
        : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>,
           tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$scale,
                   Mica_FloatTensor:$bias, Mica_FloatTensor:$mean,
                   Mica_FloatTensor:$variance,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Scatter and resize
//===----------------------------------------------------------------------===//

def Mica_ScatterElementsOp : Mica_InferOp<"scatter_elements"> {
  let summary = "scatter single elements along an axis";
  let description = [{
    A copy of `input` where `output[indices[i][j]][j] = updates[i][j]`
    (axis 0; likewise other axes), combined by `reduction`.

    ```mlir
    %0 = mica.scatter_elements %x, %i, %u {axis = 0 : i64}
        : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Mica_IndexTensor:$indices,
                   Mica_Tensor:$updates, I64Attr:$axis,
                   DefaultValuedAttr<Mica_ScatterReductionAttr,
                     "::mica::ScatterReduction::none">:$reduction);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mica_ScatterNDOp : Mica_InferOp<"scatter_nd"> {
  let summary = "scatter slices addressed by index tuples (ONNX ScatterND)";
  let description = [{
    `indices` is `[..., q]`; each index tuple addresses a slice of `input`
    of rank `rank - q` that is replaced by (or combined with) the matching
    slice of `updates`.

    ```mlir
    %0 = mica.scatter_nd %x, %i, %u
        : (tensor<8xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Mica_Tensor:$input, Mica_IndexTensor:$indices,
                   Mica_Tensor:$updates,
                   DefaultValuedAttr<Mica_ScatterReductionAttr,
                     "::mica::ScatterReduction::none">:$reduction);
  let results = (outs Mica_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $updates attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mica_ResizeOp : Mica_InferOp<"resize"> {
  let summary = "nearest or (multi)linear resize by per-dim scales";
  let description = [{
    Output dim `i` is `floor(input.dim(i) * scales[i])`. Output coordinate
    `o` maps to an input coordinate by `coordinate_transformation_mode`
    (ONNX Resize semantics); `nearest_mode` rounds for `nearest`.

    ```mlir
    %0 = mica.resize nearest %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
        : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_ResizeModeAttr:$mode,
                   DenseF64ArrayAttr:$scales,
                   DefaultValuedAttr<Mica_CoordTransformAttr,
                     "::mica::CoordTransform::half_pixel">:$coordinate_transformation_mode,
                   DefaultValuedAttr<Mica_NearestModeAttr,
                     "::mica::NearestMode::round_prefer_floor">:$nearest_mode);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat =
      "`` $mode $input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused ops
//===----------------------------------------------------------------------===//

def Mica_BiasGeluOp : Mica_InferOp<"bias_gelu"> {
  let summary = "gelu(x + bias), bias over the last dim";
  let description = [{
    ```mlir
    %0 = mica.bias_gelu %x, %b : (tensor<1x128x3072xf32>, tensor<3072xf32>)
        -> tensor<1x128x3072xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$bias,
                   DefaultValuedAttr<Mica_GeluApproxAttr,
                                     "::mica::GeluApprox::none">:$approximate);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mica_SkipLayerNormOp
    : Mica_InferOp<"skip_layer_norm", [AttrSizedOperandSegments]> {
  let summary = "layer_norm(input + skip [+ bias]) over the last dim";
  let description = [{
    The residual add and the layer norm of a transformer block in one op
    (ONNX Runtime's SkipLayerNormalization). `gamma`, optional `beta` and
    optional `bias` are `[H]`, `input` and `skip` `[..., H]`.

    ```mlir
    %0 = mica.skip_layer_norm %x, %s, %g beta(%b : tensor<768xf32>)
        {epsilon = 1.0e-12 : f32}
        : tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<768xf32>
        -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$skip,
                   Mica_FloatTensor:$gamma, Optional<Mica_FloatTensor>:$beta,
                   Optional<Mica_FloatTensor>:$bias,
                   DefaultValuedAttr<F32Attr, "1.0e-12f">:$epsilon);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $skip `,` $gamma (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? attr-dict `:`
    type($input) `,` type($skip) `,` type($gamma) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Mica_EmbedLayerNormOp
    : Mica_InferOp<"embed_layer_norm", [AttrSizedOperandSegments]> {
  let summary = "word + position (+ segment) embeddings, then layer norm";
  let description = [{
    `y = layer_norm(word[ids] + position[pos] + segment[segment_ids])` over
    the hidden dim, with `pos = position_ids` if given, else `0..S-1`
    (ONNX Runtime's EmbedLayerNormalization). `input_ids` is `[B, S]`.

    ```mlir
    %0 = mica.embed_layer_norm %ids, %wemb, %pemb, %g, %b
        segment(%sid, %semb : tensor<1x128xi64>, tensor<2x768xf32>)
        {epsilon = 1.0e-12 : f32}
        : tensor<1x128xi64>, tensor<30522x768xf32>, tensor<512x768xf32>,
          tensor<768xf32>, tensor<768xf32> -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Mica_IndexTensor:$input_ids,
                   Mica_FloatTensor:$word_embedding,
                   Mica_FloatTensor:$position_embedding,
                   Mica_FloatTensor:$gamma, Mica_FloatTensor:$beta,
                   Optional<Mica_IndexTensor>:$segment_ids,
                   Optional<Mica_FloatTensor>:$segment_embedding,
                   Optional<Mica_IndexTensor>:$position_ids,
                   DefaultValuedAttr<F32Attr, "1.0e-12f">:$epsilon);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input_ids `,` $word_embedding `,` $position_embedding `,` $gamma `,`
    $beta (`segment` `(` $segment_ids^ `,` $segment_embedding `:`
    type($segment_ids) `,` type($segment_embedding) `)`)?
    (`position_ids` `(` $position_ids^ `:` type($position_ids) `)`)?
    attr-dict `:` type($input_ids) `,` type($word_embedding) `,`
    type($position_embedding) `,` type($gamma) `,` type($beta) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Mica_AttentionOp : Mica_InferOp<"attention", [AttrSizedOperandSegments]> {
  let summary = "multi-head self-attention with packed QKV weights";
  let description = [{
    `input` is `[B, S, E]`, `weight` `[3E, E]` (the rows of the Q, K and V
    projections stacked, dense layout), optional `bias` `[3E]`. With
    `qkv = input . weight^T + bias` split into Q, K, V and each into
    `num_heads` heads of size `E / num_heads`:
    `out = softmax(Q K^T * scale + mask) V`, heads concatenated back to
    `[B, S, E]`. `mask` is an optional additive float mask broadcastable to
    `[B, num_heads, S, S]`. `scale` defaults to `1/sqrt(E / num_heads)`.
    The output projection is not part of the op.

    ```mlir
    %0 = mica.attention %x, %w bias(%b : tensor<2304xf32>)
        mask(%m : tensor<1x1x1x128xf32>) {num_heads = 12 : i64}
        : tensor<1x128x768xf32>, tensor<2304x768xf32> -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$weight,
                   Optional<Mica_FloatTensor>:$bias,
                   Optional<Mica_FloatTensor>:$mask, I64Attr:$num_heads,
                   OptionalAttr<F32Attr>:$scale);
  let results = (outs Mica_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`mask` `(` $mask^ `:` type($mask) `)`)? attr-dict `:`
    type($input) `,` type($weight) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Mica_LSTMOp : Mica_InferOp<"lstm", [AttrSizedOperandSegments]> {
  let summary = "LSTM over a whole sequence (canonical ONNX layout)";
  let description = [{
    The canonical packed layout is ONNX's (layout 0, sequence major):

    * `input` `[T, B, I]`; `D` = 2 for `bidirectional`, else 1;
    * `w` `[D, 4H, I]`, `r` `[D, 4H, H]`: gate blocks in the order
      **i, o, f, c** (input, output, forget, cell);
    * `b` `[D, 8H]`: input biases `Wb[iofc]` then recurrence biases
      `Rb[iofc]`;
    * `peepholes` `[D, 3H]`: `P[iof]`;
    * `initial_h`, `initial_c` `[D, B, H]`; `sequence_lens` `[B]` (steps at
      or past a batch entry's length leave its state unchanged and output
      zero).

    Per step: `i = sig(x Wi^T + h Ri^T + Wbi + Rbi + Pi.c)`, likewise
    `f` and `o` (`o` peeps at the new cell), `c~ = tanh(...)`,
    `c' = f.c + i.c~`, `h' = o.tanh(c')`. Results: `y` `[T, D, B, H]`,
    `y_h` and `y_c` `[D, B, H]`. Stacked LSTMs are chained `mica.lstm` ops.
    Gate orders of other frameworks (TF `i,j,f,o` with `forget_bias`,
    PyTorch and Keras `i,f,g,o`) are permuted into this one by whoever
    builds the op.

    ```mlir
    %y, %h, %c = mica.lstm %x, %w, %r bias(%b : tensor<1x256xf32>)
        {direction = #mica<direction forward>, hidden_size = 32 : i64}
        : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32>
        -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$w,
                   Mica_FloatTensor:$r, Optional<Mica_FloatTensor>:$b,
                   Optional<Mica_IndexTensor>:$sequence_lens,
                   Optional<Mica_FloatTensor>:$initial_h,
                   Optional<Mica_FloatTensor>:$initial_c,
                   Optional<Mica_FloatTensor>:$peepholes,
                   Mica_RnnDirectionAttr:$direction, I64Attr:$hidden_size,
                   OptionalAttr<F32Attr>:$clip);
  let results = (outs Mica_FloatTensor:$y, Mica_FloatTensor:$y_h,
                      Mica_FloatTensor:$y_c);
  let assemblyFormat = [{
    $input `,` $w `,` $r (`bias` `(` $b^ `:` type($b) `)`)?
    (`sequence_lens` `(` $sequence_lens^ `:` type($sequence_lens) `)`)?
    (`initial_h` `(` $initial_h^ `:` type($initial_h) `)`)?
    (`initial_c` `(` $initial_c^ `:` type($initial_c) `)`)?
    (`peepholes` `(` $peepholes^ `:` type($peepholes) `)`)? attr-dict `:`
    type($input) `,` type($w) `,` type($r) `->` type($y) `,` type($y_h) `,`
    type($y_c)
  }];
  let hasVerifier = 1;
}

def Mica_GRUOp : Mica_InferOp<"gru", [AttrSizedOperandSegments]> {
  let summary = "GRU over a whole sequence (ONNX layout)";
  let description = [{
    ONNX layout: `input` `[T, B, I]`, `w` `[D, 3H, I]` and `r` `[D, 3H, H]`
    with gate blocks **z, r, h**, `b` `[D, 6H]` (`Wb[zrh]`, `Rb[zrh]`),
    `initial_h` `[D, B, H]`. `z = sig(..)`, `r = sig(..)`,
    `h~ = tanh(x Wh^T + (r.h) Rh^T + Rbh + Wbh)`, or with
    `linear_before_reset` `h~ = tanh(x Wh^T + r.(h Rh^T + Rbh) + Wbh)`;
    `h' = (1 - z).h~ + z.h`. Results `y` `[T, D, B, H]`, `y_h` `[D, B, H]`.

    ```mlir
    %y, %h = mica.gru %x, %w, %r {direction = #mica<direction forward>,
        hidden_size = 8 : i64} : tensor<5x1x4xf32>, tensor<1x24x4xf32>,
        tensor<1x24x8xf32> -> tensor<5x1x1x8xf32>, tensor<1x1x8xf32>
    ```
  }];
  let arguments = (ins Mica_FloatTensor:$input, Mica_FloatTensor:$w,
                   Mica_FloatTensor:$r, Optional<Mica_FloatTensor>:$b,
                   Optional<Mica_IndexTensor>:$sequence_lens,
                   Optional<Mica_FloatTensor>:$initial_h,
                   Mica_RnnDirectionAttr:$direction, I64Attr:$hidden_size,
                   DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset);
  let results = (outs Mica_FloatTensor:$y, Mica_FloatTensor:$y_h);
  let assemblyFormat = [{
    $input `,` $w `,` $r (`bias` `(` $b^ `:` type($b) `)`)?
    (`sequence_lens` `(` $sequence_lens^ `:` type($sequence_lens) `)`)?
    (`initial_h` `(` $initial_h^ `:` type($initial_h) `)`)? attr-dict `:`
    type($input) `,` type($w) `,` type($r) `->` type($y) `,` type($y_h)
  }];
  let hasVerifier = 1;
}

#endif // MICA_DIALECT_MICA_IR_MICAOPS_TD
