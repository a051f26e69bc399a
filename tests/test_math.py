"""Elementwise math against NumPy, with PyTorch's type promotion re-derived in this file."""
import math
import operator

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck
from hypothesis.extra import numpy as hnp

import rustorch as torch

# ---------------------------------------------------------------------------------------------
# An independent statement of PyTorch's promotion rules (torch.promote_types / result_type).
# ---------------------------------------------------------------------------------------------
B, U8, I8, I16, I32, I64 = torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64
F16, BF16, F32, F64 = torch.float16, torch.bfloat16, torch.float32, torch.float64
DTYPES = [B, U8, I8, I16, I32, I64, F16, BF16, F32, F64]
INTS = [U8, I8, I16, I32, I64]
FLOATS = [F16, BF16, F32, F64]
NP = {B: np.bool_, U8: np.uint8, I8: np.int8, I16: np.int16, I32: np.int32, I64: np.int64,
      F16: np.float16, BF16: np.float32, F32: np.float32, F64: np.float64}
SIZE = {B: 1, U8: 1, I8: 1, I16: 2, I32: 4, I64: 8, F16: 2, BF16: 2, F32: 4, F64: 8}


def category(d):
    return 0 if d == B else (2 if d in FLOATS else 1)


def promote(a, b):
    if a == b:
        return a
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    if {a, b} == {U8, I8}:
        return I16
    if {a, b} == {F16, BF16}:
        return F32
    if U8 in (a, b):
        return b if a == U8 else a
    return a if SIZE[a] >= SIZE[b] else b


def result_type(*operands):
    """Dimensioned tensors outrank 0-dim tensors outrank Python numbers, unless a lower rank
    brings a higher category."""
    groups = [None, None, None]
    for o in operands:
        if isinstance(o, torch.Tensor):
            rank, d = (1 if o.dim() == 0 else 0), o.dtype
        else:
            rank, d = 2, (B if isinstance(o, bool) else I64 if isinstance(o, int) else F32)
        groups[rank] = d if groups[rank] is None else promote(groups[rank], d)
    out = None
    for g in groups:
        if g is None:
            continue
        if out is None:
            out = g
        elif category(g) > category(out):
            out = promote(out, g)
    return out


def to_numpy(t):
    return np.asarray(t.float() if t.dtype == BF16 else t)


def make(arr, dtype, layout="contiguous"):
    """A tensor of `dtype` holding `arr`, laid out as asked (through NumPy views, which
    rustorch.from_numpy keeps as they are)."""
    arr = np.asarray(arr).astype(NP[dtype])
    if layout == "transposed" and arr.ndim >= 2:
        arr = np.ascontiguousarray(arr.T).T
    elif layout == "strided" and arr.ndim >= 1:
        big = np.zeros((arr.shape[0] * 2,) + arr.shape[1:], dtype=arr.dtype)
        big[::2] = arr
        arr = big[::2]
    elif layout == "expanded" and arr.ndim >= 1 and arr.shape[0] > 0 and (arr == arr[:1]).all():
        arr = np.broadcast_to(arr[:1], arr.shape)
    t = torch.from_numpy(arr)
    return t.to(BF16) if dtype == BF16 else t


