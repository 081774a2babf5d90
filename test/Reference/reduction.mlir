// Reductions, arg reductions, softmax, cumsum, topk and normalizations
// against numpy (Inputs/ref.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py reductions %t/red
// RUN: mica-run %s --reference --entry reductions --test-data-dir %t/red --check | FileCheck %s --check-prefix=RED
// RUN: %python %S/Inputs/ref.py arg_cumsum_topk %t/arg
// RUN: mica-run %s --reference --entry arg_cumsum_topk --test-data-dir %t/arg --check --atol 0 --rtol 0 | FileCheck %s --check-prefix=ARG
// RUN: %python %S/Inputs/ref.py norms %t/norm
// RUN: mica-run %s --reference --entry norms --test-data-dir %t/norm --check | FileCheck %s --check-prefix=NORM

// RED-COUNT-11: PASS
// RED-NOT: FAIL
func.func @reductions(%x: tensor<3x4x5xf32>)
    -> (tensor<3x5xf32>, tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xf32>,
        tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x4x5xf32>, tensor<3x4x5xf32>) {
  %0 = mica.reduce sum %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %1 = mica.reduce mean %x {axes = array<i64: 0, 2>} : tensor<3x4x5xf32> -> tensor<1x4x1xf32>
  %2 = mica.reduce max %x {axes = array<i64: -1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x4xf32>
  %3 = mica.reduce min %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %4 = mica.reduce prod %x {axes = array<i64: 2>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x4xf32>
  %5 = mica.reduce l1 %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %6 = mica.reduce l2 %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %7 = mica.reduce sum_square %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %8 = mica.reduce log_sum_exp %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4x5xf32> -> tensor<3x5xf32>
  %9 = mica.softmax %x {axis = 1 : i64} : tensor<3x4x5xf32>
  %10 = mica.log_softmax %x : tensor<3x4x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<3x5xf32>,
      tensor<1x4x1xf32>, tensor<3x4xf32>, tensor<3x5xf32>, tensor<3x4xf32>,
      tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
      tensor<3x4x5xf32>, tensor<3x4x5xf32>
}

// ARG-COUNT-6: PASS
// ARG-NOT: FAIL
func.func @arg_cumsum_topk(%x: tensor<2x4xf32>)
    -> (tensor<2xi64>, tensor<2x1xi64>, tensor<4xi64>, tensor<2x4xf32>,
        tensor<2x2xf32>, tensor<2x2xi64>) {
  %0 = mica.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x4xf32> -> tensor<2xi64>
  %1 = mica.argmax %x {axis = 1 : i64, select_last_index = true} : tensor<2x4xf32> -> tensor<2x1xi64>
  %2 = mica.argmin %x {axis = 0 : i64, keepdims = false} : tensor<2x4xf32> -> tensor<4xi64>
  %3 = mica.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<2x4xf32>
  %v, %i = mica.topk %x {k = 2 : i64} : tensor<2x4xf32> -> tensor<2x2xf32>, tensor<2x2xi64>
  return %0, %1, %2, %3, %v, %i : tensor<2xi64>, tensor<2x1xi64>,
      tensor<4xi64>, tensor<2x4xf32>, tensor<2x2xf32>, tensor<2x2xi64>
}

// NORM-COUNT-3: PASS
// NORM-NOT: FAIL
func.func @norms(%x: tensor<2x3x8xf32>, %g: tensor<3x8xf32>, %b: tensor<3x8xf32>,
                 %bx: tensor<2x3x4xf32>, %s: tensor<3xf32>, %bb: tensor<3xf32>,
                 %m: tensor<3xf32>, %v: tensor<3xf32>)
    -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<2x3x4xf32>) {
  %0 = mica.layer_norm %x scale(%g : tensor<3x8xf32>) bias(%b : tensor<3x8xf32>)
      {axis = 1 : i64} : tensor<2x3x8xf32> -> tensor<2x3x8xf32>
  %1 = mica.layer_norm %x : tensor<2x3x8xf32> -> tensor<2x3x8xf32>
  %2 = mica.batch_norm %bx, %s, %bb, %m, %v {epsilon = 1.0e-3 : f32}
      : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>,
         tensor<3xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2 : tensor<2x3x8xf32>, tensor<2x3x8xf32>, tensor<2x3x4xf32>
}
