"""``rustorch.save`` / ``rustorch.load`` in PyTorch's checkpoint formats, so that PyTorch loads
what rustorch saves and the other way round.

The zip format (the default since PyTorch 1.6): an archive ``<name>/`` holding ``data.pkl`` (the
object, pickled with each storage replaced by the persistent id ``('storage', storage_type,
key, location, numel)``), one record ``data/<key>`` of raw bytes per storage (aligned to 64
bytes), and ``.format_version``, ``.storage_alignment``, ``byteorder``, ``version`` and
``.data/serialization_id``. Tensors pickle as ``torch._utils._rebuild_tensor_v2(storage, ...)``
(see ``_utils``), so tensors that share memory share one storage record and come back sharing
memory. Globals are written under PyTorch's names (``rustorch.X`` -> ``torch.X``) and read back
the other way. The legacy (PyTorch < 1.6) stream format loads and saves too.
"""
import importlib
import io
import os
import pickle
import random
import re
import struct
import sys
import zipfile

from . import _weights_only_unpickler
from ._weights_only_unpickler import _decode_ascii, torch_path
from .storage import TypedStorage, UntypedStorage, _LEGACY_BY_DTYPE, _as_numpy, _numpy_dtype, _tensor_over

__all__ = [
    "save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
    "default_restore_location", "location_tag", "DEFAULT_PROTOCOL",
]

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C  # the legacy format's header
PROTOCOL_VERSION = 1001
STORAGE_ALIGNMENT = 64
_FORMAT_VERSION = b"3\n"  # PyTorch's zip writer writes this `version` record

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


# --- safe globals for weights_only loads ------------------------------------------------------

def add_safe_globals(safe_globals):
    """Marks globals (or ``(global, "full.path")`` pairs) as safe for ``weights_only`` loads."""
    _weights_only_unpickler._add_safe_globals(safe_globals)


def get_safe_globals():
    return _weights_only_unpickler._get_safe_globals()


def clear_safe_globals():
    _weights_only_unpickler._clear_safe_globals()


class safe_globals(_weights_only_unpickler._safe_globals):
    """Context manager: ``with safe_globals([MyClass]): load(...)``."""


# --- names: rustorch objects are written under PyTorch's names --------------------------------

# Objects PyTorch keeps somewhere other than the rustorch path maps to.
_TORCH_LOCATIONS = {
    ("rustorch._utils", "_rebuild_from_type_v2"): ("torch._tensor", "_rebuild_from_type_v2"),
}
_RUSTORCH_LOCATIONS = {v: k for k, v in _TORCH_LOCATIONS.items()}
_RUSTORCH_LOCATIONS[("torch._tensor", "Tensor")] = ("rustorch", "Tensor")
_RUSTORCH_LOCATIONS[("torch.tensor", "Tensor")] = ("rustorch", "Tensor")


def _torch_global(obj, name):
    """``(module, name)`` under which PyTorch finds the rustorch global ``obj``, or None for
    objects that are not rustorch's (or not reachable by a plain name)."""
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or "." in name or torch_path(module) == module:
        return None
    if (module, name) in _TORCH_LOCATIONS:
        return _TORCH_LOCATIONS[(module, name)]
    import rustorch

    if getattr(rustorch, name, None) is obj:  # exported at the top, as PyTorch does
        return ("torch", name)
    return (torch_path(module), name)


def _rustorch_global(module, name):
    """The rustorch object for PyTorch's global ``module.name``: the same path under
    ``rustorch``, else the nearest enclosing package that has the name (``torch.nn.modules.
    linear.Linear`` is ``rustorch.nn.Linear`` however rustorch.nn lays out its files)."""
    if (module, name) in _RUSTORCH_LOCATIONS:
        module, name = _RUSTORCH_LOCATIONS[(module, name)]
    else:
        module = "rustorch" + module[len("torch"):]
    parts = module.split(".")
    for depth in range(len(parts), min(2, len(parts)) - 1, -1):
        try:
            obj = importlib.import_module(".".join(parts[:depth]))
        except ImportError:
            continue
        for attr in name.split("."):
            obj = getattr(obj, attr, _MISSING)
        if obj is not _MISSING:
            return obj
    raise AttributeError(
        f"rustorch has no counterpart of {torch_path(module)}.{name}, which this checkpoint needs"
    )


