"""The unpickler behind ``rustorch.load(..., weights_only=True)`` (the default), as PyTorch's
``torch._weights_only_unpickler``: it interprets the pickle opcodes itself and only ever calls
or instantiates allowlisted globals (tensor rebuild functions, storages, dtypes, ``Size``,
``device``, ``OrderedDict``... plus what ``add_safe_globals`` adds), so a crafted checkpoint
cannot run code. Globals are named as PyTorch names them (``torch._utils._rebuild_tensor_v2``).
"""
import _compat_pickle
import functools
import pickle
from codecs import encode
from collections import Counter, OrderedDict
from pickle import UnpicklingError
from struct import calcsize, unpack

_BLOCKLISTED_MODULES = ("sys", "os", "posix", "nt")

_marked_safe_globals = set()


def _add_safe_globals(safe_globals):
    global _marked_safe_globals
    _marked_safe_globals = _marked_safe_globals | set(safe_globals)


def _get_safe_globals():
    return list(_marked_safe_globals)


def _clear_safe_globals():
    global _marked_safe_globals
    _marked_safe_globals = set()


def _remove_safe_globals(globals_to_remove):
    global _marked_safe_globals
    _marked_safe_globals = _marked_safe_globals - set(globals_to_remove)


class _safe_globals:
    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        _add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _remove_safe_globals(self.safe_globals)


def torch_path(module):
    """A module path as PyTorch spells it (``rustorch.nn`` -> ``torch.nn``)."""
    if module == "rustorch" or module.startswith("rustorch."):
        return "torch" + module[len("rustorch"):]
    return module


def _full_path(obj):
    """``module.qualname`` of a global as a checkpoint names it."""
    import rustorch

    name = obj.__qualname__
    if getattr(rustorch, name, None) is obj:
        return "torch." + name
    return "%s.%s" % (torch_path(obj.__module__), name)


