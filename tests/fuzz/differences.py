"""The one table of differences from PyTorch that the fuzz replay accepts, each with its reason.

Each entry: (family or "*", regular expression searched in the case's code, finding class or "*",
reason). "deliberate" entries are choices; "open" entries are known gaps not fixed yet (each is
a bug to fix, listed here so the replay guards everything else meanwhile).
"""
import gzip
import hashlib
import json
import os
import re

from .harness import ACCEPTS_BAD, MISSING, REJECTS_GOOD, WRONG_EXC, WRONG_VALUE  # noqa: F401

DIFFERENCES = [
    ("serialization", r"data\[len\(data\) // 3\] \^= 0xFF", REJECTS_GOOD,
     "deliberate: a checkpoint with a damaged byte that PyTorch's reader happens to skip (a local "
     "header field, the byteorder record) is refused with an error rather than half-read"),
    ("reductions", r"torch\.topk\(", WRONG_VALUE,
     "deliberate: PyTorch documents no order among equal values (its CPU indices are whatever "
     "libstdc++'s partial sort leaves); rustorch returns ties by ascending index, a stable order"),
    ("autograd", r"\.prod\(\)", WRONG_VALUE,
     "deliberate: prod's gradient is the product of the other elements written to stay "
     "differentiable at one zero (its second derivative matches finite differences, "
     "tests/test_op_checks.py); at singular points its graph differs from PyTorch's "
     "exclusive-cumprod one: a 1-element input's gradient still has a path to the input (grad "
     "gives zeros where PyTorch gives None), and an infinite second derivative at 0 may differ "
     "in sign"),
    ("functional", r"F\.binary_cross_entropy_with_logits\(.*float16", WRONG_VALUE,
     "deliberate: with a float16 input and a float32 target the loss is computed in float32; "
     "PyTorch's formula runs op by op and rounds its log-sum-exp term to float16 first, so "
     "rustorch's value is the more accurate one"),
]


# Known open findings not yet fixed (none are left), one "family class sha1(code)[:12]" per case
# not covered by DIFFERENCES, written by `python -m tests.fuzz.replay --write-open`: the replay
# fails on any difference not listed, so a regression or a new finding still fails CI.
OPEN_FINDINGS = os.path.join(os.path.dirname(__file__), "data", "open_findings.json.gz")


def case_key(family, code, finding_class):
    return "%s|%s|%s" % (family, finding_class, hashlib.sha1(code.encode()).hexdigest()[:12])


def _load_open():
    if not os.path.exists(OPEN_FINDINGS):
        return set()
    with gzip.open(OPEN_FINDINGS, "rt") as f:
        return set(json.load(f))


_OPEN = _load_open()


def in_table(family, code, finding_class):
    """Whether a difference is one of DIFFERENCES (a documented choice)."""
    return any((fam in ("*", family)) and cls in ("*", finding_class) and re.search(pattern, code)
               for fam, pattern, cls, _reason in DIFFERENCES)


def deliberate(family, code, finding_class):
    return case_key(family, code, finding_class) in _OPEN or in_table(family, code, finding_class)
