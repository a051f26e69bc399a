"""The NumPy bridge: `from_numpy`, `.numpy()`, `np.asarray(t)`, `as_tensor` and
`torch.tensor(array)`, checked against NumPy itself (shared memory, dtypes, values) and
PyTorch's documented errors."""
import gc
import subprocess
import sys
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustorch as torch

NP_TO_TORCH = {
    np.bool_: torch.bool, np.uint8: torch.uint8, np.int8: torch.int8, np.int16: torch.int16,
    np.int32: torch.int32, np.int64: torch.int64, np.float16: torch.float16,
    np.float32: torch.float32, np.float64: torch.float64,
}
np_dtypes = st.sampled_from(list(NP_TO_TORCH))


def arrays(dtype=np_dtypes):
    return dtype.flatmap(lambda d: hnp.arrays(
        d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
        elements=hnp.from_dtype(np.dtype(d), allow_nan=False, allow_infinity=False)))


def views(arr_strategy):
    """Arrays and non-contiguous (but positively strided) views of them."""
    def view(arr):
        if arr.ndim == 0:
            return st.just(arr)
        return st.sampled_from([arr, arr[::2], arr.T, np.broadcast_to(arr[:1], arr.shape)])
    return arr_strategy.flatmap(view)


def data_ptr(arr):
    return arr.__array_interface__["data"][0]


@pytest.mark.filterwarnings("ignore:The given NumPy array is not writable")  # broadcast views
@settings(max_examples=60, deadline=None)
@given(views(arrays()))
def test_from_numpy_shares_memory_with_any_dtype_and_layout(arr):
    t = torch.from_numpy(arr)
    assert t.dtype == NP_TO_TORCH[arr.dtype.type]
    assert tuple(t.shape) == arr.shape
    if arr.size:
        assert t.stride() == tuple(s // arr.itemsize for s in arr.strides)
    back = t.numpy()
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)
    if arr.size:
        assert data_ptr(back) == data_ptr(arr) == t.data_ptr()


@settings(max_examples=60, deadline=None)
@given(arrays())
def test_tensor_copies_and_round_trips(arr):
    t = torch.tensor(arr)
    assert t.dtype == NP_TO_TORCH[arr.dtype.type] and t.is_contiguous()
    np.testing.assert_array_equal(t.numpy(), arr)
    if arr.size:
        assert t.data_ptr() != data_ptr(arr)
        assert t.tolist() == arr.tolist()


def test_writes_show_on_both_sides():
    a = np.ones(5)
    t = torch.from_numpy(a)
    np.add(a, 1, out=a)
    assert t.tolist() == [2.0] * 5
    t.add_(1)
    assert a.tolist() == [3.0] * 5
    a *= 2
    assert t.tolist() == [6.0] * 5

    t = torch.zeros(3)
    n = t.numpy()
    t += 5
    assert n.tolist() == [5.0] * 3
    n[1] = 7
    assert t.tolist() == [5.0, 7.0, 5.0]
    v = t._version
    t.fill_(0)
    assert t._version > v and n.tolist() == [0.0] * 3


def test_tensor_keeps_its_array_alive():
    a = np.arange(6, dtype=np.float64)
    ref = weakref.ref(a) if hasattr(a, "__weakref__") else None
    t = torch.from_numpy(a)
    del a
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), np.arange(6, dtype=np.float64))
    assert ref is None or ref() is not None
    del t
    gc.collect()
    assert ref is None or ref() is None


def test_array_keeps_its_tensor_alive():
    t = torch.arange(4)
    n = t.numpy()
    assert isinstance(n.base, torch.Tensor)
    del t
    gc.collect()
    assert n.tolist() == [0, 1, 2, 3]


def test_asarray_is_zero_copy_and_array_copies():
    t = torch.arange(6, dtype=torch.float32)
    a = np.asarray(t)
    assert data_ptr(a) == t.data_ptr() and a.dtype == np.float32
    c = np.array(t)
    assert data_ptr(c) != t.data_ptr()
    np.testing.assert_array_equal(c, a)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_numpy_of_views_and_0d():
    base = torch.from_numpy(np.arange(12).reshape(3, 4))
    n = torch.from_numpy(np.arange(12).reshape(3, 4)[:, ::2]).numpy()
    assert n.tolist() == [[0, 2], [4, 6], [8, 10]]
    assert torch.tensor(3.0).numpy().shape == () and torch.tensor(3.0).numpy().dtype == np.float32
    assert base.numpy().strides == (32, 8)


