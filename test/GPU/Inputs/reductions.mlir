// Softmax, layer norm, skip + layer norm and reduce ops over rows of every
// kind mica-gpu-reductions distinguishes (a warp per row, a block per row,
// rows split across blocks, dynamic dims, several outer dims), printed by
// @main. Used by mica-gpu-reductions-exec.mlir (CPU, emulated threads) and
// cuda-reductions-exec.test (GPU).

// v(i, j) = (((i * 37 + j * c) mod 97) - 48) / 8 + offset: in [-6, 6] + offset.
func.func @data(%rows: index, %cols: index, %c: index, %offset: f32) -> tensor<?x?xf32> {
  %e = tensor.empty(%rows, %cols) : tensor<?x?xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<?x?xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c37 = arith.constant 37 : index
    %c97 = arith.constant 97 : index
    %c48 = arith.constant 48 : index
    %a = arith.muli %i, %c37 : index
    %b = arith.muli %j, %c : index
    %s = arith.addi %a, %b : index
    %m = arith.remui %s, %c97 : index
    %v = arith.subi %m, %c48 : index
    %vi = arith.index_cast %v : index to i32
    %vf = arith.sitofp %vi : i32 to f32
    %q = arith.constant 0.125 : f32
    %y = arith.mulf %vf, %q : f32
    %z = arith.addf %y, %offset : f32
    linalg.yield %z : f32
  } -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

func.func @softmax_rows(%x: tensor<?x3000xf32>) -> tensor<?x3000xf32> {
  %s = mica.softmax %x {axis = 1 : i64} : tensor<?x3000xf32>
  return %s : tensor<?x3000xf32>
}

