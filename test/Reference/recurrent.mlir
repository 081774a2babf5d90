// lstm and gru against PyTorch (bidirectional LSTM with packed sequences
// for sequence_lens; GRU = linear_before_reset) and against the ONNX
// equations in numpy (peepholes + clip, GRU without linear_before_reset).

// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/ref.py lstm %t/lstm
// RUN: mica-run %s --reference --entry lstm --test-data-dir %t/lstm --check | FileCheck %s --check-prefix=LSTM
// RUN: %python %S/Inputs/ref.py lstm_peephole %t/peep
// RUN: mica-run %s --reference --entry lstm_peephole --test-data-dir %t/peep --check | FileCheck %s --check-prefix=PEEP
// RUN: %python %S/Inputs/ref.py gru %t/gru
// RUN: mica-run %s --reference --entry gru --test-data-dir %t/gru --check | FileCheck %s --check-prefix=GRU

// LSTM-COUNT-3: PASS
// LSTM-NOT: FAIL
func.func @lstm(%x: tensor<5x3x4xf32>, %w: tensor<2x24x4xf32>,
                %r: tensor<2x24x6xf32>, %b: tensor<2x48xf32>,
                %lens: tensor<3xi64>, %h0: tensor<2x3x6xf32>,
                %c0: tensor<2x3x6xf32>)
    -> (tensor<5x2x3x6xf32>, tensor<2x3x6xf32>, tensor<2x3x6xf32>) {
  %y, %h, %c = mica.lstm %x, %w, %r bias(%b : tensor<2x48xf32>)
      sequence_lens(%lens : tensor<3xi64>) initial_h(%h0 : tensor<2x3x6xf32>)
      initial_c(%c0 : tensor<2x3x6xf32>)
      {direction = #mica<direction bidirectional>, hidden_size = 6 : i64}
      : tensor<5x3x4xf32>, tensor<2x24x4xf32>, tensor<2x24x6xf32>
      -> tensor<5x2x3x6xf32>, tensor<2x3x6xf32>, tensor<2x3x6xf32>
  return %y, %h, %c : tensor<5x2x3x6xf32>, tensor<2x3x6xf32>, tensor<2x3x6xf32>
}

// PEEP-COUNT-3: PASS
// PEEP-NOT: FAIL
func.func @lstm_peephole(%x: tensor<4x2x3xf32>, %w: tensor<1x20x3xf32>,
                         %r: tensor<1x20x5xf32>, %b: tensor<1x40xf32>,
                         %p: tensor<1x15xf32>)
    -> (tensor<4x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>) {
  %y, %h, %c = mica.lstm %x, %w, %r bias(%b : tensor<1x40xf32>)
      peepholes(%p : tensor<1x15xf32>)
      {direction = #mica<direction forward>, hidden_size = 5 : i64,
       clip = 0.5 : f32}
      : tensor<4x2x3xf32>, tensor<1x20x3xf32>, tensor<1x20x5xf32>
      -> tensor<4x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>
  return %y, %h, %c : tensor<4x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>
}

// GRU-COUNT-4: PASS
// GRU-NOT: FAIL
func.func @gru(%x: tensor<4x2x3xf32>, %w: tensor<1x15x3xf32>,
               %r: tensor<1x15x5xf32>, %b: tensor<1x30xf32>,
               %h0: tensor<1x2x5xf32>)
    -> (tensor<4x1x2x5xf32>, tensor<1x2x5xf32>, tensor<4x1x2x5xf32>,
        tensor<1x2x5xf32>) {
  %y, %h = mica.gru %x, %w, %r bias(%b : tensor<1x30xf32>)
      initial_h(%h0 : tensor<1x2x5xf32>)
      {direction = #mica<direction forward>, hidden_size = 5 : i64,
       linear_before_reset = true}
      : tensor<4x2x3xf32>, tensor<1x15x3xf32>, tensor<1x15x5xf32>
      -> tensor<4x1x2x5xf32>, tensor<1x2x5xf32>
  %y2, %h2 = mica.gru %x, %w, %r bias(%b : tensor<1x30xf32>)
      initial_h(%h0 : tensor<1x2x5xf32>)
      {direction = #mica<direction reverse>, hidden_size = 5 : i64}
      : tensor<4x2x3xf32>, tensor<1x15x3xf32>, tensor<1x15x5xf32>
      -> tensor<4x1x2x5xf32>, tensor<1x2x5xf32>
  return %y, %h, %y2, %h2 : tensor<4x1x2x5xf32>, tensor<1x2x5xf32>,
      tensor<4x1x2x5xf32>, tensor<1x2x5xf32>
}
