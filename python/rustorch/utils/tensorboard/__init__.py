"""``torch.utils.tensorboard``: ``SummaryWriter`` over the ``tensorboard`` package's own event
file writer and protobufs (an optional dependency: ``pip install tensorboard``)."""
try:
    import tensorboard  # noqa: F401
except ImportError:
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above") from None

from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
