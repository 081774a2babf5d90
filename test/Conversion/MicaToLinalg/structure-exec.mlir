// Data movement runs end to end (JIT) and matches the reference evaluator:
// transpose, reshape (collapse, expand, runtime shapes), concat, split,
// slice (positive and negative steps, dynamic dims), gather (negative
// indices), gather_elements, expand, tile, pad (constant, reflect, edge,
// crop), fill, shape_of, range and one_hot.
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 26 outputs match

func.func @f() -> (tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x2x6xf32>, tensor<?x8xf32>, tensor<?x3x4xf32>, tensor<5x4xf32>, tensor<2x1xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x2xf32>, tensor<2x2x3xf32>, tensor<2x2xf32>, tensor<3x2x4xf32>, tensor<2x3x4xf32>, tensor<4x8xf32>, tensor<4x6xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x2xf32>, tensor<?x?xf32>, tensor<3xi64>, tensor<?xi64>, tensor<?xf32>, tensor<3x4xf32>, tensor<4x3xf32>) {
  %x = mica.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %m = mica.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %xd = tensor.cast %x : tensor<2x3x4xf32> to tensor<?x3x4xf32>
  %md = tensor.cast %m : tensor<2x3xf32> to tensor<2x?xf32>
  %0 = mica.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<2x2x6xf32>
  %3 = mica.reshape %xd : tensor<?x3x4xf32> -> tensor<?x8xf32>
  %shape = mica.constant dense<[-1, 3, 4]> : tensor<3xi64>
  %f8 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<3x8xf32>
  %4 = mica.reshape %f8 shape(%shape : tensor<3xi64>) : tensor<3x8xf32> -> tensor<?x3x4xf32>
  %5 = mica.concat %m, %m, %m {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<6x3xf32>
  %v5b = mica.concat %md, %m {axis = 1 : i64} : (tensor<2x?xf32>, tensor<2x3xf32>) -> tensor<2x?xf32>
  %v5c = mica.slice %5 {axes = array<i64: 0, 1>, starts = array<i64: 1, 0>, ends = array<i64: 100, 4>, steps = array<i64: 1, 1>} : tensor<6x3xf32> -> tensor<5x3xf32>
  %v5d = mica.reshape %v5b : tensor<2x?xf32> -> tensor<12xf32>
  %v5e = mica.slice %v5d {axes = array<i64: 0>, starts = array<i64: -3>, ends = array<i64: -100>, steps = array<i64: -2>} : tensor<12xf32> -> tensor<5xf32>
  %s:3 = mica.split %m {axis = 1 : i64, sizes = array<i64: 1, 2, 0>} : tensor<2x3xf32> -> (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x0xf32>)
  %6 = mica.reshape %v5c : tensor<5x3xf32> -> tensor<5x3xf32>
  %v6b = mica.slice %6 {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 3>, steps = array<i64: 2>} : tensor<5x3xf32> -> tensor<5x2xf32>
  %v6c = mica.concat %v6b, %v6b {axis = 1 : i64} : (tensor<5x2xf32>, tensor<5x2xf32>) -> tensor<5x4xf32>
  %7 = mica.slice %md {axes = array<i64: 1>, starts = array<i64: -1>, ends = array<i64: -100>, steps = array<i64: -1>} : tensor<2x?xf32> -> tensor<2x?xf32>
  %8 = mica.slice %md {axes = array<i64: 1>, starts = array<i64: 1>, ends = array<i64: 1000>, steps = array<i64: 1>} : tensor<2x?xf32> -> tensor<2x?xf32>
  %ids = mica.constant dense<[[2, -3], [0, 1]]> : tensor<2x2xi64>
  %9 = mica.gather %m, %ids {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2x2xf32>
  %v9b = mica.reshape %9 : tensor<2x2x2xf32> -> tensor<2x4xf32>
  %v9c = mica.slice %v9b {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<2x4xf32> -> tensor<2x2xf32>
  %rows = mica.constant dense<[1, 0]> : tensor<2xi32>
  %10 = mica.gather %m, %rows {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
  %v10b = mica.reshape %10 : tensor<2x3xf32> -> tensor<2x1x3xf32>
  %11 = mica.expand %v10b : tensor<2x1x3xf32> -> tensor<2x2x3xf32>
  %ge = mica.constant dense<[[2, 0], [-1, 1]]> : tensor<2x2xi64>
  %12 = mica.gather_elements %m, %ge {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  %col = mica.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %es = mica.constant dense<[3, 1, 4]> : tensor<3xi64>
  %13 = mica.expand %col shape(%es : tensor<3xi64>) : tensor<3x1xf32> -> tensor<3x?x4xf32>
  %v13b = tensor.cast %13 : tensor<3x?x4xf32> to tensor<3x3x4xf32>
  %v13c = mica.slice %v13b {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<3x3x4xf32> -> tensor<3x2x4xf32>
  %14 = mica.tile %m {multiples = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %v14b = mica.reshape %14 : tensor<2x3xf32> -> tensor<2x3x1xf32>
  %v14c = mica.tile %v14b {multiples = array<i64: 1, 1, 4>} : tensor<2x3x1xf32> -> tensor<2x3x4xf32>
  %15 = mica.tile %m {multiples = array<i64: 2, 2>} : tensor<2x3xf32> -> tensor<4x6xf32>
  %16 = mica.pad %m constant {pads = array<i64: 1, 2, 1, 3>, value = -1.0} : tensor<2x3xf32> -> tensor<4x8xf32>
  %17 = mica.pad %m reflect {pads = array<i64: 0, 2, 0, 3>} : tensor<2x3xf32> -> tensor<2x8xf32>
  %18 = mica.pad %m edge {pads = array<i64: 0, 3, 0, 2>} : tensor<2x3xf32> -> tensor<2x8xf32>
  %19 = mica.pad %md constant {pads = array<i64: 0, -1, 0, 0>} : tensor<2x?xf32> -> tensor<2x?xf32>
  %v19b = tensor.cast %19 : tensor<2x?xf32> to tensor<2x2xf32>
  %fs = mica.shape_of %md : tensor<2x?xf32> -> tensor<2xi64>
  %20 = mica.fill %fs {value = 2.5 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  %21 = mica.shape_of %xd : tensor<?x3x4xf32> -> tensor<3xi64>
  %rs = mica.constant dense<2> : tensor<i64>
  %rl = mica.constant dense<11> : tensor<i64>
  %rd = mica.constant dense<3> : tensor<i64>
  %22 = mica.range %rs, %rl, %rd : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %fs0 = mica.constant dense<1.0> : tensor<f32>
  %fl0 = mica.constant dense<-1.0> : tensor<f32>
  %fd0 = mica.constant dense<-0.5> : tensor<f32>
  %23 = mica.range %fs0, %fl0, %fd0 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %oh = mica.constant dense<[0, 3, -1]> : tensor<3xi64>
  %24 = mica.one_hot %oh {depth = 4 : i64, on_value = 5.0, off_value = -1.0} : tensor<3xi64> -> tensor<3x4xf32>
  %25 = mica.one_hot %oh {depth = 4 : i64, axis = 0 : i64} : tensor<3xi64> -> tensor<4x3xf32>
  return %0, %1, %2, %3, %4, %v6c, %s#0, %7, %8, %v5b, %v9c, %11, %12, %v13c, %v14c, %16, %15, %17, %18, %v19b, %20, %21, %22, %23, %24, %25 : tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x2x6xf32>, tensor<?x8xf32>, tensor<?x3x4xf32>, tensor<5x4xf32>, tensor<2x1xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x2xf32>, tensor<2x2x3xf32>, tensor<2x2xf32>, tensor<3x2x4xf32>, tensor<2x3x4xf32>, tensor<4x8xf32>, tensor<4x6xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x2xf32>, tensor<?x?xf32>, tensor<3xi64>, tensor<?xi64>, tensor<?xf32>, tensor<3x4xf32>, tensor<4x3xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:26 = call @f() : () -> (tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x2x6xf32>, tensor<?x8xf32>, tensor<?x3x4xf32>, tensor<5x4xf32>, tensor<2x1xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x2xf32>, tensor<2x2x3xf32>, tensor<2x2xf32>, tensor<3x2x4xf32>, tensor<2x3x4xf32>, tensor<4x8xf32>, tensor<4x6xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x2xf32>, tensor<?x?xf32>, tensor<3xi64>, tensor<?xi64>, tensor<?xf32>, tensor<3x4xf32>, tensor<4x3xf32>)
  %u0 = tensor.cast %r#0 : tensor<4x2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<6x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<2x2x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<?x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<?x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<5x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<2x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<2x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<2x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
  %u9 = tensor.cast %r#9 : tensor<2x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
  %u10 = tensor.cast %r#10 : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
  %u11 = tensor.cast %r#11 : tensor<2x2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u11) : (tensor<*xf32>) -> ()
  %u12 = tensor.cast %r#12 : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u12) : (tensor<*xf32>) -> ()
  %u13 = tensor.cast %r#13 : tensor<3x2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u13) : (tensor<*xf32>) -> ()
  %u14 = tensor.cast %r#14 : tensor<2x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u14) : (tensor<*xf32>) -> ()
  %u15 = tensor.cast %r#15 : tensor<4x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u15) : (tensor<*xf32>) -> ()
  %u16 = tensor.cast %r#16 : tensor<4x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u16) : (tensor<*xf32>) -> ()
  %u17 = tensor.cast %r#17 : tensor<2x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u17) : (tensor<*xf32>) -> ()
  %u18 = tensor.cast %r#18 : tensor<2x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u18) : (tensor<*xf32>) -> ()
  %u19 = tensor.cast %r#19 : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u19) : (tensor<*xf32>) -> ()
  %u20 = tensor.cast %r#20 : tensor<?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u20) : (tensor<*xf32>) -> ()
  %u21 = tensor.cast %r#21 : tensor<3xi64> to tensor<*xi64>
  call @printMemrefI64(%u21) : (tensor<*xi64>) -> ()
  %u22 = tensor.cast %r#22 : tensor<?xi64> to tensor<*xi64>
  call @printMemrefI64(%u22) : (tensor<*xi64>) -> ()
  %u23 = tensor.cast %r#23 : tensor<?xf32> to tensor<*xf32>
  call @printMemrefF32(%u23) : (tensor<*xf32>) -> ()
  %u24 = tensor.cast %r#24 : tensor<3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u24) : (tensor<*xf32>) -> ()
  %u25 = tensor.cast %r#25 : tensor<4x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u25) : (tensor<*xf32>) -> ()
  return
}
