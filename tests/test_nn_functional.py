"""nn.functional activations, linear maps, dropout, embeddings and normalizations against numpy
formulas, gradcheck in float64, and the activation modules' reprs (PyTorch's extra_repr formats)."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustorch as torch
import rustorch.nn as nn
import rustorch.nn.functional as F
from rustorch.autograd import gradcheck

SETTINGS = settings(max_examples=20, deadline=None)


def arr(t):
    return np.array(t.detach())


def t64(a, requires_grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def np_erf(x):
    return np.vectorize(math.erf)(x)


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.log1p(np.exp(np.minimum(x * beta, threshold))) / beta)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# (functional call, numpy reference)
ACTIVATIONS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    "hardtanh": (lambda t: F.hardtanh(t, -0.5, 2.0), lambda x: np.clip(x, -0.5, 2.0)),
    "elu": (lambda t: F.elu(t, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(np.minimum(x, 0)))),
    "selu": (F.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))),
    "celu": (lambda t: F.celu(t, 2.0), lambda x: np.where(x > 0, x, 2.0 * np.expm1(np.minimum(x, 0) / 2.0))),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + np_erf(x / math.sqrt(2)))),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    "silu": (F.silu, lambda x: x * np_sigmoid(x)),
    "mish": (F.mish, lambda x: x * np.tanh(np_softplus(x))),
    "sigmoid": (F.sigmoid, np_sigmoid),
    "tanh": (F.tanh, np.tanh),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "logsigmoid": (F.logsigmoid, lambda x: -np.logaddexp(0, -x)),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "threshold": (lambda t: F.threshold(t, 0.5, -1.0), lambda x: np.where(x > 0.5, x, -1.0)),
    "softplus": (F.softplus, np_softplus),
    "softplus_beta": (lambda t: F.softplus(t, beta=2, threshold=3), lambda x: np_softplus(x, 2, 3)),
}

X_GRID = np.linspace(-40, 40, 161)
# Gradcheck points away from the kinks (0, clamp edges, thresholds) of the piecewise activations.
X_SMOOTH = np.array([-3.3, -1.7, -0.6, -0.2, 0.3, 0.8, 1.9, 4.1])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_and_gradients(name):
    fn, ref = ACTIVATIONS[name]
    np.testing.assert_allclose(arr(fn(t64(X_GRID))), ref(X_GRID), rtol=1e-12, atol=1e-12)
    assert gradcheck(fn, (t64(X_SMOOTH, True),))
    out32 = fn(torch.tensor(X_GRID, dtype=torch.float32))
    assert out32.dtype == torch.float32
    np.testing.assert_allclose(arr(out32), ref(X_GRID.astype(np.float32)), rtol=1e-5, atol=1e-5)


def test_saturated_activations_have_finite_gradients():
    x = t64([-1000.0, -50.0, 50.0, 1000.0], True)
    (F.elu(x) + F.softplus(x) + F.logsigmoid(x) + F.silu(x) + F.mish(x)).sum().backward()
    assert np.isfinite(arr(x.grad)).all()


def test_inplace_forms_write_into_the_input():
    for fn, ref in ((lambda t: F.relu(t, inplace=True), [0.0, 2.0]),
                    (lambda t: F.leaky_relu(t, 0.5, inplace=True), [-0.5, 2.0]),
                    (lambda t: F.hardtanh(t, inplace=True), [-1.0, 1.0]),
                    (lambda t: F.elu(t, inplace=True), [math.expm1(-1.0), 2.0]),
                    (F.relu_, [0.0, 2.0])):
        t = torch.tensor([-1.0, 2.0])
        assert fn(t) is t
        np.testing.assert_allclose(t.tolist(), ref, rtol=1e-6)
    t = torch.tensor([-1.0, 1.0])
    nn.ReLU(inplace=True)(t)
    assert t.tolist() == [0.0, 1.0]


def test_relu_keeps_integer_dtype_and_grad_at_zero():
    assert F.relu(torch.tensor([-1, 2])).tolist() == [0, 2]
    z = torch.tensor(0.0, requires_grad=True)
    F.relu(z).backward()
    assert z.grad.item() == 0.0


def test_prelu():
    x = np.array([[-2.0, 3.0], [1.0, -4.0]])
    w = np.array([0.1, 0.5])
    np.testing.assert_allclose(arr(F.prelu(t64(x), t64(w))), np.where(x > 0, x, x * w[None, :]))
    m = nn.PReLU()
    assert repr(m) == "PReLU(num_parameters=1)" and m.weight.tolist() == [0.25]
    assert gradcheck(F.prelu, (t64(x, True), t64(w, True)))


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh."):
        F.gelu(torch.ones(1), approximate="fast")


# ---------------------------------------------------------------- softmax family
def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("ndim, implicit_dim", [(0, 0), (1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_implicit_dim_warns_and_picks_pytorch_dim(ndim, implicit_dim):
    x = np.random.RandomState(ndim).standard_normal((2, 3, 2, 2)[:ndim])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated. "
                                         "Change the call to include dim=X as an argument."):
        out = F.softmax(t64(x))
    axis = implicit_dim if ndim else None
    np.testing.assert_allclose(arr(out), np_softmax(x, axis) if ndim else np.ones(()), rtol=1e-12)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        F.log_softmax(t64(x))


def test_softmax_log_softmax_softmin_values_and_dtype():
    x = np.random.RandomState(0).standard_normal((3, 4)) * 5
    for dim in (0, 1, -1):
        np.testing.assert_allclose(arr(F.softmax(t64(x), dim)), np_softmax(x, dim), rtol=1e-12)
        np.testing.assert_allclose(arr(F.log_softmax(t64(x), dim)), np.log(np_softmax(x, dim)), rtol=1e-12)
        np.testing.assert_allclose(arr(F.softmin(t64(x), dim)), np_softmax(-x, dim), rtol=1e-12)
    assert F.softmax(torch.ones(2), 0, dtype=torch.float64).dtype == torch.float64
    np.testing.assert_allclose(arr(F.softmax(torch.tensor([1000.0, 1000.0, 0.0]), 0)), [0.5, 0.5, 0.0])
    assert gradcheck(lambda t: F.log_softmax(t, 1), (t64(x, True),))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Softmax(dim=1)(t64(x))


def test_activation_module_reprs():
    assert [repr(m) for m in (nn.ReLU(), nn.ReLU(inplace=True), nn.Tanh(), nn.Sigmoid(), nn.SiLU(),
                              nn.Softplus(), nn.Softplus(beta=2), nn.Softmax(dim=1), nn.LogSoftmax(dim=-1),
                              nn.Softmax(), nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True), nn.GELU(),
                              nn.GELU("tanh"), nn.ELU(), nn.Hardtanh(), nn.ReLU6(), nn.Threshold(0.1, 20))] == [
        "ReLU()", "ReLU(inplace=True)", "Tanh()", "Sigmoid()", "SiLU()", "Softplus(beta=1.0, threshold=20.0)",
        "Softplus(beta=2, threshold=20.0)", "Softmax(dim=1)", "LogSoftmax(dim=-1)", "Softmax(dim=None)",
        "LeakyReLU(negative_slope=0.01)", "LeakyReLU(negative_slope=0.2, inplace=True)",
        "GELU(approximate='none')", "GELU(approximate='tanh')", "ELU(alpha=1.0)",
        "Hardtanh(min_val=-1.0, max_val=1.0)", "ReLU6()", "Threshold(threshold=0.1, value=20)"]


def test_activation_modules_match_functional():
    x = t64(X_SMOOTH)
    for module, fn in ((nn.ReLU(), F.relu), (nn.GELU("tanh"), lambda t: F.gelu(t, approximate="tanh")),
                       (nn.LeakyReLU(0.3), lambda t: F.leaky_relu(t, 0.3)), (nn.ELU(0.5), lambda t: F.elu(t, 0.5)),
                       (nn.Softplus(2, 5), lambda t: F.softplus(t, 2, 5)), (nn.Mish(), F.mish),
                       (nn.Hardswish(), F.hardswish), (nn.LogSoftmax(0), lambda t: F.log_softmax(t, 0))):
        np.testing.assert_array_equal(arr(module(x)), arr(fn(x)))


# ---------------------------------------------------------------- linear layers
@SETTINGS
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 4), st.booleans(), st.booleans())
def test_linear_matches_numpy(batch, fan_in, fan_out, with_bias, three_d):
    rs = np.random.RandomState(batch * 100 + fan_in * 10 + fan_out)
    shape = (2, batch, fan_in) if three_d else (batch, fan_in)
    x, w, b = rs.standard_normal(shape), rs.standard_normal((fan_out, fan_in)), rs.standard_normal(fan_out)
    out = F.linear(t64(x), t64(w), t64(b) if with_bias else None)
    np.testing.assert_allclose(arr(out), x @ w.T + (b if with_bias else 0), rtol=1e-12, atol=1e-12)


def test_linear_and_bilinear_gradcheck_and_module():
    rs = np.random.RandomState(1)
    x, w, b = t64(rs.standard_normal((3, 4)), True), t64(rs.standard_normal((2, 4)), True), t64([0.5, -1], True)
    assert gradcheck(F.linear, (x, w, b))
    x1, x2 = rs.standard_normal((2, 3, 2)), rs.standard_normal((2, 3, 4))
    wb, bb = rs.standard_normal((5, 2, 4)), rs.standard_normal(5)
    ref = np.einsum("...i,kij,...j->...k", x1, wb, x2) + bb
    np.testing.assert_allclose(arr(F.bilinear(t64(x1), t64(x2), t64(wb), t64(bb))), ref, rtol=1e-12)
    assert gradcheck(F.bilinear, (t64(x1[0], True), t64(x2[0], True), t64(wb, True), t64(bb, True)))
    bil = nn.Bilinear(2, 4, 5)
    assert repr(bil) == "Bilinear(in1_features=2, in2_features=4, out_features=5, bias=True)"
    assert float(bil.weight.abs().max()) <= 1 / math.sqrt(2)
    assert bil(torch.ones(3, 2), torch.ones(3, 4)).shape == (3, 5)
    with pytest.raises(RuntimeError, match="bilinear\\(\\): input1 size does not match weight size: got 3 but "
                                           "expected 2"):
        bil(torch.ones(3, 3), torch.ones(3, 4))


def test_linear_module_init_and_forward():
    lin = nn.Linear(1000, 100)
    bound = 1 / math.sqrt(1000)
    assert float(lin.weight.abs().max()) <= bound and float(lin.bias.abs().max()) <= bound
    # U(-bound, bound): std bound / sqrt(3).
    assert abs(float(lin.weight.std()) - bound / math.sqrt(3)) < 0.05 * bound
    assert repr(lin) == "Linear(in_features=1000, out_features=100, bias=True)"
    assert repr(nn.Linear(3, 1, bias=False)) == "Linear(in_features=3, out_features=1, bias=False)"
    assert nn.Linear(2, 3, dtype=torch.float64).weight.dtype == torch.float64
    out = lin(torch.ones(5, 1000))
    assert out.shape == (5, 100) and out.grad_fn.name() == "AddmmBackward0"
    assert repr(nn.Identity(3, unused=True)) == "Identity()"


# ---------------------------------------------------------------- dropout
def test_dropout_statistics_scaling_and_modes():
    torch.manual_seed(0)
    x = torch.ones(20000)
    out = F.dropout(x, p=0.3)
    values = np.unique(arr(out))
    np.testing.assert_allclose(values, [0.0, 1 / 0.7], rtol=1e-6)
    assert abs(float((out == 0).float().mean()) - 0.3) < 0.02
    assert F.dropout(x, 0.3, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert float(F.dropout(x, 1.0).abs().sum()) == 0.0
    y = torch.ones(10)
    assert F.dropout(y, 0.5, inplace=True) is y
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    drop = nn.Dropout(0.25)
    assert repr(drop) == "Dropout(p=0.25, inplace=False)"
    drop.eval()
    assert drop(x) is x
    g = torch.ones(6, requires_grad=True)
    torch.manual_seed(3)
    kept = F.dropout(g, 0.5)
    kept.sum().backward()
    np.testing.assert_array_equal(arr(g.grad), arr(kept))  # d(x * mask)/dx = mask


def test_dropout2d_zeroes_whole_channels():
    torch.manual_seed(1)
    out = arr(F.dropout2d(torch.ones(4, 8, 3, 3), 0.5))
    per_channel = out.reshape(4, 8, -1)
    assert ((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1)).all()
    assert repr(nn.Dropout2d()) == "Dropout2d(p=0.5, inplace=False)"
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input to dropout2d"):
        F.dropout2d(torch.ones(2, 3, 4))


# ---------------------------------------------------------------- embeddings
def test_embedding_lookup_padding_and_max_norm():
    w = np.random.RandomState(2).standard_normal((5, 3))
    idx = torch.tensor([[0, 4], [2, 0]])
    weight = t64(w, True)
    out = F.embedding(idx, weight, padding_idx=0)
    np.testing.assert_array_equal(arr(out), w[np.array([[0, 4], [2, 0]])])
    out.sum().backward()
    np.testing.assert_array_equal(arr(weight.grad)[:, 0], [0, 0, 1, 0, 1])  # the padding row gets none
    big = t64(w * 10)
    F.embedding(torch.tensor([1, 3]), big, max_norm=1.0)
    norms = np.linalg.norm(arr(big), axis=1)
    assert norms[1] <= 1.0 + 1e-6 and norms[3] <= 1.0 + 1e-6 and norms[0] > 1.0
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices' to have one of the following "
                                           "scalar types: Long, Int; but got torch.FloatTensor instead"):
        F.embedding(torch.ones(2), weight)


def test_embedding_module():
    torch.manual_seed(0)
    emb = nn.Embedding(10, 3, padding_idx=-1)
    assert emb.padding_idx == 9 and emb.weight[9].tolist() == [0.0, 0.0, 0.0]
    assert repr(emb) == "Embedding(10, 3, padding_idx=9)"
    assert repr(nn.Embedding(4, 2, max_norm=1.0, norm_type=1.0)) == "Embedding(4, 2, max_norm=1.0, norm_type=1.0)"
    big = nn.Embedding(200, 50)
    assert abs(float(big.weight.std()) - 1.0) < 0.05  # N(0, 1) init
    pre = nn.Embedding.from_pretrained(torch.eye(3))
    assert not pre.weight.requires_grad and pre(torch.tensor([2])).tolist() == [[0.0, 0.0, 1.0]]
    assert nn.Embedding.from_pretrained(torch.eye(3), freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)


def test_one_hot():
    assert F.one_hot(torch.tensor([0, 2, 1])).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert F.one_hot(torch.tensor([[1]]), num_classes=3).tolist() == [[[0, 1, 0]]]
    assert F.one_hot(torch.tensor([1])).dtype == torch.int64
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(torch.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor of type LongTensor."):
        F.one_hot(torch.tensor([1.0]))


# ---------------------------------------------------------------- normalization
def np_norm(x, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def test_layer_norm_and_group_norm_match_numpy():
    rs = np.random.RandomState(3)
    x, w, b = rs.standard_normal((2, 3, 4)), rs.standard_normal((3, 4)), rs.standard_normal((3, 4))
    np.testing.assert_allclose(arr(F.layer_norm(t64(x), (3, 4), t64(w), t64(b))),
                               np_norm(x, (1, 2), 1e-5) * w + b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(arr(F.layer_norm(t64(x), 4, eps=0.1)), np_norm(x, (2,), 0.1), rtol=1e-10)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w[0], b[0]), (t64(x, True), t64(w, True), t64(b, True)))
    xg = rs.standard_normal((2, 6, 5))
    wg, bg = rs.standard_normal(6), rs.standard_normal(6)
    ref = np_norm(xg.reshape(2, 3, -1), (2,), 1e-5).reshape(2, 6, 5) * wg[:, None] + bg[:, None]
    np.testing.assert_allclose(arr(F.group_norm(t64(xg), 3, t64(wg), t64(bg))), ref, rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda x, w: F.group_norm(x, 2, w), (t64(xg, True), t64(wg, True)))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[5\], expected input with shape \[\*, 5\], "
                                           r"but got input of size\[2, 3, 4\]"):
        F.layer_norm(t64(x), (5,))
    with pytest.raises(RuntimeError, match=r"Expected number of channels in input to be divisible by num_groups, "
                                           r"but got input of shape \[2, 6, 5\] and num_groups=4"):
        F.group_norm(t64(xg), 4)


def test_norm_modules():
    ln = nn.LayerNorm(4)
    assert repr(ln) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert ln.weight.tolist() == [1.0] * 4 and ln.bias.tolist() == [0.0] * 4
    assert repr(nn.LayerNorm([2, 3], elementwise_affine=False)) == "LayerNorm((2, 3), eps=1e-05, elementwise_affine=False, bias=False)"
    gn = nn.GroupNorm(2, 4)
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    x = np.random.RandomState(4).standard_normal((3, 4, 2))
    np.testing.assert_allclose(arr(gn(t64(x).float())), np_norm(x.reshape(3, 2, -1), (2,), 1e-5).reshape(3, 4, 2),
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="num_channels must be divisible by num_groups"):
        nn.GroupNorm(3, 4)


def test_batch_norm_training_eval_and_running_stats():
    rs = np.random.RandomState(5)
    x = rs.standard_normal((6, 3, 2)) * 2 + 1
    bn = nn.BatchNorm1d(3).double()
    out = bn(t64(x))
    np.testing.assert_allclose(arr(out), np_norm(x, (0, 2), 1e-5), rtol=1e-10, atol=1e-12)
    mean, var_unbiased = x.mean(axis=(0, 2)), x.var(axis=(0, 2), ddof=1)
    np.testing.assert_allclose(arr(bn.running_mean), 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(arr(bn.running_var), 0.9 + 0.1 * var_unbiased, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    expected = (x - arr(bn.running_mean)[None, :, None]) / np.sqrt(arr(bn.running_var)[None, :, None] + 1e-5)
    np.testing.assert_allclose(arr(bn(t64(x))), expected, rtol=1e-10)
    assert bn.num_batches_tracked.item() == 1  # eval leaves the stats alone
    assert gradcheck(lambda t: F.batch_norm(t, None, None, training=True), (t64(x, True),))


def test_batch_norm_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm2d(2, momentum=None, affine=False).double()
    batches = [np.random.RandomState(i).standard_normal((4, 2, 3, 3)) + i for i in range(3)]
    for b in batches:
        bn(t64(b))
    np.testing.assert_allclose(arr(bn.running_mean), np.mean([b.mean(axis=(0, 2, 3)) for b in batches], axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(arr(bn.running_var),
                               np.mean([b.var(axis=(0, 2, 3), ddof=1) for b in batches], axis=0), rtol=1e-12)
    assert repr(bn) == "BatchNorm2d(2, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)"
    assert [n for n, _ in bn.named_parameters()] == []


def test_batch_norm_without_running_stats_and_errors():
    bn = nn.BatchNorm1d(2, track_running_stats=False)
    assert bn.running_mean is None and list(bn.state_dict()) == ["weight", "bias"]
    x = np.random.RandomState(6).standard_normal((4, 2))
    bn.eval()  # no running stats: batch statistics even in eval
    np.testing.assert_allclose(arr(bn(t64(x).float())), np_norm(x, (0,), 1e-5), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input size "
                                         r"torch.Size\(\[1, 2\]\)"):
        nn.BatchNorm1d(2)(torch.ones(1, 2))
    with pytest.raises(ValueError, match="expected 4D input \\(got 2D input\\)"):
        nn.BatchNorm2d(2)(torch.ones(3, 2))
    with pytest.raises(ValueError, match="expected 2D or 3D input \\(got 4D input\\)"):
        nn.BatchNorm1d(2)(torch.ones(3, 2, 1, 1))


def test_normalize():
    x = np.random.RandomState(7).standard_normal((3, 4))
    np.testing.assert_allclose(arr(F.normalize(t64(x))), x / np.linalg.norm(x, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(arr(F.normalize(t64(x), p=1, dim=0)), x / np.abs(x).sum(0), rtol=1e-12)
    assert arr(F.normalize(torch.zeros(1, 2))).tolist() == [[0.0, 0.0]]


# ---------------------------------------------------------------- flatten
def test_flatten_unflatten():
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(2, (2, 2))(x).shape == (2, 3, 2, 2)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (3, 1))) == "Unflatten(dim=1, unflattened_size=(3, 1))"
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element of type float"):
        nn.Unflatten(1, (2.0, 1))


def test_hardtanh_and_relu6_gradients_vanish_at_the_bounds():
    # PyTorch's hardtanh_backward: zero where x <= min or x >= max (so at the bounds too), and
    # a NaN input passes its gradient through.
    x = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0, float("nan")], requires_grad=True)
    F.hardtanh(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 1.0]
    y = torch.tensor([-1.0, 0.0, 3.0, 6.0, 7.0], requires_grad=True)
    F.relu6(y).sum().backward()
    assert y.grad.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
