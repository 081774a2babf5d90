// Ops --extern selects become calls into the oneDNN runtime; every
// considered op gets a remark saying where it goes and why.
// RUN: mica-opt %s --convert-mica-to-runtime="extern=onednn" -split-input-file -verify-diagnostics | FileCheck %s
// Other selections, with the remark expectations (written for the first
// RUN) masked out:
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --convert-mica-to-runtime="extern=auto min-lstm-batch=4 threads=2 remarks=false" -split-input-file | FileCheck %s --check-prefix=AUTO
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --convert-mica-to-runtime="extern=onednn:matmul precision=bf16 threads=2 remarks=false" -split-input-file | FileCheck %s --check-prefix=MATMUL
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --convert-mica-to-runtime -split-input-file | FileCheck %s --check-prefix=NONE
// RUN: not mica-opt %s --convert-mica-to-runtime="extern=mkl" 2>&1 | FileCheck %s --check-prefix=BAD-LIB
// RUN: not mica-opt %s --convert-mica-to-runtime="extern=onednn:conv" 2>&1 | FileCheck %s --check-prefix=BAD-KIND
// RUN: not mica-opt %s --convert-mica-to-runtime="extern=onednn precision=fp8" 2>&1 | FileCheck %s --check-prefix=BAD-PRECISION

// BAD-LIB: unknown external library 'mkl' (expected none, auto or onednn[:lstm,matmul])
// BAD-KIND: unknown external op kind 'conv' (expected lstm or matmul)
// BAD-PRECISION: precision must be fp32 or bf16, not 'fp8'

