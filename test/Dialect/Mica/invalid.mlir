// RUN: mica-opt %s -split-input-file -verify-diagnostics

func.func @constant_type(%x: tensor<2xf32>) {
  // expected-error @+1 {{'mica.constant' op value type 'tensor<2xf32>' differs from result type 'tensor<3xf32>'}}
  %0 = "mica.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @unsupported_element(%x: tensor<2xf64>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = mica.exp %x : tensor<2xf64>
  return
}

// -----

func.func @reshape_elt(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{element type must be preserved, got 'tensor<2x3xf32>' -> 'tensor<6xf16>'}}
  %0 = mica.reshape %x : tensor<2x3xf32> -> tensor<6xf16>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{element count must be preserved, got 'tensor<2x3xf32>' (6 elements) -> 'tensor<7xf32>' (7 elements)}}
  %0 = mica.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @reshape_two_dynamic(%x: tensor<?x?xf32>) {
  // expected-error @+1 {{without a shape operand the result may have at most one dynamic dim, got 'tensor<?x?x1xf32>'}}
  %0 = mica.reshape %x : tensor<?x?xf32> -> tensor<?x?x1xf32>
  return
}

// -----

func.func @reshape_not_multiple(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{element count of 'tensor<2x3xf32>' is not a multiple of the static dims of 'tensor<?x4xf32>'}}
  %0 = mica.reshape %x : tensor<2x3xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @reshape_shape_len(%x: tensor<?xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{shape operand has 3 entries but the result 'tensor<?x4xf32>' has rank 2}}
  %0 = mica.reshape %x shape(%s : tensor<3xi64>) : tensor<?xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @reshape_shape_values(%x: tensor<?xf32>) {
  %s = mica.constant dense<[-1, 5]> : tensor<2xi64>
  // expected-error @+1 {{shape operand entry 1 is 5 but the result type is 'tensor<?x4xf32>'}}
  %0 = mica.reshape %x shape(%s : tensor<2xi64>) : tensor<?xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @reshape_two_infer(%x: tensor<?xf32>) {
  %s = mica.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape operand may hold at most one -1}}
  %0 = mica.reshape %x shape(%s : tensor<2xi64>) : tensor<?xf32> -> tensor<?x?xf32>
  return
}

// -----

