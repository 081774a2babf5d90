// --extern=auto: the cost rule of bench/extern, one remark per op with the
// reason. LSTMs go to oneDNN only with batch >= 8, hidden <= 512 and >= 2
// threads; matmuls stay native.
// RUN: mica-opt %s --convert-mica-to-runtime="extern=auto threads=2" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mica-opt %s --convert-mica-to-runtime="extern=auto" -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=ONE-THREAD
// ONE-THREAD-COUNT-3: remark: mica.lstm -> native codegen (auto): 1 thread(s) < 2, where native recurrences beat oneDNN

// CHECK-LABEL: func.func @batch8_h256
// CHECK:         call @mica_dnnl_lstm
func.func @batch8_h256(%x: tensor<3x8x16xf32>, %w: tensor<1x1024x16xf32>, %r: tensor<1x1024x256xf32>) -> tensor<1x8x256xf32> {
  // expected-remark @+1 {{mica.lstm -> oneDNN (auto): batch >= 8, hidden <= 512, 2 threads}}
  %y, %yh, %yc = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 256 : i64} : tensor<3x8x16xf32>, tensor<1x1024x16xf32>, tensor<1x1024x256xf32> -> tensor<3x1x8x256xf32>, tensor<1x8x256xf32>, tensor<1x8x256xf32>
  return %yh : tensor<1x8x256xf32>
}

// -----

// CHECK-LABEL: func.func @batch1
// CHECK:         mica.lstm
func.func @batch1(%x: tensor<3x1x16xf32>, %w: tensor<1x1024x16xf32>, %r: tensor<1x1024x256xf32>) -> tensor<1x1x256xf32> {
  // expected-remark @+1 {{mica.lstm -> native codegen (auto): batch 1 < 8, where native recurrences beat oneDNN}}
  %y, %yh, %yc = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 256 : i64} : tensor<3x1x16xf32>, tensor<1x1024x16xf32>, tensor<1x1024x256xf32> -> tensor<3x1x1x256xf32>, tensor<1x1x256xf32>, tensor<1x1x256xf32>
  return %yh : tensor<1x1x256xf32>
}

// -----

// CHECK-LABEL: func.func @hidden1024
// CHECK:         mica.lstm
func.func @hidden1024(%x: tensor<3x16x16xf32>, %w: tensor<1x4096x16xf32>, %r: tensor<1x4096x1024xf32>) -> tensor<1x16x1024xf32> {
  // expected-remark @+1 {{mica.lstm -> native codegen (auto): hidden 1024 > 512, where native recurrences beat oneDNN}}
  %y, %yh, %yc = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 1024 : i64} : tensor<3x16x16xf32>, tensor<1x4096x16xf32>, tensor<1x4096x1024xf32> -> tensor<3x1x16x1024xf32>, tensor<1x16x1024xf32>, tensor<1x16x1024xf32>
  return %yh : tensor<1x16x1024xf32>
}

// -----

// CHECK-LABEL: func.func @dense
// CHECK:         mica.dense
func.func @dense(%x: tensor<16x64xf32>, %w: tensor<32x64xf32>) -> tensor<16x32xf32> {
  // expected-remark @+1 {{mica.dense -> native codegen (auto): native matmul kernels match oneDNN on every measured shape}}
  %0 = mica.dense %x, %w : tensor<16x64xf32>, tensor<32x64xf32> -> tensor<16x32xf32>
  return %0 : tensor<16x32xf32>
}
