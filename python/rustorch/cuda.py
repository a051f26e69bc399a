"""``rustorch.cuda``: GPU queries. No GPU backend is active yet, so CUDA is never available."""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def _lazy_init():
    """What every CUDA use goes through: without a CUDA backend it fails as PyTorch's CPU-only
    builds do."""
    raise AssertionError("Torch not compiled with CUDA enabled")


def current_device():
    _lazy_init()


def synchronize(device=None):
    _lazy_init()