def _get_user_allowed_globals():
    allowed = {}
    for entry in _marked_safe_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError(
                    f"Expected tuple of length 2 (global, str of callable full path), but got tuple of length: {len(entry)}"
                )
            if type(entry[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full path, but got: {type(entry[1])}")
            allowed[entry[1]] = entry[0]
        else:
            allowed[_full_path(entry)] = entry
    return allowed


@functools.lru_cache(maxsize=1)
def _get_allowed_globals():
    import rustorch
    from . import _utils, storage

    allowed = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": rustorch.nn.Parameter,
        "torch.Size": rustorch.Size,
        "torch.Tensor": rustorch.Tensor,
        "torch.device": rustorch.device,
        "_codecs.encode": encode,  # bytes, in protocol 2
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.complex": complex,
        "torch.storage.UntypedStorage": storage.UntypedStorage,
        "torch.storage.TypedStorage": storage.TypedStorage,
        "torch.UntypedStorage": storage.UntypedStorage,
        "torch._tensor._rebuild_from_type_v2": _utils._rebuild_from_type_v2,
    }
    for cls in storage._LEGACY_BY_DTYPE.values():
        allowed["torch." + cls.__name__] = cls
        allowed[str(cls.dtype)] = cls.dtype
    for fn in (_utils._rebuild_tensor, _utils._rebuild_tensor_v2, _utils._rebuild_tensor_v3,
               _utils._rebuild_parameter, _utils._rebuild_parameter_with_state):
        allowed["torch._utils." + fn.__name__] = fn
    return allowed


def _is_allowed(obj):
    return any(obj is v for v in _get_allowed_globals().values()) or any(
        obj is v for v in _get_user_allowed_globals().values())


def _unsupported_global(full_path):
    if full_path.startswith("builtins."):
        full_path = full_path[len("builtins."):]
    return UnpicklingError(
        f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
        f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
        f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this global "
        "if you trust this class/function."
    )


def _lookup_global(module, name):
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    module = torch_path(module)
    full_path = f"{module}.{name}"
    if module in _BLOCKLISTED_MODULES:
        raise UnpicklingError(f"Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked.")
    allowed = _get_allowed_globals()
    if full_path in allowed:
        return allowed[full_path]
    user_allowed = _get_user_allowed_globals()
    if full_path in user_allowed:
        return user_allowed[full_path]
    if user_allowed and module.split(".")[0] == "torch":
        # A PyTorch path whose rustorch object was allowlisted under rustorch's own layout.
        from .serialization import _rustorch_global
        try:
            obj = _rustorch_global(module, name)
        except (ImportError, AttributeError):
            obj = None
        if obj is not None and any(obj is v for v in user_allowed.values()):
            return obj
    raise _unsupported_global(full_path)


_DICTS = (dict, OrderedDict, Counter)
_DICT_NAMES = "dict, collections.OrderedDict, collections.Counter"


def _push(make):
    def handler(self):
        self.stack.append(make())
    return handler


def _fixed(size, convert):
    """An opcode with a ``size``-byte argument, pushed as ``convert(self, raw)``."""
    def handler(self):
        self.stack.append(convert(self, self.read(size)))
    return handler


def _sized(length_fmt, convert):
    """An opcode with a length prefix then that many bytes, pushed as ``convert(self, raw)``."""
    length_size = calcsize(length_fmt)

    def handler(self):
        (n,) = unpack(length_fmt, self.read(length_size))
        self.stack.append(convert(self, self.read(n)))
    return handler


def _from_marked(make):
    """An opcode that turns the items since the last MARK into one object."""
    def handler(self):
        items = self._pop_mark()  # before touching self.stack: this replaces it
        self.stack.append(make(items))
    return handler


def _tuple_of(n):
    def handler(self):
        items = tuple(self.stack[len(self.stack) - n:])
        del self.stack[len(self.stack) - n:]
        self.stack.append(items)
    return handler


def _memo_get(fmt):
    size = calcsize(fmt)

    def handler(self):
        self.stack.append(self.memo[unpack(fmt, self.read(size))[0]])
    return handler


def _memo_put(fmt):
    size = calcsize(fmt)

    def handler(self):
        self.memo[unpack(fmt, self.read(size))[0]] = self.stack[-1]
    return handler


def _text(self, raw):
    return str(raw, "utf-8", "surrogatepass")


def _legacy_text(self, raw):
    """Python 2 ``str``: bytes unless an encoding is given."""
    return raw if self.encoding == "bytes" else raw.decode(self.encoding, "strict")


class Unpickler:
    """Interprets a pickle with a fixed set of opcodes; see the module docstring."""

    def __init__(self, file, *, encoding="bytes", persistent_load=None):
        self.encoding = encoding
        self.read = file.read
        self.readline = file.readline
        self.persistent_load = persistent_load

    def load(self):
        self.stack = []
        self.metastack = []
        self.memo = {}
        dispatch = self._dispatch
        read = self.read
        while True:
            key = read(1)
            if not key:
                raise EOFError
            if key == pickle.STOP:
                return self.stack.pop()
            handler = dispatch.get(key)
            if handler is None:
                raise UnpicklingError(f"Unsupported operand {key[0]}")
            handler(self)

    def _pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def _target(self, kinds, message):
        """The container on top of the stack, if it is one of ``kinds``."""
        target = self.stack[-1]
        if type(target) not in kinds:
            raise UnpicklingError(f"{message}, but got {type(target)}")
        return target

    def _mark(self):
        self.metastack.append(self.stack)
        self.stack = []

    def _pop(self):
        if self.stack:
            self.stack.pop()
        else:
            self._pop_mark()

    def _global(self):
        module = self.readline()[:-1].decode("utf-8")
        name = self.readline()[:-1].decode("utf-8")
        self.stack.append(_lookup_global(module, name))

    def _stack_global(self):
        name = self.stack.pop()
        module = self.stack.pop()
        if type(name) is not str or type(module) is not str:
            raise UnpicklingError("STACK_GLOBAL requires str")
        self.stack.append(_lookup_global(module, name))

    def _newobj(self):
        from .nn.parameter import Parameter

        args = self.stack.pop()
        cls = self.stack.pop()
        if cls is Parameter:
            self.stack.append(Parameter(*args))
        elif isinstance(cls, type) and _is_allowed(cls):
            self.stack.append(cls.__new__(cls, *args))
        else:
            raise UnpicklingError(
                f"Can only create new object for nn.Parameter or classes allowlisted via `add_safe_globals` but got {cls}"
            )

    def _reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not _is_allowed(func):
            message = f"Trying to call reduce for unrecognized function {func}"
            if hasattr(func, "__self__"):
                message += f" which belongs to {func.__self__}"
            raise UnpicklingError(message)
        self.stack[-1] = func(*args)

    def _build(self):
        from ._C import Tensor
        from ._utils import _set_obj_state
        from .nn.parameter import Parameter

        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) in (Tensor, Parameter):
            _set_obj_state(inst, state)
        elif type(inst) is OrderedDict:
            inst.__dict__.update(state)
        elif _is_allowed(type(inst)):
            if hasattr(inst, "__setstate__"):
                inst.__setstate__(state)
            else:
                _set_obj_state(inst, state)
        else:
            raise UnpicklingError(
                f"Can only build Tensor, Parameter, OrderedDict or types allowlisted via `add_safe_globals`, but got {type(inst)}"
            )

    def _append(self):
        item = self.stack.pop()
        self._target((list,), "Can only append to lists").append(item)

    def _appends(self):
        items = self._pop_mark()
        self._target((list,), "Can only extend lists").extend(items)

    def _setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._target(_DICTS, "Can only SETITEM for " + _DICT_NAMES)[key] = value

    def _setitems(self):
        items = self._pop_mark()
        target = self._target(_DICTS, "Can only SETITEMS for " + _DICT_NAMES)
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    def _additems(self):
        items = self._pop_mark()
        self._target((set,), "Can only add items to sets").update(items)

    def _persid(self):
        pid = self.stack.pop()
        if type(pid) is not tuple and type(pid) is not int:
            raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
        if type(pid) is tuple and len(pid) > 0 and _decode_ascii(pid[0]) != "storage":
            raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
        if self.persistent_load is None:
            raise UnpicklingError("unsupported persistent id encountered")
        self.stack.append(self.persistent_load(pid))

    def _memoize(self):
        self.memo[len(self.memo)] = self.stack[-1]

    _dispatch = {
        pickle.PROTO: lambda self: self.read(1),
        pickle.FRAME: lambda self: self.read(8),  # frames only group reads
        pickle.MARK: _mark,
        pickle.POP: _pop,
        pickle.POP_MARK: _pop_mark,
        pickle.GLOBAL: _global,
        pickle.STACK_GLOBAL: _stack_global,
        pickle.NEWOBJ: _newobj,
        pickle.REDUCE: _reduce,
        pickle.BUILD: _build,
        pickle.APPEND: _append,
        pickle.APPENDS: _appends,
        pickle.SETITEM: _setitem,
        pickle.SETITEMS: _setitems,
        pickle.ADDITEMS: _additems,
        pickle.FROZENSET: _from_marked(frozenset),
        pickle.TUPLE: _from_marked(tuple),
        pickle.TUPLE1: _tuple_of(1),
        pickle.TUPLE2: _tuple_of(2),
        pickle.TUPLE3: _tuple_of(3),
        pickle.EMPTY_TUPLE: _push(tuple),
        pickle.EMPTY_LIST: _push(list),
        pickle.EMPTY_DICT: _push(dict),
        pickle.EMPTY_SET: _push(set),
        pickle.NONE: _push(lambda: None),
        pickle.NEWTRUE: _push(lambda: True),
        pickle.NEWFALSE: _push(lambda: False),
        pickle.BININT: _fixed(4, lambda self, raw: unpack("<i", raw)[0]),
        pickle.BININT1: _fixed(1, lambda self, raw: raw[0]),
        pickle.BININT2: _fixed(2, lambda self, raw: unpack("<H", raw)[0]),
        pickle.BINFLOAT: _fixed(8, lambda self, raw: unpack(">d", raw)[0]),
        pickle.LONG1: _sized("<B", lambda self, raw: pickle.decode_long(raw)),
        pickle.LONG4: _sized("<i", lambda self, raw: pickle.decode_long(raw)),
        pickle.SHORT_BINUNICODE: _sized("<B", _text),
        pickle.BINUNICODE: _sized("<I", _text),
        pickle.BINUNICODE8: _sized("<Q", _text),
        pickle.SHORT_BINSTRING: _sized("<B", _legacy_text),
        pickle.BINSTRING: _sized("<i", _legacy_text),
        pickle.SHORT_BINBYTES: _sized("<B", lambda self, raw: bytes(raw)),
        pickle.BINBYTES: _sized("<I", lambda self, raw: bytes(raw)),
        pickle.BINBYTES8: _sized("<Q", lambda self, raw: bytes(raw)),
        pickle.BYTEARRAY8: _sized("<Q", lambda self, raw: bytearray(raw)),
        pickle.BINPERSID: _persid,
        pickle.BINGET: _memo_get("<B"),
        pickle.LONG_BINGET: _memo_get("<I"),
        pickle.BINPUT: _memo_put("<B"),
        pickle.LONG_BINPUT: _memo_put("<I"),
        pickle.MEMOIZE: _memoize,
    }


def _decode_ascii(value):
    return value.decode("ascii") if isinstance(value, bytes) else value

