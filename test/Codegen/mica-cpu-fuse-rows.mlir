// RUN: mica-opt %s --split-input-file --mica-cpu-fuse-rows="remarks=1" -verify-diagnostics | FileCheck %s
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --split-input-file --mica-cpu-fuse-rows="threads=2" 2>/dev/null | FileCheck %s --check-prefix=T2
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --split-input-file --mica-cpu-fuse-rows="threads=2 min-parallel-elements=100000000" 2>/dev/null | FileCheck %s --check-prefix=BIG

// Softmax as convert-mica-to-linalg writes it (max, exp(x - max), sum,
// divide): the four ops run one row at a time, each tiled once, exp's row
// feeding both the sum and the divide. One thread: an scf.for over rows;
// two: an scf.forall (OpenMP); below min-parallel-elements: scf.for.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @softmax
// CHECK: %[[LOOP:.*]] = scf.for %[[I:.*]] = %c0 to %c4 step %c1 iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK: %[[X:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 50257] [1, 1]
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<1x50257xf32>) outs(%{{.*}} : tensor<1xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] : tensor<1x50257xf32>, tensor<1xf32>)
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[EXP]] : tensor<1x50257xf32>) outs(%{{.*}} : tensor<1xf32>)
// CHECK: %[[ROW:.*]] = tensor.extract_slice %[[ACC]][%[[I]], 0] [1, 50257] [1, 1]
// CHECK: %[[DIV:.*]] = linalg.generic {{.*}} ins(%[[EXP]], %[[SUM]] : tensor<1x50257xf32>, tensor<1xf32>) outs(%[[ROW]] : tensor<1x50257xf32>)
// CHECK: arith.divf
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[DIV]] into %[[ACC]][%[[I]], 0] [1, 50257] [1, 1]
// CHECK: scf.yield %[[INS]]
// CHECK: return %[[LOOP]]
// CHECK-NOT: math.exp
// T2-LABEL: func.func @softmax
// T2: scf.forall (%[[I:.*]]) in (4) shared_outs(%[[ACC:.*]] = %{{.*}})
// T2-COUNT-4: linalg.generic
// T2: scf.forall.in_parallel
// T2: tensor.parallel_insert_slice %{{.*}} into %[[ACC]][%[[I]], 0] [1, 50257] [1, 1]
// BIG-LABEL: func.func @softmax
// BIG-NOT: scf.forall
// BIG: scf.for
func.func @softmax(%x: tensor<4x50257xf32>) -> tensor<4x50257xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4xf32>
  %f1 = linalg.fill ins(%ninf : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x50257xf32>) outs(%f1 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x50257xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<4x50257xf32>, tensor<4xf32>) outs(%e2 : tensor<4x50257xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<4x50257xf32>
  %e3 = tensor.empty() : tensor<4xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%exp : tensor<4x50257xf32>) outs(%f3 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %e4 = tensor.empty() : tensor<4x50257xf32>
  // expected-remark @below {{row chain of 4 ops fused: 4 rows, serial scf.for}}
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %sum : tensor<4x50257xf32>, tensor<4xf32>) outs(%e4 : tensor<4x50257xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<4x50257xf32>
  return %y : tensor<4x50257xf32>
}

// -----

// Layer norm over the last dim of a 3-D tensor (batch x sequence rows), with
// a scale broadcast along the rows: the rows are the two leading dims.

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#col3 = affine_map<(d0, d1, d2) -> (d2)>

