// RUN: mica-opt %s -mica-recognize-lstm -split-input-file -verify-diagnostics | FileCheck %s

// One PyTorch cell (separate x and h matmuls + bias, gates i,f,g,o): the
// weights are permuted into mica.lstm's i,o,f,c blocks and transposed to
// [4H, I] / [4H, H]; the recurrence bias half is zero.
// CHECK-LABEL: func.func @pytorch_separate
// CHECK-SAME: (%[[X:.*]]: tensor<1x2xf32>, %[[H:.*]]: tensor<1x1xf32>, %[[C:.*]]: tensor<1x1xf32>)
// CHECK-DAG: %[[W:.*]] = mica.constant dense<{{\[\[\[}}1.000000e+00, 5.000000e+00], [4.000000e+00, 8.000000e+00], [2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00]]]> : tensor<1x4x2xf32>
// CHECK-DAG: %[[R:.*]] = mica.constant dense<{{\[\[\[}}9.000000e+00], [1.200000e+01], [1.000000e+01], [1.100000e+01]]]> : tensor<1x4x1xf32>
// CHECK-DAG: %[[B:.*]] = mica.constant dense<{{\[\[}}1.300000e+01, 1.600000e+01, 1.400000e+01, 1.500000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x8xf32>
// CHECK-DAG: %[[XS:.*]] = mica.reshape %[[X]] : tensor<1x2xf32> -> tensor<1x1x2xf32>
// CHECK-DAG: %[[H0:.*]] = mica.reshape %[[H]] : tensor<1x1xf32> -> tensor<1x1x1xf32>
// CHECK-DAG: %[[C0:.*]] = mica.reshape %[[C]] : tensor<1x1xf32> -> tensor<1x1x1xf32>
// CHECK: %{{.*}}, %[[YH:.*]], %[[YC:.*]] = mica.lstm %[[XS]], %[[W]], %[[R]] bias(%[[B]] : tensor<1x8xf32>) initial_h(%[[H0]] : tensor<1x1x1xf32>) initial_c(%[[C0]] : tensor<1x1x1xf32>) {direction = #mica<direction forward>, hidden_size = 1 : i64}
// CHECK-DAG: %[[HN:.*]] = mica.reshape %[[YH]] : tensor<1x1x1xf32> -> tensor<1x1xf32>
// CHECK-DAG: %[[CN:.*]] = mica.reshape %[[YC]] : tensor<1x1x1xf32> -> tensor<1x1xf32>
// CHECK: return %[[HN]], %[[CN]]
// CHECK-NOT: mica.sigmoid
// expected-remark @below {{mica-recognize-lstm: recognized 1 of 1 candidate LSTM cell(s) into 1 mica.lstm op(s)}}
func.func @pytorch_separate(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %wx = mica.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %wh = mica.constant dense<[[9.0, 10.0, 11.0, 12.0]]> : tensor<1x4xf32>
  %b = mica.constant dense<[13.0, 14.0, 15.0, 16.0]> : tensor<4xf32>
  %gx = mica.matmul %x, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh = mica.matmul %h, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = mica.add %gx, %gh : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z = mica.add %s, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %g:4 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i = mica.sigmoid %g#0 : tensor<1x1xf32>
  %f = mica.sigmoid %g#1 : tensor<1x1xf32>
  %cc = mica.tanh %g#2 : tensor<1x1xf32>
  %o = mica.sigmoid %g#3 : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic = mica.mul %i, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{mica-recognize-lstm: fused: 1 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  %c2 = mica.add %fc, %ic : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2, %c2 : tensor<1x1xf32>, tensor<1x1xf32>
}

// -----

// A TF BasicLSTMCell: one matmul over concat(x, h), gates i,j,f,o, and
// forget_bias added to f (folded into the packed bias). Operands of the
// commutative ops come in TF's order.
// CHECK-LABEL: func.func @tf_concat_forget_bias
// CHECK-DAG: mica.constant dense<{{\[\[\[}}1.000000e+00, 5.000000e+00], [4.000000e+00, 8.000000e+00], [3.000000e+00, 7.000000e+00], [2.000000e+00, 6.000000e+00]]]> : tensor<1x4x2xf32>
// CHECK-DAG: mica.constant dense<{{\[\[\[}}9.000000e+00], [1.200000e+01], [1.100000e+01], [1.000000e+01]]]> : tensor<1x4x1xf32>
// CHECK-DAG: mica.constant dense<{{\[\[}}1.300000e+01, 1.600000e+01, 1.600000e+01, 1.400000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x8xf32>
// CHECK: mica.lstm
// CHECK-NOT: mica.concat
// CHECK-NOT: mica.matmul
// expected-remark @below {{recognized 1 of 1 candidate LSTM cell(s)}}
func.func @tf_concat_forget_bias(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %k = mica.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]> : tensor<3x4xf32>
  %b = mica.constant dense<[13.0, 14.0, 15.0, 16.0]> : tensor<4xf32>
  %one = mica.constant dense<1.0> : tensor<f32>
  %xh = mica.concat %x, %h {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x1xf32>) -> tensor<1x3xf32>
  %m = mica.matmul %xh, %k : (tensor<1x3xf32>, tensor<3x4xf32>) -> tensor<1x4xf32>
  %z = mica.add %m, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %g:4 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %fb = mica.add %g#2, %one : (tensor<1x1xf32>, tensor<f32>) -> tensor<1x1xf32>
  %f = mica.sigmoid %fb : tensor<1x1xf32>
  %fc = mica.mul %c, %f : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %i = mica.sigmoid %g#0 : tensor<1x1xf32>
  %j = mica.tanh %g#1 : tensor<1x1xf32>
  %ij = mica.mul %i, %j : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 1 step(s) of an LSTM cell (hidden 1, gate order i,g,f,o) became one forward mica.lstm}}
  %c2 = mica.add %fc, %ij : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %o = mica.sigmoid %g#3 : tensor<1x1xf32>
  %h2 = mica.mul %t, %o : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2, %c2 : tensor<1x1xf32>, tensor<1x1xf32>
}

// -----

