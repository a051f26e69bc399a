"""``torch.linalg``: factorizations (on the Rust ``faer`` kernels in ``_C._linalg_*``), solvers,
inverses, determinants, norms and products, batched over leading dims. Each differentiable
function has PyTorch's backward formula (derivatives.yaml), written with differentiable tensor
ops so that higher-order gradients work. Complex-valued functions (eig, eigvals) need complex
dtypes, which rustorch does not have.
"""
import math as _math
from collections import namedtuple as _namedtuple

from . import _C
from ._C import Tensor
from ._linalg_norms import vector_norm, matrix_norm, norm, vecdot, multi_dot, _check_float, _type_label
from .autograd.function import Function as _Function
from ._dtype_info import finfo as _finfo
from ._shape import broadcast_shapes as _broadcast_shapes

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eigh",
    "eigvalsh", "householder_product", "inv", "inv_ex", "lstsq", "lu", "lu_factor",
    "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm", "matrix_power",
    "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex",
    "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander", "vecdot",
    "vector_norm",
]

matmul = Tensor.matmul


class LinAlgError(RuntimeError):
    """Raised when a factorization fails (a singular or non-positive-definite input)."""


def _named(name, fields):
    return _namedtuple(name, fields)


_InvEx = _named("linalg_inv_ex", ["inverse", "info"])
_SolveEx = _named("linalg_solve_ex", ["result", "info"])
_CholeskyEx = _named("linalg_cholesky_ex", ["L", "info"])
_SlogdetResult = _named("linalg_slogdet", ["sign", "logabsdet"])
_QRResult = _named("linalg_qr", ["Q", "R"])
_EighResult = _named("linalg_eigh", ["eigenvalues", "eigenvectors"])
_SVDResult = _named("linalg_svd", ["U", "S", "Vh"])
_LUResult = _named("linalg_lu", ["P", "L", "U"])
_LUFactor = _named("linalg_lu_factor", ["LU", "pivots"])
_LUFactorEx = _named("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_Lstsq = _named("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


# ---------------------------------------------------------------------------------------------
# argument checks and small helpers

def _check_matrix(A, name, square=False):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not {type(A).__name__}")
    if A.dim() < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices"
        )
    if A.dtype not in (_C.float32, _C.float64):
        if A.is_floating_point():
            raise RuntimeError(f"\"{name}\" not implemented for '{_type_label(A)}'")
        _check_float(A, name)


def _raise_for_info(info, name, message):
    """PyTorch's LinAlgError for the first failed matrix of a batch; `message(k)` words it."""
    if info.numel() == 0:
        return
    flat = info.reshape(-1)
    failed = (flat != 0).nonzero()
    if failed.numel() == 0:
        return
    index = int(failed[0, 0])
    prefix = f"{name}: " if info.dim() == 0 else f"{name}: (Batch element {index}): "
    raise LinAlgError(prefix + message(int(flat[index])))


def _eye_like(A):
    n = A.shape[-1]
    return _C.eye(n, dtype=A.dtype).expand(*A.shape[:-2], n, n)


def _sym(X):
    return (X + X.mT) * 0.5


def _batch_broadcast(A, B):
    """A (..., n, n) and B (..., n, k) broadcast to one batch shape."""
    batch = _broadcast_shapes(A.shape[:-2], B.shape[:-2])
    return A.expand(*batch, *A.shape[-2:]), B.expand(*batch, *B.shape[-2:])


def _as_matrix_rhs(A, B):
    """PyTorch's rule for `solve`'s B: a vector when B is (n,) or batched (..., n) with A's batch."""
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    return (B.unsqueeze(-1), True) if vector else (B, False)


# ---------------------------------------------------------------------------------------------
# LU: factorization, solves, inverse, determinants

def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """Packed LU factors with partial pivoting, LAPACK-style 1-based pivots, and info."""
    _check_matrix(A, "torch.linalg.lu_factor_ex")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, pivots, info = _C._linalg_lu_factor(A.detach())
    if check_errors:
        _raise_for_info(info, "torch.linalg.lu_factor_ex", _singular_message)
    return _LUFactorEx(LU, pivots, info)


def _singular_message(k):
    return (f"The diagonal element {k} is zero, the inversion could not be completed because the "
            "input matrix is singular.")


