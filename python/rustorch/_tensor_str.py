"""Tensor printing that reproduces PyTorch's ``torch/_tensor_str.py`` output exactly.

Users (and the conformance scripts) compare ``repr(tensor)`` strings with the ones
PyTorch prints, so every rule here -- including PyTorch's quirks -- is deliberate.

Only these tensor attributes are used: ``dtype`` (``str()`` like ``"torch.float32"``,
``.is_floating_point``), ``shape``, ``dim()``, ``numel()``, ``requires_grad``,
``grad_fn`` (``.name()``), ``device`` (``.type``, ``str()``), ``item()`` and
``_print_values()`` (a numpy copy of the values).
"""

import contextlib
import math


__all__ = [
    "get_printoptions",
    "printoptions",
    "set_printoptions",
    "tensor_format",
    "tensor_repr",
]


class _PrintOptions:
    # A plain class, not a dataclass: `dataclasses` (with inspect and re) would add ~10 ms to
    # `import rustorch`.
    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set printing options, with the semantics of ``torch.set_printoptions``.

    ``profile`` is one of ``"default"``, ``"short"``, ``"full"`` and is applied first;
    explicit arguments override it. As in PyTorch, ``sci_mode`` is always assigned,
    so omitting it resets it to automatic selection.
    """
    if profile is not None:
        for name, value in _PROFILES.get(profile, {}).items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Current options as a dict that can be passed back to ``set_printoptions``."""
    return dict(vars(PRINT_OPTS))


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as ``set_printoptions``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def _sign_extremes(values):
    """The values whose formatted length can be the longest.

    Correctly rounded decimal formatting is monotonic in ``|v|``, so within each sign
    the longest ``f`` string belongs to the largest magnitude and the longest ``e``
    string (3-digit exponent) to the largest or smallest magnitude.
    """
    out = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            out += [part.min().item(), part.max().item()]
    return out


