//===- Passes.td - Mica dialect transformation passes ------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_TRANSFORMS_PASSES_TD
#define MICA_DIALECT_MICA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MicaRefineShapes : Pass<"mica-refine-shapes", "mlir::ModuleOp"> {
  let summary = "Propagate static shapes through mica ops";
  let description = [{
    Makes result types as static as the operand types and the
    compile-time-known shape subgraphs allow. Typical use: pin the dynamic
    dims of an entry function's arguments (with `arg-shapes` or by editing
    the signature), then run this pass to propagate them through the whole
    function; `Shape -> Gather -> Concat -> Reshape` chains fold to
    constants on the way. Function result types are updated to match and
    callers are not expected (entry functions only).

    Each op that implements `InferTypeOpInterface` gets its inferred type
    when it is more refined than the written one; reshape/expand/fill read
    their shape operands. The pass iterates with the mica canonicalization
    patterns until nothing changes.

    ```mlir
    // mica-opt --mica-refine-shapes="entry=f arg-shapes=0:1x128"
    func.func @f(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
      %0 = mica.relu %x : tensor<?x?xf32>   // becomes tensor<1x128xf32>
      return %0 : tensor<?x?xf32>
    }
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "Function whose arguments `arg-shapes` pins (default: every "
           "public function)">,
    ListOption<"argShapes", "arg-shapes", "std::string",
               "Static shapes for entry arguments, as index:AxBxC (e.g. "
               "0:1x128, ? for a dim left dynamic)">,
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

#endif // MICA_DIALECT_MICA_TRANSFORMS_PASSES_TD
