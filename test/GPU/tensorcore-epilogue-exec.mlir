// Numerics of the fused epilogue, run on the CPU: mica-f16 and
// mica-gpu-tile-contractions turn the dense layer + bias + erf GELU of
// Inputs/epilogues.mlir (read through an expand_shape) into one block loop:
// staged A/B tiles, the warp tiles unrolled to 16x16x16, the zero init in
// the accumulators, the block's C tile in a (shared-memory) buffer, the
// bias and GELU one element per (thread) iteration from it. The result must
// be identical to the untiled f32 layer (exact products and sums, the same
// f32 epilogue arithmetic and libm erf on both sides). The GPU mapping is
// not exercised here (no GPU).
// RUN: mica-opt %S/Inputs/epilogues.mlir %linalg_to_llvm | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.ref
// RUN: mica-opt %S/Inputs/epilogues.mlir --mica-f16 --mica-gpu-tile-contractions=remarks=0 --canonicalize \
// RUN:   --transform-preload-library="transform-library-paths=%S/Inputs/lower-contractions.mlir" \
// RUN:   --transform-interpreter \
// RUN:   | sed -e 's/{memory_space = #gpu.address_space<workgroup>}//' | mica-opt \
// RUN:   --one-shot-bufferize=bufferize-function-boundaries --scf-forall-to-for \
// RUN:   --convert-vector-to-scf --convert-math-to-funcs --convert-linalg-to-loops --convert-scf-to-cf \
// RUN:   --expand-strided-metadata --lower-affine --convert-vector-to-llvm \
// RUN:   --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --finalize-memref-to-llvm --convert-to-llvm --reconcile-unrealized-casts \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.tiled
// RUN: sed -e 's/base@ = 0x[0-9a-f]*//' %t.ref > %t.ref.data
// RUN: sed -e 's/base@ = 0x[0-9a-f]*//' %t.tiled > %t.tiled.data
// RUN: diff %t.ref.data %t.tiled.data
// RUN: FileCheck %s --input-file=%t.tiled
// And the epilogue was fused (no linalg.generic left after the tiling, the
// GELU computed in the thread loop of the block):
// RUN: mica-opt %S/Inputs/epilogues.mlir --mica-f16 --mica-gpu-tile-contractions=remarks=0 | FileCheck %s --check-prefix=TILED

// CHECK: Unranked Memref {{.*}} rank = 3 {{.*}} sizes = [1, 32, 64]
// TILED-LABEL: func.func @f
// TILED: bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<32x64xf32>
// TILED: vector.contract
// TILED: } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
// TILED: math.erf
// TILED: } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// TILED: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// TILED-NOT: linalg.matmul
// TILED-LABEL: func.func @main
