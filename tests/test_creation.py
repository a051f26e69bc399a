"""Tensor creation, dtype conversions and random sampling, checked against NumPy and against
PyTorch's documented rules (dtype inference, error types and messages).

Random tests use fixed seeds and generous statistical bounds (many standard errors), so they
check the distributions without ever flaking.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustorch as torch

DTYPES = {
    torch.bool: np.bool_, torch.uint8: np.uint8, torch.int8: np.int8, torch.int16: np.int16,
    torch.int32: np.int32, torch.int64: np.int64, torch.float16: np.float16,
    torch.float32: np.float32, torch.float64: np.float64,
}
ALL_DTYPES = list(DTYPES) + [torch.bfloat16]
FLOAT_DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)


def values(t):
    """A tensor's values as a float64 NumPy array (bfloat16 included)."""
    return np.asarray(t.double())


# ----------------------------------------------------------------------------- torch.tensor


def pytorch_inferred(flat):
    """PyTorch's rule for Python scalars: any float -> default float, else any int -> int64,
    else bool; an empty list is the default float."""
    if any(isinstance(v, float) for v in flat):
        return torch.float32
    if any(isinstance(v, int) and not isinstance(v, bool) for v in flat):
        return torch.int64
    return torch.bool if flat else torch.float32


scalars = st.one_of(st.booleans(), st.integers(-1000, 1000), st.floats(-1e3, 1e3, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 3).flatmap(lambda rows: st.integers(0, 3).flatmap(
    lambda cols: st.lists(st.lists(scalars, min_size=cols, max_size=cols), min_size=rows, max_size=rows))))
def test_tensor_from_nested_lists_infers_dtype_and_values(data):
    t = torch.tensor(data)
    flat = [v for row in data for v in row]
    assert t.dtype == pytorch_inferred(flat)
    expected = np.array(data, dtype=np.float64)
    assert tuple(t.shape) == expected.shape
    np.testing.assert_allclose(values(t), expected.astype(DTYPES[t.dtype]).astype(np.float64), rtol=1e-6)


def test_tensor_scalars_tuples_and_ranges():
    assert torch.tensor(3).dtype == torch.int64 and torch.tensor(3).dim() == 0
    assert torch.tensor(3.5).shape == torch.Size([])
    assert torch.tensor(True).dtype == torch.bool
    assert torch.tensor((1, 2.5)).tolist() == [1.0, 2.5]
    assert torch.tensor(range(4)).tolist() == [0, 1, 2, 3]
    assert torch.tensor([]).dtype == torch.float32 and torch.tensor([]).shape == (0,)
    assert torch.tensor([[], []]).shape == (2, 0)
    assert torch.tensor([[1, 2], [3, 4]], dtype=torch.int8).dtype == torch.int8


def test_tensor_numpy_scalars_keep_their_dtype():
    assert torch.tensor(np.float64(2.5)).dtype == torch.float64
    assert torch.tensor([np.float32(1), np.float32(2)]).dtype == torch.float32
    assert torch.tensor([np.float32(1), 2.0]).dtype == torch.float32
    assert torch.tensor([np.float64(1), 2.0]).dtype == torch.float64
    assert torch.tensor([np.int16(3), True]).dtype == torch.int16
    assert torch.tensor([np.int32(1), 5]).dtype == torch.int64
    assert torch.tensor([np.bool_(True), np.bool_(False)]).tolist() == [True, False]


def test_tensor_of_tensors_and_copy_warning():
    t = torch.tensor([torch.tensor(1.0), torch.tensor(2.0)])
    assert t.tolist() == [1.0, 2.0]
    src = torch.ones(2)
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        c = torch.tensor(src)
    c.add_(1)
    assert src.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("data, exc, fragment", [
    ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    ([[1], [2, 3]], ValueError, "expected sequence of length 1 at dim 1 (got 2)"),
    ([[1, 2], 3], TypeError, "not a sequence"),
    ([1, [2, 3]], TypeError, "list"),
    ([1, "a"], TypeError, "new(): invalid data type 'str'"),
    ("abc", TypeError, "new(): invalid data type 'str'"),
    (None, RuntimeError, "Could not infer dtype of NoneType"),
    ({1: 2}, RuntimeError, "Could not infer dtype of dict"),
    (2 ** 63, RuntimeError, "Overflow when unpacking long"),
])
def test_tensor_bad_data(data, exc, fragment):
    with pytest.raises(exc) as info:
        torch.tensor(data)
    assert fragment in str(info.value)


