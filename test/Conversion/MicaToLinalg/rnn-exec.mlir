// Recurrences run end to end (JIT) and match the reference evaluator:
// lstm forward with bias, reverse with initial states, peepholes and clip,
// bidirectional; gru forward with bias, bidirectional with
// linear_before_reset and initial_h, reverse without bias, bidirectional;
// sequence_lens (i32 and i64) on bidirectional lstm, reverse gru and
// bidirectional gru.
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 24 outputs match

func.func @f() -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>) {
  %x = mica.constant dense<[[[-0.75, 1.0, 0.0], [-1.0, 0.75, -0.25]], [[-1.25, 0.5, -0.5], [1.25, 0.25, -0.75]], [[1.0, 0.0, -1.0], [0.75, -0.25, -1.25]]]> : tensor<3x2x3xf32>
  %w = mica.constant dense<[[[-0.25, -1.25, 0.5], [-0.5, 1.25, 0.25], [-0.75, 1.0, 0.0], [-1.0, 0.75, -0.25], [-1.25, 0.5, -0.5], [1.25, 0.25, -0.75], [1.0, 0.0, -1.0], [0.75, -0.25, -1.25]]]> : tensor<1x8x3xf32>
  %r = mica.constant dense<[[[0.25, -0.75], [1.0, 0.0], [-1.0, 0.75], [-0.25, -1.25], [0.5, -0.5], [1.25, 0.25], [-0.75, 1.0], [0.0, -1.0]]]> : tensor<1x8x2xf32>
  %b = mica.constant dense<[[0.75, -0.25, -1.25, 0.5, -0.5, 1.25, 0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25, -1.25, 0.5, -0.5]]> : tensor<1x16xf32>
  %h0 = mica.constant dense<[[[1.25, 0.25], [-0.75, 1.0]]]> : tensor<1x2x2xf32>
  %c0 = mica.constant dense<[[[-1.0, 0.75], [-0.25, -1.25]]]> : tensor<1x2x2xf32>
  %p = mica.constant dense<[[-0.5, 1.25, 0.25, -0.75, 1.0, 0.0]]> : tensor<1x6xf32>
  %w2 = mica.constant dense<[[[0.0, -1.0, 0.75], [-0.25, -1.25, 0.5], [-0.5, 1.25, 0.25], [-0.75, 1.0, 0.0], [-1.0, 0.75, -0.25], [-1.25, 0.5, -0.5], [1.25, 0.25, -0.75], [1.0, 0.0, -1.0]], [[0.75, -0.25, -1.25], [0.5, -0.5, 1.25], [0.25, -0.75, 1.0], [0.0, -1.0, 0.75], [-0.25, -1.25, 0.5], [-0.5, 1.25, 0.25], [-0.75, 1.0, 0.0], [-1.0, 0.75, -0.25]]]> : tensor<2x8x3xf32>
  %r2 = mica.constant dense<[[[0.5, -0.5], [1.25, 0.25], [-0.75, 1.0], [0.0, -1.0], [0.75, -0.25], [-1.25, 0.5], [-0.5, 1.25], [0.25, -0.75]], [[1.0, 0.0], [-1.0, 0.75], [-0.25, -1.25], [0.5, -0.5], [1.25, 0.25], [-0.75, 1.0], [0.0, -1.0], [0.75, -0.25]]]> : tensor<2x8x2xf32>
  %b2 = mica.constant dense<[[1.0, 0.0, -1.0, 0.75, -0.25, -1.25, 0.5, -0.5, 1.25, 0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25, 0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25, -1.25, 0.5, -0.5, 1.25, 0.25]]> : tensor<2x16xf32>
  %gw = mica.constant dense<[[[-1.25, 0.5, -0.5], [1.25, 0.25, -0.75], [1.0, 0.0, -1.0], [0.75, -0.25, -1.25], [0.5, -0.5, 1.25], [0.25, -0.75, 1.0]]]> : tensor<1x6x3xf32>
  %gr = mica.constant dense<[[[-0.75, 1.0], [0.0, -1.0], [0.75, -0.25], [-1.25, 0.5], [-0.5, 1.25], [0.25, -0.75]]]> : tensor<1x6x2xf32>
  %gb = mica.constant dense<[[-0.25, -1.25, 0.5, -0.5, 1.25, 0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25]]> : tensor<1x12xf32>
  %gw2 = mica.constant dense<[[[0.25, -0.75, 1.0], [0.0, -1.0, 0.75], [-0.25, -1.25, 0.5], [-0.5, 1.25, 0.25], [-0.75, 1.0, 0.0], [-1.0, 0.75, -0.25]], [[-1.25, 0.5, -0.5], [1.25, 0.25, -0.75], [1.0, 0.0, -1.0], [0.75, -0.25, -1.25], [0.5, -0.5, 1.25], [0.25, -0.75, 1.0]]]> : tensor<2x6x3xf32>
  %gr2 = mica.constant dense<[[[0.75, -0.25], [-1.25, 0.5], [-0.5, 1.25], [0.25, -0.75], [1.0, 0.0], [-1.0, 0.75]], [[-0.25, -1.25], [0.5, -0.5], [1.25, 0.25], [-0.75, 1.0], [0.0, -1.0], [0.75, -0.25]]]> : tensor<2x6x2xf32>
  %gb2 = mica.constant dense<[[1.25, 0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25, -1.25, 0.5, -0.5, 1.25, 0.25]]> : tensor<2x12xf32>
  %gh2 = mica.constant dense<[[[-1.0, 0.75], [-0.25, -1.25]], [[0.5, -0.5], [1.25, 0.25]]]> : tensor<2x2x2xf32>
  %lens = mica.constant dense<[3, 1]> : tensor<2xi32>
  %glens = mica.constant dense<[1, 2]> : tensor<2xi64>
  %y0, %h0_, %c0_ = mica.lstm %x, %w, %r bias(%b : tensor<1x16xf32>) {direction = #mica<direction forward>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32> -> tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>
  %y1, %h1_, %c1_ = mica.lstm %x, %w, %r bias(%b : tensor<1x16xf32>) initial_h(%h0 : tensor<1x2x2xf32>) initial_c(%c0 : tensor<1x2x2xf32>) peepholes(%p : tensor<1x6xf32>) {direction = #mica<direction reverse>, hidden_size = 2 : i64, clip = 0.5 : f32} : tensor<3x2x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32> -> tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>
  %y2, %h2_, %c2_ = mica.lstm %x, %w2, %r2 bias(%b2 : tensor<2x16xf32>) {direction = #mica<direction bidirectional>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<2x8x3xf32>, tensor<2x8x2xf32> -> tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>
  %y3, %h3_ = mica.gru %x, %gw, %gr bias(%gb : tensor<1x12xf32>) {direction = #mica<direction forward>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<1x6x3xf32>, tensor<1x6x2xf32> -> tensor<3x1x2x2xf32>, tensor<1x2x2xf32>
  %y4, %h4_ = mica.gru %x, %gw2, %gr2 bias(%gb2 : tensor<2x12xf32>) initial_h(%gh2 : tensor<2x2x2xf32>) {direction = #mica<direction bidirectional>, hidden_size = 2 : i64, linear_before_reset = true} : tensor<3x2x3xf32>, tensor<2x6x3xf32>, tensor<2x6x2xf32> -> tensor<3x2x2x2xf32>, tensor<2x2x2xf32>
  %y5, %h5_ = mica.gru %x, %gw, %gr {direction = #mica<direction reverse>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<1x6x3xf32>, tensor<1x6x2xf32> -> tensor<3x1x2x2xf32>, tensor<1x2x2xf32>
  %y6, %h6_ = mica.gru %x, %gw2, %gr2 bias(%gb2 : tensor<2x12xf32>) initial_h(%gh2 : tensor<2x2x2xf32>) {direction = #mica<direction bidirectional>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<2x6x3xf32>, tensor<2x6x2xf32> -> tensor<3x2x2x2xf32>, tensor<2x2x2xf32>
  %y7, %h7_, %c7_ = mica.lstm %x, %w2, %r2 bias(%b2 : tensor<2x16xf32>) sequence_lens(%lens : tensor<2xi32>) {direction = #mica<direction bidirectional>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<2x8x3xf32>, tensor<2x8x2xf32> -> tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>
  %y8, %h8_ = mica.gru %x, %gw, %gr bias(%gb : tensor<1x12xf32>) sequence_lens(%glens : tensor<2xi64>) {direction = #mica<direction reverse>, hidden_size = 2 : i64} : tensor<3x2x3xf32>, tensor<1x6x3xf32>, tensor<1x6x2xf32> -> tensor<3x1x2x2xf32>, tensor<1x2x2xf32>
  %y9, %h9_ = mica.gru %x, %gw2, %gr2 sequence_lens(%lens : tensor<2xi32>) initial_h(%gh2 : tensor<2x2x2xf32>) {direction = #mica<direction bidirectional>, hidden_size = 2 : i64, linear_before_reset = true} : tensor<3x2x3xf32>, tensor<2x6x3xf32>, tensor<2x6x2xf32> -> tensor<3x2x2x2xf32>, tensor<2x2x2xf32>
  return %y0, %h0_, %c0_, %y1, %h1_, %c1_, %y2, %h2_, %c2_, %y3, %h3_, %y4, %h4_, %y5, %h5_, %y6, %h6_, %y7, %h7_, %c7_, %y8, %h8_, %y9, %h9_ : tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:24 = call @f() : () -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>, tensor<2x2x2xf32>, tensor<3x1x2x2xf32>, tensor<1x2x2xf32>, tensor<3x2x2x2xf32>, tensor<2x2x2xf32>)
  %u0 = tensor.cast %r#0 : tensor<3x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<3x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<3x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
  %u9 = tensor.cast %r#9 : tensor<3x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
  %u10 = tensor.cast %r#10 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
  %u11 = tensor.cast %r#11 : tensor<3x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u11) : (tensor<*xf32>) -> ()
  %u12 = tensor.cast %r#12 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u12) : (tensor<*xf32>) -> ()
  %u13 = tensor.cast %r#13 : tensor<3x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u13) : (tensor<*xf32>) -> ()
  %u14 = tensor.cast %r#14 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u14) : (tensor<*xf32>) -> ()
  %u15 = tensor.cast %r#15 : tensor<3x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u15) : (tensor<*xf32>) -> ()
  %u16 = tensor.cast %r#16 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u16) : (tensor<*xf32>) -> ()
  %u17 = tensor.cast %r#17 : tensor<3x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u17) : (tensor<*xf32>) -> ()
  %u18 = tensor.cast %r#18 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u18) : (tensor<*xf32>) -> ()
  %u19 = tensor.cast %r#19 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u19) : (tensor<*xf32>) -> ()
  %u20 = tensor.cast %r#20 : tensor<3x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u20) : (tensor<*xf32>) -> ()
  %u21 = tensor.cast %r#21 : tensor<1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u21) : (tensor<*xf32>) -> ()
  %u22 = tensor.cast %r#22 : tensor<3x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u22) : (tensor<*xf32>) -> ()
  %u23 = tensor.cast %r#23 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u23) : (tensor<*xf32>) -> ()
  return
}