def assert_matches(got, want, dtype, rtol=None):
    assert got.dtype == dtype, (got.dtype, dtype)
    g = to_numpy(got)
    want = np.asarray(want)
    assert g.shape == want.shape
    if dtype in FLOATS:
        tol = rtol if rtol is not None else {F16: 1e-3, BF16: 1e-2, F32: 1e-6, F64: 1e-12}[dtype]
        np.testing.assert_allclose(g.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(g, want)


def np_cast(arr, dtype):
    """Values as the result dtype holds them (bfloat16 rounded through torch)."""
    if dtype == BF16:
        return to_numpy(torch.tensor(np.asarray(arr, dtype=np.float32)).to(BF16))
    with np.errstate(all="ignore"):
        return np.asarray(arr).astype(NP[dtype])


# ---------------------------------------------------------------------------------------------
# Binary ops
# ---------------------------------------------------------------------------------------------
def np_div(a, b):
    return np.true_divide(a, b)


# name -> (rustorch function, numpy reference, result rule, allowed categories)
BINARY = {
    "add": (torch.add, np.add, "same"),
    "sub": (torch.sub, np.subtract, "same"),
    "mul": (torch.mul, np.multiply, "same"),
    "div": (torch.div, np_div, "float"),
    "floor_divide": (torch.floor_divide, np.floor_divide, "same"),
    "remainder": (torch.remainder, np.remainder, "same"),
    "fmod": (torch.fmod, np.fmod, "same"),
    "maximum": (torch.maximum, np.maximum, "same"),
    "minimum": (torch.minimum, np.minimum, "same"),
    "fmax": (torch.fmax, np.fmax, "same"),
    "fmin": (torch.fmin, np.fmin, "same"),
    "atan2": (torch.atan2, np.arctan2, "float"),
    "hypot": (torch.hypot, np.hypot, "same"),
    "copysign": (torch.copysign, np.copysign, "float"),
    "bitwise_and": (torch.bitwise_and, np.bitwise_and, "same"),
    "bitwise_or": (torch.bitwise_or, np.bitwise_or, "same"),
    "bitwise_xor": (torch.bitwise_xor, np.bitwise_xor, "same"),
    "eq": (torch.eq, np.equal, "bool"),
    "ne": (torch.ne, np.not_equal, "bool"),
    "lt": (torch.lt, np.less, "bool"),
    "le": (torch.le, np.less_equal, "bool"),
    "gt": (torch.gt, np.greater, "bool"),
    "ge": (torch.ge, np.greater_equal, "bool"),
    "logical_and": (torch.logical_and, np.logical_and, "bool"),
    "logical_or": (torch.logical_or, np.logical_or, "bool"),
    "logical_xor": (torch.logical_xor, np.logical_xor, "bool"),
}
INT_DIVISION = {"floor_divide", "remainder", "fmod"}


def applicable(name, common):
    """Whether PyTorch accepts `name` for operands promoting to `common`."""
    if name.startswith("bitwise"):
        return common not in FLOATS
    if name == "hypot":
        return common in FLOATS
    if name == "sub" or name in INT_DIVISION:
        return common != B
    return True


def out_dtype(rule, common):
    if rule == "bool":
        return B
    if rule == "float" and common not in FLOATS:
        return F32
    return common


def reference(name, a, b, common, dtype):
    """NumPy's answer computed in the dtype PyTorch computes in."""
    fn, npfn, rule = BINARY[name]
    compute = dtype if rule == "float" else common
    x, y = np_cast(a, compute), np_cast(b, compute)
    if compute == B and name in ("add", "mul", "maximum", "minimum", "fmax", "fmin"):
        x, y = x.astype(np.uint8), y.astype(np.uint8)
    with np.errstate(all="ignore"):
        r = npfn(x, y)
    return np_cast(r, dtype)


small_ints = st.integers(-20, 20)
shapes2 = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)
layouts = st.sampled_from(["contiguous", "transposed", "strided", "expanded"])


def values(draw, shape, dtype, nonzero=False):
    if dtype in FLOATS:
        special = [0.0, -0.0, 1.5, -2.25, 3.0, 7.0, 100.0, 0.1]
        if not nonzero:
            special += [math.inf, -math.inf, math.nan]
        elems = st.sampled_from(special) | st.floats(-50, 50, width=16)
        if nonzero:
            elems = elems.filter(lambda v: v != 0)
        return draw(hnp.arrays(np.float64, shape, elements=elems))
    if dtype == B:
        return np.ones(shape, dtype=np.bool_) if nonzero else draw(hnp.arrays(np.bool_, shape))
    lo = 0 if dtype == U8 else -20
    elems = st.integers(lo if not nonzero else 1, 20)
    return draw(hnp.arrays(np.int64, shape, elements=elems))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_binary_tensor_tensor_matches_numpy(data):
    name = data.draw(st.sampled_from(sorted(BINARY)))
    da, db = data.draw(st.sampled_from(DTYPES)), data.draw(st.sampled_from(DTYPES))
    fn, npfn, rule = BINARY[name]
    (sa, sb), _ = data.draw(shapes2)
    # 0-dim operands promote below dimensioned ones.
    common = promote(da, db) if (len(sa) > 0) == (len(sb) > 0) else (da if len(sa) > 0 else db) \
        if category(da) == category(db) else promote(da, db)
    int_div = name in INT_DIVISION and common not in FLOATS
    a = values(data.draw, sa, da)
    b = values(data.draw, sb, db, nonzero=int_div or (name == "div" and common in INTS))
    ta, tb = make(a, da, data.draw(layouts)), make(b, db, data.draw(layouts))
    if name == "sub" and B in (da, db):  # PyTorch's sub_check refuses any bool operand
        with pytest.raises(NotImplementedError, match="Subtraction, the `-` operator, with"):
            fn(ta, tb)
        return
    if not applicable(name, common):
        with pytest.raises(RuntimeError):
            fn(ta, tb)
        return
    assert common == result_type(ta, tb)
    got = fn(ta, tb)
    dtype = out_dtype(rule, common)
    assert got.dtype == dtype
    assert_matches(got, reference(name, to_numpy(ta), to_numpy(tb), common, dtype), dtype)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_binary_with_python_scalars_and_zero_dim_tensors(data):
    name = data.draw(st.sampled_from(["add", "sub", "mul", "div", "maximum", "eq", "lt", "remainder", "atan2"]))
    da = data.draw(st.sampled_from(DTYPES))
    scalar = data.draw(st.sampled_from([True, False, 0, 3, -2, 2.5, -0.5, 1e10]))
    zero_dim = data.draw(st.booleans())
    fn, npfn, rule = BINARY[name]
    ta = make(values(data.draw, (3,), da), da)
    if zero_dim:
        sd = data.draw(st.sampled_from(DTYPES))
        other = torch.tensor(scalar).to(sd)
    else:
        other = scalar
    if not zero_dim and name in ("maximum", "atan2"):  # Tensor-only schemas: no Scalar overload
        with pytest.raises(TypeError, match="must be Tensor"):
            fn(ta, other)
        return
    # A bool Python scalar is refused; as a 0-dim tensor it has already been cast to `sd`.
    if name == "sub" and (da == B or (isinstance(scalar, bool) and not zero_dim) or (zero_dim and sd == B)):
        with pytest.raises(NotImplementedError):
            fn(ta, other)
        return
    common = result_type(ta, other)
    if not applicable(name, common) or (name == "remainder" and common not in FLOATS and float(other) == 0):
        with pytest.raises(RuntimeError):
            fn(ta, other)
        return
    got = fn(ta, other)
    dtype = out_dtype(rule, common)
    b = to_numpy(other) if zero_dim else np.asarray(scalar)
    assert_matches(got, reference(name, to_numpy(ta), b, common, dtype), dtype, rtol=2e-2 if da == F16 else None)


