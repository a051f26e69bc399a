"""``torch.optim.Adadelta``: steps scaled by the ratio of running RMS of updates and gradients."""
from .. import _C
from ._composite import addcmul_, check_lr, gradients_to_apply, set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["Adadelta"]


def _initial_state(param):
    return {"step": _C.zeros((), dtype=_scalar_dtype()), "square_avg": _C.zeros_like(param),
            "acc_delta": _C.zeros_like(param)}


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, foreach=None, maximize=False, differentiable=False, capturable=False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            lr, rho, eps = _to_float(group["lr"]), group["rho"], group["eps"]
            for param, grad, state in gradients_to_apply(self, group, _initial_state):
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                addcmul_(square_avg.mul_(rho), grad, grad, value=1 - rho)
                std = square_avg.add(eps).sqrt_()
                delta = acc_delta.add(eps).sqrt_()
                if group["differentiable"]:
                    delta = delta.clone()
                delta.div_(std).mul_(grad)
                addcmul_(acc_delta.mul_(rho), delta, delta, value=1 - rho)
                param.add_(delta, alpha=-lr)
        return loss
