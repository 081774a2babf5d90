// RUN: mica-opt %s --mica-fusion-report -o /dev/null 2>&1 | FileCheck %s --check-prefix=TEXT
// RUN: mica-opt %s --mica-fusion-report="format=json output=%t.json" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: mica-opt %s --mica-fusion-report="fuse-bert=false" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOBERT
// RUN: not mica-opt %s --mica-fusion-report="format=yaml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADFMT
// RUN: mica-opt %s --mica-fusion-report -o - 2>/dev/null | FileCheck %s --check-prefix=IR

// The report names the model nodes (from the importer's locations), counts
// fires per rewrite and lists near misses with the failed condition.

// TEXT: Mica fusion report
// TEXT-DAG: mica-fuse-bert.gelu: fired 1, missed 0
// TEXT-DAG:   fired  encoder/ffn/gelu_mul: gelu (erf)
// TEXT-DAG: mica-fuse-bert.layer_norm: fired 0, missed 1
// TEXT-DAG:   missed encoder/ln/div: epsilon is not a constant added to the variance
// TEXT-DAG: mica-combine-parallel-dense: fired 1, missed 0
// TEXT-DAG:   fired  heads/a/MatMul: combined 2 matmul ops into one of width 12

// JSON: "rewrites": [
// JSON-DAG: "name": "mica-fuse-bert.gelu"
// JSON-DAG: "node": "encoder/ffn/gelu_mul"
// JSON-DAG: "message": "epsilon is not a constant added to the variance"
// JSON-DAG: "missed": 1

// NOBERT-NOT: mica-fuse-bert
// NOBERT: mica-combine-parallel-dense: fired 1

// BADFMT: unknown format 'yaml' (expected text or json)

// IR-LABEL: func.func @gelu
// IR: mica.gelu
// IR-LABEL: func.func @ln_eps_not_constant
// IR-NOT: mica.layer_norm
// IR-LABEL: func.func @heads
// IR: mica.split

func.func @gelu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %half = mica.constant dense<0.5> : tensor<f32>
  %one = mica.constant dense<1.0> : tensor<f32>
  %sqrt2 = mica.constant dense<1.41421354> : tensor<f32>
  %d = mica.div %x, %sqrt2 : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32> loc("encoder/ffn/gelu_div")
  %e = mica.erf %d : tensor<4x8xf32> loc("encoder/ffn/gelu_erf")
  %a = mica.add %e, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32> loc("encoder/ffn/gelu_add")
  %m = mica.mul %x, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32> loc("encoder/ffn/gelu_mul0")
  %y = mica.mul %m, %half : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32> loc("encoder/ffn/gelu_mul")
  return %y : tensor<4x8xf32>
}

func.func @ln_eps_not_constant(%x: tensor<4x32xf32>, %eps: tensor<f32>) -> tensor<4x32xf32> {
  %m = mica.reduce mean %x {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %d = mica.sub %x, %m : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %p = mica.mul %d, %d : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %v = mica.reduce mean %p {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %ve = mica.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = mica.sqrt %ve : tensor<4x1xf32>
  %n = mica.div %d, %s : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32> loc("encoder/ln/div")
  return %n : tensor<4x32xf32>
}

func.func @heads(%x: tensor<2x16xf32>) -> (tensor<2x4xf32>, tensor<2x8xf32>) {
  %wa = mica.constant dense<0.5> : tensor<16x4xf32>
  %wb = mica.constant dense<0.25> : tensor<16x8xf32>
  %a = mica.matmul %x, %wa : (tensor<2x16xf32>, tensor<16x4xf32>) -> tensor<2x4xf32> loc("heads/a/MatMul")
  %b = mica.matmul %x, %wb : (tensor<2x16xf32>, tensor<16x8xf32>) -> tensor<2x8xf32> loc("heads/b/MatMul")
  return %a, %b : tensor<2x4xf32>, tensor<2x8xf32>
}
