"""nn.init schemes (bounds and statistics, loose tolerances, fixed seeds) and nn.utils (gradient
clipping and parameter/vector conversion) against numpy."""
import math
import warnings

import numpy as np
import pytest

import rustorch as torch
import rustorch.nn as nn
from rustorch.nn import init
from rustorch.nn.utils import (clip_grad_norm_, clip_grad_value_, get_total_norm, parameters_to_vector,
                               vector_to_parameters)


def arr(t):
    return np.array(t.detach())


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == 5.0 / 3
    assert init.calculate_gain("relu") == math.sqrt(2.0)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2.0 / (1 + 0.01 ** 2))
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2.0 / 1.04)
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope x not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def test_fans():
    assert init._calculate_fan_in_and_fan_out(torch.empty(3, 4)) == (4, 3)
    assert init._calculate_fan_in_and_fan_out(torch.empty(8, 2, 3, 5)) == (30, 120)
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"):
        init.xavier_uniform_(torch.empty(3))
    with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")


def test_initialisers_return_their_tensor_without_recording():
    w = nn.Parameter(torch.empty(30, 40))
    for fn in (init.uniform_, init.normal_, init.zeros_, init.ones_, init.xavier_uniform_, init.xavier_normal_,
               init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_, init.orthogonal_, init.eye_,
               lambda t: init.constant_(t, 0.3)):
        assert fn(w) is w
        assert w.grad_fn is None and w.requires_grad and w.is_leaf


def _stats(fn, shape=(200, 300), seed=0):
    torch.manual_seed(seed)
    values = arr(fn(torch.empty(shape)))
    return values, values.mean(), values.std()


def test_uniform_and_normal_statistics():
    v, mean, std = _stats(lambda t: init.uniform_(t, -2.0, 4.0))
    assert v.min() >= -2.0 and v.max() <= 4.0 and abs(mean - 1.0) < 0.05 and abs(std - 6 / math.sqrt(12)) < 0.05
    _, mean, std = _stats(lambda t: init.normal_(t, 3.0, 0.5))
    assert abs(mean - 3.0) < 0.01 and abs(std - 0.5) < 0.01
    v, mean, std = _stats(lambda t: init.trunc_normal_(t, 0.0, 1.0, -1.0, 2.0))
    assert v.min() >= -1.0 and v.max() <= 2.0
    # Mean of N(0, 1) truncated to [-1, 2]: (phi(-1) - phi(2)) / (Phi(2) - Phi(-1)).
    phi = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    assert abs(mean - (phi(-1) - phi(2)) / (cdf(2) - cdf(-1))) < 0.01
    with pytest.warns(UserWarning, match="mean is more than 2 std from \\[a, b\\] in nn.init.trunc_normal_"):
        init.trunc_normal_(torch.empty(3), mean=10.0)


def test_xavier_and_kaiming_scales():
    fan_in, fan_out = 300, 200
    v, _, std = _stats(lambda t: init.xavier_uniform_(t, gain=2.0))
    bound = 2.0 * math.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(v).max() <= bound and abs(std - bound / math.sqrt(3)) < 0.02 * bound
    _, _, std = _stats(init.xavier_normal_)
    assert abs(std - math.sqrt(2.0 / (fan_in + fan_out))) < 0.002
    v, _, std = _stats(lambda t: init.kaiming_uniform_(t, nonlinearity="relu"))
    bound = math.sqrt(2.0) * math.sqrt(3.0 / fan_in)
    assert np.abs(v).max() <= bound and abs(std - bound / math.sqrt(3)) < 0.02 * bound
    _, _, std = _stats(lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"))
    assert abs(std - math.sqrt(2.0 / fan_out)) < 0.002
    # a = sqrt(5) (Linear's default) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    v, _, _ = _stats(lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)))
    assert np.abs(v).max() <= 1 / math.sqrt(fan_in) and np.abs(v).max() > 0.95 / math.sqrt(fan_in)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(torch.empty(0, 3))


def test_same_seed_same_initialisation():
    torch.manual_seed(7)
    a = nn.Linear(5, 4)
    torch.manual_seed(7)
    b = nn.Linear(5, 4)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_constant_eye_dirac_orthogonal():
    assert init.constant_(torch.empty(2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert init.eye_(torch.empty(2, 3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(torch.empty(2, 2, 2))
    d = arr(init.dirac_(torch.empty(2, 2, 3, 3)))
    assert d[0, 0, 1, 1] == 1 and d[1, 1, 1, 1] == 1 and d.sum() == 2
    torch.manual_seed(0)
    for shape in ((4, 6), (6, 4), (3, 2, 2)):
        q = arr(init.orthogonal_(torch.empty(shape), gain=2.0)).reshape(shape[0], -1)
        small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(small, 4.0 * np.eye(min(q.shape)), atol=1e-5)


# ---------------------------------------------------------------- utils
def _params_with_grads(grads):
    params = []
    for g in grads:
        p = nn.Parameter(torch.zeros(len(g), dtype=torch.float64))
        p.grad = torch.tensor(g, dtype=torch.float64)
        params.append(p)
    return params


def test_clip_grad_norm():
    grads = [[3.0, 4.0], [12.0]]
    params = _params_with_grads(grads)
    total = clip_grad_norm_(params, 1.0)
    np.testing.assert_allclose(total.item(), 13.0)
    scale = 1.0 / (13.0 + 1e-6)
    np.testing.assert_allclose(arr(params[0].grad), [3 * scale, 4 * scale])
    np.testing.assert_allclose(arr(params[1].grad), [12 * scale])
    params = _params_with_grads(grads)
    assert clip_grad_norm_(params, 100.0).item() == 13.0
    assert params[0].grad.tolist() == [3.0, 4.0]  # below max_norm: unchanged
    params = _params_with_grads(grads)
    np.testing.assert_allclose(clip_grad_norm_(params, 6.0, norm_type="inf").item(), 12.0)
    np.testing.assert_allclose(arr(params[1].grad), [12 * 6 / (12 + 1e-6)])
    np.testing.assert_allclose(get_total_norm([torch.tensor([1.0, -2.0]), torch.tensor([2.0])], 1).item(), 5.0)
    single = _params_with_grads([[float("nan")]])[0]
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        clip_grad_norm_(single, 1.0, error_if_nonfinite=True)
    assert clip_grad_norm_([nn.Parameter(torch.ones(1))], 1.0).item() == 0.0  # no gradients


def test_clip_grad_value_and_vector_conversion():
    params = _params_with_grads([[-3.0, 0.5], [2.0]])
    clip_grad_value_(params, 1.0)
    assert params[0].grad.tolist() == [-1.0, 0.5] and params[1].grad.tolist() == [1.0]
    lin = nn.Linear(3, 2)
    vec = parameters_to_vector(lin.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(arr(vec), np.concatenate([arr(lin.weight).ravel(), arr(lin.bias)]))
    vector_to_parameters(torch.arange(8.0), lin.parameters())
    assert lin.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and lin.bias.tolist() == [6.0, 7.0]
    assert type(lin.weight) is nn.Parameter
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        vector_to_parameters([1.0], lin.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clip_grad_value_(lin.parameters(), 0.1)  # parameters without gradients are skipped
