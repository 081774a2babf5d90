// RUN: mica-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mica-math-approximation))' | FileCheck %s

// Functions not in the list and f64 stay.
// CHECK-LABEL: func.func @kept
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: math.exp %{{.*}} : f64
func.func @kept(%x: f32, %y: f64) -> (f32, f64) {
  %0 = math.sqrt %x : f32
  %1 = math.exp %y : f64
  return %0, %1 : f32, f64
}

// -----

// exp, tanh and erf on f32 vectors become polynomials (no math call left).
// CHECK-LABEL: func.func @vector
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: return
func.func @vector(%x: vector<16xf32>) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>) {
  %0 = math.exp %x : vector<16xf32>
  %1 = math.tanh %x : vector<16xf32>
  %2 = math.erf %x : vector<16xf32>
  return %0, %1, %2 : vector<16xf32>, vector<16xf32>, vector<16xf32>
}

// -----

// Scalars too.
// CHECK-LABEL: func.func @scalar
// CHECK-NOT: math.log
// CHECK: return
func.func @scalar(%x: f32) -> f32 {
  %0 = math.log %x : f32
  return %0 : f32
}
