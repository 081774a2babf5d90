// Numerics of mica-gpu-reductions, run on the CPU: with `emulate=1` the pass
// emits the very partition and combine steps of its kernels (rows on
// blocks, threads striding over a row, per-thread online-softmax and Welford
// states, their merge across threads, the per-block states and the combine
// pass of split rows) as sequential loops over blocks and threads, and
// gpu.all_reduce / gpu.subgroup_reduce as loops over the threads' states.
// The results must match the plain linalg lowering within fp32 tolerances
// (rtol 1e-4, atol 1e-5; the sums run in another order). Inputs/reductions.mlir
// covers softmax with a warp, a block and 25 blocks (2 x 50257) per row,
// layer norm with a warp, a block (values around 100) and 10 blocks
// (1 x 20000) per row, skip + layer norm, reduce max/sum/mean (2 outer dims,
// keepdims; the division by the row length in the kernel), dynamic rows
// and row lengths, and rows walked in unrolled groups of 4 (skip + layer
// norm over 4 x 768 with a warp, softmax over 2 x 2048 with a block; on the
// GPU these rows stay in registers between the passes, emulated each pass
// loads them again).
// What this does not check: the GPU launch itself (thread ids, barriers,
// shuffles) — see cuda-reductions-exec.test.
// RUN: mica-opt %S/Inputs/reductions.mlir --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.ref
// RUN: mica-opt %S/Inputs/reductions.mlir --convert-mica-to-linalg --canonicalize --cse \
// RUN:   --mica-cpu-fuse-elementwise --canonicalize --mica-gpu-reductions=emulate=1 %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.emulated
// RUN: %python %S/Inputs/compare-memrefs.py %t.ref %t.emulated | FileCheck %s
// CHECK: 14 outputs match
// Every reduction was rewritten: none is left to the SIMT path.
// RUN: mica-opt %S/Inputs/reductions.mlir --convert-mica-to-linalg --canonicalize --cse \
// RUN:   --mica-cpu-fuse-elementwise --canonicalize --mica-gpu-reductions=emulate=1 2>&1 \
// RUN:   | FileCheck %s --check-prefix=IR
// IR-NOT: remark
// IR-NOT: "reduction"
// IR-NOT: gpu.launch
// IR: func.func @main
