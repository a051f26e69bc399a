"""``torch.optim.RMSprop``: gradients divided by a running root mean square (optionally centered),
with optional momentum."""
from .. import _C
from ._composite import set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, momentum=0, centered=False, foreach=None, maximize=False, differentiable=False,
                     capturable=False)

    def _state_for(self, param, group):
        """The parameter's state, created on its first update."""
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _C.tensor(0.0, dtype=_scalar_dtype())
            state["square_avg"] = _C.zeros_like(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _C.zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = _C.zeros_like(param)
        return state

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
                state = self._state_for(param, group)
                state["step"] += 1
                _C._rmsprop_step(param, param.grad, state["square_avg"], state.get("grad_avg"),
                                 state.get("momentum_buffer"), lr, group["alpha"], group["eps"],
                                 group["weight_decay"], group["momentum"], group["maximize"])
        return loss