_MISSING = object()


def _is_torch_module(module):
    return module.split(".")[0] == "torch"


def _legacy_storage_class(module, name):
    """Storage classes of any PyTorch module (``torch.cuda.FloatStorage`` too) by name."""
    if _is_torch_module(module) and name.endswith("Storage"):
        for cls in _LEGACY_BY_DTYPE.values():
            if cls.__name__ == name:
                return cls
    return None


# --- saving -----------------------------------------------------------------------------------

class _StorageTable:
    """The storages an object references, each once, keyed as the checkpoint names them."""

    def __init__(self):
        self.storages = {}  # key -> (UntypedStorage, dtype), in first-seen order
        self._keys = {}  # memory address (or id for empty storages) -> key
        self._dtypes = {}

    def persistent_id(self, obj):
        if isinstance(obj, TypedStorage):
            storage, dtype = obj._untyped_storage, obj.dtype
            storage_type, numel = _LEGACY_BY_DTYPE[dtype], obj.size()
        elif isinstance(obj, UntypedStorage):
            storage, dtype, storage_type, numel = obj, obj.dtype, UntypedStorage, obj.nbytes()
        else:
            return None
        # Every view of a storage gets a fresh object: identify storages by their memory.
        identity = storage.data_ptr() if storage.nbytes() else id(storage)
        if storage.nbytes():
            if self._dtypes.setdefault(identity, dtype) != dtype:
                raise RuntimeError(
                    "Cannot save multiple tensors or storages that view the same data as different types"
                )
        key = self._keys.setdefault(identity, str(len(self._keys)))
        self.storages[key] = (storage, dtype)
        return key, storage_type, location_tag(storage), numel


def _pickler_class(pickle_module, make_id):
    """A Pickler that writes storages as persistent ids ``make_id(key, storage_type, numel)``
    and, with the standard pickle module, rustorch globals under PyTorch's names."""
    table = _StorageTable()
    base = pickle._Pickler if pickle_module is pickle else pickle_module.Pickler

    class CheckpointPickler(base):
        def persistent_id(self, obj):
            found = table.persistent_id(obj)
            return None if found is None else make_id(*found)

        def save_global(self, obj, name=None):
            torch_name = _torch_global(obj, name or getattr(obj, "__qualname__", None) or obj.__name__)
            if torch_name is None:
                return super().save_global(obj, name)
            module, qualname = torch_name
            if self.proto >= 4:
                self.save(module)
                self.save(qualname)
                self.write(pickle.STACK_GLOBAL)
            else:
                self.write(pickle.GLOBAL + module.encode() + b"\n" + qualname.encode() + b"\n")
            self.memoize(obj)

    if base is pickle._Pickler:  # its dispatch table calls the base save_global for functions
        CheckpointPickler.dispatch = {
            t: CheckpointPickler.save_global if f is base.save_global else f for t, f in base.dispatch.items()}
    return CheckpointPickler, table


def _storage_bytes(storage):
    """The storage's memory as a NumPy byte array (no copy of a CPU storage)."""
    return _as_numpy(storage._flat.cpu()).reshape(-1).view("uint8")


