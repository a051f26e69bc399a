"""What the generated bindings (``_bound.py``) share: ``out=`` and PyTorch's wrong-call errors.

Every public function is declared once with PyTorch's overloads (tools/signatures/declarations.json,
recorded from PyTorch's own argument parser); tools/signatures/generate.py turns each declaration
into a plain Python function with the merged signature, which forwards positionally to the Rust
implementation.  Python binds the names and keywords (the cheapest binder there is, and the one
``inspect.signature`` reads); the code here runs only when a call passes ``out=`` or fails, so the
common call pays one Python frame and nothing else.
"""
import functools
import warnings

from ._C import Tensor
from ._inplace import check_no_partial_overlap

_SCALAR_TYPE_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
    "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
    "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def _scalar_type_name(dtype):
    name = str(dtype).rsplit(".", 1)[-1]
    return _SCALAR_TYPE_NAMES.get(name, name)


def _can_cast(source, target):
    """PyTorch's ``can_cast`` rule for writing a result into ``out``."""
    if source.is_complex and not target.is_complex:
        return False
    if source.is_floating_point and not (target.is_floating_point or target.is_complex):
        return False
    return str(source) == "torch.bool" or str(target) != "torch.bool"


def write_out(name, out, result, overloads=None, args=(), kwargs=None):
    """``result`` written into ``out`` (a tensor, or a tuple of them for tuple results), resized
    the way PyTorch resizes outputs; returns ``out`` (PyTorch's named tuple for tuple results).
    With ``overloads``, first checks that the call (``args``, ``kwargs``) fits one that has
    ``out`` (``sum(x, out=o)`` does not: only ``sum(x, dim, out=o)`` has it)."""
    if overloads is not None:
        check(name, overloads, args, dict(kwargs, out=out))
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors, "
                            f"not {type(out).__name__}")
        written = [write_out(name, o, r) for o, r in zip(out, result)]
        if hasattr(result, "_make"):  # a collections.namedtuple (linalg's QR, SVD, ...)
            return result._make(written)
        return type(result)(written) if hasattr(result, "_fields") else tuple(written)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    check_no_partial_overlap(out, args)
    check_no_partial_overlap(out, (kwargs or {}).values())
    if out.requires_grad or result.requires_grad:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if not _can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {_scalar_type_name(result.dtype)} can't be cast to the "
                           f"desired output type {_scalar_type_name(out.dtype)}")
    if out.shape != result.shape:
        if out.numel() != 0:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=3)
        out.resize_(result.shape)
    out.copy_(result)
    return out


# --- declarations: "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)" ---

def _parts(text):
    """The comma-separated parts of ``text``, brackets respected."""
    depth, current, parts = 0, "", []
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def is_named(line):
    """Whether an overload takes dimension names (named tensors, which rustorch leaves out)."""
    return "Dimname" in line or "of names" in line or "name dim" in line


@functools.lru_cache(maxsize=None)  # every out= call checks its overloads: parse each once
def parse(line):
    """``((type, name, keyword_only, default_text), ...)`` of one declared overload."""
    params, keyword_only = [], False
    for part in _parts(line.strip()[1:-1]):
        part = part.strip()
        if not part:
            continue
        if part == "*":
            keyword_only = True
            continue
        decl, _, default = part.partition(" = ")
        kind, _, name = decl.rpartition(" ")
        params.append((kind, name, keyword_only, default or None))
    return tuple(params)


def _is_int(value):
    return isinstance(value, int) or (isinstance(value, Tensor) and value.dim() == 0
                                      and not value.is_floating_point())


# The functions whose Tensor parameters take Python numbers too (PyTorch's arg parser,
# should_allow_numbers_as_tensors): `torch.add(x, 1, out=o)` fits "(Tensor input, Tensor other)".
_NUMBERS_AS_TENSORS = frozenset("""
    add add_ div div_ divide divide_ mul mul_ multiply multiply_ sub sub_ subtract subtract_
    true_divide true_divide_ floor_divide floor_divide_ copy_
""".split())


def is_number(value):
    return isinstance(value, (bool, int, float, complex))


def wrapped_number(value):
    """A Python number standing for a Tensor argument: a 0-dim tensor, which promotes as the
    number does (its dtype's category only)."""
    import rustorch
    return rustorch.tensor(value)


