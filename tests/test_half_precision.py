"""float16 and bfloat16 elementwise ops compute in float32 and round once, as PyTorch's CPU
kernels do ("opmath"); the oracle is numpy computing in float32 and rounding the same way.
Which scalars keep float32 precision (multiply, divide) and which are rounded to the tensor's
dtype first (everything else) was measured against PyTorch 2.15."""
import numpy as np
import pytest

import rustorch as torch


def bf16_round(x):
    """float32 -> the nearest bfloat16 (ties to even), returned as float32."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return rounded.astype(np.uint32).view(np.float32)


def f16_round(x):
    with np.errstate(over="ignore"):  # beyond float16's range is inf, as in PyTorch
        return np.asarray(x, np.float32).astype(np.float16).astype(np.float32)


ROUND = {"float16": f16_round, "bfloat16": bf16_round}


def tensor(values, dtype):
    return torch.from_numpy(np.asarray(values, np.float32)).to(getattr(torch, dtype))


def values(t):
    return np.asarray(t.float())


@pytest.fixture(params=["float16", "bfloat16"])
def dtype(request):
    return request.param


def operands(dtype, n=1024, seed=0):
    # n a multiple of PyTorch's vector width: its loop tails compute some ops differently.
    rs = np.random.RandomState(seed)
    rnd = ROUND[dtype]
    return rnd(rs.randn(n) * 30), rnd(rs.randn(n) * 3 + 0.5)


def test_tensor_arithmetic_rounds_the_float32_result_once(dtype):
    x, y = operands(dtype)
    a, b = tensor(x, dtype), tensor(y, dtype)
    rnd = ROUND[dtype]
    for got, expected in [(a + b, x + y), (a - b, x - y), (a * b, x * y), (a / b, x / y),
                          (torch.maximum(a, b), np.maximum(x, y))]:
        assert got.dtype == a.dtype
        np.testing.assert_array_equal(values(got), rnd(expected))
    np.testing.assert_array_equal(np.asarray(a > b), x > y)


def test_scalars_keep_float32_precision_only_to_multiply_and_divide(dtype):
    x, _ = operands(dtype)
    a, rnd = tensor(x, dtype), ROUND[dtype]
    for s in (0.1, 1 / 3, 7.77):
        full, rounded = np.float32(s), rnd(np.float32(s))[()]
        np.testing.assert_array_equal(values(a * s), rnd(x * full))
        np.testing.assert_array_equal(values(a / s), rnd(x / full))
        np.testing.assert_array_equal(values(torch.div(a, s, rounding_mode="trunc")), rnd(np.trunc(x / full)))
        np.testing.assert_array_equal(values(a + s), rnd(x + rounded))
        np.testing.assert_array_equal(values(a - s), rnd(x - rounded))
        np.testing.assert_array_equal(values(torch.fmod(a, s)), rnd(np.fmod(x, rounded)))
        np.testing.assert_array_equal(np.asarray(a >= s), x >= rounded)
        # s / t is PyTorch's t.reciprocal() * s: the reciprocal is rounded first.
        np.testing.assert_array_equal(values(s / a), rnd(rnd(1 / x) * full))
        # alpha is rounded to the dtype, then a + alpha * b is one fused multiply-add
        expected = (x.astype(np.float64) + x.astype(np.float64) * np.float64(rounded)).astype(np.float32)
        np.testing.assert_array_equal(values(torch.add(a, a, alpha=s)), rnd(expected))


def test_unary_ops_equal_the_float32_op_rounded(dtype):
    x, _ = operands(dtype, seed=1)
    a = tensor(x / 10, dtype)
    wide = a.float()
    for op in ("exp", "tanh", "sigmoid", "sin", "log1p", "rsqrt", "erf", "abs", "neg"):
        arg = wide.abs() if op in ("log1p", "rsqrt") else wide
        got = getattr(a.abs() if op in ("log1p", "rsqrt") else a, op)()
        assert got.dtype == a.dtype
        np.testing.assert_array_equal(values(got), ROUND[dtype](np.asarray(getattr(arg, op)())), err_msg=op)
    np.testing.assert_array_equal(np.asarray(a.isnan()), np.isnan(x))


def test_strided_broadcast_and_in_place_operands_across_chunks(dtype):
    # Rows are widened 1024 elements at a time: longer rows, strided, broadcast and in-place
    # operands must all see the right elements.
    rs = np.random.RandomState(2)
    rnd = ROUND[dtype]
    x = rnd(rs.randn(7, 2500) * 4)
    col = rnd(rs.randn(7, 1))
    a, c = tensor(x, dtype), tensor(col, dtype)
    np.testing.assert_array_equal(values(a + c), rnd(x + col))
    np.testing.assert_array_equal(values(a.t() * c.t()), rnd(x.T * col.T))
    np.testing.assert_array_equal(values(a[:, ::3].exp()), rnd(np.asarray(tensor(x[:, ::3], "float32").exp())))
    big = tensor(rnd(rs.randn(3, 1300)), dtype).expand(2, 3, 1300)
    np.testing.assert_array_equal(values(big - 1), rnd(values(big) - 1))
    t = a.clone()
    t.mul_(c)
    t.add_(t.clone(), alpha=2)
    step = rnd(x * col)
    np.testing.assert_array_equal(values(t), rnd(step + step * 2))
    u = a.clone()
    u.t().sub_(c.t())  # a transposed view, in place
    np.testing.assert_array_equal(values(u), rnd(x - col))


def test_float32_reflected_division_and_scaled_add_match_pytorch():
    # PyTorch computes `s / t` as t.reciprocal() * s and add(a, b, alpha=s) as one fused
    # multiply-add; either shows in the last bit of about a quarter of the results.
    rs = np.random.RandomState(3)
    x, y = (rs.randn(5000) * 30).astype(np.float32), rs.randn(5000).astype(np.float32)
    a, b = torch.from_numpy(x), torch.from_numpy(y)
    np.testing.assert_array_equal(np.asarray(7.77 / a), (np.float32(1) / x) * np.float32(7.77))
    fused = (x.astype(np.float64) + y.astype(np.float64) * np.float64(np.float32(0.1))).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(torch.add(a, b, alpha=0.1)), fused)
    fused_sub = (x.astype(np.float64) - y.astype(np.float64) * np.float64(np.float32(0.1))).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(torch.sub(a, b, alpha=0.1)), fused_sub)
    c = a.clone()
    c.add_(b, alpha=0.1)
    np.testing.assert_array_equal(np.asarray(c), fused)


def test_composed_activations_compute_in_float32_and_round_once(dtype):
    # silu is x * sigmoid(x) here: in float16 the sigmoid rounded first, and softplus's exp
    # overflowing at 11, used to give values PyTorch's single kernels do not.
    F = torch.nn.functional
    x, y = operands(dtype, seed=4)
    a, b = tensor(x / 3, dtype), tensor(y, dtype)
    cases = [(F.silu, (a,)), (F.softplus, (a,)), (F.mish, (a,)), (F.elu, (a,)), (F.selu, (a,)),
             (F.hardswish, (a,)), (F.logsigmoid, (a,)), (torch.logaddexp, (a, b)),
             (torch.lerp, (a, b, 0.3)), (torch.lerp, (a, b, 0.8))]
    for fn, args in cases:
        got = fn(*args)
        assert got.dtype == a.dtype
        wide = fn(*[t.float() if isinstance(t, torch.Tensor) else t for t in args])
        np.testing.assert_array_equal(values(got), ROUND[dtype](np.asarray(wide)), err_msg=fn.__name__)
    grad_input = a.clone().requires_grad_()
    F.silu(grad_input).sum().backward()
    assert grad_input.grad.dtype == a.dtype


def test_lerp_reaches_end_exactly_at_weight_one():
    # PyTorch interpolates from the nearer end: weight 1 gives `end` bit for bit.
    start, end = torch.tensor([0.1, 1e8, -3.3, 7.0]), torch.tensor([0.7, -1.0, 2.9, 7.0])
    assert torch.lerp(start, end, 1.0).tolist() == end.tolist()
    assert torch.lerp(start, end, torch.ones(4)).tolist() == end.tolist()
    assert torch.lerp(start, end, 0.0).tolist() == start.tolist()
