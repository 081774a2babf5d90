// RUN: mica-opt %s --mica-gpu-reductions --split-input-file --verify-diagnostics | FileCheck %s
// RUN: mica-opt %s --mica-gpu-reductions="gpu-arch=sm_90 remarks=0" --split-input-file | FileCheck %s --check-prefix=SM90
// RUN: mica-opt %s --mica-gpu-reductions="emulate=1 remarks=0" --split-input-file | FileCheck %s --check-prefix=EMU
// RUN: not mica-opt %s --mica-gpu-reductions="gpu-arch=sm_60" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// The inputs are what mica-gpu-pipeline feeds the pass: mica ops after
// convert-mica-to-linalg and mica-cpu-fuse-elementwise.

// BAD: error: mica-gpu-reductions: unsupported gpu-arch 'sm_60' (supported: sm_70, sm_75, sm_80, sm_86, sm_89, sm_90)

#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d0)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map4 = affine_map<(d0, d1, d2) -> (d2)>

// Softmax over 4 rows of 1000: a warp per row, 4 rows per block (one
// block). One pass for max and sum (online softmax: two f32 states per
// lane, one exp per element), combined by butterfly shuffles
// (gpu.subgroup_reduce lowered to gpu.shuffle xor 1..16), then one pass
// that writes exp(x - max) / sum. Each lane reads and writes groups of 4
// (128-bit accesses): elements 4 lane .. 4 lane + 3, then 128 further.
// CHECK-LABEL: func.func @softmax_warp
// CHECK-SAME: (%[[X:.*]]: tensor<4x1000xf32>)
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<4x1000xf32>
// CHECK-DAG: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[LANE:.*]], %[[WARP:.*]], %{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c4, %{{.*}} = %c1)
// CHECK: %[[ROWB:.*]] = arith.muli %[[BX]], %c4
// CHECK: %[[ROW:.*]] = arith.addi %[[ROWB]], %[[WARP]]
// CHECK: scf.if
// CHECK: %[[START:.*]] = arith.muli %[[LANE]], %c4
// CHECK: %[[MS:.*]]:2 = scf.for %[[J:.*]] = %[[START]] to %c1000 step %c128 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32)
// CHECK: %[[V:.*]] = vector.load %[[XB]][%[[ROW]], %[[J]]] {alignment = 16 : i64} : memref<4x1000xf32>, vector<4xf32>
// CHECK: vector.extract %[[V]][0]
// CHECK: arith.maximumf
// CHECK-COUNT-4: math.exp
// CHECK-NOT: math.exp
// CHECK: scf.yield
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK: scf.for %[[J2:.*]] = %{{.*}} to %c1000 step %c128
// CHECK-COUNT-4: arith.divf
// CHECK: %[[W:.*]] = vector.from_elements
// CHECK: vector.store %[[W]], %[[OUT]][%[[ROW]], %[[J2]]] {alignment = 16 : i64}
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
// SM90-LABEL: func.func @softmax_warp
// SM90: threads(%{{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c4, %{{.*}} = %c1)
// Emulated: loops over the blocks and the lanes, the lanes' states in a
// scratch buffer, the shuffles as loops over it.
// EMU-LABEL: func.func @softmax_warp
// EMU-NOT: gpu.
// EMU: memref.alloca() : memref<32x2xf32>
// EMU: scf.for %{{.*}} = %c0 to %c32 step %c1
// EMU: scf.for {{.*}} iter_args
// EMU: memref.store {{.*}} : memref<32x2xf32>
// EMU: scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args
// EMU: arith.maximumf
func.func @softmax_warp(%arg0: tensor<4x1000xf32>) -> tensor<4x1000xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<4xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<4xf32>) -> tensor<4xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<4x1000xf32>) outs(%1 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.maximumf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<4xf32>
  %3 = tensor.empty() : tensor<4x1000xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %2 : tensor<4x1000xf32>, tensor<4xf32>) outs(%3 : tensor<4x1000xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %8 = arith.subf %in, %in_1 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  } -> tensor<4x1000xf32>
  %5 = linalg.fill ins(%cst : f32) outs(%0 : tensor<4xf32>) -> tensor<4xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%4 : tensor<4x1000xf32>) outs(%5 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.addf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<4xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%4, %6 : tensor<4x1000xf32>, tensor<4xf32>) outs(%3 : tensor<4x1000xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %8 = arith.divf %in, %in_1 : f32
    linalg.yield %8 : f32
  } -> tensor<4x1000xf32>
  return %7 : tensor<4x1000xf32>
}

