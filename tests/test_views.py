"""Views and shape ops against NumPy: random shapes, dtypes and memory layouts (contiguous,
transposed, strided, expanded), storage sharing through views, and PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustorch as torch

NUMPY_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
LAYOUTS = ["contiguous", "transposed", "strided", "expanded"]
FAST = settings(max_examples=60, deadline=None)


def values(shape, dtype, seed):
    """Small integer values (exact in every dtype), as `dtype`."""
    data = np.random.default_rng(seed).integers(-60, 60, size=shape)
    return data.astype(np.dtype(dtype))


def as_tensor(a, layout):
    """A rustorch tensor equal to `a` whose memory is laid out as `layout` says."""
    if layout == "transposed" and a.ndim >= 2:
        order = tuple(reversed(range(a.ndim)))
        return torch.tensor(np.ascontiguousarray(a.transpose(order))).permute(*order)
    if layout == "strided" and a.ndim >= 1:
        wide = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
        wide[..., ::2] = a
        return torch.tensor(wide)[..., ::2]
    if layout == "expanded" and a.ndim >= 1 and a.shape[0] > 0:
        return torch.tensor(a[:1]).expand(*a.shape)
    return torch.tensor(a)


def reference(a, layout):
    """The NumPy array `as_tensor(a, layout)` holds (expanded layouts repeat the first row)."""
    if layout == "expanded" and a.ndim >= 1 and a.shape[0] > 0:
        return np.broadcast_to(a[:1], a.shape)
    return a


@st.composite
def tensors(draw, min_dims=0, max_dims=4, dtypes=NUMPY_DTYPES, max_side=4):
    ndim = draw(st.integers(min_dims, max_dims))
    shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=ndim, max_size=ndim)))
    a = values(shape, draw(st.sampled_from(dtypes)), draw(st.integers(0, 2**31)))
    layout = draw(st.sampled_from(LAYOUTS))
    return as_tensor(a, layout), reference(a, layout)


def check(t, expected):
    expected = np.asarray(expected)
    assert isinstance(t, torch.Tensor)
    assert str(t.dtype) == "torch." + expected.dtype.name
    assert tuple(t.shape) == expected.shape
    np.testing.assert_array_equal(np.asarray(t), expected)


def torch_promote(a, b):
    """PyTorch's promotion of two tensor dtypes (its documented table): within a category it
    agrees with NumPy; across categories the higher category's dtype wins unchanged."""
    category = lambda d: 0 if d == np.bool_ else (2 if np.issubdtype(d, np.floating) else 1)
    a, b = np.dtype(a), np.dtype(b)
    if category(a) == category(b):
        return np.promote_types(a, b)
    return a if category(a) > category(b) else b


# --------------------------------------------------------------------------- views


@FAST
@given(tensors(), st.data())
def test_reshape_view_and_flatten_match_numpy(tv, data):
    t, a = tv
    if a.size:
        first = data.draw(st.sampled_from([d for d in range(1, a.size + 1) if a.size % d == 0]))
        check(t.reshape(first, -1), a.reshape(first, -1))
    check(t.reshape(-1), a.reshape(-1))
    check(t.flatten(), a.reshape(-1))
    if a.ndim:
        start = data.draw(st.integers(0, a.ndim - 1))
        end = data.draw(st.integers(start, a.ndim - 1))
        expected = a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1:]) if a.size else a.reshape(
            a.shape[:start] + (int(np.prod(a.shape[start:end + 1])),) + a.shape[end + 1:])
        check(t.flatten(start, end), expected)
    if t.is_contiguous():
        check(t.view(-1), a.reshape(-1))