// ONNX's own order i,o,f,c, the gates cut with slices: the blocks stay in
// place.
// CHECK-LABEL: func.func @onnx_order_slices
// CHECK-DAG: mica.constant dense<{{\[\[\[}}1.000000e+00, 5.000000e+00], [2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00], [4.000000e+00, 8.000000e+00]]]> : tensor<1x4x2xf32>
// CHECK-DAG: mica.constant dense<{{\[\[\[}}9.000000e+00], [1.000000e+01], [1.100000e+01], [1.200000e+01]]]> : tensor<1x4x1xf32>
// CHECK: mica.lstm
// CHECK-NOT: mica.slice
// expected-remark @below {{recognized 1 of 1 candidate LSTM cell(s)}}
func.func @onnx_order_slices(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %wx = mica.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %wh = mica.constant dense<[[9.0, 10.0, 11.0, 12.0]]> : tensor<1x4xf32>
  %gx = mica.matmul %x, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh = mica.matmul %h, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z = mica.add %gx, %gh : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zi = mica.slice %z {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 1>} : tensor<1x4xf32> -> tensor<1x1xf32>
  %zo = mica.slice %z {axes = array<i64: 1>, starts = array<i64: 1>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<1x4xf32> -> tensor<1x1xf32>
  %zf = mica.slice %z {axes = array<i64: 1>, starts = array<i64: 2>, ends = array<i64: 3>, steps = array<i64: 1>} : tensor<1x4xf32> -> tensor<1x1xf32>
  %zc = mica.slice %z {axes = array<i64: 1>, starts = array<i64: 3>, ends = array<i64: 4>, steps = array<i64: 1>} : tensor<1x4xf32> -> tensor<1x1xf32>
  %i = mica.sigmoid %zi : tensor<1x1xf32>
  %o = mica.sigmoid %zo : tensor<1x1xf32>
  %f = mica.sigmoid %zf : tensor<1x1xf32>
  %cc = mica.tanh %zc : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic = mica.mul %cc, %i : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 1 step(s) of an LSTM cell (hidden 1, gate order i,o,f,g) became one forward mica.lstm}}
  %c2 = mica.add %ic, %fc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2, %c2 : tensor<1x1xf32>, tensor<1x1xf32>
}

// -----

// Keras order i,f,c,o from two mica.dense ops (weights [N, K], bias on the
// input projection).
// CHECK-LABEL: func.func @keras_dense
// CHECK-DAG: mica.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00], [7.000000e+00, 8.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]]> : tensor<1x4x2xf32>
// CHECK-DAG: mica.constant dense<{{\[\[\[}}9.000000e+00], [1.200000e+01], [1.000000e+01], [1.100000e+01]]]> : tensor<1x4x1xf32>
// CHECK-DAG: mica.constant dense<{{\[\[}}1.300000e+01, 1.600000e+01, 1.400000e+01, 1.500000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x8xf32>
// CHECK: mica.lstm
// CHECK-NOT: mica.dense
// expected-remark @below {{recognized 1 of 1 candidate LSTM cell(s)}}
func.func @keras_dense(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %wx = mica.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %wh = mica.constant dense<[[9.0], [10.0], [11.0], [12.0]]> : tensor<4x1xf32>
  %b = mica.constant dense<[13.0, 14.0, 15.0, 16.0]> : tensor<4xf32>
  %gx = mica.dense %x, %wx bias(%b : tensor<4xf32>) : tensor<1x2xf32>, tensor<4x2xf32> -> tensor<1x4xf32>
  %gh = mica.dense %h, %wh : tensor<1x1xf32>, tensor<4x1xf32> -> tensor<1x4xf32>
  %z = mica.add %gx, %gh : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g:4 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i = mica.sigmoid %g#0 : tensor<1x1xf32>
  %f = mica.sigmoid %g#1 : tensor<1x1xf32>
  %cc = mica.tanh %g#2 : tensor<1x1xf32>
  %o = mica.sigmoid %g#3 : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic = mica.mul %i, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 1 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  %c2 = mica.add %fc, %ic : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2, %c2 : tensor<1x1xf32>, tensor<1x1xf32>
}

// -----

// TF's LSTMCell(use_peepholes=True) written with one projection per gate:
// i and f peep at c, o at c'. Peepholes are packed as P[i, o, f].
// CHECK-LABEL: func.func @peephole_per_gate
// CHECK-DAG: %[[P:.*]] = mica.constant dense<{{\[\[}}1.000000e-01, 3.000000e-01, 2.000000e-01]]> : tensor<1x3xf32>
// CHECK-DAG: mica.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00], [7.000000e+00, 8.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]]> : tensor<1x4x2xf32>
// CHECK: mica.lstm {{.*}} peepholes(%[[P]] : tensor<1x3xf32>)
// CHECK-NOT: mica.matmul
// expected-remark @below {{recognized 1 of 1 candidate LSTM cell(s)}}
func.func @peephole_per_gate(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %wi = mica.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %wf = mica.constant dense<[[3.0], [4.0]]> : tensor<2x1xf32>
  %wc = mica.constant dense<[[5.0], [6.0]]> : tensor<2x1xf32>
  %wo = mica.constant dense<[[7.0], [8.0]]> : tensor<2x1xf32>
  %u = mica.constant dense<[[0.5]]> : tensor<1x1xf32>
  %pi = mica.constant dense<[0.1]> : tensor<1xf32>
  %pf = mica.constant dense<[0.2]> : tensor<1xf32>
  %po = mica.constant dense<[0.3]> : tensor<1xf32>
  %hu = mica.matmul %h, %u : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %xi = mica.matmul %x, %wi : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  %xf = mica.matmul %x, %wf : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  %xc = mica.matmul %x, %wc : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  %xo = mica.matmul %x, %wo : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  %ai = mica.add %xi, %hu : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %af = mica.add %xf, %hu : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ac = mica.add %xc, %hu : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ao = mica.add %xo, %hu : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ci = mica.mul %c, %pi : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %cf = mica.mul %c, %pf : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %pi2 = mica.add %ai, %ci : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pf2 = mica.add %af, %cf : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %i = mica.sigmoid %pi2 : tensor<1x1xf32>
  %f = mica.sigmoid %pf2 : tensor<1x1xf32>
  %cc = mica.tanh %ac : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic = mica.mul %i, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 1 step(s) of an LSTM cell (hidden 1, per-gate projections, peepholes) became one forward mica.lstm}}
  %c2 = mica.add %fc, %ic : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %co = mica.mul %c2, %po : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %po2 = mica.add %ao, %co : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %o = mica.sigmoid %po2 : tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// -----

