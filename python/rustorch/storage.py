"""Storages: the memory under tensors, as PyTorch exposes it: ``UntypedStorage``, the
``TypedStorage`` that tensor pickles carry, and the legacy ``FloatStorage``-style classes that
checkpoints name.

The compiled core keeps its storages internal, so a storage object here holds a flat 1-D
tensor over all of the memory (``as_strided`` from offset 0): every tensor rebuilt from one
storage object is a view of that tensor and so shares its memory.
"""
import weakref

from ._C import Tensor, from_numpy
from ._C import bool as _bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64
from ._C import complex64, complex128

__all__ = [
    "UntypedStorage", "TypedStorage", "DoubleStorage", "FloatStorage", "HalfStorage",
    "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage",
    "BoolStorage", "ComplexFloatStorage", "ComplexDoubleStorage",
]

# NumPy spells bfloat16 nowhere: its bytes travel as int16 bit patterns.
_NUMPY_NAMES = {
    _bool: "bool", uint8: "uint8", int8: "int8", int16: "int16", int32: "int32", int64: "int64",
    float16: "float16", bfloat16: "int16", float32: "float32", float64: "float64",
    complex64: "complex64", complex128: "complex128",
}


def _numpy_dtype(dtype):
    import numpy as np  # lazily: keeps `import rustorch` fast

    return np.dtype(_NUMPY_NAMES[dtype])


def _as_numpy(flat):
    """The NumPy array over a contiguous tensor's memory (bfloat16 as its int16 bits)."""
    import numpy as np

    return np.asarray(flat.view(int16) if flat.dtype == bfloat16 else flat)


def _tensor_over(array, dtype):
    """A tensor of ``dtype`` over a 1-D NumPy array's memory (the tensor keeps it alive)."""
    t = from_numpy(array)
    return t.view(bfloat16) if dtype == bfloat16 else t


def _flat_from_bytes(data, dtype):
    """A new flat tensor of ``dtype`` holding a copy of the raw little-endian ``data``."""
    import numpy as np

    return _tensor_over(np.frombuffer(data, dtype=_numpy_dtype(dtype).newbyteorder("<")).astype(
        _numpy_dtype(dtype)), dtype)


def _storage_numel(t):
    """Elements in ``t``'s storage. The core has no storage-size query, but ``as_strided``
    checks a view against the storage bounds, so search for the largest 1-D view that fits."""
    def fits(n):
        try:
            t.as_strided((n,), (1,), 0)
            return True
        except RuntimeError:
            return False

    low = t.storage_offset()  # known to fit: the view's own extent
    if t.numel():
        low += 1 + sum((size - 1) * stride for size, stride in zip(t.shape, t.stride()))
    step = 1
    while fits(low + step):
        low += step
        step *= 2
    high = low + step  # does not fit
    while high - low > 1:
        mid = (low + high) // 2
        if fits(mid):
            low = mid
        else:
            high = mid
    return low


# The storage object of each live storage, by the address of its first byte, so that views
# of one storage get the same object (pickle's memo and deepcopy's then keep them shared).
_storage_objects = weakref.WeakValueDictionary()


def _storage_base_ptr(t):
    return t.data_ptr() - t.storage_offset() * t.element_size()


def _untyped_storage(self):
    """``Tensor.untyped_storage()``: the storage under this tensor."""
    t = self.detach()
    numel = _storage_numel(t)
    if numel == 0:  # empty storages may share an address: never merge them
        return UntypedStorage._wrap(t.as_strided((0,), (1,), 0))
    ptr = _storage_base_ptr(t)
    storage = _storage_objects.get(ptr)
    if storage is None or storage.nbytes() != numel * t.element_size():
        storage = UntypedStorage._wrap(t.as_strided((numel,), (1,), 0))
        _storage_objects[ptr] = storage
    return storage


def _typed_storage(self):
    return TypedStorage(wrap_storage=self.untyped_storage(), dtype=self.dtype, _internal=True)


_warned_typed_storage = False


