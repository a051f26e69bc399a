"""Tensor methods that are not hot paths, written in Python over the compiled core."""
import numpy as _np

from ._C import Tensor
from ._device import CPU


def _numpy(self, *, force=False):
    return _np.asarray(self)


def _cpu(self, memory_format=None):
    return self


def _device(self):
    return CPU


def _array(self, dtype=None, copy=None):
    arr = _np.asarray(self)
    return arr if dtype is None else arr.astype(dtype, copy=False)


Tensor.numpy = _numpy
Tensor.cpu = _cpu
Tensor.device = property(_device)
Tensor.__array__ = _array
Tensor.__array_priority__ = 1000

# Until the autograd engine lands, no tensor records history.
Tensor.requires_grad = property(lambda self: False)
Tensor.grad_fn = property(lambda self: None)
Tensor.is_leaf = property(lambda self: True)
