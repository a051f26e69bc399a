"""rustorch.vision.models against torchvision 0.26 (tests/data/torchvision-0.26: state_dict keys
with shapes and dtypes, and what torchvision's models give when every entry is filled by a closed
formula: float32 eval logits and BatchNorm running-mean update, the float64 train step's logits and
gradient norms) and against finite differences; plus the builders' arguments, weights= loading and
load_state_dict's errors."""
import json
import pathlib
import warnings

import numpy as np
import pytest

import rustorch as torch
import rustorch.vision as torchvision
from rustorch import nn
from rustorch.vision import models
from rustorch.vision.models import BasicBlock, Bottleneck, ResNet, ResNet18_Weights, ResNet34_Weights

DATA = pathlib.Path(__file__).parent / "data" / "torchvision-0.26"
REFERENCE = json.loads((DATA / "resnet_reference.json").read_text())["models"]
FLOAT64_REFERENCE = json.loads((DATA / "resnet_float64_train.json").read_text())["models"]
MODEL_NAMES = ["resnet18", "resnet34", "resnet50"]


def formula_value(key, shape, index):
    """The fixture's closed formula (README / "formula" in the json) for state_dict entry ``index``."""
    numel = int(np.prod(shape, dtype=np.int64))
    base = np.sin(np.arange(numel) * 0.37 + index).reshape(shape)
    name = key.rsplit(".", 1)[-1]
    if name == "num_batches_tracked":
        return np.zeros(shape, dtype=np.int64)
    if name == "running_var":
        return 1 + 0.5 * base ** 2
    if name == "running_mean":
        return 0.1 * base
    if len(shape) == 1 and name == "weight":
        return 1 + 0.1 * base
    if len(shape) == 1 and name == "bias":
        return 0.1 * base
    return base / np.sqrt(numel // shape[0])


def fill_by_formula(model):
    with torch.no_grad():
        for index, (key, value) in enumerate(model.state_dict().items()):
            array = formula_value(key, tuple(value.shape), index)
            value.copy_(torch.from_numpy(np.array(array)))  # a copy: C-contiguous, 0-d kept


def formula_input(shape):
    return torch.from_numpy(np.cos(np.arange(np.prod(shape)) * 0.01).reshape(shape).astype(np.float32))


def entries(state_dict):
    return [[key, list(value.shape), str(value.dtype).replace("torch.", "")] for key, value in state_dict.items()]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_state_dict_keys_shapes_dtypes_in_order(name):
    model = getattr(models, name)()
    assert entries(model.state_dict()) == REFERENCE[name]["state_dict"]


@pytest.fixture(scope="module", params=MODEL_NAMES)
def formula_run(request):
    """One formula-filled model's eval logits, then (train mode) its logits, gradients of their sum,
    the pooled features that fc saw and layer1.0.bn1's running mean after that step."""
    name = request.param
    model = getattr(models, name)()
    fill_by_formula(model)
    x = formula_input(REFERENCE[name]["input_shape"])
    model.eval()
    with torch.no_grad():
        eval_logits = model(x).numpy()
    model.train()
    features = []
    model.fc.register_forward_hook(lambda module, args, out: features.append(args[0].detach().numpy()))
    logits = model(x)
    logits.sum().backward()
    grads = {key: p.grad.numpy() for key, p in model.named_parameters()}
    return name, eval_logits, grads, features[0], model.layer1[0].bn1.running_mean.numpy()


def test_formula_eval_logits(formula_run):
    name, eval_logits, _, _, _ = formula_run
    ref = REFERENCE[name]
    assert eval_logits.shape == (2, 1000) and eval_logits.dtype == np.float32
    np.testing.assert_allclose(eval_logits[:, :10], np.array(ref["eval_logits_first10"]), rtol=1e-4, atol=1e-5)
    # The sum cancels (terms ~1, sum ~3): compare it on the scale of its terms.
    assert abs(eval_logits.astype(np.float64).sum() - ref["eval_logits_sum"]) <= 1e-5 * np.abs(eval_logits).sum()


def test_formula_running_mean_update(formula_run):
    name, _, _, _, running_mean = formula_run
    expected = REFERENCE[name]["running_mean_after_train_step_layer1.0.bn1"]
    np.testing.assert_allclose(running_mean[:len(expected)], expected, rtol=1e-4, atol=1e-7)


def test_formula_head_gradients(formula_run):
    """d(sum of logits)/d fc: the bias gets the batch size, each weight row the summed features."""
    _, _, grads, features, _ = formula_run
    np.testing.assert_array_equal(grads["fc.bias"], np.full(1000, 2, dtype=np.float32))
    np.testing.assert_allclose(grads["fc.weight"], np.broadcast_to(features.sum(0), grads["fc.weight"].shape),
                               rtol=1e-6)
    assert all(np.isfinite(g).all() for g in grads.values())


# The fixture's float32 train-mode logits and gradient norms cannot be matched at 1e-4 by any
# implementation that rounds differently from PyTorch's CPU kernels: with batch statistics these
# formula-filled networks amplify a relative perturbation of their input about 4e6-fold (resnet18)
# by the last BatchNorm, mostly in layer4, whose 2x2 maps give each channel 8 values, and far more in
# the deeper ones (PyTorch's own resnet50 differs between 1 and 4 threads). So train mode is checked
# against PyTorch's float64 run of the same step: tightly for resnet18, where float64 rounding stays
# invisible (measured 5e-9 in logits, 3e-8 in gradient norms), loosely for resnet34/50 (measured
# 6e-4 and 1.5e-2).
@pytest.mark.parametrize("name, logits_atol, grad_rtol", [
    ("resnet18", 1e-7, 1e-6), ("resnet34", 1e-2, 5e-2), ("resnet50", 1e-2, 5e-2),
])
def test_float64_train_step_matches_torchvision(name, logits_atol, grad_rtol):
    ref = FLOAT64_REFERENCE[name]
    model = getattr(models, name)().double().train()
    fill_by_formula(model)
    logits = model(formula_input([2, 3, 64, 64]).double())
    logits.sum().backward()
    np.testing.assert_allclose(logits.detach().numpy()[:, :10], ref["train_logits_first10"], rtol=0,
                               atol=logits_atol)
    assert float(logits.detach().sum()) == pytest.approx(ref["train_logits_sum"], abs=10 * logits_atol)
    norms = {key: float(p.grad.norm()) for key, p in model.named_parameters()}
    assert list(norms) == list(ref["train_grad_norms"])
    np.testing.assert_allclose(list(norms.values()), list(ref["train_grad_norms"].values()), rtol=grad_rtol)
    np.testing.assert_allclose(model.layer1[0].bn1.running_mean.numpy()[:5],
                               ref["running_mean_after_train_step_layer1.0.bn1"], rtol=1e-10, atol=1e-12)


def test_train_mode_gradients_match_finite_differences():
    """Autograd through a whole Bottleneck ResNet (in-place ReLU, ``+=`` on the residual,
    batch-statistics BatchNorm, max pooling) against central differences in float64, at
    torchvision's own init where the network is well conditioned: the derivative along one random
    direction in parameter space and one in input space. The step is tiny so that no ReLU or max
    pooling kink falls inside it."""
    torch.manual_seed(0)
    model = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=5).double()
    rs = np.random.RandomState(0)
    x = torch.from_numpy(rs.randn(2, 3, 64, 64)).requires_grad_()
    head = torch.from_numpy(rs.randn(2, 5))
    params = list(model.parameters())
    # Each parameter moves on its own scale (conv weights are ~0.05, BatchNorm weights 1); the
    # zero-initialized biases by 1.
    directions = [torch.from_numpy(rs.randn(*p.shape)) * (float(p.detach().abs().mean()) or 1.0) for p in params]
    input_direction = torch.from_numpy(rs.randn(2, 3, 64, 64))

    def loss(x):
        return (model(x) * head).sum()

    loss(x).backward()

    def loss_along_params(step):
        with torch.no_grad():
            for p, d in zip(params, directions):
                p.add_(d * step)
            value = float(loss(x))
            for p, d in zip(params, directions):
                p.sub_(d * step)
        return value

    h = 1e-9
    numeric = (loss_along_params(h) - loss_along_params(-h)) / (2 * h)
    with torch.no_grad():
        numeric_input = (float(loss(x + input_direction * h)) - float(loss(x - input_direction * h))) / (2 * h)
    analytic = sum(float((p.grad * d).sum()) for p, d in zip(params, directions))
    assert analytic == pytest.approx(numeric, rel=1e-5)
    assert float((x.grad * input_direction).sum()) == pytest.approx(numeric_input, rel=1e-5)


