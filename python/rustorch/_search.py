"""Searching, counting and enumerating: ``searchsorted``/``bucketize``, ``isin``, ``histc``,
``histogram(dd)``, ``unique_consecutive``, ``unravel_index``, ``combinations``.

None of these is differentiable in PyTorch (they return indices or counts), so the searches run
in NumPy on host copies, row by row, and the results go back to the input's device."""
import builtins as _builtins  # `range` is a parameter of the histogram functions, as in PyTorch
import itertools as _itertools

from . import _C
from ._C import Tensor
from . import return_types as _return_types
from ._inplace import _dtype_title


def _host(t):
    return t.detach().cpu().numpy()


def _to_device(array, like):
    import numpy as np
    array = np.asarray(array)
    # ascontiguousarray makes 0-d arrays 1-d: the reshape restores the shape.
    return _C.from_numpy(np.ascontiguousarray(array)).reshape(array.shape).to(like.device)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    """For each value, the index where inserting it keeps the (last-dim) sequence sorted: the
    first such index, or the last one with ``right=True`` / ``side='right'``."""
    import numpy as np
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True")
        right = side == "right"
    scalar = not isinstance(values, Tensor)
    value_array = np.asarray(values) if scalar else _host(values)
    seq = _host(sorted_sequence)
    if sorter is not None:
        seq = np.take_along_axis(seq, _host(sorter), -1)
    if seq.ndim > 1 and (scalar or tuple(seq.shape[:-1]) != tuple(value_array.shape[:-1])):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
            f"of boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(value_array.shape)}")
    how = "right" if right else "left"
    if seq.ndim <= 1:
        found = np.searchsorted(seq.reshape(-1), value_array, side=how)
    else:
        rows = seq.reshape(-1, seq.shape[-1])
        vals = value_array.reshape(rows.shape[0], -1)
        found = np.stack([np.searchsorted(r, v, side=how) for r, v in zip(rows, vals)]).reshape(value_array.shape)
    found = np.asarray(found, dtype=np.int32 if out_int32 else np.int64)
    return _to_device(found, sorted_sequence)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each element: boundaries[i-1] < x <= boundaries[i] (``<`` and ``<=``
    swapped with ``right=True``)."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` is in ``test_elements`` (either may be a number)."""
    import numpy as np
    like = elements if isinstance(elements, Tensor) else test_elements
    elem = _host(elements) if isinstance(elements, Tensor) else np.asarray(elements)
    test = _host(test_elements) if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _to_device(np.isin(elem, test, assume_unique=assume_unique, invert=invert), like)


def _check_histogram_dtype(input, name="histogram_cpu"):
    if not input.is_floating_point():
        raise NotImplementedError(f'"{name}" not implemented for \'{_dtype_title(input.dtype)}\'')


def histc(input, bins=100, min=0, max=0):
    """Counts of the elements in ``bins`` equal-width bins over [min, max] (the data's range when
    both are 0); elements outside are ignored."""
    import numpy as np
    _check_histogram_dtype(input)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    x = _host(input).reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min, but got min {min} and max {max}")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    dt = x.dtype.type
    inside = x[(x >= dt(lo)) & (x <= dt(hi))]
    # ATen's linear bin search, in the input's precision: (x - lo) * bins / (hi - lo).
    pos = ((inside - dt(lo)) * dt(bins) / (dt(hi) - dt(lo))).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return _to_device(np.bincount(pos, minlength=bins).astype(x.dtype), input)


