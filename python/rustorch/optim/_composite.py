"""In-place ``lerp_``/``addcmul_``/``addcdiv_`` from primitive ops, rounded as PyTorch's CPU kernels
round them (each product and quotient in the parameter's dtype; ``lerp`` as a fused multiply-add),
and the option checks the optimizers share."""
from .._C import Tensor

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
