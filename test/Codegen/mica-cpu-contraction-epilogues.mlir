// Epilogues of mica-cpu-contraction: an elementwise consumer of the product
// (bias, GELU, residual add, attention mask) is applied to the accumulator
// vectors before the store, and the kernel writes the consumer's output.
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction | FileCheck %s
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction="threads=2 min-parallel-macs=0" | FileCheck %s --check-prefix=THREADS
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction=epilogues=0 | FileCheck %s --check-prefix=OFF
// RUN: mica-opt %s --split-input-file --mica-cpu-contraction=remarks=1 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// A dense layer reshaped to [batch, seq, hidden] before its bias and GELU
// (what convert-mica-to-linalg and mica-cpu-fuse-elementwise produce): the
// kernel writes the generic's output seen as 16x64; bias is read as a
// vector along the columns, erf is computed on vectors after the K loop.
// CHECK-LABEL: func.func @bias_gelu
// CHECK-SAME: (%[[A:.*]]: tensor<16x8xf32>, %[[BIAS:.*]]: tensor<64xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x16x64xf32>
// CHECK: %[[OUT:.*]] = tensor.collapse_shape %[[E]] {{\[\[}}0, 1], [2]] : tensor<1x16x64xf32> into tensor<16x64xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[OUT]])
// CHECK: %{{.*}}:16 = scf.for
// CHECK: vector.fma
// CHECK: vector.transfer_read %[[BIAS]][%{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<64xf32>, vector<16xf32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: math.erf %{{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
// CHECK: %[[R:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [1, 16, 64] : tensor<16x64xf32> into tensor<1x16x64xf32>
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.matmul
// CHECK: return %[[R]]
// THREADS-LABEL: func.func @bias_gelu
// THREADS: scf.forall
// THREADS: math.erf %{{.*}} : vector<16xf32>
// THREADS: tensor.parallel_insert_slice
// OFF-LABEL: func.func @bias_gelu
// OFF: vector.fma
// OFF: linalg.generic
// OFF: math.erf %{{.*}} : f32
// REMARK: remark: mica-cpu-contraction: fused the elementwise consumer into the kernel's epilogue
func.func @bias_gelu(%a: tensor<16x8xf32>, %bias: tensor<64xf32>) -> tensor<1x16x64xf32> {
  %w = arith.constant dense<0.5> : tensor<8x64xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
  %x = tensor.expand_shape %0 [[0, 1], [2]] output_shape [1, 16, 64] : tensor<16x64xf32> into tensor<1x16x64xf32>
  %e2 = tensor.empty() : tensor<1x16x64xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %bias : tensor<1x16x64xf32>, tensor<64xf32>) outs(%e2 : tensor<1x16x64xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %half = arith.constant 0.5 : f32
    %rs2 = arith.constant 0.707106769 : f32
    %one = arith.constant 1.0 : f32
    %s = arith.addf %v, %b : f32
    %t = arith.mulf %s, %rs2 : f32
    %er = math.erf %t : f32
    %p = arith.addf %er, %one : f32
    %h = arith.mulf %s, %half : f32
    %g = arith.mulf %h, %p : f32
    linalg.yield %g : f32
  } -> tensor<1x16x64xf32>
  return %1 : tensor<1x16x64xf32>
}

// -----

// A QKV projection whose columns are reshaped to [3, heads, 16] with its
// bias: each vector of 16 columns lies in one head, so the bias (read with
// (d2, d3, d4)) is a vector load at the delinearized column.
// CHECK-LABEL: func.func @split_columns
// CHECK: arith.remui %{{.*}}, %c16{{.*}} : index
// CHECK: arith.divui %{{.*}}, %c16{{.*}} : index
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<3x2x16xf32>, vector<16xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2, 3, 4]] output_shape [1, 16, 3, 2, 16]
// CHECK-NOT: linalg.generic
func.func @split_columns(%a: tensor<16x8xf32>, %bias: tensor<3x2x16xf32>) -> tensor<1x16x3x2x16xf32> {
  %w = arith.constant dense<0.5> : tensor<8x96xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x96xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x96xf32>) -> tensor<16x96xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x96xf32>) outs(%f : tensor<16x96xf32>) -> tensor<16x96xf32>
  %x = tensor.expand_shape %0 [[0, 1], [2, 3, 4]] output_shape [1, 16, 3, 2, 16] : tensor<16x96xf32> into tensor<1x16x3x2x16xf32>
  %e2 = tensor.empty() : tensor<1x16x3x2x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x, %bias : tensor<1x16x3x2x16xf32>, tensor<3x2x16xf32>) outs(%e2 : tensor<1x16x3x2x16xf32>) {
  ^bb0(%v: f32, %b: f32, %o: f32):
    %s = arith.addf %v, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x16x3x2x16xf32>
  return %1 : tensor<1x16x3x2x16xf32>
}