@FAST
@given(tensors(), st.data())
def test_squeeze_unsqueeze_transpose_permute_movedim(tv, data):
    t, a = tv
    check(t.squeeze(), a.squeeze())
    check(t.unsqueeze(0), a[None])
    dim = data.draw(st.integers(-a.ndim - 1, a.ndim))
    check(t.unsqueeze(dim), np.expand_dims(a, dim))
    if a.ndim:
        d = data.draw(st.integers(-a.ndim, a.ndim - 1))
        check(t.squeeze(d), np.squeeze(a, d) if a.shape[d] == 1 else a)
        d0, d1 = data.draw(st.integers(0, a.ndim - 1)), data.draw(st.integers(0, a.ndim - 1))
        check(t.transpose(d0, d1), np.swapaxes(a, d0, d1))
        check(t.swapaxes(d0, d1), np.swapaxes(a, d0, d1))
        order = data.draw(st.permutations(range(a.ndim)))
        check(t.permute(*order), a.transpose(order))
        check(t.permute(order), a.transpose(order))
        check(torch.permute(t, order), a.transpose(order))
        src = data.draw(st.integers(0, a.ndim - 1))
        dst = data.draw(st.integers(0, a.ndim - 1))
        check(t.movedim(src, dst), np.moveaxis(a, src, dst))
        check(torch.moveaxis(t, src, dst), np.moveaxis(a, src, dst))
    check(t.T, a.transpose(tuple(reversed(range(a.ndim))))) if a.ndim in (0, 2) else None
    if a.ndim >= 2:
        check(t.mT, np.swapaxes(a, -1, -2))
    if a.ndim <= 2:
        check(t.t(), a.T)


@FAST
@given(tensors(max_dims=3), st.data())
def test_expand_and_broadcast(tv, data):
    t, a = tv
    ones = tuple(1 if data.draw(st.booleans()) else s for s in a.shape)
    small = a[tuple(slice(0, 1) if o == 1 else slice(None) for o in ones)]
    small = np.array(small)
    base = torch.tensor(small)
    lead = data.draw(st.lists(st.integers(0, 3), max_size=2))
    target = tuple(lead) + a.shape
    check(base.expand(*target), np.broadcast_to(small, target))
    check(base.expand(target), np.broadcast_to(small, target))
    check(base.broadcast_to(target), np.broadcast_to(small, target))
    keep = tuple(lead) + tuple(-1 if o == 1 and s == 1 else s for o, s in zip(ones, a.shape))
    check(base.expand(*keep), np.broadcast_to(small, target))
    x, y = torch.broadcast_tensors(base, t)
    ex, ey = np.broadcast_arrays(small, a)
    check(x, ex)
    check(y, ey)
    assert torch.broadcast_shapes(small.shape, (1,) + a.shape) == np.broadcast_shapes(small.shape, (1,) + a.shape)


@FAST
@given(tensors(min_dims=1), st.data())
def test_narrow_select_unbind_split_chunk(tv, data):
    t, a = tv
    dim = data.draw(st.integers(-a.ndim, a.ndim - 1))
    size = a.shape[dim]
    start = data.draw(st.integers(0, size))
    length = data.draw(st.integers(0, size - start))
    check(t.narrow(dim, start, length), np.take(a, range(start, start + length), axis=dim))
    if size:
        i = data.draw(st.integers(-size, size - 1))
        check(t.select(dim, i), np.take(a, i, axis=dim))
    parts = t.unbind(dim)
    assert isinstance(parts, tuple) and len(parts) == size
    for p, e in zip(parts, np.moveaxis(a, dim, 0)):
        check(p, e)
    step = data.draw(st.integers(1, 5))
    pieces = t.split(step, dim)
    starts = list(range(0, size, step)) or [0]
    assert len(pieces) == len(starts)
    for p, s in zip(pieces, starts):
        check(p, np.take(a, range(s, min(s + step, size)), axis=dim))
    chunks = data.draw(st.integers(1, 5))
    chunk_size = -(-size // chunks)
    got = t.chunk(chunks, dim)
    expected_starts = list(range(0, size, chunk_size)) if chunk_size else [0] * chunks
    assert len(got) == len(expected_starts)
    sections = data.draw(st.integers(1, 5))
    for p, e in zip(t.tensor_split(sections, dim), np.array_split(a, sections, axis=dim)):
        check(p, e)
    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=3)))
    for p, e in zip(torch.tensor_split(t, cuts, dim), np.split(a, cuts, axis=dim)):
        check(p, e)
    sizes = [length, size - length]
    for p, e in zip(t.split(sizes, dim), np.split(a, [length], axis=dim)):
        check(p, e)


@FAST
@given(tensors(min_dims=2, max_dims=4), st.data())
def test_diagonal_is_numpy_diagonal(tv, data):
    t, a = tv
    d1, d2 = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=2, max_size=2, unique=True))
    offset = data.draw(st.integers(-4, 4))
    check(t.diagonal(offset, d1, d2), np.diagonal(a, offset, d1, d2))
    check(torch.diagonal(t, offset=offset, dim1=d1, dim2=d2), np.diagonal(a, offset, d1, d2))


