// RUN: mica-opt %s --mica-gpu-sink-into-launch --split-input-file --verify-diagnostics | FileCheck %s

// A zero accumulator hoisted out of two TensorCore launches (canonicalize +
// VectorToGPU) is cloned into each, with its constant; the memref stays an
// operand (it can be a kernel argument).
// CHECK-LABEL: func.func @hoisted_accumulator
// CHECK-NOT: gpu.subgroup_mma_constant_matrix
// CHECK: gpu.launch
// CHECK:   %[[C:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   %[[Z:.*]] = gpu.subgroup_mma_constant_matrix %[[C]] : !gpu.mma_matrix<16x16xf32, "COp">
// CHECK:   gpu.subgroup_mma_store_matrix %[[Z]], %{{.*}}
// CHECK: gpu.launch
// CHECK:   gpu.subgroup_mma_constant_matrix
func.func @hoisted_accumulator(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %cst = arith.constant 0.000000e+00 : f32
  %z = gpu.subgroup_mma_constant_matrix %cst : !gpu.mma_matrix<16x16xf32, "COp">
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    gpu.subgroup_mma_store_matrix %z, %out[%c0, %c0] {leadDimension = 16 : index} : !gpu.mma_matrix<16x16xf32, "COp">, memref<16x16xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    gpu.subgroup_mma_store_matrix %z, %out[%c0, %c0] {leadDimension = 16 : index} : !gpu.mma_matrix<16x16xf32, "COp">, memref<16x16xf32>
    gpu.terminator
  }
  return
}

// -----

// An MMA matrix that is not made by a pure op cannot go in: an error (the
// kernel could not take it as an argument).
func.func @from_argument(%z: !gpu.mma_matrix<16x16xf32, "COp">, %out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    // expected-error @+1 {{mica-gpu-sink-into-launch: this '!gpu.mma_matrix<16x16xf32, "COp">' comes from outside the gpu.launch and is not a pure op that can be cloned into it; a kernel cannot take it as an argument}}
    gpu.subgroup_mma_store_matrix %z, %out[%c0, %c0] {leadDimension = 16 : index} : !gpu.mma_matrix<16x16xf32, "COp">, memref<16x16xf32>
    gpu.terminator
  }
  return
}
