"""The host-staged fallback: how an op without a GPU kernel runs on ``cuda`` tensors.

One mechanism for every such op, no per-op code: the op's Rust entry point is called through
``_C._fallback_call``, which checks that the tensor arguments share a device (PyTorch's mixed-
device RuntimeError) and makes the op allocate its results on that device. The op's CPU kernel
then reads and writes each ``cuda`` operand through its storage's host block; the storage copies
the bytes from the GPU first when the GPU holds the current ones, and back to the GPU (through a
staging buffer) when a GPU kernel next uses them. Dtype rules, shapes and autograd are the op's
own, unchanged.

The tables below list every Rust-implemented op: ``ON_DEVICE`` ones touch no element or only
copy/fill (views, metadata, reads that wait for the queue); ``GPU_KERNEL_*`` ones run GPU
kernels; the ``HOST_FALLBACK_*`` ones run their CPU kernel as described. The last two kinds are
routed through ``_C._fallback_call`` (device check and allocation device). ``tests/test_device.py``
fails when an op is in no table. The wrappers are installed the first time a ``cuda`` device is
used, so CPU-only programs never pay for them.
"""
import sys

from . import _C

# Tensor methods that run on the device: GPU kernels (copy/cast, fill), layout-only views and
# metadata, conversions built on copy/cast, and reads (which wait for the GPU queue).
ON_DEVICE = frozenset("""
    __new__ __repr__ __format__ __hash__ __len__ __bool__ __float__ __int__ __index__
    _make_subclass _print_values data_ptr item tolist is_pinned _mark_pinned _check_no_partial_overlap
    size dim ndimension numel nelement stride storage_offset is_contiguous element_size
    is_floating_point is_complex is_signed
    to type float double half bfloat16 int long short char byte bool
    copy_ fill_ zero_ clone contiguous detach detach_ requires_grad_ retain_grad register_hook
    register_post_accumulate_grad_hook
    view view_as as_strided expand expand_as broadcast_to t t_ transpose transpose_ permute
    swapaxes swapdims movedim moveaxis squeeze squeeze_ unsqueeze unsqueeze_ narrow select
    unflatten diagonal reshape reshape_as flatten ravel split split_with_sizes chunk
    tensor_split unbind
    imag is_conj real resolve_conj
""".split())

# Tensor methods with generated or hand-written GPU kernels (elementwise families with type
# promotion, reductions, softmax, matrix products, autograd's backward): f32 runs on the GPU
# everywhere, the byte and int32 dtypes where the op's kernel has them; any other dtype (f64,
# int64, f16, ...) runs the op's CPU kernel on the host copies, as the ops below do, and
# `rustorch.backends.wgpu.stats()["host_fallbacks"]` counts it. They go through the same device
# router as the host-staged ops (the mixed-device check, results on the operands' device).
GPU_KERNEL_METHODS = frozenset("""
    __abs__ __add__ __and__ __eq__ __ge__ __gt__ __iadd__ __iand__ __imul__ __ior__ __ipow__
    __isub__ __itruediv__ __ixor__ __le__ __lt__ __matmul__ __mul__ __ne__ __neg__ __or__ __pow__
    __radd__ __rand__ __rmatmul__ __rmul__ __ror__ __rpow__ __rsub__ __rtruediv__ __rxor__ __sub__
    __truediv__ __xor__ abs abs_ absolute absolute_ add add_ addmm amax amin argmax argmin
    bitwise_and bitwise_and_ bitwise_or bitwise_or_ bitwise_xor bitwise_xor_ bmm ceil ceil_ clamp
    clamp_ clamp_max clamp_max_ clamp_min clamp_min_ clip clip_ cos cos_ cosh cosh_ div div_ divide
    divide_ dot eq eq_ erf erf_ exp exp2 exp2_ exp_ expm1 expm1_ fix fix_ floor floor_ fmax
    fmin frac frac_ ge ge_ greater greater_ greater_equal greater_equal_ gt gt_ le le_ less
    less_ less_equal less_equal_ log log10 log10_ log1p log1p_ log2 log2_ log_ log_softmax
    logical_and logical_and_ logical_or logical_or_ logical_xor logical_xor_ lt lt_ matmul max
    maximum mean min minimum mm mul mul_ multiply multiply_ mv ne ne_ neg neg_
    negative negative_ not_equal not_equal_ pow pow_ reciprocal reciprocal_ relu relu_ rsqrt rsqrt_
    sgn sgn_ sigmoid sigmoid_ sign sign_ sin sin_ softmax sqrt sqrt_ square square_ sub sub_
    subtract subtract_ sum tan tan_ tanh tanh_ true_divide true_divide_ trunc trunc_ where backward
""".split())

# `_C` functions with GPU kernels (the fused optimizer steps; autograd's engine; where/pow; the
# fused losses, recurrent cells, batch and layer norm and GELU, composed of GPU ops there; joins, a copy kernel per piece).
GPU_KERNEL_FUNCTIONS = frozenset("""
    _adam_step _sgd_step _run_backward pow where _pointwise_loss _lstm_cell _gru_cell _layer_norm _gelu
    _batch_norm
    cat stack hstack vstack dstack column_stack
""".split())

