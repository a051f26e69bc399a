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
