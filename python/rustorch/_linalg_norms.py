"""The norms and products of ``torch.linalg`` (re-exported there); the spectral norms use its SVD."""
import math as _math


def _check_float(A, name, error=RuntimeError):
    if not A.is_floating_point():
        raise error(
            f"{name}: Expected a floating point or complex tensor as input. Got {_type_label(A)}"
        )


def _type_label(A):
    """PyTorch's capitalised dtype name ('Long'), from the legacy type name ('torch.LongTensor')."""
    return A.type().rsplit(".", 1)[-1][: -len("Tensor")]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of ``x`` as a vector over ``dim`` (all elements by default)."""
    return x.norm(ord, dim, keepdim, dtype=dtype)


def _drop_dims(shape, dims):
    return [s for i, s in enumerate(shape) if i not in dims]


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """Matrix norms over the two dims ``dim``: 'fro', and the induced 1/-1/inf/-inf norms."""
    _check_float(A, "linalg.matrix_norm")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    rows, cols = (d % A.dim() for d in dim)
    if ord == "fro":
        return A.norm(2, (rows, cols), keepdim)
    if ord == "nuc" or ord in (2, -2):
        from .linalg import svdvals

        moved = A.movedim((rows, cols), (-2, -1))
        S = svdvals(moved)
        out = S.sum(-1) if ord == "nuc" else (S.amax(-1) if ord == 2 else S.amin(-1))
        if keepdim:
            for d in sorted((rows, cols)):
                out = out.unsqueeze(d)
        return out
    if ord in (_math.inf, -_math.inf):
        summed, reduce_dim = A.abs().sum(cols, keepdim=True), rows
    elif ord in (1, -1):
        summed, reduce_dim = A.abs().sum(rows, keepdim=True), cols
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    out = summed.amax(reduce_dim, keepdim=True) if ord > 0 else summed.amin(reduce_dim, keepdim=True)
    return out if keepdim else out.reshape(_drop_dims(A.shape, (rows, cols)))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.norm``: a vector norm or a matrix norm depending on ``dim``/``ord``."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None:
        if A.dim() == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A.dim() != 1:
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.dim()}D."
            )
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a numeric ord, got {ord!r}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def vecdot(x, y, *, dim=-1):
    """Dot products of vectors along ``dim`` (broadcasting the rest)."""
    _check_float(x, "linalg.vecdot", NotImplementedError)
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{_type_label(x)} and y of type {_type_label(y)} instead")
    return (x * y).sum(dim)


def multi_dot(tensors):
    """The product of a chain of matrices (1-D ends act as row/column vectors)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    result = tensors[0]
    for t in tensors[1:]:
        result = result.matmul(t)
    return result
