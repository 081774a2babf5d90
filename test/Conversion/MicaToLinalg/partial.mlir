// Ops without a lowering stay (partial conversion) next to lowered ones;
// with `strict` each one is a located error. (A pool over a dynamic spatial
// dim has no lowering.)
// RUN: mica-opt %s --convert-mica-to-linalg | FileCheck %s
// RUN: mica-opt %s --convert-mica-to-linalg=strict --verify-diagnostics

// CHECK-LABEL: func.func @unlowered_stays
// CHECK: %[[E:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: %[[C:.*]] = mica.pool max %[[E]] {{.*}} : tensor<1x1x?xf32> -> tensor<1x1x?xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[C]] : tensor<1x1x?xf32>)
// CHECK: math.tanh
func.func @unlowered_stays(%x: tensor<1x1x?xf32>) -> tensor<1x1x?xf32> {
  %0 = mica.exp %x : tensor<1x1x?xf32>
  // expected-error @+1 {{failed to legalize operation 'mica.pool'}}
  %1 = mica.pool max %0 {kernel = array<i64: 1>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<1x1x?xf32> -> tensor<1x1x?xf32>
  %2 = mica.tanh %1 : tensor<1x1x?xf32>
  return %2 : tensor<1x1x?xf32>
}
