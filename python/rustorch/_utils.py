"""The rebuild functions that tensor pickles name (``torch._utils`` in PyTorch), and tensor
pickling: ``pickle``, ``copy.deepcopy``, multiprocessing and ``rustorch.save`` all go through
``Tensor.__reduce_ex__``, which rebuilds a tensor as a view of its storage, as PyTorch does.
"""
import copy
import copyreg
from collections import OrderedDict

from ._C import Tensor
from .storage import TypedStorage


def typename(obj):
    """PyTorch's ``torch.typename``: ``torch.FloatTensor`` for tensors, else the qualified type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else module + "." + qualname


def _zero_grad(params, set_to_none=True):
    """``Module.zero_grad`` and ``Optimizer.zero_grad``: drop each gradient, or zero it in place
    after cutting it from any graph."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            if p.grad.grad_fn is not None:
                p.grad.detach_()
            else:
                p.grad.requires_grad_(False)
            p.grad.zero_()


def _rebuild_tensor(storage, storage_offset, size, stride):
    flat = storage._flat()  # a slice of a larger storage for old checkpoints' storage views
    return flat.as_strided(tuple(size), tuple(stride), flat.storage_offset() + storage_offset)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    # `metadata` holds PyTorch's conjugate/negative view bits, which have no meaning without
    # complex tensors; backward hooks are never pickled non-empty.
    tensor = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    """A tensor whose dtype differs from its storage's (the storage is reinterpreted)."""
    typed = TypedStorage(wrap_storage=storage._untyped_storage, dtype=dtype, _internal=True)
    return _rebuild_tensor_v2(typed, storage_offset, size, stride, requires_grad, backward_hooks)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor subclass instance (or a tensor with Python attributes): rebuild the tensor with
    ``func(*args)``, give it its class, then its state."""
    ret = func(*args)
    if type(ret) is not new_type:
        ret = Tensor._make_subclass(new_type, ret, ret.requires_grad)
    if hasattr(type(ret), "__setstate__"):
        ret.__setstate__(state)
    else:
        ret = _set_obj_state(ret, state)
    return ret


def _get_obj_state(obj):
    """The Python-level state of a tensor: its ``__dict__`` (and slots, as ``(dict, slots)``)."""
    getstate = getattr(type(obj), "__getstate__", object.__getstate__)
    if getstate is not object.__getstate__:
        return obj.__getstate__()
    state = getattr(obj, "__dict__", {})
    slots = copyreg._slotnames(type(obj))
    if slots:
        return (state, {name: getattr(obj, name) for name in slots if hasattr(obj, name)})
    return state


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for key, value in (dict_state or {}).items():
        setattr(obj, key, value)
    for key, value in (slots_state or {}).items():
        setattr(obj, key, value)
    return obj


def _tensor_reduce_ex(self, proto):
    args = (self._typed_storage(), self.storage_offset(), tuple(self.shape), self.stride(),
            self.requires_grad, OrderedDict())
    state = _get_obj_state(self)
    if type(self) is Tensor and not state:
        return (_rebuild_tensor_v2, args)
    return (_rebuild_from_type_v2, (_rebuild_tensor_v2, type(self), args, state))


def _tensor_deepcopy(self, memo):
    """A copy with its own memory; tensors sharing a storage keep sharing one copy of it."""
    if not self.is_leaf:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the "
            "moment.  If you were attempting to deepcopy a module, this may be because of a "
            "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
        )
    if id(self) in memo:
        return memo[id(self)]
    storage = copy.deepcopy(self._typed_storage(), memo)
    new = _rebuild_tensor(storage, self.storage_offset(), self.shape, self.stride())
    if type(self) is not Tensor:
        new = Tensor._make_subclass(type(self), new)
    new.requires_grad_(self.requires_grad)
    if self.grad is not None:
        new.grad = copy.deepcopy(self.grad, memo)
    state = _get_obj_state(self)
    if state:
        _set_obj_state(new, copy.deepcopy(state, memo))
    memo[id(self)] = new
    return new


Tensor.__reduce_ex__ = _tensor_reduce_ex
Tensor.__deepcopy__ = _tensor_deepcopy
