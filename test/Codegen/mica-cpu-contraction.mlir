// RUN: mica-opt %s --split-input-file --mica-cpu-contraction -verify-diagnostics | FileCheck %s
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction="threads=2 min-parallel-macs=0" -verify-diagnostics | FileCheck %s --check-prefix=THREADS
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction=pack-weights=0 -verify-diagnostics | FileCheck %s --check-prefix=NOPACK
// Threads split A's rows, or B's columns once N >= col-split-ratio * M:
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction="threads=2 min-parallel-macs=0 col-split-ratio=8" -verify-diagnostics | FileCheck %s --check-prefix=SPLIT-ROWS
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction="threads=2 min-parallel-macs=0 col-split-ratio=4" -verify-diagnostics | FileCheck %s --check-prefix=SPLIT-COLS
// precision=bf16: weight (constant B) contractions on AVX-512 BF16 dot
// products, activation-B contractions stay f32 with a remark:
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction=precision=bf16 2>/dev/null | FileCheck %s --check-prefix=BF16
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction="precision=bf16 threads=2 min-parallel-macs=0" 2>/dev/null | FileCheck %s --check-prefix=BF16-THREADS
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction=precision=bf16 2>&1 >/dev/null | FileCheck %s --check-prefix=BF16-REMARK
// RUN: not mica-opt %s --split-input-file --mica-cpu-contraction=precision=fp16 2>&1 | FileCheck %s --check-prefix=BAD-PRECISION
// BAD-PRECISION: error: mica-cpu-contraction: precision must be fp32 or bf16, not 'fp16'

// A constant B is packed into [N/32][K][32] panels; the kernel is an 8x32
// register tile (16 vector<16xf32> accumulators) over the K loop. B is
// larger than A (N >= M), so the column panels are the outer loop and each
// panel is reused by every row tile.
// CHECK-LABEL: func.func @packed
// CHECK-SAME: (%[[A:.*]]: tensor<16x8xf32>)
// CHECK: %[[P:.*]] = arith.constant dense_resource<packed_weights> : tensor<2x8x32xf32>
// CHECK-NOT: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32{{.*}} iter_args
// CHECK-NOT: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8{{.*}} iter_args
// CHECK: %{{.*}}:16 = scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK: vector.transfer_read %[[P]][%{{.*}}, %[[K]], %{{.*}}]
// CHECK: tensor.extract %[[A]][%{{.*}}, %[[K]]]
// CHECK: vector.fma
// CHECK-NOT: linalg.matmul
// THREADS-LABEL: func.func @packed
// THREADS: scf.forall (%{{.*}}) in (2) shared_outs
// THREADS: tensor.parallel_insert_slice
// SPLIT-ROWS-LABEL: func.func @packed
// SPLIT-ROWS: arith.ceildivui %c16, %c8
// SPLIT-COLS-LABEL: func.func @packed
// SPLIT-COLS: arith.ceildivui %c64, %c32
// NOPACK-LABEL: func.func @packed
// NOPACK-NOT: packed_weights
// NOPACK: vector.fma
// bf16: B rounded to bf16 and packed into K-pair interleaved panels
// [N/32][K/2][32][2] = tensor<2x4x64xbf16>; A rounded to bf16 once; each
// K-pair step broadcasts (A[m][k], A[m][k+1]) as one i32 against a
// vector<32xbf16> panel row into the f32 accumulators (vdpbf16ps).
// BF16-LABEL: func.func @packed
// BF16-SAME: (%[[A:.*]]: tensor<16x8xf32>)
// BF16: %[[P:.*]] = arith.constant dense_resource<packed_weights_bf16> : tensor<2x4x64xbf16>
// BF16: %[[ABF:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<16x8xf32>) outs(%{{.*}} : tensor<16x8xbf16>)
// BF16: arith.truncf %{{.*}} : f32 to bf16
// BF16: %{{.*}}:16 = scf.for %[[Q:.*]] = %{{.*}} to %c4{{.*}} step %{{.*}} iter_args({{.*}}) -> (vector<16xf32>,
// BF16: vector.transfer_read %[[P]][%{{.*}}, %[[Q]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x4x64xbf16>, vector<32xbf16>
// BF16: vector.transfer_read %[[ABF]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<16x8xbf16>, vector<2xbf16>
// BF16: vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// BF16: vector.broadcast %{{.*}} : i32 to vector<16xi32>
// BF16: %[[AB:.*]] = vector.bitcast %{{.*}} : vector<16xi32> to vector<32xbf16>
// BF16: x86vector.avx512.dot %{{.*}}, %[[AB]], %{{.*}} : vector<32xbf16> -> vector<16xf32>
// BF16-NOT: vector.fma
// BF16-NOT: linalg.matmul
// BF16-THREADS-LABEL: func.func @packed
// BF16-THREADS: linalg.generic
// BF16-THREADS: scf.forall (%{{.*}}) in (2) shared_outs
// BF16-THREADS: x86vector.avx512.dot
// BF16-THREADS: tensor.parallel_insert_slice
func.func @packed(%a: tensor<16x8xf32>) -> tensor<16x64xf32> {
  %w = arith.constant dense<0.5> : tensor<8x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

// -----

// A transposed-B map on a constant: packed from the (n, k) layout, no
// transpose at run time.
// CHECK-LABEL: func.func @transposed_constant
// CHECK: arith.constant dense_resource<packed_weights> : tensor<2x8x32xf32>
// CHECK-NOT: linalg.transpose
// CHECK: vector.fma
func.func @transposed_constant(%a: tensor<16x8xf32>) -> tensor<16x40xf32> {
  %w = arith.constant dense<0.25> : tensor<40x8xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x40xf32>) -> tensor<16x40xf32>
  %0 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %w : tensor<16x8xf32>, tensor<40x8xf32>) outs(%f : tensor<16x40xf32>) -> tensor<16x40xf32>
  return %0 : tensor<16x40xf32>
}

