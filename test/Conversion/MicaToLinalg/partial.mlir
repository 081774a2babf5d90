// Ops without a lowering stay (partial conversion) next to lowered ones;
// with `strict` each one is a located error.
// RUN: mica-opt %s --convert-mica-to-linalg | FileCheck %s
// RUN: mica-opt %s --convert-mica-to-linalg=strict --verify-diagnostics

// CHECK-LABEL: func.func @unlowered_stays
// CHECK: %[[E:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: %[[C:.*]] = mica.scatter_elements %[[E]], %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[C]] : tensor<4xf32>)
// CHECK: math.tanh
func.func @unlowered_stays(%x: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  %0 = mica.exp %x : tensor<4xf32>
  // expected-error @+1 {{failed to legalize operation 'mica.scatter_elements'}}
  %1 = mica.scatter_elements %0, %i, %u {axis = 0 : i64} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  %2 = mica.tanh %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}
