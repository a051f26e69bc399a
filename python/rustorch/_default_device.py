"""``torch.set_default_device`` / ``get_default_device``: where factory functions allocate
when called without ``device=``."""
from . import _C
from ._device import device as _device


def set_default_device(device):
    _C._set_default_device(None if device is None else str(_device(device)))


def get_default_device():
    return _device("cuda", 0) if _C._get_default_device_is_cuda() else _device("cpu")
