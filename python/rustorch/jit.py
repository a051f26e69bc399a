"""``torch.jit``: eager pass-throughs. rustorch has no TorchScript; ``script`` and ``trace``
return the function or module itself, which computes what the scripted or traced one would."""
import warnings

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing",
           "ScriptModule", "ScriptFunction", "save", "load", "Final"]

_noted = False


def _note(what):
    global _noted
    if not _noted:
        _noted = True
        warnings.warn("torch.jit.%s: rustorch has no TorchScript; the code runs eagerly" % what,
                      UserWarning, stacklevel=3)


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    _note("script")
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-5, strict=True, _force_outplace=False, _module_class=None,
          _compilation_unit=None, example_kwarg_inputs=None, _store_inputs=True):
    _note("trace")
    return func


def ignore(drop=False, **kwargs):
    """As a decorator (``@torch.jit.ignore`` or ``@torch.jit.ignore(drop=True)``): unchanged."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def is_scripting():
    return False


def is_tracing():
    return False


class ScriptModule:
    """Never instantiated: nothing is scripted, so ``isinstance(m, ScriptModule)`` is False."""


class ScriptFunction:
    """Never instantiated (see ScriptModule)."""


def save(m, f, _extra_files=None):
    raise NotImplementedError("rustorch has no TorchScript: save the state_dict with torch.save instead")


def load(f, map_location=None, _extra_files=None):
    raise NotImplementedError("rustorch has no TorchScript: torch.jit.load cannot read TorchScript archives")


def __getattr__(name):
    # torch.jit.Final is typing.Final; typing is imported only when it is asked for (import time).
    if name == "Final":
        from typing import Final
        return Final
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
