"""Factories beyond the compiled ones: strided / permuted empty tensors and the signal-processing
windows (``hann_window`` ...), computed in the requested dtype with ATen's operation order so
float32 windows equal PyTorch's."""
import math as _math

from . import _C


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given strides (over a storage just large enough)."""
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides ({len(stride)})")
    extent = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    out = _C.empty(extent, dtype=dtype, device=device).as_strided(size, stride)
    return out.requires_grad_(requires_grad) if requires_grad else out


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` whose memory is laid out in ``physical_layout``'s
    dim order (outermost first)."""
    size, order = tuple(size), tuple(physical_layout)
    if sorted(order) != list(range(len(size))):
        raise RuntimeError("Dimensions of size and physical_layout must match and physical_layout must be a permutation")
    physical = _C.empty([size[d] for d in order], dtype=dtype, device=device)
    inverse = [order.index(d) for d in range(len(size))]
    out = physical.permute(inverse)
    return out.requires_grad_(requires_grad) if requires_grad else out


def _window(name, window_length, periodic, dtype, device, requires_grad, values):
    """A window of ``window_length`` points: ``values(n, arange(n), dtype)`` for N = n points, computed
    for one more point and cut when periodic (lengths 0 and 1 give empty and [1.])."""
    dtype = dtype or _C.get_default_dtype()
    if not _C.empty(0, dtype=dtype).is_floating_point():
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if window_length <= 1:
        window = _C.ones(window_length, dtype=dtype, device=device)
    else:
        n = window_length + 1 if periodic else window_length
        window = values(n, _C.arange(n, dtype=dtype, device=device), dtype)
        if periodic:
            window = window.narrow(0, 0, n - 1).clone()
    return window.requires_grad_(True) if requires_grad else window


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, pin_memory=False, requires_grad=False):
    """``alpha - beta cos(2πn / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, points, _: points.mul(_math.pi * 2.0 / (n - 1)).cos().mul(-beta).add(alpha))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, points, _: points.mul(_math.pi * 2.0 / (n - 1)).cos().mul(-0.5).add(0.5))


def _triangle(n, points, _):
    window = points.mul(2.0 / (n - 1))
    first_half = ((n - 1) >> 1) + 1
    return _C.cat([window.narrow(0, 0, first_half), window.narrow(0, first_half, n - first_half).mul(-1).add(2)])


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """The triangle ``1 - |2n / (N - 1) - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, _triangle)


def _blackman(n, points, _):
    window = points.mul(_math.pi / (n - 1))
    return window.mul(4).cos().mul(0.08) - window.mul(2).cos().mul(0.5) + 0.42


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``0.42 - 0.5 cos(2πn / (N - 1)) + 0.08 cos(4πn / (N - 1))``."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, _blackman)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """``I0(β sqrt(1 - ((n - α) / α)²)) / I0(β)`` with α = (N - 1) / 2."""
    def kaiser(n, points, dtype):
        alpha = (n - 1) / 2.0
        ratio = (points - alpha) / alpha
        return ((1 - ratio.pow(2)).abs().sqrt() * beta).i0() / _C.tensor(beta, dtype=dtype).i0()
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, kaiser)


__all__ = ["empty_strided", "empty_permuted", "hamming_window", "hann_window", "bartlett_window",
           "blackman_window", "kaiser_window"]


# --------------------------------------------------------------------------- in-place samplers
# ATen draws these one element at a time, in double: a 53-bit uniform per element from the
# generator's 64-bit stream (what float64 ``uniform_`` draws), or the scalar Box-Muller normal
# with its cached second sample (what ``normal_`` draws on a non-contiguous float64 tensor).

def _check_continuous(self, name):
    if not self.is_floating_point():
        c_name = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                  "uint8": "unsigned char", "bool": "bool"}[str(self.dtype).replace("torch.", "")]
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {c_name}")


def _uniform_doubles(self, generator):
    return _C.empty(self.shape, dtype=_C.float64, device=self.device).uniform_(generator=generator)


def _cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fills with draws from the Cauchy distribution: median + sigma · tan(π (u - ½))."""
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    _check_continuous(self, "Cauchy")
    u = _uniform_doubles(self, generator)
    return self.copy_(((u - 0.5) * _math.pi).tan() * sigma + median)


def _log_normal_(self, mean=1, std=2, *, generator=None):
    """Fills with exp(N(mean, std²)) draws."""
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    _check_continuous(self, "Log Normal")
    scalar_normals = _C.empty((self.numel(), 2), dtype=_C.float64, device=self.device)[:, 0]
    z = scalar_normals.normal_(mean, std, generator=generator)
    return self.copy_(z.exp().reshape(self.shape))


def _geometric_(self, p, *, generator=None):
    """Fills with the number of Bernoulli(p) trials up to the first success: ⌈ln u / ln(1 - p)⌉."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    u = _uniform_doubles(self, generator)
    return self.copy_((u.log() / _math.log1p(-p)).ceil())


_C.Tensor.cauchy_ = _cauchy_
_C.Tensor.log_normal_ = _log_normal_
_C.Tensor.geometric_ = _geometric_
