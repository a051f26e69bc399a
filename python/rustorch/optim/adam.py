"""``torch.optim.Adam`` (and the decoupled weight decay that ``AdamW`` turns on)."""
from .. import _C
from ._composite import check_adam_like, set_defaults
from .optimizer import (
    Optimizer,
    _evaluate_closure,
    _scalar_dtype,
    _to_float,
    _use_grad_for_differentiable,
)

__all__ = ["Adam"]


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_adam_like(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        set_defaults(self, amsgrad=False, maximize=False, foreach=None, capturable=False,
                     differentiable=False, fused=None, decoupled_weight_decay=False)

    def _state_for(self, param, amsgrad):
        """The parameter's state, created on its first update."""
        state = self.state[param]
        if len(state) == 0:
            state["step"] = _C.tensor(0.0, dtype=_scalar_dtype())
            state["exp_avg"] = _C.zeros_like(param)
            state["exp_avg_sq"] = _C.zeros_like(param)
            if amsgrad:
                state["max_exp_avg_sq"] = _C.zeros_like(param)
        return state

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """One update of every parameter that has a gradient (one fused kernel each); returns
        the closure's loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            lr = _to_float(group["lr"])
            amsgrad = group["amsgrad"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self._state_for(param, amsgrad)
                state["step"] += 1
                _C._adam_step(param, param.grad, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq"),
                              state["step"].item(), lr, beta1, beta2, group["eps"], group["weight_decay"],
                              group["maximize"], group["decoupled_weight_decay"])
        return loss
