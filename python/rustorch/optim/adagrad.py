"""``torch.optim.Adagrad``: per-element learning rates from the accumulated squared gradients."""
from .. import _C
from ._composite import set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # Unlike the other optimizers, Adagrad creates its state up front.
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = _C.tensor(0.0, dtype=_scalar_dtype())
                state["sum"] = _C.full_like(param, group["initial_accumulator_value"])

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, foreach=None, maximize=False, differentiable=False, fused=None)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient (one fused kernel each); returns
        the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                state["step"] += 1
                clr = lr / (1 + (state["step"].item() - 1) * group["lr_decay"])
                _C._adagrad_step(param, param.grad, state["sum"], clr, group["eps"], group["weight_decay"],
                                 group["maximize"])
        return loss
