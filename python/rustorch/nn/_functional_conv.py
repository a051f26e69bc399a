"""Padding, convolution and pooling (the functional forms): argument handling here, the compute
in the core's kernels (convolution, max and mean pools, im2col / col2im), padding from cat and
index_select.

The compute is in the small ``_..._core`` / ``_pad_constant`` functions, so that a kernel can
change without touching the argument handling.
NumPy is imported where it is used, so that `import rustorch` does not pay for it."""
from .. import _C
from .modules.utils import _check_floating_kernel, _ntuple, _pair, _single

__all__ = [
    "pad", "unfold", "fold", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
    "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
]


# --------------------------------------------------------------------------- kernels
def _pad_constant(x, pad, value):
    """Pads (or, for negative amounts, crops) the last ``len(pad) // 2`` dims; ``pad`` lists
    (left, right) pairs starting from the last dim."""
    for i in range(len(pad) // 2):
        dim = x.dim() - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        if left < 0:
            x = x.narrow(dim, -left, x.size(dim) + left)
        if right < 0:
            x = x.narrow(dim, 0, x.size(dim) + right)
        parts = []
        for amount in (left, right):
            shape = list(x.shape)
            shape[dim] = amount
            parts.append(_C.full(shape, value, dtype=x.dtype) if amount > 0 else None)
        if parts[0] is not None or parts[1] is not None:
            x = _C.cat([p for p in (parts[0], x, parts[1]) if p is not None], dim)
    return x


def _pad_indexed(x, pad, mode):
    """reflect / replicate / circular padding: a gather of source positions along each dim."""
    import numpy as np
    for i in range(len(pad) // 2):
        dim = x.dim() - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        n = x.size(dim)
        positions = np.arange(-left, n + right)
        if mode == "reflect":
            positions = np.abs(positions)
            positions = np.where(positions >= n, 2 * (n - 1) - positions, positions)
        elif mode == "replicate":
            positions = np.clip(positions, 0, n - 1)
        else:
            positions = positions % n
        x = x.index_select(dim, _C.from_numpy(positions.astype(np.int64)))
    return x


def _conv2d_core(x, weight, bias, stride, dilation, groups, pads):
    """2-d cross-correlation of (N, C, H, W), zero-padded by ``pads`` (top, bottom, left,
    right), with (O, C / groups, kh, kw), plus the bias: the core's fused kernel for floating
    dtypes; integer dtypes (which PyTorch's CPU conv also takes) as im2col and one batched matmul."""
    if x.dtype.is_floating_point:
        return _C._conv2d(x, weight, bias, tuple(dilation), tuple(pads), tuple(stride), groups)
    n = x.shape[0]
    out_channels, group_channels, kh, kw = weight.shape
    cols = _C._im2col(x, (kh, kw), tuple(dilation), tuple(pads), tuple(stride))
    ho = (x.shape[2] + pads[0] + pads[1] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (x.shape[3] + pads[2] + pads[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    cols = cols.reshape(n, groups, group_channels * kh * kw, ho * wo)
    kernels = weight.reshape(groups, out_channels // groups, group_channels * kh * kw)
    out = kernels.matmul(cols).reshape(n, out_channels, ho, wo)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


def _conv_transpose2d_core(x, weight, stride, padding, output_padding, dilation, groups):
    """Transposed convolution: each input pixel scatters its kernel-weighted column, and the
    core's col2im sums the overlapping columns into the output. The output crops ``padding``
    off the front of the full result and ``padding - output_padding`` off its end; an end
    that grows past the full result is zeros."""
    n, c, h, w = x.shape
    in_channels, group_out, kh, kw = weight.shape
    pixels = x.reshape(n, groups, c // groups, h * w)
    kernels = weight.reshape(groups, in_channels // groups, group_out * kh * kw).transpose(1, 2)
    columns = kernels.matmul(pixels).reshape(n, groups * group_out * kh * kw, h * w)
    sizes, pads, zeros_after = [], [], []
    for i, s, p, d, k, op in zip((h, w), stride, padding, dilation, (kh, kw), output_padding):
        end_crop = p - op
        sizes.append((i - 1) * s - 2 * p + d * (k - 1) + 1 + op + min(end_crop, 0))
        pads += [p, max(end_crop, 0)]
        zeros_after.append(max(-end_crop, 0))
    out = _C._col2im(columns, tuple(sizes), (kh, kw), tuple(dilation), tuple(pads), tuple(stride))
    if any(zeros_after):
        out = _pad_constant(out, [0, zeros_after[1], 0, zeros_after[0]], 0.0)
    return out


def _max_pool2d_core(x, kernel, stride, padding, dilation, out_size, return_indices):
    """Max over each window (padding never wins); indices are flat positions in the input plane."""
    h, w = x.shape[-2:]
    pads = []
    for size, k, s, p, d, o in ((h, kernel[0], stride[0], padding[0], dilation[0], out_size[0]),
                                (w, kernel[1], stride[1], padding[1], dilation[1], out_size[1])):
        # The end padding that makes exactly `o` windows (ceil_mode may need more than `p`).
        pads += [p, max(0, (o - 1) * s + d * (k - 1) + 1 - size - p)]
    values, indices = _C._max_pool2d(x, tuple(kernel), tuple(dilation), tuple(pads), tuple(stride))
    return (values, indices) if return_indices else values


def _avg_pool2d_core(x, kernel, stride, padding, out_size, count_include_pad, divisor_override):
    """Window means; a window is clipped to the input, and counts its padding when
    ``count_include_pad`` (PyTorch's divide_factor)."""
    spans = []
    for size, k, s, p, o in zip(x.shape[-2:], kernel, stride, padding, out_size):
        axis = []
        for i in range(o):
            start = i * s - p
            end = min(start + k, size + p)
            inside = (max(start, 0), min(end, size))
            axis.append(inside + (end - start if count_include_pad else inside[1] - inside[0],))
        spans.append(axis)
    return _C._window_mean(x, spans[0], spans[1], divisor_override or None, False)


def _adaptive_avg_pool2d_core(x, out_size):
    """Window i of an axis spans [floor(i * n / o), ceil((i + 1) * n / o))."""
    spans = []
    for n, o in zip(x.shape[-2:], out_size):
        spans.append([((i * n) // o, -(-((i + 1) * n) // o), -(-((i + 1) * n) // o) - (i * n) // o)
                      for i in range(o)])
    return _C._window_mean(x, spans[0], spans[1], None, True)


# --------------------------------------------------------------------------- padding
def pad(input, pad, mode="constant", value=None):
    """Pads the last dims: ``pad = (left_last, right_last, left_prev, right_prev, ...)``."""
    pad = tuple(pad)
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        for i in range(len(pad) // 2):
            dim = input.dim() - 1 - i
            new_size = input.size(dim) + pad[2 * i] + pad[2 * i + 1]
            if new_size < 0:
                raise RuntimeError(f"The input size {input.size(dim)}, plus negative padding {pad[2 * i]} and "
                                   f"{pad[2 * i + 1]} resulted in a negative output size, which is invalid. "
                                   f"Check dimension {dim} of your input.")
        out = _pad_constant(input, pad, 0.0 if value is None else value)
        return input.clone() if out is input else out
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    for i in range(len(pad) // 2):
        dim = input.dim() - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (left >= input.size(dim) or right >= input.size(dim)):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({left}, {right}) at dimension {dim} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and (left > input.size(dim) or right > input.size(dim)):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    return _pad_indexed(input, pad, mode)


# --------------------------------------------------------------------------- convolution
def _batchify(input, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(input.shape)}")
    batched = input.dim() == nd + 2
    return (input if batched else input.unsqueeze(0)), batched


def _check_conv_args(input, weight, bias, groups, transposed):
    nd = weight.dim() - 2
    if input.dim() != weight.dim():
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.dim()}-dimensional input of size "
                           f"{list(input.shape)} instead")
    if nd < 1:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        other, kind = (weight, "weight") if input.dtype != weight.dtype else (bias, "bias")
        raise RuntimeError(f"Input type ({input.type()}) and {kind} type ({other.type()}) should be the same")
    channels = input.shape[1]
    if transposed:
        out_channels = weight.shape[1] * groups
        if channels != weight.shape[0]:
            raise RuntimeError(f"Given transposed={int(transposed)}, weight of size {list(weight.shape)}, expected "
                               f"input{list(input.shape)} to have {weight.shape[0]} channels, but got "
                               f"{channels} channels instead")
    else:
        out_channels = weight.shape[0]
        if out_channels % groups != 0:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                               f"dimension 0, but got weight of size {list(weight.shape)} instead")
        if channels != weight.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                               f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
                               f"{channels} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.numel() != out_channels):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")


def _check_positive(values, what):
    if any(v <= 0 for v in values):
        raise RuntimeError(f"non-positive {what} is not supported")


def _conv_pads(padding, kernel, dilation, stride, nd):
    """(left, right) padding per spatial dim for an int/tuple/'same'/'valid' ``padding``."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * nd
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return [(t // 2, t - t // 2) for t in totals]
    padding = _ntuple(nd)(padding)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    return [(p, p) for p in padding]


def _as_2d(t, nd):
    """A 1-d convolution's (N, C, L) operand as (N, C, 1, L)."""
    return t.unsqueeze(2) if nd == 1 else t


def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f"conv{nd}d"
    input, batched = _batchify(input, nd, name)
    _check_conv_args(input, weight, bias, groups, transposed=False)
    stride, dilation = _ntuple(nd)(stride), _ntuple(nd)(dilation)
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    kernel = tuple(weight.shape[2:])
    pads = _conv_pads(padding, kernel, dilation, stride, nd)
    padded = [size + l + r for size, (l, r) in zip(input.shape[2:], pads)]
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < e for p, e in zip(padded, effective)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be greater "
                           "than actual input size")
    if nd == 1:
        stride, dilation, pads = (1,) + stride, (1,) + dilation, [(0, 0)] + pads
    flat_pads = tuple(a for pair in pads for a in pair)
    if nd == 1 and input.dtype.is_floating_point:  # one ConvolutionBackward0 node, as PyTorch's
        out = _C._conv2d(input, weight, bias, tuple(dilation), flat_pads, tuple(stride), groups)
    else:
        out = _conv2d_core(_as_2d(input, nd), _as_2d(weight, nd), bias, stride, dilation, groups, flat_pads)
        out = out.squeeze(2) if nd == 1 else out
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    input, batched = _batchify(input, nd, f"conv_transpose{nd}d")
    _check_conv_args(input, weight, bias, groups, transposed=True)
    stride, padding = _ntuple(nd)(stride), _ntuple(nd)(padding)
    output_padding, dilation = _ntuple(nd)(output_padding), _ntuple(nd)(dilation)
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ("height", "width") if nd == 2 else ("width",)
        details = " ".join(f"output_padding_{n}: {op}" for n, op in zip(names, output_padding))
        details += " " + " ".join(f"stride_{n}: {s}" for n, s in zip(names, stride))
        details += " " + " ".join(f"dilation_{n}: {d}" for n, d in zip(names, dilation))
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {details}")
    in_sizes = tuple(input.shape[2:])
    out_sizes = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
                      zip(in_sizes, stride, padding, dilation, weight.shape[2:], output_padding))
    if any(o < 1 for o in out_sizes):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, in_sizes))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, out_sizes))}). Output size is too small")
    if nd == 1:
        stride, padding = (1,) + stride, (0,) + padding
        output_padding, dilation = (0,) + output_padding, (1,) + dilation
    out = _conv_transpose2d_core(_as_2d(input, nd), _as_2d(weight, nd), stride, padding,
                                 output_padding, dilation, groups)
    if nd == 1:
        out = out.squeeze(2)
    if bias is not None:
        out = out + bias.reshape((1, -1) + (1,) * nd)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) input as (N, C * kh * kw, L) (im2col)."""
    if input.dim() not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    (ph, pw) = _pair(padding)
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    cols = _C._im2col(x, _pair(kernel_size), _pair(dilation), (ph, ph, pw, pw), _pair(stride))
    return cols if batched else cols.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums (N, C * kh * kw, L) sliding blocks back into (N, C, H, W) (col2im, unfold's adjoint)."""
    if input.dim() not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.dim()}D)")
    (ph, pw) = _pair(padding)
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    out = _C._col2im(x, _pair(output_size), _pair(kernel_size), _pair(dilation), (ph, ph, pw, pw), _pair(stride))
    return out if batched else out.squeeze(0)