def _histogram_edges(x, bins, range, dims, like):
    """One tensor of bin edges per dimension, from counts (equal widths) or given edges."""
    import numpy as np
    per_dim = bins if isinstance(bins, (list, tuple)) else [bins] * dims
    if len(per_dim) != dims:
        raise RuntimeError(
            f"torch.histogramdd(): expected {dims} sequences of bin edges for each of the {dims} "
            f"dimensions of the input, but got {len(per_dim)}")
    edges = []
    for d, b in enumerate(per_dim):
        if isinstance(b, Tensor):
            edges.append(b.to(like.dtype))
            continue
        if b <= 0:
            raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {b} for dimension {d}")
        if range is not None:
            lo, hi = float(range[2 * d]), float(range[2 * d + 1])
        elif x.shape[0]:
            lo, hi = float(x[:, d].min()), float(x[:, d].max())
        else:
            lo, hi = 0.0, 0.0
        if lo > hi:
            raise RuntimeError(
                f"torch.histogramdd(): min should not exceed max, but got min {lo} max {hi} for dimension {d}")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges.append(_C.linspace(lo, hi, b + 1, dtype=like.dtype))
    return edges


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """The D-dimensional histogram of the rows of an (N, D) input (the last dim is D)."""
    import numpy as np
    _check_histogram_dtype(input)
    dims = input.shape[-1] if input.dim() else 1
    x = _host(input).reshape(-1, dims)
    if range is not None and len(range) != 2 * dims:
        raise RuntimeError(
            f"torch.histogramdd(): for a {dims}-dimensional histogram range should have {2 * dims} "
            f"elements, but got {len(range)}")
    edges = _histogram_edges(x, bins, range, dims, input)
    inside = np.ones(x.shape[0], dtype=bool)
    flat = np.zeros(x.shape[0], dtype=np.int64)
    for d, e in enumerate(edges):
        e_host = _host(e)
        nbins = len(e_host) - 1
        pos = np.searchsorted(e_host, x[:, d], side="right") - 1
        pos[x[:, d] == e_host[-1]] = nbins - 1  # the last bin includes its right edge
        inside &= (x[:, d] >= e_host[0]) & (x[:, d] <= e_host[-1])
        flat = flat * nbins + np.clip(pos, 0, nbins - 1)
    shape = [len(_host(e)) - 1 for e in edges]
    w = None if weight is None else _host(weight).reshape(-1)[inside]
    hist = np.bincount(flat[inside], weights=w, minlength=int(np.prod(shape))).astype(x.dtype).reshape(shape)
    if density:
        volume = np.ones(shape, dtype=np.float64)
        for d, e in enumerate(edges):
            widths = np.diff(_host(e)).astype(np.float64)
            volume = volume * widths.reshape([-1 if k == d else 1 for k in _builtins.range(len(shape))])
        total = hist.sum()
        hist = (hist / (total * volume)).astype(x.dtype)
    return _return_types.histogramdd((_to_device(hist, input), tuple(e.to(input.device) for e in edges)))


def histogram(input, bins, *, range=None, weight=None, density=False):
    """The histogram of all elements: ``bins`` equal-width bins (over ``range`` or the data's
    range) or the given bin edges."""
    if isinstance(bins, Tensor) and bins.dim() != 1:
        raise RuntimeError(f"torch.histogram(): bins tensor should have one dimension, but got {bins.dim()} dimensions")
    hist, edges = histogramdd(input.reshape(-1, 1), [bins], range=range, weight=weight, density=density)
    return _return_types.histogram((hist, edges[0]))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses each run of equal consecutive elements (or slices along ``dim``) to one."""
    x = input.reshape(-1) if dim is None else input.movedim(dim, 0)
    n = x.shape[0]
    if n == 0:
        output, inverse, counts = x, _C.zeros(input.shape if dim is None else 0, dtype=_C.int64), _C.zeros(0, dtype=_C.int64)
    else:
        changed = x[1:] != x[:-1]
        if changed.dim() > 1:
            changed = changed.reshape(n - 1, -1).any(1)
        keep = _C.cat([_C.ones(1, dtype=_C.bool, device=x.device), changed])
        output = x[keep]
        inverse = keep.to(_C.int64).cumsum(0) - 1
        if dim is None:
            inverse = inverse.reshape(input.shape)
        starts = keep.nonzero().reshape(-1)
        counts = _C.cat([starts[1:], _C.tensor([n], device=x.device)]) - starts
    if dim is not None:
        output = output.movedim(0, dim)
    result = (output,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return result[0] if len(result) == 1 else result


def unravel_index(indices, shape):
    """The coordinates in a tensor of ``shape`` of each flat index (as a tuple per dim)."""
    if not isinstance(indices, Tensor):
        indices = _C.tensor(indices)
    if indices.is_floating_point() or indices.dtype == _C.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    coords = []
    rest = indices.to(_C.int64)
    for size in reversed(shape):
        coords.append(rest.remainder(size))
        rest = rest.div(size, rounding_mode="floor")
    return tuple(reversed(coords))


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-D tensor's elements, as rows (itertools' order)."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _C.empty(0, dtype=input.dtype, device=input.device)
    pick = _itertools.combinations_with_replacement if with_replacement else _itertools.combinations
    rows = [i for combo in pick(range(input.shape[0]), r) for i in combo]
    if not rows:
        return _C.empty((0, r), dtype=input.dtype, device=input.device)
    return input.index_select(0, _C.tensor(rows, device=input.device)).reshape(-1, r)


def _tensor_histc(self, bins=100, min=0, max=0):
    return histc(self, bins, min, max)


def _tensor_histogram(self, bins, *, range=None, weight=None, density=False):
    return histogram(self, bins, range=range, weight=weight, density=density)


Tensor.histc = _tensor_histc
Tensor.histogram = _tensor_histogram
Tensor.unique_consecutive = unique_consecutive

__all__ = ["searchsorted", "bucketize", "isin", "histc", "histogram", "histogramdd",
           "unique_consecutive", "unravel_index", "combinations"]
