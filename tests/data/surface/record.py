"""Records the results of cases.py's calls with real PyTorch 2.15 (run by hand:
/opt/torchvenv/bin/python tests/data/surface/record.py); writes expected.json."""
import json
import math
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from surface_cases import CASES, inputs  # noqa: E402


def encode(value):
    if isinstance(value, torch.Tensor):
        return {"tensor": value.detach().double().tolist() if value.dtype != torch.bool else value.tolist(),
                "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, (tuple, list)):
        return {"seq": [encode(v) for v in value]}
    if isinstance(value, torch.dtype):
        return {"dtype": str(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}
    return value


def main():
    warnings.simplefilter("ignore")
    expected = []
    for case in CASES:
        torch.manual_seed(0)
        scope = dict(inputs(torch), torch=torch, F=torch.nn.functional)
        try:
            result = encode(eval(case, scope))
        except Exception as e:  # the error class is the expected result
            result = {"error": type(e).__name__}
        expected.append({"case": case, "expected": result})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(path, "w") as f:
        json.dump(expected, f, indent=0, allow_nan=True)


if __name__ == "__main__":
    main()
