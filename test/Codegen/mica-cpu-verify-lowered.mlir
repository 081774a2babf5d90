// RUN: mica-opt %s --split-input-file --convert-mica-to-linalg --mica-cpu-verify-lowered -verify-diagnostics | FileCheck %s

// Everything lowered: nothing to report.
// CHECK-LABEL: func.func @lowered
// CHECK: linalg.matmul
func.func @lowered(%a: tensor<?x8xf32>, %b: tensor<8x4xf32>) -> tensor<?x4xf32> {
  %0 = mica.matmul %a, %b : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A convolution over dynamic spatial dims stays a mica op: located error
// with the types, the reason and the way out.
func.func @conv(%x: tensor<1x4x?x?xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x8x?x?xf32> {
  // expected-error @below {{no CPU lowering for 'mica.conv' with operand types ('tensor<1x4x?x?xf32>', 'tensor<8x4x3x3xf32>') and result types ('tensor<1x8x?x?xf32>'): its lowering needs static spatial dims; pin the model's input shapes (mica-compile --input-shape, mica-run --specialize-shapes, mica-refine-shapes arg-shapes)}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : tensor<1x4x?x?xf32>, tensor<8x4x3x3xf32> -> tensor<1x8x?x?xf32>
  return %0 : tensor<1x8x?x?xf32>
}

// -----

// A 1-D conv over a dynamic length.
func.func @conv1d(%x: tensor<1x4x?xf32>, %w: tensor<8x4x3xf32>) -> tensor<1x8x?xf32> {
  // expected-error @+1 {{no CPU lowering for 'mica.conv' with operand types ('tensor<1x4x?xf32>', 'tensor<8x4x3xf32>')}}
  %0 = mica.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 1, 1>, group = 1 : i64} : tensor<1x4x?xf32>, tensor<8x4x3xf32> -> tensor<1x8x?xf32>
  return %0 : tensor<1x8x?xf32>
}
