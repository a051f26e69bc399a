"""Loss functions (the functional forms). Those that are one ATen op in PyTorch are one fused
node here (``_C._pointwise_loss``, ``_C._nll_loss``); the others are composed from tensor ops.

Every loss takes ``reduction`` ('mean' / 'sum' / 'none') and the deprecated ``size_average`` /
``reduce`` pair where PyTorch still accepts it."""
import warnings

from .. import _C
from . import _reduction
from .modules.utils import _check_floating_kernel, _scalar_type_name

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
]


def _warn_if_sizes_differ(input, target):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)


def _broadcast(input, target):
    """Both operands expanded to one shape (ExpandBackward0 only where a shape changes)."""
    if input.shape == target.shape:
        return input, target
    return _C.broadcast_tensors(input, target)


def _reduce_weighted(loss, weight, reduction):
    """Optional elementwise ``weight``; the weighted mean divides by the total weight."""
    if weight is None:
        return _reduction.reduce(loss, reduction)
    if weight.size() != loss.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduction.reduce(loss, reduction)


def _elementwise_loss(input, target, size_average, reduce, reduction, weight, fn):
    _warn_if_sizes_differ(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    input, target = _broadcast(input, target)
    return _reduce_weighted(fn(input - target), weight, reduction)


def _check_floating_result(input, target, kernel):
    """The kernel runs in the promoted dtype of input and target: an integer input with a float
    target computes in float; two integer (or bool) operands have no kernel. Returns the input,
    a bool one cast to that dtype."""
    from .._variants import result_type  # imported late: it patches Tensor methods defined after nn
    dtype = result_type(input, target)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type_name(dtype)}'")
    return input.to(dtype) if input.dtype == _C.bool else input  # bool - x has no kernel


