"""Common torch / Tensor names composed of existing differentiable ops: ``lerp``, ``logaddexp``,
``diff``, ``rot90``, ``cov``/``corrcoef``, ``take_along_dim``, ``bincount``, ``trapezoid``, …"""
import math as _math

from . import _C
from ._C import Tensor
from ._inplace import in_place
from ._opmath import in_float32

__all__ = [
    "clone", "take_along_dim", "deg2rad", "rad2deg", "lerp", "logaddexp", "logaddexp2", "diff",
    "rot90", "diagflat", "dist", "heaviside", "cov", "corrcoef", "msort", "addr", "ldexp",
    "trapezoid", "trapz", "logcumsumexp", "bincount", "hsplit", "vsplit", "dsplit",
]


def clone(input, *, memory_format=None):
    return input.clone(memory_format=memory_format)


def take_along_dim(input, indices, dim=None):
    """input's values at `indices` along `dim` (of the flattened input when dim is None)."""
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1))
    dim = dim % input.dim()
    shape = list(_C.broadcast_tensors(input.select(dim, 0).unsqueeze(dim), indices.select(dim, 0).unsqueeze(dim))[0].shape)
    in_shape, idx_shape = shape[:], shape[:]
    in_shape[dim], idx_shape[dim] = input.shape[dim], indices.shape[dim]
    return input.expand(in_shape).gather(dim, indices.expand(idx_shape))


def _sum_to_size(self, *size):
    """The sum of self over the dims that broadcasting `size` to self's shape would expand."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    lead = self.dim() - len(size)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(size) if s == 1 and self.shape[lead + i] != 1]
    return self.sum(dims, keepdim=True).reshape(size) if dims else self


def deg2rad(input):
    return input * (_math.pi / 180)


def rad2deg(input):
    return input * (180 / _math.pi)


@in_float32
def lerp(input, end, weight):
    """input + weight · (end - input), from the nearer end as PyTorch computes it (weight 1
    gives exactly ``end``)."""
    diff = end - input
    if isinstance(weight, Tensor):
        return _C.where(weight.abs() < 0.5, input + weight * diff, end - diff * (1 - weight))
    return input + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)


@in_float32
def logaddexp(input, other):
    """log(eˣ + eʸ), computed from the larger argument."""
    big = input.maximum(other)
    return big + (-(input - other).abs()).exp().log1p()


@in_float32
def logaddexp2(input, other):
    big = input.maximum(other)
    return big + (-(input - other).abs()).exp2().log1p() / _math.log(2)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim`."""
    parts = [p for p in (prepend, input, append) if p is not None]
    x = _C.cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[dim]
        x = x.narrow(dim, 1, length - 1) - x.narrow(dim, 0, length - 1)
    return x


def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90° k times in the plane of `dims` (from the first towards the second)."""
    a, b = dims
    k %= 4
    if k == 1:
        return input.flip(b).transpose(a, b)
    if k == 2:
        return input.flip(a).flip(b)
    if k == 3:
        return input.transpose(a, b).flip(b)
    return input.clone()


def diagflat(input, offset=0):
    return input.reshape(-1).diag(offset)


def dist(input, other, p=2):
    return (input - other).norm(p)


def heaviside(input, values):
    """1 for x > 0, 0 for x < 0, `values` at 0."""
    zero = _C.zeros_like(input)
    return (input > 0).to(input.dtype).where(input != 0, values.expand(input.shape).to(input.dtype) + zero)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance of the rows of `input` (variables) over its columns (observations)."""
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not x.is_floating_point():
        x = x.to(_C.get_default_dtype())
    w = None
    if fweights is not None:
        w = fweights.to(x.dtype)
    if aweights is not None:
        w = aweights.to(x.dtype) if w is None else w * aweights
    if w is None:
        n = x.shape[1]
        centered = x - x.mean(1, keepdim=True)
        c = centered.matmul(centered.mT) / max(n - correction, 0)
    else:
        total = w.sum()
        mean = (x * w).sum(1, keepdim=True) / total
        centered = x - mean
        norm = total - correction * ((w * aweights).sum() / total if aweights is not None else 1)
        c = (centered * w).matmul(centered.mT) / norm
    return c.squeeze() if input.dim() < 2 else c


def corrcoef(input):
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal().sqrt()
    return (c / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1, 1)


def msort(input):
    return input.sort(0).values


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta · input + alpha · (vec1 ⊗ vec2)."""
    outer = vec1.outer(vec2)
    return (input * beta if beta != 1 else input) + (outer * alpha if alpha != 1 else outer)


def ldexp(input, other):
    return input * (2.0 ** other if not isinstance(other, Tensor) else other.to(_C.float32 if not input.is_floating_point() else input.dtype).exp2())


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid-rule integral of y along `dim` (spacing dx, or sample points x)."""
    length = y.shape[dim]
    if length == 0:
        return y.sum(dim)
    mid = y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)
    if x is None:
        return mid.sum(dim) * ((1 if dx is None else dx) / 2)
    spacing = diff(x, dim=dim if x.dim() == y.dim() else -1)
    return (mid * spacing).sum(dim) / 2


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def logcumsumexp(input, dim):
    """log Σ_{j ≤ i} e^{x_j}, shifted by the maximum for stability."""
    big = input.detach().amax(dim, keepdim=True).clamp_min(-3.0e38)
    return (input - big).exp().cumsum(dim).log() + big


def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer in a 1-D tensor (sums of `weights` if given)."""
    if input.dim() != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input.is_floating_point():
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input.numel() and int(input.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    size = max(minlength, int(input.max()) + 1 if input.numel() else 0)
    if weights is None:
        return _C.zeros(size, dtype=_C.int64).index_add_(0, input, _C.ones(input.shape[0], dtype=_C.int64))
    dtype = weights.dtype if weights.is_floating_point() else _C.float64
    return _C.zeros(size, dtype=dtype).index_add_(0, input, weights.to(dtype))


def _split_along(input, sections, dim, name, min_dim):
    if input.dim() < min_dim:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a tensor with {input.dim()} dimensions!"
        )
    return input.tensor_split(sections, dim)


def hsplit(input, sections):
    return _split_along(input, sections, 1 if input.dim() > 1 else 0, "hsplit", 1)


def vsplit(input, sections):
    return _split_along(input, sections, 0, "vsplit", 2)


def dsplit(input, sections):
    return _split_along(input, sections, 2, "dsplit", 3)


_METHODS = {name: globals()[name] for name in __all__ if name not in ("clone", "trapz")}
_METHODS.update({
    "sum_to_size": _sum_to_size, "lerp_": in_place(lerp), "deg2rad_": in_place(deg2rad),
    "rad2deg_": in_place(rad2deg), "ldexp_": in_place(ldexp), "heaviside_": in_place(heaviside),
    "addr_": in_place(addr),
})
for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
del _name, _fn
