"""``MaxUnpool1d`` / ``MaxUnpool2d``: the partial inverses of max pooling."""
from .. import functional as F
from .module import Module
from .utils import _pair, _single

__all__ = ["MaxUnpool1d", "MaxUnpool2d"]


class _MaxUnpoolNd(Module):
    _ntuple = None
    _function = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        ntuple = type(self)._ntuple
        self.kernel_size = ntuple(kernel_size)
        self.stride = ntuple(stride if stride is not None else kernel_size)
        self.padding = ntuple(padding)

    def forward(self, input, indices, output_size=None):
        return type(self)._function(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    _ntuple = staticmethod(_single)
    _function = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    _ntuple = staticmethod(_pair)
    _function = staticmethod(F.max_unpool2d)