def test_operators_and_reflected_forms():
    i = torch.tensor([1, 2, 3])
    assert (10 - i).tolist() == [9, 8, 7]
    assert (2 ** i).tolist() == [2, 4, 8] and (2 ** i).dtype == I64
    assert (2.0 ** i).dtype == F32
    assert (1 / torch.tensor([2.0, 4.0])).tolist() == [0.5, 0.25]
    assert (7 // torch.tensor([2, -2])).tolist() == [3, -4]
    assert (7 % torch.tensor([3, -3])).tolist() == [1, -2]
    assert (-7.5 // torch.tensor([2.0])).tolist() == [-4.0]
    assert (torch.tensor([-7, 7]) // 2).tolist() == [-4, 3]
    assert (torch.tensor([-7, 7]) % 3).tolist() == [2, 1]
    assert (torch.tensor([-7.5, 7.5]) % 2).tolist() == [0.5, 1.5]
    assert (torch.tensor([1, 2], dtype=I8) + 1).dtype == I8
    assert (torch.tensor([1], dtype=I32) + torch.tensor(1.5, dtype=F64)).dtype == F64
    assert (torch.tensor([1.0]) + torch.tensor(1.0, dtype=F64)).dtype == F32
    # A big Python float keeps its value (it is not squeezed through float32 first).
    assert (1e300 * torch.tensor([1.0], dtype=F64)).tolist() == [1e300]
    assert (torch.pow(2, torch.tensor([1.0, 3.0]))).tolist() == [2.0, 8.0]
    assert torch.pow(torch.tensor([3]), 2).tolist() == [9]


def test_shifts_and_invert():
    t = torch.tensor([1, -8, 3], dtype=I32)
    assert (t << 2).tolist() == [4, -32, 12]
    assert (t >> 1).tolist() == [0, -4, 1]
    assert (1 << torch.tensor([0, 3])).tolist() == [1, 8]
    assert (t << 40).tolist() == [0, 0, 0]
    assert (t >> 40).tolist() == [0, -1, 0]
    assert (~t).tolist() == [-2, 7, -4]
    assert (~torch.tensor([True, False])).tolist() == [False, True]
    assert (~torch.tensor([0, 255], dtype=U8)).tolist() == [255, 0]
    with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
        torch.tensor([1.0]) << 1
    with pytest.raises(RuntimeError, match="bitwise_not_cpu\" not implemented for 'Float'"):
        ~torch.tensor([1.0])
    with pytest.raises(RuntimeError, match="bitwise_and_cpu\" not implemented for 'Float'"):
        torch.tensor([1.0]) & torch.tensor([1.0])


def test_division_edge_cases():
    assert to_numpy(torch.tensor([1.0, -1.0, 0.0]) / 0).tolist()[:2] == [math.inf, -math.inf]
    assert math.isnan((torch.tensor([0.0]) / 0).item())
    assert (torch.tensor([1, 0]) / 0).dtype == F32
    for fn in (lambda: torch.tensor([1]) // 0, lambda: torch.tensor([1]) % 0,
               lambda: torch.tensor([1, 2]) // torch.tensor([1, 0]), lambda: torch.fmod(torch.tensor([1]), 0),
               lambda: torch.div(torch.tensor([5]), 0, rounding_mode="trunc")):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fn()
    assert torch.div(torch.tensor([7, -7]), 2, rounding_mode="floor").tolist() == [3, -4]
    assert torch.div(torch.tensor([7, -7]), 2, rounding_mode="trunc").tolist() == [3, -3]
    assert torch.div(torch.tensor([7.0, -7.0]), 2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    with pytest.raises(ValueError, match="rounding_mode"):
        torch.div(torch.tensor([1.0]), 2, rounding_mode="round")
    assert (torch.tensor([1.0]) // 0).tolist() == [math.inf]
    # -0.0 keeps its sign through floor division.
    assert math.copysign(1, (torch.tensor([-0.0]) // 3).item()) == -1


def test_integer_overflow_wraps():
    assert (torch.tensor([127], dtype=I8) + 1).tolist() == [-128]
    assert (torch.tensor([200], dtype=U8) * 2).tolist() == [144]
    assert (torch.tensor([2 ** 62]) * 4).tolist() == [0]
    assert (-torch.tensor([-128], dtype=I8)).tolist() == [-128]
    assert torch.abs(torch.tensor([-128], dtype=I8)).tolist() == [-128]
    assert (torch.tensor([3]) ** 40).tolist() == [int(np.int64(3) ** np.int64(40))]


def test_pow_rules():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed."):
        torch.tensor([2]) ** -1
    assert (torch.tensor([2.0]) ** -1).tolist() == [0.5]
    assert (torch.tensor([1, 2, 3]) ** 0.5).dtype == F32
    assert torch.tensor([-1, 1, 2]).pow(torch.tensor([-3, -2, -1])).tolist() == [-1, 1, 0]
    fp = torch.float_power(torch.tensor([2, 3]), 2)
    assert fp.dtype == F64 and fp.tolist() == [4.0, 9.0]
    assert torch.float_power(2, torch.tensor([0.5])).dtype == F64
    with pytest.raises(RuntimeError, match="float_power_ has dtype Float"):
        torch.tensor([2.0]).float_power_(2)


def test_bool_rules():
    t, f = torch.tensor([True, False]), torch.tensor([True, True])
    assert (t + f).dtype == B and (t + f).tolist() == [True, True]
    assert (t * f).tolist() == [True, False]
    assert (t + 1).dtype == I64 and (t + 1).tolist() == [2, 1]
    assert (t * 1.5).dtype == F32
    assert (t / f).dtype == F32
    assert (t & f).tolist() == [True, False] and (t | f).dtype == B and (t ^ f).tolist() == [False, True]
    with pytest.raises(NotImplementedError, match="Subtraction, the `-` operator, with a bool tensor"):
        t - f
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -t
    with pytest.raises(RuntimeError, match="The `\\+` operator, on a bool tensor"):
        +t
    assert torch.sign(t).dtype == B
    with pytest.raises(NotImplementedError, match="\"abs_cpu\" not implemented for 'Bool'"):  # PyTorch 2.15
        torch.abs(t)
    assert torch.square(t).dtype == I64
    assert torch.exp(t).dtype == F32


def test_logical_and_comparisons_give_bool_for_any_dtype():
    a = torch.tensor([0.0, 1.5, -2.0])
    b = torch.tensor([3, 0, -1])
    assert torch.logical_and(a, b).tolist() == [False, False, True]
    assert torch.logical_or(a, b).tolist() == [True, True, True]
    assert torch.logical_xor(a, b).tolist() == [True, True, False]
    assert torch.logical_not(b).tolist() == [False, True, False]
    x = torch.tensor([2.0, 0.0])
    x.logical_not_()
    assert x.dtype == F32 and x.tolist() == [0.0, 1.0]
    assert (torch.tensor([1, 2]) == torch.tensor([1.0, 2.5])).tolist() == [True, False]
    assert (torch.tensor([math.nan]) == torch.tensor([math.nan])).tolist() == [False]
    assert torch.greater(a, 0).tolist() == [False, True, False] and torch.less_equal(a, 0).tolist() == [True, False, True]
    assert (torch.tensor([1, 2]) == None) is False  # noqa: E711


# ---------------------------------------------------------------------------------------------
# Unary ops
# ---------------------------------------------------------------------------------------------
def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_erf(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def np_erfc(x):
    return np.vectorize(math.erfc, otypes=[np.float64])(x)


# name -> (numpy reference, rule): "float" promotes ints to float32, "same" keeps dtypes.
UNARY = {
    "abs": (np.abs, "same"), "neg": (np.negative, "same"), "sign": (np.sign, "same"),
    "square": (np.square, "same"), "floor": (np.floor, "same"), "ceil": (np.ceil, "same"),
    "trunc": (np.trunc, "same"), "round": (np.round, "same"),
    "relu": (lambda x: np.where(x > 0, x, np.zeros_like(x)), "same"),
    "sqrt": (np.sqrt, "float"), "rsqrt": (lambda x: 1 / np.sqrt(x), "float"),
    "reciprocal": (lambda x: 1 / x, "float"), "exp": (np.exp, "float"), "exp2": (np.exp2, "float"),
    "expm1": (np.expm1, "float"), "log": (np.log, "float"), "log2": (np.log2, "float"),
    "log10": (np.log10, "float"), "log1p": (np.log1p, "float"), "sin": (np.sin, "float"),
    "cos": (np.cos, "float"), "tan": (np.tan, "float"), "asin": (np.arcsin, "float"),
    "acos": (np.arccos, "float"), "atan": (np.arctan, "float"), "sinh": (np.sinh, "float"),
    "cosh": (np.cosh, "float"), "tanh": (np.tanh, "float"), "asinh": (np.arcsinh, "float"),
    "acosh": (np.arccosh, "float"), "atanh": (np.arctanh, "float"),
    "sigmoid": (np_sigmoid, "float"), "erf": (np_erf, "float"), "erfc": (np_erfc, "float"),
    "frac": (lambda x: x - np.trunc(x), "float_only"),
}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_unary_matches_numpy(data):
    name = data.draw(st.sampled_from(sorted(UNARY)))
    npfn, rule = UNARY[name]
    dtype = data.draw(st.sampled_from([d for d in DTYPES if d != B]))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    t = make(values(data.draw, shape, dtype), dtype, data.draw(layouts))
    fn = getattr(torch, name)
    if rule == "float_only" and dtype not in FLOATS:
        with pytest.raises(RuntimeError, match="not implemented for"):
            fn(t)
        return
    out = dtype if (dtype in FLOATS or rule == "same") else F32
    got = fn(t)
    x = to_numpy(t).astype(np.float64 if out in FLOATS else NP[out])
    with np.errstate(all="ignore"):
        want = npfn(x)
    rtol = {F16: 2e-3, BF16: 2e-2, F32: 2e-6, F64: 1e-12}.get(out)
    if name in ("relu", "sign") and out in FLOATS:
        want = np.where(np.isnan(x), (np.nan if name == "relu" else 0.0), want)
    assert_matches(got, np_cast(want, out), out, rtol=rtol)


def test_exp_and_log_are_accurate_and_handle_specials():
    x = np.linspace(-103, 88.7, 200001, dtype=np.float32)
    got = to_numpy(torch.exp(torch.from_numpy(x)))
    want = np.exp(x.astype(np.float64)).astype(np.float32)
    ulps = np.abs(got.view(np.int32).astype(np.int64) - want.view(np.int32).astype(np.int64))
    assert ulps.max() <= 2
    y = np.geomspace(1e-44, 3e38, 200001).astype(np.float32)
    got = to_numpy(torch.log(torch.from_numpy(y)))
    want = np.log(y.astype(np.float64)).astype(np.float32)
    ulps = np.abs(got.view(np.int32).astype(np.int64) - want.view(np.int32).astype(np.int64))
    assert ulps.max() <= 2
    d = np.linspace(-740, 709, 100001)
    np.testing.assert_allclose(to_numpy(torch.exp(torch.from_numpy(d))), np.exp(d), rtol=4e-16, atol=1e-323)
    dl = np.geomspace(1e-320, 1e308, 100001)
    np.testing.assert_allclose(to_numpy(torch.log(torch.from_numpy(dl))), np.log(dl), rtol=4e-16)
    for dt in (F32, F64):
        specials = torch.tensor([math.inf, -math.inf, math.nan, 0.0, -0.0, 1000.0, -1000.0, -1.0], dtype=dt)
        e = to_numpy(torch.exp(specials))
        assert e[0] == math.inf and e[1] == 0 and math.isnan(e[2]) and e[3] == e[4] == 1
        assert e[5] == math.inf and e[6] == 0
        lg = to_numpy(torch.log(specials))
        assert lg[0] == math.inf and math.isnan(lg[1]) and math.isnan(lg[2]) and lg[3] == lg[4] == -math.inf
        assert math.isnan(lg[7])


def test_unary_dtype_rules_and_errors():
    i = torch.tensor([4, -9])
    assert torch.sqrt(torch.tensor([4])).dtype == F32
    assert torch.floor(i).dtype == I64 and torch.floor(i).tolist() == [4, -9]
    assert torch.round(i).tolist() == [4, -9] and torch.trunc(i).dtype == I64 and torch.fix(i).dtype == I64
    assert torch.abs(i).tolist() == [4, 9] and torch.neg(i).tolist() == [-4, 9] and torch.negative(i).tolist() == [-4, 9]
    assert torch.sign(i).tolist() == [1, -1] and torch.sgn(i).tolist() == [1, -1]
    assert torch.relu(i).tolist() == [4, 0] and torch.square(i).tolist() == [16, 81]
    assert torch.positive(i) is i
    with pytest.raises(RuntimeError, match="\"frac_cpu\" not implemented for 'Long'"):
        torch.frac(i)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.exp_()
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        torch.relu(torch.tensor([True]))
    with pytest.raises(TypeError):
        torch.exp(3)
    r = torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, -2.5]))
    assert r.tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    assert torch.round(torch.tensor([1.2345, -2.5678], dtype=F64), decimals=2).tolist() == [1.23, -2.57]
    assert torch.round(torch.tensor([1234.0]), decimals=-2).tolist() == [1200.0]
    assert torch.sign(torch.tensor([-2.0, 0.0, 3.0])).tolist() == [-1.0, 0.0, 1.0]
    assert torch.frac(torch.tensor([-1.25, 2.5])).tolist() == [-0.25, 0.5]
    assert torch.erfinv(torch.tensor([0.0, 0.5, 1.0, -1.0], dtype=F64)).tolist()[:2] == pytest.approx([0.0, 0.4769362762044699], rel=1e-14)
    assert torch.erfinv(torch.tensor([1.0, -1.0, 2.0])).tolist()[:2] == [math.inf, -math.inf]
    lg = torch.logit(torch.tensor([0.25, 0.0]), eps=0.1)
    np.testing.assert_allclose(lg.tolist(), [math.log(1 / 3), math.log(0.1 / 0.9)], rtol=1e-6)
    assert torch.logit(torch.tensor([1])).dtype == F32


def test_nan_to_num_and_predicates():
    x = torch.tensor([math.nan, math.inf, -math.inf, 1.5, -0.0])
    assert torch.nan_to_num(x).tolist() == [0.0, float(np.finfo(np.float32).max), float(np.finfo(np.float32).min), 1.5, -0.0]
    assert torch.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0).tolist() == [1.0, 2.0, -2.0, 1.5, -0.0]
    assert torch.nan_to_num(x.half()).tolist()[1] == 65504.0
    assert torch.isnan(x).tolist() == [True, False, False, False, False]
    assert torch.isinf(x).tolist() == [False, True, True, False, False]
    assert torch.isposinf(x).tolist() == [False, True, False, False, False]
    assert torch.isneginf(x).tolist() == [False, False, True, False, False]
    assert torch.isfinite(x).tolist() == [False, False, False, True, True]
    assert torch.signbit(x).tolist()[3:] == [False, True]
    i = torch.tensor([1, -2])
    assert torch.isnan(i).tolist() == [False, False] and torch.isfinite(i).tolist() == [True, True]
    assert torch.isreal(i).tolist() == [True, True] and torch.nan_to_num(i).tolist() == [1, -2]


# ---------------------------------------------------------------------------------------------
# clamp, where, isclose / allclose / equal
# ---------------------------------------------------------------------------------------------
def test_clamp_forms():
    A = torch.tensor([[1.0, -2.0], [3.0, -4.0]])
    assert torch.clamp(A, min=-1, max=2).tolist() == [[1.0, -1.0], [2.0, -1.0]]
    assert torch.clamp(A, -1, 2).tolist() == [[1.0, -1.0], [2.0, -1.0]]
    assert torch.clamp(A, min=0).tolist() == [[1.0, 0.0], [3.0, 0.0]]
    assert A.clamp(max=0).tolist() == [[0.0, -2.0], [0.0, -4.0]]
    assert torch.clip(A, -1, 2).tolist() == [[1.0, -1.0], [2.0, -1.0]]
    assert A.clamp(2, 1).tolist() == [[1.0, 1.0], [1.0, 1.0]]  # min > max gives max
    assert math.isnan(torch.clamp(torch.tensor([math.nan]), 0, 1).item())
    i = torch.tensor([1, 5, 9])
    assert i.clamp(2, 6).dtype == I64 and i.clamp(2, 6).tolist() == [2, 5, 6]
    assert i.clamp(min=2.5).dtype == F32 and i.clamp(min=2.5).tolist() == [2.5, 5.0, 9.0]
    lo, hi = torch.tensor([0.0, 6.0, 0.0]), torch.tensor([[3.0], [8.0]])
    r = torch.clamp(torch.tensor([1.0, 5.0, 9.0]), lo, hi)
    assert r.shape == (2, 3) and r.tolist() == [[1.0, 3.0, 3.0], [1.0, 6.0, 8.0]]
    assert i.clamp_min(4).tolist() == [4, 5, 9] and i.clamp_max(4).tolist() == [1, 4, 4]
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        torch.clamp(A)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.clamp_(min=0.5)
    t = torch.tensor([1.0, -2.0, 3.0])
    v = t._version
    assert t.clamp_(min=0) is t and t.tolist() == [1.0, 0.0, 3.0] and t._version > v


def test_where():
    x = torch.tensor([[1.0, 7.0], [6.0, 2.0]])
    assert torch.where(x > 5, x, torch.tensor(0.0)).tolist() == [[0.0, 7.0], [6.0, 0.0]]
    s = torch.where(torch.tensor([1.0, -1.0]) > 0, 1.0, -1.0)
    assert s.dtype == F32 and s.tolist() == [1.0, -1.0]
    assert torch.where(torch.tensor([True, False]), 1, 0).dtype == I64
    m = torch.where(torch.tensor([True, False]), torch.tensor([1, 2]), torch.tensor([0.5]))
    assert m.dtype == F32 and m.tolist() == [1.0, 0.5]
    assert x.where(x > 5, -1.0).tolist() == [[-1.0, 7.0], [6.0, -1.0]]
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        torch.where(x, x, x)


def test_isclose_allclose_equal():
    a, b = torch.tensor([1.0, 1.1, math.inf, math.nan]), torch.tensor([1.0, 1.0, math.inf, math.nan])
    assert torch.isclose(a, b).tolist() == [True, False, True, False]
    assert torch.isclose(a, b, equal_nan=True).tolist()[3] is True
    assert torch.isclose(a, b, rtol=0.2).tolist()[1] is True
    assert torch.isclose(torch.tensor([1.0]), torch.tensor([math.inf])).tolist() == [False]
    assert torch.allclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-9])) is True
    assert torch.allclose(torch.tensor([1.0]), torch.tensor([1.1])) is False
    with pytest.raises(RuntimeError, match="Float did not match Long"):
        torch.isclose(torch.tensor([1.0]), torch.tensor([1]))
    x = torch.tensor([[1.0, 2.0]])
    assert torch.equal(x, torch.tensor([[1.0, 2.0]])) is True
    assert torch.equal(x, torch.tensor([1.0, 2.0])) is False
    assert torch.equal(torch.tensor([math.nan]), torch.tensor([math.nan])) is False


# ---------------------------------------------------------------------------------------------
# In-place semantics
# ---------------------------------------------------------------------------------------------
INPLACE_OPERATORS = [operator.iadd, operator.isub, operator.imul, operator.itruediv,
                     operator.ifloordiv, operator.imod, operator.ipow]


@pytest.mark.parametrize("op", INPLACE_OPERATORS)
def test_inplace_operators_keep_identity_and_bump_version(op):
    y = torch.tensor([[4.0, 9.0], [16.0, 25.0]])
    before, version, ptr = id(y), y._version, y.data_ptr()
    expected = op(np.asarray(y).copy(), np.float32(2.0))
    y2 = op(y, 2)
    assert id(y2) == before and y2.data_ptr() == ptr and y._version > version
    np.testing.assert_allclose(np.asarray(y), expected)


def test_inplace_cast_errors_and_allowed_casts():
    i = torch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i += 0.5
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i /= 2
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type Bool"):
        torch.tensor([True]).add_(1)
    f = torch.tensor([1.0, 2.0])
    f.add_(torch.tensor([1, 1]))
    assert f.tolist() == [2.0, 3.0]
    i.mul_(3)
    assert i.tolist() == [3, 6]
    with pytest.raises(RuntimeError, match="output with shape \\[2\\] doesn't match the broadcast shape \\[2, 2\\]"):
        f.add_(torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="For integral input tensors, argument alpha must not be a floating point number."):
        torch.add(i, i, alpha=0.5)
    assert torch.add(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]), alpha=2).tolist() == [3.0, 4.0]
    assert torch.sub(torch.tensor([1.0]), torch.tensor([1.0]), alpha=3).tolist() == [-2.0]