class _Formatter:
    """One notation and one column width shared by every printed element.

    Built from the elements that will actually be shown (after summarization),
    like PyTorch's ``_Formatter``.
    """

    def __init__(self, values, floating):
        import numpy as np  # lazily: keeps `import rustorch` fast
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not floating:
            if values.size:
                # Python str() of ints/bools; the extremes are the longest.
                ends = (values.min().item(), values.max().item())
                self.max_width = max(len(str(v)) for v in ends)
            return

        nonzero_finite = values[np.isfinite(values) & (values != 0)]
        if nonzero_finite.size == 0:
            # PyTorch returns before applying PRINT_OPTS.sci_mode here.
            return

        magnitudes = np.abs(nonzero_finite)
        # Python floats: the ratio may overflow to inf, which numpy would warn about.
        lo, hi = magnitudes.min().item(), magnitudes.max().item()
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        precision = PRINT_OPTS.precision
        candidates = _sign_extremes(nonzero_finite)

        if self.int_mode:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8)
            if self.sci_mode:
                spec, extra = f".{precision}e", 0
            else:
                # Room for the trailing "." that marks a float.
                spec, extra = ".0f", 1
        else:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
            spec, extra = (f".{precision}e" if self.sci_mode else f".{precision}f"), 0
        self.max_width = max(len(format(v, spec)) + extra for v in candidates)

        # The width stays the one measured for the automatic choice (PyTorch does the same).
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def format(self, value):
        """Format one Python scalar, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = format(value, f".{PRINT_OPTS.precision}e")
        elif self.int_mode:
            text = format(value, ".0f")
            if math.isfinite(value):
                text += "."
        else:
            text = format(value, f".{PRINT_OPTS.precision}f")
        return text.rjust(self.max_width)


def _summarize(values, edgeitems):
    """Keep the first and last ``edgeitems`` along every axis longer than 2*edgeitems.

    Returns the kept values and, per axis, whether it was cut (and needs "...").
    """
    import numpy as np  # lazily: keeps `import rustorch` fast
    cut = []
    for axis, size in enumerate(values.shape):
        is_cut = size > 2 * edgeitems
        cut.append(is_cut)
        if is_cut:
            # Explicit indices: a slice [-0:] would keep everything when edgeitems == 0.
            keep = np.r_[0:edgeitems, size - edgeitems : size]
            values = np.take(values, keep, axis=axis)
    return values, tuple(cut)


def _layout(strings, cut, indent, width):
    """Nest formatted element strings into PyTorch's bracketed, wrapped layout."""
    edge = PRINT_OPTS.edgeitems
    if strings.ndim == 1:
        items = list(strings)
        if cut[0]:
            items = ["..."] if edge == 0 else items[:edge] + [" ..."] + items[edge:]
        # Each element costs its width plus ", ".
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (width + 2)))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"

    rows = [_layout(sub, cut[1:], indent + 1, width) for sub in strings]
    if cut[0]:
        rows = rows[:edge] + ["..."] + rows[edge:]
    separator = "," + "\n" * (strings.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(rows) + "]"


def _tensor_str(tensor, indent):
    """The bracketed contents of a non-empty tensor."""
    import numpy as np  # lazily: keeps `import rustorch` fast
    values = np.asarray(tensor._print_values())
    if values.dtype.kind == "c":
        return _complex_str(values, indent)
    floating = tensor.dtype.is_floating_point
    if floating:
        # float16/bfloat16/float32 -> float64 is exact; PyTorch formats Python floats.
        values = values.astype(np.float64)

    if values.ndim == 0:
        formatter = _Formatter(values.reshape(1), floating)
        return formatter.format(values.item())

    summarize = values.size > PRINT_OPTS.threshold
    if summarize:
        # Summarize before formatting, so huge tensors cost only their edges.
        values, cut = _summarize(values, PRINT_OPTS.edgeitems)
    else:
        cut = (False,) * values.ndim

    formatter = _Formatter(values.reshape(-1), floating)
    strings = np.empty(values.size, dtype=object)
    strings[:] = [formatter.format(v) for v in values.reshape(-1).tolist()]
    return _layout(strings.reshape(values.shape), cut, indent, formatter.max_width)


def _complex_str(values, indent):
    """Complex elements as PyTorch prints them: the real parts share one formatter, the
    imaginary parts another, joined as ``1.+2.j``."""
    import numpy as np  # lazily: keeps `import rustorch` fast
    values = values.astype(np.complex128)
    scalar = values.ndim == 0
    if scalar:
        values, cut = values.reshape(1), (False,)
    elif values.size > PRINT_OPTS.threshold:
        values, cut = _summarize(values, PRINT_OPTS.edgeitems)
    else:
        cut = (False,) * values.ndim
    flat = values.reshape(-1)
    real, imag = _Formatter(flat.real, True), _Formatter(flat.imag, True)

    def element(z):
        imag_text = (imag.format(z.imag) + "j").lstrip()
        # a formatted imaginary part carries its own sign when negative (or -0.)
        return real.format(z.real) + (imag_text if imag_text[0] in "+-" else "+" + imag_text)

    if scalar:
        return element(flat[0])
    strings = np.empty(flat.size, dtype=object)
    strings[:] = [element(z) for z in flat.tolist()]
    return _layout(strings.reshape(values.shape), cut, indent, real.max_width + imag.max_width + 1)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items, wrapping onto new lines past the line width."""
    parts = [text]
    # PyTorch's own (slightly generous) estimate of the current line length.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _default_dtype_name():
    import rustorch  # lazy: this module is imported while the package initialises

    return str(rustorch.get_default_dtype())


def tensor_repr(tensor) -> str:
    """``repr(tensor)`` / ``str(tensor)`` exactly as PyTorch prints it."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []

    if tensor.device.type != "cpu":
        suffixes.append(f"device='{tensor.device}'")

    dtype_name = str(tensor.dtype)
    default_float = _default_dtype_name()
    # The complex dtype of the default float's precision is implied too.
    default_complex = "torch.complex128" if default_float == "torch.float64" else "torch.complex64"
    if tensor.numel() == 0:
        # NumPy-style: the shape is only implied for 1-D, and no element hints at the dtype.
        if tensor.dim() != 1:
            suffixes.append(f"size={tuple(tensor.shape)}")
        if dtype_name != default_float:
            suffixes.append(f"dtype={dtype_name}")
        body = "[]"
    else:
        if dtype_name not in (default_float, default_complex, "torch.int64", "torch.bool"):
            suffixes.append(f"dtype={dtype_name}")
        body = _tensor_str(tensor, indent)

    grad_fn = tensor.grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name().rsplit('::', 1)[-1]}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent)


def tensor_format(tensor, spec: str) -> str:
    """``format(tensor, spec)`` as ``torch.Tensor.__format__`` does it.

    0-dim tensors format their Python scalar (``"{:.4f}".format(t)``); otherwise only
    the empty spec is accepted and gives ``str(tensor)``, like ``object.__format__``.
    """
    if tensor.dim() == 0:
        return format(tensor.item(), spec)
    if spec:
        raise TypeError(f"unsupported format string passed to {type(tensor).__name__}.__format__")
    return str(tensor)
