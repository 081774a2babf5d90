// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// A dynamic dim is read with tensor.dim; the [4] operand broadcasts
// through the map (d0, d1) -> (d1).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x4xf32>, tensor<4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_dynamic(%a: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = mica.add %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Static unit dims that broadcast are collapsed away: [3, 1] x [1, 4].
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @mul_outer
// CHECK: %[[A:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK: %[[B:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[COL]], #{{.*}}]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<3xf32>, tensor<4xf32>)
// CHECK: arith.mulf
func.func @mul_outer(%a: tensor<3x1xf32>, %b: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %0 = mica.mul %a, %b : (tensor<3x1xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A one-element operand becomes a rank-0 tensor read by (d0) -> ().
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @where_scalar
// CHECK: %[[Y:.*]] = tensor.collapse_shape %{{.*}} [] : tensor<1xf32> into tensor<f32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[SCALAR]], #{{.*}}]
// CHECK: ^bb0(%[[C:.*]]: i1, %[[X:.*]]: f32, %[[Z:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.select %[[C]], %[[X]], %[[Z]] : f32
func.func @where_scalar(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<1xf32>) -> tensor<4xf32> {
  %0 = mica.where %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Comparisons: ordered float predicates (une for ne), signed integers.
// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf une
// CHECK: arith.cmpi sge
func.func @compare(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi64>, %j: tensor<4xi64>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = mica.compare lt, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %1 = mica.compare ne, %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %2 = mica.compare ge, %i, %j : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Casts: float->int truncates, int->bool compares with 0, f32->f16 rounds.
// CHECK-LABEL: func.func @casts
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.cmpi ne
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.uitofp %{{.*}} : i1 to f32
func.func @casts(%x: tensor<4xf32>, %i: tensor<4xi64>, %b: tensor<4xi1>)
    -> (tensor<4xi32>, tensor<4xi1>, tensor<4xf16>, tensor<4xf32>) {
  %0 = mica.cast %x : tensor<4xf32> -> tensor<4xi32>
  %1 = mica.cast %i : tensor<4xi64> -> tensor<4xi1>
  %2 = mica.cast %x : tensor<4xf32> -> tensor<4xf16>
  %3 = mica.cast %b : tensor<4xi1> -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xi32>, tensor<4xi1>, tensor<4xf16>, tensor<4xf32>
}

// -----

// Activations: exact gelu uses math.erf, tanh gelu math.tanh; clip is a
// NaN-propagating maximumf/minimumf pair.
// CHECK-LABEL: func.func @activations
// CHECK: math.erf
// CHECK: math.tanh
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.cmpf olt
// CHECK: arith.mulf
// CHECK: arith.select
func.func @activations(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0 = mica.gelu %x : tensor<8xf32>
  %1 = mica.gelu %x approximate = tanh : tensor<8xf32>
  %2 = mica.clip %x {min = 0.0, max = 6.0} : tensor<8xf32>
  %3 = mica.leaky_relu %x {alpha = 0.2 : f32} : tensor<8xf32>
  return %0, %1, %2, %3 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// Integer division guards INT_MIN / -1: the divisor -1 is replaced by 1
// and the quotient negated instead.
// CHECK-LABEL: func.func @div_int
// CHECK: %[[M1:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : i32
// CHECK: %[[SAFE:.*]] = arith.select %[[M1]]
// CHECK: arith.divsi %{{.*}}, %[[SAFE]] : i32
func.func @div_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = mica.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A written result type less static than the computed one gets a
// tensor.cast back to it.
// CHECK-LABEL: func.func @less_static_result
// CHECK: linalg.generic
// CHECK: %[[R:.*]] = linalg.generic
// CHECK: } -> tensor<2x4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<2x4xf32> to tensor<?x4xf32>
// CHECK: return %[[C]]
func.func @less_static_result(%a: tensor<2x4xf32>) -> tensor<?x4xf32> {
  %0 = mica.exp %a : tensor<2x4xf32>
  %1 = mica.add %0, %a : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
