"""In-place ``_`` variants of existing ops, torch-level forms of Tensor methods (and Tensor
methods of torch functions), and the dtype / tensor predicates of the torch namespace."""
from . import _C
from ._C import Tensor
from ._inplace import can_cast, function_of, in_place


def result_type(tensor1, tensor2):
    """The dtype of an arithmetic op on the two arguments (tensors or Python numbers), by
    PyTorch's promotion: dimensioned tensors > 0-dim tensors > Python numbers, per category."""
    def probe(x):
        if isinstance(x, Tensor):
            return _C.zeros((1,) if x.dim() else (), dtype=x.dtype)
        if not isinstance(x, (bool, int, float)):
            raise TypeError(
                "result_type() received an invalid combination of arguments - got "
                f"({type(tensor1).__name__}, {type(tensor2).__name__})")
        return x
    a, b = probe(tensor1), probe(tensor2)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _C.tensor(a)  # two numbers promote as 0-dim tensors of their default dtypes
    return (a + b).dtype


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    """The truth of a one-element tensor (PyTorch's errors for empty and larger tensors)."""
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


def is_storage(obj, /):
    from .storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


# torch.<name>_(input, ...) is Tensor.<name>_: the in-place unary and binary ops.
_TORCH_IN_PLACE = (
    "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "cos_", "cosh_", "sin_", "sinh_", "tan_", "tanh_",
    "deg2rad_", "rad2deg_", "erf_", "erfc_", "exp2_", "expm1_", "log_", "log10_", "log1p_",
    "log2_", "fix_", "frac_", "i0_", "logit_", "negative_", "reciprocal_", "rsqrt_", "sinc_",
    "xlogy_", "ldexp_", "fill_", "detach_",
)


_TORCH_IN_PLACE_PARAMS = {
    "xlogy_": "input, other", "ldexp_": "input, other", "fill_": "input, value", "logit_": "input, eps=None",
}


def _swapaxes_(self, axis0, axis1):
    return self.transpose_(axis0, axis1)


def _swapdims_(self, dim0, dim1):
    return self.transpose_(dim0, dim1)


def _install():
    methods = {
        "addmm_": in_place(Tensor.addmm, "addmm_"),
        "addmv_": in_place(Tensor.addmv, "addmv_"),
        "addbmm_": in_place(Tensor.addbmm, "addbmm_"),
        "baddbmm_": in_place(Tensor.baddbmm, "baddbmm_"),
        "cumsum_": in_place(Tensor.cumsum, "cumsum_"),
        "cumprod_": in_place(Tensor.cumprod, "cumprod_"),
        "mvlgamma_": in_place(Tensor.mvlgamma, "mvlgamma_"),
        "swapaxes_": _swapaxes_,
        "swapdims_": _swapdims_,
    }
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    module = globals()
    for name in _TORCH_IN_PLACE:
        module[name] = function_of(getattr(Tensor, name), _TORCH_IN_PLACE_PARAMS.get(name, "input"))
    module["addmv_"] = function_of(Tensor.addmv_, "input, mat, vec, *, beta=1, alpha=1")


_install()

# torch.<name> is nn.functional.<name> for these (same parameters).
_FUNCTIONAL_FORMS = (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "avg_pool1d", "adaptive_avg_pool1d", "bilinear", "cosine_similarity", "pairwise_distance",
    "pdist", "pixel_shuffle", "pixel_unshuffle", "prelu", "channel_shuffle",
    "native_channel_shuffle", "hardshrink", "celu_", "selu_", "rrelu_", "threshold_",
)


def _functional_forms():
    from .nn import functional as F
    module = globals()
    for name in _FUNCTIONAL_FORMS:
        module[name] = getattr(F, name)
    Tensor.hardshrink = F.hardshrink


_functional_forms()


def alpha_dropout_(input, p, train):
    from .nn import functional as F
    return F.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input, p, train):
    from .nn import functional as F
    return F.feature_alpha_dropout(input, p, train, inplace=True)


def feature_dropout_(input, p, train):
    """Zeroes whole channels of (N, C, *) input with probability p, in place."""
    from .nn.functional import _check_dropout_p, _dropout_with_noise
    _check_dropout_p(p)
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if train and p != 0.0 and input.numel():
        _dropout_with_noise(input, tuple(input.shape[:2]) + (1,) * (input.dim() - 2), p, True)
    return input

__all__ = list(_TORCH_IN_PLACE) + [
    "addmv_", "can_cast", "result_type", "is_floating_point", "is_complex", "is_nonzero",
    "is_storage", "alpha_dropout_", "feature_alpha_dropout_", "feature_dropout_",
] + list(_FUNCTIONAL_FORMS)