# --------------------------------------------------------------------------- pooling
def _pool_output_size(size, k, p, s, d, ceil_mode):
    """PyTorch's pooling_output_shape: the last window must start inside the (left-padded) input."""
    numerator = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = numerator // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_setup(input, kernel_size, stride, padding, dilation, ceil_mode, nd, name):
    if input.dim() not in (nd + 1, nd + 2) or input.numel() == 0:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    kernel = _ntuple(nd)(kernel_size)
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _ntuple(nd)(stride)
    padding, dilation = _ntuple(nd)(padding), _ntuple(nd)(dilation)
    _check_positive(kernel, "kernel_size")
    _check_positive(stride, "stride")
    _check_positive(dilation, "dilation")
    sizes = tuple(input.shape[-nd:])
    out_size = tuple(_pool_output_size(n, k, p, s, d, ceil_mode)
                     for n, k, p, s, d in zip(sizes, kernel, padding, stride, dilation))
    if any(o < 1 for o in out_size):
        lead = input.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({lead}x{'x'.join(map(str, sizes))}). Calculated output size: "
                           f"({lead}x{'x'.join(map(str, out_size))}). Output size is too small")
    batched = input.dim() == nd + 2
    return (input if batched else input.unsqueeze(0)), batched, kernel, stride, padding, dilation, out_size


