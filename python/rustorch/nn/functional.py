"""``torch.nn.functional``: the stateless forms of the layers, activations and losses.

Everything is composed from differentiable tensor ops, so autograd comes for free. Convolution
and pooling live in ``_functional_conv``, losses in ``_functional_loss``; both are re-exported
here."""
import math
import warnings

from .. import _C
from .._opmath import in_float32
from ..autograd.grad_mode import no_grad
from .modules.utils import _check_floating_kernel, _check_not_bool
from ._functional_conv import (  # noqa: F401
    adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, conv1d, conv2d,
    conv_transpose1d, conv_transpose2d, max_pool1d, max_pool2d, pad, unfold, fold,
)
from ._functional_loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, kl_div,
    l1_loss, mse_loss, nll_loss, smooth_l1_loss,
)

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "hardtanh", "hardtanh_", "elu", "elu_",
    "selu", "celu", "gelu", "silu", "mish", "sigmoid", "tanh", "hardsigmoid", "hardswish",
    "logsigmoid", "softsign", "tanhshrink", "threshold", "prelu", "softplus", "softmax",
    "softmin", "log_softmax", "linear", "bilinear", "dropout", "dropout2d", "embedding",
    "one_hot", "normalize", "layer_norm", "group_norm", "batch_norm",
    "pad", "unfold", "fold", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
    "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
]


def _inplace_result(input, result, inplace):
    """Writes ``result`` into ``input`` for the ``inplace=True`` forms."""
    return input.copy_(result) if inplace else result


# --------------------------------------------------------------------------- activations
# Composed activations, computed in float32 for 16-bit floats (as PyTorch's kernels are).
_selu = in_float32(lambda x, alpha, scale: _elu(x, alpha) * scale)
_celu = in_float32(lambda x, alpha: _elu(x / alpha, 1.0) * alpha)
_silu = in_float32(lambda x: x * x.sigmoid())
_mish = in_float32(lambda x: x * softplus(x).tanh())
_hardsigmoid = in_float32(lambda x: relu6(x + 3.0) / 6.0)
_hardswish = in_float32(lambda x: x * relu6(x + 3.0) / 6.0)


