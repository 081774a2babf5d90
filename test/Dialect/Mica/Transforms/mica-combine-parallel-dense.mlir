// RUN: mica-opt %s -mica-combine-parallel-dense -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mica-opt %s -mica-combine-parallel-dense="min-branches=3" -split-input-file 2>&1 | FileCheck %s --check-prefix=MIN3
// RUN: mica-opt %s -mica-combine-parallel-dense="to-batch" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=BATCH
// RUN: mica-opt %s -mica-combine-parallel-dense="to-batch" -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=BATCH-REMARK

// Three heads of different widths, biases on two of them: one dense of
// width 1 + 2 + 1 with weights and biases concatenated (zeros for the
// missing bias), then a split.
// CHECK-LABEL: func.func @three_heads
// CHECK-SAME: (%[[X:.*]]: tensor<4x2xf32>)
// CHECK-DAG: %[[W:.*]] = mica.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00], [7.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[B:.*]] = mica.constant dense<[1.000000e-01, 0.000000e+00, 0.000000e+00, 4.000000e-01]> : tensor<4xf32>
// CHECK: %[[D:.*]] = mica.dense %[[X]], %[[W]] bias(%[[B]] : tensor<4xf32>) {activation = #mica<activation relu>} : tensor<4x2xf32>, tensor<4x2xf32> -> tensor<4x4xf32>
// CHECK: %[[S:.*]]:3 = mica.split %[[D]] {axis = 1 : i64, sizes = array<i64: 1, 2, 1>}
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @three_heads(%x: tensor<4x2xf32>) -> (tensor<4x1xf32>, tensor<4x2xf32>, tensor<4x1xf32>) {
  %w0 = mica.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %b0 = mica.constant dense<[0.1]> : tensor<1xf32>
  %w1 = mica.constant dense<[[3.0, 4.0], [5.0, 6.0]]> : tensor<2x2xf32>
  %w2 = mica.constant dense<[[7.0, 8.0]]> : tensor<1x2xf32>
  %b2 = mica.constant dense<[0.4]> : tensor<1xf32>
  // expected-remark @below {{mica-combine-parallel-dense: fused: combined 3 dense ops into one of width 4}}
  %0 = mica.dense %x, %w0 bias(%b0 : tensor<1xf32>) {activation = #mica<activation relu>} : tensor<4x2xf32>, tensor<1x2xf32> -> tensor<4x1xf32>
  %1 = mica.dense %x, %w1 {activation = #mica<activation relu>} : tensor<4x2xf32>, tensor<2x2xf32> -> tensor<4x2xf32>
  %2 = mica.dense %x, %w2 bias(%b2 : tensor<1xf32>) {activation = #mica<activation relu>} : tensor<4x2xf32>, tensor<1x2xf32> -> tensor<4x1xf32>
  return %0, %1, %2 : tensor<4x1xf32>, tensor<4x2xf32>, tensor<4x1xf32>
}

// MIN3-LABEL: func.func @three_heads
// MIN3: mica.split

// -----

// Different activations: the combined dense has none, each branch applies
// its own after the split.
// CHECK-LABEL: func.func @mixed_activations
// CHECK: %[[D:.*]] = mica.dense %{{.*}}, %{{.*}} : tensor<?x3x2xf32>, tensor<4x2xf32> -> tensor<?x3x4xf32>
// CHECK: %[[S:.*]]:2 = mica.split %[[D]] {axis = 2 : i64, sizes = array<i64: 2, 2>}
// CHECK: %[[G:.*]] = mica.gelu %[[S]]#0 approximate = tanh
// CHECK: return %[[G]], %[[S]]#1
func.func @mixed_activations(%x: tensor<?x3x2xf32>) -> (tensor<?x3x2xf32>, tensor<?x3x2xf32>) {
  %w0 = mica.constant dense<1.0> : tensor<2x2xf32>
  %w1 = mica.constant dense<2.0> : tensor<2x2xf32>
  // expected-remark @below {{fused: combined 2 dense ops into one of width 4}}
  %0 = mica.dense %x, %w0 {activation = #mica<activation gelu_tanh>} : tensor<?x3x2xf32>, tensor<2x2xf32> -> tensor<?x3x2xf32>
  %1 = mica.dense %x, %w1 : tensor<?x3x2xf32>, tensor<2x2xf32> -> tensor<?x3x2xf32>
  return %0, %1 : tensor<?x3x2xf32>, tensor<?x3x2xf32>
}

// MIN3-LABEL: func.func @mixed_activations
// MIN3: remark: mica-combine-parallel-dense: not fused: 2 compatible branch(es) read the input, min-branches is 3
// MIN3-NOT: mica.split

// -----

// PyTorch exports Linear as MatMul with a [K, N] weight: concatenated along
// N.
// CHECK-LABEL: func.func @matmuls
// CHECK: %[[W:.*]] = mica.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK: %[[M:.*]] = mica.matmul %{{.*}}, %[[W]] : (tensor<1x8x2xf32>, tensor<2x3xf32>) -> tensor<1x8x3xf32>
// CHECK: mica.split %[[M]] {axis = 2 : i64, sizes = array<i64: 1, 2>}
func.func @matmuls(%x: tensor<1x8x2xf32>) -> (tensor<1x8x1xf32>, tensor<1x8x2xf32>) {
  %w0 = mica.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %w1 = mica.constant dense<[[3.0, 4.0], [5.0, 6.0]]> : tensor<2x2xf32>
  // expected-remark @below {{fused: combined 2 matmul ops into one of width 3}}
  %0 = mica.matmul %x, %w0 : (tensor<1x8x2xf32>, tensor<2x1xf32>) -> tensor<1x8x1xf32>
  %1 = mica.matmul %x, %w1 : (tensor<1x8x2xf32>, tensor<2x2xf32>) -> tensor<1x8x2xf32>
  return %0, %1 : tensor<1x8x1xf32>, tensor<1x8x2xf32>
}

// -----

// Negative: a weight that is a function argument is not a constant.
// CHECK-LABEL: func.func @weight_not_constant
// CHECK-COUNT-2: mica.dense
// CHECK-NOT: mica.split
func.func @weight_not_constant(%x: tensor<4x2xf32>, %w1: tensor<3x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %w0 = mica.constant dense<1.0> : tensor<3x2xf32>
  // expected-remark @below {{not fused: 1 compatible branch(es) read the input, min-branches is 2}}
  %0 = mica.dense %x, %w0 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  // expected-remark @below {{not fused: its weight is not a constant}}
  %1 = mica.dense %x, %w1 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Negative: a weight shared with another op would be duplicated.
// CHECK-LABEL: func.func @shared_weight
// CHECK-NOT: mica.split
func.func @shared_weight(%x: tensor<4x2xf32>, %y: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %w0 = mica.constant dense<1.0> : tensor<3x2xf32>
  %w1 = mica.constant dense<2.0> : tensor<3x2xf32>
  // expected-remark @below {{not fused: 1 compatible branch(es) read the input, min-branches is 2}}
  %0 = mica.dense %x, %w0 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  // expected-remark @below {{not fused: its weight is also used elsewhere; combining would duplicate it}}
  %1 = mica.dense %x, %w1 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  %2 = mica.dense %y, %w1 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  return %0, %1, %2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Negative: dtypes differ.
// CHECK-LABEL: func.func @dtypes_differ
// CHECK-NOT: mica.split
func.func @dtypes_differ(%x: tensor<4x2xf32>, %h: tensor<4x2xf16>) -> (tensor<4x3xf32>, tensor<4x3xf16>) {
  %w0 = mica.constant dense<1.0> : tensor<2x3xf32>
  %w1 = mica.constant dense<2.0> : tensor<2x3xf16>
  %0 = mica.matmul %x, %w0 : (tensor<4x2xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %1 = mica.matmul %h, %w1 : (tensor<4x2xf16>, tensor<2x3xf16>) -> tensor<4x3xf16>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf16>
}

// -----

// Negative: different inputs — nothing parallel, nothing to report.
// CHECK-LABEL: func.func @inputs_differ
// CHECK-NOT: mica.split
func.func @inputs_differ(%x: tensor<4x2xf32>, %y: tensor<4x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %w0 = mica.constant dense<1.0> : tensor<3x2xf32>
  %w1 = mica.constant dense<2.0> : tensor<3x2xf32>
  %0 = mica.dense %x, %w0 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  %1 = mica.dense %y, %w1 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Negative: a bias that is not a constant.
// CHECK-LABEL: func.func @bias_not_constant
// CHECK-NOT: mica.split
func.func @bias_not_constant(%x: tensor<4x2xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %w0 = mica.constant dense<1.0> : tensor<3x2xf32>
  %w1 = mica.constant dense<2.0> : tensor<3x2xf32>
  // expected-remark @below {{not fused: 1 compatible branch(es) read the input, min-branches is 2}}
  %0 = mica.dense %x, %w0 : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  // expected-remark @below {{not fused: its bias is not a constant}}
  %1 = mica.dense %x, %w1 bias(%b : tensor<3xf32>) : tensor<4x2xf32>, tensor<3x2xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// Large weights stay dense_resource blobs after concatenation.
// CHECK-LABEL: func.func @blobs
// CHECK: mica.constant dense_resource<combined_weight> : tensor<16x4xf32>
// CHECK: mica.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 8, 8>}
func.func @blobs(%x: tensor<2x4xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %w0 = mica.constant dense<1.0> : tensor<8x4xf32>
  %w1 = mica.constant dense<2.0> : tensor<8x4xf32>
  // expected-remark @below {{fused: combined 2 dense ops}}
  %0 = mica.dense %x, %w0 : tensor<2x4xf32>, tensor<8x4xf32> -> tensor<2x8xf32>
  %1 = mica.dense %x, %w1 : tensor<2x4xf32>, tensor<8x4xf32> -> tensor<2x8xf32>
  return %0, %1 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Equal widths: one wider dense by default; with to-batch, one batched
// matmul over stacked [2, 1, K, N] weights, the stacked biases added once,
// each branch gathered back along dim 0.
// CHECK-LABEL: func.func @equal_widths
// CHECK: mica.dense %{{.*}} : tensor<2x5x16xf32>, tensor<16x16xf32> -> tensor<2x5x16xf32>
// CHECK: mica.split
// BATCH-LABEL: func.func @equal_widths
// BATCH-DAG: %[[B:.*]] = mica.constant dense<{{.*}}> : tensor<2x1x1x8xf32>
// BATCH-DAG: %[[W:.*]] = mica.constant dense_resource<stacked_weight{{.*}}> : tensor<2x1x16x8xf32>
// BATCH: %[[MM:.*]] = mica.matmul %{{.*}}, %[[W]] : (tensor<2x5x16xf32>, tensor<2x1x16x8xf32>) -> tensor<2x2x5x8xf32>
// BATCH: %[[ADD:.*]] = mica.add %[[MM]], %[[B]]
// BATCH: %[[A:.*]] = mica.gather %[[ADD]], %{{.*}} {axis = 0 : i64} : (tensor<2x2x5x8xf32>, tensor<i64>) -> tensor<2x5x8xf32>
// BATCH: %[[BB:.*]] = mica.gather %[[ADD]], %{{.*}} {axis = 0 : i64}
// BATCH: return %[[A]], %[[BB]]
// BATCH-REMARK: remark: mica-combine-parallel-dense: fused: stacked 2 ops of width 8 into one batched matmul
func.func @equal_widths(%x: tensor<2x5x16xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x8xf32>) {
  %wa = mica.constant dense<0.5> : tensor<8x16xf32>
  %wb = mica.constant dense<0.25> : tensor<8x16xf32>
  %ba = mica.constant dense<1.0> : tensor<8xf32>
  // expected-remark @below {{mica-combine-parallel-dense: fused: combined 2 dense ops into one of width 16}}
  %a = mica.dense %x, %wa bias(%ba : tensor<8xf32>) : tensor<2x5x16xf32>, tensor<8x16xf32> -> tensor<2x5x8xf32>
  %b = mica.dense %x, %wb : tensor<2x5x16xf32>, tensor<8x16xf32> -> tensor<2x5x8xf32>
  return %a, %b : tensor<2x5x8xf32>, tensor<2x5x8xf32>
}

// -----

// to-batch with different widths falls back to the wider layer and says so.
// BATCH-LABEL: func.func @to_batch_unequal
// BATCH: mica.matmul %{{.*}} -> tensor<4x12xf32>
// BATCH-REMARK: remark: mica-combine-parallel-dense: fused: combined 2 matmul ops into one of width 12 (not stacked: to-batch needs equal widths)
func.func @to_batch_unequal(%x: tensor<4x16xf32>) -> (tensor<4x4xf32>, tensor<4x8xf32>) {
  %wa = mica.constant dense<0.5> : tensor<16x4xf32>
  %wb = mica.constant dense<0.25> : tensor<16x8xf32>
  // expected-remark @below {{fused: combined 2 matmul ops into one of width 12}}
  %a = mica.matmul %x, %wa : (tensor<4x16xf32>, tensor<16x4xf32>) -> tensor<4x4xf32>
  %b = mica.matmul %x, %wb : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return %a, %b : tensor<4x4xf32>, tensor<4x8xf32>
}
