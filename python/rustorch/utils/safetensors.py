"""Safetensors files for rustorch state dicts, through the ``safetensors`` package's own code
(an optional dependency: ``pip install safetensors``): its ``safetensors.torch`` module runs over
rustorch, so the format, the header checks and the shared-tensor rules are the package's.
Loading memory-maps the file (``UntypedStorage.from_file``) and reads the header with the package. ``save_sharded``/``load_sharded``
read and write Hugging Face's sharded checkpoints (``model.safetensors.index.json``).

Note: the package's compiled loader caches the module it finds as ``torch`` on its first load;
a process that loads through here before importing real PyTorch gets rustorch tensors there.
"""
import contextlib
import importlib.util
import json
import os
import sys

__all__ = ["save_file", "load_file", "save", "load", "save_model", "load_model",
           "save_sharded", "load_sharded", "SAFE_WEIGHTS_NAME", "SAFE_WEIGHTS_INDEX_NAME"]

SAFE_WEIGHTS_NAME = "model.safetensors"
SAFE_WEIGHTS_INDEX_NAME = "model.safetensors.index.json"

_package_module = None


def _dtype(code):
    """The rustorch dtype of a safetensors dtype code ("F32", "BF16", …)."""
    import rustorch as t
    table = {"F64": t.float64, "F32": t.float32, "F16": t.float16, "BF16": t.bfloat16, "I64": t.int64,
             "I32": t.int32, "I16": t.int16, "I8": t.int8, "U8": t.uint8, "BOOL": t.bool}
    if code not in table:
        raise TypeError("rustorch has no dtype for safetensors' %s yet" % code)
    return table[code]


@contextlib.contextmanager
def _torch_is_rustorch():
    """``import torch`` gives rustorch inside the block, unless a torch is already imported."""
    import rustorch
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = rustorch
    try:
        yield
    finally:
        if sys.modules.get("torch") is rustorch:
            del sys.modules["torch"]


def _st():
    """A private copy of ``safetensors.torch`` whose ``torch`` is rustorch."""
    global _package_module
    if _package_module is None:
        spec = importlib.util.find_spec("safetensors.torch")
        if spec is None:
            raise ImportError("rustorch.utils.safetensors needs the safetensors package (pip install safetensors)")
        module = importlib.util.module_from_spec(spec)
        import rustorch
        with _torch_is_rustorch():
            spec.loader.exec_module(module)
        _package_module = module
    return _package_module


def _as_rustorch(tensors):
    """Tensors from a loader that found real PyTorch as ``torch`` come over by DLPack (no copy)."""
    import rustorch
    return {k: v if isinstance(v, rustorch.Tensor) else rustorch.from_dlpack(v) for k, v in tensors.items()}


def save_file(tensors, filename, metadata=None):
    """Writes ``{name: tensor}`` (contiguous, not sharing memory) to ``filename``."""
    _st().save_file(tensors, filename, metadata=metadata)


def load_file(filename, device="cpu"):
    """``{name: tensor}`` from a safetensors file; the tensors view the memory-mapped file
    (copy-on-write: changing them leaves the file as it is). The package reads the header;
    the data section holds the tensors back to back in offset order (the format allows no
    holes), so each one is a slice of the mapping."""
    import rustorch
    from safetensors import safe_open
    if str(device) != "cpu":
        raise RuntimeError("rustorch.utils.safetensors loads onto the CPU only, not %s" % device)
    size = os.path.getsize(filename)
    with open(filename, "rb") as f:
        data_start = 8 + int.from_bytes(f.read(8), "little")  # the format's length prefix
    mapped = rustorch.UntypedStorage.from_file(os.fspath(filename), shared=False, nbytes=size)
    tensors, start = {}, data_start
    with safe_open(filename, framework="numpy") as f:
        for name in f.offset_keys():
            info = f.get_slice(name)
            dtype, shape = _dtype(info.get_dtype()), info.get_shape()
            nbytes = dtype.itemsize * _numel(shape)
            flat = rustorch.asarray(mapped[start:start + nbytes], dtype=rustorch.uint8)
            tensors[name] = (flat.view(dtype) if nbytes else rustorch.empty(0, dtype=dtype)).reshape(shape)
            start += nbytes
    return tensors


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def save(tensors, metadata=None):
    """The safetensors bytes of ``{name: tensor}``."""
    return _st().save(tensors, metadata=metadata)


