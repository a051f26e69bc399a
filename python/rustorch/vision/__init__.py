"""``rustorch.vision``: torchvision's model zoo on rustorch.

``import rustorch.vision as torchvision`` lets torchvision-style code run unchanged:
``torchvision.models.resnet18(weights="resnet18-f37072fd.pth")``. Nothing is downloaded:
pretrained weights are local checkpoint files (PyTorch's ``.pth`` format, read by
``rustorch.load``)."""
from . import models

__all__ = ["models"]
