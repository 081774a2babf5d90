// RUN: mica-opt %s --split-input-file --mica-cpu-prepare-abi -verify-diagnostics | FileCheck %s
// The entry option names the model function: with entry=b the module with
// two public functions compiles, and the first case has no 'b'.
// RUN: not mica-opt %s --split-input-file --mica-cpu-prepare-abi=entry=b 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: no model function: expected 'b', found 1 public functions
// ENTRY: mica.model_entry = "b", mica.model_signature = "in\090\09f32\091\094\0Aout\090\09f32\091\094\0A"
// ENTRY: func.func @a(
// ENTRY-NOT: llvm.emit_c_interface
// ENTRY: func.func @b(
// ENTRY-SAME: llvm.emit_c_interface

// The signature lists names (mica.name, else the position), dtypes, ranks
// and dims (-1 dynamic); main gets a C interface, the names are dropped.
// CHECK: module attributes {mica.model_entry = "main", mica.model_signature = "in\09ids\09i64\092\09-1 16\0Ain\091\09f32\091\094\0Aout\09logits\09f32\092\09-1 4\0A"}
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%{{.*}}: tensor<?x16xi64>, %{{.*}}: tensor<4xf32>) -> tensor<?x4xf32> attributes {llvm.emit_c_interface}
// CHECK-NOT: mica.name
func.func @main(%ids: tensor<?x16xi64> {mica.name = "ids"}, %b: tensor<4xf32>) -> (tensor<?x4xf32> {mica.name = "logits"}) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %ids, %c0 : tensor<?x16xi64>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  return %e : tensor<?x4xf32>
}

// -----

// Without a main, the only public function is the model.
// CHECK: module attributes {mica.model_entry = "model", mica.model_signature = "in\090\09bool\090\09\0Aout\090\09bf16\091\092\0A"}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface
// CHECK-LABEL: func.func @model
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func private @helper(%x: tensor<2xbf16>) -> tensor<2xbf16> {
  return %x : tensor<2xbf16>
}
func.func @model(%p: tensor<i1>) -> tensor<2xbf16> {
  %c = arith.constant dense<1.0> : tensor<2xbf16>
  return %c : tensor<2xbf16>
}

// -----

// An element type the C ABI cannot carry.
// expected-error @below {{model in 0 has type 'tensor<4xf64>', which the C ABI of compiled models cannot carry}}
func.func @main(%x: tensor<4xf64>) -> tensor<4xf64> {
  return %x : tensor<4xf64>
}

// -----

// An unranked result.
// expected-error @below {{model out 0 has type 'tensor<*xf32>'}}
func.func @main(%x: tensor<4xf32>) -> tensor<*xf32> {
  %0 = tensor.cast %x : tensor<4xf32> to tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Two public functions and no main.
// expected-error @below {{no model function: expected 'main' or a single public function, found 2 public functions}}
module {
  func.func @a(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
  func.func @b(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// No function at all.
// expected-error @below {{no model function: expected 'main' or a single public function, found 0 public functions}}
module {
}
