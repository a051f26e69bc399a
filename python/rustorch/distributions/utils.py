"""Helpers shared by the distributions (``torch.distributions.utils``)."""
from functools import update_wrapper
from numbers import Number

from .. import _C
from ..autograd.grad_mode import enable_grad

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]

euler_constant = 0.57721566490153286060  # Euler–Mascheroni

# (eps, tiny, min, max) of the float dtypes, as torch.finfo reports them.
_FINFO = {
    "float32": (1.1920928955078125e-07, 1.1754943508222875e-38, -3.4028234663852886e38, 3.4028234663852886e38),
    "float64": (2.220446049250313e-16, 2.2250738585072014e-308, -1.7976931348623157e308, 1.7976931348623157e308),
    "float16": (0.0009765625, 6.103515625e-05, -65504.0, 65504.0),
    "bfloat16": (0.0078125, 1.1754943508222875e-38, -3.3895313892515355e38, 3.3895313892515355e38),
}


def _finfo(dtype):
    return _FINFO[str(dtype).replace("torch.", "").replace("rustorch.", "")]


def finfo_eps(dtype):
    return _finfo(dtype)[0]


def finfo_tiny(dtype):
    return _finfo(dtype)[1]


def finfo_min(dtype):
    return _finfo(dtype)[2]


def broadcast_all(*values):
    """Numbers become tensors (of the first tensor's dtype, else the default dtype), then all
    are broadcast to one shape."""
    if not all(isinstance(v, (_C.Tensor, Number)) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, torch.Tensor or objects implementing "
            "__torch_function__."
        )
    if not all(isinstance(v, _C.Tensor) for v in values):
        dtype = next((v.dtype for v in values if isinstance(v, _C.Tensor)), _C.get_default_dtype())
        values = [v if isinstance(v, _C.Tensor) else _C.tensor(v, dtype=dtype) for v in values]
    from .. import broadcast_tensors
    return broadcast_tensors(*values)


def _standard_normal(shape, dtype, device=None):
    return _C.empty(shape, dtype=dtype).normal_()


def _sum_rightmost(value, dim):
    """Sums the ``dim`` rightmost dims."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(dim=-1)


def clamp_probs(probs):
    eps = finfo_eps(probs.dtype)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """Computed on first access (with gradients enabled) and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What the class attribute reads as, so that documentation tools see a property."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_mask(n, diag):
    arange = _C.arange(n)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec, diag=0):
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > finfo_eps(vec.dtype):
        raise ValueError(
            f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as the lower triangular "
            "part of a square D x D matrix."
        )
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag)] = vec
    return mat


def xlogy(x, y):
    """x·log(y), 0 where x is 0 (``torch.xlogy``)."""
    x, y = broadcast_all(x, y)
    return _C.where(x == 0, _C.zeros_like(x), x * y.log())
