"""Tensor pickling (pickle, copy.deepcopy, multiprocessing's pickler) and rustorch.save /
rustorch.load in PyTorch's zip checkpoint format, checked against NumPy and against files saved
by real PyTorch 2.13 (tests/data/torch-2.13, with the values PyTorch recorded in expected.json)."""
import collections
import copy
import io
import itertools
import json
import os
import pathlib
import pickle
import pickletools
import struct
import sys
import zipfile
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
    """A tensor and a few views of it: transposed, sliced with a step, a row, a narrowed one,
    an expanded one."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=2, max_size=3)))
    base = sample(shape, draw(st.sampled_from(DTYPES)), draw(st.integers(0, 2**31)))
    return [base, base.transpose(0, 1), base[..., ::2], base[-1], base.narrow(0, shape[0] // 2, 1),
            base[-1:].expand(3, *shape[1:])]


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
    torch.storage._warned_typed_storage = False
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        storage = view.storage()
    assert storage.dtype == torch.float32 and len(storage) == 6 and storage.tolist() == base.tolist()
    assert torch.FloatStorage.dtype == torch.float32 and torch.BFloat16Storage.dtype == torch.bfloat16
    assert str(storage).endswith("[torch.storage.TypedStorage(dtype=torch.float32, device=cpu) of size 6]")


# --- checkpoints saved by PyTorch 2.13 -------------------------------------------------------

DATA = pathlib.Path(__file__).parent / "data" / "torch-2.13"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def is_tensor_record(expected):
    return isinstance(expected, dict) and {"dtype", "shape", "values"} <= expected.keys()


def check_expected(value, expected, where="obj"):
    """``value`` is what PyTorch recorded in expected.json (tensors field by field; JSON turns
    dict keys into strings and tuples into lists)."""
    if is_tensor_record(expected):
        assert isinstance(value, torch.Tensor), where
        assert str(value.dtype) == "torch." + expected["dtype"], where
        assert list(value.shape) == expected["shape"], where
        assert list(value.stride()) == expected["stride"], where
        assert value.storage_offset() == expected["storage_offset"], where
        assert value.requires_grad == expected["requires_grad"], where
        flat = np.asarray(value.detach().reshape(-1).double() if value.dtype != torch.bool else value.reshape(-1))
        np.testing.assert_array_equal(flat, np.asarray(expected["values"], dtype=flat.dtype), err_msg=where)
    elif isinstance(expected, dict):
        assert isinstance(value, dict), where
        assert sorted(str(k) for k in value) == sorted(expected), where  # the JSON sorts some keys
        for key, item in value.items():
            check_expected(item, expected[str(key)], f"{where}[{key!r}]")
    elif isinstance(expected, list):
        assert isinstance(value, (list, tuple)) and len(value) == len(expected), where
        for i, (a, b) in enumerate(zip(value, expected)):
            check_expected(a, b, f"{where}[{i}]")
    else:
        assert type(value) is type(expected) and value == expected, where


PLAIN_FIXTURES = ["linear_state_dict.pt", "sgd_momentum_state_dict.pt", "adam_state_dict.pt", "dtypes.pt",
                  "shared_views.pt", "parameter.pt"]


@pytest.mark.parametrize("name", PLAIN_FIXTURES)
@pytest.mark.parametrize("how", ["path", "pathlib", "file", "bytesio", "mmap"])
def test_pytorch_fixture_loads_exactly(name, how):
    path = DATA / name
    if how == "path":
        loaded = torch.load(str(path))
    elif how == "pathlib":
        loaded = torch.load(path)
    elif how == "mmap":
        loaded = torch.load(path, mmap=True)
    elif how == "file":
        with open(path, "rb") as f:
            loaded = torch.load(f)
    else:
        loaded = torch.load(io.BytesIO(path.read_bytes()))
    check_expected(loaded, EXPECTED[name])


def test_pytorch_state_dicts_keep_their_containers():
    linear = torch.load(DATA / "linear_state_dict.pt")
    assert type(linear) is collections.OrderedDict and list(linear) == ["weight", "bias"]
    cnn = torch.load(DATA / "cnn_bn_state_dict.pt")
    assert type(cnn) is collections.OrderedDict
    assert list(cnn) == [k for k in EXPECTED["cnn_bn_state_dict.pt"] if k != "__eval_forward__"]
    check_expected(cnn, {k: v for k, v in EXPECTED["cnn_bn_state_dict.pt"].items() if k != "__eval_forward__"})
    assert cnn["1.num_batches_tracked"].dtype == torch.int64
    sgd = torch.load(DATA / "sgd_momentum_state_dict.pt")
    assert list(sgd["state"]) == [0, 1, 2, 3, 4, 5]
    adam = torch.load(DATA / "adam_state_dict.pt")
    assert adam["param_groups"][0]["betas"] == (0.9, 0.999)
    assert type(torch.load(DATA / "parameter.pt")) is torch.nn.Parameter


def test_pytorch_shared_views_share_one_storage():
    views = torch.load(DATA / "shared_views.pt")
    base = views["base"]
    assert all(shares_memory(base, v) for v in views.values())
    base[1, 2] = 100.0  # the element at storage offset 6
    assert views["t"][2, 1].item() == 100.0 and views["row"][2].item() == 100.0
    assert views["col"][1].item() == 100.0 and views["slice"][0, 1].item() == 100.0


def test_pytorch_nested_checkpoint():
    ckpt = torch.load(DATA / "checkpoint_nested.pt")
    check_expected({k: ckpt[k] for k in EXPECTED["checkpoint_nested.pt"]}, EXPECTED["checkpoint_nested.pt"])
    assert ckpt["shape"] == (2, 3) and type(ckpt["shape"]) is tuple
    assert type(ckpt["model"]) is collections.OrderedDict and ckpt["model"]._metadata == {"": {"version": 1}}
    assert [tuple(v.shape) for v in ckpt["model"].values()] == [(3, 4), (3,)]
    state = ckpt["optimizer"]["state"]
    assert list(state) == [0, 1] and list(state[0]) == ["step", "exp_avg", "exp_avg_sq"]
    assert state[1]["exp_avg"].shape == (3,) and state[0]["step"].shape == ()
    assert ckpt["optimizer"]["param_groups"][0]["params"] == [0, 1]


def test_malicious_fixture_runs_nothing(tmp_path, monkeypatch):
    expected = EXPECTED["malicious_pickle.pt"]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pickle.UnpicklingError) as info:
        torch.load(DATA / "malicious_pickle.pt")
    message = str(info.value)
    assert message.startswith("Weights only load failed.")
    assert "Unsupported global: GLOBAL io.open was not an allowed global by default." in message
    assert "weights_only` set to `False`" in message and "add_safe_globals([io.open])" in message
    assert not (tmp_path / expected["marker_file"]).exists()
    assert list(tmp_path.iterdir()) == []


def test_whole_module_needs_weights_only_false():
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL torch.nn.modules.linear.Linear was not an allowed"):
        torch.load(DATA / "whole_linear_module.pt")


def nn_classes(*names):
    """rustorch.nn classes, skipping the test until rustorch.nn provides them all."""
    missing = [n for n in names if not hasattr(torch.nn, n)]
    if missing:
        pytest.skip("rustorch.nn lacks " + ", ".join(missing))
    return [getattr(torch.nn, n) for n in names]


def test_whole_module_loads_as_rustorch_module():
    (linear_class,) = nn_classes("Linear")
    expected = EXPECTED["whole_linear_module.pt"]
    for loaded in [torch.load(DATA / "whole_linear_module.pt", weights_only=False)]:
        assert type(loaded) is linear_class
        check_expected(dict(loaded.state_dict()), expected["state_dict"])
        assert type(loaded.weight) is torch.nn.Parameter and loaded.weight.requires_grad
        assert (loaded.in_features, loaded.out_features) == (4, 3)
        x = torch.ones(1, 4)
        np.testing.assert_allclose(np.asarray(loaded(x).detach()),
                                   np.asarray(x) @ np.asarray(loaded.weight.detach()).T + np.asarray(loaded.bias.detach()),
                                   rtol=1e-5, atol=1e-6)
    with torch.serialization.safe_globals([linear_class]):
        assert type(torch.load(DATA / "whole_linear_module.pt")) is linear_class


def test_cnn_state_dict_computes_what_pytorch_computed():
    # The model PyTorch saved (its output matches the recorded one for this architecture only).
    Sequential, Conv2d, BatchNorm2d, ReLU, AdaptiveAvgPool2d, Flatten, Linear = nn_classes(
        "Sequential", "Conv2d", "BatchNorm2d", "ReLU", "AdaptiveAvgPool2d", "Flatten", "Linear")
    model = Sequential(Conv2d(3, 4, 3, padding=1), BatchNorm2d(4), ReLU(), AdaptiveAvgPool2d(1), Flatten(),
                       Linear(4, 2))
    model.load_state_dict(torch.load(DATA / "cnn_bn_state_dict.pt"))
    model.eval()
    forward = EXPECTED["cnn_bn_state_dict.pt"]["__eval_forward__"]
    x = torch.tensor(forward["input"]["values"]).reshape(forward["input"]["shape"])
    np.testing.assert_allclose(np.asarray(model(x).detach()).reshape(-1), forward["output"]["values"],
                               rtol=1e-5, atol=1e-6)


# --- rustorch -> file -> rustorch -------------------------------------------------------------

def round_trip(obj, weights_only=True, **save_args):
    buffer = io.BytesIO()
    torch.save(obj, buffer, **save_args)
    buffer.seek(0)
    return torch.load(buffer, weights_only=weights_only)


SAVE_FORMATS = [{}, {"pickle_protocol": 4}, {"_use_new_zipfile_serialization": False}]


@pytest.mark.parametrize("save_args", SAVE_FORMATS, ids=["zip", "zip-protocol4", "legacy"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_save_load_every_dtype(dtype, save_args):
    for t in [sample((2, 3), dtype, 1), sample((), dtype, 2), sample((0, 2), dtype, 3)]:
        same_tensor(round_trip(t, **save_args), t)


@FAST
@given(views(), st.sampled_from(SAVE_FORMATS))
def test_save_load_views_share_again(tensors, save_args):
    loaded = round_trip(tensors, **save_args)
    for a, b in zip(loaded, tensors):
        same_tensor(a, b)
    assert all(shares_memory(loaded[0], v) for v in loaded[1:])
    assert not shares_memory(loaded[0], tensors[0])


def test_save_writes_each_storage_once():
    base = torch.arange(1000.0)
    buffer = io.BytesIO()
    torch.save({"base": base, "views": [base[10:20], base[::3], base.reshape(10, 100).t()]}, buffer)
    records = zipfile.ZipFile(buffer).namelist()
    assert [r for r in records if "/data/" in r] == ["archive/data/0"]
    assert zipfile.ZipFile(buffer).getinfo("archive/data/0").file_size == 4000


def test_save_load_nested_containers_and_values():
    weight = torch.nn.Parameter(torch.randn(3, 2))
    obj = {
        "model": collections.OrderedDict(weight=weight, bias=torch.zeros(3)),
        "optimizer": {"state": {0: {"momentum_buffer": torch.ones(3, 2), "step": torch.tensor(4.0)}},
                      "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0], "foreach": None,
                                        "nesterov": False}]},
        "list": [1, 2.5, -3, 2**70, 1 + 2j, "text", b"bytes", bytearray(b"ba"), None, True],
        "tuple": (1, (2, (3,))), "set": {1, 2}, "frozenset": frozenset({"a"}),
        "size": torch.Size([2, 3]), "dtype": torch.bfloat16, "device": torch.device("cpu"),
        "counter": collections.Counter("aab"),
    }
    for save_args, weights_only in itertools.product(SAVE_FORMATS, [True, False]):
        loaded = round_trip(obj, weights_only, **save_args)
        assert list(loaded) == list(obj)
        assert type(loaded["model"]) is collections.OrderedDict
        same_tensor(loaded["model"]["weight"], weight)
        assert loaded["optimizer"]["param_groups"] == obj["optimizer"]["param_groups"]
        same_tensor(loaded["optimizer"]["state"][0]["step"], obj["optimizer"]["state"][0]["step"])
        for key in ["list", "tuple", "set", "frozenset", "counter"]:
            assert loaded[key] == obj[key] and type(loaded[key]) is type(obj[key])
        assert type(loaded["size"]) is torch.Size and loaded["size"] == (2, 3)
        assert loaded["dtype"] is torch.bfloat16 and loaded["device"] == torch.device("cpu")


def test_save_load_paths_and_files(tmp_path):
    t = torch.arange(6).reshape(2, 3)
    torch.save(t, str(tmp_path / "a.pt"))
    torch.save(t, tmp_path / "b.pt")
    with open(tmp_path / "c.pt", "wb") as f:
        torch.save(t, f)

    class WriteOnly:  # not seekable, as a pipe
        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))
            return len(data)

    sink = WriteOnly()
    torch.save(t, sink)
    (tmp_path / "d.pt").write_bytes(b"".join(sink.chunks))
    for name in "abcd":
        same_tensor(torch.load(tmp_path / f"{name}.pt"), t)
        same_tensor(torch.load(tmp_path / f"{name}.pt", mmap=True), t)


def test_mmap_loads_writable_copy_on_write(tmp_path):
    path = tmp_path / "w.pt"
    torch.save({"w": torch.ones(4)}, path)
    loaded = torch.load(path, mmap=True)["w"]
    loaded.add_(1.0)
    assert loaded.tolist() == [2.0] * 4
    assert torch.load(path)["w"].tolist() == [1.0] * 4


def test_mmap_errors(tmp_path):
    buffer = io.BytesIO()
    torch.save(torch.ones(1), buffer)
    buffer.seek(0)
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        torch.load(buffer, mmap=True)
    torch.save(torch.ones(1), tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used with files saved with"):
        torch.load(tmp_path / "legacy.pt", mmap=True)


def test_zip_layout_is_pytorchs(tmp_path):
    """The records, their order and alignment, and the pickle's names, as PyTorch writes them."""
    path = tmp_path / "model.ckpt.pt"
    torch.save({"w": torch.nn.Parameter(torch.ones(2)), "b": torch.zeros(3, dtype=torch.float16),
                "e": torch.zeros(0)}, path)
    with open(path, "rb") as f:
        archive = zipfile.ZipFile(f)
        names = archive.namelist()
        assert names == ["model.ckpt/data.pkl", "model.ckpt/.format_version", "model.ckpt/.storage_alignment",
                         "model.ckpt/byteorder", "model.ckpt/data/0", "model.ckpt/data/1", "model.ckpt/data/2",
                         "model.ckpt/version", "model.ckpt/.data/serialization_id"]
        assert archive.read("model.ckpt/byteorder") == sys.byteorder.encode()
        assert archive.read("model.ckpt/version") == b"3\n"
        assert len(archive.read("model.ckpt/.data/serialization_id")) == 40
        infos = archive.infolist()
        for info, following in zip(infos, infos[1:]):
            assert info.compress_type == zipfile.ZIP_STORED
            f.seek(info.header_offset)
            header = f.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            data_offset = info.header_offset + 30 + name_length + extra_length
            assert data_offset % 64 == 0
            # a 16-byte data descriptor follows each payload, except an empty one
            assert following.header_offset - (data_offset + info.file_size) == (16 if info.file_size else 0)
        data_pkl = archive.read("model.ckpt/data.pkl")
    assert data_pkl[:2] == b"\x80\x02"
    globals_named = [arg for op, arg, _ in pickletools.genops(data_pkl) if op.name == "GLOBAL"]
    assert globals_named == ["torch._utils _rebuild_parameter", "torch._utils _rebuild_tensor_v2",
                             "torch FloatStorage", "collections OrderedDict", "torch HalfStorage"]
    assert _persistent_ids(data_pkl) == [("storage", "FloatStorage", "0", "cpu", 2), ("storage", "HalfStorage", "1", "cpu", 3),
                                         ("storage", "FloatStorage", "2", "cpu", 0)]


