"""Resampling: ``interpolate`` (nearest, nearest-exact, (bi/tri)linear, bicubic, area),
``pixel_shuffle`` / ``pixel_unshuffle`` and adaptive max pooling.

Every interpolation mode is separable, so each spatial dim is resampled on its own: gathers of
source rows (``index_select``) mixed with per-position weights. The source positions follow
ATen's formulas (``area_pixel_compute_source_index``, the nearest-neighbour index in float32),
and the gradients come from the differentiable gathers."""
import math

from .. import _C
from ..autograd.grad_mode import no_grad
from .modules.utils import _ntuple

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices"]

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_CUBIC_A = -0.75


def _index(values):
    import numpy as np
    return _C.from_numpy(np.ascontiguousarray(values, dtype=np.int64))


def _weights(values, dim, ndim, like):
    """Per-output-position weights shaped to broadcast along ``dim``."""
    import numpy as np
    shape = [1] * ndim
    shape[dim] = len(values)
    return _C.from_numpy(np.asarray(values, dtype=np.float64).reshape(shape)).to(like.dtype)


def _linear_scale(in_size, out_size, align_corners, scale):
    if align_corners:
        return (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else in_size / out_size


def _source_positions(in_size, out_size, align_corners, scale, cubic):
    import numpy as np
    ratio = _linear_scale(in_size, out_size, align_corners, scale)
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        return ratio * dst
    src = ratio * (dst + 0.5) - 0.5
    return src if cubic else np.maximum(src, 0.0)


def _resample_dim(x, dim, out_size, mode, align_corners, scale):
    import numpy as np
    in_size = x.size(dim)
    if mode in ("nearest", "nearest-exact"):
        if mode == "nearest" and out_size == in_size:
            return x
        ratio = np.float32(1.0 / scale if scale is not None and scale > 0 else in_size / out_size)
        dst = np.arange(out_size, dtype=np.float64) + (0.5 if mode == "nearest-exact" else 0.0)
        src = np.floor((dst * ratio).astype(np.float32)).astype(np.int64)
        return x.index_select(dim, _index(np.minimum(src, in_size - 1)))
    if mode == "linear":
        src = _source_positions(in_size, out_size, align_corners, scale, cubic=False)
        low = np.floor(src).astype(np.int64)
        high = np.minimum(low + 1, in_size - 1)
        frac = src - low
        low_rows, high_rows = x.index_select(dim, _index(low)), x.index_select(dim, _index(high))
        return low_rows + (high_rows - low_rows) * _weights(frac, dim, x.dim(), x)
    # cubic convolution over the 4 taps around each source position (clamped at the borders)
    src = _source_positions(in_size, out_size, align_corners, scale, cubic=True)
    base = np.floor(src).astype(np.int64)
    t = src - base
    a = _CUBIC_A
    near = lambda d: ((a + 2) * d - (a + 3)) * d * d + 1  # noqa: E731  |d| <= 1
    far = lambda d: ((a * d - 5 * a) * d + 8 * a) * d - 4 * a  # noqa: E731  1 < |d| < 2
    coefficients = (far(t + 1), near(t), near(1 - t), far(2 - t))
    out = None
    for offset, weight in zip(range(-1, 3), coefficients):
        term = x.index_select(dim, _index(np.clip(base + offset, 0, in_size - 1))) * _weights(weight, dim, x.dim(), x)
        out = term if out is None else out + term
    return out


def _output_sizes(input, size, scale_factor, recompute_scale_factor):
    spatial = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != spatial:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {list(size)}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            sizes = [int(s) for s in size]
        else:
            sizes = [int(size)] * spatial
        return sizes, [None] * spatial
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != spatial:
            raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                             f"{list(scale_factor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * spatial
    sizes = [math.floor(float(input.size(i + 2)) * s) for i, s in enumerate(scales)]
    return sizes, ([None] * spatial if recompute_scale_factor else scales)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes the spatial dims of an (N, C, *spatial) input to ``size`` or by ``scale_factor``."""
    interpolating = mode in _MODE_DIMS
    if mode not in _MODE_DIMS and mode not in ("nearest", "nearest-exact", "area"):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if align_corners is not None and not interpolating:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported yet")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if input.dim() not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  "for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    spatial = input.dim() - 2
    if interpolating and _MODE_DIMS[mode] != spatial:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D input")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        from ._functional_conv import adaptive_avg_pool1d, adaptive_avg_pool2d
        if spatial == 3:
            raise NotImplementedError("interpolate: mode='area' on 5-D input is not supported yet")
        return (adaptive_avg_pool1d if spatial == 1 else adaptive_avg_pool2d)(input, sizes if spatial > 1 else sizes[0])
    kind = "linear" if mode in ("linear", "bilinear", "trilinear") else ("cubic" if mode == "bicubic" else mode)
    x = input
    for i in range(spatial):
        x = _resample_dim(x, i + 2, sizes[i], kind, bool(align_corners), scales[i])
    return x.clone() if x is input else x


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# --------------------------------------------------------------------------- pixel shuffle
def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    r = upscale_factor
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r) != 0:
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    r = downscale_factor
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if h % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={h}"
                           f" is not divisible by {r}")
    if w % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={w}"
                           f" is not divisible by {r}")
    n = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


# --------------------------------------------------------------------------- adaptive max pooling
def _bins(in_size, out_size):
    """PyTorch's adaptive windows: [floor(i in / out), ceil((i + 1) in / out))."""
    return [((i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)) for i in range(out_size)]


def _adaptive_max_pool2d_core(x, out_h, out_w):
    """(N, C, H, W) -> values and flat H*W indices of each window's first maximum."""
    n, c, h, w = x.shape
    with no_grad():
        flat = []
        for top, bottom in _bins(h, out_h):
            row = []
            for left, right in _bins(w, out_w):
                window = x[:, :, top:bottom, left:right].reshape(n, c, -1)
                arg = window.argmax(-1)
                width = right - left
                row.append((arg // width + top) * w + arg % width + left)
            flat.append(_C.stack(row, -1))
        indices = _C.stack(flat, -2)
    values = x.reshape(n, c, h * w).gather(2, indices.reshape(n, c, -1)).reshape(n, c, out_h, out_w)
    return values, indices


def _adaptive_max_pool(input, output_size, nd, return_indices):
    name = f"adaptive_max_pool{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    sizes = _ntuple(nd)(output_size)
    sizes = [input.size(-nd + i) if s is None else s for i, s in enumerate(sizes)]
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    if nd == 1:
        x = x.unsqueeze(2)
        sizes = [1] + sizes
    values, indices = _adaptive_max_pool2d_core(x, *sizes)
    if nd == 1:
        values, indices = values.squeeze(2), indices.squeeze(2)
    if not batched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return (values, indices) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, output_size, 1, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, output_size, 2, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, output_size, 1, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, output_size, 2, True)
