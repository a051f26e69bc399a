"""``instance_norm``, ``rms_norm`` and ``local_response_norm`` (the functional forms), composed
from differentiable tensor ops."""
from .. import _C
from ._functional_conv import avg_pool2d, pad

__all__ = ["instance_norm", "rms_norm", "local_response_norm"]

# torch.finfo(dtype).eps: rms_norm's default epsilon.
_EPS = {_C.float32: 1.1920928955078125e-07, _C.float64: 2.220446049250313e-16, _C.float16: 0.0009765625,
        _C.bfloat16: 0.0078125}


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalizes each (sample, channel) plane over its spatial dims. As in PyTorch, this is batch
    norm over the (1, N * C, *) view, whose running stats are then averaged over the batch."""
    from .functional import batch_norm
    if use_input_stats:
        spatial = 1
        for s in input.shape[2:]:
            spatial *= s
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.size()}")
    n, c = input.shape[0], input.shape[1]
    mean = running_mean.repeat(n) if running_mean is not None else None
    var = running_var.repeat(n) if running_var is not None else None
    reshaped = input.reshape((1, n * c) + tuple(input.shape[2:]))
    out = batch_norm(reshaped, mean, var, None if weight is None else weight.repeat(n),
                     None if bias is None else bias.repeat(n), use_input_stats, momentum, eps)
    if use_input_stats:
        from ..autograd.grad_mode import no_grad
        with no_grad():
            if running_mean is not None:
                running_mean.copy_(mean.reshape(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(var.reshape(n, c).mean(0))
    return out.reshape(tuple(input.shape))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k:]) != normalized_shape:
        expected = ", ".join(str(s) for s in normalized_shape)
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {expected}], but got input of size{list(input.shape)}")
    if eps is None:
        eps = _EPS.get(input.dtype, _EPS[_C.float32])
    dims = tuple(range(input.dim() - k, input.dim()))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divides each element by ``(k + alpha / size * sum of squares over `size` neighbouring
    channels) ** beta``."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if dim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        # a 3-d average over channels only: sum `size` shifted slices
        channels = sizes[1]
        div = sum(div.narrow(2, i, channels) for i in range(size)) / size
        div = div.reshape(tuple(sizes))
    div = (div * alpha + k) ** beta
    return input / div
