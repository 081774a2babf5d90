// RUN: mica-opt %s --mica-gpu-managed-memory | FileCheck %s

// Host allocations become managed; the constant and the argument that the
// kernel reads are copied into managed buffers; a constant only the host
// reads stays as it is.
// CHECK-LABEL: func.func @host
// CHECK-SAME: (%[[ARG:.*]]: memref<4xf32>)
// CHECK: %[[A:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK: memref.copy %[[ARG]], %[[A]]
// CHECK: %[[G:.*]] = memref.get_global @weights
// CHECK: %[[GM:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK: memref.copy %[[G]], %[[GM]]
// CHECK: %[[HOSTONLY:.*]] = memref.get_global @host_only
// CHECK-NOT: memref.copy %[[HOSTONLY]]
// CHECK: %[[OUT:.*]] = gpu.alloc host_shared () : memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch
// CHECK: memref.load %[[A]]
// CHECK: memref.load %[[GM]]
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: return %[[OUT]]
memref.global "private" constant @weights : memref<4xf32> = dense<2.0>
memref.global "private" constant @host_only : memref<4xf32> = dense<3.0>
func.func @host(%x: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %w = memref.get_global @weights : memref<4xf32>
  %h = memref.get_global @host_only : memref<4xf32>
  %v = memref.load %h[%c0] : memref<4xf32>
  %out = memref.alloc() : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %a = memref.load %x[%tx] : memref<4xf32>
    %b = memref.load %w[%tx] : memref<4xf32>
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %v : f32
    memref.store %t, %out[%tx] : memref<4xf32>
    gpu.terminator
  }
  return %out : memref<4xf32>
}

// A dynamically shaped argument: the memref.dim that sizes its managed copy
// still reads the argument; the kernel reads the copy.
// CHECK-LABEL: func.func @dynamic_arg
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>)
// CHECK: %[[N:.*]] = memref.dim %[[X]], %c0
// CHECK: %[[M:.*]] = gpu.alloc host_shared (%[[N]]) : memref<?xf32>
// CHECK: memref.copy %[[X]], %[[M]]
// CHECK: memref.load %[[M]]
func.func @dynamic_arg(%x: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<?xf32>
    memref.store %v, %x[%tx] : memref<?xf32>
    gpu.terminator
  }
  return
}
