"""``torchvision.transforms.v2``: the names whose behaviour on plain Pillow images and tensors is
the same as v1's (v2's tv_tensors, bounding boxes and masks are not provided)."""
from ..transforms import (CenterCrop, ColorJitter, Compose, ConvertImageDtype, Grayscale, InterpolationMode, Lambda, Normalize,  # noqa: F401
                          Pad, PILToTensor, RandomApply, RandomChoice, RandomCrop, RandomGrayscale,
                          RandomHorizontalFlip, RandomOrder, RandomResizedCrop, RandomVerticalFlip, Resize,
                          ToPILImage, ToTensor)
from .. import functional  # noqa: F401
