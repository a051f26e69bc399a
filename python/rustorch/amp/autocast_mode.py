"""``torch.autocast`` on the CPU: inside the region, the ops PyTorch's CPU autocast lists as
lower precision (matmul, linear, convolutions, prelu) run in bfloat16 (or float16), and the ops
it lists as float32 (losses, prod) run in float32, casting their floating inputs first.

The ops are swapped for casting versions while at least one region is active, so code outside
autocast pays nothing."""
import functools
import threading
import warnings

from .. import _C

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

# PyTorch's CPU autocast op lists (aten/src/ATen/autocast_mode.cpp), as rustorch names them:
# (owner module path or "Tensor", attribute).
_LOWER_PRECISION_OPS = [
    ("rustorch", "matmul"), ("rustorch", "mm"), ("rustorch", "bmm"), ("rustorch", "addmm"),
    ("rustorch", "baddbmm"), ("rustorch", "addbmm"), ("rustorch", "conv1d"), ("rustorch", "conv2d"),
    ("Tensor", "matmul"), ("Tensor", "__matmul__"), ("Tensor", "__rmatmul__"), ("Tensor", "mm"),
    ("Tensor", "bmm"), ("Tensor", "addmm"), ("Tensor", "baddbmm"),
    ("rustorch.nn.functional", "linear"), ("rustorch.nn.functional", "conv1d"),
    ("rustorch.nn.functional", "conv2d"), ("rustorch.nn.functional", "conv_transpose1d"),
    ("rustorch.nn.functional", "conv_transpose2d"), ("rustorch.nn.functional", "prelu"),
    ("rustorch.nn.functional", "scaled_dot_product_attention"),
    ("rustorch.nn.Conv1d", "_function"), ("rustorch.nn.Conv2d", "_function"),
    ("rustorch.nn.ConvTranspose1d", "_function"), ("rustorch.nn.ConvTranspose2d", "_function"),
]
_FP32_OPS = [("rustorch", "prod"), ("Tensor", "prod")] + [
    ("rustorch.nn.functional", name) for name in (
        "binary_cross_entropy", "binary_cross_entropy_with_logits", "mse_loss", "l1_loss",
        "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy", "kl_div",
        "margin_ranking_loss", "soft_margin_loss", "hinge_embedding_loss",
        "cosine_embedding_loss", "poisson_nll_loss", "triplet_margin_loss", "multi_margin_loss",
        "multilabel_margin_loss", "ctc_loss")
]

_state = threading.local()
_patch_lock = threading.Lock()
_active_regions = 0
_originals = {}


def _current():
    """(enabled, dtype) of this thread's innermost CPU autocast region."""
    return getattr(_state, "cpu", (False, _C.bfloat16))


def _owner(path):
    import importlib
    import rustorch
    if path == "Tensor":
        return rustorch.Tensor
    module_path, _, cls = path.rpartition(".")
    if cls and cls[0].isupper():
        return getattr(importlib.import_module(module_path), cls)
    return importlib.import_module(path)


def _cast_args(args, kwargs, dtype, eligible):
    def cast(v):
        if isinstance(v, _C.Tensor) and eligible(v):
            return v.to(dtype)
        if isinstance(v, (list, tuple)):
            return type(v)(cast(x) for x in v)
        return v
    return tuple(cast(a) for a in args), {k: cast(v) for k, v in kwargs.items()}


def _wrap(fn, to_lower_precision):
    @functools.wraps(fn)
    def autocast_op(*args, **kwargs):
        enabled, dtype = _current()
        if enabled:
            if to_lower_precision:  # float64 stays as it is, as in PyTorch
                eligible = lambda t: t.is_floating_point() and t.dtype not in (dtype, _C.float64)  # noqa: E731
                target = dtype
            else:
                eligible = lambda t: t.is_floating_point() and t.dtype != _C.float32  # noqa: E731
                target = _C.float32
            args, kwargs = _cast_args(args, kwargs, target, eligible)
        return fn(*args, **kwargs)
    return autocast_op


def _install_casting_ops():
    for ops, lower in ((_LOWER_PRECISION_OPS, True), (_FP32_OPS, False)):
        for path, name in ops:
            owner = _owner(path)
            original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
            if original is None:
                continue
            _originals[(path, name)] = (owner, original)
            if isinstance(original, staticmethod):
                setattr(owner, name, staticmethod(_wrap(original.__func__, lower)))
            else:
                setattr(owner, name, _wrap(original, lower))


def _restore_ops():
    for (path, name), (owner, original) in _originals.items():
        setattr(owner, name, original)
    _originals.clear()


def is_autocast_available(device_type):
    return device_type == "cpu"


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``, as a
    context manager or a decorator. Only "cpu" runs here; "cuda" regions are disabled with
    PyTorch's warning, as on a machine without CUDA."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError("Expected `device_type` of type `str`, got: `%s`" % type(device_type))
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else (
            _C.bfloat16 if device_type == "cpu" else _C.float16)
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if device_type == "cuda" and enabled:
            warnings.warn("User provided device_type of 'cuda', but CUDA is not available. Disabling")
            enabled = False
        elif device_type not in ("cpu", "cuda"):
            raise RuntimeError(
                "User specified an unsupported autocast device_type '%s'" % device_type)
        if device_type == "cpu" and enabled and self.fast_dtype not in (_C.bfloat16, _C.float16):
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtype of torch.bfloat16, torch.float16 currently.")
            enabled = False
        self._enabled = enabled

    def __enter__(self):
        global _active_regions
        self._prev = _current()
        if self.device == "cpu":
            _state.cpu = (self._enabled, self.fast_dtype)
        with _patch_lock:
            if _active_regions == 0:
                _install_casting_ops()
            _active_regions += 1
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        global _active_regions
        if self.device == "cpu":
            _state.cpu = self._prev
        with _patch_lock:
            _active_regions -= 1
            if _active_regions == 0:
                _restore_ops()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self.__class__(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)
        return decorate_autocast


def is_autocast_enabled(device_type=None):
    """``torch.is_autocast_enabled([device_type])``: without a device, whether CUDA autocast is on."""
    if device_type in (None, "cuda"):
        return False
    return device_type == "cpu" and _current()[0]


def get_autocast_dtype(device_type):
    return _current()[1] if device_type == "cpu" else _C.float16


def is_autocast_cpu_enabled():
    return _current()[0]


def get_autocast_cpu_dtype():
    return _current()[1]


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """``torch.amp.custom_fwd``: the forward of a custom Function runs as written."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type="cuda"):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
