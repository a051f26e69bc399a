"""complex64/complex128 and the limited uint16/uint32/uint64 dtypes: values recorded from
PyTorch 2.15 (tests/data/complex/record.py), NumPy round trips, and the complex arithmetic family
against NumPy (hypothesis)."""
import json
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rustorch as torch

EXPECTED = os.path.join(os.path.dirname(__file__), "data", "complex", "expected.json")
with open(EXPECTED) as f:
    RECORDED = json.load(f)

# Deliberate differences: PyTorch raises TypeError for sort; rustorch's generic "not
# implemented" error is a NotImplementedError.
KNOWN = {"torch.tensor([1+2j]).sort()": "NotImplementedError"}


def plain(value):
    if isinstance(value, complex):
        return [value.real, value.imag]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize("expr", sorted(RECORDED))
def test_matches_recorded_pytorch(expr):
    want = RECORDED[expr]
    try:
        value = eval(expr, {"torch": torch})
    except Exception as e:  # noqa: BLE001 - the class is compared
        names = [c.__name__ for c in type(e).__mro__]
        assert KNOWN.get(expr, want.get("error")) in names, (expr, e)
        return
    assert "value" in want, (expr, "PyTorch raised %s" % want.get("error"))
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    got = plain(value)
    if isinstance(want["value"], str):
        assert got == want["value"]
    else:
        np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want["value"], dtype=float), rtol=1e-6)


@pytest.mark.parametrize("np_dtype", [np.uint16, np.uint32, np.uint64, np.complex64, np.complex128])
def test_numpy_round_trips_share_memory(np_dtype):
    a = np.arange(6).reshape(2, 3) * 3
    if np.issubdtype(np_dtype, np.complexfloating):
        a = a + 1j * np.arange(6).reshape(2, 3)
    a = a.astype(np_dtype)
    t = torch.from_numpy(a)
    assert str(t.dtype) == "torch." + np.dtype(np_dtype).name
    back = t.numpy()
    assert back.dtype == a.dtype
    np.testing.assert_array_equal(back, a)
    a[0, 0] = 5  # from_numpy shares memory; tensor() copies
    assert t[0, 0].item() == 5
    copied = torch.tensor(a.T)  # a strided array, copied
    before = a.T.copy()
    a[0, 1] = 7
    np.testing.assert_array_equal(copied.numpy(), before)


def test_uint64_keeps_values_beyond_int64():
    a = np.array([2**64 - 1, 2**63 + 5], dtype=np.uint64)
    t = torch.tensor(a)
    np.testing.assert_array_equal(t.numpy(), a)
    np.testing.assert_allclose(t.to(torch.float64).numpy(), a.astype(np.float64))


def test_uint_kernels_pytorch_has_and_refuses():
    a = torch.tensor([3, 1, 2], dtype=torch.uint16)
    assert (a * 2).tolist() == [6, 2, 4]
    assert (a == torch.tensor([3, 0, 2], dtype=torch.uint16)).tolist() == [True, False, True]
    assert (a & torch.tensor([1, 1, 1], dtype=torch.uint16)).tolist() == [1, 1, 0]
    assert torch.maximum(a, torch.tensor([2, 2, 2], dtype=torch.uint16)).tolist() == [3, 2, 2]
    assert a.sum().item() == 6 and a.sum().dtype == torch.int64
    assert torch.cat([a, a]).tolist() == [3, 1, 2, 3, 1, 2]
    assert a[1].item() == 1 and a.flip(0).tolist() == [2, 1, 3]
    np.testing.assert_allclose((a / 2).numpy(), [1.5, 0.5, 1.0])
    np.testing.assert_allclose(a.sqrt().numpy(), np.sqrt([3, 1, 2]), rtol=1e-6)
    for bad in (lambda: a + a, lambda: a - 1, lambda: -a, lambda: a < a, lambda: a.max(), lambda: a @ a):
        with pytest.raises(NotImplementedError, match="UInt16"):
            bad()
    with pytest.raises(RuntimeError, match="Promotion for uint16"):
        a * torch.tensor([1, 2, 3])


def test_complex_results_have_no_gradients_and_say_so():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.complex(x, x)
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="complex"):
        z.abs().sum().backward()
    # A complex leaf cannot require grad here (PyTorch allows it).
    with pytest.raises(RuntimeError, match="require gradients"):
        torch.tensor([1 + 1j]).requires_grad_()


