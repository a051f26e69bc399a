"""The package surface every other area relies on: dtype objects, Size, device, defaults."""
import pickle

import numpy as np
import pytest

import rustorch as torch

ALL_DTYPES = {
    "bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16, "int32": np.int32,
    "int64": np.int64, "float16": np.float16, "bfloat16": None, "float32": np.float32,
    "float64": np.float64,
}


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_objects_print_and_describe_like_pytorch(name):
    d = getattr(torch, name)
    assert repr(d) == str(d) == "torch." + name
    np_type = ALL_DTYPES[name]
    itemsize = 2 if np_type is None else np.dtype(np_type).itemsize
    assert d.itemsize == itemsize
    assert d.is_floating_point == (name.startswith("float") or name == "bfloat16")
    assert d.is_signed == (name not in ("bool", "uint8"))
    assert torch.zeros(1, dtype=d).dtype is d


def test_dtype_aliases_are_the_same_objects():
    assert torch.float is torch.float32 and torch.double is torch.float64
    assert torch.long is torch.int64 and torch.int is torch.int32
    assert torch.half is torch.float16 and torch.short is torch.int16
    assert len({torch.float32, torch.float, torch.int64}) == 2


def test_size_is_a_tuple_printed_like_pytorch():
    s = torch.zeros(2, 3).shape
    assert isinstance(s, tuple) and type(s).__name__ == "Size"
    assert s == (2, 3) and repr(s) == "torch.Size([2, 3])" and str(torch.zeros(()).shape) == "torch.Size([])"
    assert s.numel() == 6
    assert isinstance(s[0:1], torch.Size) and s[-1] == 3
    assert pickle.loads(pickle.dumps(s)) == s
    assert torch.zeros(2, 3).size() == s and torch.zeros(2, 3).size(-1) == 3


def test_device_objects():
    d = torch.device("cpu")
    assert repr(d) == "device(type='cpu')" and str(d) == "cpu" and d.type == "cpu" and d.index is None
    assert torch.device("cuda:1").index == 1 and str(torch.device("cuda", 0)) == "cuda:0"
    assert d == "cpu" and torch.device(d) == d and hash(d) == hash(torch.device("cpu"))
    assert torch.zeros(2).device == d
    with pytest.raises(RuntimeError, match="Expected one of cpu"):
        torch.device("tpu")


def test_cuda_and_version_plumbing():
    assert torch.cuda.is_available() is False
    assert torch.version.cuda is None
    assert isinstance(torch.__version__, str)
    t = torch.ones(2)
    assert t.to("cpu") is t and t.cpu() is t
    # PyTorch's CPU-only builds fail every CUDA use in torch.cuda._lazy_init.
    for use in (lambda: t.to("cuda"), lambda: t.cuda(), lambda: torch.zeros(1, device="cuda"),
                lambda: torch.cuda.current_device()):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            use()


def test_default_dtype_drives_float_inference():
    assert torch.get_default_dtype() is torch.float32
    try:
        torch.set_default_dtype(torch.float64)
        assert torch.tensor([1.5]).dtype is torch.float64
        assert (torch.tensor([1, 2]) / 2).dtype is torch.float64
        assert torch.tensor([1]).dtype is torch.int64
    finally:
        torch.set_default_dtype(torch.float32)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)


def test_tensor_basic_attributes():
    t = torch.zeros(2, 3, dtype=torch.float64)
    assert (t.dim(), t.ndim, t.numel(), t.element_size(), t.nbytes) == (2, 2, 6, 8, 48)
    assert t.stride() == (3, 1) and t.storage_offset() == 0 and t.is_contiguous()
    assert isinstance(t, torch.Tensor) and t.data_ptr() != 0
    assert len(t) == 2
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(torch.tensor(1.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(torch.ones(2))
    assert float(torch.tensor([2.5])) == 2.5 and int(torch.tensor(7)) == 7
    assert [10, 20, 30][torch.tensor(1)] == 20


def test_huge_allocations_raise_instead_of_aborting():
    with pytest.raises(RuntimeError):
        torch.empty(1 << 62)
    with pytest.raises(RuntimeError):
        torch.zeros(1 << 40, 1 << 40)
