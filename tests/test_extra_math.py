"""Composite torch names (lerp, logaddexp, diff, rot90, cov, corrcoef, bincount, trapezoid, …)
against numpy, with gradcheck for the differentiable ones."""
import numpy as np

import rustorch as torch
from rustorch.autograd import gradcheck

RS = np.random.RandomState(2)


def t(arr, requires_grad=False):
    return torch.tensor(np.asarray(arr, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def close(got, expected):
    np.testing.assert_allclose(np.asarray(got.detach().tolist()), np.asarray(expected), rtol=1e-10, atol=1e-12)


def test_values_match_numpy():
    a, b = RS.standard_normal((3, 4)), RS.standard_normal((3, 4))
    close(torch.lerp(t(a), t(b), 0.3), a + 0.3 * (b - a))
    close(torch.logaddexp(t(a), t(b)), np.logaddexp(a, b))
    close(t(a).logaddexp2(t(b)), np.logaddexp2(a, b))
    close(torch.diff(t(a), n=2, dim=1), np.diff(a, n=2, axis=1))
    close(torch.diff(t(a), dim=0, prepend=t(b[:1])), np.diff(a, axis=0, prepend=b[:1]))
    for k in range(-1, 4):
        close(torch.rot90(t(a), k), np.rot90(a, k))
    close(torch.diagflat(t(a[0])), np.diagflat(a[0]))
    close(torch.dist(t(a), t(b), 3), np.sum(np.abs(a - b) ** 3) ** (1 / 3))
    close(torch.cov(t(a)), np.cov(a))
    close(torch.cov(t(a), correction=0), np.cov(a, bias=True))
    fw = np.array([1, 2, 1, 3])
    close(torch.cov(t(a), fweights=torch.tensor(fw)), np.cov(a, fweights=fw))
    close(torch.corrcoef(t(a)), np.corrcoef(a))
    close(torch.msort(t(a)), np.sort(a, axis=0))
    close(torch.addr(t(a), t(a[:, 0]), t(b[0]), beta=2, alpha=0.5), 2 * a + 0.5 * np.outer(a[:, 0], b[0]))
    close(torch.trapezoid(t(a)), np.trapezoid(a) if hasattr(np, "trapezoid") else np.trapz(a))
    close(torch.trapz(t(a), dx=0.5), (np.trapezoid if hasattr(np, "trapezoid") else np.trapz)(a, dx=0.5))
    close(torch.logcumsumexp(t(a), 1), np.log(np.cumsum(np.exp(a), axis=1)))
    close(torch.deg2rad(t(a)), np.deg2rad(a))
    close(torch.heaviside(t([-1.0, 0.0, 2.0]), t([0.5])), np.heaviside([-1.0, 0.0, 2.0], 0.5))
    idx = np.array([[0, 2], [1, 0], [3, 3]])
    close(torch.take_along_dim(t(a), torch.tensor(idx), dim=1), np.take_along_axis(a, idx, axis=1))
    close(t(a).sum_to_size(1, 4), a.sum(0, keepdims=True))
    counts = torch.bincount(torch.tensor([0, 1, 1, 3]), minlength=6)
    assert counts.tolist() == np.bincount([0, 1, 1, 3], minlength=6).tolist()
    close(torch.bincount(torch.tensor([0, 1, 1]), weights=t([0.5, 1.0, 2.0])), [0.5, 3.0])
    assert [p.shape[1] for p in torch.hsplit(t(a), 2)] == [2, 2]


def test_gradcheck_composites():
    a, b = t(RS.standard_normal((2, 3)), True), t(RS.standard_normal((2, 3)), True)
    assert gradcheck(torch.logaddexp, (a, b))
    assert gradcheck(lambda x, y: torch.lerp(x, y, 0.25), (a, b))
    assert gradcheck(torch.cov, (a,))
    assert gradcheck(lambda x: torch.logcumsumexp(x, 1), (a,))
