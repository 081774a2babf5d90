// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// exclusive cumsum over dim 1, dynamic dim 0: an extra reduction loop d2
// over the axis, reading x[d0, d2] and adding it where d2 < d1.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum_exclusive
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<?x4xf32>) outs(%[[F]] : tensor<?x4xf32>)
// CHECK: ^bb0(%[[IV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[O:.*]] = linalg.index 1 : index
// CHECK: %[[S:.*]] = linalg.index 2 : index
// CHECK: %[[TAKE:.*]] = arith.cmpi ult, %[[S]], %[[O]] : index
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[IV]] : f32
// CHECK: arith.select %[[TAKE]], %[[SUM]], %[[ACC]] : f32
// CHECK: return %[[R]]
func.func @cumsum_exclusive(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = mica.cumsum %x {axis = 1 : i64, exclusive = true} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// reverse integer cumsum: at-or-after, integer add.
// CHECK-LABEL: func.func @cumsum_reverse_int
// CHECK: arith.cmpi uge
// CHECK: arith.addi
func.func @cumsum_reverse_int(%x: tensor<3x4xi64>) -> tensor<3x4xi64> {
  %0 = mica.cumsum %x {axis = 0 : i64, reverse = true} : tensor<3x4xi64>
  return %0 : tensor<3x4xi64>
}

// -----

// linear resize (half_pixel, x2 on the two spatial dims): compile-time tap
// tables (lower index, upper index, weight) for the interpolated dims, a
// lower-index table only for the others; one generic extracting the four
// corners.
// CHECK-LABEL: func.func @resize_linear
// CHECK: arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
// CHECK: arith.constant dense<[0.000000e+00, 2.500000e-01, 7.500000e-01, 0.000000e+00]> : tensor<4xf32>
// CHECK: arith.constant dense<[0, 0, 0, 1, 1, 2]> : tensor<6xi64>
// CHECK: arith.constant dense<[1, 1, 1, 2, 2, 2]> : tensor<6xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x1x2x3xf32>
// CHECK: -> tensor<1x1x4x6xf32>
func.func @resize_linear(%r: tensor<1x1x2x3xf32>) -> tensor<1x1x4x6xf32> {
  %0 = mica.resize linear %r {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// nearest resize: one index table per dim, one extract, no weights.
// CHECK-LABEL: func.func @resize_nearest
// CHECK: arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: linalg.generic
// CHECK-COUNT-1: tensor.extract
// CHECK-NOT: arith.mulf
// CHECK: linalg.yield
func.func @resize_nearest(%r: tensor<1x1x2x3xf32>) -> tensor<1x1x4x6xf32> {
  %0 = mica.resize nearest %r {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// Negative: a dynamic resize stays.
// CHECK-LABEL: func.func @resize_dynamic
// CHECK: mica.resize
func.func @resize_dynamic(%r: tensor<?x1x2x3xf32>) -> tensor<?x1x4x6xf32> {
  %0 = mica.resize nearest %r {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<?x1x2x3xf32> -> tensor<?x1x4x6xf32>
  return %0 : tensor<?x1x4x6xf32>
}
