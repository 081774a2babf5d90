// RUN: mica-opt %s --mica-gpu-device-memory --split-input-file --verify-diagnostics | FileCheck %s

// Buffers of the host code move to the device: allocations become gpu.alloc,
// the constant is fetched once (at the top, for both of its uses, also the
// one in the host loop), a contiguous copy becomes gpu.memcpy, a strided one
// a linalg.copy (a SIMT kernel later). Arguments and results stay as they are
// (device buffers by contract), and buffers inside what becomes a kernel
// (the scf.forall) are left alone.

#id = affine_map<(i, j) -> (i, j)>
memref.global "private" constant @w : memref<16x16xf16> = dense<1.0>

// CHECK-LABEL: func.func private @__mica_gpu_constant_f16(memref<*xf16>) -> memref<*xf16>
// CHECK-LABEL: func.func @buffers
// CHECK-SAME: (%[[X:.*]]: memref<16x16xf32>, %[[N:.*]]: index)
// CHECK-NEXT: %[[H:.*]] = memref.get_global @w : memref<16x16xf16>
// CHECK-NEXT: %[[U:.*]] = memref.cast %[[H]] : memref<16x16xf16> to memref<*xf16>
// CHECK-NEXT: %[[D:.*]] = call @__mica_gpu_constant_f16(%[[U]]) : (memref<*xf16>) -> memref<*xf16>
// CHECK-NEXT: %[[W:.*]] = memref.cast %[[D]] : memref<*xf16> to memref<16x16xf16>
// CHECK-NOT: memref.get_global
// CHECK: %[[T:.*]] = gpu.alloc () : memref<16x16xf32>
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[W]] : memref<16x16xf32>, memref<16x16xf16>) outs(%[[T]] : memref<16x16xf32>)
// CHECK: scf.forall
// CHECK:   memref.alloc() : memref<4xf32>
// CHECK: scf.for
// CHECK:   linalg.generic {{.*}} ins(%[[W]], %[[W]] : memref<16x16xf16>, memref<16x16xf16>)
// CHECK: %[[S:.*]] = memref.subview %[[T]]
// CHECK: %[[R:.*]] = gpu.alloc () : memref<16x8xf32>
// CHECK: linalg.copy ins(%[[S]] : memref<16x8xf32, strided<[16, 1]>>) outs(%[[R]] : memref<16x8xf32>)
// CHECK: %[[C:.*]] = gpu.alloc () : memref<16x16xf32>
// CHECK: gpu.memcpy %[[C]], %[[T]] : memref<16x16xf32>, memref<16x16xf32>
// CHECK: gpu.dealloc %[[T]] : memref<16x16xf32>
// CHECK-NOT: memref.copy
// CHECK: return %[[R]], %[[C]]
func.func @buffers(%x: memref<16x16xf32>, %n: index) -> (memref<16x8xf32>, memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = memref.get_global @w : memref<16x16xf16>
  %t = memref.alloc() : memref<16x16xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %w : memref<16x16xf32>, memref<16x16xf16>) outs(%t : memref<16x16xf32>) {
  ^bb0(%a: f32, %b: f16, %o: f32):
    %e = arith.extf %b : f16 to f32
    %s = arith.addf %a, %e : f32
    linalg.yield %s : f32
  }
  scf.forall (%i) in (2) {
    %p = memref.alloc() : memref<4xf32>
  }
  scf.for %i = %c0 to %n step %c1 {
    %w2 = memref.get_global @w : memref<16x16xf16>
    %u = memref.alloc() : memref<16x16xf16>
    linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%w2, %w2 : memref<16x16xf16>, memref<16x16xf16>) outs(%u : memref<16x16xf16>) {
    ^bb0(%a: f16, %b: f16, %o: f16):
      %s = arith.addf %a, %b : f16
      linalg.yield %s : f16
    }
  }
  %sub = memref.subview %t[0, 0] [16, 8] [1, 1] : memref<16x16xf32> to memref<16x8xf32, strided<[16, 1]>>
  %r = memref.alloc() : memref<16x8xf32>
  memref.copy %sub, %r : memref<16x8xf32, strided<[16, 1]>> to memref<16x8xf32>
  %c = memref.alloc() : memref<16x16xf32>
  memref.copy %t, %c : memref<16x16xf32> to memref<16x16xf32>
  memref.dealloc %t : memref<16x16xf32>
  return %r, %c : memref<16x8xf32>, memref<16x16xf32>
}