def lu_factor(A, *, pivot=True):
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    _raise_for_info(info, "torch.linalg.lu_factor", lambda k: (
        f"U[{k},{k}] is zero and using it on lu_solve would result in a division by zero. If you "
        "still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
        "linalg.lu_factor_ex(A, pivot)"))
    return _LUFactor(LU, pivots)


def _permutation(pivots, m):
    """The row order `perm` (P A = A[perm]) of LAPACK row swaps, as an int64 tensor (..., m)."""
    swaps = pivots.reshape(-1, pivots.shape[-1]).tolist()
    orders = []
    for row in swaps:
        order = list(range(m))
        for i, p in enumerate(row):
            order[i], order[p - 1] = order[p - 1], order[i]
        orders.append(order)
    return _C.tensor(orders, dtype=_C.int64).reshape(*pivots.shape[:-1], m)


def _rows_taken(B, order):
    """B[..., order[..., i], :] for each i (a differentiable gather of rows)."""
    index = order.unsqueeze(-1).expand(*order.shape, B.shape[-1])
    return B.gather(-2, index)


def _lu_unpack(LU, pivots, unpack_data=True, unpack_pivots=True):
    """P, L, U from a packed LU factorization (empty tensors for the parts not unpacked)."""
    m, n = LU.shape[-2:]
    k = min(m, n)
    empty = _C.empty(0, dtype=LU.dtype, device=LU.device)
    L = LU[..., :, :k].tril(-1) + _C.eye(m, k, dtype=LU.dtype, device=LU.device) if unpack_data else empty
    U = LU[..., :k, :].triu() if unpack_data else empty
    P = empty
    if unpack_pivots:
        order = _permutation(pivots.cpu(), m).to(LU.device)
        # P has P[order[i], i] = 1, so (P L U)[order[i]] = (L U)[i].
        eye = _C.eye(m, dtype=LU.dtype, device=LU.device).expand(*order.shape[:-1], m, m)
        P = _rows_taken(eye, order).mT
    return P, L, U


def lu(A, *, pivot=True):
    """P, L, U with A = P L U."""
    LU, pivots, _ = lu_factor_ex(A, pivot=pivot)
    return _LUResult(*_lu_unpack(LU, pivots))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """Solves A X = B (or X A = B, or with Aᴴ) from `lu_factor`'s output."""
    if not left:
        return lu_solve(LU, pivots, B.mT, left=True, adjoint=not adjoint).mT
    LU, B = _batch_broadcast(LU, B)
    order = _permutation(pivots, LU.shape[-1]).expand(*LU.shape[:-1])
    if adjoint:
        # Aᵀ = Uᵀ Lᵀ Pᵀ: solve Uᵀ Y = B, Lᵀ Z = Y, then X = P Z.
        Y = solve_triangular(LU.mT, B, upper=False)
        Z = solve_triangular(LU.mT, Y, upper=True, unitriangular=True)
        inverse = order.argsort(-1)
        return _rows_taken(Z, inverse)
    Y = solve_triangular(LU, _rows_taken(B, order), upper=False, unitriangular=True)
    return solve_triangular(LU, Y, upper=True)


class _SolveFn(_Function):
    """X = A⁻¹ B (LinalgSolveExBackward0): gB = A⁻ᵀ g, gA = -gB Xᵀ."""

    @staticmethod
    def forward(ctx, A, B, LU, pivots):
        X = lu_solve(LU, pivots, B)
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        gB = solve(A.mT, g)
        return -gB.matmul(X.mT), gB, None, None


def solve_ex(A, B, *, left=True, check_errors=False):
    _check_matrix(A, "linalg.solve", square=True)
    if not left:
        result, info = solve_ex(A.mT, B.mT, check_errors=check_errors)
        return _SolveEx(result.mT, info)
    B2, vector = _as_matrix_rhs(A, B)
    if B2.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({A.shape[-2]}x{A.shape[-1]} and {B2.shape[-2]}x{B2.shape[-1]})"
        )
    LU, pivots, info = _C._linalg_lu_factor(A.detach())
    A2, B2 = _batch_broadcast(A, B2)
    X = _SolveFn.apply(A2, B2, LU, pivots)
    if check_errors:
        _raise_for_info(info, "linalg.solve_ex", lambda k: "The solver failed because the input matrix is singular.")
    return _SolveEx(X.squeeze(-1) if vector else X, info)


