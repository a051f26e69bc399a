"""torch.fft against NumPy's np.fft and values recorded from PyTorch 2.15
(tests/data/fft/record.py)."""
import json
import os

import numpy as np
import pytest

import rustorch as torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 6))
Z = X + 1j * RNG.standard_normal((3, 6))
NORMS = [None, "backward", "ortho", "forward"]


def check(got, want, rtol=1e-10):
    np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 4, 9])
def test_one_dimensional_transforms_match_numpy(norm, n):
    tz, tx = torch.tensor(Z), torch.tensor(X)
    check(torch.fft.fft(tz, n=n, norm=norm), np.fft.fft(Z, n=n, norm=norm))
    check(torch.fft.ifft(tz, n=n, dim=0, norm=norm), np.fft.ifft(Z, n=n, axis=0, norm=norm))
    check(torch.fft.rfft(tx, n=n, norm=norm), np.fft.rfft(X, n=n, norm=norm))
    check(torch.fft.irfft(tz, n=n, norm=norm), np.fft.irfft(Z, n=n, norm=norm))
    check(torch.fft.hfft(tz, n=n, norm=norm), np.fft.hfft(Z, n=n, norm=norm))
    check(torch.fft.ihfft(tx, n=n, norm=norm), np.fft.ihfft(X, n=n, norm=norm))


@pytest.mark.parametrize("norm", NORMS)
def test_multi_dimensional_transforms_match_numpy(norm):
    tz, tx = torch.tensor(Z), torch.tensor(X)
    check(torch.fft.fft2(tz, norm=norm), np.fft.fft2(Z, norm=norm))
    check(torch.fft.ifft2(tz, s=(4, 5), norm=norm), np.fft.ifft2(Z, s=(4, 5), norm=norm))
    check(torch.fft.fftn(tz, dim=(1,), norm=norm), np.fft.fftn(Z, axes=(1,), norm=norm))
    check(torch.fft.ifftn(tz, norm=norm), np.fft.ifftn(Z, norm=norm))
    check(torch.fft.rfft2(tx, norm=norm), np.fft.rfft2(X, norm=norm))
    check(torch.fft.rfftn(tx, s=(2, 7), norm=norm), np.fft.rfftn(X, s=(2, 7), norm=norm))
    check(torch.fft.irfft2(tz, norm=norm), np.fft.irfft2(Z, norm=norm))
    check(torch.fft.irfftn(tz, s=(3, 5), norm=norm), np.fft.irfftn(Z, s=(3, 5), norm=norm))


def test_dtypes_follow_pytorch():
    assert torch.fft.fft(torch.ones(4)).dtype == torch.complex64
    assert torch.fft.fft(torch.ones(4, dtype=torch.float64)).dtype == torch.complex128
    assert torch.fft.rfft(torch.ones(4)).dtype == torch.complex64
    assert torch.fft.irfft(torch.ones(3, dtype=torch.complex128)).dtype == torch.float64
    f32 = np.random.default_rng(1).standard_normal(8).astype(np.float32)
    np.testing.assert_allclose(torch.fft.rfft(torch.tensor(f32)).numpy(), np.fft.rfft(f32), rtol=1e-5, atol=1e-5)


def test_helpers_match_numpy():
    np.testing.assert_allclose(torch.fft.fftfreq(7, d=0.1).numpy(), np.fft.fftfreq(7, d=0.1), rtol=1e-6)
    np.testing.assert_allclose(torch.fft.rfftfreq(8).numpy(), np.fft.rfftfreq(8), rtol=1e-6)
    a = np.arange(12.0).reshape(3, 4)
    check(torch.fft.fftshift(torch.tensor(a)), np.fft.fftshift(a))
    check(torch.fft.ifftshift(torch.tensor(a), dim=0), np.fft.ifftshift(a, axes=0))
    check(torch.fft.fftshift(torch.tensor(Z), dim=(1,)), np.fft.fftshift(Z, axes=(1,)))


def test_bad_arguments_raise_as_pytorch():
    with pytest.raises(RuntimeError, match="Invalid number of data points"):
        torch.fft.fft(torch.ones(4), n=0)
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        torch.fft.fft(torch.ones(4), norm="bogus")
    with pytest.raises(RuntimeError, match="real input"):
        torch.fft.rfft(torch.ones(4, dtype=torch.complex64))
    with pytest.raises(IndexError):
        torch.fft.fft(torch.ones(4), dim=1)
    x = torch.ones(4, requires_grad=True)
    with pytest.raises(RuntimeError, match="complex"):
        torch.fft.rfft(x).abs().sum().backward()


EXPECTED = os.path.join(os.path.dirname(__file__), "data", "fft", "expected.json")
with open(EXPECTED) as f:
    RECORDED = json.load(f)
RX = np.array([[0.5, -1.0, 2.0, 0.25, 3.0], [1.0, 0.0, -2.0, 1.5, -0.5]])


@pytest.mark.parametrize("expr", sorted(RECORDED))
def test_matches_recorded_pytorch(expr):
    x = torch.tensor(RX)
    scope = {"torch": torch, "X": x, "Z": torch.complex(x, x.flip(1))}
    got, want = eval(expr, scope), RECORDED[expr]
    assert list(got.shape) == want["shape"] and str(got.dtype) == want["dtype"]
    values = torch.view_as_real(got) if got.is_complex() else got
    np.testing.assert_allclose(values.reshape(-1).numpy(), want["values"], rtol=1e-6, atol=1e-9)
