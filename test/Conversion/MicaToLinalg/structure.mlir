// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = mica.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<?x128x12x64xf32>)
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x128x12x64xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x12x128x64xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<?x128x12x64xf32>) outs(%[[E]] : tensor<?x12x128x64xf32>) permutation = [0, 2, 1, 3]
func.func @transpose(%x: tensor<?x128x12x64xf32>) -> tensor<?x12x128x64xf32> {
  %0 = mica.transpose %x [0, 2, 1, 3] : tensor<?x128x12x64xf32> -> tensor<?x12x128x64xf32>
  return %0 : tensor<?x12x128x64xf32>
}

// -----

// Static reshapes with a reassociation: collapse_shape / expand_shape; a
// dynamic one: tensor.reshape with the inferred dim computed at run time.
// CHECK-LABEL: func.func @reshapes
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [2, 3, 4] : tensor<6x4xf32> into tensor<2x3x4xf32>
// CHECK: %[[N:.*]] = arith.divsi %{{.*}}, %{{.*}} : index
// CHECK: %[[S:.*]] = tensor.from_elements %[[N]], %{{.*}} : tensor<2xindex>
// CHECK: tensor.reshape %{{.*}}(%[[S]]) : (tensor<?x3x4xf32>, tensor<2xindex>) -> tensor<?x8xf32>
func.func @reshapes(%x: tensor<2x3x4xf32>, %y: tensor<?x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<?x8xf32>) {
  %0 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = mica.reshape %0 : tensor<6x4xf32> -> tensor<2x3x4xf32>
  %2 = mica.reshape %y : tensor<?x3x4xf32> -> tensor<?x8xf32>
  return %1, %2 : tensor<2x3x4xf32>, tensor<?x8xf32>
}

// -----

// A shape operand is read element by element; -1 is the element count over
// the product of the other entries.
// CHECK-LABEL: func.func @reshape_shape_operand
// CHECK: tensor.extract %{{.*}}[%{{.*}}] : tensor<3xi64>
// CHECK: arith.cmpi eq
// CHECK: arith.divsi
// CHECK: tensor.reshape
func.func @reshape_shape_operand(%x: tensor<?x768xf32>, %s: tensor<3xi64>) -> tensor<?x12x64xf32> {
  %0 = mica.reshape %x shape(%s : tensor<3xi64>) : tensor<?x768xf32> -> tensor<?x12x64xf32>
  return %0 : tensor<?x12x64xf32>
}

// -----

// concat: insert_slices at running offsets into one tensor.empty.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x?xf32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK: %[[T:.*]] = arith.addi %[[D:.*]], %{{.*}} : index
// CHECK: %[[E:.*]] = tensor.empty(%[[T]]) : tensor<2x?xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, %{{.*}}] [1, 1]
// CHECK: tensor.insert_slice %[[B]] into %[[I0]][0, %[[D]]] [2, 3] [1, 1]
func.func @concat(%a: tensor<2x?xf32>, %b: tensor<2x3xf32>) -> tensor<2x?xf32> {
  %0 = mica.concat %a, %b {axis = 1 : i64} : (tensor<2x?xf32>, tensor<2x3xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [2, 4] [1, 1] : tensor<2x16xf32> to tensor<2x4xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 4] [2, 4] [1, 1] : tensor<2x16xf32> to tensor<2x4xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 8] [2, 8] [1, 1] : tensor<2x16xf32> to tensor<2x8xf32>
func.func @split(%x: tensor<2x16xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x8xf32>) {
  %0:3 = mica.split %x {axis = 1 : i64, sizes = array<i64: 4, 4, 8>} : tensor<2x16xf32> -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x8xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x8xf32>
}

// -----

// Positive steps: an extract_slice with ONNX clamping done at compile time
// for static dims; a negative step: a generic reading input[begin + i*step].
// CHECK-LABEL: func.func @slices
// CHECK: tensor.extract_slice %{{.*}}[0, 1] [2, 4] [1, 2] : tensor<2x8xf32> to tensor<2x4xf32>
// CHECK: linalg.generic
// CHECK: linalg.index 1
// CHECK: arith.muli
// CHECK: tensor.extract %{{.*}}[{{.*}}] : tensor<2x8xf32>
func.func @slices(%x: tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x8xf32>) {
  %0 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 1>, ends = array<i64: 1000>, steps = array<i64: 2>} : tensor<2x8xf32> -> tensor<2x4xf32>
  %1 = mica.slice %x {axes = array<i64: -1>, starts = array<i64: -1>, ends = array<i64: -1000>, steps = array<i64: -1>} : tensor<2x8xf32> -> tensor<2x8xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x8xf32>
}

