"""Differential fuzz harness: generate cases, run one under a torch implementation, encode its
outcome, and compare a rustorch outcome with the one recorded from PyTorch.

Record (by hand, where PyTorch 2.15 is installed):  /opt/torchvenv/bin/python -m tests.fuzz.record
Replay (CI, no PyTorch):  pytest tests/fuzz   or, for a summary:  python -m tests.fuzz.replay
"""
import gzip
import io
import json
import math
import os
import random
import threading
import warnings

from . import gen_other_ops, gen_tensor_ops

FIXTURE = os.path.join(os.path.dirname(__file__), "data", "cases.json.gz")
SEED = 20261202
FAMILIES = {
    "elementwise": gen_tensor_ops.elementwise,
    "views": gen_tensor_ops.views,
    "indexing": gen_tensor_ops.indexing,
    "reductions": gen_tensor_ops.reductions,
    "linalg": gen_tensor_ops.linalg,
    "creation": gen_other_ops.creation,
    "functional": gen_other_ops.functional,
    "autograd": gen_other_ops.autograd,
    "serialization": gen_other_ops.serialization,
    "threads": gen_other_ops.threads,
}


def generate():
    """All cases as {family: [code, ...]}, the same on every run (one seeded stream per family)."""
    return {name: gen(random.Random("%d-%s" % (SEED, name))) for name, gen in FAMILIES.items()}


def _num(x):
    if isinstance(x, float) and not math.isfinite(x):
        return repr(x)
    return x


def encode(value, torch):
    """A JSON-able description of a case's result."""
    if isinstance(value, torch.Tensor):
        t = value.detach()
        if getattr(t, "_is_zerotensor", lambda: False)():  # PyTorch's storage-less zeros
            t = torch.zeros(t.shape, dtype=t.dtype)
        flat = t.reshape(-1).tolist() if t.dtype.is_complex is False else []
        return {"T": str(t.dtype).replace("torch.", ""), "s": list(t.shape), "v": [_num(v) for v in flat]}
    if isinstance(value, bool) or value is None:
        return {"B": value}
    if isinstance(value, (int, float)):
        return {"n": _num(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, torch.dtype):
        return {"D": str(value).replace("torch.", "")}
    if isinstance(value, (list, tuple)):
        return {"L": [encode(v, torch) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): encode(v, torch) for k, v in value.items()}}
    return {"O": type(value).__name__}


def run_case(code, torch):
    """Run one case; its outcome is {"ok": encoded value} or {"exc": class, "mro": [...], "msg": ...}."""
    import numpy as np
    scope = {"torch": torch, "F": torch.nn.functional, "np": np, "io": io, "threading": threading}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, scope)
            return {"ok": encode(scope["out"], torch)}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - a Rust panic is a BaseException, and is a finding
        mro = [c.__name__ for c in type(e).__mro__]
        # rustorch renames PyO3's PanicException to RuntimeError; the fuzz still counts it.
        name = "PanicException" if type(e).__name__ == "RuntimeError" and type(e) is not RuntimeError else type(e).__name__
        return {"exc": name, "mro": mro, "msg": str(e)[:240]}


def save_fixture(records):
    data = json.dumps(records, separators=(",", ":")).encode()
    with gzip.open(FIXTURE, "wb", compresslevel=9) as f:
        f.write(data)


def load_fixture():
    with gzip.open(FIXTURE, "rb") as f:
        return json.loads(f.read())


# Tolerances by dtype for values computed by different kernels (summation order, vector libm).
TOL = {"float16": (1e-2, 1e-3), "bfloat16": (2e-2, 1e-2), "float32": (1e-4, 1e-5),
       "float64": (1e-7, 1e-10)}


def _close(a, b, dtype):
    if dtype not in TOL:
        return a == b
    if a == b or (a != a and b != b):
        return True
    if isinstance(a, bool) or isinstance(b, bool) or math.isinf(a) or math.isinf(b):
        return False
    rtol, atol = TOL[dtype]
    return abs(a - b) <= atol + rtol * abs(b)


def value_difference(got, want, path="out"):
    """None if the encoded values match, else a short description of the first difference."""
    if set(got) != set(want):
        return "%s: %s instead of %s" % (path, _kind(got), _kind(want))
    k = next(iter(want))
    g, w = got[k], want[k]
    if k == "T":
        if g != w or got["s"] != want["s"]:
            return "%s: %s%s instead of %s%s" % (path, g, got["s"], w, want["s"])
        bad = [i for i, (x, y) in enumerate(zip(got["v"], want["v"])) if not _close(_nan(x), _nan(y), w)]
        if len(got["v"]) != len(want["v"]) or bad:
            i = bad[0] if bad else 0
            return "%s: values differ at %d: %r vs %r" % (path, i, got["v"][i:i + 1], want["v"][i:i + 1])
        return None
    if k == "L":
        if len(g) != len(w):
            return "%s: %d items instead of %d" % (path, len(g), len(w))
        for i, (x, y) in enumerate(zip(g, w)):
            d = value_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if k == "M":
        if sorted(g) != sorted(w):
            return "%s: keys %s instead of %s" % (path, sorted(g), sorted(w))
        for key in g:
            d = value_difference(g[key], w[key], "%s[%r]" % (path, key))
            if d:
                return d
        return None
    if k == "n":
        ok = _close(_nan(g), _nan(w), "float64" if isinstance(w, float) else "int")
        return None if ok and type(g) is type(w) else "%s: %r instead of %r" % (path, g, w)
    return None if g == w else "%s: %r instead of %r" % (path, g, w)


def _nan(x):
    return float(x) if x in ("nan", "inf", "-inf") else x


def _kind(enc):
    k = next(iter(enc))
    return {"T": "tensor", "L": "sequence", "M": "dict", "n": "number", "B": "bool/None",
            "S": "str", "D": "dtype", "O": "object"}.get(k, k)


# Finding classes, as in issue 10.
PANIC, WRONG_VALUE, WRONG_EXC, ACCEPTS_BAD, REJECTS_GOOD, MISSING = (
    "panic", "wrong value", "wrong exception type", "accepts bad input",
    "rejects good input", "API or keyword missing")


def classify(got, want):
    """(finding class, detail) for a rustorch outcome against PyTorch's, or None when they agree."""
    if "exc" in got and got["exc"] in ("PanicException",) or "exc" in got and "BaseException" in got["mro"] and "Exception" not in got["mro"]:
        return PANIC, got["msg"]
    if "ok" in want and "ok" in got:
        d = value_difference(got["ok"], want["ok"])
        return (WRONG_VALUE, d) if d else None
    if "exc" in want and "ok" in got:
        return ACCEPTS_BAD, "PyTorch: %s: %s" % (want["exc"], want["msg"][:120])
    if "ok" in want:
        missing = got["exc"] == "AttributeError" or (got["exc"] == "TypeError" and "keyword" in got["msg"])
        return (MISSING if missing else REJECTS_GOOD), "%s: %s" % (got["exc"], got["msg"][:120])
    allowed = set(want["mro"]) - {"Exception", "BaseException", "object"}
    if allowed & set(got["mro"]):
        return None
    return WRONG_EXC, "%s instead of %s (%s)" % (got["exc"], want["exc"], want["msg"][:100])
