"""``torch.optim.Adamax``: Adam with the infinity norm in place of the second moment."""
from .. import _C
from ._composite import addcdiv_, check_adam_like, gradients_to_apply, lerp_, set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["Adamax"]


def _initial_state(param):
    return {"step": _C.tensor(0.0, dtype=_scalar_dtype()), "exp_avg": _C.zeros_like(param),
            "exp_inf": _C.zeros_like(param)}


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_adam_like(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, foreach=None, maximize=False, differentiable=False, capturable=False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            lr, eps = _to_float(group["lr"]), group["eps"]
            for param, grad, state in gradients_to_apply(self, group, _initial_state):
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                lerp_(exp_avg, grad, 1 - beta1)
                exp_inf.copy_(exp_inf.mul_(beta2).maximum(grad.abs().add_(eps)))
                clr = lr / (1 - beta1 ** state["step"].item())
                addcdiv_(param, exp_avg, exp_inf, value=-clr)
        return loss