def solve(A, B, *, left=True):
    """X with A X = B (X A = B for left=False); B may be a (batch of) vector(s)."""
    X, info = solve_ex(A, B, left=left)
    _raise_for_info(info, "torch.linalg.solve", lambda k: "The solver failed because the input matrix is singular.")
    return X


def inv_ex(A, *, check_errors=False):
    _check_matrix(A, "linalg.inv", square=True)
    LU, pivots, info = _C._linalg_lu_factor(A.detach())
    if check_errors:
        _raise_for_info(info, "torch.linalg.inv_ex", _singular_message)
    return _InvEx(_SolveFn.apply(A, _eye_like(A), LU, pivots), info)


def inv(A):
    """A⁻¹ (LinalgInvExBackward0: gA = -A⁻ᵀ g A⁻ᵀ, through solve's formula)."""
    inverse, info = inv_ex(A)
    _raise_for_info(info, "torch.linalg.inv", _singular_message)
    return inverse


def _lu_sign_logabs(A):
    LU, pivots, _ = _C._linalg_lu_factor(A)
    diag = LU.diagonal(0, -2, -1)
    swaps = (pivots != _C.arange(1, pivots.shape[-1] + 1, dtype=_C.int32)).sum(-1)
    parity = 1 - 2 * (swaps % 2)
    sign = diag.sign().prod(-1) * parity.to(A.dtype)
    return sign, diag.abs().log().sum(-1)


class _DetFn(_Function):
    """det(A) (LinalgDetBackward0): gA = g det(A) A⁻ᵀ."""

    @staticmethod
    def forward(ctx, A):
        sign, logabs = _lu_sign_logabs(A)
        d = sign * logabs.exp()
        ctx.save_for_backward(A, d)
        return d

    @staticmethod
    def backward(ctx, g):
        A, d = ctx.saved_tensors
        return (g * d).unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def det(A):
    _check_matrix(A, "linalg.det", square=True)
    return _DetFn.apply(A)


class _SlogdetFn(_Function):
    """(sign, log|det A|) (LinalgSlogdetBackward0): gA = g_logabsdet A⁻ᵀ; sign has no gradient."""

    @staticmethod
    def forward(ctx, A):
        sign, logabs = _lu_sign_logabs(A)
        ctx.save_for_backward(A)
        ctx.mark_non_differentiable(sign)
        return sign, logabs

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        (A,) = ctx.saved_tensors
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def slogdet(A):
    _check_matrix(A, "linalg.slogdet", square=True)
    return _SlogdetResult(*_SlogdetFn.apply(A))


# ---------------------------------------------------------------------------------------------
# triangular solves and Cholesky

class _SolveTriangularFn(_Function):
    """X = A⁻¹ B for triangular A (LinalgSolveTriangularBackward0): gB = A⁻ᵀ g,
    gA = -gB Xᵀ restricted to A's triangle (off the diagonal when unitriangular)."""

    @staticmethod
    def forward(ctx, A, B, upper, unitriangular):
        X = _C._linalg_solve_triangular(A.contiguous(), B.contiguous(), upper, unitriangular)
        ctx.save_for_backward(A, X)
        ctx.upper, ctx.unitriangular = upper, unitriangular
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        gB = solve_triangular(A.mT, g, upper=not ctx.upper, unitriangular=ctx.unitriangular)
        gA = -gB.matmul(X.mT)
        offset = 1 if ctx.unitriangular else 0
        gA = gA.triu(offset) if ctx.upper else gA.tril(-offset)
        return gA, gB, None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """X with A X = B (X A = B for left=False) for a triangular A; the other triangle is ignored."""
    _check_matrix(A, "linalg.solve_triangular", square=True)
    if not left:
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    if B.dim() < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if B.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B ({A.shape[-2]}x{A.shape[-1]} and {B.shape[-2]}x{B.shape[-1]})"
        )
    A, B = _batch_broadcast(A, B)
    return _SolveTriangularFn.apply(A, B, upper, unitriangular)


def _phi(X):
    """The lower triangle of X with its diagonal halved."""
    return X.tril() - X.diagonal(0, -2, -1).diag_embed() * 0.5


