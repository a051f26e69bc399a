"""Reductions, scans, sorting and softmax against NumPy (the oracle), over shapes, dims,
dtypes and memory layouts, plus PyTorch's errors for bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import rustorch as torch

SETTINGS = settings(max_examples=40, deadline=None)

NP_DTYPES = {
    "float32": np.float32, "float64": np.float64, "int64": np.int64, "int32": np.int32,
    "int16": np.int16, "uint8": np.uint8, "bool": np.bool_,
}


def as_tensor(arr, layout="contiguous"):
    """A tensor with `arr`'s values, laid out contiguously, transposed, or every other element."""
    if layout == "transposed" and arr.ndim >= 2:
        view = np.ascontiguousarray(arr.T).T
    elif layout == "sliced" and arr.ndim >= 1:
        big = np.zeros(arr.shape[:-1] + (arr.shape[-1] * 2,), dtype=arr.dtype)
        big[..., ::2] = arr
        view = big[..., ::2]
    else:
        view = arr.copy()
    t = torch.from_numpy(view)
    assert np.array_equal(np.asarray(t), arr, equal_nan=arr.dtype.kind == "f")
    return t


def elements(dtype):
    if dtype.kind == "f":
        return st.floats(-100, 100, width=32)
    if dtype == np.bool_:
        return st.booleans()
    if dtype == np.uint8:
        return st.integers(0, 255)
    return st.integers(-1000, 1000)


@st.composite
def arrays(draw, dtypes=tuple(NP_DTYPES), min_dims=0, max_dims=4, min_side=0):
    dtype = np.dtype(NP_DTYPES[draw(st.sampled_from(dtypes))])
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=5))
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype)))


