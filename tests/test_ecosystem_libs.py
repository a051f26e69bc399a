"""Libraries from PyPI that import torch themselves, run on rustorch by `python -m rustorch`."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "data", "ecosystem", "libs_script.py")
PYTORCH_FILE = os.path.join(HERE, "data", "ecosystem", "pytorch_written.safetensors")


def needs(package):
    """Skips without ``package`` (found, not imported: some import torch at import time)."""
    if importlib.util.find_spec(package) is None:
        pytest.skip("%s is not installed" % package)


def run_libs(*args):
    r = subprocess.run([sys.executable, "-m", "rustorch", SCRIPT, *args], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.splitlines()[-1]), r.stderr


def test_safetensors_torch(tmp_path):
    needs("safetensors")
    out, _ = run_libs("safetensors", str(tmp_path / "x.safetensors"), PYTORCH_FILE)
    assert out["roundtrip"] == {"b": ["torch.bfloat16", [1.5, -2.0]], "i": ["torch.int64", [1.0, 2.0, 3.0]],
                                "m": ["torch.bool", [1.0, 0.0]],
                                "w": ["torch.float32", [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]]}
    assert out["bytes_roundtrip"] == ["b", "i", "m", "w"]
    pt = out["pytorch_written"]
    assert pt["bf16"][:2] == ["torch.bfloat16", [2, 3]] and pt["bf16"][2][0][1] == 0.333984375
    assert pt["i64"] == ["torch.int64", [2], [float(-(2**62)), 7.0]]
    assert pt["scalar"] == ["torch.float32", [], 2.5]
    assert pt["u8"][2] == [0.0, 255.0] and pt["bool"][2] == [1.0, 0.0, 1.0]


def test_einops():
    needs("einops")
    out, _ = run_libs("einops")
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert out["rearrange"] == x.transpose(2, 0, 1).reshape(4, 6).tolist()
    assert out["reduce"] == x.max(1).tolist()
    assert out["repeat"] == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    assert out["layers"] == x.reshape(2, 12).mean(0).tolist()
    assert out["backend"] == "TorchBackend"


def test_tqdm_over_a_dataloader():
    needs("tqdm")
    out, err = run_libs("tqdm")
    assert out["batches"] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0], [9.0]]
    assert "batches: 100%" in err and "4/4" in err  # tqdm knew the loader's length


def test_skorch_trains_a_classifier():
    needs("skorch")
    out, _ = run_libs("skorch")
    assert out["epochs"] == 15 and out["proba_shape"] == [4, 2]
    assert out["accuracy"] > 0.9


def test_fnn_example_uses_sklearn_data_and_plots_the_loss(tmp_path):
    example = os.path.join(HERE, "..", "examples", "fnn_diabetes.py")
    if not os.path.exists(example):
        pytest.skip("run from a source checkout")
    needs("sklearn")
    needs("matplotlib")
    plot = tmp_path / "loss.png"
    r = subprocess.run([sys.executable, example, "--epochs", "2", "--plot", str(plot)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "data: 442 rows x 10 features" in r.stdout and "Epoch[2/2]" in r.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
