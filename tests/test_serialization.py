"""Tensor pickling (pickle, copy.deepcopy, multiprocessing's pickler) and rustorch.save /
rustorch.load in PyTorch's zip checkpoint format, checked against NumPy and against files saved
by real PyTorch 2.13 (tests/data/torch-2.13, with the values PyTorch recorded in expected.json)."""
import copy
import pickle
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustorch as torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
FAST = settings(max_examples=30, deadline=None)


def sample(shape, dtype, seed):
    """A tensor of small integer values (exact in every dtype, bfloat16 included)."""
    data = np.random.default_rng(seed).integers(-60, 60, size=shape)
    return torch.tensor(data.astype(np.float64)).to(getattr(torch, dtype))


def same_tensor(a, b):
    """``a`` and ``b`` agree in class, dtype, layout, requires_grad and values."""
    assert type(a) is type(b)
    assert a.dtype == b.dtype
    assert a.shape == b.shape
    assert a.stride() == b.stride()
    assert a.storage_offset() == b.storage_offset()
    assert a.requires_grad == b.requires_grad
    assert a.detach().float().tolist() == b.detach().float().tolist()


def shares_memory(a, b):
    """Writing through ``a`` shows in ``b`` (both views of one storage)."""
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


@st.composite
def views(draw):
    """A tensor and a few views of it: transposed, sliced with a step, a row, a narrowed one."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=2, max_size=3)))
    base = sample(shape, draw(st.sampled_from(DTYPES)), draw(st.integers(0, 2**31)))
    return [base, base.transpose(0, 1), base[..., ::2], base[-1], base.narrow(0, shape[0] // 2, 1)]


# --- pickle / deepcopy ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_pickle_keeps_dtype_and_values(dtype, protocol):
    t = sample((2, 3), dtype, 0)
    same_tensor(pickle.loads(pickle.dumps(t, protocol=protocol)), t)


@FAST
@given(views())
def test_pickle_keeps_view_layout_and_sharing(tensors):
    loaded = pickle.loads(pickle.dumps(tensors))
    for a, b in zip(loaded, tensors):
        same_tensor(a, b)
    assert all(shares_memory(loaded[0], v) for v in loaded[1:])
    assert not shares_memory(loaded[0], tensors[0])


def test_pickle_scalar_empty_and_requires_grad():
    for t in [torch.tensor(3.5), torch.zeros(0, 3), torch.ones(2, requires_grad=True),
              torch.ones(2, requires_grad=True) * 2]:
        same_tensor(pickle.loads(pickle.dumps(t)), t if t.is_leaf else t.detach().requires_grad_())


def test_pickle_parameter_and_tensor_attributes():
    p = torch.nn.Parameter(torch.arange(4.0).reshape(2, 2))
    q = pickle.loads(pickle.dumps(p))
    same_tensor(q, p)
    frozen = pickle.loads(pickle.dumps(torch.nn.Parameter(torch.ones(1), requires_grad=False)))
    assert type(frozen) is torch.nn.Parameter and not frozen.requires_grad
    t = torch.ones(2)
    t.note = "kept"
    assert pickle.loads(pickle.dumps(t)).note == "kept"


def test_multiprocessing_pickler():
    t = torch.arange(6.0).reshape(2, 3).t()
    same_tensor(pickle.loads(ForkingPickler.dumps(t)), t)


def test_deepcopy_shares_within_copy_only():
    base = torch.arange(12.0).reshape(3, 4)
    copied = copy.deepcopy({"base": base, "col": base[:, 1], "t": base.t()})
    same_tensor(copied["col"], base[:, 1])
    same_tensor(copied["t"], base.t())
    copied["base"][0, 1] = -1.0
    assert copied["col"][0].item() == -1.0 and copied["t"][1, 0].item() == -1.0
    assert base[0, 1].item() == 1.0


def test_deepcopy_keeps_grad_and_refuses_non_leaves():
    x = torch.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    y = copy.deepcopy(x)
    assert y.requires_grad and y.grad.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)


def test_storage_objects():
    base = torch.arange(6.0)
    view = base[2:]
    assert view.untyped_storage() is base.untyped_storage()
    assert view.untyped_storage().nbytes() == 24
    storage = view.storage()
    assert storage.dtype == torch.float32 and len(storage) == 6 and storage.tolist() == base.tolist()
    assert torch.FloatStorage.dtype == torch.float32 and torch.BFloat16Storage.dtype == torch.bfloat16
    assert str(storage).endswith("[torch.storage.TypedStorage(dtype=torch.float32, device=cpu) of size 6]")
