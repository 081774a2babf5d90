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

def MicaCombineParallelDense
    : Pass<"mica-combine-parallel-dense", "mlir::func::FuncOp"> {
  let summary = "Combine dense layers that read the same input into one";
  let description = [{
    Two or more `mica.dense` ops (or `mica.matmul`s with a constant 2-D
    right-hand side) that read the same value, with constant weights of the
    same contraction size and element type, become one wider op whose
    weights (and biases) are concatenated at compile time, followed by a
    `mica.split` along the last dim. Output widths may differ. A shared
    activation stays fused; different activations are applied after the
    split. Branches whose weight is not a constant, or is used elsewhere
    (combining would duplicate it), or whose element type or contraction
    size differs, are left alone and reported as near misses.

    With `to-batch`, branches of equal width are instead stacked into one
    batched `mica.matmul` with weights `[branches, 1..., K, N]` (broadcast
    against the input's batch dims), the stacked biases added once, and
    each branch read back with `mica.gather` along dim 0.

    ```mlir
    %q = mica.dense %x, %wq bias(%bq : tensor<768xf32>) : ...
    %k = mica.dense %x, %wk bias(%bk : tensor<768xf32>) : ...
    // becomes
    %qk = mica.dense %x, %wqk bias(%bqk : tensor<1536xf32>) : ...
    %q, %k = mica.split %qk {axis = 2 : i64, sizes = array<i64: 768, 768>}
    ```
  }];
  let options = [
    Option<"minBranches", "min-branches", "unsigned", /*default=*/"2",
           "Fewest compatible branches worth combining">,
    Option<"toBatch", "to-batch", "bool", /*default=*/"false",
           "Stack branches of equal width into one batched matmul">,
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark for every combination and near miss">,
  ];
}

def MicaFuseBert : Pass<"mica-fuse-bert", "mlir::func::FuncOp"> {
  let summary = "Fuse transformer blocks into mica's fused ops";
  let description = [{
    Rewrites the op-by-op forms that PyTorch and TF exports produce into
    mica's fused ops:

    * `layer_norm`: `x - mean(x)` divided by `sqrt(mean((x - mean)^2) +
      eps)` (or multiplied by `rsqrt`), with the optional `* gamma + beta`,
      and TF's scale-shift form `x * s + (beta - mean * s)` with
      `s = rsqrt(var + eps) * gamma`;
    * `gelu`: `0.5 x (1 + erf(x / sqrt 2))` and the tanh approximation;
    * `bias_gelu`: `gelu(x + b)` with a constant bias over the last dim;
    * `skip_layer_norm`: `layer_norm(x + skip [+ bias])` over the last dim;
    * `embed_layer_norm`: word + position (+ token type) gathers summed and
      normalized;
    * `attention`: Q/K/V projections (matmul, dense or slices of one
      combined projection; on `[B, S, E]` or TF's flattened `[B * S, E]`),
      heads split by reshape/transpose, `softmax(Q K^T * scale + mask) V`
      with the scale anywhere before the softmax and an additive or
      select (`where(mask, s, -inf)`) mask, heads merged back; the Q, K, V
      weights are packed into one `[3E, E]` constant at compile time.

    Each fusion reports where it fired and its near misses (remarks with
    `remarks=true`, the default).

    ```mlir
    %m = mica.reduce mean %x {axes = array<i64: -1>} : ...
    %d = mica.sub %x, %m : ...
    // ... pow, reduce mean, add eps, sqrt, div, mul gamma, add beta
    // becomes
    %y = mica.layer_norm %x scale(%g : tensor<768xf32>) bias(%b : ...)
    ```
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark for every fusion and near miss">,
  ];
}

def MicaRecognizeLSTM : Pass<"mica-recognize-lstm", "mlir::func::FuncOp"> {
  let summary = "Recognize LSTM cells and whole sequences as mica.lstm";
  let description = [{
    Finds LSTM cells built from plain ops (gates from one matmul over
    concat(x, h) or separate x and h matmuls, plus bias; split into four in
    any framework's gate order; sigmoid/tanh; `c' = f*c + i*g`,
    `h' = o*tanh(c')`; peephole variants), confirmed by structure (TF scope
    names are only a hint), chains the cells of consecutive time steps into
    one `mica.lstm` with weights packed into the canonical layout, and
    handles stacked and bidirectional layers. GRUs, cells with layer norm
    and cells missing a gate are reported as near misses with the reason.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark for every recognized LSTM and near miss">,
  ];
}

def MicaFusionReport : Pass<"mica-fusion-report", "mlir::ModuleOp"> {
  let summary = "Run the graph rewrites and print what fired and why not";
  let description = [{
    Runs the graph rewrite stage (`mica-recognize-lstm`, `mica-fuse-bert`,
    `mica-combine-parallel-dense`, in that order, each switchable) with one
    shared fusion report, then prints the report: per rewrite, how often it
    fired and at which model nodes (from the locations the importers
    write), and every near miss with the first condition that failed. Near
    misses at places where the rewrite fired later are dropped.

    `format=text` (default) prints a table, `format=json` a JSON object
    with a `rewrites` array; each entry has `name`, `fired`, `missed`, and
    `sites` and `misses` arrays of `node` + `message` objects. The report
    goes to stderr or to the file named by `output`.

    ```
    mica-opt model.mlir --mica-fusion-report="format=json output=report.json"
    ```
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"",
           "Report format: text or json">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "File to write the report to ('-' for stderr)">,
    Option<"recognizeLSTM", "recognize-lstm", "bool", /*default=*/"true",
           "Run mica-recognize-lstm">,
    Option<"fuseBert", "fuse-bert", "bool", /*default=*/"true",
           "Run mica-fuse-bert">,
    Option<"combineParallelDense", "combine-parallel-dense", "bool",
           /*default=*/"true", "Run mica-combine-parallel-dense">,
    Option<"minBranches", "min-branches", "unsigned", /*default=*/"2",
           "min-branches of mica-combine-parallel-dense">,
  ];
}

#endif // MICA_DIALECT_MICA_TRANSFORMS_PASSES_TD
