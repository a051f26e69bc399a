"""The fused convolution and pooling kernels on the shapes their fast paths split on: 1x1
kernels (no im2col), groups, odd sizes, strides, padding, dilation, non-contiguous inputs,
batches split across threads and batches smaller than the pool. References are direct numpy
loops in float64; backward passes are checked against numpy and by (grad)gradcheck."""
import numpy as np
import pytest

import rustorch as torch
import rustorch.nn.functional as F
from rustorch.autograd import gradcheck, gradgradcheck

from test_nn_conv import np_adaptive_avg, np_avg_pool2d, np_conv2d, np_max_pool2d


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    before = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(before)


def padded(x, ph, pw):
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def np_conv2d_grads(x, w, g, stride, padding, dilation, groups):
    """d(input), d(weight), d(bias) of np_conv2d for the output gradient g, kernel offset by
    kernel offset (each offset is a strided slice of the padded input)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    o, cg, kh, kw = w.shape
    og, (ho, wo) = o // groups, g.shape[2:]
    xp = padded(x, ph, pw)
    gxp, gw = np.zeros_like(xp), np.zeros_like(w)
    for grp in range(groups):
        cs, os_ = slice(grp * cg, (grp + 1) * cg), slice(grp * og, (grp + 1) * og)
        for i in range(kh):
            for j in range(kw):
                rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)
                cols = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
                patch = xp[:, cs, rows, cols]                      # n, cg, ho, wo
                gw[os_, :, i, j] = np.einsum("nopq,ncpq->oc", g[:, os_], patch)
                gxp[:, cs, rows, cols] += np.einsum("nopq,oc->ncpq", g[:, os_], w[os_, :, i, j])
    gx = gxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    return gx, gw, g.sum(axis=(0, 2, 3))


# (batch, in, out, size, kernel, stride, padding, dilation, groups): the 1x1 direct path, grouped,
# strided 1x1 (through im2col), dilated and asymmetric; batch 1 runs its GEMMs multi-threaded and
# batch 5 splits unevenly across 2 threads (all are large enough to go parallel).
CASES = [
    (5, 6, 8, (17, 19), (3, 3), (1, 1), (1, 1), (1, 1), 1),
    (4, 12, 10, (13, 11), (1, 1), (1, 1), (0, 0), (1, 1), 1),
    (3, 9, 6, (15, 14), (3, 2), (2, 1), (1, 0), (1, 2), 3),
    (2, 16, 8, (21, 20), (1, 1), (2, 2), (0, 0), (1, 1), 2),
    (1, 8, 16, (33, 31), (5, 3), (1, 2), (2, 1), (2, 1), 1),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "x".join(map(str, c[:3])) + f"k{c[4]}g{c[8]}")
def test_conv2d_forward_and_backward_match_numpy(case, threads):
    n, c, o, size, k, s, p, d, groups = case
    rs = np.random.RandomState(sum(size))
    x = rs.standard_normal((n, c) + size).astype(np.float32)
    w = rs.standard_normal((o, c // groups) + k).astype(np.float32)
    b = rs.standard_normal(o).astype(np.float32)
    # A non-contiguous input: the kernels must not read its strides as contiguous ones.
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 1, 3, 2))).transpose(2, 3).requires_grad_()
    wt, bt = torch.from_numpy(w).requires_grad_(), torch.from_numpy(b).requires_grad_()
    out = F.conv2d(xt, wt, bt, s, p, d, groups)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    ref = np_conv2d(x64, w64, b.astype(np.float64), s, p, d, groups)
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-4, atol=1e-4)
    g = rs.standard_normal(ref.shape).astype(np.float32)
    out.backward(torch.from_numpy(g))
    gx, gw, gb = np_conv2d_grads(x64, w64, g.astype(np.float64), s, p, d, groups)
    np.testing.assert_allclose(xt.grad.numpy(), gx, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(wt.grad.numpy(), gw, rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(bt.grad.numpy(), gb, rtol=1e-5, atol=1e-3)


def test_conv2d_gradients_only_where_needed_and_half_types():
    rs = np.random.RandomState(7)
    x, w = rs.standard_normal((2, 4, 6, 5)), rs.standard_normal((6, 2, 3, 3))
    wt = torch.tensor(w, requires_grad=True)
    F.conv2d(torch.tensor(x), wt, padding=1, groups=2).sum().backward()
    gw = np_conv2d_grads(x, w, np.ones((2, 6, 6, 5)), (1, 1), (1, 1), (1, 1), 2)[1]
    np.testing.assert_allclose(wt.grad.numpy(), gw, atol=1e-10)
    for dtype in (torch.float16, torch.bfloat16):
        out = F.conv2d(torch.tensor(x).to(dtype), torch.tensor(w).to(dtype), padding=1, groups=2)
        assert out.dtype == dtype
        ref = np_conv2d(x, w, None, (1, 1), (1, 1), (1, 1), 2)
        np.testing.assert_allclose(out.float().numpy(), ref, rtol=0.05, atol=0.2)
    # Integer convolution exists on PyTorch's CPU too (exact integer arithmetic, recorded 2.15 value).
    out = F.conv2d(torch.arange(9, dtype=torch.int64).reshape(1, 1, 3, 3), torch.ones(1, 1, 2, 2, dtype=torch.int64))
    assert out.dtype == torch.int64 and out.tolist() == [[[[8, 12], [20, 24]]]]


def test_conv2d_gradcheck_and_double_backward():
    rs = np.random.RandomState(8)
    x = torch.tensor(rs.standard_normal((2, 4, 5, 6)), requires_grad=True)
    w = torch.tensor(rs.standard_normal((6, 2, 2, 3)), requires_grad=True)
    b = torch.tensor(rs.standard_normal(6), requires_grad=True)
    conv = lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2)
    assert gradcheck(conv, (x, w, b))
    assert gradgradcheck(conv, (x, w, b))
    pointwise = lambda x, w: F.conv2d(x, w)
    assert gradcheck(pointwise, (x, torch.tensor(rs.standard_normal((3, 4, 1, 1)), requires_grad=True)))


def test_max_pool2d_backward_is_a_scatter_to_the_argmax(threads):
    rs = np.random.RandomState(9)
    x = rs.standard_normal((3, 5, 13, 11)).astype(np.float32)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 1, 3, 2))).transpose(2, 3).requires_grad_()
    out, idx = F.max_pool2d(xt, (3, 2), (2, 1), (1, 1), (1, 2), ceil_mode=True, return_indices=True)
    ref, ref_idx = np_max_pool2d(x, (3, 2), (2, 1), (1, 1), (1, 2), True)
    np.testing.assert_array_equal(out.detach().numpy(), ref)
    np.testing.assert_array_equal(idx.numpy(), ref_idx)
    assert out.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    g = rs.standard_normal(ref.shape).astype(np.float32)
    out.backward(torch.from_numpy(g))
    expected = np.zeros(x.shape, np.float64).reshape(3, 5, -1)
    for plane in np.ndindex(3, 5):
        np.add.at(expected[plane], ref_idx[plane].ravel(), g[plane].ravel())
    np.testing.assert_allclose(xt.grad.numpy(), expected.reshape(x.shape), rtol=1e-6, atol=1e-6)
    x64 = torch.tensor(rs.standard_normal((1, 2, 5, 6)), requires_grad=True)
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2, 2, 1, ceil_mode=True), (x64,))


@pytest.mark.parametrize("geometry", [((3, 3), (2, 2), (1, 1), True, True, None),
                                      ((2, 3), (1, 2), (1, 0), False, False, None),
                                      ((3, 2), (3, 3), (1, 1), True, False, 5)])
def test_avg_pool2d_kernel_matches_numpy(geometry, threads):
    k, s, p, ceil, include, divisor = geometry
    rs = np.random.RandomState(10)
    x = rs.standard_normal((3, 4, 15, 14))
    xt = torch.tensor(x).permute(0, 1, 3, 2).contiguous().permute(0, 1, 3, 2).requires_grad_()
    out = F.avg_pool2d(xt, k, s, p, ceil, include, divisor)
    ref = np_avg_pool2d(x, k, s, p, ceil, include, divisor)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    # The gradient is linear in g: <avg_pool(x), g> = <x, avg_pool_backward(g)> for every x.
    g = rs.standard_normal(ref.shape)
    out.backward(torch.tensor(g))
    probe = rs.standard_normal(x.shape)
    np.testing.assert_allclose((xt.grad.numpy() * probe).sum(),
                               (np_avg_pool2d(probe, k, s, p, ceil, include, divisor) * g).sum(), rtol=1e-10)
    small = torch.tensor(rs.standard_normal((1, 2, 5, 4)), requires_grad=True)
    assert gradgradcheck(lambda x: F.avg_pool2d(x, k, s, p, ceil, include, divisor), (small,))


def test_adaptive_avg_pool2d_kernel_matches_numpy():
    rs = np.random.RandomState(11)
    x = rs.standard_normal((3, 13, 10))  # unbatched, windows of unequal sizes
    xt = torch.tensor(x, requires_grad=True)
    for size in [(5, 3), (1, 1), (13, 10), (6, 7)]:
        out = F.adaptive_avg_pool2d(xt, size)
        # PyTorch pools globally with a mean (MeanBackward1).
        assert out.grad_fn.name() == ("MeanBackward1" if size == (1, 1) else "AdaptiveAvgPool2DBackward0")
        np.testing.assert_allclose(out.detach().numpy(), np_adaptive_avg(x, *size), atol=1e-12)
    small = torch.tensor(rs.standard_normal((1, 2, 5, 7)), requires_grad=True)
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (3, 4)), (small,))
    assert F.adaptive_avg_pool2d(torch.ones(2, 3, 4, 4, dtype=torch.float16), 2).dtype == torch.float16