# ---------------------------------------------------------------- zeros / ones / full / empty


@settings(max_examples=40, deadline=None)
@given(shapes, st.sampled_from(ALL_DTYPES))
def test_zeros_ones_full_empty_match_numpy(shape, dtype):
    for t, fill in [(torch.zeros(shape, dtype=dtype), 0), (torch.ones(*shape, dtype=dtype) if shape else torch.ones(shape, dtype=dtype), 1),
                    (torch.full(shape, 3, dtype=dtype), 3)]:
        assert t.dtype == dtype and tuple(t.shape) == shape and t.is_contiguous()
        expected = np.full(shape, fill).astype(DTYPES.get(dtype, np.float32)).astype(np.float64)
        np.testing.assert_array_equal(values(t), expected)
    e = torch.empty(shape, dtype=dtype)
    assert e.dtype == dtype and tuple(e.shape) == shape


def test_factory_default_dtypes_and_size_forms():
    assert torch.zeros(2, 3).dtype == torch.float32
    assert torch.ones(size=(2, 1)).shape == (2, 1)
    assert torch.zeros(torch.Size([3])).shape == (3,)
    assert torch.full((2,), 4).dtype == torch.int64
    assert torch.full((2,), True).dtype == torch.bool
    assert torch.full((2,), 1.5).dtype == torch.float32
    assert torch.full((2,), 1.5, dtype=torch.int32).tolist() == [1, 1]
    assert torch.full((), torch.tensor(2.5)).tolist() == 2.5
    assert torch.zeros(2, dtype=float).dtype == torch.float64


def test_factory_out_argument():
    out = torch.empty(3, dtype=torch.int64)
    r = torch.ones(3, out=out)
    assert r is out and out.tolist() == [1, 1, 1] and out.dtype == torch.int64
    torch.zeros(2, 2, out=out)
    assert out.shape == (2, 2)


@pytest.mark.parametrize("call, exc, fragment", [
    (lambda: torch.zeros(2, -1), RuntimeError, "Trying to create tensor with negative dimension -1: [2, -1]"),
    (lambda: torch.zeros(), TypeError, "missing 1 required positional arguments"),
    (lambda: torch.ones(2.5), TypeError, "must be tuple of ints"),
    (lambda: torch.zeros(2, device="cuda"), AssertionError, "Torch not compiled with CUDA enabled"),
])
def test_factory_bad_arguments(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value)


# ------------------------------------------------------------------------------ ranges


@settings(max_examples=60, deadline=None)
@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7).filter(bool))
def test_arange_integers_match_numpy(start, end, step):
    expected = np.arange(start, end, step)
    if (end - start) * step < 0:
        with pytest.raises(RuntimeError, match="upper bound and larger bound inconsistent with step sign"):
            torch.arange(start, end, step)
        return
    t = torch.arange(start, end, step)
    assert t.dtype == torch.int64
    assert t.tolist() == expected.tolist()


@settings(max_examples=40, deadline=None)
@given(st.floats(-10, 10), st.floats(0.05, 3))
def test_arange_float_steps_match_numpy(start, step):
    end = start + 7.3
    t = torch.arange(start, end, step, dtype=torch.float64)
    np.testing.assert_allclose(np.asarray(t), np.arange(start, end, step), rtol=1e-12, atol=1e-12)


def test_arange_forms_and_dtypes():
    assert torch.arange(4.0).tolist() == [0.0, 1.0, 2.0, 3.0]
    assert torch.arange(4.0).dtype == torch.float32
    assert torch.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert torch.arange(0, 1, 0.1).shape == (10,)
    assert torch.arange(12, dtype=torch.float32).dtype == torch.float32
    assert torch.arange(torch.tensor(3)).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        torch.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="unsupported range"):
        torch.arange(0, float("inf"))


