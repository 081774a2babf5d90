//===- MicaBase.td - Mica dialect definition ---------------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_MICABASE_TD
#define MICA_DIALECT_MICA_IR_MICABASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Mica_Dialect : Dialect {
  let name = "mica";
  let cppNamespace = "::mica";
  let summary = "Graph-level tensor operations of deep-learning models";
  let description = [{
    The `mica` dialect is the graph-level IR of the Mica compiler. Models
    imported from ONNX or TensorFlow GraphDef become `func.func`s of `mica`
    ops on builtin ranked tensors; graph rewrites (parallel dense combining,
    LSTM recognition, BERT fusions) work on it, and it lowers to linalg.

    Design rules:

    * Values are builtin ranked tensors with static or dynamic (`?`) dims.
      Element types are `f32`, `f16`, `bf16`, `i1`, `i8`, `i32` and `i64`
      (integers are signless; `i1` is the boolean type).
    * Elementwise binary ops broadcast their operands numpy-style. The
      broadcast is explicit in the types: the result type is the broadcast
      of the operand shapes, and the verifier rejects incompatible shapes.
    * Every op infers its result type where its operands and attributes
      determine it (`InferTypeOpInterface`), including dynamic dims; ops
      whose result shape depends on an operand's *values* (reshape, expand,
      range, fill) carry the result type and reify their shape from that
      operand.
    * Fused ops (`dense`, `lstm`, `gru`, `attention`, `layer_norm`,
      `bias_gelu`, `skip_layer_norm`, `embed_layer_norm`) are produced by the
      graph rewrites and may be imported directly (the ONNX LSTM/GRU ops and
      ONNX Runtime's contrib ops).
    * Every op keeps the source model node as its location.

    ```mlir
    func.func @mlp(%x: tensor<?x64xf32>, %w: tensor<128x64xf32>,
                   %b: tensor<128xf32>) -> tensor<?x128xf32> {
      %0 = mica.dense %x, %w, %b {activation = #mica<activation relu>}
          : (tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>)
          -> tensor<?x128xf32>
      return %0 : tensor<?x128xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Mica_Float : AnyTypeOf<[F32, F16, BF16]>;
def Mica_Int : AnyTypeOf<[I8, I32, I64]>;
def Mica_Element : AnyTypeOf<[F32, F16, BF16, I1, I8, I32, I64]>;

def Mica_Tensor : RankedTensorOf<[F32, F16, BF16, I1, I8, I32, I64]>;
def Mica_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Mica_IntTensor : RankedTensorOf<[I8, I32, I64]>;
def Mica_IndexTensor : RankedTensorOf<[I32, I64]>;
def Mica_BoolTensor : RankedTensorOf<[I1]>;
def Mica_NumericTensor : RankedTensorOf<[F32, F16, BF16, I8, I32, I64]>;
def Mica_LogicTensor : RankedTensorOf<[I1, I8, I32, I64]>;
def Mica_ShapeTensor : 1DTensorOf<[I32, I64]>;

class Mica_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mica_Dialect, mnemonic, traits>;

#endif // MICA_DIALECT_MICA_IR_MICABASE_TD
