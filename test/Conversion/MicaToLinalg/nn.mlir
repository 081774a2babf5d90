// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// conv 2-D, group 1, dynamic batch: one tensor.pad, the bias broadcast as
// the accumulator, then the named linalg.conv_2d_nchw_fchw.
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv2d_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<?x3x8x8xf32> to tensor<?x3x10x10xf32>
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x4x4x4xf32>
// CHECK: %[[I:.*]] = linalg.generic {indexing_maps = [#[[BIAS]], #{{.*}}]
// CHECK-SAME: ins(%[[B]] : tensor<4xf32>) outs(%[[E]] : tensor<?x4x4x4xf32>)
// CHECK: %[[R:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<?x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[I]] : tensor<?x4x4x4xf32>)
// CHECK: return %[[R]]
func.func @conv2d_bias(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x4x4xf32> {
  %0 = mica.conv %x, %w bias(%b : tensor<4xf32>) {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<?x4x4x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// -----

// conv 1-D without pads: no tensor.pad, a zero fill, linalg.conv_1d_ncw_fcw.
// CHECK-LABEL: func.func @conv1d
// CHECK-NOT: tensor.pad
// CHECK: %[[F:.*]] = linalg.fill
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<2> : vector<1xi64>, strides = dense<1> : vector<1xi64>}
// CHECK-SAME: outs(%[[F]] : tensor<2x3x3xf32>)
func.func @conv1d(%x: tensor<2x2x7xf32>, %w: tensor<3x2x3xf32>) -> tensor<2x3x3xf32> {
  %0 = mica.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 2>, pads = array<i64: 0, 0>} : tensor<2x2x7xf32>, tensor<3x2x3xf32> -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// -----

// grouped conv: input, accumulator and weight expanded to grouped views, one
// contraction generic (window reads d3 + d6, d4 + d7), collapsed back.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[WG:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func.func @conv_grouped
// CHECK: %[[XG:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 5, 5]
// CHECK: %[[IG:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 3, 3]
// CHECK: %[[WG2:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[WG]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[XG]], %[[WG2]] : {{.*}}) outs(%[[IG]] : tensor<1x2x3x3x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[G]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x3x3xf32> into tensor<1x6x3x3xf32>
func.func @conv_grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// max pool: -inf fill, a window generic with strided input reads and a
// tensor.empty window operand, arith.maximumf.
// CHECK-DAG: #[[MIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-LABEL: func.func @pool_max
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[NINF]] : f32)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[MIN]], #[[K]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%{{.*}}, %[[WIN]] : tensor<2x3x6x6xf32>, tensor<2x2xf32>) outs(%[[F]] : tensor<2x3x3x3xf32>)
// CHECK: arith.maximumf
func.func @pool_max(%p: tensor<2x3x6x6xf32>) -> tensor<2x3x3x3xf32> {
  %0 = mica.pool max %p {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<2x3x6x6xf32> -> tensor<2x3x3x3xf32>
  return %0 : tensor<2x3x3x3xf32>
}

// -----

// avg pool with pads, padding excluded: zero pad, a sum generic, then a
// division by the compile-time window counts (4 in the corners, 6 on the
// edges, 9 inside).
// CHECK-LABEL: func.func @pool_avg_exclude_pad
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[S:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[C:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<6x6xf32>) outs(%[[S]] : tensor<2x3x6x6xf32>)
// CHECK: arith.divf
func.func @pool_avg_exclude_pad(%p: tensor<2x3x6x6xf32>) -> tensor<2x3x6x6xf32> {
  %0 = mica.pool avg %p {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : tensor<2x3x6x6xf32> -> tensor<2x3x6x6xf32>
  return %0 : tensor<2x3x6x6xf32>
}

// -----

// avg pool with count_include_pad: every window counts 9, a scalar divisor.
// CHECK-LABEL: func.func @pool_avg_include_pad
// CHECK-NOT: arith.constant dense
// CHECK: arith.constant 9.000000e+00 : f32
// CHECK-NEXT: arith.divf
func.func @pool_avg_include_pad(%p: tensor<?x3x6x6xf32>) -> tensor<?x3x6x6xf32> {
  %0 = mica.pool avg %p {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, count_include_pad = true} : tensor<?x3x6x6xf32> -> tensor<?x3x6x6xf32>
  return %0 : tensor<?x3x6x6xf32>
}

// -----

// ceil_mode: the last window reads one past the end pad, so the input is
// padded by one more (-inf for max).
// CHECK-LABEL: func.func @pool_max_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: } : tensor<2x3x6x6xf32> to tensor<2x3x7x7xf32>
func.func @pool_max_ceil(%p: tensor<2x3x6x6xf32>) -> tensor<2x3x3x3xf32> {
  %0 = mica.pool max %p {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<2x3x6x6xf32> -> tensor<2x3x3x3xf32>
  return %0 : tensor<2x3x3x3xf32>
}

// -----

// Negative: dynamic spatial dims are not lowered (the op stays).
// CHECK-LABEL: func.func @conv_dynamic_spatial
// CHECK: mica.conv
// CHECK: mica.pool
func.func @conv_dynamic_spatial(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<1x4x?x6xf32>, tensor<1x3x?x4xf32>) {
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x?x6xf32>
  %1 = mica.pool max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x3x?x8xf32> -> tensor<1x3x?x4xf32>
  return %0, %1 : tensor<1x4x?x6xf32>, tensor<1x3x?x4xf32>
}
