"""Gradients (float64 gradcheck against finite differences), error messages and train-mode
behaviour of the recurrent, attention, resampling and padding layers; their values against PyTorch
are in test_nn_modules.py."""
import warnings

import numpy as np
import pytest

import rustorch as torch
from rustorch import nn
from rustorch.autograd import gradcheck
from rustorch.nn import functional as F
from rustorch.nn.utils import rnn as rnn_utils


def _double(module):
    return module.double()


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_gradcheck(kind):
    torch.manual_seed(0)
    extra = {"proj_size": 2} if kind == "LSTM" else {}
    m = _double(getattr(nn, kind)(2, 3, num_layers=2, bidirectional=True, **extra))
    x = torch.randn(3, 2, 2, dtype=torch.float64, requires_grad=True)
    # the input, and one weight matrix through the whole stack (a full sweep is too slow for CI)
    assert gradcheck(lambda x: m(x)[0], (x,))
    w = m.weight_ih_l0.detach().clone().requires_grad_()

    def with_weight(w):
        saved = m._parameters["weight_ih_l0"]
        m._parameters["weight_ih_l0"] = w
        try:
            return m(x.detach())[0]
        finally:
            m._parameters["weight_ih_l0"] = saved
    assert gradcheck(with_weight, (w,))


def test_packed_lstm_gradcheck_and_final_states():
    torch.manual_seed(1)
    m = _double(nn.LSTM(2, 3, bidirectional=True))
    x = torch.randn(4, 3, 2, dtype=torch.float64, requires_grad=True)
    lengths = [2, 4, 1]

    def fn(x):
        out, (h, c) = m(rnn_utils.pack_padded_sequence(x, lengths, enforce_sorted=False))
        return rnn_utils.pad_packed_sequence(out)[0], h, c
    assert gradcheck(fn, (x,))
    # each sequence alone gives the same output and final state as the packed batch
    padded, h, c = fn(x)
    for b, n in enumerate(lengths):
        alone, (h1, c1) = m(x[:n, b:b + 1])
        np.testing.assert_allclose(padded[:n, b].detach().numpy(), alone[:, 0].detach().numpy(), atol=1e-12)
        assert float(padded[n:, b].abs().sum()) == 0.0
        np.testing.assert_allclose(h[:, b].detach().numpy(), h1[:, 0].detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(c[:, b].detach().numpy(), c1[:, 0].detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradcheck(cell):
    torch.manual_seed(2)
    m = _double(getattr(nn, cell)(3, 2))
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    h = torch.randn(2, 2, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, h: m(x, (h, h * 0.5) if cell == "LSTMCell" else h), (x, h))


def test_rnn_errors_and_warnings():
    lstm = nn.LSTM(3, 4, 2)
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size. Expected 3, got 5"):
        lstm(torch.randn(2, 1, 5))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 1, 4\), got \[2, 3, 4\]"):
        lstm(torch.randn(2, 1, 3), (torch.zeros(2, 3, 4), torch.zeros(2, 1, 4)))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx and cx should also be 3-D"):
        lstm(torch.randn(2, 1, 3), (torch.zeros(2, 4), torch.zeros(2, 4)))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        lstm(torch.randn(2, 1, 1, 3))
    with pytest.raises(ValueError, match=r"RNN input dtype \(torch.float64\) does not match weight dtype"):
        nn.GRU(3, 4)(torch.randn(2, 1, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D or 2D, got 3D instead"):
        nn.GRUCell(3, 4)(torch.randn(1, 1, 3))
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn_utils.pack_padded_sequence(torch.randn(3, 2, 1), [1, 3])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        rnn_utils.pad_packed_sequence(rnn_utils.pack_sequence([torch.randn(3, 1)]), total_length=2)


def test_rnn_dropout_between_layers_only_in_training():
    torch.manual_seed(3)
    m = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = torch.randn(5, 2, 3)
    m.eval()
    first, second = m(x)[0], m(x)[0]
    assert torch.equal(first, second)
    m.train()
    trained = [m(x)[0] for _ in range(2)]
    assert not torch.equal(trained[0], trained[1])
    # with dropout=1 the second layer sees zeros: its output no longer depends on the input
    m.dropout = 1.0
    a, b = m(x)[0], m(torch.randn(5, 2, 3))[0]
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-7)


def test_rnn_module_surface():
    m = nn.LSTM(3, 4, 2, bidirectional=True)
    m.flatten_parameters()
    assert [len(w) for w in m.all_weights] == [4, 4, 4, 4]
    assert m.all_weights[1][0] is m.weight_ih_l0_reverse
    m2 = nn.LSTM(3, 4, 2, bidirectional=True)
    m2.load_state_dict(m.state_dict())
    x = torch.randn(2, 1, 3)
    assert torch.equal(m(x)[0], m2(x)[0])


def test_interpolate_and_pixel_shuffle_gradcheck():
    x = torch.randn(1, 2, 3, 4, dtype=torch.float64, requires_grad=True)
    for mode, kwargs in (("bilinear", {"align_corners": False}), ("bicubic", {"align_corners": True}),
                         ("nearest", {}), ("nearest-exact", {})):
        assert gradcheck(lambda x, mode=mode, kwargs=kwargs: F.interpolate(x, size=(5, 3), mode=mode, **kwargs),
                         (x,)), mode
    assert gradcheck(lambda x: F.pixel_unshuffle(F.pixel_shuffle(x.reshape(1, 8, 1, 3), 2) * 2, 2), (x,))
    assert torch.equal(F.pixel_unshuffle(F.pixel_shuffle(x, 1), 1), x)


def test_interpolate_errors():
    x = torch.randn(1, 1, 3, 3)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set with the interpolating modes"):
        F.interpolate(x, size=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, size=2, mode="linear")
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(torch.randn(1, 3, 2, 2), 2)


def test_padding_and_norm_gradcheck():
    x = torch.randn(1, 2, 3, 4, dtype=torch.float64, requires_grad=True)
    for layer in (nn.ReflectionPad2d((1, 2, 0, 2)), nn.ReplicationPad2d(2), nn.CircularPad2d(1)):
        assert gradcheck(layer, (x,)), layer
    assert gradcheck(lambda x: F.instance_norm(x), (x,))
    assert gradcheck(lambda x: F.rms_norm(x, (4,)), (x,))
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, (2, 3)), (x,))
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        nn.CircularPad2d(1)(torch.randn(3, 4))


