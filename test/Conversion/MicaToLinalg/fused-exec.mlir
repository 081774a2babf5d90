// The fused transformer ops run end to end (JIT) and match the reference
// evaluator: attention with bias and a broadcast mask, with an explicit
// scale, with one head; embed_layer_norm with segments,
// with position_ids, and with dynamic ids. (Dynamic attention is checked in
// fused.mlir only: upstream --expand-strided-metadata (LLVM 22) crashes on a
// memref.expand_shape whose dynamic output sizes are constants, which is what
// the dims of a tensor.cast from a static constant fold to here.)
// RUN: mica-opt %s --convert-mica-to-linalg %linalg_to_llvm \
// RUN:   | mlir-runner -e main -entry-point-result=void %mlir_runner_libs > %t.out
// RUN: mica-run --reference %s --entry f --print > %t.ref
// RUN: %python %S/Inputs/compare.py %t.ref %t.out | FileCheck %s
// CHECK: 6 outputs match

func.func @f() -> (tensor<2x3x4xf32>, tensor<1x5x6xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<?x?x4xf32>) {
  %x = mica.constant dense<[[[-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75]], [[1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0]]]> : tensor<2x3x4xf32>
  %w = mica.constant dense<[[-0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0], [0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0], [-1.0, 0.75, -0.25, -1.25], [0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5]]> : tensor<12x4xf32>
  %b = mica.constant dense<[0.25, -0.75, 1.0, 0.0, -1.0, 0.75, -0.25, -1.25, 0.5, -0.5, 1.25, 0.25]> : tensor<12xf32>
  %m = mica.constant dense<[[[[0.75, -0.25, -1.25]]], [[[0.5, -0.5, 1.25]]]]> : tensor<2x1x1x3xf32>
  %x2 = mica.constant dense<[[[1.25, 0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0, 0.75, -0.25]]]> : tensor<1x5x6xf32>
  %w2 = mica.constant dense<[[-1.0, 0.75, -0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75, -0.25, -1.25], [0.5, -0.5, 1.25, 0.25, -0.75, 1.0], [0.0, -1.0, 0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75, 1.0, 0.0], [-1.0, 0.75, -0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0, -1.0, 0.75], [-0.25, -1.25, 0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25, 0.25, -0.75]]> : tensor<18x6xf32>
  %ids = mica.constant dense<[[2, 2, 1], [0, 1, 0]]> : tensor<2x3xi64>
  %we = mica.constant dense<[[0.0, -1.0, 0.75, -0.25], [-1.25, 0.5, -0.5, 1.25], [0.25, -0.75, 1.0, 0.0]]> : tensor<3x4xf32>
  %pe = mica.constant dense<[[0.5, -0.5, 1.25, 0.25], [-0.75, 1.0, 0.0, -1.0], [0.75, -0.25, -1.25, 0.5], [-0.5, 1.25, 0.25, -0.75], [1.0, 0.0, -1.0, 0.75]]> : tensor<5x4xf32>
  %g = mica.constant dense<[1.0, 0.0, -1.0, 0.75]> : tensor<4xf32>
  %bt = mica.constant dense<[-1.25, 0.5, -0.5, 1.25]> : tensor<4xf32>
  %sid = mica.constant dense<[[0, 1, 0], [1, 0, 1]]> : tensor<2x3xi64>
  %se = mica.constant dense<[[-0.25, -1.25, 0.5, -0.5], [1.25, 0.25, -0.75, 1.0], [0.0, -1.0, 0.75, -0.25]]> : tensor<3x4xf32>
  %pid = mica.constant dense<[[1, 0, 1], [0, 1, 0]]> : tensor<2x3xi64>
  %xd = tensor.cast %x : tensor<2x3x4xf32> to tensor<?x?x4xf32>
  %idd = tensor.cast %ids : tensor<2x3xi64> to tensor<?x?xi64>
  %0 = mica.attention %x, %w bias(%b : tensor<12xf32>) mask(%m : tensor<2x1x1x3xf32>) {num_heads = 2 : i64} : tensor<2x3x4xf32>, tensor<12x4xf32> -> tensor<2x3x4xf32>
  %1 = mica.attention %x2, %w2 {num_heads = 3 : i64, scale = 0.25 : f32} : tensor<1x5x6xf32>, tensor<18x6xf32> -> tensor<1x5x6xf32>
  %2 = mica.attention %x, %w bias(%b : tensor<12xf32>) {num_heads = 1 : i64} : tensor<2x3x4xf32>, tensor<12x4xf32> -> tensor<2x3x4xf32>
  %3 = mica.embed_layer_norm %ids, %we, %pe, %g, %bt segment(%sid, %se : tensor<2x3xi64>, tensor<3x4xf32>) {epsilon = 1.0e-5 : f32} : tensor<2x3xi64>, tensor<3x4xf32>, tensor<5x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<2x3x4xf32>
  %4 = mica.embed_layer_norm %ids, %we, %pe, %g, %bt position_ids(%pid : tensor<2x3xi64>) {epsilon = 1.0e-5 : f32} : tensor<2x3xi64>, tensor<3x4xf32>, tensor<5x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<2x3x4xf32>
  %5 = mica.embed_layer_norm %idd, %we, %pe, %g, %bt {epsilon = 1.0e-5 : f32} : tensor<?x?xi64>, tensor<3x4xf32>, tensor<5x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<?x?x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3x4xf32>, tensor<1x5x6xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<?x?x4xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

func.func @main() {
  %r:6 = call @f() : () -> (tensor<2x3x4xf32>, tensor<1x5x6xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<?x?x4xf32>)
  %u0 = tensor.cast %r#0 : tensor<2x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<1x5x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<2x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<2x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<2x3x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<?x?x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  return
}
