"""torch.linalg factorizations, solvers and their gradients: values against numpy.linalg,
factor identities (A = P L U, A = Q R, A V = V diag(w), A = U S Vh), gradcheck of every
differentiable function, batching, and PyTorch's errors (LinAlgError, shapes, dtypes)."""
import numpy as np
import pytest

import rustorch as torch
from rustorch.autograd import gradcheck

RS = np.random.RandomState(0)


def t(arr, requires_grad=False):
    return torch.tensor(np.asarray(arr, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def close(got, expected, rtol=1e-9, atol=1e-10):
    np.testing.assert_allclose(np.asarray(got.detach().tolist()), np.asarray(expected), rtol=rtol, atol=atol)


def well_conditioned(*shape):
    n = shape[-1]
    return RS.standard_normal(shape) + 3 * np.eye(n)


def spd(*shape):
    a = RS.standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (2, 1, 3, 3)])
def test_inv_det_slogdet_solve_match_numpy(shape):
    a = well_conditioned(*shape)
    b = RS.standard_normal(shape[:-1] + (2,))
    A = t(a)
    close(torch.linalg.inv(A), np.linalg.inv(a))
    close(torch.linalg.det(A), np.linalg.det(a))
    sign, logabs = torch.linalg.slogdet(A)
    close(sign, np.linalg.slogdet(a)[0])
    close(logabs, np.linalg.slogdet(a)[1])
    close(torch.linalg.solve(A, t(b)), np.linalg.solve(a, b))
    close(torch.linalg.solve(A, t(b[..., 0])), np.linalg.solve(a, b[..., :1])[..., 0])
    close(torch.linalg.solve(A, t(np.swapaxes(b, -1, -2)), left=False), np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), b), -1, -2))
    close(torch.inverse(A), np.linalg.inv(a))
    close(A.det(), np.linalg.det(a))


def test_solve_broadcasts_batches_and_float32():
    a, b = well_conditioned(3, 3), RS.standard_normal((4, 3, 2))
    close(torch.linalg.solve(t(a), t(b)), np.linalg.solve(a, b))
    x = torch.linalg.solve(t(a).float(), t(b).float())
    assert x.dtype == torch.float32
    close(x, np.linalg.solve(a, b), rtol=1e-4, atol=1e-5)


def test_lu_factor_and_lu():
    a = RS.standard_normal((2, 4, 4))
    LU, pivots = torch.linalg.lu_factor(t(a))
    assert pivots.dtype == torch.int32 and tuple(pivots.shape) == (2, 4)
    P, L, U = torch.linalg.lu(t(a))
    close(P.matmul(L).matmul(U), a)
    assert np.allclose(np.triu(np.asarray(L.tolist()), 1), 0) and np.allclose(np.diagonal(np.asarray(L.tolist()), axis1=1, axis2=2), 1)
    # partial pivoting: every |L| entry is at most 1
    assert np.abs(np.asarray(L.tolist())).max() <= 1 + 1e-12
    b = RS.standard_normal((2, 4, 3))
    close(torch.linalg.lu_solve(LU, pivots, t(b)), np.linalg.solve(a, b))
    close(torch.linalg.lu_solve(LU, pivots, t(b), adjoint=True), np.linalg.solve(np.swapaxes(a, -1, -2), b))
    rect = RS.standard_normal((5, 3))
    P, L, U = torch.linalg.lu(t(rect))
    close(P.matmul(L).matmul(U), rect)


