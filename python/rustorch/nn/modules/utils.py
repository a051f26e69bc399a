"""Argument helpers shared by layers and functional ops (PyTorch's ``torch.nn.modules.utils``)."""
import collections.abc
from itertools import repeat

from ... import _C

__all__ = ["_single", "_pair", "_triple", "_ntuple", "_reverse_repeat_tuple", "_scalar_type_name"]


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")


def _reverse_repeat_tuple(t, n):
    """``(a, b)`` -> ``(b, b, a, a)`` for n=2: F.pad's last-dimension-first order."""
    return tuple(x for x in reversed(t) for _ in range(n))


_SCALAR_TYPE_NAMES = {_C.int64: "Long", _C.int32: "Int", _C.int16: "Short", _C.int8: "Char", _C.uint8: "Byte",
                      _C.bool: "Bool", _C.float32: "Float", _C.float64: "Double", _C.float16: "Half",
                      _C.bfloat16: "BFloat16"}


def _scalar_type_name(dtype):
    """The C++ scalar type name PyTorch's kernel errors use (``Long`` for torch.int64)."""
    return _SCALAR_TYPE_NAMES.get(dtype, str(dtype))


def _check_floating_kernel(input, kernel):
    """PyTorch's kernels for these ops exist for floating dtypes only: others raise
    NotImplementedError naming the kernel, as its dispatch macros do."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type_name(input.dtype)}'")


def _check_not_bool(input, message):
    if input.dtype is _C.bool:
        raise NotImplementedError(message)
