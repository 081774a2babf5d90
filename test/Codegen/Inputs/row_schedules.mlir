// Row-wise ops at shapes that exercise mica-cpu-fuse-rows (several rows,
// one row), mica-cpu-vectorize's splits (vocabulary rows longer than
// max-reduction, widths that are not a multiple of vector-width) and the
// online softmax of inputs of at least 8 MiB.
func.func @main(%x: tensor<3x50257xf32>, %y: tensor<64x768xf32>, %s: tensor<768xf32>, %b: tensor<768xf32>,
                %z: tensor<12x128x100xf32>, %v: tensor<1x250002xf32>, %w: tensor<2x8x1000xf32>, %k: tensor<64x768xf32>,
                %big: tensor<40x52429xf32>)
    -> (tensor<3x50257xf32>, tensor<64x768xf32>, tensor<12x128x100xf32>, tensor<3x50257xf32>, tensor<1x250002xf32>,
        tensor<2x8xf32>, tensor<2x8x1000xf32>, tensor<64x768xf32>, tensor<3xf32>, tensor<40x52429xf32>, tensor<40x52429xf32>) {
  %0 = mica.softmax %x {axis = 1 : i64} : tensor<3x50257xf32>
  %1 = mica.layer_norm %y scale(%s : tensor<768xf32>) bias(%b : tensor<768xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<64x768xf32> -> tensor<64x768xf32>
  %2 = mica.softmax %z {axis = 2 : i64} : tensor<12x128x100xf32>
  %3 = mica.log_softmax %x : tensor<3x50257xf32>
  %4 = mica.softmax %v {axis = 1 : i64} : tensor<1x250002xf32>
  %5 = mica.reduce mean %w {axes = array<i64: -1>, keepdims = false} : tensor<2x8x1000xf32> -> tensor<2x8xf32>
  %6 = mica.exp %w : tensor<2x8x1000xf32>
  %7 = mica.skip_layer_norm %y, %k, %s beta(%b : tensor<768xf32>) bias(%s : tensor<768xf32>) {epsilon = 1.0e-5 : f32} : tensor<64x768xf32>, tensor<64x768xf32>, tensor<768xf32> -> tensor<64x768xf32>
  %8 = mica.reduce max %x {axes = array<i64: 1>, keepdims = false} : tensor<3x50257xf32> -> tensor<3xf32>
  // Over 8 MiB: the online max/sum (52429 = 819 x 64 + 13).
  %9 = mica.softmax %big {axis = 1 : i64} : tensor<40x52429xf32>
  %10 = mica.log_softmax %big : tensor<40x52429xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<3x50257xf32>, tensor<64x768xf32>, tensor<12x128x100xf32>, tensor<3x50257xf32>, tensor<1x250002xf32>,
        tensor<2x8xf32>, tensor<2x8x1000xf32>, tensor<64x768xf32>, tensor<3xf32>, tensor<40x52429xf32>, tensor<40x52429xf32>
}
