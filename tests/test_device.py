"""The cuda device (the wgpu GPU backend): device API, transfers, GPU kernels, the host-staged
fallback, and training on the GPU compared with the CPU.

GPU tests run where an adapter is usable; on a machine without a GPU, Mesa's lavapipe counts with
RUSTORCH_WGPU_ALLOW_SOFTWARE=1 (CI runs this file a second time that way). Sizes stay small:
lavapipe runs a few GFLOP/s.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import rustorch as torch
from rustorch import _fallback, nn

HAS_GPU = torch.cuda.is_available()
needs_gpu = pytest.mark.skipif(not HAS_GPU, reason="no usable GPU adapter")
DEVICES = ["cpu"] + (["cuda"] if HAS_GPU else [])


@pytest.fixture(params=DEVICES)
def device(request):
    return torch.device(request.param)


def run_python(code, allow_software):
    env = dict(os.environ)
    env.pop("RUSTORCH_WGPU_ALLOW_SOFTWARE", None)
    if allow_software:
        env["RUSTORCH_WGPU_ALLOW_SOFTWARE"] = "1"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


# --- without a usable adapter: PyTorch's CPU-only behaviour ---------------------------------

def test_software_adapters_do_not_count_without_the_variable():
    code = (
        "import rustorch as torch\n"
        "assert torch.cuda.is_available() is False and torch.cuda.device_count() == 0\n"
        "assert torch.accelerator.is_available() is False and torch.accelerator.current_accelerator() is None\n"
        "assert torch.accelerator.device_count() == 0 and torch.version.cuda is None\n"
        "assert torch.backends.wgpu.info() is None\n"
        "for use in (lambda: torch.ones(1).cuda(), lambda: torch.zeros(1, device='cuda'), torch.cuda.current_device):\n"
        "    try:\n"
        "        use()\n"
        "    except AssertionError as e:\n"
        "        assert str(e) == 'Torch not compiled with CUDA enabled'\n"
        "    else:\n"
        "        raise SystemExit('no error')\n"
        "print('ok')\n"
    )
    r = run_python(code, allow_software=False)
    # On a machine with a hardware GPU this holds only for software-only hosts.
    if r.returncode != 0 and "no error" in r.stderr + r.stdout:
        pytest.skip("a hardware GPU is present")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok" and r.stderr == ""


def test_import_does_not_touch_the_gpu():
    r = run_python("import rustorch as torch; print(torch._C._cuda_is_initialized())", allow_software=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_every_op_has_a_gpu_kernel_or_a_fallback_entry():
    """Each Rust-implemented Tensor method and _C function is on the device, in the host-staged
    fallback table, or no device op at all; a new op must be classified."""
    methods = {k for k, v in torch._C.Tensor.__dict__.items()
               if type(v).__name__ in ("method_descriptor", "wrapper_descriptor", "builtin_function_or_method")
               or getattr(v, "__wrapped__", None) is not None}
    unclassified = methods - _fallback.ON_DEVICE - _fallback.GPU_KERNEL_METHODS - _fallback.HOST_FALLBACK_METHODS
    assert not unclassified, sorted(unclassified)
    functions = {k for k, v in vars(torch._C).items()
                 if callable(v) and not isinstance(v, type) and not k.startswith("_cuda_")}
    functions -= {"_fallback_call", "_set_default_device", "_get_default_device_is_cuda"}
    unclassified = functions - _fallback.GPU_KERNEL_FUNCTIONS - _fallback.HOST_FALLBACK_FUNCTIONS - _fallback.NOT_DEVICE_OPS
    assert not unclassified, sorted(unclassified)
    tables = [_fallback.ON_DEVICE, _fallback.GPU_KERNEL_METHODS, _fallback.HOST_FALLBACK_METHODS]
    assert all(not a & b for i, a in enumerate(tables) for b in tables[i + 1:])
    assert not _fallback.GPU_KERNEL_FUNCTIONS & _fallback.HOST_FALLBACK_FUNCTIONS


# --- the GPU -----------------------------------------------------------------------------------

@needs_gpu
def test_adapter_and_device_api():
    info = torch.backends.wgpu.info()
    assert info["backend"] in ("Vulkan", "Metal", "Dx12")
    if os.environ.get("RUSTORCH_REQUIRE_VULKAN") == "1":
        assert info["backend"] == "Vulkan", info
    assert torch.cuda.get_device_name() == info["name"] == torch.cuda.get_device_name(0)
    assert torch.cuda.get_device_properties(0).name == info["name"]
    assert torch.cuda.device_count() == 1 and torch.cuda.current_device() == 0
    assert torch.accelerator.current_accelerator() == torch.device("cuda")
    torch.cuda.set_device(0)
    torch.cuda.synchronize()
    torch.accelerator.synchronize()
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.cuda.set_device(1)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        torch.zeros(1, device="cuda:1")
    assert torch.version.cuda is None


@needs_gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.int32, torch.bool,
                                   torch.uint8, torch.float16, torch.int16])
def test_round_trip_keeps_values(dtype):
    data = np.arange(-5, 7).reshape(3, 4) % (2 if dtype == torch.bool else 100)
    x = torch.tensor(data).to(dtype)
    g = x.to("cuda")
    assert g.is_cuda and not g.is_cpu and g.device == torch.device("cuda", 0) and g.dtype == dtype
    assert repr(g.device) == "device(type='cuda', index=0)"
    back = g.cpu()
    assert back.device == torch.device("cpu") and back.dtype == dtype
    assert torch.equal(back, x)
    assert g.cpu().tolist() == x.tolist() and g[1, 2].item() == x[1, 2].item()


@needs_gpu
def test_gpu_copy_cast_fill_kernels():
    stats = torch.backends.wgpu.stats
    x = torch.arange(12.0).reshape(3, 4).cuda()
    before = stats()
    t = x.t().contiguous()            # strided copy kernel
    i = x.to(torch.int32)             # cast kernel
    f = torch.full((2, 3), 2.5, device="cuda")
    f[:, 1].fill_(-1.0)               # strided fill kernel
    z = torch.zeros(5, dtype=torch.int64, device="cuda")
    mid = stats()
    assert mid["downloads"] == before["downloads"]  # nothing came back to the host yet
    assert mid["submits"] - before["submits"] <= 2  # the kernels are batched
    assert t.cpu().tolist() == np.arange(12.0).reshape(3, 4).T.tolist()
    assert i.cpu().tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert f.cpu().tolist() == [[2.5, -1.0, 2.5], [2.5, -1.0, 2.5]]
    assert z.cpu().tolist() == [0] * 5
    x.copy_(torch.ones(3, 4))          # host -> device into an existing tensor
    assert x.cpu().sum().item() == 12


@needs_gpu
def test_printing_and_numpy():
    g = torch.ones(2).cuda()
    assert repr(g) == "tensor([1., 1.], device='cuda:0')"
    assert repr(torch.tensor([1, 2], device="cuda")) == "tensor([1, 2], device='cuda:0')"
    msg = "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first."
    with pytest.raises(TypeError, match=msg.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        g.numpy()
    with pytest.raises(TypeError):
        np.asarray(g)
    assert g.cpu().numpy().tolist() == [1.0, 1.0]


@needs_gpu
def test_mixed_devices_raise_as_pytorch():
    a, b = torch.ones(2), torch.ones(2).cuda()
    # PyTorch names the GPU first whatever the operand order (seed 003's `a + b.to(device)`).
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"):
        a + b
    with pytest.raises(RuntimeError, match="found at least two devices, cuda:0 and cpu!"):
        torch.matmul(b.reshape(1, 2), a.reshape(2, 1))
    # 0-dim CPU tensors join GPU ops as scalars; CPU indices may index a GPU tensor.
    assert (b * torch.tensor(3.0)).device.type == "cuda"
    assert b[torch.tensor([1])].cpu().tolist() == [1.0]


@needs_gpu
def test_factories_like_and_default_device():
    for t in (torch.zeros(2, 3, device="cuda"), torch.ones(2, device=torch.device("cuda", 0)), torch.empty(3, device=0),
              torch.arange(4, device="cuda"), torch.randn(3, device="cuda"), torch.full((2,), 7, device="cuda"),
              torch.eye(2, device="cuda"), torch.linspace(0, 1, 5, device="cuda")):
        assert t.is_cuda
    g = torch.ones(2, 2).cuda()
    for t in (torch.zeros_like(g), torch.ones_like(g), torch.rand_like(g), torch.full_like(g, 3), g.new_zeros(3), g.new_tensor([1.0])):
        assert t.is_cuda
    assert not torch.zeros_like(g, device="cpu").is_cuda
    assert torch.as_tensor(np.ones(2), device="cuda").is_cuda
    torch.set_default_device("cuda")
    try:
        assert torch.zeros(2).is_cuda and torch.get_default_device() == torch.device("cuda", 0)
    finally:
        torch.set_default_device("cpu")
    assert not torch.zeros(2).is_cuda


@needs_gpu
def test_memory_counters_and_oom():
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    x = torch.empty(1024, device="cuda")
    assert torch.cuda.memory_allocated() - base >= 4096
    assert torch.cuda.max_memory_allocated() >= torch.cuda.memory_allocated()
    del x
    assert torch.cuda.memory_allocated() == base
    torch.cuda.reset_peak_memory_stats()
    assert torch.cuda.max_memory_allocated() == base
    torch.cuda.empty_cache()
    with pytest.raises(torch.cuda.OutOfMemoryError, match="CUDA out of memory"):
        torch.empty(1 << 42, dtype=torch.uint8, device="cuda")
    assert issubclass(torch.cuda.OutOfMemoryError, RuntimeError)


# --- ops, autograd, nn and optim on both devices -----------------------------------------------

def close(a, b, rtol=1e-5, atol=1e-6):
    assert a.device.type == "cpu" or a.is_cuda
    np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy(), rtol=rtol, atol=atol)


def test_ops_match_cpu(device):
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4,)).astype(np.float32)
    a, b = torch.tensor(a_np, device=device), torch.tensor(b_np, device=device)
    results = {
        "add_broadcast": a + b, "mul_scalar": a * 2.5, "exp": a.exp(), "where": torch.where(a > 0, a, b),
        "sum": a.sum(1), "mean": a.mean(), "max": a.max(0).values, "argmax": a.argmax(1),
        "softmax": torch.softmax(a, 1), "matmul": a @ a.t(), "cat": torch.cat([a, a], 0),
        "index": a[[0, 2]], "transpose_exp": a.t().exp(),
    }
    expected = {
        "add_broadcast": a_np + b_np, "mul_scalar": a_np * 2.5, "exp": np.exp(a_np), "where": np.where(a_np > 0, a_np, b_np),
        "sum": a_np.sum(1), "mean": a_np.mean(), "max": a_np.max(0), "argmax": a_np.argmax(1),
        "softmax": np.exp(a_np) / np.exp(a_np).sum(1, keepdims=True), "matmul": a_np @ a_np.T,
        "cat": np.concatenate([a_np, a_np]), "index": a_np[[0, 2]], "transpose_exp": np.exp(a_np.T),
    }
    for name, r in results.items():
        assert r.device.type == device.type, name
        np.testing.assert_allclose(r.cpu().numpy(), expected[name], rtol=1e-5, atol=1e-6, err_msg=name)
    a.add_(1.0)
    np.testing.assert_allclose(a.cpu().numpy(), a_np + 1, rtol=1e-6)
    a[0] = 0.0
    assert a.cpu()[0].tolist() == [0.0] * 4


def test_autograd_on_device(device):
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], device=device, requires_grad=True)
    w = torch.tensor([0.5, -1.0], device=device, requires_grad=True)
    y = ((x * w).tanh().sum(1) ** 2).mean()
    y.backward()
    assert x.grad.device.type == device.type and w.grad.device.type == device.type
    xn, wn = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])
    t = np.tanh(xn * wn)
    s = t.sum(1)
    dt = (2 * s / 2)[:, None] * (1 - t ** 2)
    np.testing.assert_allclose(x.grad.cpu().numpy(), dt * wn, rtol=1e-5)
    # atol: the GPU's tanh differs from the CPU's by a few ULP, and this sum cancels.
    np.testing.assert_allclose(w.grad.cpu().numpy(), (dt * xn).sum(0), rtol=1e-5, atol=1e-6)


def test_gradient_crosses_devices():
    if not HAS_GPU:
        pytest.skip("no usable GPU adapter")
    w = torch.ones(3, requires_grad=True)
    y = (w.cuda() * 2).sum()
    y.backward()
    assert not w.grad.is_cuda and w.grad.tolist() == [2.0, 2.0, 2.0]
    assert y.grad_fn.name() == "SumBackward0"


def train(device, model_fn, data, optimizer_fn, loss_fn, steps):
    torch.manual_seed(0)
    model = model_fn().to(device)
    opt = optimizer_fn(model.parameters())
    x, y = (t.to(device) for t in data)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.device.type == device.type for p in model.parameters())
    return losses


MLP = lambda: nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))  # noqa: E731
CNN = lambda: nn.Sequential(  # noqa: E731
    nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def mlp_data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(32, 8, generator=g), torch.randint(0, 3, (32,), generator=g)


def cnn_data():
    g = torch.Generator().manual_seed(2)
    return torch.randn(8, 1, 8, 8, generator=g), torch.randint(0, 3, (8,), generator=g)


@needs_gpu
def test_mlp_adam_trains_on_cuda_like_cpu():
    args = (MLP, mlp_data(), lambda p: torch.optim.Adam(p, lr=0.01), nn.functional.cross_entropy, 15)
    cpu, gpu = train(torch.device("cpu"), *args), train(torch.device("cuda"), *args)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-3)
    assert gpu[-1] < gpu[0]


@needs_gpu
def test_cnn_batchnorm_sgd_momentum_trains_on_cuda_like_cpu():
    args = (CNN, cnn_data(), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), nn.functional.cross_entropy, 8)
    cpu, gpu = train(torch.device("cpu"), *args), train(torch.device("cuda"), *args)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-3)
    assert gpu[-1] < gpu[0]


@needs_gpu
def test_module_moves_between_devices():
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert net.cuda() is net and all(p.is_cuda for p in net.parameters()) and net[1].running_mean.is_cuda
    out = net(torch.ones(4, 3, device="cuda"))
    assert out.is_cuda and out.shape == (4, 2)
    net.cpu()
    assert not any(p.is_cuda for p in net.parameters()) and not net[1].running_mean.is_cuda
    assert all(p.is_cuda for p in net.to(torch.device("cuda")).parameters())


@needs_gpu
def test_surface_ops_on_cuda():
    """The torch-surface functions (tests/test_surface_ops.py's recorded calls) on cuda tensors."""
    from test_surface_ops import replay_on_cuda
    assert replay_on_cuda() == []


@needs_gpu
@pytest.mark.parametrize("zip_format", [True, False])
def test_save_and_load_of_cuda_tensors(zip_format):
    import io
    import zipfile
    t = torch.arange(6.0).reshape(2, 3).to("cuda")
    model = nn.Linear(3, 2).to("cuda")
    buffer = io.BytesIO()
    torch.save({"w": t, "row": t[1], "m": model.state_dict()}, buffer, _use_new_zipfile_serialization=zip_format)
    if zip_format:  # the storage's location is recorded as PyTorch records it
        buffer.seek(0)
        assert b"cuda:0" in zipfile.ZipFile(buffer).read("archive/data.pkl")
    buffer.seek(0)
    loaded = torch.load(buffer)
    assert loaded["w"].device == torch.device("cuda:0") and loaded["m"]["weight"].is_cuda
    assert loaded["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert torch.equal(loaded["m"]["weight"].cpu(), model.weight.cpu())
    loaded["row"].add_(10)  # views of one storage still share it
    assert loaded["w"].tolist()[1] == [13.0, 14.0, 15.0]
    buffer.seek(0)
    on_host = torch.load(buffer, map_location="cpu")
    assert on_host["w"].device == torch.device("cpu") and on_host["w"].tolist()[1] == [3.0, 4.0, 5.0]
    assert t.untyped_storage().is_cuda and not t.untyped_storage().cpu().is_cuda


def test_pin_memory_needs_an_accelerator():
    code = (
        "import warnings\n"
        "import rustorch as torch\n"
        "from rustorch.utils.data import DataLoader, TensorDataset\n"
        "assert torch.ones(2).is_pinned() is False\n"
        "try:\n"
        "    torch.ones(2).pin_memory()\n"
        "except RuntimeError as e:\n"
        "    assert str(e) == 'Cannot access accelerator device when none is available.', e\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    batches = list(DataLoader(TensorDataset(torch.arange(4.0)), batch_size=2, pin_memory=True))\n"
        "assert [str(w.message) for w in caught] == [\"'pin_memory' argument is set as true but no accelerator is \"\n"
        "                                            \"found, then device pinned memory won't be used.\"]\n"
        "assert not batches[0][0].is_pinned()\n"
        "print('ok')\n"
    )
    r = run_python(code, allow_software=False)
    if r.returncode != 0 and "no error" in r.stderr + r.stdout:
        pytest.skip("a hardware GPU is present")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


@needs_gpu
def test_pin_memory_and_the_dataloader_pinning_batches():
    from rustorch.utils.data import DataLoader, TensorDataset
    t = torch.arange(6.0).reshape(2, 3)
    pinned = t.pin_memory()
    assert pinned.is_pinned() and pinned[1].is_pinned() and not t.is_pinned()
    assert pinned.tolist() == t.tolist() and pinned.data_ptr() != t.data_ptr()
    assert pinned.pin_memory() is pinned
    assert not pinned.cuda(non_blocking=True).is_pinned()
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        t.cuda().pin_memory()
    loader = DataLoader(TensorDataset(torch.arange(4.0), torch.arange(4)), batch_size=2, pin_memory=True)
    for x, y in loader:
        assert x.is_pinned() and y.is_pinned()
    from rustorch.utils.data._utils.pin_memory import pin_memory
    batch = pin_memory({"x": [torch.ones(1), (torch.zeros(1), "label")]})
    assert batch["x"][0].is_pinned() and batch["x"][1][0].is_pinned() and batch["x"][1][1] == "label"
