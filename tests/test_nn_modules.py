"""The recurrent, attention, transformer, upsampling, padding and normalization modules against
values recorded from PyTorch (tests/data/nn_modules/record.py): weights after ``manual_seed``,
outputs, gradients of every input and parameter, and reprs."""
import json
import os

import numpy as np
import pytest

import rustorch as torch
from rustorch import nn
from rustorch.nn import functional as F

DATA = os.path.join(os.path.dirname(__file__), "data", "nn_modules")
with open(os.path.join(DATA, "cases.json")) as _f:
    CASES = json.load(_f)["cases"]
VALUES = np.load(os.path.join(DATA, "values.npz"))


def _flatten(value):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value if v is not None for t in _flatten(v)]
    return []


def _close(actual, expected, what):
    actual = actual.detach().numpy() if isinstance(actual, torch.Tensor) else actual
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=2e-5, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    case = CASES[name]
    torch.manual_seed(case["seed"])
    scope = {"torch": torch, "nn": nn, "F": F}
    m = eval(case["module"], scope) if case["module"] else None
    scope["m"] = m
    for key, expr in case["inputs"].items():
        drawn = eval(expr, scope)
        # The inputs come from the same RNG stream as in PyTorch; use the recorded ones regardless,
        # so that a drift there does not hide behind every later check.
        _close(drawn, VALUES[f"{name}/input/{key}"], f"input {key}")
        scope[key] = torch.from_numpy(VALUES[f"{name}/input/{key}"].copy())
        if scope[key].is_floating_point() and not key.startswith("target"):
            scope[key].requires_grad_()
    if m is not None:
        assert repr(m) == case["repr"]
        state = m.state_dict()
        expected_keys = [k.split("/", 2)[2] for k in VALUES.files if k.startswith(f"{name}/state/")]
        assert sorted(state.keys()) == sorted(expected_keys)
        for key in expected_keys:
            _close(state[key], VALUES[f"{name}/state/{key}"], f"initial {key}")
    outputs = _flatten(eval(case["call"], scope))
    assert len(outputs) == case["outputs"]
    for i, out in enumerate(outputs):
        _close(out, VALUES[f"{name}/out/{i}"], f"output {i}")
    differentiable = [o for o in outputs if o.is_floating_point() and o.requires_grad]
    if differentiable:
        sum((o * o + o).sum() for o in differentiable).backward()
    for key in case["inputs"]:
        expected = f"{name}/grad/input/{key}"
        if expected in VALUES.files:
            _close(scope[key].grad, VALUES[expected], f"grad of input {key}")
    if m is not None:
        for key, p in m.named_parameters():
            expected = f"{name}/grad/param/{key}"
            if expected in VALUES.files:
                _close(p.grad, VALUES[expected], f"grad of {key}")
            else:
                assert p.grad is None, key
