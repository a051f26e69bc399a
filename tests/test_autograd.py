"""The autograd engine and its Python API. Expected values come from calculus (evaluated with
numpy), finite differences, or PyTorch's documented messages and behaviour."""
import gc
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rustorch as torch
from rustorch.autograd import Function, Variable


def leaf(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


def np_of(t):
    return np.array(t.detach())


# ---------------------------------------------------------------- requires_grad and leaves


def test_factories_honour_requires_grad():
    for t in (torch.zeros(2, requires_grad=True), torch.ones(2, 3, requires_grad=True),
              torch.full((2,), 1.5, requires_grad=True), torch.empty(3, requires_grad=True),
              torch.arange(3.0, requires_grad=True), torch.tensor([1.0], requires_grad=True)):
        assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    assert not torch.ones(2).requires_grad


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        torch.full((2, 3), 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        torch.tensor([1, 2]).requires_grad_()
    t = torch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can require gradients"):
        t.requires_grad = True


def test_requires_grad_only_changes_on_leaves():
    x = leaf([1.0, 2.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    assert y.requires_grad_() is y
    x.requires_grad_(False)
    assert not x.requires_grad and x.is_leaf
    x.requires_grad = True
    assert x.requires_grad


def test_ops_on_requiring_inputs_record_history():
    x = leaf([1.0, 2.0])
    c = torch.ones(2, dtype=torch.float64)
    y = c * x
    assert y.requires_grad and not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    assert not (c * c).requires_grad
    # comparisons and integer results never require grad
    assert not (x > 1).requires_grad


def test_grad_fn_objects():
    w = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = w * 2 + 1
    fn = y.grad_fn
    assert type(fn).__name__ == "AddBackward0"
    assert repr(fn).startswith("<AddBackward0 object at 0x")
    (mul, nr), (const, _) = fn.next_functions
    assert mul.name() == "MulBackward0" and nr == 0 and const is None
    acc = mul.next_functions[0][0]
    assert acc.name() == "torch::autograd::AccumulateGrad" and type(acc).__name__ == "AccumulateGrad"
    assert len(w.sum().grad_fn.next_functions) == 1
    assert (w ** 2).grad_fn.name() == "PowBackward0"
    assert w.sum().grad_fn.name() == "SumBackward0" and w.sum(0).grad_fn.name() == "SumBackward1"
    assert w.mean().grad_fn.name() == "MeanBackward0" and w.mean(1).grad_fn.name() == "MeanBackward1"
    assert w.view(4).grad_fn.name() == "ViewBackward0" and w.reshape(4).grad_fn.name() == "ViewBackward0"
    assert repr(w + 1) == "tensor([[2., 3.],\n        [4., 5.]], dtype=torch.float64, grad_fn=<AddBackward0>)"


# ---------------------------------------------------------------- backward basics


def test_backward_matches_calculus_and_accumulates():
    xv = np.array([0.5, -1.0, 2.0])
    x = leaf(xv)
    y = (x * x * x + 2 * x).sum()
    y.backward()
    np.testing.assert_allclose(np_of(x.grad), 3 * xv ** 2 + 2)
    (x * x).sum().backward()  # a second backward accumulates
    np.testing.assert_allclose(np_of(x.grad), 3 * xv ** 2 + 2 + 2 * xv)
    x.grad.zero_()
    np.testing.assert_allclose(np_of(x.grad), 0)


def test_backward_with_gradient_argument():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * x
    y.backward(torch.tensor([[1.0, 0.5], [2.0, 0.0]], dtype=torch.float64))
    np.testing.assert_allclose(np_of(x.grad), [[2.0, 2.0], [12.0, 0.0]])


def test_backward_errors():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        torch.ones(1).backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[2\]\) and output\[0\] has a shape of torch.Size\(\[3\]\)"):
        (x * 2).backward(torch.ones(2, dtype=torch.float64))


def test_backward_twice_needs_retain_graph():
    x = leaf([1.0, 2.0, 3.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(np_of(x.grad), [4.0, 8.0, 12.0])
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time .* Specify retain_graph=True"):
        y.backward()


def test_graph_without_saved_tensors_can_run_again():
    x = leaf([1.0, 2.0])
    y = (x + x).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(np_of(x.grad), [4.0, 4.0])


def test_shared_subexpression_gets_summed_gradient():
    x = leaf([1.5, -2.0])
    a = x * 3
    y = (a * a + a).sum()
    y.backward()
    xv = np.array([1.5, -2.0])
    np.testing.assert_allclose(np_of(x.grad), 18 * xv + 3)


def test_broadcast_gradients_sum_to_input_shape():
    a = leaf(np.arange(6.0).reshape(2, 3))
    b = leaf([[10.0], [20.0]])
    c = leaf(2.0)
    (a * b + c).sum().backward()
    np.testing.assert_allclose(np_of(a.grad), np.broadcast_to([[10.0], [20.0]], (2, 3)))
    np.testing.assert_allclose(np_of(b.grad), [[3.0], [12.0]])
    np.testing.assert_allclose(np_of(c.grad), 6.0)


def test_mixed_dtype_gradients_keep_each_inputs_dtype():
    a = leaf([1.0, 2.0], dtype=torch.float32)
    b = leaf([3.0, 4.0], dtype=torch.float64)
    (a * b).sum().backward()
    assert a.grad.dtype == torch.float32 and b.grad.dtype == torch.float64
    np.testing.assert_allclose(np_of(a.grad), [3.0, 4.0])


# ---------------------------------------------------------------- autograd.grad


def test_grad_higher_order_to_third():
    xv = 1.3
    x = leaf(xv)
    y = x ** 4 + 2 * x
    d1, = torch.autograd.grad(y, x, create_graph=True)
    d2, = torch.autograd.grad(d1, x, create_graph=True)
    d3, = torch.autograd.grad(d2, x)
    assert d1.requires_grad and d2.requires_grad and not d3.requires_grad
    np.testing.assert_allclose([d1.item(), d2.item(), d3.item()], [4 * xv ** 3 + 2, 12 * xv ** 2, 24 * xv])
    assert x.grad is None


def test_grad_of_transcendental_chain_third_order():
    xv = 0.7
    x = leaf(xv)
    g = x
    for _ in range(3):
        g, = torch.autograd.grad((torch.sin(g) if g is x else g), x, create_graph=True)
    # d3/dx3 sin(x) = -cos(x)
    np.testing.assert_allclose(g.item(), -np.cos(xv))


def test_grad_multiple_inputs_outputs_and_grad_outputs():
    x1, x2 = leaf(1.0), leaf(2.0)
    y1, y2 = x1 * x2, x1 + x2
    g = torch.autograd.grad([y1, y2], [x1, x2])
    assert isinstance(g, tuple)
    assert [t.item() for t in g] == [3.0, 2.0]
    x = leaf([1.0, 2.0, 3.0])
    (g,) = torch.autograd.grad(x ** 2, x, grad_outputs=torch.ones(3, dtype=torch.float64))
    np.testing.assert_allclose(np_of(g), [2.0, 4.0, 6.0])


def test_grad_allow_unused_and_errors():
    u, w = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."):
        torch.autograd.grad(u * 2, [u, w])
    gu, gw = torch.autograd.grad(u * 2, [u, w], allow_unused=True)
    assert gu.item() == 2.0 and gw is None
    gu, gw = torch.autograd.grad(u * 2, [u, w], materialize_grads=True)
    assert gw.item() == 0.0
    with pytest.raises(RuntimeError, match="One of the differentiated Tensors does not require grad"):
        torch.autograd.grad(u * 2, [torch.ones(1)])


def test_grad_with_respect_to_intermediate():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    gh, gx = torch.autograd.grad(y, [h, x])
    np.testing.assert_allclose(np_of(gh), 2 * np.array([3.0, 6.0]))
    np.testing.assert_allclose(np_of(gx), 18 * np.array([1.0, 2.0]))


def test_backward_create_graph_then_backward_of_grad():
    x = leaf(2.0)
    (x ** 3).backward(create_graph=True)
    gx = x.grad
    assert gx.requires_grad and gx.item() == 12.0
    x.grad = None
    gx.backward()
    assert x.grad.item() == 12.0


def test_backward_inputs_restricts_accumulation():
    a, b = leaf(1.0), leaf(2.0)
    h = a * b
    (h * h).backward(inputs=[a])
    assert a.grad.item() == 2 * 2.0 * 2.0 and b.grad is None
    h = a * b
    h.retain_grad()
    (h * 3).backward(inputs=[h])
    assert h.grad.item() == 3.0


def test_autograd_backward_on_list():
    p = leaf([1.0, 2.0])
    torch.autograd.backward([(p * 3).sum(), (p * p).sum()])
    np.testing.assert_allclose(np_of(p.grad), [5.0, 7.0])


# ---------------------------------------------------------------- non-leaf grads and hooks


def test_non_leaf_grad_warns_and_retain_grad():
    x = leaf([1.0, 2.0])
    y = x + 2
    (y * y).sum().backward()
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"):
        assert y.grad is None
    x = leaf([1.0, 2.0])
    y = x + 2
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    (y * y).sum().backward()
    np.testing.assert_allclose(np_of(y.grad), [6.0, 8.0])
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        torch.ones(1).retain_grad()


def test_hooks_see_and_replace_gradients():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: g * 10)
    y = x * 3
    y.register_hook(lambda g: seen.append(np_of(g)))
    y.sum().backward()
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    np.testing.assert_allclose(np_of(x.grad), [30.0, 30.0])
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        torch.ones(1).register_hook(lambda g: g)


def test_hook_removal():
    x = leaf([1.0])
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 2).sum().backward()
    assert x.grad.item() == 2.0


def test_exception_in_hook_propagates():
    x = leaf([1.0])

    def bad(g):
        raise ValueError("hook failed")

    x.register_hook(bad)
    with pytest.raises(ValueError, match="hook failed"):
        (x * 2).sum().backward()


# ---------------------------------------------------------------- no_grad, detach, .data


def test_grad_mode_switches():
    x = leaf([1.0])
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        assert (x * 2).grad_fn is None
        with torch.enable_grad():
            assert (x * 2).requires_grad
    assert torch.is_grad_enabled()
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    torch.set_grad_enabled(False)
    assert not torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    with torch.inference_mode():
        assert not (x * 2).requires_grad and torch.is_inference_mode_enabled()
    assert torch.is_grad_enabled() and not torch.is_inference_mode_enabled()


def test_grad_mode_decorators():
    x = leaf([1.0])

    @torch.no_grad()
    def f(t):
        return t * 2

    @torch.no_grad
    def g(t):
        return t * 2

    @torch.enable_grad()
    def h(t):
        return t * 2

    @torch.set_grad_enabled(False)
    def k(t):
        return t * 2

    assert torch.is_grad_enabled()  # decorating does not switch the mode
    assert not f(x).requires_grad and not g(x).requires_grad and not k(x).requires_grad
    with torch.no_grad():
        assert h(x).requires_grad
    assert torch.autograd.no_grad is torch.no_grad


def test_detach_shares_memory_without_history():
    x = leaf([1.0, 2.0])
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert d.data_ptr() == y.data_ptr()
    d.add_(1)
    np.testing.assert_allclose(np_of(y), [4.0, 7.0])
    z = x * 2
    z.detach_()
    assert z.grad_fn is None and not z.requires_grad


def test_data_attribute():
    x = leaf([1.0, 2.0])
    data = x.data
    assert not data.requires_grad and data.data_ptr() == x.data_ptr()
    x.data = torch.tensor([5.0, 6.0, 7.0], dtype=torch.float64)
    assert x.requires_grad and x.shape == (3,)
    (x * x).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [10.0, 12.0, 14.0])


def test_manual_sgd_on_leaves():
    rs = np.random.RandomState(0)
    xv, wv = rs.randn(4, 3), rs.randn(3)
    x, w = torch.tensor(xv), leaf(wv)
    for _ in range(3):
        loss = ((x * w).sum(1) ** 2).sum()
        loss.backward()
        w.data -= 0.01 * w.grad.data
        w.grad.data.zero_()
        grad = 2 * xv.T @ (xv @ wv)
        wv = wv - 0.01 * grad
    np.testing.assert_allclose(np_of(w), wv)
    with torch.no_grad():
        w -= 1.0
    np.testing.assert_allclose(np_of(w), wv - 1.0)


def test_numpy_refuses_tensors_that_require_grad():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. Use tensor.detach\(\).numpy\(\) instead."):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]
    assert x.numpy(force=True).tolist() == [1.0]


# ---------------------------------------------------------------- in-place


def test_inplace_on_leaf_requiring_grad():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x += 1
    with torch.no_grad():
        x.add_(1)
    np.testing.assert_allclose(np_of(x), [2.0, 3.0])


def test_inplace_on_non_leaf_is_recorded():
    xv = np.array([1.0, -2.0, 3.0])
    x = leaf(xv)
    y = x * 1
    y.mul_(x)        # y = x²
    assert y.grad_fn.name() == "MulBackward0"
    y += 3 * x       # y = x² + 3x
    y.exp_()         # y = exp(x² + 3x)
    y.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), np.exp(xv ** 2 + 3 * xv) * (2 * xv + 3))


