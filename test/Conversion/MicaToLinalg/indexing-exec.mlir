// cumsum and resize run end to end (JIT) and match the reference
// evaluator: cumsum over either axis, exclusive, reverse, both, on integers
// and with a dynamic dim; resize nearest (half_pixel, asymmetric+floor,
// round_prefer_ceil, down/upsampling) and linear (half_pixel,
// align_corners, pytorch_half_pixel downsampling).
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 12 outputs match

func.func @f() -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<?x4xf32>, tensor<1x1x4x6xf32>, tensor<1x1x3x4xf32>, tensor<1x1x4x6xf32>, tensor<1x1x4x6xf32>, tensor<1x1x2x2xf32>, tensor<1x1x3x5xf32>) {
  %x = mica.constant dense<[[-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75]]> : tensor<3x4xf32>
  %xi = mica.constant dense<[[1, 2, 2, 2], [2, 1, 0, 1], [0, 1, 0, 1]]> : tensor<3x4xi64>
  %r = mica.constant dense<[[[[0.25, -0.75, 1.0], [0.0, -1.0, 0.75]]]]> : tensor<1x1x2x3xf32>
  %r4 = mica.constant dense<[[[[0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5]]]]> : tensor<1x1x4x4xf32>
  %xd = tensor.cast %x : tensor<3x4xf32> to tensor<?x4xf32>
  %0 = mica.cumsum %x {axis = 1 : i64} : tensor<3x4xf32>
  %1 = mica.cumsum %x {axis = 0 : i64, exclusive = true} : tensor<3x4xf32>
  %2 = mica.cumsum %x {axis = -1 : i64, reverse = true} : tensor<3x4xf32>
  %3 = mica.cumsum %x {axis = 1 : i64, reverse = true, exclusive = true} : tensor<3x4xf32>
  %4 = mica.cumsum %xi {axis = 0 : i64} : tensor<3x4xi64>
  %5 = mica.cumsum %xd {axis = 0 : i64} : tensor<?x4xf32>
  %6 = mica.resize nearest %r {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
  %7 = mica.resize nearest %r {scales = array<f64: 1.0, 1.0, 1.5, 1.5>, coordinate_transformation_mode = #mica<coord asymmetric>, nearest_mode = #mica<nearest floor>} : tensor<1x1x2x3xf32> -> tensor<1x1x3x4xf32>
  %8 = mica.resize linear %r {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
  %9 = mica.resize linear %r {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, coordinate_transformation_mode = #mica<coord align_corners>} : tensor<1x1x2x3xf32> -> tensor<1x1x4x6xf32>
  %10 = mica.resize linear %r4 {scales = array<f64: 1.0, 1.0, 0.5, 0.5>, coordinate_transformation_mode = #mica<coord pytorch_half_pixel>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  %11 = mica.resize nearest %r4 {scales = array<f64: 1.0, 1.0, 0.75, 1.25>, nearest_mode = #mica<nearest round_prefer_ceil>} : tensor<1x1x4x4xf32> -> tensor<1x1x3x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<?x4xf32>, tensor<1x1x4x6xf32>, tensor<1x1x3x4xf32>, tensor<1x1x4x6xf32>, tensor<1x1x4x6xf32>, tensor<1x1x2x2xf32>, tensor<1x1x3x5xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:12 = call @f() : () -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<?x4xf32>, tensor<1x1x4x6xf32>, tensor<1x1x3x4xf32>, tensor<1x1x4x6xf32>, tensor<1x1x4x6xf32>, tensor<1x1x2x2xf32>, tensor<1x1x3x5xf32>)
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
  %u5 = tensor.cast %r#5 : tensor<?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<1x1x4x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<1x1x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<1x1x4x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
  %u9 = tensor.cast %r#9 : tensor<1x1x4x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
  %u10 = tensor.cast %r#10 : tensor<1x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
  %u11 = tensor.cast %r#11 : tensor<1x1x3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%u11) : (tensor<*xf32>) -> ()
  return
}