// Three steps of an unrolled loop over the rows of a time-major sequence
// (PyTorch's loop traced into ONNX), zero initial state: one mica.lstm over
// the sequence itself, and the re-stacked outputs are a view of Y.
// CHECK-LABEL: func.func @chain_time_major
// CHECK-SAME: (%[[X:.*]]: tensor<3x1x2xf32>)
// CHECK: %[[Y:.*]], %{{.*}}, %[[YC:.*]] = mica.lstm %[[X]], %{{.*}}, %{{.*}} {direction = #mica<direction forward>, hidden_size = 1 : i64} : tensor<3x1x2xf32>, tensor<1x4x2xf32>, tensor<1x4x1xf32> -> tensor<3x1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
// CHECK-DAG: %[[CN:.*]] = mica.reshape %[[YC]] : tensor<1x1x1xf32> -> tensor<1x1xf32>
// CHECK-DAG: %[[YS:.*]] = mica.reshape %[[Y]] : tensor<3x1x1x1xf32> -> tensor<3x1x1xf32>
// CHECK: return %[[YS]], %[[CN]]
// CHECK-NOT: mica.sigmoid
// expected-remark @below {{recognized 3 of 3 candidate LSTM cell(s) into 1 mica.lstm op(s)}}
func.func @chain_time_major(%x: tensor<3x1x2xf32>) -> (tensor<3x1x1xf32>, tensor<1x1xf32>) {
  %wx = mica.constant dense<0.5> : tensor<2x4xf32>
  %wh = mica.constant dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf32>
  %zero = mica.constant dense<0.0> : tensor<1x1xf32>
  %xs:3 = mica.split %x {axis = 0 : i64, sizes = array<i64: 1, 1, 1>} : tensor<3x1x2xf32> -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>)
  %x0 = mica.reshape %xs#0 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gx0 = mica.matmul %x0, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh0 = mica.matmul %zero, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z0 = mica.add %gx0, %gh0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g0:4 = mica.split %z0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i0 = mica.sigmoid %g0#0 : tensor<1x1xf32>
  %f0 = mica.sigmoid %g0#1 : tensor<1x1xf32>
  %cc0 = mica.tanh %g0#2 : tensor<1x1xf32>
  %o0 = mica.sigmoid %g0#3 : tensor<1x1xf32>
  %fc0 = mica.mul %f0, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic0 = mica.mul %i0, %cc0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 3 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  %c0n = mica.add %fc0, %ic0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t0 = mica.tanh %c0n : tensor<1x1xf32>
  %h0n = mica.mul %o0, %t0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %x1 = mica.reshape %xs#1 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gx1 = mica.matmul %x1, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh1 = mica.matmul %h0n, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z1 = mica.add %gx1, %gh1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g1:4 = mica.split %z1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i1 = mica.sigmoid %g1#0 : tensor<1x1xf32>
  %f1 = mica.sigmoid %g1#1 : tensor<1x1xf32>
  %cc1 = mica.tanh %g1#2 : tensor<1x1xf32>
  %o1 = mica.sigmoid %g1#3 : tensor<1x1xf32>
  %fc1 = mica.mul %f1, %c0n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic1 = mica.mul %i1, %cc1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c1n = mica.add %fc1, %ic1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t1 = mica.tanh %c1n : tensor<1x1xf32>
  %h1n = mica.mul %o1, %t1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %x2 = mica.reshape %xs#2 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gx2 = mica.matmul %x2, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh2 = mica.matmul %h1n, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z2 = mica.add %gx2, %gh2 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g2:4 = mica.split %z2 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i2 = mica.sigmoid %g2#0 : tensor<1x1xf32>
  %f2 = mica.sigmoid %g2#1 : tensor<1x1xf32>
  %cc2 = mica.tanh %g2#2 : tensor<1x1xf32>
  %o2 = mica.sigmoid %g2#3 : tensor<1x1xf32>
  %fc2 = mica.mul %f2, %c1n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic2 = mica.mul %i2, %cc2 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c2n = mica.add %fc2, %ic2 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t2 = mica.tanh %c2n : tensor<1x1xf32>
  %h2n = mica.mul %o2, %t2 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %r0 = mica.reshape %h0n : tensor<1x1xf32> -> tensor<1x1x1xf32>
  %r1 = mica.reshape %h1n : tensor<1x1xf32> -> tensor<1x1x1xf32>
  %r2 = mica.reshape %h2n : tensor<1x1xf32> -> tensor<1x1x1xf32>
  %y = mica.concat %r0, %r1, %r2 {axis = 0 : i64} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<3x1x1xf32>
  return %y, %c2n : tensor<3x1x1xf32>, tensor<1x1xf32>
}

// -----

