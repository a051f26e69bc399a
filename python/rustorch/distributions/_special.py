"""``lgamma`` and ``digamma`` as differentiable compositions of elementwise ops, for the
log-densities of Gamma, Beta, Dirichlet, Poisson and Binomial (rustorch has no lgamma/digamma
kernels yet). Accurate to ~1e-13 relative in float64; evaluated in float64 and cast back."""
import math

from .. import _C

# Lanczos approximation, g = 7, n = 9 (Numerical Recipes' / Boost's common coefficient set).
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _lgamma_positive(x):
    """log Γ(x) for x ≥ 0.5."""
    z = x - 1
    series = _C.full_like(z, _LANCZOS[0])
    for k, coefficient in enumerate(_LANCZOS[1:], start=1):
        series = series + coefficient / (z + k)
    t = z + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (z + 0.5) * t.log() - t + series.log()


def lgamma(x):
    """log|Γ(x)|, with the reflection formula below 0.5 (poles give inf)."""
    wide = x.double()
    small = wide < 0.5
    # Both branches are computed on safe inputs, then selected (keeps gradients finite).
    positive = _lgamma_positive(_C.where(small, 1 - wide, wide))
    reflected = math.log(math.pi) - (math.pi * wide).sin().abs().log() - positive
    return _C.where(small, reflected, positive).to(x.dtype)


def digamma(x):
    """ψ(x): the recurrence ψ(x) = ψ(x+1) - 1/x up to x ≥ 10, then the asymptotic series;
    reflection for x < 0.5."""
    wide = x.double()
    small = wide < 0.5
    y = _C.where(small, 1 - wide, wide)
    shift = _C.zeros_like(y)
    for _ in range(10):
        low = y < 10
        shift = shift - _C.where(low, 1 / y, _C.zeros_like(y))
        y = _C.where(low, y + 1, y)
    inv2 = 1 / (y * y)
    series = (y.log() - 0.5 / y
              - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132))))))
    value = series + shift
    reflected = value - math.pi / (math.pi * wide).tan()
    return _C.where(small, reflected, value).to(x.dtype)