// -----

// Shape buffers of a dynamic reshape (written, read and copied by the host
// only, or a constant only the host reads) stay in host memory; the
// reshaped argument and the kernel's output are device buffers.
#id1 = affine_map<(i) -> (i)>
memref.global "private" constant @shape : memref<1xindex> = dense<[4]>
// CHECK-LABEL: func.func @host_shapes
// CHECK-NOT: __mica_gpu_constant
// CHECK: %[[S:.*]] = memref.alloc() : memref<2xindex>
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: %[[T:.*]] = memref.alloc() : memref<2xindex>
// CHECK: memref.copy %[[S]], %[[T]]
// CHECK: %[[R:.*]] = memref.reshape %{{.*}}(%[[T]])
// CHECK: %[[G:.*]] = memref.get_global @shape : memref<1xindex>
// CHECK: %[[F:.*]] = memref.reshape %[[R]](%[[G]])
// CHECK: %[[O:.*]] = gpu.alloc () : memref<4xf32>
// CHECK: linalg.generic {{.*}} ins(%[[F]] : memref<?xf32>) outs(%[[O]] : memref<4xf32>)
func.func @host_shapes(%x: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %s = memref.alloc() : memref<2xindex>
  memref.store %c2, %s[%c0] : memref<2xindex>
  memref.store %c2, %s[%c1] : memref<2xindex>
  %t = memref.alloc() : memref<2xindex>
  memref.copy %s, %t : memref<2xindex> to memref<2xindex>
  %r = memref.reshape %x(%t) : (memref<4xf32>, memref<2xindex>) -> memref<?x?xf32>
  %g = memref.get_global @shape : memref<1xindex>
  %f = memref.reshape %r(%g) : (memref<?x?xf32>, memref<1xindex>) -> memref<?xf32>
  %o = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%f : memref<?xf32>) outs(%o : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return %o : memref<4xf32>
}

// -----

// A buffer the host writes and a kernel reads cannot be in one place.
#id1 = affine_map<(i) -> (i)>
func.func @host_and_kernel(%x: memref<2xf32>) -> memref<2xf32> {
  %c0 = arith.constant 0 : index
  %v = arith.constant 1.0 : f32
  %s = memref.alloc() : memref<2xf32>
  // expected-error @+1 {{mica-gpu-device-memory: this memref.store uses the contents of a buffer on the host that kernels, arguments or results need in device memory}}
  memref.store %v, %s[%c0] : memref<2xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%s : memref<2xf32>) outs(%x : memref<2xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return %x : memref<2xf32>
}

// -----

// The host reads a buffer: impossible when it lives on the device.
func.func @host_load(%x: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{mica-gpu-device-memory: this memref.load uses the contents of a buffer on the host that kernels, arguments or results need in device memory}}
  %v = memref.load %x[%c0] : memref<4xf32>
  return %v : f32
}

// -----

// A host call with a buffer argument would read device memory.
func.func private @consume(memref<4xf32>)
func.func @host_call(%x: memref<4xf32>) {
  // expected-error @+1 {{mica-gpu-device-memory: this func.call uses the contents of a buffer on the host that kernels, arguments or results need in device memory}}
  func.call @consume(%x) : (memref<4xf32>) -> ()
  return
}

// -----

// The runtime copies results out as contiguous buffers.
// expected-error @+1 {{mica-gpu-device-memory: result 0 has type 'memref<4xf32, strided<[2]>>'; the runtime copies results out as contiguous buffers (identity layout only)}}
func.func @strided_result(%x: memref<8xf32>) -> memref<4xf32, strided<[2]>> {
  %s = memref.subview %x[0] [4] [2] : memref<8xf32> to memref<4xf32, strided<[2]>>
  return %s : memref<4xf32, strided<[2]>>
}

// -----

// No runtime entry for constants of type index.
memref.global "private" constant @idx : memref<2xindex> = dense<[1, 2]>
func.func @index_constant() -> memref<2xindex> {
  // expected-error @+1 {{mica-gpu-device-memory: no device constants of type 'memref<2xindex>'}}
  %g = memref.get_global @idx : memref<2xindex>
  return %g : memref<2xindex>
}
