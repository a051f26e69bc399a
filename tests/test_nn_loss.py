"""Losses against numpy formulas (PyTorch's documented definitions), for every reduction, with
gradcheck and PyTorch's argument errors and warnings."""
import numpy as np
import pytest

import rustorch as torch
import rustorch.nn as nn
import rustorch.nn.functional as F
from rustorch.autograd import gradcheck

REDUCTIONS = ("mean", "sum", "none")


def arr(t):
    return np.array(t.detach())


def t64(a, requires_grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


RS = np.random.RandomState(0)
X = RS.standard_normal((4, 3))
Y = RS.standard_normal((4, 3)) * 2
P = 1 / (1 + np.exp(-X))
T = (RS.rand(4, 3) > 0.5).astype(np.float64)

ELEMENTWISE = {
    "mse": (F.mse_loss, nn.MSELoss, {}, lambda x, y: (x - y) ** 2),
    "l1": (F.l1_loss, nn.L1Loss, {}, lambda x, y: np.abs(x - y)),
    "smooth_l1": (F.smooth_l1_loss, nn.SmoothL1Loss, {"beta": 0.7},
                  lambda x, y: np.where(np.abs(x - y) < 0.7, 0.5 * (x - y) ** 2 / 0.7, np.abs(x - y) - 0.35)),
    "huber": (F.huber_loss, nn.HuberLoss, {"delta": 0.7},
              lambda x, y: np.where(np.abs(x - y) < 0.7, 0.5 * (x - y) ** 2, 0.7 * (np.abs(x - y) - 0.35))),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_losses(name, reduction):
    fn, module, kwargs, ref = ELEMENTWISE[name]
    expected = reduce(ref(X, Y), reduction)
    np.testing.assert_allclose(arr(fn(t64(X), t64(Y), reduction=reduction, **kwargs)), expected, rtol=1e-12)
    np.testing.assert_allclose(arr(module(reduction=reduction, **kwargs)(t64(X), t64(Y))), expected, rtol=1e-12)
    assert gradcheck(lambda a, b: fn(a, b, reduction=reduction, **kwargs), (t64(X, True), t64(Y, True)))


def test_elementwise_loss_broadcast_warning_and_weight():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3\]\)\) that is different to the input "
                                         r"size \(torch.Size\(\[4, 3\]\)\). This will likely lead to incorrect results"):
        out = F.mse_loss(t64(X), t64(Y[0]))
    np.testing.assert_allclose(arr(out), np.mean((X - Y[0]) ** 2), rtol=1e-12)
    w = np.abs(RS.standard_normal((4, 3)))
    np.testing.assert_allclose(arr(F.l1_loss(t64(X), t64(Y), weight=t64(w))), (np.abs(X - Y) * w).sum() / w.sum(),
                               rtol=1e-12)
    np.testing.assert_allclose(arr(F.smooth_l1_loss(t64(X), t64(Y), beta=0.0)), np.abs(X - Y).mean(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="smooth_l1_loss does not support negative values for beta."):
        F.smooth_l1_loss(t64(X), t64(Y), beta=-1)
    with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values for delta."):
        F.huber_loss(t64(X), t64(Y), delta=0)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(t64(X), t64(Y), reduction="avg")
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead."):
        legacy = nn.MSELoss(size_average=False)
    assert legacy.reduction == "sum"


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    w = np.abs(RS.standard_normal(3))
    ref = -(T * np.log(P) + (1 - T) * np.log(1 - P))
    np.testing.assert_allclose(arr(F.binary_cross_entropy(t64(P), t64(T), reduction=reduction)),
                               reduce(ref, reduction), rtol=1e-12)
    np.testing.assert_allclose(arr(nn.BCELoss(weight=t64(w), reduction=reduction)(t64(P), t64(T))),
                               reduce(ref * w, reduction), rtol=1e-12)
    assert gradcheck(lambda p, t: F.binary_cross_entropy(p, t, reduction=reduction), (t64(P, True), t64(T, True)))
    logits_ref = -(T * np.log(P) * 3 + (1 - T) * np.log(1 - P))
    pos = t64([3.0, 3.0, 3.0])
    np.testing.assert_allclose(arr(F.binary_cross_entropy_with_logits(t64(X), t64(T), reduction=reduction,
                                                                      pos_weight=pos)),
                               reduce(logits_ref, reduction), rtol=1e-10)
    module = nn.BCEWithLogitsLoss(weight=t64(w), reduction=reduction)
    np.testing.assert_allclose(arr(module(t64(X), t64(T))), reduce(ref * w, reduction), rtol=1e-10)
    assert gradcheck(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, pos_weight=pos),
                     (t64(X, True), t64(T, True)))


