// matmul, dense, conv and pooling against numpy and PyTorch
// (Inputs/ref.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py matmul_dense %t/mm
// RUN: mica-run %s --reference --entry matmul_dense --test-data-dir %t/mm --check | FileCheck %s --check-prefix=MM
// RUN: %python %S/Inputs/ref.py conv %t/conv
// RUN: mica-run %s --reference --entry conv --test-data-dir %t/conv --check | FileCheck %s --check-prefix=CONV
// RUN: %python %S/Inputs/ref.py pool %t/pool
// RUN: mica-run %s --reference --entry pool --test-data-dir %t/pool --check | FileCheck %s --check-prefix=POOL

// MM-COUNT-5: PASS
// MM-NOT: FAIL
func.func @matmul_dense(%a: tensor<2x1x3x5xf32>, %b: tensor<4x5x6xf32>,
                        %x: tensor<2x3x5xf32>, %w: tensor<7x5xf32>,
                        %bias: tensor<7xf32>, %ia: tensor<3x4xi32>,
                        %ib: tensor<4x2xi32>)
    -> (tensor<2x4x3x6xf32>, tensor<2x3x7xf32>, tensor<2x3x7xf32>,
        tensor<2x3x7xf32>, tensor<3x2xi32>) {
  %0 = mica.matmul %a, %b : (tensor<2x1x3x5xf32>, tensor<4x5x6xf32>)
      -> tensor<2x4x3x6xf32>
  %1 = mica.dense %x, %w bias(%bias : tensor<7xf32>)
      {activation = #mica<activation relu>}
      : tensor<2x3x5xf32>, tensor<7x5xf32> -> tensor<2x3x7xf32>
  %2 = mica.dense %x, %w bias(%bias : tensor<7xf32>)
      {activation = #mica<activation gelu>}
      : tensor<2x3x5xf32>, tensor<7x5xf32> -> tensor<2x3x7xf32>
  %3 = mica.dense %x, %w bias(%bias : tensor<7xf32>)
      {activation = #mica<activation gelu_tanh>}
      : tensor<2x3x5xf32>, tensor<7x5xf32> -> tensor<2x3x7xf32>
  %4 = mica.matmul %ia, %ib : (tensor<3x4xi32>, tensor<4x2xi32>)
      -> tensor<3x2xi32>
  return %0, %1, %2, %3, %4 : tensor<2x4x3x6xf32>, tensor<2x3x7xf32>,
      tensor<2x3x7xf32>, tensor<2x3x7xf32>, tensor<3x2xi32>
}

// Grouped, dilated, strided 2-D conv with asymmetric pads; a 1-D conv.
// CONV-COUNT-2: PASS
// CONV-NOT: FAIL
func.func @conv(%x: tensor<2x4x7x8xf32>, %w: tensor<6x2x3x2xf32>,
                %b: tensor<6xf32>, %x1: tensor<1x3x9xf32>,
                %w1: tensor<2x3x3xf32>)
    -> (tensor<2x6x4x7xf32>, tensor<1x2x5xf32>) {
  %0 = mica.conv %x, %w bias(%b : tensor<6xf32>) {strides = array<i64: 2, 1>,
      dilations = array<i64: 1, 2>, pads = array<i64: 2, 1, 1, 0>,
      group = 2 : i64} : tensor<2x4x7x8xf32>, tensor<6x2x3x2xf32>
      -> tensor<2x6x4x7xf32>
  %1 = mica.conv %x1, %w1 {strides = array<i64: 2>,
      dilations = array<i64: 1>, pads = array<i64: 1, 1>}
      : tensor<1x3x9xf32>, tensor<2x3x3xf32> -> tensor<1x2x5xf32>
  return %0, %1 : tensor<2x6x4x7xf32>, tensor<1x2x5xf32>
}

// POOL-COUNT-5: PASS
// POOL-NOT: FAIL
func.func @pool(%x: tensor<1x2x7x6xf32>)
    -> (tensor<1x2x4x4xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>,
        tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) {
  %0 = mica.pool max %x {kernel = array<i64: 3, 3>,
      strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
      dilations = array<i64: 1, 1>, ceil_mode = true}
      : tensor<1x2x7x6xf32> -> tensor<1x2x4x4xf32>
  %1 = mica.pool avg %x {kernel = array<i64: 3, 3>,
      strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
      dilations = array<i64: 1, 1>, count_include_pad = true}
      : tensor<1x2x7x6xf32> -> tensor<1x2x4x3xf32>
  %2 = mica.pool avg %x {kernel = array<i64: 3, 3>,
      strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
      dilations = array<i64: 1, 1>}
      : tensor<1x2x7x6xf32> -> tensor<1x2x4x3xf32>
  %3 = mica.global_pool avg %x : tensor<1x2x7x6xf32> -> tensor<1x2x1x1xf32>
  %4 = mica.global_pool max %x : tensor<1x2x7x6xf32> -> tensor<1x2x1x1xf32>
  return %0, %1, %2, %3, %4 : tensor<1x2x4x4xf32>, tensor<1x2x4x3xf32>,
      tensor<1x2x4x3xf32>, tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>
}
