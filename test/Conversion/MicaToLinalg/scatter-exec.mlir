// Scatters run end to end (JIT) and match the reference evaluator:
// scatter_elements along either axis with negative indices, duplicates
// combined by add/mul/max, an integer min; scatter_nd of rows and of
// elements (duplicates added, negative indices).
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 7 outputs match

func.func @f() -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %x = mica.constant dense<[[-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75]]> : tensor<3x4xf32>
  %u = mica.constant dense<[[-0.25, -1.25], [0.5, -0.5], [1.25, 0.25]]> : tensor<3x2xf32>
  %xi = mica.constant dense<[[1, 0, 1, 0], [1, 0, 1, 2], [2, 2, 2, 1]]> : tensor<3x4xi64>
  %ui = mica.constant dense<[[0, 1], [2, 2], [2, 2]]> : tensor<3x2xi64>
  %n = mica.constant dense<[[1.25, 0.25, -0.75], [1.0, 0.0, -1.0], [0.75, -0.25, -1.25], [0.5, -0.5, 1.25]]> : tensor<4x3xf32>
  %nu = mica.constant dense<[[-1.0, 0.75, -0.25], [-1.25, 0.5, -0.5]]> : tensor<2x3xf32>
  %nv = mica.constant dense<[-0.5, 1.25, 0.25]> : tensor<3xf32>
  %i = mica.constant dense<[[1, -1], [0, 2], [3, -4]]> : tensor<3x2xi64>
  %j = mica.constant dense<[[0, 1], [0, 1], [2, 1]]> : tensor<3x2xi64>
  %ni = mica.constant dense<[[2], [-4]]> : tensor<2x1xi64>
  %nj = mica.constant dense<[[1, 2], [-1, 0], [1, 2]]> : tensor<3x2xi64>
  %0 = mica.scatter_elements %x, %i, %u {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %1 = mica.scatter_elements %x, %j, %u {axis = 0 : i64, reduction = #mica<scatter add>} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %2 = mica.scatter_elements %x, %j, %u {axis = 0 : i64, reduction = #mica<scatter mul>} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %3 = mica.scatter_elements %x, %j, %u {axis = 0 : i64, reduction = #mica<scatter max>} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %4 = mica.scatter_elements %xi, %j, %ui {axis = 0 : i64, reduction = #mica<scatter min>} : (tensor<3x4xi64>, tensor<3x2xi64>, tensor<3x2xi64>) -> tensor<3x4xi64>
  %5 = mica.scatter_nd %n, %ni, %nu : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %6 = mica.scatter_nd %n, %nj, %nv {reduction = #mica<scatter add>} : (tensor<4x3xf32>, tensor<3x2xi64>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<4x3xf32>, tensor<4x3xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:7 = call @f() : () -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<4x3xf32>, tensor<4x3xf32>)
  %u0 = tensor.cast %r#0 : tensor<3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<3x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u4) : (tensor<*xi64>) -> ()
  %u5 = tensor.cast %r#5 : tensor<4x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<4x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  return
}