// A forward LSTM with constant weights and bias: flags = const weights
// (0x100) | bias (0x4) = 260; the init function prepares it (| 0x400).
// CHECK-LABEL: llvm.mlir.global internal @__mica_extern_slot_0(0 : i64)
// CHECK-LABEL: func.func @lstm_forward
// CHECK-SAME:    (%[[X:.*]]: tensor<5x2x4xf32>)
// CHECK-DAG:     %[[SLOT:.*]] = llvm.mlir.addressof @__mica_extern_slot_0 : !llvm.ptr
// CHECK-DAG:     %[[FLAGS:.*]] = arith.constant 260 : i64
// CHECK-DAG:     %[[HIDDEN:.*]] = arith.constant 8 : i64
// CHECK-DAG:     %[[THREADS:.*]] = arith.constant 1 : i64
// CHECK:         %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<5x2x4xf32> to memref<5x2x4xf32, strided<[?, ?, ?], offset: ?>>
// CHECK:         %[[XU:.*]] = memref.cast %[[XB]] {{.*}} to memref<*xf32>
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<5x1x2x8xf32>
// CHECK:         %[[YH:.*]] = memref.alloc() : memref<1x2x8xf32>
// CHECK:         %[[YC:.*]] = memref.alloc() : memref<1x2x8xf32>
// CHECK:         call @mica_dnnl_lstm(%[[SLOT]], %[[FLAGS]], %[[HIDDEN]], %[[THREADS]], %[[XU]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[XU]], %[[XU]], %[[XU]], %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, i64, i64, i64, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xi64>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>) -> ()
// CHECK:         %[[YT:.*]] = bufferization.to_tensor %[[Y]] restrict writable : memref<5x1x2x8xf32> to tensor<5x1x2x8xf32>
// CHECK:         return %[[YT]]
// CHECK-NOT:     mica.lstm
// CHECK:       func.func private @mica_dnnl_lstm(!llvm.ptr, i64, i64, i64, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xi64>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>)
// CHECK:       func.func private @__mica_extern_init()
// CHECK:         llvm.mlir.addressof @__mica_extern_slot_0
// CHECK:         arith.constant 1284 : i64
// CHECK:         memref.alloc() : memref<5x2x4xf32>
// CHECK:         call @mica_dnnl_lstm
// AUTO-LABEL:  func.func @lstm_forward
// AUTO:          mica.lstm
// NONE-LABEL:  func.func @lstm_forward
// NONE:          mica.lstm
// NONE-NOT:      call
// MATMUL-LABEL: func.func @lstm_forward
// MATMUL:         mica.lstm
func.func @lstm_forward(%x: tensor<5x2x4xf32>) -> tensor<5x1x2x8xf32> {
  %w = mica.constant dense<0.1> : tensor<1x32x4xf32>
  %r = mica.constant dense<0.2> : tensor<1x32x8xf32>
  %b = mica.constant dense<0.3> : tensor<1x64xf32>
  // expected-remark @+1 {{mica.lstm -> oneDNN: selected by --extern}}
  %y, %yh, %yc = mica.lstm %x, %w, %r bias(%b : tensor<1x64xf32>) {direction = #mica<direction forward>, hidden_size = 8 : i64} : tensor<5x2x4xf32>, tensor<1x32x4xf32>, tensor<1x32x8xf32> -> tensor<5x1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>
  return %y : tensor<5x1x2x8xf32>
}

// -----

// Bidirectional, dynamic batch, weights that are arguments, i32 sequence
// lengths (cast to i64) and initial states: flags = bidirectional (2) |
// bias | lens (0x8) | h0 (0x10) | c0 (0x20) = 62, no init (not constant).
// CHECK-LABEL: func.func @lstm_dynamic
// CHECK-SAME:    (%[[X:.*]]: tensor<5x?x4xf32>, %{{.*}}: tensor<2x32x4xf32>, %{{.*}}: tensor<2x32x8xf32>, %{{.*}}: tensor<2x64xf32>, %[[L:.*]]: tensor<?xi32>
// CHECK-DAG:     arith.constant 62 : i64
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         mica.cast %[[L]] : tensor<?xi32> -> tensor<?xi64>
// CHECK:         %[[B:.*]] = tensor.dim %[[X]], %[[C1]] : tensor<5x?x4xf32>
// CHECK:         memref.alloc(%[[B]]) : memref<5x2x?x8xf32>
// CHECK:         call @mica_dnnl_lstm
// CHECK-NOT:   func.func private @__mica_extern_init
// AUTO-LABEL:  func.func @lstm_dynamic
// AUTO:          mica.lstm
func.func @lstm_dynamic(%x: tensor<5x?x4xf32>, %w: tensor<2x32x4xf32>, %r: tensor<2x32x8xf32>, %b: tensor<2x64xf32>, %lens: tensor<?xi32>, %h0: tensor<2x?x8xf32>, %c0: tensor<2x?x8xf32>) -> (tensor<5x2x?x8xf32>, tensor<2x?x8xf32>) {
  // expected-remark @+1 {{mica.lstm -> oneDNN: selected by --extern}}
  %y, %yh, %yc = mica.lstm %x, %w, %r bias(%b : tensor<2x64xf32>) sequence_lens(%lens : tensor<?xi32>) initial_h(%h0 : tensor<2x?x8xf32>) initial_c(%c0 : tensor<2x?x8xf32>) {direction = #mica<direction bidirectional>, hidden_size = 8 : i64} : tensor<5x?x4xf32>, tensor<2x32x4xf32>, tensor<2x32x8xf32> -> tensor<5x2x?x8xf32>, tensor<2x?x8xf32>, tensor<2x?x8xf32>
  return %y, %yc : tensor<5x2x?x8xf32>, tensor<2x?x8xf32>
}

// -----

// auto: batch 4 reaches min-lstm-batch=4 and goes to oneDNN.
// AUTO-LABEL:  func.func @lstm_batch4
// AUTO-NOT:      mica.lstm
// AUTO:          call @mica_dnnl_lstm
// AUTO-NOT:      mica.lstm
// AUTO:          return
func.func @lstm_batch4(%x: tensor<3x4x4xf32>, %w: tensor<1x32x4xf32>, %r: tensor<1x32x8xf32>) -> tensor<1x4x8xf32> {
  // expected-remark @+1 {{mica.lstm -> oneDNN: selected by --extern}}
  %y, %yh, %yc = mica.lstm %x, %w, %r {direction = #mica<direction reverse>, hidden_size = 8 : i64} : tensor<3x4x4xf32>, tensor<1x32x4xf32>, tensor<1x32x8xf32> -> tensor<3x1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
  return %yh : tensor<1x4x8xf32>
}

// -----

// oneDNN has no cell clip: the LSTM stays for native codegen.
// CHECK-LABEL: func.func @lstm_clip
// CHECK:         mica.lstm
// CHECK-NOT:     call
func.func @lstm_clip(%x: tensor<3x4x4xf32>, %w: tensor<1x32x4xf32>, %r: tensor<1x32x8xf32>) -> tensor<1x4x8xf32> {
  // expected-remark @+1 {{mica.lstm -> native codegen: oneDNN's LSTM has no cell clip}}
  %y, %yh, %yc = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 8 : i64, clip = 1.0 : f32} : tensor<3x4x4xf32>, tensor<1x32x4xf32>, tensor<1x32x8xf32> -> tensor<3x1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
  return %yh : tensor<1x4x8xf32>
}

// -----

// f16 LSTMs stay native.
// CHECK-LABEL: func.func @lstm_f16
// CHECK:         mica.lstm
func.func @lstm_f16(%x: tensor<3x4x4xf16>, %w: tensor<1x32x4xf16>, %r: tensor<1x32x8xf16>) -> tensor<1x4x8xf16> {
  // expected-remark @+1 {{mica.lstm -> native codegen: oneDNN takes f32 LSTMs only, operand is tensor<3x4x4xf16>}}
  %y, %yh, %yc = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 8 : i64} : tensor<3x4x4xf16>, tensor<1x32x4xf16>, tensor<1x32x8xf16> -> tensor<3x1x4x8xf16>, tensor<1x4x8xf16>, tensor<1x4x8xf16>
  return %yh : tensor<1x4x8xf16>
}

// -----

// Dense with bias and relu, dynamic batch: flags = dense (0x2) | bias (0x1)
// | const weights (0x100) = 259, activation relu = 1; the output's dynamic
// dim comes from the input. No init: the input shape is dynamic.
// CHECK-LABEL: func.func @dense_relu
// CHECK-SAME:    (%[[X:.*]]: tensor<?x64xf32>)
// CHECK-DAG:     %[[FLAGS:.*]] = arith.constant 259 : i64
// CHECK-DAG:     %[[ACT:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[M:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x64xf32>
// CHECK:         %[[OUT:.*]] = memref.alloc(%[[M]]) : memref<?x128xf32>
// CHECK:         call @mica_dnnl_matmul(%{{.*}}, %[[FLAGS]], %[[ACT]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, i64, i64, i64, memref<*xf32>, memref<*xf32>, memref<*xf32>, memref<*xf32>) -> ()
// CHECK:         bufferization.to_tensor %[[OUT]] restrict writable
// MATMUL-LABEL: func.func @dense_relu
// MATMUL-DAG:     arith.constant 771 : i64
// MATMUL-DAG:     arith.constant 2 : i64
// MATMUL:         call @mica_dnnl_matmul
// AUTO-LABEL:  func.func @dense_relu
// AUTO:          mica.dense
func.func @dense_relu(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %w = mica.constant dense<0.5> : tensor<128x64xf32>
  %b = mica.constant dense<0.25> : tensor<128xf32>
  // expected-remark @+1 {{mica.dense -> oneDNN: selected by --extern}}
  %0 = mica.dense %x, %w bias(%b : tensor<128xf32>) {activation = #mica<activation relu>} : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}

// -----

// Batched matmul of two activations (flags 0) and a static one prepared at
// load (constant right operand).
// CHECK-LABEL: func.func @matmuls
// CHECK:         call @mica_dnnl_matmul(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK:         call @mica_dnnl_matmul
// CHECK-NOT:     mica.matmul
// CHECK:       func.func private @__mica_extern_init
// CHECK:         arith.constant 1280 : i64
// CHECK:         memref.alloc() : memref<2x7x16xf32>
// CHECK:         memref.alloc() : memref<2x7x3xf32>
// CHECK:         call @mica_dnnl_matmul
func.func @matmuls(%q: tensor<2x4x7x16xf32>, %k: tensor<2x4x16x7xf32>, %a: tensor<2x7x16xf32>) -> (tensor<2x4x7x7xf32>, tensor<2x7x3xf32>) {
  // expected-remark @+1 {{mica.matmul -> oneDNN: selected by --extern}}
  %0 = mica.matmul %q, %k : (tensor<2x4x7x16xf32>, tensor<2x4x16x7xf32>) -> tensor<2x4x7x7xf32>
  %w = mica.constant dense<1.0> : tensor<16x3xf32>
  // expected-remark @+1 {{mica.matmul -> oneDNN: selected by --extern}}
  %1 = mica.matmul %a, %w : (tensor<2x7x16xf32>, tensor<16x3xf32>) -> tensor<2x7x3xf32>
  return %0, %1 : tensor<2x4x7x7xf32>, tensor<2x7x3xf32>
}

// -----

// Matmuls oneDNN's path does not take stay native, with the reason.
// CHECK-LABEL: func.func @native_matmuls
// CHECK-COUNT-2: mica.matmul
// CHECK-NOT:     call
func.func @native_matmuls(%a: tensor<3x7x16xf32>, %b: tensor<1x16x5xf32>, %i: tensor<4x8xi32>, %j: tensor<8x2xi32>) -> (tensor<3x7x5xf32>, tensor<4x2xi32>) {
  // expected-remark @+1 {{mica.matmul -> native codegen: batch dims broadcast or are not known equal (tensor<3x7x16xf32> x tensor<1x16x5xf32>)}}
  %0 = mica.matmul %a, %b : (tensor<3x7x16xf32>, tensor<1x16x5xf32>) -> tensor<3x7x5xf32>
  // expected-remark @+1 {{mica.matmul -> native codegen: oneDNN path takes f32 only, operand is tensor<4x8xi32>}}
  %2 = mica.matmul %i, %j : (tensor<4x8xi32>, tensor<8x2xi32>) -> tensor<4x2xi32>
  return %0, %2 : tensor<3x7x5xf32>, tensor<4x2xi32>
}
