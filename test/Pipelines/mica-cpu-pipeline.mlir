// RUN: mica-opt %s --mica-cpu-pipeline | FileCheck %s
// RUN: mica-opt %s --mica-cpu-pipeline=threads=2 | FileCheck %s --check-prefix=OMP

// A small mica model all the way to the LLVM dialect with the C ABI of
// include/mica/Runtime/MicaModel.h.
// CHECK-NOT: mica.
// CHECK-NOT: func.func
// CHECK-LABEL: llvm.func @main(
// CHECK: llvm.intr.fmuladd{{.*}}vector<16xf32>
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// CHECK: llvm.mlir.global external constant @mica_model_signature("in\09x\09f32\092\09-1 32\0Aout\09y\09f32\092\09-1 48\0A\00")
// CHECK-LABEL: llvm.func @mica_model_entry(
// CHECK: llvm.call @_mlir_ciface_main(
// CHECK-LABEL: llvm.func @mica_model_create()
// CHECK: llvm.call @mica_model_create_from(
// CHECK-NOT: mica.model_signature =

// Two threads: the kernel's scf.forall becomes an OpenMP parallel region,
// lowered to LLVM (omp.parallel stays an op of the OpenMP dialect on LLVM
// types until translation).
// OMP-LABEL: llvm.func @main(
// OMP: omp.parallel
// OMP: omp.wsloop
// OMP: omp.loop_nest
// OMP-LABEL: llvm.func @mica_model_create()
func.func @main(%x: tensor<?x32xf32> {mica.name = "x"}) -> (tensor<?x48xf32> {mica.name = "y"}) {
  %w = mica.constant dense<0.5> : tensor<48x32xf32>
  %b = mica.constant dense<0.25> : tensor<48xf32>
  %0 = mica.dense %x, %w bias(%b : tensor<48xf32>) {activation = #mica<activation relu>} : tensor<?x32xf32>, tensor<48x32xf32> -> tensor<?x48xf32>
  return %0 : tensor<?x48xf32>
}
