// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// 2-D: a named linalg.matmul into a zero-filled accumulator.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<4x5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3x5xf32>
// CHECK: %[[Z:.*]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<3x5xf32>)
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4x5xf32>) outs(%[[F]] : tensor<3x5xf32>)
// CHECK: return %[[M]]
// CHECK-NOT: mica.
func.func @matmul_2d(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = mica.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// [?, M, K] x [K, N]: the rows of every batch in one GEMM, dynamic batch.
// CHECK-LABEL: func.func @matmul_rows_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x3x4xf32>, %[[B:.*]]: tensor<4x5xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
// CHECK: %[[D:.*]] = tensor.dim %[[C]]
// CHECK: tensor.empty(%[[D]]) : tensor<?x5xf32>
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[C]], %[[B]] : tensor<?x4xf32>, tensor<4x5xf32>)
// CHECK: %[[B0:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: tensor.expand_shape %[[M]] {{\[}}[0, 1], [2]] output_shape [%[[B0]], 3, 5] : tensor<?x5xf32> into tensor<?x3x5xf32>
func.func @matmul_rows_dynamic(%a: tensor<?x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x3x5xf32> {
  %0 = mica.matmul %a, %b : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}

// -----

// Equal batch dims of rank 4 (attention scores): collapse to one batch dim,
// linalg.batch_matmul, expand.
// CHECK-LABEL: func.func @matmul_attention
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<1x12x128x64xf32> into tensor<12x128x64xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<1x12x64x128xf32> into tensor<12x64x128xf32>
// CHECK: %[[M:.*]] = linalg.batch_matmul ins({{.*}} : tensor<12x128x64xf32>, tensor<12x64x128xf32>) outs({{.*}} : tensor<12x128x128xf32>)
// CHECK: tensor.expand_shape %[[M]] {{\[}}[0, 1], [2], [3]] output_shape [1, 12, 128, 128]
func.func @matmul_attention(%q: tensor<1x12x128x64xf32>, %k: tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32> {
  %0 = mica.matmul %q, %k : (tensor<1x12x128x64xf32>, tensor<1x12x64x128xf32>) -> tensor<1x12x128x128xf32>
  return %0 : tensor<1x12x128x128xf32>
}

// -----

// Broadcast batch dims: a contraction generic; the broadcast unit batch dim
// of the lhs is collapsed away so every map is a projected permutation.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<1x3x4xf32> into tensor<3x4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[C]], %{{.*}} : tensor<3x4xf32>, tensor<2x4x5xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_broadcast_batch(%a: tensor<1x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = mica.matmul %a, %b : (tensor<1x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Integer matmul accumulates in its own type.
// CHECK-LABEL: func.func @matmul_i32
// CHECK: arith.constant 0 : i32
// CHECK: linalg.matmul ins({{.*}} : tensor<2x3xi32>, tensor<3x2xi32>) outs({{.*}} : tensor<2x2xi32>)
func.func @matmul_i32(%a: tensor<2x3xi32>, %b: tensor<3x2xi32>) -> tensor<2x2xi32> {
  %0 = mica.matmul %a, %b : (tensor<2x3xi32>, tensor<3x2xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// dense: linalg.matmul with transposed-B maps, then one epilogue generic
// (bias + relu), leading dims collapsed and expanded back.
// CHECK-DAG: #[[MA:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[MB:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @dense_bias_relu
// CHECK-SAME: (%[[X:.*]]: tensor<?x128x64xf32>, %[[W:.*]]: tensor<32x64xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<?x128x64xf32> into tensor<?x64xf32>
// CHECK: %[[MM:.*]] = linalg.matmul indexing_maps = [#[[MA]], #[[MB]], #[[MC]]] ins(%[[C]], %[[W]] : tensor<?x64xf32>, tensor<32x64xf32>)
// CHECK: %[[EP:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], {{.*}}} ins(%[[MM]], %[[B]] : tensor<?x32xf32>, tensor<32xf32>)
// CHECK: arith.addf
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: tensor.expand_shape %[[EP]] {{\[}}[0, 1], [2]] output_shape [%{{.*}}, 128, 32] : tensor<?x32xf32> into tensor<?x128x32xf32>
func.func @dense_bias_relu(%x: tensor<?x128x64xf32>, %w: tensor<32x64xf32>, %b: tensor<32xf32>) -> tensor<?x128x32xf32> {
  %0 = mica.dense %x, %w bias(%b : tensor<32xf32>) {activation = #mica<activation relu>} : tensor<?x128x64xf32>, tensor<32x64xf32> -> tensor<?x128x32xf32>
  return %0 : tensor<?x128x32xf32>
}

// -----

// A plain dense without bias or activation has no epilogue.
// CHECK-LABEL: func.func @dense_plain
// CHECK: %[[MM:.*]] = linalg.matmul indexing_maps
// CHECK-NOT: linalg.generic
// CHECK: return %[[MM]]
func.func @dense_plain(%x: tensor<4x64xf32>, %w: tensor<32x64xf32>) -> tensor<4x32xf32> {
  %0 = mica.dense %x, %w : tensor<4x64xf32>, tensor<32x64xf32> -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}
