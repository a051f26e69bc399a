"""The margin, embedding, Poisson/Gaussian NLL and multi-label losses (functional forms),
composed from differentiable tensor ops."""
import math

from .. import _C
from . import _reduction
from ._functional_extra import pairwise_distance

__all__ = [
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss", "poisson_nll_loss",
    "gaussian_nll_loss", "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss",
]


def _zero(like):
    return _C.zeros((), dtype=like.dtype)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduction.reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    zero = _zero(input)
    margin_part = _C.where(target != 1, (margin - input).clamp_min(0), zero)
    self_part = _C.where(target != -1, input, zero)
    return _reduction.reduce(margin_part + self_part, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-target * input))``."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    return _reduction.reduce((-target * input).exp().log1p(), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """``1 - cos`` for target 1, ``max(0, cos - margin)`` for target -1."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    eps = 1e-12
    dim = input1.dim() - 1
    prod = (input1 * input2).sum(dim)
    norms = (((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)).sqrt()
    cos = prod / norms
    zero = _zero(cos)
    loss = _C.where(target == 1, 1 - cos, zero) + _C.where(target == -1, (cos - margin).clamp_min(0), zero)
    return _reduction.reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log likelihood of ``target ~ Poisson(input)`` (``exp(input)`` with ``log_input``)."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduction.reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of ``target ~ N(input, var)``."""
    if not isinstance(var, _C.Tensor):
        var = _C.full(tuple(input.shape), float(var), dtype=input.dtype)
    if var.size() != input.size():
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.size(-1) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    # clamped for stability, with the gradient of the unclamped variance (PyTorch clamps in no_grad)
    var = var + (var.detach().clamp(min=eps) - var.detach())
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduction.reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per-class binary logistic loss, averaged over the classes."""
    from .functional import logsigmoid
    reduction = _reduction.resolve(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.size(class_dim)
    return _reduction.reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """``sum_{j != y} max(0, margin - x[y] + x[j])^p / C`` per sample."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    batched = input.dim() == 2
    x = input if batched else input.reshape(1, -1)
    y = target.reshape(-1, 1)
    z = (margin - x.gather(1, y) + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[y]
    not_target = _C.ones(tuple(x.shape), dtype=_C.bool).scatter_(1, y, False)
    loss = _C.where(not_target, z, _zero(z)).sum(1) / x.size(1)
    return _reduction.reduce(loss if batched else loss.reshape(()), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Hinge loss between every target class (listed in ``target`` up to the first -1) and every
    non-target class, divided by the number of classes."""
    import numpy as np
    reduction = _reduction.resolve(size_average, reduce, reduction)
    batched = input.dim() == 2
    x = input if batched else input.reshape(1, -1)
    labels = target.reshape(x.shape).numpy() if isinstance(target, _C.Tensor) else np.asarray(target)
    n, c = x.shape
    valid = np.zeros((n, c), dtype=bool)  # valid[i, t]: target slot t of sample i is in use
    is_target = np.zeros((n, c), dtype=bool)
    for i in range(n):
        for t in range(c):
            if labels[i, t] < 0:
                break
            valid[i, t] = True
            is_target[i, labels[i, t]] = True
    slots = _C.from_numpy(np.where(valid, labels, 0).astype(np.int64))
    x_target = x.gather(1, slots)  # (n, c): the score of each used target slot
    pairs = (1 - (x_target.unsqueeze(2) - x.unsqueeze(1))).clamp_min(0)
    keep = _C.from_numpy(valid[:, :, None] & ~is_target[:, None, :])
    loss = _C.where(keep, pairs, _zero(pairs)).sum((1, 2)) / c
    if not batched:
        loss = loss.reshape(())
    return _reduction.reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm distance."""
    reduction = _reduction.resolve(size_average, reduce, reduction)
    if not (anchor.dim() == positive.dim() == negative.dim()):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.dim()}D, positive {positive.dim()}D, and "
                           f"negative {negative.dim()}D inputs")
    return _triplet(anchor, positive, negative, lambda a, b: pairwise_distance(a, b, p, eps), margin, swap,
                    reduction)


def _triplet(anchor, positive, negative, distance, margin, swap, reduction):
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_swap = distance(positive, negative)
        d_neg = _C.where(d_swap < d_neg, d_swap, d_neg)
    return _reduction.reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
    return _triplet(anchor, positive, negative, distance_function or pairwise_distance, margin, swap,
                    _reduction.resolve(None, None, reduction))


# A finite stand-in for log(0) in the CTC recursion: -inf would make the gradients of the
# logsumexps over impossible states NaN; exp(_LOG_ZERO - x) is still exactly 0.
_LOG_ZERO = -1e30


def _logsumexp3(a, b, c):
    top = a.maximum(b).maximum(c).detach()
    return top + ((a - top).exp() + (b - top).exp() + (c - top).exp()).log()


def _ctc_extended_labels(targets, target_lengths, blank):
    """Each target with blanks around and between its labels, padded to one length, and where a
    state may be reached by skipping the blank before it."""
    import numpy as np
    if targets.dim() == 2:
        rows = [targets[n, :length].tolist() for n, length in enumerate(target_lengths)]
    else:
        flat, rows, start = targets.tolist(), [], 0
        for length in target_lengths:
            rows.append(flat[start:start + length])
            start += length
    width = 2 * max(target_lengths, default=0) + 1
    labels = np.full((len(rows), width), blank, dtype=np.int64)
    for n, row in enumerate(rows):
        labels[n, 1:2 * len(row):2] = row
    can_skip = np.zeros_like(labels, dtype=bool)
    can_skip[:, 2:] = (labels[:, 2:] != blank) & (labels[:, 2:] != labels[:, :-2])
    return labels, can_skip


def _int_list(values):
    if isinstance(values, _C.Tensor):
        return [int(v) for v in values.reshape(-1).tolist()]
    return [int(v) for v in values] if isinstance(values, (list, tuple)) else [int(values)]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist temporal classification: ``-log p(target | input)`` summed over every
    alignment, by the forward (alpha) recursion over time in log space."""
    import numpy as np
    reduction = _reduction.resolve(None, None, reduction)
    batched = log_probs.dim() == 3
    if not batched:
        log_probs, targets = log_probs.unsqueeze(1), targets.unsqueeze(0)
    input_lengths, target_lengths = _int_list(input_lengths), _int_list(target_lengths)
    steps, batch, _ = log_probs.shape
    if len(input_lengths) != batch or len(target_lengths) != batch:
        raise RuntimeError(f"input_lengths and target_lengths must have batch_size={batch} entries")
    labels, can_skip = _ctc_extended_labels(targets, target_lengths, blank)
    labels_t = _C.from_numpy(labels)
    neg = _C.full((batch, 1), _LOG_ZERO, dtype=log_probs.dtype)
    skip_mask = _C.from_numpy(can_skip)
    start = np.full(labels.shape, _LOG_ZERO)
    start[:, :2] = 0.0
    start[np.asarray(target_lengths) == 0, 1] = _LOG_ZERO
    alpha = _C.from_numpy(start).to(log_probs.dtype) + log_probs[0].gather(1, labels_t)
    alive = _C.from_numpy(np.asarray(input_lengths)[:, None] > np.arange(steps)[None, :])
    for t in range(1, steps):
        stay = alpha
        advance = _C.cat([neg, alpha[:, :-1]], 1)
        skip = _C.where(skip_mask, _C.cat([neg, neg, alpha[:, :-2]], 1), _C.full((), _LOG_ZERO, dtype=alpha.dtype))
        new = _logsumexp3(stay, advance, skip) + log_probs[t].gather(1, labels_t)
        alpha = _C.where(alive[:, t:t + 1], new, alpha)
    ends = np.asarray(target_lengths) * 2
    last = alpha.gather(1, _C.from_numpy(ends[:, None]))
    before = alpha.gather(1, _C.from_numpy(np.maximum(ends - 1, 0)[:, None]))
    before = _C.where(_C.from_numpy(ends[:, None] > 0), before, _C.full((), _LOG_ZERO, dtype=alpha.dtype))
    top = last.maximum(before).detach()
    loss = -(top + ((last - top).exp() + (before - top).exp()).log()).reshape(batch)
    impossible = loss.detach() > -_LOG_ZERO / 2
    loss = _C.where(impossible, _C.zeros((), dtype=loss.dtype) if zero_infinity
                    else _C.full((), float("inf"), dtype=loss.dtype), loss)
    if reduction == "mean":
        lengths = _C.tensor([max(n, 1) for n in target_lengths], dtype=loss.dtype)
        return (loss / lengths).mean()
    if reduction == "sum":
        return loss.sum()
    return loss if batched else loss.reshape(())


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``; a weight of shape
    (C, *K, in) gives K-dimensional logits (N, C, *K). ``options`` (PyTorch's batch chunking to
    save memory) changes nothing here: the logits are computed whole."""
    from .functional import cross_entropy, linear
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    batches, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(classes, *out_features)}, got {tuple(linear_bias.shape)}")
    if out_features and not batches:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires batched "
            f"input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*batches, classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    logits = linear(input, linear_weight.reshape(-1, in_features),
                    None if linear_bias is None else linear_bias.reshape(-1)).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)


__all__ += ["linear_cross_entropy"]
