// RUN: mica-opt %s -canonicalize -split-input-file | FileCheck %s

// Constant folding of elementwise ops on small constants.

// CHECK-LABEL: func.func @fold_binary_broadcast
// CHECK: %[[C:.*]] = mica.constant dense<{{\[\[}}1.100000e+01, 2.200000e+01], [1.300000e+01, 2.400000e+01]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_binary_broadcast() -> tensor<2x2xf32> {
  %a = mica.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = mica.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %0 = mica.add %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_int_ops
// CHECK: mica.constant dense<[-1, 2, 0]> : tensor<3xi64>
func.func @fold_int_ops() -> tensor<3xi64> {
  %a = mica.constant dense<[7, -7, 6]> : tensor<3xi64>
  %b = mica.constant dense<[-2, 3, 3]> : tensor<3xi64>
  // Python-style mod: 7 % -2 = -1, -7 % 3 = 2, 6 % 3 = 0.
  %0 = mica.mod %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_fmod
// CHECK: mica.constant dense<[1, -1, 0]> : tensor<3xi64>
func.func @fold_fmod() -> tensor<3xi64> {
  %a = mica.constant dense<[7, -7, 6]> : tensor<3xi64>
  %b = mica.constant dense<[-2, 3, 3]> : tensor<3xi64>
  %0 = mica.mod %a, %b {fmod = true} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Integer division by zero is not folded.
// CHECK-LABEL: func.func @no_fold_div_zero
// CHECK: mica.div
func.func @no_fold_div_zero() -> tensor<2xi32> {
  %a = mica.constant dense<[4, 5]> : tensor<2xi32>
  %b = mica.constant dense<[2, 0]> : tensor<2xi32>
  %0 = mica.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @fold_unary
// CHECK: mica.constant dense<[0.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
func.func @fold_unary() -> tensor<3xf32> {
  %a = mica.constant dense<[-1.0, 4.0, 9.0]> : tensor<3xf32>
  %0 = mica.relu %a : tensor<3xf32>
  %1 = mica.sqrt %0 : tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_splat_unary
// CHECK: mica.constant dense<5.000000e-01> : tensor<4x4xf32>
func.func @fold_splat_unary() -> tensor<4x4xf32> {
  %a = mica.constant dense<0.0> : tensor<4x4xf32>
  %0 = mica.sigmoid %a : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// CHECK-LABEL: func.func @fold_compare
// CHECK: mica.constant dense<[true, false, false]> : tensor<3xi1>
func.func @fold_compare() -> tensor<3xi1> {
  %a = mica.constant dense<[1, 5, 3]> : tensor<3xi64>
  %b = mica.constant dense<3> : tensor<i64>
  %0 = mica.compare lt, %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// CHECK-LABEL: func.func @fold_cast
// CHECK: mica.constant dense<[1, -2, 0]> : tensor<3xi32>
func.func @fold_cast() -> tensor<3xi32> {
  %a = mica.constant dense<[1.7, -2.5, 0.2]> : tensor<3xf32>
  %0 = mica.cast %a : tensor<3xf32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Identities: x + 0, x * 1, no-op cast / reshape / transpose / concat / slice.
// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %z = mica.constant dense<0.0> : tensor<3xf32>
  %o = mica.constant dense<1.0> : tensor<f32>
  %0 = mica.add %x, %z : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = mica.mul %x, %o : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %2 = mica.cast %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = mica.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = mica.transpose %x [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = mica.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 9223372036854775807>, steps = array<i64: 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// x + 0 that broadcasts x is not an identity.
// CHECK-LABEL: func.func @no_identity_broadcast
// CHECK: mica.add
func.func @no_identity_broadcast(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = mica.constant dense<0.0> : tensor<2x3xf32>
  %0 = mica.add %x, %z : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Shape ops on constants.
// CHECK-LABEL: func.func @fold_shape_ops
// CHECK-DAG: mica.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
// CHECK-DAG: mica.constant dense<[3, 1]> : tensor<2xi64>
// CHECK-DAG: mica.constant dense<[2, 3, 7]> : tensor<3xi64>
// CHECK-DAG: mica.constant dense<[4, 6]> : tensor<2xi64>
// CHECK-DAG: mica.constant dense<[0, 2, 4]> : tensor<3xi64>
// CHECK-DAG: mica.constant dense<7> : tensor<2xi64>
// CHECK-NOT: mica.transpose
// CHECK-NOT: mica.gather
// CHECK-NOT: mica.slice
// CHECK-NOT: mica.range
func.func @fold_shape_ops() -> (tensor<3x2xi64>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>) {
  %m = mica.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = mica.transpose %m [1, 0] : tensor<2x3xi64> -> tensor<3x2xi64>
  %v = mica.constant dense<[1, 2, 3]> : tensor<3xi64>
  %i = mica.constant dense<[2, -3]> : tensor<2xi64>
  %1 = mica.gather %v, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %s = mica.constant dense<[2, 3]> : tensor<2xi64>
  %c = mica.constant dense<7> : tensor<1xi64>
  %2 = mica.concat %s, %c {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %3 = mica.slice %m {axes = array<i64: 0, 1>, starts = array<i64: 1, 0>, ends = array<i64: 2, 3>, steps = array<i64: 1, 2>} : tensor<2x3xi64> -> tensor<1x2xi64>
  %4 = mica.reshape %3 : tensor<1x2xi64> -> tensor<2xi64>
  %z = mica.constant dense<0> : tensor<i64>
  %l = mica.constant dense<6> : tensor<i64>
  %d = mica.constant dense<2> : tensor<i64>
  %5 = mica.range %z, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %two = mica.constant dense<2> : tensor<1xi64>
  %f = mica.fill %two {value = 7 : i64} : tensor<1xi64> -> tensor<2xi64>
  return %0, %1, %2, %4, %5, %f : tensor<3x2xi64>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>
}

// -----

// shape_of folds only for static shapes.
// CHECK-LABEL: func.func @shape_of
// CHECK: %[[S:.*]] = mica.constant dense<[2, 3]> : tensor<2xi64>
// CHECK: %[[D:.*]] = mica.shape_of %{{.*}} : tensor<?x3xf32> -> tensor<2xi64>
// CHECK: return %[[S]], %[[D]]
func.func @shape_of(%x: tensor<2x3xf32>, %y: tensor<?x3xf32>) -> (tensor<2xi64>, tensor<2xi64>) {
  %0 = mica.shape_of %x : tensor<2x3xf32> -> tensor<2xi64>
  %1 = mica.shape_of %y : tensor<?x3xf32> -> tensor<2xi64>
  return %0, %1 : tensor<2xi64>, tensor<2xi64>
}

// -----

// A splat constant broadcast by expand stays a splat.
// CHECK-LABEL: func.func @expand_splat
// CHECK: mica.constant dense<2.000000e+00> : tensor<4x3xf32>
func.func @expand_splat() -> tensor<4x3xf32> {
  %a = mica.constant dense<2.0> : tensor<1x3xf32>
  %0 = mica.expand %a : tensor<1x3xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// where with a constant splat condition selects an operand of the result
// type; all-constant operands fold elementwise; a splat condition choosing
// an operand that must still broadcast stays.
// CHECK-LABEL: func.func @where_fold
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>, %[[S:.*]]: tensor<f32>)
// CHECK-DAG: %[[C:.*]] = mica.constant dense<[1, 20, 3]> : tensor<3xi64>
// CHECK-DAG: %[[B:.*]] = mica.where %{{.*}}, %[[S]], %[[Y]]
// CHECK: return %[[X]], %[[Y]], %[[C]], %[[B]]
func.func @where_fold(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>, %s: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xi64>, tensor<2x3xf32>) {
  %t = mica.constant dense<true> : tensor<i1>
  %f = mica.constant dense<false> : tensor<2x3xi1>
  %0 = mica.where %t, %x, %y : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = mica.where %f, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = mica.constant dense<[true, false, true]> : tensor<3xi1>
  %a = mica.constant dense<[1, 2, 3]> : tensor<3xi64>
  %b = mica.constant dense<20> : tensor<i64>
  %2 = mica.where %c, %a, %b : (tensor<3xi1>, tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %3 = mica.where %t, %s, %y : (tensor<i1>, tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xi64>, tensor<2x3xf32>
}
