"""``rustorch.cuda``: the GPU behind PyTorch's ``cuda`` device API.

The device is the adapter wgpu opens (Vulkan, Metal or DX12; see ``rustorch.backends.wgpu``).
Nothing touches the GPU until the first query: ``import rustorch`` stays fast. Software
adapters (Mesa lavapipe, WARP) count only with ``RUSTORCH_WGPU_ALLOW_SOFTWARE=1``; without a
usable adapter, CUDA calls fail as in PyTorch's CPU-only builds.
"""
from .. import _C

OutOfMemoryError = _C.OutOfMemoryError


def is_available():
    return _C._cuda_is_available()


def device_count():
    return 1 if is_available() else 0


def is_initialized():
    return _C._cuda_is_initialized()


def init():
    _lazy_init()


def _lazy_init():
    """What every CUDA use goes through: opens the adapter, or fails as PyTorch's CPU-only
    builds do when there is none."""
    _C._cuda_init()
    from .. import _fallback
    _fallback.install()


def _index(device):
    """The device index named by ``device`` (None, an int, a string or a torch.device)."""
    if device is None:
        return 0
    if isinstance(device, int):
        index = device
    else:
        from .._device import device as device_cls
        d = device if isinstance(device, device_cls) else device_cls(device)
        if d.type != "cuda":
            raise ValueError("Expected a cuda device, but got: %s" % d)
        index = 0 if d.index is None else d.index
    _lazy_init()
    if not 0 <= index < device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    return index


def current_device():
    _lazy_init()
    return 0


def set_device(device):
    _index(device)


class device:
    """Context manager selecting a device (there is one: index 0)."""

    def __init__(self, device):
        self.idx = -1 if device is None else _index(device)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def get_device_name(device=None):
    return get_device_properties(device).name


def get_device_capability(device=None):
    """wgpu adapters have no CUDA compute capability; (0, 0) says so."""
    _index(device)
    return (0, 0)


class _DeviceProperties:
    """``torch.cuda.get_device_properties``: what the adapter reports."""

    def __init__(self, info):
        self.name = info["name"]
        self.backend = info["backend"]
        self.driver = info["driver"]
        self.type = info["device_type"]
        self.major, self.minor = 0, 0
        # wgpu does not report device memory; the largest buffer bounds one tensor.
        self.total_memory = int(info["max_buffer_size"])
        self.multi_processor_count = 0
        self.is_integrated = info["device_type"] == "IntegratedGpu"

    def __repr__(self):
        return "_CudaDeviceProperties(name='%s', backend='%s', driver='%s', total_memory=%dMB)" % (
            self.name, self.backend, self.driver, self.total_memory // (1 << 20))


def get_device_properties(device=None):
    _index(device)
    return _DeviceProperties(_C._cuda_adapter_info())


def synchronize(device=None):
    _index(device)
    _C._cuda_synchronize()


def manual_seed(seed):
    """Seeds the generator of random ops on ``cuda`` (without initialising the GPU, as in
    PyTorch). Until a counter-based GPU generator lands, ``cuda`` samples are drawn on the host
    with the CPU generator's algorithm: a seed gives the same numbers on both devices."""
    _C._cuda_default_generator.manual_seed(int(seed))


def manual_seed_all(seed):
    manual_seed(seed)


def seed():
    _C._cuda_default_generator.seed()


def seed_all():
    seed()


def initial_seed():
    return _C._cuda_default_generator.initial_seed()


def memory_allocated(device=None):
    if not is_initialized():
        return 0
    return int(_C._cuda_stats()["allocated"])


def max_memory_allocated(device=None):
    if not is_initialized():
        return 0
    return int(_C._cuda_stats()["peak"])


def memory_reserved(device=None):
    if not is_initialized():
        return 0
    stats = _C._cuda_stats()
    return int(stats["allocated"] + stats["cached"])


def max_memory_reserved(device=None):
    return max(memory_reserved(device), max_memory_allocated(device))


def reset_peak_memory_stats(device=None):
    _C._cuda_reset_peak()


def reset_max_memory_allocated(device=None):
    reset_peak_memory_stats(device)


def empty_cache():
    _C._cuda_empty_cache()


def memory_stats(device=None):
    stats = _C._cuda_stats() if is_initialized() else {"allocated": 0, "peak": 0, "cached": 0}
    return {
        "allocated_bytes.all.current": int(stats["allocated"]),
        "allocated_bytes.all.peak": int(stats["peak"]),
        "reserved_bytes.all.current": int(stats["allocated"] + stats["cached"]),
    }
