// Contractions run end to end (JIT) and match the reference evaluator:
// 2-D, [B, M, K] x [K, N], equal and broadcast batches, dense with bias and
// activations, dynamic leading dims, integer matmul.
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 10 outputs match

func.func @f() -> (tensor<3x5xf32>, tensor<?x3x5xf32>, tensor<2x2x3x2xf32>, tensor<2x3x2xf32>, tensor<2x3x5xf32>, tensor<3x6xf32>, tensor<?x3x6xf32>, tensor<?x6xf32>, tensor<2x2xi64>, tensor<2x2x3x2xf32>) {
  %a = mica.constant dense<[[-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75]]> : tensor<3x4xf32>
  %b = mica.constant dense<[[-0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0, 0.0]]> : tensor<4x5xf32>
  %a3 = mica.constant dense<[[[0.25, -0.75, 1.0, 0.0], [-1.0, 0.75, -0.25, -1.25], [0.5, -0.5, 1.25, 0.25]], [[-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75]]]> : tensor<2x3x4xf32>
  %q = mica.constant dense<[[[[0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75]], [[-0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0], [0.0, -1.0, 0.75, -0.25]]], [[[-1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0], [-1.0, 0.75, -0.25, -1.25]], [[0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5]]]]> : tensor<2x2x3x4xf32>
  %k = mica.constant dense<[[[[1.25, 0.25], [-0.75, 1.0], [0.0, -1.0], [0.75, -0.25]], [[-1.25, 0.5], [-0.5, 1.25], [0.25, -0.75], [1.0, 0.0]]], [[[-1.0, 0.75], [-0.25, -1.25], [0.5, -0.5], [1.25, 0.25]], [[-0.75, 1.0], [0.0, -1.0], [0.75, -0.25], [-1.25, 0.5]]]]> : tensor<2x2x4x2xf32>
  %l1 = mica.constant dense<[[[-1.0, 0.75, -0.25, -1.25], [0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0]]]> : tensor<1x3x4xf32>
  %r2 = mica.constant dense<[[[-0.5, 1.25], [0.25, -0.75], [1.0, 0.0], [-1.0, 0.75]], [[-0.25, -1.25], [0.5, -0.5], [1.25, 0.25], [-0.75, 1.0]]]> : tensor<2x4x2xf32>
  %r3 = mica.constant dense<[[[0.0, -1.0, 0.75, -0.25, -1.25], [0.5, -0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25, 0.25]], [[-0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5]]]> : tensor<2x4x5xf32>
  %w = mica.constant dense<[[0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5]]> : tensor<6x4xf32>
  %bias = mica.constant dense<[1.0, 0.0, -1.0, 0.75, -0.25, -1.25]> : tensor<6xf32>
  %ia = mica.constant dense<[[1, -1, -3], [2, 0, -2]]> : tensor<2x3xi64>
  %ib = mica.constant dense<[[2, 0], [-2, 3], [1, -1]]> : tensor<3x2xi64>
  %a3d = tensor.cast %a3 : tensor<2x3x4xf32> to tensor<?x3x4xf32>
  %0 = mica.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = mica.matmul %a3d, %b : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  %2 = mica.matmul %q, %k : (tensor<2x2x3x4xf32>, tensor<2x2x4x2xf32>) -> tensor<2x2x3x2xf32>
  %3 = mica.matmul %l1, %r2 : (tensor<1x3x4xf32>, tensor<2x4x2xf32>) -> tensor<2x3x2xf32>
  %4 = mica.matmul %a, %r3 : (tensor<3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %5 = mica.dense %a, %w bias(%bias : tensor<6xf32>) {activation = #mica<activation relu>} : tensor<3x4xf32>, tensor<6x4xf32> -> tensor<3x6xf32>
  %6 = mica.dense %a3d, %w {activation = #mica<activation gelu>} : tensor<?x3x4xf32>, tensor<6x4xf32> -> tensor<?x3x6xf32>
  %ad = tensor.cast %a : tensor<3x4xf32> to tensor<?x4xf32>
  %7 = mica.dense %ad, %w bias(%bias : tensor<6xf32>) {activation = #mica<activation sigmoid>} : tensor<?x4xf32>, tensor<6x4xf32> -> tensor<?x6xf32>
  %8 = mica.matmul %ia, %ib : (tensor<2x3xi64>, tensor<3x2xi64>) -> tensor<2x2xi64>
  %qd = tensor.cast %q : tensor<2x2x3x4xf32> to tensor<?x2x3x4xf32>
  %kd = tensor.cast %k : tensor<2x2x4x2xf32> to tensor<?x2x4x2xf32>
  %9 = mica.matmul %qd, %kd : (tensor<?x2x3x4xf32>, tensor<?x2x4x2xf32>) -> tensor<2x2x3x2xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<3x5xf32>, tensor<?x3x5xf32>, tensor<2x2x3x2xf32>, tensor<2x3x2xf32>, tensor<2x3x5xf32>, tensor<3x6xf32>, tensor<?x3x6xf32>, tensor<?x6xf32>, tensor<2x2xi64>, tensor<2x2x3x2xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:10 = call @f() : () -> (tensor<3x5xf32>, tensor<?x3x5xf32>, tensor<2x2x3x2xf32>, tensor<2x3x2xf32>, tensor<2x3x5xf32>, tensor<3x6xf32>, tensor<?x3x6xf32>, tensor<?x6xf32>, tensor<2x2xi64>, tensor<2x2x3x2xf32>)
  %u0 = tensor.cast %r#0 : tensor<3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<?x3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<2x2x3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<2x3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<2x3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<3x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<?x3x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<?x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<2x2xi64> to tensor<*xi64>
  call @printMemrefI64(%u8) : (tensor<*xi64>) -> ()
  %u9 = tensor.cast %r#9 : tensor<2x2x3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
  return
}
