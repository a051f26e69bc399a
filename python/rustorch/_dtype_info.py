"""Facts about dtypes: ``torch.finfo`` and ``torch.iinfo`` (numeric limits, with PyTorch's
attributes and reprs, values printed with 6 significant digits) and ``torch.promote_types``."""
import sys as _sys

from . import _C

__all__ = ["finfo", "iinfo", "promote_types"]

# bits, largest finite value, machine epsilon, smallest normal, decimal resolution
_FLOAT_LIMITS = {
    _C.float16: (16, 65504.0, 2.0 ** -10, 2.0 ** -14, 1e-3),
    _C.bfloat16: (16, 3.3895313892515355e38, 2.0 ** -7, 2.0 ** -126, 1e-2),
    _C.float32: (32, 3.4028234663852886e38, 2.0 ** -23, 2.0 ** -126, 1e-6),
    _C.float64: (64, _sys.float_info.max, _sys.float_info.epsilon, _sys.float_info.min, 1e-15),
}

_INT_BITS = {_C.uint8: (8, False), _C.int8: (8, True), _C.int16: (16, True), _C.int32: (32, True), _C.int64: (64, True),
             _C.uint16: (16, False), _C.uint32: (32, False), _C.uint64: (64, False)}


def _dtype_name(dtype):
    return str(dtype).rsplit(".", 1)[-1]


class finfo:
    """Limits of a floating dtype (the default dtype when called without one)."""

    def __init__(self, type=None):
        dtype = _C.get_default_dtype() if type is None else type
        if dtype not in _FLOAT_LIMITS:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'")
        self.bits, self.max, self.eps, self.tiny, self.resolution = _FLOAT_LIMITS[dtype]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = _dtype_name(dtype)

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        if type not in _INT_BITS:
            raise TypeError(f"{type} is not supported by torch.iinfo")
        bits, signed = _INT_BITS[type]
        self.bits = bits
        self.min = -(1 << (bits - 1)) if signed else 0
        self.max = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
        self.dtype = _dtype_name(type)

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"




promote_types = _C.promote_types
