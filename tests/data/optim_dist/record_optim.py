"""Records optimizer and scheduler behaviour from real PyTorch for tests/test_optim_extra.py.

Run with PyTorch's venv: /opt/torchvenv/bin/python tests/data/optim_dist/record_optim.py
Writes optim.json (parameter trajectories for fed gradients, LBFGS runs, scheduler learning
rates, state_dict summaries) and *.pt (optimizer/scheduler state_dicts saved by torch.save).
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 6

OPTIMIZERS = {
    "Adadelta": {}, "Adadelta_wd_max": dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True),
    "Adamax": {}, "Adamax_wd": dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.05, maximize=True),
    "NAdam": {}, "NAdam_wd": dict(lr=0.01, weight_decay=0.1), "NAdam_decoupled": dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01),
    "RAdam": {}, "RAdam_wd": dict(lr=0.01, betas=(0.5, 0.6), weight_decay=0.1),
    "RAdam_decoupled": dict(lr=0.01, betas=(0.5, 0.6), weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
    "Rprop": {}, "Rprop_opts": dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(0.01, 0.2), maximize=True),
    "ASGD": {}, "ASGD_opts": dict(lr=0.05, lambd=0.01, alpha=0.5, t0=2, weight_decay=0.1),
}


def grads_for(step, shape, seed):
    g = torch.Generator().manual_seed(seed * 100 + step)
    return torch.randn(shape, generator=g)


def initial_params():
    g = torch.Generator().manual_seed(7)
    return [torch.randn(3, 2, generator=g), torch.randn(4, generator=g)]


def trajectory(name, kwargs):
    cls = getattr(torch.optim, name.split("_")[0])
    params = [torch.nn.Parameter(p.clone()) for p in initial_params()]
    opt = cls(params, **kwargs)
    grads, history = [], []
    for step in range(STEPS):
        gs = [grads_for(step, p.shape, i) for i, p in enumerate(params)]
        for p, g in zip(params, gs):
            p.grad = g.clone()
        opt.step()
        grads.append([g.tolist() for g in gs])
        history.append([p.detach().tolist() for p in params])
    if name in ("NAdam_decoupled", "ASGD_opts", "Rprop_opts", "Adadelta_wd_max"):
        torch.save(opt.state_dict(), os.path.join(HERE, f"{name}.pt"))
    state_keys = {str(k): sorted(v.keys()) for k, v in opt.state_dict()["state"].items()}
    group = {k: (list(v) if isinstance(v, tuple) else v) for k, v in opt.state_dict()["param_groups"][0].items()}
    return dict(kwargs={k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}, grads=grads,
                history=history, state_keys=state_keys, param_group=group, repr=repr(opt))


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2 + (x[2] - 0.5) ** 4


def lbfgs_run(kwargs, steps=3):
    x = torch.nn.Parameter(torch.tensor([-1.2, 1.0, 2.0], dtype=torch.float64))
    opt = torch.optim.LBFGS([x], **kwargs)
    evals = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        evals.append(loss.item())
        return loss

    losses = [opt.step(closure).item() for _ in range(steps)]
    state = opt.state[x]
    return dict(kwargs=kwargs, losses=losses, evals=evals, x=x.detach().tolist(), func_evals=state["func_evals"],
                n_iter=state["n_iter"], t=float(state["t"]), keys=sorted(state.keys()))


def make_opt(lr=0.1, groups=1):
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(params)], lr=lr, momentum=0.9)


SCHEDULERS = {
    "CosineAnnealingWarmRestarts": (lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)),
    "CosineAnnealingWarmRestarts_T1": (lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4)),
    "CyclicLR": (lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3)),
    "CyclicLR_tri2": (lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=3, mode="triangular2", base_momentum=0.7)),
    "CyclicLR_exp": (lambda o: torch.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range", gamma=0.9, cycle_momentum=False)),
    "LinearLR": (lambda o: torch.optim.lr_scheduler.LinearLR(o)),
    "LinearLR_opts": (lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.5, end_factor=0.1, total_iters=4)),
    "ConstantLR": (lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=3)),
    "PolynomialLR": (lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=6, power=2.0)),
    "MultiplicativeLR": (lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda e: 0.9)),
    "SequentialLR": (lambda o: torch.optim.lr_scheduler.SequentialLR(o, [torch.optim.lr_scheduler.ConstantLR(o, factor=0.1, total_iters=2), torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)], milestones=[3])),
    "SequentialLR_linear": (lambda o: torch.optim.lr_scheduler.SequentialLR(o, [torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3), torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5)], milestones=[3])),
    "ChainedScheduler": (lambda o: torch.optim.lr_scheduler.ChainedScheduler([torch.optim.lr_scheduler.ConstantLR(o, factor=0.1, total_iters=2), torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)])),
    "StepLR": (lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)),
    "MultiStepLR": (lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.5)),
    "ExponentialLR": (lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8)),
    "CosineAnnealingLR": (lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001)),
    "LambdaLR": (lambda o: torch.optim.lr_scheduler.LambdaLR(o, lr_lambda=lambda e: 1 / (e + 1))),
    "OneCycleLR": (lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10)),
}


def plain_state(sd):
    """A scheduler state_dict with its floats and lists kept, objects dropped (JSON-able)."""
    out = {}
    for k, v in sd.items():
        if isinstance(v, (int, float, str, bool, type(None))) or (isinstance(v, list) and all(isinstance(i, (int, float, type(None))) for i in v)):
            out[k] = v
    return out


def scheduler_run(name, factory, steps=10):
    opt = make_opt(groups=2)
    sched = factory(opt)
    lrs = [sched.get_last_lr()]
    momenta = [[g.get("momentum") for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        momenta.append([g.get("momentum") for g in opt.param_groups])
    sd = sched.state_dict()
    if name in ("CyclicLR", "SequentialLR", "CosineAnnealingWarmRestarts"):
        torch.save(sd, os.path.join(HERE, f"sched_{name}.pt"))
    return dict(lrs=lrs, momenta=momenta, state_keys=sorted(sd.keys()), state=plain_state(sd))


def main():
    out = {"optimizers": {n: trajectory(n, kw) for n, kw in OPTIMIZERS.items()}}
    out["lbfgs"] = {
        "plain": lbfgs_run(dict(lr=1, max_iter=5)),
        "wolfe": lbfgs_run(dict(lr=1, max_iter=8, history_size=4, line_search_fn="strong_wolfe")),
        "wolfe_small_lr": lbfgs_run(dict(lr=0.1, max_iter=20, line_search_fn="strong_wolfe")),
    }
    out["schedulers"] = {n: scheduler_run(n, f) for n, f in SCHEDULERS.items()}
    with open(os.path.join(HERE, "optim.json"), "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))


if __name__ == "__main__":
    main()
