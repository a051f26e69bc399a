"""Reductions, scans, sorting, softmax and matrix products as ``rustorch.<name>`` functions.

Most are the Tensor methods themselves (``rustorch.argmax(x, 1)`` is ``x.argmax(1)``), which
costs nothing per call; the rest are small compositions written here."""
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


__all__ = list(_METHODS) + ["std_mean", "var_mean", "get_num_threads", "set_num_threads"]
