"""Case generators: creation, nn.functional, autograd, serialization round trips, threads."""
from .gen_common import (DTYPES, FLOAT_DTYPES, INT_DTYPES, tensor_code, random_shape,
                         python_scalar, literal, dim_arg)

NP_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
             "uint16", "uint32", "uint64", "complex64"]
LIST_VALUES = [0, 1, -1, 300, -129, 2**31, 2**63 - 1, 2**63, -2**63, 1.5, -0.5, True, False,
               float("nan"), float("inf"), 1e40, 65504.0, 70000.0]


def creation(rng):
    cases = []
    for _ in range(600):
        n = rng.randint(0, 4)
        vals = [literal(rng.choice(LIST_VALUES[:6] if rng.random() < 0.5 else LIST_VALUES)) for _ in range(n)]
        body = "[%s]" % ", ".join(vals)
        if rng.random() < 0.15:
            body = "[%s, [%s]]" % (body, ", ".join(vals))  # ragged
        elif rng.random() < 0.2:
            body = "[%s, %s]" % (body, body)
        dt = ", dtype=torch.%s" % rng.choice(DTYPES) if rng.random() < 0.6 else ""
        fn = rng.choice(["torch.tensor", "torch.as_tensor"])
        cases.append("out = %s(%s%s)" % (fn, body, dt))
    for _ in range(500):
        ndt = rng.choice(NP_DTYPES)
        shape = random_shape(rng, max_ndim=2)
        vals = "np.arange(%d).reshape(%r)" % (max(1, len(shape) and 0) * 0 + _numel(shape), shape)
        arr = "(%s %% 7 - 3).astype(np.%s)" % (vals, ndt) if ndt not in ("bool",) else "(%s %% 2 == 0)" % vals
        if ndt.startswith("uint"):
            arr = "(%s %% 7).astype(np.%s)" % (vals, ndt)
        view = rng.choice(["", "[::-1]", ".T", "[..., ::2]"])
        fn = rng.choice(["torch.from_numpy(a)", "torch.tensor(a)", "torch.as_tensor(a)",
                         "torch.as_tensor(a, dtype=torch.float32)", "torch.tensor(a, dtype=torch.%s)" % rng.choice(DTYPES)])
        cases.append("a = %s%s\nout = %s" % (arr, view, fn))
    for _ in range(700):
        dt = rng.choice(DTYPES + [None])
        dts = ", dtype=torch.%s" % dt if dt else ""
        shape = random_shape(rng, max_ndim=2)
        if rng.random() < 0.05:
            shape = (2, -1)
        fill = literal(rng.choice(LIST_VALUES))
        a, b = rng.choice([0, 1, -3, 2.5, 10, -1]), rng.choice([0, 5, 3.5, -2, 1e3])
        step = rng.choice([1, 2, 0.5, -1, 0, 0.3])
        code = rng.choice([
            "torch.zeros(%r%s)" % (shape, dts), "torch.ones(%r%s)" % (shape, dts),
            "torch.full(%r, %s%s)" % (shape, fill, dts), "torch.empty(%r%s).shape" % (shape, dts),
            "torch.arange(%r, %r, %r%s)" % (a, b, step, dts), "torch.arange(%r%s)" % (b, dts),
            "torch.linspace(%r, %r, %d%s)" % (a, b, rng.randint(-1, 5), dts),
            "torch.logspace(%r, %r, %d%s)" % (a % 3 - 3, b % 3, rng.randint(0, 5), dts),
            "torch.eye(%d, %d%s)" % (rng.randint(-1, 3), rng.randint(0, 3), dts),
            "torch.full_like(%s, %s%s)" % (tensor_code(rng, rng.choice(DTYPES), shape), fill, dts),
            "torch.zeros_like(%s%s)" % (tensor_code(rng, rng.choice(DTYPES), shape), dts),
            "%s.new_full((2,), %s)" % (tensor_code(rng, rng.choice(DTYPES), shape), fill),
            "%s.to(torch.%s)" % (tensor_code(rng, rng.choice(DTYPES), shape, special=0.3), rng.choice(DTYPES)),
            "torch.tensor(%s, dtype=torch.%s)" % (fill, rng.choice(DTYPES)),
        ])
        cases.append("out = " + code)
    return cases


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