class _CholeskyFn(_Function):
    """L with A = L Lᵀ (LinalgCholeskyExBackward0): gA = sym(L⁻ᵀ Φ(Lᵀ gL) L⁻¹)."""

    @staticmethod
    def forward(ctx, A):
        L, info = _C._linalg_cholesky(A)
        ctx.save_for_backward(L)
        ctx.info = info
        return L

    @staticmethod
    def backward(ctx, gL):
        (L,) = ctx.saved_tensors
        P = _phi(L.mT.matmul(gL))
        S = solve_triangular(L.mT, solve_triangular(L, P, upper=False, left=False), upper=True)
        return _sym(S)


def cholesky_ex(A, *, upper=False, check_errors=False):
    _check_matrix(A, "linalg.cholesky", square=True)
    if upper:
        L, info = cholesky_ex(A.mT, check_errors=check_errors)
        return _CholeskyEx(L.mT, info)
    info = _C._linalg_cholesky(A.detach())[1]
    if check_errors:
        _raise_for_info(info, "linalg.cholesky_ex", _not_positive_definite)
    return _CholeskyEx(_CholeskyFn.apply(A), info)


def _not_positive_definite(k):
    return (f"The factorization could not be completed because the input is not positive-definite "
            f"(the leading minor of order {k} is not positive-definite).")


def cholesky(A, *, upper=False):
    L, info = cholesky_ex(A, upper=upper)
    _raise_for_info(info, "linalg.cholesky", _not_positive_definite)
    return L


# ---------------------------------------------------------------------------------------------
# QR, eigh, SVD