class _ZipWriter:
    """Writes records the way PyTorch's writer does: stored, each payload 64-byte aligned (the
    local header's extra field pads it), under one archive directory."""

    def __init__(self, file, archive_name):
        # Through an unseekable view, ZipFile streams each record followed by a data descriptor,
        # the layout of PyTorch's writer (whose loader can compute record offsets from it).
        self._out = _Unseekable(file)
        self._zip = zipfile.ZipFile(self._out, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._prefix = archive_name + "/"

    def write(self, name, data):
        data = memoryview(data).cast("B")
        info = zipfile.ZipInfo(self._prefix + name, date_time=(1980, 0, 0, 0, 0, 0))
        info.file_size = data.nbytes
        zip64 = data.nbytes * 1.05 > zipfile.ZIP64_LIMIT  # as ZipFile.open decides
        header = 30 + len(info.filename.encode()) + (20 if zip64 else 0)
        padding = -(self._out.tell() + header + 4) % STORAGE_ALIGNMENT
        info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
        # PyTorch's writer puts no data descriptor after an empty record (its loader counts on it).
        self._out.drop_descriptor = data.nbytes == 0
        with self._zip.open(info, "w", force_zip64=zip64) as out:
            out.write(data)

    def close(self):
        self._zip.close()


class _Unseekable:
    """A write stream that counts what it wrote (its ``tell``) and cannot seek; it leaves out
    the next data descriptor when told to."""

    drop_descriptor = False

    def __init__(self, file):
        self._file = file
        self._written = 0

    def write(self, data):
        nbytes = memoryview(data).nbytes
        if self.drop_descriptor and bytes(data[:4]) == b"PK\x07\x08":
            self.drop_descriptor = False
            return nbytes
        self._file.write(data)
        self._written += nbytes
        return nbytes

    def tell(self):
        return self._written

    def flush(self):
        getattr(self._file, "flush", lambda: None)()


def _archive_name(f):
    """PyTorch names the archive directory after the file (no directory, no extension)."""
    if not isinstance(f, str) or not f.isascii():
        return "archive"
    base = re.split(r"[\\/]", f)[-1]
    stem = base.rpartition(".")[0] if "." in base else base
    return stem or "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves ``obj`` to ``f`` (a path or a binary file object) in PyTorch's checkpoint format."""
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")
    if isinstance(f, os.PathLike):
        f = os.fspath(f)
    if isinstance(f, str):
        with open(f, "wb") as opened:
            _save_to(obj, opened, _archive_name(f), pickle_module, pickle_protocol,
                     _use_new_zipfile_serialization, _disable_byteorder_record)
    else:
        _save_to(obj, f, "archive", pickle_module, pickle_protocol, _use_new_zipfile_serialization,
                 _disable_byteorder_record)
        if hasattr(f, "flush"):
            f.flush()


def _save_to(obj, f, archive_name, pickle_module, protocol, zip_format, disable_byteorder):
    if not zip_format:
        return _legacy_save(obj, f, pickle_module, protocol)
    pickler_class, table = _pickler_class(
        pickle_module, lambda key, storage_type, location, numel: ("storage", storage_type, key, location, numel))
    data = io.BytesIO()
    pickler_class(data, protocol).dump(obj)
    writer = _ZipWriter(f, archive_name)
    writer.write("data.pkl", data.getbuffer())
    writer.write(".format_version", b"1")
    writer.write(".storage_alignment", str(STORAGE_ALIGNMENT).encode())
    if not disable_byteorder:
        writer.write("byteorder", sys.byteorder.encode())
    for key, (storage, _) in table.storages.items():
        writer.write("data/" + key, _storage_bytes(storage))
    writer.write("version", _FORMAT_VERSION)
    writer.write(".data/serialization_id", str(random.getrandbits(128)).zfill(40).encode())
    writer.close()


def _legacy_save(obj, f, pickle_module, protocol):
    """PyTorch's pre-1.6 format: pickles of a header, the object, the storage keys, then each
    storage as its element count (int64) and raw little-endian bytes."""
    pickler_class, table = _pickler_class(
        pickle_module, lambda key, storage_type, location, numel: ("storage", storage_type, key, location, numel, None))
    sys_info = dict(protocol_version=PROTOCOL_VERSION, little_endian=sys.byteorder == "little",
                    type_sizes=dict(short=struct.calcsize("=h"), int=struct.calcsize("=i"),
                                    long=struct.calcsize("=l")))
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle_module.dump(header, f, protocol=protocol)
    pickler_class(f, protocol).dump(obj)
    keys = sorted(table.storages)
    pickle_module.dump(keys, f, protocol=protocol)
    for key in keys:
        storage, dtype = table.storages[key]
        flat = _as_numpy(storage._flat.cpu())
        f.write(struct.pack("<q", storage.nbytes() // dtype.itemsize))
        f.write(flat.astype(flat.dtype.newbyteorder("<"), copy=False).reshape(-1).view("uint8").data)


# --- where storages go ------------------------------------------------------------------------

def location_tag(storage):
    return "cuda:0" if storage.is_cuda else "cpu"


def default_restore_location(storage, location):
    """Storages come back where they were saved: the CPU, or the GPU (``cuda``), which raises as
    PyTorch does where there is none."""
    if location == "cpu":
        return storage.cpu()
    if location == "cuda" or re.match("cuda(:|[0-9]+)", location):
        from . import cuda

        if cuda.is_available():
            return storage.cuda(location)
        raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
                "If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."
            )
    raise RuntimeError(
        "don't know how to restore data location of torch.storage.UntypedStorage (tagged with " + location + ")"
    )


def _get_restore_location(map_location):
    from ._device import device

    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        return lambda storage, location: default_restore_location(storage, map_location.get(location, location))
    if isinstance(map_location, (str, bytes)):
        target = map_location.decode() if isinstance(map_location, bytes) else map_location
        return lambda storage, location: default_restore_location(storage, target)
    if isinstance(map_location, device):
        return lambda storage, location: default_restore_location(storage, str(map_location))

    def restore_location(storage, location):
        result = map_location(storage, location)
        return default_restore_location(storage, location) if result is None else result
    return restore_location


def _storage_dtype(storage_type):
    from ._C import uint8

    return uint8 if storage_type is UntypedStorage else storage_type.dtype


def _restored(restore_location, flat, location):
    """``flat``'s memory as a storage, placed where ``map_location`` says."""
    storage = restore_location(UntypedStorage._wrap(flat), _decode_ascii(location))
    return storage._untyped_storage if isinstance(storage, TypedStorage) else storage


# --- loading ----------------------------------------------------------------------------------

class _ZipReader:
    """Reads the records of a PyTorch zip archive (all under its first record's directory)."""

    def __init__(self, file):
        self._file = file
        try:
            self._zip = zipfile.ZipFile(file)
        except zipfile.BadZipFile as e:  # PyTorch's reader raises RuntimeError for a damaged archive
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {e}") from None
        names = self._zip.namelist()
        if not names:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: no records")
        self._prefix = names[0].split("/")[0] + "/"
        self._names = set(names)

    def has_record(self, name):
        return self._prefix + name in self._names

    def _info(self, name):
        if not self.has_record(name):
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        return self._zip.getinfo(self._prefix + name)

    def get_record(self, name):
        # Read as PyTorch's reader does, without a CRC check (zipfile's read insists on one).
        return self.record_array(name, self._info(name).file_size).tobytes()

    def record_array(self, name, nbytes, mmap_path=None):
        """The record's first ``nbytes`` as a new, writable NumPy byte array: read straight from
        the file into it, or mapped copy-on-write from ``mmap_path``."""
        import numpy as np

        info = self._info(name)
        if info.file_size < nbytes:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: expected {nbytes} bytes, "
                               f"found {info.file_size}")
        if info.compress_type != zipfile.ZIP_STORED or nbytes == 0:
            return np.frombuffer(self._zip.read(info), np.uint8, count=nbytes).copy()
        self._file.seek(info.header_offset)
        header = self._file.read(30)
        if header[:4] != b"PK\x03\x04":
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: bad local header")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        offset = info.header_offset + 30 + name_length + extra_length
        if mmap_path is not None:
            return np.memmap(mmap_path, np.uint8, mode="c", offset=offset, shape=(nbytes,))
        array = np.empty(nbytes, np.uint8)
        self._file.seek(offset)
        _read_exactly(self._file, array, name)
        return array


def _read_exactly(file, array, what):
    view = memoryview(array).cast("B")
    done = 0
    while done < len(view):
        n = file.readinto(view[done:])
        if not n:
            raise RuntimeError(f"unexpected end of file while reading {what}")
        done += n


def _in_native_order(array, byteorder):
    if byteorder != sys.byteorder and array.itemsize > 1:
        array.byteswap(inplace=True)
    return array


def _load_zip(reader, map_location, make_unpickler, mmap_path):
    restore_location = _get_restore_location(map_location)
    byteorder = reader.get_record("byteorder").decode() if reader.has_record("byteorder") else "little"
    if byteorder not in ("little", "big"):
        raise ValueError("Unknown endianness type: " + byteorder)
    loaded = {}

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple) or len(saved_id) != 5:
            raise pickle.UnpicklingError(f"unexpected persistent id in a zip checkpoint: {saved_id!r}")
        typename, storage_type, key, location, numel = saved_id
        if _decode_ascii(typename) != "storage":
            raise RuntimeError(f"Unknown typename for persistent_load, expected 'storage' but got '{typename}'")
        if key not in loaded:
            dtype = _storage_dtype(storage_type)
            if type(numel) is not int or numel < 0:
                raise pickle.UnpicklingError(f"invalid storage size {numel!r}")
            raw = reader.record_array(f"data/{key}", numel * dtype.itemsize, mmap_path)
            flat = _tensor_over(_in_native_order(raw.view(_numpy_dtype(dtype)), byteorder), dtype)
            storage = _restored(restore_location, flat, location)
            loaded[key] = TypedStorage(wrap_storage=storage, dtype=dtype, _internal=True)
        return loaded[key]

    return make_unpickler(io.BytesIO(reader.get_record("data.pkl")), persistent_load).load()


