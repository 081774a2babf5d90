// RUN: mica-opt %s --mica-gpu-tile-contractions=remarks=0 --split-input-file | FileCheck %s
// RUN: mica-opt %s --mica-gpu-tile-contractions --split-input-file -verify-diagnostics -o /dev/null
// RUN: mica-opt %s --mica-gpu-tile-contractions="gpu-arch=sm_80 remarks=0" --split-input-file | FileCheck %s --check-prefix=SM80
// RUN: mica-opt %s --mica-gpu-tile-contractions=remarks=0 --canonicalize --split-input-file | FileCheck %s --check-prefix=CANON
// RUN: mica-opt %s --mica-gpu-tile-contractions="remarks=0 shared-memory=0" --split-input-file | FileCheck %s --check-prefix=NOSHARED
// RUN: not mica-opt %s --mica-gpu-tile-contractions=gpu-arch=sm_60 --split-input-file 2>&1 | FileCheck %s --check-prefix=ARCH

// ARCH: error: mica-gpu-tile-contractions: unsupported gpu-arch 'sm_60' (supported: sm_70, sm_75, sm_80, sm_86, sm_89, sm_90)

// f16 x f16 -> f32, M = 64, N = 96, K = 128 with the sm_70 table row (2 x 2
// warps of 2 x 2 WMMA tiles): 64 x 32 blocks (N = 96 has room for one warp
// of 32 along N), warps of 32 x 32, K in steps of 16. The warp tile is
// unrolled to 16 x 16 x 16 (upstream vector unrolling): four
// vector.contracts per step on four accumulators read once before the K
// loop, carried in registers (vector iter_args) and written once after it.
// Each K step copies the block's 64 x 16 slice of A and 16 x 32 slice of B
// into workgroup buffers (rows padded by 8 elements against bank
// conflicts); the warps read their tiles from there.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (64, 96) step (64, 32)
// CHECK: %[[ABLK:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0] [64, 128] [1, 1]
// CHECK: %[[BBLK:.*]] = tensor.extract_slice %{{.*}}[0, %[[J]]] [128, 32] [1, 1]
// CHECK: scf.forall (%[[WI:.*]], %[[WJ:.*]]) = (0, 0) to (64, 32) step (32, 32)
// CHECK-COUNT-4: vector.transfer_read {{.*}} : tensor<32x32xf32>, vector<16x16xf32>
// CHECK: %[[LOOP:.*]]:5 = scf.for %[[K:.*]] = %c0 to %c128 step %c16 iter_args(%{{.*}} = %{{.*}}, %[[ACC3:.*]] = %{{.*}}, %[[ACC2:.*]] = %{{.*}}, %[[ACC1:.*]] = %{{.*}}, %[[ACC0:.*]] = %{{.*}})
// CHECK: %[[AK:.*]] = tensor.extract_slice %[[ABLK]][0, %[[K]]] [64, 16] [1, 1]
// CHECK: %[[ABUF:.*]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<64x24xf16>
// CHECK: %[[ADST:.*]] = tensor.extract_slice %[[ABUF]][0, 0] [64, 16] [1, 1]
// CHECK: %[[AS:.*]] = linalg.copy ins(%[[AK]] : tensor<64x16xf16>) outs(%[[ADST]] : tensor<64x16xf16>)
// CHECK: %[[AW:.*]] = tensor.extract_slice %[[AS]][%[[WI]], 0] [32, 16] [1, 1]
// CHECK: %[[BK:.*]] = tensor.extract_slice %[[BBLK]][%[[K]], 0] [16, 32] [1, 1]
// CHECK: bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<16x40xf16>
// CHECK: %[[BS:.*]] = linalg.copy ins(%[[BK]] : tensor<16x32xf16>)
// CHECK: %[[BW:.*]] = tensor.extract_slice %[[BS]][0, %[[WJ]]] [16, 32] [1, 1]
// CHECK: %[[A0:.*]] = vector.transfer_read %[[AW]][%c0, %c0]{{.*}} : tensor<32x16xf16>, vector<16x16xf16>
// CHECK: %[[A1:.*]] = vector.transfer_read %[[AW]][%c16, %c0]{{.*}} : tensor<32x16xf16>, vector<16x16xf16>
// CHECK: %[[B0:.*]] = vector.transfer_read %[[BW]][%c0, %c0]{{.*}} : tensor<16x32xf16>, vector<16x16xf16>
// CHECK: %[[B1:.*]] = vector.transfer_read %[[BW]][%c0, %c16]{{.*}} : tensor<16x32xf16>, vector<16x16xf16>
// CHECK: %[[D0:.*]] = vector.contract {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} %[[A0]], %[[B0]], %[[ACC0]] : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
// CHECK: %[[D1:.*]] = vector.contract {{.*}} %[[A0]], %[[B1]], %[[ACC1]]
// CHECK: %[[D2:.*]] = vector.contract {{.*}} %[[A1]], %[[B0]], %[[ACC2]]
// CHECK: %[[D3:.*]] = vector.contract {{.*}} %[[A1]], %[[B1]], %[[ACC3]]
// CHECK: scf.yield %{{.*}}, %[[D3]], %[[D2]], %[[D1]], %[[D0]]
// CHECK: vector.transfer_write %[[LOOP]]#4, %{{.*}}[%c0, %c0]
// CHECK: vector.transfer_write %[[LOOP]]#3, %{{.*}}[%c0, %c16]
// CHECK: vector.transfer_write %[[LOOP]]#2, %{{.*}}[%c16, %c0]
// CHECK: vector.transfer_write %[[LOOP]]#1, %{{.*}}[%c16, %c16]
// CHECK: } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// With mma.sync (sm_80+) a warp's 32 x 32 is 2 x 4 tiles of 16 x 8.
// SM80-LABEL: func.func @matmul
// SM80: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 96) step (64, 32)
// SM80: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 32) step (32, 32)
// SM80: scf.for {{.*}} -> (tensor<32x32xf32>, vector<16x8xf32>, vector<16x8xf32>, vector<16x8xf32>, vector<16x8xf32>, vector<16x8xf32>, vector<16x8xf32>, vector<16x8xf32>, vector<16x8xf32>)
// SM80: linalg.copy {{.*}} -> tensor<64x16xf16>
// SM80: linalg.copy {{.*}} -> tensor<16x32xf16>
// SM80-COUNT-8: vector.contract {{.*}} : vector<16x16xf16>, vector<16x8xf16> into vector<16x8xf32>
// Without shared-memory staging the warps read A and B directly.
// NOSHARED-LABEL: func.func @matmul
// NOSHARED-NOT: linalg.copy
// NOSHARED-NOT: alloc_tensor
// NOSHARED: vector.contract
func.func @matmul(%a: tensor<64x128xf16>, %b: tensor<128x96xf16>, %c: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x128xf16>, tensor<128x96xf16>) outs(%c : tensor<64x96xf32>) -> tensor<64x96xf32>
  return %r : tensor<64x96xf32>
}

