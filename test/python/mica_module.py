# ===- mica_module.py - the mica Python module -------------------------------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===-------------------------------------------------------------------------===#
# Runs as a script (output FileChecked) and under pytest (every test_* must
# pass).
#
# RUN: %python %s | FileCheck %s
# RUN: %python -m pytest -q -p no:cacheprovider %s | FileCheck %s --check-prefix=PYTEST
# PYTEST: 4 passed

import mica
import pytest

MODULE = """
func.func @f(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %c = arith.constant 7 : i32
  %0 = mica.relu %x : tensor<?x?xf32>
  %1 = mica.exp %0 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}
"""


def test_bare_pipeline():
    m = mica.Context().parse(MODULE)
    m.run_pipeline("mica-refine-shapes{arg-shapes=0:2x3},canonicalize")
    text = str(m)
    print(text)
    assert "tensor<2x3xf32>" in text and "tensor<?x?xf32>" not in text
    assert "arith.constant" not in text


def test_anchored_pipeline():
    ctx = mica.Context()
    m = ctx.parse(MODULE)
    assert m.context is ctx
    m.run_pipeline("builtin.module(mica-refine-shapes{arg-shapes=0:4x5},canonicalize)")
    text = str(m)
    print(text)
    assert "tensor<4x5xf32>" in text and "arith.constant" not in text


def test_bad_pipeline():
    m = mica.Context().parse(MODULE)
    with pytest.raises(mica.MicaError) as err:
        m.run_pipeline("mica-no-such-pass")
    print("error:", err.value)
    assert "mica-no-such-pass" in str(err.value)
    # A pass that fails at run time: its diagnostic, with the location.
    with pytest.raises(RuntimeError) as err:
        m.run_pipeline("mica-refine-shapes{arg-shapes=0:1x2x3}")
    print("error:", err.value)
    assert "contradicts" in str(err.value)


def test_bad_ir():
    with pytest.raises(mica.MicaError) as err:
        mica.Context().parse("func.func @g() { %0 = mica.nope : i32 }")
    print("error:", err.value)
    assert "mica.nope" in str(err.value)


if __name__ == "__main__":
    # CHECK-LABEL: func.func @f
    # CHECK-SAME: tensor<2x3xf32>
    # CHECK-NOT: arith.constant
    # CHECK: mica.relu %{{.*}} : tensor<2x3xf32>
    # CHECK: mica.exp %{{.*}} : tensor<2x3xf32>
    test_bare_pipeline()
    # CHECK-LABEL: func.func @f
    # CHECK-SAME: tensor<4x5xf32>
    test_anchored_pipeline()
    # CHECK: error: pipeline 'mica-no-such-pass' failed:
    # CHECK-SAME: {{$}}
    # CHECK-NEXT: {{.*}}'mica-no-such-pass' does not refer to a registered pass
    # CHECK: error: pipeline 'mica-refine-shapes{arg-shapes=0:1x2x3}' failed:
    # CHECK-NEXT: <python>:2:1: error: mica-refine-shapes: shape for argument 0 contradicts its type 'tensor<?x?xf32>'
    test_bad_pipeline()
    # CHECK: error: cannot parse the module:
    # CHECK-NEXT: <python>:1:{{[0-9]+}}: {{.*}}mica.nope
    test_bad_ir()
    # CHECK: done
    print("done")
