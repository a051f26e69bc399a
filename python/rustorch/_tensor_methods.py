"""Tensor methods that are not hot paths, written in Python over the compiled core."""
from ._C import Tensor
from ._device import CPU


def _numpy(self, *, force=False):
    import numpy as np  # lazily: keeps `import rustorch` fast

    return np.asarray(self)


def _cpu(self, memory_format=None):
    return self


def _device(self):
    return CPU


def _array(self, dtype=None, copy=None):
    import numpy as np

    arr = np.asarray(self)
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
