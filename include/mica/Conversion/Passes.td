//===- Passes.td - Mica conversion passes ------------------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_PASSES_TD
#define MICA_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// MicaToLinalg
//===----------------------------------------------------------------------===//

def ConvertMicaToLinalg : Pass<"convert-mica-to-linalg"> {
  let summary = "Lower mica ops to linalg, tensor, arith and math";
  let description = [{
    The first layer of the CPU (and GPU) backend. Every `mica` op that has a
    lowering becomes tensor-level upstream IR:

    * named linalg ops where they exist: `linalg.matmul` (also with
      transposed-B indexing maps for `mica.dense`), `linalg.batch_matmul`,
      `linalg.fill`, `linalg.transpose`, `linalg.broadcast`;
    * `linalg.generic` otherwise: elementwise ops with numpy broadcasting
      expressed by indexing maps (broadcast unit dims are collapsed away, so
      every map is a projected permutation), reductions, softmax, layer
      norm, gathers;
    * tensor ops for data movement (`tensor.collapse_shape`/`expand_shape`/
      `reshape`, `tensor.insert_slice` for concat, `tensor.extract_slice`
      for slice and split, `tensor.pad`);
    * `arith` and `math` in the scalar bodies;
    * sliding windows: `tensor.pad`, then `linalg.conv_{1d_ncw_fcw,
      2d_nchw_fchw,3d_ncdhw_fcdhw}` (group 1) or a contraction
      `linalg.generic` over grouped views (groups, depthwise); pooling as a
      window `linalg.generic` (average divided by compile-time counts);
    * fused ops decomposed into the mica ops they stand for, lowered in the
      same conversion (`attention`, `embed_layer_norm`);
    * recurrences (`lstm`, `gru`) as one `scf.for` over time per direction
      with tensor iter_args, a `linalg.matmul` and gate generics per step;
    * `cumsum` as a generic with a masked reduction loop over the axis;
      `resize` as one generic over compile-time tap tables; scatters as an
      `scf.for` nest of `tensor.extract`/`tensor.insert` on a carried tensor;
      `topk` as stable ranks (a counting generic) and an insertion loop.

    Dynamic dims are read with `tensor.dim` and allocated with
    `tensor.empty`. A dynamic operand dim is assumed to match the result dim
    (it does not broadcast at run time); a static 1 broadcasts. Where the
    written result type is less static than the computed one, a
    `tensor.cast` restores it.

    The conversion is partial: ops without a lowering (or with an attribute
    combination the lowering does not handle) stay as they are, so a later
    check can report them. With `strict`, every remaining mica op is an
    error located at the op.

    ```mlir
    // mica-opt --convert-mica-to-linalg
    %0 = mica.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    // becomes
    %c0 = arith.constant 0 : index
    %d0 = tensor.dim %a, %c0 : tensor<?x4xf32>
    %e = tensor.empty(%d0) : tensor<?x4xf32>
    %0 = linalg.generic {
        indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                         affine_map<(d0, d1) -> (d1)>,
                         affine_map<(d0, d1) -> (d0, d1)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%a, %b : tensor<?x4xf32>, tensor<4xf32>)
        outs(%e : tensor<?x4xf32>) {
      ^bb0(%x: f32, %y: f32, %out: f32):
        %s = arith.addf %x, %y : f32
        linalg.yield %s : f32
    } -> tensor<?x4xf32>
    ```
  }];
  let options = [
    Option<"strict", "strict", "bool", /*default=*/"false",
           "Fail with a located error on every mica op left unconverted">,
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect",
    "mlir::math::MathDialect",
    "mlir::scf::SCFDialect",
  ];
}


//===----------------------------------------------------------------------===//
// MicaToRuntime
//===----------------------------------------------------------------------===//

def ConvertMicaToRuntime : Pass<"convert-mica-to-runtime", "mlir::ModuleOp"> {
  let summary = "Hand chosen mica ops to oneDNN kernels in the Mica runtime";
  let description = [{
    Replaces the ops that `extern` selects by calls into the external-kernel
    runtime (include/mica/Runtime/MicaExtern.h, lib/Runtime/OneDNN.cpp):

    * `mica.lstm` (forward, reverse, bidirectional; initial states, sequence
      lengths, peepholes) -> `mica_dnnl_lstm`;
    * `mica.dense` (bias, activation epilogue) and `mica.matmul` (2-D,
      batched with equal batch dims, or a rank-2 right operand) ->
      `mica_dnnl_matmul`.

    `extern` is `none`, `auto` (the cost rule below), or
    `onednn:KIND[,KIND]` with kinds `lstm` and `matmul` (`onednn` alone:
    both). The `auto` rule comes from bench/extern (docs/pipeline.md has the
    numbers): an LSTM goes to oneDNN when its batch is at least
    `min-lstm-batch` (8), its hidden size at most `max-lstm-hidden` (512)
    and the model runs on at least `min-lstm-threads` (2) threads —
    elsewhere the native recurrence is 1.2-3x faster; matmuls stay on
    native codegen, which matches oneDNN on the measured shapes.

    The call works on buffers inside tensor IR: operands are read through
    `bufferization.to_buffer`, results are fresh `memref.alloc`s turned back
    into tensors with `bufferization.to_tensor restrict`, so one-shot
    bufferization and deallocation handle them like any other op. The call
    is opaque to fusion: elementwise producers and consumers around it fuse
    among themselves exactly as they would without it, and nothing fuses
    into or through it. Each call site gets a private `llvm.mlir.global`
    slot in which the runtime caches its oneDNN primitive and reordered
    weights.

    An op that oneDNN cannot take (non-f32 types, LSTM `clip`, a matmul
    whose batch dims broadcast) stays for native codegen; with `remarks`,
    every considered op gets a remark saying where it goes and why.

    ```mlir
    // mica-opt --convert-mica-to-runtime="extern=onednn:matmul"
    %0 = mica.dense %x, %w : tensor<4x64xf32>, tensor<128x64xf32>
        -> tensor<4x128xf32>
    // becomes (abridged)
    %m = memref.alloc() : memref<4x128xf32>
    call @mica_dnnl_matmul(%slot, %flags, %act, %threads, %xu, %wu, %xu, %mu)
    %0 = bufferization.to_tensor %m restrict writable : memref<4x128xf32>
    ```
  }];
  let options = [
    Option<"externKernels", "extern", "std::string", /*default=*/"\"none\"",
           "Ops handed to oneDNN: none, auto, or onednn[:lstm,matmul]">,
    Option<"threads", "threads", "unsigned", /*default=*/"1",
           "OpenMP threads the oneDNN kernels run on">,
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "Compute type of the external kernels: fp32 or bf16 (f32 "
           "inputs and outputs either way)">,
    Option<"minLSTMBatch", "min-lstm-batch", "int64_t", /*default=*/"8",
           "auto: smallest LSTM batch that goes to oneDNN">,
    Option<"maxLSTMHidden", "max-lstm-hidden", "int64_t", /*default=*/"512",
           "auto: largest LSTM hidden size that goes to oneDNN">,
    Option<"minLSTMThreads", "min-lstm-threads", "unsigned", /*default=*/"2",
           "auto: fewest threads with which LSTMs go to oneDNN">,
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark on every op considered (where it goes and why)">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect", "mlir::tensor::TensorDialect",
    "::mica::MicaDialect"
  ];
}

#endif // MICA_CONVERSION_PASSES_TD
