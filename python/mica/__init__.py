# ===- __init__.py - the mica Python package ---------------------------------===#
#
# Part of the Mica project: an MLIR-based deep-learning compiler.
#
# ===-------------------------------------------------------------------------===#
"""Mica from Python: parse mica IR, run Mica pass pipelines, print the result.

    import mica
    ctx = mica.Context()
    m = ctx.parse(open("model.mlir").read())
    m.run_pipeline("mica-refine-shapes{arg-shapes=0:1x128},canonicalize")
    print(m)

Errors (bad IR, unknown passes, failing passes) raise ``mica.MicaError`` with
the diagnostics, locations included.
"""

from ._mica import Context, MicaError, Module

__all__ = ["Context", "MicaError", "Module"]