def test_ops_without_complex_kernels_raise_instead_of_computing():
    z = torch.tensor([1 + 2j, -3 + 0.5j])
    for op in (lambda: z.floor(), lambda: z.relu(), lambda: torch.softmax(z, 0), lambda: z.max(),
               lambda: z.cumsum(0), lambda: z % z, lambda: z.clamp(0, 1), lambda: z.prod()):
        with pytest.raises(RuntimeError, match="ComplexFloat"):
            op()


def test_views_of_parts_write_through():
    z = torch.zeros(3, dtype=torch.complex128)
    z.imag.fill_(2.0)
    z.real[1] = 5.0
    assert z.tolist() == [2j, 5 + 2j, 2j]
    r = torch.view_as_real(z)
    assert r.shape == (3, 2) and r.dtype == torch.float64
    r[2, 0] = -1.0
    assert z[2].item() == -1 + 2j
    assert torch.view_as_complex(r).tolist() == z.tolist()


finite = st.floats(-40, 40, allow_nan=False, width=32)  # exp stays within float32
complex_lists = st.lists(st.tuples(finite, finite).map(lambda p: complex(*p)), min_size=1, max_size=6)


def _np(t):
    return t.numpy()


@settings(max_examples=40, deadline=None)
@given(complex_lists, complex_lists, st.sampled_from([np.complex64, np.complex128]))
def test_complex_arithmetic_matches_numpy(xs, ys, dtype):
    n = min(len(xs), len(ys))
    a, b = np.array(xs[:n], dtype=dtype), np.array(ys[:n], dtype=dtype)
    ta, tb = torch.tensor(a), torch.tensor(b)
    rtol = 1e-4 if dtype == np.complex64 else 1e-10
    with np.errstate(all="ignore"):
        for got, want in [(ta + tb, a + b), (ta - tb, a - b), (ta * tb, a * b), (-ta, -a),
                          (ta * 2.5, a * 2.5), (1j - ta, 1j - a), (ta.sum(), a.sum()), (ta.mean(), a.mean()),
                          (ta.exp(), np.exp(a)), (ta.sqrt(), np.sqrt(a)), (ta.abs(), np.abs(a)),
                          (ta.angle(), np.angle(a)), (ta.conj(), np.conj(a)), (ta == tb, a == b)]:
            np.testing.assert_allclose(_np(got), want, rtol=rtol, atol=rtol * 10 * (1 + np.abs(want).max()))
        nz = np.abs(b) > 1e-3
        if nz.all():
            np.testing.assert_allclose(_np(ta / tb), a / b, rtol=rtol * 10)
        ok = np.abs(a) > 1e-3
        if ok.all():
            np.testing.assert_allclose(_np(ta.log()), np.log(a), rtol=rtol * 10, atol=rtol)
            small = np.array([z / max(1.0, abs(z)) for z in b], dtype=dtype)
            np.testing.assert_allclose(_np(ta ** torch.tensor(small)), a ** small, rtol=rtol * 100, atol=rtol)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_complex_matmul_matches_numpy(m, k, n, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)) + 1j * rng.standard_normal((m, k))
    b = rng.standard_normal((k, n)) + 1j * rng.standard_normal((k, n))
    np.testing.assert_allclose((torch.tensor(a) @ torch.tensor(b)).numpy(), a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose((torch.tensor(a[0]) @ torch.tensor(b)).numpy(), a[0] @ b, rtol=1e-12, atol=1e-12)


def test_complex_creation_and_casts():
    assert torch.tensor(1j).dtype == torch.complex64
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor(1j).dtype == torch.complex128
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.full((2,), 1 + 1j).dtype == torch.complex64
    assert torch.zeros(2, dtype=torch.cfloat).tolist() == [0j, 0j]
    assert torch.tensor([1.5, 2.0]).to(torch.complex128).tolist() == [1.5 + 0j, 2 + 0j]
    assert torch.tensor([1 + 2j]).to(torch.complex128).tolist() == [1 + 2j]
    assert torch.tensor([0 + 2j, 0j]).bool().tolist() == [True, False]
    assert torch.tensor([1 + 2j]).is_complex() and not torch.tensor([1.0]).is_complex()
    assert torch.complex64.is_complex and torch.cdouble is torch.complex128
    assert torch.tensor([1 + 2j]).isnan().tolist() == [False]


def test_complex_and_uint_stay_off_the_gpu():
    if not torch.cuda.is_available():
        pytest.skip("no GPU adapter")
    for dtype in (torch.complex64, torch.uint16):
        with pytest.raises(RuntimeError, match=str(dtype).split(".")[1]):
            torch.zeros(2, dtype=dtype).cuda()