@FAST
@given(st.integers(1, 20), st.data())
def test_as_strided_matches_numpy_stride_tricks(n, data):
    base = np.arange(n, dtype=np.int64)
    ndim = data.draw(st.integers(0, 3))
    strides = data.draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim))
    offset = data.draw(st.integers(0, n - 1))
    room = n - 1 - offset
    sizes = []
    for s in strides:
        top = room // s + 1 if s else 4
        sizes.append(data.draw(st.integers(1, max(1, min(top, 4)))))
        room -= (sizes[-1] - 1) * s
    t = torch.tensor(base).as_strided(sizes, strides, offset)
    expected = np.lib.stride_tricks.as_strided(base[offset:], sizes, [8 * s for s in strides])
    check(t, expected)


# --------------------------------------------------------------------------- storage sharing


def test_writes_through_views_reach_the_base_and_back():
    base = torch.zeros(2, 3, 4)
    views = {
        "view": lambda b: b.view(6, 4),
        "reshape": lambda b: b.reshape(24),
        "flatten": lambda b: b.flatten(1),
        "unflatten": lambda b: b.unflatten(2, (2, 2)),
        "transpose": lambda b: b.transpose(0, 2),
        "permute": lambda b: b.permute(2, 0, 1),
        "movedim": lambda b: b.movedim(0, -1),
        "squeeze": lambda b: b.unsqueeze(1).squeeze(1),
        "expand": lambda b: b[:, :1].expand(2, 5, 4),
        "narrow": lambda b: b.narrow(2, 1, 2),
        "select": lambda b: b.select(1, 2),
        "unbind": lambda b: b.unbind(0)[1],
        "split": lambda b: b.split(2, 2)[1],
        "chunk": lambda b: b.chunk(3, 1)[2],
        "tensor_split": lambda b: b.tensor_split(2, 2)[0],
        "diagonal": lambda b: b.diagonal(0, 1, 2),
        "as_strided": lambda b: b.as_strided((3,), (5,), 1),
        "T": lambda b: b[0].T,
        "mT": lambda b: b.mT,
        "getitem": lambda b: b[1, ::2, None, 1:],
        "ellipsis": lambda b: b[..., 3],
    }
    for name, make in views.items():
        base.zero_()
        v = make(base)
        v.fill_(7)
        assert np.asarray(base).sum() == 7 * v.numel() or name == "expand", name
        before = base._version
        v[(0,) * v.dim()] = -1
        assert (np.asarray(base) == -1).sum() == 1, name
        assert base._version > before, name
        base.fill_(3)
        assert (np.asarray(v) == 3).all(), name


def test_view_shares_memory_and_keeps_offsets():
    x = torch.arange(12).reshape(3, 4)
    assert x[1:].data_ptr() == x[1].data_ptr() == x.data_ptr() + 4 * 8
    assert x.t().storage_offset() == 0 and x[1, 2:].storage_offset() == 6
    assert x.t().stride() == (1, 4) and x[:, ::2].stride() == (4, 2)
    assert x[..., None].stride() == (4, 1, 1)


def test_resize_shrinks_and_grows_in_place():
    a = torch.tensor([1.0, 2, 3, 4, 5, 6])
    ptr = a.data_ptr()
    assert a.resize_(2, 2) is a
    assert a.shape == (2, 2) and a.tolist() == [[1, 2], [3, 4]] and a.data_ptr() == ptr
    a.resize_((3,))
    assert a.tolist() == [1, 2, 3]
    a.resize_(4, 3)
    assert a.shape == (4, 3) and a.is_contiguous()
    assert a.flatten()[:6].tolist() == [1, 2, 3, 4, 5, 6]
    b = torch.zeros(2, 3).t()
    b.resize_(6)
    assert b.is_contiguous() and b.stride() == (1,)
    assert torch.zeros(5).resize_as_(torch.zeros(2, 2)).shape == (2, 2)


