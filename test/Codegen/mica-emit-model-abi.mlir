// RUN: mica-opt %s --split-input-file --mica-emit-model-abi -verify-diagnostics | FileCheck %s

// The signature string (NUL-terminated), the entry that unpacks void **args
// into the C wrapper's pointer parameters, and mica_model_create.
// CHECK: module {
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// CHECK: llvm.mlir.global external constant @mica_model_signature("in\09x\09f32\091\094\0Aout\090\09f32\091\094\0A\00")
// CHECK-LABEL: llvm.func @mica_model_entry(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_main(%[[P0]], %[[P1]])
// CHECK: llvm.func @mica_model_create_from(!llvm.ptr, !llvm.ptr) -> !llvm.ptr
// CHECK-LABEL: llvm.func @mica_model_create() -> !llvm.ptr
// CHECK: %[[SIG:.*]] = llvm.mlir.addressof @mica_model_signature
// CHECK: %[[ENTRY:.*]] = llvm.mlir.addressof @mica_model_entry
// CHECK: %[[M:.*]] = llvm.call @mica_model_create_from(%[[SIG]], %[[ENTRY]])
// CHECK: llvm.return %[[M]] : !llvm.ptr
module attributes {mica.model_entry = "main", mica.model_signature = "in\09x\09f32\091\094\0Aout\090\09f32\091\094\0A"} {
  llvm.func @_mlir_ciface_main(%out: !llvm.ptr, %in: !llvm.ptr) {
    llvm.return
  }
}

// -----

// Without mica-cpu-prepare-abi's attributes.
// expected-error @below {{mica-emit-model-abi needs the attributes written by mica-cpu-prepare-abi}}
module {
  llvm.func @_mlir_ciface_main(%out: !llvm.ptr) {
    llvm.return
  }
}

// -----

// Before the conversion to LLVM: no C wrapper yet.
// expected-error @below {{mica-emit-model-abi: no '_mlir_ciface_main' (run after the conversion to LLVM)}}
module attributes {mica.model_entry = "main", mica.model_signature = "out\090\09f32\091\094\0A"} {
  func.func @main() {
    return
  }
}

// -----

// A wrapper parameter that is not a pointer.
// expected-error @below {{mica-emit-model-abi: parameter 1 of '_mlir_ciface_main' is not a pointer}}
module attributes {mica.model_entry = "main", mica.model_signature = "out\090\09f32\091\094\0A"} {
  llvm.func @_mlir_ciface_main(%out: !llvm.ptr, %n: i64) {
    llvm.return
  }
}