# --------------------------------------------------------------------------- construction
def conv_and_norm_modules(model):
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    return convs, norms


def test_init_scheme():
    torch.manual_seed(0)
    model = models.resnet18()
    convs, norms = conv_and_norm_modules(model)
    assert len(convs) == 20 and len(norms) == 20
    # kaiming_normal_(mode="fan_out", nonlinearity="relu"): std sqrt(2 / (out_channels * kh * kw)).
    for conv in convs:
        w = conv.weight.detach().numpy()
        std = np.sqrt(2.0 / (w.shape[0] * w.shape[2] * w.shape[3]))
        assert abs(w.mean()) < 5 * std / np.sqrt(w.size)
        assert w.std() == pytest.approx(std, rel=0.1 if w.size > 1000 else 0.3)
    for bn in norms:
        assert (bn.weight.detach().numpy() == 1).all() and (bn.bias.detach().numpy() == 0).all()
        assert (bn.running_mean.numpy() == 0).all() and (bn.running_var.numpy() == 1).all()
    # The head keeps Linear's own init: U(-1/sqrt(512), 1/sqrt(512)).
    fc = model.fc.weight.detach().numpy()
    assert np.abs(fc).max() <= 1 / np.sqrt(512) and np.abs(fc).max() > 0.9 / np.sqrt(512)


