"""The cuda device's GPU kernels (generated elementwise families, reductions, softmax, matrix
products, fused optimizer steps), its errors and its random generator, compared with the CPU
kernels and NumPy; and a training step that stays on the GPU (counted, not timed).

Each GPU check also asserts that the host fallback did not run: the counters in
``rustorch.backends.wgpu.stats()`` count every CPU kernel that touches a cuda storage. Sizes
stay small: lavapipe (CI's software Vulkan) does a few GFLOP/s.
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import rustorch as torch
from rustorch import _fallback, nn

HAS_GPU = torch.cuda.is_available()
pytestmark = pytest.mark.skipif(not HAS_GPU, reason="no usable GPU adapter")


class on_gpu:
    """Asserts that the block ran no CPU kernel on a cuda storage (but for `reads` reads of
    values) and created no buffer beyond `buffers`; `dispatches` and `submits` are what it
    recorded."""

    def __init__(self, buffers=None, reads=0):
        self.buffers, self.reads = buffers, reads

    def __enter__(self):
        self.before = torch.backends.wgpu.stats()
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        after = torch.backends.wgpu.stats()
        delta = {k: after[k] - self.before[k] for k in ("host_fallbacks", "buffers_created", "dispatches", "submits")}
        assert delta["host_fallbacks"] == self.reads, delta
        if self.buffers is not None:
            assert delta["buffers_created"] <= self.buffers, delta
        self.dispatches, self.submits = delta["dispatches"], delta["submits"]
        return False


def close(gpu, cpu, rtol=1e-5, atol=1e-6):
    assert gpu.is_cuda and gpu.dtype == cpu.dtype and gpu.shape == cpu.shape
    np.testing.assert_allclose(gpu.cpu().numpy(), cpu.numpy(), rtol=rtol, atol=atol)


def rand(*shape, low=-2.0, high=2.0, seed=0):
    return torch.tensor(np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32))


# --- errors and the generator ----------------------------------------------------------------

def test_kernel_that_does_not_compile_raises_runtime_error():
    with pytest.raises(RuntimeError, match="GPU kernel 'broken_kernel' failed to compile"):
        torch._C._cuda_test_fault("wgsl")
    assert (torch.ones(3, device="cuda") * 2).cpu().tolist() == [2.0] * 3  # the device still works


def test_lost_device_raises_runtime_error():
    code = (
        "import rustorch as torch\n"
        "x = torch.ones(4, device='cuda') + 1\n"
        "torch._C._cuda_test_fault('lose_device')\n"
        "for _ in range(2):  # every later GPU call fails too\n"
        "    try:\n"
        "        (x * 2).cpu()\n"
        "        torch.cuda.synchronize()\n"
        "    except RuntimeError as e:\n"
        "        print('raised', 'GPU' in str(e) or 'lost' in str(e))\n"
    )
    env = dict(os.environ, RUSTORCH_WGPU_ALLOW_SOFTWARE=os.environ.get("RUSTORCH_WGPU_ALLOW_SOFTWARE", ""))
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["raised", "True"] * 2, r.stdout + r.stderr


def test_tensor_and_as_tensor_keep_the_source_device():
    g = torch.arange(4.0, device="cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        copy = torch.tensor(g)
        moved = torch.tensor(g, device="cpu")
    assert copy.is_cuda and copy.tolist() == [0.0, 1.0, 2.0, 3.0] and copy.data_ptr() != g.data_ptr()
    assert not moved.is_cuda and moved.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert torch.as_tensor(g) is g
    assert torch.as_tensor(g, dtype=torch.int32).is_cuda
    assert not torch.as_tensor(g, device="cpu").is_cuda


def test_cuda_manual_seed_seeds_cuda_sampling():
    torch.cuda.manual_seed(7)
    a = torch.randn(5, device="cuda")
    torch.cuda.manual_seed_all(7)
    b = torch.randn(5, device="cuda")
    assert a.cpu().tolist() == b.cpu().tolist()
    assert torch.cuda.initial_seed() == 7
    # Until a GPU generator lands, cuda samples follow the CPU generator's sequence.
    torch.manual_seed(7)
    assert torch.randn(5).tolist() == a.cpu().tolist()
    torch.manual_seed(7)  # seeds every device
    assert torch.randn(5, device="cuda").cpu().tolist() == a.cpu().tolist()
    # The CPU generator is not disturbed by cuda sampling.
    torch.manual_seed(3)
    first = torch.rand(2).tolist()
    torch.manual_seed(3)
    torch.rand(4, device="cuda")
    assert torch.rand(2).tolist() == first


# --- elementwise -----------------------------------------------------------------------------

def test_every_gpu_unary_op_is_routed_and_matches_the_cpu():
    names = torch._C._gpu_unary_op_names()
    assert {"exp", "log", "tanh", "sigmoid", "relu", "sqrt", "erf"} <= set(names)
    x_cpu = rand(3, 5, low=0.05, high=0.95)
    x = x_cpu.cuda()
    xt = x.t()  # a strided view
    for name in names:
        assert name in _fallback.GPU_KERNEL_METHODS and name + "_" in _fallback.GPU_KERNEL_METHODS, name
        with on_gpu():
            r, rt = getattr(x, name)(), getattr(xt, name)()
        close(r, getattr(x_cpu, name)(), rtol=2e-5)
        close(rt, getattr(x_cpu.t(), name)(), rtol=2e-5)
    y = x.clone()
    with on_gpu():
        y.exp_()
    close(y, x_cpu.exp())


def test_unary_edge_values_match_the_cpu():
    x_cpu = torch.tensor([0.0, -0.0, 1e-7, -1e-4, 3.0, -20.0, 20.0, 30.0, float("inf"), float("-inf"), float("nan")])
    x = x_cpu.cuda()
    for name in ["relu", "sign", "tanh", "sigmoid", "expm1", "erf", "abs", "neg", "floor", "exp"]:
        np.testing.assert_allclose(getattr(x, name)().cpu().numpy(), getattr(x_cpu, name)().numpy(), rtol=2e-5, atol=1e-7, err_msg=name)
    pos_cpu = torch.tensor([1e-7, 1e-3, 0.5, 1.0, 2.0, 1e30, 0.0, float("inf")])
    pos = pos_cpu.cuda()
    for name in ["log1p", "log", "log2", "log10", "sqrt", "rsqrt", "reciprocal"]:
        np.testing.assert_allclose(getattr(pos, name)().cpu().numpy(), getattr(pos_cpu, name)().numpy(), rtol=2e-5, err_msg=name)


@pytest.mark.parametrize("dtype", [torch.float32, torch.int32, torch.uint8, torch.bool])
def test_binary_ops_broadcast_promote_and_match_the_cpu(dtype):
    rng = np.random.default_rng(1)
    a_np, b_np = rng.integers(0, 6, (3, 1, 4)), rng.integers(1, 6, (2, 4))
    a_cpu, b_cpu = torch.tensor(a_np).to(dtype), torch.tensor(b_np).to(dtype)
    a, b = a_cpu.cuda(), b_cpu.cuda()
    ops = ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "maximum", "minimum", "logical_and", "logical_or", "logical_xor"]
    ops += ["__add__", "__mul__"] + ([] if dtype == torch.bool else ["__sub__"])
    ops += ["__truediv__", "pow"] if dtype == torch.float32 else ["__and__", "__or__", "__xor__"]
    for op in ops:
        with on_gpu():
            r = getattr(a, op)(b)
        close(r, getattr(a_cpu, op)(b_cpu))
    # Python scalars and 0-dim CPU tensors as operands; promotion to float.
    # (A bool tensor with a Python int promotes to int64, which has no GPU kernel yet.)
    others = (1.5,) if dtype == torch.bool else (2, 1.5, torch.tensor(3, dtype=torch.int32))
    for other in others:
        with on_gpu():
            r = a * other
        close(r, a_cpu * other)
    with on_gpu():
        r = a.transpose(1, 2) + b.t().unsqueeze(0)
    close(r, a_cpu.transpose(1, 2) + b_cpu.t().unsqueeze(0))


def test_mixed_dtype_operands_convert_inside_the_kernel():
    f = rand(2, 3).cuda()
    i = torch.tensor([[1, 2, 3], [4, 5, 6]], dtype=torch.int32).cuda()
    m = torch.tensor([[True, False, True], [False, True, False]]).cuda()
    with on_gpu():
        r1, r2, r3 = f + i, i * m, m + m
    close(r1, f.cpu() + i.cpu())
    close(r2, i.cpu() * m.cpu())
    close(r3, m.cpu() + m.cpu())
    with on_gpu():
        f.add_(i)
        as_int = f.to(torch.int32)
        as_bool = f.to(torch.bool)
        back = m.to(torch.float32)
    close(as_int, f.cpu().to(torch.int32))
    close(as_bool, f.cpu().to(torch.bool))
    close(back, m.cpu().float())


def test_where_clamp_and_in_place_on_the_gpu():
    x_cpu, y_cpu = rand(4, 3, seed=2), rand(3, seed=3)
    x, y = x_cpu.cuda(), y_cpu.cuda()
    with on_gpu():
        w = torch.where(x > 0, x, y)
        ws = torch.where(x > 0, x, 0.5)
        c = x.clamp(-0.5, 0.5)
        cm = x.clamp(min=0.0)
    close(w, torch.where(x_cpu > 0, x_cpu, y_cpu))
    close(ws, torch.where(x_cpu > 0, x_cpu, 0.5))
    close(c, x_cpu.clamp(-0.5, 0.5))
    close(cm, x_cpu.clamp(min=0.0))
    with on_gpu():
        x.mul_(2).sub_(y)
        x.select(1, 1).add_(10)   # a strided view written in place
    expected = x_cpu * 2 - y_cpu
    expected[:, 1] += 10
    close(x, expected)


# --- reductions, softmax ---------------------------------------------------------------------

@pytest.mark.parametrize("dims", [None, 0, 1, (0, 2), (-1,)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_reductions_match_the_cpu(dims, keepdim):
    x_cpu = rand(5, 6, 7, seed=4)
    x = x_cpu.cuda().transpose(0, 1)  # strided input
    x_cpu = x_cpu.transpose(0, 1)
    for op in ["sum", "mean", "amax", "amin"]:
        args = () if dims is None else (dims,)
        kwargs = {} if dims is None and op in ("sum", "mean") else {"keepdim": keepdim}
        if dims is None and op in ("amax", "amin"):
            args = ((),)
        with on_gpu():
            r = getattr(x, op)(*args, **kwargs)
        close(r, getattr(x_cpu, op)(*args, **kwargs), rtol=1e-5, atol=1e-5)


def test_large_all_reduce_splits_over_workgroups():
    x_cpu = rand(300, 301, seed=5)
    x = x_cpu.cuda()
    with on_gpu():
        s, m, hi = x.sum(), x.mean(), x.max()
    close(s, x_cpu.sum(), rtol=1e-4, atol=1e-2)
    close(m, x_cpu.mean(), rtol=1e-4, atol=1e-6)
    close(hi, x_cpu.max())


def test_positions_of_extremes_take_the_first_and_nan_wins():
    x_cpu = torch.tensor([[1.0, 3.0, 3.0, 0.0], [float("nan"), 2.0, float("nan"), 5.0], [-1.0, -1.0, -4.0, -4.0]])
    x = x_cpu.cuda()
    with on_gpu():
        am, ai = x.argmax(1), x.argmin(1)
        mx, mn = x.max(1), x.min(0, keepdim=True)
        flat = x.select(0, 2).argmin()
    for g, c in [(am, x_cpu.argmax(1)), (ai, x_cpu.argmin(1)), (mx.indices, x_cpu.max(1).indices), (mn.indices, x_cpu.min(0, keepdim=True).indices), (flat, x_cpu[2].argmin())]:
        assert g.is_cuda and g.dtype == torch.int64 and g.cpu().tolist() == c.tolist()
    np.testing.assert_array_equal(mx.values.cpu().numpy(), x_cpu.max(1).values.numpy())


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_and_log_softmax_match_the_cpu(dim):
    x_cpu = rand(4, 9, low=-30, high=30, seed=6)
    x = x_cpu.cuda()
    with on_gpu():
        s, ls = torch.softmax(x, dim), torch.log_softmax(x, dim)
    close(s, torch.softmax(x_cpu, dim), rtol=1e-5, atol=1e-7)
    close(ls, torch.log_softmax(x_cpu, dim), rtol=1e-5, atol=1e-5)


# --- matrix products -------------------------------------------------------------------------

def test_matrix_products_of_any_layout_match_the_cpu():
    a_cpu, b_cpu = rand(70, 33, seed=7), rand(33, 65, seed=8)
    a, b = a_cpu.cuda(), b_cpu.cuda()
    bt = b_cpu.t().contiguous().cuda().t()  # a transposed (column-major) operand
    ba, bb = rand(3, 5, 17, seed=9), rand(17, 6, seed=10)
    bias = rand(65, seed=11)
    v = rand(33, seed=12)
    gba, gbb, gbias, gv = ba.cuda(), bb.cuda(), bias.cuda(), v.cuda()
    with on_gpu():
        results = {
            "mm": a @ b, "mm_transposed": a @ bt, "bmm_broadcast": gba @ gbb, "bmm": torch.bmm(gba, gba.transpose(1, 2)),
            "addmm": torch.addmm(gbias, a, b, beta=0.5, alpha=2.0), "mv": a @ gv, "dot": gv @ gv,
        }
    expected = {
        "mm": a_cpu @ b_cpu, "mm_transposed": a_cpu @ b_cpu, "bmm_broadcast": ba @ bb, "bmm": torch.bmm(ba, ba.transpose(1, 2)),
        "addmm": torch.addmm(bias, a_cpu, b_cpu, beta=0.5, alpha=2.0), "mv": a_cpu @ v, "dot": v @ v,
    }
    for name, r in results.items():
        close(r, expected[name], rtol=1e-4, atol=1e-4)


# --- losses ----------------------------------------------------------------------------------

F = nn.functional


@pytest.mark.parametrize("loss, reads", [
    (lambda x, t, r: F.mse_loss(x, t, reduction=r), 0),
    (lambda x, t, r: F.huber_loss(x, t, reduction=r, delta=0.7), 0),
    (lambda x, t, r: F.smooth_l1_loss(x, t, reduction=r, beta=0.5), 0),
    # The input's range check reads its minimum and maximum.
    (lambda x, t, r: F.binary_cross_entropy(torch.sigmoid(x), torch.sigmoid(t), reduction=r), 2),
    (lambda x, t, r: F.binary_cross_entropy_with_logits(x, torch.sigmoid(t), reduction=r), 0),
    (lambda x, t, r: F.binary_cross_entropy_with_logits(
        x, torch.sigmoid(t), reduction=r, pos_weight=(t.abs() + 0.5)[0], weight=t[:, :1].abs()), 0),
])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fused_pointwise_losses_and_their_gradients_run_on_the_gpu(loss, reads, reduction):
    """The fused CPU kernels' formulas, composed of GPU ops, under the same single node."""
    x_cpu, t_cpu = rand(6, 5, seed=21).requires_grad_(), rand(6, 5, seed=22).requires_grad_()
    x, t = x_cpu.detach().cuda().requires_grad_(), t_cpu.detach().cuda().requires_grad_()
    expected = loss(x_cpu, t_cpu, reduction)
    expected.sum().backward()
    with on_gpu(reads=reads):
        out = loss(x, t, reduction)
        out.sum().backward()
    # One node on either device, with PyTorch's name.
    assert type(out.grad_fn).__name__ == type(expected.grad_fn).__name__
    close(out.detach(), expected.detach(), rtol=1e-5, atol=1e-6)
    close(x.grad, x_cpu.grad, rtol=1e-5, atol=1e-6)
    close(t.grad, t_cpu.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer", [
    lambda x: F.gelu(x),
    lambda x: F.gelu(x, approximate="tanh"),
    lambda x: F.layer_norm(x, (5,)),
    lambda x: F.layer_norm(x, (6, 5), weight=x[0].detach() * 0 + 1.5, bias=x[0].detach() * 0 - 0.5),
])
def test_fused_layers_and_their_gradients_run_on_the_gpu(layer):
    x_cpu = rand(2, 6, 5, seed=28).requires_grad_()
    x = x_cpu.detach().cuda().requires_grad_()
    expected = layer(x_cpu)
    (expected * expected).sum().backward()
    with on_gpu():
        out = layer(x)
        (out * out).sum().backward()
    assert type(out.grad_fn).__name__ == type(expected.grad_fn).__name__
    close(out.detach(), expected.detach(), rtol=1e-5, atol=1e-5)
    close(x.grad, x_cpu.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_and_its_running_stats_run_on_the_gpu(training):
    x_cpu, w_cpu, b_cpu = rand(4, 3, 5, seed=29).requires_grad_(), rand(3, seed=30).requires_grad_(), rand(3, seed=31).requires_grad_()
    stats_cpu = [rand(3, seed=32), rand(3, low=0.5, high=2.0, seed=33)]
    leaves = [t.detach().cuda().requires_grad_() for t in (x_cpu, w_cpu, b_cpu)]
    stats = [s.cuda() for s in stats_cpu]
    expected = F.batch_norm(x_cpu, *stats_cpu, w_cpu, b_cpu, training=training, momentum=0.3)
    (expected * expected).sum().backward()
    with on_gpu():
        out = F.batch_norm(leaves[0], *stats, leaves[1], leaves[2], training=training, momentum=0.3)
        (out * out).sum().backward()
    assert type(out.grad_fn).__name__ == type(expected.grad_fn).__name__ == "NativeBatchNormBackward0"
    close(out.detach(), expected.detach(), rtol=1e-5, atol=1e-5)
    for s, s_cpu in zip(stats, stats_cpu):
        close(s, s_cpu)
    for leaf, leaf_cpu in zip(leaves, (x_cpu, w_cpu, b_cpu)):
        close(leaf.grad, leaf_cpu.grad, rtol=1e-4, atol=1e-4)


def test_fused_recurrent_cells_and_their_gradients_run_on_the_gpu():
    gates_cpu, c_cpu = rand(3, 8, seed=23).requires_grad_(), rand(3, 2, seed=24).requires_grad_()
    xg_cpu, hg_cpu, h_cpu = rand(3, 6, seed=25).requires_grad_(), rand(3, 6, seed=26).requires_grad_(), rand(3, 2, seed=27).requires_grad_()
    leaves_cpu = [gates_cpu, c_cpu, xg_cpu, hg_cpu, h_cpu]
    leaves = [t.detach().cuda().requires_grad_() for t in leaves_cpu]

    def run(gates, c, xg, hg, h):
        h_lstm, c_lstm = torch._C._lstm_cell(gates, c)
        return h_lstm, c_lstm, torch._C._gru_cell(xg, hg, h)

    expected = run(*leaves_cpu)
    sum(o.sum() * (k + 1) for k, o in enumerate(expected)).backward()
    with on_gpu():
        outs = run(*leaves)
        sum(o.sum() * (k + 1) for k, o in enumerate(outs)).backward()
    assert [type(o.grad_fn).__name__ for o in outs] == [type(o.grad_fn).__name__ for o in expected]
    for o, e in zip(outs, expected):
        close(o.detach(), e.detach())
    for leaf, leaf_cpu in zip(leaves, leaves_cpu):
        close(leaf.grad, leaf_cpu.grad)


# --- optimizers and training -----------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda p: torch.optim.SGD(p, lr=0.1),
    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, dampening=0.0),
    lambda p: torch.optim.Adam(p, lr=0.01),
    lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, amsgrad=True),
    lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
])
def test_fused_optimizer_steps_match_the_cpu(make):
    w_cpu, g = rand(7, 3, seed=13), rand(7, 3, seed=14)
    w = w_cpu.cuda().requires_grad_()
    w_cpu.requires_grad_()
    opt_cpu, opt = make([w_cpu]), make([w])
    for k in range(3):
        w_cpu.grad, w.grad = g * (k + 1), (g * (k + 1)).cuda()
        opt_cpu.step()
        with on_gpu():
            opt.step()
    close(w.detach(), w_cpu.detach(), rtol=1e-6, atol=1e-7)


def mlp_losses(device, steps):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4), nn.Tanh(), nn.Linear(4, 1)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(32, 8, generator=g).to(device), torch.randn(32, 1, generator=g).to(device)

    def step():
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def test_mlp_adam_step_stays_on_the_gpu_and_matches_the_cpu():
    cpu_step, gpu_step = mlp_losses("cpu", 0), mlp_losses("cuda", 0)
    cpu_losses, gpu_losses = [], []
    for k in range(6):
        # After warm-up (kernels compiled, buffers pooled, optimizer state created) a step
        # creates no buffer.
        with on_gpu(buffers=0 if k >= 3 else None) as counted:
            loss = gpu_step()
        # Batched: dozens of kernels recorded without a submission (one comes when the host
        # reads the loss), not one per op.
        assert counted.dispatches >= 30 and counted.submits <= 1, (counted.dispatches, counted.submits)
        gpu_losses.append(loss.item())
        cpu_losses.append(cpu_step().item())
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-3)
    assert gpu_losses[-1] < gpu_losses[0]
