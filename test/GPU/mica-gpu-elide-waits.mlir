// RUN: mica-opt %s --mica-gpu-elide-waits --split-input-file --verify-diagnostics | FileCheck %s
// The inputs are what gpu-async-region makes of host code (it puts a
// blocking wait at the end of each token chain); the pipeline check:
// RUN: mica-opt %s --split-input-file --gpu-async-region --mica-gpu-elide-waits 2>&1 | FileCheck %s --check-prefix=PIPE
// PIPE-NOT: gpu.wait [

module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%a: memref<16xf32>) kernel { gpu.return }
  }

  // The wait before the return goes: the work stays in flight on the stream
  // (the runtime copies the outputs out and synchronizes once).
  // CHECK-LABEL: func.func @before_return
  // CHECK: %[[T0:.*]] = gpu.wait async
  // CHECK: %[[A:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] ()
  // CHECK: %[[T2:.*]] = gpu.launch_func async [%[[T1]]] @k::@f
  // CHECK-NEXT: return %[[A]]
  func.func @before_return(%x: memref<16xf32>) -> memref<16xf32> {
    %c1 = arith.constant 1 : index
    %t0 = gpu.wait async
    %a, %t1 = gpu.alloc async [%t0] () : memref<16xf32>
    %t2 = gpu.launch_func async [%t1] @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<16xf32>)
    gpu.wait [%t2]
    return %a : memref<16xf32>
  }

  // Before a host loop and at the end of every iteration: all of it goes.
  // CHECK-LABEL: func.func @loop
  // CHECK: gpu.launch_func async
  // CHECK-NEXT: scf.for
  // CHECK-NEXT:   gpu.wait async
  // CHECK-NEXT:   gpu.launch_func async
  // CHECK-NEXT: }
  // CHECK-NEXT: return
  func.func @loop(%n: index, %x: memref<16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %t0 = gpu.wait async
    %t1 = gpu.launch_func async [%t0] @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<16xf32>)
    gpu.wait [%t1]
    scf.for %i = %c0 to %n step %c1 {
      %t2 = gpu.wait async
      %t3 = gpu.launch_func async [%t2] @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<16xf32>)
      gpu.wait [%t3]
    }
    return
  }

  // No GPU work: no remark.
  // CHECK-LABEL: func.func @host_only
  func.func @host_only(%x: index) -> index {
    return %x : index
  }
}

// -----

// GPU work without a blocking wait (gpu-async-region did not run): nothing
// to elide, and a remark says so.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f(%a: memref<16xf32>) kernel { gpu.return }
  }
  // CHECK-LABEL: func.func @nothing_to_elide
  // expected-remark @+1 {{mica-gpu-elide-waits: GPU work but no blocking gpu.wait (run gpu-async-region first): nothing to elide}}
  func.func @nothing_to_elide(%x: memref<16xf32>) -> !gpu.async.token {
    %c1 = arith.constant 1 : index
    %t0 = gpu.wait async
    %t1 = gpu.launch_func async [%t0] @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<16xf32>)
    return %t1 : !gpu.async.token
  }
}