@pytest.mark.parametrize("builder, zeroed, kept", [
    (models.resnet18, "bn2", "bn1"), (models.resnet50, "bn3", "bn2"),
])
def test_zero_init_residual(builder, zeroed, kept):
    model = builder(zero_init_residual=True)
    blocks = [m for m in model.modules() if isinstance(m, (BasicBlock, Bottleneck))]
    assert len(blocks) == (8 if builder is models.resnet18 else 16)
    for block in blocks:
        assert (getattr(block, zeroed).weight.detach().numpy() == 0).all()
        assert (getattr(block, kept).weight.detach().numpy() == 1).all()
    assert (model.bn1.weight.detach().numpy() == 1).all()


def test_num_classes():
    model = models.resnet18(num_classes=10)
    assert (model.fc.in_features, model.fc.out_features) == (512, 10)
    assert models.resnet50(num_classes=7).fc.weight.shape == (7, 2048)
    model.eval()
    with torch.no_grad():
        assert model(torch.zeros(1, 3, 32, 32)).shape == (1, 10)


def test_groups_and_width_per_group():
    # resnext50_32x4d's shapes: Bottleneck width int(planes * 4 / 64) * 32.
    model = models.resnet50(groups=32, width_per_group=4)
    shapes = {key: tuple(v.shape) for key, v in model.state_dict().items()}
    assert shapes["layer1.0.conv1.weight"] == (128, 64, 1, 1)
    assert shapes["layer1.0.conv2.weight"] == (128, 4, 3, 3)
    assert shapes["layer4.2.conv2.weight"] == (1024, 32, 3, 3)
    assert model.layer1[0].conv2.groups == 32
    # wide_resnet50_2's: width_per_group 128 doubles every bottleneck's inner width.
    wide = models.resnet50(width_per_group=128)
    assert tuple(wide.layer3[0].conv2.weight.shape) == (512, 512, 3, 3)
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        models.resnet18(groups=2)
    with pytest.raises(ValueError, match="BasicBlock only supports groups=1 and base_width=64"):
        models.resnet34(width_per_group=32)