def test_inplace_makes_plain_tensor_part_of_graph():
    x = leaf([2.0])
    z = torch.zeros(1, dtype=torch.float64)
    z += x * x
    assert z.grad_fn.name() == "AddBackward0"
    z.sum().backward()
    assert x.grad.item() == 4.0


def test_copy_fill_zero_gradients():
    x = leaf([1.0, 2.0])
    s = leaf([5.0])
    y = x * 1
    y.copy_(s * 2)
    assert y.grad_fn.name() == "CopyBackwards"
    (y * x).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [10.0, 10.0])  # y no longer depends on x
    np.testing.assert_allclose(np_of(s.grad), [2 * (1.0 + 2.0)])
    y = x * 1
    y.fill_(3.0)
    assert y.grad_fn.name() == "FillBackward0"
    y = x * 1
    y.zero_()
    assert y.grad_fn.name() == "ZeroBackward0"


def test_modified_saved_tensor_is_detected():
    x = leaf([1.0, 2.0, 3.0], dtype=torch.float32)
    y = x * 2
    z = y * y
    with torch.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match=r"one of the variables needed for gradient computation has been modified by an inplace operation: \[torch.FloatTensor \[3\]\], which is output 0 of MulBackward0, is at version 1; expected version 0 instead. Hint: enable anomaly detection"):
        z.sum().backward()
    w = leaf([1.0, 2.0, 3.0], dtype=torch.float32)
    z = w * w
    with torch.no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match=r"\[torch.FloatTensor \[3\]\] is at version 1; expected version 0 instead"):
        z.sum().backward()


