"""Matrix products and norms against NumPy: every matmul shape combination (1-D, 2-D,
batched with broadcast batch dims), transposed and strided operands, integer and half
dtypes, the fused add* forms, and PyTorch's errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rustorch as torch

SETTINGS = settings(max_examples=60, deadline=None)


def laid_out(arr, layout):
    """A tensor over `arr`'s values: contiguous, with the last two dims transposed in memory,
    or every other element of a wider buffer."""
    if layout == "transposed" and arr.ndim >= 2:
        view = np.ascontiguousarray(np.swapaxes(arr, -1, -2)).swapaxes(-1, -2)
    elif layout == "sliced" and arr.ndim >= 1:
        big = np.zeros(arr.shape[:-1] + (arr.shape[-1] * 2,), dtype=arr.dtype)
        big[..., ::2] = arr
        view = big[..., ::2]
    else:
        view = arr.copy()
    return torch.from_numpy(view)


def values(rs, shape, dtype):
    if np.dtype(dtype).kind == "f":
        return rs.uniform(-2, 2, size=shape).astype(dtype)
    return rs.randint(-5, 6, size=shape).astype(dtype)


def check(t, expected, rtol=1e-5, atol=1e-5):
    got, expected = np.asarray(t), np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, expected)


@st.composite
def matmul_shapes(draw):
    """Shapes of two operands that matmul accepts: 1-D or 2-D, or batched with broadcastable
    batch dims (sizes may be 0 or 1)."""
    m, k, n = (draw(st.integers(0, 6)) for _ in range(3))
    nd_a, nd_b = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_len = max(nd_a, nd_b) - 2
    batch = [draw(st.integers(1, 3)) for _ in range(max(batch_len, 0))]

    def batch_for(nd):
        dims = batch[len(batch) - (nd - 2):] if nd > 2 else []
        return [d if draw(st.booleans()) else 1 for d in dims]

    a = [k] if nd_a == 1 else batch_for(nd_a) + [m, k]
    b = [k] if nd_b == 1 else batch_for(nd_b) + [k, n]
    return tuple(a), tuple(b)


@SETTINGS
@given(matmul_shapes(), st.sampled_from([np.float32, np.float64, np.int64, np.int32]),
       st.sampled_from(["contiguous", "transposed", "sliced"]), st.sampled_from(["contiguous", "transposed", "sliced"]),
       st.integers(0, 2**16))
def test_matmul_matches_numpy_for_every_shape_combination(shapes, dtype, layout_a, layout_b, seed):
    rs = np.random.RandomState(seed)
    a, b = values(rs, shapes[0], dtype), values(rs, shapes[1], dtype)
    expected = np.matmul(a, b)
    ta, tb = laid_out(a, layout_a), laid_out(b, layout_b)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    check(ta @ tb, expected, tol, tol)
    check(torch.matmul(ta, tb), expected, tol, tol)
    check(tb.__rmatmul__(ta), expected, tol, tol)


@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40), st.sampled_from([np.float32, np.float64, np.int64, np.int16, np.uint8]),
       st.integers(0, 2**16))
@SETTINGS
def test_mm_mv_dot_against_numpy(m, k, n, dtype, seed):
    rs = np.random.RandomState(seed)
    a, b, v, w = values(rs, (m, k), dtype), values(rs, (k, n), dtype), values(rs, (k,), dtype), values(rs, (k,), dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    check(torch.mm(torch.from_numpy(a), torch.from_numpy(b)), a @ b, tol, tol)
    check(torch.from_numpy(a).mv(torch.from_numpy(v)), a @ v, tol, tol)
    check(torch.dot(torch.from_numpy(v), torch.from_numpy(w)), np.dot(v, w), tol, tol)
    check(torch.vdot(torch.from_numpy(v), torch.from_numpy(w)), np.dot(v, w), tol, tol)
    check(torch.mm(laid_out(a, "transposed"), laid_out(b, "sliced")), a @ b, tol, tol)
    check(torch.dot(laid_out(v, "sliced"), torch.from_numpy(w)), np.dot(v, w), tol, tol)


def test_transposed_operands_are_read_in_place():
    rs = np.random.RandomState(1)
    a = rs.rand(70, 50)
    ta = torch.from_numpy(a.T)
    assert not ta.is_contiguous()
    check(ta @ torch.from_numpy(a), a.T @ a, 1e-10, 1e-10)
    check(torch.from_numpy(a) @ ta, a @ a.T, 1e-10, 1e-10)


@SETTINGS
@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(1, 4),
       st.sampled_from([0, 1, 0.5, -2]), st.sampled_from([1, 2, 0.25, 0]), st.integers(0, 2**16))
def test_fused_add_products(m, k, n, batch, beta, alpha, seed):
    rs = np.random.RandomState(seed)
    a, b = rs.rand(m, k), rs.rand(k, n)
    inp = rs.rand(n)  # broadcast against (m, n)
    ta, tb, ti = (torch.from_numpy(x) for x in (a, b, inp))
    check(torch.addmm(ti, ta, tb, beta=beta, alpha=alpha), beta * inp + alpha * (a @ b), 1e-10, 1e-10)
    v, iv = rs.rand(k), rs.rand(m)
    check(torch.addmv(torch.from_numpy(iv), ta, torch.from_numpy(v), beta=beta, alpha=alpha), beta * iv + alpha * (a @ v), 1e-10, 1e-10)
    b1, b2, ib = rs.rand(batch, m, k), rs.rand(batch, k, n), rs.rand(batch, m, n)
    t1, t2 = torch.from_numpy(b1), torch.from_numpy(b2)
    check(torch.bmm(t1, t2), b1 @ b2, 1e-10, 1e-10)
    check(torch.baddbmm(torch.from_numpy(ib), t1, t2, beta=beta, alpha=alpha), beta * ib + alpha * (b1 @ b2), 1e-10, 1e-10)
    check(torch.addbmm(torch.from_numpy(ib[0]), t1, t2, beta=beta, alpha=alpha), beta * ib[0] + alpha * (b1 @ b2).sum(0), 1e-10, 1e-10)


def test_beta_zero_ignores_nan_in_input():
    inp = torch.full((2, 2), float("nan"))
    out = torch.addmm(inp, torch.ones(2, 3), torch.ones(3, 2), beta=0)
    assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_outer_inner_and_promotion():
    a, b = np.array([1, 2]), np.array([3.0, 4.0, 5.0])
    check(torch.outer(torch.from_numpy(a), torch.from_numpy(b)), np.outer(a, b))
    check(torch.ger(torch.tensor([1, 2]), torch.tensor([3, 4, 5])), np.outer([1, 2], [3, 4, 5]))
    x, y = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(4, 3)
    check(torch.inner(torch.from_numpy(x), torch.from_numpy(y)), np.inner(x, y))
    check(torch.inner(torch.tensor(2.0), torch.tensor([1.0, 2.0])), np.array([2.0, 4.0], dtype=np.float32))


def test_half_and_bfloat16_products():
    rs = np.random.RandomState(2)
    a, b = rs.rand(20, 30).astype(np.float32), rs.rand(30, 10).astype(np.float32)
    for dtype in (torch.float16, torch.bfloat16):
        out = torch.from_numpy(a).to(dtype) @ torch.from_numpy(b).to(dtype)
        assert out.dtype == dtype
        np.testing.assert_allclose(np.asarray(out.float()), a @ b, rtol=3e-2, atol=3e-2)


def test_large_products_on_several_threads():
    rs = np.random.RandomState(3)
    a, b = rs.rand(300, 200).astype(np.float32), rs.rand(200, 250).astype(np.float32)
    batch = rs.rand(64, 8, 9), rs.rand(64, 9, 7)
    ints = rs.randint(-3, 4, (120, 90)), rs.randint(-3, 4, (90, 80))
    # Big products are cut into bands of rows (m >= n) or columns (n > m) across threads:
    # odd sizes leave a short last band, transposed operands and a two-product batch (fewer
    # products than threads) take the same path, and addmm's beta reads each band's output.
    wide = rs.rand(37, 150).astype(np.float32), rs.rand(150, 301).astype(np.float32)
    pair = rs.rand(2, 133, 70), rs.rand(2, 70, 121)
    bias = rs.rand(37, 301).astype(np.float32)
    before = torch.get_num_threads()
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            check(torch.from_numpy(a) @ torch.from_numpy(b), a @ b, 1e-4, 1e-4)
            check(torch.from_numpy(batch[0]) @ torch.from_numpy(batch[1]), batch[0] @ batch[1], 1e-10, 1e-10)
            check(torch.from_numpy(ints[0]) @ torch.from_numpy(ints[1]), ints[0] @ ints[1])
            check(laid_out(wide[0], "transposed") @ laid_out(wide[1], "sliced"), wide[0] @ wide[1], 1e-4, 1e-4)
            check(torch.from_numpy(pair[0]) @ laid_out(pair[1], "transposed"), pair[0] @ pair[1], 1e-10, 1e-10)
            out = torch.addmm(torch.from_numpy(bias), torch.from_numpy(wide[0]), torch.from_numpy(wide[1]), beta=0.5, alpha=2.0)
            check(out, 0.5 * bias + 2.0 * (wide[0] @ wide[1]), 1e-4, 1e-4)
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("a, b, message", [
    ((2, 3), (4, 5), r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    ((3,), (4, 2), r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x2\)"),
    ((2, 3), (4,), r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    ((2,), (3,), r"inconsistent tensor size, expected tensor \[2\] and src \[3\] to have the same number of elements, but got 2 and 3 elements respectively"),
    ((2, 3, 4), (5, 6), r"mat1 and mat2 shapes cannot be multiplied \(6x4 and 5x6\)"),
    ((2, 3, 4), (5,), r"size mismatch, got input \(6\), mat \(6x4\), vec \(5\)"),
    ((2, 3, 4), (2, 5, 6), r"Expected size for first two dimensions of batch2 tensor to be: \[2, 4\] but got: \[2, 5\]."),
    ((2, 3, 4), (3, 4, 6), r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"),
    ((), (2,), r"both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
])
def test_matmul_shape_errors(a, b, message):
    with pytest.raises(RuntimeError, match=message):
        torch.zeros(a) @ torch.zeros(b)


def test_product_errors():
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float != long int"):
        torch.mm(torch.ones(2, 2), torch.ones(2, 2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="dot : expected both vectors to have same dtype, but found Long and Float"):
        torch.dot(torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        torch.dot(torch.ones(2, 2), torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="self must be a matrix"):
        torch.mm(torch.ones(2), torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        torch.bmm(torch.ones(2, 2), torch.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="\"addmm_impl_cpu_\" not implemented for 'Bool'"):
        torch.ones(2, 2, dtype=torch.bool) @ torch.ones(2, 2, dtype=torch.bool)
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 2-D"):
        torch.outer(torch.ones(2, 2), torch.ones(2))
    with pytest.raises(TypeError):
        torch.ones(2, 2) @ [[1, 2], [3, 4]]


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from([None, "fro", 1, -1, math.inf, -math.inf]), st.booleans(), st.integers(0, 2**16))
def test_linalg_norms_match_numpy(m, n, ord, keepdim, seed):
    a = np.random.RandomState(seed).uniform(-3, 3, (m, n))
    t = torch.from_numpy(a)
    check(torch.linalg.norm(t, ord, keepdim=keepdim), np.linalg.norm(a, ord, keepdims=keepdim), 1e-10, 1e-10)
    check(torch.linalg.matrix_norm(t, "fro" if ord is None else ord, keepdim=keepdim),
          np.linalg.norm(a, "fro" if ord is None else ord, keepdims=keepdim), 1e-10, 1e-10)
    check(torch.linalg.norm(t, dim=1), np.linalg.norm(a, axis=1), 1e-10, 1e-10)
    batched = np.stack([a, 2 * a])
    check(torch.linalg.matrix_norm(torch.from_numpy(batched)), np.linalg.norm(batched, axis=(1, 2)), 1e-10, 1e-10)


def test_linalg_norm_errors():
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Long"):
        torch.linalg.matrix_norm(torch.ones(2, 2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="the input must be 1D or 2D. Got 3D."):
        torch.linalg.norm(torch.ones(2, 2, 2), 1)
    check(torch.linalg.multi_dot([torch.ones(2, 3), torch.ones(3, 4), torch.ones(4)]), np.full(2, 12.0, dtype=np.float32))