// -----

// Constant weights indexed (n, k) (a dense layer): transposed at compile
// time to (k, n), so WMMA loads stay row-major. W[n][k] = 16 n + k, so the
// transposed blob holds 16 k + n at [k][n] (f16 0, 16, 32, ... = 0x0000,
// 0x4C00, 0x5000, ...).
// CHECK-LABEL: func.func @dense_weights
// CHECK: arith.constant dense_resource<mica_transposed> : tensor<16x16xf16>
// CHECK-NOT: linalg.transpose
// CHECK: vector.contract
// CHECK: mica_transposed: "0x080000000000004C0050005200540055005600570058805800598059005A805A005B805B003C404C2050205210541055105610570858885808598859085A885A085B885B0040804C4050405220542055205620571058905810599059105A905A105B905B0042C04C6050605230543055305630571858985818599859185A985A185B985B0044004D8050805240544055405640572058A0582059A059205AA05A205BA05B0045404DA050A05250545055505650572858A8582859A859285AA85A285BA85B0046804DC050C05260546055605660573058B0583059B059305AB05A305BB05B0047C04DE050E05270547055705670573858B8583859B859385AB85A385BB85B0048004E0051005380548055805680574058C0584059C059405AC05A405BC05B8048404E2051205390549055905690574858C8584859C859485AC85A485BC85B0049804E40514053A054A055A056A0575058D0585059D059505AD05A505BD05B8049C04E60516053B054B055B056B0575858D8585859D859585AD85A585BD85B004A004F80518053C054C055C056C0576058E0586059E059605AE05A605BE05B804A404FA051A053D054D055D056D0576858E8586859E859685AE85A685BE85B004B804FC051C053E054E055E056E0577058F0587059F059705AF05A705BF05B804BC04FE051E053F054F055F056F0577858F8587859F859785AF85A785BF85B"
#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @dense_weights(%x: tensor<16x16xf16>, %c: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %w = arith.constant dense_resource<w> : tensor<16x16xf16>
  %r = linalg.matmul indexing_maps = [#a, #bt, #c] ins(%x, %w : tensor<16x16xf16>, tensor<16x16xf16>) outs(%c : tensor<16x16xf32>) -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x020000000000003C0040004200440045004600470048804800498049004A804A004B804B004C404C804CC04C004D404D804DC04D004E404E804EC04E004F404F804FC04F00502050405060508050A050C050E05000512051405160518051A051C051E05100522052405260528052A052C052E05200532053405360538053A053C053E0530054105420543054405450546054705480549054A054B054C054D054E054F0540055105520553055405550556055705580559055A055B055C055D055E055F0550056105620563056405650566056705680569056A056B056C056D056E056F0560057105720573057405750576057705780579057A057B057C057D057E057F05700580858105818582058285830583858405848585058585860586858705878588058885890589858A058A858B058B858C058C858D058D858E058E858F058F85800590859105918592059285930593859405948595059585960596859705978598059885990599859A059A859B059B859C059C859D059D859E059E859F059F859005A085A105A185A205A285A305A385A405A485A505A585A605A685A705A785A805A885A905A985AA05AA85AB05AB85AC05AC85AD05AD85AE05AE85AF05AF85A005B085B105B185B205B285B305B385B405B485B505B585B605B685B705B785B805B885B905B985BA05BA85BB05BB85BC05BC85BD05BD85BE05BE85BF05BF85B"
    }
  }
