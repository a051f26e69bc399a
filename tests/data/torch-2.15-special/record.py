"""Records torch.special values and linalg sign conventions from real PyTorch 2.15 (run by hand:
/opt/torchvenv/bin/python tests/data/torch-2.15-special/record.py); writes expected.json."""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
grid = [-30.5, -7.25, -2.5, -1.5, -0.75, -0.1, 0.0, 1e-8, 0.1, 0.5, 0.999, 1.0, 1.5, 2.0, 3.7, 7.0, 12.5, 29.0, 31.0, 45.0, 120.0, 700.0]
probabilities = [0.0, 1e-300, 1e-20, 1e-8, 0.001, 0.02, 0.0243, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-10, 1.0]
positive = [1e-6, 0.01, 0.3, 0.5, 1.0, 1.7, 3.0, 9.5, 10.5, 25.0, 1e3]
x = torch.tensor(grid)

unary = {
    name: getattr(torch.special, name)(x).tolist()
    for name in ["gammaln", "digamma", "i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "ndtr", "sinc",
                 "entr", "bessel_j0", "bessel_j1", "expit", "erf", "erfc"]
}
unary["ndtri"] = torch.special.ndtri(torch.tensor(probabilities)).tolist()
unary["logit"] = torch.special.logit(torch.tensor(probabilities)).tolist()
p = torch.tensor(positive)
binary = {
    "polygamma1": torch.special.polygamma(1, p).tolist(),
    "polygamma2": torch.special.polygamma(2, p).tolist(),
    "polygamma3": torch.special.polygamma(3, torch.tensor(grid[:-1])).tolist(),
    "zeta_2": torch.special.zeta(2.0, p).tolist(),
    "zeta_x": torch.special.zeta(p + 1, 0.5 * p).tolist(),
    "zeta_negq": torch.special.zeta(torch.tensor([2.0, 3.0, 2.5, 4.0]), torch.tensor([-1.5, -2.25, -0.5, -3.0])).tolist(),
    "multigammaln3": torch.special.multigammaln(p + 1.5, 3).tolist(),
    "xlogy": torch.special.xlogy(torch.tensor([0.0, 0.0, 2.0, -1.5, 3.0]), torch.tensor([0.0, 2.0, 3.0, 0.5, float("nan")])).tolist(),
    "xlog1py": torch.special.xlog1py(torch.tensor([0.0, 0.0, 2.0, -1.5]), torch.tensor([-1.0, 2.0, 3.0, 0.5])).tolist(),
}
float32 = {name: getattr(torch.special, name)(x.float()).tolist() for name in ["gammaln", "i0e", "erfcx", "log_ndtr"]}
expected = {"grid": grid, "probabilities": probabilities, "positive": positive, "unary": unary, "binary": binary, "float32": float32}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json"), "w") as f:
    json.dump(expected, f, indent=0, allow_nan=True)
