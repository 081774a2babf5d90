// Structure ops (reshape, transpose, concat, slice, tile, expand, pad,
// one_hot, range) against numpy (Inputs/ref.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py structure %t/st
// RUN: mica-run %s --reference --entry structure --test-data-dir %t/st --check --atol 0 --rtol 0 | FileCheck %s --check-prefix=ST
// RUN: %python %S/Inputs/ref.py pad_modes %t/pad
// RUN: mica-run %s --reference --entry pad_modes --test-data-dir %t/pad --check --atol 0 --rtol 0 | FileCheck %s --check-prefix=PAD
// RUN: %python %S/Inputs/ref.py one_hot_range %t/oh
// RUN: mica-run %s --reference --entry one_hot_range --test-data-dir %t/oh --check --atol 0 --rtol 0 | FileCheck %s --check-prefix=OH
// RUN: mica-run %s --reference --entry shapes --print | FileCheck %s --check-prefix=SHAPES

// ST-COUNT-7: PASS
// ST-NOT: FAIL
func.func @structure(%x: tensor<2x3x4xf32>, %shape: tensor<2xi64>)
    -> (tensor<?x?xf32>, tensor<4x2x3xf32>, tensor<2x4x4xf32>,
        tensor<2x2x4xf32>, tensor<2x2x3xf32>, tensor<2x6x4xf32>,
        tensor<2x2x3x4xf32>) {
  %0 = mica.reshape %x shape(%shape : tensor<2xi64>)
      : tensor<2x3x4xf32> -> tensor<?x?xf32>
  %1 = mica.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %first = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 0>,
      ends = array<i64: 1>, steps = array<i64: 1>}
      : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %2 = mica.concat %x, %first {axis = -2 : i64}
      : (tensor<2x3x4xf32>, tensor<2x1x4xf32>) -> tensor<2x4x4xf32>
  %3 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 1>,
      ends = array<i64: 3>, steps = array<i64: 1>}
      : tensor<2x3x4xf32> -> tensor<2x2x4xf32>
  %4 = mica.slice %x {axes = array<i64: 1, 2>, starts = array<i64: -1, 1>,
      ends = array<i64: -100, 1000>, steps = array<i64: -2, 1>}
      : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  %5 = mica.tile %x {multiples = array<i64: 1, 2, 1>}
      : tensor<2x3x4xf32> -> tensor<2x6x4xf32>
  %6 = mica.expand %first : tensor<2x1x4xf32> -> tensor<2x2x3x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x?xf32>, tensor<4x2x3xf32>,
      tensor<2x4x4xf32>, tensor<2x2x4xf32>, tensor<2x2x3xf32>,
      tensor<2x6x4xf32>, tensor<2x2x3x4xf32>
}

// PAD-COUNT-4: PASS
// PAD-NOT: FAIL
func.func @pad_modes(%x: tensor<3x4xf32>)
    -> (tensor<6x7xf32>, tensor<6x7xf32>, tensor<6x7xf32>, tensor<2x3xf32>) {
  %0 = mica.pad %x constant {pads = array<i64: 1, 2, 2, 1>, value = 0.5}
      : tensor<3x4xf32> -> tensor<6x7xf32>
  %1 = mica.pad %x reflect {pads = array<i64: 1, 2, 2, 1>}
      : tensor<3x4xf32> -> tensor<6x7xf32>
  %2 = mica.pad %x edge {pads = array<i64: 1, 2, 2, 1>}
      : tensor<3x4xf32> -> tensor<6x7xf32>
  %3 = mica.pad %x constant {pads = array<i64: -1, 0, 0, -1>}
      : tensor<3x4xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<6x7xf32>, tensor<6x7xf32>, tensor<6x7xf32>,
      tensor<2x3xf32>
}

// OH-COUNT-3: PASS
// OH-NOT: FAIL
func.func @one_hot_range(%i: tensor<2x2xi64>)
    -> (tensor<2x2x4xf32>, tensor<?xi64>, tensor<?xf32>) {
  %0 = mica.one_hot %i {depth = 4 : i64, axis = -1 : i64, on_value = 3.0,
                        off_value = -1.0} : tensor<2x2xi64> -> tensor<2x2x4xf32>
  %s = mica.constant dense<2> : tensor<i64>
  %l = mica.constant dense<11> : tensor<i64>
  %d = mica.constant dense<3> : tensor<i64>
  %1 = mica.range %s, %l, %d
      : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %fs = mica.constant dense<1.0> : tensor<f32>
  %fl = mica.constant dense<-1.0> : tensor<f32>
  %fd = mica.constant dense<-0.5> : tensor<f32>
  %2 = mica.range %fs, %fl, %fd
      : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0, %1, %2 : tensor<2x2x4xf32>, tensor<?xi64>, tensor<?xf32>
}

// Shape computations on a dynamic input, split and gather (hand-checked).
// SHAPES: output 0: 2xi64 = [2, 3]
// SHAPES: output 1: 3x2xf32 = {{\[\[}}7, 7], [7, 7], [7, 7]]
// SHAPES: output 2: 3x2xf32 = {{\[\[}}1, 1], [2, 2], [3, 3]]
// SHAPES: output 3: 2x1xi32 = {{\[\[}}1], [4]]
// SHAPES: output 4: 2x2xi32 = {{\[\[}}2, 3], [5, 6]]
// SHAPES: output 5: 2x2xi32 = {{\[\[}}3, 1], [6, 4]]
func.func @shapes() -> (tensor<2xi64>, tensor<?x?xf32>, tensor<3x2xf32>,
                        tensor<2x1xi32>, tensor<2x2xi32>, tensor<2x2xi32>) {
  %c = mica.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %dyn = tensor.cast %c : tensor<2x3xi32> to tensor<?x3xi32>
  %0 = mica.shape_of %dyn : tensor<?x3xi32> -> tensor<2xi64>
  %rev = mica.slice %0 {axes = array<i64: 0>, starts = array<i64: -1>,
      ends = array<i64: -3>, steps = array<i64: -1>}
      : tensor<2xi64> -> tensor<2xi64>
  %1 = mica.fill %rev {value = 7.0 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  %col = arith.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %2 = mica.expand %col shape(%rev : tensor<2xi64>)
      : tensor<3x1xf32> -> tensor<3x2xf32>
  %3:2 = mica.split %c {axis = 1 : i64, sizes = array<i64: 1, 2>}
      : tensor<2x3xi32> -> (tensor<2x1xi32>, tensor<2x2xi32>)
  %idx = mica.constant dense<[-1, 0]> : tensor<2xi64>
  %4 = mica.gather %c, %idx {axis = 1 : i64}
      : (tensor<2x3xi32>, tensor<2xi64>) -> tensor<2x2xi32>
  return %0, %1, %2, %3#0, %3#1, %4 : tensor<2xi64>, tensor<?x?xf32>,
      tensor<3x2xf32>, tensor<2x1xi32>, tensor<2x2xi32>, tensor<2x2xi32>
}
