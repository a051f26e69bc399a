"""``torch.amp``: autocast regions and the gradient scaler; also registers ``torch.cuda.amp``
(``rustorch.cuda.amp``) with PyTorch's deprecated CUDA spellings."""
import sys

from .autocast_mode import (autocast, custom_bwd, custom_fwd, get_autocast_dtype,
                            is_autocast_available, is_autocast_enabled)
from .grad_scaler import GradScaler
from . import _cuda_amp

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd", "is_autocast_available",
           "is_autocast_enabled", "get_autocast_dtype"]

sys.modules[__name__.rpartition(".")[0] + ".cuda.amp"] = _cuda_amp
sys.modules[__name__.rpartition(".")[0] + ".cuda"].amp = _cuda_amp
