"""Reductions, scans, sorting, softmax and matrix products as ``rustorch.<name>`` functions.

Most are the Tensor methods themselves (``rustorch.argmax(x, 1)`` is ``x.argmax(1)``), which
costs nothing per call; the rest are small compositions written here."""
from . import _C
from ._C import Tensor, get_num_threads, set_num_threads

_METHODS = (
    # reductions
    "sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
    "argmax", "argmin", "std", "var", "norm", "all", "any", "count_nonzero", "logsumexp",
    "median", "nanmedian", "mode",
    # scans, sorting, softmax
    "cumsum", "cumprod", "cummax", "cummin", "sort", "argsort", "topk", "kthvalue", "unique",
    "softmax", "log_softmax",
    # matrix products
    "mm", "mv", "dot", "vdot", "inner", "outer", "ger", "matmul", "bmm", "addmm", "addmv",
    "addbmm", "baddbmm",
)

for _name in _METHODS:
    globals()[_name] = getattr(Tensor, _name)
del _name


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The standard deviation and the mean over the same dims."""
    std = input.std(dim, unbiased, keepdim, correction=correction)
    return std, input.mean(None if isinstance(dim, bool) else dim, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """The variance and the mean over the same dims."""
    var = input.var(dim, unbiased, keepdim, correction=correction)
    return var, input.mean(None if isinstance(dim, bool) else dim, keepdim)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    """PyTorch's quantile: sort, pick the ranks q·(n-1) (n counting non-NaN values when
    ``ignore_nan``), interpolate; differentiable through ``sort`` and ``gather``."""
    name = "nanquantile()" if ignore_nan else "quantile()"
    if input.dtype not in (_C.float32, _C.float64):
        raise RuntimeError(f"{name} input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name} interpolation must be one of linear, lower, higher, midpoint or nearest, "
                           f"but got {interpolation}")
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name} q must be in the range [0, 1] but got {q}")
        q = _C.tensor([q], dtype=input.dtype, device=input.device)
    else:
        if q.dim() > 1:
            raise RuntimeError(f"{name} q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name} q tensor must be same dtype as the input tensor")
        if q.numel() and not bool(((q >= 0) & (q <= 1)).all()):
            raise RuntimeError(f"{name} q values must be in the range [0, 1]")
    scalar_q = scalar_q or q.dim() == 0
    q = q.reshape(-1)
    if input.numel() == 0:
        raise RuntimeError(f"{name} input tensor must be non-empty")
    if dim is None:
        x = input.reshape(-1)
        dim_ = 0
        out_shape = [1] * input.dim() if keepdim else []
    else:
        dim_ = dim % input.dim() if input.dim() else 0
        x = input.movedim(dim_, -1) if input.dim() else input.reshape(1)
        out_shape = list(input.shape)
        if input.dim():
            if keepdim:
                out_shape[dim_] = 1
            else:
                del out_shape[dim_]
    x = x.reshape(-1, x.shape[-1]) if dim is not None else x.reshape(1, -1)
    sorted_values = x.sort(-1).values  # NaN sorts last
    last = sorted_values.shape[-1] - 1
    nan = sorted_values.isnan()
    if ignore_nan:
        ranks = q.unsqueeze(0) * (nan.logical_not().sum(-1, keepdim=True) - 1).to(input.dtype)
        ranks = ranks.clamp_min(0)
    else:
        ranks = (q * last).unsqueeze(0).expand(x.shape[0], -1)
        ranks = ranks.masked_fill(nan.any(-1, keepdim=True), last)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.to(_C.int64)
    values = sorted_values.gather(-1, below)
    if interpolation in ("linear", "midpoint"):
        weights = _C.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below.to(ranks.dtype)
        above = sorted_values.gather(-1, ranks.ceil().to(_C.int64))
        values = values + weights * (above - values)
    values = values.movedim(-1, 0).reshape([q.shape[0]] + out_shape)
    return values.squeeze(0) if scalar_q else values


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles along ``dim`` (of all elements when None); NaN where a slice has one."""
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` ignoring NaNs (NaN only for all-NaN slices)."""
    return _quantile(input, q, dim, keepdim, interpolation, True)


Tensor.quantile = quantile
Tensor.nanquantile = nanquantile

__all__ = list(_METHODS) + ["std_mean", "var_mean", "get_num_threads", "set_num_threads",
                            "quantile", "nanquantile"]
