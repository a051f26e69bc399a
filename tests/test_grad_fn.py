"""PyTorch's autograd graph: models built from every common layer and loss have the grad_fn
names and next_functions PyTorch records (tests/data/grad_fn/graphs.json, written by
record.py with real PyTorch), and the fused nodes (losses, norms, gelu, embedding) give the
values and gradients of the compositions they replace. Their gradchecks are in
test_gradcheck.py."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest
import rustorch as torch
import rustorch.nn.functional as F

DATA = pathlib.Path(__file__).parent / "data" / "grad_fn"


def _recorder():
    spec = importlib.util.spec_from_file_location("grad_fn_record", DATA / "record.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORD = _recorder()
GRAPHS = json.loads((DATA / "graphs.json").read_text())["graphs"]
CASES = RECORD.cases(torch)


def test_fixture_covers_every_case():
    assert sorted(GRAPHS) == sorted(CASES)


# PyTorch's C++ compositions multiply by a number (mul.Scalar, MulBackward1, one input); rustorch's
# Python ones multiply by a Python float, which PyTorch's Python records as MulBackward0 too (the
# number a second input that takes no gradient).
NUMBER_PRODUCTS = {"cross_entropy_smoothing"}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graph_matches_pytorch(name):
    expected = GRAPHS[name]
    if name in NUMBER_PRODUCTS:
        expected = [["MulBackward0", nexts + [None]] if n == "MulBackward1" else [n, nexts] for n, nexts in expected]
    assert RECORD.graph(CASES[name]().grad_fn) == expected


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a.detach().tolist()), np.asarray(b.detach().tolist()), rtol=tol, atol=tol)


def _value_and_grads(fn, *tensors):
    """fn's value and its gradients with respect to ``tensors`` (fresh leaves)."""
    leaves = [t.detach().clone().requires_grad_() for t in tensors]
    out = fn(*leaves)
    grads = torch.autograd.grad(out.sum(), leaves)
    return out, grads


def _same_as_composition(fused, composed, *tensors, tol=1e-5):
    out, grads = _value_and_grads(fused, *tensors)
    ref, ref_grads = _value_and_grads(composed, *tensors)
    assert out.dtype == ref.dtype and out.shape == ref.shape
    _close(out, ref, tol)
    for g, r in zip(grads, ref_grads):
        _close(g, r, tol)


torch.manual_seed(0)
X, T = torch.randn(4, 5), torch.randn(4, 5)
P, Q = torch.rand(4, 5) * 0.9 + 0.05, torch.rand(4, 5)


def _reduce(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_pointwise_losses_match_compositions(reduction):
    _same_as_composition(lambda x, t: F.mse_loss(x, t, reduction=reduction),
                         lambda x, t: _reduce((x - t) ** 2, reduction), X, T)
    huber = lambda d, c: torch.where(d.abs() < c, 0.5 * d * d, c * (d.abs() - 0.5 * c))
    _same_as_composition(lambda x, t: F.huber_loss(x, t, reduction=reduction, delta=0.8),
                         lambda x, t: _reduce(huber(x - t, 0.8), reduction), X, T)
    _same_as_composition(lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=0.8),
                         lambda x, t: _reduce(huber(x - t, 0.8) / 0.8, reduction), X, T)
    w = torch.rand(5)
    _same_as_composition(lambda p, q: F.binary_cross_entropy(p, q, weight=w, reduction=reduction),
                         lambda p, q: _reduce(-(q * p.log() + (1 - q) * (1 - p).log()) * w, reduction), P, Q)
    pw = torch.rand(5) * 3
    _same_as_composition(
        lambda x, q: F.binary_cross_entropy_with_logits(x, q, weight=w, pos_weight=pw, reduction=reduction),
        lambda x, q: _reduce(-(pw * q * x.sigmoid().log() + (1 - q) * (1 - x.sigmoid()).log()) * w, reduction), X, Q)


def test_pointwise_loss_dtypes_promote_and_half_works():
    assert F.mse_loss(X, T.double()).dtype == torch.float64
    half = F.mse_loss(X.to(torch.bfloat16), T.to(torch.bfloat16))
    assert half.dtype == torch.bfloat16
    assert abs(float(half) - float(F.mse_loss(X, T))) < 0.05


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_composition(reduction):
    logp = torch.randn(6, 4).log_softmax(1)
    target = torch.tensor([0, 3, 1, 1, 2, 3])
    weight = torch.tensor([0.2, 1.0, 2.0, 0.5])

    def composed(x):
        kept = (target != 1).to(x.dtype)
        sample_w = weight[target] * kept
        losses = -x.gather(1, target.unsqueeze(1)).squeeze(1) * sample_w
        return losses.sum() / sample_w.sum() if reduction == "mean" else _reduce(losses, reduction)

    _same_as_composition(lambda x: F.nll_loss(x, target, weight, ignore_index=1, reduction=reduction), composed, logp)


