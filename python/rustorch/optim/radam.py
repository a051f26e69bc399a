"""``torch.optim.RAdam``: Adam whose adaptive step is switched on once the variance of its
second-moment estimate is tractable (the rectification term)."""
from .. import _C
from ._composite import addcmul_, check_adam_like, gradients_to_apply, lerp_, set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["RAdam"]


def _initial_state(param):
    return {"step": _C.tensor(0.0, dtype=_scalar_dtype()), "exp_avg": _C.zeros_like(param),
            "exp_avg_sq": _C.zeros_like(param)}


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_adam_like(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, foreach=None, maximize=False, differentiable=False, decoupled_weight_decay=False,
                     capturable=False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            lr, eps = _to_float(group["lr"]), group["eps"]
            for param, grad, state in gradients_to_apply(self, group, _initial_state):
                step = state["step"].item()
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                lerp_(exp_avg, grad, 1 - beta1)
                addcmul_(exp_avg_sq.mul_(beta2), grad, grad, value=1 - beta2)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                # The length of the approximated simple moving average, and its limit.
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive_lr = (bias_correction2**0.5) / exp_avg_sq.sqrt().add_(eps)
                    param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
                else:
                    param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
        return loss