def _persistent_ids(data_pkl):
    """The persistent ids in a pickle, with globals read as their names."""
    class Name(str):
        def __call__(self, *args):
            return None

    class Reader(pickle.Unpickler):
        def find_class(self, module, name):
            return Name(name)

        def persistent_load(self, pid):
            found.append(pid)

    found = []
    Reader(io.BytesIO(data_pkl)).load()
    return found


def test_save_refuses_one_memory_as_two_dtypes():
    x = torch.arange(4.0)
    with pytest.raises(RuntimeError, match="Cannot save multiple tensors or storages that view the same data as different types"):
        torch.save([x, x.view(torch.int32)], io.BytesIO())


def test_save_and_load_argument_errors():
    with pytest.raises(AttributeError, match="expected 'f' to be string, path, or a file-like object with a 'write'"):
        torch.save(torch.ones(1), 3)

    class Unseekable(io.RawIOBase):
        def readable(self):
            return True

        def seek(self, *args):
            raise io.UnsupportedOperation("seek")

    with pytest.raises(io.UnsupportedOperation, match="You can only torch.load from a file that is seekable"):
        torch.load(Unseekable())
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module is specified"):
        torch.load(io.BytesIO(), pickle_module=pickle, weights_only=True)
    with pytest.raises(RuntimeError, match="Invalid magic number; corrupt file"):
        torch.load(io.BytesIO(pickle.dumps(12345, protocol=2)))


