// RUN: mica-opt %s --gpu-async-region --mica-gpu-async-return --verify-diagnostics | FileCheck %s

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%a: memref<16xf32>) kernel { gpu.return }
  }

  // The wait that gpu-async-region puts before the return goes: the work
  // stays in flight on the stream (the runtime copies the outputs out and
  // synchronizes once).
  // CHECK-LABEL: func.func @deferred
  // CHECK: %[[T0:.*]] = gpu.wait async
  // CHECK: %[[A:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] ()
  // CHECK: %[[T2:.*]] = gpu.memcpy async [%[[T1]]] %[[A]], %{{.*}}
  // CHECK: gpu.launch_func async [%[[T2]]] @k::@f
  // CHECK-NOT: gpu.wait
  // CHECK: return %[[A]]
  func.func @deferred(%x: memref<16xf32>) -> memref<16xf32> {
    %c1 = arith.constant 1 : index
    %a = gpu.alloc () : memref<16xf32>
    gpu.memcpy %a, %x : memref<16xf32>, memref<16xf32>
    gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xf32>)
    return %a : memref<16xf32>
  }

  // GPU work in a host loop: gpu-async-region synchronizes every iteration
  // and the function does not end with a wait; nothing changes.
  // CHECK-LABEL: func.func @loop
  // CHECK: scf.for
  // CHECK:   gpu.launch_func async
  // CHECK:   gpu.wait [%{{.*}}]
  // CHECK: }
  // CHECK-NEXT: return
  // expected-remark @+1 {{mica-gpu-async-return: the return is not preceded by a gpu.wait (run gpu-async-region first; GPU work in host loops synchronizes per iteration): nothing to defer}}
  func.func @loop(%n: index, %x: memref<16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %c0 to %n step %c1 {
      gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<16xf32>)
    }
    return
  }

  // No GPU work: no remark.
  // CHECK-LABEL: func.func @host_only
  func.func @host_only(%x: index) -> index {
    return %x : index
  }
}
