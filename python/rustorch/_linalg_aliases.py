"""The torch-level and Tensor-method names PyTorch keeps for linear algebra (``torch.det``,
``torch.inverse``, ``Tensor.svd``, ``torch.cholesky_solve``, …), on ``rustorch.linalg``."""
from collections import namedtuple as _namedtuple

from . import linalg as _linalg
from . import _C
from ._C import Tensor

__all__ = [
    "det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
    "qr", "svd", "pinverse", "matrix_exp", "matrix_power", "triangular_solve", "lu_solve",
    "cross", "vander", "adjoint", "chain_matmul", "lu", "lu_unpack", "geqrf", "orgqr", "ormqr",
    "eig", "lstsq", "solve", "symeig", "matrix_rank", "svd_lowrank", "pca_lowrank",
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


_lu_warned = False


def lu(A, pivot=True, get_infos=False):
    """The older LU: (LU, pivots) or (LU, pivots, infos) as ``linalg.lu_factor_ex`` computes."""
    global _lu_warned
    if not _lu_warned:
        _lu_warned = True
        import warnings
        warnings.warn(
            "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will "
            "be removed in a future PyTorch release.", UserWarning, stacklevel=2)
    from .return_types import _lu_with_info
    LU, pivots, infos = _linalg.lu_factor_ex(A, pivot=pivot)
    return _lu_with_info((LU, pivots, infos)) if get_infos else (LU, pivots)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """P, L, U (A = P L U) from ``lu``'s packed result."""
    from .return_types import lu_unpack as _result
    if LU_pivots.dtype != _C.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
                           "Note: this function is intended to be used with the output produced by torch.linalg.lu_factor")
    return _result(_linalg._lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots))


def geqrf(input):
    """LAPACK's geqrf: R on and above the diagonal, the Householder vectors below it, and their
    scales tau (LAPACK through NumPy; not differentiable, as in PyTorch)."""
    import numpy as np
    from .return_types import geqrf as _result
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    host = input.detach().cpu().numpy()
    batch = host.reshape(-1, *host.shape[-2:])
    parts = [np.linalg.qr(m, mode="raw") for m in batch]
    a = np.stack([h.T for h, _ in parts]).reshape(host.shape).astype(host.dtype)
    tau = np.stack([t for _, t in parts]).reshape(*host.shape[:-2], -1).astype(host.dtype)
    as_tensor = lambda x: _C.from_numpy(np.ascontiguousarray(x)).to(input.device)
    return _result((as_tensor(a), as_tensor(tau)))


def orgqr(input, input2):
    """Q from geqrf's reflectors ``input`` and scales ``input2`` (PyTorch's parameter names)."""
    return _linalg.householder_product(input, input2)


def ormqr(input, input2, input3, left=True, transpose=False):
    """``input3`` multiplied by the full m×m Q of geqrf's reflectors ``input`` with scales
    ``input2`` (Qᵀ when transpose)."""
    tau, other = input2, input3
    m, n = input.shape[-2:]
    if n < m:  # reflectors beyond tau's are identities: pad the columns to build the full Q
        input = _C.cat([input, _C.zeros(*input.shape[:-1], m - n, dtype=input.dtype, device=input.device)], -1)
    Q = _linalg.householder_product(input[..., :, :m], tau)
    Q = Q.mT if transpose else Q
    return Q.matmul(other) if left else other.matmul(Q)


def _range_basis(A, q, niter):
    """An orthonormal basis (m × q) of A's dominant column space: A times a Gaussian n × q
    matrix, refined by ``niter`` rounds of subspace iteration (Halko, Martinsson, Tropp)."""
    Q = _linalg.qr(A.matmul(_C.randn(A.shape[-1], q, dtype=A.dtype, device=A.device))).Q
    for _ in range(niter):
        Q = _linalg.qr(A.mT.matmul(Q)).Q
        Q = _linalg.qr(A.matmul(Q)).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """A rank-q approximate SVD (U, S, V with A - M ≈ U diag(S) Vᵀ) by randomized range finding."""
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    X = A if M is None else A - M
    if X.shape[-2] < X.shape[-1]:  # work on the transpose: the basis then has the smaller size
        V, S, U = svd_lowrank(X.mT, q, niter)
        return U, S, V
    Q = _range_basis(X, q, niter)
    U, S, Vh = _linalg.svd(Q.mT.matmul(X), full_matrices=False)
    return Q.matmul(U), S, Vh.mT


