// Elementwise lowerings run end to end (JIT) and match the reference
// evaluator on the same constants, with static and dynamic shapes.
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 16 outputs match

func.func @f() -> (tensor<2x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
                   tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
                   tensor<2x4xf32>, tensor<2x4xf32>, tensor<3x2x4xf32>,
                   tensor<2x4xi64>, tensor<2x4xi64>, tensor<2x4xi1>,
                   tensor<?x4xf32>, tensor<2x4xi32>, tensor<2x4xf32>,
                   tensor<2x4xi64>) {
  %x = mica.constant dense<[[-2.5, -1.0, -0.3, 0.0], [0.4, 1.5, 2.5, 3.7]]> : tensor<2x4xf32>
  %y = mica.constant dense<[[0.5, -2.0, 3.0, 1.5]]> : tensor<1x4xf32>
  %col = mica.constant dense<[[[2.0]], [[-1.0]], [[0.5]]]> : tensor<3x1x1xf32>
  %i = mica.constant dense<[[-7, 7, -8, 9], [5, -5, 0, 3]]> : tensor<2x4xi64>
  %j = mica.constant dense<[3, -3, 3, -2]> : tensor<4xi64>
  %xd = tensor.cast %x : tensor<2x4xf32> to tensor<?x4xf32>
  // Unary float chain.
  %e = mica.exp %x : tensor<2x4xf32>
  %t = mica.tanh %e : tensor<2x4xf32>
  %s = mica.sigmoid %t : tensor<2x4xf32>
  // Dynamic operand broadcast against a static [1, 4].
  %0 = mica.add %xd, %y : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %1 = mica.gelu %xd approximate = tanh : tensor<?x4xf32>
  %2 = mica.gelu %x : tensor<2x4xf32>
  %3 = mica.leaky_relu %x {alpha = 0.1 : f32} : tensor<2x4xf32>
  %4 = mica.elu %x {alpha = 1.0 : f32} : tensor<2x4xf32>
  %5 = mica.clip %x {min = -1.0, max = 2.0} : tensor<2x4xf32>
  %6 = mica.mod %x, %y : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  // [3, 1, 1] x [2, 4] -> [3, 2, 4].
  %7 = mica.sub %col, %x : (tensor<3x1x1xf32>, tensor<2x4xf32>) -> tensor<3x2x4xf32>
  // Integer division truncates, mod takes the divisor's sign.
  %8 = mica.div %i, %j : (tensor<2x4xi64>, tensor<4xi64>) -> tensor<2x4xi64>
  %9 = mica.mod %i, %j : (tensor<2x4xi64>, tensor<4xi64>) -> tensor<2x4xi64>
  %10 = mica.compare lt, %x, %y : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xi1>
  %11 = mica.where %10, %xd, %y : (tensor<2x4xi1>, tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %12 = mica.cast %x : tensor<2x4xf32> -> tensor<2x4xi32>
  %13 = mica.round %x : tensor<2x4xf32>
  %p = mica.abs %i : tensor<2x4xi64>
  %k = mica.constant dense<[3, 2, 0, 1]> : tensor<4xi64>
  %14 = mica.pow %p, %k : (tensor<2x4xi64>, tensor<4xi64>) -> tensor<2x4xi64>
  return %s, %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14
      : tensor<2x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<2x4xf32>,
        tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
        tensor<3x2x4xf32>, tensor<2x4xi64>, tensor<2x4xi64>, tensor<2x4xi1>,
        tensor<?x4xf32>, tensor<2x4xi32>, tensor<2x4xf32>, tensor<2x4xi64>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:16 = call @f() : () -> (tensor<2x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
                   tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
                   tensor<2x4xf32>, tensor<2x4xf32>, tensor<3x2x4xf32>,
                   tensor<2x4xi64>, tensor<2x4xi64>, tensor<2x4xi1>,
                   tensor<?x4xf32>, tensor<2x4xi32>, tensor<2x4xf32>,
                   tensor<2x4xi64>)
  %u0 = tensor.cast %r#0 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<3x2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
  %u9 = tensor.cast %r#9 : tensor<2x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u9) : (tensor<*xi64>) -> ()
  %u10 = tensor.cast %r#10 : tensor<2x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u10) : (tensor<*xi64>) -> ()
  %b11 = mica.cast %r#11 : tensor<2x4xi1> -> tensor<2x4xi64>
  %u11 = tensor.cast %b11 : tensor<2x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u11) : (tensor<*xi64>) -> ()
  %u12 = tensor.cast %r#12 : tensor<?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u12) : (tensor<*xf32>) -> ()
  %b13 = mica.cast %r#13 : tensor<2x4xi32> -> tensor<2x4xi64>
  %u13 = tensor.cast %b13 : tensor<2x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u13) : (tensor<*xi64>) -> ()
  %u14 = tensor.cast %r#14 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u14) : (tensor<*xf32>) -> ()
  %u15 = tensor.cast %r#15 : tensor<2x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u15) : (tensor<*xi64>) -> ()
  return
}