def _storage(self):
    """``Tensor.storage()``: the typed storage, deprecated in PyTorch (which warns once)."""
    global _warned_typed_storage
    if not _warned_typed_storage:
        import warnings

        _warned_typed_storage = True
        warnings.warn(
            "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only "
            "storage class. This should only matter to you if you are using storages directly.  To access "
            "UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()",
            UserWarning, stacklevel=2)
    return _typed_storage(self)


def _typename(obj):
    """PyTorch's ``torch.typename``: the class's module path with ``torch`` for ``rustorch``."""
    cls = type(obj)
    return "torch%s.%s" % (cls.__module__[len("rustorch"):], cls.__qualname__)


class UntypedStorage:
    """Bytes of memory on a device (the CPU, or the GPU as `cuda`)."""

    __slots__ = ("_flat", "__weakref__")
    is_sparse = False
    @property
    def device(self):
        return self._flat.device

    @property
    def is_cuda(self):
        return self._flat.is_cuda

    def __init__(self, *args, device=None):
        if device is not None and str(device) != "cpu":
            raise RuntimeError("rustorch storages live on the CPU only, not " + str(device))
        if len(args) == 1 and isinstance(args[0], int):
            from ._C import zeros
            self._flat = zeros(args[0], dtype=uint8)
        elif len(args) == 1:
            from ._C import tensor
            self._flat = tensor(list(args[0]), dtype=uint8)
        elif not args:
            from ._C import empty
            self._flat = empty(0, dtype=uint8)
        else:
            raise TypeError("UntypedStorage(): expected a size or a sequence of bytes")

    @classmethod
    def _wrap(cls, flat):
        storage = cls.__new__(cls)
        storage._flat = flat
        return storage

    def nbytes(self):
        return self._flat.numel() * self._flat.element_size()

    def size(self):
        return self.nbytes()

    __len__ = size

    def element_size(self):
        return 1

    def data_ptr(self):
        return self._flat.data_ptr()

    @property
    def dtype(self):
        return uint8

    def _bytes(self):
        return _as_numpy(self._flat.cpu()).tobytes()

    def tolist(self):
        return list(self._bytes())

    def __getitem__(self, index):
        if isinstance(index, slice):  # a view sharing this memory, as in PyTorch
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise RuntimeError("Trying to slice with a step of %d, but only a step of 1 is supported" % step)
            return UntypedStorage._wrap(self._flat[start:max(start, stop)])
        return self._bytes()[index]

    def __iter__(self):
        return iter(self._bytes())

    def cpu(self):
        return UntypedStorage._wrap(self._flat.cpu()) if self.is_cuda else self

    def cuda(self, device=None):
        return self if self.is_cuda else UntypedStorage._wrap(self._flat.cuda(device))

    def clone(self):
        return UntypedStorage._wrap(self._flat.clone())

    def _typed(self, dtype):
        """The flat tensor of ``dtype`` over this storage's memory."""
        if self._flat.dtype == dtype:
            return self._flat
        if self._flat.element_size() == dtype.itemsize:
            return self._flat.view(dtype)
        # The core views memory only as dtypes of one element size: reinterpret other sizes
        # through NumPy (the tensor keeps this storage's memory alive).
        return _tensor_over(_as_numpy(self._flat).view(_numpy_dtype(dtype)), dtype)

    def __deepcopy__(self, memo):
        return self.clone()

    def __reduce__(self):
        return (_untyped_storage_from_bytes, (self._bytes(), self._flat.dtype))

    def __repr__(self):
        data = " " + "\n ".join(str(b) for b in self._bytes())
        return "%s\n[%s(device=%s) of size %d]" % (data, _typename(self), self.device, len(self))


def _untyped_storage_from_bytes(data, dtype):
    return UntypedStorage._wrap(_flat_from_bytes(data, dtype))