// Dynamic rows of dynamic length: a block of 256 threads per row (grid =
// the row count), scalar accesses, gpu.all_reduce across the block.
// CHECK-LABEL: func.func @softmax_block
// CHECK-DAG: %[[ROWS:.*]] = tensor.dim %{{.*}}, %c0
// CHECK-DAG: %[[N:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: memref.alloc(%[[ROWS]], %[[N]]) : memref<?x?xf32>
// CHECK: gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK: %[[MS:.*]]:2 = scf.for %[[J:.*]] = %[[T]] to %[[N]] step %c256 iter_args
// CHECK: memref.load %{{.*}}[%[[ROW]], %[[J]]]
// CHECK-NOT: vector.load
// CHECK: %[[M:.*]] = gpu.all_reduce maximumf %[[MS]]#0 uniform
// CHECK: arith.subf %[[MS]]#0, %[[M]]
// CHECK: %[[S:.*]] = gpu.all_reduce add %{{.*}} uniform
// CHECK: scf.for %{{.*}} = %[[T]] to %[[N]] step %c256
// CHECK: arith.divf
// CHECK: gpu.terminator
func.func @softmax_block(%arg0: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c1 = arith.constant 1 : index
  %cst_0 = arith.constant 0xFF800000 : f32
  %c0 = arith.constant 0 : index
  %dim = tensor.dim %arg0, %c0 : tensor<?x?xf32>
  %0 = tensor.empty(%dim) : tensor<?xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<?xf32>) -> tensor<?xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<?x?xf32>) outs(%1 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.maximumf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<?xf32>
  %dim_1 = tensor.dim %arg0, %c1 : tensor<?x?xf32>
  %3 = tensor.empty(%dim, %dim_1) : tensor<?x?xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %2 : tensor<?x?xf32>, tensor<?xf32>) outs(%3 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %8 = arith.subf %in, %in_2 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  } -> tensor<?x?xf32>
  %5 = linalg.fill ins(%cst : f32) outs(%0 : tensor<?xf32>) -> tensor<?xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%4 : tensor<?x?xf32>) outs(%5 : tensor<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.addf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<?xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%4, %6 : tensor<?x?xf32>, tensor<?xf32>) outs(%3 : tensor<?x?xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %8 = arith.divf %in, %in_2 : f32
    linalg.yield %8 : f32
  } -> tensor<?x?xf32>
  return %7 : tensor<?x?xf32>
}