def test_attention_gradcheck():
    torch.manual_seed(4)
    q, k, v = (torch.randn(1, 2, 3, 4, dtype=torch.float64, requires_grad=True) for _ in range(3))
    mask = torch.tensor([[True, False, True], [True, True, False], [False, False, False]])
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k, v))
    mha = nn.MultiheadAttention(4, 2, add_bias_kv=True).double()
    x = torch.randn(3, 2, 4, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x: mha(x, x, x)[0], (x,))


def test_attention_errors_and_masks():
    q = torch.randn(1, 3, 4)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 3, dtype=torch.bool), is_causal=True)
    causal = nn.Transformer.generate_square_subsequent_mask(3)
    assert torch.equal(F.scaled_dot_product_attention(q, q, q, attn_mask=causal),
                       F.scaled_dot_product_attention(q, q, q, is_causal=True))
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    mha = nn.MultiheadAttention(4, 2)
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is"):
        mha(torch.randn(3, 1, 4), torch.randn(3, 1, 4), torch.randn(3, 1, 4), attn_mask=torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, batch_first=True), 1)
    with pytest.warns(UserWarning, match="self.use_nested_tensor is False because encoder_layer.norm_first was True"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, norm_first=True), 1)


def test_transformer_layer_clones_are_independent():
    layer = nn.TransformerEncoderLayer(4, 2, 8)
    enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    assert torch.equal(enc.layers[0].linear1.weight, enc.layers[1].linear1.weight)
    assert len(enc.state_dict()) == 2 * len(layer.state_dict())


