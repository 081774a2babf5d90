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
