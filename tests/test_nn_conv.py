"""Convolution, pooling and padding against direct numpy loops (the textbook definitions), plus
gradcheck of the composed kernels and PyTorch's argument errors."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import rustorch as torch
import rustorch.nn as nn
import rustorch.nn.functional as F
from rustorch.autograd import gradcheck

SETTINGS = settings(max_examples=25, deadline=None)


def arr(t):
    return np.array(t.detach())


def rand(rs, *shape):
    return rs.standard_normal(shape)


def t64(a, requires_grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)


# ---------------------------------------------------------------- numpy references
def np_conv2d(x, w, b, stride, padding, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for oc in range(o):
        g = oc // og
        for i in range(ho):
            for j in range(wo):
                patch = xp[:, g * cg:(g + 1) * cg, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                out[:, oc, i, j] = (patch * w[oc]).sum(axis=(1, 2, 3))
    if b is not None:
        out += b[None, :, None, None]
    return out


def np_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation):
    """Scatter form: each input element adds weight * x at its strided, dilated output spots."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    wo = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    full = np.zeros((n, cog * groups, ho + 2 * ph + kh * dh, wo + 2 * pw + kw * dw))
    cig = cin // groups
    for ic in range(cin):
        g = ic // cig
        for i in range(h):
            for j in range(wd):
                for ki in range(kh):
                    for kj in range(kw):
                        full[:, g * cog:(g + 1) * cog, i * sh + ki * dh, j * sw + kj * dw] += \
                            x[:, ic, i, j][:, None] * w[ic, :, ki, kj][None, :]
    out = full[:, :, ph:ph + ho, pw:pw + wo]
    if b is not None:
        out = out + b[None, :, None, None]
    return out


def pool_out(size, k, p, s, d, ceil):
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


def np_max_pool2d(x, k, s, p, d, ceil):
    n, c, h, w = x.shape
    ho, wo = pool_out(h, k[0], p[0], s[0], d[0], ceil), pool_out(w, k[1], p[1], s[1], d[1], ceil)
    out = np.full((n, c, ho, wo), -np.inf)
    idx = np.zeros((n, c, ho, wo), dtype=np.int64)
    for i in range(ho):
        for j in range(wo):
            for ki in range(k[0]):
                for kj in range(k[1]):
                    r, q = i * s[0] - p[0] + ki * d[0], j * s[1] - p[1] + kj * d[1]
                    if 0 <= r < h and 0 <= q < w:
                        v = x[:, :, r, q]
                        better = v > out[:, :, i, j]
                        out[:, :, i, j] = np.where(better, v, out[:, :, i, j])
                        idx[:, :, i, j] = np.where(better, r * w + q, idx[:, :, i, j])
    return out, idx


def np_avg_pool2d(x, k, s, p, ceil, count_include_pad, divisor_override):
    n, c, h, w = x.shape
    ho, wo = pool_out(h, k[0], p[0], s[0], 1, ceil), pool_out(w, k[1], p[1], s[1], 1, ceil)
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            hs, ws = i * s[0] - p[0], j * s[1] - p[1]
            he, we = min(hs + k[0], h + p[0]), min(ws + k[1], w + p[1])
            pool_size = (he - hs) * (we - ws)
            hs_c, ws_c, he_c, we_c = max(hs, 0), max(ws, 0), min(he, h), min(we, w)
            total = x[:, :, hs_c:he_c, ws_c:we_c].sum(axis=(2, 3))
            if divisor_override:
                div = divisor_override
            elif count_include_pad:
                div = pool_size
            else:
                div = (he_c - hs_c) * (we_c - ws_c)
            out[:, :, i, j] = total / div
    return out


