"""Elementwise math at the torch level: aliases of the compiled ops and functions whose first
argument is the input tensor (``rustorch.clamp(t, 0, 1)`` is ``t.clamp(0, 1)``)."""
from ._C import Tensor
from ._C import pow, float_power
from ._C import where  # noqa: F401  (exported through __all__)

# PyTorch's alternative names for the same ops.
_TENSOR_ALIASES = {
    "absolute": "abs", "absolute_": "abs_",
    "negative": "neg", "negative_": "neg_",
    "sgn": "sign", "sgn_": "sign_",
    "fix": "trunc", "fix_": "trunc_",
    "arcsin": "asin", "arcsin_": "asin_",
    "arccos": "acos", "arccos_": "acos_",
    "arctan": "atan", "arctan_": "atan_",
    "arcsinh": "asinh", "arcsinh_": "asinh_",
    "arccosh": "acosh", "arccosh_": "acosh_",
    "arctanh": "atanh", "arctanh_": "atanh_",
    "arctan2": "atan2", "arctan2_": "atan2_",
    "greater": "gt", "greater_": "gt_",
    "greater_equal": "ge", "greater_equal_": "ge_",
    "less": "lt", "less_": "lt_",
    "less_equal": "le", "less_equal_": "le_",
    "not_equal": "ne", "not_equal_": "ne_",
    "subtract": "sub", "subtract_": "sub_",
    "divide_": "div_",
}
for _alias, _name in _TENSOR_ALIASES.items():
    setattr(Tensor, _alias, getattr(Tensor, _name))

# rustorch.f(t, ...) is Tensor.f(t, ...).
_FUNCTIONS_FROM_METHODS = [
    "fmod", "fmax", "fmin", "hypot", "copysign", "bitwise_not", "bitwise_left_shift",
    "bitwise_right_shift", "logical_and", "logical_or", "logical_xor", "logical_not",
    "clamp", "clamp_", "clip", "clip_", "clamp_min", "clamp_max", "round", "round_",
    "nan_to_num", "nan_to_num_", "logit", "positive", "isnan", "isinf", "isposinf",
    "isneginf", "isfinite", "isreal", "signbit", "isclose", "allclose", "equal",
    "relu_", "sigmoid_", "exp_", "sqrt_", "neg_", "abs_", "floor_", "ceil_", "trunc_",
    "true_divide", "multiply",
] + [a for a in _TENSOR_ALIASES if not a.endswith("_")]
for _name in _FUNCTIONS_FROM_METHODS:
    globals()[_name] = getattr(Tensor, _name)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return (input * alpha).__rsub__(other) if alpha != 1 else input.__rsub__(other)


def square_(input):
    return input.square_()


__all__ = ["pow", "float_power", "where", "rsub", "square_"] + _FUNCTIONS_FROM_METHODS
del _alias, _name
