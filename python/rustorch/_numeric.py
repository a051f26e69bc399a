"""Number-theoretic and floating-point helpers and numerical calculus: ``gcd``/``lcm``,
``frexp``, ``nextafter``, ``angle`` (of real tensors), ``renorm``, ``cumulative_trapezoid``,
``gradient``. Differentiable where PyTorch's are, by composing differentiable ops."""
import math as _math

from . import _C
from ._C import Tensor
from ._inplace import _dtype_title, function_of, in_place
from . import return_types as _return_types


def _check_integral(name, *tensors):
    for t in tensors:
        if isinstance(t, Tensor) and (t.is_floating_point() or t.dtype == _C.bool):
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_dtype_title(t.dtype)}\'')


def gcd(input, other):
    """The greatest common divisor (non-negative) of integer tensors, elementwise (Euclid's
    algorithm over whole tensors: at most ~90 steps for int64)."""
    _check_integral("gcd", input, other)
    a, b = _C.broadcast_tensors(input.abs(), other.abs() if isinstance(other, Tensor) else _C.tensor(abs(other)))
    dtype = (input + other).dtype
    a, b = a.to(dtype), b.to(dtype)
    while bool((b != 0).any()):
        nonzero = b != 0
        a, b = _C.where(nonzero, b, a), _C.where(nonzero, a.remainder(b.masked_fill(~nonzero, 1)), b)
    return a


def lcm(input, other):
    """The least common multiple (non-negative); 0 when either is 0."""
    _check_integral("lcm", input, other)
    divisor = gcd(input, other)
    return (input.div(divisor.masked_fill(divisor == 0, 1), rounding_mode="trunc") * other).abs()


def frexp(input):
    """(mantissa, exponent) with input = mantissa · 2^exponent, 0.5 <= |mantissa| < 1."""
    import numpy as np
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    host = input.detach().cpu()
    values = host.numpy() if host.dtype != _C.bfloat16 else host.float().numpy()
    host_mantissa, exponent = np.frexp(values)
    exponent = _C.from_numpy(np.ascontiguousarray(exponent.astype(np.int32))).reshape(input.shape).to(input.device)
    if input.is_cuda and not input.requires_grad:
        # GPU kernels may flush subnormals to zero (Vulkan allows it): the host's is exact.
        mantissa = _C.from_numpy(np.ascontiguousarray(host_mantissa)).reshape(input.shape).to(input.device, input.dtype)
        return _return_types.frexp((mantissa, exponent))
    # mantissa = input / 2^exponent: exact, differentiable in input (inf and nan pass through).
    mantissa = input / exponent.to(input.dtype).exp2()
    return _return_types.frexp((mantissa, exponent))


def nextafter(input, other):
    """The next floating-point value after ``input`` towards ``other`` (in input's dtype)."""
    import numpy as np
    from ._variants import result_type
    dtype = result_type(input, other)
    if not _C.zeros((), dtype=dtype).is_floating_point() or dtype == _C.bfloat16:
        raise NotImplementedError(f'"nextafter_cpu" not implemented for \'{_dtype_title(dtype)}\'')
    a, b = _C.broadcast_tensors(input.to(dtype), other.to(dtype))
    out = np.nextafter(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    return _C.from_numpy(np.ascontiguousarray(out)).reshape(a.shape).to(input.device)


def angle(input):
    """The argument of a real number: π for negatives, 0 otherwise, NaN for NaN; of a complex
    number, atan2(imag, real)."""
    if input.is_complex():
        return input.imag.atan2(input.real)
    x = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    constant = _C.zeros_like(x).masked_fill(x < 0, _math.pi)
    return _C.where(x.isnan(), x, constant)


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to norm maxnorm."""
    if input.dim() <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = dim % input.dim()
    others = [d for d in range(input.dim()) if d != dim]
    norm = input.norm(p, others, keepdim=True)
    factor = _C.where(norm > maxnorm, maxnorm / (norm + 1e-7), _C.ones_like(norm))
    return input * factor


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid-rule integral of y along ``dim`` (one element shorter)."""
    length = y.shape[dim]
    if length == 0:
        return y.narrow(dim, 0, 0) * 1.0
    mid = y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)
    if x is None:
        return (mid * ((1 if dx is None else dx) / 2)).cumsum(dim)
    from ._extra_math import diff
    spacing = diff(x, dim=dim if x.dim() == y.dim() else -1)
    return (mid * spacing / 2).cumsum(dim)


def _gradient_along(f, dim, h, edge_order):
    """numpy.gradient's second-order central differences along one dim; ``h`` is a number
    (uniform spacing) or a 1-D tensor of coordinates."""
    n = f.shape[dim]

    def part(start, length):
        return f.narrow(dim, start, length)

    if not isinstance(h, Tensor):
        interior = (part(2, n - 2) - part(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (part(1, 1) - part(0, 1)) / h
            last = (part(n - 1, 1) - part(n - 2, 1)) / h
        else:
            first = (-1.5 * part(0, 1) + 2 * part(1, 1) - 0.5 * part(2, 1)) / h
            last = (0.5 * part(n - 3, 1) - 2 * part(n - 2, 1) + 1.5 * part(n - 1, 1)) / h
        return _C.cat([first, interior, last], dim)
    shape = [1] * f.dim()
    shape[dim] = -1
    dx = (h[1:] - h[:-1]).to(f.dtype if f.is_floating_point() else _C.get_default_dtype())
    dx1, dx2 = dx[:-1].reshape(shape), dx[1:].reshape(shape)
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    interior = a * part(0, n - 2) + b * part(1, n - 2) + c * part(2, n - 2)
    if edge_order == 1:
        first = (part(1, 1) - part(0, 1)) / dx[0]
        last = (part(n - 1, 1) - part(n - 2, 1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * part(0, 1) + (d1 + d2) / (d1 * d2) * part(1, 1)
                 - d1 / (d2 * (d1 + d2)) * part(2, 1))
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2)) * part(n - 3, 1) - (d2 + d1) / (d1 * d2) * part(n - 2, 1)
                + (2 * d2 + d1) / (d2 * (d1 + d2)) * part(n - 1, 1))
    return _C.cat([first, interior, last], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """numpy.gradient: the derivative estimate along each of ``dim`` (all dims by default),
    with uniform spacings (numbers) or sample coordinates (1-D tensors)."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.dim())) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    dims = [d % input.dim() for d in dims]
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(
                f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                f"arguments to have the same length, but got a spacing argument of length "
                f"{len(spacing)} and a dim argument of length {len(dims)}.")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    return tuple(_gradient_along(f, d, h.item() if isinstance(h, Tensor) and h.dim() == 0 else h, edge_order)
                 for d, h in zip(dims, spacings))


for _name, _fn in {
    "gcd": gcd, "gcd_": in_place(gcd), "lcm": lcm, "lcm_": in_place(lcm), "frexp": frexp,
    "nextafter": nextafter, "nextafter_": in_place(nextafter), "angle": angle,
    "renorm": renorm, "renorm_": in_place(renorm),
}.items():
    setattr(Tensor, _name, _fn)
del _name, _fn

def igamma(input, other):
    from .special import gammainc
    return gammainc(input, other)


def igammac(input, other):
    from .special import gammaincc
    return gammaincc(input, other)


gcd_ = function_of(Tensor.gcd_, "input, other")
lcm_ = function_of(Tensor.lcm_, "input, other")

__all__ = ["gcd", "gcd_", "lcm", "lcm_", "frexp", "nextafter", "angle", "renorm",
           "cumulative_trapezoid", "gradient", "igamma", "igammac"]
