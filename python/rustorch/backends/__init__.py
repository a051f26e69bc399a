"""``rustorch.backends``: per-backend switches and information (``backends.wgpu``: the GPU)."""
from . import wgpu  # noqa: F401