// -----

// A transposed-B activation is transposed once into (k, n) order.
// bf16: an activation B stays f32 (remark).
// BF16-REMARK: remark: mica-cpu-contraction: precision=bf16: computed in f32: B is not a constant (activation operands stay f32)
// BF16-LABEL: func.func @transposed_activation
// BF16-NOT: x86vector
// BF16: vector.fma
// CHECK-LABEL: func.func @transposed_activation
// CHECK-SAME: %{{.*}}: tensor<16x8xf32>, %[[B:[^:]*]]: tensor<40x8xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[B]] : tensor<40x8xf32>) outs(%{{.*}} : tensor<8x40xf32>) permutation = [1, 0]
// CHECK: vector.transfer_read %[[T]]
// CHECK: vector.fma
func.func @transposed_activation(%a: tensor<16x8xf32>, %b: tensor<40x8xf32>) -> tensor<16x40xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x40xf32>) -> tensor<16x40xf32>
  %0 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<16x8xf32>, tensor<40x8xf32>) outs(%f : tensor<16x40xf32>) -> tensor<16x40xf32>
  return %0 : tensor<16x40xf32>
}

// -----

// BF16-REMARK: remark: mica-cpu-contraction: precision=bf16: computed in f32: B is not a constant (activation operands stay f32)
// batch_matmul: a loop over the batch around the row/column tiles; with two
// threads and a batch of 4 the forall splits the batch.
// CHECK-LABEL: func.func @batch
// CHECK-SAME: %{{.*}}: tensor<4x16x8xf32>, %[[B:[^:]*]]: tensor<4x8x64xf32>
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %c4{{.*}} step %c1
// CHECK: vector.transfer_read %[[B]][%{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: vector.fma
// CHECK-NOT: linalg.batch_matmul
// THREADS-LABEL: func.func @batch
// THREADS: arith.ceildivui %c4, %c1
// THREADS: scf.forall (%{{.*}}) in (2)
func.func @batch(%a: tensor<4x16x8xf32>, %b: tensor<4x8x64xf32>) -> tensor<4x16x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x16x64xf32>) -> tensor<4x16x64xf32>
  %0 = linalg.batch_matmul ins(%a, %b : tensor<4x16x8xf32>, tensor<4x8x64xf32>) outs(%f : tensor<4x16x64xf32>) -> tensor<4x16x64xf32>
  return %0 : tensor<4x16x64xf32>
}

// -----

// Dynamic M: the row count comes from the output at run time; the result
// keeps its type.
// BF16-LABEL: func.func @dynamic_m
// BF16: tensor.empty(%{{.*}}) : tensor<?x8xbf16>
// BF16: x86vector.avx512.dot
// CHECK-LABEL: func.func @dynamic_m
// CHECK: tensor.dim
// CHECK: arith.remui %{{.*}}, %c8
// CHECK: vector.fma
// CHECK: return %{{.*}} : tensor<?x64xf32>
func.func @dynamic_m(%a: tensor<?x8xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x8xf32>
  %w = arith.constant dense<0.5> : tensor<8x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<?x8xf32>, tensor<8x64xf32>) outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

