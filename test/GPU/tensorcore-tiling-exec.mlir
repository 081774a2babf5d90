// Numerics of the TensorCore tiling, run on the CPU: mica-f16 and
// mica-gpu-tile-contractions (block/warp foralls, K loop, A/B K-step tiles
// staged through (shared-memory) buffers, vectorized 16x16x16 tiles, the zero
// init written into the hoisted accumulator instead of a fill, row-major
// copies of transposed operands, compile-time transposed f16 weights) compute
// exactly what the untiled f32
// contractions compute. Inputs are multiples of 1/4 in [-1.5, 1.5] (exact in
// f16) and K <= 32, so every sum is exact and the outputs must be identical.
// The GPU mapping and the WMMA/mma.sync lowering are not exercised here (no
// GPU); see the lit tests of those passes.
// RUN: mica-opt %S/Inputs/contractions.mlir %linalg_to_llvm | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.ref
// The staged A/B tiles live in workgroup memory on the GPU; on the CPU they
// are plain buffers (the memory space is dropped before bufferization), and
// every warp iteration fills its own copy of the block's tile.
// RUN: mica-opt %S/Inputs/contractions.mlir --mica-f16 --mica-gpu-tile-contractions=remarks=0 --canonicalize \
// RUN:   --transform-preload-library="transform-library-paths=%S/Inputs/lower-contractions.mlir" \
// RUN:   --transform-interpreter \
// RUN:   | sed -e 's/{memory_space = #gpu.address_space<workgroup>}//' | mica-opt \
// RUN:   --one-shot-bufferize=bufferize-function-boundaries --scf-forall-to-for \
// RUN:   --convert-vector-to-scf --convert-linalg-to-loops --convert-scf-to-cf \
// RUN:   --expand-strided-metadata --lower-affine --convert-vector-to-llvm \
// RUN:   --finalize-memref-to-llvm --convert-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.tiled
// RUN: sed -e 's/base@ = 0x[0-9a-f]*//' %t.ref > %t.ref.data
// RUN: sed -e 's/base@ = 0x[0-9a-f]*//' %t.tiled > %t.tiled.data
// RUN: diff %t.ref.data %t.tiled.data
// RUN: FileCheck %s --input-file=%t.tiled
// And the tiling did happen (three TensorCore contractions):
// RUN: mica-opt %S/Inputs/contractions.mlir --mica-f16 --mica-gpu-tile-contractions=remarks=0 | FileCheck %s --check-prefix=TILED

// CHECK-COUNT-4: Unranked Memref
// TILED-NOT: linalg.fill
// TILED: bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>}
// TILED: linalg.copy
// TILED: linalg.copy
// TILED: vector.contract {{.*}} : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
// TILED: linalg.copy
// TILED: linalg.copy
// TILED: vector.contract {{.*}} : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
// TILED: linalg.copy
// TILED: linalg.copy
// TILED: vector.contract {{.*}} : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
// TILED: linalg.copy
// TILED: linalg.copy
// TILED: vector.contract {{.*}} : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
// The bias + relu of the last one is computed in its block loop (the
// epilogue), one element per thread from the block's C tile.
// TILED: } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
// TILED: scf.forall
// TILED: arith.addf
// TILED: arith.maximumf
// TILED: } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// TILED: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// TILED-NOT: vector.contract
// TILED-NOT: linalg.fill
