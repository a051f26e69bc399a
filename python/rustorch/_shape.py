"""Shape, view and indexing functions: ``rustorch.f(t, ...)`` is ``t.f(...)`` for the methods
below (no wrapper cost); the joining functions (``cat``, ``stack``, ``where``...) are compiled."""
from ._C import Tensor
from ._size import Size
from ._C import (
    cat, stack, hstack, vstack, dstack, column_stack, broadcast_tensors,
    atleast_1d, atleast_2d, atleast_3d, where,
)

_METHODS = (
    "flatten", "ravel", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
    "swapdims", "t", "permute", "movedim", "moveaxis", "narrow", "select", "unbind", "chunk",
    "split", "tensor_split", "as_strided", "diagonal", "flip", "fliplr", "flipud", "roll",
    "tile", "diag", "diag_embed", "tril", "triu", "trace", "broadcast_to", "index_select",
    "gather", "scatter", "scatter_add", "masked_fill", "masked_select", "nonzero", "argwhere",
    "take", "index_add", "index_copy", "index_fill",
)
for _name in _METHODS:
    globals()[_name] = getattr(Tensor, _name)
del _name

concat = cat
concatenate = cat
row_stack = vstack


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (an int counts as a 1-D shape)."""
    result = []
    for i, shape in enumerate(shapes):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if len(shape) > len(result):
            result = [1] * (len(shape) - len(result)) + result
        for k, size in enumerate(shape):
            k += len(result) - len(shape)
            if size < 0:
                raise RuntimeError("Trying to create tensor with negative dimension %d: %s" % (size, list(shape)))
            if result[k] == 1:
                result[k] = size
            elif size != 1 and size != result[k]:
                raise RuntimeError(
                    "Shape mismatch: objects cannot be broadcast to a single shape.  "
                    "Mismatch is between arg %d and arg %d." % (i - 1 if i else 0, i))
    return Size(result)


__all__ = list(_METHODS) + [
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack",
    "column_stack", "broadcast_tensors", "broadcast_shapes", "atleast_1d", "atleast_2d",
    "atleast_3d", "where",
]