def test_bce_clamps_logs_and_keeps_gradients_finite():
    p = torch.tensor([0.0, 1.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, torch.tensor([1.0, 0.0, 1.0]))
    np.testing.assert_allclose(loss.item(), 200.0 / 3, rtol=1e-6)
    assert loss.grad_fn.name() == "BinaryCrossEntropyBackward0"
    loss.backward()
    # (x - t) / max(x (1 - x), 1e-12), divided by the 3 elements of the mean.
    np.testing.assert_allclose(arr(p.grad), [-1e12 / 3, 1e12 / 3, 0.0], rtol=1e-5)
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))
    with pytest.raises(ValueError, match=r"Using a target size \(torch.Size\(\[2\]\)\) that is different to the "
                                         r"input size \(torch.Size\(\[2, 1\]\)\) is deprecated"):
        F.binary_cross_entropy(torch.ones(2, 1) * 0.5, torch.ones(2))
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[2\]\)\) must be the same as input size "
                                         r"\(torch.Size\(\[2, 1\]\)\)"):
        F.binary_cross_entropy_with_logits(torch.ones(2, 1), torch.ones(2))
    big = t64([-800.0, 800.0], True)
    out = F.binary_cross_entropy_with_logits(big, t64([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(arr(out), [800.0, 800.0])
    out.sum().backward()
    np.testing.assert_allclose(arr(big.grad), [-1.0, 1.0])


def np_log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


TARGET = np.array([2, 0, 1, 2])
WEIGHT = np.array([0.5, 2.0, 1.5])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_and_cross_entropy_with_weights_and_ignore_index(reduction):
    target = TARGET.copy()
    target[1] = -100  # ignored
    logp = np_log_softmax(X, 1)
    kept = target != -100
    safe = np.where(kept, target, 0)
    w = WEIGHT[safe] * kept
    picked = -logp[np.arange(4), safe] * w
    expected = {"mean": picked.sum() / w.sum(), "sum": picked.sum(), "none": picked}[reduction]
    tgt = torch.tensor(target)
    np.testing.assert_allclose(arr(F.nll_loss(t64(logp), tgt, t64(WEIGHT), reduction=reduction)), expected, rtol=1e-12)
    np.testing.assert_allclose(arr(F.cross_entropy(t64(X), tgt, t64(WEIGHT), reduction=reduction)), expected,
                               rtol=1e-12)
    module = nn.CrossEntropyLoss(weight=t64(WEIGHT), ignore_index=1, reduction=reduction)
    kept1 = TARGET != 1
    w1 = WEIGHT[TARGET] * kept1
    picked1 = -np_log_softmax(X, 1)[np.arange(4), TARGET] * w1
    np.testing.assert_allclose(arr(module(t64(X), torch.tensor(TARGET))),
                               {"mean": picked1.sum() / w1.sum(), "sum": picked1.sum(), "none": picked1}[reduction],
                               rtol=1e-12)
    assert gradcheck(lambda x: F.cross_entropy(x, tgt, t64(WEIGHT), reduction=reduction), (t64(X, True),))


def test_cross_entropy_spatial_and_unbatched():
    x = RS.standard_normal((2, 3, 2, 2))
    target = RS.randint(0, 3, size=(2, 2, 2))
    logp = np_log_softmax(x, 1)
    picked = np.take_along_axis(logp, target[:, None], axis=1)[:, 0]
    np.testing.assert_allclose(arr(F.cross_entropy(t64(x), torch.tensor(target))), -picked.mean(), rtol=1e-12)
    np.testing.assert_allclose(arr(F.cross_entropy(t64(X[0]), torch.tensor(2))), -np_log_softmax(X[0], 0)[2],
                               rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_label_smoothing(reduction):
    eps, n = 0.2, 3
    target = TARGET.copy()
    target[0] = -100
    kept = target != -100
    safe = np.where(kept, target, 0)
    logp = np_log_softmax(X, 1)
    w = WEIGHT[safe] * kept
    nll = -logp[np.arange(4), safe] * w
    smooth = -(logp * WEIGHT).sum(1) * kept
    if reduction == "mean":
        expected = (1 - eps) * nll.sum() / w.sum() + eps / n * smooth.sum() / w.sum()
    elif reduction == "sum":
        expected = (1 - eps) * nll.sum() + eps / n * smooth.sum()
    else:
        expected = (1 - eps) * nll + eps / n * smooth
    out = F.cross_entropy(t64(X), torch.tensor(target), t64(WEIGHT), reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(arr(out), expected, rtol=1e-12)
    unweighted = F.cross_entropy(t64(X), torch.tensor(target), reduction="mean", label_smoothing=eps)
    ref = (1 - eps) * (-logp[np.arange(4), safe] * kept).sum() / kept.sum() + eps / n * (-logp.sum(1) * kept).sum() / kept.sum()
    np.testing.assert_allclose(arr(unweighted), ref, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probabilities(reduction):
    probs = np.exp(np_log_softmax(Y, 1))
    terms = -(np_log_softmax(X, 1) * (probs * 0.9 + 0.1 / 3) * WEIGHT)
    expected = {"mean": terms.sum() / 4, "sum": terms.sum(), "none": terms.sum(1)}[reduction]
    out = F.cross_entropy(t64(X), t64(probs), t64(WEIGHT), reduction=reduction, label_smoothing=0.1)
    np.testing.assert_allclose(arr(out), expected, rtol=1e-12)
    assert gradcheck(lambda x, p: F.cross_entropy(x, p, reduction=reduction), (t64(X, True), t64(probs, True)))


def test_nll_and_cross_entropy_errors():
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        F.nll_loss(t64(X), torch.tensor([0, 1, 3, 0]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(2\)."):
        F.cross_entropy(t64(X), torch.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.nll_loss(t64(X), torch.tensor([0.0, 1.0, 1.0, 0.0]))
    # uint8 class indices are taken (PyTorch 2.15), a -1 wrapping to 255 is out of bounds
    assert torch.equal(F.nll_loss(t64(X), torch.tensor(TARGET, dtype=torch.uint8)), F.nll_loss(t64(X), torch.tensor(TARGET)))
    with pytest.raises(IndexError, match="Target 255 is out of bounds."):
        F.nll_loss(t64(X), torch.tensor([0, 1, -1, 0], dtype=torch.uint8))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0. Got: 1.5"):
        F.cross_entropy(t64(X), torch.tensor(TARGET), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3 classes or no classes "
                                           r"but got weight tensor of shape: \[2\]"):
        F.nll_loss(t64(X), torch.tensor(TARGET), weight=t64([1.0, 2.0]))
    everything_ignored = F.cross_entropy(t64(X), torch.full((4,), -100, dtype=torch.int64))
    assert np.isnan(everything_ignored.item())


@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
def test_kl_div(reduction):
    logq = np_log_softmax(X, 1)
    p = np.exp(np_log_softmax(Y, 1))
    p[0, 0] = 0.0  # xlogy: a zero target contributes 0
    pointwise = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0) - p * logq
    expected = pointwise.sum() / 4 if reduction == "batchmean" else reduce(pointwise, reduction)
    if reduction == "mean":
        with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss by both the batch size"):
            out = F.kl_div(t64(logq), t64(p), reduction=reduction)
    else:
        out = F.kl_div(t64(logq), t64(p), reduction=reduction)
    np.testing.assert_allclose(arr(out), expected, rtol=1e-12)
    logp = np_log_softmax(Y, 1)
    log_target = nn.KLDivLoss(reduction="sum", log_target=True)(t64(logq), t64(logp))
    np.testing.assert_allclose(arr(log_target), (np.exp(logp) * (logp - logq)).sum(), rtol=1e-12)
    positive = t64(np.exp(logp), True)  # the target gradient log(t) + 1 - q needs t > 0
    assert gradcheck(lambda q, t: F.kl_div(q, t, reduction="sum"), (t64(logq, True), positive))


def test_loss_module_reprs_and_buffers():
    assert [repr(m) for m in (nn.BCELoss(), nn.CrossEntropyLoss(), nn.MSELoss(reduction="sum"), nn.NLLLoss(),
                              nn.L1Loss(), nn.SmoothL1Loss(), nn.HuberLoss(), nn.KLDivLoss(),
                              nn.BCEWithLogitsLoss())] == [
        "BCELoss()", "CrossEntropyLoss()", "MSELoss()", "NLLLoss()", "L1Loss()", "SmoothL1Loss()", "HuberLoss()",
        "KLDivLoss()", "BCEWithLogitsLoss()"]
    weighted = nn.CrossEntropyLoss(weight=torch.ones(3))
    assert list(weighted.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=torch.ones(1)).state_dict()) == ["pos_weight"]
    assert weighted.double().weight.dtype == torch.float64


def test_bce_with_logits_of_an_infinite_target_follows_pytorchs_formula():
    # Without pos_weight PyTorch computes (1 - t) x - logsigmoid(x): no (pos_weight - 1) t term
    # to turn into 0 * inf.
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, torch.tensor([float("inf")] * 2), reduction="none")
    assert loss.tolist() == [float("-inf"), float("inf")]
    loss.sum().backward()
    assert x.grad.tolist() == [float("-inf"), float("-inf")]
