// RUN: mica-opt %s -canonicalize -split-input-file | FileCheck %s

// reshape(reshape(x)) -> reshape(x).
// CHECK-LABEL: func.func @compose_reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = mica.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose_reshapes(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = mica.reshape %0 : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// A reshape back to the input type disappears.
// CHECK-LABEL: func.func @reshape_roundtrip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_roundtrip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = mica.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = mica.reshape %0 : tensor<3x2xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// transpose(transpose(x)) composes; inverse permutations cancel.
// CHECK-LABEL: func.func @compose_transposes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = mica.transpose %[[X]] [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
// CHECK-NEXT: return %[[T]], %[[X]]
func.func @compose_transposes(%x: tensor<2x3x4xf32>) -> (tensor<3x4x2xf32>, tensor<2x3x4xf32>) {
  %0 = mica.transpose %x [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  %1 = mica.transpose %0 [2, 1, 0] : tensor<2x4x3xf32> -> tensor<3x4x2xf32>
  %2 = mica.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %3 = mica.transpose %2 [1, 0, 2] : tensor<3x2x4xf32> -> tensor<2x3x4xf32>
  return %1, %3 : tensor<3x4x2xf32>, tensor<2x3x4xf32>
}

// -----

// The PyTorch export chain Shape -> Gather -> Unsqueeze -> Concat -> Reshape
// on a tensor with a dynamic batch: the static entries refine the result
// type and, with one dynamic dim left, the shape operand goes away.
// CHECK-LABEL: func.func @shape_chain_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x128x768xf32>)
// CHECK-NOT: mica.shape_of
// CHECK-NOT: mica.concat
// CHECK: %[[R:.*]] = mica.reshape %[[X]] : tensor<?x128x768xf32> -> tensor<?x128x12x64xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<?x128x12x64xf32> to tensor<?x?x?x?xf32>
// CHECK: return %[[C]]
func.func @shape_chain_dynamic(%x: tensor<?x128x768xf32>) -> tensor<?x?x?x?xf32> {
  %s = mica.shape_of %x : tensor<?x128x768xf32> -> tensor<3xi64>
  %i0 = mica.constant dense<0> : tensor<i64>
  %i1 = mica.constant dense<1> : tensor<i64>
  %b = mica.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %t = mica.gather %s, %i1 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %b1 = mica.reshape %b : tensor<i64> -> tensor<1xi64>
  %t1 = mica.reshape %t : tensor<i64> -> tensor<1xi64>
  %h = mica.constant dense<[12, 64]> : tensor<2xi64>
  %shape = mica.concat %b1, %t1, %h {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<4xi64>
  %r = mica.reshape %x shape(%shape : tensor<4xi64>) : tensor<?x128x768xf32> -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// With two dynamic dims the shape operand must stay, but the result type
// still gets its static dims.
// CHECK-LABEL: func.func @shape_chain_two_dynamic
// CHECK: %[[R:.*]] = mica.reshape %{{.*}} shape(%{{.*}} : tensor<4xi64>) : tensor<?x?x768xf32> -> tensor<?x?x12x64xf32>
func.func @shape_chain_two_dynamic(%x: tensor<?x?x768xf32>) -> tensor<?x?x?x?xf32> {
  %s = mica.shape_of %x : tensor<?x?x768xf32> -> tensor<3xi64>
  %p = mica.slice %s {axes = array<i64: 0>, starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<3xi64> -> tensor<2xi64>
  %h = mica.constant dense<[12, 64]> : tensor<2xi64>
  %shape = mica.concat %p, %h {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  %r = mica.reshape %x shape(%shape : tensor<4xi64>) : tensor<?x?x768xf32> -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// A -1 entry is inferred from a static input.
// CHECK-LABEL: func.func @reshape_infer
// CHECK: mica.reshape %{{.*}} : tensor<4x6xf32> -> tensor<3x8xf32>
func.func @reshape_infer(%x: tensor<4x6xf32>) -> tensor<?x8xf32> {
  %s = mica.constant dense<[-1, 8]> : tensor<2xi64>
  %r = mica.reshape %x shape(%s : tensor<2xi64>) : tensor<4x6xf32> -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

// Unknown shape values: nothing to refine.
// CHECK-LABEL: func.func @reshape_unknown
// CHECK: mica.reshape %{{.*}} shape(%{{.*}} : tensor<2xi64>) : tensor<?xf32> -> tensor<?x?xf32>
func.func @reshape_unknown(%x: tensor<?xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %r = mica.reshape %x shape(%s : tensor<2xi64>) : tensor<?xf32> -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
