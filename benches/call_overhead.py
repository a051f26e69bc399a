"""Per-call cost of the generated signature bindings (python/rustorch/_bound.py) on 1-element
tensors: each bound function against the implementation it calls (`_impl_*`, what the name was
before the binding), and the operator path, which the bindings do not touch.

    PYTHONPATH=python python3 benches/call_overhead.py
"""
import time
import timeit

import rustorch as torch
from rustorch import _bound

a, b, m = torch.ones(1), torch.ones(1), torch.ones(1, 1)
CASES = [
    ("a + b", "a + b", None),
    ("torch.add(a, b)", "torch.add(a, b)", "_bound._impl_torch_add(a, b)"),
    ("a.add(b)", "a.add(b)", None),
    ("torch.add(a, b, alpha=2)", "torch.add(a, b, alpha=2)", "_bound._impl_torch_add(a, b, alpha=2)"),
    ("torch.mul(a, b)", "torch.mul(a, b)", "_bound._impl_torch_mul(a, b)"),
    ("torch.sum(a)", "torch.sum(a)", "_bound._impl_torch_sum(a)"),
    ("torch.sum(a, 0)", "torch.sum(a, 0)", "_bound._impl_torch_sum(a, 0)"),
    ("a.sum()", "a.sum()", None),
    ("torch.matmul(m, m)", "torch.matmul(m, m)", "_bound._impl_torch_matmul(m, m)"),
    ("torch.exp(a)", "torch.exp(a)", "_bound._impl_torch_exp(a)"),
    ("a.max(b)", "a.max(b)", "_bound._impl_torch_Tensor_max(a, b)"),
]


def ns(stmt, number=100_000):
    # CPU time of this process, not wall time: the numbers hold on a busy machine too
    runs = timeit.repeat(stmt, globals=globals(), number=number, repeat=7, timer=time.process_time)
    return min(runs) / number * 1e9


if __name__ == "__main__":
    print(f"{'call':28s} {'bound ns':>9s} {'impl ns':>9s} {'added':>7s}")
    for label, stmt, impl in CASES:
        bound = ns(stmt)
        base = ns(impl) if impl else None
        extra = f"{bound - base:7.0f}" if base else "      -"
        print(f"{label:28s} {bound:9.0f} {base if base else float('nan'):9.0f} {extra}")
