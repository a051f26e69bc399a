"""Loss reductions: ``reduction=`` strings and the legacy ``size_average`` / ``reduce`` flags."""
import warnings

__all__ = ["get_enum", "legacy_get_string", "legacy_get_enum", "reduce"]

_ENUMS = {"none": 0, "mean": 1, "elementwise_mean": 1, "sum": 2}


def get_enum(reduction):
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.")
    if reduction not in _ENUMS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _ENUMS[reduction]


def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction string the deprecated ``size_average`` / ``reduce`` pair stands for."""
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(warning.format(ret))
    return ret


def legacy_get_enum(size_average, reduce, emit_warning=True):
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))


def resolve(size_average, reduce, reduction):
    """The effective reduction string of a functional loss call."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    get_enum(reduction)  # validates
    return "mean" if reduction == "elementwise_mean" else reduction


def reduce(loss, reduction):
    """Applies an already-validated reduction to an elementwise loss."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