def _legacy_load(f, map_location, make_unpickler, load_header):
    """PyTorch's pre-1.6 stream format (see ``_legacy_save``)."""
    restore_location = _get_restore_location(map_location)
    storages = {}

    def persistent_load(saved_id):
        typename, data = _decode_ascii(saved_id[0]), saved_id[1:]
        if typename == "module":  # a pickled nn.Module class, with its source
            return data[0]
        if typename != "storage":
            raise RuntimeError(f"Unknown saved id type: {saved_id[0]}")
        storage_type, root_key, location, numel, view_metadata = data
        if root_key not in storages:
            from ._C import empty

            dtype = _storage_dtype(storage_type)
            storage = _restored(restore_location, empty(numel, dtype=dtype), location)
            storages[root_key] = TypedStorage(wrap_storage=storage, dtype=dtype, _internal=True)
        typed = storages[root_key]
        if view_metadata is None:
            return typed
        view_key, offset, view_size = view_metadata  # a slice of the root (PyTorch < 0.4 files)
        if view_key not in storages:
            view = UntypedStorage._wrap(typed._flat()[offset:offset + view_size])
            storages[view_key] = TypedStorage(wrap_storage=view, dtype=typed.dtype, _internal=True)
        return storages[view_key]

    if load_header(f) != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol_version = load_header(f)
    if protocol_version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol_version}")
    load_header(f)  # sys_info
    result = make_unpickler(f, persistent_load).load()
    for key in load_header(f):
        typed = storages[key]
        (numel,) = struct.unpack("<q", f.read(8))
        if numel * typed.element_size() != typed.nbytes():
            raise RuntimeError(f"storage {key} holds {numel} elements in the file but {typed.size()} in the pickle")
        # A storage restored to the GPU is read through a host copy, then copied back up.
        host = typed._untyped_storage.cpu()
        array = _storage_bytes(host)
        _read_exactly(f, array, f"storage {key}")
        _in_native_order(array.view(_numpy_dtype(typed.dtype)), "little")
        if host is not typed._untyped_storage:
            typed._untyped_storage._flat.copy_(host._flat)
    return result


