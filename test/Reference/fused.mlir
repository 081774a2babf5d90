// Transformer fused ops against their unfused numpy definitions
// (Inputs/ref.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py fused %t/fused
// RUN: mica-run %s --reference --entry fused --test-data-dir %t/fused --check | FileCheck %s --check-prefix=FUSED
// RUN: %python %S/Inputs/ref.py attention %t/attn
// RUN: mica-run %s --reference --entry attention --test-data-dir %t/attn --check | FileCheck %s --check-prefix=ATTN

// FUSED-COUNT-4: PASS
// FUSED-NOT: FAIL
func.func @fused(%x: tensor<2x3x8xf32>, %s: tensor<2x3x8xf32>, %g: tensor<8xf32>,
                 %be: tensor<8xf32>, %bi: tensor<8xf32>, %ids: tensor<2x3xi64>,
                 %seg: tensor<2x3xi64>, %word: tensor<5x8xf32>,
                 %pos: tensor<6x8xf32>, %segemb: tensor<2x8xf32>)
    -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<2x3x8xf32>,
        tensor<2x3x8xf32>) {
  %0 = mica.bias_gelu %x, %bi : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %1 = mica.bias_gelu %x, %bi {approximate = #mica<gelu tanh>}
      : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %2 = mica.skip_layer_norm %x, %s, %g beta(%be : tensor<8xf32>)
      bias(%bi : tensor<8xf32>) {epsilon = 1.0e-12 : f32}
      : tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<8xf32> -> tensor<2x3x8xf32>
  %3 = mica.embed_layer_norm %ids, %word, %pos, %g, %be
      segment(%seg, %segemb : tensor<2x3xi64>, tensor<2x8xf32>)
      {epsilon = 1.0e-12 : f32}
      : tensor<2x3xi64>, tensor<5x8xf32>, tensor<6x8xf32>, tensor<8xf32>,
        tensor<8xf32> -> tensor<2x3x8xf32>
  return %0, %1, %2, %3 : tensor<2x3x8xf32>, tensor<2x3x8xf32>,
      tensor<2x3x8xf32>, tensor<2x3x8xf32>
}

// Packed [3E, E] weight, additive mask [B, 1, 1, S], default and explicit
// scale.
// ATTN-COUNT-2: PASS
// ATTN-NOT: FAIL
func.func @attention(%x: tensor<2x4x8xf32>, %w: tensor<24x8xf32>,
                     %b: tensor<24xf32>, %mask: tensor<2x1x1x4xf32>)
    -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %0 = mica.attention %x, %w bias(%b : tensor<24xf32>)
      mask(%mask : tensor<2x1x1x4xf32>) {num_heads = 2 : i64}
      : tensor<2x4x8xf32>, tensor<24x8xf32> -> tensor<2x4x8xf32>
  %1 = mica.attention %x, %w bias(%b : tensor<24xf32>)
      {num_heads = 2 : i64, scale = 0.25 : f32}
      : tensor<2x4x8xf32>, tensor<24x8xf32> -> tensor<2x4x8xf32>
  return %0, %1 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}
