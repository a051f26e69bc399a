"""What scripts touch in passing: backends, compile, jit, autocast and GradScaler (against values
recorded from PyTorch), matmul precision, deterministic algorithms, TensorBoard's SummaryWriter."""
import importlib.util
import json
import os
import warnings

import numpy as np
import pytest

import rustorch as torch
import rustorch.nn.functional as F

REFERENCE = json.load(open(os.path.join(os.path.dirname(__file__), "data", "ecosystem", "reference.json")))


def test_backends_flags_keep_what_scripts_set():
    b = torch.backends
    assert (b.cudnn.is_available(), b.mps.is_available(), b.mps.is_built(), b.cuda.is_built()) == (False,) * 4
    b.cudnn.benchmark, b.cudnn.deterministic, b.cuda.matmul.allow_tf32 = True, True, True
    assert (b.cudnn.benchmark, b.cudnn.deterministic, b.cuda.matmul.allow_tf32) == (True, True, True)
    b.cudnn.benchmark, b.cudnn.deterministic, b.cuda.matmul.allow_tf32 = False, False, False
    assert b.mkldnn.enabled is True and b.cpu.get_cpu_capability() in ("AVX512", "AVX2", "DEFAULT")
    assert b.opt_einsum.is_available() == (importlib.util.find_spec("opt_einsum") is not None)


def test_compile_and_jit_run_eagerly():
    model = torch.nn.Linear(2, 1)
    import rustorch._compat as compat
    compat._compile_noted = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert torch.compile(model) is model
        assert torch.compile(mode="max-autotune")(F.relu) is F.relu
    assert len(caught) == 1 and "eagerly" in str(caught[0].message)  # one note per process
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.jit.script(model) is model and torch.jit.trace(F.relu, torch.ones(1)) is F.relu
    ignored = torch.jit.ignore(lambda x: x + 1)
    assert ignored(1) == 2 and torch.jit.ignore(drop=True)(len)([1]) == 1 and torch.jit.unused(len) is len
    assert not torch.jit.is_scripting() and not isinstance(model, torch.jit.ScriptModule)


def test_process_switches():
    assert torch.get_float32_matmul_precision() == "highest"
    torch.set_float32_matmul_precision("high")
    assert torch.get_float32_matmul_precision() == "high"
    torch.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError):
        torch.set_float32_matmul_precision("fast")
    torch.use_deterministic_algorithms(True, warn_only=True)
    assert torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(False)
    assert not torch.are_deterministic_algorithms_enabled()


def test_autocast_cpu_matches_pytorch():
    ref = REFERENCE["autocast"]
    a, w, b = torch.tensor(ref["a"]), torch.tensor(ref["w"]), torch.tensor(ref["b"])
    img, kernel = torch.tensor(ref["img"]), torch.tensor(ref["kernel"])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.is_autocast_enabled("cpu") and torch.get_autocast_dtype("cpu") == torch.bfloat16
        linear = F.linear(a, w, b)
        mm = a @ w.t()
        conv = torch.nn.Conv2d(2, 3, 3, padding=1, bias=False)
        with torch.no_grad():
            conv.weight.copy_(kernel)
        conv_out = conv(img)
        mse = F.mse_loss(linear, torch.zeros(3, 2))
        f64 = torch.mm(a.double(), w.t().double())
        with torch.autocast("cpu", enabled=False):
            plain = a @ w.t()
    assert not torch.is_autocast_enabled("cpu")
    assert [str(t.dtype) for t in (linear, mm, conv_out, mse, f64, plain)] == [
        ref["linear_dtype"], ref["mm_dtype"], ref["conv_dtype"], ref["mse_dtype"], ref["f64_dtype"], "torch.float32"]
    # bf16 results can differ from PyTorch's by one bf16 ulp (accumulation order).
    np.testing.assert_allclose(linear.float().numpy(), ref["linear"], rtol=8e-3, atol=1e-2)
    np.testing.assert_allclose(mm.float().numpy(), ref["mm"], rtol=8e-3, atol=1e-2)
    np.testing.assert_allclose(conv_out.detach().float().numpy(), ref["conv"], rtol=8e-3, atol=1e-2)
    assert abs(mse.item() - ref["mse"]) < 1e-2
    assert (a @ w.t()).dtype == torch.float32  # outside the region nothing is cast


def test_autocast_gradients_reach_float32_parameters_and_decorator():
    model = torch.nn.Linear(3, 2)

    @torch.autocast("cpu")
    def forward(x):
        return model(x)

    out = forward(torch.randn(4, 3))
    assert out.dtype == torch.bfloat16
    out.float().sum().backward()
    assert model.weight.grad.dtype == torch.float32 and model.weight.grad.shape == (2, 3)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        with torch.autocast("cuda"):
            assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32
    with pytest.warns(FutureWarning):
        torch.cuda.amp.autocast()


def test_grad_scaler_matches_pytorch():
    ref = REFERENCE["grad_scaler"]
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    assert model.weight.detach().flatten().tolist() == pytest.approx(ref["init_weight"])
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=8.0, growth_factor=2.0, backoff_factor=0.25, growth_interval=3)
    x = torch.tensor([[1.0, 2.0, 3.0]])
    for step, expected in enumerate(ref["history"]):
        opt.zero_grad()
        loss = model(x).sum() * (float("inf") if step == 4 else 1.0)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        assert (scaler.get_scale(), scaler._get_growth_tracker()) == (expected["scale"], expected["tracker"])
        assert model.weight.detach().flatten().tolist() == pytest.approx(expected["weight"], rel=1e-6)
    assert scaler.state_dict() == ref["state_dict"]
    restored = torch.amp.GradScaler("cpu")
    restored.load_state_dict(scaler.state_dict())
    assert restored.state_dict() == ref["state_dict"]


def test_grad_scaler_errors_and_disabled_mode():
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu")
    scaler.scale(model(torch.ones(1, 2)).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        disabled = torch.amp.GradScaler()
    assert not disabled.is_enabled() and disabled.state_dict() == {} and disabled.get_scale() == 1.0
    t = torch.ones(1)
    assert disabled.scale(t) is t
    with pytest.warns(FutureWarning):
        assert not torch.cuda.amp.GradScaler().is_enabled()
    with pytest.raises(RuntimeError, match="state dict is empty"):
        torch.amp.GradScaler("cpu").load_state_dict({})


def test_summary_writer_files_read_by_tensorboard(tmp_path):
    if importlib.util.find_spec("tensorboard") is None:
        pytest.skip("tensorboard is not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from rustorch.utils.tensorboard import SummaryWriter
    values = torch.tensor([0.5, 1.5, 1.5, -2.0, 3.0])
    with SummaryWriter(str(tmp_path)) as writer:
        for step in range(3):
            writer.add_scalar("loss", torch.tensor(1.0 / (step + 1)), step)
        writer.add_histogram("weights", values, 7)
        writer.add_text("note", "hello rustorch", 1)
    acc = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    acc.Reload()
    assert [(s.step, round(s.value, 6)) for s in acc.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, 0.333333)]
    h = acc.Histograms("weights")[0]
    assert h.step == 7 and h.histogram_value.num == 5 and h.histogram_value.min == -2.0
    assert h.histogram_value.sum == pytest.approx(4.5) and sum(h.histogram_value.bucket) == 5
    text = acc.Tensors("note/text_summary")[0]
    assert text.step == 1 and text.tensor_proto.string_val == [b"hello rustorch"]
