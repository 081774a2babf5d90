// gather/scatter families and resize against numpy and PyTorch
// (Inputs/ref.py).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py gather_scatter %t/gs
// RUN: mica-run %s --reference --entry gather_scatter --test-data-dir %t/gs --check | FileCheck %s --check-prefix=GS
// RUN: %python %S/Inputs/ref.py resize %t/rs
// RUN: mica-run %s --reference --entry resize --test-data-dir %t/rs --check | FileCheck %s --check-prefix=RS

// GS-COUNT-4: PASS
// GS-NOT: FAIL
func.func @gather_scatter(%x: tensor<5x4xf32>, %idx: tensor<2x2xi64>,
                          %ge: tensor<3x2xi64>, %upd: tensor<3x2xf32>,
                          %ndi: tensor<2x1xi64>, %ndu: tensor<2x4xf32>)
    -> (tensor<2x2x4xf32>, tensor<3x2xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
  %0 = mica.gather %x, %idx {axis = 0 : i64}
      : (tensor<5x4xf32>, tensor<2x2xi64>) -> tensor<2x2x4xf32>
  %1 = mica.gather_elements %x, %ge {axis = 0 : i64}
      : (tensor<5x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %2 = mica.scatter_elements %x, %ge, %upd
      {axis = 0 : i64, reduction = #mica<scatter add>}
      : (tensor<5x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<5x4xf32>
  %3 = mica.scatter_nd %x, %ndi, %ndu
      : (tensor<5x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<5x4xf32>
  return %0, %1, %2, %3 : tensor<2x2x4xf32>, tensor<3x2xf32>,
      tensor<5x4xf32>, tensor<5x4xf32>
}

// RS-COUNT-3: PASS
// RS-NOT: FAIL
func.func @resize(%x: tensor<1x2x3x4xf32>)
    -> (tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x8xf32>) {
  %0 = mica.resize nearest %x {scales = array<f64: 1.0, 1.0, 2.0, 1.5>,
      coordinate_transformation_mode = #mica<coord asymmetric>,
      nearest_mode = #mica<nearest floor>}
      : tensor<1x2x3x4xf32> -> tensor<1x2x6x6xf32>
  %1 = mica.resize linear %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
      : tensor<1x2x3x4xf32> -> tensor<1x2x6x8xf32>
  %2 = mica.resize linear %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>,
      coordinate_transformation_mode = #mica<coord align_corners>}
      : tensor<1x2x3x4xf32> -> tensor<1x2x6x8xf32>
  return %0, %1, %2 : tensor<1x2x6x6xf32>, tensor<1x2x6x8xf32>,
      tensor<1x2x6x8xf32>
}