func.func @reshape_negative(%x: tensor<?xf32>) {
  %s = mica.constant dense<[-3, 2]> : tensor<2xi64>
  // expected-error @+1 {{shape operand entry 0 is negative (-3)}}
  %0 = mica.reshape %x shape(%s : tensor<2xi64>) : tensor<?xf32> -> tensor<?x2xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 3 entries but the input 'tensor<2x3xf32>' has rank 2}}
  %0 = mica.transpose %x [0, 1, 2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm must be a permutation of [0, rank), got [0, 0]}}
  %0 = mica.transpose %x [0, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_result(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result type(s) 'tensor<2x3xf32>' incompatible with the type(s) inferred from the operands: 'tensor<3x2xf32>'}}
  %0 = mica.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{needs at least one input}}
  %0 = mica.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%x: tensor<2xf32>) {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = mica.concat %x {axis = 1 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @concat_rank(%x: tensor<2xf32>, %y: tensor<2x2xf32>) {
  // expected-error @+1 {{inputs must have the same rank, got 'tensor<2xf32>' and 'tensor<2x2xf32>'}}
  %0 = mica.concat %x, %y {axis = 0 : i64} : (tensor<2xf32>, tensor<2x2xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @concat_dims(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) {
  // expected-error @+1 {{inputs must agree on every dim but axis 0, got 'tensor<2x3xf32>' and 'tensor<2x4xf32>'}}
  %0 = mica.concat %x, %y {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_elt(%x: tensor<2xf32>, %y: tensor<2xi64>) {
  // expected-error @+1 {{operands must have the same element type, got tensor<2xf32>, tensor<2xi64>}}
  %0 = mica.concat %x, %y {axis = 0 : i64} : (tensor<2xf32>, tensor<2xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @split_sum(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{split sizes sum to 7 but dim 1 of 'tensor<2x8xf32>' is 8}}
  %0:2 = mica.split %x {axis = 1 : i64, sizes = array<i64: 3, 4>} : tensor<2x8xf32> -> (tensor<2x3xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @split_count(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{has 1 results but 2 split sizes}}
  %0 = mica.split %x {axis = 1 : i64, sizes = array<i64: 4, 4>} : tensor<2x8xf32> -> (tensor<2x4xf32>)
  return
}

// -----

func.func @split_negative(%x: tensor<2x?xf32>) {
  // expected-error @+1 {{split sizes must be non-negative, got -1}}
  %0:2 = mica.split %x {axis = 1 : i64, sizes = array<i64: -1, 4>} : tensor<2x?xf32> -> (tensor<2x?xf32>, tensor<2x4xf32>)
  return
}

// -----

func.func @slice_lengths(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axes, starts, ends and steps must have the same length, got 1, 2, 1, 1}}
  %0 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 0, 0>, ends = array<i64: 4>, steps = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{steps must be non-zero}}
  %0 = mica.slice %x {axes = array<i64: 1>, starts = array<i64: 0>, ends = array<i64: 4>, steps = array<i64: 0>} : tensor<2x8xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axis 1 is out of range or repeated for 'tensor<2x8xf32>'}}
  %0 = mica.slice %x {axes = array<i64: 1, 1>, starts = array<i64: 0, 0>, ends = array<i64: 4, 4>, steps = array<i64: 1, 1>} : tensor<2x8xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @slice_result(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{incompatible with the type(s) inferred from the operands: 'tensor<2x3xf32>'}}
  %0 = mica.slice %x {axes = array<i64: -1>, starts = array<i64: -3>, ends = array<i64: 100>, steps = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<2x8xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{axis 2 is out of range for 'tensor<2x8xf32>'}}
  %0 = mica.gather %x, %i {axis = 2 : i64} : (tensor<2x8xf32>, tensor<3xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @gather_index_type(%x: tensor<2x8xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = mica.gather %x, %i {axis = 0 : i64} : (tensor<2x8xf32>, tensor<3xf32>) -> tensor<3x8xf32>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<2x8xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{indices must have the rank of the input, got 'tensor<2x8xf32>' and 'tensor<3xi64>'}}
  %0 = mica.gather_elements %x, %i {axis = 0 : i64} : (tensor<2x8xf32>, tensor<3xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @gather_elements_axis(%x: tensor<2x8xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+1 {{axis 5 is out of range for 'tensor<2x8xf32>'}}
  %0 = mica.gather_elements %x, %i {axis = 5 : i64} : (tensor<2x8xf32>, tensor<3x1xi64>) -> tensor<3x1xf32>
  return
}

// -----

func.func @expand_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot broadcast 'tensor<2x3xf32>' to the lower rank of 'tensor<3xf32>'}}
  %0 = mica.expand %x : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @expand_dim(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{input dim 1 of 'tensor<2x3xf32>' does not broadcast to 'tensor<2x4xf32>'}}
  %0 = mica.expand %x : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @expand_dynamic(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{without a shape operand a dynamic result dim must come from a dynamic input dim}}
  %0 = mica.expand %x : tensor<1x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @expand_shape_rank(%x: tensor<1x3xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{result rank must be max(input rank, shape length) = 3, got 'tensor<?x3xf32>'}}
  %0 = mica.expand %x shape(%s : tensor<3xi64>) : tensor<1x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @expand_elt(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{element type must be preserved, got 'tensor<1x3xf32>' -> 'tensor<2x3xi64>'}}
  %0 = mica.expand %x : tensor<1x3xf32> -> tensor<2x3xi64>
  return
}

// -----

func.func @pad_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{pads must have 2 * rank = 4 entries for 'tensor<2x3xf32>', got 2}}
  %0 = mica.pad %x constant {pads = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{pads crop dim 0 of 'tensor<2x3xf32>' below zero}}
  %0 = mica.pad %x constant {pads = array<i64: -2, 0, -1, 0>} : tensor<2x3xf32> -> tensor<0x3xf32>
  return
}

// -----

func.func @tile_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{multiples must have one entry per dim of 'tensor<2x3xf32>', got 1}}
  %0 = mica.tile %x {multiples = array<i64: 2>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @tile_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{multiples must be >= 0, got -1}}
  %0 = mica.tile %x {multiples = array<i64: -1, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = mica.cast %x : tensor<2x3xf32> -> tensor<3x2xf16>
  return
}

