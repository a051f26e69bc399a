"""``torch.backends``: the switches scripts set for cuDNN, MPS, oneDNN and CUDA matmuls, and
``backends.wgpu``, rustorch's own GPU backend (which adapter, driver and features `cuda` runs on).

rustorch has none of PyTorch's backends, so their ``is_available()`` is False and the flags are
plain settings that keep the values scripts give them (as PyTorch's do on a CPU-only build)."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum, wgpu

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum", "wgpu"]
