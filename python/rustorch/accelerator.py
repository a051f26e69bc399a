"""``torch.accelerator``: the device-generic accelerator API. The accelerator is the wgpu GPU
(PyTorch's ``cuda`` device) when one is usable; otherwise there is none."""
from . import cuda as _cuda
from ._device import device as _device


def is_available():
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """``device(type='cuda')`` when the GPU backend is usable, else None (a CPU-only machine)."""
    return _device("cuda") if _cuda.is_available() else None


def device_count():
    return _cuda.device_count()


def current_device_index():
    return _cuda.current_device() if _cuda.is_available() else -1


current_device_idx = current_device_index


def set_device_index(device):
    _cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None):
    if _cuda.is_available():
        _cuda.synchronize(device)