// A batch-major [B, T, I] sequence cut with slices along dim 1 (TF
// static_rnn over unstack(x, axis=1)), given initial states: the sequence
// is transposed to time-major, and the outputs stacked along dim 1 are a
// transpose of Y.
// CHECK-LABEL: func.func @chain_batch_major
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2xf32>, %[[H:.*]]: tensor<1x1xf32>, %[[C:.*]]: tensor<1x1xf32>)
// CHECK: %[[XT:.*]] = mica.transpose %[[X]] [1, 0, 2] : tensor<1x2x2xf32> -> tensor<2x1x2xf32>
// CHECK: %[[Y:.*]], %{{.*}}, %{{.*}} = mica.lstm %[[XT]], {{.*}} initial_h({{.*}}) initial_c({{.*}}) {direction = #mica<direction forward>, hidden_size = 1 : i64}
// CHECK: %[[YS:.*]] = mica.reshape %[[Y]] : tensor<2x1x1x1xf32> -> tensor<2x1x1xf32>
// CHECK: %[[YT:.*]] = mica.transpose %[[YS]] [1, 0, 2] : tensor<2x1x1xf32> -> tensor<1x2x1xf32>
// CHECK: return %[[YT]]
// expected-remark @below {{recognized 2 of 2 candidate LSTM cell(s) into 1 mica.lstm op(s)}}
func.func @chain_batch_major(%x: tensor<1x2x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> tensor<1x2x1xf32> {
  %wx = mica.constant dense<0.5> : tensor<2x4xf32>
  %wh = mica.constant dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf32>
  %xr0 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 1>} : tensor<1x2x2xf32> -> tensor<1x1x2xf32>
  %x0 = mica.reshape %xr0 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gx0 = mica.matmul %x0, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh0 = mica.matmul %h, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z0 = mica.add %gx0, %gh0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g0:4 = mica.split %z0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i0 = mica.sigmoid %g0#0 : tensor<1x1xf32>
  %f0 = mica.sigmoid %g0#1 : tensor<1x1xf32>
  %cc0 = mica.tanh %g0#2 : tensor<1x1xf32>
  %o0 = mica.sigmoid %g0#3 : tensor<1x1xf32>
  %fc0 = mica.mul %f0, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic0 = mica.mul %i0, %cc0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 2 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  %c0n = mica.add %fc0, %ic0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t0 = mica.tanh %c0n : tensor<1x1xf32>
  %h0n = mica.mul %o0, %t0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %xr1 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 1>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<1x2x2xf32> -> tensor<1x1x2xf32>
  %x1 = mica.reshape %xr1 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gx1 = mica.matmul %x1, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh1 = mica.matmul %h0n, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z1 = mica.add %gx1, %gh1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g1:4 = mica.split %z1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i1 = mica.sigmoid %g1#0 : tensor<1x1xf32>
  %f1 = mica.sigmoid %g1#1 : tensor<1x1xf32>
  %cc1 = mica.tanh %g1#2 : tensor<1x1xf32>
  %o1 = mica.sigmoid %g1#3 : tensor<1x1xf32>
  %fc1 = mica.mul %f1, %c0n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic1 = mica.mul %i1, %cc1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c1n = mica.add %fc1, %ic1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t1 = mica.tanh %c1n : tensor<1x1xf32>
  %h1n = mica.mul %o1, %t1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %r0 = mica.reshape %h0n : tensor<1x1xf32> -> tensor<1x1x1xf32>
  %r1 = mica.reshape %h1n : tensor<1x1xf32> -> tensor<1x1x1xf32>
  %y = mica.concat %r0, %r1 {axis = 1 : i64} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x2x1xf32>
  return %y : tensor<1x2x1xf32>
}

// -----

