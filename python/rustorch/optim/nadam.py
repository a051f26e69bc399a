"""``torch.optim.NAdam``: Adam with Nesterov momentum and a momentum-decay schedule."""
from .. import _C
from ._composite import addcdiv_, addcmul_, check_adam_like, gradients_to_apply, lerp_, set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["NAdam"]


def _initial_state(param):
    return {"step": _C.tensor(0.0, dtype=_scalar_dtype()), "mu_product": _C.tensor(1.0, dtype=_scalar_dtype()),
            "exp_avg": _C.zeros_like(param), "exp_avg_sq": _C.zeros_like(param)}


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_like(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, maximize=False, foreach=None, capturable=False, differentiable=False,
                     decoupled_weight_decay=False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            lr, eps = _to_float(group["lr"]), group["eps"]
            for param, grad, state in gradients_to_apply(self, group, _initial_state):
                step = state["step"].item()
                bias_correction2 = 1 - beta2**step
                # The momentum coefficients of this step and the next (Dozat's schedule).
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * group["momentum_decay"])))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * group["momentum_decay"])))
                mu_product = state["mu_product"]
                mu_product *= mu
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                lerp_(exp_avg, grad, 1 - beta1)
                addcmul_(exp_avg_sq.mul_(beta2), grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
                mu_product_value = mu_product.item()
                addcdiv_(param, grad, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product_value))
                addcdiv_(param, exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_value * mu_next))
        return loss
