"""PyTorch's CPU kernels compute float16 and bfloat16 in float32 ("opmath") and round once.
A function composed here of several tensor ops would round after each of them (``x *
x.sigmoid()`` rounds the sigmoid first; ``exp`` overflows float16 at 11); ``in_float32`` runs it
on inputs widened to float32 and rounds its result instead."""
import inspect

from . import _C


def in_float32(fn):
    """``fn(input, *args)`` for 16-bit float ``input``: computed on float32 copies of the
    tensor arguments of input's dtype, the result cast back (autograd follows both casts)."""
    def run(input, *args, **kwargs):
        dtype = getattr(input, "dtype", None)
        if dtype is not _C.float16 and dtype is not _C.bfloat16:
            return fn(input, *args, **kwargs)
        wide = [a.float() if isinstance(a, _C.Tensor) and a.dtype is dtype else a for a in args]
        return fn(input.float(), *wide, **kwargs).to(dtype)

    # fn's name, doc and parameters, but no __wrapped__: that marks the device fallback's
    # wrappers of Rust ops (tests/test_device.py).
    run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    run.__signature__ = inspect.signature(fn)
    return run