def _full_unpickler(pickle_module, pickle_load_args):
    """An unpickler for ``weights_only=False``: any global, PyTorch's mapped to rustorch's."""
    class Unpickler(pickle_module.Unpickler):
        def find_class(self, module, name):
            storage_class = _legacy_storage_class(module, name)
            if storage_class is not None:
                return storage_class
            if _is_torch_module(module):
                return _rustorch_global(module, name)
            return super().find_class(module, name)

    def make(file, persistent_load):
        unpickler = Unpickler(file, **pickle_load_args)
        if persistent_load is not None:
            unpickler.persistent_load = persistent_load
        return unpickler
    return make


def _weights_only_message(message):
    """PyTorch's explanation around a refused weights_only load."""
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        return (
            "Weights only load failed. This file can still be loaded, to do so you have two options, "
            "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
            f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
            "the recommended steps in the following error message.\n\tWeightsUnpickler error: " + message
            + _DOCS_MESSAGE
        )
    if re.search(r"(\S+) must be (\S+) to load", message):
        return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
    updated = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", message):
        updated += ("Please file an issue with the following so that we can make "
                    "`weights_only=True` compatible with your use case: WeightsUnpickler error: ")
    return updated + "\n\n" + message + _DOCS_MESSAGE


def _check_seekable(f):
    try:
        f.seek(f.tell())
    except (io.UnsupportedOperation, AttributeError) as e:
        if "seek" in str(e) or "tell" in str(e):
            raise type(e)(str(e) + ". You can only torch.load from a file that is seekable. Please pre-load the "
                          "data into a buffer like io.BytesIO and try to load from it instead.") from None
        raise