def test_in_place_view_methods_change_metadata_only():
    x = torch.zeros(1, 3, 1)
    assert x.squeeze_() is x and x.shape == (3,)
    assert x.unsqueeze_(0) is x and x.shape == (1, 3)
    assert x.t_() is x and x.shape == (3, 1)
    assert x.transpose_(0, 1) is x and x.shape == (1, 3)


def test_contiguity_after_views():
    m = torch.arange(6).reshape(2, 3)
    assert m.is_contiguous() and not m.t().is_contiguous() and m.t().contiguous().is_contiguous()
    assert m.t().t().is_contiguous() and m.unsqueeze(1).is_contiguous()
    assert m.t().contiguous().stride() == (2, 1)
    c = m.contiguous()
    assert c.data_ptr() == m.data_ptr()


# --------------------------------------------------------------------------- copying ops


@FAST
@given(st.data())
def test_cat_and_stack_promote_and_match_numpy(data):
    ndim = data.draw(st.integers(1, 3))
    shape = data.draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim))
    dim = data.draw(st.integers(-ndim, ndim - 1))
    n = data.draw(st.integers(1, 4))
    arrays, tensors_ = [], []
    for i in range(n):
        s = list(shape)
        s[dim] = data.draw(st.integers(0, 3))
        a = values(tuple(s), data.draw(st.sampled_from(NUMPY_DTYPES)), i)
        layout = data.draw(st.sampled_from(LAYOUTS))
        arrays.append(reference(a, layout))
        tensors_.append(as_tensor(a, layout))
    dtype = arrays[0].dtype
    for a in arrays[1:]:
        dtype = torch_promote(dtype, a.dtype)
    expected = np.concatenate([a.astype(dtype) for a in arrays], axis=dim)
    check(torch.cat(tensors_, dim), expected)
    check(torch.cat(tuple(tensors_), dim=dim), expected)
    check(torch.concat(tensors_, dim), expected)
    check(torch.concatenate(tensors_, axis=dim), expected)
    same = [torch.tensor(arrays[0])] * n
    sdim = data.draw(st.integers(-ndim - 1, ndim))
    check(torch.stack(same, sdim), np.stack([arrays[0]] * n, sdim))


def test_cat_skips_legacy_empty_tensors_and_promotes():
    x = torch.arange(6).reshape(2, 3)
    check(torch.cat([torch.tensor([]), x, torch.zeros(0)]), np.arange(6.0, dtype=np.float32).reshape(2, 3))
    check(torch.cat([torch.tensor([True]), torch.tensor([2], dtype=torch.uint8)]), np.array([1, 2], np.uint8))
    check(torch.cat([torch.tensor([1], dtype=torch.int8), torch.tensor([2], dtype=torch.uint8)]),
          np.array([1, 2], np.int16))
    assert torch.cat([torch.zeros(0), torch.zeros(0)]).shape == (0,)
    assert torch.cat([x, x], 1).dtype is torch.int64
    assert torch.cat([x.half(), x.bfloat16()]).dtype is torch.float32


@FAST
@given(st.data())
def test_hstack_vstack_dstack_column_stack(data):
    kind = data.draw(st.integers(0, 2))
    shape = [(), (3,), (2, 3)][kind]
    arrays = [values(shape, "int64", i) for i in range(data.draw(st.integers(1, 3)))]
    ts = [torch.tensor(a) for a in arrays]
    check(torch.hstack(ts), np.hstack(arrays))
    check(torch.vstack(ts), np.vstack(arrays))
    check(torch.row_stack(ts), np.vstack(arrays))
    check(torch.dstack(ts), np.dstack(arrays))
    check(torch.column_stack(ts), np.column_stack(arrays))
    check(torch.atleast_2d(ts[0]), np.atleast_2d(arrays[0]))
    check(torch.atleast_3d(ts[0]), np.atleast_3d(arrays[0]))


