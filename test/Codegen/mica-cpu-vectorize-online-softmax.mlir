// RUN: mica-opt %s --split-input-file --mica-cpu-vectorize="remarks=1" -verify-diagnostics | FileCheck %s
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --split-input-file --mica-cpu-vectorize="threads=2 min-parallel-elements=256" 2>/dev/null | FileCheck %s --check-prefix=T2

// mica-cpu-vectorize's schedule for the online max/sum reduction of softmax
// (the body of OnlineSoftmax.h, as convert-mica-to-linalg writes it for
// large inputs): one row at a time, each row an scf.for over 64 lanes
// carrying a running max and sum per lane, a shorter vector for the row's
// remainder (1000 = 15 x 64 + 40), lanes combined with vector.reduction.
// The outputs start from the empty state (fills of lowest and 0), so the
// result is inserted as is. Never chunked or split, whatever the length.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @online
// CHECK: scf.for %[[R:.*]] = %c0 to %c4 step %c1
// CHECK: %[[X:.*]] = tensor.extract_slice %{{.*}}[%[[R]], 0] [1, 1000] [1, 1]
// CHECK: %[[L:.*]]:2 = scf.for %[[K:.*]] = %c0 to %c960 step %c64 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<64xf32>, vector<64xf32>)
// CHECK: vector.transfer_read %[[X]][%c0, %[[K]]]{{.*}} : tensor<1x1000xf32>, vector<64xf32>
// CHECK: arith.maximumf {{.*}} : vector<64xf32>
// CHECK: math.exp {{.*}} : vector<64xf32>
// CHECK: scf.yield
// CHECK: %[[M:.*]] = vector.reduction <maximumf>, %[[L]]#0 : vector<64xf32> into f32
// CHECK: vector.reduction <add>
// CHECK: vector.transfer_read %[[X]][%c0, %c960]{{.*}} : tensor<1x1000xf32>, vector<40xf32>
// CHECK: vector.reduction <maximumf>, {{.*}} : vector<40xf32> into f32
// CHECK: tensor.insert
// CHECK: tensor.insert
// CHECK-NOT: linalg.generic
// T2-LABEL: func.func @online
// T2: scf.forall (%{{.*}}) in (4)
// T2: scf.for {{.*}} -> (vector<64xf32>, vector<64xf32>)
func.func @online(%x: tensor<4x1000xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %low = arith.constant -3.40282347E+38 : f32
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e0 = tensor.empty() : tensor<4xf32>
  %m0 = linalg.fill ins(%low : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %e1 = tensor.empty() : tensor<4xf32>
  %s0 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4xf32>) -> tensor<4xf32>
  // expected-remark @below {{online softmax reduction vectorized: 64 lanes per row of 1000}}
  %r:2 = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x1000xf32>) outs(%m0, %s0 : tensor<4xf32>, tensor<4xf32>) {
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
  } -> (tensor<4xf32>, tensor<4xf32>)
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Outputs that do not start from the empty state (an earlier partial
// result): the row's state is combined with them (m = max(m0, M),
// s = s0 * exp(m0 - m) + S * exp(M - m)).

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @online_partial
// CHECK: %[[M0:.*]] = tensor.extract %{{.*}}[%c0] : tensor<1xf32>
// CHECK: %[[S0:.*]] = tensor.extract %{{.*}}[%c0] : tensor<1xf32>
// CHECK: %[[M:.*]] = arith.maximumf %[[M0]], %{{.*}} : f32
// CHECK: math.exp {{.*}} : f32
// CHECK: math.exp {{.*}} : f32
// CHECK: tensor.insert %[[M]]
func.func @online_partial(%x: tensor<1x128xf32>, %m0: tensor<1xf32>, %s0: tensor<1xf32>) -> (tensor<1xf32>, tensor<1xf32>) {
  %one = arith.constant 1.0 : f32
  // expected-remark @below {{online softmax reduction vectorized: 64 lanes per row of 128}}
  %r:2 = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<1x128xf32>) outs(%m0, %s0 : tensor<1xf32>, tensor<1xf32>) {
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
  } -> (tensor<1xf32>, tensor<1xf32>)
  return %r#0, %r#1 : tensor<1xf32>, tensor<1xf32>
}

// -----

// Negative: the online reduction over a middle axis (softmax along axis 1)
// is not the innermost loop: left as loops, with a remark.

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#proj = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @online_middle_axis
// CHECK: linalg.generic
// CHECK-NOT: vector<64xf32>
func.func @online_middle_axis(%x: tensor<2x100x8xf32>, %m0: tensor<2x8xf32>, %s0: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %one = arith.constant 1.0 : f32
  // expected-remark @below {{online softmax reduction left as loops: the reduction is not the innermost loop}}
  %r:2 = linalg.generic {indexing_maps = [#id3, #proj, #proj], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<2x100x8xf32>) outs(%m0, %s0 : tensor<2x8xf32>, tensor<2x8xf32>) {
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
  } -> (tensor<2x8xf32>, tensor<2x8xf32>)
  return %r#0, %r#1 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Negative: a two-output reduction with another body (the step without the
// rescaling of s) is no online softmax: no remark, the usual path.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @not_online
// CHECK-NOT: vector.reduction <maximumf>, {{.*}} : vector<64xf32>
// CHECK: return
func.func @not_online(%x: tensor<4x1000xf32>, %m0: tensor<4xf32>, %s0: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r:2 = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x1000xf32>) outs(%m0, %s0 : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32):
    %mn = arith.maximumf %m, %in : f32
    %d = arith.subf %in, %mn : f32
    %e = math.exp %d : f32
    %sn = arith.addf %s, %e : f32
    linalg.yield %mn, %sn : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>)
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}
