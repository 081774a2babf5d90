// RUN: mica-opt %s --mica-gpu-vector-to-mma | FileCheck %s
// RUN: mica-opt %s --mica-gpu-vector-to-mma=mma-sync | FileCheck %s --check-prefix=SYNC

// A warp's 16 x 8 tile inside a gpu.launch: WMMA by default, mma.sync with
// mma-sync. The linalg op outside the launch (scalar body) is left alone.
// CHECK-LABEL: func.func @tile
// CHECK: gpu.launch
// CHECK-NOT: vector.contract
// CHECK: gpu.subgroup_mma_compute
// CHECK: linalg.generic
// CHECK: arith.addf %{{.*}}, %{{.*}} : f32
// SYNC-LABEL: func.func @tile
// SYNC: gpu.launch
// SYNC: gpu.lane_id
// SYNC: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// SYNC-NOT: vector.contract
// SYNC: linalg.generic
// SYNC: arith.addf %{{.*}}, %{{.*}} : f32
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(i, j) -> (i, j)>
func.func @tile(%A: memref<16x16xf16>, %B: memref<16x8xf16>, %C: memref<16x8xf32>, %D: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %ph = ub.poison : f16
  %pf = ub.poison : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %a = vector.transfer_read %A[%c0, %c0], %ph {in_bounds = [true, true]} : memref<16x16xf16>, vector<16x16xf16>
    %b = vector.transfer_read %B[%c0, %c0], %ph {in_bounds = [true, true]} : memref<16x8xf16>, vector<16x8xf16>
    %c = vector.transfer_read %C[%c0, %c0], %pf {in_bounds = [true, true]} : memref<16x8xf32>, vector<16x8xf32>
    %d = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %c : vector<16x16xf16>, vector<16x8xf16> into vector<16x8xf32>
    vector.transfer_write %d, %C[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
    gpu.terminator
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%C : memref<16x8xf32>) outs(%D : memref<16x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A TensorCore launch with staged operands and a fused epilogue: the warp's
// fragments come from shared memory (ldmatrix with mma-sync, a .shared
// WMMA load otherwise), the accumulator starts as zeros in registers, and
// the scalar epilogue after the K loop (bias add on one element) is left
// alone: the conversion starts from the K loop, not from scalar arith
// (which upstream would take for fragment elementwise ops and reject).
// CHECK-LABEL: func.func @staged_epilogue
// CHECK: gpu.subgroup_mma_constant_matrix
// CHECK: scf.for
// CHECK: gpu.subgroup_mma_load_matrix {{.*}} #gpu.address_space<workgroup>> -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK: gpu.subgroup_mma_compute
// CHECK: gpu.subgroup_mma_store_matrix {{.*}} #gpu.address_space<workgroup>>
// CHECK: %[[S:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK: memref.store %[[S]]
// SYNC-LABEL: func.func @staged_epilogue
// SYNC: scf.for
// SYNC: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false}
// SYNC: nvgpu.ldmatrix {{.*}} {numTiles = 2 : i32, transpose = true}
// SYNC: nvgpu.mma.sync
// SYNC: %[[S:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// SYNC: memref.store %[[S]]
func.func @staged_epilogue(%bias: memref<8xf32>, %out: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %ph = ub.poison : f16
  %zero = arith.constant dense<0.0> : vector<16x8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %as = memref.alloc() : memref<16x24xf16, #gpu.address_space<workgroup>>
    %bs = memref.alloc() : memref<16x16xf16, #gpu.address_space<workgroup>>
    %ct = memref.alloc() : memref<16x8xf32, #gpu.address_space<workgroup>>
    %acc = scf.for %k = %c0 to %c64 step %c16 iter_args(%acc0 = %zero) -> (vector<16x8xf32>) {
      %av = memref.subview %as[0, 0] [16, 16] [1, 1] : memref<16x24xf16, #gpu.address_space<workgroup>> to memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>
      %bv = memref.subview %bs[0, 0] [16, 8] [1, 1] : memref<16x16xf16, #gpu.address_space<workgroup>> to memref<16x8xf16, strided<[16, 1]>, #gpu.address_space<workgroup>>
      %a = vector.transfer_read %av[%c0, %c0], %ph {in_bounds = [true, true]} : memref<16x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>>, vector<16x16xf16>
      %b = vector.transfer_read %bv[%c0, %c0], %ph {in_bounds = [true, true]} : memref<16x8xf16, strided<[16, 1]>, #gpu.address_space<workgroup>>, vector<16x8xf16>
      %d = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %acc0 : vector<16x16xf16>, vector<16x8xf16> into vector<16x8xf32>
      scf.yield %d : vector<16x8xf32>
    }
    vector.transfer_write %acc, %ct[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %x = memref.load %ct[%ty, %tx] : memref<16x8xf32, #gpu.address_space<workgroup>>
    %y = memref.load %bias[%tx] : memref<8xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %out[%ty, %tx] : memref<16x8xf32>
    gpu.terminator
  }
  return
}
