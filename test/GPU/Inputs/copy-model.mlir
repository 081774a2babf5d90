// A model without kernels (cuda-lib.test): an input reshaped (a view of the
// input's device copy) and a constant (its device copy). Through the fake
// driver, which runs no kernels but does copy memory, both come back
// exactly: a check of the host side's data flow (input upload, descriptors,
// device constants, output download).
func.func @main(%x: tensor<2x6xf32> {mica.name = "x"})
    -> (tensor<3x4xf32> {mica.name = "reshaped"},
        tensor<4xi64> {mica.name = "table"}) {
  %r = mica.reshape %x : tensor<2x6xf32> -> tensor<3x4xf32>
  %t = mica.constant dense<[7, -1, 42, 5]> : tensor<4xi64>
  return %r, %t : tensor<3x4xf32>, tensor<4xi64>
}
