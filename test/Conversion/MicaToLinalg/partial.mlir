// Ops without a lowering stay (partial conversion) next to lowered ones;
// with `strict` each one is a located error.
// RUN: mica-opt %s --convert-mica-to-linalg | FileCheck %s
// RUN: mica-opt %s --convert-mica-to-linalg=strict --verify-diagnostics

// CHECK-LABEL: func.func @unlowered_stays
// CHECK: %[[E:.*]] = linalg.generic
// CHECK: math.exp
// CHECK: %[[C:.*]] = mica.cumsum %[[E]] {axis = 0 : i64} : tensor<4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[C]] : tensor<4xf32>)
// CHECK: math.tanh
func.func @unlowered_stays(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = mica.exp %x : tensor<4xf32>
  // expected-error @+1 {{failed to legalize operation 'mica.cumsum'}}
  %1 = mica.cumsum %0 {axis = 0 : i64} : tensor<4xf32>
  %2 = mica.tanh %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}