ACT = ["relu", "gelu", "silu", "sigmoid", "tanh", "softplus", "elu", "leaky_relu", "hardtanh",
       "relu6", "selu", "celu", "mish", "hardswish", "hardsigmoid", "logsigmoid", "softsign",
       "tanhshrink"]
LOSS = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
        "binary_cross_entropy_with_logits", "kl_div"]


def functional(rng):
    cases = []
    for _ in range(1900):
        dt = rng.choice(DTYPES if rng.random() < 0.4 else ["float32", "float64"])
        shape = random_shape(rng, max_ndim=3) or (3,)
        x = tensor_code(rng, dt, shape)
        kind = rng.random()
        nd = len(shape)
        if kind < 0.3:
            act = rng.choice(ACT)
            cases.append("out = F.%s(%s)" % (act, x))
        elif kind < 0.4:
            cases.append("out = F.threshold(%s, %r, %r)" % (x, rng.choice([0, 0.5]), rng.choice([-1, 2.5])))
        elif kind < 0.5:
            loss = rng.choice(LOSS)
            y = tensor_code(rng, rng.choice([dt, "float32", "float64"]), shape if rng.random() < 0.9 else (1,) + shape)
            red = rng.choice(["'mean'", "'sum'", "'none'", "'bad'"])
            if loss.startswith("binary_cross_entropy") and rng.random() < 0.7:
                x = "torch.sigmoid(%s)" % x
                y = "torch.rand(%r, generator=torch.Generator().manual_seed(0))" % (shape,)
            cases.append("out = F.%s(%s, %s, reduction=%s)" % (loss, x, y, red))
        elif kind < 0.6:
            c = rng.randint(1, 4)
            n = rng.randint(0, 3)
            tgt_dt = rng.choice(["int64", "int64", "int32", "float32", "uint8"])
            tshape = rng.choice([(n,), (), (n, 1)])
            tgt = "torch.tensor(%r, dtype=torch.%s)" % ([rng.randint(-1, c)] * tshape[0] if tshape and tshape != (n, 1) else (rng.randint(0, c - 1) if tshape == () else [[0]] * n), tgt_dt)
            logits = tensor_code(rng, dt, (n, c))
            fn = rng.choice(["cross_entropy", "nll_loss"])
            extra = rng.choice(["", ", ignore_index=0", ", label_smoothing=0.1", ", reduction='sum'"])
            if fn == "nll_loss" and "label" in extra:
                extra = ""
            cases.append("out = F.%s(%s, %s%s)" % (fn, logits, tgt, extra))
        elif kind < 0.7:
            cin, cout, L = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 5)
            k = rng.randint(1, 3)
            w_in = cin if rng.random() < 0.9 else cin + 1
            if rng.random() < 0.5:
                cases.append("out = F.conv1d(%s, %s, stride=%d, padding=%d)" % (
                    tensor_code(rng, dt, (1, cin, L)), tensor_code(rng, dt, (cout, w_in, k)), rng.randint(1, 2), rng.randint(0, 1)))
            else:
                cases.append("out = F.conv2d(%s, %s, %s)" % (
                    tensor_code(rng, dt, (1, cin, L, L)), tensor_code(rng, dt, (cout, w_in, k, k)),
                    tensor_code(rng, dt, (cout,))))
        elif kind < 0.8:
            k = rng.randint(0, 3)
            pool = rng.choice(["max_pool1d", "avg_pool1d", "max_pool2d", "avg_pool2d",
                               "adaptive_avg_pool1d", "adaptive_avg_pool2d"])
            dims = 1 if "1d" in pool else 2
            xs = tensor_code(rng, dt, (1, 2) + (rng.randint(1, 4),) * dims)
            cases.append("out = F.%s(%s, %d)" % (pool, xs, k))
        elif kind < 0.9:
            C = shape[1] if nd > 1 else shape[0]
            Cw = C if rng.random() < 0.85 else C + 1
            sub = rng.random()
            if sub < 0.4:
                cases.append("out = F.batch_norm(%s, torch.zeros(%d), torch.ones(%d), training=%r)" % (x, Cw, Cw, rng.random() < 0.3))
            elif sub < 0.7:
                cases.append("out = F.layer_norm(%s, %r)" % (x, shape[-1:] if rng.random() < 0.85 else (shape[-1] + 1,)))
            else:
                cases.append("out = F.group_norm(%s, %d)" % (x, rng.randint(1, 2)))
        else:
            sub = rng.choice(["softmax", "log_softmax", "dropout", "embedding", "one_hot", "pad", "normalize", "linear"])
            d = dim_arg(rng, nd)
            if sub in ("softmax", "log_softmax"):
                cases.append("out = F.%s(%s, dim=%d)" % (sub, x, d))
            elif sub == "dropout":
                cases.append("out = F.dropout(%s, p=%r, training=False)" % (x, rng.choice([0.5, 1.5, -0.1])))
            elif sub == "embedding":
                cases.append("out = F.embedding(torch.tensor(%r), %s)" % ([rng.randint(-1, 3) for _ in range(2)], tensor_code(rng, dt, (3, 2))))
            elif sub == "one_hot":
                cases.append("out = F.one_hot(%s, %d)" % (tensor_code(rng, rng.choice(["int64", "int32"]), shape), rng.randint(-1, 10)))
            elif sub == "pad":
                cases.append("out = F.pad(%s, %r, value=%r)" % (x, tuple(rng.randint(-1, 2) for _ in range(rng.choice([2, 4, 3]))), rng.choice([0, 1.5])))
            elif sub == "normalize":
                cases.append("out = F.normalize(%s, dim=%d)" % (x, d))
            else:
                cases.append("out = F.linear(%s, %s)" % (x, tensor_code(rng, dt, (2, shape[-1] if rng.random() < 0.9 else shape[-1] + 1))))
    return cases


