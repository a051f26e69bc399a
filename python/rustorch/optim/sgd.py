"""``torch.optim.SGD``: stochastic gradient descent with optional (Nesterov) momentum."""
from .. import _C
from ._composite import set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, nesterov=False, maximize=False, foreach=None, differentiable=False, fused=False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient (one fused kernel each); returns
        the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            momentum = group["momentum"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                buffer, is_new = None, False
                if momentum != 0:
                    state = self.state[param]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buffer = state["momentum_buffer"] = _C.empty_like(param.grad)
                        is_new = True
                _C._sgd_step(param, param.grad, buffer, is_new, lr, momentum, group["dampening"],
                             group["weight_decay"], group["nesterov"], group["maximize"])
        return loss
