// RUN: mica-opt %s --split-input-file --mica-cpu-plan-buffers="remarks=1" -verify-diagnostics | FileCheck %s
// RUN: sed 's/expected-remark/remark/' %s | mica-opt --split-input-file --mica-cpu-plan-buffers="max-arena-bytes=4096" 2>/dev/null | FileCheck %s --check-prefix=CAP

// %a and %b live at the same time (%b is written from %a): different
// offsets. %c is allocated after %a's dealloc: it reuses %a's bytes. The
// arena is one 64-byte aligned i8 buffer freed before the return.

// CHECK-LABEL: func.func @reuse
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8192xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<8192xi8> to memref<1024xf32>
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<8192xi8> to memref<16x64xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK-NOT: memref.dealloc %[[B]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
// With arenas of at most 4096 bytes, the two buffers live at the same time
// go to two arenas (%c reuses the first); a buffer above the cap keeps its
// own allocation.
// CAP-LABEL: func.func @reuse
// CAP: %[[A0:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4096xi8>
// CAP: %[[A1:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4096xi8>
// CAP: memref.view %[[A0]][%c0{{.*}}][] : memref<4096xi8> to memref<1024xf32>
// CAP: memref.view %[[A1]][%c0{{.*}}][] : memref<4096xi8> to memref<1024xf32>
// CAP: memref.view %[[A0]][%c0{{.*}}][] : memref<4096xi8> to memref<16x64xf32>
// CAP: memref.dealloc %[[A0]]
// CAP: memref.dealloc %[[A1]]
// CAP-NEXT: return
// expected-remark @below {{planned 3 buffers into 1 arena(s) of 8192 bytes (12288 bytes as separate allocations)}}
func.func @reuse(%x: memref<1024xf32>, %y: memref<16x64xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<1024xf32>
  memref.copy %a, %b : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %a : memref<1024xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<16x64xf32>
  %bc = memref.reinterpret_cast %b to offset: [0], sizes: [16, 64], strides: [64, 1] : memref<1024xf32> to memref<16x64xf32>
  memref.copy %bc, %c : memref<16x64xf32> to memref<16x64xf32>
  memref.dealloc %b : memref<1024xf32>
  memref.copy %c, %y : memref<16x64xf32> to memref<16x64xf32>
  memref.dealloc %c : memref<16x64xf32>
  return
}

// -----

// A buffer of a sequential loop's body lives, for the plan, as long as the
// loop: one slot for all iterations, no malloc per iteration. A buffer of a
// parallel loop's body (one per iteration, at the same time) gets one slot
// per iteration in a buffer around the loop, which itself goes into the
// arena (disjoint from the first loop's: both at offset 0). A dynamic buffer
// and one handed to the caller keep their allocations.

// CHECK-LABEL: func.func @loops
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
// CHECK: scf.for
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<1024xi8> to memref<64xf32>
// CHECK-NOT: memref.dealloc %view
// CHECK: %[[SLOTS:.*]] = memref.view %[[ARENA]][%{{.*}}][] : memref<1024xi8> to memref<1024xi8>
// CHECK: scf.forall (%[[J:.*]]) in (4)
// CHECK: %[[OFF:.*]] = arith.muli %[[J]], %{{.*}} : index
// CHECK: memref.view %[[SLOTS]][%[[OFF]]][] : memref<1024xi8> to memref<64xf32>
// CHECK-NOT: memref.dealloc
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<8xf32>
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return %[[OUT]]
// expected-remark @below {{planned 2 buffers into 1 arena(s) of 1024 bytes (1280 bytes as separate allocations)}}
func.func @loops(%x: memref<64xf32>, %n: index) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<64xf32>
    memref.copy %x, %t : memref<64xf32> to memref<64xf32>
    memref.copy %t, %x : memref<64xf32> to memref<64xf32>
    memref.dealloc %t : memref<64xf32>
  }
  scf.forall (%j) in (4) {
    %p = memref.alloc() : memref<64xf32>
    memref.copy %x, %p : memref<64xf32> to memref<64xf32>
    memref.dealloc %p : memref<64xf32>
  }
  %d = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %d : memref<?xf32>
  %out = memref.alloc() : memref<8xf32>
  return %out : memref<8xf32>
}

// -----

// Nothing to plan: no arena, no remark.

// CHECK-LABEL: func.func @none
// CHECK-NOT: memref.view
// CHECK: memref.alloc() : memref<8xf32>
func.func @none() -> memref<8xf32> {
  %out = memref.alloc() : memref<8xf32>
  return %out : memref<8xf32>
}

// -----

// CAP-LABEL: func.func @too_big
// CAP: memref.alloc() : memref<2048xf32>
// CAP-NOT: memref.view
// expected-remark @below {{planned 1 buffers into 1 arena(s) of 8192 bytes (8192 bytes as separate allocations)}}
func.func @too_big(%x: memref<2048xf32>) {
  %t = memref.alloc() : memref<2048xf32>
  memref.copy %x, %t : memref<2048xf32> to memref<2048xf32>
  memref.dealloc %t : memref<2048xf32>
  return
}

// -----

// Per-iteration slots only for static loop bounds, and only while all slots
// fit in an arena: a dynamic trip count, and a 2-D loop whose 4 x 8 slots of
// 256 bytes exceed the CAP run's 4096-byte arenas, keep malloc (the default
// cap takes the 2-D loop: slot (i, j) at (i * 8 + j) * 256). A buffer of
// more than 1 KiB per iteration keeps malloc, which hands back the same
// cache-hot block each time.

// CHECK-LABEL: func.func @parallel_kept
// CHECK: scf.forall (%{{.*}}) in (%{{.*}})
// CHECK-NEXT: memref.alloc() : memref<64xf32>
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) in (4, 8)
// CHECK: %[[L:.*]] = arith.muli %[[I]], %c8
// CHECK: %[[K:.*]] = arith.addi %[[L]], %[[J]]
// CHECK: arith.muli %[[K]], %c256
// CHECK: memref.view
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK-NEXT: memref.alloc() : memref<512xf32>
// CAP-LABEL: func.func @parallel_kept
// CAP: scf.forall (%{{.*}}) in (%{{.*}})
// CAP-NEXT: memref.alloc() : memref<64xf32>
// CAP: scf.forall (%{{.*}}, %{{.*}}) in (4, 8)
// CAP-NEXT: memref.alloc() : memref<64xf32>
// expected-remark @below {{planned 1 buffers into 1 arena(s) of 8192 bytes (8192 bytes as separate allocations)}}
func.func @parallel_kept(%x: memref<64xf32>, %n: index) {
  scf.forall (%j) in (%n) {
    %p = memref.alloc() : memref<64xf32>
    memref.copy %x, %p : memref<64xf32> to memref<64xf32>
    memref.dealloc %p : memref<64xf32>
  }
  scf.forall (%i, %j) in (4, 8) {
    %q = memref.alloc() : memref<64xf32>
    memref.copy %x, %q : memref<64xf32> to memref<64xf32>
    memref.dealloc %q : memref<64xf32>
  }
  scf.forall (%k) in (4) {
    %r = memref.alloc() : memref<512xf32>
    memref.dealloc %r : memref<512xf32>
  }
  return
}