def relu(input, inplace=False):
    _check_not_bool(input, "Boolean inputs not supported for relu")
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _check_not_bool(input, "Bool inputs not supported for hardtanh")
    if not input.is_floating_point():  # integer inputs keep their dtype, as in PyTorch
        return _inplace_result(input, input.clamp(min_val, max_val).to(input.dtype), inplace)
    if not input.requires_grad:
        return input.clamp_(min_val, max_val) if inplace else input.clamp(min_val, max_val)
    # PyTorch's gradient is zero at and beyond the bounds (clamp's passes at them): there the
    # clamped value enters as a constant. NaN is not outside, so its gradient passes.
    outside = (input <= min_val) | (input >= max_val)
    return _inplace_result(input, _C.where(outside, input.detach().clamp(min_val, max_val), input), inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_floating_kernel(input, "leaky_relu_cpu")
    return _inplace_result(input, _C.where(input > 0, input, input * negative_slope), inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu(input, alpha=1.0, inplace=False):
    _check_floating_kernel(input, "elu_cpu")
    return _inplace_result(input, _elu(input, alpha), inplace)


@in_float32
def _elu(input, alpha):
    # expm1 of the clamped input: the unused branch must not overflow (its gradient would be NaN).
    negative = input.clamp(max=0).expm1() * alpha
    return _C.where(input > 0, input, negative)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu(input, inplace=False):
    _check_floating_kernel(input, "elu_cpu")
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return _inplace_result(input, _selu(input, alpha, scale), inplace)


def celu(input, alpha=1.0, inplace=False):
    _check_floating_kernel(input, "elu_cpu")
    return _inplace_result(input, _celu(input, alpha), inplace)


def gelu(input, approximate="none"):
    _check_floating_kernel(input, "GeluKernelImpl")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _C._gelu(input, approximate)


def silu(input, inplace=False):
    _check_floating_kernel(input, "silu_cpu")
    return _inplace_result(input, _silu(input), inplace)


def mish(input, inplace=False):
    _check_floating_kernel(input, "mish_cpu")
    return _inplace_result(input, _mish(input), inplace)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def hardsigmoid(input, inplace=False):
    _check_floating_kernel(input, "hardsigmoid_cpu")
    return _inplace_result(input, _hardsigmoid(input), inplace)


def hardswish(input, inplace=False):
    _check_floating_kernel(input, "hardswish_cpu")
    return _inplace_result(input, _hardswish(input), inplace)


@in_float32
def logsigmoid(input):
    """``log(sigmoid(x))`` without overflow: ``-log1p(exp(-x))`` for x >= 0, ``x - log1p(exp(x))``
    below (each branch fed a clamped input so that the discarded one stays finite)."""
    _check_floating_kernel(input, "log_sigmoid_cpu")
    nonneg = input.clamp(min=0)
    neg = input.clamp(max=0)
    return _C.where(input >= 0, -(-nonneg).exp().log1p(), neg - neg.exp().log1p())


@in_float32
def softsign(input):
    return input / (input.abs() + 1)


@in_float32
def tanhshrink(input):
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    """``input`` where it is greater than ``threshold``, else ``value``."""
    _check_floating_kernel(input, "threshold_cpu") if input.dtype is _C.bool else None
    # The replacement takes the input's dtype (checked: an int8 input cannot take 300).
    value = _C.tensor(value, dtype=input.dtype)
    # `x <= threshold ? value : x`, so NaN passes through.
    return _inplace_result(input, _C.where(input <= threshold, value, input), inplace)


def prelu(input, weight):
    """Leaky ReLU with a learnt slope (one, or one per channel on dim 1)."""
    if weight.numel() != 1:
        if input.dim() < 2:
            raise RuntimeError("Not allow zero-dim input tensor.")
        shape = [1] * input.dim()
        shape[1] = weight.numel()
        weight = weight.reshape(shape)
    return _C.where(input > 0, input, input * weight)


@in_float32
def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` (as PyTorch)."""
    _check_floating_kernel(input, "softplus_cpu")
    scaled = input * beta
    # Clamped so that exp cannot overflow in the branch where() discards.
    smooth = scaled.clamp(max=threshold).exp().log1p() / beta
    return _C.where(scaled > threshold, input, smooth)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim) if dtype is None else (-input).softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


# --------------------------------------------------------------------------- linear layers
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: one addmm (AddmmBackward0), a contiguous batched input
    folded into rows for it and viewed back, as PyTorch does."""
    _check_floating_kernel(input, "addmm_impl_cpu_") if input.dtype is _C.bool else None
    if bias is not None and input.dim() == 2:
        return _C.Tensor.addmm(bias, input, weight.t())
    if bias is not None and input.dim() >= 1 and input.is_contiguous():
        lead = tuple(input.shape[:-1])
        rows = math.prod(lead)
        out = _C.Tensor.addmm(bias, input.reshape(rows, input.shape[-1]), weight.t())
        return _C._unsafe_view(out, list(lead) + [out.shape[1]])
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1 @ W_k @ x2 + b_k`` over the last dimensions of the inputs."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    out_features, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} "
                           f"but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} "
                           f"but expected {in2}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (B, in1) @ (in1, out * in2) -> (B, out, in2), then contract in2 against x2.
    mixed = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out_features * in2))
    out = (mixed.reshape(-1, out_features, in2) * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (out_features,))


# --------------------------------------------------------------------------- dropout
def _check_dropout_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_with_noise(input, noise_shape, p, inplace):
    if p == 1.0:
        return input.mul_(0) if inplace else input * _C.zeros((), dtype=input.dtype)
    noise = _C.empty(noise_shape, dtype=input.dtype).bernoulli_(1 - p).div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``."""
    _check_dropout_p(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _dropout_with_noise(input, tuple(input.shape), p, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels (dim 1) with probability ``p``."""
    _check_dropout_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that dropout2d "
                      "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
                      "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).")
    if inp_dim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
                      "is the channel dim. This behavior will change in a future release to interpret the "
                      "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
                      "channel-wise dropout behavior, please switch to using dropout1d instead.")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    noise_shape = tuple(input.shape[:2]) + (1,) * (inp_dim - 2)
    return _dropout_with_noise(input, noise_shape, p, inplace)


# --------------------------------------------------------------------------- embeddings
def _check_index_dtype(indices, op):
    if indices.dtype not in (_C.int64, _C.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {indices.type()} instead (while checking "
                           f"arguments for {op})")


def _embedding_renorm_(weight, indices, max_norm, norm_type):
    """Rescales (in place) the referenced rows whose norm exceeds ``max_norm``."""
    with no_grad():
        rows = indices.reshape(-1).unique()
        selected = weight.index_select(0, rows)
        norms = selected.norm(norm_type, dim=1, keepdim=True)
        scale = _C.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight.index_copy_(0, rows, selected * scale)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer ``input``; the padding row gets no gradient."""
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    _check_index_dtype(input, "embedding")
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _C._embedding(weight, input, padding_idx, scale_grad_by_freq)


def one_hot(tensor, num_classes=-1):
    if tensor.dtype != _C.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() > 0:
        if bool(tensor.min() < 0):
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(tensor.max()) + 1
        elif bool(tensor.max() >= num_classes):
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    out = _C.zeros(tuple(tensor.shape) + (num_classes,), dtype=_C.int64)
    return out.scatter_(-1, tensor.unsqueeze(-1), 1)


# --------------------------------------------------------------------------- normalization
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    return result if out is None else out.copy_(result)


def _normalize_over(input, dims, eps):
    """(x - mean) / sqrt(biased var + eps) over ``dims``."""
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    return centered * (var + eps).rsqrt()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    _check_floating_kernel(input, "LayerNormKernelImpl")
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k:]) != normalized_shape:
        expected = ", ".join(str(s) for s in normalized_shape)
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {expected}], but got input of size{list(input.shape)}")
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and tuple(param.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(param.shape)} and normalized_shape = {list(normalized_shape)}")
    if k == 1:
        return _C._layer_norm(input, 1, weight, bias, eps)
    # Several normalized dims run as one of their product size (the parameters' gradients come
    # back through views).
    flat = lambda t: None if t is None else t.reshape(-1)  # noqa: E731
    rows = input.reshape(tuple(input.shape[:input.dim() - k]) + (-1,))
    return _C._layer_norm(rows, 1, flat(weight), flat(bias), eps).reshape(tuple(input.shape))


def _channel_view(t, ndim):
    """A per-channel vector shaped to broadcast over (N, C, *) inputs."""
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    _check_floating_kernel(input, "GroupNormKernelImpl")
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {list(input.shape)} and num_groups={num_groups}")
    per_group = c // num_groups * math.prod(input.shape[2:])  # explicit: -1 is ambiguous for an empty batch
    out = _normalize_over(input.reshape(n, num_groups, per_group), (2,), eps).reshape(tuple(input.shape))
    if weight is not None:
        out = out * _channel_view(weight, input.dim())
    if bias is not None:
        out = out + _channel_view(bias, input.dim())
    return out


def _verify_batch_size(size):
    values_per_channel = size[0]
    for s in size[2:]:
        values_per_channel *= s
    if values_per_channel == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalizes each channel (dim 1) with the batch's statistics (training) or the running ones.
    In training the running stats are updated in place: ``(1 - momentum) * old + momentum * new``
    with the unbiased batch variance."""
    # PyTorch takes dim 1 as the channels; a 1-d input has none, so any stats are the wrong size.
    channels = input.size(1) if input.dim() > 1 else 0
    for name, stat in (("running_mean", running_mean), ("running_var", running_var),
                       ("weight", weight), ("bias", bias)):
        if stat is not None and stat.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {stat.numel()}")
    if input.numel() == 0:  # no kernel runs, whatever the dtypes
        return input.clone()
    for stat in (running_mean, running_var, weight, bias):
        # Half-precision inputs may take float32 parameters; otherwise all share one dtype.
        if stat is not None and stat.dtype != input.dtype and input.dtype not in (_C.float16, _C.bfloat16):
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    _check_floating_kernel(input, "batch_norm")
    if training:
        _verify_batch_size(input.size())
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return _C._batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


# --------------------------------------------------------------------------- resampling, norms, 3-d, grids
from ._functional_grid import affine_grid, grid_sample  # noqa: E402,F401
from ._functional_sparse import embedding_bag, max_unpool1d, max_unpool2d  # noqa: E402,F401
from ._functional_conv3d import (  # noqa: E402,F401
    adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, conv3d, conv_transpose3d, max_pool3d,
)
from ._functional_norm import instance_norm, local_response_norm, rms_norm  # noqa: E402,F401
from ._functional_resample import (  # noqa: E402,F401
    adaptive_max_pool1d, adaptive_max_pool1d_with_indices, adaptive_max_pool2d, adaptive_max_pool2d_with_indices,
    interpolate, pixel_shuffle, pixel_unshuffle, upsample, upsample_bilinear, upsample_nearest,
)

__all__ += [
    "instance_norm", "local_response_norm", "rms_norm", "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", "interpolate", "pixel_shuffle", "pixel_unshuffle",
    "upsample", "upsample_bilinear", "upsample_nearest", "adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d",
    "conv3d", "conv_transpose3d", "max_pool3d", "affine_grid", "grid_sample", "embedding_bag", "max_unpool1d",
    "max_unpool2d",
]

# --------------------------------------------------------------------------- attention
from ._functional_attention import (  # noqa: E402,F401
    _canonical_mask, _none_or_dtype, multi_head_attention_forward, scaled_dot_product_attention,
)

__all__ += ["multi_head_attention_forward", "scaled_dot_product_attention"]

# --------------------------------------------------------------------------- smaller names
from ._functional_extra import *  # noqa: E402,F401,F403
from ._functional_extra import __all__ as _extra_all  # noqa: E402
from ._functional_loss_extra import *  # noqa: E402,F401,F403
from ._functional_loss_extra import __all__ as _loss_extra_all  # noqa: E402

from ._functional_pool_indices import *  # noqa: E402,F401,F403
from ._functional_pool_indices import __all__ as _pool_indices_all  # noqa: E402

__all__ += _extra_all + _loss_extra_all + _pool_indices_all
