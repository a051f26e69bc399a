"""Contractions and structured products: ``einsum`` (pairwise contractions through
permute/reshape + batched matmul, smallest intermediate first), ``tensordot``, ``kron``,
``cdist``, ``block_diag``, and index/grid builders (``meshgrid``, ``cartesian_prod``,
``tril_indices``, ``triu_indices``, ``repeat_interleave``)."""
import math as _math
import warnings as _warnings

from . import _C
from ._C import Tensor
from ._dtype_info import promote_types as _promote_types
from ._inplace import check_no_partial_overlap as _check_no_partial_overlap

__all__ = [
    "einsum", "tensordot", "kron", "cdist", "block_diag", "meshgrid", "cartesian_prod",
    "tril_indices", "triu_indices", "repeat_interleave", "addcmul", "addcdiv",
]


# ---------------------------------------------------------------------------------------------
# einsum

def _parse(equation, operands):
    """Each operand's labels and the output's, with '...' expanded to one label per dim."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation" if len(operands) > len(terms)
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    ellipsis_dims = 0
    for term, op in zip(terms, operands):
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, op.dim() - (len(term) - 3))
    ellipsis_labels = [f"#{i}" for i in range(ellipsis_dims)]

    def expand(term, ndim=None):
        for ch in term.replace("...", ""):
            if not ch.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {term.find(ch)} in the equation string, subscripts must be in [a-zA-Z]")
        if "..." not in term:
            return list(term)
        before, _, after = term.partition("...")
        count = ellipsis_dims if ndim is None else ndim - len(before) - len(after)
        return list(before) + ellipsis_labels[ellipsis_dims - count:] + list(after)

    labels = []
    for term, op in zip(terms, operands):
        got = expand(term, op.dim())
        if len(got) != op.dim():
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(got)}) does not match the number of dimensions ({op.dim()}) for operand {len(labels)}"
                + ("" if "..." in term else " and no ellipsis was given")
            )
        labels.append(got)
    if arrow:
        out = expand(output)
    else:
        counts = {}
        for ls in labels:
            for ch in ls:
                counts[ch] = counts.get(ch, 0) + 1
        out = ellipsis_labels + sorted(ch for ch, c in counts.items() if c == 1 and not ch.startswith("#"))
    for ch in out:
        if not any(ch in ls for ls in labels):
            raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the equation for any input operand")
    return labels, out


def _take_diagonals(t, labels):
    """Merges repeated labels of one operand (e.g. 'ii' → the diagonal, labelled once)."""
    while len(set(labels)) != len(labels):
        seen = {}
        for i, ch in enumerate(labels):
            if ch in seen:
                j = seen[ch]
                t = t.diagonal(0, j, i)  # the merged dim moves to the end
                labels = [c for k, c in enumerate(labels) if k not in (i, j)] + [ch]
                break
            seen[ch] = i
    return t, labels


def _sum_out(t, labels, keep):
    dims = [i for i, ch in enumerate(labels) if ch not in keep]
    if dims:
        t = t.sum(dims)
        labels = [ch for ch in labels if ch in keep]
    return t, labels


def _contract_pair(a, la, b, lb, keep, sizes):
    """The contraction of two labelled operands, keeping the labels in `keep`, as one bmm."""
    batch = [ch for ch in la if ch in lb and ch in keep]
    summed = [ch for ch in la if ch in lb and ch not in keep]
    a_only = [ch for ch in la if ch not in lb]
    b_only = [ch for ch in lb if ch not in la]

    def arrange(t, labels, order):
        t = t.permute(*[labels.index(ch) for ch in order]) if order != labels else t
        return t.expand(*[sizes[ch] for ch in order])

    a3 = arrange(a, la, batch + a_only + summed)
    b3 = arrange(b, lb, batch + summed + b_only)
    size = lambda chs: _math.prod(sizes[ch] for ch in chs)  # noqa: E731
    nb, m, k, n = size(batch), size(a_only), size(summed), size(b_only)
    out = a3.reshape(nb, m, k).matmul(b3.reshape(nb, k, n))
    labels = batch + a_only + b_only
    return out.reshape(*[sizes[ch] for ch in labels]), labels


def einsum(*args):
    """Einstein summation: torch.einsum('ij,jk->ik', a, b) (operands may also come as one list)."""
    if not args or not isinstance(args[0], str):
        raise TypeError("einsum(): the first argument must be an equation string")
    equation, operands = args[0], list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    labels, out = _parse(equation, operands)
    sizes = {}
    for op, ls in zip(operands, labels):
        for ch, s in zip(ls, op.shape):
            if sizes.get(ch, 1) not in (1, s) and s != 1:
                raise RuntimeError(
                    f"einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript {ch} has size {s} for an operand which does not broadcast with previously seen size {sizes[ch]}"
                )
            sizes[ch] = max(sizes.get(ch, 1), s)
    terms = []
    for i, (op, ls) in enumerate(zip(operands, labels)):
        op, ls = _take_diagonals(op, ls)
        elsewhere = set(out).union(*(set(l2) for j, l2 in enumerate(labels) if j != i))
        terms.append(_sum_out(op, ls, elsewhere))
    while len(terms) > 1:
        # Contract the pair with the smallest result first (a greedy path, as opt_einsum's default).
        best = None
        for i in range(len(terms)):
            for j in range(i + 1, len(terms)):
                others = set(out).union(*(set(terms[k][1]) for k in range(len(terms)) if k not in (i, j)))
                result = (set(terms[i][1]) | set(terms[j][1])) & others
                cost = _math.prod(sizes[ch] for ch in result)
                if best is None or cost < best[0]:
                    best = (cost, i, j, others)
        _, i, j, keep = best
        (a, la), (b, lb) = terms[i], terms[j]
        merged = _contract_pair(a, la, b, lb, keep, sizes)
        terms = [t for k, t in enumerate(terms) if k not in (i, j)] + [merged]
    t, ls = _sum_out(*terms[0], set(out))
    if ls != out:
        t = t.permute(*[ls.index(ch) for ch in out])
    return t.expand(*[sizes[ch] for ch in out]) if t.dim() else t


# ---------------------------------------------------------------------------------------------
# products

def tensordot(a, b, dims=2, out=None):
    """Sums a's last `dims` dims against b's first (or the dims listed in a pair of lists)."""
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        dims_a, dims_b = dims
        if isinstance(dims_a, int):
            dims_a, dims_b = [dims_a], [dims_b]
        dims_a = [d % a.dim() for d in (dims_a.tolist() if isinstance(dims_a, Tensor) else dims_a)]
        dims_b = [d % b.dim() for d in (dims_b.tolist() if isinstance(dims_b, Tensor) else dims_b)]
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[da]} in dim {da} and second has size {b.shape[db]} in dim {db}"
            )
    free_a = [d for d in range(a.dim()) if d not in dims_a]
    free_b = [d for d in range(b.dim()) if d not in dims_b]
    k = _math.prod(a.shape[d] for d in dims_a)
    a2 = a.permute(*free_a, *dims_a).reshape(-1, k)
    b2 = b.permute(*dims_b, *free_b).reshape(k, -1)
    result = a2.matmul(b2).reshape(*[a.shape[d] for d in free_a], *[b.shape[d] for d in free_b])
    if out is not None:
        out.resize_(result.shape).copy_(result) if hasattr(out, "resize_") else out.copy_(result)
        return out
    return result


def kron(input, other):
    """The Kronecker product: block (i, j) is input[i, j] * other."""
    n = max(input.dim(), other.dim())
    a = input.reshape(*([1] * (n - input.dim())), *input.shape)
    b = other.reshape(*([1] * (n - other.dim())), *other.shape)
    interleaved_a = a.reshape(*[s for d in a.shape for s in (d, 1)])
    interleaved_b = b.reshape(*[s for d in b.shape for s in (1, d)])
    return (interleaved_a * interleaved_b).reshape(*[x * y for x, y in zip(a.shape, b.shape)])


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between the rows of x1 (..., P, M) and of x2 (..., R, M)."""
    if x1.dim() < 2 or x2.dim() < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.dim()}D" if x1.dim() < 2 else f"cdist only supports at least 2D tensors, X2 got: {x2.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist"
                         or (compute_mode == "use_mm_for_euclid_dist_if_necessary" and (x1.shape[-2] > 25 or x2.shape[-2] > 25)))
    if use_mm:
        # ‖x‖² + ‖y‖² - 2 x·y, as PyTorch's matrix-multiplication path (clamped at 0).
        sq1 = (x1 * x1).sum(-1, keepdim=True)
        sq2 = (x2 * x2).sum(-1, keepdim=True)
        d2 = sq1 - 2 * x1.matmul(x2.mT) + sq2.mT
        return d2.clamp_min(0).sqrt()
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return diff.norm(p, -1)


