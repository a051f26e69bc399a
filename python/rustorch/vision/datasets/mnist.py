"""MNIST and FashionMNIST from root/<Name>/raw/*-idx?-ubyte (the uncompressed idx files, as
torchvision leaves them), or the legacy root/<Name>/processed/{training,test}.pt."""
import os

import numpy as np

import rustorch as torch

from .vision import VisionDataset, needs_network, split_repr

# idx type byte -> big-endian NumPy dtype (the format is big-endian throughout).
_IDX_DTYPES = {8: np.uint8, 9: np.int8, 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def read_sn3_pascalvincent_tensor(path, strict=True):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES or not 1 <= data[3] <= 3:
        raise RuntimeError(f"{path} is not an idx file (bad magic number)")
    ndim = data[3]
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(ndim)]
    dtype = np.dtype(_IDX_DTYPES[data[2]])
    array = np.frombuffer(data, dtype, count=int(np.prod(shape)), offset=4 * (ndim + 1)).reshape(shape)
    return torch.from_numpy(array.astype(dtype.newbyteorder("=")))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path)
    if x.dtype != torch.uint8 or x.ndim != 1:
        raise RuntimeError(f"{path}: expected a 1-d uint8 idx label file, got {x.dtype} with {x.ndim} dims")
    return x.long()


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path)
    if x.dtype != torch.uint8 or x.ndim != 3:
        raise RuntimeError(f"{path}: expected a 3-d uint8 idx image file, got {x.dtype} with {x.ndim} dims")
    return x


class MNIST(VisionDataset):
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if not self._check_exists():
            if download:
                raise needs_network(type(self).__name__)
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _raw_files(self):
        return [f"{split}-{kind}-idx{n}-ubyte" for split in ("train", "t10k") for kind, n in (("images", 3), ("labels", 1))]

    def _check_exists(self):
        return all(os.path.isfile(os.path.join(self.raw_folder, name)) for name in self._raw_files())

    def _check_legacy_exist(self):
        return all(os.path.isfile(os.path.join(self.processed_folder, name))
                   for name in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        data_file = self.training_file if self.train else self.test_file
        return torch.load(os.path.join(self.processed_folder, data_file), weights_only=True)

    def _load_data(self):
        split = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{split}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{split}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index):
        from PIL import Image  # Pillow is optional: items are Pillow images, as in torchvision
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy(), mode="L")
        return self._transformed(img, target)

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return split_repr(self.train)


class FashionMNIST(MNIST):
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
