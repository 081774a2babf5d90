// RUN: mica-opt %s --mica-f16 --split-input-file | FileCheck %s
// RUN: mica-opt %s --mica-f16=tensorcore-shapes-only=0 --split-input-file | FileCheck %s --check-prefix=ALL
// RUN: mica-opt %s --mica-f16 --linalg-generalize-named-ops --split-input-file | FileCheck %s --check-prefix=BODY

// A matmul on an activation and constant weights: the activation is
// truncated by an elementwise generic, the weights become an f16 constant at
// compile time, the accumulator and result stay f32.
// CHECK-LABEL: func.func @dense
// CHECK-DAG: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<64x48xf16>
// CHECK-DAG: %[[INIT:.*]] = linalg.fill {{.*}} -> tensor<32x48xf32>
// CHECK: %[[X16:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<32x64xf32>) outs(%{{.*}} : tensor<32x64xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[X16]], %[[W]] : tensor<32x64xf16>, tensor<64x48xf16>) outs(%[[INIT]] : tensor<32x48xf32>) -> tensor<32x48xf32>
// CHECK: return %[[R]] : tensor<32x48xf32>
// The products and the sum stay f32.
// BODY-LABEL: func.func @dense
// BODY: linalg.generic
// BODY: ^bb0(%[[A:.*]]: f16, %[[B:.*]]: f16, %[[C:.*]]: f32):
// BODY-DAG: %[[AE:.*]] = arith.extf %[[A]] : f16 to f32
// BODY-DAG: %[[BE:.*]] = arith.extf %[[B]] : f16 to f32
// BODY: %[[P:.*]] = arith.mulf %[[AE]], %[[BE]] : f32
// BODY: arith.addf %[[C]], %[[P]] : f32
func.func @dense(%x: tensor<32x64xf32>) -> tensor<32x48xf32> {
  %w = arith.constant dense<0.5> : tensor<64x48xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x48xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<32x48xf32>) -> tensor<32x48xf32>
  %r = linalg.matmul ins(%x, %w : tensor<32x64xf32>, tensor<64x48xf32>) outs(%c : tensor<32x48xf32>) -> tensor<32x48xf32>
  return %r : tensor<32x48xf32>
}

// -----

// A batch matmul (attention scores) whose inputs are both activations; an
// input that is an f16 value extended to f32 is read directly (the cast
// pair folds away).
// CHECK-LABEL: func.func @attention_scores
// CHECK-SAME: (%[[Q:.*]]: tensor<4x16x32xf16>, %[[K:.*]]: tensor<4x32x16xf32>
// CHECK: %[[K16:.*]] = linalg.generic {{.*}} ins(%[[K]] : tensor<4x32x16xf32>)
// CHECK: linalg.batch_matmul ins(%[[Q]], %[[K16]] : tensor<4x16x32xf16>, tensor<4x32x16xf16>) outs(%{{.*}} : tensor<4x16x16xf32>)
#id = affine_map<(b, m, n) -> (b, m, n)>
func.func @attention_scores(%q: tensor<4x16x32xf16>, %k: tensor<4x32x16xf32>, %c: tensor<4x16x16xf32>) -> tensor<4x16x16xf32> {
  %e = tensor.empty() : tensor<4x16x32xf32>
  %q32 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%q : tensor<4x16x32xf16>) outs(%e : tensor<4x16x32xf32>) {
  ^bb0(%a: f16, %o: f32):
    %x = arith.extf %a : f16 to f32
    linalg.yield %x : f32
  } -> tensor<4x16x32xf32>
  %r = linalg.batch_matmul ins(%q32, %k : tensor<4x16x32xf32>, tensor<4x32x16xf32>) outs(%c : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  return %r : tensor<4x16x16xf32>
}

// -----

// What stays f32: a softmax-like row reduction and elementwise ops are not
// contractions.
// CHECK-LABEL: func.func @row_max
// CHECK-NOT: f16
// CHECK: return
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
func.func @row_max(%x: tensor<16x64xf32>, %init: tensor<16xf32>) -> tensor<16xf32> {
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<16x64xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%a: f32, %m: f32):
    %y = arith.maximumf %a, %m : f32
    linalg.yield %y : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// -----

// A contraction whose shape misses TensorCores (K = 5) stays f32 by default
// (it runs on the SIMT path); with tensorcore-shapes-only=0 it is cast too.
// CHECK-LABEL: func.func @unaligned
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x5xf32>, tensor<5x3xf32>)
// ALL-LABEL: func.func @unaligned
// ALL: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<3x5xf16>, tensor<5x3xf16>) outs(%{{.*}} : tensor<3x3xf32>)
func.func @unaligned(%a: tensor<3x5xf32>, %b: tensor<5x3xf32>, %c: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<3x5xf32>, tensor<5x3xf32>) outs(%c : tensor<3x3xf32>) -> tensor<3x3xf32>
  return %r : tensor<3x3xf32>
}

// -----

// Integer contractions are not touched.
// CHECK-LABEL: func.func @integer
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x16xi32>, tensor<16x16xi32>)
func.func @integer(%a: tensor<16x16xi32>, %b: tensor<16x16xi32>, %c: tensor<16x16xi32>) -> tensor<16x16xi32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x16xi32>, tensor<16x16xi32>) outs(%c : tensor<16x16xi32>) -> tensor<16x16xi32>
  return %r : tensor<16x16xi32>
}

// -----

// Weights stored as dense_resource blobs are converted value by value at
// compile time: 1.0, 2.0, 0.5, -1.0 are 0x3C00, 0x4000, 0x3800, 0xBC00 in f16.
// ALL-LABEL: func.func @resource_weights
// ALL: %[[W:.*]] = arith.constant dense_resource<mica_f16_weight> : tensor<2x2xf16>
// ALL: linalg.matmul ins(%{{.*}}, %[[W]] : tensor<2x2xf16>, tensor<2x2xf16>)
// ALL: mica_f16_weight: "0x02000000003C0040003800BC"
func.func @resource_weights(%x: tensor<2x2xf32>, %c: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense_resource<w> : tensor<2x2xf32>
  %r = linalg.matmul ins(%x, %w : tensor<2x2xf32>, tensor<2x2xf32>) outs(%c : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000003F000080BF"
    }
  }
#-}
