// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// mean over the last dim with keepdims, dynamic batch: a reduction generic
// into a zero-filled [?, 128], a division by the (static) count, and an
// expand_shape that re-inserts the unit dim.
// CHECK-DAG: #[[ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEEP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @reduce_mean_keepdims
// CHECK-SAME: (%[[X:.*]]: tensor<?x128x768xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x128x768xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x128xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x128xf32>)
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID3]], #[[KEEP]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<?x128x768xf32>) outs(%[[F]] : tensor<?x128xf32>)
// CHECK: arith.addf
// CHECK: %[[N:.*]] = arith.constant 7.680000e+02 : f32
// CHECK: %[[M:.*]] = linalg.generic
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
// CHECK: tensor.expand_shape %[[M]] {{\[}}[0], [1, 2]] output_shape [%{{.*}}, 128, 1] : tensor<?x128xf32> into tensor<?x128x1xf32>
func.func @reduce_mean_keepdims(%x: tensor<?x128x768xf32>) -> tensor<?x128x1xf32> {
  %0 = mica.reduce mean %x {axes = array<i64: -1>, keepdims = true} : tensor<?x128x768xf32> -> tensor<?x128x1xf32>
  return %0 : tensor<?x128x1xf32>
}

// -----

// A mean over a dynamic dim divides by its run-time size.
// CHECK-LABEL: func.func @reduce_mean_dynamic_count
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x4xf32>
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[N:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK: arith.divf %{{.*}}, %[[N]] : f32
func.func @reduce_mean_dynamic_count(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  %0 = mica.reduce mean %x {axes = array<i64: 0>, keepdims = false} : tensor<?x4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// max starts from -inf and uses the NaN-propagating maximumf; integer min
// starts from the largest value.
// CHECK-LABEL: func.func @reduce_max_min
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
func.func @reduce_max_min(%x: tensor<3x4xf32>, %i: tensor<3x4xi32>) -> (tensor<3xf32>, tensor<4xi32>) {
  %0 = mica.reduce max %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4xf32> -> tensor<3xf32>
  %1 = mica.reduce min %i {axes = array<i64: 0>, keepdims = false} : tensor<3x4xi32> -> tensor<4xi32>
  return %0, %1 : tensor<3xf32>, tensor<4xi32>
}

// -----

// softmax of an input under 8 MiB (cache-resident passes): max,
// exp(x - max), sum, divide; the reduced values are read back through the
// projection (d0, d1) -> (d0).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]]
// CHECK: arith.maximumf
// CHECK: %[[EXP:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], {{.*}}} ins(%[[X]], %[[MAX]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[EXP]] : tensor<2x8xf32>)
// CHECK: arith.addf
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<2x8xf32>, tensor<2xf32>)
// CHECK: arith.divf
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = mica.softmax %x : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// softmax of an input of at least 8 MiB (passes that go to memory): one
// reduction with two outputs, the online max (from the lowest finite
// value) and sum of exp(x - max), then exp(x - max) * (1 / sum).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @softmax_online
// CHECK-SAME: (%[[X:.*]]: tensor<64x32768xf32>)
// CHECK-DAG: %[[LOW:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK-DAG: %[[M0:.*]] = linalg.fill ins(%[[LOW]] : f32) outs(%{{.*}} : tensor<64xf32>)
// CHECK-DAG: %[[S0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<64xf32>)
// CHECK: %[[MS:.*]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<64x32768xf32>) outs(%[[M0]], %[[S0]] : tensor<64xf32>, tensor<64xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32):
// CHECK: %[[MN:.*]] = arith.maximumf %[[M]], %[[IN]]
// CHECK: %[[LO:.*]] = arith.minimumf %[[M]], %[[IN]]
// CHECK: %[[D:.*]] = arith.subf %[[LO]], %[[MN]]
// CHECK: %[[E:.*]] = math.exp %[[D]]
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[IN]], %[[M]]
// CHECK: %[[A:.*]] = arith.select %[[GT]], %[[E]], %{{.*}}
// CHECK: %[[B:.*]] = arith.select %[[GT]], %{{.*}}, %[[E]]
// CHECK: %[[SA:.*]] = arith.mulf %[[S]], %[[A]]
// CHECK: %[[SN:.*]] = arith.addf %[[SA]], %[[B]]
// CHECK: linalg.yield %[[MN]], %[[SN]]
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]], #[[ID]]], {{.*}}} ins(%[[X]], %[[MS]]#0, %[[MS]]#1 : tensor<64x32768xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: math.exp
// CHECK: arith.mulf
// CHECK: return %[[Y]]
func.func @softmax_online(%x: tensor<64x32768xf32>) -> tensor<64x32768xf32> {
  %0 = mica.softmax %x : tensor<64x32768xf32>
  return %0 : tensor<64x32768xf32>
}

