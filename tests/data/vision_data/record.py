"""Record torchvision 0.29's outputs for test_vision_data.py (run by hand, with real torchvision):

    /opt/torchvenv/bin/python tests/data/vision_data/record.py

Writes the synthetic dataset files under files/ (a tiny ImageFolder tree, MNIST/FashionMNIST idx
files raw and as processed .pt, CIFAR-10/100 pickle batches) and fixture.pkl.gz: every transform case
of cases.py (seeded draws) and dataset items, as arrays with their kind (Pillow mode or dtype)."""
import gzip
import os
import pickle
import random
import shutil
import struct
import sys

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
import torchvision.transforms.v2 as T2
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402

FILES = os.path.join(HERE, "files")
SEED = 20260


def write_idx(path, array):
    """MNIST's idx format: big-endian magic (0, 0, dtype 0x08 = ubyte, ndim), dims, raw bytes."""
    with open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 8, array.ndim))
        f.write(struct.pack(f">{array.ndim}I", *array.shape))
        f.write(array.astype(np.uint8).tobytes())


def write_files():
    shutil.rmtree(FILES, ignore_errors=True)
    rng = np.random.RandomState(1)
    for cls, names in {"cat": ["b.png", "a.png"], "dog": ["c.png"], "emu": ["d.PNG", "notes.txt"]}.items():
        os.makedirs(os.path.join(FILES, "folder", cls))
        for name in names:
            path = os.path.join(FILES, "folder", cls, name)
            if name.endswith(".txt"):
                open(path, "w").write("not an image\n")
            else:
                Image.fromarray(rng.randint(0, 256, (5, 7, 3)).astype(np.uint8)).save(path, format="PNG")
    for dataset in ("MNIST", "FashionMNIST"):
        raw = os.path.join(FILES, dataset, "raw")
        os.makedirs(raw)
        for split, count in (("train", 3), ("t10k", 2)):
            write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte"), rng.randint(0, 256, (count, 28, 28)))
            write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte"), rng.randint(0, 10, (count,)))
    # The legacy layout: processed/{training,test}.pt holding (data, targets) tensors.
    legacy = os.path.join(FILES, "legacy", "MNIST", "processed")
    os.makedirs(legacy)
    for name, count in (("training.pt", 2), ("test.pt", 1)):
        torch.save((torch.from_numpy(rng.randint(0, 256, (count, 28, 28)).astype(np.uint8)),
                    torch.from_numpy(rng.randint(0, 10, (count,)))), os.path.join(legacy, name))
    cifar10 = os.path.join(FILES, "cifar-10-batches-py")
    os.makedirs(cifar10)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"batch_label": name, "labels": rng.randint(0, 10, 2).tolist(),
                 "data": rng.randint(0, 256, (2, 3072)).astype(np.uint8), "filenames": ["x.png", "y.png"]}
        pickle.dump(batch, open(os.path.join(cifar10, name), "wb"), protocol=2)
    pickle.dump({"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                                 "truck"], "num_cases_per_batch": 2},
                open(os.path.join(cifar10, "batches.meta"), "wb"), protocol=2)
    cifar100 = os.path.join(FILES, "cifar-100-python")
    os.makedirs(cifar100)
    for name in ("train", "test"):
        batch = {"fine_labels": rng.randint(0, 100, 2).tolist(), "coarse_labels": rng.randint(0, 20, 2).tolist(),
                 "data": rng.randint(0, 256, (2, 3072)).astype(np.uint8)}
        pickle.dump(batch, open(os.path.join(cifar100, name), "wb"), protocol=2)
    pickle.dump({"fine_label_names": [f"class{i}" for i in range(100)]}, open(os.path.join(cifar100, "meta"), "wb"))


def record_transforms(store):
    for prefix, module, names in (("v1", T, None), ("v2", T2, cases.V2_NAMES)):
        table = cases.cases(module, torch)
        for name, (factory, input_names, draws) in table.items():
            if names is not None and name not in names:
                continue
            for input_name in input_names:
                image = cases.inputs(torch, Image)[input_name]
                torch.manual_seed(SEED)
                random.seed(SEED)
                transform = factory()
                for draw in range(draws):
                    kind, array = cases.to_array(transform(image))
                    store[f"{prefix}|{name}|{input_name}|{draw}"] = array
                    store[f"{prefix}|{name}|{input_name}|{draw}|kind"] = np.array(kind)


def record_datasets(store):
    import torchvision.datasets as D
    import torchvision.datasets.cifar as cifar_module
    # The synthetic batches cannot match the real archives' md5 sums; check presence only.
    cifar_module.check_integrity = lambda path, md5=None: os.path.isfile(path)
    folder = D.ImageFolder(os.path.join(FILES, "folder"), transform=T.PILToTensor())
    store["imagefolder|classes"] = np.array(folder.classes)
    store["imagefolder|samples"] = np.array([os.path.relpath(p, FILES) for p, _ in folder.samples])
    store["imagefolder|targets"] = np.array(folder.targets)
    for index in range(len(folder)):
        store[f"imagefolder|item|{index}"] = folder[index][0].numpy()
    by_size = D.DatasetFolder(os.path.join(FILES, "folder"), loader=os.path.getsize, extensions=(".txt", ".png"))
    store["datasetfolder|samples"] = np.array([os.path.relpath(p, FILES) for p, _ in by_size.samples])
    fake = D.FakeData(size=4, image_size=(3, 6, 5), num_classes=7, random_offset=3, transform=T.PILToTensor())
    for index in range(len(fake)):
        image, target = fake[index]
        store[f"fakedata|item|{index}"] = image.numpy()
        store[f"fakedata|target|{index}"] = np.array(target)
    built = {"mnist_train": lambda: D.MNIST(FILES, train=True), "mnist_test": lambda: D.MNIST(FILES, train=False),
             "fashion_train": lambda: D.FashionMNIST(FILES),
             "legacy_train": lambda: D.MNIST(os.path.join(FILES, "legacy")),
             "legacy_test": lambda: D.MNIST(os.path.join(FILES, "legacy"), train=False),
             "cifar10_train": lambda: D.CIFAR10(FILES), "cifar10_test": lambda: D.CIFAR10(FILES, train=False),
             "cifar100_train": lambda: D.CIFAR100(FILES), "cifar100_test": lambda: D.CIFAR100(FILES, train=False)}
    for name, make in built.items():
        dataset = make()
        store[f"{name}|classes"] = np.array(dataset.classes)
        store[f"{name}|len"] = np.array(len(dataset))
        for index in sorted({0, len(dataset) - 1}):
            image, target = dataset[index]
            store[f"{name}|item|{index}"] = np.array(image)
            store[f"{name}|mode|{index}"] = np.array(image.mode)
            store[f"{name}|target|{index}"] = np.array(target)


def record_utils(store):
    from torchvision.utils import make_grid
    batch = torch.arange(5 * 3 * 4 * 6, dtype=torch.float32).reshape(5, 3, 4, 6) / 360
    store["grid|default"] = make_grid(batch).numpy()
    store["grid|nrow2_pad1"] = make_grid(batch, nrow=2, padding=1, pad_value=0.5).numpy()
    store["grid|normalize"] = make_grid(batch * 3 - 1, normalize=True, value_range=None, scale_each=True).numpy()
    store["grid|gray"] = make_grid(batch[:, :1], nrow=3).numpy()
    store["grid|single"] = make_grid(batch[0]).numpy()
    path = os.path.join(FILES, "grid.png")
    torchvision.utils.save_image(batch, path, nrow=3)
    store["save_image|png"] = np.array(Image.open(path))
    os.remove(path)


if __name__ == "__main__":
    write_files()
    store = {}
    record_transforms(store)
    record_datasets(store)
    record_utils(store)
    objects = cases.repr_objects(T, torchvision.datasets, torch, FILES)
    store["reprs"] = np.array([repr(obj).replace(FILES, "<files>") for obj in objects])
    # One gzipped pickle of NumPy arrays and strings: far smaller than an .npz of ~500 tiny members.
    with gzip.open(os.path.join(HERE, "fixture.pkl.gz"), "wb") as f:
        pickle.dump({key: value.item() if value.ndim == 0 else value for key, value in store.items()}, f, protocol=4)
    print(len(store), "entries")
