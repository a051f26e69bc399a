"""The rest of the torch namespace that scripts touch: process-wide settings (default tensor
type, warn-always, interop threads, deterministic debug mode, denormals), the symbolic-shape
helpers (``sym_*``) and control-flow operators (``cond``, ``while_loop``, ``vmap``) as their eager
meaning, ``segment_reduce``, ``from_file``, and small Tensor utilities (``apply_``,
``as_subclass``, ``get_device``, ``module_load``...)."""
import builtins as _builtins
import math as _math
import os as _os
import warnings as _warnings

from . import _C
from ._C import Tensor

# --------------------------------------------------------------------------- settings

_LEGACY_TYPE_NAMES = {
    "FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
    "BFloat16Tensor": "bfloat16",
}


def set_default_tensor_type(t, /):
    """The deprecated way to set the default floating dtype (and, with ``torch.cuda.*``
    types, the default device)."""
    _warnings.warn(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.", UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else getattr(t, "__module__", "torch").replace("rustorch", "torch") + "." + t.__name__
    parts = name.split(".")
    if parts[0] != "torch" or parts[-1] not in _LEGACY_TYPE_NAMES:
        raise TypeError(f"invalid type: '{name}'")
    from ._default_device import set_default_device
    _C.set_default_dtype(getattr(_C, _LEGACY_TYPE_NAMES[parts[-1]]))
    set_default_device("cuda" if "cuda" in parts[1:-1] else "cpu")


_warn_always = False


def set_warn_always(b, /):
    """Whether warnings PyTorch issues once per process are issued every time."""
    global _warn_always
    _warn_always = bool(b)


def is_warn_always_enabled():
    return _warn_always


_interop_threads = None


def get_num_interop_threads():
    """The inter-op pool size PyTorch reports (rustorch runs ops one at a time on the
    calling thread; intra-op threads are ``get_num_threads``)."""
    return _interop_threads if _interop_threads is not None else (_os.cpu_count() or 1)


def set_num_interop_threads(num):
    global _interop_threads
    if num <= 0:
        raise RuntimeError("Expected positive number of threads")
    if _interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _interop_threads = int(num)


def init_num_threads():
    """Sets up the thread pools for the calling thread (nothing to do in rustorch)."""


def set_flush_denormal(mode):
    """Returns False: rustorch cannot switch the CPU's flush-to-zero mode (PyTorch's answer on
    a CPU without the feature)."""
    return False


def set_deterministic_debug_mode(debug_mode):
    """0/"default": no check; 1/"warn": warn on nondeterministic ops; 2/"error": raise."""
    from ._compat import use_deterministic_algorithms
    modes = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in modes:
            raise RuntimeError(
                f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got {debug_mode}")
        debug_mode = modes[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    from ._compat import are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def compiled_with_cxx11_abi():
    return True


def get_file_path(*path_components):
    """A path inside the installed package."""
    return _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), *path_components)


class classproperty:
    """A read-only property of the class itself (as ``torch.classproperty``)."""

    def __init__(self, func):
        self.fget = func if isinstance(func, (classmethod, staticmethod)) else classmethod(func)

    def __get__(self, obj, owner):
        return self.fget.__get__(obj, owner)()


def from_file(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=False):
    """A 1-D tensor of ``size`` elements memory-mapped from ``filename`` (writes reach the file
    only when ``shared``)."""
    from .storage import UntypedStorage
    dtype = dtype or _C.get_default_dtype()
    raw = UntypedStorage.from_file(filename, bool(shared), size * dtype.itemsize)
    out = raw._flat.view(dtype)
    return out.to(device) if device is not None else out


def to_dlpack(tensor):
    from .utils.dlpack import to_dlpack as _to_dlpack
    return _to_dlpack(tensor)


def thread_safe_generator():
    """The generator of the current DataLoader thread worker; None elsewhere. rustorch's
    DataLoader workers are processes, so it is always None (the global generator)."""
    return None


class _Future:
    """The result of ``fork``: computed when forked (rustorch runs eagerly), read with ``wait``."""

    def __init__(self, func, args, kwargs):
        self._value = self._error = None
        try:
            self._value = func(*args, **kwargs)
        except Exception as e:  # re-raised by wait(), as a failed asynchronous task would
            self._error = e

    def done(self):
        return True

    def wait(self):
        if self._error is not None:
            raise self._error
        return self._value

    value = wait


def fork(func, *args, **kwargs):
    """``torch.jit.fork``: runs ``func(*args, **kwargs)`` (synchronously here) and returns a
    future of its result."""
    return _Future(func, args, kwargs)


def wait(future):
    return future.wait()


# --------------------------------------------------------------------------- symbolic helpers
# PyTorch's sym_* functions work on SymInt/SymFloat while tracing; on plain numbers (always,
# in eager rustorch) they are the builtin operations.

def sym_int(a):
    return a if isinstance(a, int) else int(_math.trunc(a))


def sym_float(a):
    return a if isinstance(a, float) else float(a)


def sym_not(a):
    return not a


def sym_max(a, b):
    return _builtins.max(a, b)


def sym_min(a, b):
    return _builtins.min(a, b)


def sym_sqrt(a):
    return _math.sqrt(a)


def sym_ite(b, t, f):
    return t if b else f


def sym_sum(args):
    return _builtins.sum(args)


def sym_fresh_size(expr):
    return expr


# --------------------------------------------------------------------------- control flow

def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if pred else ``false_fn(*operands)`` (pred: a bool or a
    one-element tensor), run eagerly."""
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred}.")
        pred = bool(pred.item())
    if not isinstance(operands, (tuple, list)):
        raise RuntimeError(f"Expect operands to be a tuple of possibly nested dict/list/tuple that only "
                           f"consists of tensor leaves, but got {operands}.")
    return (true_fn if pred else false_fn)(*operands)


def while_loop(cond_fn, body_fn, carried_inputs):
    """Runs ``carried = body_fn(*carried)`` while ``cond_fn(*carried)``; returns the final
    carried values (a tuple)."""
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list, got {type(carried_inputs)}")
    carried = tuple(carried_inputs)
    while True:
        keep_going = cond_fn(*carried)
        if isinstance(keep_going, Tensor):
            keep_going = bool(keep_going.item())
        if not keep_going:
            return carried
        out = body_fn(*carried)
        carried = tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _tree_flatten(tree):
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for item in tree:
            sub_leaves, spec = _tree_flatten(item)
            leaves += sub_leaves
            specs.append(spec)
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, spec = _tree_flatten(list(tree.values()))
        return leaves, (dict, list(tree.keys()), spec)
    return [tree], None


def _tree_unflatten(leaves, spec):
    it = iter(leaves)

    def build(s):
        if s is None:
            return next(it)
        if s[0] is dict:
            return dict(zip(s[1], build(s[2])))
        return s[0](build(sub) for sub in s[1])
    return build(spec)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``func`` mapped over a batch dimension of its inputs: here it runs once per batch
    element and the results are stacked along ``out_dims`` (the same values as PyTorch's
    batching rules for functions without side effects)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")

    def mapped(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(
                f"vmap(func, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the structure of "
                f"`inputs`. in_dims has structure {len(dims)} but inputs has structure {len(args)}.")
        flat_args, flat_dims, specs = [], [], []
        for arg, dim in zip(args, dims):
            leaves, spec = _tree_flatten(arg)
            specs.append(spec)
            flat_args += leaves
            leaf_dims = _tree_flatten(dim)[0] if isinstance(dim, (tuple, list, dict)) else [dim] * len(leaves)
            flat_dims += leaf_dims
        sizes = {a.shape[d] for a, d in zip(flat_args, flat_dims) if d is not None and isinstance(a, Tensor)}
        if not sizes:
            raise ValueError("vmap(func)(<inputs>): at least one input must be a Tensor mapped over a dimension")
        if len(sizes) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes {sorted(sizes)}")
        batch = sizes.pop()
        results = []
        for i in range(batch):
            picked = [a.select(d, i) if d is not None and isinstance(a, Tensor) else a
                      for a, d in zip(flat_args, flat_dims)]
            rebuilt, pos = [], 0
            for spec in specs:
                count = _count_leaves(spec)
                rebuilt.append(_tree_unflatten(picked[pos:pos + count], spec))
                pos += count
            results.append(func(*rebuilt, **kwargs))
        out_leaves, out_spec = _tree_flatten(results[0])
        per_leaf = list(zip(*[_tree_flatten(r)[0] for r in results]))
        odims = _tree_flatten(out_dims)[0] if isinstance(out_dims, (tuple, list)) else [out_dims] * len(out_leaves)
        stacked = [_C.stack([_as_tensor(x) for x in column], d) for column, d in zip(per_leaf, odims)]
        return _tree_unflatten(stacked, out_spec)

    return mapped


def _count_leaves(spec):
    if spec is None:
        return 1
    if spec[0] is dict:
        return _count_leaves(spec[2])
    return _builtins.sum(_count_leaves(s) for s in spec[1])


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _C.tensor(x)


# --------------------------------------------------------------------------- segment_reduce

_SEGMENT_EMPTY = {"sum": 0.0, "prod": 1.0, "max": float("-inf"), "min": float("inf"), "mean": float("nan")}


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False,
                   initial=None):
    """Reduces consecutive segments of ``data`` along ``axis`` (their ``lengths`` or
    ``offsets``); an empty segment gives ``initial`` or the reduction's empty value."""
    from ._scatter import scatter_reduce
    if reduce not in _SEGMENT_EMPTY:
        raise RuntimeError(f"reduce argument must be either sum, max, min, mean or prod, got {reduce}")
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None:
        if offsets is None:
            raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined")
        lengths = offsets[1:] - offsets[:-1]
    axis = axis % data.dim()
    if not unsafe and int(lengths.sum()) != data.shape[axis]:
        raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to sum to data.size(lengths.dim()-1) when !unsafe.")
    segments = lengths.shape[0]
    ids = _C.arange(segments, device=data.device).repeat_interleave(lengths.to(_C.int64).to(data.device))
    shape = [1] * data.dim()
    shape[axis] = -1
    index = ids.reshape(shape).expand(data.shape)
    out_shape = list(data.shape)
    out_shape[axis] = segments
    fill = _SEGMENT_EMPTY[reduce] if initial is None else initial
    base = _C.full(out_shape, fill, dtype=data.dtype, device=data.device)
    name = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    return scatter_reduce(base, axis, index, data, name, include_self=initial is not None)


# --------------------------------------------------------------------------- Tensor utilities

def _apply_(self, callable):
    """Replaces each element by ``callable(element)`` (CPU tensors; slow, as in PyTorch)."""
    if self.is_cuda:
        raise TypeError("apply_ is only implemented on CPU tensors")
    values = [callable(v) for v in self.reshape(-1).tolist()]
    return self.copy_(_C.tensor(values, dtype=self.dtype).reshape(self.shape))


def _map_(self, tensor, callable):
    """``self[i] = callable(self[i], tensor[i])`` with ``tensor`` broadcast to self (CPU)."""
    if self.is_cuda or tensor.is_cuda:
        raise TypeError("map_ is only implemented on CPU tensors")
    other = tensor.expand(self.shape).reshape(-1).tolist()
    values = [callable(a, b) for a, b in zip(self.reshape(-1).tolist(), other)]
    return self.copy_(_C.tensor(values, dtype=self.dtype).reshape(self.shape))


def _as_subclass(self, cls):
    """This tensor as an instance of the Tensor subclass ``cls`` (shares memory and autograd
    history)."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f"as_subclass: cls must be a subclass of torch.Tensor, but got {cls}")
    return Tensor._make_subclass(cls, self, self.requires_grad) if self.is_leaf else _subclass_view(self, cls)


def _subclass_view(self, cls):
    out = self.view_as(self)
    out.__class__ = cls
    return out


def _get_device(self):
    """-1 for CPU tensors, the device index for cuda ones."""
    return 0 if self.is_cuda else -1


def _const_data_ptr(self):
    return self.data_ptr()


def _dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: (-strides[d], d)))


def _module_load(self, other, assign=False):
    """What ``Module.load_state_dict`` stores for this parameter or buffer."""
    return other.detach() if assign else self.copy_(other).detach()


def _resize(self, *sizes):
    """The deprecated out-of-place resize: a view with the same number of elements."""
    _warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    count = _math.prod(shape)
    if count != self.numel():
        raise RuntimeError(
            f"Requested resize to {'x'.join(map(str, shape))} ({count} elements in total), but the given tensor "
            f"has a size of {'x'.join(map(str, self.shape))} ({self.numel()} elements). autograd's resize can only "
            "change the shape of a given tensor, while preserving the number of elements. ")
    return self.contiguous().view(shape)


def _resize_as(self, tensor):
    _warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        return _resize(self, tuple(tensor.shape))


def _is_set_to(self, tensor):
    """Whether both tensors view the same memory the same way (storage, offset, sizes, strides)."""
    return (self.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr()
            and self.device == tensor.device and self.storage_offset() == tensor.storage_offset()
            and tuple(self.shape) == tuple(tensor.shape) and self.stride() == tensor.stride())


def _storage_type(self):
    from .storage import _LEGACY_BY_DTYPE
    return _LEGACY_BY_DTYPE[self.dtype]


for _name, _fn in {
    "apply_": _apply_, "map_": _map_, "as_subclass": _as_subclass, "get_device": _get_device,
    "const_data_ptr": _const_data_ptr, "dim_order": _dim_order, "module_load": _module_load,
    "storage_type": _storage_type, "resize": _resize, "resize_as": _resize_as,
    "is_set_to": _is_set_to,
}.items():
    setattr(Tensor, _name, _fn)
del _name, _fn

__all__ = [
    "set_default_tensor_type", "set_warn_always", "is_warn_always_enabled", "get_num_interop_threads",
    "set_num_interop_threads", "init_num_threads", "set_flush_denormal", "set_deterministic_debug_mode",
    "get_deterministic_debug_mode", "compiled_with_cxx11_abi", "get_file_path", "classproperty",
    "from_file", "to_dlpack", "sym_int", "sym_float", "sym_not", "sym_max", "sym_min", "sym_sqrt",
    "sym_ite", "sym_sum", "sym_fresh_size", "cond", "while_loop", "vmap", "segment_reduce",
    "thread_safe_generator", "fork", "wait",
]