// CHECK-LABEL: func.func @norm
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1
// CHECK: scf.for %[[S:.*]] = %c0 to %c128 step %c1
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[S]], 0] [1, 1, 768] [1, 1, 1]
// CHECK-COUNT-2: linalg.generic
// CHECK: tensor.insert_slice {{.*}} [1, 1, 768] [1, 1, 1] : tensor<1x1x768xf32> into tensor<2x128x768xf32>
// T2-LABEL: func.func @norm
// T2: scf.forall (%{{.*}}, %{{.*}}) in (2, 128)
func.func @norm(%x: tensor<2x128x768xf32>, %g: tensor<768xf32>) -> tensor<2x128x768xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<2x128xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x128xf32>) -> tensor<2x128xf32>
  %sq = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x128x768xf32>) outs(%f1 : tensor<2x128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x128xf32>
  %e2 = tensor.empty() : tensor<2x128x768xf32>
  // expected-remark @below {{row chain of 2 ops fused: 256 rows, serial scf.for}}
  %y = linalg.generic {indexing_maps = [#id3, #row3, #col3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %sq, %g : tensor<2x128x768xf32>, tensor<2x128xf32>, tensor<768xf32>) outs(%e2 : tensor<2x128x768xf32>) {
  ^bb0(%a: f32, %s: f32, %w: f32, %o: f32):
    %r = math.rsqrt %s : f32
    %n = arith.mulf %a, %r : f32
    %t = arith.mulf %n, %w : f32
    linalg.yield %t : f32
  } -> tensor<2x128x768xf32>
  return %y : tensor<2x128x768xf32>
}

// -----

// A reduction result that is also returned is needed whole: the reduction
// stays outside the row loop, and without a reduction inside there is no
// chain (no remark for plain elementwise ops).

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @shared_reduction
// CHECK-NOT: scf.for
// CHECK-COUNT-2: linalg.generic
func.func @shared_reduction(%x: tensor<8x64xf32>, %init: tensor<8xf32>) -> (tensor<8x64xf32>, tensor<8xf32>) {
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x64xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : tensor<8x64xf32>, tensor<8xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<8x64xf32>
  return %y, %sum : tensor<8x64xf32>, tensor<8xf32>
}

// -----

// A single row: nothing to gain from a row loop (the ops keep their own
// loops, which mica-cpu-vectorize can share out); the remark says so.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @one_row
// CHECK-NOT: scf.for
func.func @one_row(%x: tensor<1x250002xf32>, %init: tensor<1xf32>) -> tensor<1x250002xf32> {
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<1x250002xf32>) outs(%init : tensor<1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  %e = tensor.empty() : tensor<1x250002xf32>
  // expected-remark @below {{row chain left as separate ops: a single row}}
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : tensor<1x250002xf32>, tensor<1xf32>) outs(%e : tensor<1x250002xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<1x250002xf32>
  return %y : tensor<1x250002xf32>
}

// -----

// The root transposes its rows (reads x^T): its rows are not the
// reduction's rows, so there is no chain.

#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @transposed
// CHECK-NOT: scf.for
func.func @transposed(%x: tensor<64x64xf32>, %init: tensor<64xf32>) -> tensor<64x64xf32> {
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x64xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %e = tensor.empty() : tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#tr, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %q = arith.divf %a, %s : f32
    linalg.yield %q : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// Online softmax (convert-mica-to-linalg's form for inputs of at least
// 8 MiB) after a mask add: the add, the two-output max/sum reduction and
// the final pass run one row at a time; the row of the add feeds both, no
// other row-sized intermediate.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @online_softmax_masked
// CHECK: scf.for %[[I:.*]] = %c0 to %c64 step %c1
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x32768xf32>, tensor<32768xf32>)
// CHECK: %[[MS:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} ins(%[[ADD]] : tensor<1x32768xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[ADD]], %[[MS]]#0, %[[MS]]#1 : tensor<1x32768xf32>, tensor<1xf32>, tensor<1xf32>)
// CHECK: tensor.insert_slice
// T2-LABEL: func.func @online_softmax_masked
// T2: scf.forall (%{{.*}}) in (64)
// T2-COUNT-3: linalg.generic
func.func @online_softmax_masked(%x: tensor<64x32768xf32>, %mask: tensor<32768xf32>) -> tensor<64x32768xf32> {
  %low = arith.constant -3.40282347E+38 : f32
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e0 = tensor.empty() : tensor<64x32768xf32>
  %add = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mask : tensor<64x32768xf32>, tensor<32768xf32>) outs(%e0 : tensor<64x32768xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<64x32768xf32>
  %e1 = tensor.empty() : tensor<64xf32>
  %m0 = linalg.fill ins(%low : f32) outs(%e1 : tensor<64xf32>) -> tensor<64xf32>
  %e2 = tensor.empty() : tensor<64xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<64xf32>) -> tensor<64xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%add : tensor<64x32768xf32>) outs(%m0, %s0 : tensor<64xf32>, tensor<64xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32):
    %mn = arith.maximumf %m, %in : f32
    %lo = arith.minimumf %m, %in : f32
    %d = arith.subf %lo, %mn : f32
    %e = math.exp %d : f32
    %gt = arith.cmpf ogt, %in, %m : f32
    %a = arith.select %gt, %e, %one : f32
    %b = arith.select %gt, %one, %e : f32
    %sa = arith.mulf %s, %a : f32
    %sn = arith.addf %sa, %b : f32
    linalg.yield %mn, %sn : f32, f32
  } -> (tensor<64xf32>, tensor<64xf32>)
  %e3 = tensor.empty() : tensor<64x32768xf32>
  // expected-remark @below {{row chain of 3 ops fused: 64 rows, serial scf.for}}
  %y = linalg.generic {indexing_maps = [#id, #row, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%add, %r#0, %r#1 : tensor<64x32768xf32>, tensor<64xf32>, tensor<64xf32>) outs(%e3 : tensor<64x32768xf32>) {
  ^bb0(%v: f32, %m: f32, %s: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %e = math.exp %d : f32
    %i = arith.divf %one, %s : f32
    %q = arith.mulf %e, %i : f32
    linalg.yield %q : f32
  } -> tensor<64x32768xf32>
  return %y : tensor<64x32768xf32>
}
