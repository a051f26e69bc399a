"""``torch.optim.Rprop``: per-element step sizes grown or shrunk by the sign agreement of
successive gradients."""
from .. import _C
from ._composite import addcmul_, check_lr, gradients_to_apply, set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, foreach=None, maximize=False, differentiable=False, capturable=False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            def initial_state(param):
                return {"step": _C.zeros((), dtype=_scalar_dtype()), "prev": _C.zeros_like(param),
                        "step_size": _C.full_like(param.grad, _to_float(group["lr"]))}

            for param, grad, state in gradients_to_apply(self, group, initial_state):
                prev, step_size = state["prev"], state["step_size"]
                sign = grad.mul(prev.clone() if group["differentiable"] else prev).sign()
                sign[sign.gt(0)] = etaplus
                sign[sign.lt(0)] = etaminus
                sign[sign.eq(0)] = 1
                step_size.mul_(sign).clamp_(step_size_min, step_size_max)
                # Where the gradient changed sign, skip this update and forget the gradient.
                grad = grad.clone()
                grad[sign.eq(etaminus)] = 0
                addcmul_(param, grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss
