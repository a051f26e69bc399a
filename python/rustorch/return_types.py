"""Named results of ops that return several tensors (``torch.return_types``): tuples whose
items are also attributes, printed the way PyTorch prints them."""
import operator as _operator

__all__ = [
    "max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax",
    "cummin", "aminmax",
]


class _ReturnType(tuple):
    """Base of the named result types; built from one sequence, like PyTorch's structseqs."""

    __slots__ = ()
    _fields = ()

    def __new__(cls, sequence):
        items = tuple(sequence)
        if len(items) != len(cls._fields):
            raise TypeError(
                f"torch.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                f"({len(items)}-sequence given)"
            )
        return super().__new__(cls, items)

    def __repr__(self):
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _make(name, fields):
    attrs = {"__slots__": (), "_fields": fields, "n_fields": len(fields), "n_sequence_fields": len(fields)}
    for i, field in enumerate(fields):
        attrs[field] = property(_operator.itemgetter(i))
    cls = type(name, (_ReturnType,), attrs)
    cls.__module__ = __name__
    return cls


_VALUES_INDICES = ("values", "indices")
for _name in __all__:
    globals()[_name] = _make(_name, ("min", "max") if _name == "aminmax" else _VALUES_INDICES)
del _name
# Results whose fields have their own names.
_NAMED_FIELDS = {
    "histogram": ("hist", "bin_edges"), "histogramdd": ("hist", "bin_edges"),
    "frexp": ("mantissa", "exponent"), "geqrf": ("a", "tau"), "lu_unpack": ("P", "L", "U"),
    "_lu_with_info": ("LU", "pivots", "info"),
}
for _name, _fields in _NAMED_FIELDS.items():
    globals()[_name] = _make(_name, _fields)
__all__ += list(_NAMED_FIELDS)
del _name, _fields