// -----

func.func @where_elt(%c: tensor<2xi1>, %x: tensor<2xf32>, %y: tensor<2xf16>) {
  // expected-error @+1 {{operands must have the same element type, got tensor<2xf32>, tensor<2xf16>}}
  %0 = mica.where %c, %x, %y : (tensor<2xi1>, tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return
}

// -----

func.func @where_cond(%c: tensor<2xf32>, %x: tensor<2xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = mica.where %c, %x, %x : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @one_hot_rank(%i: tensor<3xi64>) {
  // expected-error @+1 {{result rank must be indices rank + 1, got 'tensor<3xi64>' -> 'tensor<3xf32>'}}
  %0 = mica.one_hot %i {depth = 4 : i64} : tensor<3xi64> -> tensor<3xf32>
  return
}

// -----

func.func @one_hot_depth(%i: tensor<3xi64>) {
  // expected-error @+1 {{depth must be positive, got 0}}
  %0 = mica.one_hot %i {depth = 0 : i64} : tensor<3xi64> -> tensor<3x0xf32>
  return
}

// -----

func.func @one_hot_axis(%i: tensor<3xi64>) {
  // expected-error @+1 {{axis 2 is out of range for 'tensor<3x4xf32>'}}
  %0 = mica.one_hot %i {depth = 4 : i64, axis = 2 : i64} : tensor<3xi64> -> tensor<3x4xf32>
  return
}

// -----

func.func @one_hot_shape(%i: tensor<3xi64>) {
  // expected-error @+1 {{result 'tensor<4x3xf32>' does not match indices 'tensor<3xi64>' with depth 4 at axis 1}}
  %0 = mica.one_hot %i {depth = 4 : i64} : tensor<3xi64> -> tensor<4x3xf32>
  return
}

// -----

func.func @range_operands(%s: tensor<1xi64>) {
  // expected-error @+1 {{start, limit and delta must be 0-D tensors of the result element type}}
  %0 = mica.range %s, %s, %s : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_rank(%s: tensor<i64>) {
  // expected-error @+1 {{result must be 1-D, got 'tensor<?x?xi64>'}}
  %0 = mica.range %s, %s, %s : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
  return
}

// -----

func.func @shape_of_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{incompatible with the type(s) inferred from the operands: 'tensor<2xi64>'}}
  %0 = mica.shape_of %x : tensor<2x3xf32> -> tensor<3xi64>
  return
}

// -----

func.func @fill_rank(%s: tensor<2xi64>) {
  // expected-error @+1 {{shape has 2 entries but the result is 'tensor<4xf32>'}}
  %0 = mica.fill %s {value = 0.0 : f32} : tensor<2xi64> -> tensor<4xf32>
  return
}

// -----

func.func @fill_value(%s: tensor<1xi64>) {
  // expected-error @+1 {{must have the result element type 'f32'}}
  %0 = mica.fill %s {value = 0 : i64} : tensor<1xi64> -> tensor<?xf32>
  return
}

// -----

func.func @fill_entries() {
  %s = mica.constant dense<[3]> : tensor<1xi64>
  // expected-error @+1 {{shape entry 0 is 3 but the result is 'tensor<4xf32>'}}
  %0 = mica.fill %s {value = 0.0 : f32} : tensor<1xi64> -> tensor<4xf32>
  return
}

// -----

func.func @clip_bounds(%x: tensor<2xf32>) {
  // expected-error @+1 {{min (6.000000e+00) must not exceed max (0.000000e+00)}}
  %0 = mica.clip %x {min = 6.0, max = 0.0} : tensor<2xf32>
  return
}

// -----

func.func @unary_type(%x: tensor<2xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "mica.exp"(%x) : (tensor<2xf32>) -> tensor<2xf16>
  return
}

// -----

func.func @binary_broadcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) {
  // expected-error @+1 {{'mica.add' op operands are not broadcast-compatible (numpy rules: trailing dims must be equal or 1), got tensor<2x3xf32>, tensor<4xf32>}}
  %0 = mica.add %x, %y : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @binary_elt(%x: tensor<2xf32>, %y: tensor<2xf16>) {
  // expected-error @+1 {{operands must have the same element type, got 'tensor<2xf32>', 'tensor<2xf16>'}}
  %0 = mica.mul %x, %y : (tensor<2xf32>, tensor<2xf16>) -> tensor<2xf16>
  return
}

// -----

func.func @binary_result(%x: tensor<2x1xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{result type 'tensor<2x1xf32>' is not the broadcast of the operands 'tensor<2x1xf32>', 'tensor<3xf32>' (expected 'tensor<2x3xf32>')}}
  %0 = mica.sub %x, %y : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @logic_type(%x: tensor<2xf32>) {
  // expected-error @+1 {{must be ranked tensor of 1-bit signless integer values}}
  %0 = mica.and %x, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @compare_elt(%x: tensor<2xf32>, %y: tensor<2xi64>) {
  // expected-error @+1 {{operands must have the same element type, got tensor<2xf32>, tensor<2xi64>}}
  %0 = mica.compare eq, %x, %y : (tensor<2xf32>, tensor<2xi64>) -> tensor<2xi1>
  return
}

// -----

func.func @matmul_rank(%x: tensor<4xf32>, %y: tensor<4x2xf32>) {
  // expected-error @+1 {{operands must have rank >= 2, got 'tensor<4xf32>' and 'tensor<4x2xf32>'}}
  %0 = mica.matmul %x, %y : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @matmul_k(%x: tensor<3x4xf32>, %y: tensor<5x2xf32>) {
  // expected-error @+1 {{contraction dims differ: lhs 'tensor<3x4xf32>' has K = 4, rhs 'tensor<5x2xf32>' has K = 5}}
  %0 = mica.matmul %x, %y : (tensor<3x4xf32>, tensor<5x2xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_batch(%x: tensor<2x3x4xf32>, %y: tensor<3x4x2xf32>) {
  // expected-error @+1 {{batch dims do not broadcast: 'tensor<2x3x4xf32>' and 'tensor<3x4x2xf32>'}}
  %0 = mica.matmul %x, %y : (tensor<2x3x4xf32>, tensor<3x4x2xf32>) -> tensor<2x3x2xf32>
  return
}

// -----

func.func @matmul_elt(%x: tensor<3x4xf32>, %y: tensor<4x2xf16>) {
  // expected-error @+1 {{operands must have the same element type, got 'tensor<3x4xf32>' and 'tensor<4x2xf16>'}}
  %0 = mica.matmul %x, %y : (tensor<3x4xf32>, tensor<4x2xf16>) -> tensor<3x2xf32>
  return
}

// -----

func.func @dense_weight_rank(%x: tensor<3x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{weight [N, K] must have rank 2, got 'tensor<4xf32>'}}
  %0 = mica.dense %x, %w : tensor<3x4xf32>, tensor<4xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @dense_k(%x: tensor<3x4xf32>, %w: tensor<8x5xf32>) {
  // expected-error @+1 {{input 'tensor<3x4xf32>' has K = 4 but weight 'tensor<8x5xf32>' ([N, K]) has K = 5}}
  %0 = mica.dense %x, %w : tensor<3x4xf32>, tensor<8x5xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<3x4xf32>, %w: tensor<8x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must be a vector of size 8, got 'tensor<4xf32>'}}
  %0 = mica.dense %x, %w bias(%b : tensor<4xf32>) : tensor<3x4xf32>, tensor<8x4xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @dense_input_rank(%x: tensor<f32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{input must have rank >= 1, got 'tensor<f32>'}}
  %0 = mica.dense %x, %w : tensor<f32>, tensor<8x4xf32> -> tensor<8xf32>
  return
}

// -----

func.func @conv_spatial(%x: tensor<1x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{input must be [N, C, spatial...] with 1 to 3 spatial dims, got 'tensor<1x3xf32>'}}
  %0 = mica.conv %x, %w {strides = array<i64>, dilations = array<i64>, pads = array<i64>} : tensor<1x3xf32>, tensor<4x3xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @conv_attrs(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides and dilations need 2 entries and pads 4 for 'tensor<1x3x8x8xf32>', got 1, 2, 4}}
  %0 = mica.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{strides must be positive}}
  %0 = mica.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{dilations must be positive}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{pads must be non-negative}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{weight [O, C/group, kernel...] must have the input's rank}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input channels (4) must equal weight dim 1 times group (3 x 1)}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{output channels (3) must be a multiple of group 2}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{group must be positive, got 0}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 0 : i64} : tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias must be a vector of size 4, got 'tensor<3xf32>'}}
  %0 = mica.conv %x, %w bias(%b : tensor<3xf32>) {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{inferred from the operands: 'tensor<1x4x6x6xf32>'}}
  %0 = mica.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel needs 2 entries for 'tensor<1x3x8x8xf32>', got 1}}
  %0 = mica.pool max %x {kernel = array<i64: 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @pool_kernel_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel sizes must be positive}}
  %0 = mica.pool max %x {kernel = array<i64: 0, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @global_pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{input must be [N, C, spatial...], got 'tensor<3x8xf32>'}}
  %0 = mica.global_pool avg %x : tensor<3x8xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range or repeated for 'tensor<3x8xf32>'}}
  %0 = mica.reduce sum %x {axes = array<i64: 2>} : tensor<3x8xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @reduce_repeat(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis -1 is out of range or repeated for 'tensor<3x8xf32>'}}
  %0 = mica.reduce sum %x {axes = array<i64: 1, -1>} : tensor<3x8xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @reduce_float(%x: tensor<3x8xi64>) {
  // expected-error @+1 {{reduction 'mean' needs a float input, got 'tensor<3x8xi64>'}}
  %0 = mica.reduce mean %x {axes = array<i64: 1>} : tensor<3x8xi64> -> tensor<3x1xi64>
  return
}

