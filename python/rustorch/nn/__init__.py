"""``torch.nn``: modules, layers, losses, and their functional forms."""
from .parameter import Parameter
# modules first: the layer files import functional, which imports modules.utils.
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import functional, init, utils  # noqa: F401
from . import parallel  # noqa: F401

__all__ = ["Parameter", "functional", "init", "parallel", "utils"] + _modules_all
