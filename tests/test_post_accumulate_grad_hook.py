"""Tensor.register_post_accumulate_grad_hook, with PyTorch 2.15's semantics (checked by hand
against it): the hook gets the leaf itself once its .grad is updated, runs in no-grad mode unless
create_graph, fires only when .grad is accumulated (backward, not autograd.grad), in registration
order, and can be removed."""
import numpy as np
import pytest
import rustorch as torch


def test_hook_sees_the_tensor_with_its_accumulated_grad():
    x = torch.ones(3, requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(lambda p: seen.append((p is x, p.grad.tolist(), torch.is_grad_enabled())))
    x.register_hook(lambda g: g * 10)  # gradient hooks run first, on the incoming gradient
    (x * 3).sum().backward()
    assert seen == [(True, [30.0, 30.0, 30.0], False)]
    (x * 1).sum().backward()
    assert seen[-1] == (True, [40.0, 40.0, 40.0], False)


def test_hook_runs_once_per_backward_after_all_contributions():
    x = torch.ones(2, requires_grad=True)
    grads = []
    x.register_post_accumulate_grad_hook(lambda p: grads.append(p.grad.tolist()))
    (x * 2 + x * 3).sum().backward()
    assert grads == [[5.0, 5.0]]


def test_hook_may_modify_the_tensor_in_place():
    # The docs' example: an optimizer step inside the hook.
    v = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)

    def sgd_step(p):
        p.data.add_(p.grad, alpha=-0.5)
    v.register_post_accumulate_grad_hook(sgd_step)
    v.backward(torch.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(v.detach().numpy(), [-0.5, -1.0, -1.5])


def test_hooks_run_in_registration_order_and_remove():
    a = torch.ones(2, requires_grad=True)
    order = []
    a.register_post_accumulate_grad_hook(lambda p: order.append("first"))
    handle = a.register_post_accumulate_grad_hook(lambda p: order.append("second"))
    (a * 2).sum().backward()
    assert order == ["first", "second"]
    handle.remove()
    (a * 2).sum().backward()
    assert order == ["first", "second", "first"]


def test_not_run_by_autograd_grad_nor_for_leaves_outside_inputs():
    w, v = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda p: calls.append("w"))
    v.register_post_accumulate_grad_hook(lambda p: calls.append("v"))
    torch.autograd.grad((w * v).sum(), [w, v])
    assert calls == []
    (w * v).sum().backward(inputs=[v])
    assert calls == ["v"]


def test_grad_mode_follows_create_graph():
    a = torch.ones(2, requires_grad=True)
    modes = []
    a.register_post_accumulate_grad_hook(lambda p: modes.append(torch.is_grad_enabled()))
    (a * a).sum().backward(create_graph=True)
    assert modes == [True]


def test_registration_errors():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        torch.ones(2).register_post_accumulate_grad_hook(lambda p: None)
    with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered on non-leaf tensors"):
        (torch.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda p: None)


def test_hook_errors_propagate():
    b = torch.ones(2, requires_grad=True)
    b.register_post_accumulate_grad_hook(lambda p: torch.zeros(2))
    with pytest.raises(RuntimeError, match="Tensor post accumulate grad hooks should return None."):
        (b * 3).sum().backward()
    c = torch.ones(2, requires_grad=True)

    def boom(p):
        raise ValueError("boom")
    c.register_post_accumulate_grad_hook(boom)
    with pytest.raises(ValueError, match="boom"):
        (c * 3).sum().backward()
    assert c.grad.tolist() == [3.0, 3.0]  # accumulated before the hook ran


def test_parameters_of_a_module():
    model = torch.nn.Linear(3, 2)
    ready = []
    for name, p in model.named_parameters():
        p.register_post_accumulate_grad_hook(lambda p, name=name: ready.append(name))
    model(torch.ones(4, 3)).sum().backward()
    assert sorted(ready) == ["bias", "weight"]
