// RUN: mica-opt %s --convert-mica-to-linalg --split-input-file | FileCheck %s

// lstm, reverse: the input projection of all steps as one linalg.matmul
// (transposed-B maps) plus the summed biases, then an scf.for over time
// whose iter_args are h, c and y; each step reads projection row T-1-t,
// runs the recurrent matmul on h, one gate generic that reads the i/o/f/c
// blocks through constant indices and writes h and c in place, and inserts
// h into y.
// CHECK-DAG: #[[GI:.*]] = affine_map<(d0, d1) -> (d0, 0, d1)>
// CHECK-DAG: #[[GC:.*]] = affine_map<(d0, d1) -> (d0, 3, d1)>
// CHECK-LABEL: func.func @lstm_reverse
// CHECK-SAME: (%[[X:.*]]: tensor<5x2x3xf32>, %[[W:.*]]: tensor<1x16x3xf32>, %[[R:.*]]: tensor<1x16x4xf32>, %[[B:.*]]: tensor<1x32xf32>)
// CHECK: %[[Y0:.*]] = linalg.fill {{.*}} -> tensor<5x1x2x4xf32>
// CHECK: %[[WD:.*]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 16, 3] [1, 1, 1] : tensor<1x16x3xf32> to tensor<16x3xf32>
// CHECK: %[[XC:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<5x2x3xf32> into tensor<10x3xf32>
// CHECK: linalg.matmul {{.*}} ins(%[[XC]], %[[WD]] : tensor<10x3xf32>, tensor<16x3xf32>)
// CHECK: %[[XW:.*]] = tensor.expand_shape %{{.*}} output_shape [5, 2, 16] : tensor<10x16xf32> into tensor<5x2x16xf32>
// CHECK: %[[RD:.*]] = tensor.extract_slice %[[R]][0, 0, 0] [1, 16, 4] [1, 1, 1] : tensor<1x16x4xf32> to tensor<16x4xf32>
// CHECK: %[[L:.*]]:3 = scf.for %[[IV:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[H:.*]] = %{{.*}}, %[[C:.*]] = %{{.*}}, %[[Y:.*]] = %[[Y0]]) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<5x1x2x4xf32>)
// CHECK: %[[T:.*]] = arith.subi %{{.*}}, %[[IV]] : index
// CHECK: %[[XS:.*]] = tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, 2, 16] [1, 1, 1] : tensor<5x2x16xf32> to tensor<2x16xf32>
// CHECK: %[[HR:.*]] = linalg.matmul {{.*}} ins(%[[H]], %[[RD]] : tensor<2x4xf32>, tensor<16x4xf32>)
// CHECK: %[[G:.*]]:2 = linalg.generic {indexing_maps = [#[[GI]], {{.*}}, #[[GC]], {{.*}}]
// CHECK-SAME: outs(%[[H]], %[[C]] : tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK: math.tanh
// CHECK: %[[NY:.*]] = tensor.insert_slice %[[G]]#0 into %[[Y]][%[[T]], 0, 0, 0] [1, 1, 2, 4]
// CHECK: scf.yield %[[G]]#0, %[[G]]#1, %[[NY]]
// CHECK: %[[YH:.*]] = tensor.insert_slice %[[L]]#0 into
// CHECK: %[[YC:.*]] = tensor.insert_slice %[[L]]#1 into
// CHECK: return %[[L]]#2, %[[YH]], %[[YC]]
func.func @lstm_reverse(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %b: tensor<1x32xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %h, %c = mica.lstm %x, %w, %r bias(%b : tensor<1x32xf32>) {direction = #mica<direction reverse>, hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32> -> tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
  return %y, %h, %c : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// bidirectional lstm: two loops, the second (reverse) continues the y of
// the first and writes direction 1.
// CHECK-LABEL: func.func @lstm_bidirectional
// CHECK: %[[L0:.*]]:3 = scf.for
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0, 0, 0] [1, 1, 2, 4]
// CHECK: %[[L1:.*]]:3 = scf.for {{.*}} iter_args({{.*}}, %{{.*}} = %[[L0]]#2)
// CHECK: arith.subi
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 1, 0, 0] [1, 1, 2, 4]
// CHECK: return %[[L1]]#2
func.func @lstm_bidirectional(%x: tensor<5x2x3xf32>, %w: tensor<2x16x3xf32>, %r: tensor<2x16x4xf32>) -> (tensor<5x2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>) {
  %y, %h, %c = mica.lstm %x, %w, %r {direction = #mica<direction bidirectional>, hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<2x16x3xf32>, tensor<2x16x4xf32> -> tensor<5x2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>
  return %y, %h, %c : tensor<5x2x2x4xf32>, tensor<2x2x4xf32>, tensor<2x2x4xf32>
}

// -----

// gru (default variant): z, r and r.h from one generic, then a second
// recurrent matmul of r.h with the h block of R, and the new state written
// in place into h.
// CHECK-LABEL: func.func @gru
// CHECK: scf.for {{.*}} iter_args(%[[H:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x4xf32>, tensor<5x1x2x4xf32>)
// CHECK: linalg.matmul {{.*}} ins(%[[H]], %{{.*}} : tensor<2x4xf32>, tensor<12x4xf32>)
// CHECK: %[[ZR:.*]]:3 = linalg.generic
// CHECK: %[[M:.*]] = linalg.matmul {{.*}} ins(%[[ZR]]#2, %{{.*}} : tensor<2x4xf32>, tensor<4x4xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[H]] : tensor<2x4xf32>)
// CHECK: scf.yield
func.func @gru(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>, %b: tensor<1x24xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %h = mica.gru %x, %w, %r bias(%b : tensor<1x24xf32>) {direction = #mica<direction forward>, hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32> -> tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
  return %y, %h : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// gru with linear_before_reset needs no second matmul.
// CHECK-LABEL: func.func @gru_linear_before_reset
// CHECK: scf.for
// CHECK-COUNT-1: linalg.matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.yield
func.func @gru_linear_before_reset(%x: tensor<5x2x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>) {
  %y, %h = mica.gru %x, %w, %r {direction = #mica<direction forward>, hidden_size = 4 : i64, linear_before_reset = true} : tensor<5x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32> -> tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
  return %y, %h : tensor<5x1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// sequence_lens: the gate generic also reads len[b] and writes a third
// result, the h step masked to zero, which is what goes into y; h and c
// keep their old values (the out operands) when t >= len.
// CHECK-LABEL: func.func @lstm_sequence_lens
// CHECK-SAME: %[[LENS:[^:]*]]: tensor<2xi32>
// CHECK: scf.for {{.*}} iter_args(%[[H:[^ ]*]] = %{{.*}}, %[[C:[^ ]*]] = %{{.*}}, %[[Y:[^ ]*]] = %{{.*}})
// CHECK: %[[G:.*]]:3 = linalg.generic
// CHECK-SAME: %[[LENS]] : {{.*}}tensor<2xi32>) outs(%[[H]], %[[C]], %{{.*}} : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: tensor.insert_slice %[[G]]#2 into %[[Y]]
// CHECK: scf.yield %[[G]]#0, %[[G]]#1
func.func @lstm_sequence_lens(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>, %lens: tensor<2xi32>) -> tensor<5x1x2x4xf32> {
  %y, %h, %c = mica.lstm %x, %w, %r sequence_lens(%lens : tensor<2xi32>) {direction = #mica<direction forward>, hidden_size = 4 : i64} : tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32> -> tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
  return %y : tensor<5x1x2x4xf32>
}

// -----

// A dynamic sequence length: the loop runs to tensor.dim %x, 0 and the
// reverse direction starts at that minus one.
// CHECK-LABEL: func.func @gru_dynamic_time
// CHECK-SAME: (%[[X:[^:]*]]: tensor<?x2x3xf32>
// CHECK: %[[Y0:.*]] = linalg.fill {{.*}} -> tensor<?x1x2x4xf32>
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x2x3xf32>
// CHECK: scf.for %[[IV:[^ ]*]] = %{{.*}} to %[[T]] step
// CHECK: %[[LAST:.*]] = arith.subi %[[T]], %{{.*}} : index
// CHECK: arith.subi %[[LAST]], %[[IV]] : index
func.func @gru_dynamic_time(%xd: tensor<?x2x3xf32>, %gw: tensor<1x12x3xf32>, %gr: tensor<1x12x4xf32>) -> tensor<?x1x2x4xf32> {
  %gy, %gh = mica.gru %xd, %gw, %gr {direction = #mica<direction reverse>, hidden_size = 4 : i64} : tensor<?x2x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32> -> tensor<?x1x2x4xf32>, tensor<1x2x4xf32>
  return %gy : tensor<?x1x2x4xf32>
}

// -----

// Negative: a dynamic batch is not lowered yet.
// CHECK-LABEL: func.func @rnn_not_lowered
// CHECK: mica.gru
func.func @rnn_not_lowered(%xd: tensor<5x?x3xf32>, %gw: tensor<1x12x3xf32>, %gr: tensor<1x12x4xf32>) -> tensor<5x1x?x4xf32> {
  %gy, %gh = mica.gru %xd, %gw, %gr {direction = #mica<direction forward>, hidden_size = 4 : i64} : tensor<5x?x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32> -> tensor<5x1x?x4xf32>, tensor<1x?x4xf32>
  return %gy : tensor<5x1x?x4xf32>
}
