// RUN: mica-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(mica-cpu-lower-dynamic-reshapes))' | FileCheck %s

// A group splitting one dim into two dynamic dims: a reinterpret_cast with
// row-major strides computed at run time.
// CHECK-LABEL: func.func @two_dynamic
// CHECK-SAME: (%[[M:.*]]: memref<?x64xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[ST:.*]] = arith.muli %[[S]], %[[C64]] : index
// CHECK: memref.reinterpret_cast %[[M]] to offset: [0], sizes: [%[[B]], %[[S]], 64], strides: [%[[ST]], 64, 1] : memref<?x64xf32> to memref<?x?x64xf32>
// CHECK-NOT: memref.expand_shape
func.func @two_dynamic(%m: memref<?x64xf32>, %b: index, %s: index) -> memref<?x?x64xf32> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %s, 64] : memref<?x64xf32> into memref<?x?x64xf32>
  return %e : memref<?x?x64xf32>
}

// -----

// One dynamic dim per group: left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic(%m: memref<?x64xf32>, %b: index) -> memref<?x4x64xf32> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, 4, 64] : memref<?x64xf32> into memref<?x4x64xf32>
  return %e : memref<?x4x64xf32>
}

// -----

// A strided source: not contiguous, left alone.
// CHECK-LABEL: func.func @strided
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @strided(%m: memref<?x64xf32, strided<[128, 1]>>, %b: index, %s: index) -> memref<?x?x64xf32, strided<[?, 128, 1]>> {
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %s, 64] : memref<?x64xf32, strided<[128, 1]>> into memref<?x?x64xf32, strided<[?, 128, 1]>>
  return %e : memref<?x?x64xf32, strided<[?, 128, 1]>>
}