def _to_2d_pool_args(nd, *tuples):
    return tuple(((fill,) + t) if nd == 1 else t for t, fill in tuples)


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    name = f"max_pool{nd}d"
    x, batched, kernel, stride, padding, dilation, out_size = _pool_setup(
        input, kernel_size, stride, padding, dilation, ceil_mode, nd, name)
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    kernel, stride, padding, dilation, out_size = _to_2d_pool_args(
        nd, (kernel, 1), (stride, 1), (padding, 0), (dilation, 1), (out_size, 1))
    result = _max_pool2d_core(_as_2d(x, nd), kernel, stride, padding, dilation, out_size, return_indices)
    outputs = result if return_indices else (result,)
    if nd == 1:
        outputs = tuple(o.squeeze(2) for o in outputs)
    if not batched:
        outputs = tuple(o.squeeze(0) for o in outputs)
    return outputs if return_indices else outputs[0]


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    _check_floating_kernel(input, "max_pool1d_impl")
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd):
    x, batched, kernel, stride, padding, _, out_size = _pool_setup(
        input, kernel_size, stride, padding, 1, ceil_mode, nd, f"avg_pool{nd}d")
    if any(k // 2 < p for k, p in zip(kernel, padding)):
        if nd == 1:
            raise RuntimeError(f"avg_pool1d() padding should be at most half of kernel size, but got "
                               f"padding={padding[0]} and kernel_size={kernel[0]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = "
                           f"{padding[1]}, padH = {padding[0]}, kW = {kernel[1]}, kH = {kernel[0]}")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    kernel, stride, padding, out_size = _to_2d_pool_args(nd, (kernel, 1), (stride, 1), (padding, 0), (out_size, 1))
    out = _avg_pool2d_core(_as_2d(x, nd), kernel, stride, padding, out_size, count_include_pad, divisor_override)
    if nd == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    _check_floating_kernel(input, "avg_pool2d") if input.dtype is not _C.int64 else None
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    _check_floating_kernel(input, "avg_pool2d") if input.dtype is not _C.int64 else None
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)


def _adaptive_avg_pool(input, output_size, nd):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"adaptive_avg_pool{nd}d(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    sizes = tuple(input.shape[-nd:])
    out_size = tuple(s if o is None else o for o, s in zip(_ntuple(nd)(output_size), sizes))
    if 0 in out_size:  # PyTorch returns the empty result before choosing a kernel (any dtype)
        return input.new_empty(tuple(input.shape[:-nd]) + out_size)
    _check_floating_kernel(input, "adaptive_avg_pool2d")
    if nd == 1:
        out_size, x = (1,) + out_size, input.unsqueeze(-2)
    else:
        x = input
    out = _adaptive_avg_pool2d_core(x, out_size)
    return out.squeeze(-2) if nd == 1 else out


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg_pool(input, _single(output_size), 1)


def adaptive_avg_pool2d(input, output_size):
    if _pair(output_size) == (1, 1) and input.dim() in (3, 4) and input.numel() > 0 and input.is_floating_point():
        return input.mean((-2, -1), keepdim=True)  # PyTorch's global pooling (MeanBackward1)
    return _adaptive_avg_pool(input, output_size, 2)
