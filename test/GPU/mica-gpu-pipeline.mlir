// RUN: mica-opt %s --mica-gpu-pipeline="to-binary=0 remarks=0" | FileCheck %s
// RUN: mica-opt %s --mica-gpu-pipeline="to-binary=0" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: mica-opt %s --mica-gpu-pipeline="to-binary=0 precision=fp32" 2>&1 | FileCheck %s --check-prefix=FP32
// RUN: mica-opt %s --mica-gpu-pipeline="gpu-arch=sm_70 remarks=0" | FileCheck %s --check-prefix=PTX
// RUN: mica-opt %s --mica-gpu-pipeline="gpu-arch=sm_90 remarks=0" | FileCheck %s --check-prefix=SM90
// RUN: mica-opt %s --mica-gpu-pipeline="gpu-arch=sm_80 to-binary=0 remarks=0" | FileCheck %s --check-prefix=SM80
// RUN: mica-opt %s --mica-gpu-pipeline="gpu-arch=sm_90 mma=wmma remarks=0" | FileCheck %s --check-prefix=SM90WMMA
// RUN: not mica-opt %s --mica-gpu-pipeline="gpu-arch=sm_60" 2>&1 | FileCheck %s --check-prefix=BADARCH
// RUN: not mica-opt %s --mica-gpu-pipeline="gpu-arch=sm_75 mma=mma.sync" 2>&1 | FileCheck %s --check-prefix=BADMMA
// RUN: not mica-opt %s --mica-gpu-pipeline="precision=bf16" 2>&1 | FileCheck %s --check-prefix=BADPREC

// A dense layer (32 x 64 by 48 x 64 weights, bias, relu), a softmax over its
// rows and a 3 x 5 by 5 x 3 matmul, compiled for the GPU.

// The dense layer (with its bias and relu) is one TensorCore kernel: 3 blocks
// of one warp (32 x 16 each: N = 48 has 3 tiles of 16), the warp owning
// 2 x 1 WMMA tiles; WMMA loads of the f16 activation and of the
// compile-time-transposed f16 weights, f32 accumulators.
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func @mica_kernels::@[[MM:main_kernel[_0-9]*]] blocks in (%c3, %c1, %c1) threads in (%c32, %c1, %c1)
// The softmax is a mica-gpu-reductions kernel: a warp per row of 48, 4 rows
// (warps) per block, 8 blocks. The small matmul is SIMT.
// CHECK: gpu.launch_func @mica_kernels::@{{.*}} blocks in (%c8, %c1, %c1) threads in (%c32, %c4, %c1)
// CHECK: gpu.module @mica_kernels
// The A/B K-step tiles are staged in workgroup buffers (attributions of the
// kernel, 16-byte aligned) by all 32 threads between two barriers; the
// accumulators start as zero matrices in registers (no fill kernel). The
// bias and relu are the kernel's epilogue: the warp stores its tiles into
// the block's C tile in shared memory, and after a barrier each thread adds
// the bias to one element per row step and applies the relu (no separate
// bias kernel).
// CHECK: gpu.func @[[MM]]({{.*}}) workgroup(%[[BB:.*]] : memref<16x24xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[AB:.*]] : memref<32x24xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[CT:.*]] : memref<32x16xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK: %[[C:.*]] = gpu.subgroup_mma_constant_matrix %{{.*}} : !gpu.mma_matrix<16x16xf32, "COp">
// CHECK: %[[R:.*]]:2 = scf.for {{.*}} iter_args(%[[ACC1:.*]] = %[[C]], %[[ACC0:.*]] = %[[C]]) -> (!gpu.mma_matrix<16x16xf32, "COp">, !gpu.mma_matrix<16x16xf32, "COp">)
// CHECK: gpu.barrier
// CHECK: vector.store {{.*}} #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: vector.store {{.*}} #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: vector.store {{.*}} #gpu.address_space<workgroup>>, vector<8xf16>
// CHECK: gpu.barrier
// CHECK: %[[A0:.*]] = gpu.subgroup_mma_load_matrix {{.*}}[%c0, %c0] {leadDimension = 24 : index} : memref<32x16xf16, strided<[24, 1]>, #gpu.address_space<workgroup>> -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK: %[[A1:.*]] = gpu.subgroup_mma_load_matrix {{.*}}[%c16, %c0] {leadDimension = 24 : index}
// CHECK: %[[B:.*]] = gpu.subgroup_mma_load_matrix {{.*}} #gpu.address_space<workgroup>> -> !gpu.mma_matrix<16x16xf16, "BOp">
// CHECK: %[[D0:.*]] = gpu.subgroup_mma_compute %[[A0]], %[[B]], %[[ACC0]]
// CHECK: %[[D1:.*]] = gpu.subgroup_mma_compute %[[A1]], %[[B]], %[[ACC1]]
// CHECK: scf.yield %[[D1]], %[[D0]]
// CHECK: gpu.subgroup_mma_store_matrix %[[R]]#1, %[[CT]][%c0, %c0]
// CHECK: gpu.subgroup_mma_store_matrix %[[R]]#0, %[[CT]][%c16, %c0]
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: scf.if
// CHECK: %[[V:.*]] = memref.load {{.*}} #gpu.address_space<workgroup>>
// CHECK: %[[BV:.*]] = arith.addf %[[V]], %{{.*}} : f32
// CHECK: arith.cmpf olt, %[[BV]]
// CHECK: %[[Y:.*]] = arith.select
// CHECK: memref.store %[[Y]], %{{.*}} : memref<1x1xf32, strided<[48, 1], offset: ?>>
// CHECK-NOT: gpu.module