def test_cholesky_qr_eigh_svd_identities():
    s = spd(2, 4, 4)
    L = torch.linalg.cholesky(t(s))
    close(L, np.linalg.cholesky(s))
    close(torch.linalg.cholesky(t(s), upper=True), np.swapaxes(np.linalg.cholesky(s), -1, -2))
    for shape in [(5, 3), (3, 5), (2, 4, 4)]:
        a = RS.standard_normal(shape)
        Q, R = torch.linalg.qr(t(a))
        close(Q.matmul(R), a)
        q, r = np.linalg.qr(a)
        # LAPACK's Householder convention: the same Q and R as numpy (and PyTorch)
        close(R, r)
        close(Q, q)
        Qc, Rc = torch.linalg.qr(t(a), mode="complete")
        assert tuple(Qc.shape[-2:]) == (shape[-2], shape[-2])
        close(Qc.matmul(Rc), a)
        U, S, Vh = torch.linalg.svd(t(a), full_matrices=False)
        close(S, np.linalg.svd(a, compute_uv=False))
        close(U.matmul(torch.diag_embed(S)).matmul(Vh), a)
        U, S, Vh = torch.linalg.svd(t(a))
        k = min(shape[-2:])
        close(U.mT.matmul(U), np.broadcast_to(np.eye(shape[-2]), U.shape))
        close(Vh.matmul(Vh.mT), np.broadcast_to(np.eye(shape[-1]), Vh.shape))
        close(U[..., :, :k].matmul(torch.diag_embed(S)).matmul(Vh[..., :k, :]), a)
        close(torch.linalg.svdvals(t(a)), np.linalg.svd(a, compute_uv=False))
    w, V = torch.linalg.eigh(t(s))
    close(w, np.linalg.eigvalsh(s))
    close(t(s).matmul(V), V.matmul(torch.diag_embed(w)))
    lower_only = np.tril(s)
    close(torch.linalg.eigvalsh(t(lower_only)), np.linalg.eigvalsh(s))
    close(torch.linalg.eigvalsh(t(np.triu(s)), UPLO="U"), np.linalg.eigvalsh(s))


def test_composed_functions_match_numpy():
    a = RS.standard_normal((5, 3))
    b = RS.standard_normal((5, 2))
    close(torch.linalg.pinv(t(a)), np.linalg.pinv(a))
    close(torch.linalg.lstsq(t(a), t(b)).solution, np.linalg.lstsq(a, b, rcond=None)[0])
    wide = RS.standard_normal((2, 4))
    close(torch.linalg.lstsq(t(wide), t(b[:2])).solution, np.linalg.lstsq(wide, b[:2], rcond=None)[0])
    low_rank = a @ RS.standard_normal((3, 3))[:, :2] @ RS.standard_normal((2, 4))
    assert torch.linalg.matrix_rank(t(low_rank)).item() == 2
    sq = well_conditioned(4, 4)
    close(torch.linalg.matrix_power(t(sq), 3), np.linalg.matrix_power(sq, 3))
    close(torch.linalg.matrix_power(t(sq), -2), np.linalg.matrix_power(sq, -2))
    close(torch.linalg.cond(t(sq)), np.linalg.cond(sq))
    close(torch.linalg.cond(t(sq), "fro"), np.linalg.cond(sq, "fro"))
    for ord in ["nuc", 2, -2]:
        close(torch.linalg.matrix_norm(t(a), ord), np.linalg.norm(a, ord))
    close(torch.linalg.matrix_exp(t(np.diag([1.0, -2.0, 0.5]))), np.diag(np.exp([1.0, -2.0, 0.5])))
    rot = np.array([[0.0, -3.0], [3.0, 0.0]])
    close(torch.linalg.matrix_exp(t(rot)), [[np.cos(3), -np.sin(3)], [np.sin(3), np.cos(3)]])
    close(torch.linalg.tensorinv(t(sq.reshape(2, 2, 4)), ind=2), np.linalg.tensorinv(sq.reshape(2, 2, 4), ind=2))
    close(torch.linalg.tensorsolve(t(sq.reshape(4, 2, 2)), t(b[:4, 0])), np.linalg.tensorsolve(sq.reshape(4, 2, 2), b[:4, 0]))
    x = RS.standard_normal(4)
    close(torch.linalg.vander(t(x)), np.vander(x, increasing=True))
    close(torch.vander(t(x), N=3), np.vander(x, 3))
    u, v = RS.standard_normal((2, 3)), RS.standard_normal((2, 3))
    close(torch.linalg.cross(t(u), t(v)), np.cross(u, v))
    close(torch.cross(t(u.T), t(v.T)), np.cross(u.T, v.T, axis=0))
    # householder_product rebuilds Q from LAPACK-style reflectors (here: those of a 2x2 rotation)
    h = torch.linalg.householder_product(t([[1.0, 0.0], [0.5, 1.0]]), t([1.6, 0.0]))
    v0 = np.array([1.0, 0.5])
    close(h, np.eye(2) - 1.6 * np.outer(v0, v0))
    s = spd(3, 3)
    close(torch.logdet(t(s)), np.linalg.slogdet(s)[1])
    B = RS.standard_normal((3, 2))
    close(torch.cholesky_solve(t(B), torch.linalg.cholesky(t(s))), np.linalg.solve(s, B))
    close(torch.cholesky_inverse(torch.linalg.cholesky(t(s))), np.linalg.inv(s))
    U, S, V = torch.svd(t(a))
    close(U.matmul(torch.diag_embed(S)).matmul(V.mT), a)


