"""Graph node objects (``tensor.grad_fn``)."""
from .._C import Node

__all__ = ["Node"]
