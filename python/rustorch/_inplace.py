"""How in-place ``_`` variants composed in Python work, and PyTorch's casting rule for them.

An in-place variant computes the out-of-place result and copies it into ``self``: autograd
records the copy (``CopyBackwards``) over the op's own node, and ``copy_`` applies PyTorch's
rules for leaves that require grad. PyTorch's casting rule for in-place results is checked
first (``torch.arange(3).gcd_(x)`` is fine, ``sin_`` on an integer tensor is not).
"""
from . import _C
from ._C import Tensor

_FLOAT_DTYPES = None


def _is_float(dtype):
    global _FLOAT_DTYPES
    if _FLOAT_DTYPES is None:
        _FLOAT_DTYPES = {_C.float16, _C.bfloat16, _C.float32, _C.float64}
    return dtype in _FLOAT_DTYPES


def can_cast(from_, to):
    """Whether PyTorch's in-place and ``out=`` rules allow storing a ``from_`` result as ``to``:
    no float to integral, and nothing but bool to bool."""
    if not isinstance(from_, _C.dtype) or not isinstance(to, _C.dtype):
        raise TypeError("can_cast(): argument 'from_' and 'to' must be torch.dtype")
    if _is_float(from_) and not _is_float(to):
        return False
    return not (to == _C.bool and from_ != _C.bool)


def _check_in_place_cast(result, self):
    if not can_cast(result.dtype, self.dtype):
        raise RuntimeError(
            f"result type {_dtype_title(result.dtype)} can't be cast to the desired output type "
            f"{_dtype_title(self.dtype)}")


def _dtype_title(dtype):
    # PyTorch names ScalarTypes in this message: Float, Long, Bool, BFloat16, ...
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[str(dtype).replace("torch.", "")]


def check_no_partial_overlap(output, inputs):
    """PyTorch's refusal of an input that partly overlaps the tensor an op writes (``u[1:]``
    written from ``u[:-1]``): the result would depend on the order elements are visited in."""
    for value in inputs:
        if isinstance(value, Tensor):
            output._check_no_partial_overlap(value)


def in_place(fn, name=None):
    """``self.<name>_(...)``: ``fn(self, ...)`` written into self (fn's parameters)."""
    def method(self, *args, **kwargs):
        check_no_partial_overlap(self, args)
        check_no_partial_overlap(self, kwargs.values())
        result = fn(self, *args, **kwargs)
        _check_in_place_cast(result, self)
        return self.copy_(result)

    method.__name__ = name or fn.__name__ + "_"
    method.__doc__ = f"In-place version of :meth:`Tensor.{fn.__name__}`."
    # fn's parameters, for inspect.signature (not __wrapped__: that marks the fallback's wrappers
    # of Rust ops, which tests/test_device.py classifies).
    import inspect
    method.__signature__ = inspect.signature(fn)
    return method


def function_of(method, params="input"):
    """``torch.<name>(input, ...)``: the Tensor method as a plain function with PyTorch's
    parameters ``params`` (e.g. ``"input, other"``, ``"input, eps=None"``; ``*`` before the
    keyword-only ones), so that calls by keyword and ``inspect.signature`` work."""
    import ast
    import inspect
    parameters, kind = [], inspect.Parameter.POSITIONAL_OR_KEYWORD
    for spec in params.split(","):
        spec = spec.strip()
        if spec == "*":
            kind = inspect.Parameter.KEYWORD_ONLY
            continue
        name, _, default = spec.partition("=")
        parameters.append(inspect.Parameter(
            name, kind, default=ast.literal_eval(default) if default else inspect.Parameter.empty))

    def function(input, *args, **kwargs):
        return method(input, *args, **kwargs)

    function.__name__ = method.__name__
    function.__doc__ = method.__doc__
    function.__signature__ = inspect.Signature(parameters)
    return function