def _fits(kind, value, default, numbers_as_tensors=False):
    """Whether ``value`` can bind to a parameter of PyTorch's type ``kind``."""
    if value is None:
        return default == "None" or kind in ("Tensor", "torch.dtype", "torch.device", "torch.layout",
                                             "torch.Generator", "torch.memory_format")
    if kind == "Tensor":
        return isinstance(value, Tensor) or (numbers_as_tensors and isinstance(value, (int, float, complex)))
    if kind in ("Number", "float"):
        return isinstance(value, (int, float)) or (isinstance(value, Tensor) and value.dim() == 0)
    if kind == "int":
        return _is_int(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "tuple of ints":
        return _is_int(value) or (isinstance(value, (tuple, list)) and all(map(_is_int, value)))
    if kind == "tuple of Tensors":
        return isinstance(value, (tuple, list)) and all(isinstance(v, Tensor) for v in value)
    if kind == "torch.dtype":
        return type(value).__name__ == "dtype"
    if "name" in kind:  # Dimname: named tensors are not supported
        return False
    return True


def _matches(params, args, kwargs, numbers_as_tensors):
    positional = [p for p in params if not p[2]]
    if len(args) > len(positional):
        return False
    names = {p[1] for p in params}
    if any(k not in names for k in kwargs):
        return False
    for i, (kind, name, _, default) in enumerate(params):
        if i < len(args) and not params[i][2]:
            value = args[i]
            if name in kwargs:
                return False
        elif name in kwargs:
            value = kwargs[name]
        elif default is None:
            return False
        else:
            continue
        if not _fits(kind, value, default, numbers_as_tensors):
            return False
    return True


def _describe(value):
    if isinstance(value, Tensor):
        return "Tensor"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of ({', '.join(_describe(v) for v in value)})"
    return type(value).__name__


def _is_default(value, default):
    # A tensor is never a declared default, and its repr prints its values (milliseconds for a
    # large one, on every out= call).
    if value is None:
        return True
    return default is not None and not isinstance(value, Tensor) and repr(value) == default


def check(name, overloads, args, kwargs, error=None):
    """Raise PyTorch's TypeError for a call that fits none of ``overloads``; else re-raise
    ``error`` (the implementation's own, for a call that fits a declaration).  ``args`` are the
    values of the merged signature's positional parameters, ``kwargs`` its keyword-only ones;
    arguments left at their defaults are taken as not given."""
    parsed = [parse(o) for o in overloads]
    defaults = {p[1]: p[3] for ps in parsed for p in ps if p[3] is not None}
    slots = max(parsed, key=lambda ps: sum(not p[2] for p in ps))
    names = [p[1] for p in slots if not p[2]]
    given = len(args)
    while given and _is_default(args[given - 1], defaults.get(names[given - 1] if given - 1 < len(names) else "")):
        given -= 1
    args = tuple(args[:given])
    declared = {p[1] for ps in parsed for p in ps}  # not the implementation's extras (axis=)
    kwargs = {k: v for k, v in kwargs.items()
              if k in declared and not _is_default(v, defaults.get(k))}
    numbers_as_tensors = name in _NUMBERS_AS_TENSORS
    if any(_matches(p, args, kwargs, numbers_as_tensors) for p in parsed):
        if error is not None:
            raise error
        return
    # PyTorch names the offending argument when just one overload takes this many arguments
    count = len(args) + len(kwargs)
    plausible = [ps for ps in parsed if sum(p[3] is None for p in ps) <= count <= len(ps)]
    if len(plausible) == 1:
        params = plausible[0]
        for i, (kind, pname, keyword_only, default) in enumerate(params):
            given = i < len(args) and not keyword_only
            value = args[i] if given else kwargs.get(pname, None)
            if (given or pname in kwargs) and not _fits(kind, value, default, numbers_as_tensors):
                if error is not None and kind == "tuple of Tensors" and isinstance(value, (tuple, list)):
                    raise error  # its "expected Tensor as element 1 in argument 0" is PyTorch's
                where = f" (position {i + 1})" if given else ""
                raise TypeError(f"{name}(): argument '{pname}'{where} must be {kind}, "
                                f"not {_describe(value)}") from None
    got = ", ".join(_describe(a) for a in args)
    if kwargs:
        keywords = ", ".join(f"{k}={_describe(v)}" for k, v in kwargs.items())
        got = f"{got}, {keywords}" if got else keywords + ", "
    expected = ("one of:\n" + "".join(f" * {o}\n" for o in overloads) if len(overloads) > 1
                else overloads[0])
    raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                    f"but expected {expected}") from None


def unsupported(name, parameter):
    raise NotImplementedError(f"{name}(): rustorch does not support {parameter}= yet")
