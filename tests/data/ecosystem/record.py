"""Records the ecosystem fixtures with real PyTorch (run by hand; CI never has PyTorch):

    pip install --target /tmp/st safetensors
    PYTHONPATH=/tmp/st /opt/torchvenv/bin/python tests/data/ecosystem/record.py

Writes pytorch_written.safetensors (by safetensors.torch over real torch) and reference.json
(GradScaler's scale/growth-tracker sequence, autocast results on the CPU)."""
import json
import os

import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))

torch.manual_seed(0)
tensors = {
    "f32": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 7,
    "bf16": (torch.arange(6, dtype=torch.float32) / 3).to(torch.bfloat16).reshape(2, 3),
    "f16": torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
    "f64": torch.tensor([[1e-300, 3.5]], dtype=torch.float64),
    "i64": torch.tensor([-(2**62), 7], dtype=torch.int64),
    "i32": torch.tensor([1, -2, 3], dtype=torch.int32),
    "i16": torch.tensor([-300], dtype=torch.int16),
    "i8": torch.tensor([-5, 5], dtype=torch.int8),
    "u8": torch.tensor([0, 255], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "scalar": torch.tensor(2.5),
}
save_file(tensors, os.path.join(HERE, "pytorch_written.safetensors"), metadata={"format": "pt", "by": "pytorch"})

# GradScaler on the CPU: growth every 3 clean steps, backoff on inf.
model = torch.nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
scaler = torch.amp.GradScaler("cpu", init_scale=8.0, growth_factor=2.0, backoff_factor=0.25, growth_interval=3)
x = torch.tensor([[1.0, 2.0, 3.0]])
history = []
for step in range(8):
    opt.zero_grad()
    loss = model(x).sum() * (float("inf") if step in (4,) else 1.0)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    history.append({"scale": scaler.get_scale(), "tracker": scaler._get_growth_tracker(),
                    "weight": model.weight.detach().flatten().tolist()})
state = scaler.state_dict()

# Autocast on the CPU (bfloat16): results and dtypes of lower-precision and fp32 ops.
a = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 11
w = torch.arange(8, dtype=torch.float32).reshape(2, 4) / 5 - 0.7
b = torch.tensor([0.1, -0.2])
img = torch.arange(2 * 5 * 5, dtype=torch.float32).reshape(1, 2, 5, 5) / 50
kernel = torch.arange(3 * 2 * 3 * 3, dtype=torch.float32).reshape(3, 2, 3, 3) / 60 - 0.3
with torch.autocast("cpu", dtype=torch.bfloat16):
    linear = torch.nn.functional.linear(a, w, b)
    mm = a @ w.t()
    conv = torch.nn.functional.conv2d(img, kernel, padding=1)
    mse = torch.nn.functional.mse_loss(linear, torch.zeros(3, 2))
    f64 = torch.mm(a.double(), w.t().double())
reference = {
    "grad_scaler": {"history": history, "state_dict": state,
                    "init_weight": None},
    "autocast": {
        "a": a.tolist(), "w": w.tolist(), "b": b.tolist(), "img": img.tolist(), "kernel": kernel.tolist(),
        "linear": linear.float().tolist(), "linear_dtype": str(linear.dtype),
        "mm": mm.float().tolist(), "mm_dtype": str(mm.dtype),
        "conv": conv.float().tolist(), "conv_dtype": str(conv.dtype),
        "mse": mse.item(), "mse_dtype": str(mse.dtype), "f64_dtype": str(f64.dtype),
    },
}
torch.manual_seed(0)
reference["grad_scaler"]["init_weight"] = torch.nn.Linear(3, 1).weight.detach().flatten().tolist()
with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")
