"""torch.optim: optimizers against float32 NumPy re-derivations of PyTorch's update rules
(single-tensor algorithm, same operation order), state_dict, parameter groups, errors, and the
learning-rate schedulers against closed-form schedules."""
import math
import pickle
import warnings

import numpy as np
import pytest

import rustorch as torch
from rustorch import optim
from rustorch.optim import lr_scheduler

F32 = np.float32
STEPS = 5
# A few float32 ulps: the core rounds `a + alpha*b` twice where PyTorch's kernel may fuse it.
RTOL, ATOL = 2e-6, 1e-7


def grads_sequence(shape, steps=STEPS, seed=0):
    rs = np.random.RandomState(seed)
    return [rs.randn(*shape).astype(F32) for _ in range(steps)]


def run_optimizer(make_opt, init, grads):
    """Applies ``grads`` one step at a time to a parameter starting at ``init``; returns the
    parameter after each step."""
    p = torch.nn.Parameter(torch.tensor(init))
    opt = make_opt([p])
    history = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        history.append(p.detach().numpy().copy())
    return history, opt, p


def assert_trajectory(history, expected):
    assert len(history) == len(expected)
    for got, want in zip(history, expected):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


# ---- NumPy references (float32 throughout, scalars rounded to float32 as the kernels do) ----
def ref_sgd(p, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    p = p.copy()
    buf = None
    out = []
    for g in grads:
        g = -g if maximize else g.copy()
        if weight_decay:
            g = g + F32(weight_decay) * p
        if momentum:
            if buf is None:
                buf = g.copy()
            else:
                buf = buf * F32(momentum) + F32(1 - dampening) * g
            g = g + F32(momentum) * buf if nesterov else buf
        p = p + F32(-lr) * g
        out.append(p)
    return out


def ref_adam(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             maximize=False, decoupled=False):
    b1, b2 = betas
    p = p.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    vmax = np.zeros_like(p)
    out = []
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g.copy()
        if weight_decay:
            if decoupled:
                p = p * F32(1 - lr * weight_decay)
            else:
                g = g + F32(weight_decay) * p
        m = m + (g - m) * F32(1 - b1)
        v = v * F32(b2) + (F32(1 - b2) * g) * g
        step_size = lr / (1 - b1 ** t)
        bc2_sqrt = (1 - b2 ** t) ** 0.5
        if amsgrad:
            vmax = np.maximum(vmax, v)
            denom = np.sqrt(vmax) / F32(bc2_sqrt) + F32(eps)
        else:
            denom = np.sqrt(v) / F32(bc2_sqrt) + F32(eps)
        p = p + (F32(-step_size) * m) / denom
        out.append(p)
    return out


def ref_rmsprop(p, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    p = p.copy()
    sq = np.zeros_like(p)
    gavg = np.zeros_like(p)
    buf = np.zeros_like(p)
    out = []
    for g in grads:
        if weight_decay:
            g = g + F32(weight_decay) * p
        sq = sq * F32(alpha) + (F32(1 - alpha) * g) * g
        if centered:
            gavg = gavg + (g - gavg) * F32(1 - alpha)
            avg = np.sqrt(sq + (F32(-1) * gavg) * gavg)
        else:
            avg = np.sqrt(sq)
        avg = avg + F32(eps)
        if momentum:
            buf = buf * F32(momentum) + g / avg
            p = p + F32(-lr) * buf
        else:
            p = p + (F32(-lr) * g) / avg
        out.append(p)
    return out


def ref_adagrad(p, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    p = p.copy()
    acc = np.full_like(p, initial_accumulator_value)
    out = []
    for t, g in enumerate(grads, 1):
        if weight_decay:
            g = g + F32(weight_decay) * p
        clr = lr / (1 + (t - 1) * lr_decay)
        acc = acc + g * g
        p = p + (F32(-clr) * g) / (np.sqrt(acc) + F32(eps))
        out.append(p)
    return out


INIT = np.array([[0.5, -1.5, 2.0], [0.25, 3.0, -0.75]], dtype=F32)


@pytest.mark.parametrize("kwargs", [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.05),
    dict(lr=0.1, momentum=0.5, weight_decay=0.01, maximize=True),
])
def test_sgd_matches_reference(kwargs):
    grads = grads_sequence(INIT.shape)
    history, opt, p = run_optimizer(lambda ps: optim.SGD(ps, **kwargs), INIT, grads)
    assert_trajectory(history, ref_sgd(INIT, grads, **kwargs))
    expected_state = ["momentum_buffer"] if kwargs.get("momentum") else []
    assert list(opt.state[p].keys()) == expected_state


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, maximize=True),
])
def test_adam_matches_reference(kwargs):
    grads = grads_sequence(INIT.shape, seed=1)
    history, opt, p = run_optimizer(lambda ps: optim.Adam(ps, **kwargs), INIT, grads)
    assert_trajectory(history, ref_adam(INIT, grads, **kwargs))
    keys = ["step", "exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if kwargs.get("amsgrad") else [])
    assert list(opt.state[p].keys()) == keys
    step = opt.state[p]["step"]
    assert step.dtype == torch.float32 and step.dim() == 0 and step.item() == STEPS


@pytest.mark.parametrize("kwargs", [dict(), dict(lr=0.01, weight_decay=0.1, amsgrad=True)])
def test_adamw_decouples_weight_decay(kwargs):
    grads = grads_sequence(INIT.shape, seed=2)
    history, opt, _ = run_optimizer(lambda ps: optim.AdamW(ps, **kwargs), INIT, grads)
    full = dict(dict(weight_decay=1e-2), **kwargs)
    assert_trajectory(history, ref_adam(INIT, grads, decoupled=True, **full))
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(lr=0.01, alpha=0.9, centered=True),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1, eps=1e-4),
])
def test_rmsprop_matches_reference(kwargs):
    grads = grads_sequence(INIT.shape, seed=3)
    history, opt, p = run_optimizer(lambda ps: optim.RMSprop(ps, **kwargs), INIT, grads)
    assert_trajectory(history, ref_rmsprop(INIT, grads, **kwargs))
    keys = ["step", "square_avg"] + (["momentum_buffer"] if kwargs.get("momentum") else [])
    keys += ["grad_avg"] if kwargs.get("centered") else []
    assert list(opt.state[p].keys()) == keys


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(lr=0.1, lr_decay=0.5),
    dict(lr=0.1, initial_accumulator_value=0.3, weight_decay=0.2, eps=1e-6),
])
def test_adagrad_matches_reference(kwargs):
    grads = grads_sequence(INIT.shape, seed=4)
    history, opt, p = run_optimizer(lambda ps: optim.Adagrad(ps, **kwargs), INIT, grads)
    assert_trajectory(history, ref_adagrad(INIT, grads, **kwargs))


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
    lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, maximize=True),
    lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.1, weight_decay=0.1),
], ids=["sgd", "adam", "rmsprop", "adagrad"])
def test_fused_step_on_non_contiguous_and_float64_parameters(make_opt):
    # The fused kernels work on contiguous copies and write back; float64 takes its own path.
    init = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    grads = [g.astype(np.float64) for g in grads_sequence((4, 3))]
    transposed = torch.nn.Parameter(torch.tensor(init.T.copy()).t().contiguous().t())
    plain = torch.nn.Parameter(torch.tensor(init.T.copy()))
    assert not transposed.is_contiguous() and transposed.dtype == torch.float64
    opt_t, opt_p = make_opt([transposed]), make_opt([plain])
    for g in grads:
        transposed.grad, plain.grad = torch.tensor(g), torch.tensor(g)
        opt_t.step()
        opt_p.step()
    np.testing.assert_array_equal(transposed.detach().numpy(), plain.detach().numpy())
    assert not transposed.is_contiguous()


