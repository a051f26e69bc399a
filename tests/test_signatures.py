"""Every public name rustorch shares with PyTorch accepts PyTorch's parameters, and the
generated bindings (python/rustorch/_bound.py) bind them: keywords, overloads, `out=`, errors.

``data/api/torch-signatures.json`` is PyTorch 2.15's list of public call signatures
(``inspect.signature`` for Python functions, the docstring's lines for the compiled ones).  For
compiled names the overloads PyTorch's argument parser declares (tools/signatures/
declarations.json, recorded from PyTorch) replace the docstring lines, which are sometimes stale
(``Tensor.mul(value)``: PyTorch itself rejects ``value=`` and takes ``other=``)."""
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import rustorch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "signatures"))
import check  # noqa: E402

DATA = Path(__file__).parent / "data" / "api"
SIGNATURES = json.loads((DATA / "torch-signatures.json").read_text())["signatures"]
DECLARATIONS = json.loads((ROOT / "tools" / "signatures" / "declarations.json").read_text())

# Out of scope: one group per reason; an entry matches the listed dotted names it starts with.
EXCLUDED = {
    "sparse layouts (rustorch tensors are strided)": [
        "torch.sparse_", "torch.Tensor.to_sparse", "torch.Tensor.sparse_", "torch.Tensor.coalesce",
        "torch.Tensor.is_coalesced", "torch.Tensor.indices", "torch.Tensor.values",
        "torch.Tensor.crow_indices", "torch.Tensor.col_indices", "torch.Tensor.ccol_indices",
        "torch.Tensor.row_indices", "torch.Tensor._nnz", "torch.Tensor.dense_dim",
        "torch.Tensor.sparse_dim", "torch.Tensor.to_dense", "torch.Tensor.smm", "torch.smm",
        "torch.sspaddmm", "torch.Tensor.sspaddmm", "torch.hspmm", "torch.Tensor.hspmm",
        "torch.Tensor.sparse_mask", "torch.Tensor.is_sparse",
    ],
    "quantized tensors": [
        "torch.quantize_", "torch.Tensor.q_", "torch.Tensor.int_repr", "torch.Tensor.dequantize",
        "torch.dequantize", "torch.Tensor.qscheme", "torch.fake_quantize", "torch.fbgemm_",
        "torch.Tensor.is_quantized",
    ],
    "named tensors": [
        "torch.Tensor.names", "torch.Tensor.refine_names", "torch.Tensor.rename",
        "torch.Tensor.align_", "torch.Tensor.has_names",
    ],
    "nested tensors": ["torch.nested", "torch.Tensor.is_nested"],
    "complex dtypes (until they land: the `dtypes` branch adds them and torch.fft)": [
        "torch.fft.", "torch.view_as_complex", "torch.view_as_real", "torch.complex",
        "torch.polar", "torch.Tensor.conj_physical", "torch.conj_physical", "torch.resolve_conj",
        "torch.Tensor.resolve_conj", "torch.is_conj", "torch.Tensor.is_conj", "torch.Tensor.cfloat",
        "torch.Tensor.cdouble", "torch.Tensor.chalf", "torch.stft", "torch.Tensor.stft",
        "torch.istft", "torch.Tensor.istft",
    ],
    "a parameter named `from`, which no Python signature can show (random_(from, to), uniform_)": [
        "torch.Tensor.random_", "torch.Tensor.uniform_",
    ],
    "positional-only in PyTorch too (`torch.set_num_threads(int=1)` raises TypeError there)": [
        "torch.set_num_threads",
    ],
    "not yet: `Tensor.to(tensor=other)` needs the keyword in the Rust signature "
    "(src/python/tensor.rs; a Python binding would slow every .to())": ["torch.Tensor.to"],
    "CUDA-only internals": [
        "torch.Tensor.record_stream", "torch.cudnn_", "torch.miopen_", "torch.Tensor.pin_memory",
        "torch.Tensor.is_pinned",
    ],
}


def _excluded(name):
    return any(name.startswith(p) for group in EXCLUDED.values() for p in group)


def _resolve(dotted):
    obj = rustorch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _survey():
    present, missing, bad = [], [], {}
    for dotted in sorted(SIGNATURES):
        if _excluded(dotted):
            continue
        obj = _resolve(dotted)
        if obj is None:
            missing.append(dotted)
            continue
        present.append(dotted)
        lines = DECLARATIONS.get(dotted, SIGNATURES[dotted])
        found = check.problems(obj, lines, dotted.startswith("torch.Tensor."))
        if found:
            bad[dotted] = found
    return present, missing, bad


def test_listed_names_accept_pytorch_parameters():
    present, missing, bad = _survey()
    total = len(present) + len(missing)
    accepted = len(present) - len(bad)
    print(f"\n{len(present)} of {total} listed names exist ({100 * len(present) / total:.0f}%); "
          f"{accepted} of them ({100 * accepted / len(present):.1f}%) accept PyTorch's parameters")
    assert not bad, "\n".join(f"{k}: {', '.join(v)}  (PyTorch: {DECLARATIONS.get(k, SIGNATURES[k])})"
                              for k, v in bad.items())


def test_generated_bindings_are_current():
    import generate
    assert generate.render() == generate.TARGET.read_text(), \
        "python/rustorch/_bound.py is stale: run `python3 tools/signatures/generate.py`"


