"""More of ``torch.special``: the orthogonal polynomials, the regularized incomplete gamma
functions (``gammainc``/``gammaincc``, also ``torch.igamma``/``igammac``), the modified Bessel
functions of the second kind (``modified_bessel_k0/k1`` and their scaled forms) and
``spherical_bessel_j0``.

Each is computed in float64 and returned in the promoted floating dtype. The polynomials are
not differentiable (as in PyTorch); the others have PyTorch's derivatives."""
import math as _math

from . import _C
from ._C import Tensor
from .autograd.function import Function as _Function

__all__ = [
    "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
    "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p", "gammainc",
    "gammaincc", "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1", "spherical_bessel_j0", "bessel_y0", "bessel_y1", "airy_ai",
]


def _out(result, out):
    if out is None:
        return result
    out.copy_(result)
    return out


def _float_pair(x, y):
    """Both operands as tensors of the broadcast shape, and the (floating) result dtype."""
    from ._variants import result_type
    like = x if isinstance(x, Tensor) else y
    dtype = result_type(x, y)
    if not _C.zeros((), dtype=dtype).is_floating_point():
        dtype = _C.get_default_dtype()
    xt = x if isinstance(x, Tensor) else _C.tensor(x, device=like.device)
    yt = y if isinstance(y, Tensor) else _C.tensor(y, device=like.device)
    xt, yt = _C.broadcast_tensors(xt, yt)
    return xt, yt, dtype


# --------------------------------------------------------------------------- polynomials

def _polynomial(x, n, first, step, special=None):
    """p_n(x) by the three-term recurrence p_{k+1} = step(k, x, p_k, p_{k-1}), elementwise in n
    (truncated to an integer, as PyTorch does); 0 for n < 0."""
    x, n, dtype = _float_pair(x, n)
    x = x.detach().to(_C.float64)
    n = n.detach().to(_C.float64).trunc().to(_C.int64)
    prev, cur = _C.ones_like(x), first(x)
    result = _C.where(n == 0, prev, _C.zeros_like(x))
    result = _C.where(n == 1, cur, result)
    top = int(n.max()) if n.numel() else 0
    for k in range(1, top):
        prev, cur = cur, step(k, x, cur, prev)
        result = _C.where(n == k + 1, cur, result)
    if special is not None:
        result = special(x, n, result)
    return result.to(dtype)


def _chebyshev(first, trig=None, edge=None):
    def special(x, n, result):
        if trig is not None:
            inside = (n > 8) & (x.abs() < 1)
            if bool(inside.any()):
                theta = x.clamp(-1, 1).acos()
                result = _C.where(inside, trig(theta, n.to(_C.float64)), result)
        if edge is not None:
            result = _C.where(x.abs() == 1, edge(x, n.to(_C.float64)), result)
        return result.masked_fill(n < 0, 0.0)

    def fn(input, n, *, out=None):
        return _out(_polynomial(input, n, first, lambda k, x, p, q: 2 * x * p - q, special), out)
    return fn


def _odd_sign(n):
    return 1 - 2 * (n.remainder(2))


chebyshev_polynomial_t = _chebyshev(
    lambda x: x, lambda th, n: (n * th).cos(),
    lambda x, n: _C.where(x > 0, _C.ones_like(x), _odd_sign(n)))
chebyshev_polynomial_u = _chebyshev(
    lambda x: 2 * x, lambda th, n: ((n + 1) * th).sin() / th.sin(),
    lambda x, n: (n + 1) * _C.where(x > 0, _C.ones_like(x), _odd_sign(n)))
chebyshev_polynomial_v = _chebyshev(
    lambda x: 2 * x - 1, lambda th, n: ((n + 0.5) * th).cos() / (th / 2).cos(),
    lambda x, n: _C.where(x > 0, _C.ones_like(x), (2 * n + 1) * _odd_sign(n)))
chebyshev_polynomial_w = _chebyshev(
    lambda x: 2 * x + 1, lambda th, n: ((n + 0.5) * th).sin() / (th / 2).sin(),
    lambda x, n: _C.where(x > 0, 2 * n + 1, _odd_sign(n)))


def _shifted(polynomial):
    def fn(input, n, *, out=None):
        x = input if isinstance(input, Tensor) else _C.tensor(input)
        dtype = x.dtype if x.is_floating_point() else _C.get_default_dtype()
        return _out(polynomial(2 * x.to(_C.float64) - 1, n).to(dtype), out)
    return fn


