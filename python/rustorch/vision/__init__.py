"""``rustorch.vision``: torchvision on rustorch (models, transforms, datasets, utils).

``import rustorch.vision as torchvision`` lets torchvision-style code run unchanged:
``torchvision.models.resnet18(weights="resnet18-f37072fd.pth")``. Nothing is downloaded:
pretrained weights are local checkpoint files (PyTorch's ``.pth`` format, read by
``rustorch.load``). ``transforms``, ``datasets`` (local files only) and ``utils`` are torchvision's
data side; Pillow is needed only for Pillow images."""
from . import datasets, models, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]
