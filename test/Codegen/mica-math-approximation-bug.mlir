// BUG: mica-math-approximation rewrites nothing. lib/Codegen/MathApproximation.cpp
// passes a predicate that accepts "exp", "tanh", ... but the upstream
// populateMathF32ExpansionPatterns / populateMathPolynomialApproximationPatterns
// call it with operation names ("math.exp", "math.tanh", ...), so no pattern
// is added and every math op is left to libm.
// XFAIL: *
// RUN: mica-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mica-math-approximation))' | FileCheck %s

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