func.func @layer_norm_cols(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %l = mica.layer_norm %x {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<4x?xf32> -> tensor<4x?xf32>
  return %l : tensor<4x?xf32>
}

func.func @f() -> (tensor<4x1000xf32>, tensor<3x3000xf32>, tensor<2x50257xf32>,
                   tensor<16x64xf32>, tensor<2x3000xf32>, tensor<16x64xf32>,
                   tensor<3xf32>, tensor<1x1xf32>, tensor<1x20000xf32>,
                   tensor<2x3x1xf32>, tensor<?x3000xf32>, tensor<4x?xf32>,
                   tensor<4x768xf32>, tensor<2x2048xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c11 = arith.constant 11 : index
  %c13 = arith.constant 13 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c1000 = arith.constant 1000 : index
  %c3000 = arith.constant 3000 : index
  %c20000 = arith.constant 20000 : index
  %c50257 = arith.constant 50257 : index
  %zero = arith.constant 0.0 : f32
  %big = arith.constant 100.0 : f32
  // Softmax: a warp per row, a block per row, a row split across blocks.
  %d0 = call @data(%c4, %c1000, %c5, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x0 = tensor.cast %d0 : tensor<?x?xf32> to tensor<4x1000xf32>
  %s0 = mica.softmax %x0 {axis = 1 : i64} : tensor<4x1000xf32>
  %d1 = call @data(%c3, %c3000, %c7, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x1 = tensor.cast %d1 : tensor<?x?xf32> to tensor<3x3000xf32>
  %s1 = mica.softmax %x1 {axis = 1 : i64} : tensor<3x3000xf32>
  %d2 = call @data(%c2, %c50257, %c11, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x2 = tensor.cast %d2 : tensor<?x?xf32> to tensor<2x50257xf32>
  %s2 = mica.softmax %x2 {axis = 1 : i64} : tensor<2x50257xf32>
  // Layer norm: a warp per row; a block per row on values around 100
  // (Welford keeps the variance exact where sum of squares would cancel).
  %d3 = call @data(%c16, %c64, %c13, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x3 = tensor.cast %d3 : tensor<?x?xf32> to tensor<16x64xf32>
  %g64 = mica.constant dense<0.5> : tensor<64xf32>
  %b64 = mica.constant dense<0.25> : tensor<64xf32>
  %l0 = mica.layer_norm %x3 scale(%g64 : tensor<64xf32>) bias(%b64 : tensor<64xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<16x64xf32> -> tensor<16x64xf32>
  %d4 = call @data(%c2, %c3000, %c3, %big) : (index, index, index, f32) -> tensor<?x?xf32>
  %x4 = tensor.cast %d4 : tensor<?x?xf32> to tensor<2x3000xf32>
  %g3k = mica.constant dense<1.5> : tensor<3000xf32>
  %b3k = mica.constant dense<-0.5> : tensor<3000xf32>
  %l1 = mica.layer_norm %x4 scale(%g3k : tensor<3000xf32>) bias(%b3k : tensor<3000xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<2x3000xf32> -> tensor<2x3000xf32>
  // Skip + layer norm (BERT): the add runs in the same kernel.
  %d5 = call @data(%c16, %c64, %c7, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x5 = tensor.cast %d5 : tensor<?x?xf32> to tensor<16x64xf32>
  %sum5 = mica.add %x3, %x5 : (tensor<16x64xf32>, tensor<16x64xf32>) -> tensor<16x64xf32>
  %l2 = mica.layer_norm %sum5 scale(%g64 : tensor<64xf32>) bias(%b64 : tensor<64xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<16x64xf32> -> tensor<16x64xf32>
  // Reduce ops: max over block rows, sum over a split row, layer norm of a
  // split row, mean over a 3-D tensor (two outer dims), keepdims.
  %r0 = mica.reduce max %x1 {axes = array<i64: 1>, keepdims = false} : tensor<3x3000xf32> -> tensor<3xf32>
  %d6 = call @data(%c1, %c20000, %c6, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x6 = tensor.cast %d6 : tensor<?x?xf32> to tensor<1x20000xf32>
  %r1 = mica.reduce sum %x6 {axes = array<i64: 1>, keepdims = true} : tensor<1x20000xf32> -> tensor<1x1xf32>
  %g20k = mica.constant dense<2.0> : tensor<20000xf32>
  %b20k = mica.constant dense<0.5> : tensor<20000xf32>
  %l3 = mica.layer_norm %x6 scale(%g20k : tensor<20000xf32>) bias(%b20k : tensor<20000xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<1x20000xf32> -> tensor<1x20000xf32>
  %d7 = call @data(%c6, %c1000, %c13, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x7 = tensor.cast %d7 : tensor<?x?xf32> to tensor<6x1000xf32>
  %x7r = mica.reshape %x7 : tensor<6x1000xf32> -> tensor<2x3x1000xf32>
  %r2 = mica.reduce mean %x7r {axes = array<i64: 2>, keepdims = true} : tensor<2x3x1000xf32> -> tensor<2x3x1xf32>
  // Dynamic rows, dynamic row length (a block per row).
  %x8 = tensor.cast %x1 : tensor<3x3000xf32> to tensor<?x3000xf32>
  %s8 = call @softmax_rows(%x8) : (tensor<?x3000xf32>) -> tensor<?x3000xf32>
  %x9 = tensor.cast %x0 : tensor<4x1000xf32> to tensor<4x?xf32>
  %s9 = call @layer_norm_cols(%x9) : (tensor<4x?xf32>) -> tensor<4x?xf32>
  // Rows that stay in registers between the passes: a warp's 6 groups of 4
  // per lane (skip + layer norm over 768), a block's 2 (softmax over 2048).
  %c768 = arith.constant 768 : index
  %c2048 = arith.constant 2048 : index
  %d10 = call @data(%c4, %c768, %c5, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x10 = tensor.cast %d10 : tensor<?x?xf32> to tensor<4x768xf32>
  %d11 = call @data(%c4, %c768, %c11, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x11 = tensor.cast %d11 : tensor<?x?xf32> to tensor<4x768xf32>
  %sum10 = mica.add %x10, %x11 : (tensor<4x768xf32>, tensor<4x768xf32>) -> tensor<4x768xf32>
  %g768 = mica.constant dense<0.75> : tensor<768xf32>
  %b768 = mica.constant dense<0.125> : tensor<768xf32>
  %l10 = mica.layer_norm %sum10 scale(%g768 : tensor<768xf32>) bias(%b768 : tensor<768xf32>) {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<4x768xf32> -> tensor<4x768xf32>
  %d12 = call @data(%c2, %c2048, %c13, %zero) : (index, index, index, f32) -> tensor<?x?xf32>
  %x12 = tensor.cast %d12 : tensor<?x?xf32> to tensor<2x2048xf32>
  %s12 = mica.softmax %x12 {axis = 1 : i64} : tensor<2x2048xf32>
  return %s0, %s1, %s2, %l0, %l1, %l2, %r0, %r1, %l3, %r2, %s8, %s9, %l10, %s12
      : tensor<4x1000xf32>, tensor<3x3000xf32>, tensor<2x50257xf32>,
        tensor<16x64xf32>, tensor<2x3000xf32>, tensor<16x64xf32>,
        tensor<3xf32>, tensor<1x1xf32>, tensor<1x20000xf32>,
        tensor<2x3x1xf32>, tensor<?x3000xf32>, tensor<4x?xf32>,
        tensor<4x768xf32>, tensor<2x2048xf32>
}

func.func private @printMemrefF32(tensor<*xf32>)

func.func @main() {
  %r:14 = call @f() : () -> (tensor<4x1000xf32>, tensor<3x3000xf32>, tensor<2x50257xf32>,
                   tensor<16x64xf32>, tensor<2x3000xf32>, tensor<16x64xf32>,
                   tensor<3xf32>, tensor<1x1xf32>, tensor<1x20000xf32>,
                   tensor<2x3x1xf32>, tensor<?x3000xf32>, tensor<4x?xf32>,
                   tensor<4x768xf32>, tensor<2x2048xf32>)
  %u0 = tensor.cast %r#0 : tensor<4x1000xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<3x3000xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  %u2 = tensor.cast %r#2 : tensor<2x50257xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  %u3 = tensor.cast %r#3 : tensor<16x64xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  %u4 = tensor.cast %r#4 : tensor<2x3000xf32> to tensor<*xf32>
  call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
  %u5 = tensor.cast %r#5 : tensor<16x64xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %u6 = tensor.cast %r#6 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
  %u7 = tensor.cast %r#7 : tensor<1x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
  %u8 = tensor.cast %r#8 : tensor<1x20000xf32> to tensor<*xf32>
  call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
  %u9 = tensor.cast %r#9 : tensor<2x3x1xf32> to tensor<*xf32>
  call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
  %u10 = tensor.cast %r#10 : tensor<?x3000xf32> to tensor<*xf32>
  call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
  %u11 = tensor.cast %r#11 : tensor<4x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u11) : (tensor<*xf32>) -> ()
  %u12 = tensor.cast %r#12 : tensor<4x768xf32> to tensor<*xf32>
  call @printMemrefF32(%u12) : (tensor<*xf32>) -> ()
  %u13 = tensor.cast %r#13 : tensor<2x2048xf32> to tensor<*xf32>
  call @printMemrefF32(%u13) : (tensor<*xf32>) -> ()
  return
}