def test_torch_tensor_copies_but_as_tensor_shares():
    src = np.arange(6).reshape(2, 3)
    c = torch.tensor(src)
    src[0, 0] = 100
    assert c.tolist()[0][0] == 0 and c.dtype == torch.int64
    src2 = np.array([1.0, 2.0, 3.0])
    d = torch.as_tensor(src2)
    src2[0] = -1.0
    assert d.tolist() == [-1.0, 2.0, 3.0]
    e = torch.as_tensor(src2, dtype=torch.float32)
    src2[1] = -2.0
    assert e.dtype == torch.float32 and e.tolist() == [-1.0, 2.0, 3.0]
    f = torch.from_numpy(src2)
    assert torch.as_tensor(f) is f


def test_numpy_scalars_and_0d_arrays():
    t = torch.tensor(np.float64(2.5))
    assert t.dtype == torch.float64 and t.shape == () and t.tolist() == 2.5
    assert torch.tensor(np.array(7, dtype=np.int16)).dtype == torch.int16
    assert torch.as_tensor(np.float32(1.5)).dtype == torch.float32
    assert torch.from_numpy(np.array(3.0)).shape == ()


@pytest.mark.parametrize("tdtype, ndtype", [
    (torch.float32, "float32"), (torch.float64, "float64"), (torch.float16, "float16"),
    (torch.int32, "int32"), (torch.int64, "int64"), (torch.int16, "int16"), (torch.int8, "int8"),
    (torch.uint8, "uint8"), (torch.bool, "bool"),
])
def test_numpy_dtype_of_every_tensor_dtype(tdtype, ndtype):
    assert str(torch.zeros(2, dtype=tdtype).numpy().dtype) == ndtype


def test_bfloat16_numpy_raises_type_error():
    t = torch.zeros(2, dtype=torch.bfloat16)
    with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
        t.numpy()
    with pytest.raises(TypeError, match="BFloat16"):
        np.asarray(t)


@pytest.mark.parametrize("arr, exc, fragment", [
    (np.arange(3)[::-1], ValueError, "At least one stride in the given numpy array is negative"),
    (np.arange(3, dtype=">i4"), ValueError, "byte order different from the native byte order"),
    (np.array(["a"]), TypeError, "can't convert np.ndarray of type numpy.str_"),
    (np.array([object()]), TypeError, "can't convert np.ndarray of type numpy.object_"),
    (np.ones(2, dtype=np.longdouble), TypeError, "The only supported types are"),
])
def test_from_numpy_bad_arrays(arr, exc, fragment):
    with pytest.raises(exc) as info:
        torch.from_numpy(arr)
    assert fragment in str(info.value)
    with pytest.raises(exc):
        torch.tensor(arr)


@pytest.mark.parametrize("obj, name", [([1, 2], "list"), (np.float64(1.0), "numpy.float64"), (torch.zeros(1), "rustorch.Tensor")])
def test_from_numpy_wants_an_ndarray(obj, name):
    with pytest.raises(TypeError, match="expected np.ndarray \\(got %s\\)" % name.replace(".", "\\.")):
        torch.from_numpy(obj)


def test_read_only_arrays_warn_once_per_process():
    # The warning is process-wide state, so it is checked in a fresh interpreter.
    script = """
import warnings, numpy as np, rustorch as torch
ro = np.ones(3)
ro.flags.writeable = False
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.tensor(ro)  # copies: no warning
    print(len(caught))
    torch.from_numpy(ro)
    torch.as_tensor(ro)
    print(sum("not writable" in str(w.message) for w in caught))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "1"]


def test_numpy_ufuncs_return_tensors():
    t = torch.tensor([0.0, 1.0])
    s = np.sin(t)
    assert isinstance(s, torch.Tensor) and s.dtype == torch.float32
    np.testing.assert_allclose(s.numpy(), np.sin([0.0, 1.0]), rtol=1e-6)
    g = np.greater(t, 0.5)
    assert g.dtype == torch.uint8 and g.tolist() == [0, 1]


def test_pandas_values_convert():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    x = torch.tensor(frame.to_numpy(dtype=float))
    assert x.dtype == torch.float64 and x.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    y = torch.from_numpy(frame["b"].values)
    assert y.dtype == torch.int64 and y.tolist() == [3, 4]
    z = torch.tensor(frame["a"])  # a Series is a sequence
    assert z.dtype == torch.float64 and z.tolist() == [1.0, 2.0]
