"""In-place ``lerp_``/``addcmul_``/``addcdiv_`` from primitive ops, rounded as PyTorch's CPU kernels
round them (each product and quotient in the parameter's dtype; ``lerp`` as a fused multiply-add),
and the option checks the optimizers share."""
from .._C import Tensor
from .optimizer import _to_float

__all__ = []


def lerp_(start, end, weight):
    """``start.lerp_(end, weight)``: PyTorch takes ``start + w·(end - start)`` for ``w < 0.5`` and
    ``end - (1 - w)·(end - start)`` otherwise, each as one fused multiply-add."""
    diff = end - start
    if weight < 0.5:
        return start.add_(diff, alpha=weight)
    return start.copy_(end.add(diff, alpha=-(1.0 - weight)))


def addcmul_(target, tensor1, tensor2, value=1.0):
    """``target += value·tensor1·tensor2``, multiplied left to right."""
    return target.add_(tensor1.mul(value).mul_(tensor2) if value != 1 else tensor1.mul(tensor2))


def addcdiv_(target, tensor1, tensor2, value=1.0):
    """``target += value·tensor1/tensor2``: the scaled numerator, then the quotient."""
    return target.add_(tensor1.mul(value).div_(tensor2) if value != 1 else tensor1.div(tensor2))


def check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_adam_like(lr, betas, eps, weight_decay):
    """The checks of Adam's family (Adamax, NAdam, RAdam), in PyTorch's order."""
    check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def set_defaults(optimizer, **defaults):
    """Fills options a loaded (older) state lacks, as each optimizer's ``__setstate__`` does."""
    for group in optimizer.param_groups:
        for key, value in defaults.items():
            group.setdefault(key, value)


def gradients_to_apply(optimizer, group, init_state):
    """The loop every step shares, as PyTorch's loops do it: ``(param, grad, state)`` for each
    parameter of ``group`` that has a gradient, with ``state`` filled by ``init_state(param)`` on
    first use and its ``"step"`` counted, the gradient negated under ``maximize``, and a
    ``weight_decay`` applied: added to the gradient (L2), or, where the group asks for
    ``decoupled_weight_decay``, as the parameter shrunk by ``lr·weight_decay``."""
    weight_decay = group.get("weight_decay", 0)
    for param in group["params"]:
        if param.grad is None:
            continue
        state = optimizer.state[param]
        if len(state) == 0:
            state.update(init_state(param))
        state["step"] += 1
        grad = -param.grad if group["maximize"] else param.grad
        if weight_decay != 0:
            if group.get("decoupled_weight_decay", False):
                param.mul_(1 - _to_float(group["lr"]) * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        yield param, grad, state