@FAST
@given(tensors(), st.data())
def test_flip_roll_repeat_tile(tv, data):
    t, a = tv
    dims = data.draw(st.lists(st.integers(0, max(a.ndim - 1, 0)), max_size=a.ndim, unique=True)) if a.ndim else []
    check(t.flip(dims), np.flip(a, dims) if dims else a)
    check(torch.flip(t, dims), np.flip(a, dims) if dims else a)
    if a.ndim >= 2:
        check(t.fliplr(), np.fliplr(a))
    if a.ndim >= 1:
        check(t.flipud(), np.flipud(a))
    shift = data.draw(st.integers(-7, 7))
    check(t.roll(shift), np.roll(a, shift))
    if a.ndim:
        rdims = data.draw(st.lists(st.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True))
        shifts = data.draw(st.lists(st.integers(-5, 5), min_size=len(rdims), max_size=len(rdims)))
        check(t.roll(shifts, rdims), np.roll(a, shifts, rdims))
    reps = data.draw(st.lists(st.integers(0, 3), min_size=a.ndim, max_size=a.ndim + 2))
    check(t.repeat(*reps) if reps else t.repeat(()), np.tile(a, reps) if reps else a)
    tile_reps = data.draw(st.lists(st.integers(0, 3), max_size=a.ndim + 1))
    check(t.tile(tile_reps), np.tile(a, tile_reps))


@FAST
@given(tensors(min_dims=1, max_dims=2, max_side=5), st.integers(-3, 3))
def test_diag_both_ways(tv, k):
    t, a = tv
    check(torch.diag(t, k), np.diag(a, k))
    check(t.diag(k), np.diag(a, k))


@FAST
@given(tensors(min_dims=1, max_dims=3), st.integers(-2, 2))
def test_diag_embed(tv, offset):
    t, a = tv
    n = a.shape[-1] + abs(offset)
    expected = np.zeros(a.shape[:-1] + (n, n), dtype=a.dtype)
    for i in range(a.shape[-1]):
        r, c = (i, i + offset) if offset >= 0 else (i - offset, i)
        expected[..., r, c] = a[..., i]
    check(torch.diag_embed(t, offset), expected)
    if a.ndim >= 2:
        check(torch.diag_embed(t, offset, 0, 2), np.moveaxis(expected, (-2, -1), (0, 2)))


@FAST
@given(tensors(min_dims=2, max_dims=4), st.integers(-4, 4))
def test_tril_triu_trace(tv, k):
    t, a = tv
    check(t.tril(k), np.tril(a, k))
    check(torch.triu(t, k), np.triu(a, k))
    c = t.contiguous().clone()
    assert c.tril_(k) is c
    check(c, np.tril(a, k))
    if a.ndim == 2 and a.dtype != np.bool_:
        expected = np.trace(a).astype(np.int64 if a.dtype.kind in "iu" else a.dtype)
        np.testing.assert_allclose(np.asarray(t.trace()), expected, rtol=1e-2)


def test_bfloat16_shape_ops_keep_dtype_and_values():
    x = torch.arange(6).reshape(2, 3).bfloat16()
    for r in (x.t().contiguous(), x.flip(0), torch.cat([x, x]), x.repeat(1, 2), x.tril(), x[:, [0, 2]]):
        assert r.dtype is torch.bfloat16
    assert x.flip(1).float().tolist() == [[2, 1, 0], [5, 4, 3]]
    assert torch.cat([x, x.float()]).dtype is torch.float32


# --------------------------------------------------------------------------- errors


