"""einsum, tensordot, kron, cdist, block_diag, grids and index builders, repeat_interleave,
Tensor.unfold/type_as, addcmul/addcdiv, finfo/iinfo: values against numpy, gradcheck, errors."""

import numpy as np
import pytest

import rustorch as torch
from rustorch.autograd import gradcheck

RS = np.random.RandomState(1)


def t(arr, requires_grad=False):
    return torch.tensor(np.asarray(arr, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def close(got, expected, rtol=1e-10):
    np.testing.assert_allclose(np.asarray(got.detach().tolist()), np.asarray(expected), rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ij->", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(5,), (5,)]),
    ("...ij,...jk->...ik", [(2, 3, 3, 4), (3, 4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 40), (40, 2)]),
    ("abc,cd,be->ade", [(2, 3, 4), (4, 5), (3, 6)]),
    ("ijk", [(2, 3, 4)]),
    ("ba,ca", [(2, 3), (4, 3)]),
    ("i...->...", [(3, 2, 2)]),
])
def test_einsum_matches_numpy(equation, shapes):
    arrays = [RS.standard_normal(s) for s in shapes]
    close(torch.einsum(equation, *[t(a) for a in arrays]), np.einsum(equation, *arrays))
    close(torch.einsum(equation, [t(a) for a in arrays]), np.einsum(equation, *arrays))


def test_einsum_broadcasts_size_one_and_grads():
    a, b = RS.standard_normal((1, 3, 4)), RS.standard_normal((5, 4, 2))
    close(torch.einsum("bij,bjk->bik", t(a), t(b)), np.einsum("bij,bjk->bik", np.broadcast_to(a, (5, 3, 4)), b))
    x, y, z = (t(RS.standard_normal(s), requires_grad=True) for s in [(2, 3), (3, 4), (4,)])
    assert gradcheck(lambda x, y, z: torch.einsum("ij,jk,k->i", x, y, z), (x, y, z))
    assert gradcheck(lambda x: torch.einsum("ii->", x[:, :2].matmul(x[:, :2].mT)), (x,))


def test_einsum_errors():
    with pytest.raises(RuntimeError, match="number of subscripts"):
        torch.einsum("ij,jk->ik", t(np.ones((2, 3))), t(np.ones(3)))
    with pytest.raises(RuntimeError, match="subscript j has size"):
        torch.einsum("ij,jk->ik", t(np.ones((2, 3))), t(np.ones((4, 2))))
    with pytest.raises(RuntimeError, match="output subscript z"):
        torch.einsum("ij->z", t(np.ones((2, 3))))


def test_tensordot_kron_cdist_block_diag():
    a, b = RS.standard_normal((3, 4, 5)), RS.standard_normal((4, 5, 2))
    close(torch.tensordot(t(a), t(b)), np.tensordot(a, b))
    close(torch.tensordot(t(a), t(b), dims=([1, 2], [0, 1])), np.tensordot(a, b, axes=([1, 2], [0, 1])))
    close(torch.tensordot(t(a), t(b[:, :, 0].T), dims=1), np.tensordot(a, b[:, :, 0].T, axes=1))
    p, q = RS.standard_normal((2, 3)), RS.standard_normal((4, 1, 2))
    close(torch.kron(t(p), t(q)), np.kron(p, q))
    close(t(p).kron(t(p)), np.kron(p, p))
    x1, x2 = RS.standard_normal((2, 5, 3)), RS.standard_normal((2, 30, 3))
    expected = np.linalg.norm(x1[:, :, None] - x2[:, None], axis=-1)
    close(torch.cdist(t(x1), t(x2)), expected, rtol=1e-8)
    close(torch.cdist(t(x1), t(x2[:, :4]), p=1), np.abs(x1[:, :, None] - x2[:, None, :4]).sum(-1))
    blocks = [RS.standard_normal((2, 2)), RS.standard_normal((1, 3)), RS.standard_normal(2)]
    got = torch.block_diag(*[t(b) for b in blocks])
    expected = np.zeros((4, 7))
    expected[:2, :2], expected[2, 2:5], expected[3, 5:] = blocks[0], blocks[1], blocks[2]
    close(got, expected)
    assert torch.block_diag(torch.tensor([[1, 2]]), torch.tensor([[1.5]])).dtype == torch.float32
    assert gradcheck(lambda a, b: torch.block_diag(a, b), (t(blocks[0], True), t(blocks[1], True)))
    assert gradcheck(lambda a, b: torch.cdist(a, b), (t(x1[0], True), t(x2[0, :4], True)))
    assert gradcheck(torch.kron, (t(p, True), t(q, True)))


def test_grids_and_indices():
    a, b = torch.tensor([1, 2, 3]), torch.tensor([4, 5])
    with pytest.warns(UserWarning, match="indexing argument"):
        grid_x, grid_y = torch.meshgrid(a, b)
    ex, ey = np.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    assert grid_x.tolist() == ex.tolist() and grid_y.tolist() == ey.tolist()
    xs, ys = torch.meshgrid(a, b, indexing="xy")
    ex, ey = np.meshgrid([1, 2, 3], [4, 5], indexing="xy")
    assert xs.tolist() == ex.tolist() and ys.tolist() == ey.tolist()
    assert torch.cartesian_prod(a, b).tolist() == [[x, y] for x in [1, 2, 3] for y in [4, 5]]
    for row, col, offset in [(4, 4, 0), (3, 5, 1), (5, 3, -1)]:
        assert torch.tril_indices(row, col, offset).tolist() == list(map(list, np.tril_indices(row, offset, col)))
        assert torch.triu_indices(row, col, offset).tolist() == list(map(list, np.triu_indices(row, offset, col)))
    assert torch.tril_indices(3, 3).dtype == torch.int64


def test_repeat_interleave_unfold_type_as():
    x = torch.tensor([[1, 2], [3, 4]])
    assert torch.repeat_interleave(x, 2).tolist() == np.repeat([[1, 2], [3, 4]], 2).tolist()
    assert x.repeat_interleave(2, dim=0).tolist() == np.repeat([[1, 2], [3, 4]], 2, axis=0).tolist()
    assert torch.repeat_interleave(x, torch.tensor([1, 3]), dim=1).tolist() == np.repeat([[1, 2], [3, 4]], [1, 3], axis=1).tolist()
    assert torch.repeat_interleave(torch.tensor([2, 0, 1])).tolist() == [0, 0, 2]
    v = torch.arange(8.0)
    assert v.unfold(0, 3, 2).tolist() == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    m = torch.arange(12.0).reshape(3, 4)
    assert m.unfold(1, 2, 1).tolist() == np.lib.stride_tricks.sliding_window_view(np.arange(12.0).reshape(3, 4), 2, axis=1).tolist()
    assert gradcheck(lambda z: z.unfold(0, 3, 2), (t(RS.standard_normal(7), True),))
    assert torch.tensor([1, 2]).type_as(torch.tensor([0.5])).dtype == torch.float32
    with pytest.raises(RuntimeError, match="maximum size"):
        v.unfold(0, 9, 1)


def test_addcmul_addcdiv():
    a, b, c = (RS.standard_normal(3) for _ in range(3))
    close(torch.addcmul(t(a), t(b), t(c), value=0.5), a + 0.5 * b * c)
    close(t(a).addcdiv(t(b), t(c), value=2), a + 2 * b / c)
    y = t(a)
    y.addcmul_(t(b), t(c))
    close(y, a + b * c)
    y.addcdiv_(t(b), t(c), value=-1)
    close(y, a + b * c - b / c)
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        torch.addcdiv(torch.tensor([1]), torch.tensor([1]), torch.tensor([2]))


def test_finfo_iinfo():
    # reprs recorded from PyTorch 2.15
    assert repr(torch.finfo(torch.float32)) == "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)"
    assert repr(torch.finfo(torch.bfloat16)) == "finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)"
    assert repr(torch.iinfo(torch.int32)) == "iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)"
    for dtype, np_dtype in [(torch.float16, np.float16), (torch.float32, np.float32), (torch.float64, np.float64)]:
        fi = torch.finfo(dtype)
        assert (fi.eps, fi.max, fi.tiny, fi.bits) == (np.finfo(np_dtype).eps, np.finfo(np_dtype).max, np.finfo(np_dtype).tiny, np.finfo(np_dtype).bits)
    assert torch.finfo().dtype == "float32"
    for dtype, np_dtype in [(torch.uint8, np.uint8), (torch.int8, np.int8), (torch.int64, np.int64)]:
        ii = torch.iinfo(dtype)
        assert (ii.min, ii.max, ii.bits) == (np.iinfo(np_dtype).min, np.iinfo(np_dtype).max, np.iinfo(np_dtype).bits)
    with pytest.raises(TypeError, match="torch.finfo\\(\\) requires a floating point"):
        torch.finfo(torch.int64)
    with pytest.raises(TypeError, match="is not supported by torch.iinfo"):
        torch.iinfo(torch.bool)
    assert torch.promote_types(torch.int32, torch.float16) == torch.float16
