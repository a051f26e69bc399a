"""Process-wide switches and names that PyTorch scripts and libraries touch in passing:
``torch.compile``, matmul precision, deterministic algorithms and tensor layouts."""
import functools
import warnings

from . import _C
from ._creation import _TorchConstant

__all__ = [
    "layout", "strided", "sparse_coo",
    "compile", "set_float32_matmul_precision", "get_float32_matmul_precision",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "from_dlpack", "frombuffer",
]


class layout(_TorchConstant):
    """``torch.layout``: the memory layout of a tensor (rustorch tensors are all strided)."""

    __slots__ = ()


strided = layout("strided")
sparse_coo = layout("sparse_coo")
_C.Tensor.layout = property(lambda self: strided, doc="Always ``torch.strided`` in rustorch.")


_matmul_precision = "highest"


def set_float32_matmul_precision(precision):
    """Accepted as in PyTorch; rustorch's float32 matmul is always full float32 ("highest")."""
    global _matmul_precision
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError("Invalid precision: %s (expected one of highest, high, medium)" % precision)
    _matmul_precision = precision


def get_float32_matmul_precision():
    return _matmul_precision


_deterministic = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """rustorch's CPU kernels are deterministic already; the flag is recorded for queries."""
    if not isinstance(mode, bool):
        raise TypeError("use_deterministic_algorithms expects a bool, but got %s" % type(mode).__name__)
    _deterministic["enabled"] = mode
    _deterministic["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _deterministic["enabled"]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic["warn_only"]


_compile_noted = False


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """``torch.compile``: rustorch runs eagerly, so the model or function comes back as it is
    (with a one-time note); used as ``@torch.compile(...)`` it returns that decorator."""
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    global _compile_noted
    if not _compile_noted and not disable:
        _compile_noted = True
        warnings.warn("torch.compile: rustorch has no graph compiler; the model runs eagerly",
                      UserWarning, stacklevel=2)
    return model


def from_dlpack(ext_tensor):
    """``torch.from_dlpack``: a tensor sharing the memory of any DLPack producer."""
    from .utils.dlpack import from_dlpack as _from_dlpack
    return _from_dlpack(ext_tensor)


def _untyped_storage_from_file(cls, filename, shared=False, nbytes=0):
    """``UntypedStorage.from_file``: ``nbytes`` bytes of ``filename``, memory-mapped (changes
    reach the file when ``shared``; otherwise they stay private, copy-on-write)."""
    import numpy as np
    from .storage import UntypedStorage
    mapped = np.memmap(filename, dtype=np.uint8, mode="r+" if shared else "c", shape=(nbytes,))
    return UntypedStorage._wrap(_C.from_numpy(mapped))


def _attach_storage_from_file():
    from .storage import UntypedStorage
    UntypedStorage.from_file = classmethod(_untyped_storage_from_file)
    UntypedStorage.untyped = lambda self: self  # as PyTorch's storages (libraries call it)


_attach_storage_from_file()


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """``torch.frombuffer``: a 1-D tensor over an object's buffer (no copy); ``offset`` in
    bytes, ``count`` in elements (-1: to the end)."""
    import numpy as np
    item = dtype.itemsize
    size = memoryview(buffer).nbytes - offset
    if count < 0:
        if size % item:
            raise ValueError("buffer length (%d bytes) after offset (%d bytes) must be a multiple of "
                             "element size (%d)" % (size, offset, item))
        count = size // item
    if count == 0 or count * item > size:
        raise ValueError("both buffer length (%d) and count (%d) must not be 0" % (size, count)
                         if count == 0 else "requested buffer length (%d * %d bytes) after offset (%d bytes) "
                         "must not be greater than actual buffer length (%d bytes)" % (count, item, offset, size + offset))
    raw = _C.from_numpy(np.frombuffer(buffer, dtype=np.uint8, count=count * item, offset=offset))
    t = raw.view(dtype)
    return t.requires_grad_(True) if requires_grad else t