def np_adaptive_avg(x, oh, ow):
    h, w = x.shape[-2:]
    out = np.zeros(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            hs, he = (i * h) // oh, -((-(i + 1) * h) // oh)
            ws, we = (j * w) // ow, -((-(j + 1) * w) // ow)
            out[..., i, j] = x[..., hs:he, ws:we].mean(axis=(-2, -1))
    return out


# ---------------------------------------------------------------- convolution
@SETTINGS
@given(st.data())
def test_conv2d_matches_numpy(data):
    groups = data.draw(st.sampled_from([1, 2]))
    cg, og = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    stride = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)))
    padding = (data.draw(st.integers(0, 2)), data.draw(st.integers(0, 1)))
    dilation = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2)))
    h = data.draw(st.integers(dilation[0] * (kh - 1) + 1, 7))
    w = data.draw(st.integers(dilation[1] * (kw - 1) + 1, 7))
    rs = np.random.RandomState(data.draw(st.integers(0, 1000)))
    x, wt, b = rand(rs, 2, cg * groups, h, w), rand(rs, og * groups, cg, kh, kw), rand(rs, og * groups)
    out = F.conv2d(t64(x), t64(wt), t64(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(arr(out), np_conv2d(x, wt, b, stride, padding, dilation, groups), atol=1e-10)


def test_conv2d_float32_non_contiguous_and_unbatched():
    rs = np.random.RandomState(1)
    x, w = rand(rs, 1, 3, 6, 5).astype(np.float32), rand(rs, 4, 3, 3, 3).astype(np.float32)
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 1, 3, 2))).transpose(2, 3)  # strided view
    out = F.conv2d(xt, torch.from_numpy(w), padding=1)
    assert out.dtype == torch.float32
    np.testing.assert_allclose(arr(out), np_conv2d(x, w, None, (1, 1), (1, 1), (1, 1), 1), rtol=1e-5, atol=1e-5)
    single = F.conv2d(torch.from_numpy(x[0]), torch.from_numpy(w))
    assert single.shape == (4, 4, 3)


def test_conv_padding_strings_and_conv1d():
    rs = np.random.RandomState(2)
    x, w = rand(rs, 2, 2, 5, 6), rand(rs, 3, 2, 2, 3)
    same = F.conv2d(t64(x), t64(w), padding="same", dilation=(2, 1))
    assert same.shape == (2, 3, 5, 6)
    # 'same' with an even effective kernel pads the extra element on the right/bottom.
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    np.testing.assert_allclose(arr(same), np_conv2d(xp, w, None, (1, 1), (0, 0), (2, 1), 1), atol=1e-10)
    assert F.conv2d(t64(x), t64(w), padding="valid").shape == (2, 3, 4, 4)
    x1, w1 = rand(rs, 2, 3, 9), rand(rs, 4, 3, 3)
    out = F.conv1d(t64(x1), t64(w1), t64(np.ones(4)), stride=2, padding=1, dilation=2)
    ref = np_conv2d(x1[:, :, None], w1[:, :, None], np.ones(4), (1, 2), (0, 1), (1, 2), 1)[:, :, 0]
    np.testing.assert_allclose(arr(out), ref, atol=1e-10)


@SETTINGS
@given(st.data())
def test_conv_transpose2d_matches_numpy(data):
    groups = data.draw(st.sampled_from([1, 2]))
    stride = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)))
    dilation = (data.draw(st.integers(1, 2)), 1)
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    padding = (data.draw(st.integers(0, dilation[0] * (kh - 1))), data.draw(st.integers(0, kw - 1)))
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    assume(2 * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] >= 0)
    assume(3 * stride[1] - 2 * padding[1] + kw - 1 + output_padding[1] >= 0)
    rs = np.random.RandomState(data.draw(st.integers(0, 1000)))
    x, w, b = rand(rs, 2, 2 * groups, 3, 4), rand(rs, 2 * groups, 2, kh, kw), rand(rs, 2 * groups)
    out = F.conv_transpose2d(t64(x), t64(w), t64(b), stride, padding, output_padding, groups, dilation)
    ref = np_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)
    np.testing.assert_allclose(arr(out), ref, atol=1e-10)


