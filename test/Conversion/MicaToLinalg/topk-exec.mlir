// topk runs end to end (JIT) and matches the reference evaluator: largest
// and smallest along either axis, ties (lower index first), integers, a
// full sort over a dynamic batch.
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 12 outputs match

func.func @f() -> (tensor<3x2xf32>, tensor<3x2xi64>, tensor<2x5xf32>, tensor<2x5xi64>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x4xf32>, tensor<2x4xi64>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<?x5xf32>, tensor<?x5xi64>) {
  %x = mica.constant dense<[[-0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0]]> : tensor<3x5xf32>
  %xi = mica.constant dense<[[1, 2, 2], [2, 2, 1], [0, 1, 0], [1, 0, 1]]> : tensor<4x3xi64>
  %t = mica.constant dense<[[1.0, 2.0, 2.0, 0.5, 2.0], [3.0, 3.0, -1.0, -1.0, 0.0]]> : tensor<2x5xf32>
  %xd = tensor.cast %x : tensor<3x5xf32> to tensor<?x5xf32>
  %v0, %i0 = mica.topk %x {k = 2 : i64, axis = -1 : i64} : tensor<3x5xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  %v1, %i1 = mica.topk %x {k = 2 : i64, axis = 0 : i64, largest = false} : tensor<3x5xf32> -> tensor<2x5xf32>, tensor<2x5xi64>
  %v2, %i2 = mica.topk %t {k = 3 : i64, axis = 1 : i64} : tensor<2x5xf32> -> tensor<2x3xf32>, tensor<2x3xi64>
  %v3, %i3 = mica.topk %t {k = 4 : i64, axis = 1 : i64, largest = false} : tensor<2x5xf32> -> tensor<2x4xf32>, tensor<2x4xi64>
  %v4, %i4 = mica.topk %xi {k = 2 : i64, axis = 0 : i64} : tensor<4x3xi64> -> tensor<2x3xi64>, tensor<2x3xi64>
  %v5, %i5 = mica.topk %xd {k = 5 : i64, axis = 1 : i64} : tensor<?x5xf32> -> tensor<?x5xf32>, tensor<?x5xi64>
  return %v0, %i0, %v1, %i1, %v2, %i2, %v3, %i3, %v4, %i4, %v5, %i5 : tensor<3x2xf32>, tensor<3x2xi64>, tensor<2x5xf32>, tensor<2x5xi64>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x4xf32>, tensor<2x4xi64>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<?x5xf32>, tensor<?x5xi64>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:12 = call @f() : () -> (tensor<3x2xf32>, tensor<3x2xi64>, tensor<2x5xf32>, tensor<2x5xi64>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2x4xf32>, tensor<2x4xi64>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<?x5xf32>, tensor<?x5xi64>)
  %u0 = tensor.cast %r#0 : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<3x2xi64> to tensor<*xi64>
  call @printMemrefI64(%u1) : (tensor<*xi64>) -> ()
  %u2 = tensor.cast %r#2 : tensor<2x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<2x5xi64> to tensor<*xi64>
  call @printMemrefI64(%u3) : (tensor<*xi64>) -> ()
  %u4 = tensor.cast %r#4 : tensor<2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<2x3xi64> to tensor<*xi64>
  call @printMemrefI64(%u5) : (tensor<*xi64>) -> ()
  %u6 = tensor.cast %r#6 : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<2x4xi64> to tensor<*xi64>
  call @printMemrefI64(%u7) : (tensor<*xi64>) -> ()
  %u8 = tensor.cast %r#8 : tensor<2x3xi64> to tensor<*xi64>
  call @printMemrefI64(%u8) : (tensor<*xi64>) -> ()
  %u9 = tensor.cast %r#9 : tensor<2x3xi64> to tensor<*xi64>
  call @printMemrefI64(%u9) : (tensor<*xi64>) -> ()
  %u10 = tensor.cast %r#10 : tensor<?x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
  %u11 = tensor.cast %r#11 : tensor<?x5xi64> to tensor<*xi64>
  call @printMemrefI64(%u11) : (tensor<*xi64>) -> ()
  return
}
