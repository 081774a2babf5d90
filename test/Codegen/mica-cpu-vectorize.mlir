// RUN: mica-opt %s --split-input-file --mica-cpu-vectorize | FileCheck %s
// RUN: mica-opt %s --split-input-file --mica-cpu-vectorize="threads=2" | FileCheck %s --check-prefix=T2
// RUN: mica-opt %s --split-input-file --mica-cpu-vectorize="threads=2 min-parallel-elements=256" | FileCheck %s --check-prefix=T2SMALL
// RUN: mica-opt %s --split-input-file --mica-cpu-vectorize="vector-width=16" | FileCheck %s --check-prefix=W16

// An elementwise op is tiled to one row and 64 columns and vectorized. With
// two threads and 128 x 768 points (>= min-parallel-elements) the tile
// loops are one scf.forall.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func.func @bias_relu
// CHECK: scf.for %{{.*}} = %c0 to %c128 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c768 step %c64
// CHECK: vector.transfer_read {{.*}} : tensor<1x64xf32>, vector<64xf32>
// CHECK: arith.addf {{.*}} : vector<64xf32>
// CHECK: arith.maximumf {{.*}} : vector<64xf32>
// CHECK-NOT: scf.forall
// T2-LABEL: func.func @bias_relu
// T2: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (128, 768) step (1, 64)
// T2: arith.maximumf {{.*}} : vector<64xf32>
// T2: tensor.parallel_insert_slice {{.*}} [1, 64] [1, 1] : tensor<1x64xf32> into tensor<128x768xf32>
// T2-NOT: scf.for
// W16-LABEL: func.func @bias_relu
// W16: scf.for %{{.*}} = %c0 to %c768 step %c16
// W16: arith.maximumf {{.*}} : vector<16xf32>
func.func @bias_relu(%x: tensor<128x768xf32>, %b: tensor<768xf32>) -> tensor<128x768xf32> {
  %e = tensor.empty() : tensor<128x768xf32>
  %r = linalg.generic {indexing_maps = [#id2, #col, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<128x768xf32>, tensor<768xf32>) outs(%e : tensor<128x768xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %s, %z : f32
    linalg.yield %m : f32
  } -> tensor<128x768xf32>
  return %r : tensor<128x768xf32>
}

// -----

// A row reduction (softmax's sum, layer norm's mean) keeps the row whole:
// one vector.reduction per row; with threads the rows are shared out.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @row_sum
// CHECK: scf.for %{{.*}} = %c0 to %c128 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<1x768xf32>, vector<768xf32>
// CHECK: vector.reduction <add>, {{.*}} : vector<768xf32> into f32
// T2-LABEL: func.func @row_sum
// T2: scf.forall (%{{.*}}) in (128)
// T2: vector.reduction <add>, {{.*}} : vector<768xf32> into f32
// T2: tensor.parallel_insert_slice {{.*}} : tensor<1xf32> into tensor<128xf32>
func.func @row_sum(%x: tensor<128x768xf32>) -> tensor<128xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128xf32>) -> tensor<128xf32>
  %r = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<128x768xf32>) outs(%f : tensor<128xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  return %r : tensor<128xf32>
}

// -----

