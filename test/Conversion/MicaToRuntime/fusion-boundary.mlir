// An external call is a fusion boundary and nothing more: the elementwise
// ops around it fuse exactly as they do around the native matmul it
// replaces (add+tanh before, sigmoid+mul after), and the exp+neg chain that
// straddles the call in program order still fuses into one generic.
// RUN: mica-opt %s --convert-mica-to-runtime="extern=none" --convert-mica-to-linalg --canonicalize --mica-cpu-fuse-elementwise --canonicalize | FileCheck %s --check-prefixes=CHECK,NATIVE
// RUN: mica-opt %s --convert-mica-to-runtime="extern=onednn remarks=false" --convert-mica-to-linalg --canonicalize --mica-cpu-fuse-elementwise --canonicalize | FileCheck %s --check-prefixes=CHECK,EXTERN

// CHECK-LABEL: func.func @boundary
// CHECK:         %[[PRE:.*]] = linalg.generic
// CHECK:           arith.addf
// CHECK-NEXT:      math.tanh
// CHECK-NEXT:      linalg.yield
// NATIVE:        %[[MM:.*]] = linalg.matmul {{.*}} ins(%[[PRE]],
// EXTERN:        bufferization.to_buffer %[[PRE]] read_only
// EXTERN:        call @mica_dnnl_matmul
// EXTERN:        %[[MM:.*]] = bufferization.to_tensor
// CHECK:         linalg.generic {{.*}} ins(%[[MM]] :
// CHECK:           arith.negf
// CHECK-NEXT:      math.exp
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      arith.divf
// CHECK-NEXT:      arith.mulf
// CHECK-NEXT:      linalg.yield
// CHECK:         linalg.generic {{.*}} ins(%arg0 :
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      math.exp
// CHECK-NEXT:      arith.negf
// CHECK-NEXT:      linalg.yield
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @boundary(%x: tensor<4x64xf32>, %y: tensor<4x64xf32>) -> (tensor<4x32xf32>, tensor<4x64xf32>) {
  %w = mica.constant dense<0.5> : tensor<32x64xf32>
  %a = mica.add %x, %y : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %t = mica.tanh %a : tensor<4x64xf32>
  %p = mica.exp %x : tensor<4x64xf32>
  %d = mica.dense %t, %w : tensor<4x64xf32>, tensor<32x64xf32> -> tensor<4x32xf32>
  %s = mica.sigmoid %d : tensor<4x32xf32>
  %m = mica.mul %s, %s : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %q = mica.neg %p : tensor<4x64xf32>
  return %m, %q : tensor<4x32xf32>, tensor<4x64xf32>
}

// The same around an LSTM: the input projection (add+relu) stays one
// generic feeding the call, the two outputs' consumers fuse after it.
// CHECK-LABEL: func.func @around_lstm
// CHECK:         %[[IN:.*]] = linalg.generic
// CHECK:           arith.addf
// CHECK-NEXT:      arith.cmpf
// CHECK-NEXT:      arith.select
// CHECK-NEXT:      linalg.yield
// NATIVE:        scf.for
// EXTERN:        bufferization.to_buffer %[[IN]] read_only
// EXTERN-NEXT:   memref.cast
// EXTERN:        call @mica_dnnl_lstm
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %arg2 :
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      math.tanh
// CHECK-NEXT:      arith.mulf
// CHECK-NEXT:      linalg.yield
// CHECK:         return
func.func @around_lstm(%x: tensor<3x2x4xf32>, %bias: tensor<4xf32>, %s: tensor<1x2x8xf32>) -> tensor<1x2x8xf32> {
  %w = mica.constant dense<0.1> : tensor<1x32x4xf32>
  %r = mica.constant dense<0.2> : tensor<1x32x8xf32>
  %a = mica.add %x, %bias : (tensor<3x2x4xf32>, tensor<4xf32>) -> tensor<3x2x4xf32>
  %in = mica.relu %a : tensor<3x2x4xf32>
  %y, %yh, %yc = mica.lstm %in, %w, %r {direction = #mica<direction forward>, hidden_size = 8 : i64} : tensor<3x2x4xf32>, tensor<1x32x4xf32>, tensor<1x32x8xf32> -> tensor<3x1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>
  %t = mica.tanh %yh : tensor<1x2x8xf32>
  %o = mica.mul %t, %s : (tensor<1x2x8xf32>, tensor<1x2x8xf32>) -> tensor<1x2x8xf32>
  return %o : tensor<1x2x8xf32>
}
