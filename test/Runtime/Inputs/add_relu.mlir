// A small model for the C ABI test (c-abi.test): two f32 inputs with one
// dynamic and one static dim, an i64 input, and two outputs whose values are
// easy to predict:
//   sum  = relu(x + y)       (?x3 f32)
//   twice = ids + ids        (4 i64; unnamed: its position is its name)
func.func @main(%x: tensor<?x3xf32> {mica.name = "x"},
                %y: tensor<?x3xf32> {mica.name = "y"},
                %ids: tensor<4xi64> {mica.name = "ids"})
    -> (tensor<?x3xf32> {mica.name = "sum"}, tensor<4xi64>) {
  %0 = mica.add %x, %y : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %1 = mica.relu %0 : tensor<?x3xf32>
  %2 = mica.add %ids, %ids : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %1, %2 : tensor<?x3xf32>, tensor<4xi64>
}
