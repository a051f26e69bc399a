"""Records PyTorch 2.15's printing, dtypes and errors for complex and uint16/32/64 tensors
(run by hand where PyTorch is installed):
    /opt/torchvenv/bin/python tests/data/complex/record.py
Writes expected.json next to this script; tests/test_complex_dtypes.py replays the expressions."""
import json
import os
import warnings

import torch

EXPRESSIONS = [
    "repr(torch.tensor([1+2j, 3-1j]))",
    "repr(torch.tensor(1j))",
    "repr(torch.tensor([[1.5+0.25j, -2j], [1e-5+3j, 4]]))",
    "repr(torch.tensor([1+2j], dtype=torch.complex128))",
    "repr(torch.tensor([0.5-1e6j, 2+3j]))",
    "repr(torch.tensor([1, 2], dtype=torch.uint16))",
    "repr(torch.tensor([2**32 - 1], dtype=torch.uint32))",
    "repr(torch.tensor([7], dtype=torch.uint64))",
    "repr(torch.complex(torch.tensor([1., 2.]), torch.tensor([3., -4.])))",
    "repr(torch.polar(torch.tensor([1., 2.]), torch.tensor([0., 1.])))",
    "str(torch.promote_types(torch.complex64, torch.float64))",
    "str(torch.promote_types(torch.uint16, torch.float16))",
    "str((torch.ones(2) * 1j).dtype)",
    "str((torch.ones(2, dtype=torch.float64) + 1j).dtype)",
    "str((torch.arange(3) * 1j).dtype)",
    "str(torch.tensor([1, 2j]).dtype)",
    "str((torch.tensor([1, 2], dtype=torch.uint16) * 2).dtype)",
    "str(torch.tensor([1, 2], dtype=torch.uint16).sum().dtype)",
    "torch.tensor([1+2j, 3-1j]).tolist()",
    "torch.tensor([1+2j, 3-1j]).abs().tolist()",
    "torch.tensor([1+2j, 3-1j]).angle().tolist()",
    "torch.view_as_real(torch.tensor([1+2j, 3-1j])).tolist()",
    "torch.tensor([1+2j, 3-1j]).real.tolist()",
    "torch.tensor([1+2j, 3-1j]).imag.tolist()",
    "torch.tensor([1+2j, 3-1j]).conj().tolist()",
    "torch.tensor([1+2j, 3-1j]).sum().item()",
    "torch.tensor([1+2j, 3-1j]).mean().item()",
    "(torch.tensor([[1+2j, 3-1j]]) @ torch.tensor([[2-1j], [0.5+0.5j]])).tolist()",
    "torch.tensor([1+2j, 3-1j]).to(torch.float32).tolist()",
    "torch.tensor([1, 2], dtype=torch.uint16).to(torch.complex64).tolist()",
    "torch.tensor([1+2j]) == torch.tensor([1+2j])",
    "torch.tensor([1+2j]).max()",
    "torch.tensor([1+2j]) < torch.tensor([1+2j])",
    "torch.tensor([1+2j]).floor()",
    "torch.tensor([1+2j]) // torch.tensor([1+2j])",
    "torch.tensor([1+2j]).sort()",
    "torch.tensor([1, 2], dtype=torch.uint16) + 1",
    "torch.tensor([1, 2], dtype=torch.uint16) < 1",
    "torch.tensor([1, 2], dtype=torch.uint16).neg()",
    "torch.tensor([1, 2], dtype=torch.uint16) * torch.tensor([1, 2], dtype=torch.uint8)",
    "torch.tensor([1, 2], dtype=torch.uint16).max()",
    "torch.tensor([1, 2], dtype=torch.uint16).mean()",
    "torch.tensor([1j], dtype=torch.float32)",
    "torch.tensor(1j, dtype=torch.int64)",
    "torch.tensor([-1], dtype=torch.uint16).tolist()",
    "torch.tensor([70000], dtype=torch.uint16)",
    "torch.tensor([1.5, -1.0]).to(torch.uint16).tolist()",
    "torch.tensor([3, 1, 2], dtype=torch.uint32).sort().values.tolist()",
]


def outcome(expr):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = eval(expr, {"torch": torch})
    except Exception as e:  # noqa: BLE001 - the error class is what is recorded
        return {"error": [c.__name__ for c in type(e).__mro__ if c.__name__ not in ("object", "BaseException", "Exception")][0]}
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    return {"value": plain(value)}


def plain(value):
    """JSON-able: complex numbers as [real, imag] pairs."""
    if isinstance(value, complex):
        return [value.real, value.imag]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


if __name__ == "__main__":
    out = {e: outcome(e) for e in EXPRESSIONS}
    with open(os.path.join(os.path.dirname(__file__), "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
