"""Grad-mode switches, usable as context managers and as decorators."""
import functools

from .. import _C

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]


def _is_generator_function(func):
    """inspect.isgeneratorfunction without importing inspect (with ast, dis, re: ~10 ms of
    import time, and the decorators run while rustorch imports)."""
    func = getattr(func, "__func__", func)  # bound methods
    while isinstance(func, functools.partial):
        func = func.func
    return bool(getattr(getattr(func, "__code__", None), "co_flags", 0) & 0x20)  # CO_GENERATOR


class _DecoratorContextManager:
    """Turns a context manager into a decorator: the function runs inside a fresh copy of it."""

    def __call__(self, func):
        if _is_generator_function(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with self.clone():
                    request = gen.send(None)
                while True:
                    response = yield request
                    with self.clone():
                        request = gen.send(response)
            except StopIteration as e:
                return e.value

        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamDecorator(_DecoratorContextManager):
    """Also usable bare: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecorator):
    """Disables gradient recording inside the block."""

    def __enter__(self):
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)


class enable_grad(_NoParamDecorator):
    """Enables gradient recording inside the block (e.g. within ``no_grad``)."""

    def __enter__(self):
        self.prev = _C._set_grad_enabled(True)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode on construction (so it also works as a plain function call) and restores
    the previous mode when used as a context manager."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = _C._set_grad_enabled(self.mode)

    def __call__(self, orig_func):
        _C._set_grad_enabled(self.prev)
        return super().__call__(orig_func)

    def __enter__(self):
        _C._set_grad_enabled(self.mode)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev)

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (no tensor created inside records history)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self.prev_inference = _C._set_inference_mode(self.mode)
        self.prev_grad = _C._set_grad_enabled(not self.mode and _C.is_grad_enabled())

    def __exit__(self, *exc):
        _C._set_grad_enabled(self.prev_grad)
        _C._set_inference_mode(self.prev_inference)

    def clone(self):
        return self.__class__(self.mode)
