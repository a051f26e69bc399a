"""Records reference values for tests/test_nn_modules.py with real PyTorch (run by hand):

    /opt/torchvenv/bin/python tests/data/nn_modules/record.py

Each case builds its module right after ``manual_seed(seed)`` (so the weights test PyTorch's
initialisation order), draws its inputs from the same RNG (those named ``target*`` take no gradient), runs ``call`` and backpropagates
``sum(o * o + o)`` over every floating output. cases.json keeps the case expressions and reprs (the
test evaluates the same expressions with rustorch); values.npz the weights, inputs, outputs and
gradients."""
import json
import os

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (seed, module expression or None, {input: expression}, call expression using m and inputs)
CASES = {
    "rnn_tanh": (0, "nn.RNN(3, 4)", {"x": "torch.randn(5, 2, 3)"}, "m(x)"),
    "rnn_relu_2layer_bi_h0": (1, "nn.RNN(3, 4, 2, nonlinearity='relu', bidirectional=True, bias=False)",
                              {"x": "torch.randn(5, 2, 3)", "h0": "torch.randn(4, 2, 4)"}, "m(x, h0)"),
    "lstm": (2, "nn.LSTM(3, 4)", {"x": "torch.randn(5, 2, 3)"}, "m(x)"),
    "lstm_bi_2layer_batch_first_h0c0": (3, "nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)",
                                        {"x": "torch.randn(2, 5, 3)", "h0": "torch.randn(4, 2, 4)",
                                         "c0": "torch.randn(4, 2, 4)"}, "m(x, (h0, c0))"),
    "lstm_proj_unbatched": (4, "nn.LSTM(3, 5, proj_size=2, num_layers=2)", {"x": "torch.randn(6, 3)"}, "m(x)"),
    "lstm_packed_bi": (5, "nn.LSTM(3, 4, bidirectional=True)", {"x": "torch.randn(5, 3, 3)"},
                       "m(nn.utils.rnn.pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False))"),
    "gru_packed_padded_back": (6, "nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True)",
                               {"x": "torch.randn(3, 4, 3)", "h0": "torch.randn(4, 3, 4)"},
                               "nn.utils.rnn.pad_packed_sequence(m(nn.utils.rnn.pack_padded_sequence("
                               "x, [4, 4, 1], batch_first=True), h0)[0], batch_first=True, total_length=5)[0]"),
    "gru": (7, "nn.GRU(3, 4, 2)", {"x": "torch.randn(4, 2, 3)"}, "m(x)"),
    "rnncell": (8, "nn.RNNCell(3, 4)", {"x": "torch.randn(2, 3)", "h": "torch.randn(2, 4)"}, "m(x, h)"),
    "lstmcell": (9, "nn.LSTMCell(3, 4)", {"x": "torch.randn(2, 3)"}, "m(x)"),
    "lstmcell_unbatched": (10, "nn.LSTMCell(3, 4, bias=False)", {"x": "torch.randn(3)", "h": "torch.randn(4)",
                                                                 "c": "torch.randn(4)"}, "m(x, (h, c))"),
    "grucell": (11, "nn.GRUCell(3, 4)", {"x": "torch.randn(2, 3)", "h": "torch.randn(2, 4)"}, "m(x, h)"),
    "pad_sequence_left": (12, None, {"a": "torch.randn(3, 2)", "b": "torch.randn(1, 2)", "c": "torch.randn(2, 2)"},
                          "nn.utils.rnn.pad_sequence([a, b, c], batch_first=True, padding_value=-1.0, "
                          "padding_side='left')"),
    "pack_sequence": (13, None, {"a": "torch.randn(3, 2)", "b": "torch.randn(1, 2)", "c": "torch.randn(2, 2)"},
                      "nn.utils.rnn.pack_sequence([a, b, c], enforce_sorted=False)"),
    # resampling
    "interp_nearest_scale": (20, None, {"x": "torch.randn(1, 2, 3, 5)"},
                             "F.interpolate(x, scale_factor=(1.7, 2.3))"),
    "interp_nearest_size_1d": (21, None, {"x": "torch.randn(2, 1, 7)"}, "F.interpolate(x, size=4)"),
    "interp_nearest_exact_3d": (22, None, {"x": "torch.randn(1, 1, 2, 3, 4)"},
                                "F.interpolate(x, size=(3, 5, 3), mode='nearest-exact')"),
    "interp_linear_align": (23, None, {"x": "torch.randn(2, 2, 5)"},
                            "F.interpolate(x, size=8, mode='linear', align_corners=True)"),
    "interp_bilinear_scale": (24, None, {"x": "torch.randn(1, 2, 4, 3)"},
                              "F.interpolate(x, scale_factor=1.5, mode='bilinear')"),
    "interp_bilinear_down_recompute": (25, None, {"x": "torch.randn(1, 1, 7, 6)"},
                                       "F.interpolate(x, scale_factor=0.6, mode='bilinear', "
                                       "recompute_scale_factor=True)"),
    "interp_bicubic": (26, None, {"x": "torch.randn(1, 2, 4, 5)"},
                       "F.interpolate(x, size=(7, 3), mode='bicubic')"),
    "interp_bicubic_align": (27, None, {"x": "torch.randn(1, 1, 3, 4)"},
                             "F.interpolate(x, scale_factor=2.0, mode='bicubic', align_corners=True)"),
    "interp_trilinear": (28, None, {"x": "torch.randn(1, 1, 2, 3, 3)"},
                         "F.interpolate(x, size=(3, 4, 5), mode='trilinear')"),
    "interp_area": (29, None, {"x": "torch.randn(1, 2, 6, 5)"}, "F.interpolate(x, size=(3, 2), mode='area')"),
    "upsample_module": (30, "nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)",
                        {"x": "torch.randn(1, 1, 3, 3)"}, "m(x)"),
    "upsampling_bilinear2d": (31, "nn.UpsamplingBilinear2d(size=(4, 5))", {"x": "torch.randn(1, 1, 3, 3)"}, "m(x)"),
    "pixel_shuffle": (32, "nn.PixelShuffle(2)", {"x": "torch.randn(2, 8, 2, 3)"}, "m(x)"),
    "pixel_unshuffle": (33, "nn.PixelUnshuffle(2)", {"x": "torch.randn(3, 4, 6)"}, "m(x)"),
    # padding
    "reflection_pad2d": (40, "nn.ReflectionPad2d((1, 2, 2, 0))", {"x": "torch.randn(1, 2, 3, 4)"}, "m(x)"),
    "reflection_pad1d": (41, "nn.ReflectionPad1d(2)", {"x": "torch.randn(2, 5)"}, "m(x)"),
    "replication_pad3d": (42, "nn.ReplicationPad3d((1, 0, 2, 1, 0, 1))", {"x": "torch.randn(1, 1, 2, 2, 3)"},
                          "m(x)"),
    "circular_pad2d": (43, "nn.CircularPad2d(1)", {"x": "torch.randn(1, 1, 3, 3)"}, "m(x)"),
    "constant_pad3d": (44, "nn.ConstantPad3d(1, 2.5)", {"x": "torch.randn(1, 2, 1, 2)"}, "m(x)"),
    "zero_pad2d": (45, "nn.ZeroPad2d((1, 1, 0, 2))", {"x": "torch.randn(1, 1, 2, 2)"}, "m(x)"),
    "reflection_pad3d": (46, "nn.ReflectionPad3d(1)", {"x": "torch.randn(1, 1, 2, 3, 3)"}, "m(x)"),
    # normalization and pooling
    "instance_norm2d": (50, "nn.InstanceNorm2d(3)", {"x": "torch.randn(2, 3, 4, 4)"}, "m(x)"),
    "instance_norm1d_affine_tracked": (51, "nn.InstanceNorm1d(3, affine=True, track_running_stats=True)",
                                       {"x": "torch.randn(2, 3, 5)"}, "(m(x), m.running_mean, m.running_var)"),
    "instance_norm3d_unbatched": (52, "nn.InstanceNorm3d(2, affine=True, bias=False)",
                                  {"x": "torch.randn(2, 2, 3, 2)"}, "m(x)"),
    "rms_norm": (53, "nn.RMSNorm([3, 4])", {"x": "torch.randn(2, 3, 4)"}, "m(x)"),
    "rms_norm_eps": (54, None, {"x": "torch.randn(2, 5)", "w": "torch.randn(5)"}, "F.rms_norm(x, (5,), w, 1e-3)"),
    "local_response_norm": (55, "nn.LocalResponseNorm(3)", {"x": "torch.randn(2, 5, 3, 2)"}, "m(x)"),
    "local_response_norm_3d": (56, "nn.LocalResponseNorm(2, alpha=0.1, k=2.0)", {"x": "torch.randn(2, 4, 3)"},
                               "m(x)"),
    "batch_norm3d": (57, "nn.BatchNorm3d(2)", {"x": "torch.randn(2, 2, 2, 2, 3)"},
                     "(m(x), m.running_mean, m.running_var)"),
    "adaptive_max_pool2d": (58, "nn.AdaptiveMaxPool2d((2, 3), return_indices=True)",
                            {"x": "torch.randn(2, 2, 5, 7)"}, "m(x)"),
    "adaptive_max_pool1d": (59, "nn.AdaptiveMaxPool1d(4)", {"x": "torch.randn(2, 6)"}, "m(x)"),
    "fold_unfold": (60, "nn.Unfold(2, padding=1, stride=2)", {"x": "torch.randn(1, 2, 4, 5)"},
                    "nn.Fold((4, 5), 2, padding=1, stride=2)(m(x))"),
    # attention
    "sdpa_bool_mask": (70, None, {"q": "torch.randn(2, 3, 4, 8)", "k": "torch.randn(2, 3, 5, 8)",
                                  "v": "torch.randn(2, 3, 5, 6)", "mask": "torch.rand(4, 5) > 0.3"},
                       "F.scaled_dot_product_attention(q, k, v, attn_mask=mask)"),
    "sdpa_float_mask_scale": (71, None, {"q": "torch.randn(2, 4, 8)", "k": "torch.randn(2, 5, 8)",
                                         "v": "torch.randn(2, 5, 8)", "mask": "torch.randn(2, 4, 5)"},
                              "F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=0.3)"),
    "sdpa_causal_gqa": (72, None, {"q": "torch.randn(1, 4, 5, 8)", "k": "torch.randn(1, 2, 5, 8)",
                                   "v": "torch.randn(1, 2, 5, 8)"},
                        "F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)"),
    "sdpa_fully_masked_row": (73, None, {"q": "torch.randn(1, 3, 4)", "k": "torch.randn(1, 2, 4)",
                                         "v": "torch.randn(1, 2, 4)"},
                              "F.scaled_dot_product_attention(q, k, v, attn_mask=torch.tensor("
                              "[[True, False], [False, False], [True, True]]))"),
    "mha_self": (74, "nn.MultiheadAttention(8, 2)", {"x": "torch.randn(5, 3, 8)"}, "m(x, x, x)"),
    "mha_padding_mask_batch_first": (75, "nn.MultiheadAttention(8, 4, batch_first=True)",
                                     {"q": "torch.randn(2, 3, 8)", "kv": "torch.randn(2, 5, 8)"},
                                     "m(q, kv, kv, key_padding_mask=torch.tensor([[False, False, False, True, True], "
                                     "[False, False, False, False, False]]), average_attn_weights=False)"),
    "mha_kdim_vdim_float_mask": (76, "nn.MultiheadAttention(6, 2, kdim=4, vdim=3)",
                                 {"q": "torch.randn(3, 2, 6)", "k": "torch.randn(5, 2, 4)", "v": "torch.randn(5, 2, 3)",
                                  "mask": "torch.randn(3, 5)"}, "m(q, k, v, attn_mask=mask)"),
    "mha_bias_kv_zero_attn": (77, "nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True)",
                              {"x": "torch.randn(3, 2, 4)"},
                              "m(x, x, x, key_padding_mask=torch.tensor([[False, False, True], [False, True, True]]), "
                              "attn_mask=torch.triu(torch.ones(3, 3, dtype=torch.bool), 1))"),
    "mha_no_weights_unbatched_no_bias": (78, "nn.MultiheadAttention(4, 2, bias=False)", {"x": "torch.randn(3, 4)"},
                                         "m(x, x, x, need_weights=False)"),
    "mha_causal_no_weights": (79, "nn.MultiheadAttention(4, 1)", {"x": "torch.randn(4, 2, 4)"},
                              "m(x, x, x, need_weights=False, is_causal=True, "
                              "attn_mask=nn.Transformer.generate_square_subsequent_mask(4))"),
    "encoder_layer": (80, "nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)",
                      {"x": "torch.randn(5, 2, 8)"}, "m(x, src_key_padding_mask=torch.tensor([[False] * 5, "
                      "[False, False, False, True, True]]))"),
    "encoder_layer_norm_first_gelu": (81, "nn.TransformerEncoderLayer(8, 2, 16, 0.0, 'gelu', batch_first=True, "
                                      "norm_first=True)", {"x": "torch.randn(2, 4, 8)"},
                                      "m(x, src_mask=nn.Transformer.generate_square_subsequent_mask(4), "
                                      "is_causal=True)"),
    "decoder_layer": (82, "nn.TransformerDecoderLayer(8, 2, 16, 0.0, activation=F.silu, layer_norm_eps=1e-3)",
                      {"t": "torch.randn(3, 2, 8)", "mem": "torch.randn(5, 2, 8)"},
                      "m(t, mem, tgt_mask=nn.Transformer.generate_square_subsequent_mask(3))"),
    "encoder_stack": (83, "nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2, nn.LayerNorm(8))",
                      {"x": "torch.randn(4, 2, 8)"}, "m(x, mask=nn.Transformer.generate_square_subsequent_mask(4))"),
    "transformer": (84, "nn.Transformer(8, 2, 2, 1, 16, dropout=0.1, batch_first=True).eval()",
                    {"src": "torch.randn(2, 5, 8)", "tgt": "torch.randn(2, 3, 8)"},
                    "m(src, tgt, tgt_mask=m.generate_square_subsequent_mask(3), "
                    "src_key_padding_mask=torch.tensor([[False] * 5, [False, False, False, False, True]]))"),
    "transformer_norm_first_decoder_stack": (85, "nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 1, 8, 0.0, "
                                             "norm_first=True), 2)",
                                             {"t": "torch.randn(3, 1, 4)", "mem": "torch.randn(2, 1, 4)"},
                                             "m(t, mem, memory_key_padding_mask=torch.tensor([[False, True]]))"),
    # smaller functional names
    "glu": (90, "nn.GLU(1)", {"x": "torch.randn(2, 6, 3)"}, "m(x)"),
    "shrinks": (91, None, {"x": "torch.randn(3, 4)"}, "(F.hardshrink(x, 0.4), F.softshrink(x, 0.3))"),
    "rrelu_eval": (92, "nn.RReLU(0.1, 0.3).eval()", {"x": "torch.randn(3, 4)"}, "m(x)"),
    "softmax2d": (93, "nn.Softmax2d()", {"x": "torch.randn(2, 3, 2, 2)"}, "m(x)"),
    "distances": (94, None, {"a": "torch.randn(3, 5)", "b": "torch.randn(3, 5)"},
                  "(F.cosine_similarity(a, b), F.cosine_similarity(a, b[:1], dim=-1), F.pairwise_distance(a, b), "
                  "F.pairwise_distance(a, b, p=1.0, keepdim=True), F.pdist(a), F.pdist(b, p=3))"),
    "channel_shuffle": (95, "nn.ChannelShuffle(3)", {"x": "torch.randn(1, 6, 2)"}, "m(x)"),
    "lp_pool": (96, None, {"x": "torch.rand(1, 2, 5, 6) + 0.1", "y": "torch.rand(1, 2, 7) + 0.1"},
                "(F.lp_pool2d(x, 2, 2), F.lp_pool2d(x, 3.0, (2, 3), stride=(1, 2), ceil_mode=True), "
                "F.lp_pool1d(y, 1.5, 3, 2))"),
    "margin_losses": (97, None, {"a": "torch.randn(6)", "b": "torch.randn(6)",
                                 "target": "torch.tensor([1., -1., 1., 1., -1., -1.])"},
                      "(F.margin_ranking_loss(a, b, target, margin=0.3), F.hinge_embedding_loss(a, target, margin=0.5), "
                      "F.soft_margin_loss(a, target, reduction='sum'), F.hinge_embedding_loss(a, target, reduction='none'))"),
    "embedding_losses": (98, None, {"a": "torch.randn(4, 5)", "b": "torch.randn(4, 5)", "c": "torch.randn(4, 5)",
                                    "target": "torch.tensor([1., -1., 1., -1.])"},
                         "(F.cosine_embedding_loss(a, b, target, margin=0.2), F.triplet_margin_loss(a, b, c), "
                         "F.triplet_margin_loss(a, b, c, margin=2.0, p=1, swap=True, reduction='none'), "
                         "F.triplet_margin_with_distance_loss(a, b, c, distance_function=lambda x, y: "
                         "1 - F.cosine_similarity(x, y), margin=0.5))"),
    "nll_losses": (99, None, {"x": "torch.randn(3, 4)", "y": "torch.rand(3, 4) * 3", "v": "torch.rand(3, 4) + 0.1",
                              "v1": "torch.rand(3) + 0.1"},
                   "(F.poisson_nll_loss(x, y), F.poisson_nll_loss(x.abs(), y, log_input=False, full=True), "
                   "F.gaussian_nll_loss(x, y, v), F.gaussian_nll_loss(x, y, v1, full=True, reduction='sum'))"),
    "multi_losses": (100, None, {"x": "torch.randn(3, 4)", "target_w": "torch.rand(4)",
                                 "target": "(torch.rand(3, 4) > 0.5).float()"},
                     "(F.multilabel_soft_margin_loss(x, target), F.multilabel_soft_margin_loss(x, target, weight=target_w, "
                     "reduction='none'), F.multi_margin_loss(x, torch.tensor([0, 3, 1])), "
                     "F.multi_margin_loss(x, torch.tensor([2, 2, 0]), p=2, margin=0.5, weight=target_w, reduction='sum'), "
                     "F.multilabel_margin_loss(x, torch.tensor([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 1, 1]])))"),
    # 3-d convolution and pooling
    "conv3d": (110, "nn.Conv3d(4, 6, (2, 3, 2), stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 1, 2), groups=2)",
               {"x": "torch.randn(2, 4, 4, 5, 5)"}, "m(x)"),
    "conv3d_same_unbatched": (111, "nn.Conv3d(2, 3, 3, padding='same', bias=False)", {"x": "torch.randn(2, 3, 4, 4)"},
                              "m(x)"),
    "conv_transpose3d": (112, "nn.ConvTranspose3d(4, 2, (2, 3, 3), stride=(2, 1, 2), padding=(0, 1, 1), "
                         "output_padding=(1, 0, 1), groups=2)", {"x": "torch.randn(1, 4, 2, 3, 3)"}, "m(x)"),
    "conv_transpose3d_dilated": (113, "nn.ConvTranspose3d(2, 3, 2, dilation=2)", {"x": "torch.randn(1, 2, 2, 2, 3)"},
                                 "m(x)"),
    "max_pool3d": (114, "nn.MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True)",
                   {"x": "torch.randn(1, 2, 3, 5, 6)"}, "m(x)"),
    "max_pool3d_dilated_unbatched": (115, None, {"x": "torch.randn(2, 5, 5, 5)"},
                                     "F.max_pool3d(x, 2, stride=2, dilation=2)"),
    "avg_pool3d": (116, "nn.AvgPool3d(3, stride=2, padding=1, ceil_mode=True)", {"x": "torch.randn(1, 2, 4, 5, 6)"},
                   "m(x)"),
    "avg_pool3d_exclude_pad": (117, None, {"x": "torch.randn(1, 1, 4, 4, 5)"},
                               "(F.avg_pool3d(x, (2, 3, 3), stride=(2, 2, 1), padding=(1, 1, 1), "
                               "count_include_pad=False), F.avg_pool3d(x, 2, divisor_override=3))"),
    "adaptive_pool3d": (118, None, {"x": "torch.randn(1, 2, 5, 4, 7)"},
                        "(F.adaptive_avg_pool3d(x, (2, 3, 3)), F.adaptive_max_pool3d(x, (3, None, 2)))"),
    # grids, bags, unpooling
    "affine_grid": (120, None, {"theta": "torch.randn(2, 2, 3)", "theta3": "torch.randn(1, 3, 4)"},
                    "(F.affine_grid(theta, (2, 1, 3, 4), align_corners=False), F.affine_grid(theta, (2, 3, 1, 5), "
                    "align_corners=True), F.affine_grid(theta3, (1, 1, 2, 3, 2), align_corners=False))"),
    "grid_sample_bilinear_zeros": (121, None, {"x": "torch.randn(2, 2, 4, 5)", "g": "torch.rand(2, 3, 6, 2) * 2.4 - 1.2"},
                                   "F.grid_sample(x, g, align_corners=False)"),
    "grid_sample_bilinear_border_align": (122, None, {"x": "torch.randn(1, 2, 4, 5)",
                                                      "g": "torch.rand(1, 3, 3, 2) * 3 - 1.5"},
                                          "F.grid_sample(x, g, padding_mode='border', align_corners=True)"),
    "grid_sample_reflection": (123, None, {"x": "torch.randn(1, 1, 4, 5)", "g": "torch.rand(1, 4, 4, 2) * 5 - 2.5"},
                               "(F.grid_sample(x, g, padding_mode='reflection', align_corners=False), "
                               "F.grid_sample(x, g, padding_mode='reflection', align_corners=True))"),
    "grid_sample_nearest": (124, None, {"x": "torch.randn(1, 2, 4, 5)", "target_g": "torch.rand(1, 3, 3, 2) * 2.2 - 1.1"},
                            "(F.grid_sample(x, target_g, mode='nearest', align_corners=False), "
                            "F.grid_sample(x, target_g, mode='nearest', padding_mode='border', align_corners=True))"),
    "stn_affine_grid_sample": (125, None, {"x": "torch.randn(2, 1, 5, 5)",
                                           "theta": "torch.eye(2, 3).repeat(2, 1, 1) + 0.2 * torch.randn(2, 2, 3)"},
                               "F.grid_sample(x, F.affine_grid(theta, x.size(), align_corners=False), "
                               "align_corners=False)"),
    "embedding_bag_mean_offsets": (126, "nn.EmbeddingBag(6, 3)", {},
                                   "m(torch.tensor([1, 2, 4, 5, 4, 3, 2, 0]), torch.tensor([0, 4, 4]))"),
    "embedding_bag_sum_weights_2d": (127, "nn.EmbeddingBag(5, 2, mode='sum', padding_idx=1)",
                                     {"psw": "torch.randn(2, 3)"},
                                     "m(torch.tensor([[0, 1, 2], [4, 4, 1]]), per_sample_weights=psw)"),
    "embedding_bag_max_last_offset": (128, "nn.EmbeddingBag(5, 2, mode='max', include_last_offset=True)", {},
                                      "m(torch.tensor([0, 3, 1, 4, 2]), torch.tensor([0, 2, 2, 5]))"),
    "max_unpool2d": (129, None, {"x": "torch.randn(1, 2, 4, 6)"},
                     "nn.MaxUnpool2d(2)(*F.max_pool2d(x, 2, return_indices=True))"),
    "max_unpool1d_output_size": (130, None, {"x": "torch.randn(1, 2, 7)"},
                                 "F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True), 2, output_size=[7])"),
    "ctc_loss": (131, "nn.CTCLoss()", {"x": "torch.randn(7, 3, 5)"},
                 "m(x.log_softmax(2), torch.tensor([[1, 2, 2], [3, 1, 4], [2, 0, 0]]), torch.tensor([7, 6, 4]), "
                 "torch.tensor([3, 3, 1]))"),
    "ctc_loss_flat_targets_sum": (132, None, {"x": "torch.randn(6, 2, 4)"},
                                  "(F.ctc_loss(x.log_softmax(2), torch.tensor([1, 1, 3, 2]), [6, 5], [2, 2], "
                                  "blank=0, reduction='sum'), F.ctc_loss(x.log_softmax(2), torch.tensor([[1, 2], "
                                  "[2, 2]]), (6, 3), (2, 0), blank=3, reduction='none'))"),
    "ctc_loss_zero_infinity_unbatched": (133, None, {"x": "torch.randn(3, 4)", "y": "torch.randn(5, 2, 4)"},
                                         "(F.ctc_loss(x.log_softmax(1), torch.tensor([1, 2, 3]), torch.tensor(3), torch.tensor(3)), "
                                         "F.ctc_loss(y.log_softmax(2), torch.tensor([[1, 1, 1], [2, 3, 1]]), [5, 5], "
                                         "[3, 3], zero_infinity=True, reduction='none'))"),
    "lp_pool3d": (134, "nn.LPPool3d(2, (2, 2, 3), stride=(1, 2, 2))", {"x": "torch.rand(1, 2, 3, 4, 5) + 0.1"},
                  "m(x)"),
}