def test_range_is_inclusive_float_and_deprecated():
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        r = torch.range(1, 10, 2)
    assert r.dtype == torch.float32 and r.tolist() == [1.0, 3.0, 5.0, 7.0, 9.0]
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(np.asarray(torch.range(0, 1, 0.25)), np.linspace(0, 1, 5))


@settings(max_examples=40, deadline=None)
@given(st.floats(-100, 100), st.floats(-100, 100), st.integers(0, 300))
def test_linspace_and_logspace_match_numpy(start, end, steps):
    t = torch.linspace(start, end, steps, dtype=torch.float64)
    np.testing.assert_allclose(np.asarray(t), np.linspace(start, end, steps), rtol=1e-12, atol=1e-12)
    t32 = torch.linspace(start, end, steps)
    assert t32.dtype == torch.float32
    np.testing.assert_allclose(np.asarray(t32), np.linspace(start, end, steps), rtol=1e-5, atol=1e-4)
    if steps > 1:
        assert np.asarray(t32)[[0, -1]].tolist() == [np.float32(start), np.float32(end)]
    lo, hi = start / 50, end / 50
    np.testing.assert_allclose(np.asarray(torch.logspace(lo, hi, steps, dtype=torch.float64)),
                               np.logspace(lo, hi, steps), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(torch.logspace(lo, hi, steps, base=2.0, dtype=torch.float64)),
                               np.logspace(lo, hi, steps, base=2.0), rtol=1e-10)


def test_linspace_integer_dtype_and_errors():
    assert torch.linspace(0, 10, 4, dtype=torch.int64).tolist() == [0, 3, 6, 10]
    assert torch.linspace(2, 5, 1).tolist() == [2.0]
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        torch.linspace(0, 1, -1)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 6), st.one_of(st.none(), st.integers(0, 6)), st.sampled_from(ALL_DTYPES))
def test_eye_matches_numpy(n, m, dtype):
    t = torch.eye(n, m, dtype=dtype) if m is not None else torch.eye(n, dtype=dtype)
    assert t.dtype == dtype
    np.testing.assert_array_equal(values(t), np.eye(n, m))


def test_eye_errors():
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        torch.eye(-1)
    with pytest.raises(RuntimeError, match="m must be greater or equal to 0, got -2"):
        torch.eye(2, -2)


# ------------------------------------------------------------------- *_like and new_*


@settings(max_examples=30, deadline=None)
@given(shapes, st.sampled_from(ALL_DTYPES), st.sampled_from([None] + ALL_DTYPES))
def test_like_functions_follow_input_unless_dtype_given(shape, dtype, override):
    src = torch.zeros(shape, dtype=dtype)
    kw = {} if override is None else {"dtype": override}
    want = override or dtype
    for t, fill in [(torch.zeros_like(src, **kw), 0), (torch.ones_like(src, **kw), 1),
                    (torch.full_like(src, 7, **kw), 7)]:
        assert t.dtype == want and tuple(t.shape) == shape
        expected = np.full(shape, fill).astype(DTYPES.get(want, np.float32)).astype(np.float64)
        np.testing.assert_array_equal(values(t), expected)
    assert torch.empty_like(src, **kw).dtype == want


def test_like_preserves_dense_strides():
    base = torch.zeros(2, 3)
    t = torch.from_numpy(np.zeros((2, 3), dtype=np.float32).T)  # a transposed (dense) view
    assert t.stride() == (1, 3)
    assert torch.zeros_like(t).stride() == (1, 3)
    assert torch.empty_like(t, memory_format=torch.contiguous_format).stride() == (2, 1)
    assert torch.ones_like(base).stride() == (3, 1)
    sliced = torch.from_numpy(np.zeros((4, 4), dtype=np.float32)[:, ::2])  # not dense
    assert torch.zeros_like(sliced).stride() == (2, 1)