// Below min-parallel-elements (4 x 64 = 256 points) the loops stay serial:
// a fork/join costs more than the op.

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// T2-LABEL: func.func @small
// T2-NOT: scf.forall
// T2: scf.for
// T2: arith.negf {{.*}} : vector<64xf32>
// T2SMALL-LABEL: func.func @small
// T2SMALL: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (4, 64) step (1, 64)
func.func @small(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %e = tensor.empty() : tensor<4x64xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x64xf32>) outs(%e : tensor<4x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// A single tile has nothing to share: no forall even above the threshold.

#id1 = affine_map<(d0) -> (d0)>

// T2SMALL-LABEL: func.func @one_tile
// T2SMALL-NOT: scf.forall
// T2SMALL: arith.negf {{.*}} : vector<64xf32>
func.func @one_tile(%x: tensor<64xf32>) -> tensor<64xf32> {
  %e = tensor.empty() : tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// Dynamic dims: the size is unknown at compile time, so the loops stay
// serial (scf.for to the tensor.dim); the tiles are still vectors.

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// T2-LABEL: func.func @dynamic
// T2-NOT: scf.forall
// T2: scf.for %{{.*}} = %c0 to %dim{{.*}} step %c1
// T2: arith.negf {{.*}} : vector<64xf32>
func.func @dynamic(%x: tensor<?x768xf32>) -> tensor<?x768xf32> {
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x768xf32>
  %e = tensor.empty(%d) : tensor<?x768xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x768xf32>) outs(%e : tensor<?x768xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<?x768xf32>
  return %r : tensor<?x768xf32>
}

// -----

// A reduction longer than max-reduction (a vocabulary row) is split at a
// multiple of reduction-chunk (upstream linalg.splitOp; the tail continues
// from the head's result), the head reduced in chunks of 512 by an scf.for
// carrying the partial result, the tail as one vector; never in parallel
// (the chunk loop carries a value). 50000 = 97 * 512 + 336.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @long_row
// CHECK: %[[HEAD:.*]] = scf.for
// CHECK: scf.for %{{.*}} = %c0 to %c49664 step %c512
// CHECK: vector.reduction <add>, %{{.*}}, %{{.*}} : vector<512xf32> into f32
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[HEAD]])
// CHECK: vector.reduction <add>, %{{.*}}, %{{.*}} : vector<336xf32> into f32
// T2-LABEL: func.func @long_row
// T2-NOT: scf.forall
// T2: return
func.func @long_row(%x: tensor<2x50000xf32>, %init: tensor<2xf32>) -> tensor<2xf32> {
  %r = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x50000xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// An innermost dim that is not a multiple of vector-width: split at the
// last multiple so that every tile is static and vectorized (the tail as
// one vector of the remainder; 64 x 40 points stay serial with threads),
// instead of every tile ending in a dynamic
// remainder that stays scalar. 1000 = 15 * 64 + 40.

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @ragged
// CHECK: scf.for %{{.*}} = %c0 to %c960 step %c64
// CHECK: math.exp {{.*}} : vector<64xf32>
// CHECK: math.exp {{.*}} : vector<40xf32>
// CHECK-NOT: affine.min
// T2-LABEL: func.func @ragged
// T2: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 960) step (1, 64)
// T2: math.exp {{.*}} : vector<64xf32>
// T2: scf.for
// T2: math.exp {{.*}} : vector<40xf32>
func.func @ragged(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %e = tensor.empty() : tensor<64x1000xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x1000xf32>) outs(%e : tensor<64x1000xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = math.exp %a : f32
    linalg.yield %n : f32
  } -> tensor<64x1000xf32>
  return %r : tensor<64x1000xf32>
}

// -----

// Left as loops (scalar, always correct): a dynamic reduction.

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func @dynamic_row
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK-NOT: vector.
// CHECK: return
func.func @dynamic_row(%x: tensor<2x?xf32>, %init: tensor<2xf32>) -> tensor<2xf32> {
  %r = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x?xf32>) outs(%init : tensor<2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// Two ops whose destinations CSE merged into one tensor.empty: each gets its
// own again (writing both into one empty tensor made bufferization copy a
// whole tensor), and the slice of an empty tensor that the ragged split
// takes is an empty tensor of its own (a candidate for empty-tensor
// elimination).

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @shared_empty
// CHECK-COUNT-2: tensor.empty() : tensor<64x1000xf32>
// CHECK: tensor.empty() : tensor<64x960xf32>
// CHECK: tensor.empty() : tensor<64x960xf32>
func.func @shared_empty(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %e = tensor.empty() : tensor<64x1000xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x1000xf32>) outs(%e : tensor<64x1000xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = math.exp %v : f32
    linalg.yield %n : f32
  } -> tensor<64x1000xf32>
  %b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<64x1000xf32>) outs(%e : tensor<64x1000xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<64x1000xf32>
  return %b : tensor<64x1000xf32>
}

// -----

// One row (a vocabulary-long softmax pass): fewer rows than threads, so
// the pass stays on one thread like the row's reductions.

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// T2-LABEL: func.func @one_long_row
// T2-NOT: scf.forall
// T2: scf.for %{{.*}} = %c0 to %c65536 step %c64
// T2: math.exp {{.*}} : vector<64xf32>
func.func @one_long_row(%x: tensor<1x65536xf32>) -> tensor<1x65536xf32> {
  %e = tensor.empty() : tensor<1x65536xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<1x65536xf32>) outs(%e : tensor<1x65536xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = math.exp %a : f32
    linalg.yield %n : f32
  } -> tensor<1x65536xf32>
  return %r : tensor<1x65536xf32>
}
