"""Tensor creation and random sampling: the compiled factories, seeding, the legacy typed
tensor classes (``torch.FloatTensor`` …) and the memory-format constants."""
from . import _C
from ._C import (
    Generator, Tensor, as_tensor, bernoulli, default_generator, empty_like, eye, full_like,
    linspace, logspace, multinomial, normal, ones_like, rand, rand_like, randint, randint_like,
    randn, randn_like, randperm, range, zeros_like,
)
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = [
    "Generator", "as_tensor", "bernoulli", "default_generator", "empty_like", "eye", "full_like",
    "linspace", "logspace", "multinomial", "normal", "ones_like", "rand", "rand_like", "randint",
    "randint_like", "randn", "randn_like", "randperm", "range", "zeros_like",
    "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state", "asarray", "scalar_tensor",
    "memory_format", "preserve_format", "contiguous_format", "channels_last", "channels_last_3d",
    "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor", "CharTensor",
    "ShortTensor", "IntTensor", "LongTensor", "BoolTensor",
]


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor of the default float dtype (whatever the kind of ``s``) unless ``dtype``."""
    return _C.full((), s, dtype=dtype or _C.get_default_dtype(), device=device, requires_grad=requires_grad)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Shares memory with a tensor or NumPy array when it can (unless ``copy=True``); other
    data is copied. ``copy=False`` raises when a copy would be needed."""
    from .storage import UntypedStorage
    if isinstance(obj, UntypedStorage):  # its bytes, as a uint8 tensor over the same memory
        obj = obj._flat
    shared = as_tensor(obj, dtype=dtype, device=device)
    aliases = isinstance(obj, Tensor) or hasattr(obj, "__array_interface__")
    if aliases and shared.data_ptr() != _source_data_ptr(obj):
        aliases = False  # a dtype conversion copied it
    if copy is False and not aliases:
        raise ValueError("can't alias object of type %s: a copy is needed" % type(obj).__name__)
    if copy and aliases:
        shared = shared.clone()
    if requires_grad:
        shared.requires_grad_(True)
    return shared


def _source_data_ptr(obj):
    if isinstance(obj, Tensor):
        return obj.data_ptr()
    return obj.__array_interface__["data"][0]


class _TorchConstant:
    """A named singleton shown as ``torch.<name>`` that pickles by name."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return self._name


class memory_format(_TorchConstant):
    """``torch.memory_format``: the layout a factory or ``contiguous()`` should produce."""

    __slots__ = ()


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")


class _LegacyTensorType(type):
    """Metaclass of the typed tensor classes: ``isinstance(t, torch.FloatTensor)`` checks the
    dtype, and calling the class builds a plain ``Tensor`` of that dtype."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype

    def __call__(cls, *args, device=None):
        return _C._legacy_new(cls.dtype, *args, device=device)

    def __repr__(cls):
        return "<class 'torch.%s'>" % cls.__name__


def _legacy_type(name, dtype):
    # `Tensor.type(torch.LongTensor)` finds the dtype from the class's __name__.
    return _LegacyTensorType(name, (Tensor,), {"dtype": dtype, "__module__": "rustorch", "__slots__": ()})


FloatTensor = _legacy_type("FloatTensor", _C.float32)
DoubleTensor = _legacy_type("DoubleTensor", _C.float64)
HalfTensor = _legacy_type("HalfTensor", _C.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _C.bfloat16)
ByteTensor = _legacy_type("ByteTensor", _C.uint8)
CharTensor = _legacy_type("CharTensor", _C.int8)
ShortTensor = _legacy_type("ShortTensor", _C.int16)
IntTensor = _legacy_type("IntTensor", _C.int32)
LongTensor = _legacy_type("LongTensor", _C.int64)
BoolTensor = _legacy_type("BoolTensor", _C.bool)