def test_conv_gradcheck():
    rs = np.random.RandomState(3)
    x, w, b = t64(rand(rs, 2, 4, 5, 4), True), t64(rand(rs, 4, 2, 3, 2), True), t64(rand(rs, 4), True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
                     (x, w, b))
    wt = t64(rand(rs, 4, 3, 2, 3), True)
    assert gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1), (x, wt))
    x1, w1 = t64(rand(rs, 1, 2, 6), True), t64(rand(rs, 3, 2, 2), True)
    assert gradcheck(lambda x, w: F.conv1d(x, w, padding="same"), (x1, w1))


def test_conv_errors():
    x, w = torch.ones(1, 3, 4, 4), torch.ones(2, 1, 3, 3)
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[2, 1, 3, 3\], expected "
                                           r"input\[1, 3, 4, 4\] to have 1 channels, but got 3 channels instead"):
        F.conv2d(x, w)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, "
                                           r"but got input of size: \[4, 4\]"):
        F.conv2d(torch.ones(4, 4), w)
    with pytest.raises(RuntimeError, match=r"Calculated padded input size per channel: \(2 x 2\). Kernel size: "
                                           r"\(3 x 3\). Kernel size can't be greater than actual input size"):
        F.conv2d(torch.ones(1, 1, 2, 2), w)
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided convolutions"):
        F.conv2d(torch.ones(1, 1, 4, 4), w, padding="same", stride=2)
    with pytest.raises(RuntimeError, match="Input type \\(torch.DoubleTensor\\) and weight type "
                                           "\\(torch.FloatTensor\\) should be the same"):
        F.conv2d(torch.ones(1, 1, 4, 4, dtype=torch.float64), w)
    with pytest.raises(RuntimeError, match=r"Given input size per channel: \(2 x 2\). Calculated output size per "
                                           r"channel: \(-1 x -1\). Output size is too small"):
        F.conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), padding=2)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        F.conv_transpose2d(torch.ones(1, 2, 3, 3), torch.ones(2, 1, 2, 2), output_padding=1)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")


def test_conv_modules():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 6, 5)
    assert repr(conv) == "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert conv.weight.shape == (6, 3, 5, 5) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(3 * 25)
    assert float(conv.weight.abs().max()) <= bound and float(conv.bias.abs().max()) <= bound
    assert repr(nn.Conv2d(2, 4, (3, 1), stride=2, padding=(1, 0), dilation=2, groups=2, bias=False,
                          padding_mode="reflect")) == (
        "Conv2d(2, 4, kernel_size=(3, 1), stride=(2, 2), padding=(1, 0), dilation=(2, 2), groups=2, "
        "bias=False, padding_mode=reflect)")
    assert repr(nn.Conv1d(1, 2, 3, padding="same")) == "Conv1d(1, 2, kernel_size=(3,), stride=(1,), padding=same)"
    assert repr(nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)) == (
        "ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))")
    x = torch.randn(2, 3, 8, 8)
    np.testing.assert_allclose(arr(conv(x)), np_conv2d(arr(x).astype(np.float64), arr(conv.weight),
                                                       arr(conv.bias), (1, 1), (0, 0), (1, 1), 1), atol=1e-5)
    # Non-zero padding modes pad with F.pad first.
    circ = nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular", bias=False)
    xi = torch.arange(16.0).reshape(1, 1, 4, 4)
    wrapped = np.pad(arr(xi).astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)), mode="wrap")
    np.testing.assert_allclose(arr(circ(xi)), np_conv2d(wrapped, arr(circ.weight), None, (1, 1), (0, 0), (1, 1), 1),
                               atol=1e-5)
    up = nn.ConvTranspose2d(2, 1, 3, stride=2, padding=1)
    assert up(torch.ones(1, 2, 4, 4)).shape == (1, 1, 7, 7)
    assert up(torch.ones(1, 2, 4, 4), output_size=[8, 8]).shape == (1, 1, 8, 8)
    with pytest.raises(ValueError, match="requested an output size of \\[9, 9\\], but valid sizes range from "
                                         "\\[7, 7\\] to \\[8, 8\\]"):
        up(torch.ones(1, 2, 4, 4), output_size=[9, 9])


