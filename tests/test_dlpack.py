"""DLPack both ways: zero-copy with NumPy (and real PyTorch where installed), strides and every
dtype kept (bfloat16 through rustorch's own capsule), the producer kept alive."""
import gc
import importlib.util

import numpy as np
import pytest

import rustorch as torch
from rustorch.utils.dlpack import DLDeviceType, from_dlpack, to_dlpack

NUMPY_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64]


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
def test_numpy_to_rustorch_shares_memory(np_dtype):
    a = (np.arange(12) % 3).astype(np_dtype).reshape(3, 4)
    t = torch.from_dlpack(a)
    assert t.shape == (3, 4) and np.asarray(t).dtype == a.dtype
    np.testing.assert_array_equal(t.numpy(), a)
    a[1, 2] = 1
    assert t[1, 2].item() == 1  # the same memory


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES)
def test_rustorch_to_numpy_shares_memory(np_dtype):
    t = torch.from_numpy((np.arange(6) % 2).astype(np_dtype))
    a = np.from_dlpack(t)
    assert a.dtype == np_dtype and a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, t.numpy())


def test_strides_and_offsets_are_kept():
    base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    view = base.permute(2, 0, 1)[1:, :, ::2]
    a = np.from_dlpack(view)
    assert a.strides == tuple(s * 4 for s in view.stride())
    np.testing.assert_array_equal(a, view.numpy())
    back = torch.from_dlpack(np.arange(20.0).reshape(4, 5)[:, 1::2])
    assert back.stride() == (5, 2)
    np.testing.assert_array_equal(back.numpy(), np.arange(20.0).reshape(4, 5)[:, 1::2])


def test_bfloat16_travels_through_capsules():
    t = torch.tensor([1.5, -2.0, 3.25], dtype=torch.bfloat16)
    for capsule in (to_dlpack(t), t.__dlpack__(max_version=(1, 0))):
        u = from_dlpack(capsule)
        assert u.dtype == torch.bfloat16 and u.data_ptr() == t.data_ptr()
        assert u.float().tolist() == [1.5, -2.0, 3.25]


def test_producer_stays_alive_while_the_consumer_needs_it():
    t = torch.arange(1000, dtype=torch.float64)
    a = np.from_dlpack(t)
    del t
    gc.collect()
    torch.zeros(1000, dtype=torch.float64)  # would reuse freed memory
    assert a.sum() == sum(range(1000))
    src = np.arange(1000.0)
    u = torch.from_dlpack(src)
    del src
    gc.collect()
    assert u.sum().item() == sum(range(1000))
    v = u[10:20]  # a view keeps the imported memory too
    del u
    gc.collect()
    assert v.tolist() == [float(i) for i in range(10, 20)]


def test_protocol_details():
    t = torch.ones(2)
    assert t.__dlpack_device__() == (DLDeviceType.kDLCPU, 0)
    capsule = to_dlpack(t)
    from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="consumed only once"):
        from_dlpack(capsule)
    with pytest.raises(RuntimeError, match="Can't export tensors that require gradient"):
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError):
        t.__dlpack__(max_version=(1, 0), dl_device=(2, 0))
    copied = np.from_dlpack(t, copy=True)
    assert copied.ctypes.data != t.data_ptr() and copied.tolist() == [1.0, 1.0]


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="real PyTorch is not installed")
def test_real_pytorch_both_ways():
    import torch as real_torch  # only where real PyTorch is installed (never in CI)
    r = real_torch.arange(6, dtype=real_torch.bfloat16).reshape(2, 3).t()
    ours = torch.from_dlpack(r)
    assert ours.dtype == torch.bfloat16 and ours.stride() == (1, 3) and ours.data_ptr() == r.data_ptr()
    theirs = real_torch.from_dlpack(torch.arange(4, dtype=torch.int32))
    assert theirs.tolist() == [0, 1, 2, 3]