// -----

// log_softmax, online (>= 8 MiB) along a middle axis: x - m - log(s), the
// reduction over d1.
// CHECK-DAG: #[[PROJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @log_softmax_online_axis1
// CHECK: %[[MS:.*]]:2 = linalg.generic {indexing_maps = [#{{.*}}, #[[PROJ]], #[[PROJ]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PROJ]], #[[PROJ]], #{{.*}}]{{.*}} ins(%{{.*}}, %[[MS]]#0, %[[MS]]#1
// CHECK: arith.subf
// CHECK: math.log
// CHECK: arith.subf
// CHECK-NOT: math.exp
func.func @log_softmax_online_axis1(%x: tensor<8x1024x256xf32>) -> tensor<8x1024x256xf32> {
  %0 = mica.log_softmax %x {axis = 1 : i64} : tensor<8x1024x256xf32>
  return %0 : tensor<8x1024x256xf32>
}

// -----

// log_softmax along a middle axis: x - max - log(sum(exp(x - max))).
// CHECK-DAG: #[[PROJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @log_softmax_axis1
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: math.exp
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PROJ]], #[[PROJ]], #{{.*}}]
// CHECK: arith.subf
// CHECK: math.log
// CHECK: arith.subf
func.func @log_softmax_axis1(%x: tensor<?x4x5xf32>) -> tensor<?x4x5xf32> {
  %0 = mica.log_softmax %x {axis = 1 : i64} : tensor<?x4x5xf32>
  return %0 : tensor<?x4x5xf32>
}

// -----

// argmax: one generic with a (value, index) accumulator pair; strict `>`
// keeps the first index on ties.
// CHECK-LABEL: func.func @argmax
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs(%{{.*}}, %{{.*}} : tensor<2xf32>, tensor<2xi64>)
// CHECK: arith.cmpf ogt
// CHECK: linalg.index 1 : index
// CHECK: return %[[R]]#1
func.func @argmax(%x: tensor<2x5xf32>) -> tensor<2xi64> {
  %0 = mica.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x5xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// layer_norm: sum, centered values, sum of squares, normalize with rsqrt,
// then scale and bias broadcast over the last dim.
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layer_norm
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.subf
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: math.rsqrt
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[LAST]], #[[LAST]], #{{.*}}]
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @layer_norm(%x: tensor<1x128x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<1x128x768xf32> {
  %0 = mica.layer_norm %x scale(%g : tensor<768xf32>) bias(%b : tensor<768xf32>) {axis = -1 : i64, epsilon = 1.0e-12 : f32} : tensor<1x128x768xf32> -> tensor<1x128x768xf32>
  return %0 : tensor<1x128x768xf32>
}

// -----

// batch_norm reads the [C] parameters through (d0, d1, d2, d3) -> (d1).
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batch_norm
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CH]], #[[CH]], #[[CH]], #[[CH]], #{{.*}}]
// CHECK: math.rsqrt
func.func @batch_norm(%x: tensor<1x4x8x8xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = mica.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// topk lowers next to its lowered operand (its patterns: indexing.mlir):
// the rank generic reads the exp result twice.
// CHECK-LABEL: func.func @topk_stays
// CHECK: %[[E:.*]] = linalg.generic
// CHECK: linalg.generic {{.*}} ins(%[[E]], %[[E]] : tensor<3x5xf32>, tensor<3x5xf32>)
// CHECK-NOT: mica.topk
func.func @topk_stays(%x: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %0 = mica.exp %x : tensor<3x5xf32>
  %v, %i = mica.topk %0 {k = 2 : i64, axis = -1 : i64} : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}