def test_saved_result_is_checked_too():
    x = leaf([0.5])
    y = x.exp()
    y.add_(1)  # recorded, but exp's saved result changed
    # a saved output is named after the node that saved it
    with pytest.raises(RuntimeError, match="which is output 0 of ExpBackward0, is at version 1"):
        y.sum().backward()


# ---------------------------------------------------------------- views and index writes


def test_inplace_write_through_view_reaches_base():
    xv = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    x = leaf(xv)
    y = x * 2
    row = y[1]
    row.mul_(y[0])              # y[1] = 2x1 * 2x0
    assert y.grad_fn.name() == "CopySlices"
    y.sum().backward()
    expected = np.full((2, 3), 2.0)
    expected[0] += 4 * xv[1]    # d/dx0 of 4 x0 x1
    expected[1] = 4 * xv[0]     # the old y[1] was overwritten
    np.testing.assert_allclose(np_of(x.grad), expected)


def test_view_of_leaf_in_place_is_refused():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an in-place operation."):
        x[0].add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x[0] = 5.0


def test_index_assignment_records_history():
    x = leaf([1.0, 2.0, 3.0])
    z = torch.zeros(4, dtype=torch.float64)
    z[1:] = x * x
    z[[0, 3]] = x[0]            # advanced write of a broadcast value: z = [x0, x0², x1², x0]
    assert z.grad_fn.name() == "IndexPutBackward0"
    (z * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [1 + 2 * 2 * 1 + 4, 3 * 2 * 2, 0.0])