#-}

// -----

// A transposed activation (attention's K^T) is copied once by
// linalg.transpose; the batch dim goes to blocks in z.
// CHECK-LABEL: func.func @scores
// CHECK: %[[KT:.*]] = linalg.transpose ins(%{{.*}} : tensor<4x16x32xf16>) outs(%{{.*}} : tensor<4x32x16xf16>) permutation = [0, 2, 1]
// CHECK: scf.forall {{.*}} = (0, 0, 0) to (4, 16, 16) step (1, 16, 16)
// CHECK: vector.contract {{.*}} : vector<16x16xf16>, vector<16x16xf16> into vector<16x16xf32>
// CHECK: {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
#q = affine_map<(b, m, n, k) -> (b, m, k)>
#k = affine_map<(b, m, n, k) -> (b, n, k)>
#s = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @scores(%q: tensor<4x16x32xf16>, %k: tensor<4x16x32xf16>, %c: tensor<4x16x16xf32>) -> tensor<4x16x16xf32> {
  %r = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<4x16x32xf16>, tensor<4x16x32xf16>) outs(%c : tensor<4x16x16xf32>) {
  ^bb0(%x: f16, %y: f16, %z: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %m = arith.mulf %xe, %ye : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16x16xf32>
  return %r : tensor<4x16x16xf32>
}

// -----

// A zero-filled init (a dense layer's accumulator): no fill on C, the warp
// tile is written with zeros before the K loop, so once the accumulator is
// hoisted it starts as a constant in registers; the result is built in the
// empty tensor. A non-constant fill is read from memory as before, with a
// remark.
// CHECK-LABEL: func.func @zero_init
// CHECK-NOT: linalg.fill
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16x16xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<32x32xf32>
// CHECK: scf.forall {{.*}} shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK: %[[W0:.*]] = vector.transfer_write %[[ZERO]], %{{.*}}[%c0, %c0] {in_bounds = [true, true]} : vector<16x16xf32>, tensor<32x32xf32>
// CHECK: %[[W1:.*]] = vector.transfer_write %[[ZERO]], %[[W0]][%c0, %c16]
// CHECK: %[[W2:.*]] = vector.transfer_write %[[ZERO]], %[[W1]][%c16, %c0]
// CHECK: %[[INIT:.*]] = vector.transfer_write %[[ZERO]], %[[W2]][%c16, %c16]
// CHECK-COUNT-4: vector.transfer_read %[[INIT]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]],
// CHECK: vector.contract
// Canonicalization folds the reads of the zeros into the constant.
// CANON-LABEL: func.func @zero_init
// CANON: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16x16xf32>
// CANON: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]]) -> (vector<16x16xf32>, vector<16x16xf32>, vector<16x16xf32>, vector<16x16xf32>)
// CHECK-LABEL: func.func @value_init
// CHECK: linalg.fill
// CHECK: vector.transfer_read {{.*}} : tensor<32x32xf32>, vector<16x16xf32>
// CHECK: scf.for
func.func @zero_init(%a: tensor<32x32xf16>, %b: tensor<32x32xf16>) -> tensor<32x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %r = linalg.matmul ins(%a, %b : tensor<32x32xf16>, tensor<32x32xf16>) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %r : tensor<32x32xf32>
}
func.func @value_init(%a: tensor<32x32xf16>, %b: tensor<32x32xf16>, %v: f32) -> tensor<32x32xf32> {
  %e = tensor.empty() : tensor<32x32xf32>
  %c = linalg.fill ins(%v : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  // expected-remark @below {{mica-gpu-tile-contractions: linalg.matmul: accumulator init is not a constant fill: read from memory}}
  %r = linalg.matmul ins(%a, %b : tensor<32x32xf16>, tensor<32x32xf16>) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %r : tensor<32x32xf32>
}

// -----

// A dense layer with bias + GELU (erf) read through an expand_shape, as the
// BERT FFN comes out of convert-mica-to-linalg: the reshape is folded into
// the consumer (upstream collapsing), which becomes the kernel's epilogue:
// tiled with the contraction to blocks (upstream tile-and-fuse), the block's
// C tile in a workgroup buffer, then one element per thread (rows in steps
// of the warp rows, thread y x thread x), in scalars, f16 result included.
// CHECK-LABEL: func.func @bias_gelu
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) = (0, 0) to (32, 64) step (32, 64) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<32x64xf16>)
// CHECK: %[[CT:.*]] = bufferization.alloc_tensor() {memory_space = #gpu.address_space<workgroup>} : tensor<32x64xf32>
// CHECK: %[[C:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[CT]])
// CHECK: vector.contract
// CHECK: } {mapping = [#gpu.warp<y>, #gpu.warp<x>]}
// CHECK: scf.for %[[R:.*]] = %c0 to %c32 step %c1
// CHECK: scf.for %[[CC:.*]] = %c0 to %c64 step %c64
// CHECK: %[[CROWS:.*]] = tensor.extract_slice %[[C]][%[[R]], %[[CC]]] [1, 64] [1, 1]
// CHECK: scf.forall (%[[TY:.*]], %[[TX:.*]]) in (1, 64)
// CHECK: %[[CE:.*]] = tensor.extract_slice %[[CROWS]][%[[TY]], %[[TX]]] [1, 1] [1, 1]
// CHECK: %[[V:.*]] = tensor.extract %[[CE]][%c0, %c0] : tensor<1x1xf32>
// CHECK: %[[B:.*]] = tensor.extract
// CHECK: %[[S:.*]] = arith.addf %[[V]], %[[B]] : f32
// CHECK: math.erf
// CHECK: %[[H:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK: tensor.insert %[[H]]
// CHECK: } {mapping = [#gpu.thread<y>, #gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK: tensor.expand_shape
// CHECK-NOT: linalg.generic
#id3 = affine_map<(b, i, j) -> (b, i, j)>
#bias3 = affine_map<(b, i, j) -> (j)>
func.func @bias_gelu(%a: tensor<32x64xf16>, %w: tensor<64x64xf16>, %bias: tensor<64xf32>) -> tensor<1x32x64xf16> {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %one = arith.constant 1.0 : f32
  %rs2 = arith.constant 0.707106769 : f32
  %e = tensor.empty() : tensor<32x64xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<32x64xf32>) -> tensor<32x64xf32>
  %r = linalg.matmul ins(%a, %w : tensor<32x64xf16>, tensor<64x64xf16>) outs(%c : tensor<32x64xf32>) -> tensor<32x64xf32>
  %x = tensor.expand_shape %r [[0, 1], [2]] output_shape [1, 32, 64] : tensor<32x64xf32> into tensor<1x32x64xf32>
  %o = tensor.empty() : tensor<1x32x64xf16>
  %g = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %bias : tensor<1x32x64xf32>, tensor<64xf32>) outs(%o : tensor<1x32x64xf16>) {
  ^bb0(%u: f32, %b: f32, %out: f16):
    %s = arith.addf %u, %b : f32
    %t = arith.mulf %s, %rs2 : f32
    %f = math.erf %t : f32
    %p = arith.addf %f, %one : f32
    %h = arith.mulf %s, %half : f32
    %y = arith.mulf %h, %p : f32
    %y16 = arith.truncf %y : f32 to f16
    linalg.yield %y16 : f16
  } -> tensor<1x32x64xf16>
  return %g : tensor<1x32x64xf16>
}