def test_clone_preserves_dense_strides_like_pytorch():
    # clone's default memory_format is preserve_format: a transposed or permuted (dense) view
    # keeps its strides (values from PyTorch 2.15); a strided slice becomes contiguous.
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = torch.from_numpy(values).permute(2, 0, 1)
    for copy in (t.clone(), torch.clone(t)):
        assert copy.stride() == (1, 12, 4) and not copy.is_contiguous()
        np.testing.assert_array_equal(np.asarray(copy), values.transpose(2, 0, 1))
        assert copy.data_ptr() != t.data_ptr()
    assert t.clone(memory_format=torch.contiguous_format).stride() == (6, 3, 1)
    assert torch.from_numpy(values[:, :, ::2]).clone().stride() == (6, 2, 1)
    leaf = torch.from_numpy(values.copy()).requires_grad_()
    leaf.transpose(0, 2).clone().sum().backward()
    np.testing.assert_array_equal(np.asarray(leaf.grad), np.ones((2, 3, 4), np.float32))


def test_new_methods_follow_self_dtype():
    a = torch.tensor([[1, 2, 3], [4, 5, 6]])
    assert a.new_tensor([7, 8]).dtype == torch.int64
    assert torch.ones(2).new_tensor([1, 2]).dtype == torch.float32
    nf = a.new_full((2, 2), 3.0)
    assert nf.dtype == torch.int64 and nf.tolist() == [[3, 3], [3, 3]]
    assert a.new_ones(size=torch.ones(4, 1).size()).tolist() == [[1], [1], [1], [1]]
    assert a.new_zeros((3,)).tolist() == [0, 0, 0]
    assert a.new_zeros(2, 3).shape == (2, 3)
    assert a.new_empty(3, dtype=torch.float64).dtype == torch.float64
    assert a.new_ones(2, dtype=torch.bool).tolist() == [True, True]
    assert a.new([1, 2]).dtype == torch.int64 and a.new(4).shape == (4,)


# ------------------------------------------------------------------- legacy constructors


@pytest.mark.parametrize("cls, dtype", [
    (torch.FloatTensor, torch.float32), (torch.DoubleTensor, torch.float64),
    (torch.HalfTensor, torch.float16), (torch.BFloat16Tensor, torch.bfloat16),
    (torch.ByteTensor, torch.uint8), (torch.CharTensor, torch.int8),
    (torch.ShortTensor, torch.int16), (torch.IntTensor, torch.int32),
    (torch.LongTensor, torch.int64), (torch.BoolTensor, torch.bool),
])
def test_legacy_typed_constructors(cls, dtype):
    t = cls([1, 0])
    assert type(t) is torch.Tensor and t.dtype == dtype and values(t).tolist() == [1.0, 0.0]
    assert cls(2, 3).shape == (2, 3) and cls(2, 3).dtype == dtype
    assert cls().shape == (0,)
    assert isinstance(torch.zeros(1, dtype=dtype), cls)
    assert issubclass(cls, torch.Tensor)
    converted = torch.zeros(2).type(cls)
    assert converted.dtype == dtype and converted.type() == "torch." + cls.__name__


def test_tensor_constructor_forms():
    assert torch.Tensor([1, 3]).tolist() == [1.0, 3.0]
    assert torch.Tensor(2, 3).shape == (2, 3) and torch.Tensor(2, 3).dtype == torch.float32
    assert torch.Tensor(torch.Size([2, 3])).shape == (2, 3)
    assert torch.Tensor((2, 3)).tolist() == [2.0, 3.0]
    src = torch.ones(2)
    alias = torch.Tensor(src)
    alias.add_(1)
    assert src.tolist() == [2.0, 2.0]
    with pytest.raises(TypeError, match="expected torch.FloatTensor"):
        torch.Tensor(torch.tensor([1, 2]))
    assert not isinstance(torch.zeros(1), torch.LongTensor)


# ------------------------------------------------------------------- dtype conversions


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=8),
       st.sampled_from(list(DTYPES)))
def test_conversions_match_numpy_astype(data, dtype):
    src = torch.tensor(data, dtype=torch.float64)
    arr = np.array(data, dtype=np.float64)
    if dtype == torch.uint8:  # C casts of negative floats to unsigned wrap through int64
        expected = arr.astype(np.int64).astype(np.uint8)
    elif dtype in (torch.int8, torch.int16):
        expected = arr.astype(np.int64).astype(DTYPES[dtype])
    else:
        expected = arr.astype(DTYPES[dtype])
    for t in (src.to(dtype), src.type(dtype), src.to(torch.zeros(1, dtype=dtype))):
        assert t.dtype == dtype
        np.testing.assert_array_equal(values(t), expected.astype(np.float64))


