"""Custom differentiable functions: subclass ``Function`` with static ``forward`` and
``backward`` and call ``.apply``. The recorded node is the ``ctx`` object itself, an instance
of the generated ``<Name>Backward`` class."""
import functools

from .. import _C
from .._C import Tensor
from .grad_mode import no_grad

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) uses to pass state to ``backward``."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        self.materialize_grads = value

    @property
    def saved_tensors(self):
        handle = getattr(self, "_handle", None)
        if handle is None:
            return tuple(getattr(self, "to_save", ()))
        return handle.saved_tensors()


class BackwardCFunction(FunctionCtx):
    """Base of the node classes generated for each Function subclass."""

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        handle = getattr(self, "_handle", None)
        return handle.next_functions if handle is not None else ()

    def _call_backward(self, *grads):
        return self._forward_cls.backward(self, *grads)

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"


class _FunctionMeta(type):
    """Gives every Function subclass its node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class for custom autograd functions."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. "
            "Please use new-style autograd function with static forward method. "
            "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        enabled = _C.is_grad_enabled()
        ctx.needs_input_grad = tuple(
            enabled and isinstance(a, Tensor) and a.requires_grad for a in args
        )
        uses_setup_context = cls.setup_context is not Function.setup_context
        with no_grad():
            if uses_setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(outputs, tuple)
        recorded = _C._function_apply(
            ctx,
            args,
            outputs if is_tuple else (outputs,),
            tuple(getattr(ctx, "to_save", ())),
            tuple(getattr(ctx, "non_differentiable", ())),
        )
        return recorded if is_tuple else recorded[0]


def once_differentiable(fn):
    """Marks a backward as not twice differentiable (it runs without building a graph)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper
