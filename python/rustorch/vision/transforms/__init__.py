"""``torchvision.transforms`` on rustorch (Pillow images and tensors)."""
from . import functional
from .transforms import *  # noqa: F401,F403 - torchvision exposes the classes at package level
from .transforms import __all__
from . import v2  # noqa: E402