class _QRFn(_Function):
    """Householder QR (LinalgQrBackward0, for m ≥ n or square complete):
    gA = (gQ + Q copyltu(M)) R⁻ᵀ with M = R gRᵀ - gQᵀ Q."""

    @staticmethod
    def forward(ctx, A, complete):
        m, n = A.shape[-2:]
        if complete and m > n:
            # Householder QR of [A | I] takes the same first n reflectors as A's, and the rest
            # complete the basis: its Q is A's complete Q, and its first n columns of R are A's R.
            eye = _C.eye(m, dtype=A.dtype).expand(*A.shape[:-2], m, m)
            Q, R = _C._linalg_qr(_C.cat([A, eye], -1).contiguous(), False)
            R = R[..., :, :n].contiguous()
        else:
            Q, R = _C._linalg_qr(A, complete)
        ctx.save_for_backward(Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        Q, R = ctx.saved_tensors
        m, n = Q.shape[-2], R.shape[-1]
        if m < n or Q.shape[-1] != R.shape[-2] or R.shape[-2] != n:
            raise NotImplementedError(
                "The derivative of linalg.qr is only implemented when A has at least as many rows "
                "as columns and mode='reduced' (or a square A)"
            )
        M = R.matmul(gR.mT) - gQ.mT.matmul(Q)
        lower = M.tril(-1)
        copyltu = lower + lower.mT + M.diagonal(0, -2, -1).diag_embed()
        # X R⁻ᵀ is the Y with Y Rᵀ = X
        return solve_triangular(R.mT, gQ + Q.matmul(copyltu), upper=False, left=False), None


def qr(A, mode="reduced"):
    """A = Q R with orthonormal Q and upper-triangular R; mode 'reduced', 'complete' or 'r'."""
    _check_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'")
    if mode == "r":
        R = _C._linalg_qr(A.detach(), False)[1]
        return _QRResult(_C.empty(0, dtype=A.dtype), R)
    Q, R = _QRFn.apply(A, mode == "complete")
    return _QRResult(Q, R)


class _EighFn(_Function):
    """Symmetric eigendecomposition (LinalgEighBackward0):
    gA = V (diag(gL) + skew-projected (Vᵀ gV) / (λⱼ - λᵢ)) Vᵀ."""

    @staticmethod
    def forward(ctx, A):
        w, V = _C._linalg_eigh(A)
        ctx.save_for_backward(w, V)
        return w, V

    @staticmethod
    def backward(ctx, gw, gV):
        w, V = ctx.saved_tensors
        VhgV = V.mT.matmul(gV)
        VhgV = (VhgV - VhgV.mT) * 0.5
        gaps = w.unsqueeze(-2) - w.unsqueeze(-1)
        inner = VhgV / (gaps + _C.eye(w.shape[-1], dtype=w.dtype))
        inner = inner - inner.diagonal(0, -2, -1).diag_embed() + gw.diag_embed()
        return V.matmul(inner).matmul(V.mT)


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric A, read from the
    lower ('L') or upper ('U') triangle."""
    _check_matrix(A, "linalg.eigh", square=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    lower = A.tril() + A.tril(-1).mT if UPLO == "L" else A.triu() + A.triu(1).mT
    w, V = _EighFn.apply(lower)
    return _EighResult(w, V)


def eigvalsh(A, UPLO="L"):
    return eigh(A, UPLO).eigenvalues


class _SVDFn(_Function):
    """Reduced SVD A = U diag(S) Vᵀ (LinalgSvdBackward0, Townsend's formula):
    gA = U [F∘(UᵀgU - gUᵀU) S + diag(gS) + S F∘(VᵀgV - gVᵀV)] Vᵀ
         + (I - UUᵀ) gU S⁻¹ Vᵀ + U S⁻¹ gVᵀ (I - VVᵀ), F_ij = 1/(s_j² - s_i²)."""

    @staticmethod
    def forward(ctx, A):
        U, S, Vh = _C._linalg_svd(A, False)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        V, gV = Vh.mT, gVh.mT
        k = S.shape[-1]
        s_row, s_col = S.unsqueeze(-2), S.unsqueeze(-1)
        gaps = s_row * s_row - s_col * s_col
        F = 1 / (gaps + _C.eye(k, dtype=S.dtype)) - _C.eye(k, dtype=S.dtype)
        UtgU, VtgV = U.mT.matmul(gU), V.mT.matmul(gV)
        inner = (F * (UtgU - UtgU.mT)) * s_row + s_col * (F * (VtgV - VtgV.mT)) + gS.diag_embed()
        gA = U.matmul(inner).matmul(Vh)
        gA = gA + (gU - U.matmul(UtgU)).div(s_row).matmul(Vh)
        gA = gA + U.div(s_row).matmul(gV.mT - VtgV.mT.matmul(Vh))
        return gA


def svd(A, full_matrices=True, *, driver=None):
    """U, S (descending), Vh with A = U diag(S) Vh; gradients for the reduced form."""
    _check_matrix(A, "linalg.svd")
    U, S, Vh = _SVDFn.apply(A)
    m, n = A.shape[-2:]
    if full_matrices and m != n:
        # The extra columns of U (rows of Vh) complete the basis; as in PyTorch they get no
        # gradient. They span the orthogonal complement of the reduced factors whatever the signs.
        U_full, _, Vh_full = _C._linalg_svd(A.detach(), True)
        k = min(m, n)
        U = _C.cat([U, U_full[..., :, k:]], -1)
        Vh = _C.cat([Vh, Vh_full[..., k:, :]], -2)
    return _SVDResult(U, S, Vh)


def svdvals(A, *, driver=None):
    """The singular values, descending (gradient U diag(gS) Vᵀ)."""
    _check_matrix(A, "linalg.svdvals")
    return _SVDFn.apply(A)[1]


# ---------------------------------------------------------------------------------------------
# functions composed of the above

def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """Moore–Penrose inverse through the SVD, dropping singular values below max(atol, rtol σ₁)."""
    _check_matrix(A, "linalg.pinv")
    U, S, Vh = svd(A, full_matrices=False)
    keep = S > _tolerance(A, S, atol, rtol)
    S_inv = (1 / S.where(keep, _C.ones_like(S))).where(keep, _C.zeros_like(S))
    return (Vh.mT * S_inv.unsqueeze(-2)).matmul(U.mT)


def _tolerance(A, S, atol, rtol):
    """max(atol, rtol · σ_max); rtol defaults to eps · max(m, n) when neither is given."""
    if rtol is None:
        rtol = 0.0 if atol is not None else _finfo(A.dtype).eps * max(A.shape[-2:])
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.sum(-1, keepdim=True)
    tol = smax.detach() * rtol
    if atol is not None:
        tol = tol.clamp(min=float(atol)) if not isinstance(atol, Tensor) else tol.maximum(atol.unsqueeze(-1))
    return tol


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None):
    """The number of singular values above the tolerance."""
    _check_matrix(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    S = _C._linalg_svd(A.detach(), False)[1]
    return (S > _tolerance(A, S, atol, rtol)).sum(-1)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of A X ≈ B (minimum-norm for wide A) via QR; differentiable."""
    _check_matrix(A, "linalg.lstsq")
    vector = B.dim() == A.dim() - 1
    B2 = B.unsqueeze(-1) if vector else B
    if B2.shape[-2] != A.shape[-2]:
        raise RuntimeError(
            "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"
        )
    m, n = A.shape[-2:]
    A2, B2 = _batch_broadcast(A, B2)
    if m >= n:
        Q, R = qr(A2)
        X = solve_triangular(R, Q.mT.matmul(B2), upper=True)
    else:
        Q, R = qr(A2.mT)
        X = Q.matmul(solve_triangular(R.mT, B2, upper=False))
    empty = _C.empty(0, dtype=A.dtype)
    return _Lstsq(X.squeeze(-1) if vector else X, empty, _C.empty(0, dtype=_C.int64), empty)


def matrix_power(A, n):
    """Aⁿ by repeated squaring (A⁻¹ for negative n)."""
    _check_matrix(A, "linalg.matrix_power", square=True) if A.is_floating_point() else None
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices"
        )
    if n == 0:
        return _C.eye(A.shape[-1], dtype=A.dtype).expand(A.shape).clone()
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result.matmul(base)
        n >>= 1
        if n:
            base = base.matmul(base)
    return result


def matrix_exp(A):
    """e^A by scaling and squaring with a degree-18 Taylor polynomial (differentiable)."""
    _check_matrix(A, "linalg.matrix_exp", square=True)
    norm1 = float(A.detach().abs().sum(-2).amax()) if A.numel() else 0.0
    squarings = max(0, _math.ceil(_math.log2(norm1)) + 1) if norm1 > 0.5 else 0
    X = A / (2 ** squarings)
    term = _eye_like(A)
    result = term
    for k in range(1, 19):
        term = term.matmul(X) / k
        result = result + term
    for _ in range(squarings):
        result = result.matmul(result)
    return result


def cond(A, p=None):
    """The condition number ‖A‖_p ‖A⁻¹‖_p (σ_max / σ_min for p = None, 2; σ_min / σ_max for -2)."""
    _check_matrix(A, "linalg.cond")
    if p in (None, 2, -2):
        S = svdvals(A)
        big, small = S[..., 0], S[..., -1]
        return big / small if p != -2 else small / big
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def cross(input, other, *, dim=-1):
    """The 3-vector cross product along `dim` (broadcasting the other dims)."""
    shape = _broadcast_shapes(input.shape, other.shape)
    a, b = input.expand(shape), other.expand(shape)
    if a.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[dim]} and {other.shape[dim]}")
    a0, a1, a2 = a.unbind(dim)
    b0, b1, b2 = b.unbind(dim)
    return _C.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


