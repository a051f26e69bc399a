"""Tensor methods that are not hot paths, written in Python over the compiled core."""
from ._C import Tensor, from_numpy
from ._device import CPU, device as _device_cls

_CUDA0 = _device_cls("cuda", 0)


def _numpy(self, *, force=False):
    """The tensor's memory as a NumPy array (zero-copy: writes show on both sides)."""
    import numpy as np  # lazily: keeps `import rustorch` fast

    if self.is_cuda:
        raise TypeError(
            "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first."
        )
    if self.requires_grad and not force:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    # NumPy reads `__array_interface__`; the array keeps the tensor (and its storage) alive.
    return np.asarray(self.detach() if force else self)


def _cpu(self, memory_format=None):
    return self.to("cpu") if self.is_cuda else self


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    from . import cuda
    cuda._index(device)
    return self.to("cuda")


def _pin_memory(self, device=None):
    """A copy in pinned host memory, as PyTorch's (which needs an accelerator to pin for)."""
    from . import cuda
    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if self.is_cuda:
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if self.is_pinned():
        return self
    out = self.clone()
    out._mark_pinned()
    return out


def _device(self):
    return _CUDA0 if self.is_cuda else CPU


def _array(self, dtype=None, copy=None):
    import numpy as np

    arr = self.numpy()
    if dtype is not None and np.dtype(dtype) != arr.dtype:
        if copy is False:
            raise ValueError("Unable to avoid copy while creating an array as requested.")
        return arr.astype(dtype)
    return arr.copy() if copy else arr


def _array_wrap(self, array, context=None, return_scalar=False):
    """NumPy ufuncs applied to tensors return tensors (`np.sin(t)`), as in PyTorch, which
    turns bool results into uint8."""
    import numpy as np

    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    return from_numpy(np.ascontiguousarray(array))


def _make_subclass(cls, data, require_grad=False):
    """An instance of the Tensor subclass ``cls`` sharing ``data``'s memory (a new leaf)."""
    if require_grad and not data.is_floating_point():
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    out = Tensor.__new__(cls)
    out.data = data
    out.requires_grad_(require_grad)
    return out


Tensor._make_subclass = staticmethod(_make_subclass)
Tensor.numpy = _numpy
Tensor.cpu = _cpu
Tensor.cuda = _cuda
Tensor.pin_memory = _pin_memory
Tensor.device = property(_device)
Tensor.__array__ = _array
Tensor.__array_wrap__ = _array_wrap
Tensor.__array_priority__ = 1000