// A 50257-wide row (a GPT-2 vocabulary) is split across 25 blocks of 2048:
// kernel 1 writes each block's (max, sum) to [rows x 25 x 2]; kernel 2
// merges the 25 states in every block (thread t holds block t's) and
// normalizes its own chunk.
// CHECK-LABEL: func.func @softmax_split
// CHECK: %[[P:.*]] = memref.alloc(%c1) : memref<?x25x2xf32>
// CHECK: gpu.launch blocks(%[[ROW:.*]], %[[BLK:.*]], %{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %c25, %{{.*}} = %c1) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256
// CHECK: %[[LO:.*]] = arith.muli %[[BLK]], %c2048
// CHECK: gpu.all_reduce maximumf
// CHECK: gpu.all_reduce add
// CHECK: memref.store %{{.*}}, %[[P]][%[[ROW]], %[[BLK]], %c0]
// CHECK: memref.store %{{.*}}, %[[P]][%[[ROW]], %[[BLK]], %c1]
// CHECK: gpu.terminator
// CHECK: gpu.launch blocks(%[[ROW2:.*]], %[[BLK2:.*]], %{{.*}}) in (%{{.*}} = %c1, %{{.*}} = %c25, %{{.*}} = %c1)
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[T2:.*]], %c25
// CHECK: scf.if %[[IN]] -> (f32, f32)
// CHECK: memref.load %[[P]][%[[ROW2]], %[[T2]], %c0]
// CHECK: gpu.all_reduce maximumf
// CHECK: gpu.all_reduce add
// CHECK: arith.muli %[[BLK2]], %c2048
// CHECK: arith.divf
// CHECK: gpu.terminator
func.func @softmax_split(%arg0: tensor<1x50257xf32>) -> tensor<1x50257xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<1xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<1xf32>) -> tensor<1xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<1x50257xf32>) outs(%1 : tensor<1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.maximumf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<1xf32>
  %3 = tensor.empty() : tensor<1x50257xf32>
  %4 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%arg0, %2 : tensor<1x50257xf32>, tensor<1xf32>) outs(%3 : tensor<1x50257xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %8 = arith.subf %in, %in_1 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  } -> tensor<1x50257xf32>
  %5 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1xf32>) -> tensor<1xf32>
  %6 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%4 : tensor<1x50257xf32>) outs(%5 : tensor<1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.addf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<1xf32>
  %7 = linalg.generic {indexing_maps = [#map, #map1, #map], iterator_types = ["parallel", "parallel"]} ins(%4, %6 : tensor<1x50257xf32>, tensor<1xf32>) outs(%3 : tensor<1x50257xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %8 = arith.divf %in, %in_1 : f32
    linalg.yield %8 : f32
  } -> tensor<1x50257xf32>
  return %7 : tensor<1x50257xf32>
}

// BERT's skip + layer norm over 2 x 16 rows of 768: a warp per row (768 <=
// 1024), the skip add evaluated in the kernel. Each lane owns 6 groups of 4
// (768 = 6 x 32 x 4): the walk is unrolled and the row stays in registers,
// so h and s are read once (12 128-bit loads per lane) for both passes. One
// pass gathers each lane's (sum, count, mean, M2) (Welford), the lanes'
// states merge exactly (Chan: the sum, then M2 + n (mean - mean_row)^2; the
// counts add up to the row length: 10 shuffles), one pass normalizes with
// scale and shift.
// CHECK-LABEL: func.func @skip_layer_norm
// CHECK-DAG: %[[HB:.*]] = bufferization.to_buffer %arg0
// CHECK-DAG: %[[SB:.*]] = bufferization.to_buffer %arg1
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c8, %{{.*}} = %c1, %{{.*}} = %c1) threads({{.*}}) in (%{{.*}} = %c32, %{{.*}} = %c4, %{{.*}} = %c1)
// CHECK: %[[OUTER:.*]]:2 = affine.delinearize_index %{{.*}} into (2, 16)
// CHECK-NOT: scf.for
// CHECK: %[[H:.*]] = vector.load %[[HB]][%[[OUTER]]#0, %[[OUTER]]#1, %{{.*}}] {alignment = 16 : i64}
// CHECK: %[[H0:.*]] = vector.extract %[[H]][0]
// CHECK: %[[S:.*]] = vector.load %[[SB]][%[[OUTER]]#0, %[[OUTER]]#1, %{{.*}}]
// CHECK: %[[S0:.*]] = vector.extract %[[S]][0]
// CHECK: arith.addf %[[H0]], %[[S0]]
// CHECK: arith.divf
// CHECK-COUNT-5: vector.load %[[HB]]
// CHECK-COUNT-10: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: vector.load %[[HB]]
// CHECK-NOT: vector.load %[[SB]]
// CHECK: math.rsqrt
// CHECK: vector.store %{{.*}}, %{{.*}}[%[[OUTER]]#0, %[[OUTER]]#1, %{{.*}}]
func.func @skip_layer_norm(%arg0: tensor<2x16x768xf32>, %arg1: tensor<2x16x768xf32>, %arg2: tensor<768xf32>, %arg3: tensor<768xf32>) -> tensor<2x16x768xf32> {
  %cst = arith.constant 9.99999996E-13 : f32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %cst_1 = arith.constant 7.680000e+02 : f32
  %0 = tensor.empty() : tensor<2x16x768xf32>
  %1 = linalg.generic {indexing_maps = [#map2, #map2, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<2x16x768xf32>, tensor<2x16x768xf32>) outs(%0 : tensor<2x16x768xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %8 = arith.addf %in, %in_2 : f32
    linalg.yield %8 : f32
  } -> tensor<2x16x768xf32>
  %2 = tensor.empty() : tensor<2x16xf32>
  %3 = linalg.fill ins(%cst_0 : f32) outs(%2 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %4 = linalg.generic {indexing_maps = [#map2, #map3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%1 : tensor<2x16x768xf32>) outs(%3 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.addf %in, %out : f32
    linalg.yield %8 : f32
  } -> tensor<2x16xf32>
  %5 = linalg.generic {indexing_maps = [#map2, #map3, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%1, %4 : tensor<2x16x768xf32>, tensor<2x16xf32>) outs(%0 : tensor<2x16x768xf32>) {
  ^bb0(%in: f32, %in_2: f32, %out: f32):
    %8 = arith.divf %in_2, %cst_1 : f32
    %9 = arith.subf %in, %8 : f32
    linalg.yield %9 : f32
  } -> tensor<2x16x768xf32>
  %6 = linalg.generic {indexing_maps = [#map2, #map3], iterator_types = ["parallel", "parallel", "reduction"]} ins(%5 : tensor<2x16x768xf32>) outs(%3 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %8 = arith.mulf %in, %in : f32
    %9 = arith.addf %out, %8 : f32
    linalg.yield %9 : f32
  } -> tensor<2x16xf32>
  %7 = linalg.generic {indexing_maps = [#map2, #map3, #map4, #map4, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%5, %6, %arg2, %arg3 : tensor<2x16x768xf32>, tensor<2x16xf32>, tensor<768xf32>, tensor<768xf32>) outs(%0 : tensor<2x16x768xf32>) {
  ^bb0(%in: f32, %in_2: f32, %in_3: f32, %in_4: f32, %out: f32):
    %8 = arith.divf %in_2, %cst_1 : f32
    %9 = arith.addf %8, %cst : f32
    %10 = math.rsqrt %9 : f32
    %11 = arith.mulf %in, %10 : f32
    %12 = arith.mulf %11, %in_3 : f32
    %13 = arith.addf %12, %in_4 : f32
    linalg.yield %13 : f32
  } -> tensor<2x16x768xf32>
  return %7 : tensor<2x16x768xf32>
}

// A plain reduce max over 250000-wide rows: 123 blocks of 2048 per row write
// partial maxima; the combine kernel is one block per row (no row output).
// CHECK-LABEL: func.func @reduce_split
// CHECK: memref.alloc(%c2) : memref<?x123x1xf32>
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c2, %{{.*}} = %c123, %{{.*}} = %c1)
// CHECK: gpu.all_reduce maximumf
// CHECK: gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c1) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in
// CHECK: gpu.all_reduce maximumf
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if %[[FIRST]]
// CHECK: %[[T0:.*]] = arith.cmpi eq, %[[T]], %c0
// CHECK: scf.if %[[T0]]
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[ROW]]] : memref<2xf32>
func.func @reduce_split(%arg0: tensor<2x250000xf32>) -> tensor<2xf32> {
  %cst = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<2xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2xf32>) -> tensor<2xf32>
  %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<2x250000xf32>) outs(%1 : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %3 = arith.maximumf %in, %out : f32
    linalg.yield %3 : f32
  } -> tensor<2xf32>
  return %2 : tensor<2xf32>
}

// -----

// What stays on the SIMT path, with a remark saying why. The l2 norm is a
// warp kernel (placed right after its input): the sum of squares, then its
// square root (an op over the reduced shape, once per row) and lane 0's
// store.
// CHECK-LABEL: func.func @fallbacks
// CHECK: %[[L2:.*]] = memref.alloc() : memref<4xf32>
// CHECK: gpu.launch
// CHECK: arith.mulf
// CHECK: gpu.shuffle xor
// CHECK: %[[SQRT:.*]] = math.sqrt
// CHECK: %[[LANE0:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if %[[LANE0]]
// CHECK: memref.store %[[SQRT]], %[[L2]]
// CHECK: gpu.terminator
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-NOT: math.sqrt
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-NOT: gpu.launch
#map = affine_map<(d0, d1) -> (d0, d1)>
#map1 = affine_map<(d0, d1) -> (d1)>
#map2 = affine_map<(d0, d1) -> (d0)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map4 = affine_map<(d0, d1, d2) -> (d0)>
#map5 = affine_map<(d0) -> (d0)>
func.func @fallbacks(%arg0: tensor<4x1000xf32>, %arg1: tensor<4x1000xi32>, %arg2: tensor<2x3x5xf32>) -> (tensor<1000xf32>, tensor<4xi32>, tensor<2xf32>, tensor<4xf32>, tensor<4xi64>) {
  %c0_i64 = arith.constant 0 : i64
  %cst = arith.constant 0xFF800000 : f32
  %c-2147483648_i32 = arith.constant -2147483648 : i32
  %cst_0 = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<1000xf32>
  %1 = linalg.fill ins(%cst_0 : f32) outs(%0 : tensor<1000xf32>) -> tensor<1000xf32>
  // expected-remark @+1 {{mica-gpu-reductions: SIMT fallback for a reduction: its reduction dim d0 is not the innermost loop d1}}
  %2 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["reduction", "parallel"]} ins(%arg0 : tensor<4x1000xf32>) outs(%1 : tensor<1000xf32>) {
  ^bb0(%in: f32, %out: f32):
    %17 = arith.addf %in, %out : f32
    linalg.yield %17 : f32
  } -> tensor<1000xf32>
  %3 = tensor.empty() : tensor<4xi32>
  %4 = linalg.fill ins(%c-2147483648_i32 : i32) outs(%3 : tensor<4xi32>) -> tensor<4xi32>
  // expected-remark @+1 {{mica-gpu-reductions: SIMT fallback for a reduction: its element type is not f32}}
  %5 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "reduction"]} ins(%arg1 : tensor<4x1000xi32>) outs(%4 : tensor<4xi32>) {
  ^bb0(%in: i32, %out: i32):
    %17 = arith.maxsi %in, %out : i32
    linalg.yield %17 : i32
  } -> tensor<4xi32>
  %6 = tensor.empty() : tensor<2xf32>
  %7 = linalg.fill ins(%cst_0 : f32) outs(%6 : tensor<2xf32>) -> tensor<2xf32>
  // expected-remark @+1 {{mica-gpu-reductions: SIMT fallback for a reduction: it reduces over 2 dims (only the innermost one is supported)}}
  %8 = linalg.generic {indexing_maps = [#map3, #map4], iterator_types = ["parallel", "reduction", "reduction"]} ins(%arg2 : tensor<2x3x5xf32>) outs(%7 : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %17 = arith.addf %in, %out : f32
    linalg.yield %17 : f32
  } -> tensor<2xf32>
  %9 = tensor.empty() : tensor<4xf32>
  %10 = linalg.fill ins(%cst_0 : f32) outs(%9 : tensor<4xf32>) -> tensor<4xf32>
  %11 = linalg.generic {indexing_maps = [#map, #map2], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<4x1000xf32>) outs(%10 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %17 = arith.mulf %in, %in : f32
    %18 = arith.addf %out, %17 : f32
    linalg.yield %18 : f32
  } -> tensor<4xf32>
  %12 = linalg.generic {indexing_maps = [#map5, #map5], iterator_types = ["parallel"]} ins(%11 : tensor<4xf32>) outs(%9 : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %17 = math.sqrt %in : f32
    linalg.yield %17 : f32
  } -> tensor<4xf32>
  %13 = linalg.fill ins(%cst : f32) outs(%9 : tensor<4xf32>) -> tensor<4xf32>
  %14 = tensor.empty() : tensor<4xi64>
  %15 = linalg.fill ins(%c0_i64 : i64) outs(%14 : tensor<4xi64>) -> tensor<4xi64>
  // expected-remark @+1 {{mica-gpu-reductions: SIMT fallback for a reduction: it has 2 results (one per row is supported)}}
  %16:2 = linalg.generic {indexing_maps = [#map, #map2, #map2], iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<4x1000xf32>) outs(%13, %15 : tensor<4xf32>, tensor<4xi64>) {
  ^bb0(%in: f32, %out: f32, %out_1: i64):
    %17 = arith.cmpf ogt, %in, %out : f32
    %18 = linalg.index 1 : index
    %19 = arith.index_cast %18 : index to i64
    %20 = arith.select %17, %in, %out : f32
    %21 = arith.select %17, %19, %out_1 : i64
    linalg.yield %20, %21 : f32, i64
  } -> (tensor<4xf32>, tensor<4xi64>)
  return %2, %5, %8, %12, %16#1 : tensor<1000xf32>, tensor<4xi32>, tensor<2xf32>, tensor<4xf32>, tensor<4xi64>
}

// -----

// A gather inside a reduction's body (tensor.extract) is not evaluated in a
// kernel.
// CHECK-LABEL: func.func @gather_sum
// CHECK: linalg.generic
// CHECK-NOT: gpu.launch
func.func @gather_sum(%idx: tensor<4x8xindex>, %table: tensor<100xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @+1 {{mica-gpu-reductions: SIMT fallback for a reduction: its element type is not f32}}
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%idx : tensor<4x8xindex>) outs(%init : tensor<4xf32>) {
  ^bb0(%i: index, %acc: f32):
    %v = tensor.extract %table[%i] : tensor<100xf32>
    %s = arith.addf %v, %acc : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A 20000-wide row whose max reads the row minus its mean needs two passes
// before its output: it is not split, a block owns it (with a remark).
// CHECK-LABEL: func.func @two_passes
// CHECK: gpu.launch blocks(%{{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c1) threads(%{{.*}}) in (%{{.*}} = %c256,
// CHECK: gpu.all_reduce add
// CHECK: gpu.all_reduce maximumf
// CHECK-NOT: gpu.launch
func.func @two_passes(%x: tensor<2x20000xf32>) -> tensor<2xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %n = arith.constant 20000.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  // expected-remark @+1 {{mica-gpu-reductions: a row of 20000 elements is not split across blocks: its group needs 2 passes before its outputs (one is supported); a block owns the row}}
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x20000xf32>) outs(%s0 : tensor<2xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %a = arith.addf %v, %acc : f32
    linalg.yield %a : f32
  } -> tensor<2xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x, %sum : tensor<2x20000xf32>, tensor<2xf32>) outs(%m0 : tensor<2xf32>) {
  ^bb0(%v: f32, %s: f32, %acc: f32):
    %mean = arith.divf %s, %n : f32
    %d = arith.subf %v, %mean : f32
    %m = arith.maximumf %d, %acc : f32
    linalg.yield %m : f32
  } -> tensor<2xf32>
  return %max : tensor<2xf32>
}