def test_fused_step_rejects_a_mismatched_state_tensor():
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = torch.ones(3)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.state[p]["momentum_buffer"] = torch.zeros(4)
    with pytest.raises(RuntimeError, match="does not match its parameter"):
        opt.step()
    assert p.tolist() == [0.0, 0.0, 0.0]


def test_adagrad_creates_state_up_front():
    p = torch.nn.Parameter(torch.zeros(3))
    opt = optim.Adagrad([p], initial_accumulator_value=0.5)
    assert list(opt.state[p].keys()) == ["step", "sum"]
    assert opt.state[p]["sum"].tolist() == [0.5, 0.5, 0.5]


def test_sgd_minimises_quadratic_with_autograd():
    x = torch.tensor(0.0, requires_grad=True)
    opt = optim.SGD([x], lr=0.1)
    for _ in range(100):
        opt.zero_grad()
        ((x - 3.0) ** 2).backward()
        opt.step()
    assert abs(x.item() - 3.0) < 1e-5
    assert x.is_leaf and x.requires_grad


def test_step_runs_without_recording_and_skips_params_without_grad():
    a = torch.nn.Parameter(torch.ones(2))
    b = torch.nn.Parameter(torch.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = torch.ones(2)
    opt.step()
    assert a.grad_fn is None and a.is_leaf
    assert b.tolist() == [1.0, 1.0]
    assert b not in opt.state


def test_closure_is_evaluated_with_grad_enabled():
    x = torch.nn.Parameter(torch.tensor([2.0]))
    opt = optim.SGD([x], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        assert torch.is_grad_enabled()
        loss.backward()
        return loss

    with torch.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0
    assert x.item() == 2.0 - 0.5 * 4.0


def test_zero_grad():
    x = torch.nn.Parameter(torch.ones(3))
    opt = optim.SGD([x], lr=0.1)
    (x * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert x.grad is None


# ---- parameter groups, repr, errors ----------------------------------------------------------
def test_param_groups_fill_defaults_in_order():
    w = torch.nn.Parameter(torch.ones(2))
    b = torch.nn.Parameter(torch.zeros(1))
    opt = optim.SGD([{"params": [w]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert list(opt.param_groups[0].keys()) == [
        "params", "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach",
        "differentiable", "fused",
    ]
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["params"][0] is b
    c = torch.nn.Parameter(torch.zeros(1))
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["lr"] == 0.1


def test_named_parameters_record_param_names():
    w = torch.nn.Parameter(torch.ones(2))
    opt = optim.SGD([("weight", w)], lr=0.1)
    assert opt.param_groups[0]["params"] == [w] or opt.param_groups[0]["params"][0] is w
    assert opt.param_groups[0]["param_names"] == ["weight"]


def test_repr_lists_sorted_options_per_group():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.Adam([p], lr=0.01)
    assert repr(opt) == (
        "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n"
        "    decoupled_weight_decay: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n"
        "    fused: None\n    lr: 0.01\n    maximize: False\n    weight_decay: 0\n)"
    )


def test_constructor_errors():
    p = torch.nn.Parameter(torch.ones(1))
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got torch.FloatTensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is int"):
        optim.SGD([p, 3], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="Invalid momentum value: -0.5"):
        optim.SGD([p], momentum=-0.5)
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        optim.SGD([p], nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1: 1.0"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Invalid epsilon value: -1"):
        optim.Adam([p], eps=-1)
    with pytest.raises(ValueError, match="Invalid alpha value: -0.1"):
        optim.RMSprop([p], alpha=-0.1)
    with pytest.raises(ValueError, match="Invalid lr_decay value: -1"):
        optim.Adagrad([p], lr_decay=-1)


def test_duplicate_parameters():
    p = torch.nn.Parameter(torch.ones(1))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [p]})
    with pytest.raises(TypeError, match="param_group must be a dict, but got list"):
        opt.add_param_group([p])


def test_required_option_must_be_given():
    from rustorch.optim.optimizer import required

    class Plain(optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))

    p = torch.nn.Parameter(torch.ones(1))
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Plain([p])
    assert Plain([{"params": [p], "lr": 0.3}]).param_groups[0]["lr"] == 0.3


def test_step_hooks():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.SGD([p], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    opt.step()
    pre.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]


# ---- state_dict -----------------------------------------------------------------------------
def make_adam_pair():
    w = torch.nn.Parameter(torch.tensor([[1.0, -2.0]]))
    b = torch.nn.Parameter(torch.tensor([0.5]))
    return w, b, optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1)


def test_state_dict_structure():
    w, b, opt = make_adam_pair()
    sd = opt.state_dict()
    assert list(sd.keys()) == ["state", "param_groups"]
    assert sd["state"] == {}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert list(sd["param_groups"][0].keys())[-1] == "params"
    assert sd["param_groups"][1]["lr"] == 0.01

    for p in (w, b):
        p.grad = torch.ones_like(p)
    opt.step()
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"].keys()) == [0, 1]
    entry = sd["state"][0]
    assert list(entry.keys()) == ["step", "exp_avg", "exp_avg_sq"]
    assert repr(entry["step"]) == "tensor(2.)"
    assert entry["exp_avg"].shape == torch.Size([1, 2])
    # The state dict refers to the live state (PyTorch does not copy it).
    assert entry["exp_avg"] is opt.state[w]["exp_avg"]


def test_state_dict_round_trip_continues_identically():
    w, b, opt = make_adam_pair()
    grads = grads_sequence((1, 2), steps=6, seed=5)
    for g in grads[:3]:
        w.grad = torch.tensor(g)
        b.grad = torch.tensor(g[0, :1])
        opt.step()
    saved = pickle.loads(pickle.dumps(opt.state_dict()))

    w2 = torch.nn.Parameter(w.detach().clone())
    b2 = torch.nn.Parameter(b.detach().clone())
    opt2 = optim.Adam([w2, b2], lr=0.5)  # one group: the saved state has two
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt2.load_state_dict(saved)
    opt2 = optim.Adam([{"params": [w2]}, {"params": [b2]}], lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.01 and opt2.param_groups[0]["params"][0] is w2
    assert opt2.state[w2]["step"].item() == 3.0

    for g in grads[3:]:
        for (pw, pb) in ((w, b), (w2, b2)):
            pw.grad = torch.tensor(g)
            pb.grad = torch.tensor(g[0, :1])
        opt.step()
        opt2.step()
    assert w2.tolist() == w.tolist() and b2.tolist() == b.tolist()


def test_load_state_dict_size_mismatch():
    w, b, opt = make_adam_pair()
    other = optim.Adam([{"params": [w, b]}, {"params": [torch.nn.Parameter(torch.ones(1))]}])
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        other.load_state_dict(opt.state_dict())


def test_sgd_momentum_buffer_round_trip():
    p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = torch.tensor([1.0, -1.0])
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"][0].keys()) == ["momentum_buffer"]
    q = torch.nn.Parameter(torch.tensor([0.0, 0.0]))
    opt2 = optim.SGD([q], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["momentum"] == 0.9 and opt2.param_groups[0]["lr"] == 0.1
    assert opt2.state[q]["momentum_buffer"].tolist() == [1.0, -1.0]


# ---- learning-rate schedulers ---------------------------------------------------------------
def scheduled_lrs(make_sched, epochs, lr=1.0, opt_cls=optim.SGD, **opt_kwargs):
    p = torch.nn.Parameter(torch.ones(1))
    opt = opt_cls([p], lr=lr, **opt_kwargs)
    sched = make_sched(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs, opt, sched


def test_step_lr():
    lrs, _, sched = scheduled_lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 9)
    assert lrs == pytest.approx([0.5 ** (e // 3) for e in range(10)])
    assert sched.get_last_lr() == [lrs[-1]]


def test_multistep_lr_with_repeated_milestone():
    lrs, _, _ = scheduled_lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5, 5], gamma=0.1), 7)
    expected = [1.0 * 0.1 ** (int(e >= 2) + 2 * int(e >= 5)) for e in range(8)]
    assert lrs == pytest.approx(expected)


def test_exponential_lr():
    lrs, _, _ = scheduled_lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), 6, lr=0.2)
    assert lrs == pytest.approx([0.2 * 0.9 ** e for e in range(7)])


def test_cosine_annealing_lr_follows_closed_form_and_restarts():
    t_max, eta_min = 10, 0.1
    lrs, _, _ = scheduled_lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min), 30)
    closed = [eta_min + (1.0 - eta_min) * (1 + math.cos(math.pi * e / t_max)) / 2 for e in range(31)]
    assert lrs == pytest.approx(closed, rel=1e-9, abs=1e-12)