def test_index_reads_accumulate_repeated_positions():
    x = leaf([1.0, 2.0, 3.0])
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [2.0, 0.0, 1.0])
    x.grad = None
    x.expand(4, 3).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [4.0, 4.0, 4.0])


def test_iterating_and_joining():
    x = leaf(np.arange(6.0).reshape(2, 3))
    rows = [r * (i + 1) for i, r in enumerate(x)]
    torch.stack(rows).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [[1.0] * 3, [2.0] * 3])
    x.grad = None
    a, b = x.split([1, 2], dim=1)
    torch.cat([b, a * 10], 1).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [[10.0, 1.0, 1.0]] * 2)


# ---------------------------------------------------------------- gradients at the edges


def test_edge_gradients():
    def grad_of(f, v):
        x = leaf(v)
        f(x).sum().backward()
        return np_of(x.grad)

    np.testing.assert_array_equal(grad_of(torch.abs, [0.0, -2.0, 3.0]), [0.0, -1.0, 1.0])
    assert grad_of(torch.sqrt, [0.0])[0] == np.inf
    np.testing.assert_array_equal(grad_of(lambda x: x ** 2, [0.0]), [0.0])
    np.testing.assert_array_equal(grad_of(lambda x: x ** 0, [0.0, 3.0]), [0.0, 0.0])
    assert grad_of(lambda x: x ** 0.5, [0.0])[0] == np.inf
    assert grad_of(lambda x: 1 / x, [0.0])[0] == -np.inf
    assert grad_of(lambda x: x / 0.0, [1.0])[0] == np.inf
    # d/de 0**e is taken as 0 for e >= 0
    e = leaf([0.0, 2.0])
    (torch.zeros(2, dtype=torch.float64) ** e).sum().backward()
    np.testing.assert_array_equal(np_of(e.grad), [0.0, 0.0])


