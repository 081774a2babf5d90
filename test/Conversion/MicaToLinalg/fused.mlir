// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// attention, dynamic batch and sequence: the QKV projection (a transposed-B
// linalg.matmul + bias), the head split, Q/K/V copied head-major by generics
// reading the split at part 0/1/2 (K directly transposed), Q scaled, two
// linalg.batch_matmuls around the masked softmax, the head merge.
// CHECK-DAG: #[[Q:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, 0, d1, d3)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, 1, d1, d2)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, 2, d1, d3)>
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<24x8xf32>, %[[B:.*]]: tensor<24xf32>, %[[M:.*]]: tensor<?x1x1x?xf32>)
// CHECK: linalg.matmul indexing_maps = [{{.*}}] ins(%{{.*}}, %[[W]] : tensor<?x8xf32>, tensor<24x8xf32>)
// CHECK: %[[SPLIT:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3, 4]] output_shape [%{{.*}}, %{{.*}}, 3, 2, 4] : tensor<?x?x24xf32> into tensor<?x?x3x2x4xf32>
// CHECK: %[[QH:.*]] = linalg.generic {indexing_maps = [#[[Q]], #{{.*}}]{{.*}} ins(%[[SPLIT]] : tensor<?x?x3x2x4xf32>) outs(%{{.*}} : tensor<?x2x?x4xf32>)
// CHECK: %[[KH:.*]] = linalg.generic {indexing_maps = [#[[K]], #{{.*}}]{{.*}} ins(%[[SPLIT]] : tensor<?x?x3x2x4xf32>) outs(%{{.*}} : tensor<?x2x4x?xf32>)
// CHECK: %[[VH:.*]] = linalg.generic {indexing_maps = [#[[V]], #{{.*}}]{{.*}} ins(%[[SPLIT]] : tensor<?x?x3x2x4xf32>) outs(%{{.*}} : tensor<?x2x?x4xf32>)
// CHECK: %[[QS:.*]] = linalg.generic {{.*}} ins(%[[QH]], %{{.*}} : tensor<?x2x?x4xf32>, tensor<f32>)
// CHECK: arith.mulf
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<?x?x4xf32>, tensor<?x4x?xf32>)
// CHECK: tensor.collapse_shape %[[M]] {{\[}}[0], [1, 2, 3]]
// CHECK: math.exp
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<?x?x?xf32>, tensor<?x?x4xf32>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<?x2x?x4xf32>) outs(%{{.*}} : tensor<?x?x2x4xf32>) permutation = [0, 2, 1, 3]
// CHECK: %[[O:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0], [1], [2, 3]] : tensor<?x?x2x4xf32> into tensor<?x?x8xf32>
// CHECK: return %[[O]]
func.func @attention(%x: tensor<?x?x8xf32>, %w: tensor<24x8xf32>, %b: tensor<24xf32>, %m: tensor<?x1x1x?xf32>) -> tensor<?x?x8xf32> {
  %0 = mica.attention %x, %w bias(%b : tensor<24xf32>) mask(%m : tensor<?x1x1x?xf32>) {num_heads = 2 : i64} : tensor<?x?x8xf32>, tensor<24x8xf32> -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// attention with an explicit scale: the scalar is the written one.
// CHECK-LABEL: func.func @attention_scale
// CHECK: arith.constant dense<1.250000e-01> : tensor<f32>
// CHECK-NOT: mica.
func.func @attention_scale(%x: tensor<1x4x8xf32>, %w: tensor<24x8xf32>) -> tensor<1x4x8xf32> {
  %0 = mica.attention %x, %w {num_heads = 4 : i64, scale = 0.125 : f32} : tensor<1x4x8xf32>, tensor<24x8xf32> -> tensor<1x4x8xf32>
  return %0 : tensor<1x4x8xf32>
}

// -----

// embed_layer_norm without position_ids: word and segment rows gathered
// (tensor.extract in generics over the ids), the first S position rows
// sliced and broadcast over the batch, then the layer norm reductions.
// CHECK-LABEL: func.func @embed_layer_norm
// CHECK-SAME: (%[[IDS:.*]]: tensor<?x?xi64>, %[[WE:.*]]: tensor<30x8xf32>, %[[PE:.*]]: tensor<16x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>, %[[SID:.*]]: tensor<?x?xi64>, %[[SE:.*]]: tensor<2x8xf32>)
// CHECK: %[[WR:.*]] = linalg.generic {{.*}} ins(%[[IDS]] : tensor<?x?xi64>) outs(%{{.*}} : tensor<?x?x8xf32>)
// CHECK: tensor.extract %[[WE]]
// CHECK: %[[PR:.*]] = tensor.extract_slice %[[PE]][0, 0] [%{{.*}}, 8] [1, 1] : tensor<16x8xf32> to tensor<?x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[WR]], %[[PR]] : tensor<?x?x8xf32>, tensor<?x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[SID]] : tensor<?x?xi64>)
// CHECK: tensor.extract %[[SE]]
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: ins(%{{.*}}, %[[G]], %[[B]] : tensor<?x?x8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK-NOT: mica.
func.func @embed_layer_norm(%ids: tensor<?x?xi64>, %we: tensor<30x8xf32>, %pe: tensor<16x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %sid: tensor<?x?xi64>, %se: tensor<2x8xf32>) -> tensor<?x?x8xf32> {
  %0 = mica.embed_layer_norm %ids, %we, %pe, %g, %b segment(%sid, %se : tensor<?x?xi64>, tensor<2x8xf32>) {epsilon = 1.0e-12 : f32} : tensor<?x?xi64>, tensor<30x8xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// embed_layer_norm with position_ids gathers the position rows too.
// CHECK-LABEL: func.func @embed_position_ids
// CHECK-NOT: tensor.extract_slice
// CHECK: tensor.extract %{{.*}} : tensor<16x8xf32>
func.func @embed_position_ids(%ids: tensor<2x4xi64>, %we: tensor<30x8xf32>, %pe: tensor<16x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %pid: tensor<2x4xi64>) -> tensor<2x4x8xf32> {
  %0 = mica.embed_layer_norm %ids, %we, %pe, %g, %b position_ids(%pid : tensor<2x4xi64>) : tensor<2x4xi64>, tensor<30x8xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// Negative: a dynamic hidden size is not lowered.
// CHECK-LABEL: func.func @attention_dynamic_hidden
// CHECK: mica.attention
func.func @attention_dynamic_hidden(%x: tensor<1x4x?xf32>, %w: tensor<?x?xf32>) -> tensor<1x4x?xf32> {
  %0 = mica.attention %x, %w {num_heads = 2 : i64} : tensor<1x4x?xf32>, tensor<?x?xf32> -> tensor<1x4x?xf32>
  return %0 : tensor<1x4x?xf32>
}
