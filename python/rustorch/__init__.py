"""rustorch: a PyTorch-compatible deep-learning library with a Rust engine.

``import rustorch as torch`` and PyTorch scripts run unchanged.
"""
from . import _C
from ._C import Tensor, dtype, from_numpy, get_default_dtype, set_default_dtype
from ._C import tensor, zeros, ones, empty, full, arange
from ._C import (
    bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
    uint16, uint32, uint64, complex64, complex128,
)
from ._size import Size
from ._device import device, CPU as _CPU
from ._tensor_str import set_printoptions, get_printoptions, printoptions
from . import _tensor_methods  # noqa: F401  (attaches the Python-level Tensor methods)
# Each op family's Python-level functions live in their own module.
from ._creation import *  # noqa: F401,F403
from ._shape import *  # noqa: F401,F403
from ._math import *  # noqa: F401,F403
from ._reduce import *  # noqa: F401,F403
from . import cuda, random, version
from . import accelerator, backends  # noqa: E402
from ._default_device import set_default_device, get_default_device
from ._C import is_grad_enabled, is_inference_mode_enabled
from . import autograd, nn  # noqa: E402
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode
from . import linalg, return_types
from . import special
from . import fft  # noqa: E402  (torch.fft)
from ._C import complex, polar, view_as_real, view_as_complex  # noqa: E402,A004
from .special import polygamma, xlogy, multigammaln as mvlgamma  # noqa: F401  (torch-level names)
from ._contract import *  # noqa: F401,F403  (einsum, tensordot, kron, cdist, meshgrid, ...)
from ._dtype_info import finfo, iinfo, promote_types
from ._linalg_aliases import *  # noqa: F401,F403  (det, inverse, svd, cholesky_solve, ...)
from ._extra_math import *  # noqa: F401,F403  (lerp, logaddexp, diff, cov, bincount, ...)
from ._variants import *  # noqa: F401,F403  (in-place variants, can_cast, result_type, ...)
from ._scatter import *  # noqa: F401,F403  (scatter_reduce, index_reduce, *_scatter, put, ...)
from ._factories import *  # noqa: F401,F403  (empty_strided, window functions)
from ._numeric import *  # noqa: F401,F403  (gcd, lcm, frexp, nextafter, renorm, gradient, ...)
from ._torch_misc import *  # noqa: F401,F403  (settings, sym_*, cond/while_loop/vmap, ...)
from ._search import *  # noqa: F401,F403  (searchsorted, isin, histogram, unique_consecutive, ...)
from . import _utils  # noqa: F401  (attaches tensor pickling)
from ._utils import typename
from .storage import *  # noqa: F401,F403
from . import optim, utils  # noqa: E402
from ._C import _sample_dirichlet, _standard_gamma, binomial, poisson  # noqa: E402
# What scripts and libraries touch in passing: backends, compile, jit, autocast, DLPack.
from ._compat import *  # noqa: F401,F403
from . import amp, backends, jit  # noqa: E402
from .amp import autocast
from .amp.autocast_mode import (is_autocast_enabled, get_autocast_dtype,  # noqa: F401
                                is_autocast_cpu_enabled, get_autocast_cpu_dtype)

__version__ = "0.1.0"

_C._register_size_class(Size)

# PyTorch's dtype aliases.
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128

# Every unary op of the Rust op table is also a function: rustorch.exp(x) is Tensor.exp(x).
for _name in _C._unary_op_names():
    globals()[_name] = getattr(Tensor, _name)
del _name


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def _functions_from_methods(*names):
    """rustorch.f(t, ...) is t.f(...) for methods whose first argument is the input tensor."""
    for n in names:
        globals()[n] = getattr(Tensor, n)


_functions_from_methods(
    "add", "sub", "mul", "multiply", "div", "divide", "true_divide", "remainder",
    "floor_divide", "maximum", "minimum", "atan2", "bitwise_and", "bitwise_or",
    "bitwise_xor", "eq", "ne", "lt", "le", "gt", "ge", "sum", "mean", "reshape",
)


# PyTorch's signatures (keywords, overloads, out=) for the names above: generated from one
# declaration per function (tools/signatures), imported last so that it wraps the final objects.
from . import _bound  # noqa: E402,F401


# Imported on first use (as attributes or `import rustorch.hub`): they pull in urllib, zipfile,
# pickle and a large class tree that many scripts never touch, and import time is a feature.
# name -> (submodule, attribute of it or None for the submodule itself)
_LAZY = {"distributions": ("distributions", None), "hub": ("hub", None),
         "serialization": ("serialization", None), "save": ("serialization", "save"),
         "load": ("serialization", "load")}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module_name, attr = _LAZY[name]
        value = importlib.import_module("." + module_name, __name__)
        if attr is not None:
            value = globals()[name] = getattr(value, attr)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
