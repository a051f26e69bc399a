"""Root causes behind groups of fuzz findings (tests/fuzz), each checked against the behaviour
recorded from PyTorch 2.15: which writes of a Python number into an integer tensor are checked,
clamp's number bounds, the dtypes some kernels refuse, and a few gradients."""
import pytest

import rustorch as torch


def test_number_writes_are_checked_where_pytorch_checks_them():
    t = torch.tensor([1, 2, 3], dtype=torch.int8)
    mask = torch.tensor([True, False, True])
    for write in (lambda: torch.where(mask, t, 300), lambda: t.masked_fill(mask, 300),
                  lambda: t.clone().index_fill_(0, torch.tensor([0]), 300),
                  lambda: torch.scatter(t, 0, torch.tensor([0]), 300),
                  lambda: t.clone().__setitem__(torch.tensor([0, 1]), 300)):
        with pytest.raises(RuntimeError, match="without overflow"):
            write()
    assert (t + 300).tolist() == [45, 46, 47]  # arithmetic wraps, as in PyTorch
    # a uint8 target takes a negative number as its wrap; a 0-dim tensor value is copied (cast)
    u = torch.tensor([1, 2], dtype=torch.uint8)
    assert u.masked_fill(torch.tensor([True, False]), -5).tolist() == [251, 2]
    u[:] = torch.tensor(-4.5, dtype=torch.float16)
    assert u.tolist() == torch.tensor([-4.5, -4.5]).to(torch.uint8).tolist()
    assert (-3 / torch.tensor([2], dtype=torch.uint8)).tolist() == [-1.5]


def test_clamp_number_bounds_on_integer_tensors():
    u = torch.tensor([0, 1, 5, 8], dtype=torch.uint8)
    assert torch.clamp(u, -1, 2).tolist() == [0, 1, 2, 2]  # a min below the range bounds nothing
    assert u.clamp(max=300).tolist() == [0, 1, 5, 8]
    with pytest.raises(RuntimeError, match="Clamp min value 300 is outside the representable range of Byte"):
        u.clamp(300)
    with pytest.raises(RuntimeError, match="Clamp max value -2 is outside the representable range of Byte"):
        u.clamp(2, -2)
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.tensor([1.0], dtype=torch.float16).clamp(-1e6)
    # a 0-dim tensor beside a number bound is taken as a number (promotes by category only)
    out = torch.clamp(torch.tensor([1, 5], dtype=torch.int32), min=torch.tensor(2.5, dtype=torch.float16), max=4)
    assert out.dtype == torch.float32 and out.tolist() == [2.5, 4.0]


def test_clamp_gradient_is_zero_on_a_number_bound():
    x = torch.tensor([-1.0, 0.0, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    x.clamp(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 0.0]


def test_abs_keeps_a_graph_for_second_order():
    x = torch.tensor([-2.0, 0.5], dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(x.abs().sum(), x, create_graph=True)
    assert g.requires_grad
    assert torch.autograd.grad(g.sum(), x)[0].tolist() == [0.0, 0.0]


def test_kernels_missing_for_bool_raise_not_implemented():
    b = torch.tensor([True, False])
    for op in (torch.abs, torch.argmax, torch.argmin, torch.median, lambda t: torch.topk(t, 1),
               lambda t: torch.cumprod(torch.tensor([1, 2]), 0, dtype=torch.bool)):
        with pytest.raises(NotImplementedError):
            op(b)
    with pytest.raises(NotImplementedError, match="argmax"):
        torch.argmax(b, 5)  # the dtype is checked before the dim


def test_in_place_maximum_does_not_exist():
    t = torch.tensor([1.0])
    for name in ("maximum_", "minimum_", "fmax_", "fmin_"):
        assert not hasattr(t, name)
    assert torch.tensor(5).mT.tolist() == 5  # 0-dim mT is the identity (deprecated in PyTorch)


def test_repeated_ellipses_with_a_full_slice_index_the_whole_tensor():
    # Recorded from PyTorch 2.15 (fuzz case): each ellipsis skips the unindexed dims again,
    # which carries the trailing ':' past the last dim, where it leaves the view unchanged.
    t = torch.zeros(4, 3, 4)
    t[..., ..., ..., :] = torch.tensor(float("inf"), dtype=torch.float16)
    assert t.shape == (4, 3, 4) and bool((t == float("inf")).all())
    assert t[..., ..., :].shape == (4, 3, 4)


def test_indexing_checks_come_in_pytorchs_order():
    # Outcomes recorded from PyTorch 2.15 (fuzz cases).
    t = torch.zeros(3)
    with pytest.raises(IndexError, match="too many indices"):
        t[::1, ::0]  # the index count before the zero step
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        t[::0]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        torch.tensor(1.0)[::-1]  # a lone slice's step before its dim
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        t[torch.tensor([3, 4])] = torch.tensor([0], dtype=torch.uint8)  # dtypes before bounds
    with pytest.raises(IndexError, match="dimension with size 0"):
        torch.zeros(0)[[0, 0]] = torch.tensor(-1, dtype=torch.int8)  # an empty dim before dtypes
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        torch.zeros(2, 2)[torch.tensor([]), ..., ::0] = 3.0  # before the float index is refused
    with pytest.raises(RuntimeError, match="must have the same scalar type"):
        torch.zeros(3, dtype=torch.uint8).index_add_(0, torch.tensor([5]), torch.tensor([1.0], dtype=torch.float64))


def test_range_factories_have_no_bool_kernel():
    # PyTorch 2.15's messages (fuzz cases).
    with pytest.raises(NotImplementedError, match="\"linspace_cpu\" not implemented for 'Bool'"):
        torch.linspace(0, 0, 4, dtype=torch.bool)
    with pytest.raises(NotImplementedError, match="\"logspace_cpu\" not implemented for 'Bool'"):
        torch.logspace(-3, 1.0, 5, dtype=torch.bool)
    # No kernel runs for 0 or 1 steps.
    assert torch.linspace(-1, 3.5, 0, dtype=torch.bool).shape == (0,)
    assert torch.logspace(-2, 1.0, 1, dtype=torch.bool).tolist() == [True]
