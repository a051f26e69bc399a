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


def test_index_select_bounds_errors_follow_pytorch_kernel_paths():
    t2 = torch.zeros(3, 2)
    # the dim-1 fast path of a 2+-dim input and an empty input raise RuntimeError ...
    with pytest.raises(RuntimeError, match="INDICES element is out of DATA bounds, id=-1 axis_dim=2"):
        torch.index_select(t2, 1, torch.tensor([0, -1]))
    with pytest.raises(RuntimeError, match="INDICES element is out of DATA bounds, id=2 axis_dim=2"):
        torch.index_select(torch.empty(2, 4, 0), 0, torch.tensor([0, 2]))
    # ... the general path and 1-dim inputs IndexError; negative indices are never wrapped
    for t, dim in ((t2, 0), (torch.zeros(3), 0)):
        with pytest.raises(IndexError, match="index out of range in self"):
            torch.index_select(t, dim, torch.tensor([-1]))
    # the dim is checked before the index dtype
    with pytest.raises(IndexError, match="Dimension out of range"):
        torch.index_select(t2, 2, torch.tensor([0.0]))
    assert torch.index_select(t2, 1, torch.tensor([1, 0], dtype=torch.int32)).shape == (3, 2)


def test_advanced_indexing_reads_no_index_when_no_element_is_read():
    # PyTorch checks an index as its kernel reads through it: an empty other dim reads nothing
    assert torch.zeros(1, 0)[torch.tensor([1, -1])].shape == (2, 0)
    t = torch.arange(6).reshape(2, 3)
    assert t[torch.tensor([5, 0]), 1:1].shape == (2, 0)
    t[torch.tensor([7]), 3:] = 1  # nothing to write
    assert t.tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        t[torch.tensor([5, 0]), 1:2]


def test_empty_products_and_rolls_skip_the_checks_pytorch_skips():
    # bmm/baddbmm return an empty result (in batch2's dtype) before comparing dtypes
    out = torch.bmm(torch.empty(2, 0, 1, dtype=torch.int16), torch.ones(2, 1, 3))
    assert out.dtype is torch.float32 and out.shape == (2, 0, 3)
    assert torch.baddbmm(torch.empty(2, 0, 3), torch.empty(2, 0, 2), torch.ones(2, 2, 3, dtype=torch.int32)).dtype \
        is torch.int32
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        torch.bmm(torch.ones(2, 1, 1, dtype=torch.int16), torch.ones(2, 1, 3))
    # bool products are refused only when there is an element to compute
    assert torch.mv(torch.empty(0, 2, dtype=torch.bool), torch.tensor([True, False])).shape == (0,)
    with pytest.raises(RuntimeError, match="not implemented for 'Bool'"):
        torch.mv(torch.ones(1, 2, dtype=torch.bool), torch.tensor([True, False]))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        torch.mm(torch.empty(0, 2, dtype=torch.float64), torch.ones(2, 3))
    # roll copies an empty tensor before it looks at the dims
    assert torch.roll(torch.empty(4, 0), 1, 5).shape == (4, 0)
    with pytest.raises(IndexError):
        torch.roll(torch.ones(4, 1), 1, 5)


def test_ints_beyond_int64_in_creation():
    big = 2**63
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        torch.tensor([big, -129])  # still inferred int64
    with pytest.raises(RuntimeError, match="Overflow when unpacking long"):
        torch.tensor(big)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        torch.tensor(big, dtype=torch.int16)
    # element by element: the first that does not fit decides the error
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.tensor([2**31, big], dtype=torch.int8)
    assert torch.tensor([big, 300, 0], dtype=torch.bool).tolist() == [True, True, False]
    assert torch.tensor([1.5, big]).tolist() == [1.5, float(big)]
    assert torch.tensor(big, dtype=torch.bfloat16).item() == float(big)
    for make in (lambda: torch.full((2,), big, dtype=torch.int8),
                 lambda: torch.tensor([1, 4], dtype=torch.int64).new_full((2,), big)):
        with pytest.raises(RuntimeError, match="without overflow"):
            make()
    assert torch.zeros(1).new_full((2,), big).tolist() == [float(big)] * 2


def test_linspace_endpoints_convert_checked_to_integer_dtypes():
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.logspace(-0.5, 1, 4, dtype=torch.uint8)
    assert torch.linspace(-3, 3, 3, dtype=torch.int8).tolist() == [-3, 0, 3]