// -----

// Attention scores: a batch matmul over [batch * heads] reshaped to
// [batch, heads, seq, seq], scaled, plus a mask indexed by (batch, key):
// the batch index is delinearized, the mask row is a vector load, the scale
// a broadcast constant.
// CHECK-LABEL: func.func @mask
// CHECK: arith.remui %{{.*}}, %c2{{.*}} : index
// CHECK: arith.divui %{{.*}}, %c2{{.*}} : index
// CHECK: vector.transfer_read %{{.*}} : tensor<2x16xf32>, vector<16xf32>
// CHECK: arith.mulf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] output_shape [2, 2, 16, 16]
// CHECK-NOT: linalg.generic
// THREADS-LABEL: func.func @mask
// THREADS: scf.forall
// THREADS: vector.transfer_read %{{.*}} : tensor<2x16xf32>, vector<16xf32>
func.func @mask(%q: tensor<4x16x8xf32>, %k: tensor<4x8x16xf32>, %m: tensor<2x16xf32>) -> tensor<2x2x16x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %0 = linalg.batch_matmul ins(%q, %k : tensor<4x16x8xf32>, tensor<4x8x16xf32>) outs(%f : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
  %x = tensor.expand_shape %0 [[0, 1], [2], [3]] output_shape [2, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x2x16x16xf32>
  %e2 = tensor.empty() : tensor<2x2x16x16xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %m : tensor<2x2x16x16xf32>, tensor<2x16xf32>) outs(%e2 : tensor<2x2x16x16xf32>) {
  ^bb0(%v: f32, %mv: f32, %o: f32):
    %scale = arith.constant 0.125 : f32
    %s = arith.mulf %v, %scale : f32
    %t = arith.addf %s, %mv : f32
    linalg.yield %t : f32
  } -> tensor<2x2x16x16xf32>
  return %1 : tensor<2x2x16x16xf32>
}

// -----

// A residual add on a dynamic row count with a partial column panel
// (N = 40): the residual is read with masked (out-of-bounds) transfers like
// the store.
// CHECK-LABEL: func.func @residual_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x8xf32>, %[[RES:.*]]: tensor<?x40xf32>)
// CHECK: vector.transfer_read %[[RES]][%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]}
// CHECK: vector.transfer_read %[[RES]][%{{.*}}, %{{.*}}], %{{.*}} : tensor<?x40xf32>, vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @residual_dynamic(%a: tensor<?x8xf32>, %res: tensor<?x40xf32>) -> tensor<?x40xf32> {
  %w = arith.constant dense<0.5> : tensor<8x40xf32>
  %z = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x8xf32>
  %e = tensor.empty(%m) : tensor<?x40xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<?x40xf32>) -> tensor<?x40xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<?x8xf32>, tensor<8x40xf32>) outs(%f : tensor<?x40xf32>) -> tensor<?x40xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%res, %0 : tensor<?x40xf32>, tensor<?x40xf32>) outs(%e : tensor<?x40xf32>) {
  ^bb0(%r: f32, %v: f32, %o: f32):
    %s = arith.addf %r, %v : f32
    linalg.yield %s : f32
  } -> tensor<?x40xf32>
  return %1 : tensor<?x40xf32>
}

// -----

// Ops with properties (a compare predicate, fastmath flags) keep them on
// vectors.
// CHECK-LABEL: func.func @select
// CHECK: %[[C:.*]] = arith.cmpf ogt, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: %[[M:.*]] = arith.mulf %{{.*}}, %{{.*}} fastmath<fast> : vector<16xf32>
// CHECK: arith.select %[[C]], %{{.*}}, %[[M]] : vector<16xi1>, vector<16xf32>
// CHECK-NOT: linalg.generic
func.func @select(%a: tensor<16x8xf32>) -> tensor<16x32xf32> {
  %w = arith.constant dense<0.5> : tensor<8x32xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x32xf32>) outs(%f : tensor<16x32xf32>) -> tensor<16x32xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %slope = arith.constant 0.01 : f32
    %c = arith.cmpf ogt, %v, %zero : f32
    %m = arith.mulf %v, %slope fastmath<fast> : f32
    %s = arith.select %c, %v, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %1 : tensor<16x32xf32>
}