// -----

// Elementwise consumers that stay separate kernels, with a remark: the
// contraction result has another user; the init is not a constant fill.
// CHECK-LABEL: func.func @not_fused
// CHECK: scf.forall
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK: linalg.generic
// CHECK: scf.forall
// CHECK: } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// CHECK: linalg.generic
#id2 = affine_map<(i, j) -> (i, j)>
func.func @not_fused(%a: tensor<32x32xf16>, %b: tensor<32x32xf16>, %c: tensor<32x32xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  // expected-remark @below {{mica-gpu-tile-contractions: linalg.matmul: elementwise consumer not fused: the contraction result has other users}}
  %r = linalg.matmul ins(%a, %b : tensor<32x32xf16>, tensor<32x32xf16>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  %relu = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%r : tensor<32x32xf32>) outs(%e : tensor<32x32xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.maximumf %u, %zero : f32
    linalg.yield %m : f32
  } -> tensor<32x32xf32>
  // expected-remark @below {{mica-gpu-tile-contractions: linalg.matmul: elementwise consumer not fused: the accumulator init is not a constant fill}}
  %s = linalg.matmul ins(%a, %b : tensor<32x32xf16>, tensor<32x32xf16>) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  %relu2 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<32x32xf32>) outs(%e : tensor<32x32xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.maximumf %u, %zero : f32
    linalg.yield %m : f32
  } -> tensor<32x32xf32>
  return %r, %relu, %relu2 : tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>
}

