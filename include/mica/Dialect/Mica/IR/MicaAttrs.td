//===- MicaAttrs.td - Mica enum attributes -----------------*- tablegen -*-===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//

#ifndef MICA_DIALECT_MICA_IR_MICAATTRS_TD
#define MICA_DIALECT_MICA_IR_MICAATTRS_TD

include "mica/Dialect/Mica/IR/MicaBase.td"
include "mlir/IR/EnumAttr.td"

class Mica_EnumAttr<EnumAttrInfo info, string mnemonic>
    : EnumAttr<Mica_Dialect, info, mnemonic> {
  let assemblyFormat = "$value";
}

def Mica_CmpPredicate : I32EnumAttr<"CmpPredicate", "comparison predicate", [
    I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
    I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
    I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_CmpPredicateAttr : Mica_EnumAttr<Mica_CmpPredicate, "cmp">;

def Mica_ReduceKind : I32EnumAttr<"ReduceKind", "reduction kind", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"mean", 1>,
    I32EnumAttrCase<"max", 2>, I32EnumAttrCase<"min", 3>,
    I32EnumAttrCase<"prod", 4>, I32EnumAttrCase<"l1", 5>,
    I32EnumAttrCase<"l2", 6>, I32EnumAttrCase<"sum_square", 7>,
    I32EnumAttrCase<"log_sum_exp", 8>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_ReduceKindAttr : Mica_EnumAttr<Mica_ReduceKind, "reduce">;

def Mica_GeluApprox : I32EnumAttr<"GeluApprox", "GELU approximation", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"tanh", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_GeluApproxAttr : Mica_EnumAttr<Mica_GeluApprox, "gelu">;

def Mica_Activation : I32EnumAttr<"Activation", "fused activation epilogue", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"relu", 1>,
    I32EnumAttrCase<"gelu", 2>, I32EnumAttrCase<"gelu_tanh", 3>,
    I32EnumAttrCase<"tanh", 4>, I32EnumAttrCase<"sigmoid", 5>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_ActivationAttr : Mica_EnumAttr<Mica_Activation, "activation">;

def Mica_PoolKind : I32EnumAttr<"PoolKind", "pooling kind", [
    I32EnumAttrCase<"max", 0>, I32EnumAttrCase<"avg", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_PoolKindAttr : Mica_EnumAttr<Mica_PoolKind, "pool">;

def Mica_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_PadModeAttr : Mica_EnumAttr<Mica_PadMode, "pad_mode">;

def Mica_RnnDirection : I32EnumAttr<"RnnDirection", "recurrence direction", [
    I32EnumAttrCase<"forward", 0>, I32EnumAttrCase<"reverse", 1>,
    I32EnumAttrCase<"bidirectional", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_RnnDirectionAttr : Mica_EnumAttr<Mica_RnnDirection, "direction">;

def Mica_ResizeMode : I32EnumAttr<"ResizeMode", "resize interpolation", [
    I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_ResizeModeAttr : Mica_EnumAttr<Mica_ResizeMode, "resize">;

def Mica_CoordTransform : I32EnumAttr<"CoordTransform",
    "resize coordinate transformation", [
    I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"asymmetric", 1>,
    I32EnumAttrCase<"align_corners", 2>,
    I32EnumAttrCase<"pytorch_half_pixel", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_CoordTransformAttr : Mica_EnumAttr<Mica_CoordTransform, "coord">;

def Mica_NearestMode : I32EnumAttr<"NearestMode", "resize nearest rounding", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>, I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_NearestModeAttr : Mica_EnumAttr<Mica_NearestMode, "nearest">;

def Mica_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "scatter reduction", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"add", 1>,
    I32EnumAttrCase<"mul", 2>, I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mica";
}
def Mica_ScatterReductionAttr
    : Mica_EnumAttr<Mica_ScatterReduction, "scatter">;

#endif // MICA_DIALECT_MICA_IR_MICAATTRS_TD