def test_named_conversions():
    v = torch.tensor([1.7, -2.2, 0.0])
    assert v.long().tolist() == [1, -2, 0] and v.long().dtype == torch.int64
    assert v.int().dtype == torch.int32
    assert v.double().dtype == torch.float64
    assert v.half().dtype == torch.float16
    assert v.bfloat16().dtype == torch.bfloat16
    assert v.bool().tolist() == [True, True, False]
    assert v.to(torch.int8).tolist() == [1, -2, 0]
    assert torch.tensor([True, False]).long().tolist() == [1, 0]
    assert v.float() is v and v.to(torch.float32) is v
    assert v.to(torch.float32, copy=True) is not v
    assert v.to("cpu", torch.float64).dtype == torch.float64
    assert v.to(dtype=torch.float64, device="cpu").dtype == torch.float64
    assert v.type() == "torch.FloatTensor"
    assert v.type("torch.IntTensor").dtype == torch.int32
    with pytest.raises(ValueError, match="invalid type"):
        v.type("torch.NoSuchTensor")


# ------------------------------------------------------------------------------ random


def test_manual_seed_reproduces_every_sampler():
    def draw():
        return [torch.rand(5).tolist(), torch.randn(3, dtype=torch.float64).tolist(),
                torch.randint(0, 100, (6,)).tolist(), torch.randperm(7).tolist(),
                torch.normal(2.0, 3.0, (3,)).tolist(), torch.empty(4).uniform_(-1, 1).tolist(),
                torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 2).tolist()]
    torch.manual_seed(123)
    a = draw()
    torch.manual_seed(123)
    assert draw() == a
    assert draw() != a


def test_large_outputs_are_reproducible_and_do_not_repeat():
    torch.manual_seed(7)
    a = np.asarray(torch.rand(200_000))
    torch.manual_seed(7)
    b = np.asarray(torch.rand(200_000))
    np.testing.assert_array_equal(a, b)
    # 24-bit uniforms: about 1200 birthday collisions are expected among 200k draws, no more.
    assert len(np.unique(a)) > 198_000


def test_seed_api():
    g = torch.manual_seed(42)
    assert isinstance(g, torch.Generator)
    assert torch.initial_seed() == 42
    torch.manual_seed(-1)
    assert torch.initial_seed() == 2 ** 64 - 1
    s = torch.seed()
    assert isinstance(s, int) and torch.initial_seed() == s
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        torch.manual_seed(2 ** 64)
    assert torch.Generator().initial_seed() == 67280421310721


def test_rng_state_round_trip_and_errors():
    torch.manual_seed(0)
    state = torch.get_rng_state()
    assert state.dtype == torch.uint8
    a = torch.rand(4).tolist()
    torch.set_rng_state(state)
    assert torch.rand(4).tolist() == a
    torch.random.set_rng_state(state)
    assert torch.random.get_rng_state().tolist() == state.tolist()
    with pytest.raises(TypeError, match="expected a torch.ByteTensor"):
        torch.set_rng_state([1, 2])
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        torch.set_rng_state(torch.zeros(16))
    with pytest.raises(RuntimeError):
        torch.set_rng_state(torch.zeros(3, dtype=torch.uint8))


def test_generators_are_independent_streams():
    g1 = torch.Generator().manual_seed(5)
    g2 = torch.Generator().manual_seed(5)
    torch.manual_seed(99)
    x = torch.randn(4, generator=g1).tolist()
    torch.rand(10)  # the default generator does not disturb g2
    assert torch.randn(4, generator=g2).tolist() == x
    st_ = g1.get_state()
    y = torch.rand(3, generator=g1).tolist()
    assert torch.rand(3, generator=g1.set_state(st_)).tolist() == y
    assert str(g1.device) == "cpu"
    with pytest.raises(TypeError, match="torch.Generator"):
        torch.rand(2, generator=3)