def pca_lowrank(A, q=None, center=True, niter=2):
    """Principal components of A's rows: (U, S, V) of the (column-centred) data's rank-q SVD."""
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    if not (isinstance(q, int) and 0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    X = A - A.mean(-2, keepdim=True) if center else A
    return svd_lowrank(X, q, niter)


def _removed(message):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed" + message)


_EIG_REMOVED = (
    ". `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors "
    "mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = "
    "torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
    "L_complex, V_complex = torch.linalg.eig(A)")
_LSTSQ_REMOVED = (
    ". `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed "
    "arguments and does not return the QR decomposition in the returned tuple (although it returns other "
    "information about the problem).\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\n"
    "The returned solution in `torch.lstsq` stored the residuals of the solution in the last m - n columns "
    "of the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' "
    "of the returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A)."
    "solution[:A.size(1)]\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution")
_SOLVE_REMOVED = (
    ". `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments "
    "reversed and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, "
    "which can be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should "
    "be replaced with:\nX = torch.linalg.solve(A, B)")
_SYMEIG_REMOVED = (
    ". The default behavior has changed from using the upper triangular portion of the matrix by default "
    "to using the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced "
    "with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, "
    "eigenvectors=True) should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')")
_MATRIX_RANK_REMOVED = (
    ".\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed "
    "in `torch.linalg.matrix_rank()` to 'hermitian'.")


def eig(self, eigenvectors=False, *, e=None, v=None):
    _removed(_EIG_REMOVED)


def lstsq(input, A, *, out=None):
    _removed(_LSTSQ_REMOVED)


def solve(input, A, *, out=None):
    _removed(_SOLVE_REMOVED)


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    _removed(_SYMEIG_REMOVED)


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    _removed(_MATRIX_RANK_REMOVED)


def _tensor_lstsq(self, other):
    _removed(_LSTSQ_REMOVED)


def _tensor_solve(self, other):
    _removed(_SOLVE_REMOVED)


def _tensor_symeig(self, eigenvectors=False):
    _removed(_SYMEIG_REMOVED)


def _reinforce(self, reward):
    raise RuntimeError(
        "reinforce() was removed.\nUse torch.distributions instead.\nSee "
        "https://pytorch.org/docs/main/distributions.html\n\nInstead of:\n\nprobs = policy_network(state)\n"
        "action = probs.multinomial()\nnext_state, reward = env.step(action)\naction.reinforce(reward)\n"
        "action.backward()\n\nUse:\n\nprobs = policy_network(state)\n# NOTE: categorical is equivalent to "
        "what used to be called multinomial\nm = torch.distributions.Categorical(probs)\naction = m.sample()\n"
        "next_state, reward = env.step(action)\nloss = -m.log_prob(action) * reward\nloss.backward()\n")


Tensor.reinforce = _reinforce
Tensor.lstsq, Tensor.solve, Tensor.symeig = _tensor_lstsq, _tensor_solve, _tensor_symeig

for _name in ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
              "qr", "svd", "pinverse", "matrix_exp", "matrix_power", "triangular_solve", "lu_solve",
              "cross", "adjoint", "lu", "geqrf", "eig"]:
    setattr(Tensor, _name, globals()[_name])
del _name


def _tensor_orgqr(self, input2):
    return orgqr(self, input2)


def _tensor_ormqr(self, input2, input3, left=True, transpose=False):
    return ormqr(self, input2, input3, left, transpose)


Tensor.orgqr, Tensor.ormqr = _tensor_orgqr, _tensor_ormqr