def test_out_of_range_float_to_int_conversions_give_x86s_result():
    # Undefined in C++: PyTorch (recorded: inf -> int32 and int64 give the minimum) and NumPy on
    # x86 give the truncating instruction's result, the minimum of int32 (int64 for 64-bit
    # targets) keeping its low bits; rustorch gives the same on every CPU.
    values = [float("inf"), float("-inf"), float("nan"), 1e10, 300.5, -1.7]
    want = {torch.int8: [0, 0, 0, 0, 44, -1], torch.uint8: [0, 0, 0, 0, 44, 255],
            torch.int16: [0, 0, 0, 0, 300, -1],
            torch.int32: [-2**31, -2**31, -2**31, -2**31, 300, -1],
            torch.int64: [-2**63, -2**63, -2**63, 10**10, 300, -1]}
    for dtype, expected in want.items():
        for source in (torch.float64, torch.float32, torch.float16):
            got = torch.tensor(values, dtype=source).to(dtype).tolist()
            # 1e10 is inf in float16
            assert got == (expected[:3] + expected[:1] + expected[4:] if source is torch.float16 else expected), \
                (dtype, source)
    # logspace's integer kernel computes 10**253 for the wrapped start -3 -> 253 (PyTorch: 0)
    assert torch.logspace(-3, 1.0, 2, dtype=torch.uint8).tolist() == [0, 10]


def test_prod_gradient_stays_differentiable_at_one_zero():
    # d/dx of sum(d prod(x)/dx): the first derivative is the product of the others, so where
    # one element is 0 its second derivative is the product of the rest (finite differences).
    for values in ([-2.0, 0.0], [-1.0, -2.0, 0.0], [3.0, 0.5, 2.0]):
        x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        g, = torch.autograd.grad(x.prod(), x, create_graph=True)
        second, = torch.autograd.grad(g.sum(), x)

        def first(v):
            y = torch.tensor(v, dtype=torch.float64, requires_grad=True)
            return torch.autograd.grad(y.prod(), y)[0].sum().item()
        eps = 1e-6
        numeric = [(first([v + eps * (j == i) for j, v in enumerate(values)]) -
                    first([v - eps * (j == i) for j, v in enumerate(values)])) / (2 * eps) for i in range(len(values))]
        assert second.tolist() == pytest.approx(numeric, abs=1e-6)
    y = torch.tensor([[0.0, 2.0], [0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(y.prod(1).sum(), y, create_graph=True)
    assert g.tolist() == [[2.0, 0.0], [0.0, 0.0]]
    assert torch.autograd.grad(g.sum(), y)[0].tolist()[0] == [1.0, 1.0]  # d(y[0,1] + y[0,0])


def test_empty_inputs_of_index_fill_and_softmax():
    # index_fill_ views an empty tensor with the index's length and stride 0 first: over the
    # empty storage that fails unless the view is empty too, when nothing at all is checked
    with pytest.raises(RuntimeError, match=r"setStorage: sizes \[1, 3\], strides \[0, 1\]"):
        torch.empty(0, 3, dtype=torch.float16).index_fill_(0, torch.tensor([0]), 5)
    t = torch.empty(0, 0)
    assert t.index_fill_(0, torch.tensor([7]), 1).shape == (0, 0)
    # softmax returns an empty result before it picks a kernel, so any dtype passes
    assert torch.log_softmax(torch.empty(0, 2, dtype=torch.int64), 1).dtype is torch.int64
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        torch.log_softmax(torch.ones(1, 2, dtype=torch.int64), 1)


def test_one_element_fill_and_nll_loss_check_order():
    # PyTorch's CPU fill of one element range-checks integers only (recorded: bf16/f16 give inf)
    assert torch.full((1,), 1e40, dtype=torch.bfloat16).tolist() == [float("inf")]
    assert torch.full((1,), 2**63, dtype=torch.float16).tolist() == [float("inf")]
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.full((2,), 1e40, dtype=torch.float16)
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.full((1,), 300, dtype=torch.int8)
    # a 0-dim target of a 2-d input is an IndexError before the input's dtype is looked at
    F = torch.nn.functional
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        F.cross_entropy(torch.empty(0, 2, dtype=torch.bool), torch.tensor(1, dtype=torch.uint8))
    with pytest.raises(NotImplementedError, match="nll_loss"):
        F.cross_entropy(torch.empty(0, 1, dtype=torch.int64), torch.tensor([], dtype=torch.uint8))
