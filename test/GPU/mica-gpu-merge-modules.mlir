// RUN: mica-opt %s --mica-gpu-merge-modules --split-input-file -verify-diagnostics | FileCheck %s

// Two outlined kernels with the same function name in two modules become
// two kernels of one module, named after their old modules; the launches
// follow.
// CHECK-LABEL: func.func @host
// CHECK: gpu.launch_func @mica_kernels::@f_kernel blocks
// CHECK: gpu.launch_func @mica_kernels::@f_kernel_0 blocks
// CHECK: gpu.module @mica_kernels {
// CHECK: gpu.func @f_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK: gpu.func @f_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @host(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Modules with a target attached are past the point of merging.
module attributes {gpu.container_module} {
  // expected-error @below {{mica-gpu-merge-modules: run before targets are attached}}
  gpu.module @k [#nvvm.target<chip = "sm_70">] {
    gpu.func @k() kernel {
      gpu.return
    }
  }
}

// -----

// A helper that outlining cloned into both modules (convert-math-to-funcs'
// integer power) is kept once.
// CHECK-LABEL: func.func @host2
// CHECK: gpu.module @mica_kernels {
// CHECK-COUNT-1: func.func private @__mlir_math_ipowi_i32
// CHECK-NOT: @__mlir_math_ipowi_i32
module attributes {gpu.container_module} {
  func.func @host2(%m: memref<4xi32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @g_kernel::@g_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xi32>)
    gpu.launch_func @g_kernel_0::@g_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xi32>)
    return
  }
  gpu.module @g_kernel {
    func.func private @__mlir_math_ipowi_i32(%a: i32, %b: i32) -> i32 {
      return %a : i32
    }
    gpu.func @g_kernel(%arg0: memref<4xi32>) kernel {
      gpu.return
    }
  }
  gpu.module @g_kernel_0 {
    func.func private @__mlir_math_ipowi_i32(%a: i32, %b: i32) -> i32 {
      return %a : i32
    }
    gpu.func @g_kernel(%arg0: memref<4xi32>) kernel {
      gpu.return
    }
  }
}
