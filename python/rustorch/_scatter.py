"""Scatter-style ops composed of ``scatter``/``scatter_add``/``gather``: ``scatter_reduce``,
``index_reduce``, the ``*_scatter`` functions (a copy of the input with ``src`` written into one
of its views), ``masked_scatter``, ``put``, and small split/copy variants.

The ``*_scatter`` functions find the flat positions their view covers by taking the same view of
an ``arange`` of flat indices, then scatter ``src`` there: one differentiable scatter, no
in-place writes into views."""
from . import _C
from ._C import Tensor
from ._inplace import _dtype_title, in_place

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _numpy_reduce(out, dim, index, src, reduce):
    """``out`` (a fresh tensor) reduced in place at ``index`` along ``dim`` with ``src``."""
    import numpy as np
    ufunc = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}[reduce]
    device = out.device
    arr = out.cpu().numpy()
    idx = index.cpu().numpy()
    vals = src.detach().cpu().numpy()[tuple(slice(0, s) for s in idx.shape)]
    grid = list(np.indices(idx.shape, sparse=True))
    grid[dim] = idx
    ufunc.at(arr, tuple(grid), vals)
    return _C.from_numpy(arr).to(device)


class _ScatterReduce:
    """PyTorch's scatter_reduce forward and backward (FunctionsManual's formulas)."""

    @staticmethod
    def forward(self, dim, index, src, reduce, include_self):
        touched = None
        if not include_self:
            touched = _C.zeros_like(self, dtype=_C.bool).scatter(dim, index, True)
        if reduce in ("sum", "mean"):
            base = self if include_self else self.masked_fill(touched, 0)
            out = base.scatter_add(dim, index, src)
            if reduce == "mean":
                count = _C.ones_like(self) if include_self else _C.zeros_like(self)
                count = count.scatter_add(dim, index, _C.ones_like(src)).clamp_min(1)
                out = out / count if out.is_floating_point() else out.div(count, rounding_mode="floor")
            return out
        identity = {"prod": 1, "amax": float("-inf"), "amin": float("inf")}[reduce]
        base = self.detach().clone() if include_self else self.detach().masked_fill(touched, identity)
        return _numpy_reduce(base, dim, index, src, reduce)


def _scatter_reduce_autograd():
    from .autograd import Function

    class ScatterReduce(Function):
        @staticmethod
        def forward(ctx, self, dim, index, src, reduce, include_self):
            result = _ScatterReduce.forward(self.detach(), dim, index, src.detach(), reduce, include_self)
            ctx.save_for_backward(self, index, src, result)
            ctx.args = (dim, reduce, include_self)
            return result

        @staticmethod
        def backward(ctx, grad):
            self, index, src, result = ctx.saved_tensors
            dim, reduce, include_self = ctx.args
            if reduce == "prod":
                masked_self = self.masked_fill(self == 0, 1)
                masked_self_result = _ScatterReduce.forward(masked_self, dim, index, src, reduce, include_self)
                grad_self = grad * masked_self_result / masked_self
                src_zero = src == 0
                zeros_here = _C.zeros_like(self).scatter_add(dim, index, src_zero.to(self.dtype)).gather(dim, index)
                single_zero = src_zero & (zeros_here == 1)
                masked_src_result = _ScatterReduce.forward(self, dim, index, src.masked_fill(single_zero, 1),
                                                           reduce, include_self)
                grad_src = _C.where(single_zero, (grad * masked_src_result).gather(dim, index),
                                    (grad * result).gather(dim, index) / src.masked_fill(src_zero, 1))
            else:  # amax / amin: the gradient is shared evenly by the elements equal to the result
                value = result.gather(dim, index)
                self_is = (self == result).to(self.dtype)
                src_is = (src == value).to(self.dtype)
                share = grad / self_is.scatter_add(dim, index, src_is)
                grad_self = self_is * share
                grad_src = src_is * share.gather(dim, index)
            if not include_self:
                grad_self = grad_self.scatter(dim, index, 0.0)
            return grad_self, None, None, grad_src, None, None

    ScatterReduce._backward_cls.__name__ = "ScatterReduceBackward0"  # PyTorch's node name
    return ScatterReduce


_autograd_fn = None


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``input`` with ``src`` reduced into the positions ``index`` names along ``dim``."""
    global _autograd_fn
    if reduce == "max" or reduce == "min":
        reduce = "a" + reduce  # PyTorch still accepts the pre-release names
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if input.dtype != src.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if index.dtype != _C.int64:
        raise RuntimeError("scatter(): Expected dtype int64 for index")
    dim = dim % max(input.dim(), 1)
    if reduce in ("sum", "mean") or not (input.requires_grad or src.requires_grad):
        return _ScatterReduce.forward(input, dim, index, src, reduce, include_self)
    if _autograd_fn is None:
        _autograd_fn = _scatter_reduce_autograd()
    return _autograd_fn.apply(input, dim, index, src, reduce, include_self)


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """``source``'s slices along ``dim`` reduced into ``input``'s slices ``index`` names."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    dim = dim % max(input.dim(), 1)
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if index.numel() != (source.shape[dim] if source.dim() else 1):
        raise RuntimeError(
            f"index_reduce_(): Number of indices ({index.numel()}) should be equal to source.size(dim): "
            f"({source.shape[dim] if source.dim() else 1}), for dim: {dim}")
    shape = [1] * source.dim()
    shape[dim] = -1
    return scatter_reduce(input, dim, index.reshape(shape).expand(source.shape), source, reduce,
                          include_self=include_self)