// -----

// A slice of a dynamic dim clamps at run time.
// CHECK-LABEL: func.func @slice_dynamic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.ceildivsi
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}] [2, %{{.*}}] [1, 1] : tensor<2x?xf32> to tensor<2x?xf32>
func.func @slice_dynamic(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 1>, ends = array<i64: -1>, steps = array<i64: 1>} : tensor<2x?xf32> -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// gather: the indices are read elementwise, the table with tensor.extract;
// negative indices wrap.
// CHECK-DAG: #[[IND:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @gather_embedding
// CHECK-SAME: (%[[T:.*]]: tensor<1000x64xf32>, %[[I:.*]]: tensor<1x16xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[IND]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<1x16xi64>)
// CHECK: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[C:.*]] = linalg.index 2 : index
// CHECK: arith.index_cast %[[ID]] : i64 to index
// CHECK: arith.select
// CHECK: tensor.extract %[[T]][%{{.*}}, %[[C]]] : tensor<1000x64xf32>
func.func @gather_embedding(%t: tensor<1000x64xf32>, %i: tensor<1x16xi64>) -> tensor<1x16x64xf32> {
  %0 = mica.gather %t, %i {axis = 0 : i64} : (tensor<1000x64xf32>, tensor<1x16xi64>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

// expand: collapse the broadcast unit dim, then linalg.broadcast.
// CHECK-LABEL: func.func @expand
// CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
// CHECK: linalg.broadcast ins(%[[C]] : tensor<4xf32>) outs(%{{.*}} : tensor<2x3x4xf32>) dimensions = [0, 1]
func.func @expand(%x: tensor<1x4xf32>) -> tensor<2x3x4xf32> {
  %0 = mica.expand %x : tensor<1x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// tile: broadcast to [m0, d0, m1, d1], collapse pairs.
// CHECK-LABEL: func.func @tile
// CHECK: linalg.broadcast ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x2x1x3xf32>) dimensions = [0, 2]
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2, 3]] : tensor<2x2x1x3xf32> into tensor<4x3xf32>
func.func @tile(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = mica.tile %x {multiples = array<i64: 2, 1>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Constant-mode pads are tensor.pad; reflect and edge a generic.
// CHECK-LABEL: func.func @pads
// CHECK: tensor.pad %{{.*}} low[0, 1] high[0, 1]
// CHECK: tensor.yield %{{.*}} : f32
// CHECK: tensor<2x3xf32> to tensor<2x5xf32>
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: tensor.extract
func.func @pads(%x: tensor<2x3xf32>) -> (tensor<2x5xf32>, tensor<2x7xf32>) {
  %0 = mica.pad %x constant {pads = array<i64: 0, 1, 0, 1>, value = 0.0} : tensor<2x3xf32> -> tensor<2x5xf32>
  %1 = mica.pad %x reflect {pads = array<i64: 0, 2, 0, 2>} : tensor<2x3xf32> -> tensor<2x7xf32>
  return %0, %1 : tensor<2x5xf32>, tensor<2x7xf32>
}

// -----

// CHECK-LABEL: func.func @fill_shape_of
// CHECK: %[[D:.*]] = tensor.dim
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[S:.*]] = tensor.from_elements %{{.*}}, %[[I]] : tensor<2xi64>
// CHECK: tensor.extract %[[S]]
// CHECK: %[[V:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<?x?xf32>)
func.func @fill_shape_of(%x: tensor<2x?xf32>) -> tensor<?x?xf32> {
  %s = mica.shape_of %x : tensor<2x?xf32> -> tensor<2xi64>
  %0 = mica.fill %s {value = 0.0 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// one_hot compares linalg.index(axis) with the wrapped index.
// CHECK-LABEL: func.func @one_hot
// CHECK: linalg.generic
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @one_hot(%i: tensor<3xi64>) -> tensor<3x4xf32> {
  %0 = mica.one_hot %i {depth = 4 : i64, on_value = 1.0, off_value = 0.0} : tensor<3xi64> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A reshape whose shape operand length is unknown stays.
// CHECK-LABEL: func.func @reshape_unknown_rank_stays
// CHECK: mica.reshape
func.func @reshape_unknown_rank_stays(%x: tensor<?x768xf32>, %s: tensor<?xi64>) -> tensor<?x12x64xf32> {
  %0 = mica.reshape %x shape(%s : tensor<?xi64>) : tensor<?x768xf32> -> tensor<?x12x64xf32>
  return %0 : tensor<?x12x64xf32>
}
