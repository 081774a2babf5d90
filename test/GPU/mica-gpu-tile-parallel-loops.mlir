// RUN: mica-opt %s --mica-gpu-tile-parallel-loops --split-input-file | FileCheck %s
// RUN: mica-opt %s --mica-gpu-tile-parallel-loops="block-size=64" --split-input-file | FileCheck %s --check-prefix=B64
// RUN: not mica-opt %s --mica-gpu-tile-parallel-loops="block-size=2048" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: mica-gpu-tile-parallel-loops: block-size 2048 is not in [1, 1024]

// An elementwise 16 x 300 loop: tiles of 1 x 128 (thread blocks), each a
// loop of 1 x min(128, 300 - j) iterations (threads).
// CHECK-LABEL: func.func @elementwise
// The tile arithmetic is folded to constants (static launch bounds).
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: scf.parallel (%{{.*}}, %[[J:.*]]) = (%c0, %c0) to (%c16, %c300) step (%c1, %[[C128]]) {
// CHECK: %[[N:.*]] = affine.min #{{.*}}(%[[C128]], %c300, %[[J]])
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = ({{.*}}) to (%c1, %[[N]])
// CHECK: math.exp
// The tile's elements on threads in x (its unit row dim sequential), the
// tiles on blocks in x, the rows on blocks in y.
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = sequential{{.*}}>, #gpu.loop_dim_map<processor = thread_x{{.*}}>]}
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_y{{.*}}>, #gpu.loop_dim_map<processor = block_x{{.*}}>]}
// B64-LABEL: func.func @elementwise
// B64: step (%c1, %c64)
func.func @elementwise(%x: memref<16x300xf32>, %y: memref<16x300xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c300 = arith.constant 300 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c300) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<16x300xf32>
    %e = math.exp %v : f32
    memref.store %e, %y[%i, %j] : memref<16x300xf32>
    scf.reduce
  }
  return
}

// -----

// A row reduction (one thread per row): 16 rows are one block of 16.
// CHECK-LABEL: func.func @rows
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c16) step (%c16)
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c16) step (%c1)
// CHECK: scf.for
func.func @rows(%x: memref<16x768xf32>, %y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c768 = arith.constant 768 : index
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %init = memref.load %y[%i] : memref<16xf32>
    %s = scf.for %k = %c0 to %c768 step %c1 iter_args(%acc = %init) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<16x768xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %s, %y[%i] : memref<16xf32>
    scf.reduce
  }
  return
}

// -----

// Loops already inside a gpu.launch are not tiled again.
// CHECK-LABEL: func.func @in_launch
// CHECK: gpu.launch
// CHECK-NOT: affine.min
func.func @in_launch(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
      memref.store %v, %y[%i] : memref<4xf32>
      scf.reduce
    }
    gpu.terminator
  }
  return
}