@st.composite
def dims_of(draw, ndim):
    """None, an int (possibly negative), or a tuple/list of distinct dims."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    kind = draw(st.sampled_from(["none", "int", "tuple", "list"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    picked = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    signed = [d - ndim if draw(st.booleans()) else d for d in picked]
    return tuple(signed) if kind == "tuple" else signed


def np_axis(dim, ndim=None):
    """NumPy's axis for a dim argument (a 0-dim tensor's dim 0 or -1 means all of it)."""
    if dim is None or ndim == 0:
        return None
    return tuple(dim) if isinstance(dim, (list, tuple)) else dim


def check(t, expected, rtol=1e-5, atol=1e-5):
    got = np.asarray(t)
    expected = np.asarray(expected)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


LAYOUTS = st.sampled_from(["contiguous", "transposed", "sliced"])


@SETTINGS
@given(arrays(), st.data(), st.booleans(), LAYOUTS)
def test_sum_matches_numpy(arr, data, keepdim, layout):
    dim = data.draw(dims_of(arr.ndim))
    t = as_tensor(arr, layout)
    out = t.sum(dim, keepdim) if dim is not None else t.sum()
    acc = np.float64 if arr.dtype.kind == "f" else np.int64
    expected = np.sum(arr.astype(acc), axis=np_axis(dim, arr.ndim), keepdims=keepdim and dim is not None)
    expected = expected.astype(arr.dtype if arr.dtype.kind == "f" else np.int64)
    assert out.dtype == (torch.int64 if arr.dtype.kind != "f" else getattr(torch, arr.dtype.name))
    check(out, expected, rtol=1e-4, atol=1e-3)


@SETTINGS
@given(arrays(dtypes=("float32", "float64")), st.data(), st.booleans(), LAYOUTS)
def test_mean_nansum_prod_match_numpy(arr, data, keepdim, layout):
    dim = data.draw(dims_of(arr.ndim))
    t = as_tensor(arr, layout)
    axis, kd = np_axis(dim, arr.ndim), keepdim
    with np.errstate(all="ignore"):
        check(t.mean(dim, keepdim), np.mean(arr.astype(np.float64), axis=axis, keepdims=kd).astype(arr.dtype), 1e-4, 1e-4)
        arr_nan = arr.copy()
        arr_nan.flat[::3] = np.nan
        check(torch.nansum(as_tensor(arr_nan, layout), dim, keepdim),
              np.nansum(arr_nan.astype(np.float64), axis=axis, keepdims=kd).astype(arr.dtype), 1e-4, 1e-3)
        small = np.asarray(arr / 50).astype(arr.dtype)  # 0-d arithmetic yields a NumPy scalar
        if dim is None or isinstance(dim, int):
            check(as_tensor(small, layout).prod(dim, keepdim) if dim is not None else as_tensor(small).prod(),
                  np.prod(small.astype(np.float64), axis=axis, keepdims=kd and dim is not None).astype(arr.dtype), 1e-4, 1e-6)


def test_numpy_style_axis_and_keepdims_aliases():
    x = torch.arange(24).reshape(2, 3, 4)
    check(x.sum(axis=(0, 2)), np.arange(24).reshape(2, 3, 4).sum(axis=(0, 2)))
    check(x.sum(axis=1, keepdims=True), np.arange(24).reshape(2, 3, 4).sum(axis=1, keepdims=True))
    check(x.float().mean(axis=0), np.arange(24.0).reshape(2, 3, 4).mean(axis=0).astype(np.float32))
    check(x.max(axis=2).values, np.arange(24).reshape(2, 3, 4).max(axis=2))


@SETTINGS
@given(arrays(dtypes=("int64", "int32", "uint8", "bool", "int16")), st.data(), LAYOUTS)
def test_integer_prod_and_cumulative_widen_to_int64(arr, data, layout):
    t = as_tensor(arr, layout)
    assert t.prod().dtype == torch.int64
    check(t.prod(), np.prod(arr.astype(np.int64)))
    if arr.ndim:
        dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
        check(t.cumsum(dim), np.cumsum(arr.astype(np.int64), axis=dim))
        check(torch.cumprod(t, dim), np.cumprod(arr.astype(np.int64), axis=dim))


@SETTINGS
@given(arrays(dtypes=("float32", "float64", "int64", "int32", "uint8"), min_side=1), st.data(), st.booleans(), LAYOUTS)
def test_extrema_match_numpy(arr, data, keepdim, layout):
    dim = data.draw(dims_of(arr.ndim))
    t = as_tensor(arr, layout)
    axis, kd = np_axis(dim, arr.ndim), keepdim
    check(t.amax(dim, keepdim), np.amax(arr, axis=axis, keepdims=kd))
    check(t.amin(dim, keepdim), np.amin(arr, axis=axis, keepdims=kd))
    check(t.max(), arr.max())
    check(torch.min(t), arr.min())
    if arr.ndim:
        d = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
        values, indices = torch.max(t, d, keepdim)
        check(values, np.max(arr, axis=d, keepdims=keepdim))
        check(indices, np.expand_dims(np.argmax(arr, axis=d), d) if keepdim else np.argmax(arr, axis=d))
        result = t.min(dim=d)
        check(result.values, np.min(arr, axis=d))
        check(result.indices, np.argmin(arr, axis=d))
        check(t.argmax(d), np.argmax(arr, axis=d))
        check(torch.argmin(t, dim=d, keepdim=keepdim),
              np.expand_dims(np.argmin(arr, axis=d), d) if keepdim else np.argmin(arr, axis=d))
    check(t.argmax(), np.argmax(arr))
    check(t.argmin(), np.argmin(arr))
    lo, hi = torch.aminmax(t)
    check(lo, arr.min())
    check(hi, arr.max())


def test_ties_pick_the_first_occurrence_and_nan_wins():
    t = torch.tensor([[1.0, 5.0, 5.0, 2.0], [float("nan"), 3.0, float("nan"), 9.0]])
    assert t.argmax(1).tolist() == [1, 0]
    assert t.max(1).indices.tolist() == [1, 0]
    assert math.isnan(t.max().item()) and math.isnan(t.amin().item())
    assert torch.tensor([3, 1, 1, 3]).argmin().item() == 1
    assert torch.tensor([3, 1, 1, 3]).argmax().item() == 0


@SETTINGS
@given(arrays(dtypes=("float32", "float64"), min_side=1), st.data(), st.booleans(), LAYOUTS, st.sampled_from([0, 1, 2]))
def test_var_std_match_numpy(arr, data, keepdim, layout, correction):
    dim = data.draw(dims_of(arr.ndim))
    t = as_tensor(arr, layout)
    axis, kd = np_axis(dim, arr.ndim), keepdim
    with np.errstate(all="ignore"):
        # NumPy divides by max(N - ddof, 0), as PyTorch does.
        var = np.var(arr.astype(np.float64), axis=axis, ddof=correction, keepdims=kd)
    check(t.var(dim, keepdim=keepdim, correction=correction), var.astype(arr.dtype), 1e-3, 1e-3)
    check(t.std(dim, keepdim=keepdim, correction=correction), np.sqrt(var).astype(arr.dtype), 1e-3, 1e-3)
    std, mean = torch.std_mean(t, dim, keepdim=keepdim, correction=correction)
    check(std, np.sqrt(var).astype(arr.dtype), 1e-3, 1e-3)
    check(mean, np.mean(arr.astype(np.float64), axis=axis, keepdims=kd).astype(arr.dtype), 1e-4, 1e-4)


def test_std_var_legacy_unbiased_argument():
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert abs(x.std().item() - 1.2909944) < 1e-6
    assert abs(x.std(unbiased=False).item() - 1.1180340) < 1e-6
    assert abs(x.var(False).item() - 1.25) < 1e-6
    m = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
    check(m.var(0, True), np.var([[1.0, 2.0], [3.0, 5.0]], axis=0, ddof=1).astype(np.float32))
    v, mean = torch.var_mean(m, 1)
    check(v, np.var([[1.0, 2.0], [3.0, 5.0]], axis=1, ddof=1).astype(np.float32))


@SETTINGS
@given(arrays(), st.data(), st.booleans(), LAYOUTS)
def test_all_any_count_nonzero(arr, data, keepdim, layout):
    dim = data.draw(dims_of(arr.ndim))
    t = as_tensor(arr, layout)
    axis, kd = np_axis(dim, arr.ndim), keepdim
    out_dtype = torch.uint8 if arr.dtype == np.uint8 else torch.bool
    a = t.all(dim, keepdim)
    assert a.dtype == out_dtype
    check(a, np.all(arr, axis=axis, keepdims=kd).astype(np.uint8 if arr.dtype == np.uint8 else np.bool_))
    check(torch.any(t, dim, keepdim),
          np.any(arr, axis=axis, keepdims=kd).astype(np.uint8 if arr.dtype == np.uint8 else np.bool_))
    check(torch.count_nonzero(t, dim), np.count_nonzero(arr, axis=axis))


@SETTINGS
@given(arrays(dtypes=("float32", "float64"), min_dims=1), st.data(), LAYOUTS)
def test_scans_match_numpy(arr, data, layout):
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    t = as_tensor(arr, layout)
    check(t.cumsum(dim), np.cumsum(arr.astype(np.float64), axis=dim).astype(arr.dtype), 1e-4, 1e-3)
    check(torch.cumsum(t, dim=dim, dtype=torch.float64), np.cumsum(arr.astype(np.float64), axis=dim))
    small = (arr / 50).astype(arr.dtype)
    check(as_tensor(small, layout).cumprod(dim), np.cumprod(small.astype(np.float64), axis=dim).astype(arr.dtype), 1e-4, 1e-6)
    values, indices = t.cummax(dim)
    check(values, np.maximum.accumulate(arr, axis=dim))
    # The index is where the running maximum was last attained (ties move it forward).
    moved = np.moveaxis(arr, dim, -1)
    expected_idx = np.zeros(moved.shape, dtype=np.int64)
    for pos in np.ndindex(moved.shape[:-1]):
        best = -np.inf
        for i, v in enumerate(moved[pos]):
            if v >= best:
                best, at = v, i
            expected_idx[pos + (i,)] = at
    check(indices, np.moveaxis(expected_idx, -1, dim))
    check(t.cummin(dim).values, np.minimum.accumulate(arr, axis=dim))


@SETTINGS
@given(arrays(dtypes=("float32", "float64"), min_dims=1, min_side=1), st.data(), st.booleans(), LAYOUTS)
def test_softmax_logsumexp_match_numpy(arr, data, keepdim, layout):
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    t = as_tensor(arr, layout)
    x = arr.astype(np.float64)
    shifted = np.exp(x - x.max(axis=dim, keepdims=True))
    soft = shifted / shifted.sum(axis=dim, keepdims=True)
    check(t.softmax(dim), soft.astype(arr.dtype), 1e-4, 1e-6)
    check(torch.softmax(t, dim), soft.astype(arr.dtype), 1e-4, 1e-6)
    check(torch.log_softmax(t, dim=dim), np.log(soft).astype(arr.dtype), 1e-4, 1e-4)
    lse = np.log(np.exp(x - x.max(axis=dim, keepdims=True)).sum(axis=dim, keepdims=True)) + x.max(axis=dim, keepdims=True)
    check(torch.logsumexp(t, dim, keepdim), (lse if keepdim else lse.squeeze(dim)).astype(arr.dtype), 1e-4, 1e-4)


def test_softmax_dtype_argument_and_integer_error():
    x = torch.tensor([[1, 2, 3]])
    check(x.softmax(-1, dtype=torch.float64), np.exp([[1, 2, 3]]) / np.exp([1, 2, 3]).sum())
    with pytest.raises(RuntimeError, match="\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"):
        x.softmax(-1)
    assert math.isinf(torch.logsumexp(torch.tensor([float("inf"), 1.0]), 0).item())


@SETTINGS
@given(arrays(dtypes=("float32", "float64", "int64", "int32", "int16"), min_dims=1), st.data(), st.booleans(), LAYOUTS)
def test_sort_and_argsort_are_stable(arr, data, descending, layout):
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    arr = (arr // 10).astype(arr.dtype) if arr.dtype.kind == "i" else np.round(arr / 20).astype(arr.dtype)
    t = as_tensor(arr, layout)
    key = -arr.astype(np.float64) if descending else arr
    order = np.argsort(key, axis=dim, kind="stable")
    values, indices = torch.sort(t, dim, descending)
    check(indices, order)
    check(values, np.take_along_axis(arr, order, axis=dim))
    check(t.argsort(dim=dim, descending=descending), order)
    check(t.sort(dim=dim, descending=descending, stable=True).values, np.take_along_axis(arr, order, axis=dim))


def test_sort_puts_nan_last_ascending_and_first_descending():
    t = torch.tensor([2.0, float("nan"), -1.0, float("nan"), 0.5])
    v, i = t.sort()
    assert v.tolist()[:3] == [-1.0, 0.5, 2.0] and i.tolist() == [2, 4, 0, 1, 3]
    v, i = t.sort(descending=True)
    assert i.tolist() == [1, 3, 0, 4, 2]


@SETTINGS
@given(arrays(dtypes=("float32", "float64", "int64", "int32"), min_dims=1, min_side=1), st.data(), st.booleans())
def test_topk_and_kthvalue(arr, data, largest):
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    n = arr.shape[dim]
    k = data.draw(st.integers(0, n))
    t = as_tensor(arr)
    key = -arr.astype(np.float64) if largest else arr
    order = np.argsort(key, axis=dim, kind="stable")
    taken = np.take(order, np.arange(k), axis=dim)
    values, indices = t.topk(k, dim, largest)
    check(values, np.take_along_axis(arr, taken, axis=dim))
    check(indices, taken)
    if k >= 1:
        kth = torch.kthvalue(t, k, dim)
        check(kth.values, np.take(np.sort(arr, axis=dim), k - 1, axis=dim))
        picked = np.take_along_axis(arr, np.expand_dims(np.asarray(kth.indices), dim), axis=dim).squeeze(dim)
        check(picked, np.asarray(kth.values))


@SETTINGS
@given(arrays(dtypes=("float32", "float64", "int64"), min_dims=1, min_side=1), st.data(), st.booleans())
def test_median_and_mode(arr, data, keepdim):
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    arr = (arr // 200).astype(arr.dtype) if arr.dtype.kind == "i" else np.round(arr / 40).astype(arr.dtype)
    t = as_tensor(arr)
    n = arr.shape[dim]
    lower = np.take(np.sort(arr, axis=dim), (n - 1) // 2, axis=dim)
    med = t.median(dim, keepdim)
    check(med.values, np.expand_dims(lower, dim) if keepdim else lower)
    picked = np.take_along_axis(arr, np.expand_dims(np.asarray(t.median(dim).indices), dim), axis=dim).squeeze(dim)
    check(picked, lower)
    check(t.median(), np.sort(arr, axis=None)[(arr.size - 1) // 2])
    values, indices = torch.mode(t, dim)
    moved = np.moveaxis(arr, dim, -1)
    for pos in np.ndindex(moved.shape[:-1]):
        lane = moved[pos]
        uniq, counts = np.unique(lane, return_counts=True)
        expected = uniq[np.argmax(counts)]
        assert np.asarray(values)[pos] == expected
        assert np.asarray(indices)[pos] == np.flatnonzero(lane == expected)[-1]


def test_median_nan_and_nanmedian():
    t = torch.tensor([[1.0, float("nan"), 3.0, 2.0]])
    assert math.isnan(t.median().item())
    assert t.median(1).indices.tolist() == [1]
    assert t.nanmedian().item() == 2.0
    assert t.nanmedian(1).values.tolist() == [2.0]


@SETTINGS
@given(arrays(dtypes=("float32", "int64", "int32", "bool", "uint8")))
def test_unique_matches_numpy(arr):
    t = as_tensor(arr)
    values, inverse, counts = torch.unique(t, return_inverse=True, return_counts=True)
    ev, ei, ec = np.unique(arr, return_inverse=True, return_counts=True)
    check(values, ev)
    check(inverse, ei.reshape(arr.shape))
    check(counts, ec)
    check(t.unique(), ev)


@SETTINGS
@given(arrays(dtypes=("float32", "float64"), min_side=1), st.data(), st.booleans(), LAYOUTS,
       st.sampled_from([2, 1, 0, 3, 0.5, math.inf, -math.inf]))
def test_norm_matches_numpy(arr, data, keepdim, layout, p):
    dim = data.draw(dims_of(arr.ndim))
    t = as_tensor(arr, layout)
    axis, kd = np_axis(dim, arr.ndim), keepdim
    a = np.abs(arr.astype(np.float64))
    if p == math.inf:
        expected = np.amax(a, axis=axis, keepdims=kd)
    elif p == -math.inf:
        expected = np.amin(a, axis=axis, keepdims=kd)
    elif p == 0:
        expected = np.sum(a != 0, axis=axis, keepdims=kd).astype(np.float64)
    else:
        expected = np.sum(a ** p, axis=axis, keepdims=kd) ** (1 / p)
    check(t.norm(p, dim, keepdim), expected.astype(arr.dtype), 1e-4, 1e-4)
    check(torch.linalg.vector_norm(t, p, dim, keepdim), expected.astype(arr.dtype), 1e-4, 1e-4)


def test_nanmean_ignores_nan():
    t = torch.tensor([[1.0, float("nan"), 3.0], [float("nan"), float("nan"), 4.0]])
    check(t.nanmean(1), np.array([2.0, 4.0], dtype=np.float32))
    check(torch.nanmean(t), np.float32(8.0 / 3.0))


def test_empty_reductions_follow_pytorch():
    e = torch.zeros(0, 3)
    check(e.sum(), np.float32(0.0))
    check(e.sum(0), np.zeros(3, dtype=np.float32))
    check(e.prod(0), np.ones(3, dtype=np.float32))
    assert math.isnan(e.mean().item())
    check(e.amax(1), np.zeros(0, dtype=np.float32))
    check(e.all(), np.bool_(True))
    check(e.any(), np.bool_(False))
    check(e.cumsum(0), np.zeros((0, 3), dtype=np.float32))
    check(e.norm(), np.float32(0.0))
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified for input.numel\(\) == 0"):
        e.max()
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero size"):
        e.max(0)
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 0 to have non-zero size"):
        e.amax(0)
    with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim to be specified for input.numel\(\) == 0"):
        e.argmax()
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
        torch.linalg.vector_norm(e, math.inf)


def test_zero_dim_inputs():
    s = torch.tensor(3.5)
    check(s.sum(), np.float32(3.5))
    check(s.sum(0), np.float32(3.5))
    check(s.max(0).values, np.float32(3.5))
    check(s.max(0).indices, np.int64(0))
    check(s.cumsum(0), np.float32(3.5))
    check(s.softmax(0), np.float32(1.0))
    check(s.sort().values, np.float32(3.5))
    check(s.argmax(), np.int64(0))


def test_return_types_behave_like_pytorch():
    r = torch.max(torch.tensor([[1.0, 3.0], [4.0, 2.0]]), 1)
    assert isinstance(r, tuple) and len(r) == 2
    assert r.values.tolist() == [3.0, 4.0] and r.indices.tolist() == [1, 0]
    assert repr(r) == "torch.return_types.max(\nvalues=tensor([3., 4.]),\nindices=tensor([1, 0]))"
    assert type(r).__name__ == "max"
    mm = torch.aminmax(torch.tensor([3, 1, 2]))
    assert (mm.min.item(), mm.max.item()) == (1, 3)
    v, i = torch.sort(torch.tensor([2, 1]))
    assert v.tolist() == [1, 2]


def test_binary_max_min_dispatch_to_maximum():
    a, b = torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])
    assert torch.max(a, b).tolist() == [3.0, 5.0]
    assert a.min(b).tolist() == [1.0, 2.0]


def test_reduction_errors():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"):
        torch.arange(5).mean()
    with pytest.raises(RuntimeError, match="std and var only support floating point and complex dtypes"):
        torch.arange(5).std()
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"):
        torch.norm(torch.tensor([3, 4]))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        torch.zeros(2, 3).sum(2)
    with pytest.raises(RuntimeError, match="dim 1 appears multiple times in the list of dims"):
        torch.zeros(2, 3).sum((1, -1))
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        torch.zeros(3).topk(4)
    with pytest.raises(TypeError):
        torch.zeros(3).cumsum()


def test_large_reductions_use_threads_and_match_numpy():
    rs = np.random.RandomState(0)
    a = rs.rand(700, 600).astype(np.float32)
    before = torch.get_num_threads()
    try:
        for n in (1, 2, 3):
            torch.set_num_threads(n)
            assert torch.get_num_threads() == n
            t = torch.from_numpy(a)
            check(t.sum(), a.astype(np.float64).sum().astype(np.float32), 1e-5)
            check(t.sum(0), a.astype(np.float64).sum(0).astype(np.float32), 1e-5)
            check(t.sum(1), a.astype(np.float64).sum(1).astype(np.float32), 1e-5)
            check(torch.from_numpy(a.T).sum(1), a.astype(np.float64).sum(0).astype(np.float32), 1e-5)
            check(t.amax(0), a.max(0))
            check(t.var(0), a.astype(np.float64).var(0, ddof=1).astype(np.float32), 1e-4)
            check(t.softmax(1), (np.exp(a) / np.exp(a).sum(1, keepdims=True)), 1e-5, 1e-7)
            check(t.argmax(1), a.argmax(1))
            check(torch.from_numpy(a[:, :2].copy()).sum(0), a[:, :2].astype(np.float64).sum(0).astype(np.float32), 1e-5)
    finally:
        torch.set_num_threads(before)
    with pytest.raises(RuntimeError, match="Expected positive number of threads"):
        torch.set_num_threads(0)


def test_half_precision_reductions():
    a = np.linspace(-2, 2, 50).astype(np.float16)
    t = torch.from_numpy(a)
    assert t.sum().dtype == torch.float16
    check(t.sum(), np.float16(a.astype(np.float32).sum()), 1e-3, 1e-2)
    check(t.mean(), np.float16(a.astype(np.float32).mean()), 1e-3, 1e-3)
    check(t.amax(), a.max())
    b = t.to(torch.bfloat16)
    assert b.sum().dtype == torch.bfloat16
    assert abs(b.float().sum().item() - b.sum().float().item()) < 0.1


@pytest.mark.parametrize("threads", [1, 2])
def test_float32_sums_are_pairwise_accurate(threads):
    # Rows of 2^21 float32 values: blocks summed one after another drift by ~1e-6 relative;
    # merged pairwise they stay within ~1e-7 of the exact sum, as PyTorch's cascade sum does
    # (6e-8 here). Both the whole-tensor sum and the sum over the contiguous dim.
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        a = np.random.RandomState(0).uniform(0.5, 1.5, (4, 1 << 21)).astype(np.float32)
        exact = a.astype(np.float64).sum(axis=1)
        t = torch.from_numpy(a)
        assert abs(t.sum().item() - exact.sum()) / exact.sum() < 2e-7
        np.testing.assert_allclose(t.sum(1).numpy(), exact, rtol=2e-7)
        np.testing.assert_allclose(t.mean(1).numpy(), exact / a.shape[1], rtol=2e-7)
    finally:
        torch.set_num_threads(before)