shifted_chebyshev_polynomial_t = _shifted(chebyshev_polynomial_t)
shifted_chebyshev_polynomial_u = _shifted(chebyshev_polynomial_u)
shifted_chebyshev_polynomial_v = _shifted(chebyshev_polynomial_v)
shifted_chebyshev_polynomial_w = _shifted(chebyshev_polynomial_w)


def _negative_n_is_zero(x, n, result):
    return result.masked_fill(n < 0, 0.0)


def hermite_polynomial_h(input, n, *, out=None):
    """The physicists' Hermite polynomial H_n."""
    return _out(_polynomial(input, n, lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q,
                            _negative_n_is_zero), out)


def hermite_polynomial_he(input, n, *, out=None):
    """The probabilists' Hermite polynomial He_n."""
    return _out(_polynomial(input, n, lambda x: x, lambda k, x, p, q: x * p - k * q, _negative_n_is_zero), out)


def laguerre_polynomial_l(input, n, *, out=None):
    return _out(_polynomial(input, n, lambda x: 1 - x,
                            lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1), _negative_n_is_zero), out)


def legendre_polynomial_p(input, n, *, out=None):
    return _out(_polynomial(input, n, lambda x: x,
                            lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1), _negative_n_is_zero), out)


# --------------------------------------------------------------------------- incomplete gamma

_EPS = 1e-16
_MAX_STEPS = 10000


def _lower_regularized_gamma(a, x):
    """P(a, x) in float64: the power series where x < a + 1, else 1 - Q from the continued
    fraction (modified Lentz), iterated until every element has converged."""
    series = x < a + 1
    log_prefactor = a * x.log() - x - a.lgamma()
    # The series for P.
    xs, as_ = x.masked_fill(~series, 0.0), a.masked_fill(~series, 1.0)
    term = 1.0 / as_
    total = term
    for k in range(1, _MAX_STEPS):
        term = term * xs / (as_ + k)
        total = total + term
        if k % 16 == 0 and not bool((term.abs() > total.abs() * _EPS).any()):
            break
    p_series = (log_prefactor.masked_fill(~series, 0.0)).exp() * total
    # The continued fraction for Q.
    xc, ac = x.masked_fill(series, 2.0), a.masked_fill(series, 1.0)
    tiny = 1e-300
    b = xc + 1 - ac
    c = _C.full_like(xc, 1.0 / tiny)
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_STEPS):
        an = -i * (i - ac)
        b = b + 2
        d = an * d + b
        d = _C.where(d.abs() < tiny, _C.full_like(d, tiny), d)
        c = b + an / c
        c = _C.where(c.abs() < tiny, _C.full_like(c, tiny), c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if i % 16 == 0 and not bool(((delta - 1).abs() > _EPS).any()):
            break
    q_fraction = (log_prefactor.masked_fill(series, 0.0)).exp() * h
    p = _C.where(series, p_series, 1 - q_fraction)
    # Edges: P(a, 0) = 0, P(a, inf) = 1, P(0, x > 0) = 1; NaN for a < 0 or x < 0 or a = x = 0.
    p = _C.where(x == 0, _C.zeros_like(p), p)
    p = _C.where(x.isinf() & (x > 0), _C.ones_like(p), p)
    p = _C.where((a == 0) & (x > 0), _C.ones_like(p), p)
    invalid = (a < 0) | (x < 0) | ((a == 0) & (x == 0)) | a.isnan() | x.isnan()
    return p.masked_fill(invalid, float("nan"))


class _IncompleteGamma(_Function):
    @staticmethod
    def forward(ctx, a, x, upper):
        a64, x64, dtype = _float_pair(a, x)
        p = _lower_regularized_gamma(a64.to(_C.float64), x64.to(_C.float64))
        ctx.save_for_backward(a64, x64)
        ctx.upper = upper
        return (1 - p if upper else p).to(dtype)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError(f"the derivative for '{'igammac' if ctx.upper else 'igamma'}: input' is not implemented.")
        density = ((a - 1) * x.log() - x - a.lgamma()).exp().to(grad.dtype)
        return None, (-grad if ctx.upper else grad) * density, None


_IncompleteGamma._backward_cls.__name__ = "IgammaBackward0"


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other)."""
    return _out(_IncompleteGamma.apply(input, other, False), out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P."""
    return _out(_IncompleteGamma.apply(input, other, True), out)


