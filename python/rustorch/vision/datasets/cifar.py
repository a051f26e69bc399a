"""CIFAR10 / CIFAR100 from the python-pickle batches torchvision's archives unpack to. Files are
checked for presence only: the md5 check torchvision does belongs to its download step."""
import os
import pickle

import numpy as np

from .vision import VisionDataset, needs_network, split_repr


class CIFAR10(VisionDataset):
    base_folder = "cifar-10-batches-py"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if not self._check_integrity():
            if download:
                raise needs_network(type(self).__name__)
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        chunks, self.targets = [], []
        for file_name in self.train_list if train else self.test_list:
            with open(os.path.join(self.root, self.base_folder, file_name), "rb") as f:
                entry = pickle.load(f, encoding="latin1")
            chunks.append(entry["data"])
            self.targets.extend(entry["labels"] if "labels" in entry else entry["fine_labels"])
        self.data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))  # HWC, as Pillow wants
        self._load_meta()

    def _load_meta(self):
        with open(os.path.join(self.root, self.base_folder, self.meta["filename"]), "rb") as f:
            self.classes = pickle.load(f, encoding="latin1")[self.meta["key"]]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _check_integrity(self):
        names = self.train_list + self.test_list + [self.meta["filename"]]
        return all(os.path.isfile(os.path.join(self.root, self.base_folder, name)) for name in names)

    def __getitem__(self, index):
        from PIL import Image  # Pillow is optional: items are Pillow images, as in torchvision
        img, target = Image.fromarray(self.data[index]), self.targets[index]
        return self._transformed(img, target)

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return split_repr(self.train)


class CIFAR100(CIFAR10):
    base_folder = "cifar-100-python"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}