def load(data):
    """``{name: tensor}`` from safetensors bytes."""
    return _st().load(data)


def save_model(model, filename, metadata=None, force_contiguous=False):
    """A module's state dict, with tied (shared) parameters stored once, as the package does."""
    _st().save_model(model, filename, metadata=metadata, force_contiguous=force_contiguous)


def load_model(model, filename, strict=True, device="cpu"):
    """Loads a ``save_model`` file into ``model``; returns (missing, unexpected) keys."""
    with _torch_is_rustorch():
        return _st().load_model(model, filename, strict=strict, device=device)


def _parse_size(size):
    if isinstance(size, int):
        return size
    units = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
             "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
    text = str(size).strip().upper()
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return int(float(text[:-len(unit)]) * units[unit])
    return int(text)


def save_sharded(state_dict, save_directory, max_shard_size="5GB", metadata=None):
    """Writes ``state_dict`` as Hugging Face does: one ``model.safetensors`` when it fits in
    ``max_shard_size``, else ``model-0000i-of-0000n.safetensors`` shards (tensors in order,
    a new shard when the next would overflow) plus ``model.safetensors.index.json`` mapping
    each name to its shard. Returns the files written."""
    limit = _parse_size(max_shard_size)
    shards, current, current_size = [], {}, 0
    for name, tensor in state_dict.items():
        size = tensor.numel() * tensor.element_size()
        if current and current_size + size > limit:
            shards.append(current)
            current, current_size = {}, 0
        current[name] = tensor.contiguous()
        current_size += size
    shards.append(current)
    os.makedirs(save_directory, exist_ok=True)
    meta = {"format": "pt", **(metadata or {})}
    if len(shards) == 1:
        save_file(shards[0], os.path.join(save_directory, SAFE_WEIGHTS_NAME), metadata=meta)
        return [SAFE_WEIGHTS_NAME]
    names = ["model-%05d-of-%05d.safetensors" % (i + 1, len(shards)) for i in range(len(shards))]
    weight_map = {}
    for shard, shard_name in zip(shards, names):
        save_file(shard, os.path.join(save_directory, shard_name), metadata=meta)
        weight_map.update({name: shard_name for name in shard})
    total = sum(t.numel() * t.element_size() for t in state_dict.values())
    with open(os.path.join(save_directory, SAFE_WEIGHTS_INDEX_NAME), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")
    return names + [SAFE_WEIGHTS_INDEX_NAME]


def load_sharded(path, device="cpu"):
    """The state dict of a checkpoint directory (sharded with an index, or one
    ``model.safetensors``), an index file, or a single safetensors file."""
    if os.path.isdir(path):
        index = os.path.join(path, SAFE_WEIGHTS_INDEX_NAME)
        path = index if os.path.exists(index) else os.path.join(path, SAFE_WEIGHTS_NAME)
    if not path.endswith(".json"):
        return load_file(path, device=device)
    with open(path) as f:
        weight_map = json.load(f)["weight_map"]
    directory = os.path.dirname(path)
    state_dict = {}
    for shard_name in dict.fromkeys(weight_map.values()):
        state_dict.update(load_file(os.path.join(directory, shard_name), device=device))
    missing = set(weight_map) - set(state_dict)
    if missing:
        raise RuntimeError("Sharded checkpoint %s lacks %s" % (path, sorted(missing)))
    return {name: state_dict[name] for name in weight_map}
