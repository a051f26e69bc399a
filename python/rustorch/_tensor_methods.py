"""Tensor methods that are not hot paths, written in Python over the compiled core."""
from ._C import Tensor
from ._device import CPU


def _numpy(self, *, force=False):
    import numpy as np  # lazily: keeps `import rustorch` fast

    if force:
        return np.asarray(self.detach())
    if self.requires_grad:
        raise RuntimeError(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    return np.asarray(self)


def _cpu(self, memory_format=None):
    return self


def _device(self):
    return CPU


def _array(self, dtype=None, copy=None):
    arr = _numpy(self)
    return arr if dtype is None else arr.astype(dtype, copy=False)


Tensor.numpy = _numpy
Tensor.cpu = _cpu
Tensor.device = property(_device)
Tensor.__array__ = _array
Tensor.__array_priority__ = 1000
