"""``rustorch.backends.wgpu``: the GPU backend behind the ``cuda`` device.

wgpu drives the adapter through Vulkan (Linux, Windows), Metal (macOS) or DX12 (Windows); never
OpenGL. Software adapters (Mesa lavapipe, WARP, SwiftShader) are used only with
``RUSTORCH_WGPU_ALLOW_SOFTWARE=1``. ``info()`` names the backend, adapter and driver.
"""
import os as _os

from .. import _C


def is_available():
    return _C._cuda_is_available()


def software_allowed():
    return _os.environ.get("RUSTORCH_WGPU_ALLOW_SOFTWARE") == "1"


def info():
    """The adapter in use: backend (Vulkan/Metal/Dx12), name, device type, driver, and the
    features that decide the dtypes (shader_f16, shader_int64); None without a usable adapter."""
    if not is_available():
        return None
    return dict(_C._cuda_adapter_info())


def backend():
    i = info()
    return None if i is None else i["backend"]


def adapter_name():
    i = info()
    return None if i is None else i["name"]


def driver():
    i = info()
    return None if i is None else i["driver"]


def stats():
    """Counters: bytes allocated/peak/cached, device buffers created (pool misses and the
    parameter arena), submissions, kernel dispatches, host<->device copies, and
    ``host_fallbacks``: CPU-side accesses to a cuda storage's bytes (a CPU kernel run on its
    host copy, or a read such as ``item``). The tests count work per training step with them."""
    return dict(_C._cuda_stats())