def test_kinks_ties_and_zero_norms():
    def grad_of(f, v):
        x = leaf(v)
        f(x).sum().backward()
        return np_of(x.grad)

    np.testing.assert_array_equal(grad_of(torch.relu, [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])
    # PyTorch 2.15: number bounds pass no gradient on the boundary (min < x < max)
    np.testing.assert_array_equal(grad_of(lambda x: x.clamp(0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0]), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.clamp(min=0.0), [0.0, -1.0, 0.5]), [0.0, 0.0, 1.0])
    # full reductions share the gradient among ties; max(dim) gives it to the selected index
    np.testing.assert_array_equal(grad_of(lambda x: x.max(), [1.0, 3.0, 3.0]), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(grad_of(lambda x: x.amax(1), [[2.0, 2.0, 1.0], [0.0, 5.0, 5.0]]), [[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
    np.testing.assert_array_equal(grad_of(lambda x: x.max(1).values, [[2.0, 2.0, 1.0]]), [[1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(grad_of(lambda x: x.min(), [4.0, 1.0, 1.0, 1.0, 9.0]) * 3, [0, 1, 1, 1, 0])
    # the norm of zero has a zero gradient
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(), [0.0, 0.0]), [0.0, 0.0])
    np.testing.assert_allclose(grad_of(lambda x: x.norm(), [3.0, 4.0]), [0.6, 0.8])


def test_every_factory_takes_requires_grad():
    x = torch.ones(2, 3)
    made = [
        torch.rand(2, requires_grad=True), torch.randn(2, requires_grad=True),
        torch.linspace(0, 1, 3, requires_grad=True), torch.eye(2, requires_grad=True),
        torch.zeros_like(x, requires_grad=True), torch.ones_like(x, requires_grad=True),
        torch.full_like(x, 2.0, requires_grad=True), torch.empty_like(x, requires_grad=True),
        torch.rand_like(x, requires_grad=True), torch.randn_like(x, requires_grad=True),
        x.new_zeros(2, requires_grad=True), x.new_ones(2, requires_grad=True),
        x.new_full((2,), 1.0, requires_grad=True), x.new_tensor([1.0], requires_grad=True),
    ]
    assert all(t.requires_grad and t.is_leaf for t in made)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"):
        torch.zeros(2, dtype=torch.int64, requires_grad=True)


def test_maximum_minimum_split_ties():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 0.0])
    torch.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(np_of(a.grad), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(np_of(b.grad), [0.5, 1.0, 0.0])
    a, b = leaf([1.0, 2.0]), leaf([1.0, 5.0])
    torch.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(np_of(a.grad), [0.5, 1.0])


# ---------------------------------------------------------------- custom Functions


class LegendrePolynomial3(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def test_custom_function_legendre():
    xv = np.linspace(-1, 1, 7)
    x = leaf(xv)
    y = LegendrePolynomial3.apply(x)
    assert y.grad_fn.name() == "LegendrePolynomial3Backward"
    assert type(y.grad_fn).__name__ == "LegendrePolynomial3Backward"
    assert y.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    np.testing.assert_allclose(np_of(y), 0.5 * (5 * xv ** 3 - 3 * xv))
    y.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), 1.5 * (5 * xv ** 2 - 1))
    assert torch.autograd.gradcheck(LegendrePolynomial3.apply, (leaf([0.3, -0.7]),))
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.grad_fn.saved_tensors


def test_custom_function_fits_like_the_tutorial():
    """The "Learning PyTorch with Examples" loop, checked against the same loop in numpy."""
    xs = np.linspace(-np.pi, np.pi, 50)
    ys = np.sin(xs)
    x, y = torch.tensor(xs), torch.tensor(ys)
    params = [torch.full((), v, dtype=torch.float64, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3)]
    pv = np.array([0.0, -1.0, 0.0, 0.3])
    lr = 5e-6
    for _ in range(5):
        a, b, c, d = params
        y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
        loss = ((y_pred - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        z = pv[2] + pv[3] * xs
        p3 = 0.5 * (5 * z ** 3 - 3 * z)
        r = 2 * (pv[0] + pv[1] * p3 - ys)
        dp3 = 1.5 * (5 * z ** 2 - 1)
        pv = pv - lr * np.array([r.sum(), (r * p3).sum(), (r * pv[1] * dp3).sum(), (r * pv[1] * dp3 * xs).sum()])
    np.testing.assert_allclose([p.item() for p in params], pv, rtol=1e-8, atol=1e-15)


def test_custom_function_ctx_features():
    class Split(Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.scale = scale
            ctx.seen = ctx.needs_input_grad
            idx = (x > 0).double()
            ctx.mark_non_differentiable(idx)
            return x * scale, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * ctx.scale, None

    x = leaf([1.0, -1.0])
    out, idx = Split.apply(x, 3.0)
    assert out.requires_grad and not idx.requires_grad
    assert out.grad_fn.seen == (True, False)
    out.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), [3.0, 3.0])


def test_custom_function_wrong_gradient_count():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        Bad.apply(x).sum().backward()


def test_custom_function_without_grad_records_nothing():
    x = torch.ones(2, dtype=torch.float64)
    assert LegendrePolynomial3.apply(x).grad_fn is None


# ---------------------------------------------------------------- Variable and Parameter


def test_variable_is_a_tensor():
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = Variable(t, requires_grad=True)
    assert isinstance(v, torch.Tensor) and type(v).__name__ == "Tensor"
    assert isinstance(t, Variable)
    assert v.requires_grad and v.is_leaf and not t.requires_grad
    assert v.data_ptr() == t.data_ptr()
    assert not Variable(torch.ones(2)).requires_grad
    torch.mean(v * v).backward()
    np.testing.assert_allclose(np_of(v.grad), [[0.5, 1.0], [1.5, 2.0]])


def test_parameter():
    data = torch.tensor([1.0, 2.0])
    p = torch.nn.Parameter(data)
    assert isinstance(p, torch.Tensor) and isinstance(p, torch.nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.data_ptr() == data.data_ptr()
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not torch.nn.Parameter(torch.ones(1), requires_grad=False).requires_grad
    (p * p).sum().backward()
    np.testing.assert_allclose(np_of(p.grad), [2.0, 4.0])
    with pytest.raises(RuntimeError, match="floating point"):
        torch.nn.Parameter(torch.tensor([1, 2]))


# ---------------------------------------------------------------- scale


def run_python(code):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=120)


def test_100k_op_chain_backward_and_drop():
    """Running and dropping a 100,000-node graph must not recurse per node."""
    r = run_python("""
        import rustorch as torch
        x = torch.ones(1, dtype=torch.float64, requires_grad=True)
        w = torch.ones(1, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(100_000):
            y = y * w          # each node saves the previous output
        y.sum().backward()
        assert x.grad.item() == 1.0 and w.grad.item() == 100_000.0, (x.grad, w.grad)
        y = x
        for _ in range(100_000):
            y = y + 1.0
        del y                  # dropped without running backward
        print("ok")
    """)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_training_loop_memory_is_flat():
    rs = np.random.RandomState(0)
    x = torch.tensor(rs.randn(8, 16))
    w = torch.tensor(rs.randn(16), requires_grad=True)
    base = None
    for step in range(10_000):
        loss = (((x * w).sum(1) - 1.0) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 1e-3 * w.grad
        w.grad.zero_()
        if step == 1_000:
            gc.collect()
            base = rss_bytes()
    gc.collect()
    assert rss_bytes() - base < 16 * 2 ** 20