GRAD_UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg",
              "square", "reciprocal", "rsqrt", "log1p", "expm1", "erf", "atan", "sinh", "cosh",
              "asin", "acos", "floor", "sign", "clamp(-1, 1)", "softmax(0)", "log_softmax(0)",
              "sum()", "mean()", "prod()", "cumsum(0)", "amax()", "norm()", "t()", "flip(0)",
              "pow(2)", "pow(0.5)", "pow(3)", "__mul__(2)"]
GRAD_BINARY = ["add", "sub", "mul", "div", "pow", "atan2", "maximum", "minimum", "hypot", "matmul"]


def autograd(rng):
    cases = []
    pts = [0.0, 1.0, -1.0, 0.5, -2.0, 2.0, 0.25]
    for _ in range(1600):
        n = rng.randint(1, 3)
        xv = [rng.choice(pts) for _ in range(n)]
        yv = [rng.choice(pts) for _ in range(n)]
        x = "x = torch.tensor(%r, dtype=torch.float64, requires_grad=True)" % xv
        y = "y = torch.tensor(%r, dtype=torch.float64, requires_grad=True)" % yv
        ops = [rng.choice(GRAD_UNARY) for _ in range(rng.randint(1, 2))]
        expr = "x"
        for op in ops:
            expr = "(%s).%s" % (expr, op if "(" in op else op + "()")
        if rng.random() < 0.4:
            b = rng.choice(GRAD_BINARY)
            expr = "torch.%s(%s, y)" % (b, expr) if b != "matmul" else "torch.dot(%s.reshape(-1)[:1], y[:1])" % expr
        order = rng.random()
        if order < 0.5:
            cases.append("%s\n%s\nz = (%s).sum()\nout = torch.autograd.grad(z, [x, y], allow_unused=True)" % (x, y, expr))
        elif order < 0.9:
            cases.append("%s\n%s\nz = (%s).sum()\ng, = torch.autograd.grad(z, x, create_graph=True)\n"
                         "out = (g, g.requires_grad, torch.autograd.grad(g.sum(), x, allow_unused=True)[0] if g.requires_grad else None)" % (x, y, expr))
        else:
            cases.append("%s\n%s\nz = %s\nz.backward(torch.ones_like(z))\nout = (x.grad, y.grad)" % (x, y, expr))
    scenarios = [
        "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.data.mul_(2)\ny.sum().backward()\nout = (x.grad, y)",
        "x = torch.ones(2, requires_grad=True)\ny = x.exp()\ny.mul_(2)\nout = y.sum().backward()",
        "x = torch.ones(2, requires_grad=True)\ny = x.exp()\ny.detach().mul_(2)\ny.sum().backward()\nout = x.grad",
        "x = torch.ones(2, requires_grad=True)\nout = x.add_(1)",
        "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\ny.backward()\nout = y.backward()",
        "x = torch.ones(2, requires_grad=True)\nout = torch.autograd.grad(x * 2, x)",
        "out = torch.tensor([1, 2], requires_grad=True)",
        "x = torch.ones(2, requires_grad=True)\ny = x.sum()\nout = torch.autograd.grad(y, x, grad_outputs=torch.ones(3))",
        "x = torch.ones(2, requires_grad=True)\nwith torch.no_grad():\n    y = x * 2\nout = (y.requires_grad, y.grad_fn)",
        "x = torch.zeros(2, requires_grad=True)\nout = torch.autograd.grad(torch.atan2(x, x).sum(), x)",
        "x = torch.tensor([0.5, -0.5], requires_grad=True)\ng, = torch.autograd.grad(torch.relu(x).sum(), x, create_graph=True)\nout = (g, g.requires_grad)",
    ]
    for _ in range(3):
        cases.extend(scenarios)
    return cases