def test_replace_stride_with_dilation():
    model = models.resnet50(replace_stride_with_dilation=[False, True, True]).eval()
    assert model.layer3[0].conv2.stride == (1, 1) and model.layer3[0].conv2.dilation == (1, 1)
    assert model.layer3[1].conv2.dilation == (2, 2)
    assert model.layer4[0].conv2.dilation == (2, 2) and model.layer4[1].conv2.dilation == (4, 4)
    assert model.layer4[0].downsample[0].stride == (1, 1)
    resnext = models.resnet50(groups=32, width_per_group=4, replace_stride_with_dilation=[False, True, True])
    assert repr(resnext.layer4[1].conv2) == ("Conv2d(1024, 1024, kernel_size=(3, 3), stride=(1, 1), padding=(4, 4), "
                                             "dilation=(4, 4), groups=32, bias=False)")  # torchvision's
    # Output stride 8 instead of 32: a 32x32 image keeps a 4x4 map after layer4.
    features = nn.Sequential(*list(model.children())[:-2])
    with torch.no_grad():
        assert features(torch.zeros(1, 3, 32, 32)).shape == (1, 2048, 4, 4)
    with pytest.raises(NotImplementedError, match="Dilation > 1 not supported in BasicBlock"):
        models.resnet18(replace_stride_with_dilation=[False, False, True])
    with pytest.raises(ValueError, match="replace_stride_with_dilation should be None or a 3-element tuple, "
                                         r"got \[True\]"):
        models.resnet18(replace_stride_with_dilation=[True])


def test_norm_layer():
    model = models.resnet18(norm_layer=lambda channels: nn.GroupNorm(8, channels))
    norms = [m for m in model.modules() if isinstance(m, nn.GroupNorm)]
    assert len(norms) == 20 and not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert all((m.weight.detach().numpy() == 1).all() and (m.bias.detach().numpy() == 0).all() for m in norms)
    assert "bn1.running_mean" not in model.state_dict() and "layer2.0.downsample.1.weight" in model.state_dict()
    with torch.no_grad():
        assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 1000)