def vander(x, *, N=None):
    """Columns x⁰, x¹, …, x^(N-1) (increasing powers, unlike numpy's default)."""
    n = x.shape[-1] if N is None else N
    if n <= 0:
        raise RuntimeError("N must be greater than 1.")
    powers = [_C.ones_like(x)]
    for _ in range(1, n):
        powers.append(powers[-1] * x)
    return _C.stack(powers, -1)


def householder_product(A, tau):
    """The product H₁…H_k of Householder reflectors Hᵢ = I - τᵢ vᵢ vᵢᵀ stored below A's diagonal."""
    m, n = A.shape[-2:]
    if tau.shape[-1] > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    rows = _C.arange(m)
    Q = _eye_like(A[..., :, :1].expand(*A.shape[:-1], m))
    for i in range(tau.shape[-1]):
        below = (rows > i).to(A.dtype)
        v = A[..., :, i] * below + (rows == i).to(A.dtype)
        Qv = Q.matmul(v.unsqueeze(-1))
        Q = Q - (tau[..., i, None, None] * Qv) * v.unsqueeze(-2)
    return Q[..., :, :n]


def tensorinv(A, ind=2):
    """The inverse of A viewed as a matrix of its first `ind` dims by the rest."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    size = _math.prod(rows)
    if size != _math.prod(cols):
        raise RuntimeError(
            f"Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]), but got {_math.prod(cols)} != {size}"
        )
    return inv(A.reshape(size, size)).reshape(*cols, *rows)


def tensorsolve(A, B, dims=None):
    """X with tensordot(A, X, X.ndim) = B."""
    if dims is not None:
        order = [d % A.dim() for d in dims]
        A = A.permute(*[d for d in range(A.dim()) if d not in order], *order)
    x_shape = A.shape[B.dim():]
    size = _math.prod(x_shape)
    return solve(A.reshape(-1, size), B.reshape(-1)).reshape(x_shape)
