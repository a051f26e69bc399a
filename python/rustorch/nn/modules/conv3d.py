"""``Conv3d`` / ``ConvTranspose3d``."""
from .. import functional as F
from .conv import _Conv, _ConvTransposeNd
from .utils import _triple

__all__ = ["Conv3d", "ConvTranspose3d"]


class Conv3d(_Conv):
    _ntuple = staticmethod(_triple)
    _function = staticmethod(F.conv3d)


class ConvTranspose3d(_ConvTransposeNd):
    _ntuple = staticmethod(_triple)
    _function = staticmethod(F.conv_transpose3d)