def _is_zipfile(f):
    start = f.tell()
    magic = f.read(4)
    f.seek(start)
    return magic == b"PK\x03\x04"


def _env_flag(name):
    return os.getenv(name, "0").lower() in ("1", "y", "yes", "true")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads an object saved with ``save`` (or PyTorch's ``torch.save``) from a path or a
    binary file object. ``weights_only`` (the default) allows only tensors, containers and
    plain values; ``map_location`` maps storage locations (rustorch computes on the CPU)."""
    import warnings

    weights_only_not_set = weights_only is None
    if weights_only_not_set:
        weights_only = pickle_module is None
    if _env_flag("TORCH_FORCE_WEIGHTS_ONLY_LOAD") and _env_flag("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"):
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
                           "should be set, but both were set.")
    if _env_flag("TORCH_FORCE_WEIGHTS_ONLY_LOAD"):
        weights_only = True
    elif _env_flag("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD") and weights_only_not_set:
        weights_only = False
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if weights_only and pickle_load_args:
        warnings.warn("pickle_load_args only works if `weights_only=False`.")
    pickle_load_args.setdefault("encoding", "utf-8")

    if weights_only:
        encoding = pickle_load_args["encoding"]

        def make_unpickler(file, persistent_load):
            return _weights_only_unpickler.Unpickler(file, encoding=encoding, persistent_load=persistent_load)
    else:
        make_unpickler = _full_unpickler(pickle_module or pickle, pickle_load_args)

    def load_header(file):
        return make_unpickler(file, None).load()

    is_path = isinstance(f, (str, os.PathLike))
    opened = open(f, "rb") if is_path else f
    try:
        _check_seekable(opened)
        try:
            if _is_zipfile(opened):
                reader = _ZipReader(opened)
                if reader.has_record("constants.pkl"):
                    raise RuntimeError("rustorch cannot load TorchScript archives (this file was written by torch.jit.save)")
                if mmap and not is_path:
                    raise ValueError("f must be a file path in order to use the mmap argument")
                return _load_zip(reader, map_location, make_unpickler, os.fspath(f) if mmap else None)
            if mmap:
                name = f"{f}, " if isinstance(f, str) else ""
                raise RuntimeError(
                    "mmap can only be used with files saved with "
                    f"`torch.save({name}_use_new_zipfile_serialization=True), "
                    "please torch.save your checkpoint with this option in order to use mmap."
                )
            return _legacy_load(opened, map_location, make_unpickler, load_header)
        except pickle.UnpicklingError as e:
            if weights_only:
                raise pickle.UnpicklingError(_weights_only_message(str(e))) from None
            raise
    finally:
        if is_path:
            opened.close()
