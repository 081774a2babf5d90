// Elementwise ops against numpy (Inputs/ref.py), and small hand-checked
// values through --print.

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py binary_broadcast %t/bin
// RUN: mica-run %s --reference --entry binary_broadcast --test-data-dir %t/bin --check | FileCheck %s --check-prefix=BIN
// RUN: %python %S/Inputs/ref.py unary_math %t/un
// RUN: mica-run %s --reference --entry unary_math --test-data-dir %t/un --check | FileCheck %s --check-prefix=UN
// RUN: %python %S/Inputs/ref.py int_arith %t/int
// RUN: mica-run %s --reference --entry int_arith --test-data-dir %t/int --check --atol 0 --rtol 0 | FileCheck %s --check-prefix=INT
// RUN: %python %S/Inputs/ref.py cast_round %t/cast
// RUN: mica-run %s --reference --entry cast_round --test-data-dir %t/cast --check --atol 0 --rtol 0 | FileCheck %s --check-prefix=CAST
// RUN: mica-run %s --reference --entry small_ints --print | FileCheck %s --check-prefix=SMALL

// BIN-COUNT-7: PASS
// BIN-NOT: FAIL
func.func @binary_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>,
        tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>,
        tensor<2x3x4xf32>) {
  %0 = mica.add %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %1 = mica.sub %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %2 = mica.mul %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %3 = mica.div %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %4 = mica.max %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %5 = mica.min %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %abs = mica.abs %a : tensor<2x3x4xf32>
  %6 = mica.pow %abs, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3x4xf32>, tensor<2x3x4xf32>,
      tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>,
      tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// UN-COUNT-16: PASS
// UN-NOT: FAIL
func.func @unary_math(%x: tensor<3x5xf32>, %p: tensor<3x5xf32>)
    -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>) {
  %0 = mica.exp %x : tensor<3x5xf32>
  %1 = mica.log %p : tensor<3x5xf32>
  %2 = mica.sqrt %p : tensor<3x5xf32>
  %3 = mica.rsqrt %p : tensor<3x5xf32>
  %4 = mica.tanh %x : tensor<3x5xf32>
  %5 = mica.sigmoid %x : tensor<3x5xf32>
  %6 = mica.erf %x : tensor<3x5xf32>
  %7 = mica.gelu %x : tensor<3x5xf32>
  %8 = mica.gelu %x approximate = tanh : tensor<3x5xf32>
  %9 = mica.leaky_relu %x {alpha = 0.1 : f32} : tensor<3x5xf32>
  %10 = mica.elu %x {alpha = 0.5 : f32} : tensor<3x5xf32>
  %11 = mica.clip %x {min = -0.5, max = 0.25} : tensor<3x5xf32>
  %12 = mica.sin %x : tensor<3x5xf32>
  %13 = mica.cos %x : tensor<3x5xf32>
  %14 = mica.floor %x : tensor<3x5xf32>
  %15 = mica.ceil %x : tensor<3x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15
      : tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>,
        tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>
}

// INT-COUNT-5: PASS
// INT-NOT: FAIL
func.func @int_arith(%a: tensor<6xi64>, %b: tensor<6xi64>)
    -> (tensor<6xi64>, tensor<6xi64>, tensor<6xi64>, tensor<6xi1>,
        tensor<6xi64>) {
  %0 = mica.mod %a, %b {fmod = true} : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  %1 = mica.mod %a, %b : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  %2 = mica.div %a, %b : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  %3 = mica.compare lt, %a, %b : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi1>
  %4 = mica.where %3, %a, %b : (tensor<6xi1>, tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  return %0, %1, %2, %3, %4 : tensor<6xi64>, tensor<6xi64>, tensor<6xi64>,
      tensor<6xi1>, tensor<6xi64>
}

// CAST-COUNT-4: PASS
// CAST-NOT: FAIL
func.func @cast_round(%x: tensor<8xf32>)
    -> (tensor<8xf32>, tensor<8xi32>, tensor<8xi1>, tensor<8xf32>) {
  %0 = mica.round %x : tensor<8xf32>
  %1 = mica.cast %x : tensor<8xf32> -> tensor<8xi32>
  %2 = mica.cast %x : tensor<8xf32> -> tensor<8xi1>
  %h = mica.cast %x : tensor<8xf32> -> tensor<8xf16>
  %3 = mica.cast %h : tensor<8xf16> -> tensor<8xf32>
  return %0, %1, %2, %3 : tensor<8xf32>, tensor<8xi32>, tensor<8xi1>,
      tensor<8xf32>
}

// Wrap-around of i8, sign/relu/neg on integers, boolean logic.
// SMALL: output 0: 3xi8 = [-126, 126, 0]
// SMALL: output 1: 3xi8 = [-1, 1, 0]
// SMALL: output 2: 3xi8 = [0, 126, 0]
// SMALL: output 3: 3xi8 = [-128, -127, 1]
// SMALL: output 4: 2xi1 = [false, true]
// SMALL: output 5: 2xi1 = [true, true]
// SMALL: output 6: 2xi1 = [true, true]
func.func @small_ints() -> (tensor<3xi8>, tensor<3xi8>, tensor<3xi8>,
                            tensor<3xi8>, tensor<2xi1>, tensor<2xi1>,
                            tensor<2xi1>) {
  %a = mica.constant dense<[127, 127, 0]> : tensor<3xi8>
  %b = mica.constant dense<[3, -1, 0]> : tensor<3xi8>
  %c = mica.constant dense<[-1, 0, 1]> : tensor<3xi8>
  %s = mica.add %a, %b : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  %sg = mica.sign %s : tensor<3xi8>
  %r = mica.relu %s : tensor<3xi8>
  %n0 = mica.neg %a : tensor<3xi8>
  %n = mica.add %n0, %c : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  %t = mica.constant dense<[true, false]> : tensor<2xi1>
  %f = mica.constant dense<[false, true]> : tensor<2xi1>
  %and = mica.and %t, %f : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %nt = mica.not %and : tensor<2xi1>
  %x = mica.xor %t, %f : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  %or = mica.or %f, %and : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %s, %sg, %r, %n, %or, %x, %nt : tensor<3xi8>, tensor<3xi8>,
      tensor<3xi8>, tensor<3xi8>, tensor<2xi1>, tensor<2xi1>, tensor<2xi1>
}