# --------------------------------------------------------------------------- Bessel K

def _bessel_k_scaled(x, order):
    """e^x K_order(x) for x > 0 in float64, from K_ν(x) = ∫₀^∞ e^{-x cosh t} cosh(νt) dt by the
    trapezoid rule in u = t·√x for x > 1 (the integrand is then close to a unit Gaussian in u);
    its error falls like e^{-c/h²} for these analytic integrands. The range ends where the
    integrand is below e^-46 of its peak."""
    step = 0.1
    xs = x.masked_fill(~(x > 0), 1.0)
    scale = xs.clamp_min(1.0).rsqrt()  # t = scale · u
    smallest = float(xs.min()) if xs.numel() else 1.0
    u_max = max(_math.acosh(1 + 46.0 / smallest), 10.0) + 1.0
    total = _C.zeros_like(xs) + 0.5  # the u = 0 node, halved: the integrand is 1 there
    for k in range(1, int(u_max / step) + 1):
        t = scale * (k * step)
        total = total + (-xs * (t.cosh() - 1)).exp() * (t * order).cosh()
    return total * step * scale


def _k_values(x, order, scaled):
    x64 = x.detach().to(_C.float64)
    value = _bessel_k_scaled(x64, order)
    if not scaled:
        value = value * (-x64).exp()
    value = _C.where(x64 == 0, _C.full_like(value, float("inf")), value)
    return value.masked_fill((x64 < 0) | x64.isnan(), float("nan"))


class _BesselK(_Function):
    @staticmethod
    def forward(ctx, input, order, scaled):
        x = input if isinstance(input, Tensor) else _C.tensor(input)
        dtype = x.dtype if x.is_floating_point() else _C.get_default_dtype()
        k0, k1 = _k_values(x, 0, scaled), _k_values(x, 1, scaled)
        ctx.save_for_backward(x, k0, k1)
        ctx.order, ctx.scaled = order, scaled
        return (k0 if order == 0 else k1).to(dtype)

    @staticmethod
    def backward(ctx, grad):
        x, k0, k1 = ctx.saved_tensors
        x64 = x.to(_C.float64)
        # K0' = -K1, K1' = -K0 - K1/x; the scaled forms add their own value (d/dx e^x f = e^x (f + f')).
        if ctx.order == 0:
            derivative = -k1 + (k0 if ctx.scaled else 0)
        else:
            derivative = -k0 - k1 / x64 + (k1 if ctx.scaled else 0)
        return grad * derivative.to(grad.dtype), None, None


def _bessel_k(order, scaled, node):
    def fn(input, *, out=None):
        return _out(_BesselK.apply(input, order, scaled), out)
    fn.__name__ = node
    return fn


