"""The torch-level and Tensor-method names PyTorch keeps for linear algebra (``torch.det``,
``torch.inverse``, ``Tensor.svd``, ``torch.cholesky_solve``, …), on ``rustorch.linalg``."""
from collections import namedtuple as _namedtuple

from . import linalg as _linalg
from ._C import Tensor

__all__ = [
    "det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
    "qr", "svd", "pinverse", "matrix_exp", "matrix_power", "triangular_solve", "lu_solve",
    "cross", "vander", "adjoint", "chain_matmul",
]

_SVDResult = _namedtuple("svd", ["U", "S", "V"])
_QRResult = _namedtuple("qr", ["Q", "R"])
_TriangularSolve = _namedtuple("triangular_solve", ["solution", "cloned_coefficient"])

det = _linalg.det
slogdet = _linalg.slogdet
inverse = _linalg.inv
matrix_exp = _linalg.matrix_exp
matrix_power = _linalg.matrix_power


def logdet(input):
    """log det(A): NaN for a negative determinant, -inf for a singular matrix."""
    sign, logabs = _linalg.slogdet(input)
    return logabs + (sign.clamp(max=0) * float("inf")).nan_to_num(nan=0.0, neginf=float("nan"))


def cholesky(input, upper=False):
    return _linalg.cholesky(input, upper=upper)


def cholesky_solve(B, L, upper=False):
    """X with A X = B, given A's Cholesky factor."""
    if upper:
        L = L.mT
    return _linalg.solve_triangular(L.mT, _linalg.solve_triangular(L, B, upper=False), upper=True)


def cholesky_inverse(L, upper=False):
    eye = _linalg._eye_like(L)
    return cholesky_solve(eye, L, upper)


def qr(input, some=True):
    Q, R = _linalg.qr(input, "reduced" if some else "complete")
    return _QRResult(Q, R)


def svd(input, some=True, compute_uv=True):
    """The older SVD: U, S, V (not Vᴴ), reduced unless some=False; zeros for U, V without compute_uv."""
    U, S, Vh = _linalg.svd(input, full_matrices=not some)
    if not compute_uv:
        from ._C import zeros_like

        return _SVDResult(zeros_like(U), S, zeros_like(Vh.mT))
    return _SVDResult(U, S, Vh.mT)


def pinverse(input, rcond=1e-15):
    return _linalg.pinv(input, rtol=rcond)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """The older triangular solve: (solution, a copy of A)."""
    lhs = A.mT if transpose else A
    X = _linalg.solve_triangular(lhs, b, upper=upper != transpose, unitriangular=unitriangular)
    return _TriangularSolve(X, A.clone())


def lu_solve(b, LU_data, LU_pivots):
    return _linalg.lu_solve(LU_data, LU_pivots, b)


def cross(input, other, dim=None):
    """torch.cross: along `dim`, or the first dim of size 3 when dim is None."""
    if dim is None:
        shape = _linalg._broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _linalg.cross(input, other, dim=dim)


def vander(x, N=None, increasing=False):
    """numpy-style Vandermonde matrix (decreasing powers unless increasing)."""
    V = _linalg.vander(x, N=N)
    return V if increasing else V.flip(-1)


def adjoint(input):
    return input.mT


def chain_matmul(*matrices, out=None):
    return _linalg.multi_dot(matrices)


for _name in ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
              "qr", "svd", "pinverse", "matrix_exp", "matrix_power", "triangular_solve", "lu_solve",
              "cross", "adjoint"]:
    setattr(Tensor, _name, globals()[_name])
del _name