def _fused_pointwise(kind, input, target, size_average, reduce, reduction, param=1.0):
    """One fused node (MseLossBackward0, HuberLossBackward0, …) over the broadcast operands."""
    _warn_if_sizes_differ(input, target)
    reduction = _reduction.resolve(size_average, reduce, reduction)
    input, target = _broadcast(input, target)
    return _C._pointwise_loss(kind, input, target, None, None, _reduction.get_enum(reduction), param)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _reduction.resolve(size_average, reduce, reduction)
    input = _check_floating_result(input, target, "mse_cpu")
    if weight is not None:  # PyTorch composes the weighted form too
        return _elementwise_loss(input, target, size_average, reduce, reduction, weight, lambda d: d * d)
    return _fused_pointwise("mse", input, target, size_average, reduce, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    return _elementwise_loss(input, target, size_average, reduce, reduction, weight, lambda d: d.abs())


def _quadratic_then_linear(diff, cutoff, linear_scale):
    """0.5 d^2 below ``cutoff``; above it the tangent line ``linear_scale * (|d| - cutoff / 2)``."""
    z = diff.abs()
    return _C.where(z < cutoff, z * z * 0.5, (z - 0.5 * cutoff) * linear_scale)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _reduction.resolve(size_average, reduce, reduction)
    input = _check_floating_result(input, target, "smooth_l1_cpu")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:  # PyTorch's l1_loss then
        return _elementwise_loss(input, target, size_average, reduce, reduction, None, lambda d: d.abs())
    return _fused_pointwise("smooth_l1", input, target, size_average, reduce, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _reduction.get_enum(reduction)
    _check_floating_kernel(input, "huber_cpu")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    # PyTorch's huber kernel computes in the input's dtype (the target is cast to it).
    target = target.to(input.dtype)
    if weight is not None:
        return _elementwise_loss(input, target, None, None, reduction, weight,
                                 lambda d: _quadratic_then_linear(d, delta, delta))
    return _fused_pointwise("huber", input, target, None, None, reduction, delta)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """BCE with PyTorch's log clamp (>= -100); one BinaryCrossEntropyBackward0 node."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_scalar_type_name(target.dtype)} but expected {_scalar_type_name(input.dtype)}")
    if weight is not None:
        weight = weight.expand(_C.broadcast_tensors(target, weight)[1].shape)
    return _C._pointwise_loss("binary_cross_entropy", input, target, weight, None, _reduction.get_enum(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """BCE of sigmoid(input), computed stably as ``(1 - t) x - (1 + (pw - 1) t) logsigmoid(x)``."""
    _check_floating_kernel(input, "log_sigmoid_cpu")
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    if target.is_floating_point():  # PyTorch 2.15 computes in the target's dtype
        input = input.to(target.dtype)
    weight, pos_weight = (None if w is None else w.expand(input.shape) for w in (weight, pos_weight))
    return _C._pointwise_loss("binary_cross_entropy_with_logits", input, target, weight, pos_weight,
                              _reduction.get_enum(reduction))


def _class_view(t, ndim, class_dim):
    """A per-class vector shaped to broadcast along ``class_dim`` of an ``ndim``-d input."""
    shape = [1] * ndim
    shape[class_dim] = -1
    return t.reshape(shape)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """``-weight[t] * input[t]`` per sample (class dim 1, or 0 for a 1-d input); the mean divides
    by the total weight of the non-ignored targets."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    ndim = input.dim()
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    target_batch = target.size(0) if target.dim() else 0
    if ndim != 1 and input.size(0) != target_batch:
        raise ValueError(f"Expected input batch_size ({input.size(0)}) to match target batch_size "
                         f"({target_batch}).")
    if target.dtype not in (_C.int64, _C.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_scalar_type_name(target.dtype)}")
    if ndim == 2 and target.dim() == 0:
        # PyTorch's 2-d kernel reads target.size(0) before it dispatches on the input's dtype:
        # the IndexError of a 0-dim tensor.
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    _check_floating_kernel(input, "nll_loss_out_frame")
    target = target.long()
    class_dim = 0 if ndim == 1 else 1
    n_classes = input.size(class_dim)
    expected_target = tuple(input.shape[:class_dim]) + tuple(input.shape[class_dim + 1:])
    if ndim == 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tuple(target.shape) != expected_target:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")
    if weight is not None and weight.numel() != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                           f"but got weight tensor of shape: {list(weight.shape)}")
    return _C._nll_loss(input, target, weight, _reduction.get_enum(reduction), ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dim followed by nll_loss (class-index targets) or by the
    cross entropy with class probabilities (target shaped like input)."""
    from .functional import log_softmax

    reduction = _reduction.resolve(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.size(class_dim)
    log_probs = log_softmax(input, class_dim)
    class_weight = None if weight is None else _class_view(weight, input.dim(), class_dim)
    if input.shape == target.shape:
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{_scalar_type_name(target.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = log_probs * target if class_weight is None else log_probs * target * class_weight
        if reduction == "none":
            return -terms.sum(class_dim)
        if reduction == "sum":
            return -terms.sum()
        return -terms.sum() / (input.numel() / n_classes)
    loss = nll_loss(log_probs, target, weight, None, ignore_index, None, reduction)
    target = target.long()  # a uint8 target compares with a negative ignore_index as its value
    if label_smoothing <= 0:
        return loss
    # In PyTorch's order (its graph): per-sample sums, negated, ignored samples zeroed.
    weighted = log_probs if class_weight is None else log_probs * class_weight
    smooth = (-weighted.sum(class_dim)).masked_fill(target == ignore_index, 0.0)
    if reduction == "mean":
        kept = target != ignore_index
        if weight is None:
            smooth = smooth.sum() / kept.sum()
        else:
            safe_target = _C.where(kept, target, 0)
            smooth = smooth.sum() / (weight.index_select(0, safe_target.reshape(-1)) * kept.reshape(-1)).sum()
    else:
        smooth = _reduction.reduce(smooth, reduction)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise ``target * (log(target) - input)`` (input holds log-probabilities)."""
    if size_average is not None or reduce is not None:
        reduction = _reduction.legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.")
        if reduction != "batchmean":
            _reduction.get_enum(reduction)
    if not input.is_floating_point() or not target.is_floating_point():
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        # xlogy(t, t): 0 where t == 0 (log taken of 1 there, so no inf reaches the gradient).
        # A negative target gives NaN (log of a negative number), as in PyTorch.
        positive = (target > 0) | (target < 0)
        safe = _C.where(positive, target, 1.0)
        pointwise = target * safe.log() - target * input
    if reduction == "batchmean":
        total = pointwise.sum()
        return total / input.size(0) if input.dim() != 0 else total
    return _reduction.reduce(pointwise, reduction)
