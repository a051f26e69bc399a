"""``torch.special``: special functions, elementwise, with PyTorch's gradients. The one-argument
functions are rows of the Rust unary op table (``Tensor.lgamma``, ``Tensor._special_i0e``, …);
the rest are composed here."""
import math as _math

from . import _C
from ._C import Tensor
from ._dtype_info import promote_types as _promote_types
from .autograd.function import Function as _Function

__all__ = [
    "bessel_j0", "bessel_j1", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit",
    "expm1", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "modified_bessel_i0", "modified_bessel_i1",
    "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax",
    "xlog1py", "xlogy", "zeta",
]


from ._special_extra import *  # noqa: F401,F403,E402  (polynomials, gammainc, Bessel K, ...)
from ._special_extra import __all__ as _extra_names  # noqa: E402

__all__ += _extra_names


def _out(result, out):
    if out is None:
        return result
    out.copy_(result)
    return out


def _unary(method):
    def fn(input, *, out=None):
        return _out(method(input), out)

    fn.__name__ = method.__name__.replace("_special_", "")
    return fn


erf = _unary(Tensor.erf)
erfc = _unary(Tensor.erfc)
erfinv = _unary(Tensor.erfinv)
expit = _unary(Tensor.sigmoid)
exp2 = _unary(Tensor.exp2)
expm1 = _unary(Tensor.expm1)
log1p = _unary(Tensor.log1p)
gammaln = _unary(Tensor.lgamma)
digamma = psi = _unary(Tensor.digamma)
i0 = _unary(Tensor.i0)
sinc = _unary(Tensor.sinc)
modified_bessel_i0 = i0
i0e = _unary(Tensor._special_i0e)
i1 = _unary(Tensor._special_i1)
modified_bessel_i1 = i1
i1e = _unary(Tensor._special_i1e)
ndtri = _unary(Tensor._special_ndtri)
erfcx = _unary(Tensor._special_erfcx)
log_ndtr = _unary(Tensor._special_log_ndtr)
entr = _unary(Tensor._special_entr)
bessel_j0 = _unary(Tensor._special_bessel_j0)
bessel_j1 = _unary(Tensor._special_bessel_j1)


def ndtr(input, *, out=None):
    """Φ(x) = (1 + erf(x/√2)) / 2."""
    return _out((1 + (input * _math.sqrt(0.5)).erf()) * 0.5, out)


def logit(input, eps=None, *, out=None):
    return _out(input.logit(eps), out)


def round(input, *, decimals=0, out=None):
    return _out(input.round(decimals=decimals), out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    return _out(input.logsumexp(dim, keepdim), out)


def softmax(input, dim, *, dtype=None):
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return input.log_softmax(dim, dtype=dtype)


def polygamma(n, input, *, out=None):
    """ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(_C._special_polygamma(int(n), input), out)


def multigammaln(input, p, *, out=None):
    """ln Γ_p(x) = p(p-1)/4 ln π + Σⱼ ln Γ(x - j/2), j < p; every element must exceed (p-1)/2."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if bool((input <= (p - 1) / 2).any()):
        raise RuntimeError("All elements must be greater than (p-1)/2")
    offsets = _C.arange(p, dtype=input.dtype) * -0.5
    terms = (input.unsqueeze(-1) + offsets).lgamma().sum(-1)
    return _out(terms + p * (p - 1) / 4 * _math.log(_math.pi), out)


def _float_operands(x, y):
    """Both operands as tensors of their promoted float dtype, broadcast to one shape."""
    if not isinstance(x, Tensor):
        x = _C.tensor(x, dtype=y.dtype if y.is_floating_point() else _C.get_default_dtype())
    if not isinstance(y, Tensor):
        y = _C.tensor(y, dtype=x.dtype if x.is_floating_point() else _C.get_default_dtype())
    dtype = _promote_types(x.dtype, y.dtype)
    if not dtype.is_floating_point:
        dtype = _C.get_default_dtype()
    x, y = _C.broadcast_tensors(x.to(dtype), y.to(dtype))
    return x, y


def xlogy(input, other, *, out=None):
    """x · log(y), 0 where x = 0 (even for y = 0); NaN y gives NaN."""
    x, y = _float_operands(input, other)
    product = x * y.log()
    return _out(product.where((x != 0) | y.isnan(), _C.zeros_like(product)), out)


def xlog1py(input, other, *, out=None):
    """x · log1p(y), 0 where x = 0; NaN y gives NaN."""
    x, y = _float_operands(input, other)
    product = x * y.log1p()
    return _out(product.where((x != 0) | y.isnan(), _C.zeros_like(product)), out)


class _Zeta(_Function):
    """Hurwitz ζ(x, q) (SpecialZetaBackward0): ∂/∂q = -x ζ(x + 1, q); ∂/∂x is not implemented."""

    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return _C._special_zeta(x.contiguous(), q.contiguous())

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, g * -x * zeta(x + 1, q)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function Σₖ (k + q)^-x."""
    x, q = _float_operands(input, other)
    return _out(_Zeta.apply(x, q), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_(self, n):
    return self.copy_(polygamma(n, self))


def _xlogy_(self, other):
    return self.copy_(xlogy(self, other))


for _name, _fn in {"polygamma": _polygamma_method, "polygamma_": _polygamma_, "xlogy": xlogy, "xlogy_": _xlogy_,
                   "mvlgamma": multigammaln}.items():
    setattr(Tensor, _name, _fn)
del _name, _fn
