// A small contraction model for the GPU model-library tests (cuda-lib*.test):
// a dense layer with constant weights and a ReLU, attention-like scores of
// two activations (Q K^T, batched) and a softmax over them. Every
// contraction has M, N, K multiples of 16 (TensorCores in fp16).
func.func @main(%x: tensor<32x64xf32> {mica.name = "x"},
                %q: tensor<2x32x64xf32> {mica.name = "q"},
                %k: tensor<2x64x32xf32> {mica.name = "k"})
    -> (tensor<32x48xf32> {mica.name = "dense"},
        tensor<2x32x32xf32> {mica.name = "probs"}) {
  %w = mica.constant dense<[[0.25, -0.5, 0.125, 0.75]]> : tensor<1x4xf32>
  %wt = mica.tile %w {multiples = array<i64: 48, 16>} : tensor<1x4xf32> -> tensor<48x64xf32>
  %b = mica.constant dense<0.0625> : tensor<48xf32>
  %d = mica.dense %x, %wt bias(%b : tensor<48xf32>) {activation = #mica<activation relu>} : tensor<32x64xf32>, tensor<48x64xf32> -> tensor<32x48xf32>
  %s = mica.matmul %q, %k : (tensor<2x32x64xf32>, tensor<2x64x32xf32>) -> tensor<2x32x32xf32>
  %p = mica.softmax %s {axis = -1 : i64} : tensor<2x32x32xf32>
  return %d, %p : tensor<32x48xf32>, tensor<2x32x32xf32>
}