def _scatter_into_view(input, src, view, name=None):
    """A copy of ``input`` whose ``view(input)`` elements are ``src``."""
    positions = view(_C.arange(input.numel(), device=input.device).reshape(input.shape))
    if tuple(src.shape) != tuple(positions.shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(positions.shape)}")
    flat = input.reshape(-1).scatter(0, positions.reshape(-1), src.to(input.dtype).reshape(-1))
    return flat.reshape(input.shape)


def select_scatter(input, src, dim, index):
    return _scatter_into_view(input, src, lambda t: t.select(dim, index))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    where = (slice(None),) * (dim % input.dim()) + (slice(start, end, step),)
    return _scatter_into_view(input, src, lambda t: t[where])


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    return _scatter_into_view(input, src, lambda t: t.diagonal(offset, dim1, dim2))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """``input`` (laid out contiguously, as its clone is) with ``src`` at the ``as_strided``
    view's elements."""
    return _scatter_into_view(input, src, lambda t: t.as_strided(size, stride, storage_offset or 0))


def masked_scatter(input, mask, source):
    """``input`` with the True positions of ``mask`` filled by ``source``'s elements in order."""
    if mask.dtype != _C.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{_dtype_title(mask.dtype)}")
    input, mask = _C.broadcast_tensors(input, mask)
    positions = mask.reshape(-1).nonzero().reshape(-1)
    if positions.numel() > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    values = source.reshape(-1)[:positions.numel()].to(input.dtype)
    return input.reshape(-1).scatter(0, positions, values).reshape(input.shape)


def put(input, index, source, accumulate=False):
    """``input`` (as a flat tensor) with ``source`` written (or added) at ``index``."""
    if index.numel() != source.numel():
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = input.numel()
    flat_index = index.reshape(-1)
    if flat_index.numel():
        bad = flat_index[(flat_index >= n) | (flat_index < -n)]
        if bad.numel():
            raise IndexError(f"out of range: tried to access index {int(bad[0])} on a tensor of {n} elements.")
    flat_index = flat_index.remainder(max(n, 1))
    flat, values = input.reshape(-1), source.reshape(-1).to(input.dtype)
    out = flat.scatter_add(0, flat_index, values) if accumulate else flat.scatter(0, flat_index, values)
    return out.reshape(input.shape)


def narrow_copy(input, dim, start, length):
    return input.narrow(dim, start, length).clone()


def unsafe_chunk(input, chunks, dim=0):
    return input.chunk(chunks, dim)


def unsafe_split(tensor, split_size_or_sections, dim=0):
    return tensor.split(split_size_or_sections, dim)


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero()`` cut or padded with ``fill_value`` rows to exactly ``size`` rows."""
    found = input.nonzero()
    if found.shape[0] >= size:
        return found[:size]
    pad = _C.full((size - found.shape[0], input.dim()), fill_value, dtype=_C.int64, device=input.device)
    return _C.cat([found, pad], 0)


def _fill_diagonal_(self, fill_value, wrap=False):
    """Fills the main diagonal of a 2-D (or all-sizes-equal n-D) tensor in place."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = self.shape[0], self.shape[1]
    if self.dim() == 2:
        step = cols + 1
        end = self.numel() if wrap and rows > cols + 1 else min(rows, cols) * cols
    else:
        n = self.shape[0]
        step = sum(n ** k for k in range(self.dim()))
        end = self.numel()
    positions = _C.arange(0, end, step, device=self.device)
    return self.copy_(self.reshape(-1).index_fill(0, positions, fill_value).reshape(self.shape))


def _new_empty_strided(self, size, stride, dtype=None, device=None, requires_grad=False,
                       layout=None, pin_memory=False):
    from ._factories import empty_strided
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


def _tensor_unsafe_chunk(self, chunks, dim=0):
    return self.chunk(chunks, dim)


def _tensor_unsafe_split(self, split_size, dim=0):
    return self.split(split_size, dim)


def _nonzero_static(self, *, size, fill_value=-1):
    return nonzero_static(self, size=size, fill_value=fill_value)


for _name, _fn in {
    "scatter_reduce": scatter_reduce, "scatter_reduce_": in_place(scatter_reduce),
    "index_reduce": index_reduce, "index_reduce_": in_place(index_reduce),
    "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter, "as_strided_scatter": as_strided_scatter,
    "masked_scatter": masked_scatter, "masked_scatter_": in_place(masked_scatter),
    "put": put, "put_": in_place(put), "narrow_copy": narrow_copy,
    "unsafe_chunk": _tensor_unsafe_chunk, "unsafe_split": _tensor_unsafe_split,
    "nonzero_static": _nonzero_static, "fill_diagonal_": _fill_diagonal_,
    "new_empty_strided": _new_empty_strided,
}.items():
    setattr(Tensor, _name, _fn)
del _name, _fn

__all__ = [
    "scatter_reduce", "index_reduce", "select_scatter", "slice_scatter", "diagonal_scatter",
    "as_strided_scatter", "narrow_copy", "unsafe_chunk", "unsafe_split", "nonzero_static", "put",
    "masked_scatter",
]