// bf16 with an odd K (9) and a transposed constant: K padded to 10 in the
// panels (tensor<2x5x64xbf16>), 4 full pairs in the loop, then one step
// whose A pair is read with a bound check (the element past K is 0).
// BF16-LABEL: func.func @bf16_odd_k
// BF16: arith.constant dense_resource<packed_weights_bf16> : tensor<2x5x64xbf16>
// BF16: scf.for %{{.*}} = %{{.*}} to %c4{{.*}} step
// BF16: x86vector.avx512.dot
// BF16: scf.yield
// BF16: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} : tensor<16x9xbf16>, vector<2xbf16>
// BF16: x86vector.avx512.dot
// CHECK-LABEL: func.func @bf16_odd_k
// CHECK: arith.constant dense_resource<packed_weights> : tensor<2x9x32xf32>
func.func @bf16_odd_k(%a: tensor<16x9xf32>) -> tensor<16x40xf32> {
  %w = arith.constant dense<0.25> : tensor<40x9xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x40xf32>) -> tensor<16x40xf32>
  %0 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %w : tensor<16x9xf32>, tensor<40x9xf32>) outs(%f : tensor<16x40xf32>) -> tensor<16x40xf32>
  return %0 : tensor<16x40xf32>
}

// -----

// N <= 16: the narrow-n strategy, 16 rows x one vector, panels of 16. A is
// larger than B (M > N): row tiles outside, the remaining rows one by one.
// CHECK-LABEL: func.func @narrow_n
// CHECK: arith.constant dense_resource<packed_weights> : tensor<1x8x16xf32>
// CHECK: arith.remui %{{.*}}, %c16
// CHECK: %{{.*}}:16 = scf.for
// CHECK-SAME: -> (vector<16xf32>,
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c1{{.*}} iter_args
// CHECK-NOT: scf.for
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c16{{.*}} iter_args
func.func @narrow_n(%a: tensor<32x8xf32>) -> tensor<32x10xf32> {
  %w = arith.constant dense<0.5> : tensor<8x10xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<32x10xf32>) -> tensor<32x10xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<32x8xf32>, tensor<8x10xf32>) outs(%f : tensor<32x10xf32>) -> tensor<32x10xf32>
  return %0 : tensor<32x10xf32>
}

// -----

// f16: left to the loop lowering, with a remark that says why.
// CHECK-LABEL: func.func @f16
// CHECK: linalg.matmul
// CHECK-NOT: vector.fma
func.func @f16(%a: tensor<4x8xf16>, %b: tensor<8x32xf16>, %c: tensor<4x32xf16>) -> tensor<4x32xf16> {
  // expected-remark @below {{mica-cpu-contraction: left to the loop lowering: element type is not f32}}
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf16>, tensor<8x32xf16>) outs(%c : tensor<4x32xf16>) -> tensor<4x32xf16>
  return %0 : tensor<4x32xf16>
}

// -----

// A matmul on buffers is not rewritten (the kernels work on tensors).
// CHECK-LABEL: func.func @memref
// CHECK: linalg.matmul
func.func @memref(%a: memref<4x8xf32>, %b: memref<8x32xf32>, %c: memref<4x32xf32>) {
  // expected-remark @below {{left to the loop lowering: not a two-input contraction on tensors}}
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x32xf32>) outs(%c : memref<4x32xf32>)
  return
}

// -----

// A transposed-A map is not one of the handled layouts.
// CHECK-LABEL: func.func @transposed_a
// CHECK: linalg.matmul
func.func @transposed_a(%a: tensor<8x4xf32>, %b: tensor<8x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  // expected-remark @below {{left to the loop lowering: A or C indexing map is not the plain (m, k) / (m, n)}}
  %0 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : tensor<8x4xf32>, tensor<8x32xf32>) outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}

// -----

// A matmul-like linalg.generic is not a named matmul: untouched, silently.
// CHECK-LABEL: func.func @generic
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @generic(%a: tensor<4x8xf32>, %b: tensor<8x32xf32>, %c: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<4x8xf32>, tensor<8x32xf32>) outs(%c : tensor<4x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x32xf32>
  return %0 : tensor<4x32xf32>
}
