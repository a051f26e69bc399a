"""``torchvision.datasets`` on rustorch: folder datasets, FakeData, MNIST/FashionMNIST and
CIFAR10/100 read from local files (nothing is downloaded)."""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "FakeData", "FashionMNIST", "ImageFolder", "MNIST",
           "VisionDataset"]