def serialization(rng):
    cases = []
    for _ in range(500):
        dt = rng.choice(DTYPES)
        shape = random_shape(rng, max_ndim=3)
        t = tensor_code(rng, dt, shape)
        obj = rng.choice([
            "t", "t[::2] if t.dim() else t", "{'a': t, 'b': t}", "[t, t.reshape(-1)]",
            "(t, 3, 'x', None, 1.5)", "{'w': t, 'step': 7}", "t.t() if t.dim() == 2 else t",
        ])
        tail = rng.choice([
            "out = torch.load(buf)", "out = torch.load(buf, weights_only=True)",
            "data = buf.getvalue()\nout = torch.load(io.BytesIO(data[:len(data) // 2]))",
            "data = bytearray(buf.getvalue())\ndata[len(data) // 3] ^= 0xFF\nout = torch.load(io.BytesIO(bytes(data)))\nout = 'loaded'",
            "r = torch.load(buf)\nout = r['a'].data_ptr() == r['b'].data_ptr() if isinstance(r, dict) and 'b' in r else r",
        ])
        cases.append("t = %s\nbuf = io.BytesIO()\ntorch.save(%s, buf)\nbuf.seek(0)\n%s" % (t, obj, tail))
    for _ in range(40):
        cases.append("out = torch.load(io.BytesIO(b'not a checkpoint %d'))" % rng.randint(0, 99))
    return cases


def threads(rng):
    cases = []
    for _ in range(220):
        shape = (rng.randint(1, 16), rng.randint(1, 16))
        a = tensor_code(rng, "float64", shape, special=0.0)
        op = rng.choice(["(a @ a.T).sum(0)", "a.exp().sum()", "torch.sort(a, 1)[0]", "a.cumsum(1)",
                         "(a * 2 + 1).relu()", "torch.autograd.grad((a.requires_grad_() * a).sum(), a)[0]",
                         "F.softmax(a, 1)"])
        cases.append(
            "a0 = %s\nres = [None] * 4\n"
            "def work(i):\n    a = a0.clone() + i\n    res[i] = %s\n"
            "ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]\n"
            "[t.start() for t in ts]\n[t.join() for t in ts]\nout = res" % (a, op))
    return cases
