"""The fused LSTM and GRU cells (one pass over the gates, one autograd node each): values
against NumPy's formulas, gradients against finite differences (the fused backward kernels),
second order (the composed backward), and the layers built on them."""
import numpy as np
import pytest

import rustorch as torch
from rustorch import _C, nn
from rustorch.autograd import gradcheck, gradgradcheck


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_reference(gates, c):
    i, f, g, o = np.split(gates, 4, axis=1)
    c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c_new), c_new


def gru_reference(xg, hg, h):
    (xr, xz, xn), (hr, hz, hn) = np.split(xg, 3, axis=1), np.split(hg, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return n + z * (h - n)


def rand(*shape, seed, dtype=torch.float64):
    return torch.tensor(np.random.default_rng(seed).normal(size=shape), dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_cells_compute_pytorchs_formulas(dtype):
    gates, c = rand(3, 8, seed=0, dtype=dtype), rand(3, 2, seed=1, dtype=dtype)
    h_new, c_new = _C._lstm_cell(gates, c)
    expected_h, expected_c = lstm_reference(gates.double().numpy(), c.double().numpy())
    tol = 1e-6 if dtype == torch.float32 else 1e-12
    assert h_new.dtype == c_new.dtype == dtype
    np.testing.assert_allclose(h_new.double().numpy(), expected_h, rtol=tol, atol=tol)
    np.testing.assert_allclose(c_new.double().numpy(), expected_c, rtol=tol, atol=tol)

    xg, hg, h = rand(3, 6, seed=2, dtype=dtype), rand(3, 6, seed=3, dtype=dtype), rand(3, 2, seed=4, dtype=dtype)
    out = _C._gru_cell(xg, hg, h)
    np.testing.assert_allclose(out.double().numpy(), gru_reference(xg.double().numpy(), hg.double().numpy(), h.double().numpy()),
                               rtol=tol, atol=tol)


def test_fused_cells_take_strided_gates():
    gates = rand(8, 3, seed=5).t()  # a transposed (non-contiguous) [3, 8]
    c = rand(3, 2, seed=6)
    h_new, c_new = _C._lstm_cell(gates, c)
    expected_h, expected_c = lstm_reference(gates.numpy(), c.numpy())
    np.testing.assert_allclose(h_new.numpy(), expected_h, rtol=1e-12)
    np.testing.assert_allclose(c_new.numpy(), expected_c, rtol=1e-12)


def test_fused_cells_are_single_nodes_with_fused_gradients():
    gates, c = rand(3, 8, seed=7).requires_grad_(), rand(3, 2, seed=8).requires_grad_()
    h_new, c_new = _C._lstm_cell(gates, c)
    assert type(h_new.grad_fn).__name__ == "ThnnFusedLstmCellBackward0"
    assert h_new.grad_fn is c_new.grad_fn
    # Either output alone, and both (the other output's gradient is zeros).
    assert gradcheck(lambda g, c: _C._lstm_cell(g, c)[0], (gates, c))
    assert gradcheck(lambda g, c: _C._lstm_cell(g, c)[1], (gates, c))
    assert gradcheck(lambda g, c: _C._lstm_cell(g, c), (gates, c))
    xg, hg, h = rand(3, 6, seed=9).requires_grad_(), rand(3, 6, seed=10).requires_grad_(), rand(3, 2, seed=11).requires_grad_()
    assert type(_C._gru_cell(xg, hg, h).grad_fn).__name__ == "ThnnFusedGruCellBackward0"
    assert gradcheck(_C._gru_cell, (xg, hg, h))


def test_fused_cells_have_second_derivatives():
    gates, c = rand(2, 4, seed=13).requires_grad_(), rand(2, 1, seed=14).requires_grad_()
    assert gradgradcheck(lambda g, c: _C._lstm_cell(g, c), (gates, c))
    xg, hg, h = rand(2, 3, seed=15).requires_grad_(), rand(2, 3, seed=16).requires_grad_(), rand(2, 1, seed=17).requires_grad_()
    assert gradgradcheck(_C._gru_cell, (xg, hg, h))


def test_fused_cells_reject_mismatched_shapes():
    with pytest.raises(RuntimeError, match="4 \\* hidden_size"):
        _C._lstm_cell(torch.zeros(3, 7), torch.zeros(3, 2))
    with pytest.raises(RuntimeError, match="state of shape \\[3, 2\\]"):
        _C._lstm_cell(torch.zeros(3, 8), torch.zeros(3, 3))
    with pytest.raises(RuntimeError, match="hidden gates"):
        _C._gru_cell(torch.zeros(3, 6), torch.zeros(3, 3), torch.zeros(3, 2))


@pytest.mark.parametrize("layer", [nn.LSTM, nn.GRU])
def test_layers_on_fused_cells_match_the_step_formulas(layer):
    """A two-layer bidirectional layer against the NumPy recurrence over its own weights."""
    torch.manual_seed(0)
    m = layer(3, 4, num_layers=1, bidirectional=True).double()
    x = rand(5, 2, 3, seed=18)
    out, _ = m(x)
    for direction, suffix in enumerate(["", "_reverse"]):
        w_ih, w_hh, b_ih, b_hh = (getattr(m, f"{n}_l0{suffix}").detach().numpy() for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        h = np.zeros((2, 4))
        c = np.zeros((2, 4))
        steps = range(5) if direction == 0 else range(4, -1, -1)
        for t in steps:
            xg, hg = x[t].numpy() @ w_ih.T + b_ih, h @ w_hh.T + b_hh
            if layer is nn.LSTM:
                h, c = lstm_reference(xg + hg, c)
            else:
                h = gru_reference(xg, hg, h)
            np.testing.assert_allclose(out[t, :, direction * 4:(direction + 1) * 4].detach().numpy(), h, rtol=1e-10, atol=1e-12)