modified_bessel_k0 = _bessel_k(0, False, "modified_bessel_k0")
modified_bessel_k1 = _bessel_k(1, False, "modified_bessel_k1")
scaled_modified_bessel_k0 = _bessel_k(0, True, "scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _bessel_k(1, True, "scaled_modified_bessel_k1")


# --------------------------------------------------------------------------- Bessel Y

def _y_small(x):
    """(Y0, Y1) for 0 < x < 25 in float64: J_n by Miller's backward recurrence (normalised by
    J0 + 2 Σ J_2k = 1, rescaled before it overflows), then the Neumann series
    Y0 = (2/π)(ln(x/2) + γ) J0 - (4/π) Σ (-1)^k J_2k / k and its derivative Y1 = -Y0'
    (J_2k' = (J_2k-1 - J_2k+1) / 2). Accurate to ~1e-15 against mpmath."""
    top = 2 * int((float(x.max()) + 20 + _math.sqrt(40 * float(x.max()))) / 2) + 2
    nxt = _C.zeros_like(x)            # J_{k+1}
    cur = _C.full_like(x, 1e-300)     # J_k (unnormalised), k = top
    norm = _C.zeros_like(x)           # J0 + 2 Σ J_2k
    neumann = _C.zeros_like(x)        # Σ (-1)^k J_2k / k
    derivative = _C.zeros_like(x)     # Σ (-1)^k (J_{2k-1} - J_{2k+1}) / k
    j1 = None
    for k in range(top, 0, -1):
        prev = (2 * k / x) * cur - nxt  # J_{k-1}
        # k-1 even and >= 2: contributes to the sums
        m = k - 1
        if m >= 2 and m % 2 == 0:
            sign = -1.0 if (m // 2) % 2 else 1.0
            norm = norm + 2 * prev
            neumann = neumann + sign * prev / (m // 2)
        if m >= 1 and m % 2 == 1:
            # J_m with m odd: enters (J_{2k-1} - J_{2k+1})/k for 2k-1 = m (k=(m+1)/2) and 2k+1 = m (k=(m-1)/2)
            kk = (m + 1) // 2
            derivative = derivative + (-1.0 if kk % 2 else 1.0) * prev / kk
            if m >= 3:
                kk = (m - 1) // 2
                derivative = derivative - (-1.0 if kk % 2 else 1.0) * prev / kk
        if m == 1:
            j1 = prev
        nxt, cur = cur, prev
        big = cur.abs() > 1e250
        if bool(big.any()):
            scale = _C.where(big, _C.full_like(x, 1e-250), _C.ones_like(x))
            nxt, cur, norm, neumann, derivative = nxt * scale, cur * scale, norm * scale, neumann * scale, derivative * scale
            j1 = j1 * scale if j1 is not None else None
    j0 = cur
    norm = norm + j0
    j0, j1, neumann, derivative = j0 / norm, j1 / norm, neumann / norm, derivative / norm
    log_term = (x / 2).log() + 0.5772156649015329  # Euler–Mascheroni γ
    y0 = (2 / _math.pi) * log_term * j0 - (4 / _math.pi) * neumann
    y1 = -((2 / _math.pi) * (j0 / x - log_term * j1) - (2 / _math.pi) * derivative)
    return y0, y1


def _y_large(x, order):
    """Y_order(x) for x >= 25 from Hankel's asymptotic expansion:
    sqrt(2/(πx)) (P sin χ + Q cos χ), χ = x - (order/2 + 1/4)π, with the terms
    a_k = Π_j (4ν² - (2j-1)²) / (k! 8^k x^k) alternating between P (even k) and Q (odd k)."""
    mu = 4.0 * order * order
    p, q = _C.ones_like(x), _C.zeros_like(x)
    term = _C.ones_like(x)
    for k in range(1, 40):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        sign = -1.0 if (k // 2) % 2 else 1.0  # (-1)^(k//2): + for k = 1, 4, 5, ...; - for 2, 3, 6, ...
        if k % 2 == 0:
            p = p + sign * term
        else:
            q = q + sign * term
    chi = x - (order / 2 + 0.25) * _math.pi
    return (2 / (_math.pi * x)).sqrt() * (p * chi.sin() + q * chi.cos())


def _bessel_y_values(x64):
    """(Y0, Y1) elementwise in float64, with PyTorch's edges: -inf at 0, NaN below 0 and at inf."""
    positive = (x64 > 0) & x64.isfinite()
    small = positive & (x64 < 25)
    large = positive & (x64 >= 25)
    y0, y1 = _C.zeros_like(x64), _C.zeros_like(x64)
    if bool(small.any()):
        s0, s1 = _y_small(x64.masked_fill(~small, 1.0))
        y0, y1 = _C.where(small, s0, y0), _C.where(small, s1, y1)
    if bool(large.any()):
        xl = x64.masked_fill(~large, 25.0)
        y0, y1 = _C.where(large, _y_large(xl, 0), y0), _C.where(large, _y_large(xl, 1), y1)
    for y in (y0, y1):
        y.masked_fill_(x64 == 0, float("-inf"))
        y.masked_fill_((x64 < 0) | x64.isnan() | x64.isinf(), float("nan"))
    return y0, y1


class _BesselY(_Function):
    @staticmethod
    def forward(ctx, input, order):
        dtype = input.dtype if input.is_floating_point() else _C.get_default_dtype()
        x64 = input.detach().to(_C.float64)
        y0, y1 = _bessel_y_values(x64)
        ctx.save_for_backward(x64, y0, y1)
        ctx.order = order
        return (y0 if order == 0 else y1).to(dtype)

    @staticmethod
    def backward(ctx, grad):
        x, y0, y1 = ctx.saved_tensors
        # Y0' = -Y1, Y1' = Y0 - Y1 / x.
        derivative = -y1 if ctx.order == 0 else y0 - y1 / x
        return grad * derivative.to(grad.dtype), None


_BesselY._backward_cls.__name__ = "SpecialBesselY0Backward0"


def bessel_y0(input, *, out=None):
    """The Bessel function of the second kind of order 0."""
    return _out(_BesselY.apply(input, 0), out)


def bessel_y1(input, *, out=None):
    """The Bessel function of the second kind of order 1."""
    return _out(_BesselY.apply(input, 1), out)


# --------------------------------------------------------------------------- Airy

_AI_0, _MINUS_AI_PRIME_0 = 0.3550280538878172, 0.2588194037928068  # Ai(0), -Ai'(0)


def _airy_series(x):
    """The Maclaurin series Ai = Ai(0) f - |Ai'(0)| g, f = Σ x^3k / ((2·3)(5·6)…), g likewise
    from x (its cancellation costs ~e^ζ: used for -7.25 < x < 1)."""
    x3 = x * x * x
    f, g = _C.ones_like(x), x.clone()
    f_term, g_term = f, g
    for k in range(1, 80):
        f_term = f_term * x3 / ((3 * k - 1) * (3 * k))
        g_term = g_term * x3 / ((3 * k) * (3 * k + 1))
        f, g = f + f_term, g + g_term
    return _AI_0 * f - _MINUS_AI_PRIME_0 * g


def _airy_negative(z):
    """Ai(-z) for z >= 7.25 from its asymptotic expansion in ζ = (2/3) z^{3/2}, with
    u_k = u_{k-1} (6k-5)(6k-3)(6k-1) / (216 k (2k-1))."""
    zeta = 2.0 / 3.0 * z * z.sqrt()
    p, q, term, u = _C.ones_like(z), _C.zeros_like(z), _C.ones_like(z), 1.0
    for k in range(1, 40):
        u = u * (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / (216 * k * (2 * k - 1))
        term = term / zeta
        sign = -1.0 if (k // 2) % 2 else 1.0
        if k % 2 == 0:
            p = p + sign * u * term
        else:
            q = q + sign * u * term
    chi = zeta + _math.pi / 4
    return (chi.sin() * p - chi.cos() * q) / (_math.sqrt(_math.pi) * z.sqrt().sqrt())


def airy_ai(input, *, out=None):
    """The Airy function Ai (not differentiable, as in PyTorch): the Maclaurin series near 0,
    (1/π) sqrt(x/3) K_{1/3}(ζ) for x >= 1, the asymptotic expansion for x <= -7.25."""
    x = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    x64 = x.detach().to(_C.float64)
    finite = x64.isfinite()
    near, right, left = finite & (x64 > -7.25) & (x64 < 1), finite & (x64 >= 1), finite & (x64 <= -7.25)
    result = _C.full_like(x64, float("nan"))
    if bool(near.any()):
        result = _C.where(near, _airy_series(x64.masked_fill(~near, 0.0)), result)
    if bool(right.any()):
        xr = x64.masked_fill(~right, 1.0)
        zeta = 2.0 / 3.0 * xr * xr.sqrt()
        k_third = _bessel_k_scaled(zeta, 1.0 / 3.0) * (-zeta).exp()
        result = _C.where(right, (xr / 3).sqrt() / _math.pi * k_third, result)
    if bool(left.any()):
        result = _C.where(left, _airy_negative(-x64.masked_fill(~left, -8.0)), result)
    return _out(result.to(x.dtype), out)


def spherical_bessel_j0(input, *, out=None):
    """sin(x) / x (1 at 0; the Taylor series near 0 avoids the cancellation)."""
    x = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    x64 = x.detach().to(_C.float64)
    small = x64.abs() < 0.5
    x2 = x64 * x64
    series = 1 - x2 / 6 * (1 - x2 / 20 * (1 - x2 / 42 * (1 - x2 / 72 * (1 - x2 / 110 * (1 - x2 / 156)))))
    direct = x64.sin() / x64.masked_fill(small, 1.0)
    return _out(_C.where(small, series, direct).to(x.dtype), out)


def _igamma_method(self, other):
    return gammainc(self, other)


def _igammac_method(self, other):
    return gammaincc(self, other)


def _install():
    from ._inplace import in_place
    Tensor.igamma = _igamma_method
    Tensor.igammac = _igammac_method
    Tensor.igamma_ = in_place(_igamma_method, "igamma_")
    Tensor.igammac_ = in_place(_igammac_method, "igammac_")


_install()