def test_random_functional_forms():
    torch.manual_seed(5)
    x = torch.ones(4, 6, 5)
    out = F.dropout1d(x, 0.5)
    per_channel = out.numpy()
    # whole channels are either dropped or scaled by 1 / (1 - p)
    assert set(np.unique(per_channel.std(-1))) == {0.0}
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert torch.equal(F.dropout3d(torch.ones(2, 3, 1, 2, 2), 0.3, training=False), torch.ones(2, 3, 1, 2, 2))
    # alpha dropout keeps a standard normal input's mean and variance
    z = torch.randn(200000)
    dropped = F.alpha_dropout(z, 0.2, training=True).numpy()
    assert abs(dropped.mean()) < 0.02 and abs(dropped.std() - 1) < 0.02
    logits = torch.randn(5, 4, requires_grad=True)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert torch.equal(hard.sum(-1), torch.ones(5)) and set(np.unique(hard.detach().numpy())) == {0.0, 1.0}
    (hard * torch.arange(4.0)).sum().backward()
    assert logits.grad is not None and float(logits.grad.abs().sum()) > 0
    slopes = F.rrelu(-torch.ones(1000), 0.1, 0.3, training=True).neg().numpy()
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and slopes.std() > 0.03


def test_smaller_functional_forms_gradcheck():
    a, b, c = (torch.randn(3, 4, dtype=torch.float64, requires_grad=True) for _ in range(3))
    assert gradcheck(lambda a, b, c: F.triplet_margin_loss(a, b, c, swap=True), (a, b, c))
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b), (a, b))
    assert gradcheck(lambda a: F.glu(a, 1), (a,))
    assert gradcheck(lambda a: F.pdist(a), (a,))
    target = torch.tensor([[1, 3, -1, 0], [0, 1, 2, 3], [2, -1, 0, 0]])
    assert gradcheck(lambda a: F.multilabel_margin_loss(a, target), (a,))


def test_3d_convolution_and_pooling_gradcheck():
    torch.manual_seed(6)
    x = torch.randn(1, 2, 3, 3, 4, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 1, 2, 2, 2, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv3d(x, w, stride=(1, 2, 1), padding=1, groups=2), (x, w))
    assert gradcheck(lambda x, w: F.conv_transpose3d(x, w, stride=2, output_padding=1, groups=2), (x, w))
    assert gradcheck(lambda x: F.max_pool3d(x, 2, stride=1, padding=1), (x,))
    assert gradcheck(lambda x: F.avg_pool3d(x, 2, stride=1, padding=1, count_include_pad=False), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool3d(x, (2, 2, 3)), (x,))
    values, indices = F.max_pool3d(x, 2, return_indices=True)  # (indices: tests/test_surface_ops.py)
    assert torch.equal(values, F.max_pool3d(x, 2))
    assert torch.equal(x.flatten(2).gather(2, indices.flatten(2)).reshape(values.shape), values)


def test_grid_sample_embedding_bag_unpool_gradcheck():
    torch.manual_seed(7)
    x = torch.randn(1, 2, 3, 4, dtype=torch.float64, requires_grad=True)
    grid = (torch.rand(1, 2, 3, 2, dtype=torch.float64) * 2.2 - 1.1).requires_grad_()
    for padding_mode in ("zeros", "border", "reflection"):
        assert gradcheck(lambda x, g, mode=padding_mode: F.grid_sample(x, g, padding_mode=mode,
                                                                        align_corners=False), (x, grid))
    theta = torch.randn(1, 2, 3, dtype=torch.float64, requires_grad=True)
    assert gradcheck(lambda t: F.affine_grid(t, (1, 1, 3, 2), align_corners=False), (theta,))
    weight = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    bags = torch.tensor([0, 2, 2, 4, 1])
    for mode in ("sum", "mean", "max"):
        assert gradcheck(lambda w, mode=mode: F.embedding_bag(bags, w, torch.tensor([0, 1, 1]), mode=mode), (weight,))
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(bags.reshape(1, -1), weight, torch.tensor([0]))
    pooled, indices = F.max_pool2d(x.detach(), 2, return_indices=True)
    pooled.requires_grad_()
    assert gradcheck(lambda p: F.max_unpool2d(p, indices, 2), (pooled,))