// -----

// Not fused: the product is also returned.
// CHECK-LABEL: func.func @two_users
// CHECK: vector.fma
// CHECK: linalg.generic
// REMARK: remark: mica-cpu-contraction: elementwise consumer not fused: the product has several users
func.func @two_users(%a: tensor<16x8xf32>) -> (tensor<16x32xf32>, tensor<16x32xf32>) {
  %w = arith.constant dense<0.5> : tensor<8x32xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x32xf32>) outs(%f : tensor<16x32xf32>) -> tensor<16x32xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.tanh %v : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %0, %1 : tensor<16x32xf32>, tensor<16x32xf32>
}

// -----

// Not fused: the consumer uses linalg.index.
// CHECK-LABEL: func.func @index
// CHECK: linalg.generic
// REMARK: remark: mica-cpu-contraction: elementwise consumer not fused: the consumer uses linalg.index
func.func @index(%a: tensor<16x8xf32>) -> tensor<16x32xf32> {
  %w = arith.constant dense<0.5> : tensor<8x32xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x32xf32>) outs(%f : tensor<16x32xf32>) -> tensor<16x32xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %i = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i32
    %fi = arith.sitofp %ii : i32 to f32
    %s = arith.addf %v, %fi : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %1 : tensor<16x32xf32>
}

// -----

// Not fused: the columns are reshaped into rows of 8, shorter than a vector.
// CHECK-LABEL: func.func @ragged_split
// CHECK: linalg.generic
// REMARK: remark: mica-cpu-contraction: elementwise consumer not fused: the columns are reshaped into rows of 8, not a multiple of the vector width 16
func.func @ragged_split(%a: tensor<16x8xf32>) -> tensor<16x4x8xf32> {
  %w = arith.constant dense<0.5> : tensor<8x32xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x32xf32>) outs(%f : tensor<16x32xf32>) -> tensor<16x32xf32>
  %x = tensor.expand_shape %0 [[0], [1, 2]] output_shape [16, 4, 8] : tensor<16x32xf32> into tensor<16x4x8xf32>
  %e2 = tensor.empty() : tensor<16x4x8xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<16x4x8xf32>) outs(%e2 : tensor<16x4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.tanh %v : f32
    linalg.yield %s : f32
  } -> tensor<16x4x8xf32>
  return %1 : tensor<16x4x8xf32>
}

// -----

// Not fused: an operand reads the columns as its rows (transposed).
// CHECK-LABEL: func.func @transposed_operand
// CHECK: linalg.generic
// REMARK: remark: mica-cpu-contraction: elementwise consumer not fused: operand 1 reads the columns transposed
func.func @transposed_operand(%a: tensor<32x8xf32>, %t: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %w = arith.constant dense<0.5> : tensor<8x32xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<32x8xf32>, tensor<8x32xf32>) outs(%f : tensor<32x32xf32>) -> tensor<32x32xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0, %t : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e : tensor<32x32xf32>) {
  ^bb0(%v: f32, %u: f32, %o: f32):
    %s = arith.addf %v, %u : f32
    linalg.yield %s : f32
  } -> tensor<32x32xf32>
  return %1 : tensor<32x32xf32>
}

// -----

// Not fused: the product accumulates into a computed init (the kernel adds
// the accumulators to C, which the consumer's output does not hold).
// CHECK-LABEL: func.func @computed_init
// CHECK: linalg.generic
// REMARK: remark: mica-cpu-contraction: elementwise consumer not fused: the product accumulates into a computed init
func.func @computed_init(%a: tensor<16x8xf32>, %c: tensor<16x32xf32>) -> tensor<16x32xf32> {
  %w = arith.constant dense<0.5> : tensor<8x32xf32>
  %e = tensor.empty() : tensor<16x32xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<16x8xf32>, tensor<8x32xf32>) outs(%c : tensor<16x32xf32>) -> tensor<16x32xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<16x32xf32>) outs(%e : tensor<16x32xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.tanh %v : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %1 : tensor<16x32xf32>
}
