// Lowers vector.contract (f16 x f16 -> f32, as mica-gpu-tile-contractions
// leaves it) to outer products, so the tiled IR runs on the CPU
// (tensorcore-tiling-exec.mlir).
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%m: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %m : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
    } : !transform.any_op
    transform.yield
  }
}
