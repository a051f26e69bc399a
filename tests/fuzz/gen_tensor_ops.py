"""Case generators: elementwise with promotion, views and shapes, indexing, reductions, linalg."""
from .gen_common import (DTYPES, FLOAT_DTYPES, INT_DTYPES, tensor_code, random_shape,
                         broadcast_partner, python_scalar, dim_arg, literal)

BINARY = ["add", "sub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
          "maximum", "minimum", "atan2", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
          "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "hypot",
          "copysign", "fmax", "fmin"]
UNARY = ["exp", "log", "sqrt", "abs", "neg", "sin", "cos", "tanh", "sigmoid", "relu", "floor",
         "ceil", "round", "trunc", "sign", "reciprocal", "rsqrt", "exp2", "log1p", "expm1", "erf",
         "logical_not", "bitwise_not", "square", "frac", "isnan", "isinf", "isfinite", "log2",
         "log10", "asin", "acos", "atan", "sinh", "cosh", "erfc"]
OPERATORS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<", "==", ">="]


def elementwise(rng):
    cases = []
    for _ in range(1300):
        op = rng.choice(BINARY)
        a_dt, b_dt = rng.choice(DTYPES), rng.choice(DTYPES)
        shape = random_shape(rng)
        a = tensor_code(rng, a_dt, shape)
        kind = rng.random()
        if kind < 0.6:
            b = tensor_code(rng, b_dt, broadcast_partner(rng, shape))
        else:
            b = literal(python_scalar(rng))
        if rng.random() < 0.15:
            cases.append("out = %s.%s_(%s)" % (a, op, b))
        elif op == "div" and rng.random() < 0.3:
            mode = rng.choice(["'trunc'", "'floor'", "None"])
            cases.append("out = torch.div(%s, %s, rounding_mode=%s)" % (a, b, mode))
        else:
            cases.append("out = torch.%s(%s, %s)" % (op, a, b))
    for _ in range(500):
        op = rng.choice(OPERATORS)
        a = tensor_code(rng, rng.choice(DTYPES), random_shape(rng))
        b = literal(python_scalar(rng))
        cases.append("out = %s %s %s" % ((b, op, a) if rng.random() < 0.5 else (a, op, b)))
    for _ in range(900):
        op = rng.choice(UNARY)
        a = tensor_code(rng, rng.choice(DTYPES), random_shape(rng))
        if rng.random() < 0.2:
            cases.append("out = %s.%s_()" % (a, op))
        else:
            cases.append("out = torch.%s(%s)" % (op, a))
    for _ in range(300):
        a = tensor_code(rng, rng.choice(DTYPES), random_shape(rng))
        lo, hi = rng.choice([(-1, 2), (0.5, None), (None, 3), (2, -2), (None, None), (1.5, 2.5)])
        if rng.random() < 0.3:
            lo_t = tensor_code(rng, rng.choice(DTYPES), ())
            cases.append("out = torch.clamp(%s, min=%s, max=%r)" % (a, lo_t, hi))
        else:
            cases.append("out = torch.clamp(%s, %r, %r)" % (a, lo, hi))
    for _ in range(300):
        shape = random_shape(rng)
        c = tensor_code(rng, "bool", shape)
        x = tensor_code(rng, rng.choice(DTYPES), broadcast_partner(rng, shape))
        y = rng.choice([tensor_code(rng, rng.choice(DTYPES), shape), literal(python_scalar(rng))])
        cases.append("out = torch.where(%s, %s, %s)" % (c, x, y))
    for _ in range(200):
        # Internal overlap: in-place writes into expanded tensors.
        dt = rng.choice(DTYPES)
        a = tensor_code(rng, dt, (1,))
        op = rng.choice(["add_(1)", "mul_(2)", "zero_()", "fill_(3)", "neg_()", "copy_(torch.arange(3))",
                         "clamp_(0, 1)", "exp_()", "sub_(torch.ones(3))"])
        cases.append("a = %s.expand(3)\nout = a.%s" % (a, op))
    return cases


