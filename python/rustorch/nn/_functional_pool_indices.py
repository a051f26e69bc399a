"""Max pooling that also returns the argmax indices, for the cases without a Rust kernel:
``max_pool3d_with_indices``, ``adaptive_max_pool3d_with_indices``, fractional max pooling
(2-d and 3-d), and ``max_unpool3d``.

One mechanism for all of them: per spatial dim, a table of the input positions each output's
window covers (positions outside the input are padding); the flat in-plane index of every window
element is gathered, the maximum taken (the first one wins ties, NaN wins over numbers, as in
ATen) and its flat index returned, which is PyTorch's ``indices``. Differentiable through
``gather``."""
from .. import _C
from .modules.utils import _ntuple


def _window_max(x, positions, valid):
    """``x``: (N, C, *spatial). ``positions[d]``/``valid[d]``: (B, C', out_d, k_d) tables
    (B, C' = 1 or N, C). Returns the maxima (N, C, *out) and their flat in-plane indices."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    nd = len(spatial)
    flat_index, ok = None, None
    stride = 1
    for d in reversed(range(nd)):
        shape = list(positions[d].shape[:2]) + [1] * (2 * nd)
        shape[2 + d] = positions[d].shape[2]
        shape[2 + nd + d] = positions[d].shape[3]
        p = positions[d].reshape(shape)
        v = valid[d].reshape(shape)
        flat_index = p * stride if flat_index is None else flat_index + p * stride
        ok = v if ok is None else ok & v
        stride *= spatial[d]
    out_shape = [positions[d].shape[2] for d in range(nd)]
    window = 1
    for d in range(nd):
        window *= positions[d].shape[3]
    full = [n, c] + out_shape + [positions[d].shape[3] for d in range(nd)]
    flat_index = flat_index.expand(full)
    ok = ok.expand(full)
    values = x.reshape(n, c, -1).gather(2, flat_index.clamp(0, stride - 1).reshape(n, c, -1))
    values = values.reshape(full).masked_fill(~ok, float("-inf")).reshape(n, c, *out_shape, window)
    best, arg = values.max(-1)
    index = flat_index.reshape(n, c, *out_shape, window).gather(-1, arg.unsqueeze(-1)).squeeze(-1)
    return best, index


def _batched(input, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    return (input, True) if input.dim() == nd + 2 else (input.unsqueeze(0), False)


def _finish(values, index, batched):
    if not batched:
        values, index = values.squeeze(0), index.squeeze(0)
    return values, index


def _regular_windows(size, kernel, stride, pad, dilation, ceil_mode, device):
    span = dilation * (kernel - 1) + 1
    numerator = size + 2 * pad - span
    out = (-(-numerator // stride) if ceil_mode else numerator // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    if out <= 0:
        raise RuntimeError(f"Given input size too small: output size is {out}")
    starts = _C.arange(out, device=device) * stride - pad
    pos = starts.unsqueeze(1) + _C.arange(kernel, device=device).unsqueeze(0) * dilation
    return pos.reshape(1, 1, out, kernel), ((pos >= 0) & (pos < size)).reshape(1, 1, out, kernel)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    x, batched = _batched(input, 3, "max_pool3d")
    kernel = _ntuple(3)(kernel_size)
    stride = kernel if stride is None or stride == [] else _ntuple(3)(stride)
    padding, dilation = _ntuple(3)(padding), _ntuple(3)(dilation)
    for p, k in zip(padding, kernel):
        if p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={dilation[0]}")
    tables = [_regular_windows(s, k, st, p, d, ceil_mode, x.device)
              for s, k, st, p, d in zip(x.shape[2:], kernel, stride, padding, dilation)]
    return _finish(*_window_max(x, [t[0] for t in tables], [t[1] for t in tables]), batched)


def _adaptive_windows(size, out, device):
    starts = [(i * size) // out for i in range(out)]
    ends = [-((-(i + 1) * size) // out) for i in range(out)]
    longest = max(e - s for s, e in zip(starts, ends))
    pos = _C.tensor(starts, device=device).unsqueeze(1) + _C.arange(longest, device=device).unsqueeze(0)
    valid = pos < _C.tensor(ends, device=device).unsqueeze(1)
    return pos.reshape(1, 1, out, longest), valid.reshape(1, 1, out, longest)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    x, batched = _batched(input, 3, "adaptive_max_pool3d()")
    sizes = [x.shape[2 + i] if s is None else s for i, s in enumerate(_ntuple(3)(output_size))]
    tables = [_adaptive_windows(s, o, x.device) for s, o in zip(x.shape[2:], sizes)]
    return _finish(*_window_max(x, [t[0] for t in tables], [t[1] for t in tables]), batched)


def _fractional_starts(sample, size, out, kernel):
    """ATen's pseudo-random window starts: ⌊(i + u)·α⌋ - ⌊u·α⌋ with α = (size - k) / (out - 1)
    in the samples' precision, and the last window flush with the end."""
    planes = sample.shape
    idx = _C.arange(out, device=sample.device).to(sample.dtype)
    if out > 1:
        alpha = _C.tensor((size - kernel), dtype=sample.dtype) / _C.tensor(out - 1, dtype=sample.dtype)
        u = sample.unsqueeze(-1)
        starts = ((idx + u) * alpha).to(_C.int64) - (u * alpha).to(_C.int64)
        starts[..., -1] = size - kernel
    else:
        starts = _C.full(tuple(planes) + (out,), size - kernel, dtype=_C.int64, device=sample.device)
    return starts


def _fractional(input, kernel_size, output_size, output_ratio, _random_samples, nd):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    x, batched = _batched(input, nd, name + "()")
    kernel = _ntuple(nd)(kernel_size)
    if output_size is None:
        ratio = _ntuple(nd)(output_ratio)
        output_size = [int(input.size(-nd + d) * ratio[d]) for d in range(nd)]
    output_size = _ntuple(nd)(output_size)
    spatial = x.shape[2:]
    for d in range(nd):
        if output_size[d] + kernel[d] - 1 > spatial[d]:
            raise RuntimeError(f"{name}(): pool height {kernel[d]} too large relative to input height {spatial[d]}"
                               if d == nd - 2 else
                               f"{name}_out(): pool size {kernel[d]} too large relative to input size {spatial[d]}")
    samples = _random_samples
    if samples is None:
        samples = _C.rand(x.shape[0], x.shape[1], nd, dtype=x.dtype, device=x.device)
    # ATen reads the samples in the order (w, h) for 2-d and (t, h, w) for 3-d.
    order = [1, 0] if nd == 2 else [0, 1, 2]
    positions, valid = [], []
    for d in range(nd):
        starts = _fractional_starts(samples[..., order[d]], spatial[d], output_size[d], kernel[d])
        pos = starts.unsqueeze(-1) + _C.arange(kernel[d], device=x.device)
        positions.append(pos)
        valid.append(_C.ones_like(pos, dtype=_C.bool))
    return _finish(*_window_max(x, positions, valid), batched)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Max pooling over pseudo-randomly placed windows (Graham, 2014)."""
    out = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio, return_indices,
                                             _random_samples)
    return out if return_indices else out[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    out = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio, return_indices,
                                             _random_samples)
    return out if return_indices else out[0]


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    from ._functional_sparse import _max_unpool
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3)


__all__ = [
    "max_pool3d_with_indices", "adaptive_max_pool3d_with_indices", "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d", "fractional_max_pool3d_with_indices",
    "max_unpool3d",
]
