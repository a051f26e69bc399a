"""``torch.utils.dlpack``: zero-copy tensor exchange with NumPy, PyTorch, JAX, CuPy… through
DLPack capsules (built in ``rustorch._C``, so bfloat16 travels too)."""
import enum

from .. import _C

__all__ = ["DLDeviceType", "to_dlpack", "from_dlpack"]


class DLDeviceType(enum.IntEnum):
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLExtDev = 12
    kDLOneAPI = 14
    kDLWebGPU = 15


def _dlpack_device(self):
    """``Tensor.__dlpack_device__()``: (device type, device index)."""
    return (DLDeviceType.kDLCPU, 0)


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """``Tensor.__dlpack__``: a capsule over this tensor's memory. A consumer asking for
    ``max_version >= (1, 0)`` gets a versioned capsule, older ones the legacy kind."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and stream != -1:
        raise ValueError("stream should be None on cpu.")
    if dl_device is not None and tuple(dl_device) != (int(DLDeviceType.kDLCPU), 0):
        raise BufferError("rustorch can only export DLPack capsules on the CPU (device %r)" % (tuple(dl_device),))
    tensor = self.clone() if copy else self
    versioned = max_version is not None and tuple(max_version)[0] >= 1
    if not versioned and copy is not None:
        raise BufferError("copy= needs a DLPack 1.0 consumer (max_version >= (1, 0))")
    return _C._to_dlpack(tensor, versioned, bool(copy))


_C.Tensor.__dlpack__ = _dlpack
_C.Tensor.__dlpack_device__ = _dlpack_device


def to_dlpack(tensor):
    """A legacy ("dltensor") capsule over ``tensor``'s memory, for consumers that take capsules."""
    return _C._to_dlpack(tensor, False, False)


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of ``ext_tensor``: an object with ``__dlpack__`` (a NumPy
    array, a PyTorch tensor, …) or a DLPack capsule. The producer stays alive while the
    tensor (or any view of it) does."""
    if not hasattr(ext_tensor, "__dlpack__"):
        return _C._from_dlpack(ext_tensor)
    device_type, _ = ext_tensor.__dlpack_device__()
    if int(device_type) != DLDeviceType.kDLCPU:
        raise RuntimeError("from_dlpack: rustorch has CPU tensors only; got DLPack device type %d" % int(device_type))
    try:
        capsule = ext_tensor.__dlpack__(max_version=(1, 0))
    except TypeError:  # a producer from before DLPack 1.0
        capsule = ext_tensor.__dlpack__()
    return _C._from_dlpack(capsule)
