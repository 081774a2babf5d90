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

// -----

// scatter_elements with add along dim 1: an scf.for nest over the indices
// carrying the output; the index wraps when negative, the current element
// is combined with the update and inserted back.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<3x2xi64>, %[[U:.*]]: tensor<3x2xf32>)
// CHECK: %[[L:.*]] = scf.for %[[A:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[O1:.*]] = %[[X]]) -> (tensor<3x4xf32>)
// CHECK: scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[O:.*]] = %[[O1]]) -> (tensor<3x4xf32>)
// CHECK: %[[K:.*]] = tensor.extract %[[I]][%[[A]], %[[B]]] : tensor<3x2xi64>
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]] : i64 to index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[KI]]
// CHECK: %[[KW:.*]] = arith.select %[[NEG]]
// CHECK: %[[OLD:.*]] = tensor.extract %[[O]][%[[A]], %[[KW]]] : tensor<3x4xf32>
// CHECK: %[[UPD:.*]] = tensor.extract %[[U]][%[[A]], %[[B]]] : tensor<3x2xf32>
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[UPD]] : f32
// CHECK: %[[INS:.*]] = tensor.insert %[[NEW]] into %[[O]][%[[A]], %[[KW]]] : tensor<3x4xf32>
// CHECK: scf.yield %[[INS]]
// CHECK: return %[[L]]
func.func @scatter_elements_add(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = mica.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = #mica<scatter add>} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// scatter_nd of rows: loops over the tuples and the row elements; the row
// index is read from the tuple, the update is stored without combining.
// CHECK-LABEL: func.func @scatter_nd_rows
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[I:.*]]: tensor<2x1xi64>, %[[U:.*]]: tensor<2x3xf32>)
// CHECK: scf.for %[[T:.*]] = {{.*}} iter_args(%{{.*}} = %[[X]])
// CHECK: scf.for %[[S:.*]] = {{.*}} iter_args(%[[O:.*]] = %{{.*}})
// CHECK: tensor.extract %[[I]][%[[T]], %{{.*}}] : tensor<2x1xi64>
// CHECK: %[[UPD:.*]] = tensor.extract %[[U]][%[[T]], %[[S]]] : tensor<2x3xf32>
// CHECK-NOT: arith.addf
// CHECK: tensor.insert %[[UPD]] into %[[O]][%{{.*}}, %[[S]]] : tensor<4x3xf32>
func.func @scatter_nd_rows(%x: tensor<4x3xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = mica.scatter_nd %x, %i, %u : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// topk (largest, k = 2, last axis): the stable rank of every element (a
// reduction over d2 counting larger elements and equal ones at a lower
// index), then a loop nest that inserts the elements ranked below k at
// their rank, with their index.
// CHECK-DAG: #[[SELF:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @topk_largest
// CHECK-SAME: (%[[X:.*]]: tensor<3x5xf32>)
// CHECK: %[[RANK:.*]] = linalg.generic {indexing_maps = [#[[SELF]], #[[OTHER]], #[[SELF]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[X]] : tensor<3x5xf32>, tensor<3x5xf32>) outs(%{{.*}} : tensor<3x5xi64>)
// CHECK: ^bb0(%[[V:.*]]: f32, %[[W:.*]]: f32, %{{.*}}: i64):
// CHECK: arith.cmpf ogt, %[[W]], %[[V]] : f32
// CHECK: arith.cmpf oeq, %[[W]], %[[V]] : f32
// CHECK: %[[K:.*]] = arith.constant 2 : i64
// CHECK: scf.for %[[A:[^ ]*]] =
// CHECK: scf.for %[[B:[^ ]*]] = {{.*}} iter_args(%[[VS:[^ ]*]] = %{{.*}}, %[[IS:[^ ]*]] = %{{.*}})
// CHECK: %[[R:.*]] = tensor.extract %[[RANK]][%[[A]], %[[B]]] : tensor<3x5xi64>
// CHECK: %[[KEEP:.*]] = arith.cmpi slt, %[[R]], %[[K]] : i64
// CHECK: scf.if %[[KEEP]] -> (tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: %[[P:.*]] = arith.index_cast %[[R]] : i64 to index
// CHECK: tensor.insert %{{.*}} into %[[VS]][%[[A]], %[[P]]] : tensor<3x2xf32>
// CHECK: tensor.insert %{{.*}} into %[[IS]][%[[A]], %[[P]]] : tensor<3x2xi64>
func.func @topk_largest(%x: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %v, %i = mica.topk %x {k = 2 : i64, axis = -1 : i64} : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// smallest on integers: a signed less-than.
// CHECK-LABEL: func.func @topk_smallest_int
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK: arith.cmpi eq
func.func @topk_smallest_int(%x: tensor<4x3xi64>) -> (tensor<2x3xi64>, tensor<2x3xi64>) {
  %v, %i = mica.topk %x {k = 2 : i64, axis = 0 : i64, largest = false} : tensor<4x3xi64> -> tensor<2x3xi64>, tensor<2x3xi64>
  return %v, %i : tensor<2x3xi64>, tensor<2x3xi64>
}