def block_diag(*tensors):
    """A block-diagonal matrix of the given 0-, 1- or 2-D tensors (in PyTorch's promoted dtype)."""
    blocks = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has {t.dim()} dimensions")
        blocks.append(t.reshape(1, -1) if t.dim() < 2 else t)
    if not blocks:
        return _C.empty(1, 0)
    dtype = blocks[0].dtype
    for b in blocks[1:]:
        dtype = _promote_types(dtype, b.dtype)
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b.shape
        pieces = [_C.zeros(r, left, dtype=dtype), b.to(dtype), _C.zeros(r, width - left - c, dtype=dtype)]
        rows.append(_C.cat(pieces, 1))
        left += c
    return _C.cat(rows, 0)


# ---------------------------------------------------------------------------------------------
# grids and indices

def meshgrid(*tensors, indexing=None):
    """Coordinate grids of 1-D tensors ('ij' by default, with PyTorch's warning; or 'xy')."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        _warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
            UserWarning, stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.dim()}D")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = [t.shape[0] for t in flat]
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[i] = shape[i]
        grids.append(t.reshape(view).expand(shape))
    if swap:
        # 'xy' is the 'ij' grid of the first two inputs swapped, outputs swapped back.
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of the 1-D tensors' elements, one per row (the input itself for one)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _C.stack([g.reshape(-1) for g in grids], 1)


def _triangle_indices(row, col, offset, dtype, lower):
    rows = _C.arange(row, dtype=_C.int64).unsqueeze(1).expand(row, col)
    cols = _C.arange(col, dtype=_C.int64).unsqueeze(0).expand(row, col)
    keep = (cols - rows <= offset) if lower else (cols - rows >= offset)
    return _C.stack([rows[keep], cols[keep]]).to(dtype)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The 2×N (row, column) indices of the lower triangle of a row×col matrix, row-major."""
    return _triangle_indices(row, col, offset, dtype or _C.int64, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The 2×N (row, column) indices of the upper triangle of a row×col matrix, row-major."""
    return _triangle_indices(row, col, offset, dtype or _C.int64, False)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element (along `dim`, or of the flattened input) `repeats` times; with a
    single tensor argument, the indices repeated by their counts."""
    if repeats is None:
        counts = input
        if counts.dim() > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return repeat_interleave(_C.arange(counts.shape[0]), counts, 0)
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = dim % max(input.dim(), 1)
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        counts = repeats.tolist()
        if len(counts) != input.shape[dim]:
            raise RuntimeError("repeats must have the same size as input along dim")
        if any(c < 0 for c in counts):
            raise RuntimeError("repeats can not be negative")
        index = _C.tensor([i for i, c in enumerate(counts) for _ in range(c)], dtype=_C.int64)
        return input.index_select(dim, index)
    r = int(repeats)
    if r < 0:
        raise RuntimeError("repeats can not be negative")
    shape = list(input.shape)
    expanded = input.unsqueeze(dim + 1).expand(*shape[: dim + 1], r, *shape[dim + 1:])
    shape[dim] *= r
    return expanded.reshape(shape)


# ---------------------------------------------------------------------------------------------
# fused pointwise forms

def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value · tensor1 · tensor2."""
    result = input + (tensor1 * tensor2) * value if value != 1 else input + tensor1 * tensor2
    return _write_out(result, out)


def _check_addcdiv(tensor1, tensor2):
    if not tensor1.is_floating_point() and not tensor2.is_floating_point():
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes."
        )


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value · tensor1 / tensor2."""
    _check_addcdiv(tensor1, tensor2)
    result = input + (tensor1 / tensor2) * value if value != 1 else input + tensor1 / tensor2
    return _write_out(result, out)


def _write_out(result, out):
    if out is None:
        return result
    out.copy_(result)
    return out


def _addcmul_(self, tensor1, tensor2, *, value=1):
    _check_no_partial_overlap(self, (tensor1, tensor2))
    return self.add_(tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    _check_addcdiv(tensor1, tensor2)
    _check_no_partial_overlap(self, (tensor1, tensor2))
    return self.add_(tensor1 / tensor2 * value if value != 1 else tensor1 / tensor2)


def _unfold(self, dimension, size, step):
    """Tensor.unfold: a view of every `size`-long slice along `dimension`, `step` apart, as a new
    last dim."""
    dim = dimension % max(self.dim(), 1)
    length = self.shape[dim] if self.dim() else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    shape, strides = list(self.shape), list(self.stride())
    if not shape:
        return self.as_strided([size], [1], self.storage_offset())
    shape[dim] = (length - size) // step + 1
    stride = strides[dim]
    strides[dim] = stride * step
    return self.as_strided(shape + [size], strides + [stride], self.storage_offset())


def _type_as(self, other):
    return self.to(other.dtype)


def _repeat_interleave_method(self, repeats, dim=None, *, output_size=None):
    return repeat_interleave(self, repeats, dim, output_size=output_size)


for _name, _fn in {
    "addcmul": addcmul, "addcdiv": addcdiv, "addcmul_": _addcmul_, "addcdiv_": _addcdiv_,
    "unfold": _unfold, "type_as": _type_as, "repeat_interleave": _repeat_interleave_method,
    "kron": kron,
}.items():
    setattr(Tensor, _name, _fn)
del _name, _fn
