"""rustorch.vision's data side (transforms, datasets, utils) replaying values recorded from real
torchvision 0.29 by tests/data/vision_data/record.py (same cases, same seeds, same files)."""
import gzip
import os
import pickle
import random
import sys

import numpy as np
import pytest

import rustorch as torch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "vision_data")
FILES = os.path.join(HERE, "files")
sys.path.insert(0, HERE)
import cases  # noqa: E402

Image = pytest.importorskip("PIL.Image", reason="rustorch.vision's transforms tests need Pillow")
import rustorch.vision.transforms as T  # noqa: E402
import rustorch.vision.transforms.v2 as T2  # noqa: E402

with gzip.open(os.path.join(HERE, "fixture.pkl.gz"), "rb") as _f:
    FIXTURE = pickle.load(_f)
SEED = 20260


def _transform_params(prefix, module, names=None):
    for name, (factory, input_names, draws) in cases.cases(module, torch).items():
        if names is None or name in names:
            for input_name in input_names:
                yield pytest.param(prefix, module, name, input_name, draws, id=f"{prefix}-{name}-{input_name}")


def _assert_same(kind, array, expected_kind, expected, key):
    assert kind == expected_kind, key
    assert array.shape == expected.shape, key
    if array.dtype == np.uint8:
        # Tensor resizes compute in float32 like PyTorch, but sum taps in another order: one
        # grey level off where a value lands on .5 is the only difference allowed.
        tolerance = 1 if "resize" in key or "resized" in key or "pipeline" in key else 0
        worst = int(np.abs(array.astype(int) - expected.astype(int)).max(initial=0))
        assert worst <= tolerance, f"{key}: off by {worst}"
    else:
        np.testing.assert_allclose(array, expected, rtol=1e-5, atol=2e-6, err_msg=key)


@pytest.mark.parametrize("prefix,module,name,input_name,draws",
                         list(_transform_params("v1", T)) + list(_transform_params("v2", T2, cases.V2_NAMES)))
def test_transform_matches_torchvision(prefix, module, name, input_name, draws):
    factory = cases.cases(module, torch)[name][0]
    image = cases.inputs(torch, Image)[input_name]
    torch.manual_seed(SEED)
    random.seed(SEED)
    transform = factory()
    for draw in range(draws):
        key = f"{prefix}|{name}|{input_name}|{draw}"
        kind, array = cases.to_array(transform(image))
        _assert_same(kind, array, FIXTURE[key + "|kind"], FIXTURE[key], key)


def test_random_transforms_use_the_global_generator():
    image = cases.inputs(torch, Image)["u8"]
    crop = T.RandomResizedCrop(8)
    torch.manual_seed(5)
    first = [crop(image) for _ in range(3)]
    torch.manual_seed(5)
    again = [crop(image) for _ in range(3)]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], first[1]) or not torch.equal(first[1], first[2])


def test_transform_errors():
    image = cases.inputs(torch, Image)["u8"]
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(50)(image)
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize([0.5], [0.5])(image)
    with pytest.raises(ValueError, match="brightness values should be between"):
        T.ColorJitter(brightness=(2, 1))
    with pytest.raises(ValueError, match="hue_factor"):
        T.functional.adjust_hue(image, 0.7)
    with pytest.raises(TypeError, match="should be PIL Image or ndarray"):
        T.ToTensor()([1, 2, 3])
    with pytest.raises(ValueError, match="Padding mode"):
        T.Pad(1, padding_mode="wrap")


def test_functional_matches_the_classes():
    F = T.functional
    image = cases.inputs(torch, Image)["u8"]
    assert torch.equal(F.hflip(image), image.flip(-1))
    assert torch.equal(F.vflip(image), image.flip(-2))
    assert torch.equal(F.crop(image, 2, 3, 4, 5), image[:, 2:6, 3:8])
    assert F.get_image_size(image) == [cases.WIDTH, cases.HEIGHT]
    assert F.get_dimensions(cases.inputs(torch, Image)["pil"]) == [3, cases.HEIGHT, cases.WIDTH]
    expected = FIXTURE["v1|center_crop|u8|0"]
    assert np.array_equal(F.center_crop(image, [8, 9]).numpy(), expected)