// static_bidirectional_rnn: a forward chain and a reverse chain (other
// weights) over the same rows, outputs concatenated per step: one
// bidirectional mica.lstm with both directions' weights stacked.
// CHECK-LABEL: func.func @bidirectional
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x2xf32>)
// CHECK: %[[Y:.*]], %{{.*}}, %{{.*}} = mica.lstm %[[X]], %{{.*}}, %{{.*}} {direction = #mica<direction bidirectional>, hidden_size = 1 : i64} : tensor<2x1x2xf32>, tensor<2x4x2xf32>, tensor<2x4x1xf32> -> tensor<2x2x1x1xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>
// CHECK: mica.split %[[Y]] {axis = 1 : i64, sizes = array<i64: 1, 1>}
// CHECK-NOT: mica.lstm
// CHECK-NOT: mica.sigmoid
// CHECK: return
// expected-remark @below {{recognized 4 of 4 candidate LSTM cell(s) into 1 mica.lstm op(s)}}
func.func @bidirectional(%x: tensor<2x1x2xf32>) -> tensor<2x1x2xf32> {
  %wx = mica.constant dense<0.5> : tensor<2x4xf32>
  %wh = mica.constant dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf32>
  %vx = mica.constant dense<-0.5> : tensor<2x4xf32>
  %vh = mica.constant dense<[[0.4, 0.3, 0.2, 0.1]]> : tensor<1x4xf32>
  %zero = mica.constant dense<0.0> : tensor<1x1xf32>
  %xs:2 = mica.split %x {axis = 0 : i64, sizes = array<i64: 1, 1>} : tensor<2x1x2xf32> -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>)
  %x0 = mica.reshape %xs#0 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %x1 = mica.reshape %xs#1 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gxf0 = mica.matmul %x0, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %ghf0 = mica.matmul %zero, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zf0 = mica.add %gxf0, %ghf0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %gf0:4 = mica.split %zf0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %if0 = mica.sigmoid %gf0#0 : tensor<1x1xf32>
  %ff0 = mica.sigmoid %gf0#1 : tensor<1x1xf32>
  %ccf0 = mica.tanh %gf0#2 : tensor<1x1xf32>
  %of0 = mica.sigmoid %gf0#3 : tensor<1x1xf32>
  %fcf0 = mica.mul %ff0, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %icf0 = mica.mul %if0, %ccf0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 2 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  // expected-remark @below {{fused: merged a forward and a reverse mica.lstm over the same sequence into one bidirectional mica.lstm}}
  %cf0n = mica.add %fcf0, %icf0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tf0 = mica.tanh %cf0n : tensor<1x1xf32>
  %hf0n = mica.mul %of0, %tf0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gxf1 = mica.matmul %x1, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %ghf1 = mica.matmul %hf0n, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zf1 = mica.add %gxf1, %ghf1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %gf1:4 = mica.split %zf1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %if1 = mica.sigmoid %gf1#0 : tensor<1x1xf32>
  %ff1 = mica.sigmoid %gf1#1 : tensor<1x1xf32>
  %ccf1 = mica.tanh %gf1#2 : tensor<1x1xf32>
  %of1 = mica.sigmoid %gf1#3 : tensor<1x1xf32>
  %fcf1 = mica.mul %ff1, %cf0n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %icf1 = mica.mul %if1, %ccf1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %cf1n = mica.add %fcf1, %icf1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tf1 = mica.tanh %cf1n : tensor<1x1xf32>
  %hf1n = mica.mul %of1, %tf1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gxb1 = mica.matmul %x1, %vx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %ghb1 = mica.matmul %zero, %vh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zb1 = mica.add %gxb1, %ghb1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %gb1:4 = mica.split %zb1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %ib1 = mica.sigmoid %gb1#0 : tensor<1x1xf32>
  %fb1 = mica.sigmoid %gb1#1 : tensor<1x1xf32>
  %ccb1 = mica.tanh %gb1#2 : tensor<1x1xf32>
  %ob1 = mica.sigmoid %gb1#3 : tensor<1x1xf32>
  %fcb1 = mica.mul %fb1, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %icb1 = mica.mul %ib1, %ccb1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 2 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one reverse mica.lstm}}
  %cb1n = mica.add %fcb1, %icb1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tb1 = mica.tanh %cb1n : tensor<1x1xf32>
  %hb1n = mica.mul %ob1, %tb1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gxb0 = mica.matmul %x0, %vx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %ghb0 = mica.matmul %hb1n, %vh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zb0 = mica.add %gxb0, %ghb0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %gb0:4 = mica.split %zb0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %ib0 = mica.sigmoid %gb0#0 : tensor<1x1xf32>
  %fb0 = mica.sigmoid %gb0#1 : tensor<1x1xf32>
  %ccb0 = mica.tanh %gb0#2 : tensor<1x1xf32>
  %ob0 = mica.sigmoid %gb0#3 : tensor<1x1xf32>
  %fcb0 = mica.mul %fb0, %cb1n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %icb0 = mica.mul %ib0, %ccb0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %cb0n = mica.add %fcb0, %icb0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tb0 = mica.tanh %cb0n : tensor<1x1xf32>
  %hb0n = mica.mul %ob0, %tb0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %o0 = mica.concat %hf0n, %hb0n {axis = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x2xf32>
  %o1 = mica.concat %hf1n, %hb1n {axis = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x2xf32>
  %r0 = mica.reshape %o0 : tensor<1x2xf32> -> tensor<1x1x2xf32>
  %r1 = mica.reshape %o1 : tensor<1x2xf32> -> tensor<1x1x2xf32>
  %y = mica.concat %r0, %r1 {axis = 0 : i64} : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<2x1x2xf32>
  return %y : tensor<2x1x2xf32>
}

// -----

// Two stacked layers: the upper layer's x_t is the lower layer's h_t, so
// after the lower chain becomes a mica.lstm the upper one reads rows of its
// Y and runs over Y itself.
// CHECK-LABEL: func.func @stacked
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x2xf32>)
// CHECK: %[[Y1:.*]], %{{.*}}, %{{.*}} = mica.lstm %[[X]], {{.*}} -> tensor<2x1x1x1xf32>
// CHECK: %[[X2:.*]] = mica.reshape %[[Y1]] : tensor<2x1x1x1xf32> -> tensor<2x1x1xf32>
// CHECK: %{{.*}}, %[[YH2:.*]], %{{.*}} = mica.lstm %[[X2]], {{.*}} : tensor<2x1x1xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>
// CHECK: %[[HN:.*]] = mica.reshape %[[YH2]]
// CHECK: return %[[HN]]
// expected-remark @below {{recognized 4 of 4 candidate LSTM cell(s) into 2 mica.lstm op(s)}}
func.func @stacked(%x: tensor<2x1x2xf32>) -> tensor<1x1xf32> {
  %wx = mica.constant dense<0.5> : tensor<2x4xf32>
  %wh = mica.constant dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf32>
  %ux = mica.constant dense<[[0.5, -0.5, 0.25, -0.25]]> : tensor<1x4xf32>
  %uh = mica.constant dense<[[0.4, 0.3, 0.2, 0.1]]> : tensor<1x4xf32>
  %zero = mica.constant dense<0.0> : tensor<1x1xf32>
  %xs:2 = mica.split %x {axis = 0 : i64, sizes = array<i64: 1, 1>} : tensor<2x1x2xf32> -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>)
  %x0 = mica.reshape %xs#0 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %x1 = mica.reshape %xs#1 : tensor<1x1x2xf32> -> tensor<1x2xf32>
  %gxa0 = mica.matmul %x0, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gha0 = mica.matmul %zero, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %za0 = mica.add %gxa0, %gha0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %ga0:4 = mica.split %za0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %ia0 = mica.sigmoid %ga0#0 : tensor<1x1xf32>
  %fa0 = mica.sigmoid %ga0#1 : tensor<1x1xf32>
  %cca0 = mica.tanh %ga0#2 : tensor<1x1xf32>
  %oa0 = mica.sigmoid %ga0#3 : tensor<1x1xf32>
  %fca0 = mica.mul %fa0, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ica0 = mica.mul %ia0, %cca0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 2 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  %ca0n = mica.add %fca0, %ica0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ta0 = mica.tanh %ca0n : tensor<1x1xf32>
  %ha0n = mica.mul %oa0, %ta0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gxa1 = mica.matmul %x1, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gha1 = mica.matmul %ha0n, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %za1 = mica.add %gxa1, %gha1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %ga1:4 = mica.split %za1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %ia1 = mica.sigmoid %ga1#0 : tensor<1x1xf32>
  %fa1 = mica.sigmoid %ga1#1 : tensor<1x1xf32>
  %cca1 = mica.tanh %ga1#2 : tensor<1x1xf32>
  %oa1 = mica.sigmoid %ga1#3 : tensor<1x1xf32>
  %fca1 = mica.mul %fa1, %ca0n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ica1 = mica.mul %ia1, %cca1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ca1n = mica.add %fca1, %ica1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ta1 = mica.tanh %ca1n : tensor<1x1xf32>
  %ha1n = mica.mul %oa1, %ta1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gxb0 = mica.matmul %ha0n, %ux : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %ghb0 = mica.matmul %zero, %uh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zb0 = mica.add %gxb0, %ghb0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %gb0:4 = mica.split %zb0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %ib0 = mica.sigmoid %gb0#0 : tensor<1x1xf32>
  %fb0 = mica.sigmoid %gb0#1 : tensor<1x1xf32>
  %ccb0 = mica.tanh %gb0#2 : tensor<1x1xf32>
  %ob0 = mica.sigmoid %gb0#3 : tensor<1x1xf32>
  %fcb0 = mica.mul %fb0, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %icb0 = mica.mul %ib0, %ccb0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{fused: 2 step(s) of an LSTM cell (hidden 1, gate order i,f,g,o) became one forward mica.lstm}}
  %cb0n = mica.add %fcb0, %icb0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tb0 = mica.tanh %cb0n : tensor<1x1xf32>
  %hb0n = mica.mul %ob0, %tb0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gxb1 = mica.matmul %ha1n, %ux : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %ghb1 = mica.matmul %hb0n, %uh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %zb1 = mica.add %gxb1, %ghb1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %gb1:4 = mica.split %zb1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %ib1 = mica.sigmoid %gb1#0 : tensor<1x1xf32>
  %fb1 = mica.sigmoid %gb1#1 : tensor<1x1xf32>
  %ccb1 = mica.tanh %gb1#2 : tensor<1x1xf32>
  %ob1 = mica.sigmoid %gb1#3 : tensor<1x1xf32>
  %fcb1 = mica.mul %fb1, %cb0n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %icb1 = mica.mul %ib1, %ccb1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %cb1n = mica.add %fcb1, %icb1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tb1 = mica.tanh %cb1n : tensor<1x1xf32>
  %hb1n = mica.mul %ob1, %tb1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %hb1n : tensor<1x1xf32>
}