# Tensor methods whose CPU kernel runs on the host copies of their cuda operands.
HOST_FALLBACK_METHODS = frozenset("""
    __invert__ acos acos_ arccos arccos_ arcsin arcsin_ arctan arctan2 arctan2_ arctan_ asin asin_
    atan atan2 atan2_ atan_
    __contains__ __delitem__ __floordiv__ __getitem__ __ifloordiv__ __ilshift__ __imod__
    __irshift__ __iter__ __lshift__ __mod__ __pos__ __rfloordiv__ __rlshift__ __rmod__ __rrshift__
    __rshift__ __setitem__ acosh acosh_ addbmm addmv all allclose aminmax any arccosh arccosh_
    arcsinh arcsinh_ arctanh arctanh_ argsort argwhere asinh asinh_ atanh atanh_ baddbmm bernoulli
    bernoulli_ bitwise_left_shift bitwise_left_shift_ bitwise_not bitwise_not_ bitwise_right_shift
    bitwise_right_shift_ copysign copysign_ count_nonzero cummax cummin cumprod cumsum diag
    diag_embed equal erfc erfc_ erfinv erfinv_ exponential_ flip fliplr flipud float_power
    float_power_ floor_divide floor_divide_ fmod fmod_ gather ger hypot hypot_ index_add index_add_
    index_copy index_copy_ index_fill index_fill_ index_put index_put_ index_select inner isclose
    isfinite isinf isnan isneginf isposinf isreal kthvalue logical_not logical_not_ logit logit_
    logsumexp masked_fill masked_fill_ masked_select median mode multinomial nan_to_num nan_to_num_
    nanmean nanmedian nansum new new_empty new_full new_ones new_tensor new_zeros nonzero norm
    normal_ outer positive prod random_ remainder remainder_ repeat resize_ resize_as_ roll round
    round_ scatter scatter_ scatter_add scatter_add_ signbit sinh sinh_ sort std take tile topk
    trace tril tril_ triu triu_ uniform_ unique var vdot digamma digamma_ i0 i0_ lgamma lgamma_
    sinc sinc_ _special_bessel_j0 _special_bessel_j0_ _special_bessel_j1 _special_bessel_j1_
    _special_entr _special_entr_ _special_erfcx _special_erfcx_ _special_i0e _special_i0e_
    _special_i1 _special_i1_ _special_i1e _special_i1e_ _special_log_ndtr _special_log_ndtr_
    _special_ndtri _special_ndtri_
    angle conj conj_physical
""".split())

# `_C` functions whose CPU kernel runs on the host copies of their cuda operands.
HOST_FALLBACK_FUNCTIONS = frozenset("""
    _adagrad_step _col2im _function_apply _im2col _max_pool2d _rmsprop_step atleast_1d atleast_2d
    atleast_3d bernoulli broadcast_tensors float_power multinomial
    normal _conv2d _window_mean _linalg_cholesky _linalg_eigh _linalg_lu_factor
    _linalg_qr _linalg_solve_triangular _linalg_svd _special_polygamma _special_zeta
    _sample_dirichlet _standard_gamma binomial poisson
    _nll_loss _embedding _unsafe_view
    _fft complex polar view_as_complex view_as_real
""".split())

# `_C` functions that take no tensor to compute on (factories choose their device from
# `device=` or their input tensor; settings and queries).
NOT_DEVICE_OPS = frozenset("""
    _legacy_new _register_size_class _set_grad_enabled _set_inference_mode _unary_op_names _gpu_unary_op_names
    arange as_tensor empty empty_like eye from_numpy full full_like get_default_dtype
    get_num_threads is_grad_enabled is_inference_mode_enabled linspace logspace ones ones_like
    rand rand_like randint randint_like randn randn_like randperm range set_default_dtype
    set_num_threads tensor zeros zeros_like _from_dlpack _to_dlpack _test_panic
    promote_types
""".split())

# Ops that may combine a cuda tensor with CPU tensors of any shape (indices, values), as in
# PyTorch.
MIXED_DEVICE_OK = frozenset("__getitem__ __setitem__ index_put index_put_".split())

_installed = False


def _wrap(op, mixed_ok):
    call = _C._fallback_call

    def routed(*args, **kwargs):
        return call(op, mixed_ok, args, kwargs)

    routed.__name__ = getattr(op, "__name__", "op")
    routed.__qualname__ = getattr(op, "__qualname__", routed.__name__)
    routed.__doc__ = getattr(op, "__doc__", None)
    routed.__wrapped__ = op
    return routed


def install():
    """Routes every GPU_KERNEL and HOST_FALLBACK op through `_C._fallback_call` (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    replaced = {}
    for name in GPU_KERNEL_METHODS | HOST_FALLBACK_METHODS:
        op = _C.Tensor.__dict__.get(name)
        if op is not None:
            replaced[id(op)] = _wrap(op, name in MIXED_DEVICE_OK)
            setattr(_C.Tensor, name, replaced[id(op)])
    for name in GPU_KERNEL_FUNCTIONS | HOST_FALLBACK_FUNCTIONS:
        op = getattr(_C, name, None)
        if op is not None:
            replaced[id(op)] = _wrap(op, False)
            setattr(_C, name, replaced[id(op)])
    # The same objects bound under other names (rustorch.exp is Tensor.exp; `from ._C import`).
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not (mod_name == "rustorch" or mod_name.startswith("rustorch.")):
            continue
        for attr, value in list(vars(mod).items()):
            wrapper = replaced.get(id(value))
            if wrapper is not None:
                setattr(mod, attr, wrapper)