def test_inplace_on_non_contiguous_and_aliased_operands():
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = torch.from_numpy(base.T)  # a transposed view into `base`
    t += torch.from_numpy(np.arange(3, dtype=np.float32))
    np.testing.assert_array_equal(base.T, np.arange(12, dtype=np.float32).reshape(3, 4).T + np.arange(3))
    a = torch.tensor([1.0, 2.0, 3.0])
    a += a
    assert a.tolist() == [2.0, 4.0, 6.0]
    big = torch.from_numpy(np.linspace(-3, 3, 100000, dtype=np.float32))
    v = big._version
    big.exp_()
    np.testing.assert_allclose(np.asarray(big), np.exp(np.linspace(-3, 3, 100000)), rtol=1e-6)
    assert big._version == v + 1
    c = torch.tensor([5, 7])
    c.floor_divide_(2)
    assert c.tolist() == [2, 3]


def test_large_contiguous_and_broadcast_binary():
    n = 1 << 17
    a = np.random.RandomState(0).randn(n).astype(np.float32)
    b = np.random.RandomState(1).randn(n).astype(np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    np.testing.assert_array_equal(np.asarray(ta + tb), a + b)
    np.testing.assert_array_equal(np.asarray(ta * 2.5), a * np.float32(2.5))
    m = a.reshape(256, 512)
    col = b[:256].reshape(256, 1)
    np.testing.assert_array_equal(np.asarray(torch.from_numpy(m) - torch.from_numpy(col)), m - col)
    np.testing.assert_allclose(np.asarray(torch.sigmoid(ta)), 1 / (1 + np.exp(-a.astype(np.float64))), rtol=2e-6)


def test_rows_where_every_operand_is_broadcast():
    # A mean's backward divides an expanded gradient: both operands are constant along the
    # innermost rows, so each row is one value (and .contiguous() of an expansion likewise).
    g = np.random.RandomState(2).randn(4, 3, 1, 1).astype(np.float32)
    e = torch.from_numpy(g).expand(4, 3, 5, 7)
    np.testing.assert_array_equal(np.asarray(e / 35), np.broadcast_to(g / np.float32(35), (4, 3, 5, 7)))
    np.testing.assert_array_equal(np.asarray(e.contiguous()), np.broadcast_to(g, (4, 3, 5, 7)))
    np.testing.assert_array_equal(np.asarray(e.double()), np.broadcast_to(g.astype(np.float64), (4, 3, 5, 7)))
    x = torch.from_numpy(np.random.RandomState(3).randn(4, 3, 5, 7).astype(np.float32)).requires_grad_()
    torch.nn.functional.adaptive_avg_pool2d(x, 1).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), np.full((4, 3, 5, 7), 1 / 35, np.float32), rtol=1e-6)


