"""The optimizers and schedulers added after the first five, against trajectories recorded from
PyTorch 2.15 (tests/data/optim_dist/record_optim.py): the same fed gradients must give the same
parameters, state_dict layout and repr; PyTorch-saved state_dicts load and continue identically."""
import json
import os

import numpy as np
import pytest
import rustorch as torch
from rustorch import optim
from rustorch.optim import lr_scheduler

DATA = os.path.join(os.path.dirname(__file__), "data", "optim_dist")
with open(os.path.join(DATA, "optim.json")) as f:
    RECORDED = json.load(f)


def initial_params():
    """The recording's initial parameters are its first trajectory's starting point minus nothing:
    they are recomputed here from rustorch's generator, which is bit-identical to PyTorch's."""
    g = torch.Generator().manual_seed(7)
    return [torch.randn(3, 2, generator=g), torch.randn(4, generator=g)]


def kwargs_of(record):
    return {k: (tuple(v) if isinstance(v, list) else v) for k, v in record["kwargs"].items()}


def build(name, record):
    params = [torch.nn.Parameter(p.clone()) for p in initial_params()]
    return params, getattr(optim, name.split("_")[0])(params, **kwargs_of(record))


def feed(params, opt, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = torch.tensor(g)
        opt.step()
        yield [p.detach().numpy() for p in params]


@pytest.mark.parametrize("name", sorted(RECORDED["optimizers"]))
def test_trajectory_matches_pytorch(name):
    record = RECORDED["optimizers"][name]
    params, opt = build(name, record)
    for step, (got, expected) in enumerate(zip(feed(params, opt, record["grads"]), record["history"])):
        for g, e in zip(got, expected):
            # The same float32 operations in the same order: equal up to an ulp or two.
            np.testing.assert_allclose(g, np.array(e, dtype=np.float32), rtol=1e-6, atol=1e-7,
                                       err_msg=f"{name} step {step}")
    state = opt.state_dict()
    assert {str(k): sorted(v) for k, v in state["state"].items()} == record["state_keys"]
    group = {k: (list(v) if isinstance(v, tuple) else v) for k, v in state["param_groups"][0].items()}
    assert group == record["param_group"]
    assert repr(opt) == record["repr"]


@pytest.mark.parametrize("name", ["NAdam_decoupled", "ASGD_opts", "Rprop_opts", "Adadelta_wd_max"])
def test_pytorch_saved_state_dict_loads_and_continues(name):
    """A state_dict PyTorch saved after all the recorded steps, loaded into a fresh optimizer
    at the recorded final parameters, continues as an optimizer that took those steps here."""
    record = RECORDED["optimizers"][name]
    params, opt = build(name, record)
    list(feed(params, opt, record["grads"]))
    fresh = [torch.nn.Parameter(p.detach().clone()) for p in params]
    loaded = type(opt)(fresh, **kwargs_of(record))
    loaded.load_state_dict(torch.load(os.path.join(DATA, f"{name}.pt")))
    for key, value in opt.state_dict()["state"][0].items():
        # PyTorch's kernels fuse some multiply-adds that rustorch's tensor ops round twice.
        np.testing.assert_allclose(loaded.state_dict()["state"][0][key].numpy(), value.numpy(), rtol=1e-6, atol=1e-7)
    again = record["grads"][:2]
    for a, b in zip(feed(params, opt, again), feed(fresh, loaded, again)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (x[2] - 0.5) ** 4


@pytest.mark.parametrize("case", sorted(RECORDED["lbfgs"]))
def test_lbfgs_matches_pytorch(case):
    record = RECORDED["lbfgs"][case]
    x = torch.nn.Parameter(torch.tensor([-1.2, 1.0, 2.0], dtype=torch.float64))
    opt = optim.LBFGS([x], **record["kwargs"])
    evals = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        evals.append(loss.item())
        return loss

    losses = [opt.step(closure).item() for _ in record["losses"]]
    # Same evaluation count and points: the line search took PyTorch's branches.
    assert len(evals) == len(record["evals"])
    np.testing.assert_allclose(evals, record["evals"], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(losses, record["losses"], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(x.detach().numpy(), record["x"], rtol=1e-7, atol=1e-10)
    state = opt.state[x]
    assert (state["func_evals"], state["n_iter"]) == (record["func_evals"], record["n_iter"])
    assert sorted(state) == record["keys"]
    assert float(state["t"]) == pytest.approx(record["t"], rel=1e-9)


def test_lbfgs_errors():
    a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = optim.LBFGS([a], line_search_fn="backtracking")

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    assert optim.LBFGS([a], max_iter=8).defaults["max_eval"] == 10


def test_sparse_adam_rejects_dense_gradients():
    p = torch.nn.Parameter(torch.ones(3))
    opt = optim.SparseAdam([p])
    assert opt.defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "maximize": False}
    opt.step()  # no gradient yet: nothing to do
    p.grad = torch.ones(3)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, please consider Adam instead"):
        opt.step()
    with pytest.raises(ValueError, match="Invalid learning rate: 0"):
        optim.SparseAdam([p], lr=0)


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.Adamax(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.NAdam(p, momentum_decay=-1), "Invalid momentum_decay value: -1"),
    (lambda p: optim.RAdam(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.Rprop(p, etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
    (lambda p: optim.ASGD(p, lambd=-1), "Invalid lambd value: -1"),
    (lambda p: optim.ASGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.NAdam(p, lr=torch.tensor([0.1, 0.2])), "Tensor lr must be 1-element"),
])
def test_invalid_options(make, message):
    with pytest.raises(ValueError, match=message):
        make([torch.nn.Parameter(torch.ones(1))])


def make_sgd(groups=2, lr=0.1):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    return optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)], lr=lr, momentum=0.9)


SCHEDULERS = {
    "CosineAnnealingWarmRestarts": (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)),
    "CosineAnnealingWarmRestarts_T1": (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4)),
    "CyclicLR": (lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3)),
    "CyclicLR_tri2": (lambda o: lr_scheduler.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=3, mode="triangular2", base_momentum=0.7)),
    "CyclicLR_exp": (lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range", gamma=0.9, cycle_momentum=False)),
    "LinearLR": (lambda o: lr_scheduler.LinearLR(o)),
    "LinearLR_opts": (lambda o: lr_scheduler.LinearLR(o, start_factor=0.5, end_factor=0.1, total_iters=4)),
    "ConstantLR": (lambda o: lr_scheduler.ConstantLR(o, factor=0.25, total_iters=3)),
    "PolynomialLR": (lambda o: lr_scheduler.PolynomialLR(o, total_iters=6, power=2.0)),
    "MultiplicativeLR": (lambda o: lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.9)),
    "SequentialLR": (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ConstantLR(o, factor=0.1, total_iters=2), lr_scheduler.ExponentialLR(o, gamma=0.9)], milestones=[3])),
    "SequentialLR_linear": (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3), lr_scheduler.CosineAnnealingLR(o, T_max=5)], milestones=[3])),
    "ChainedScheduler": (lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(o, factor=0.1, total_iters=2), lr_scheduler.ExponentialLR(o, gamma=0.9)])),
    "StepLR": (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5)),
    "MultiStepLR": (lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.5)),
    "ExponentialLR": (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8)),
    "CosineAnnealingLR": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001)),
    "LambdaLR": (lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda e: 1 / (e + 1))),
    "OneCycleLR": (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10)),
}


