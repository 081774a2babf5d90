// RUN: mica-opt %s | FileCheck %s
// Round trip through the generic form must give the same module back.
// RUN: mica-opt %s --mlir-print-op-generic | mica-opt | FileCheck %s
// RUN: mica-opt %s --emit-bytecode | mica-opt | FileCheck %s

// CHECK-LABEL: func.func @structure
func.func @structure(%x: tensor<2x3x4xf32>, %d: tensor<?x768xf32>,
                     %s: tensor<3xi64>, %i: tensor<2x2xi64>,
                     %c: tensor<2x3x4xi1>) {
  // CHECK: mica.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = mica.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: mica.constant dense_resource<blob1> : tensor<2xi32>
  %1 = mica.constant dense_resource<blob1> : tensor<2xi32>
  // CHECK: mica.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = mica.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: mica.reshape %{{.*}} shape(%{{.*}} : tensor<3xi64>) : tensor<?x768xf32> -> tensor<?x12x64xf32>
  %3 = mica.reshape %d shape(%s : tensor<3xi64>) : tensor<?x768xf32> -> tensor<?x12x64xf32>
  // CHECK: mica.transpose %{{.*}} [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %4 = mica.transpose %x [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: mica.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %5 = mica.concat %x, %x {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  // CHECK: mica.split %{{.*}} {axis = 2 : i64, sizes = array<i64: 1, 3>} : tensor<2x3x4xf32> -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  %6:2 = mica.split %x {axis = 2 : i64, sizes = array<i64: 1, 3>} : tensor<2x3x4xf32> -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  // CHECK: mica.slice %{{.*}} {axes = array<i64: 2>, ends = array<i64: 4>, starts = array<i64: 0>, steps = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3x2xf32>
  %7 = mica.slice %x {axes = array<i64: 2>, starts = array<i64: 0>, ends = array<i64: 4>, steps = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3x2xf32>
  // CHECK: mica.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x2x2x4xf32>
  %8 = mica.gather %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x2x2x4xf32>
  // CHECK: mica.gather_elements %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<6x4xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  %9 = mica.gather_elements %2, %i {axis = 0 : i64} : (tensor<6x4xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  // CHECK: mica.expand %{{.*}} : tensor<2x3x4xf32> -> tensor<5x2x3x4xf32>
  %10 = mica.expand %x : tensor<2x3x4xf32> -> tensor<5x2x3x4xf32>
  // CHECK: mica.pad %{{.*}} reflect {pads = array<i64: 0, 1, 1, 0, 1, 1>} : tensor<2x3x4xf32> -> tensor<2x5x6xf32>
  %11 = mica.pad %x reflect {pads = array<i64: 0, 1, 1, 0, 1, 1>} : tensor<2x3x4xf32> -> tensor<2x5x6xf32>
  // CHECK: mica.tile %{{.*}} {multiples = array<i64: 1, 2, 3>} : tensor<2x3x4xf32> -> tensor<2x6x12xf32>
  %12 = mica.tile %x {multiples = array<i64: 1, 2, 3>} : tensor<2x3x4xf32> -> tensor<2x6x12xf32>
  // CHECK: mica.cast %{{.*}} : tensor<2x3x4xf32> -> tensor<2x3x4xbf16>
  %13 = mica.cast %x : tensor<2x3x4xf32> -> tensor<2x3x4xbf16>
  // CHECK: mica.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3x4xi1>, tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %f4 = mica.constant dense<0.5> : tensor<4xf32>
  %14 = mica.where %c, %x, %f4 : (tensor<2x3x4xi1>, tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK: mica.one_hot %{{.*}} {depth = 5 : i64} : tensor<2x2xi64> -> tensor<2x2x5xf32>
  %15 = mica.one_hot %i {depth = 5 : i64} : tensor<2x2xi64> -> tensor<2x2x5xf32>
  %z = mica.constant dense<0> : tensor<i64>
  %n = mica.constant dense<10> : tensor<i64>
  // CHECK: mica.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %16 = mica.range %z, %n, %n : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK: mica.shape_of %{{.*}} : tensor<?x768xf32> -> tensor<2xi64>
  %17 = mica.shape_of %d : tensor<?x768xf32> -> tensor<2xi64>
  // CHECK: mica.fill %{{.*}} {value = 0.000000e+00 : f16} : tensor<2xi64> -> tensor<?x768xf16>
  %18 = mica.fill %17 {value = 0.0 : f16} : tensor<2xi64> -> tensor<?x768xf16>
  return
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x4xf32>, %y: tensor<4xf32>,
                       %a: tensor<3xi64>, %p: tensor<3xi1>) {
  // CHECK: mica.exp %{{.*}} : tensor<?x4xf32>
  %0 = mica.exp %x : tensor<?x4xf32>
  // CHECK: mica.log
  %1 = mica.log %x : tensor<?x4xf32>
  // CHECK: mica.sqrt
  %2 = mica.sqrt %x : tensor<?x4xf32>
  // CHECK: mica.rsqrt
  %3 = mica.rsqrt %x : tensor<?x4xf32>
  // CHECK: mica.reciprocal
  %4 = mica.reciprocal %x : tensor<?x4xf32>
  // CHECK: mica.erf
  %5 = mica.erf %x : tensor<?x4xf32>
  // CHECK: mica.tanh
  %6 = mica.tanh %x : tensor<?x4xf32>
  // CHECK: mica.sigmoid
  %7 = mica.sigmoid %x : tensor<?x4xf32>
  // CHECK: mica.floor
  %8 = mica.floor %x : tensor<?x4xf32>
  // CHECK: mica.ceil
  %9 = mica.ceil %x : tensor<?x4xf32>
  // CHECK: mica.round
  %10 = mica.round %x : tensor<?x4xf32>
  // CHECK: mica.sin
  %11 = mica.sin %x : tensor<?x4xf32>
  // CHECK: mica.cos
  %12 = mica.cos %x : tensor<?x4xf32>
  // CHECK: mica.neg %{{.*}} : tensor<3xi64>
  %13 = mica.neg %a : tensor<3xi64>
  // CHECK: mica.abs
  %14 = mica.abs %x : tensor<?x4xf32>
  // CHECK: mica.sign
  %15 = mica.sign %a : tensor<3xi64>
  // CHECK: mica.relu
  %16 = mica.relu %x : tensor<?x4xf32>
  // CHECK: mica.not %{{.*}} : tensor<3xi1>
  %17 = mica.not %p : tensor<3xi1>
  // CHECK: mica.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %18 = mica.leaky_relu %x {alpha = 0.1 : f32} : tensor<?x4xf32>
  // CHECK: mica.elu %{{.*}} : tensor<?x4xf32>
  %19 = mica.elu %x {alpha = 1.0 : f32} : tensor<?x4xf32>
  // CHECK: mica.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64}
  %20 = mica.clip %x {min = 0.0, max = 6.0} : tensor<?x4xf32>
  // CHECK: mica.gelu %{{.*}} : tensor<?x4xf32>
  %21 = mica.gelu %x : tensor<?x4xf32>
  // CHECK: mica.gelu %{{.*}} approximate = tanh : tensor<?x4xf32>
  %22 = mica.gelu %x approximate = tanh : tensor<?x4xf32>
  // CHECK: mica.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %23 = mica.add %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.sub
  %24 = mica.sub %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.mul
  %25 = mica.mul %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.div
  %26 = mica.div %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.pow
  %27 = mica.pow %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.max
  %28 = mica.max %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.min
  %29 = mica.min %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: mica.mod %{{.*}}, %{{.*}} {fmod = true} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %30 = mica.mod %a, %a {fmod = true} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK: mica.and
  %31 = mica.and %p, %p : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  // CHECK: mica.or
  %32 = mica.or %p, %p : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  // CHECK: mica.xor
  %33 = mica.xor %p, %p : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  // CHECK: mica.compare le, %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  %34 = mica.compare le, %x, %y : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xi1>
  return
}

// CHECK-LABEL: func.func @contraction
func.func @contraction(%q: tensor<1x12x128x64xf32>, %k: tensor<12x64x128xf32>,
                       %x: tensor<?x64xf32>, %w: tensor<128x64xf32>,
                       %b: tensor<128xf32>, %img: tensor<1x4x8x8xf32>,
                       %f: tensor<8x2x3x3xf32>) {
  // CHECK: mica.matmul %{{.*}}, %{{.*}} : (tensor<1x12x128x64xf32>, tensor<12x64x128xf32>) -> tensor<1x12x128x128xf32>
  %0 = mica.matmul %q, %k : (tensor<1x12x128x64xf32>, tensor<12x64x128xf32>) -> tensor<1x12x128x128xf32>
  // CHECK: mica.dense %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<128xf32>) {activation = #mica<activation relu>} : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  %1 = mica.dense %x, %w bias(%b : tensor<128xf32>) {activation = #mica<activation relu>} : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  // CHECK: mica.dense %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  %2 = mica.dense %x, %w : tensor<?x64xf32>, tensor<128x64xf32> -> tensor<?x128xf32>
  // CHECK: mica.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32> -> tensor<1x8x4x4xf32>
  %3 = mica.conv %img, %f {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32> -> tensor<1x8x4x4xf32>
  // CHECK: mica.pool max %{{.*}} {{.*}} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %4 = mica.pool max %img {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: mica.pool avg %{{.*}} {{.*}}ceil_mode = true{{.*}} : tensor<1x4x8x8xf32> -> tensor<1x4x3x3xf32>
  %5 = mica.pool avg %img {kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x4x8x8xf32> -> tensor<1x4x3x3xf32>
  // CHECK: mica.global_pool avg %{{.*}} : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  %6 = mica.global_pool avg %img : tensor<1x4x8x8xf32> -> tensor<1x4x1x1xf32>
  return
}

// CHECK-LABEL: func.func @reduction
func.func @reduction(%x: tensor<2x?x8xf32>, %g: tensor<8xf32>,
                     %img: tensor<1x4x8x8xf32>, %c: tensor<4xf32>,
                     %i: tensor<2x1x8xi64>) {
  // CHECK: mica.reduce mean %{{.*}} {axes = array<i64: -1>} : tensor<2x?x8xf32> -> tensor<2x?x1xf32>
  %0 = mica.reduce mean %x {axes = array<i64: -1>, keepdims = true} : tensor<2x?x8xf32> -> tensor<2x?x1xf32>
  // CHECK: mica.reduce l2 %{{.*}} {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x?x8xf32> -> tensor<?xf32>
  %1 = mica.reduce l2 %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x?x8xf32> -> tensor<?xf32>
  // CHECK: mica.argmax %{{.*}} {axis = 2 : i64, keepdims = false} : tensor<2x?x8xf32> -> tensor<2x?xi64>
  %2 = mica.argmax %x {axis = 2 : i64, keepdims = false} : tensor<2x?x8xf32> -> tensor<2x?xi64>
  // CHECK: mica.argmin %{{.*}} {axis = 0 : i64, select_last_index = true} : tensor<2x?x8xf32> -> tensor<1x?x8xi64>
  %3 = mica.argmin %x {axis = 0 : i64, select_last_index = true} : tensor<2x?x8xf32> -> tensor<1x?x8xi64>
  // CHECK: mica.softmax %{{.*}} : tensor<2x?x8xf32>
  %4 = mica.softmax %x {axis = -1 : i64} : tensor<2x?x8xf32>
  // CHECK: mica.log_softmax %{{.*}} {axis = 1 : i64} : tensor<2x?x8xf32>
  %5 = mica.log_softmax %x {axis = 1 : i64} : tensor<2x?x8xf32>
  // CHECK: mica.cumsum %{{.*}} {axis = 1 : i64, reverse = true} : tensor<2x?x8xf32>
  %6 = mica.cumsum %x {axis = 1 : i64, reverse = true} : tensor<2x?x8xf32>
  // CHECK: mica.topk %{{.*}} {k = 3 : i64} : tensor<2x?x8xf32> -> tensor<2x?x3xf32>, tensor<2x?x3xi64>
  %7:2 = mica.topk %x {k = 3 : i64} : tensor<2x?x8xf32> -> tensor<2x?x3xf32>, tensor<2x?x3xi64>
  // CHECK: mica.layer_norm %{{.*}} scale(%{{.*}} : tensor<8xf32>) bias(%{{.*}} : tensor<8xf32>) {epsilon = 9.99999996E-13 : f32} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
  %8 = mica.layer_norm %x scale(%g : tensor<8xf32>) bias(%g : tensor<8xf32>) {epsilon = 1.0e-12 : f32} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
  // CHECK: mica.layer_norm %{{.*}} : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
  %9 = mica.layer_norm %x : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
  // CHECK: mica.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %10 = mica.batch_norm %img, %c, %c, %c, %c : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: mica.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = #mica<scatter add>}
  %11 = mica.scatter_elements %x, %i, %x {axis = 1 : i64, reduction = #mica<scatter add>} : (tensor<2x?x8xf32>, tensor<2x1x8xi64>, tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  %idx = mica.constant dense<[[0], [1]]> : tensor<2x1xi64>
  %upd = mica.constant dense<1.0> : tensor<2x4x8x8xf32>
  %big = mica.constant dense<0.0> : tensor<3x4x8x8xf32>
  // CHECK: mica.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4x8x8xf32>, tensor<2x1xi64>, tensor<2x4x8x8xf32>) -> tensor<3x4x8x8xf32>
  %12 = mica.scatter_nd %big, %idx, %upd : (tensor<3x4x8x8xf32>, tensor<2x1xi64>, tensor<2x4x8x8xf32>) -> tensor<3x4x8x8xf32>
  // CHECK: mica.resize linear %{{.*}} {{.*}} : tensor<1x4x8x8xf32> -> tensor<1x4x16x16xf32>
  %13 = mica.resize linear %img {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, coordinate_transformation_mode = #mica<coord align_corners>} : tensor<1x4x8x8xf32> -> tensor<1x4x16x16xf32>
  return
}

// CHECK-LABEL: func.func @fused
func.func @fused(%x: tensor<1x128x768xf32>, %b: tensor<768xf32>,
                 %w3: tensor<2304x768xf32>, %b3: tensor<2304xf32>,
                 %mask: tensor<1x1x1x128xf32>, %ids: tensor<1x128xi64>,
                 %wemb: tensor<1000x768xf32>, %pemb: tensor<512x768xf32>,
                 %semb: tensor<2x768xf32>) {
  // CHECK: mica.bias_gelu %{{.*}}, %{{.*}} {approximate = #mica<gelu tanh>} : (tensor<1x128x768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %0 = mica.bias_gelu %x, %b {approximate = #mica<gelu tanh>} : (tensor<1x128x768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  // CHECK: mica.skip_layer_norm %{{.*}}, %{{.*}}, %{{.*}} beta(%{{.*}} : tensor<768xf32>) bias(%{{.*}} : tensor<768xf32>)
  %1 = mica.skip_layer_norm %x, %0, %b beta(%b : tensor<768xf32>) bias(%b : tensor<768xf32>) : tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<768xf32> -> tensor<1x128x768xf32>
  // CHECK: mica.embed_layer_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} segment(%{{.*}}, %{{.*}} : tensor<1x128xi64>, tensor<2x768xf32>)
  %2 = mica.embed_layer_norm %ids, %wemb, %pemb, %b, %b segment(%ids, %semb : tensor<1x128xi64>, tensor<2x768xf32>) : tensor<1x128xi64>, tensor<1000x768xf32>, tensor<512x768xf32>, tensor<768xf32>, tensor<768xf32> -> tensor<1x128x768xf32>
  // CHECK: mica.attention %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<2304xf32>) mask(%{{.*}} : tensor<1x1x1x128xf32>) {num_heads = 12 : i64} : tensor<1x128x768xf32>, tensor<2304x768xf32> -> tensor<1x128x768xf32>
  %3 = mica.attention %x, %w3 bias(%b3 : tensor<2304xf32>) mask(%mask : tensor<1x1x1x128xf32>) {num_heads = 12 : i64} : tensor<1x128x768xf32>, tensor<2304x768xf32> -> tensor<1x128x768xf32>
  return
}

// CHECK-LABEL: func.func @recurrent
func.func @recurrent(%x: tensor<10x?x16xf32>, %w: tensor<2x128x16xf32>,
                     %r: tensor<2x128x32xf32>, %b: tensor<2x256xf32>,
                     %h: tensor<2x?x32xf32>, %gw: tensor<1x96x16xf32>,
                     %gr: tensor<1x96x32xf32>, %lens: tensor<?xi32>) {
  // CHECK: mica.lstm %{{.*}}, %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<2x256xf32>) initial_h(%{{.*}} : tensor<2x?x32xf32>) initial_c(%{{.*}} : tensor<2x?x32xf32>) {direction = #mica<direction bidirectional>, hidden_size = 32 : i64} : tensor<10x?x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> -> tensor<10x2x?x32xf32>, tensor<2x?x32xf32>, tensor<2x?x32xf32>
  %0:3 = mica.lstm %x, %w, %r bias(%b : tensor<2x256xf32>) initial_h(%h : tensor<2x?x32xf32>) initial_c(%h : tensor<2x?x32xf32>) {direction = #mica<direction bidirectional>, hidden_size = 32 : i64} : tensor<10x?x16xf32>, tensor<2x128x16xf32>, tensor<2x128x32xf32> -> tensor<10x2x?x32xf32>, tensor<2x?x32xf32>, tensor<2x?x32xf32>
  // CHECK: mica.gru %{{.*}}, %{{.*}}, %{{.*}} sequence_lens(%{{.*}} : tensor<?xi32>) {direction = #mica<direction reverse>, hidden_size = 32 : i64, linear_before_reset = true} : tensor<10x?x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> -> tensor<10x1x?x32xf32>, tensor<1x?x32xf32>
  %1:2 = mica.gru %x, %gw, %gr sequence_lens(%lens : tensor<?xi32>) {direction = #mica<direction reverse>, hidden_size = 32 : i64, linear_before_reset = true} : tensor<10x?x16xf32>, tensor<1x96x16xf32>, tensor<1x96x32xf32> -> tensor<10x1x?x32xf32>, tensor<1x?x32xf32>
  return
}

{-#
  dialect_resources: {
    builtin: {
      blob1: "0x040000000100000002000000"
    }
  }
#-}
