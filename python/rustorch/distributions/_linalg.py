"""The batched lower-triangular linear algebra MultivariateNormal needs (Cholesky factor,
triangular solve), as differentiable column-by-column compositions of tensor ops; the matrices
of a distribution's event are small, so the loop over columns is short."""
from .. import _C

__all__ = []


def cholesky(A):
    """Lower Cholesky factor L (A = L Lᵀ) of a batch of symmetric positive-definite matrices;
    raises PyTorch's error when a leading minor is not positive definite."""
    L, ok = _cholesky(A)
    if not bool(ok.all()):
        raise RuntimeError(
            "linalg.cholesky: The factorization could not be completed because the input is not positive-definite."
        )
    return L


def cholesky_ok(A):
    """Whether each matrix of the batch has a Cholesky factor (is positive definite)."""
    return _cholesky(A.detach())[1]


def _cholesky(A):
    n = A.shape[-1]
    columns = []
    ok = _C.ones(tuple(A.shape[:-2]), dtype=_C.bool)
    for j in range(n):
        # Column j of L below the diagonal, from A's column j minus the known columns' products.
        residual = A[..., :, j]
        for k, column in enumerate(columns):
            residual = residual - column * column[..., j:j + 1]
        pivot = residual[..., j]
        ok = ok & (pivot > 0)
        diagonal = pivot.clamp_min(0).sqrt()
        column = residual / diagonal.unsqueeze(-1)
        mask = (_C.arange(n) >= j).to(A.dtype)
        columns.append(column * mask)
    return _C.stack(columns, -1), ok


def solve_lower(L, B):
    """X with L X = B for lower-triangular L (batched; B has matrices as its last two dims)."""
    n = L.shape[-1]
    rows = []
    for i in range(n):
        row = B[..., i, :]
        for k in range(i):
            row = row - L[..., i, k:k + 1] * rows[k]
        rows.append(row / L[..., i, i:i + 1])
    return _C.stack(rows, -2)


def batch_mv(bmat, bvec):
    """Matrix-vector products over broadcast batch dims."""
    return (bmat @ bvec.unsqueeze(-1)).squeeze(-1)
