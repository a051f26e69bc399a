"""`import rustorch` stays light: a structural check of what it imports (not a timed test; the
time itself is measured in benches/compare.py), and the parts loaded on first use still work."""
import subprocess
import sys

# Modules a plain `import rustorch` must not load: each costs milliseconds (multiprocessing
# ~15 ms, dataclasses ~15 ms with inspect, zipfile+pathlib ~10 ms) or is an optional dependency.
# (inspect is not listed: the in-place forms' __signature__ is built with it at import.)
HEAVY = [
    "multiprocessing", "numpy", "tensorboard", "torch", "mpi4py", "zipfile", "pickle",
    "dataclasses", "typing", "urllib", "socket", "tempfile", "shutil", "pathlib", "queue",
    "subprocess", "json", "logging", "ctypes", "importlib.metadata", "unittest", "random",
]


def _imports_of(code):
    """{module: the module that imported it} for every module the imports in `code` load
    (-X importtime; the interpreter's own start-up, site and .pth files, left out)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True, check=True)
    entries = []
    # The start-up modules end with site's line, at the top level.
    lines = proc.stderr.splitlines()
    start_up_end = max(i for i, line in enumerate(lines) if line.endswith("| site"))
    lines = lines[start_up_end + 1:]
    for line in lines:
        if line.startswith("import time:") and "self [us]" not in line:
            name = line.split("|")[2][1:]
            entries.append((len(name) - len(name.lstrip()), name.strip()))
    # importtime lists a module after everything it imported, one level less indented.
    importer = {}
    for i, (depth, name) in enumerate(entries):
        importer[name] = next((n for d, n in entries[i + 1:] if d < depth), None)
    return importer


def test_plain_import_skips_heavy_and_optional_modules():
    importer = _imports_of("import rustorch")
    assert "rustorch" in importer
    loaded = {m: importer[m] for m in importer
              if any(m == h or m.startswith(h + ".") for h in HEAVY)}
    assert not loaded, "import rustorch loads %s" % ", ".join(
        "%s (imported by %s)" % item for item in sorted(loaded.items()))


def test_lazily_loaded_parts_work_in_a_fresh_interpreter():
    code = """
import rustorch as torch
from rustorch import save, load
import io
buf = io.BytesIO()
torch.save({"w": torch.arange(3.)}, buf)
buf.seek(0)
assert torch.load(buf)["w"].tolist() == [0.0, 1.0, 2.0]
assert save is torch.save is torch.serialization.save and load is torch.serialization.load
assert "save" in dir(torch) and "lr_scheduler" not in dir(torch)
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
assert torch.optim.lr_scheduler.StepLR(opt, 1).get_last_lr() == [1.0]
from rustorch.optim.lr_scheduler import CosineAnnealingLR
from rustorch.utils.data import DataLoader, TensorDataset
assert torch.utils.data.DataLoader is DataLoader
assert [b[0].tolist() for b in DataLoader(TensorDataset(torch.arange(4.)), batch_size=2)] == [[0., 1.], [2., 3.]]
assert torch.nn.parallel.DistributedDataParallel is torch.nn.parallel.distributed.DistributedDataParallel
from rustorch.nn.parallel import DistributedDataParallel
import typing
assert torch.jit.Final is typing.Final
try:
    torch.optim.no_such_thing
except AttributeError:
    pass
else:
    raise AssertionError("no AttributeError")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