// -----

// A GRU: the candidate tanh(n) is gated by 1 - z, and z also scales the old
// state: h' = (1 - z) * n + z * h. Not an LSTM; reported as a near miss.
// CHECK-LABEL: func.func @gru_cell
// CHECK-NOT: mica.lstm
// CHECK: mica.sub
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s) into 0 mica.lstm op(s)}}
func.func @gru_cell(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %w = mica.constant dense<0.5> : tensor<2x2xf32>
  %u = mica.constant dense<0.25> : tensor<1x2xf32>
  %wn = mica.constant dense<0.5> : tensor<2x1xf32>
  %un = mica.constant dense<0.25> : tensor<1x1xf32>
  %one = mica.constant dense<1.0> : tensor<f32>
  %gx = mica.matmul %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %gh = mica.matmul %h, %u : (tensor<1x1xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %a = mica.add %gx, %gh : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %s = mica.sigmoid %a : tensor<1x2xf32>
  %zr:2 = mica.split %s {axis = 1 : i64, sizes = array<i64: 1, 1>} : tensor<1x2xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>)
  %nx = mica.matmul %x, %wn : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  %nh = mica.matmul %h, %un : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %rn = mica.mul %zr#1, %nh : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %np = mica.add %nx, %rn : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %n = mica.tanh %np : tensor<1x1xf32>
  %omz = mica.sub %one, %zr#0 : (tensor<f32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t1 = mica.mul %omz, %n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t2 = mica.mul %zr#0, %h : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{mica-recognize-lstm: not fused: the candidate tanh(n) is gated by 1 - sigmoid(z), a GRU update (h' = (1-z)*n + z*h), not an LSTM input gate}}
  %h2 = mica.add %t1, %t2 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// -----

// A layer-normalized cell (LayerNormBasicLSTMCell): c' is normalized before
// its tanh. Not an LSTM cell of mica.lstm's form.
// CHECK-LABEL: func.func @layer_norm_cell_state
// CHECK-NOT: mica.lstm
// CHECK: mica.layer_norm
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s)}}
func.func @layer_norm_cell_state(%x: tensor<1x2xf32>, %h: tensor<1x2xf32>, %c: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = mica.constant dense<0.5> : tensor<2x8xf32>
  %u = mica.constant dense<0.25> : tensor<2x8xf32>
  %gamma = mica.constant dense<1.0> : tensor<2xf32>
  %gx = mica.matmul %x, %w : (tensor<1x2xf32>, tensor<2x8xf32>) -> tensor<1x8xf32>
  %gh = mica.matmul %h, %u : (tensor<1x2xf32>, tensor<2x8xf32>) -> tensor<1x8xf32>
  %z = mica.add %gx, %gh : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %g:4 = mica.split %z {axis = 1 : i64, sizes = array<i64: 2, 2, 2, 2>} : tensor<1x8xf32> -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>)
  %i = mica.sigmoid %g#0 : tensor<1x2xf32>
  %f = mica.sigmoid %g#1 : tensor<1x2xf32>
  %cc = mica.tanh %g#2 : tensor<1x2xf32>
  %o = mica.sigmoid %g#3 : tensor<1x2xf32>
  %fc = mica.mul %f, %c : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %ic = mica.mul %i, %cc : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  // expected-remark @below {{not fused: the cell state c' goes through mica.layer_norm before its tanh (a layer-normalized cell)}}
  %c2 = mica.add %fc, %ic : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %n = mica.layer_norm %c2 scale(%gamma : tensor<2xf32>) {epsilon = 1.0e-5 : f32} : tensor<1x2xf32> -> tensor<1x2xf32>
  %t = mica.tanh %n : tensor<1x2xf32>
  %h2 = mica.mul %o, %t : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %h2 : tensor<1x2xf32>
}

// -----

