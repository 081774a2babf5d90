// The host code of the GPU pipeline (managed memory, gpu-to-llvm) runs under
// mlir-runner against libmica_cuda_runtime.so; where the CUDA driver cannot
// be loaded (forced here with MICA_LIBCUDA, so this runs on every machine)
// the first runtime call fails with one clear error and exit status 1.
// RUN: mica-opt %s --mica-gpu-pipeline="managed-memory=1 remarks=0" \
// RUN:   --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --gpu-to-llvm --finalize-memref-to-llvm --convert-to-llvm \
// RUN:   --reconcile-unrealized-casts -o %t.llvm.mlir
// RUN: FileCheck %s --check-prefix=HOST --input-file=%t.llvm.mlir
// RUN: env MICA_LIBCUDA=%t.no-such-driver.so not mlir-runner %t.llvm.mlir -e main \
// RUN:   -entry-point-result=void -shared-libs=%mica_cuda_runtime,%mlir_runner_libs 2>&1 \
// RUN:   | FileCheck %s

// Managed buffers, launches of the embedded PTX module (the mgpuModuleLoadJIT
// and mgpuLaunchKernel calls are emitted when the launches are translated).
// HOST: llvm.call @mgpuMemAlloc
// HOST: gpu.launch_func @mica_kernels::@main_kernel
// HOST: gpu.binary @mica_kernels
// CHECK: mica-cuda-runtime: error: cannot load the CUDA driver (libcuda.so.1; no NVIDIA driver or GPU on this machine?)
// CHECK-NOT: Unranked Memref

func.func @main() {
  %x = mica.constant dense<0.5> : tensor<16x16xf32>
  %w = mica.constant dense<0.25> : tensor<16x16xf32>
  %y = mica.matmul %x, %w : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
  %u = tensor.cast %y : tensor<16x16xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}
func.func private @printMemrefF32(tensor<*xf32>)