class TypedStorage:
    """A storage seen as elements of one dtype (what tensor pickles carry)."""

    is_sparse = False
    @property
    def device(self):
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        return self._untyped_storage.is_cuda

    def __init__(self, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        dtype = dtype if dtype is not None else getattr(type(self), "dtype", None)
        if wrap_storage is None:
            if dtype is None:
                from ._C import get_default_dtype
                dtype = get_default_dtype()
            from ._C import empty, tensor
            if len(args) == 1 and isinstance(args[0], int):
                flat = empty(args[0], dtype=dtype)
            elif len(args) == 1:
                flat = tensor(list(args[0]), dtype=dtype)
            else:
                flat = empty(0, dtype=dtype)
            wrap_storage = UntypedStorage._wrap(flat)
        elif not isinstance(wrap_storage, UntypedStorage):
            raise TypeError("expected a UntypedStorage for wrap_storage, but got " + type(wrap_storage).__name__)
        self._untyped_storage = wrap_storage
        self.dtype = dtype

    def _flat(self):
        return self._untyped_storage._typed(self.dtype)

    def untyped(self):
        return self._untyped_storage

    def size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    __len__ = size

    def _size(self):
        return self.size()

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def element_size(self):
        return self.dtype.itemsize

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def _data_ptr(self):
        return self.data_ptr()

    def _pickle_storage_type(self):
        return _LEGACY_BY_DTYPE[self.dtype].__name__

    def tolist(self):
        return self._flat().tolist()

    def __getitem__(self, index):
        return self._flat()[index].item()

    def __iter__(self):
        return iter(self.tolist())

    def cpu(self):
        return TypedStorage(wrap_storage=self._untyped_storage.cpu(), dtype=self.dtype, _internal=True)

    def cuda(self, device=None):
        return TypedStorage(wrap_storage=self._untyped_storage.cuda(device), dtype=self.dtype, _internal=True)

    def clone(self):
        return TypedStorage(wrap_storage=self._untyped_storage.clone(), dtype=self.dtype, _internal=True)

    def __deepcopy__(self, memo):
        import copy

        return TypedStorage(wrap_storage=copy.deepcopy(self._untyped_storage, memo), dtype=self.dtype, _internal=True)

    def __reduce__(self):
        return (_typed_storage_of, (self._untyped_storage, self.dtype))

    def __repr__(self):
        data = " " + "\n ".join(str(v) for v in self.tolist())
        return "%s\n[%s(dtype=%s, device=%s) of size %d]" % (data, _typename(self), self.dtype, self.device, len(self))


def _typed_storage_of(untyped, dtype):
    return TypedStorage(wrap_storage=untyped, dtype=dtype, _internal=True)


def _legacy_storage_class(name, dtype):
    # PyTorch defines these at the top of the package: pickles name them `torch FloatStorage`.
    return type(name, (TypedStorage,), {"dtype": dtype, "__module__": "rustorch"})


DoubleStorage = _legacy_storage_class("DoubleStorage", float64)
FloatStorage = _legacy_storage_class("FloatStorage", float32)
HalfStorage = _legacy_storage_class("HalfStorage", float16)
BFloat16Storage = _legacy_storage_class("BFloat16Storage", bfloat16)
LongStorage = _legacy_storage_class("LongStorage", int64)
IntStorage = _legacy_storage_class("IntStorage", int32)
ShortStorage = _legacy_storage_class("ShortStorage", int16)
CharStorage = _legacy_storage_class("CharStorage", int8)
ByteStorage = _legacy_storage_class("ByteStorage", uint8)
BoolStorage = _legacy_storage_class("BoolStorage", _bool)
ComplexFloatStorage = _legacy_storage_class("ComplexFloatStorage", complex64)
ComplexDoubleStorage = _legacy_storage_class("ComplexDoubleStorage", complex128)

_LEGACY_BY_DTYPE = {cls.dtype: cls for cls in (
    DoubleStorage, FloatStorage, HalfStorage, BFloat16Storage, LongStorage, IntStorage,
    ShortStorage, CharStorage, ByteStorage, BoolStorage, ComplexFloatStorage, ComplexDoubleStorage)}

Tensor.untyped_storage = _untyped_storage
Tensor.storage = _storage
Tensor._typed_storage = _typed_storage
