// RUN: mica-opt %s -mica-fuse-bert -split-input-file -verify-diagnostics | FileCheck %s

// PyTorch's LayerNorm export: ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div,
// then * gamma + beta.
// CHECK-LABEL: func.func @layer_norm_pytorch
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x16xf32>, %[[G:.*]]: tensor<16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[LN:.*]] = mica.layer_norm %[[X]] scale(%[[G]] : tensor<16xf32>) bias(%[[B]] : tensor<16xf32>) {axis = 2 : i64, epsilon = 9.99999996E-13 : f32}
// CHECK-NEXT: return %[[LN]]
func.func @layer_norm_pytorch(%x: tensor<2x8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<2x8x16xf32> {
  %m = mica.reduce mean %x {axes = array<i64: -1>} : tensor<2x8x16xf32> -> tensor<2x8x1xf32>
  %d = mica.sub %x, %m : (tensor<2x8x16xf32>, tensor<2x8x1xf32>) -> tensor<2x8x16xf32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %p = mica.pow %d, %two : (tensor<2x8x16xf32>, tensor<f32>) -> tensor<2x8x16xf32>
  %v = mica.reduce mean %p {axes = array<i64: -1>} : tensor<2x8x16xf32> -> tensor<2x8x1xf32>
  %eps = mica.constant dense<1.0e-12> : tensor<f32>
  %ve = mica.add %v, %eps : (tensor<2x8x1xf32>, tensor<f32>) -> tensor<2x8x1xf32>
  %s = mica.sqrt %ve : tensor<2x8x1xf32>
  %n = mica.div %d, %s : (tensor<2x8x16xf32>, tensor<2x8x1xf32>) -> tensor<2x8x16xf32>
  %y = mica.mul %n, %g : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  // expected-remark @below {{mica-fuse-bert.layer_norm: fused: layer_norm over 1 trailing dim(s), epsilon 1.000000e-12, scale, bias}}
  %z = mica.add %y, %b : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %z : tensor<2x8x16xf32>
}

// -----

// TF-style: squared deviation as d * d with its own Sub, rsqrt, no affine.
// CHECK-LABEL: func.func @layer_norm_rsqrt
// CHECK: %[[LN:.*]] = mica.layer_norm %{{.*}} {axis = 1 : i64} : tensor<4x32xf32> -> tensor<4x32xf32>
// CHECK-NEXT: return %[[LN]]
func.func @layer_norm_rsqrt(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = mica.reduce mean %x {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %d = mica.sub %x, %m : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %d2 = mica.sub %x, %m : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %p = mica.mul %d2, %d2 : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %v = mica.reduce mean %p {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %eps = mica.constant dense<1.0e-5> : tensor<1xf32>
  %ve = mica.add %eps, %v : (tensor<1xf32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %r = mica.rsqrt %ve : tensor<4x1xf32>
  // expected-remark @below {{fused: layer_norm over 1 trailing dim(s)}}
  %n = mica.mul %r, %d : (tensor<4x1xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  return %n : tensor<4x32xf32>
}

// -----

// Negative: epsilon is a function argument.
// CHECK-LABEL: func.func @layer_norm_eps_not_constant
// CHECK-NOT: mica.layer_norm
func.func @layer_norm_eps_not_constant(%x: tensor<4x32xf32>, %eps: tensor<f32>) -> tensor<4x32xf32> {
  %m = mica.reduce mean %x {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %d = mica.sub %x, %m : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %p = mica.mul %d, %d : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %v = mica.reduce mean %p {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %ve = mica.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = mica.sqrt %ve : tensor<4x1xf32>
  // expected-remark @below {{mica-fuse-bert.layer_norm: not fused: epsilon is not a constant added to the variance}}
  %n = mica.div %d, %s : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  return %n : tensor<4x32xf32>
}

// -----

// Negative: the variance is taken over another axis than the mean.
// CHECK-LABEL: func.func @layer_norm_wrong_axis
// CHECK-NOT: mica.layer_norm
func.func @layer_norm_wrong_axis(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %m = mica.reduce mean %x {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %d = mica.sub %x, %m : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %p = mica.mul %d, %d : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %v = mica.reduce mean %p {axes = array<i64: 0, 1>} : tensor<4x32xf32> -> tensor<1x1xf32>
  %eps = mica.constant dense<1.0e-5> : tensor<f32>
  %ve = mica.add %v, %eps : (tensor<1x1xf32>, tensor<f32>) -> tensor<1x1xf32>
  %s = mica.sqrt %ve : tensor<1x1xf32>
  // expected-remark @below {{not fused: variance is not a mean over the normalized dims}}
  %n = mica.div %d, %s : (tensor<4x32xf32>, tensor<1x1xf32>) -> tensor<4x32xf32>
  return %n : tensor<4x32xf32>
}

// -----

// GELU, erf form as PyTorch exports it: x / sqrt(2) -> erf -> + 1 -> * x -> * 0.5.
// CHECK-LABEL: func.func @gelu_erf
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>)
// CHECK: %[[G:.*]] = mica.gelu %[[X]] : tensor<2x64xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %c = mica.constant dense<1.41421354> : tensor<f32>
  %one = mica.constant dense<1.0> : tensor<f32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %0 = mica.div %x, %c : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  %1 = mica.erf %0 : tensor<2x64xf32>
  %2 = mica.add %1, %one : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  %3 = mica.mul %x, %2 : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  // expected-remark @below {{mica-fuse-bert.gelu: fused: gelu (erf)}}
  %4 = mica.mul %3, %half : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  return %4 : tensor<2x64xf32>
}

// -----

// GELU, tanh approximation, with 0.5 * x computed first (HuggingFace).
// CHECK-LABEL: func.func @gelu_tanh
// CHECK: mica.gelu %{{.*}} approximate = tanh : tensor<8xf32>
func.func @gelu_tanh(%x: tensor<8xf32>) -> tensor<8xf32> {
  %three = mica.constant dense<3.0> : tensor<f32>
  %k = mica.constant dense<0.044715> : tensor<f32>
  %s = mica.constant dense<0.797884583> : tensor<f32>
  %one = mica.constant dense<1.0> : tensor<f32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %c = mica.pow %x, %three : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %kc = mica.mul %k, %c : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %in = mica.add %x, %kc : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a = mica.mul %s, %in : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  %t = mica.tanh %a : tensor<8xf32>
  %t1 = mica.add %t, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %hx = mica.mul %half, %x : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
  // expected-remark @below {{fused: gelu (tanh approximation)}}
  %y = mica.mul %hx, %t1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Negative: the 0.5 factor is missing (not GELU).
// CHECK-LABEL: func.func @gelu_missing_half
// CHECK-NOT: mica.gelu
func.func @gelu_missing_half(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c = mica.constant dense<1.41421354> : tensor<f32>
  %one = mica.constant dense<1.0> : tensor<f32>
  %0 = mica.div %x, %c : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  // expected-remark @below {{mica-fuse-bert.gelu: not fused: 1 + erf/tanh(...) is not multiplied by 0.5 * x}}
  %1 = mica.erf %0 : tensor<8xf32>
  %2 = mica.add %1, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = mica.mul %x, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %3 : tensor<8xf32>
}

// -----

// Bias + GELU after a matmul (PyTorch Linear + GELU).
// CHECK-LABEL: func.func @bias_gelu
// CHECK: %[[M:.*]] = mica.matmul
// CHECK: mica.bias_gelu %[[M]], %{{.*}} : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
func.func @bias_gelu(%x: tensor<1x4x16xf32>, %w: tensor<16x8xf32>) -> tensor<1x4x8xf32> {
  %b = mica.constant dense<0.5> : tensor<8xf32>
  %m = mica.matmul %x, %w : (tensor<1x4x16xf32>, tensor<16x8xf32>) -> tensor<1x4x8xf32>
  %a = mica.add %m, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  // expected-remark @below {{mica-fuse-bert.bias_gelu: fused: bias + gelu}}
  %g = mica.gelu %a : tensor<1x4x8xf32>
  return %g : tensor<1x4x8xf32>
}

// -----

// Negative: the biased value has another user.
// CHECK-LABEL: func.func @bias_gelu_shared
// CHECK: mica.gelu
func.func @bias_gelu_shared(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %b = mica.constant dense<0.5> : tensor<8xf32>
  %a = mica.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // expected-remark @below {{not fused: the biased value is also used elsewhere}}
  %g = mica.gelu %a : tensor<4x8xf32>
  return %g, %a : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Residual add + bias + layer norm.
// CHECK-LABEL: func.func @skip_layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8xf32>, %[[S:.*]]: tensor<1x4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[BIAS:.*]] = mica.constant dense<2.500000e-01> : tensor<8xf32>
// CHECK: mica.skip_layer_norm %[[X]], %[[S]], %[[G]] beta(%[[B]] : tensor<8xf32>) bias(%[[BIAS]] : tensor<8xf32>) : tensor<1x4x8xf32>
func.func @skip_layer_norm(%x: tensor<1x4x8xf32>, %s: tensor<1x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<1x4x8xf32> {
  %bias = mica.constant dense<0.25> : tensor<8xf32>
  %xb = mica.add %x, %bias : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %r = mica.add %xb, %s : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  // expected-remark @below {{mica-fuse-bert.skip_layer_norm: fused: skip + bias + layer_norm}}
  %y = mica.layer_norm %r scale(%g : tensor<8xf32>) bias(%b : tensor<8xf32>) {epsilon = 1.0e-12 : f32} : tensor<1x4x8xf32> -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// Negative: the residual add broadcasts.
// CHECK-LABEL: func.func @skip_broadcast
// CHECK: mica.layer_norm
func.func @skip_broadcast(%x: tensor<1x4x8xf32>, %s: tensor<1x1x8xf32>) -> tensor<1x4x8xf32> {
  %r = mica.add %x, %s : (tensor<1x4x8xf32>, tensor<1x1x8xf32>) -> tensor<1x4x8xf32>
  // expected-remark @below {{not fused: the residual add broadcasts (input and skip shapes differ)}}
  %y = mica.layer_norm %r : tensor<1x4x8xf32> -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// Word + position + token type embeddings + layer norm (BERT embeddings).
// CHECK-LABEL: func.func @embed_layer_norm
// CHECK-SAME: (%[[IDS:.*]]: tensor<1x4xi64>, %[[TT:.*]]: tensor<1x4xi64>,
// CHECK: mica.embed_layer_norm %[[IDS]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} segment(%[[TT]], %{{.*}} : tensor<1x4xi64>, tensor<2x8xf32>) : tensor<1x4xi64>, tensor<100x8xf32>, tensor<16x8xf32>, tensor<8xf32>, tensor<8xf32> -> tensor<1x4x8xf32>
// CHECK-NOT: position_ids
func.func @embed_layer_norm(%ids: tensor<1x4xi64>, %tt: tensor<1x4xi64>, %word: tensor<100x8xf32>, %pos: tensor<16x8xf32>, %seg: tensor<2x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<1x4x8xf32> {
  %pid = mica.constant dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>
  %w = mica.gather %word, %ids {axis = 0 : i64} : (tensor<100x8xf32>, tensor<1x4xi64>) -> tensor<1x4x8xf32>
  %t = mica.gather %seg, %tt {axis = 0 : i64} : (tensor<2x8xf32>, tensor<1x4xi64>) -> tensor<1x4x8xf32>
  %p = mica.gather %pos, %pid {axis = 0 : i64} : (tensor<16x8xf32>, tensor<1x4xi64>) -> tensor<1x4x8xf32>
  %wt = mica.add %w, %t : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  %e = mica.add %wt, %p : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  // expected-remark @below {{mica-fuse-bert.embed_layer_norm: fused: word + position + segment embeddings + layer_norm}}
  %y = mica.layer_norm %e scale(%g : tensor<8xf32>) bias(%b : tensor<8xf32>) {epsilon = 1.0e-12 : f32} : tensor<1x4x8xf32> -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// Negative: both embeddings indexed by arguments, no position embedding.
// CHECK-LABEL: func.func @embed_no_position
// CHECK: mica.layer_norm
func.func @embed_no_position(%ids: tensor<1x4xi64>, %tt: tensor<1x4xi64>, %word: tensor<100x8xf32>, %seg: tensor<2x8xf32>) -> tensor<1x4x8xf32> {
  %w = mica.gather %word, %ids {axis = 0 : i64} : (tensor<100x8xf32>, tensor<1x4xi64>) -> tensor<1x4x8xf32>
  %t = mica.gather %seg, %tt {axis = 0 : i64} : (tensor<2x8xf32>, tensor<1x4xi64>) -> tensor<1x4x8xf32>
  %e = mica.add %w, %t : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  // expected-remark @below {{not fused: no position embedding (every gather is indexed by a function argument)}}
  %y = mica.layer_norm %e : tensor<1x4x8xf32> -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

//===--- attention ---===//

// Q·K^T / 2 + mask from matmul + bias projections.
// CHECK-LABEL: func.func @attention_additive_mask
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8xf32>, %[[M:.*]]: tensor<1x1x1x4xf32>)
// CHECK-DAG: %[[W:.*]] = mica.constant dense_resource<qkv_weight> : tensor<24x8xf32>
// CHECK-DAG: %[[B:.*]] = mica.constant dense_resource<qkv_bias> : tensor<24xf32>
// CHECK: %[[A:.*]] = mica.attention %[[X]], %[[W]] bias(%[[B]] : tensor<24xf32>) mask(%[[M]] : tensor<1x1x1x4xf32>) {num_heads = 2 : i64, scale = 5.000000e-01 : f32}
// CHECK-NOT: mica.softmax
// CHECK: return %[[A]]
func.func @attention_additive_mask(%x: tensor<1x4x8xf32>, %mask: tensor<1x1x1x4xf32>) -> tensor<1x4x8xf32> {
  %w = mica.constant dense<0.25> : tensor<8x8xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q = mica.add %qm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %km = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %km, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %vm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %vm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %sc = mica.div %qk, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %s = mica.add %sc, %mask : (tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{mica-fuse-bert.attention: fused: 2 heads of size 4, scale 5.000000e-01, bias, additive mask}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// Dense projections, Q scaled before the head split and scores scaled again; no mask.
// CHECK-LABEL: func.func @attention_dense_scaled_query
// CHECK: mica.attention %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<24xf32>) {num_heads = 2 : i64, scale = 2.500000e-01 : f32}
// CHECK-NOT: mica.matmul
func.func @attention_dense_scaled_query(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %w = mica.constant dense<0.25> : tensor<8x8xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %q0 = mica.dense %x, %w bias(%b : tensor<8xf32>) : tensor<1x4x8xf32>, tensor<8x8xf32> -> tensor<1x4x8xf32>
  %q = mica.mul %q0, %half : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %k = mica.dense %x, %w bias(%b : tensor<8xf32>) : tensor<1x4x8xf32>, tensor<8x8xf32> -> tensor<1x4x8xf32>
  %v = mica.dense %x, %w bias(%b : tensor<8xf32>) : tensor<1x4x8xf32>, tensor<8x8xf32> -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.mul %qk, %half : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{fused: 2 heads of size 4, scale 2.500000e-01, bias}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// masked_fill form: where(keep, scores, -inf) becomes an additive mask.
// CHECK-LABEL: func.func @attention_select_mask
// CHECK-SAME: %[[KEEP:[a-z0-9]+]]: tensor<1x1x1x4xi1>
// CHECK-DAG: %[[Z:.*]] = mica.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[NINF:.*]] = mica.constant dense<0xFF800000> : tensor<f32>
// CHECK: %[[MASK:.*]] = mica.where %[[KEEP]], %[[Z]], %[[NINF]] : (tensor<1x1x1x4xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x1x4xf32>
// CHECK: mica.attention {{.*}} mask(%[[MASK]] : tensor<1x1x1x4xf32>) {num_heads = 2 : i64, scale = 1.000000e+00 : f32}
func.func @attention_select_mask(%x: tensor<1x4x8xf32>, %keep: tensor<1x1x1x4xi1>) -> tensor<1x4x8xf32> {
  %w = mica.constant dense<0.25> : tensor<8x8xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q = mica.add %qm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %km = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %km, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %vm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %vm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %ninf = mica.constant dense<0xFF800000> : tensor<f32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.where %keep, %qk, %ninf : (tensor<1x1x1x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{fused: 2 heads of size 4, scale 1.000000e+00, bias, select mask}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// Q, K, V as slices of one combined projection (after combine-parallel-dense).
// CHECK-LABEL: func.func @attention_combined_projection
// CHECK: mica.attention %{{.*}}, %{{.*}} bias(%{{.*}} : tensor<24xf32>) {num_heads = 2 : i64, scale = 5.000000e-01 : f32} : tensor<1x4x8xf32>, tensor<24x8xf32> -> tensor<1x4x8xf32>
// CHECK-NOT: mica.split
func.func @attention_combined_projection(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %wc = mica.constant dense<0.25> : tensor<8x24xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qkv = mica.matmul %x, %wc : (tensor<1x4x8xf32>, tensor<8x24xf32>) -> tensor<1x4x24xf32>
  %parts:3 = mica.split %qkv {axis = 2 : i64, sizes = array<i64: 8, 8, 8>} : tensor<1x4x24xf32> -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>)
  %q = mica.add %parts#0, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %parts#1, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %parts#2, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.div %qk, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{fused: 2 heads of size 4, scale 5.000000e-01, bias}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// Negative: cross-attention (K and V project another input).
// CHECK-LABEL: func.func @no_attention_cross
// CHECK-NOT: mica.attention
// CHECK: mica.softmax
func.func @no_attention_cross(%x: tensor<1x4x8xf32>, %y: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %w = mica.constant dense<0.25> : tensor<8x8xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q = mica.add %qm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %km = mica.matmul %y, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %km, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %vm = mica.matmul %y, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %vm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.div %qk, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{mica-fuse-bert.attention: not fused: Q, K and V do not project the same input (cross-attention is not fused)}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// Negative: the projection weights are function arguments.
// CHECK-LABEL: func.func @no_attention_weight_not_constant
// CHECK-NOT: mica.attention
func.func @no_attention_weight_not_constant(%x: tensor<1x4x8xf32>, %w: tensor<8x8xf32>) -> tensor<1x4x8xf32> {
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q = mica.add %qm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %km = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %km, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %vm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %vm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.div %qk, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{not fused: a projection weight is not a 2-D constant}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// Negative: softmax over the query dim.
// CHECK-LABEL: func.func @no_attention_softmax_axis
// CHECK-NOT: mica.attention
func.func @no_attention_softmax_axis(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %w = mica.constant dense<0.25> : tensor<8x8xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q = mica.add %qm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %km = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %km, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %vm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %vm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.div %qk, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{not fused: softmax is not over the last dim}}
  %p = mica.softmax %s {axis = 2 : i64} : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}

// -----

// Negative: V is scaled after the head split (not expressible by the op).
// CHECK-LABEL: func.func @no_attention_scaled_value
// CHECK-NOT: mica.attention
func.func @no_attention_scaled_value(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %w = mica.constant dense<0.25> : tensor<8x8xf32>
  %b = mica.constant dense<0.125> : tensor<8xf32>
  %half = mica.constant dense<0.5> : tensor<f32>
  %two = mica.constant dense<2.0> : tensor<f32>
  %qm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %q = mica.add %qm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %km = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %k = mica.add %km, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %vm = mica.matmul %x, %w : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x4x8xf32>
  %v = mica.add %vm, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %qr = mica.reshape %q : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %qh = mica.transpose %qr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %kr = mica.reshape %k : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %kh = mica.transpose %kr [0, 2, 3, 1] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %vr = mica.reshape %v : tensor<1x4x8xf32> -> tensor<1x4x2x4xf32>
  %vh = mica.transpose %vr [0, 2, 1, 3] : tensor<1x4x2x4xf32> -> tensor<1x2x4x4xf32>
  %qk = mica.matmul %qh, %kh : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %s = mica.div %qk, %two : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  %vs = mica.mul %vh, %half : (tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32>
  // expected-remark @below {{not fused: V is not an unscaled projection split into heads}}
  %p = mica.softmax %s : tensor<1x2x4x4xf32>
  %c = mica.matmul %p, %vs : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %ct = mica.transpose %c [0, 2, 1, 3] : tensor<1x2x4x4xf32> -> tensor<1x4x2x4xf32>
  %o = mica.reshape %ct : tensor<1x4x2x4xf32> -> tensor<1x4x8xf32>
  return %o : tensor<1x4x8xf32>
}


// -----

// TF's scale-shift layer norm: x * s + (beta - mean * s), s = rsqrt(v + eps) * gamma.
// CHECK-LABEL: func.func @layer_norm_scale_shift
// CHECK-SAME: (%[[X:.*]]: tensor<8x16xf32>, %[[G:.*]]: tensor<16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[LN:.*]] = mica.layer_norm %[[X]] scale(%[[G]] : tensor<16xf32>) bias(%[[B]] : tensor<16xf32>) {axis = 1 : i64, epsilon = 9.99999996E-13 : f32}
// CHECK-NEXT: return %[[LN]]
func.func @layer_norm_scale_shift(%x: tensor<8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %eps = mica.constant dense<1.0e-12> : tensor<f32>
  %m = mica.reduce mean %x {axes = array<i64: -1>} : tensor<8x16xf32> -> tensor<8x1xf32>
  %d = mica.sub %x, %m : (tensor<8x16xf32>, tensor<8x1xf32>) -> tensor<8x16xf32>
  %sq = mica.mul %d, %d : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %v = mica.reduce mean %sq {axes = array<i64: -1>} : tensor<8x16xf32> -> tensor<8x1xf32>
  %ve = mica.add %v, %eps : (tensor<8x1xf32>, tensor<f32>) -> tensor<8x1xf32>
  %r = mica.rsqrt %ve : tensor<8x1xf32>
  %s = mica.mul %r, %g : (tensor<8x1xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %xs = mica.mul %x, %s : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %ms = mica.mul %m, %s : (tensor<8x1xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %sh = mica.sub %b, %ms : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  // expected-remark @below {{mica-fuse-bert.layer_norm: fused: layer_norm (scale-shift form) over 1 trailing dim(s), epsilon 1.000000e-12, scale, bias}}
  %y = mica.add %xs, %sh : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// Negative: the "variance" is the mean of x^2, not of (x - mean)^2.
// CHECK-LABEL: func.func @layer_norm_scale_shift_bad_variance
// CHECK-NOT: mica.layer_norm
func.func @layer_norm_scale_shift_bad_variance(%x: tensor<8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  %eps = mica.constant dense<1.0e-12> : tensor<f32>
  %m = mica.reduce mean %x {axes = array<i64: -1>} : tensor<8x16xf32> -> tensor<8x1xf32>
  %sq = mica.mul %x, %x : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %v = mica.reduce mean %sq {axes = array<i64: -1>} : tensor<8x16xf32> -> tensor<8x1xf32>
  %ve = mica.add %v, %eps : (tensor<8x1xf32>, tensor<f32>) -> tensor<8x1xf32>
  %r = mica.rsqrt %ve : tensor<8x1xf32>
  %s = mica.mul %r, %g : (tensor<8x1xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  %xs = mica.mul %x, %s : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %ms = mica.mul %m, %s : (tensor<8x1xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %sh = mica.sub %b, %ms : (tensor<16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  // expected-remark @below {{mica-fuse-bert.layer_norm: not fused: squared deviation is not x - mean(x)}}
  %y = mica.add %xs, %sh : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
