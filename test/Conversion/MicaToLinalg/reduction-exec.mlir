// Reductions and normalizations run end to end (JIT) and match the
// reference evaluator: every reduce kind, keepdims, dynamic dims, arg
// reductions, softmax, log_softmax, layer_norm (+ skip, + bias_gelu),
// batch_norm, global pooling.
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 22 outputs match

func.func @f() -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<?x4xf32>, tensor<3x5xf32>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>, tensor<?x4x5xf32>, tensor<3x4xi64>, tensor<3x1x5xi64>, tensor<3x4x5xf32>, tensor<?x4x5xf32>, tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<2x3x2x2xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<3xi64>, tensor<3x4x5xf32>) {
  %x = mica.constant dense<[[[-0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5]], [[1.25, 0.25, -0.75, 1.0, 0.0], [-1.0, 0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75, 1.0], [0.0, -1.0, 0.75, -0.25, -1.25]], [[0.5, -0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0, 0.75]]]> : tensor<3x4x5xf32>
  %g = mica.constant dense<[-0.25, -1.25, 0.5, -0.5, 1.25]> : tensor<5xf32>
  %bt = mica.constant dense<[0.25, -0.75, 1.0, 0.0, -1.0]> : tensor<5xf32>
  %sk = mica.constant dense<[[[0.75, -0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0, 0.0], [-1.0, 0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75, 1.0]], [[0.0, -1.0, 0.75, -0.25, -1.25], [0.5, -0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25, 0.25]], [[-0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5]]]> : tensor<3x4x5xf32>
  %img = mica.constant dense<[[[[1.25, 0.25], [-0.75, 1.0]], [[0.0, -1.0], [0.75, -0.25]], [[-1.25, 0.5], [-0.5, 1.25]]], [[[0.25, -0.75], [1.0, 0.0]], [[-1.0, 0.75], [-0.25, -1.25]], [[0.5, -0.5], [1.25, 0.25]]]]> : tensor<2x3x2x2xf32>
  %s = mica.constant dense<[-1.0, 0.75, -0.25]> : tensor<3xf32>
  %bb = mica.constant dense<[-0.5, 1.25, 0.25]> : tensor<3xf32>
  %m = mica.constant dense<[0.0, -1.0, 0.75]> : tensor<3xf32>
  %ix = mica.constant dense<[[-1, -3, 2, 0], [-2, 3, 1, -1], [-3, 2, 0, -2]]> : tensor<3x4xi64>
  %v = mica.constant dense<[0.5, 1.0, 2.0]> : tensor<3xf32>
  %xd = tensor.cast %x : tensor<3x4x5xf32> to tensor<?x4x5xf32>
  %0 = mica.reduce sum %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %1 = mica.reduce mean %x {axes = array<i64: 0, 2>} : tensor<3x4x5xf32> -> tensor<1x4x1xf32>
  %2 = mica.reduce max %xd {axes = array<i64: -1>, keepdims = false} : tensor<?x4x5xf32> -> tensor<?x4xf32>
  %3 = mica.reduce min %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %4 = mica.reduce prod %x {axes = array<i64: 2>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x4xf32>
  %5 = mica.reduce l1 %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %6 = mica.reduce l2 %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %7 = mica.reduce sum_square %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %8 = mica.reduce log_sum_exp %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %9 = mica.softmax %x {axis = 1 : i64} : tensor<3x4x5xf32>
  %10 = mica.log_softmax %xd : tensor<?x4x5xf32>
  %11 = mica.argmax %x {axis = 2 : i64, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x4xi64>
  %12 = mica.argmin %x {axis = 1 : i64, select_last_index = true} : tensor<3x4x5xf32> -> tensor<3x1x5xi64>
  %13 = mica.layer_norm %x scale(%g : tensor<5xf32>) bias(%bt : tensor<5xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<3x4x5xf32> -> tensor<3x4x5xf32>
  %14 = mica.layer_norm %xd {axis = 1 : i64, epsilon = 1.0e-5 : f32} : tensor<?x4x5xf32> -> tensor<?x4x5xf32>
  %15 = mica.skip_layer_norm %x, %sk, %g beta(%bt : tensor<5xf32>) bias(%g : tensor<5xf32>) {epsilon = 1.0e-12 : f32} : tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<5xf32> -> tensor<3x4x5xf32>
  %16 = mica.bias_gelu %x, %g : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
  %17 = mica.batch_norm %img, %s, %bb, %m, %v {epsilon = 1.0e-5 : f32} : (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x2x2xf32>
  %18 = mica.global_pool avg %img : tensor<2x3x2x2xf32> -> tensor<2x3x1x1xf32>
  %19 = mica.global_pool max %img : tensor<2x3x2x2xf32> -> tensor<2x3x1x1xf32>
  %20 = mica.reduce sum %ix {axes = array<i64: 1>, keepdims = false} : tensor<3x4xi64> -> tensor<3xi64>
  %21 = mica.reduce mean %x {axes = array<i64>} : tensor<3x4x5xf32> -> tensor<3x4x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21 : tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<?x4xf32>, tensor<3x5xf32>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>, tensor<?x4x5xf32>, tensor<3x4xi64>, tensor<3x1x5xi64>, tensor<3x4x5xf32>, tensor<?x4x5xf32>, tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<2x3x2x2xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<3xi64>, tensor<3x4x5xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:22 = call @f() : () -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<?x4xf32>, tensor<3x5xf32>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x4x5xf32>, tensor<?x4x5xf32>, tensor<3x4xi64>, tensor<3x1x5xi64>, tensor<3x4x5xf32>, tensor<?x4x5xf32>, tensor<3x4x5xf32>, tensor<3x4x5xf32>, tensor<2x3x2x2xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<3xi64>, tensor<3x4x5xf32>)
  %u0 = tensor.cast %r#0 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<1x4x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
  %u9 = tensor.cast %r#9 : tensor<3x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
  %u10 = tensor.cast %r#10 : tensor<?x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
  %u11 = tensor.cast %r#11 : tensor<3x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u11) : (tensor<*xi64>) -> ()
  %u12 = tensor.cast %r#12 : tensor<3x1x5xi64> to tensor<*xi64>
  call @printMemrefI64(%u12) : (tensor<*xi64>) -> ()
  %u13 = tensor.cast %r#13 : tensor<3x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u13) : (tensor<*xf32>) -> ()
  %u14 = tensor.cast %r#14 : tensor<?x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u14) : (tensor<*xf32>) -> ()
  %u15 = tensor.cast %r#15 : tensor<3x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u15) : (tensor<*xf32>) -> ()
  %u16 = tensor.cast %r#16 : tensor<3x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u16) : (tensor<*xf32>) -> ()
  %u17 = tensor.cast %r#17 : tensor<2x3x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u17) : (tensor<*xf32>) -> ()
  %u18 = tensor.cast %r#18 : tensor<2x3x1x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u18) : (tensor<*xf32>) -> ()
  %u19 = tensor.cast %r#19 : tensor<2x3x1x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u19) : (tensor<*xf32>) -> ()
  %u20 = tensor.cast %r#20 : tensor<3xi64> to tensor<*xi64>
  call @printMemrefI64(%u20) : (tensor<*xi64>) -> ()
  %u21 = tensor.cast %r#21 : tensor<3x4x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u21) : (tensor<*xf32>) -> ()
  return
}