// -----

// SIMT fallbacks, each with a remark: f32 operands, unaligned shapes.
// CHECK-LABEL: func.func @fallbacks
// CHECK-NOT: scf.forall
// CHECK: linalg.matmul
// CHECK: linalg.matmul
func.func @fallbacks(%a: tensor<16x16xf32>, %b: tensor<16x16xf32>, %c: tensor<16x16xf32>,
                     %d: tensor<3x5xf16>, %e: tensor<5x3xf16>, %f: tensor<3x3xf32>) -> (tensor<16x16xf32>, tensor<3x3xf32>) {
  // expected-remark @below {{SIMT fallback for linalg.matmul: operands are f32 x f32 -> f32 (TensorCores need f16 x f16 -> f32: precision=fp16)}}
  %r = linalg.matmul ins(%a, %b : tensor<16x16xf32>, tensor<16x16xf32>) outs(%c : tensor<16x16xf32>) -> tensor<16x16xf32>
  // expected-remark @below {{SIMT fallback for linalg.matmul: M x N x K = 3 x 3 x 5 is not a multiple of 16 in every dim}}
  %s = linalg.matmul ins(%d, %e : tensor<3x5xf16>, tensor<5x3xf16>) outs(%f : tensor<3x3xf32>) -> tensor<3x3xf32>
  return %r, %s : tensor<16x16xf32>, tensor<3x3xf32>
}