def test_inplace_ops_on_large_tensors_and_broadcast_operands():
    # In place, the input passes through a chunk buffer before the vector loop writes it.
    rs = np.random.RandomState(4)
    a, b = rs.randn(3000, 37).astype(np.float32), rs.randn(3000, 1).astype(np.float32)
    t = torch.from_numpy(a.copy())
    t.add_(torch.from_numpy(b))
    np.testing.assert_array_equal(np.asarray(t), a + b)
    t.mul_(torch.from_numpy(a))
    np.testing.assert_array_equal(np.asarray(t), (a + b) * a)
    t.relu_()
    np.testing.assert_array_equal(np.asarray(t), np.maximum((a + b) * a, 0))
    u = torch.from_numpy(a.copy())
    u.add_(u, alpha=1)
    np.testing.assert_array_equal(np.asarray(u), a + a)


@pytest.mark.parametrize("dtype", ["int8", "int16", "float64", "complex128"])
def test_inplace_ops_across_buffer_chunks_for_every_element_size(dtype):
    # The in-place buffer holds a fixed number of bytes: 512 complex128 values, 8192 int8 ones.
    rs = np.random.RandomState(5)
    a = (rs.randn(9000) * 20).astype(dtype)
    b = (rs.randn(9000) * 20).astype(dtype)
    if dtype == "complex128":
        a = a + 1j * rs.randn(9000)
    t = torch.from_numpy(a.copy())
    t.sub_(torch.from_numpy(b))
    np.testing.assert_array_equal(np.asarray(t), a - b)
    t.mul_(t)  # both inputs are the output
    # Complex products may round differently from numpy's (fused multiply-adds).
    np.testing.assert_allclose(np.asarray(t), (a - b) * (a - b), rtol=1e-15)