# ---------------------------------------------------------------- pooling
@SETTINGS
@given(st.data())
def test_max_pool2d_matches_numpy(data):
    k = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    s = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)))
    d = (data.draw(st.integers(1, 2)), 1)
    p = tuple(data.draw(st.integers(0, (dd * (kk - 1) + 1) // 2)) for kk, dd in zip(k, d))
    ceil = data.draw(st.booleans())
    h = data.draw(st.integers(d[0] * (k[0] - 1) + 1, 7))
    w = data.draw(st.integers(k[1], 7))
    x = np.random.RandomState(data.draw(st.integers(0, 1000))).standard_normal((2, 2, h, w))
    out, idx = F.max_pool2d(t64(x), k, s, p, d, ceil_mode=ceil, return_indices=True)
    ref, ref_idx = np_max_pool2d(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(arr(out), ref)
    np.testing.assert_array_equal(arr(idx), ref_idx)


@SETTINGS
@given(st.data())
def test_avg_pool2d_matches_numpy(data):
    k = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))
    s = (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 2)))
    p = tuple(data.draw(st.integers(0, kk // 2)) for kk in k)
    ceil, include = data.draw(st.booleans()), data.draw(st.booleans())
    divisor = data.draw(st.sampled_from([None, 3]))
    h, w = data.draw(st.integers(k[0], 7)), data.draw(st.integers(k[1], 7))
    x = np.random.RandomState(data.draw(st.integers(0, 1000))).standard_normal((2, 1, h, w))
    out = F.avg_pool2d(t64(x), k, s, p, ceil, include, divisor)
    np.testing.assert_allclose(arr(out), np_avg_pool2d(x, k, s, p, ceil, include, divisor), atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64])
def test_integer_max_pool2d_matches_numpy(dtype):
    rng = np.random.RandomState(7)
    low = 0 if dtype is torch.uint8 else -100
    x = rng.randint(low, 100, (2, 3, 6, 5))
    for k, s, p, ceil in [(2, 2, 0, False), (3, 2, 1, True), ((2, 3), 1, (1, 0), False)]:
        out, idx = F.max_pool2d(torch.tensor(x, dtype=dtype), k, s, p, return_indices=True, ceil_mode=ceil)
        kk, ss, pp = (v if isinstance(v, tuple) else (v, v) for v in (k, s, p))
        ref, ref_idx = np_max_pool2d(x.astype(np.float64), kk, ss, pp, (1, 1), ceil)
        assert out.dtype is dtype
        np.testing.assert_array_equal(arr(out), ref)
        np.testing.assert_array_equal(arr(idx), ref_idx)


def test_int64_avg_pool_truncates_like_pytorch():
    x = np.random.RandomState(8).randint(-50, 50, (1, 2, 5, 7))
    out = F.avg_pool2d(torch.tensor(x), 3, 2, 1)
    assert out.dtype is torch.int64
    np.testing.assert_array_equal(arr(out), np.trunc(np_avg_pool2d(x.astype(np.float64), (3, 3), (2, 2), (1, 1),
                                                                   False, True, None)))
    big = torch.tensor([[[2**62, 2**62, 3]]])  # the sum wraps as PyTorch's int64 accumulator does
    assert F.avg_pool1d(big, 2).tolist() == [[[-(2**62)]]]
    with pytest.raises(NotImplementedError, match="\"adaptive_avg_pool2d\" not implemented for 'Long'"):
        F.adaptive_avg_pool2d(torch.tensor(x), 2)


def test_adaptive_avg_pool_matches_numpy():
    x = np.random.RandomState(4).standard_normal((2, 3, 7, 5))
    for size in [(3, 2), (1, 1), (7, 5), (4, 4)]:
        np.testing.assert_allclose(arr(F.adaptive_avg_pool2d(t64(x), size)), np_adaptive_avg(x, *size), atol=1e-12)
    assert F.adaptive_avg_pool2d(t64(x), (None, 2)).shape == (2, 3, 7, 2)
    assert F.adaptive_avg_pool2d(t64(x[0]), 1).shape == (3, 1, 1)
    np.testing.assert_allclose(arr(F.adaptive_avg_pool1d(t64(x[0]), 3)), np_adaptive_avg(x[0][:, :, None], 1, 3)[:, :, 0],
                               atol=1e-12)


def test_pool_1d_forms_and_gradcheck():
    x = np.random.RandomState(5).standard_normal((2, 3, 9))
    out = F.max_pool1d(t64(x), 3, 2, 1)
    ref = np_max_pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1), (1, 1), False)[0][:, :, 0]
    np.testing.assert_array_equal(arr(out), ref)
    np.testing.assert_allclose(arr(F.avg_pool1d(t64(x), 2)), x[..., :8].reshape(2, 3, 4, 2).mean(-1),
                               atol=1e-12)
    xg = t64(np.random.RandomState(6).standard_normal((1, 2, 5, 6)), True)
    assert gradcheck(lambda x: F.max_pool2d(x, 2, 2, 1, ceil_mode=True), (xg,))
    assert gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), (xg,))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 4)), (xg,))