def test_fork_rng_restores_the_stream():
    torch.manual_seed(3)
    with torch.random.fork_rng():
        torch.rand(10)
    after = torch.rand(2).tolist()
    torch.manual_seed(3)
    assert torch.rand(2).tolist() == after


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_rand_is_uniform_on_unit_interval(dtype):
    torch.manual_seed(0)
    x = values(torch.rand(100_000, dtype=dtype))
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    counts, _ = np.histogram(x, bins=10, range=(0, 1))
    assert np.all(np.abs(counts - 10_000) < 800)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_randn_is_standard_normal(dtype):
    torch.manual_seed(1)
    x = values(torch.randn(100_000, dtype=dtype))
    assert abs(x.mean()) < 0.02 and abs(x.std() - 1) < 0.02
    # Tail mass beyond 2 sigma: 4.55%.
    assert abs(np.mean(np.abs(x) > 2) - 0.0455) < 0.005
    assert abs(np.mean(x ** 3)) < 0.05  # symmetric


def test_normal_overloads():
    torch.manual_seed(2)
    x = values(torch.normal(3.0, 2.0, size=(50_000,)))
    assert abs(x.mean() - 3) < 0.05 and abs(x.std() - 2) < 0.05
    mean = torch.tensor([0.0, 100.0])
    std = torch.tensor([1.0, 0.0])
    t = torch.normal(mean, std)
    assert t.shape == (2,) and t.tolist()[1] == 100.0
    assert torch.normal(mean, 2.0).shape == (2,)
    assert torch.normal(5.0, std).tolist()[1] == 5.0
    assert torch.normal(torch.zeros(3, 1), torch.ones(1, 4)).shape == (3, 4)
    assert torch.normal(0.0, 1.0, (2, 3), dtype=torch.float64).dtype == torch.float64
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        torch.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="normal expects all elements of std >= 0.0"):
        torch.normal(mean, torch.tensor([1.0, -1.0]))
    with pytest.raises(TypeError):
        torch.normal(0.0, 1.0)


@settings(max_examples=20, deadline=None)
@given(st.integers(-50, 50), st.integers(1, 60), st.sampled_from([torch.int64, torch.int32, torch.int16, torch.float32, torch.float64]))
def test_randint_range_and_dtype(low, width, dtype):
    torch.manual_seed(low * 100 + width)
    t = torch.randint(low, low + width, (500,), dtype=dtype)
    assert t.dtype == dtype
    v = values(t)
    assert v.min() >= low and v.max() < low + width and np.all(v == np.round(v))


def test_randint_forms_uniformity_and_errors():
    torch.manual_seed(4)
    t = torch.randint(10, (60_000,))
    assert t.dtype == torch.int64
    counts = np.bincount(np.asarray(t), minlength=10)
    assert len(counts) == 10 and np.all(np.abs(counts - 6000) < 450)
    assert torch.randint(3, 5, size=(2, 2)).shape == (2, 2)
    assert torch.randint(low=2, high=3, size=(3,)).tolist() == [2, 2, 2]
    assert torch.randint(0, 2, (3,), dtype=torch.bool).dtype == torch.bool
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but got from=5 >= to=5"):
        torch.randint(5, 5, (2,))
    with pytest.raises(RuntimeError, match="from=0 >= to=-3"):
        torch.randint(-3, (2,))
    with pytest.raises(RuntimeError, match="to - 1 is out of bounds for"):
        torch.randint(0, 300, (2,), dtype=torch.uint8)


def test_randperm_is_a_permutation():
    torch.manual_seed(5)
    for n in (0, 1, 10, 1000):
        p = torch.randperm(n)
        assert p.dtype == torch.int64 and sorted(p.tolist()) == list(range(n))
    assert torch.randperm(5, dtype=torch.float32).dtype == torch.float32
    # Each position is uniform over the values.
    firsts = np.array([torch.randperm(4).tolist()[0] for _ in range(4000)])
    assert np.all(np.abs(np.bincount(firsts, minlength=4) - 1000) < 150)
    with pytest.raises(RuntimeError, match="n must be non-negative"):
        torch.randperm(-1)