PARTIAL_OVERLAP = "some elements of the input tensor and the written-to tensor refer to a single memory location"


def test_in_place_ops_refuse_an_input_that_partly_overlaps_the_output():
    # PyTorch raises for dense views of one buffer that are neither the same view nor disjoint
    # (the result would depend on the order elements are visited in).
    writes = [lambda u: u[1:].add_(u[:-1]), lambda u: u[1:].sub_(u[:-1], alpha=2),
              lambda u: u[1:].copy_(u[:-1]), lambda u: u.__setitem__(slice(1, None), u[:-1]),
              lambda u: u[1:].clamp_(max=u[:-1]), lambda u: u.view(3, 3).add_(u.view(3, 3).t()),
              lambda u: u[1:].lerp_(u[:-1], 0.5), lambda u: u[1:].addcmul_(u[:-1], u[:-1]),
              lambda u: torch.add(u[:-1], 1, out=u[1:]), lambda u: torch.sin(u[1:], out=u[:-1])]
    for write in writes:
        u = torch.arange(9.0)
        with pytest.raises(RuntimeError, match=PARTIAL_OVERLAP):
            write(u)
        assert u.tolist() == list(map(float, range(9)))  # untouched
    # The same view, disjoint views and non-dense views are allowed, and see the input's values
    # as they were before the write.
    v = torch.arange(10.0)
    v.mul_(v)
    v[:5] += v[5:]
    v[::2].add_(v[1::2])
    expected = np.arange(10.0) ** 2
    expected[:5] += expected[5:]
    expected[::2] += expected[1::2].copy()
    np.testing.assert_array_equal(np.asarray(v), expected)
    w = torch.arange(6.0).view(2, 3)
    w[:, :2].add_(w[:, 1:])  # overlapping, but not dense: computed from a copy
    np.testing.assert_array_equal(np.asarray(w), [[1.0, 3.0, 2.0], [7.0, 9.0, 5.0]])


def test_bad_operands():
    t = torch.tensor([1.0])
    with pytest.raises(TypeError):
        t + "a"
    with pytest.raises(TypeError, match="expected Tensor or number"):
        t.add("a")
    with pytest.raises(RuntimeError, match="The size of tensor a \\(3\\) must match the size of tensor b \\(2\\)"):
        torch.ones(2, 3) + torch.ones(2)
    with pytest.raises(RuntimeError, match="\"hypot_cpu\" not implemented for 'Long'"):
        torch.hypot(torch.tensor([3]), torch.tensor([4]))


def test_python_int_outside_int64_overflows_as_in_pytorch():
    # PyTorch converts the operand to an int64 Scalar first: OverflowError, not TypeError.
    for use in (lambda: torch.tensor([1]) + 2**70, lambda: torch.tensor([1.0]) * 2**70,
                lambda: torch.tensor([1]).add(2**70), lambda: 2**70 - torch.tensor([1])):
        with pytest.raises(OverflowError, match="int too big to convert"):
            use()
    # In range, integer results wrap like PyTorch's (C) arithmetic.
    assert (torch.tensor([1], dtype=torch.uint8) + 1000).tolist() == [233]
