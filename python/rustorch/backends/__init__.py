"""``torch.backends``: the switches scripts set for cuDNN, MPS, oneDNN and CUDA matmuls.

rustorch has none of those backends, so ``is_available()`` is False and the flags are plain
settings that keep the values scripts give them (as PyTorch's do on a CPU-only build)."""
import importlib.util

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]

# A GPU backend module (backends/wgpu.py) is added by the GPU work when present.
if importlib.util.find_spec(__name__ + ".wgpu") is not None:
    from . import wgpu  # noqa: F401
    __all__.append("wgpu")
del importlib