def test_gradcheck_linalg():
    sq = t(well_conditioned(2, 3, 3), requires_grad=True)
    rhs = t(RS.standard_normal((2, 3, 2)), requires_grad=True)
    assert gradcheck(torch.linalg.inv, (sq,))
    assert gradcheck(torch.linalg.det, (sq,))
    assert gradcheck(lambda a: torch.linalg.slogdet(a).logabsdet, (sq,))
    assert gradcheck(torch.linalg.solve, (sq, rhs))
    assert gradcheck(lambda a, b: torch.linalg.solve_triangular(a, b, upper=True), (sq, rhs))
    assert gradcheck(lambda a, b: torch.linalg.solve_triangular(a, b, upper=False, unitriangular=True, left=False), (sq, rhs.mT.detach().requires_grad_()))
    sym = lambda a: a.matmul(a.mT) + 3 * torch.eye(3, dtype=torch.float64)  # noqa: E731
    assert gradcheck(lambda a: torch.linalg.cholesky(sym(a)), (sq,))
    assert gradcheck(lambda a: torch.linalg.eigh(sym(a)).eigenvalues, (sq,))
    # eigenvectors are defined up to sign: check a sign-invariant function of them
    assert gradcheck(lambda a: (lambda w, v: v * v)(*torch.linalg.eigh(sym(a))), (sq,))
    tall = t(RS.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda a: torch.linalg.qr(a), (tall,))
    assert gradcheck(torch.linalg.svdvals, (tall,))
    assert gradcheck(lambda a: (lambda u, s, vh: (u.matmul(vh), s))(*torch.linalg.svd(a, full_matrices=False)), (tall,))
    assert gradcheck(lambda a: (lambda u, s, vh: u.matmul(vh))(*torch.linalg.svd(a.mT, full_matrices=False)), (tall,))
    assert gradcheck(torch.linalg.pinv, (tall,))
    assert gradcheck(lambda a, b: torch.linalg.lstsq(a, b).solution, (tall, t(RS.standard_normal((4, 2)), requires_grad=True)))
    assert gradcheck(torch.linalg.matrix_exp, (t(RS.standard_normal((3, 3)) * 0.5, requires_grad=True),))
    assert gradcheck(lambda a: torch.linalg.matrix_power(a, -2), (sq,))
    assert gradcheck(lambda a: torch.linalg.matrix_norm(a, "nuc"), (tall,))
    LU, piv = torch.linalg.lu_factor(sq.detach())
    assert gradcheck(lambda b: torch.linalg.lu_solve(LU, piv, b), (rhs,))
    assert torch.autograd.gradgradcheck(torch.linalg.inv, (sq,))


def test_errors():
    singular = t([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(torch.linalg.LinAlgError, match="singular"):
        torch.linalg.inv(singular)
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)
    with pytest.raises(torch.linalg.LinAlgError, match=r"\(Batch element 1\)"):
        torch.linalg.inv(torch.stack([t(np.eye(2)), singular]))
    with pytest.raises(torch.linalg.LinAlgError, match="singular"):
        torch.linalg.solve(singular, t([1.0, 2.0]))
    with pytest.raises(torch.linalg.LinAlgError, match="leading minor of order 2 is not positive-definite"):
        torch.linalg.cholesky(t([[1.0, 2.0], [2.0, 1.0]]))
    L, info = torch.linalg.cholesky_ex(t([[1.0, 2.0], [2.0, 1.0]]))
    assert info.item() == 2
    assert torch.linalg.inv_ex(singular).info.item() == 2
    assert torch.linalg.det(singular).item() == 0.0
    with pytest.raises(RuntimeError, match="must be batches of square matrices"):
        torch.linalg.inv(t(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        torch.linalg.det(t([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Expected a floating point"):
        torch.linalg.inv(torch.tensor([[1, 0], [0, 1]]))
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        torch.linalg.solve(t(np.eye(3)), t(np.ones((2, 1))))
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        torch.linalg.qr(t(np.eye(2)), mode="full")
    assert not hasattr(torch.linalg, "eig")  # needs complex dtypes