// Layer norm on a gate's pre-activation (decomposed, as exported): a near
// miss that names the normalization.
// CHECK-LABEL: func.func @layer_norm_gate
// CHECK-NOT: mica.lstm
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s)}}
func.func @layer_norm_gate(%x: tensor<1x2xf32>, %h: tensor<1x2xf32>, %c: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = mica.constant dense<0.5> : tensor<2x8xf32>
  %u = mica.constant dense<0.25> : tensor<2x8xf32>
  %gx = mica.matmul %x, %w : (tensor<1x2xf32>, tensor<2x8xf32>) -> tensor<1x8xf32>
  %gh = mica.matmul %h, %u : (tensor<1x2xf32>, tensor<2x8xf32>) -> tensor<1x8xf32>
  %z = mica.add %gx, %gh : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %g:4 = mica.split %z {axis = 1 : i64, sizes = array<i64: 2, 2, 2, 2>} : tensor<1x8xf32> -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>)
  %m = mica.reduce mean %g#0 {axes = array<i64: -1>, keepdims = true} : tensor<1x2xf32> -> tensor<1x1xf32>
  %d = mica.sub %g#0, %m : (tensor<1x2xf32>, tensor<1x1xf32>) -> tensor<1x2xf32>
  %i = mica.sigmoid %d : tensor<1x2xf32>
  %f = mica.sigmoid %g#1 : tensor<1x2xf32>
  %cc = mica.tanh %g#2 : tensor<1x2xf32>
  %o = mica.sigmoid %g#3 : tensor<1x2xf32>
  %fc = mica.mul %f, %c : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %ic = mica.mul %i, %cc : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  // expected-remark @below {{not fused: gate i pre-activation goes through mica.sub (a layer-normalized cell)}}
  %c2 = mica.add %fc, %ic : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %t = mica.tanh %c2 : tensor<1x2xf32>
  %h2 = mica.mul %o, %t : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %h2 : tensor<1x2xf32>
}

// -----