def flatten(value):
    """The tensors of a nested output (a PackedSequence contributes all four fields)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value if v is not None for t in flatten(v)]
    return []


def main():
    cases, values = {}, {}
    for name, (seed, module_expr, inputs, call) in CASES.items():
        torch.manual_seed(seed)
        scope = {"torch": torch, "nn": nn, "F": F}
        m = eval(module_expr, scope) if module_expr else None
        scope["m"] = m
        for key, expr in inputs.items():
            scope[key] = eval(expr, scope)
            if scope[key].is_floating_point() and not key.startswith("target"):
                scope[key].requires_grad_()
            values[f"{name}/input/{key}"] = scope[key].detach().numpy()
        params = dict(m.named_parameters()) if m is not None else {}
        for key, value in (m.state_dict().items() if m is not None else ()):
            values[f"{name}/state/{key}"] = value.detach().numpy().copy()
        outputs = flatten(eval(call, scope))
        for i, out in enumerate(outputs):
            values[f"{name}/out/{i}"] = out.detach().numpy().copy()
        loss = sum((o * o + o).sum() for o in outputs if o.is_floating_point() and o.requires_grad)
        loss.backward()
        for key in inputs:
            if scope[key].grad is not None:
                values[f"{name}/grad/input/{key}"] = scope[key].grad.numpy()
        for key, p in params.items():
            if p.grad is not None:
                values[f"{name}/grad/param/{key}"] = p.grad.numpy()
        cases[name] = {"seed": seed, "module": module_expr, "inputs": inputs, "call": call,
                       "repr": repr(m) if m is not None else None, "outputs": len(outputs)}
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
    np.savez_compressed(os.path.join(HERE, "values.npz"), **values)


if __name__ == "__main__":
    main()