def test_module_structure():
    model = models.resnet18()
    assert [name for name, _ in model.named_children()] == [
        "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]
    assert isinstance(model, ResNet) and isinstance(model.layer1[0], BasicBlock)
    assert model.layer1[0].downsample is None and isinstance(model.layer2[0].downsample, nn.Sequential)
    assert model.relu.inplace and model.maxpool.kernel_size == 3 and model.avgpool.output_size == (1, 1)
    assert isinstance(models.resnet50().layer1[0].downsample, nn.Sequential)  # 64 -> 256 channels


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_repr_matches_torchvision(name):
    assert repr(getattr(models, name)()) + "\n" == (DATA / f"{name}_repr.txt").read_text()


# --------------------------------------------------------------------------- weights and state_dicts
@pytest.fixture
def small_checkpoint(tmp_path):
    """A resnet18 state_dict with a 10-class head, saved in PyTorch's format."""
    torch.manual_seed(1)
    model = models.resnet18(num_classes=10)
    path = tmp_path / "resnet18-10.pth"
    torch.save(model.state_dict(), path)
    return model, path


def assert_same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        np.testing.assert_array_equal(sa[key].numpy(), sb[key].numpy(), err_msg=key)


def test_state_dict_round_trip(small_checkpoint):
    model, path = small_checkpoint
    loaded = models.resnet18(num_classes=10)
    result = loaded.load_state_dict(torch.load(path), strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert_same_state(model, loaded)
    x = formula_input([1, 3, 32, 32])
    model.eval()
    loaded.eval()
    with torch.no_grad():
        np.testing.assert_array_equal(model(x).numpy(), loaded(x).numpy())


def test_weights_local_path(small_checkpoint):
    model, path = small_checkpoint
    for weights in (str(path), path):
        loaded = models.resnet18(weights=weights)  # num_classes follows the checkpoint's head
        assert loaded.fc.out_features == 10
        assert_same_state(model, loaded)
    assert_same_state(model, models.get_model("resnet18", weights=path, num_classes=10))
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 10 but got 1000 instead."):
        models.resnet18(weights=path, num_classes=1000)
    with pytest.raises(FileNotFoundError):
        models.resnet18(weights=str(path.parent / "missing.pth"))
    with pytest.raises(TypeError, match="weights must be None or a local checkpoint path"):
        models.resnet18(weights=3)


@pytest.mark.parametrize("weights", [
    ResNet18_Weights.DEFAULT, ResNet18_Weights.IMAGENET1K_V1, "IMAGENET1K_V1", "DEFAULT",
    "ResNet18_Weights.IMAGENET1K_V1",
])
def test_published_weights_are_not_downloaded(weights):
    with pytest.raises(RuntimeError, match=r"does not download weights: ResNet18_Weights\.IMAGENET1K_V1 is "
                                           r"https://download\.pytorch\.org/models/resnet18-f37072fd\.pth\. .*"
                                           r"pass its local path"):
        models.resnet18(weights=weights)


def test_weights_enums():
    assert ResNet18_Weights.DEFAULT is ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert ResNet18_Weights.verify("ResNet18_Weights.DEFAULT") is ResNet18_Weights.IMAGENET1K_V1
    assert ResNet18_Weights.IMAGENET1K_V1.meta["num_params"] == sum(p.numel() for p in models.resnet18().parameters())
    with pytest.raises(TypeError, match="Invalid Weight class provided; expected ResNet18_Weights but received "
                                        "ResNet34_Weights."):
        models.resnet18(weights=ResNet34_Weights.DEFAULT)


def test_legacy_pretrained_flag():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = models.resnet18(pretrained=False)
    assert isinstance(model, ResNet)
    assert "The parameter 'pretrained' is deprecated since 0.13" in str(caught[0].message)
    assert "equivalent to passing `weights=None`" in str(caught[1].message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="does not download weights"):
            models.resnet34(pretrained=True)


def test_load_state_dict_errors(small_checkpoint):
    _, path = small_checkpoint
    state = torch.load(path)
    state["fc.weights"] = state.pop("fc.weight")
    model = models.resnet18(num_classes=10)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    assert str(info.value) == ('Error(s) in loading state_dict for ResNet:\n'
                               '\tMissing key(s) in state_dict: "fc.weight". \n'
                               '\tUnexpected key(s) in state_dict: "fc.weights". ')
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc.weight"] and result.unexpected_keys == ["fc.weights"]
    with pytest.raises(RuntimeError, match=r"Error\(s\) in loading state_dict for ResNet:\n\tsize mismatch for "
                                           r"fc\.weight: copying a param with shape torch\.Size\(\[10, 512\]\) from "
                                           r"checkpoint, the shape in current model is torch\.Size\(\[1000, 512\]\)\."):
        models.resnet18().load_state_dict(torch.load(path))


def test_torchvision_style_namespace():
    assert torchvision.models.resnet18 is models.resnet18
    assert models.list_models(include="resnet*") == MODEL_NAMES
    assert models.list_models(module=torchvision.models, exclude="*50") == ["resnet18", "resnet34"]
    assert isinstance(models.get_model("ResNet34", num_classes=3), ResNet)
    with pytest.raises(ValueError, match="Unknown model vgg16"):
        models.get_model("vgg16")