// No forget gate: c' = c + i * g.
// CHECK-LABEL: func.func @missing_forget_gate
// CHECK-NOT: mica.lstm
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s)}}
func.func @missing_forget_gate(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %w = mica.constant dense<0.5> : tensor<2x3xf32>
  %u = mica.constant dense<0.25> : tensor<1x3xf32>
  %gx = mica.matmul %x, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %gh = mica.matmul %h, %u : (tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %z = mica.add %gx, %gh : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %g:3 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1>} : tensor<1x3xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i = mica.sigmoid %g#0 : tensor<1x1xf32>
  %cc = mica.tanh %g#1 : tensor<1x1xf32>
  %o = mica.sigmoid %g#2 : tensor<1x1xf32>
  %ic = mica.mul %i, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{not fused: c' = a block argument + i*g has no forget-gate term sigmoid(f) * c}}
  %c2 = mica.add %c, %ic : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// -----

// No output gate: h' = tanh(c').
// CHECK-LABEL: func.func @missing_output_gate
// CHECK-NOT: mica.lstm
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s)}}
func.func @missing_output_gate(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %w = mica.constant dense<0.5> : tensor<2x3xf32>
  %u = mica.constant dense<0.25> : tensor<1x3xf32>
  %gx = mica.matmul %x, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %gh = mica.matmul %h, %u : (tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %z = mica.add %gx, %gh : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %g:3 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1>} : tensor<1x3xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i = mica.sigmoid %g#0 : tensor<1x1xf32>
  %f = mica.sigmoid %g#1 : tensor<1x1xf32>
  %cc = mica.tanh %g#2 : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic = mica.mul %i, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{not fused: tanh(c') is not scaled by a sigmoid output gate (h' = o * tanh(c') is missing)}}
  %c2 = mica.add %fc, %ic : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %h2 = mica.tanh %c2 : tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// -----

// Weights that are function arguments cannot be packed at compile time.
// CHECK-LABEL: func.func @non_constant_weights
// CHECK-NOT: mica.lstm
// CHECK: mica.matmul
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s)}}
func.func @non_constant_weights(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>, %wx: tensor<2x4xf32>) -> tensor<1x1xf32> {
  %wh = mica.constant dense<0.25> : tensor<1x4xf32>
  %gx = mica.matmul %x, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh = mica.matmul %h, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z = mica.add %gx, %gh : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g:4 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i = mica.sigmoid %g#0 : tensor<1x1xf32>
  %f = mica.sigmoid %g#1 : tensor<1x1xf32>
  %cc = mica.tanh %g#2 : tensor<1x1xf32>
  %o = mica.sigmoid %g#3 : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic = mica.mul %i, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{not fused: the weight of the mica.matmul feeding gate i is not a constant}}
  %c2 = mica.add %fc, %ic : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// -----

// No input gate: c' = f * c + tanh(g).
// CHECK-LABEL: func.func @missing_input_gate
// CHECK-NOT: mica.lstm
// expected-remark @below {{recognized 0 of 1 candidate LSTM cell(s)}}
func.func @missing_input_gate(%x: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %w = mica.constant dense<0.5> : tensor<2x3xf32>
  %u = mica.constant dense<0.25> : tensor<1x3xf32>
  %gx = mica.matmul %x, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %gh = mica.matmul %h, %u : (tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %z = mica.add %gx, %gh : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %g:3 = mica.split %z {axis = 1 : i64, sizes = array<i64: 1, 1, 1>} : tensor<1x3xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %f = mica.sigmoid %g#0 : tensor<1x1xf32>
  %cc = mica.tanh %g#1 : tensor<1x1xf32>
  %o = mica.sigmoid %g#2 : tensor<1x1xf32>
  %fc = mica.mul %f, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{not fused: c' = f*c + tanh(g) has no input gate (tanh(g) is not scaled by a sigmoid)}}
  %c2 = mica.add %fc, %cc : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t = mica.tanh %c2 : tensor<1x1xf32>
  %h2 = mica.mul %o, %t : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// -----

// The cell state of an inner step is a result of its own: mica.lstm only
// yields the last one, so the chain stays as it is.
// CHECK-LABEL: func.func @inner_cell_state_used
// CHECK-NOT: mica.lstm
// expected-remark @below {{recognized 0 of 2 candidate LSTM cell(s)}}
func.func @inner_cell_state_used(%x0: tensor<1x2xf32>, %x1: tensor<1x2xf32>, %h: tensor<1x1xf32>, %c: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %wx = mica.constant dense<0.5> : tensor<2x4xf32>
  %wh = mica.constant dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf32>
  %gx0 = mica.matmul %x0, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh0 = mica.matmul %h, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z0 = mica.add %gx0, %gh0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g0:4 = mica.split %z0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i0 = mica.sigmoid %g0#0 : tensor<1x1xf32>
  %f0 = mica.sigmoid %g0#1 : tensor<1x1xf32>
  %cc0 = mica.tanh %g0#2 : tensor<1x1xf32>
  %o0 = mica.sigmoid %g0#3 : tensor<1x1xf32>
  %fc0 = mica.mul %f0, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic0 = mica.mul %i0, %cc0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-remark @below {{not fused: the cell state of an inner step is used outside the chain (mica.lstm yields only the last one)}}
  %c0n = mica.add %fc0, %ic0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t0 = mica.tanh %c0n : tensor<1x1xf32>
  %h0n = mica.mul %o0, %t0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %gx1 = mica.matmul %x1, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
  %gh1 = mica.matmul %h0n, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %z1 = mica.add %gx1, %gh1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g1:4 = mica.split %z1 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i1 = mica.sigmoid %g1#0 : tensor<1x1xf32>
  %f1 = mica.sigmoid %g1#1 : tensor<1x1xf32>
  %cc1 = mica.tanh %g1#2 : tensor<1x1xf32>
  %o1 = mica.sigmoid %g1#3 : tensor<1x1xf32>
  %fc1 = mica.mul %f1, %c0n : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ic1 = mica.mul %i1, %cc1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c1n = mica.add %fc1, %ic1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %t1 = mica.tanh %c1n : tensor<1x1xf32>
  %h1n = mica.mul %o1, %t1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h1n, %c0n : tensor<1x1xf32>, tensor<1x1xf32>
}

// -----

// TF dynamic_rnn: an scf.while loop whose body is one cell reading row t of
// the sequence, carrying c, h, the counter t and the outputs accumulated
// with scatter_nd. The trip count is the counter's bound.
// CHECK-LABEL: func.func @dynamic_rnn_loop
// CHECK-SAME: (%[[X:.*]]: tensor<3x1x2xf32>)
// CHECK-NOT: scf.while
// CHECK-DAG: %[[T:.*]] = mica.constant dense<3> : tensor<i32>
// CHECK: %[[Y:.*]], %[[YH:.*]], %[[YC:.*]] = mica.lstm %[[X]], {{.*}} -> tensor<3x1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>
// CHECK-DAG: %[[C:.*]] = mica.reshape %[[YC]] : tensor<1x1x1xf32> -> tensor<1x1xf32>
// CHECK-DAG: %[[H:.*]] = mica.reshape %[[YH]] : tensor<1x1x1xf32> -> tensor<1x1xf32>
// CHECK-DAG: %[[ACC:.*]] = mica.reshape %[[Y]] : tensor<3x1x1x1xf32> -> tensor<3x1x1xf32>
// CHECK: return %[[C]], %[[H]], %[[T]], %[[ACC]]
// CHECK-NOT: scf.while
// expected-remark @below {{recognized 1 of 1 candidate LSTM cell(s) into 1 mica.lstm op(s)}}
func.func @dynamic_rnn_loop(%x: tensor<3x1x2xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<i32>, tensor<3x1x1xf32>) {
  %wx = mica.constant dense<0.5> : tensor<2x4xf32>
  %wh = mica.constant dense<[[0.1, 0.2, 0.3, 0.4]]> : tensor<1x4xf32>
  %zero = mica.constant dense<0.0> : tensor<1x1xf32>
  %acc0 = mica.constant dense<0.0> : tensor<3x1x1xf32>
  %start = mica.constant dense<0> : tensor<i32>
  %n = mica.constant dense<3> : tensor<i32>
  %one = mica.constant dense<1> : tensor<i32>
  // expected-remark @below {{fused: a loop of 3 step(s) of an LSTM cell (hidden 1) became one forward mica.lstm}}
  %r:4 = scf.while (%c = %zero, %h = %zero, %t = %start, %acc = %acc0) : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<i32>, tensor<3x1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<i32>, tensor<3x1x1xf32>) {
    %lt = mica.compare lt, %t, %n : (tensor<i32>, tensor<i32>) -> tensor<i1>
    %b = tensor.extract %lt[] : tensor<i1>
    scf.condition(%b) %c, %h, %t, %acc : tensor<1x1xf32>, tensor<1x1xf32>, tensor<i32>, tensor<3x1x1xf32>
  } do {
  ^bb0(%c: tensor<1x1xf32>, %h: tensor<1x1xf32>, %t: tensor<i32>, %acc: tensor<3x1x1xf32>):
    %xt = mica.gather %x, %t {axis = 0 : i64} : (tensor<3x1x2xf32>, tensor<i32>) -> tensor<1x2xf32>
    %gx0 = mica.matmul %xt, %wx : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
    %gh0 = mica.matmul %h, %wh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    %z0 = mica.add %gx0, %gh0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    %g0:4 = mica.split %z0 {axis = 1 : i64, sizes = array<i64: 1, 1, 1, 1>} : tensor<1x4xf32> -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
    %i0 = mica.sigmoid %g0#0 : tensor<1x1xf32>
    %f0 = mica.sigmoid %g0#1 : tensor<1x1xf32>
    %cc0 = mica.tanh %g0#2 : tensor<1x1xf32>
    %o0 = mica.sigmoid %g0#3 : tensor<1x1xf32>
    %fc0 = mica.mul %f0, %c : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
    %ic0 = mica.mul %i0, %cc0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
    %c2 = mica.add %fc0, %ic0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
    %t0 = mica.tanh %c2 : tensor<1x1xf32>
    %h2 = mica.mul %o0, %t0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
    %t2 = mica.add %t, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %row = mica.reshape %h2 : tensor<1x1xf32> -> tensor<1x1x1xf32>
    %idx = mica.reshape %t : tensor<i32> -> tensor<1x1xi32>
    %acc2 = mica.scatter_nd %acc, %idx, %row : (tensor<3x1x1xf32>, tensor<1x1xi32>, tensor<1x1x1xf32>) -> tensor<3x1x1xf32>
    scf.yield %c2, %h2, %t2, %acc2 : tensor<1x1xf32>, tensor<1x1xf32>, tensor<i32>, tensor<3x1x1xf32>
  }
  return %r#0, %r#1, %r#2, %r#3 : tensor<1x1xf32>, tensor<1x1xf32>, tensor<i32>, tensor<3x1x1xf32>
}