// REMARK: remark: mica-gpu-tile-contractions: SIMT fallback for linalg.matmul: M x N x K = 3 x 3 x 5 is not a multiple of 16 in every dim
// REMARK-NOT: remark

// FP32: remark: mica-gpu-tile-contractions: SIMT fallback for linalg.matmul: operands are f32 x f32 -> f32 (TensorCores need f16 x f16 -> f32: precision=fp16)
// FP32-NOT: gpu.subgroup_mma
// FP32: gpu.module @mica_kernels

// One PTX module for all kernels, with WMMA for the dense layer.
// PTX: gpu.binary @mica_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_70", features = "+ptx63">
// PTX-SAME: .target sm_70
// PTX-SAME: wmma.load.a.sync.aligned.row.m16n16k16
// PTX-SAME: wmma.mma.sync.aligned.row.row.m16n16k16.f32.f32
// PTX-SAME: wmma.store.d.sync.aligned.row.m16n16k16
// PTX-NOT: gpu.module

// sm_80 and newer: mma.sync m16n8k16 (nvgpu), one warp of 2 x 2 tiles of
// 16 x 8 here, accumulators carried in registers. The fragments come from
// shared memory by ldmatrix; the copies are cp.async into double buffers,
// one step ahead (K = 64: 4 steps, the last 2 peeled).
// SM80-LABEL: func.func @main
// SM80: gpu.launch_func @mica_kernels::@[[MM:main_kernel[_0-9]*]] blocks in (%c3, %c1, %c1) threads in (%c32, %c1, %c1)
// SM80: gpu.func @[[MM]]({{.*}}) workgroup(%{{.*}} : memref<2x16x24xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<2x32x24xf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<32x16xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// SM80: nvgpu.device_async_copy
// SM80: nvgpu.device_async_create_group
// SM80: %[[R:.*]]:10 = scf.for {{.*}} iter_args(%{{.*}} = %[[Z:[a-z0-9_]+]], %{{.*}} = %[[Z]], %{{.*}} = %[[Z]], %[[ACC:[a-z0-9_]+]] = %[[Z]], {{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>,
// SM80: nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// SM80: gpu.barrier
// SM80: %[[A:.*]] = nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false}
// SM80: nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false}
// SM80: %[[B:.*]] = nvgpu.ldmatrix {{.*}} {numTiles = 2 : i32, transpose = true}
// SM80: %[[D:.*]] = nvgpu.mma.sync(%[[A]], %[[B]], %[[ACC]]) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// SM80-COUNT-3: nvgpu.mma.sync
// SM80: nvgpu.device_async_copy
// SM80: scf.yield
// SM80: nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
// SM80-NOT: gpu.subgroup_mma

// SM90: #nvvm.target<O = 3, chip = "sm_90", features = "+ptx78">
// SM90-SAME: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// SM90-NOT: wmma.
// SM90WMMA: chip = "sm_90"
// SM90WMMA-SAME: wmma.mma.sync.aligned.row.row.m16n16k16.f32.f32

// BADARCH: mica-gpu-pipeline: unsupported gpu-arch 'sm_60' (supported: sm_70, sm_75, sm_80, sm_86, sm_89, sm_90)
// BADMMA: mica-gpu-pipeline: mma must be auto, wmma or mma.sync (sm_80 and newer), not 'mma.sync' for sm_75
// BADPREC: mica-gpu-pipeline: precision must be fp32 or fp16, not 'bf16'
func.func @main(%x: tensor<32x64xf32> {mica.name = "x"}, %y: tensor<3x5xf32> {mica.name = "y"})
    -> (tensor<32x48xf32> {mica.name = "out"}, tensor<3x3xf32> {mica.name = "small"}) {
  %w = mica.constant dense<0.5> : tensor<48x64xf32>
  %b = mica.constant dense<0.25> : tensor<48xf32>
  %0 = mica.dense %x, %w bias(%b : tensor<48xf32>) {activation = #mica<activation relu>} : tensor<32x64xf32>, tensor<48x64xf32> -> tensor<32x48xf32>
  %1 = mica.softmax %0 {axis = 1 : i64} : tensor<32x48xf32>
  %w2 = mica.constant dense<0.5> : tensor<5x3xf32>
  %2 = mica.matmul %y, %w2 : (tensor<3x5xf32>, tensor<5x3xf32>) -> tensor<3x3xf32>
  return %1, %2 : tensor<32x48xf32>, tensor<3x3xf32>
}
