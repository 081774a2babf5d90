// RUN: mica-opt %s --mica-gpu-shared-memory --split-input-file | FileCheck %s
// RUN: mica-opt %s --mica-gpu-shared-memory="async-copies remarks=0" --canonicalize --split-input-file | FileCheck %s --check-prefix=ASYNC
// RUN: mica-opt %s --mica-gpu-shared-memory=async-copies --split-input-file -verify-diagnostics -o /dev/null

// A K loop over 4 steps of 16 that copies a 16 x 16 f16 tile of A into a
// workgroup buffer (one 16-byte vector per thread of the 32), fenced by
// barriers, and reads it back (the warp's fragment).
// Without async copies (sm_70/75) the buffer only becomes a workgroup
// attribution of the launch.
// CHECK-LABEL: func.func @k_loop
// CHECK: gpu.launch {{.*}} workgroup(%[[BUF:.*]] : memref<16x24xf16, #gpu.address_space<workgroup>>)
// CHECK-NOT: memref.alloc
// CHECK: scf.for
// CHECK: %[[DST:.*]] = memref.subview %[[BUF]]
// CHECK: gpu.barrier
// CHECK: vector.load
// CHECK: vector.store %{{.*}}, %[[DST]]
// CHECK: gpu.barrier
// CHECK: vector.transfer_read %[[DST]]
// With async copies (sm_80+): the buffer is doubled (memref::multiBuffer),
// the copies are cp.async groups (nvgpu::createAsyncGroups) and the loop is
// pipelined: the copies of steps 0 and 1 before the loop, each iteration
// waits for the oldest group (one stays in flight), computes, then issues
// the copy of the step after next into the buffer it just read; the last
// two steps are peeled with waits for 1 and 0 groups.
// ASYNC-LABEL: func.func @k_loop
// ASYNC: gpu.launch {{.*}} workgroup(%[[BUF:.*]] : memref<2x16x24xf16, #gpu.address_space<workgroup>>)
// ASYNC: gpu.barrier
// ASYNC: %[[T0:.*]] = nvgpu.device_async_copy {{.*}}, 8 {bypassL1}
// ASYNC: %[[G0:.*]] = nvgpu.device_async_create_group %[[T0]]
// ASYNC: gpu.barrier
// ASYNC: %[[T1:.*]] = nvgpu.device_async_copy {{.*}}, 8 {bypassL1}
// ASYNC: %[[G1:.*]] = nvgpu.device_async_create_group %[[T1]]
// ASYNC: %[[LOOP:.*]]:{{.*}} = scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args({{.*}}%[[GA:[a-z0-9_]+]] = %[[G0]], %[[GB:[a-z0-9_]+]] = %[[G1]]
// ASYNC: nvgpu.device_async_wait %[[GA]] {numGroups = 1 : i32}
// ASYNC: gpu.barrier
// ASYNC: vector.transfer_read
// ASYNC: gpu.barrier
// ASYNC: nvgpu.device_async_copy
// ASYNC: %[[GN:.*]] = nvgpu.device_async_create_group
// ASYNC: scf.yield {{.*}}%[[GB]], %[[GN]]
// ASYNC: nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// ASYNC: vector.transfer_read
// ASYNC: nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
// ASYNC: vector.transfer_read
// ASYNC-NOT: memref.alloc
func.func @k_loop(%A: memref<16x64xf16>, %out: memref<4x16x16xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %p = ub.poison : f16
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %buf = memref.alloc() : memref<16x24xf16, #gpu.address_space<workgroup>>
    %r = scf.for %k = %c0 to %c64 step %c16 iter_args(%acc = %p) -> (f16) {
      %src = memref.subview %A[0, %k] [16, 16] [1, 1] : memref<16x64xf16> to memref<16x16xf16, strided<[64, 1], offset: ?>>
      %dst = memref.subview %buf[0, 0] [16, 16] [1, 1] : memref<16x24xf16, #gpu.address_space<workgroup>> to memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>
      gpu.barrier
      %i:2 = affine.delinearize_index %tx into (16, 2) : index, index
      %j = affine.apply affine_map<(d0) -> (d0 * 8)>(%i#1)
      %v = vector.load %src[%i#0, %j] : memref<16x16xf16, strided<[64, 1], offset: ?>>, vector<8xf16>
      vector.store %v, %dst[%i#0, %j] : memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>, vector<8xf16>
      gpu.barrier
      %t = vector.transfer_read %dst[%c0, %c0], %p {in_bounds = [true, true]} : memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>, vector<16x16xf16>
      %s = vector.extract %t[0, 0] : f16 from vector<16x16xf16>
      %n = arith.addf %acc, %s : f16
      scf.yield %n : f16
    }
    memref.store %r, %out[%c0, %c0, %c0] : memref<4x16x16xf16>
    gpu.terminator
  }
  return
}

// -----

// One K step: nothing to overlap. The copy is still asynchronous (and waited
// for at once), with a remark saying why it is not pipelined.
// ASYNC-LABEL: func.func @one_step
// ASYNC: gpu.launch {{.*}} workgroup(%{{.*}} : memref<16x16xf16, #gpu.address_space<workgroup>>)
// ASYNC: nvgpu.device_async_copy
// ASYNC: nvgpu.device_async_create_group
// ASYNC: nvgpu.device_async_wait
func.func @one_step(%A: memref<16x16xf16>, %out: memref<16xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{mica-gpu-shared-memory: copies not pipelined: the K loop has fewer than 2 static steps}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %buf = memref.alloc() : memref<16x16xf16, #gpu.address_space<workgroup>>
    scf.for %k = %c0 to %c16 step %c16 {
      gpu.barrier
      %i:2 = affine.delinearize_index %tx into (16, 2) : index, index
      %j = affine.apply affine_map<(d0) -> (d0 * 8)>(%i#1)
      %v = vector.load %A[%i#0, %j] : memref<16x16xf16>, vector<8xf16>
      vector.store %v, %buf[%i#0, %j] : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<8xf16>
      gpu.barrier
      %s = memref.load %buf[%c0, %c0] : memref<16x16xf16, #gpu.address_space<workgroup>>
      memref.store %s, %out[%c0] : memref<16xf16>
    }
    gpu.terminator
  }
  return
}
