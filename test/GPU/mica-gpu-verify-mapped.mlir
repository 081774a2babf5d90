// RUN: mica-opt %s --mica-gpu-verify-mapped --split-input-file -verify-diagnostics

// Loops inside gpu.launch are kernels: nothing to report.
func.func @mapped(%y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    memref.store %v, %y[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}

// -----

// A loop with a dynamic bound left on the host is an error at its location.
func.func @dynamic(%y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %y, %c0 : memref<?xf32>
  %v = arith.constant 1.0 : f32
  // expected-error @below {{mica-gpu-verify-mapped: this scf.parallel was not mapped to GPU threads (dynamic bounds? pin the input shapes)}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %v, %y[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// So is a linalg op that no lowering picked up.
func.func @linalg(%y: memref<4xf32>) {
  %v = arith.constant 1.0 : f32
  // expected-error @below {{mica-gpu-verify-mapped: this linalg.fill was not mapped to GPU threads (dynamic bounds? pin the input shapes)}}
  linalg.fill ins(%v : f32) outs(%y : memref<4xf32>)
  return
}