def views(rng):
    cases = []
    for _ in range(1700):
        dt = rng.choice(DTYPES)
        shape = random_shape(rng, max_ndim=4)
        nd = len(shape)
        t = tensor_code(rng, dt, shape)
        d, d2 = dim_arg(rng, nd), dim_arg(rng, nd)
        size = rng.randint(-1, 4)
        choice = rng.choice([
            "t.view(%r)" % (tuple(rng.choice([-1, 1, 2, 3, 4, 6]) for _ in range(rng.randint(0, 3))),),
            "t.reshape(-1)", "t.reshape(%r)" % ((size, -1),),
            "torch.flatten(t, %d, %d)" % (d, d2), "t.unflatten(%d, (1, -1))" % d,
            "t.unflatten(%d, (2, 2))" % d, "torch.squeeze(t, %d)" % d, "t.squeeze()",
            "torch.unsqueeze(t, %d)" % rng.randint(-nd - 2, nd + 1),
            "torch.transpose(t, %d, %d)" % (d, d2), "t.t()",
            "t.permute(%r)" % (tuple(rng.sample(range(nd), nd)) if rng.random() < 0.8 else tuple(range(nd + 1)),),
            "torch.movedim(t, %d, %d)" % (d, d2), "t.expand(%r)" % ((2,) + shape,),
            "t.expand(%r)" % (tuple(-1 if rng.random() < 0.3 else s for s in shape),),
            "torch.narrow(t, %d, %d, %d)" % (d, rng.randint(-2, 3), rng.randint(0, 3)),
            "torch.select(t, %d, %d)" % (d, rng.randint(-4, 4)), "torch.unbind(t, %d)" % d,
            "torch.chunk(t, %d, %d)" % (rng.randint(0, 3), d),
            "torch.split(t, %d, %d)" % (rng.randint(0, 3), d),
            "torch.split(t, [1, 1], %d)" % d,
            "torch.diagonal(t, %d, %d, %d)" % (rng.randint(-2, 2), d, d2),
            "torch.roll(t, %d, %d)" % (rng.randint(-3, 3), d), "torch.roll(t, 1)",
            "torch.flip(t, (%d,))" % d, "t.repeat(%r)" % ((2,) * max(nd, rng.randint(0, 2)),),
            "torch.tile(t, (2,))", "torch.cat([t, t], %d)" % d, "torch.stack([t, t], %d)" % rng.randint(-nd - 2, nd + 1),
            "torch.cat([t, %s], %d)" % (tensor_code(rng, rng.choice(DTYPES), shape), d),
            "t.transpose(0, -1).contiguous().view(-1)" if nd else "t.view(1)",
            "torch.tril(t, %d)" % rng.randint(-1, 1), "torch.triu(t)",
            "t.as_strided((2,), (1,))", "t.mT", "t.T" if nd in (0, 2) else "t.mT",
        ])
        if rng.random() < 0.15 and dt != "bool":
            cases.append("t = %s\nv = %s\nv.fill_(7) if isinstance(v, torch.Tensor) else None\nout = (t, v)" % (t, choice))
        else:
            cases.append("t = %s\nout = %s" % (t, choice))
    return cases


def _index_expr(rng, shape):
    parts = []
    for _ in range(rng.randint(1, max(1, len(shape)) + 1)):
        s = shape[len(parts)] if len(parts) < len(shape) else 1
        parts.append(rng.choice([
            str(rng.randint(-s - 1, s)), "%d:%d" % (rng.randint(-s, s), rng.randint(-s, s + 1)),
            "::%d" % rng.choice([1, 2, -1, 0]), ":", "None", "...",
            "torch.tensor(%r)" % [rng.randint(-s, s) for _ in range(rng.randint(0, 3))],
            "%r" % [rng.randint(-s, s - 1 if s else 0) for _ in range(rng.randint(1, 2))],
            "torch.tensor(%s)" % [rng.random() < 0.5 for _ in range(s)],
        ]))
    return ", ".join(parts)


