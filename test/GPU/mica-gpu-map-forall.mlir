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
  // expected-error @below {{mica-gpu-map-forall: cannot map this block scf.forall to a gpu.launch (it must be bufferized, normalized, with static trip counts; copies into workgroup memory must be the same in every warp)}}
  %r = scf.forall (%i) in (4) shared_outs(%o = %t) -> (tensor<4xf32>) {
    %s = tensor.extract_slice %o[%i] [1] [1] : tensor<4xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%i] [1] [1] : tensor<1xf32> into tensor<4xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return %r : tensor<4xf32>
}

// -----

// Staged TensorCore operands (mica-gpu-tile-contractions + bufferization):
// every warp copies the block's K-step slices of A and B into workgroup
// buffers. The launch shares one buffer of each per block (the allocations
// move to the top of the launch body) and distributes each copy over its 128
// threads (4 x f16 = 8 bytes per thread, linear thread id), fenced by
// gpu.barrier before (the previous step's reads are done) and after (the
// tiles are complete); the warps then read their tiles from the buffers.
// CHECK-LABEL: func.func @staged
// CHECK: gpu.launch
// CHECK-DAG: %[[BUFB:.*]] = memref.alloc(){{.*}} : memref<16x40xf16, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[BUFA:.*]] = memref.alloc(){{.*}} : memref<32x24xf16, #gpu.address_space<workgroup>>
// CHECK-DAG: %[[TX:.*]] = gpu.thread_id x
// CHECK-DAG: %[[TY:.*]] = gpu.thread_id y
// CHECK: %[[TID:.*]] = affine.linearize_index disjoint [%[[TY]], %[[TX]]] by (2, 64)
// CHECK: scf.for
// CHECK: %[[SRCA:.*]] = memref.subview %{{.*}}[0, %{{.*}}] [32, 16] [1, 1] : memref<32x32xf16> to memref<32x16xf16, strided<[32, 1], offset: ?>>
// CHECK: %[[DSTA:.*]] = memref.subview %[[BUFA]][0, 0] [32, 16] [1, 1]
// CHECK: gpu.barrier
// CHECK: %[[IA:.*]]:2 = affine.delinearize_index %[[TID]] into (32, 4)
// CHECK: %[[CA:.*]] = affine.apply #{{.*}}()[%[[IA]]#1]
// CHECK: %[[VA:.*]] = vector.load %[[SRCA]][%[[IA]]#0, %[[CA]]] : memref<32x16xf16, strided<[32, 1], offset: ?>>, vector<4xf16>
// CHECK: vector.store %[[VA]], %[[DSTA]][%[[IA]]#0, %[[CA]]]
// CHECK-NOT: gpu.barrier
// CHECK: vector.load {{.*}} vector<4xf16>
// CHECK: vector.store
// CHECK: gpu.barrier
// CHECK: vector.transfer_read {{.*}} #gpu.address_space<workgroup>>, vector<16x16xf16>
// CHECK: vector.transfer_read {{.*}} #gpu.address_space<workgroup>>, vector<16x16xf16>
// CHECK-NOT: linalg.copy
#ma = affine_map<(d0, d1, d2) -> (d0, d2)>
#mb = affine_map<(d0, d1, d2) -> (d2, d1)>
#mc = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @staged(%A: memref<32x32xf16>, %B: memref<32x32xf16>, %C: memref<32x32xf32>) {
  %p = ub.poison : f16
  %zero = arith.constant dense<0.000000e+00> : vector<16x16xf32>
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c0 = arith.constant 0 : index
  scf.forall (%i, %j) in (1, 1) {
    scf.forall (%wi, %wj) = (0, 0) to (32, 32) step (16, 16) {
      %cw = memref.subview %C[%wi, %wj] [16, 16] [1, 1] : memref<32x32xf32> to memref<16x16xf32, strided<[32, 1], offset: ?>>
      %acc = scf.for %k = %c0 to %c32 step %c16 iter_args(%acc0 = %zero) -> (vector<16x16xf32>) {
        %ak = memref.subview %A[0, %k] [32, 16] [1, 1] : memref<32x32xf16> to memref<32x16xf16, strided<[32, 1], offset: ?>>
        %abuf = memref.alloc() : memref<32x24xf16, #gpu.address_space<workgroup>>
        %as = memref.subview %abuf[0, 0] [32, 16] [1, 1] : memref<32x24xf16, #gpu.address_space<workgroup>> to memref<32x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>
        linalg.copy ins(%ak : memref<32x16xf16, strided<[32, 1], offset: ?>>) outs(%as : memref<32x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>)
        %aw = memref.subview %as[%wi, 0] [16, 16] [1, 1] : memref<32x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>> to memref<16x16xf16, strided<[24, 1], offset: ?>, #gpu.address_space<workgroup>>
        %bk = memref.subview %B[%k, 0] [16, 32] [1, 1] : memref<32x32xf16> to memref<16x32xf16, strided<[32, 1], offset: ?>>
        %bbuf = memref.alloc() : memref<16x40xf16, #gpu.address_space<workgroup>>
        %bs = memref.subview %bbuf[0, 0] [16, 32] [1, 1] : memref<16x40xf16, #gpu.address_space<workgroup>> to memref<16x32xf16, strided<[40, 1]>, #gpu.address_space<workgroup>>
        linalg.copy ins(%bk : memref<16x32xf16, strided<[32, 1], offset: ?>>) outs(%bs : memref<16x32xf16, strided<[40, 1]>, #gpu.address_space<workgroup>>)
        %bw = memref.subview %bs[0, %wj] [16, 16] [1, 1] : memref<16x32xf16, strided<[40, 1]>, #gpu.address_space<workgroup>> to memref<16x16xf16, strided<[40, 1], offset: ?>, #gpu.address_space<workgroup>>
        %a = vector.transfer_read %aw[%c0, %c0], %p {in_bounds = [true, true]} : memref<16x16xf16, strided<[24, 1], offset: ?>, #gpu.address_space<workgroup>>, vector<16x16xf16>
        %b = vector.transfer_read %bw[%c0, %c0], %p {in_bounds = [true, true]} : memref<16x16xf16, strided<[40, 1], offset: ?>, #gpu.address_space<workgroup>>, vector<16x16xf16>
        %d = vector.contract {indexing_maps = [#ma, #mb, #mc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %acc0 : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
        scf.yield %d : vector<16x16xf32>
      }
      vector.transfer_write %acc, %cw[%c0, %c0] {in_bounds = [true, true]} : vector<16x16xf32>, memref<16x16xf32, strided<[32, 1], offset: ?>>
    } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}

// -----

// A copy into workgroup memory whose source depends on the warp cannot be
// shared by the block.
func.func @warp_dependent_copy(%A: memref<32x16xf16>) {
  // expected-error @below {{copies into workgroup memory must be the same in every warp}}
  scf.forall (%i) in (1) {
    scf.forall (%wi) in (2) {
      %c16 = arith.constant 16 : index
      %r = arith.muli %wi, %c16 : index
      %aw = memref.subview %A[%r, 0] [16, 16] [1, 1] : memref<32x16xf16> to memref<16x16xf16, strided<[16, 1], offset: ?>>
      %buf = memref.alloc() : memref<16x16xf16, #gpu.address_space<workgroup>>
      linalg.copy ins(%aw : memref<16x16xf16, strided<[16, 1], offset: ?>>) outs(%buf : memref<16x16xf16, #gpu.address_space<workgroup>>)
    } {mapping = [#gpu.warp<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A fused epilogue: a #gpu.thread forall after the warp forall reads what
// the warps wrote to shared memory, so every distributed forall is followed
// by a gpu.barrier; the thread forall is predicated to its 16 columns.
// CHECK-LABEL: func.func @epilogue
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[CT:.*]][
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: scf.if
// CHECK: memref.load %[[CT]]
// CHECK: gpu.barrier
func.func @epilogue(%out: memref<32x16xf32>) {
  %v = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  scf.forall (%i, %j) in (1, 1) {
    %ct = memref.alloc() : memref<32x16xf32, #gpu.address_space<workgroup>>
    scf.forall (%wi, %wj) = (0, 0) to (32, 16) step (16, 16) {
      memref.store %v, %ct[%wi, %wj] : memref<32x16xf32, #gpu.address_space<workgroup>>
    } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
    scf.for %r = %c0 to %c32 step %c2 {
      scf.forall (%ty, %tx) in (2, 16) {
        %row = arith.addi %r, %ty : index
        %x = memref.load %ct[%row, %tx] : memref<32x16xf32, #gpu.address_space<workgroup>>
        memref.store %x, %out[%row, %tx] : memref<32x16xf32>
      } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
    }
  } {mapping = [#gpu.block<y>, #gpu.block<x>]}
  return
}