def plain_state(sd):
    return {k: v for k, v in sd.items()
            if isinstance(v, (int, float, str, bool, type(None)))
            or (isinstance(v, list) and all(isinstance(i, (int, float, type(None))) for i in v))}


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_matches_pytorch(name):
    record = RECORDED["schedulers"][name]
    opt = make_sgd()
    sched = SCHEDULERS[name](opt)
    lrs, momenta = [sched.get_last_lr()], [[g.get("momentum") for g in opt.param_groups]]
    for _ in range(len(record["lrs"]) - 1):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        momenta.append([g.get("momentum") for g in opt.param_groups])
    np.testing.assert_allclose(lrs, record["lrs"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.array(momenta, dtype=float), np.array(record["momenta"], dtype=float), rtol=1e-12)
    state = sched.state_dict()
    assert sorted(state) == record["state_keys"]
    plain = plain_state(state)
    assert sorted(plain) == sorted(record["state"])
    for key, value in record["state"].items():
        numbers = value if isinstance(value, list) else [value]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers)
        assert plain[key] == (pytest.approx(value, rel=1e-12) if numeric else value), key


@pytest.mark.parametrize("name", ["CyclicLR", "SequentialLR", "CosineAnnealingWarmRestarts"])
def test_pytorch_saved_scheduler_state_loads(name):
    """A PyTorch-saved scheduler state_dict (taken after ten steps) resumes the schedule: with the
    optimizer's learning rates restored too (as its own state_dict would), the next step matches
    a scheduler that took those ten steps here."""
    record = RECORDED["schedulers"][name]
    opt = make_sgd()
    sched = SCHEDULERS[name](opt)
    sched.load_state_dict(torch.load(os.path.join(DATA, f"sched_{name}.pt")))
    assert sched.get_last_lr() == pytest.approx(record["lrs"][-1], rel=1e-12)
    reference_opt = make_sgd()
    reference = SCHEDULERS[name](reference_opt)
    for _ in range(len(record["lrs"]) - 1):
        reference_opt.step()
        reference.step()
    for group, reference_group in zip(opt.param_groups, reference_opt.param_groups):
        group.update({k: v for k, v in reference_group.items() if k != "params"})
    for optimizer, scheduler in ((opt, sched), (reference_opt, reference)):
        optimizer.step()
        scheduler.step()
    assert sched.get_last_lr() == pytest.approx(reference.get_last_lr(), rel=1e-12)


def test_scheduler_errors():
    opt = make_sgd()
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Constant multiplicative factor expected to be between 0 and 1."):
        lr_scheduler.ConstantLR(opt, factor=2)
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be greater than 0"):
        lr_scheduler.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        lr_scheduler.CyclicLR(opt, 0.1, 1.0, mode="sawtooth")
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.CyclicLR(optim.Rprop([torch.nn.Parameter(torch.ones(1))]), 0.1, 1.0)
    with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers provided to be one more"):
        lr_scheduler.SequentialLR(opt, [lr_scheduler.ConstantLR(opt)], milestones=[2])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.ChainedScheduler([lr_scheduler.ReduceLROnPlateau(opt)])
    with pytest.raises(TypeError, match="lr_lambda should be a function, but got int"):
        lr_scheduler.MultiplicativeLR(opt, lr_lambda=3)


def test_cyclic_lr_cycles_adam_beta1():
    opt = optim.Adam([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    sched = lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, base_momentum=0.8, max_momentum=0.9)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["betas"][0] == pytest.approx(0.85)
    assert sched.get_last_lr() == [pytest.approx(0.055)]