ERRORS = [
    (lambda: torch.zeros(6).view(4, 2), RuntimeError, "shape '[4, 2]' is invalid for input of size 6"),
    (lambda: torch.zeros(6).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda: torch.zeros(2, 3).t().view(6), RuntimeError, "view size is not compatible with input tensor's size and stride"),
    (lambda: torch.zeros(2, 3, 4).flatten(2, 1), RuntimeError, "start_dim cannot come after end_dim"),
    (lambda: torch.zeros(2, 3).unflatten(1, (2, 2)), RuntimeError, "don't multiply up to the size of dim 1 (3)"),
    (lambda: torch.zeros(2, 3).squeeze(2), IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    (lambda: torch.zeros(2, 3).squeeze((0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: torch.zeros(2, 3).unsqueeze(3), IndexError, "expected to be in range of [-3, 2], but got 3"),
    (lambda: torch.zeros(2, 3).transpose(0, 2), IndexError, "Dimension out of range"),
    (lambda: torch.zeros(2, 3, 4).t(), RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda: torch.zeros(3).mT, RuntimeError, "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."),
    (lambda: torch.zeros(2, 3).permute(0), RuntimeError, "number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1"),
    (lambda: torch.zeros(2, 3).permute(0, 0), RuntimeError, "permute(): duplicate dims are not allowed."),
    (lambda: torch.zeros(2, 3).movedim((0, 1), (0,)), RuntimeError, "movedim: Invalid source or destination dims"),
    (lambda: torch.zeros(2, 3).movedim((0, 0), (0, 1)), RuntimeError, "movedim: repeated dim in `source` ([0, 0])"),
    (lambda: torch.zeros(2, 1).expand(3), RuntimeError, "the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)"),
    (lambda: torch.zeros(2, 2).expand(2, 3), RuntimeError, "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 1.  Target sizes: [2, 3].  Tensor sizes: [2, 2]"),
    (lambda: torch.zeros(2).expand(-1, 2), RuntimeError, "isn't allowed in a leading, non-existing dimension 0"),
    (lambda: torch.zeros(5).narrow(0, 3, 3), RuntimeError, "start (3) + length (3) exceeds dimension size (5)."),
    (lambda: torch.zeros(5).narrow(0, 0, -1), RuntimeError, "narrow(): length must be non-negative."),
    (lambda: torch.zeros(3).select(0, 3), IndexError, "select(): index 3 out of range for tensor of size [3] at dimension 0"),
    (lambda: torch.tensor(1.0).unbind(), IndexError, "Dimension specified as 0 but tensor has no dimensions"),
    (lambda: torch.zeros(3).chunk(0), RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"),
    (lambda: torch.zeros(3).split(0), RuntimeError, "split_size can only be 0 if dimension size is 0, but got dimension size of 3"),
    (lambda: torch.zeros(5).split([2, 2]), RuntimeError, "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=[2, 2]"),
    (lambda: torch.zeros(4).as_strided((3, 3), (1, 1)), RuntimeError, "out of bounds for storage of size 16"),
    (lambda: torch.zeros(2, 3).diagonal(0, 1, 1), RuntimeError, "diagonal dimensions cannot be identical 1, 1"),
    (lambda: torch.zeros(2).resize_(-1, 2), RuntimeError, "Trying to create tensor with negative dimension -1: [-1, 2]"),
    (lambda: torch.cat([]), RuntimeError, "torch.cat(): expected a non-empty list of Tensors"),
    (lambda: torch.cat([torch.zeros(2, 3), torch.zeros(2, 4)]), RuntimeError, "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1 in the list."),
    (lambda: torch.cat([torch.zeros(2, 3), torch.zeros(3)]), RuntimeError, "Tensors must have same number of dimensions: got 2 and 1"),
    (lambda: torch.cat([torch.tensor(1.0)]), RuntimeError, "zero-dimensional tensor (at position 0) cannot be concatenated"),
    (lambda: torch.cat([torch.zeros(2), 1]), TypeError, "expected Tensor as element 1 in argument 0, but got int"),
    (lambda: torch.cat(torch.zeros(2)), TypeError, "must be tuple of Tensors, not Tensor"),
    (lambda: torch.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda: torch.stack([torch.zeros(2), torch.zeros(3)]), RuntimeError, "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"),
    (lambda: torch.zeros(2, 3).repeat(2), RuntimeError, "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"),
    (lambda: torch.zeros(2, 3).flip(0, 0), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: torch.zeros(2, 3).roll((1, 1), 0), RuntimeError, "shifts and dimensions must align"),
    (lambda: torch.zeros(2, 2, 2).diag(), RuntimeError, "diag(): Supports 1D or 2D tensors. Got 3D"),
    (lambda: torch.zeros(3).tril(), RuntimeError, "tril: input tensor must have at least 2 dimensions"),
    (lambda: torch.zeros(3).trace(), RuntimeError, "trace: expected a matrix, but got tensor with dim 1"),
    (lambda: torch.zeros(3).fliplr(), RuntimeError, "Input must be >= 2-d."),
]


@pytest.mark.parametrize("make, exc, fragment", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_bad_input_raises_pytorch_error(make, exc, fragment):
    with pytest.raises(exc) as info:
        make()
    assert fragment in str(info.value)


def test_T_on_other_ranks_warns_and_reverses():
    x = torch.zeros(2, 3, 4)
    with pytest.warns(UserWarning, match="x.T"):
        assert x.T.shape == (4, 3, 2)
    assert torch.tensor(5).T.shape == ()
