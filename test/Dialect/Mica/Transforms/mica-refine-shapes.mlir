// RUN: mica-opt %s -mica-refine-shapes -split-input-file | FileCheck %s
// RUN: mica-opt %s -mica-refine-shapes="entry=pin arg-shapes=0:1x16" -split-input-file | FileCheck %s --check-prefix=PIN
// RUN: not mica-opt %s -mica-refine-shapes="entry=pin arg-shapes=0:1x" -split-input-file 2>&1 | FileCheck %s --check-prefix=BADSPEC
// RUN: not mica-opt %s -mica-refine-shapes="entry=pin arg-shapes=0:3x3x3" -split-input-file 2>&1 | FileCheck %s --check-prefix=CONTRA

// Types written less static than they can be are refined through the whole
// function, and the signature follows.
// CHECK-LABEL: func.func @propagate
// CHECK-SAME: -> tensor<2x8xf32>
// CHECK: mica.dense %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<8x4xf32> -> tensor<2x8xf32>
// CHECK: mica.relu %{{.*}} : tensor<2x8xf32>
// CHECK: return %{{.*}} : tensor<2x8xf32>
func.func @propagate(%x: tensor<2x4xf32>, %w: tensor<8x4xf32>) -> tensor<?x?xf32> {
  %0 = mica.dense %x, %w : tensor<2x4xf32>, tensor<8x4xf32> -> tensor<?x?xf32>
  %1 = mica.relu %0 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// PIN-LABEL: func.func @propagate
// PIN-SAME: (%{{.*}}: tensor<2x4xf32>, %{{.*}}: tensor<8x4xf32>) -> tensor<2x8xf32>

// -----

// Pinning the dynamic dims of the entry arguments makes the whole BERT-like
// reshape chain static; shape subgraphs fold away.
// PIN-LABEL: func.func @pin
// PIN-SAME: (%[[X:.*]]: tensor<1x16xf32>) -> tensor<1x2x1xf32>
// PIN-NOT: mica.shape_of
// PIN-NOT: mica.concat
// PIN: %[[O:.*]] = mica.constant dense<1.000000e+00> : tensor<1x2x1xf32>
// PIN: %[[R:.*]] = mica.reshape %[[X]] : tensor<1x16xf32> -> tensor<1x2x8xf32>
// PIN: %[[S:.*]] = mica.softmax %[[R]] {axis = 2 : i64} : tensor<1x2x8xf32>
// PIN: %[[M:.*]] = mica.reduce max %[[S]] {axes = array<i64: 2>} : tensor<1x2x8xf32> -> tensor<1x2x1xf32>
// PIN: mica.add %[[M]], %[[O]] : (tensor<1x2x1xf32>, tensor<1x2x1xf32>) -> tensor<1x2x1xf32>
// CHECK-LABEL: func.func @pin
// CHECK-SAME: (%{{.*}}: tensor<?x?xf32>) -> tensor<?x2x1xf32>
// CHECK: mica.reshape %{{.*}} shape(%{{.*}} : tensor<3xi64>) : tensor<?x?xf32> -> tensor<?x2x?xf32>
func.func @pin(%x: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %s = mica.shape_of %x : tensor<?x?xf32> -> tensor<2xi64>
  %i0 = mica.constant dense<[0]> : tensor<1xi64>
  %b = mica.gather %s, %i0 {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %h = mica.constant dense<[2, -1]> : tensor<2xi64>
  %shape = mica.concat %b, %h {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %r = mica.reshape %x shape(%shape : tensor<3xi64>) : tensor<?x?xf32> -> tensor<?x?x?xf32>
  %sm = mica.softmax %r {axis = 2 : i64} : tensor<?x?x?xf32>
  %m = mica.reduce max %sm {axes = array<i64: 2>} : tensor<?x?x?xf32> -> tensor<?x?x1xf32>
  %s3 = mica.shape_of %m : tensor<?x?x1xf32> -> tensor<3xi64>
  %ones = mica.fill %s3 {value = 1.0 : f32} : tensor<3xi64> -> tensor<?x?x1xf32>
  %out = mica.add %m, %ones : (tensor<?x?x1xf32>, tensor<?x?x1xf32>) -> tensor<?x?x1xf32>
  %cast = tensor.cast %out : tensor<?x?x1xf32> to tensor<?x?x?xf32>
  return %cast : tensor<?x?x?xf32>
}

// -----

// Ops outside the mica dialect keep the type they were built with: a cast
// bridges the refined value to them.
// CHECK-LABEL: func.func @foreign_user
// CHECK: %[[E:.*]] = mica.exp %{{.*}} : tensor<4xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[E]] : tensor<4xf32> to tensor<?xf32>
// CHECK: call @consume(%[[C]])
func.func private @consume(tensor<?xf32>)
func.func @foreign_user(%x: tensor<4xf32>) {
  %y = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  %e = mica.exp %y : tensor<?xf32>
  func.call @consume(%e) : (tensor<?xf32>) -> ()
  return
}

// BADSPEC: cannot parse arg-shapes entry '0:1x' (expected index:AxBxC, e.g. 0:1x128)
// CONTRA: shape for argument 0 contradicts its type
