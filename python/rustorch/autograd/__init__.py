"""``torch.autograd``: gradients of tensors with respect to graph leaves."""
from .. import _C
from .._C import Tensor
from . import function, grad_mode, graph  # noqa: F401
from .function import Function
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck
from .variable import Variable
from typing import cast, overload  # noqa: F401  (PyTorch's torch.autograd has these names too)

__all__ = [
    "Variable", "Function", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad",
    "enable_grad", "set_grad_enabled", "inference_mode", "set_detect_anomaly", "detect_anomaly",
]


def _tensors(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _grads_for(outputs, grads):
    if grads is None:
        return (None,) * len(outputs)
    grads = (grads,) if isinstance(grads, Tensor) else tuple(grads)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulates the gradients of ``tensors`` into the ``.grad`` of the graph leaves."""
    tensors = _tensors(tensors)
    grads = _grads_for(tensors, grad_tensors if grad_tensors is not None else grad_variables)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    _C._run_backward(tensors, grads, retain_graph, create_graph, inputs, True, True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs`` (a tuple, one per input)."""
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _grads_for(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    result = _C._run_backward(outputs, grads, retain_graph, create_graph, inputs, allow_unused, False)
    if materialize_grads:
        from .. import zeros
        result = tuple(g if g is not None else zeros(x.shape, dtype=x.dtype)
                       for g, x in zip(result, inputs))
    return result


_anomaly_enabled = False


def set_detect_anomaly(mode, check_nan=True):
    """Accepted for compatibility; rustorch's errors already name the failing node."""
    global _anomaly_enabled
    _anomaly_enabled = bool(mode)


def is_anomaly_enabled():
    return _anomaly_enabled


class detect_anomaly:
    def __init__(self, check_nan=True):
        self.prev = _anomaly_enabled

    def __enter__(self):
        set_detect_anomaly(True)

    def __exit__(self, *exc):
        set_detect_anomaly(self.prev)


def is_tensor_like(inp):
    """Whether ``inp`` is a Tensor or an object that takes part in the tensor protocol."""
    return type(inp) is Tensor or hasattr(inp, "__torch_function__")


def kineto_available():
    """Whether the Kineto profiler backend is built in (it is not in rustorch)."""
    return False