# --- weights_only: what a crafted checkpoint can and cannot do -------------------------------

def checkpoint_with(data_pkl, records=()):
    """A zip checkpoint around a hand-made data.pkl."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        for name, data in records:
            archive.writestr("archive/" + name, data)
    buffer.seek(0)
    return buffer


class Shell:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


class Evaluate:
    def __reduce__(self):
        return (eval, ("open('pwned', 'w')",))


class OpenFile:
    def __reduce__(self):
        return (io.open, ("pwned", "w"))


ATTACKS = [
    (pickle.dumps(Shell(), protocol=2), "Trying to load unsupported GLOBAL posix.system whose module posix is blocked"),
    (pickle.dumps(Evaluate(), protocol=2), "Unsupported global: GLOBAL eval was not an allowed global by default"),
    (pickle.dumps([OpenFile()], protocol=4), "Unsupported global: GLOBAL io.open was not an allowed global by default"),
    (b"(S'pwned'\nS'w'\nio\nopen\n.", "Unsupported operand 83"),  # protocol 0's STRING
    (b"\x80\x02(X\x05\x00\x00\x00pwnedio\nopen\n.", "Unsupported operand 105"),  # INST
    (b"\x80\x02}}b.", "Can only build Tensor, Parameter, OrderedDict or types allowlisted via `add_safe_globals`, but got <class 'dict'>"),
    (b"\x80\x02}K\x01a.", "Can only append to lists, but got <class 'dict'>"),
    (b"\x80\x02]K\x01K\x02s.", "Can only SETITEM for dict, collections.OrderedDict, collections.Counter, but got <class 'list'>"),
    (b"\x80\x02X\x06\x00\x00\x00module\x85Q.", "Only persistent_load of storage is allowed"),
    (b"\x80\x02ccopyreg\n_reconstructor\n.", "Unsupported global: GLOBAL copyreg._reconstructor"),
]


@pytest.mark.parametrize("data_pkl, message", ATTACKS)
def test_weights_only_refuses_crafted_pickles(data_pkl, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pickle.UnpicklingError) as info:
        torch.load(checkpoint_with(data_pkl))
    assert str(info.value).startswith("Weights only load failed.")
    assert message in str(info.value)
    assert list(tmp_path.iterdir()) == []


class Point:
    def __init__(self, xy):
        self.xy = xy


class Tagged(torch.Tensor):
    pass


def saved(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return buffer


def test_safe_globals_allow_user_classes():
    path = f"{Point.__module__}.Point"
    with pytest.raises(pickle.UnpicklingError, match=f"GLOBAL {path} was not an allowed global by default"):
        torch.load(saved(Point(torch.ones(2))))
    assert torch.serialization.get_safe_globals() == []
    with torch.serialization.safe_globals([Point]):
        assert torch.serialization.get_safe_globals() == [Point]
        loaded = torch.load(saved(Point(torch.ones(2))))
    assert type(loaded) is Point and loaded.xy.tolist() == [1.0, 1.0]
    assert torch.serialization.get_safe_globals() == []
    torch.serialization.add_safe_globals([(Point, path)])
    try:
        assert type(torch.load(saved(Point(1)))) is Point
    finally:
        torch.serialization.clear_safe_globals()
    assert torch.serialization.get_safe_globals() == []


def test_tensor_subclass_and_attributes():
    t = Tagged(torch.arange(3.0))
    t.label = "x"
    with pytest.raises(pickle.UnpicklingError, match="Tagged was not an allowed global"):
        torch.load(saved(t))
    for loaded in [torch.load(saved(t), weights_only=False), pickle.loads(pickle.dumps(t))]:
        assert type(loaded) is Tagged and loaded.label == "x" and loaded.tolist() == [0.0, 1.0, 2.0]
    with torch.serialization.safe_globals([Tagged]):
        assert type(torch.load(saved(t))) is Tagged


def test_weights_only_false_maps_torch_names():
    found = torch.load(checkpoint_with(b"\x80\x02ctorch.nn.modules.fancy\nParameter\nq\x00."), weights_only=False)
    assert found is torch.nn.Parameter
    assert torch.load(checkpoint_with(b"\x80\x02ctorch\nfloat16\n."), weights_only=False) is torch.float16
    with pytest.raises(AttributeError, match="rustorch has no counterpart of torch.nn.modules.fancy.NoSuchThing"):
        torch.load(checkpoint_with(b"\x80\x02ctorch.nn.modules.fancy\nNoSuchThing\n."), weights_only=False)
    loaded = torch.load(saved({"p": Point(torch.ones(1)), "pid": os.getpid}), weights_only=False)
    assert type(loaded["p"]) is Point and loaded["pid"] is os.getpid


# --- map_location -----------------------------------------------------------------------------

def cuda_checkpoint():
    """A checkpoint whose storage was saved from cuda:0 (rewritten from a CPU one)."""
    source = zipfile.ZipFile(saved({"w": torch.arange(3.0)}))
    records = [(name.split("/", 1)[1], source.read(name)) for name in source.namelist()]
    records = [(n, d.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0") if n == "data.pkl" else d)
               for n, d in records]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in records:
            archive.writestr("archive/" + name, data)
    buffer.seek(0)
    return buffer


def test_map_location_cpu_forms():
    t = torch.arange(4.0)
    seen = []

    def record(storage, location):
        seen.append(location)
        return storage

    for map_location in [None, "cpu", b"cpu", torch.device("cpu"), {"cpu": "cpu"}, record, lambda s, loc: None]:
        same_tensor(torch.load(saved(t), map_location=map_location), t)
    assert seen == ["cpu"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the errors of a machine without a GPU")
def test_map_location_cuda_storages():
    with pytest.raises(RuntimeError, match=r"Attempting to deserialize object on a CUDA device but torch.cuda.is_available\(\) is False"):
        torch.load(cuda_checkpoint())
    with pytest.raises(RuntimeError, match="is_available"):
        torch.load(saved(torch.ones(1)), map_location="cuda")
    seen = []
    for map_location in ["cpu", torch.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: seen.append(loc) or s]:
        assert torch.load(cuda_checkpoint(), map_location=map_location)["w"].tolist() == [0.0, 1.0, 2.0]
    assert seen == ["cuda:0"]
    with pytest.raises(RuntimeError, match=r"don't know how to restore data location of torch.storage.UntypedStorage \(tagged with tpu\)"):
        torch.load(saved(torch.ones(1)), map_location="tpu")


# --- against real PyTorch, where it is installed ----------------------------------------------

@pytest.fixture
def pytorch():
    module = pytest.importorskip("torch")
    if module is torch:
        pytest.skip("`torch` is rustorch here")
    return module


def interop_objects(lib):
    """The same checkpoint-like object built by either library."""
    base = lib.arange(12.0).reshape(3, 4)
    return {
        "base": base, "t": base.t(), "col": base[:, 1], "slice": base[1:, ::2],
        "half": lib.tensor([1.5, -2.25, 65504.0], dtype=lib.float16),
        "bf16": lib.tensor([1.5, -2.25, 3.0e38], dtype=lib.bfloat16),
        "mask": lib.tensor([True, False]), "count": lib.tensor(7), "i8": lib.tensor([-128, 127], dtype=lib.int8),
        "param": lib.nn.Parameter(lib.tensor([[1.0, 2.0]])),
        "optimizer": {"state": {0: {"exp_avg": lib.ones(2), "step": lib.tensor(3.0)}},
                      "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "params": [0], "foreach": None}]},
        "size": lib.Size([2, 3]), "dtype": lib.float64,
    }


def assert_same_checkpoint(loaded, reference, lib):
    assert list(loaded) == list(reference)
    for key, value in reference.items():
        got = loaded[key]
        if key == "optimizer":
            assert got["param_groups"] == value["param_groups"]
            assert got["state"][0]["exp_avg"].tolist() == value["state"][0]["exp_avg"].tolist()
            assert got["state"][0]["step"].tolist() == value["state"][0]["step"].tolist()
        elif hasattr(value, "stride"):
            assert type(got).__name__ == type(value).__name__
            assert str(got.dtype) == str(value.dtype) and tuple(got.shape) == tuple(value.shape)
            assert tuple(got.stride()) == tuple(value.stride()) and got.storage_offset() == value.storage_offset()
            assert got.requires_grad == value.requires_grad
            assert got.detach().float().tolist() == value.detach().float().tolist()
        elif key == "dtype":
            assert str(got) == str(value)
        else:
            assert got == value and type(got).__name__ == type(value).__name__
    views = [loaded[k].untyped_storage().data_ptr() for k in ("base", "t", "col", "slice")]
    assert len(set(views)) == 1


@pytest.mark.parametrize("zip_format", [True, False])
def test_pytorch_loads_rustorch_checkpoints(pytorch, zip_format):
    buffer = io.BytesIO()
    torch.save(interop_objects(torch), buffer, _use_new_zipfile_serialization=zip_format)
    buffer.seek(0)
    assert_same_checkpoint(pytorch.load(buffer), interop_objects(pytorch), pytorch)


@pytest.mark.parametrize("zip_format", [True, False])
def test_rustorch_loads_pytorch_checkpoints(pytorch, zip_format):
    buffer = io.BytesIO()
    pytorch.save(interop_objects(pytorch), buffer, _use_new_zipfile_serialization=zip_format)
    buffer.seek(0)
    assert_same_checkpoint(torch.load(buffer), interop_objects(torch), torch)