def test_max_pool_gradient_goes_to_first_maximum():
    x = torch.tensor([[[[1.0, 1.0], [0.0, 1.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]


def test_pool_errors_and_modules():
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size, but got pad=2, "
                                           "kernel_size=2 and dilation=1"):
        F.max_pool2d(torch.ones(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="pad should be smaller than or equal to half of kernel size"):
        F.avg_pool2d(torch.ones(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match=r"Given input size: \(1x1x1\). Calculated output size: \(1x0x0\). "
                                           r"Output size is too small"):
        F.max_pool2d(torch.ones(1, 1, 1, 1), 2)
    # PyTorch 2.15's CPU max pool takes every integer dtype (older releases refused Long), not bool.
    with pytest.raises(NotImplementedError, match="\"max_pool2d\" not implemented for 'Bool'"):
        F.max_pool2d(torch.ones(1, 1, 2, 2, dtype=torch.bool), 2)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d((3, 2), stride=1, padding=1, ceil_mode=True)) == (
        "MaxPool2d(kernel_size=(3, 2), stride=1, padding=1, dilation=1, ceil_mode=True)")
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == "AdaptiveAvgPool2d(output_size=(1, 1))"
    assert repr(nn.AdaptiveAvgPool2d(1)) == "AdaptiveAvgPool2d(output_size=1)"
    out, idx = nn.MaxPool2d(2, return_indices=True)(torch.arange(16.0).reshape(1, 1, 4, 4))
    assert out.tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]] and idx.tolist() == [[[[5, 7], [13, 15]]]]
    assert nn.AdaptiveAvgPool2d((1, 1))(torch.ones(2, 3, 5, 5)).shape == (2, 3, 1, 1)


# ---------------------------------------------------------------- padding
def test_pad_modes_match_numpy():
    x = np.random.RandomState(7).standard_normal((1, 2, 3, 4))
    pads = (1, 2, 2, 0)
    np_pads = ((0, 0), (0, 0), (2, 0), (1, 2))
    for mode, np_mode in (("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")):
        np.testing.assert_array_equal(arr(F.pad(t64(x), pads, mode=mode)), np.pad(x, np_pads, mode=np_mode))
    np.testing.assert_array_equal(arr(F.pad(t64(x), pads, value=1.5)), np.pad(x, np_pads, constant_values=1.5))
    np.testing.assert_array_equal(arr(F.pad(t64(x), (-1, 1))), np.pad(x[..., 1:], ((0, 0),) * 3 + ((0, 1),)))
    assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode="reflect"), (t64(x, True),))
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(t64(x), (1,))
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(t64(x), (4, 0), mode="reflect")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.pad(t64(x), (0, 0)).shape == (1, 2, 3, 4)


def test_unfold_is_im2col():
    x = np.random.RandomState(8).standard_normal((2, 3, 4, 5))
    cols = arr(F.unfold(t64(x), (2, 3), padding=1, stride=(2, 1)))
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    blocks = [xp[:, :, i:i + 2, j:j + 3].reshape(2, -1) for i in range(0, 5, 2) for j in range(0, 5)]
    np.testing.assert_array_equal(cols, np.stack(blocks, axis=-1))