def test_lambda_lr_and_state_dict():
    lrs, opt, sched = scheduled_lrs(lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1)), 4, lr=0.6)
    assert lrs == pytest.approx([0.6 / (e + 1) for e in range(5)])
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["lr_lambdas"] == [None] and sd["last_epoch"] == 4
    assert opt.param_groups[0]["initial_lr"] == 0.6
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1, lambda e: 2])


def test_one_cycle_lr():
    total, max_lr, pct = 10, 1.0, 0.3

    def expected(step):
        initial = max_lr / 25.0
        minimum = initial / 1e4
        warm_end = pct * total - 1

        def cos(start, end, frac):
            return end + (start - end) / 2.0 * (math.cos(math.pi * frac) + 1)

        if step <= warm_end:
            return cos(initial, max_lr, step / warm_end), cos(0.95, 0.85, step / warm_end)
        frac = (step - warm_end) / (total - 1 - warm_end)
        return cos(max_lr, minimum, frac), cos(0.85, 0.95, frac)

    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=total)
    for step in range(total):
        lr, momentum = expected(step)
        assert opt.param_groups[0]["lr"] == pytest.approx(lr, rel=1e-12)
        assert opt.param_groups[0]["momentum"] == pytest.approx(momentum, rel=1e-12)
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total steps is 10"):
        sched.step()