def test_nll_loss_nd_matches_flattened_2d():
    x = torch.randn(2, 3, 4, 5)
    target = torch.randint(0, 3, (2, 4, 5))
    flat = lambda x: F.nll_loss(x.permute(0, 2, 3, 1).reshape(-1, 3), target.reshape(-1), reduction="none").reshape(2, 4, 5)
    _same_as_composition(lambda x: F.nll_loss(x, target, reduction="none"), flat, x)
    x5 = torch.randn(2, 3, 2, 2, 2)
    t5 = torch.randint(0, 3, (2, 2, 2, 2))
    _same_as_composition(lambda x: F.nll_loss(x, t5),
                         lambda x: F.nll_loss(x.permute(0, 2, 3, 4, 1).reshape(-1, 3), t5.reshape(-1)), x5)


def test_nll_loss_errors():
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.nll_loss(torch.randn(2, 3), torch.tensor([0, 5]))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([1.5]), torch.tensor([1.0]))


def _normalize(x, dims, eps):
    mean = x.mean(dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dims, keepdim=True)
    return (x - mean) / (var + eps).sqrt()


def test_batch_norm_matches_composition_and_updates_running_stats():
    x = torch.randn(4, 3, 2, 2) * 2 + 1
    w, b = torch.rand(3) + 0.5, torch.randn(3)
    rm, rv = torch.zeros(3), torch.ones(3)
    _same_as_composition(
        lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3),
        lambda x, w, b: _normalize(x, (0, 2, 3), 1e-5) * w.view(1, 3, 1, 1) + b.view(1, 3, 1, 1), x, w, b)
    xs = x.permute(1, 0, 2, 3).reshape(3, -1)
    mean, var = xs.mean(1), xs.var(1)  # unbiased, as PyTorch's running variance
    # One fused call above updated the stats (the composition does not touch them).
    _close(rm, 0.3 * mean)
    _close(rv, 0.7 + 0.3 * var)
    _same_as_composition(
        lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
        lambda x, w, b: (x - rm.view(1, 3, 1, 1)) / (rv.view(1, 3, 1, 1) + 1e-5).sqrt() * w.view(1, 3, 1, 1) + b.view(1, 3, 1, 1),
        x, w, b)


def test_layer_norm_and_gelu_match_compositions():
    x = torch.randn(3, 2, 4)
    w, b = torch.rand(2, 4) + 0.5, torch.randn(2, 4)
    _same_as_composition(lambda x, w, b: F.layer_norm(x, (2, 4), w, b, 1e-3),
                         lambda x, w, b: _normalize(x, (1, 2), 1e-3) * w + b, x, w, b)
    _same_as_composition(F.gelu, lambda x: x * 0.5 * (1 + (x / 2 ** 0.5).erf()), x)
    _same_as_composition(lambda x: F.gelu(x, approximate="tanh"),
                         lambda x: 0.5 * x * (1 + ((2 / np.pi) ** 0.5 * (x + 0.044715 * x ** 3)).tanh()), x)
    with pytest.raises(RuntimeError, match="Expected weight to be of same shape"):
        F.layer_norm(x, (2, 4), torch.ones(8))


def test_embedding_gradient_skips_padding_and_scales_by_frequency():
    idx = torch.tensor([[1, 2, 2], [0, 2, 3]])
    w = torch.randn(4, 3, requires_grad=True)
    F.embedding(idx, w, padding_idx=0, scale_grad_by_freq=True).sum().backward()
    counts = np.array([0.0, 1.0, 1.0, 1.0])  # row 0 is padding; each used row's count divides its sum
    np.testing.assert_allclose(np.asarray(w.grad.tolist()), np.repeat(counts[:, None], 3, 1), rtol=1e-6)


def test_create_graph_through_fused_nodes():
    """Second derivatives exist (the composed backward): d/dx of (d mse / dx) summed is 2/N per element."""
    x = torch.randn(3, 2, requires_grad=True)
    (g,) = torch.autograd.grad(F.mse_loss(x, torch.zeros(3, 2)), x, create_graph=True)
    (gg,) = torch.autograd.grad(g.sum(), x)
    _close(gg, torch.full((3, 2), 2.0 / 6))