// -----

func.func @argmax_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis 3 is out of range for 'tensor<3x8xf32>'}}
  %0 = mica.argmax %x {axis = 3 : i64} : tensor<3x8xf32> -> tensor<3x1xi64>
  return
}

// -----

func.func @argmin_result(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{inferred from the operands: 'tensor<3xi64>'}}
  %0 = mica.argmin %x {axis = 1 : i64, keepdims = false} : tensor<3x8xf32> -> tensor<3x1xi64>
  return
}

// -----

func.func @softmax_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for 'tensor<3x8xf32>'}}
  %0 = mica.softmax %x {axis = 2 : i64} : tensor<3x8xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis -3 is out of range for 'tensor<3x8xf32>'}}
  %0 = mica.log_softmax %x {axis = -3 : i64} : tensor<3x8xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for 'tensor<3x8xf32>'}}
  %0 = mica.cumsum %x {axis = 2 : i64} : tensor<3x8xf32>
  return
}

// -----

func.func @topk_k(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{k = 9 must be in [0, dim] for axis 1 of 'tensor<3x8xf32>'}}
  %0:2 = mica.topk %x {k = 9 : i64} : tensor<3x8xf32> -> tensor<3x9xf32>, tensor<3x9xi64>
  return
}

// -----

func.func @topk_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis 4 is out of range for 'tensor<3x8xf32>'}}
  %0:2 = mica.topk %x {k = 1 : i64, axis = 4 : i64} : tensor<3x8xf32> -> tensor<3x1xf32>, tensor<3x1xi64>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for 'tensor<3x8xf32>'}}
  %0 = mica.layer_norm %x {axis = 2 : i64} : tensor<3x8xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<3x8xf32>, %g: tensor<3xf32>) {
  // expected-error @+1 {{scale and bias must have the normalized shape [8] of 'tensor<3x8xf32>', got 'tensor<3xf32>'}}
  %0 = mica.layer_norm %x scale(%g : tensor<3xf32>) : tensor<3x8xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @layer_norm_elt(%x: tensor<3x8xf32>, %g: tensor<8xf16>) {
  // expected-error @+1 {{operands must have the same element type}}
  %0 = mica.layer_norm %x scale(%g : tensor<8xf16>) : tensor<3x8xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{input must be [N, C, ...], got 'tensor<4xf32>'}}
  %0 = mica.batch_norm %x, %c, %c, %c, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_params(%x: tensor<1x4x2x2xf32>, %c: tensor<4xf32>, %d: tensor<3xf32>) {
  // expected-error @+1 {{scale, bias, mean and variance must be a vector of size 4, got 'tensor<3xf32>'}}
  %0 = mica.batch_norm %x, %c, %c, %c, %d : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @scatter_elements_shape(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x2xf32>) {
  // expected-error @+1 {{indices and updates must have the same shape and the input's rank}}
  %0 = mica.scatter_elements %x, %i, %u {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x2xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @scatter_elements_axis(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{axis is out of range for 'tensor<3x3xf32>'}}
  %0 = mica.scatter_elements %x, %i, %u {axis = 2 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @scatter_elements_elt(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf16>) {
  // expected-error @+1 {{operands must have the same element type}}
  %0 = mica.scatter_elements %x, %i, %u {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf16>) -> tensor<3x3xf32>
  return
}

// -----

func.func @scatter_nd_last(%x: tensor<8xf32>, %i: tensor<2x?xi64>, %u: tensor<2xf32>) {
  // expected-error @+1 {{indices must have a static last dim, got 'tensor<2x?xi64>'}}
  %0 = mica.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<2x?xi64>, tensor<2xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @scatter_nd_tuple(%x: tensor<8xf32>, %i: tensor<2x2xi64>, %u: tensor<2xf32>) {
  // expected-error @+1 {{index tuples of length 2 exceed the rank of 'tensor<8xf32>'}}
  %0 = mica.scatter_nd %x, %i, %u : (tensor<8xf32>, tensor<2x2xi64>, tensor<2xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @scatter_nd_updates(%x: tensor<8x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2xf32>) {
  // expected-error @+1 {{updates must have shape indices[:-1] + input[q:], got 'tensor<2xf32>'}}
  %0 = mica.scatter_nd %x, %i, %u : (tensor<8x4xf32>, tensor<2x1xi64>, tensor<2xf32>) -> tensor<8x4xf32>
  return
}

// -----

func.func @resize_scales(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{scales need one entry per dim of 'tensor<1x3x4x4xf32>', got 2}}
  %0 = mica.resize nearest %x {scales = array<f64: 2.0, 2.0>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_positive(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{scales must be positive}}
  %0 = mica.resize nearest %x {scales = array<f64: 1.0, 1.0, 0.0, 2.0>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @bias_gelu_bias(%x: tensor<2x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must be a vector of size 8, got 'tensor<4xf32>'}}
  %0 = mica.bias_gelu %x, %b : (tensor<2x8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @skip_shape(%x: tensor<2x8xf32>, %s: tensor<2x4xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{input and skip must have the same shape, got 'tensor<2x8xf32>' and 'tensor<2x4xf32>'}}
  %0 = mica.skip_layer_norm %x, %s, %g : tensor<2x8xf32>, tensor<2x4xf32>, tensor<8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @skip_gamma(%x: tensor<2x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{gamma, beta and bias must be a vector of size 8, got 'tensor<4xf32>'}}
  %0 = mica.skip_layer_norm %x, %x, %g : tensor<2x8xf32>, tensor<2x8xf32>, tensor<4xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @embed_ids(%ids: tensor<8xi64>, %w: tensor<10x4xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{input_ids [B, S] must have rank 2, got 'tensor<8xi64>'}}
  %0 = mica.embed_layer_norm %ids, %w, %w, %g, %g : tensor<8xi64>, tensor<10x4xf32>, tensor<10x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @embed_hidden(%ids: tensor<1x8xi64>, %w: tensor<10x4xf32>, %p: tensor<10x5xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{embeddings must share the hidden size, got 'tensor<10x4xf32>' and 'tensor<10x5xf32>'}}
  %0 = mica.embed_layer_norm %ids, %w, %p, %g, %g : tensor<1x8xi64>, tensor<10x4xf32>, tensor<10x5xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @embed_segment(%ids: tensor<1x8xi64>, %w: tensor<10x4xf32>, %g: tensor<4xf32>, %s: tensor<2x5xf32>) {
  // expected-error @+1 {{segment_embedding must be [T, H] with H = 4, got 'tensor<2x5xf32>'}}
  %0 = mica.embed_layer_norm %ids, %w, %w, %g, %g segment(%ids, %s : tensor<1x8xi64>, tensor<2x5xf32>) : tensor<1x8xi64>, tensor<10x4xf32>, tensor<10x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @embed_position_ids(%ids: tensor<1x8xi64>, %w: tensor<10x4xf32>, %g: tensor<4xf32>, %p: tensor<1x7xi64>) {
  // expected-error @+1 {{segment_ids and position_ids must have the shape of input_ids 'tensor<1x8xi64>', got 'tensor<1x7xi64>'}}
  %0 = mica.embed_layer_norm %ids, %w, %w, %g, %g position_ids(%p : tensor<1x7xi64>) : tensor<1x8xi64>, tensor<10x4xf32>, tensor<10x4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @attention_rank(%x: tensor<8x4xf32>, %w: tensor<12x4xf32>) {
  // expected-error @+1 {{input [B, S, E] must have rank 3, got 'tensor<8x4xf32>'}}
  %0 = mica.attention %x, %w {num_heads = 2 : i64} : tensor<8x4xf32>, tensor<12x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @attention_weight(%x: tensor<1x8x4xf32>, %w: tensor<4x12xf32>) {
  // expected-error @+1 {{weight must be [3E, E] for input 'tensor<1x8x4xf32>', got 'tensor<4x12xf32>'}}
  %0 = mica.attention %x, %w {num_heads = 2 : i64} : tensor<1x8x4xf32>, tensor<4x12xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @attention_heads(%x: tensor<1x8x4xf32>, %w: tensor<12x4xf32>) {
  // expected-error @+1 {{hidden size 4 must be a positive multiple of num_heads = 3}}
  %0 = mica.attention %x, %w {num_heads = 3 : i64} : tensor<1x8x4xf32>, tensor<12x4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @attention_mask(%x: tensor<1x8x4xf32>, %w: tensor<12x4xf32>, %m: tensor<1x1x1x7xf32>) {
  // expected-error @+1 {{mask 'tensor<1x1x1x7xf32>' must broadcast to the scores [B, heads, S, S] of 'tensor<1x8x4xf32>'}}
  %0 = mica.attention %x, %w mask(%m : tensor<1x1x1x7xf32>) {num_heads = 2 : i64} : tensor<1x8x4xf32>, tensor<12x4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @attention_bias(%x: tensor<1x8x4xf32>, %w: tensor<12x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must be a vector of size 12, got 'tensor<4xf32>'}}
  %0 = mica.attention %x, %w bias(%b : tensor<4xf32>) {num_heads = 2 : i64} : tensor<1x8x4xf32>, tensor<12x4xf32> -> tensor<1x8x4xf32>
  return
}

// -----

func.func @lstm_input(%x: tensor<10x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{input [T, B, I] must have rank 3, got 'tensor<10x16xf32>'}}
  %0:3 = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @lstm_w(%x: tensor<10x1x16xf32>, %w: tensor<1x96x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{w must be [D, 4H, I] = [1, 128, 16], got 'tensor<1x96x16xf32>'}}
  %0:3 = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x1x16xf32>, tensor<1x96x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @lstm_bidirectional(%x: tensor<10x1x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{w must be [D, 4H, I] = [2, 128, 16], got 'tensor<1x128x16xf32>'}}
  %0:3 = mica.lstm %x, %w, %r {direction = #mica<direction bidirectional>, hidden_size = 32 : i64} : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x2x1x32xf32>, tensor<2x1x32xf32>, tensor<2x1x32xf32>
  return
}

// -----

func.func @lstm_r(%x: tensor<10x1x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x16xf32>) {
  // expected-error @+1 {{r must be [D, 4H, H] = [1, 128, 32], got 'tensor<1x128x16xf32>'}}
  %0:3 = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x16xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @lstm_bias(%x: tensor<10x1x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %b: tensor<1x128xf32>) {
  // expected-error @+1 {{bias must be [D, 8H], got 'tensor<1x128xf32>'}}
  %0:3 = mica.lstm %x, %w, %r bias(%b : tensor<1x128xf32>) {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @lstm_state(%x: tensor<10x1x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %h: tensor<1x2x32xf32>) {
  // expected-error @+1 {{initial states must be [D, B, H], got 'tensor<1x2x32xf32>'}}
  %0:3 = mica.lstm %x, %w, %r initial_h(%h : tensor<1x2x32xf32>) {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @lstm_peepholes(%x: tensor<10x1x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %p: tensor<1x32xf32>) {
  // expected-error @+1 {{peepholes must be [D, 3H], got 'tensor<1x32xf32>'}}
  %0:3 = mica.lstm %x, %w, %r peepholes(%p : tensor<1x32xf32>) {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @lstm_seq_lens(%x: tensor<10x2x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>, %l: tensor<3xi32>) {
  // expected-error @+1 {{sequence_lens must be a vector of size 2, got 'tensor<3xi32>'}}
  %0:3 = mica.lstm %x, %w, %r sequence_lens(%l : tensor<3xi32>) {direction = #mica<direction forward>, hidden_size = 32 : i64} : tensor<10x2x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x2x32xf32>, tensor<1x2x32xf32>, tensor<1x2x32xf32>
  return
}

// -----

func.func @lstm_hidden(%x: tensor<10x1x16xf32>, %w: tensor<1x128x16xf32>, %r: tensor<1x128x32xf32>) {
  // expected-error @+1 {{hidden_size must be positive, got 0}}
  %0:3 = mica.lstm %x, %w, %r {direction = #mica<direction forward>, hidden_size = 0 : i64} : tensor<10x1x16xf32>, tensor<1x128x16xf32>, tensor<1x128x32xf32> -> tensor<10x1x1x32xf32>, tensor<1x1x32xf32>, tensor<1x1x32xf32>
  return
}

// -----

func.func @gru_w(%x: tensor<5x1x4xf32>, %w: tensor<1x32x4xf32>, %r: tensor<1x24x8xf32>) {
  // expected-error @+1 {{w must be [D, 3H, I] = [1, 24, 4], got 'tensor<1x32x4xf32>'}}
  %0:2 = mica.gru %x, %w, %r {direction = #mica<direction forward>, hidden_size = 8 : i64} : tensor<5x1x4xf32>, tensor<1x32x4xf32>, tensor<1x24x8xf32> -> tensor<5x1x1x8xf32>, tensor<1x1x8xf32>
  return
}

// -----

func.func @gru_result(%x: tensor<5x1x4xf32>, %w: tensor<1x24x4xf32>, %r: tensor<1x24x8xf32>) {
  // expected-error @+1 {{inferred from the operands: 'tensor<5x1x1x8xf32>', 'tensor<1x1x8xf32>'}}
  %0:2 = mica.gru %x, %w, %r {direction = #mica<direction forward>, hidden_size = 8 : i64} : tensor<5x1x4xf32>, tensor<1x24x4xf32>, tensor<1x24x8xf32> -> tensor<5x1x1x8xf32>, tensor<1x2x8xf32>
  return
}
