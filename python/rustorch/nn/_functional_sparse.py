"""``embedding_bag`` and ``max_unpool1d/2d``."""
from .. import _C
from .modules.utils import _ntuple

__all__ = ["embedding_bag", "max_unpool1d", "max_unpool2d"]


def _bag_ids(input, offsets, include_last_offset):
    """The bag of each index of a 1-D ``input`` and the number of bags."""
    import numpy as np
    starts = [int(o) for o in offsets.tolist()]
    if include_last_offset:
        starts, end = starts[:-1], starts[-1]
    else:
        end = input.numel()
    if starts and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}")
    ids = np.full(input.numel(), -1, dtype=np.int64)
    bounds = starts + [end]
    for bag, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        ids[lo:hi] = bag
    return ids, len(starts)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings: the rows of a 2-D ``input``, or the slices of a
    1-D one starting at ``offsets``. ``padding_idx`` entries are left out; empty bags give zeros."""
    import numpy as np
    from .functional import _embedding_renorm_
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                  "on GitHub.")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        bags = input.size(0)
        ids = np.repeat(np.arange(bags, dtype=np.int64), input.size(1))
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        ids, bags = _bag_ids(input, offsets, include_last_offset)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    if padding_idx is not None:
        padding_idx = padding_idx + weight.size(0) if padding_idx < 0 else padding_idx
        ids = np.where(input.numpy() == padding_idx, -1, ids)
    rows = weight.index_select(0, input)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    membership = (ids[None, :] == np.arange(bags)[:, None])
    if mode == "max":
        pieces = []
        for bag in range(bags):
            members = np.nonzero(membership[bag])[0]
            pieces.append(rows.index_select(0, _C.from_numpy(members)).amax(0) if members.size
                          else _C.zeros(weight.size(1), dtype=weight.dtype))
        return _C.stack(pieces, 0) if pieces else _C.zeros((0, weight.size(1)), dtype=weight.dtype)
    out = _C.from_numpy(membership.astype(np.float64)).to(weight.dtype).matmul(rows)
    if mode == "mean":
        counts = np.maximum(membership.sum(1), 1).astype(np.float64)
        out = out / _C.from_numpy(counts).to(weight.dtype).unsqueeze(1)
    return out


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    kernel = _ntuple(nd)(kernel_size)
    stride = kernel if stride is None else _ntuple(nd)(stride)
    padding = _ntuple(nd)(padding)
    spatial = tuple(input.shape[-nd:])
    default = [(s - 1) * st - 2 * p + k for s, st, p, k in zip(spatial, stride, padding, kernel)]
    if output_size is None:
        size = default
    else:
        size = list(output_size)[-nd:]
        for d, (want, base, st) in enumerate(zip(size, default, stride)):
            if not base - st < want < base + st:
                raise ValueError(f"invalid output_size \"{list(output_size)}\" (dim {d} must be between "
                                 f"{base - st} and {base + st})")
    lead = tuple(input.shape[:-nd])
    count = 1
    for s in size:
        count *= s
    flat_in = input.reshape(*lead, -1)
    flat_idx = indices.reshape(*lead, -1)
    out = _C.zeros(lead + (count,), dtype=input.dtype, device=input.device).scatter(len(lead), flat_idx, flat_in)
    return out.reshape(*lead, *size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each pooled value back at its ``max_pool1d`` index; zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2)
