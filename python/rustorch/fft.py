"""``torch.fft``: discrete Fourier transforms with PyTorch's signatures, defaults and ``norm``
modes, composed from one Rust 1-D transform per dim (rustfft). No gradients: a transform of a
tensor that requires grad raises when backward reaches it."""
import math as _math

from . import _C

__all__ = [
    "fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
    "fftn", "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]


def _scale(norm, n, forward):
    """The factor a transform of length ``n`` is multiplied by under ``norm``."""
    if norm is None or norm == "backward":
        return 1.0 if forward else 1.0 / n
    if norm == "ortho":
        return 1.0 / _math.sqrt(n)
    if norm == "forward":
        return 1.0 / n if forward else 1.0
    raise ValueError(f"Invalid normalization mode: {norm}")


def _check_n(n):
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _complex_input(x):
    """Real inputs are transformed as complex numbers of their precision."""
    if x.dtype.is_complex:
        return x
    return x.to(_C.complex128 if x.dtype == _C.float64 else _C.complex64)


def _real_input(name, x):
    if x.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {x.dtype}")
    return x if x.dtype in (_C.float32, _C.float64) else x.to(_C.get_default_dtype())


def _finish(result, out):
    if out is None:
        return result
    if tuple(out.shape) != tuple(result.shape):
        out.resize_(result.shape)
    out.copy_(result)
    return out


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    _check_n(n)
    n = input.shape[dim] if n is None else n
    return _finish(_C._fft(_complex_input(input), dim, n, "c2c", _scale(norm, n, True)), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    _check_n(n)
    n = input.shape[dim] if n is None else n
    return _finish(_C._fft(_complex_input(input), dim, n, "c2c_inverse", _scale(norm, n, False)), out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    _check_n(n)
    n = input.shape[dim] if n is None else n
    return _finish(_C._fft(_real_input("rfft", input), dim, n, "r2c", _scale(norm, n, True)), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    _check_n(n)
    n = 2 * (input.shape[dim] - 1) if n is None else n
    _check_n(n)
    return _finish(_C._fft(_complex_input(input), dim, n, "c2r", _scale(norm, n, False)), out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The real signal whose spectrum is the Hermitian ``input``: irfft of its conjugate, with
    the scaling of a forward transform."""
    _check_n(n)
    n = 2 * (input.shape[dim] - 1) if n is None else n
    _check_n(n)
    x = _complex_input(input).conj()
    return _finish(_C._fft(x, dim, n, "c2r", _scale(norm, n, True)), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of ``hfft``: the conjugate of rfft, scaled as an inverse transform."""
    _check_n(n)
    n = input.shape[dim] if n is None else n
    return _finish(_C._fft(_real_input("ihfft", input), dim, n, "r2c", _scale(norm, n, False)).conj(), out)


def _dims_and_sizes(x, s, dim, default_all):
    """PyTorch's resolution of ``s`` and ``dim`` for the n-dimensional transforms."""
    if dim is None:
        if s is None:
            dims = list(range(x.dim())) if default_all else list(range(x.dim()))[-2:]
        else:
            dims = list(range(x.dim() - len(s), x.dim()))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
        for d in dims:
            if not -x.dim() <= d < x.dim():
                raise IndexError(f"Dimension out of range (expected to be in range of [{-x.dim()}, {x.dim() - 1}], but got {d})")
        dims = [d % x.dim() for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = list(s)
        if len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    return dims, s


def _c2c_n(input, s, dim, norm, inverse, default_all, out):
    dims, s = _dims_and_sizes(input, s, dim, default_all)
    x = _complex_input(input)
    for i, d in enumerate(dims):
        n = x.shape[d] if s is None or s[i] == -1 else s[i]
        _check_n(n)
        x = _C._fft(x, d, n, "c2c_inverse" if inverse else "c2c", _scale(norm, n, not inverse))
    return _finish(x, out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _c2c_n(input, s, dim, norm, False, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _c2c_n(input, s, dim, norm, True, True, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2c_n(input, s, dim, norm, False, False, out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _c2c_n(input, s, dim, norm, True, False, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """rfft over the last of ``dim``, then fft over the others."""
    dims, s = _dims_and_sizes(input, s, dim, True)
    x = _real_input("rfftn", input)
    sizes = [x.shape[d] if s is None or s[i] == -1 else s[i] for i, d in enumerate(dims)]
    for n in sizes:
        _check_n(n)
    x = _C._fft(x, dims[-1], sizes[-1], "r2c", _scale(norm, sizes[-1], True))
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = _C._fft(x, d, n, "c2c", _scale(norm, n, True))
    return _finish(x, out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """ifft over all but the last of ``dim``, then irfft over the last (default length
    2 * (size - 1))."""
    dims, s = _dims_and_sizes(input, s, dim, True)
    x = _complex_input(input)
    sizes = [x.shape[d] if s is None or s[i] == -1 else s[i] for i, d in enumerate(dims)]
    if s is None or s[-1] == -1:
        sizes[-1] = 2 * (x.shape[dims[-1]] - 1)
    for n in sizes:
        _check_n(n)
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = _C._fft(x, d, n, "c2c_inverse", _scale(norm, n, False))
    return _finish(_C._fft(x, dims[-1], sizes[-1], "c2r", _scale(norm, sizes[-1], False)), out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return irfftn(input, s, dim, norm, out=out)


def _frequencies(values, n, d, dtype, device, requires_grad):
    t = _C.tensor(values, dtype=dtype or _C.get_default_dtype(), device=device)
    t = t / (d * n) if n else t
    return t.requires_grad_(requires_grad) if requires_grad else t


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies [0, 1, ..., -(n//2), ..., -1] / (d * n)."""
    values = list(range((n - 1) // 2 + 1)) + list(range(-(n // 2), 0))
    return _frequencies([float(v) for v in values], n, d, dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative frequencies of ``rfft``: [0, 1, ..., n//2] / (d * n)."""
    return _frequencies([float(v) for v in range(n // 2 + 1)], n, d, dtype, device, requires_grad)


def _shift(input, dim, sign):
    dims = list(range(input.dim())) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    shifts = [sign * (input.shape[d] // 2) for d in dims]
    return input.roll(shifts, dims) if dims else input


def fftshift(input, dim=None):
    """Moves the zero frequency to the centre (a roll by n//2 along each dim)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """The inverse of ``fftshift`` (a roll by -(n//2))."""
    return _shift(input, dim, -1)