# --- what PyTorch does, recorded by tools/signatures/record_behaviour.py ---

CALLS = json.loads((DATA / "pytorch-calls.json").read_text())


@pytest.mark.parametrize("case", list(CALLS))
def test_call_behaves_as_pytorch(case):
    import record_behaviour
    expected = CALLS[case]
    got = record_behaviour.run(rustorch, [case])[case]
    if "error" in expected:
        assert got.get("error") == expected["error"], got
        message = expected["message"]
        if "invalid combination" in message:
            message = message.split("expected")[0]  # the overload lists are checked below
        assert got["message"].startswith(message), got["message"]
        return
    assert "error" not in got, got
    assert got["dtypes"] == expected["dtypes"]
    assert got.get("is_out") == expected.get("is_out")
    assert got["warnings"] == expected["warnings"]
    for ours, theirs in zip(got["values"], expected["values"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_invalid_combination_lists_pytorch_overloads():
    a = rustorch.ones(2)
    with pytest.raises(TypeError) as info:
        rustorch.max(a, "x")
    expected = CALLS["r = torch.max(a, 'x')"]["message"]
    assert str(info.value) == expected


def test_out_requires_a_tensor():
    with pytest.raises(TypeError, match=r"add\(\): argument 'out' must be Tensor, not int"):
        rustorch.add(rustorch.ones(2), rustorch.ones(2), out=3)


def test_arithmetic_out_calls_take_a_number_for_a_tensor():
    # PyTorch lets numbers bind to the Tensor parameters of add/sub/mul/div and their aliases
    # (values recorded from PyTorch 2.15); other functions keep their TypeError.
    u, out = rustorch.arange(4.0), rustorch.empty(4)
    assert rustorch.add(u, 1, alpha=2, out=out).tolist() == [2.0, 3.0, 4.0, 5.0]
    assert rustorch.sub(u, 2, out=out).tolist() == [-2.0, -1.0, 0.0, 1.0]
    assert rustorch.mul(u, 2, out=out).tolist() == [0.0, 2.0, 4.0, 6.0]
    assert rustorch.div(u, 2, rounding_mode="floor", out=out).tolist() == [0.0, 0.0, 1.0, 1.0]
    assert rustorch.true_divide(u, 2, out=out).tolist() == [0.0, 0.5, 1.0, 1.5]
    with pytest.raises(TypeError, match=r"mul\(\): argument 'other' \(position 2\) must be Tensor, not str"):
        rustorch.mul(u, "a", out=out)


def test_arithmetic_functions_take_a_number_as_their_first_argument():
    # torch.add(2, t) is 2 + t in PyTorch: the number becomes a 0-dim tensor, so it promotes as a
    # scalar (an int32 tensor stays int32, a float16 one float16).
    u = rustorch.arange(4.0)
    assert rustorch.add(2, u).tolist() == [2.0, 3.0, 4.0, 5.0]
    assert rustorch.sub(2, u, alpha=2).tolist() == [2.0, 0.0, -2.0, -4.0]
    assert rustorch.div(6, u[1:]).tolist() == [6.0, 3.0, 2.0]
    assert rustorch.floor_divide(7, rustorch.tensor([2, 3])).tolist() == [3, 2]
    assert rustorch.add(2, rustorch.arange(3, dtype=rustorch.int32)).dtype == rustorch.int32
    assert rustorch.mul(2.5, rustorch.ones(2, dtype=rustorch.float16)).dtype == rustorch.float16
    both = rustorch.add(2.5, 3)
    assert both.dim() == 0 and both.dtype == rustorch.float32 and both.item() == 5.5
    out = rustorch.empty(4)
    assert rustorch.mul(3, u, out=out) is out and out.tolist() == [0.0, 3.0, 6.0, 9.0]
    with pytest.raises(TypeError, match=r"add\(\): argument 'input' \(position 1\) must be Tensor, not str"):
        rustorch.add("a", u)


def test_out_call_never_prints_its_tensors(monkeypatch):
    # Matching the call to its overloads once printed every tensor argument (repr), which cost
    # milliseconds per out= call on large tensors.
    def no_repr(tensor):
        raise AssertionError("an out= call printed a tensor")
    monkeypatch.setattr(rustorch._tensor_str, "tensor_repr", no_repr)
    a, b, out = rustorch.ones(3), rustorch.full((3,), 2.0), rustorch.empty(3)
    assert rustorch.add(a, b, alpha=2, out=out) is out and out.tolist() == [5.0, 5.0, 5.0]
    assert rustorch.sum(a.reshape(1, 3), 1, out=out[:1]).tolist() == [3.0]


def test_methods_and_functions_share_names():
    a, b = rustorch.tensor([1.0, 5.0]), rustorch.tensor([3.0, 2.0])
    assert rustorch.matmul(input=a, other=b).item() == 13.0
    assert a.max(other=b).tolist() == [3.0, 5.0]
    assert rustorch.max(input=a, other=b).tolist() == [3.0, 5.0]
    assert a.pow(exponent=2).tolist() == [1.0, 25.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a right-sized out is written silently
        out = rustorch.empty(2)
        assert rustorch.mul(a, b, out=out) is out and out.tolist() == [3.0, 10.0]