def indexing(rng):
    cases = []
    for _ in range(1000):
        dt = rng.choice(DTYPES)
        shape = random_shape(rng, max_ndim=3)
        t = tensor_code(rng, dt, shape)
        idx = _index_expr(rng, shape)
        if rng.random() < 0.5:
            cases.append("t = %s\nout = t[%s]" % (t, idx))
        else:
            val = rng.choice([literal(python_scalar(rng)), tensor_code(rng, rng.choice(DTYPES), ()),
                              tensor_code(rng, rng.choice(DTYPES), (rng.randint(1, 3),))])
            cases.append("t = %s\nt[%s] = %s\nout = t" % (t, idx, val))
    for _ in range(700):
        dt = rng.choice(DTYPES)
        shape = random_shape(rng, max_ndim=3) or (3,)
        nd = len(shape)
        t = tensor_code(rng, dt, shape)
        d = dim_arg(rng, nd)
        n = shape[d] if -nd <= d < nd else 2
        ix = "torch.tensor(%r)" % [rng.randint(-1, n) for _ in range(rng.randint(0, 3))]
        op = rng.choice([
            "torch.index_select(t, %d, %s)" % (d, ix),
            "torch.index_select(t, %d, %s.int())" % (d, ix),
            "torch.gather(t, %d, torch.zeros(%r, dtype=torch.int64))" % (d, shape),
            "torch.gather(t, %d, torch.ones(%r, dtype=torch.int32))" % (d, shape),
            "torch.scatter(t, %d, torch.zeros(%r, dtype=torch.int64), %s)" % (d, shape, literal(python_scalar(rng))),
            "t.masked_fill(%s, %s)" % (tensor_code(rng, "bool", shape), literal(python_scalar(rng))),
            "t.masked_fill(%s, 1)" % tensor_code(rng, "uint8", shape),
            "torch.take(t, %s)" % ix, "torch.nonzero(t)", "torch.nonzero(t, as_tuple=True)",
            "t.index_add_(%d, torch.tensor([0]), %s)" % (d, tensor_code(rng, rng.choice(DTYPES), tuple(1 if i == d % nd else s for i, s in enumerate(shape)))),
            "t.masked_select(%s)" % tensor_code(rng, "bool", shape),
            "t.index_fill_(%d, torch.tensor([0]), 5)" % d,
        ])
        cases.append("t = %s\nout = %s" % (t, op))
    return cases


REDUCE = ["sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "std", "var",
          "norm", "all", "any", "cumsum", "cumprod", "logsumexp", "median", "sort", "argsort",
          "softmax", "log_softmax", "nansum", "count_nonzero"]


def reductions(rng):
    cases = []
    for _ in range(2000):
        op = rng.choice(REDUCE)
        dt = rng.choice(DTYPES)
        shape = random_shape(rng, max_ndim=3)
        nd = len(shape)
        t = tensor_code(rng, dt, shape)
        d = dim_arg(rng, nd)
        r = rng.random()
        if op in ("cumsum", "cumprod", "softmax", "log_softmax", "logsumexp"):
            extra = ", dtype=torch.%s" % rng.choice(DTYPES) if rng.random() < 0.2 else ""
            cases.append("out = torch.%s(%s, %d%s)" % (op, t, d, extra))
        elif r < 0.3:
            cases.append("out = torch.%s(%s)" % (op, t))
        elif r < 0.7:
            kd = rng.choice(["", ", keepdim=True"]) if op not in ("sort", "argsort", "count_nonzero") else ""
            cases.append("out = torch.%s(%s, %d%s)" % (op, t, d, kd))
        elif r < 0.85 and op in ("sum", "mean", "amax", "amin", "std", "var", "norm", "nansum", "count_nonzero", "logsumexp"):
            dims = tuple(dim_arg(rng, nd) for _ in range(rng.randint(0, 2)))
            cases.append("out = torch.%s(%s, %r)" % (op, t, dims))
        elif op in ("sum", "mean", "prod", "nansum"):
            cases.append("out = torch.%s(%s, dtype=torch.%s)" % (op, t, rng.choice(DTYPES)))
        elif op in ("std", "var"):
            cases.append("out = torch.%s(%s, %d, correction=%d)" % (op, t, d, rng.randint(0, 2)))
        else:
            cases.append("out = %s.%s()" % (t, op))
    for _ in range(300):
        t = tensor_code(rng, rng.choice(DTYPES), random_shape(rng))
        k = rng.randint(-1, 3)
        cases.append("out = torch.topk(%s, %d%s)" % (t, k, rng.choice(["", ", largest=False", ", dim=0"])))
    return cases


