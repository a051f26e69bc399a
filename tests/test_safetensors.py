"""rustorch.utils.safetensors: state dicts through the safetensors package's own code,
memory-mapped loads, files written by PyTorch, Hugging Face's sharded index."""
import importlib.util
import json
import os

import numpy as np
import pytest

import rustorch as torch

if importlib.util.find_spec("safetensors") is None:
    pytest.skip("safetensors is not installed", allow_module_level=True)
from rustorch.utils import safetensors as st  # noqa: E402

PYTORCH_FILE = os.path.join(os.path.dirname(__file__), "data", "ecosystem", "pytorch_written.safetensors")


def state_dict():
    return {
        "f32": torch.arange(12, dtype=torch.float32).reshape(3, 4),
        "bf16": torch.tensor([1.5, -2.0], dtype=torch.bfloat16),
        "f16": torch.tensor([0.5], dtype=torch.float16),
        "f64": torch.tensor([[1e-300]], dtype=torch.float64),
        "i64": torch.tensor([-(2**62)], dtype=torch.int64),
        "i8": torch.tensor([-5, 5], dtype=torch.int8),
        "u8": torch.tensor([255], dtype=torch.uint8),
        "b": torch.tensor([True, False]),
        "scalar": torch.tensor(3.0),
    }


def assert_same(a, b):
    assert sorted(a) == sorted(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
        assert torch.equal(a[k], b[k]), k


def test_round_trip_every_dtype(tmp_path):
    path = str(tmp_path / "m.safetensors")
    st.save_file(state_dict(), path, metadata={"note": "x"})
    assert_same(st.load_file(path), state_dict())
    assert_same(st.load(st.save(state_dict())), state_dict())
    from safetensors import safe_open  # the package reads our file's header and metadata
    with safe_open(path, framework="numpy") as f:
        assert f.metadata() == {"note": "x"} and sorted(f.keys()) == sorted(state_dict())
        np.testing.assert_array_equal(f.get_tensor("f32"), np.arange(12, dtype=np.float32).reshape(3, 4))


def test_load_is_memory_mapped_copy_on_write(tmp_path):
    path = str(tmp_path / "m.safetensors")
    st.save_file({"a": torch.zeros(1000), "b": torch.ones(10)}, path)
    loaded = st.load_file(path)
    a, b = loaded["a"], loaded["b"]
    # Both tensors view one mapping of the whole file: their bytes lie as they do in the file.
    assert b.data_ptr() - a.data_ptr() == 4000
    a.add_(1)
    assert st.load_file(path)["a"].sum().item() == 0  # the file is unchanged


def test_reads_a_file_written_by_pytorch():
    loaded = st.load_file(PYTORCH_FILE)
    assert loaded["bf16"].dtype == torch.bfloat16 and loaded["bf16"].shape == (2, 3)
    np.testing.assert_allclose(loaded["bf16"].float().numpy().ravel(), [0, 0.333984375, 0.66796875, 1, 1.3359375, 1.6640625])
    assert loaded["i64"].tolist() == [-(2**62), 7] and loaded["u8"].tolist() == [0, 255]
    assert loaded["f16"].tolist() == [1.5, -2.25, 65504.0] and loaded["scalar"].shape == ()
    assert loaded["bool"].tolist() == [True, False, True]


def test_save_model_stores_tied_weights_once(tmp_path):
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 3))
    model[1].weight = model[0].weight
    path = str(tmp_path / "tied.safetensors")
    with pytest.raises(RuntimeError, match="share memory"):
        st.save_file(model.state_dict(), path)
    st.save_model(model, path)
    fresh = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 3))
    fresh[1].weight = fresh[0].weight
    st.load_model(fresh, path)
    assert torch.equal(fresh[0].weight, model[0].weight) and torch.equal(fresh[1].bias, model[1].bias)


def test_sharded_checkpoint_with_index(tmp_path):
    sd = {"layer%d.weight" % i: torch.full((64,), float(i)) for i in range(5)}  # 256 bytes each
    files = st.save_sharded(sd, str(tmp_path), max_shard_size=600)
    assert files == ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                     "model-00003-of-00003.safetensors", "model.safetensors.index.json"]
    index = json.load(open(tmp_path / "model.safetensors.index.json"))
    assert index["metadata"] == {"total_size": 5 * 256}
    assert index["weight_map"]["layer4.weight"] == "model-00003-of-00003.safetensors"
    for directory_or_index in (str(tmp_path), str(tmp_path / "model.safetensors.index.json")):
        assert_same(st.load_sharded(directory_or_index), sd)
    single = tmp_path / "one"
    assert st.save_sharded(sd, str(single)) == ["model.safetensors"]
    assert_same(st.load_sharded(str(single)), sd)
