"""The smaller names of ``torch.nn.functional``: gated and shrinking activations, distances,
feature-wise and alpha dropout, channel shuffle, Gumbel-softmax and power-average pooling."""
import math

from .. import _C
from ._functional_conv import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .modules.utils import _pair, _triple

__all__ = [
    "glu", "hardshrink", "softshrink", "rrelu", "rrelu_", "celu_", "selu_", "threshold_", "cosine_similarity",
    "pairwise_distance", "pdist", "dropout1d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    "channel_shuffle", "native_channel_shuffle", "gumbel_softmax", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
]


# --------------------------------------------------------------------------- activations
def glu(input, dim=-1):
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.size(dim)
    if size % 2 != 0:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size {size}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def hardshrink(input, lambd=0.5):
    return _C.where(input.abs() > lambd, input, _C.zeros((), dtype=input.dtype))


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    zero = _C.zeros((), dtype=input.dtype)
    return _C.where(input > lambd, input - lambd, _C.where(input < -lambd, input + lambd, zero))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Leaky ReLU whose negative slope is drawn from U(lower, upper) per element in training,
    and is their mean otherwise."""
    if training:
        slope = _C.empty(tuple(input.shape), dtype=input.dtype).uniform_(lower, upper)
    else:
        slope = (lower + upper) / 2
    result = _C.where(input >= 0, input, input * slope)
    return input.copy_(result) if inplace else result


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def celu_(input, alpha=1.0):
    from .functional import celu
    return celu(input, alpha, True)


def selu_(input):
    from .functional import selu
    return selu(input, True)


def threshold_(input, threshold, value):
    from .functional import threshold as threshold_fn
    return threshold_fn(input, threshold, value, True)


# --------------------------------------------------------------------------- distances
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (each normalised by
    ``max(||x||, eps)``, as PyTorch)."""
    x1, x2 = _C.broadcast_tensors(x1, x2)
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dim."""
    diff = x1 - x2 + eps
    return diff.norm(p, diff.dim() - 1 if diff.dim() > 0 else 0, keepdim=keepdim)


def pdist(input, p=2):
    """The p-norm distance between each pair of rows of an (N, M) input, as the upper triangle."""
    import numpy as np
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    rows, cols = np.triu_indices(input.size(0), 1)
    first = input.index_select(0, _C.from_numpy(rows.astype(np.int64)).to(input.device))
    second = input.index_select(0, _C.from_numpy(cols.astype(np.int64)).to(input.device))
    return (first - second).norm(p, 1)


# --------------------------------------------------------------------------- dropout variants
def _feature_dropout(input, p, training, inplace, nd, name):
    from .functional import _check_dropout_p, _dropout_with_noise
    _check_dropout_p(p)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but received a {input.dim()}D input. ")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    out = _dropout_with_noise(x, tuple(x.shape[:2]) + (1,) * nd, p, inplace)
    if inplace:
        return input
    return out if batched else out.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) input."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input."""
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


_SELU_ALPHA = 1.7580993408473766  # -scale * alpha of SELU: the value a dropped unit takes


def _alpha_dropout(input, p, training, inplace, feature):
    from .functional import _check_dropout_p
    _check_dropout_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        return input.mul_(0) if inplace else input * 0.0
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2) if feature else tuple(input.shape)
    keep = _C.empty(shape, dtype=input.dtype).bernoulli_(1 - p)
    # the affine map a * x + b keeping the SELU fixed point's mean and variance (PyTorch's formula)
    a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    b = (keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p
    result = input * (keep * a) + b
    return input.copy_(result) if inplace else result


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace, True)


# --------------------------------------------------------------------------- misc
def channel_shuffle(input, groups):
    """Interleaves ``groups`` channel groups: (N, g * k, *) -> (N, k * g, *)."""
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c = input.shape[:2]
    if c % groups != 0:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample from the Gumbel-softmax distribution; ``hard`` gives one-hot samples with the
    soft sample's gradient (straight-through)."""
    gumbels = -_C.empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = _C.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _lp_root(pooled, window, norm_type):
    return (pooled.sign() * pooled.abs().relu()).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over each window of x^p) ^ (1/p)``."""
    pooled = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_root(pooled, kernel_size, norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kh, kw = _pair(kernel_size)
    pooled = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_root(pooled, kh * kw, norm_type)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    from ._functional_conv3d import avg_pool3d
    kd, kh, kw = _triple(kernel_size)
    pooled = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_root(pooled, kd * kh * kw, norm_type)


# --------------------------------------------------------------------------- helpers PyTorch exports
def assert_int_or_pair(arg, arg_name, message):
    assert isinstance(arg, int) or len(arg) == 2, message.format(arg_name)


def boolean_dispatch(arg_name, arg_index, default, if_true, if_false, module_name, func_name):
    """A function that calls ``if_true`` or ``if_false`` by the boolean argument ``arg_name``
    (passed by keyword, or positionally at ``arg_index``; ``default`` when absent)."""
    def fn(*args, **kwargs):
        if arg_name in kwargs:
            flag = kwargs[arg_name]
        elif arg_index < len(args):
            flag = args[arg_index]
        else:
            flag = default
        return if_true(*args, **kwargs) if flag else if_false(*args, **kwargs)

    fn.__doc__ = if_true.__doc__ or if_false.__doc__
    fn.__module__ = module_name
    fn.__name__ = func_name
    return fn


__all__ += ["assert_int_or_pair", "boolean_dispatch"]
