"""Indexing (`x[i]`, `x[i] = v`) and the index-driven ops against NumPy: random index
expressions (ints, slices, None, Ellipsis, int arrays, bool masks) on contiguous and strided
inputs, writes through views, and PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rustorch as torch
from test_views import LAYOUTS, NUMPY_DTYPES, as_tensor, check, reference, torch_promote, values

FAST = settings(max_examples=50, deadline=None)


@st.composite
def arrays(draw, min_dims=0, max_dims=4, max_side=4, dtypes=NUMPY_DTYPES):
    ndim = draw(st.integers(min_dims, max_dims))
    shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=ndim, max_size=ndim)))
    a = values(shape, draw(st.sampled_from(dtypes)), draw(st.integers(0, 2**31)))
    layout = draw(st.sampled_from(LAYOUTS))
    return as_tensor(a, layout), reference(a, layout)


@st.composite
def index_entries(draw, shape, advanced):
    """Index entries consuming dims of `shape` from its start; returns (entries, dims used)."""
    entries = []
    dim = 0
    ndim = len(shape)
    for _ in range(draw(st.integers(0, ndim + 2))):
        kinds = ["none"]
        if dim < ndim:
            kinds += ["slice", "slice"] + (["int", "int"] if shape[dim] > 0 else [])
            kinds += ["array", "mask"] if advanced and shape[dim] > 0 else []
        kinds += ["bool"] if advanced else []
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            i = draw(st.integers(-shape[dim], shape[dim] - 1))
            entries.append((i, draw(st.sampled_from([i, torch.tensor(i), np.int64(i)]))))
            dim += 1
        elif kind == "slice":
            bound = st.none() | st.integers(-shape[dim] - 2, shape[dim] + 2)
            s = slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3)))
            entries.append((s, s))
            dim += 1
        elif kind == "none":
            entries.append((None, None))
        elif kind == "bool":
            b = draw(st.booleans())
            entries.append((b, b))
        elif kind == "array":
            n = shape[dim]
            idx = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=4)), dtype=np.int64)
            if idx.size and draw(st.booleans()):
                idx = idx.reshape(-1, 1)
            form = draw(st.sampled_from(["tensor", "list", "numpy", "int32"]))
            given_ = {"tensor": lambda: torch.tensor(idx), "list": lambda: idx.tolist(),
                      "numpy": lambda: idx, "int32": lambda: torch.tensor(idx.astype(np.int32))}[form]()
            if form == "list" and idx.size == 0:
                given_ = torch.tensor(idx)
            entries.append((idx, given_))
            dim += 1
        elif kind == "mask":
            k = draw(st.integers(1, ndim - dim))
            mask = np.random.default_rng(draw(st.integers(0, 999))).random(shape[dim:dim + k]) < 0.5
            entries.append((mask, draw(st.sampled_from([torch.tensor(mask), mask]))))
            dim += k
    return entries, dim


@st.composite
def index_expressions(draw, shape, advanced=True):
    """An index for an array of `shape`, as (NumPy form, form given to rustorch) entries: int
    arrays as tensors, lists or arrays; masks as tensors or arrays; maybe one Ellipsis."""
    head, used = draw(index_entries(shape, advanced))
    if not draw(st.booleans()):
        return head
    # Entries after the Ellipsis index the last dims; pad them with `:` to a known count.
    tail_dims = draw(st.integers(0, len(shape) - used))
    tail, tail_used = draw(index_entries(shape[len(shape) - tail_dims:], advanced))
    tail += [(slice(None), slice(None))] * (tail_dims - tail_used)
    return head + [(Ellipsis, Ellipsis)] + tail


def pytorch_oracle(a, np_entries):
    """`a[index]` with PyTorch's semantics: ints select first (a view), then NumPy indexing
    with what remains. (NumPy instead treats an int beside arrays as one more array, and an
    Ellipsis that spans no dims as separating the arrays around it.)"""
    specified = sum(
        e.ndim if isinstance(e, np.ndarray) and e.dtype == bool else
        0 if e is None or e is Ellipsis or isinstance(e, bool) else 1
        for e in np_entries)
    rest, dim = [], 0
    original_ndim = a.ndim
    for e in np_entries:
        if isinstance(e, (int, np.integer)) and not isinstance(e, bool):
            a = np.take(a, e, axis=dim)
            continue
        if e is Ellipsis and original_ndim == specified:
            continue
        rest.append(e)
        if e is Ellipsis:
            dim += original_ndim - specified
        elif isinstance(e, np.ndarray) and e.dtype == bool:
            dim += e.ndim
        elif e is not None and not isinstance(e, bool):
            dim += 1
    return np.asarray(a[tuple(rest)])


def has_array(entries):
    return any(isinstance(n, np.ndarray) or isinstance(n, bool) for n, _ in entries)


@FAST
@given(arrays(), st.data())
def test_getitem_matches_numpy(tv, data):
    t, a = tv
    entries = data.draw(index_expressions(a.shape))
    np_index = tuple(n for n, _ in entries)
    index = tuple(g for _, g in entries)
    try:
        expected = pytorch_oracle(a, np_index)
    except IndexError:  # e.g. index arrays that do not broadcast: PyTorch refuses them too
        with pytest.raises(IndexError):
            t[index]
        return
    result = t[index]
    check(result, expected)
    if not has_array(entries):
        # Basic indexing is a view of the same memory.
        assert result.numel() == 0 or (result.storage_offset() >= 0 and _shares_memory(result, t))


def _shares_memory(view, base):
    return np.shares_memory(np.asarray(view), np.asarray(base)) if view.dtype != torch.bfloat16 else True


@FAST
@given(arrays(min_dims=1), st.data())
def test_single_entry_index_forms(tv, data):
    t, a = tv
    n = a.shape[0]
    if n:
        i = data.draw(st.integers(-n, n - 1))
        check(t[i], a[i])
        check(t[torch.tensor(i)], a[i])
    s = slice(data.draw(st.none() | st.integers(-5, 5)), data.draw(st.none() | st.integers(-5, 5)),
              data.draw(st.none() | st.integers(1, 3)))
    check(t[s], a[s])
    check(t[None], a[None])
    check(t[...], a[...])
    check(t[True], a[True])
    check(t[False], a[False])
    idx = data.draw(st.lists(st.integers(-n, n - 1), max_size=4)) if n else []
    check(t[idx] if idx else t[torch.tensor(idx, dtype=torch.int64)], a[np.array(idx, dtype=np.int64)])
    check(t[range(n)], a[np.arange(n)])
    mask = a.astype(bool) if a.dtype != bool else a
    check(t[torch.tensor(mask)], a[mask])
    check(t[mask], a[mask])


def test_index_result_dims_follow_numpy_placement():
    x = torch.arange(120).reshape(2, 3, 4, 5)
    a = np.arange(120).reshape(2, 3, 4, 5)
    i, j = np.array([0, 2]), np.array([1, 3])
    check(x[:, i, j], a[:, i, j])          # adjacent: stay in place -> (2, 2, 5)
    check(x[:, i, :, j], a[:, i, :, j])    # separated by a slice: to the front -> (2, 2, 4)
    rows = np.array([[0], [1]])
    check(x[rows, :, j], a[rows, :, j])
    check(x[None, [1, 0], ..., j], a[None, [1, 0], ..., j])
    assert x[:, [0, 1], :, [1, 2]].shape == (2, 2, 4)
    # PyTorch (unlike NumPy) applies ints first, so this int does not move the array dims.
    assert x[0, :, [0, 1]].shape == (3, 2, 5)


def test_getitem_on_0d_and_empty():
    s = torch.tensor(3.5)
    check(s[None], np.array([3.5], np.float32))
    check(s[...], np.array(3.5, np.float32))
    check(s[True], np.array([3.5], np.float32))
    e = torch.zeros(0, 3)
    check(e[:, 1], np.zeros(0, np.float32))
    check(e[e > 0], np.zeros(0, np.float32))
    check(torch.arange(4)[torch.tensor([], dtype=torch.int64)], np.zeros(0, np.int64))


@FAST
@given(arrays(), st.data())
def test_setitem_basic_index_writes_through(tv, data):
    t, a = tv
    if not t.is_contiguous():
        t = t.contiguous()
    a = a.copy()
    entries = data.draw(index_expressions(a.shape, advanced=False))
    index = tuple(g for _, g in entries)
    target_shape = np.asarray(a[tuple(n for n, _ in entries)]).shape
    if data.draw(st.booleans()):
        numbers = st.integers(-5, 5) | st.booleans()
        v = data.draw(numbers | st.floats(-5, 5) if a.dtype.kind == "f" else numbers)
        t[index] = v
        a[tuple(n for n, _ in entries)] = np.array(v).astype(a.dtype)
    else:
        trailing = target_shape[data.draw(st.integers(0, len(target_shape))):]
        shape = tuple(1 if data.draw(st.booleans()) else s for s in trailing)
        src = values(shape, data.draw(st.sampled_from(NUMPY_DTYPES)), 7)
        t[index] = torch.tensor(src)
        a[tuple(n for n, _ in entries)] = src.astype(a.dtype)
    check(t, a)


@FAST
@given(arrays(min_dims=1, max_dims=3), st.data())
def test_setitem_advanced_index_scatters(tv, data):
    t, a = tv
    t, a = t.contiguous().clone(), a.copy()
    n = a.shape[0]
    if n == 0:
        return
    rows = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)))
    tail = a.shape[1:]
    if data.draw(st.booleans()):
        v = values((len(rows),) + tail, a.dtype.name, 3)
        t[torch.tensor(rows)] = torch.tensor(v)
    else:
        v = values(tail, a.dtype.name, 4)
        t[rows.tolist()] = torch.tensor(v)
    a[rows] = v
    check(t, a)
    mask = values(a.shape, "bool", 5)
    t[torch.tensor(mask)] = 1
    a[mask] = 1
    check(t, a)
    w = values((int(mask.sum()),), a.dtype.name, 6)
    t[mask] = torch.tensor(w)
    a[mask] = w
    check(t, a)


def test_setitem_semantics():
    z = torch.zeros(2, 3)
    x, y = torch.ones(2, 3), torch.ones(2, 3)
    ptr, version = z.data_ptr(), z._version
    z[:] = x + y
    assert z.data_ptr() == ptr and z._version > version and z.tolist() == [[2.0] * 3] * 2
    A = torch.arange(9).reshape(3, 3)
    A[0] = 5.9
    assert A[0].tolist() == [5, 5, 5]
    A[1] = torch.tensor([[1.7, 2.2, 3.9]])  # leading 1s are dropped, floats cast to the int dtype
    assert A[1].tolist() == [1, 2, 3]
    A[:, 0] = torch.tensor(7.0)
    assert A[:, 0].tolist() == [7, 7, 7]
    A[A > 6] = torch.tensor(-1.0)  # one value through a mask: cast like masked_fill_
    assert A.tolist() == [[-1, 5, 5], [-1, 2, 3], [-1, -1, -1]]
    B = torch.zeros(4)
    B[torch.tensor([0, 0, 1])] = torch.tensor([1.0, 2.0, 3.0])  # repeated index: last write wins
    assert B.tolist() == [2.0, 3.0, 0.0, 0.0]
    C = torch.zeros(2, 2)
    C[False] = 5
    C[True] = 1
    assert C.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    v = torch.arange(6).reshape(2, 3)
    v[:, 1:] = v[:, :2].clone()
    assert v.tolist() == [[0, 0, 1], [3, 3, 4]]
    w = torch.arange(5)
    with pytest.raises(RuntimeError, match="refer to a single memory location"):
        w[1:] = w[:-1]  # dense, partly overlapping source and destination: PyTorch refuses
    w[1:] = w[:-1].clone()
    assert w.tolist() == [0, 0, 1, 2, 3]


def test_iteration_len_and_contains():
    m = torch.arange(6).reshape(3, 2)
    assert [r.tolist() for r in m] == [[0, 1], [2, 3], [4, 5]]
    assert len(m) == 3 and 4 in m and 9 not in m and torch.tensor(5) in m
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(torch.tensor(1))
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(torch.tensor(1))


# --------------------------------------------------------------------------- index ops


@FAST
@given(arrays(min_dims=1, max_dims=3, dtypes=["int64", "float32", "bool", "float16"]), st.data())
def test_gather_scatter_index_select_take(tv, data):
    t, a = tv
    dim = data.draw(st.integers(0, a.ndim - 1))
    size = a.shape[dim]
    if size == 0:
        return
    idx_shape = tuple(data.draw(st.integers(0, s)) if d != dim else data.draw(st.integers(0, 4)) for d, s in enumerate(a.shape))
    idx = np.random.default_rng(1).integers(0, size, idx_shape)
    expected = np.take_along_axis(a[tuple(slice(0, s) if d != dim else slice(None) for d, s in enumerate(idx_shape))], idx, dim)
    check(t.gather(dim, torch.tensor(idx)), expected)
    check(torch.gather(t, dim, torch.tensor(idx)), expected)

    sel = np.random.default_rng(2).integers(0, size, data.draw(st.integers(0, 5)))
    check(t.index_select(dim, torch.tensor(sel)), np.take(a, sel, axis=dim))
    check(torch.index_select(t, dim, torch.tensor(sel).int()), np.take(a, sel, axis=dim))
    if a.size:
        flat = np.random.default_rng(3).integers(-a.size, a.size, (2, 2))
        check(t.take(torch.tensor(flat)), np.take(a, flat))

    base = np.ascontiguousarray(a).copy()
    out = torch.tensor(base)
    # scatter with unique positions along dim (so the result is order independent)
    uniq = np.argsort(np.random.default_rng(4).random(a.shape), axis=dim)
    src = values(a.shape, a.dtype.name, 5)
    np.put_along_axis(base, uniq, src, dim)
    check(out.scatter(dim, torch.tensor(uniq), torch.tensor(src)), base)
    out.scatter_(dim, torch.tensor(uniq), torch.tensor(src))
    check(out, base)


def test_scatter_add_index_add_accumulate_repeats():
    x = torch.zeros(3, 4)
    idx = torch.tensor([[0, 1, 2, 0], [0, 0, 0, 0]])
    src = torch.arange(8.0).reshape(2, 4)
    expected = np.zeros((3, 4), np.float32)
    np.add.at(expected, (np.asarray(idx), np.arange(4)[None, :].repeat(2, 0)), np.asarray(src))
    check(x.scatter_add(0, idx, src), expected)
    assert x.scatter_add_(0, idx, src) is x
    check(x, expected)
    check(torch.zeros(2, 2).scatter(1, torch.tensor([[1], [0]]), 5.0), np.array([[0, 5], [5, 0]], np.float32))
    check(torch.ones(3).scatter(0, torch.tensor([0, 0]), torch.tensor([2.0, 3.0]), reduce="multiply"),
          np.array([6, 1, 1], np.float32))

    y = torch.zeros(4, 2)
    ix = torch.tensor([0, 2, 0])
    s = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    e = np.zeros((4, 2), np.float32)
    np.add.at(e, np.asarray(ix), np.asarray(s) * 2)
    check(y.index_add(0, ix, s, alpha=2), e)
    y.index_add_(0, ix, s, alpha=2)
    check(y, e)
    check(torch.zeros(2, 3).index_copy(1, torch.tensor([2, 0]), torch.tensor([[1.0, 2.0], [3.0, 4.0]])),
          np.array([[2, 0, 1], [4, 0, 3]], np.float32))
    check(torch.zeros(2, 3).index_fill(1, torch.tensor([1]), -1), np.array([[0, -1, 0], [0, -1, 0]], np.float32))


@FAST
@given(arrays(dtypes=["int64", "float32", "uint8", "bool", "float64"]), st.data())
def test_masked_fill_select_where_nonzero(tv, data):
    t, a = tv
    mask = values(a.shape[data.draw(st.integers(0, a.ndim)):], "bool", 8)  # broadcasts from the right
    tm = torch.tensor(mask)
    filled = np.where(mask, np.array(3).astype(a.dtype), a)
    check(t.masked_fill(tm, 3), filled)
    check(t.masked_fill(tm, torch.tensor(3)), filled)
    c = t.contiguous().clone()
    assert c.masked_fill_(tm, 3) is c
    check(c, filled)
    bm = np.broadcast_to(mask, a.shape)
    check(t.masked_select(tm), a[bm])
    check(torch.masked_select(t, tm), a[bm])

    other = values(a.shape, "float32", 9)
    dtype = torch_promote(a.dtype, np.float32)
    check(torch.where(tm, t, torch.tensor(other)), np.where(mask, a.astype(dtype), other.astype(dtype)))
    check(t.where(tm, torch.tensor(other)), np.where(mask, a.astype(dtype), other.astype(dtype)))
    scalar_dtype = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    check(torch.where(tm, t, 0.5), np.where(mask, a.astype(scalar_dtype), np.array(0.5, scalar_dtype)))
    check(torch.where(tm, 1, 0), np.where(mask, 1, 0).astype(np.int64))

    check(t.nonzero(), np.argwhere(a))
    check(torch.argwhere(t), np.argwhere(a))
    if a.ndim:
        for got, expected in zip(torch.where(t.bool()), np.nonzero(a)):
            check(got, expected)
    assert len(t.nonzero(as_tuple=True)) == max(a.ndim, 1)


def test_index_put():
    x = torch.zeros(3, 3)
    assert x.index_put_((torch.tensor([0, 2]), torch.tensor([1, 1])), torch.tensor([1.0, 2.0])) is x
    assert x.tolist() == [[0, 1, 0], [0, 0, 0], [0, 2, 0]]
    y = x.index_put((torch.tensor([0, 0]),), torch.tensor(1.0), accumulate=True)
    assert y[0].tolist() == [2, 3, 2] and x[0].tolist() == [0, 1, 0]
    x.index_put_((x > 0,), torch.tensor(-1.0))
    assert x.tolist() == [[0, -1, 0], [0, 0, 0], [0, -1, 0]]


def test_where_promotes_and_broadcasts():
    cond = torch.tensor([[True], [False]])
    r = torch.where(cond, torch.tensor([1, 2, 3]), torch.tensor(0.5, dtype=torch.float64))
    assert r.dtype is torch.float64 and r.shape == (2, 3)
    assert r.tolist() == [[1, 2, 3], [0.5, 0.5, 0.5]]
    assert torch.where(cond, 1.0, 0).dtype is torch.float32
    assert torch.where(cond, torch.tensor([1], dtype=torch.int8), 100).dtype is torch.int8
    with pytest.raises(RuntimeError, match="without overflow"):  # the number must fit the int8 result
        torch.where(cond, torch.tensor([1], dtype=torch.int8), 1000)


# --------------------------------------------------------------------------- errors


x34 = torch.arange(12).reshape(3, 4)
ERRORS = [
    (lambda: x34[3], IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    (lambda: x34[0, 5], IndexError, "index 5 is out of bounds for dimension 1 with size 4"),
    (lambda: x34[-4], IndexError, "index -4 is out of bounds for dimension 0 with size 3"),
    (lambda: x34[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (lambda: x34[::-1], ValueError, "step must be greater than zero"),
    (lambda: x34[::0], ValueError, "slice step cannot be zero"),
    (lambda: x34[1.5], IndexError, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got float)"),
    (lambda: x34["a"], IndexError, "only integers, slices"),
    (lambda: x34[[0, 3]], IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    (lambda: x34[[0, 1], [0, 1, 2]], IndexError, "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]"),
    (lambda: x34[torch.tensor([1.0])], IndexError, "tensors used as indices must be long, int, byte or bool tensors"),
    (lambda: x34[torch.ones(4, dtype=torch.bool)], IndexError, "The shape of the mask [4] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0"),
    (lambda: torch.tensor(1.0)[0], IndexError, "invalid index of a 0-dim tensor. Use `tensor.item()` in Python"),
    (lambda: x34.__setitem__(0, [1, 2, 3, 4]), TypeError, "can't assign a list to a torch.LongTensor"),
    (lambda: x34.__setitem__(0, torch.ones(3)), RuntimeError, "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0"),
    (lambda: x34.__setitem__([0, 1], torch.ones(2, 4)), RuntimeError, "Index put requires the source and destination dtypes match, got Long for the destination and Float for the source."),
    (lambda: x34.__setitem__([0, 1], torch.ones(3, 4, dtype=torch.int64)), RuntimeError, "shape mismatch: value tensor of shape [3, 4] cannot be broadcast to indexing result of shape [2, 4]"),
    (lambda: x34.__delitem__(0), TypeError, "Tensor does not support deleting items"),
    (lambda: x34.gather(1, torch.tensor([[4]])), RuntimeError, "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda: x34.gather(1, torch.tensor([0])), RuntimeError, "Index tensor must have the same number of dimensions as input tensor"),
    (lambda: x34.gather(1, torch.tensor([[0]]).short()), RuntimeError, "gather(): Expected dtype int32/int64 for index"),
    (lambda: x34.index_select(0, torch.tensor([[0]])), IndexError, "index_select(): Index is supposed to be a vector"),
    (lambda: x34.index_select(0, torch.tensor([5])), IndexError, "index out of range in self"),
    (lambda: x34.take(torch.tensor([12])), IndexError, "out of range: tried to access index 12 on a tensor of 12 elements."),
    (lambda: x34.masked_fill(x34, 0), RuntimeError, "masked_fill_ only supports boolean masks"),
    (lambda: x34.masked_fill(x34 > 1, torch.tensor([1])), RuntimeError, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."),
    (lambda: x34.masked_select(x34), RuntimeError, "masked_select: expected BoolTensor for mask"),
    (lambda: torch.where(x34, x34, x34), RuntimeError, "where expected condition to be a boolean tensor, but got a tensor with dtype Long"),
    (lambda: x34.float().scatter(0, torch.tensor([[0]]), torch.ones(1, 1, dtype=torch.float64)), RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"),
    (lambda: x34.index_add(0, torch.tensor([0]), torch.ones(2, 4, dtype=torch.int64)), RuntimeError, "Number of indices (1) should be equal to source.size(dim) (2)"),
]


@pytest.mark.parametrize("make, exc, fragment", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_bad_index_raises_pytorch_error(make, exc, fragment):
    with pytest.raises(exc) as info:
        make()
    assert fragment in str(info.value)