def test_random_like_functions():
    src = torch.zeros(3, 4, dtype=torch.float64)
    assert torch.rand_like(src).dtype == torch.float64 and torch.rand_like(src).shape == (3, 4)
    assert torch.randn_like(src, dtype=torch.float32).dtype == torch.float32
    r = torch.randint_like(src, 10)
    assert r.dtype == torch.float64 and values(r).max() < 10
    r = torch.randint_like(src, 5, 7)
    assert set(values(r).ravel().tolist()) <= {5.0, 6.0}
    with pytest.raises(RuntimeError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        torch.rand_like(torch.zeros(2, dtype=torch.int64))


def test_random_dtype_errors():
    with pytest.raises(RuntimeError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        torch.rand(2, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="\"normal_kernel_cpu\" not implemented for 'Int'"):
        torch.randn(2, dtype=torch.int32)


def test_in_place_samplers():
    torch.manual_seed(6)
    t = torch.empty(50_000, dtype=torch.float64)
    assert t.uniform_(-2, 3) is t
    v = np.asarray(t)
    assert v.min() >= -2 and v.max() < 3 and abs(v.mean() - 0.5) < 0.03
    t.normal_(1.0, 0.5)
    assert abs(v.mean() - 1) < 0.01 and abs(v.std() - 0.5) < 0.01
    t.exponential_(2.0)
    assert v.min() >= 0 and abs(v.mean() - 0.5) < 0.01
    t.bernoulli_(0.25)
    assert set(np.unique(v)) <= {0.0, 1.0} and abs(v.mean() - 0.25) < 0.01
    t.random_(0, 4)
    assert set(np.unique(v)) == {0.0, 1.0, 2.0, 3.0}
    t.random_(5)
    assert v.max() == 4 and v.min() == 0
    b = torch.empty(1000, dtype=torch.uint8).random_()
    assert values(b).max() > 200
    with pytest.raises(RuntimeError, match="uniform_ expects to return a \\[from, to\\) range, but found from=2 > to=1"):
        t.uniform_(2, 1)
    with pytest.raises(RuntimeError, match="bernoulli_ expects p to be in \\[0, 1\\], but got p=1.5"):
        t.bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="exponential_ expects lambda > 0.0"):
        t.exponential_(0)


def test_in_place_sampling_of_non_contiguous_views():
    base = np.zeros((4, 6))
    view = torch.from_numpy(base[:, ::2])
    view.uniform_(1, 2)
    assert np.all(base[:, ::2] >= 1) and np.all(base[:, 1::2] == 0)


def test_bernoulli_and_multinomial_frequencies():
    torch.manual_seed(8)
    p = torch.tensor([0.0, 0.3, 1.0])
    draws = np.array([torch.bernoulli(p).tolist() for _ in range(3000)])
    assert draws[:, 0].sum() == 0 and draws[:, 2].sum() == 3000 and abs(draws[:, 1].mean() - 0.3) < 0.04
    assert torch.bernoulli(torch.zeros(3, dtype=torch.float64)).dtype == torch.float64
    weights = torch.tensor([1.0, 2.0, 0.0, 7.0])
    s = np.asarray(torch.multinomial(weights, 20_000, replacement=True))
    freq = np.bincount(s, minlength=4) / 20_000
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.0, 0.7], atol=0.015)
    rows = torch.multinomial(torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 5.0]]), 3)
    assert rows.shape == (2, 3) and sorted(rows.tolist()[0]) == [0, 1, 2] and rows.tolist()[1][0] == 2
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"):
        torch.multinomial(weights, 5)
    with pytest.raises(RuntimeError, match="invalid multinomial distribution \\(sum of probabilities <= 0\\)"):
        torch.multinomial(torch.zeros(3), 1)
    with pytest.raises(RuntimeError, match="probability tensor contains either `inf`, `nan` or element < 0"):
        torch.multinomial(torch.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match="prob_dist must be 1 or 2 dim"):
        torch.multinomial(torch.ones(1, 1, 1), 1)


def test_factories_accept_requires_grad_keyword():
    # The flag is stored by the autograd layer; factories must accept it everywhere.
    for make in (lambda: torch.zeros(2, requires_grad=True), lambda: torch.rand(2, requires_grad=True),
                 lambda: torch.tensor([1.0], requires_grad=True), lambda: torch.full((1,), 2.0, requires_grad=True),
                 lambda: torch.linspace(0, 1, 3, requires_grad=True), lambda: torch.eye(2, requires_grad=True)):
        assert make().dtype == torch.float32
