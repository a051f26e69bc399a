"""3-d convolution and pooling, built on the 2-d kernels: a 3-d window is a 2-d window over
(H, W) of every depth slice, combined across the ``kD`` depth offsets (a sum for convolution and
average pooling, a maximum for max pooling). Each depth offset costs one batched 2-d call over
all output depths at once, so the Python loop runs ``kD`` times, not per output position."""
from .. import _C
from ._functional_conv import (
    _batchify, _check_conv_args, _check_positive, _conv_pads, _pool_setup, avg_pool2d, conv2d, max_pool2d,
)
from .modules.utils import _ntuple, _triple

__all__ = ["conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]


def _depth_slices(x, offset, stride, count):
    """The depth slices ``offset, offset + stride, ...`` (``count`` of them) of (N, C, D, H, W),
    as a (N * count, C, H, W) batch."""
    n, c, _, h, w = x.shape
    taken = x.narrow(2, offset, (count - 1) * stride + 1)
    if stride > 1:
        taken = taken[:, :, ::stride]
    return taken.transpose(1, 2).reshape(n * count, c, h, w)


def _from_slices(y, n, count):
    """(N * count, C, H, W) -> (N, C, count, H, W)."""
    return y.reshape(n, count, *y.shape[1:]).transpose(1, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    input, batched = _batchify(input, 3, "conv3d")
    _check_conv_args(input, weight, bias, groups, transposed=False)
    stride, dilation = _triple(stride), _triple(dilation)
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    kernel = tuple(weight.shape[2:])
    pads = _conv_pads(padding, kernel, dilation, stride, 3)
    x = _pad_all(input, pads)
    padded = tuple(x.shape[2:])
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < e for p, e in zip(padded, effective)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be greater "
                           "than actual input size")
    out_depth = (padded[0] - effective[0]) // stride[0] + 1
    n = x.size(0)
    out = None
    for kd in range(kernel[0]):
        slices = _depth_slices(x, kd * dilation[0], stride[0], out_depth)
        term = conv2d(slices, weight[:, :, kd], None, stride[1:], 0, dilation[1:], groups)
        out = term if out is None else out + term
    out = _from_slices(out, n, out_depth)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out if batched else out.squeeze(0)


def _pad_all(x, pads, value=0.0):
    """Pads (or, for negative amounts, crops) the three spatial dims; ``pads`` = [(left, right)] * 3."""
    from ._functional_conv import _pad_constant
    flat = tuple(a for pair in reversed(pads) for a in pair)
    return x if not any(flat) else _pad_constant(x, flat, value)


def _dilate(x, stride):
    """Inserts ``stride - 1`` zeros between neighbouring elements of each spatial dim."""
    for dim, s in zip(range(2, 5), stride):
        if s == 1:
            continue
        size = x.size(dim)
        zeros = _C.zeros(tuple(x.shape), dtype=x.dtype)
        x = _C.stack([x] + [zeros] * (s - 1), dim + 1)
        shape = list(x.shape)
        x = x.reshape(shape[:dim] + [size * s] + shape[dim + 2:]).narrow(dim, 0, (size - 1) * s + 1)
    return x


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The adjoint of conv3d: a stride-1 convolution of the zero-dilated input with the flipped,
    transposed kernel."""
    input, batched = _batchify(input, 3, "conv_transpose3d")
    _check_conv_args(input, weight, bias, groups, transposed=True)
    stride, padding = _triple(stride), _triple(padding)
    output_padding, dilation = _triple(output_padding), _triple(dilation)
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               f"output_padding: {output_padding}, stride: {stride}, dilation: {dilation}")
    c_in, c_out_per_group = weight.shape[:2]
    kernel = tuple(weight.shape[2:])
    kernel_conv = (weight.reshape(groups, c_in // groups, c_out_per_group, *kernel).transpose(1, 2)
                   .reshape(groups * c_out_per_group, c_in // groups, *kernel).flip((2, 3, 4)))
    x = _dilate(input, stride)
    pads = [(d * (k - 1) - p, d * (k - 1) - p + op)
            for k, p, op, d in zip(kernel, padding, output_padding, dilation)]
    x = _pad_all(x, pads)
    out = conv3d(x, kernel_conv, bias, 1, 0, dilation, groups)
    return out if batched else out.squeeze(0)


def _pool3d_padded(input, kernel_size, stride, padding, dilation, ceil_mode, name, value):
    x, batched, kernel, stride, padding, dilation, out_size = _pool_setup(
        input, kernel_size, stride, padding, dilation, ceil_mode, 3, name)
    # pad by ``padding`` and, in ceil mode, far enough on the right for the last window
    pads = []
    for size, k, p, s, d, o in zip(x.shape[2:], kernel, padding, stride, dilation, out_size):
        needed = (o - 1) * s + d * (k - 1) + 1
        pads.append((p, max(needed - size - p, 0)))
    return x, batched, kernel, stride, dilation, out_size, pads, _pad_all(x, pads, value)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if return_indices:
        from ._functional_pool_indices import max_pool3d_with_indices
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    if not input.is_floating_point():
        raise RuntimeError(f'"max_pool3d" not implemented for \'{input.dtype}\'')
    x, batched, kernel, stride, dilation, out_size, _, padded = _pool3d_padded(
        input, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d", float("-inf"))
    for p, k, d in zip(_triple(padding), kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    n = x.size(0)
    out = None
    for kd in range(kernel[0]):
        slices = _depth_slices(padded, kd * dilation[0], stride[0], out_size[0])
        term = max_pool2d(slices, kernel[1:], stride[1:], 0, dilation[1:])
        out = term if out is None else _C.where(term > out, term, out)
    out = _from_slices(out, n, out_size[0])
    return out if batched else out.squeeze(0)


def _window_sum3d(padded, kernel, stride, depth):
    n = padded.size(0)
    out = None
    for kd in range(kernel[0]):
        slices = _depth_slices(padded, kd, stride[0], depth)
        term = avg_pool2d(slices, kernel[1:], stride[1:]) * (kernel[1] * kernel[2])
        out = term if out is None else out + term
    return _from_slices(out, n, depth)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    x, batched, kernel, stride, _, out_size, pads, padded = _pool3d_padded(
        input, kernel_size, stride, padding, 1, ceil_mode, "avg_pool3d", 0.0)
    if any(k // 2 < p for k, (p, _) in zip(kernel, pads)):
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {pads[2][0]}, padH = {pads[1][0]}, padT = {pads[0][0]}, kW = {kernel[2]}, "
                           f"kH = {kernel[1]}, kT = {kernel[0]}")
    sums = _window_sum3d(padded, kernel, stride, out_size[0])
    if divisor_override:
        out = sums / divisor_override
    else:
        # the divisor counts the window's cells inside the input (and, with count_include_pad,
        # inside the padding), never those past the padding that ceil mode adds
        ones = _C.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
        if count_include_pad:
            counted = _pad_all(_pad_all(ones, [(p, p) for p, _ in pads], 1.0),
                               [(0, r - p) for p, r in pads])
        else:
            counted = _pad_all(ones, pads)
        out = sums / _window_sum3d(counted, kernel, stride, out_size[0])
    return out if batched else out.squeeze(0)


def _adaptive_bins(in_size, out_size):
    return [((i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)) for i in range(out_size)]


def _adaptive3d(input, output_size, name, reduce):
    if input.dim() not in (4, 5):
        raise RuntimeError(f"{name}(): Expected 4D or 5D tensor, but got {list(input.shape)}")
    sizes = [input.size(-3 + i) if s is None else s for i, s in enumerate(_ntuple(3)(output_size))]
    x = input
    # the windows are boxes, so reducing one dim at a time gives the box's mean (or maximum)
    for i, out in enumerate(sizes):
        dim = input.dim() - 3 + i
        x = _C.cat([reduce(x.narrow(dim, lo, hi - lo), dim) for lo, hi in _adaptive_bins(x.size(dim), out)], dim)
    return x


def adaptive_avg_pool3d(input, output_size):
    return _adaptive3d(input, output_size, "adaptive_avg_pool3d", lambda t, d: t.mean(d, keepdim=True))


def adaptive_max_pool3d(input, output_size, return_indices=False):
    if return_indices:
        from ._functional_pool_indices import adaptive_max_pool3d_with_indices
        return adaptive_max_pool3d_with_indices(input, output_size)
    return _adaptive3d(input, output_size, "adaptive_max_pool3d", lambda t, d: t.amax(d, keepdim=True))
