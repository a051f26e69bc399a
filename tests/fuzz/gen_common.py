"""Building blocks for the fuzz case generators: seeded literals for tensors of every dtype.

A case is a snippet of Python run with ``torch``, ``F`` (torch.nn.functional), ``np``, ``io`` and
``threading`` in scope; it leaves its result in ``out``. The same text runs under PyTorch when
recording and under rustorch when replaying.
"""
import math

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64",
          "float16", "bfloat16", "float32", "float64"]
INT_DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
INT_RANGE = {"uint8": (0, 255), "int8": (-128, 127), "int16": (-2**15, 2**15 - 1),
             "int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def float_literal(x):
    if math.isnan(x):
        return "float('nan')"
    if math.isinf(x):
        return "float('inf')" if x > 0 else "float('-inf')"
    return repr(x)


def scalar_value(rng, dtype, special=0.05):
    """A value representable in `dtype` (floats on a 1/4 grid so that half precision is exact)."""
    if dtype == "bool":
        return rng.random() < 0.5
    if dtype in INT_RANGE:
        lo, hi = INT_RANGE[dtype]
        if rng.random() < special:
            return rng.choice([lo, hi])
        return rng.randint(max(lo, -9), min(hi, 9))
    if rng.random() < special:
        return rng.choice([float("nan"), float("inf"), float("-inf"), -0.0])
    return rng.randint(-24, 24) / 4


def nested_literal(values, shape):
    """Python list literal of `values` laid out in `shape` (a bare scalar for shape ())."""
    if not shape:
        return literal(values[0])
    step = len(values) // shape[0] if shape[0] else 0
    return "[" + ", ".join(nested_literal(values[i * step:(i + 1) * step], shape[1:])
                           for i in range(shape[0])) + "]"


def literal(v):
    if isinstance(v, float):
        return float_literal(v)
    return repr(v)


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def tensor_code(rng, dtype, shape, special=0.05, positive=False, requires_grad=False):
    vals = [scalar_value(rng, dtype, special) for _ in range(numel(shape))]
    if positive:
        vals = [abs(v) + (1 if not isinstance(v, bool) else 0) if v == v else v for v in vals]
    body = nested_literal(vals, shape)
    if numel(shape) == 0:
        body = "torch.empty(%r)" % (tuple(shape),)
        code = "%s.to(torch.%s)" % (body, dtype)
    else:
        code = "torch.tensor(%s, dtype=torch.%s)" % (body, dtype)
    if requires_grad:
        code = code[:-1] + ", requires_grad=True)"
    return code


def random_shape(rng, max_ndim=3, max_size=4, allow_empty=True):
    ndim = rng.randint(0, max_ndim)
    lo = 0 if allow_empty and rng.random() < 0.1 else 1
    return tuple(rng.randint(lo, max_size) for _ in range(ndim))


def broadcast_partner(rng, shape):
    """A shape that broadcasts with `shape` most of the time (and sometimes does not)."""
    r = rng.random()
    if r < 0.1:
        return ()
    if r < 0.2:
        return tuple(s + 1 for s in shape) or (2,)
    out = [rng.choice([s, 1]) if rng.random() < 0.5 else s for s in shape]
    k = rng.randint(0, len(out))
    return tuple(out[k:])


def python_scalar(rng):
    return rng.choice([0, 1, -3, 7, 2.5, -0.5, True, False, 1e10, float("nan"), 300])


def dim_arg(rng, ndim):
    """A dim argument, mostly valid, sometimes one past either end (0-dim accepts -1 and 0)."""
    n = max(ndim, 1)
    return rng.randint(-n - 1, n)
