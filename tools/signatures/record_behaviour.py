"""Record what PyTorch does for `out=` and for wrong calls, as a fixture for test_signatures.py.

Run with PyTorch: `/opt/torchvenv/bin/python tools/signatures/record_behaviour.py`.  Each case is
a Python statement run with `torch` bound to the library under test and `a`, `b`, `m`, `i` to
small tensors; the fixture keeps the value of `r` (values, dtype, shape), whether `r is out`, the
warnings raised, or the exception's type and message.
"""
import json
import warnings
from pathlib import Path

CASES = [
    # out= of the right size, a wrong non-empty size (resized, warned), an empty one (silent)
    "out = torch.empty(3); r = torch.add(a, b, out=out)",
    "out = torch.empty(2); r = torch.add(a, b, alpha=2, out=out)",
    "out = torch.empty(0); r = torch.mul(a, b, out=out)",
    "out = torch.empty(3); r = torch.sub(input=a, other=b, out=out)",
    "out = torch.empty(3); r = torch.div(a, b, rounding_mode='floor', out=out)",
    "out = torch.empty(3, dtype=torch.float64); r = torch.add(a, b, out=out)",
    "out = torch.empty(3, dtype=torch.int64); r = torch.add(a, b, out=out)",
    "out = torch.empty(3, dtype=torch.int64); r = torch.add(i, i, out=out)",
    "out = torch.empty(3); r = torch.add(i, i, out=out)",
    "out = torch.empty(3, dtype=torch.int32); r = torch.add(i, i, out=out)",
    "out = torch.empty(3, dtype=torch.bool); r = torch.add(i, i, out=out)",
    "out = torch.empty(3, dtype=torch.bool); r = torch.lt(a, b, out=out)",
    "out = torch.empty(3); r = torch.lt(a, b, out=out)",
    "out = torch.empty(2, 2); r = torch.matmul(m, m, out=out)",
    "out = torch.empty(5); r = torch.mm(m, m, out=out)",
    "out = torch.empty(()); r = torch.sum(m, out=out)",
    "out = torch.empty(2); r = torch.sum(m, 1, out=out)",
    "out = torch.empty(2); r = torch.mean(m, dim=0, out=out)",
    "out = torch.empty(6); r = torch.cat([a, b], out=out)",
    "out = torch.empty(1); r = torch.stack([a, b], dim=1, out=out)",
    "out = torch.empty(3, dtype=torch.int64); r = torch.zeros(3, out=out)",
    "out = torch.empty(5, dtype=torch.int64); r = torch.arange(5, out=out)",
    "out = torch.empty(3); r = torch.exp(a, out=out)",
    "out = (torch.empty(2), torch.empty(2, dtype=torch.int64)); r = torch.max(m, 1, out=out)",
    "out = torch.empty(3); r = torch.clamp(a, min=0.5, out=out)",
    "out = torch.empty(3); r = torch.where(a > 1, a, b, out=out)",
    "out = torch.empty(3, requires_grad=True); r = torch.add(a, b, out=out)",
    "x = a.clone().requires_grad_(); out = torch.empty(3); r = torch.add(x, b, out=out)",
    # keyword names, overloads
    "r = torch.add(input=a, other=b, alpha=3)",
    "r = torch.matmul(input=m, other=m)",
    "r = a.add(other=b, alpha=2)",
    "r = torch.sum(m, dim=1, keepdim=True)",
    "r = torch.sum(input=m, dtype=torch.float64)",
    "r = torch.max(m, dim=0).values",
    "r = torch.max(input=a, other=b)",
    "r = torch.max(a)",
    "r = torch.mean(m, 0, True)",
    # wrong calls
    "r = torch.add(a, 'x')",
    "r = torch.add(a, b, foo=1)",
    "r = torch.max(a, 'x')",
    "r = torch.sum(a, 'x')",
    "r = torch.mm(a, 'x')",
    "r = torch.clamp(a, 'x')",
]


def run(torch, cases=CASES):
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([0.5, 4.0, -1.0])
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    i = torch.tensor([1, 2, 3])
    results = {}
    for case in cases:
        scope = {"torch": torch, "a": a, "b": b, "m": m, "i": i}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                exec(case, scope)
            except Exception as e:  # noqa: BLE001  (the outcome is what is recorded)
                results[case] = {"error": type(e).__name__, "message": str(e)}
                continue
        r = scope["r"]
        entry = {"warnings": [str(w.message).split(" (Triggered internally")[0] for w in caught]}
        rs = r if isinstance(r, tuple) else (r,)
        entry["values"] = [t.tolist() for t in rs]
        entry["dtypes"] = [str(t.dtype) for t in rs]
        if "out" in scope:
            outs = scope["out"] if isinstance(scope["out"], tuple) else (scope["out"],)
            entry["is_out"] = all(x is y for x, y in zip(rs, outs))
        results[case] = entry
    return results


if __name__ == "__main__":
    import torch
    path = Path(__file__).resolve().parents[2] / "tests/data/api/pytorch-calls.json"
    path.write_text(json.dumps(run(torch), indent=1) + "\n")
    print("wrote", path)