def linalg(rng):
    cases = []
    for _ in range(1200):
        dt = rng.choice(DTYPES if rng.random() < 0.4 else ["float32", "float64"])
        dt2 = dt if rng.random() < 0.8 else rng.choice(DTYPES)
        n, m, k = rng.randint(0, 3), rng.randint(1, 3), rng.randint(1, 3)
        op = rng.choice(["mm", "mv", "dot", "matmul", "bmm", "addmm", "outer", "vecdot", "multi_dot",
                         "vector_norm", "matrix_norm", "linalg_norm", "matmul_nd", "baddbmm", "trace"])
        bad = rng.random() < 0.15
        kk = k + 1 if bad else k
        A = lambda shape, d=dt: tensor_code(rng, d, shape, special=0.0)  # noqa: E731
        if op == "mm":
            code = "torch.mm(%s, %s)" % (A((n, k)), A((kk, m), dt2))
        elif op == "mv":
            code = "torch.mv(%s, %s)" % (A((n, k)), A((kk,), dt2))
        elif op == "dot":
            code = "torch.dot(%s, %s)" % (A((k,)), A((kk,), dt2))
        elif op == "bmm":
            code = "torch.bmm(%s, %s)" % (A((2, n, k)), A((2, kk, m), dt2))
        elif op == "baddbmm":
            code = "torch.baddbmm(%s, %s, %s)" % (A((2, n, m)), A((2, n, k)), A((2, kk, m), dt2))
        elif op == "addmm":
            code = "torch.addmm(%s, %s, %s, beta=%r, alpha=%r)" % (
                A(rng.choice([(n, m), (m,), (), (1, m)])), A((n, k)), A((kk, m), dt2),
                rng.choice([0, 1, 0.5]), rng.choice([1, 2, 0.5]))
        elif op == "outer":
            code = "torch.outer(%s, %s)" % (A((n,)), A((m,), dt2))
        elif op == "vecdot":
            code = "torch.linalg.vecdot(%s, %s, dim=%d)" % (A((n, k)), A((kk,), dt2), rng.choice([-1, 0, 2]))
        elif op == "multi_dot":
            code = "torch.linalg.multi_dot([%s, %s, %s])" % (A((n, k)), A((kk, m), dt2), A((m, 2)))
        elif op == "vector_norm":
            code = "torch.linalg.vector_norm(%s, ord=%s)" % (A(random_shape(rng)), literal(rng.choice([2, 1, 0, 3, float("inf")])))
        elif op == "matrix_norm":
            code = "torch.linalg.matrix_norm(%s, ord=%s)" % (A(random_shape(rng)), literal(rng.choice(["fro", 1, -1, float("inf")])))
        elif op == "linalg_norm":
            code = "torch.linalg.norm(%s)" % A(random_shape(rng))
        elif op == "trace":
            code = "torch.trace(%s)" % A(random_shape(rng, max_ndim=3))
        else:
            s1 = tuple(rng.randint(1, 3) for _ in range(rng.randint(1, 4)))
            s2 = tuple(rng.randint(1, 3) for _ in range(rng.randint(1, 4)))
            if len(s1) >= 1 and len(s2) >= 2 and not bad:
                s2 = s2[:-2] + (s1[-1], s2[-1])
            code = "torch.matmul(%s, %s)" % (A(s1), A(s2, dt2))
        cases.append("out = " + code)
    return cases
