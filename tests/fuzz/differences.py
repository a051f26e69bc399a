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
     "open: among equal values PyTorch's indices are the order its std::nth_element/std::sort "
     "(libstdc++) leave; rustorch returns ties by ascending index"),
    ("functional", r"F\.(max_pool2d|avg_pool1d|adaptive_avg_pool1d)\(torch\.tensor\(.*dtype=torch\.(u?int|bool)", REJECTS_GOOD,
     "open: integer max_pool2d and int64 avg_pool kernels are float-only here"),
    ("autograd", r"\.prod\(\)", WRONG_VALUE,
     "open: prod's gradient where an element is 0 is not itself differentiable in that element "
     "(PyTorch's exclusive-cumprod formula is)"),
    ("creation", r"9223372036854775808|float\('-?inf'\).*\.to\(torch\.int|logspace\(.*uint8", "*",
     "open: 2**63 in integer creation, and float-to-int casts of inf/out-of-range values (PyTorch "
     "gives the x86 conversion's INT_MIN, rustorch saturates)"),
    ("indexing", r"index_select", WRONG_EXC,
     "open: index_select's out-of-range indices raise IndexError here; PyTorch's CPU kernel "
     "raises RuntimeError 'INDICES element is out of DATA bounds' on some layouts"),
    ("autograd", r"y\.data\.mul_", WRONG_VALUE,
     "open: `.data` shares the version counter with its tensor (PyTorch gives it a fresh one), "
     "so an in-place edit through .data makes backward refuse the saved tensor"),
]


# Known open findings not yet fixed, one "family class sha1(code)[:12]" per case, written by
# `python -m tests.fuzz.replay --write-open`: the replay fails on any difference not listed, so
# a regression or a new finding still fails CI. Fixing a case shrinks this file.
OPEN_FINDINGS = os.path.join(os.path.dirname(__file__), "data", "open_findings.json.gz")


def case_key(family, code, finding_class):
    return "%s|%s|%s" % (family, finding_class, hashlib.sha1(code.encode()).hexdigest()[:12])


def _load_open():
    if not os.path.exists(OPEN_FINDINGS):
        return set()
    with gzip.open(OPEN_FINDINGS, "rt") as f:
        return set(json.load(f))


_OPEN = _load_open()


def deliberate(family, code, finding_class):
    if case_key(family, code, finding_class) in _OPEN:
        return True
    return any((fam in ("*", family)) and cls in ("*", finding_class) and re.search(pattern, code)
               for fam, pattern, cls, _reason in DIFFERENCES)
