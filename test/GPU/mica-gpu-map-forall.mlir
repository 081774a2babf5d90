// RUN: mica-opt %s --mica-gpu-map-forall --canonicalize --split-input-file -verify-diagnostics | FileCheck %s

// A block forall over 64 x 96 in 32 x 32 tiles with 2 x 2 warps of 16 x 16:
// grid 3 x 2 (x = N tiles, y = M tiles), blocks of 64 x 2 threads (two warps
// along x); the warp forall is distributed by upstream
// mapNestedForallToThreadsImpl (warp id = thread_id.x floordiv 32).
// CHECK-DAG: #[[TILE32:.*]] = affine_map<()[s0] -> (s0 * 32)>
// CHECK-DAG: #[[TILE16:.*]] = affine_map<()[s0] -> (s0 * 16)>
// CHECK-DAG: #[[WARPX:.*]] = affine_map<()[s0] -> ((s0 floordiv 32) * 16)>
// CHECK-LABEL: func.func @block_and_warps
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C3]], {{.*}} = %[[C2]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C64]], {{.*}} = %[[C2]], {{.*}} = %[[C1]])
// CHECK-DAG: %[[BY:.*]] = gpu.block_id y
// CHECK-DAG: %[[BX:.*]] = gpu.block_id x
// CHECK-DAG: %[[TX:.*]] = gpu.thread_id x
// CHECK-DAG: %[[TY:.*]] = gpu.thread_id y
// CHECK-DAG: %[[I:.*]] = affine.apply #[[TILE32]]()[%[[BY]]]
// CHECK-DAG: %[[J:.*]] = affine.apply #[[TILE32]]()[%[[BX]]]
// CHECK-DAG: %[[WI:.*]] = affine.apply #[[TILE16]]()[%[[TY]]]
// CHECK-DAG: %[[WJ:.*]] = affine.apply #[[WARPX]]()[%[[TX]]]
// CHECK-DAG: %[[R:.*]] = arith.addi %[[I]], %[[WI]]
// CHECK-DAG: %[[C:.*]] = arith.addi %[[J]], %[[WJ]]
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[R]], %[[C]]]
// CHECK: gpu.terminator
// CHECK-NOT: scf.forall
func.func @block_and_warps(%out: memref<64x96xf32>) {
  %v = arith.constant 1.0 : f32
  scf.forall (%i, %j) = (0, 0) to (64, 96) step (32, 32) {
    scf.forall (%wi, %wj) = (0, 0) to (32, 32) step (16, 16) {
      %r = arith.addi %i, %wi : index
      %c = arith.addi %j, %wj : index
      memref.store %v, %out[%r, %c] : memref<64x96xf32>
    } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// A batch dim on blocks in z, one warp (32 threads) per block.
// CHECK-LABEL: func.func @batch
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C1]], {{.*}} = %[[C4]]) threads({{.*}}) in ({{.*}} = %[[C32]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
// CHECK: gpu.block_id z
func.func @batch(%out: memref<4x16x16xf32>) {
  %v = arith.constant 1.0 : f32
  scf.forall (%b, %i, %j) in (4, 1, 1) {
    scf.forall (%wi, %wj) in (1, 1) {
      memref.store %v, %out[%b, %wi, %wj] : memref<4x16x16xf32>
    } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
  } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// Foralls that are not mapped to blocks are left alone.
// CHECK-LABEL: func.func @unmapped
// CHECK: scf.forall
// CHECK-NOT: gpu.launch
func.func @unmapped(%out: memref<4xf32>) {
  %v = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    memref.store %v, %out[%i] : memref<4xf32>
  }
  return
}

// -----

// Not bufferized: the forall still has tensor results.
func.func @tensors(%t: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{mica-gpu-map-forall: cannot map this block scf.forall to a gpu.launch (it must be bufferized, normalized, with static trip counts)}}
  %r = scf.forall (%i) in (4) shared_outs(%o = %t) -> (tensor<4xf32>) {
    %s = tensor.extract_slice %o[%i] [1] [1] : tensor<4xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i] [1] [1] : tensor<1xf32> into tensor<4xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return %r : tensor<4xf32>
}
