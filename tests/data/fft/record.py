"""Records torch.fft results of PyTorch 2.15 for the argument combinations NumPy names differently
or lacks (hfft/ihfft norms, irfftn default sizes, rfft of float64), run by hand:
    /opt/torchvenv/bin/python tests/data/fft/record.py
Writes expected.json next to this script (values as [real, imag] pairs or reals)."""
import json
import os

import torch

X = torch.tensor([[0.5, -1.0, 2.0, 0.25, 3.0], [1.0, 0.0, -2.0, 1.5, -0.5]], dtype=torch.float64)
Z = torch.complex(X, X.flip(1))
CASES = [
    "torch.fft.hfft(Z, dim=1)",
    "torch.fft.hfft(Z, n=7, norm='ortho')",
    "torch.fft.ihfft(X, norm='forward')",
    "torch.fft.irfftn(Z)",
    "torch.fft.irfft2(Z, s=(3, 6), norm='ortho')",
    "torch.fft.rfftn(X, s=(4, 4))",
    "torch.fft.fftn(Z, s=(3,), dim=(0,), norm='forward')",
    "torch.fft.ifft2(Z)",
    "torch.fft.fftfreq(5, d=0.5)",
    "torch.fft.rfftfreq(6)",
    "torch.fft.fftshift(torch.arange(10.).reshape(2, 5))",
    "torch.fft.ifftshift(torch.arange(10.).reshape(2, 5), dim=1)",
    "torch.fft.fft(torch.tensor([1, 2, 3]))",
]


def plain(t):
    if t.is_complex():
        return {"complex": True, "shape": list(t.shape), "dtype": str(t.dtype), "values": torch.view_as_real(t.resolve_conj()).reshape(-1).tolist()}
    return {"complex": False, "shape": list(t.shape), "dtype": str(t.dtype), "values": t.reshape(-1).tolist()}


if __name__ == "__main__":
    out = {c: plain(eval(c, {"torch": torch, "X": X, "Z": Z})) for c in CASES}
    with open(os.path.join(os.path.dirname(__file__), "expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