def test_one_cycle_lr_cycles_adam_beta1_and_validates():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.Adam([p])
    lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=2, steps_per_epoch=5)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=5, anneal_strategy="step")


def test_reduce_lr_on_plateau():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=0.2)
    lrs = []
    for metric in [5, 4, 4, 4, 4, 4, 4, 4, 4, 4]:
        sched.step(metric)
        lrs.append(opt.param_groups[0]["lr"])
    # Two bad epochs (> patience) halve the lr, then one cooldown epoch; min_lr floors it.
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]
    assert sched.get_last_lr() == [0.2]
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode sideways is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="sideways")


def test_reduce_lr_on_plateau_max_mode_abs_threshold():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=0, threshold=0.5, threshold_mode="abs")
    for metric in [1.0, 1.4]:  # 1.4 is not better than 1.0 + 0.5
        sched.step(metric)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)


def test_scheduler_warnings_and_errors():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(5)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 ** 5)
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)
    fresh = optim.SGD([p], lr=1.0)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        lr_scheduler.StepLR(fresh, step_size=1, last_epoch=3)


def test_no_warning_when_optimizer_steps_first():
    p = torch.nn.Parameter(torch.ones(1))
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    assert "initial_lr: 1.0" in repr(opt)


def test_scheduler_state_dict_round_trip():
    _, opt, sched = scheduled_lrs(lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 3)
    p = torch.nn.Parameter(torch.ones(1))
    opt2 = optim.SGD([p], lr=1.0)
    sched2 = lr_scheduler.StepLR(opt2, step_size=7)
    sched2.load_state_dict(sched.state_dict())
    assert sched2.step_size == 2 and sched2.last_epoch == 3 and sched2.get_last_lr() == sched.get_last_lr()
