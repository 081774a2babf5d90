//===- Passes.td - Mica GPU code generation passes ---------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_CONVERSION_MICATOGPU_PASSES_TD
#define MICA_CONVERSION_MICATOGPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MicaF16 : Pass<"mica-f16", "mlir::func::FuncOp"> {
  let summary = "Mixed precision: contractions read f16, accumulate in f32";
  let description = [{
    Every linalg contraction (`linalg.matmul`, `linalg.batch_matmul`, a
    `linalg.generic` whose body is a multiply-accumulate) whose inputs and
    init are f32 reads f16 inputs instead: each input is truncated to f16
    (`arith.truncf` in an elementwise `linalg.generic`) and the op's body
    extends the f16 values back to f32 (`arith.extf`), so products and sums
    stay f32. Everything else (softmax, layer norm, reductions, elementwise
    ops, the contraction results) stays f32.

    Casts are folded: a constant input (weights, `arith.constant` with dense
    or `dense_resource` data) becomes an f16 constant at compile time, and
    an input that is itself an f16 value extended to f32 is read directly.

    ```mlir
    %r = linalg.matmul ins(%x, %w : tensor<16x64xf32>, tensor<64x64xf32>)
                       outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
    // becomes
    %x16 = linalg.generic ... arith.truncf ... -> tensor<16x64xf16>
    %r = linalg.matmul ins(%x16, %w16 : tensor<16x64xf16>, tensor<64x64xf16>)
                       outs(%c : tensor<16x64xf32>) -> tensor<16x64xf32>
    ```

    With `tensorcore-shapes-only` (the default), a contraction whose shape
    cannot use TensorCores (M, N or K not a multiple of 16, dynamic, more
    than one batch dim) stays f32: it runs on the SIMT path, where f16
    inputs would only lose precision.
  }];
  let options = [
    Option<"tensorCoreShapesOnly", "tensorcore-shapes-only", "bool",
           /*default=*/"true",
           "Leave contractions whose shape misses TensorCores in f32">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaGPUTileContractions
    : Pass<"mica-gpu-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Tile contractions to thread blocks and warps for TensorCores";
  let description = [{
    Rewrites each linalg contraction with f16 inputs, an f32 result, at most
    one batch dim and static M, N, K that are multiples of 16 into the
    TensorCore form that `convert-vector-to-gpu` turns into WMMA
    (`gpu.subgroup_mma_*`, m16n16k16; sm_70, sm_75) or, with `use-nvgpu`,
    into `nvgpu.mma.sync` (m16n8k16; sm_80 and newer, warp tiles of
    16 x 8; `mma` picks one explicitly):

    - a transposed operand (`B` indexed `(n, k)`, `A` indexed `(k, m)`) is
      first copied to the row-major layout with `linalg.transpose` (WMMA
      loads with `transpose` lower to col-layout loads that upstream pairs
      with a row.row mma), transposes of constants are folded;
    - `scf.forall` over thread blocks (`#gpu.block<z/y/x>` for batch, M, N;
      the block tile is `warpsM` x `warpsN` warp tiles of `fragmentsM` x
      `fragmentsN` MMA tiles each, from the per-arch table: 64 x 64 blocks
      of 2 x 2 warps of 32 x 32 by default, fewer where the shape needs
      it), a nested `scf.forall` over warps (`#gpu.warp<y/x>`), an
      `scf.for` over K in steps of 16;
    - the warp tile vectorized (`linalg::vectorize`), folded to a
      `vector.contract` with f16 operands and an f32 accumulator, and
      unrolled to the MMA shape (16x16x16, 16x8x16; upstream vector
      unrolling);
    - the accumulator read/write hoisted out of the K loop (upstream
      `hoistLoopInvariantSubsets`): it stays in registers across K;
    - with `shared-memory` (and the per-arch table's `stageShared`), each K
      step copies the block's slices of A (BM x 16) and B (16 x BN) into
      `bufferization.alloc_tensor`s in `#gpu.address_space<workgroup>`
      (`linalg.copy`, rows padded by the table's `sharedPad`), and the warps
      read their tiles from those (`mica-gpu-map-forall` shares them among
      the block's threads);
    - a constant-filled init (`linalg.fill` of a constant, a dense layer's
      zeros) is written into the warp tile before the K loop instead: the
      fill disappears and, after canonicalization, the accumulator starts
      as a constant in registers. A remark says when the init is read from
      memory instead, or when an operand could not be staged;
    - a fused epilogue: an elementwise `linalg.generic` that is the only
      user of the contraction result (bias add, ReLU, GELU with `erf`, a
      residual add, a cast to f16; a consumer that reads the result through
      a `tensor.expand_shape` is first collapsed onto the contraction's
      dims by upstream reshape folding) is tiled with it to blocks (upstream
      `scf::tileConsumerAndFuseProducersUsingSCF`) when the init is a
      constant fill: the block's C tile is a workgroup buffer, and after
      the warps stored their accumulators the consumer is computed one
      element per thread (`scf.for` over rows, a `#gpu.thread<y, x>`
      forall, scalar code) and written straight to the output. A remark
      says why an elementwise consumer is not fused (other users of the
      result, a permuted read, a non-constant init, ...).

    Other contractions stay linalg and run as SIMT loops (one thread per
    output element, f32 unless mica-f16 made their inputs f16); each gets a
    remark saying why.

    ```mlir
    %r = linalg.matmul ins(%a, %b : tensor<64x128xf16>, tensor<128x96xf16>)
                       outs(%c : tensor<64x96xf32>) -> tensor<64x96xf32>
    // becomes
    scf.forall (%i, %j) = (0, 0) to (64, 96) step (64, 32) ... {
      scf.forall (%wi, %wj) = (0, 0) to (64, 32) step (32, 32) ... {
        scf.for %k = %c0 to %c128 step %c16 ... {
          linalg.copy ... // A and B K-step slices to workgroup buffers
          // 2 x 2 of:
          vector.contract ... : vector<16x16xf16>, vector<16x16xf16>
                                into vector<16x16xf32>
        }
      } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
    } {mapping = [#gpu.block<y>, #gpu.block<x>]}
    ```
  }];
  let options = [
    Option<"gpuArch", "gpu-arch", "std::string", /*default=*/"\"sm_70\"",
           "Target GPU (sm_70, sm_75, sm_80, sm_86, sm_89, sm_90)">,
    Option<"mma", "mma", "std::string", /*default=*/"\"auto\"",
           "TensorCore instructions: auto (per-arch table: WMMA before "
           "sm_80, mma.sync from sm_80), wmma, mma.sync">,
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark for each contraction left to the SIMT path">,
    Option<"sharedMemory", "shared-memory", "bool", /*default=*/"true",
           "Stage the A/B K-step tiles in workgroup memory (when the "
           "per-arch table does)">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaGPUReductions : Pass<"mica-gpu-reductions", "mlir::func::FuncOp"> {
  let summary = "Softmax, layer norm and row reductions as warp/block kernels";
  let description = [{
    Every `linalg.generic` on tensors that reduces its innermost loop (one
    reduction dim, one f32 result, a body that combines the accumulator with
    `arith.addf/mulf/maximumf/minimumf/maxnumf/minnumf`) is grouped with the
    other reductions and elementwise ops over the same rows (softmax's
    max/exp/sum/divide, layer norm's mean/variance/normalize, a skip add
    before it, a plain reduce op) and the group becomes kernels in which a
    block, or a warp for short rows, owns a row:

    - the threads stride over the row; each keeps a partial result in
      registers, combined with `gpu.all_reduce` (block: warp shuffles and
      shared memory) or `gpu.subgroup_reduce` lowered here to `gpu.shuffle`
      butterflies (warp);
    - the row's consumers (softmax's normalize, layer norm's scale/shift)
      run in the same kernel; intermediate rows are recomputed, not stored;
    - softmax reads the row once for max and sum (online softmax: a running
      max and a sum rescaled when the max grows), layer norm once for mean
      and variance (per-thread Welford, combined exactly with Chan's
      formula), then once more to normalize;
    - rows longer than the per-arch `rowSplitThreshold` (static length,
      one pass before the output) are split across blocks of
      `rowSplitChunk` elements: a first kernel writes one partial state per
      block (e.g. softmax's (max, sum)), a second kernel merges the row's
      partials in every block and normalizes its chunk.

    Rows of at most `rowWarpMaxElements` elements go to one warp each
    (`rowWarpsPerBlock` per block), others to a block of `rowBlockThreads`
    threads (per-arch table, `mica::setGPUArchInfo`). Operands are read
    through `bufferization.to_buffer` and results written to `memref.alloc`
    buffers returned with `bufferization.to_tensor restrict`, so one-shot
    bufferization treats the kernels like any op. Reductions that do not fit
    (several reduction dims, a reduction dim that is not innermost, non-f32
    types, several results) stay on the SIMT path with a remark.

    ```mlir
    %m = linalg.generic {iterator_types = ["parallel", "reduction"]} ... maximumf
    %e = linalg.generic ... math.exp(%x - %m)
    %s = linalg.generic {iterator_types = ["parallel", "reduction"]} ... addf
    %p = linalg.generic ... arith.divf(%e, %s)
    // becomes, for 4 x 1000 rows
    gpu.launch blocks(%row, ...) in (%c4, %c1, %c1) threads(%t, ...) in (%c256, %c1, %c1) {
      %ms:2 = scf.for %j = %t to %c1000 step %c256 iter_args(%m0, %s0) { ... }
      %mx = gpu.all_reduce maximumf %ms#0 uniform {} : (f32) -> f32
      %sum = gpu.all_reduce add %rescaled uniform {} : (f32) -> f32
      scf.for %j = %t to %c1000 step %c256 { ... exp(x - %mx) / %sum ... }
    }
    ```
  }];
  let options = [
    Option<"gpuArch", "gpu-arch", "std::string", /*default=*/"\"sm_70\"",
           "Target GPU: its row of the per-arch table gives the block sizes "
           "and the long-row split">,
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark for each reduction left to the SIMT path">,
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Emit sequential loops over rows, blocks and threads instead of "
           "gpu.launch (same partition and combine order), to check the "
           "numerics on the CPU">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::math::MathDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaGPUMapForall : Pass<"mica-gpu-map-forall", "mlir::func::FuncOp"> {
  let summary = "Map bufferized block/warp scf.forall nests to gpu.launch";
  let description = [{
    Each outermost bufferized `scf.forall` mapped to `#gpu.block<...>`
    becomes one `gpu.launch`: the grid is its (static) trip counts, the block
    has 32 threads per warp of its nested `#gpu.warp<...>` foralls (x) by
    their y count. Block indices replace the induction variables; the nested
    foralls are distributed to warps by upstream
    `mapNestedForallToThreadsImpl` (surplus warps are predicated off).

    Copies into workgroup memory inside the warp foralls (the staged A/B
    tiles of `mica-gpu-tile-contractions`) must copy the same data in
    every warp; their buffer becomes one per block (the allocation moves to
    the top of the launch) and each run of copies is distributed over all
    threads of the block (vector loads/stores of up to 16 bytes, unrolled
    when they divide evenly) between two `gpu.barrier`s. A copy that
    depends on the warp is an error.

    ```mlir
    scf.forall (%i, %j) in (2, 3) {
      scf.forall (%wi, %wj) in (2, 2) { ... } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
    } {mapping = [#gpu.block<y>, #gpu.block<x>]}
    // becomes
    gpu.launch blocks(...) in (%c3, %c2, %c1) threads(...) in (%c64, %c2, %c1) {
      %bx = gpu.block_id x ... %w = (gpu.thread_id x) floordiv 32 ...
    }
    ```
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def MicaGPUVectorToMMA : Pass<"mica-gpu-vector-to-mma", "mlir::func::FuncOp"> {
  let summary = "TensorCore ops for the vector tiles of each gpu.launch";
  let description = [{
    Upstream `convert-vector-to-gpu`, scoped to the body of each
    `gpu.launch` that holds a `vector.contract` (the function-wide pass also
    visits the scalar bodies of the remaining linalg ops, which its mma.sync
    mode rejects with "unhandled vector to mma type"): the prepare patterns
    (`populatePrepareVectorToMMAPatterns`), then `convertVectorToMMAOps`
    (WMMA: `gpu.subgroup_mma_*`) or, with `mma-sync`,
    `convertVectorToNVVMCompatibleMMASync` (`nvgpu.mma.sync` m16n8k16,
    fragments read with `nvgpu.ldmatrix` from shared memory, per lane from
    global memory). The conversion starts from the ops of the launch body
    that hold a contraction (the K loops): upstream would also start from
    scalar `arith` ops (a fused epilogue, index arithmetic) as if they were
    fragment elementwise ops, and fail on them.

    ```mlir
    %d = vector.contract ... %a, %b, %c : vector<16x8xf16> ... into vector<16x8xf32>
    // with mma-sync becomes
    %d = nvgpu.mma.sync(%a, %b, %c) {mmaShape = [16, 8, 16]}
        : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
    ```
  }];
  let options = [
    Option<"mmaSync", "mma-sync", "bool", /*default=*/"false",
           "nvgpu.mma.sync (sm_80+) instead of WMMA">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::nvgpu::NVGPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::vector::VectorDialect"];
}

def MicaGPUSharedMemory : Pass<"mica-gpu-shared-memory", "mlir::func::FuncOp"> {
  let summary = "cp.async double buffering and workgroup buffers of launches";
  let description = [{
    Finishes the shared-memory staging of the TensorCore launches (after
    `mica-gpu-map-forall` shared the staged A/B tiles and distributed their
    copies over the threads of the block, and `mica-gpu-vector-to-mma` made
    the warps read their fragments from them).

    With `async-copies` (sm_80 and newer): every workgroup buffer used in a
    K loop with at least `pipeline-depth` static steps is multi-buffered
    (upstream `memref::multiBuffer`), the global -> shared vector copies
    become `nvgpu.device_async_copy` groups (upstream
    `nvgpu::createAsyncGroups`: `cp.async`, `cp.async.commit_group`,
    `cp.async.wait_group`) and the K loop is software-pipelined (upstream
    `scf::pipelineForLoop` with the schedule of
    `transform.nvgpu.pipeline_shared_memory_copies`): the copies of step
    `k + depth - 1` are in flight while step `k` computes. A launch whose
    loop cannot be pipelined still gets async copies, and a remark saying
    why.

    Then every workgroup `memref.alloc` in a launch becomes a workgroup
    attribution of the `gpu.launch` (`.shared` arrays after outlining).

    ```mlir
    gpu.launch ... {
      %a = memref.alloc() : memref<32x24xf16, #gpu.address_space<workgroup>>
      scf.for %k = %c0 to %c128 step %c16 ... {
        gpu.barrier
        %v = vector.transfer_read %A[...] : memref<64x128xf16>, vector<4xf16>
        vector.transfer_write %v, %a[...] : ...
        gpu.barrier
        ... nvgpu.ldmatrix %a[...] ...
      }
    }
    // with async-copies becomes
    gpu.launch ... workgroup(%a : memref<2x32x24xf16, #gpu.address_space<workgroup>>) {
      %t0 = nvgpu.device_async_copy ...   // prologue: step 0
      scf.for %k = %c0 to %c112 step %c16 iter_args(%t = %t0) ... {
        nvgpu.device_async_wait %t {numGroups = 1 : i32}
        gpu.barrier
        ... nvgpu.ldmatrix ...            // step k
        gpu.barrier
        %t1 = nvgpu.device_async_copy ... // step k + 16
        ...
      }
      ...                                  // epilogue: last step
    }
    ```
  }];
  let options = [
    Option<"asyncCopies", "async-copies", "bool", /*default=*/"false",
           "cp.async copies, multi-buffered and pipelined (sm_80+)">,
    Option<"pipelineDepth", "pipeline-depth", "int64_t", /*default=*/"2",
           "Shared buffers per staged tile (copies in flight) with "
           "async-copies">,
    Option<"remarks", "remarks", "bool", /*default=*/"true",
           "Emit a remark for each launch whose copies are not pipelined">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::nvgpu::NVGPUDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaGPUTileParallelLoops
    : Pass<"mica-gpu-tile-parallel-loops", "mlir::func::FuncOp"> {
  let summary = "Tile the innermost dim of scf.parallel loops into blocks";
  let description = [{
    The SIMT path: every outermost `scf.parallel` outside a `gpu.launch`
    (from `convert-linalg-to-parallel-loops`) is tiled by upstream
    `scf::tileParallelLoop` with `block-size` in its innermost dim and 1 in
    the others, and mapped (`gpu::setMappingAttr`): the innermost dim's tiles
    on blocks in x and its `block-size` elements on threads in x
    (consecutive threads, coalesced accesses), the next two outer dims on
    blocks in y and z, every other dim sequential in the kernel. A reduction (softmax, layer norm, reduce ops) stays
    a sequential loop per thread: one thread per output element or row.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c768) step (%c1, %c1)
    // becomes
    scf.parallel (%i, %j) = ... step (%c1, %c128) {
      scf.parallel (%ti, %tj) = ... to (%c1, min(128, 768 - %j)) ...
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "Threads per block of the SIMT kernels">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect",
                           "mlir::gpu::GPUDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def MicaGPUVerifyMapped : Pass<"mica-gpu-verify-mapped", "mlir::func::FuncOp"> {
  let summary = "Report loop nests that did not become GPU kernels";
  let description = [{
    After the SIMT and TensorCore mapping, every `scf.parallel`,
    `scf.forall` and linalg op must sit inside a `gpu.launch`; one left on
    the host (typically a loop with dynamic bounds that
    `convert-parallel-loops-to-gpu` could not map) is an error at its model
    node, instead of a model that silently runs on the host.

    ```mlir
    scf.parallel (%i) = (%c0) to (%n) step (%c128) { ... }
    // error: mica-gpu-verify-mapped: this loop nest was not mapped to GPU
    // threads (dynamic bounds? pin the input shapes)
    ```
  }];
}

def MicaGPUManagedMemory
    : Pass<"mica-gpu-managed-memory", "mlir::func::FuncOp"> {
  let summary = "Host buffers as CUDA managed memory (gpu.alloc host_shared)";
  let description = [{
    The simplest host memory model that runs: every host `memref.alloc`
    becomes `gpu.alloc host_shared` (managed memory, read and written by the
    kernels and by the host code alike), and each constant
    (`memref.get_global`) or memref argument that a `gpu.launch` uses is
    copied once into a managed buffer. With `gpu-to-llvm` and
    `libmica_cuda_runtime.so` the model then runs under mlir-runner; there is
    no memory planning and no async execution (every launch synchronizes).

    ```mlir
    %a = memref.alloc() : memref<16x16xf32>
    // becomes
    %a = gpu.alloc host_shared () : memref<16x16xf32>
    ```
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::memref::MemRefDialect"];
}

def MicaGPUMergeModules : Pass<"mica-gpu-merge-modules", "mlir::ModuleOp"> {
  let summary = "Put all outlined kernels into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel. This pass moves
    every kernel into a single `gpu.module @mica_kernels` (each kernel takes
    the name of its old module, which is unique; helper functions cloned
    into several modules are kept once) and updates the `gpu.launch_func`
    symbols, so the whole model is one PTX module: one
    `cuModuleLoadData`, and one file that `ptxas` assembles. Workgroup
    attributions of the kernels (the shared-memory tiles) get
    `llvm.align = 16` (ldmatrix rows and 16-byte cp.async need it).

    ```mlir
    gpu.module @f_kernel { gpu.func @f_kernel(...) kernel {...} }
    gpu.module @f_kernel_0 { gpu.func @f_kernel(...) kernel {...} }
    // becomes
    gpu.module @mica_kernels {
      gpu.func @f_kernel(...) kernel {...}
      gpu.func @f_kernel_0(...) kernel {...}
    }
    ```
  }];
  let options = [
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"mica_kernels\"", "Name of the merged gpu.module">,
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def MicaGPUDeviceMemory : Pass<"mica-gpu-device-memory", "mlir::ModuleOp"> {
  let summary = "Host buffers in device memory: the host code of a model library";
  let description = [{
    Rewrites the host side of each bufferized function (everything outside
    linalg ops with loops, `scf.forall` / `scf.parallel` nests and
    `gpu.launch`, i.e. outside what becomes kernels) so that its buffers live
    in device memory. The function then takes and returns device buffers;
    the model runtime (lib/Runtime/MicaModel.c with lib/GPURuntime) copies
    the inputs to the device and the outputs back around each call. Buffers
    that only host code reads and writes (with the buffers host copies
    connect them to), like the shape operands of dynamic `memref.reshape`s,
    stay in host memory.

    - `memref.alloc` / `memref.dealloc` become `gpu.alloc` / `gpu.dealloc`
      (served by the model's arena at run time);
    - each `memref.get_global` becomes, once at the function entry, a call of
      `__mica_gpu_constant_<type>` (the runtime uploads the constant on first
      use and keeps the device copy for the model's lifetime);
    - a `memref.copy` becomes `gpu.memcpy` when both sides are contiguous
      (identity layout), else a `linalg.copy` that the SIMT path turns into a
      kernel (run it before `convert-linalg-to-parallel-loops`).

    Host code that reads or writes the contents of a buffer that kernels,
    arguments or results need on the device (`memref.load`, `memref.store`,
    0-d linalg ops, calls with buffer arguments) cannot run: the pass
    reports each such op as an error. Results must have an identity layout.

    ```mlir
    %w = memref.get_global @w : memref<64x64xf16>
    %t = memref.alloc() : memref<16x64xf32>
    memref.copy %t, %out : memref<16x64xf32> to memref<16x64xf32>
    // becomes
    %h = memref.get_global @w : memref<64x64xf16>
    %u = memref.cast %h : memref<64x64xf16> to memref<*xf16>
    %d = call @__mica_gpu_constant_f16(%u) : (memref<*xf16>) -> memref<*xf16>
    %w = memref.cast %d : memref<*xf16> to memref<64x64xf16>
    %t = gpu.alloc () : memref<16x64xf32>
    gpu.memcpy %out, %t : memref<16x64xf32>, memref<16x64xf32>
    ```
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::func::FuncDialect"];
}

def MicaGPUElideWaits : Pass<"mica-gpu-elide-waits", "mlir::func::FuncOp"> {
  let summary = "Leave the GPU work of a model function in flight on its one stream";
  let description = [{
    Upstream `gpu-async-region` chains the GPU ops of each block with async
    tokens and puts a blocking `gpu.wait [%t]` wherever a chain ends: before
    the return, at the end of a loop body, before host ops with side
    effects. In a model library every stream of a run is the model's one
    stream (lib/GPURuntime), so the work is ordered as the host issues it,
    and after `mica-gpu-device-memory` host code never reads or writes a
    buffer that GPU work touches: none of those synchronizations is needed.
    This pass erases every blocking `gpu.wait` of the function; the runtime
    queues the output copies on the stream and synchronizes once at the end
    of `mica_model_run`. (Only valid with that runtime: upstream's gives
    each `gpu.wait async` a new stream.) A function with GPU work but no
    blocking wait gets a remark.

    ```mlir
    scf.for %i = %c0 to %n step %c1 {
      %t0 = gpu.wait async
      %t1 = gpu.launch_func async [%t0] @mica_kernels::@k ...
      gpu.wait [%t1]
    }
    // becomes
    scf.for %i = %c0 to %n step %c1 {
      %t0 = gpu.wait async
      %t1 = gpu.launch_func async [%t0] @mica_kernels::@k ...
    }
    ```
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

def MicaGPUSinkIntoLaunch : Pass<"mica-gpu-sink-into-launch", "mlir::func::FuncOp"> {
  let summary = "Sink pure ops that a kernel cannot take as argument into each gpu.launch";
  let description = [{
    Canonicalization hoists constants to the function entry; upstream
    VectorToGPU then turns a zero `vector` constant used by a TensorCore
    launch into a `gpu.subgroup_mma_constant_matrix` outside the launch, and
    `gpu-kernel-outlining` would make that `!gpu.mma_matrix` a kernel
    argument, which the host lowering (`gpu-to-llvm`) cannot pass. Upstream
    `sinkOperationsIntoLaunchOp` clones every pure, region-free op that
    yields an MMA matrix or a vector (and the constants they use) into each
    launch that uses it. A launch that still uses an MMA matrix defined
    outside (a block argument, an op with side effects) is an error.

    ```mlir
    %z = gpu.subgroup_mma_constant_matrix %cst : !gpu.mma_matrix<16x16xf32, "COp">
    gpu.launch ... { ... gpu.subgroup_mma_compute %a, %b, %z ... }
    // becomes
    gpu.launch ... {
      %z = gpu.subgroup_mma_constant_matrix %cst : !gpu.mma_matrix<16x16xf32, "COp">
      ... gpu.subgroup_mma_compute %a, %b, %z ...
    }
    ```
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

#endif // MICA_CONVERSION_MICATOGPU_PASSES_TD
