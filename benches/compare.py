"""Times the same workloads in rustorch, PyTorch (when importable) and NumPy in one run and
prints medians and ratios.

    python benches/compare.py                 # everything
    python benches/compare.py -k matmul       # workloads whose name contains 'matmul'
    python benches/compare.py --quick         # fewer sizes and repeats

PyTorch is optional: install it in a separate venv by hand (`pip install torch`, and
`pip install --no-deps torchvision pillow` for the ResNet row), never in CI, and run this with
that venv's python and a release build of rustorch importable, e.g.

    cargo build --release --lib --features pyo3/extension-module
    cp target/release/librustorch.so python/rustorch/_C.abi3.so
    PYTHONPATH=python /path/to/torchvenv/bin/python benches/compare.py

Ratios are "how many times faster rustorch is" (other's median / rustorch's median). The
libraries of a row are timed in alternating rounds, so that load from other processes during
the run falls on all of them alike; the machine's load average is printed with the results.
"""
import argparse
import compileall
import importlib
import os
import statistics
import subprocess
import sys
import time

import numpy as np

try:
    import threadpoolctl
except ImportError:  # NumPy then keeps its own thread count
    threadpoolctl = None


def load(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


rt = load("rustorch")
torch = load("torch")


def calibrate(fn, min_time):
    """Calls per timing round so that a round takes about `min_time`."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= min_time or n >= 1 << 20:
            return n
        n *= 2


def median_times(fns, min_time=0.2, repeats=7):
    """Median seconds per call of each of `fns` ({lib: fn}), over `repeats` rounds in which
    the libraries take turns."""
    loops = {lib: calibrate(fn, min_time / repeats) for lib, fn in fns.items()}
    samples = {lib: [] for lib in fns}
    for _ in range(repeats):
        for lib, fn in fns.items():
            n = loops[lib]
            if threads_in_force > 1:
                time.sleep(QUIESCE_S)
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[lib].append((time.perf_counter() - t0) / n)
    return {lib: statistics.median(v) for lib, v in samples.items()}


# Between turns on several threads, the libraries' idle workers are let go to sleep: OpenBLAS's
# spin for ~0.1 s after a call and OpenMP's (PyTorch's) for ~20 ms, and while they spin they take
# the other core from whichever library runs next (rustorch's matmul n=1024 on two threads: 18 ms
# alone, 30-38 ms right after NumPy's or PyTorch's).
QUIESCE_S = 0.25
threads_in_force = 1


def set_threads(n):
    global threads_in_force
    threads_in_force = n
    if rt is not None and hasattr(rt, "set_num_threads"):
        rt.set_num_threads(n)
    if torch is not None:
        torch.set_num_threads(n)
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(n)


class Row:
    """One workload: `run(lib, fn)` registers a library's version, `measure()` times them all
    (under the thread settings in force when it is called)."""

    def __init__(self, name, unit="s", scale=1.0):
        self.name, self.unit, self.scale = name, unit, scale
        self.times, self.fns = {}, {}

    def run(self, lib, fn):
        if fn is not None:
            self.fns[lib] = fn

    def measure(self):
        if self.fns:
            self.times.update(median_times(self.fns))
            self.fns = {}
        return self


def measured(rows):
    for r in rows:
        r.measure()
    return rows


def fmt_time(t):
    if t is None:
        return "-"
    for unit, f in (("s", 1), ("ms", 1e3), ("us", 1e6), ("ns", 1e9)):
        if t * f >= 1:
            return "%.3g %s" % (t * f, unit)
    return "%.3g ns" % (t * 1e9)


def report(rows):
    header = "%-36s %12s %12s %12s %10s %10s" % ("workload", "rustorch", "pytorch", "numpy", "vs torch", "vs numpy")
    print(header)
    print("-" * len(header))
    for r in rows:
        t = r.times
        ratio = lambda other: "%.2fx" % (t[other] / t["rustorch"]) if other in t and "rustorch" in t else "-"
        print("%-36s %12s %12s %12s %10s %10s" % (
            r.name, fmt_time(t.get("rustorch")), fmt_time(t.get("torch")), fmt_time(t.get("numpy")),
            ratio("torch"), ratio("numpy")))
    sys.stdout.flush()


# ---------------------------------------------------------------- workloads
WORKLOADS = []


def workload(fn):
    WORKLOADS.append(fn)
    return fn


@workload
def matmul(quick):
    sizes = [64, 256, 1024] if quick else [64, 128, 256, 512, 1024, 2048]
    rows = []
    for threads in (1, 2):
        set_threads(threads)
        for n in sizes:
            a = np.random.RandomState(0).randn(n, n).astype(np.float32)
            b = np.random.RandomState(1).randn(n, n).astype(np.float32)
            r = Row("matmul f32 n=%d threads=%d" % (n, threads))
            r.run("numpy", lambda: a @ b)
            if rt is not None:
                ra, rb = rt.from_numpy(a), rt.from_numpy(b)
                r.run("rustorch", lambda: ra @ rb)
            if torch is not None:
                ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                r.run("torch", lambda: ta @ tb)
            rows.append(r.measure())
    set_threads(os.cpu_count())
    return rows


@workload
def elementwise(quick):
    rows = []
    set_threads(os.cpu_count())
    for n in ([10**6] if quick else [10**6, 16 * 10**6]):
        a = np.random.RandomState(0).rand(n).astype(np.float32)
        b = np.random.RandomState(1).rand(n).astype(np.float32)
        for name, np_fn, t_fn in (
            ("add", lambda: a + b, lambda x, y: x + y),
            ("mul", lambda: a * b, lambda x, y: x * y),
            ("exp", lambda: np.exp(a), lambda x, y: x.exp()),
        ):
            r = Row("%s f32 n=%.1e (fresh output)" % (name, n))
            r.run("numpy", np_fn)
            for lib, mod in (("rustorch", rt), ("torch", torch)):
                if mod is not None:
                    x, y = mod.from_numpy(a), mod.from_numpy(b)
                    r.run(lib, lambda x=x, y=y: t_fn(x, y))
            rows.append(r.measure())
    # In place (the output is an input) and a column broadcast along rows.
    x0 = np.random.RandomState(0).rand(1000, 1000).astype(np.float32)
    column = np.random.RandomState(1).rand(1000, 1).astype(np.float32)
    for name, y0, fn in (
        ("add_ in place", x0 * 0.5, lambda x, y: x.__iadd__(y)),
        ("mul by a broadcast column", column, lambda x, y: x * y),
    ):
        r = Row("%s f32 1000x1000" % name)
        r.run("numpy", lambda x=x0.copy(), y=y0: fn(x, y))
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                r.run(lib, lambda x=mod.from_numpy(x0.copy()), y=mod.from_numpy(y0): fn(x, y))
        rows.append(r.measure())
    a = np.random.RandomState(0).rand(10**6).astype(np.float32)
    set_threads(1)
    r = Row("exp f32 n=1.0e+06, 1 thread")
    r.run("numpy", lambda: np.exp(a))
    for lib, mod in (("rustorch", rt), ("torch", torch)):
        if mod is not None:
            x = mod.from_numpy(a)
            r.run(lib, lambda x=x: x.exp())
    rows.append(r.measure())
    set_threads(os.cpu_count())
    return rows


@workload
def half_precision_and_activations(quick):
    """16-bit float elementwise ops (computed in f32 chunks and rounded once) and the float32
    activations with transcendental kernels, 1M elements, 1 thread."""
    rows = []
    set_threads(1)
    a = (np.random.RandomState(0).randn(10**6) * 3).astype(np.float32)
    b = np.random.RandomState(1).rand(10**6).astype(np.float32)
    cases = [
        ("add f16", "float16", lambda m, x, y: x + y, lambda: a16 + b16),
        ("add bf16", "bfloat16", lambda m, x, y: x + y, None),
        ("exp f16", "float16", lambda m, x, y: x.exp(), lambda: np.exp(a16)),
        ("f16 -> f32 (.float())", "float16", lambda m, x, y: x.float(), lambda: a16.astype(np.float32)),
        ("tanh f32", "float32", lambda m, x, y: x.tanh(), lambda: np.tanh(a)),
        ("gelu f32", "float32", lambda m, x, y: m.nn.functional.gelu(x), None),
        ("gelu tanh f32", "float32", lambda m, x, y: m.nn.functional.gelu(x, approximate="tanh"), None),
        ("silu f32", "float32", lambda m, x, y: m.nn.functional.silu(x), None),
    ]
    a16, b16 = a.astype(np.float16), b.astype(np.float16)
    np_errors = np.seterr(over="ignore")  # float16 exp overflows beyond 11, as it should
    for name, dtype, t_fn, np_fn in ([cases[0], cases[2], cases[5]] if quick else cases):
        r = Row("%s n=1.0e+06, 1 thread" % name)
        if np_fn is not None:
            r.run("numpy", np_fn)
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                x, y = (mod.from_numpy(v).to(getattr(mod, dtype)) for v in (a, b))
                r.run(lib, lambda m=mod, x=x, y=y: t_fn(m, x, y))
        rows.append(r.measure())
    np.seterr(**np_errors)
    set_threads(os.cpu_count())
    return rows


@workload
def reductions(quick):
    rows = []
    a = np.random.RandomState(0).rand(4096, 4096 if not quick else 1024).astype(np.float32)
    for name, np_fn, t_fn in (
        ("sum all", lambda: a.sum(), lambda x: x.sum()),
        ("sum dim=0", lambda: a.sum(axis=0), lambda x: x.sum(0)),
        ("sum dim=1", lambda: a.sum(axis=1), lambda x: x.sum(1)),
    ):
        r = Row("%s f32 %dx%d, %d threads" % (name, *a.shape, os.cpu_count()))
        r.run("numpy", np_fn)
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                x = mod.from_numpy(a)
                r.run(lib, lambda x=x: t_fn(x))
        rows.append(r.measure())
    return rows


@workload
def overhead(quick):
    """Per-op overhead: float32 operands of 1 (and 100) elements, where the Python binding, dtype
    and shape logic, allocation and autograd bookkeeping are all there is to time."""
    rows = []
    for n in (1, 100):
        a = np.ones(n, dtype=np.float32)
        r = Row("a + b, %d elements (per-op overhead)" % n)
        r.run("numpy", lambda: a + a)
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                x = mod.from_numpy(a.copy())
                r.run(lib, lambda x=x: x + x)
        rows.append(r.measure())
    a = np.ones(1, dtype=np.float32)
    # name, numpy's version, the tensor libraries' (made from m, the module, and x, a 1-element
    # tensor, so that each call is as direct as numpy's)
    for name, np_fn, make in (
        ("a.add(b)", lambda: np.add(a, a), lambda m, x: lambda: x.add(x)),
        ("torch.add(a, b)", lambda: np.add(a, a), lambda m, x: lambda: m.add(x, x)),
        ("a * 2.0", lambda: a * 2.0, lambda m, x: lambda: x * 2.0),
        ("a.sum()", lambda: a.sum(), lambda m, x: lambda: x.sum()),
        ("x[0]", lambda: a[0], lambda m, x: lambda: x[0]),
    ):
        r = Row("%s, 1 element (per-op overhead)" % name)
        r.run("numpy", np_fn)
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                r.run(lib, make(mod, mod.from_numpy(a.copy())))
        rows.append(r.measure())
    return rows


@workload
def autograd_step(quick):
    """Seed 001's autograd network: one training step (forward, backward, SGD update under
    no_grad, grads zeroed), on one thread."""
    set_threads(1)
    rs = np.random.RandomState(0)
    data = [rs.randn(*s).astype(np.float32) for s in ((100, 1000), (100, 10), (1000, 100), (100, 10))]
    r = Row("seed 001 autograd step, 1 thread")
    for lib, mod in (("rustorch", rt), ("torch", torch)):
        if mod is None:
            continue
        x, y, w1, w2 = (mod.from_numpy(a.copy()) for a in data)
        w1.requires_grad_()
        w2.requires_grad_()

        def step(mod=mod, x=x, y=y, w1=w1, w2=w2):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
            loss.backward()
            with mod.no_grad():
                w1 -= 1e-6 * w1.grad
                w2 -= 1e-6 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()

        r.run(lib, step)
    x, y, w1, w2 = (a.copy() for a in data)

    def numpy_step():
        h = x @ w1
        h_relu = np.maximum(h, 0)
        y_pred = h_relu @ w2
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T @ grad_y_pred
        grad_h = grad_y_pred @ w2.T
        grad_h[h < 0] = 0
        grad_w1 = x.T @ grad_h
        w1[...] -= np.float32(1e-6) * grad_w1
        w2[...] -= np.float32(1e-6) * grad_w2

    r.run("numpy", numpy_step)
    r.measure()
    set_threads(os.cpu_count())
    return [r]


def training_step(model, loss_fn, optimizer, x, y):
    """One optimizer step of `model` on (x, y)."""
    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


@workload
def mlp_step(quick):
    """784-256-10 MLP, CrossEntropyLoss, SGD with momentum, batch 64, 1 thread."""
    set_threads(1)
    rs = np.random.RandomState(0)
    xs, ys = rs.randn(64, 784).astype(np.float32), rs.randint(0, 10, 64)
    r = Row("MLP 784-256-10 step b=64, 1 thread")
    for lib, mod in (("rustorch", rt), ("torch", torch)):
        if mod is None:
            continue
        nn = mod.nn
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        opt = mod.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        r.run(lib, training_step(model, nn.CrossEntropyLoss(), opt, mod.from_numpy(xs), mod.from_numpy(ys)))
    w1 = (rs.randn(784, 256) * 0.03).astype(np.float32)
    w2 = (rs.randn(256, 10) * 0.06).astype(np.float32)
    b1, b2 = np.zeros(256, np.float32), np.zeros(10, np.float32)
    params = [w1, b1, w2, b2]
    velocity = [np.zeros_like(p) for p in params]
    onehot = np.eye(10, dtype=np.float32)[ys]

    def numpy_step():
        h = xs @ w1 + b1
        a = np.maximum(h, 0)
        logits = a @ w2 + b2
        e = np.exp(logits - logits.max(1, keepdims=True))
        g_logits = (e / e.sum(1, keepdims=True) - onehot) / len(xs)
        g_a = g_logits @ w2.T
        g_a[h <= 0] = 0
        grads = [xs.T @ g_a, g_a.sum(0), a.T @ g_logits, g_logits.sum(0)]
        for p, v, g in zip(params, velocity, grads):
            v *= np.float32(0.9)
            v += g
            p -= np.float32(0.01) * v

    r.run("numpy", numpy_step)
    r.measure()
    set_threads(os.cpu_count())
    return [r]


@workload
def cnn_step(quick):
    """Conv-ReLU-MaxPool-Conv-ReLU-AdaptiveAvgPool-Linear, batch 32 of 3x32x32, SGD, on 1 and on
    2 threads."""
    rs = np.random.RandomState(0)
    xs, ys = rs.randn(32, 3, 32, 32).astype(np.float32), rs.randint(0, 10, 32)
    rows = []
    for threads in (1, 2):
        set_threads(threads)
        r = Row("small CNN step b=32 3x32x32, %d thread%s" % (threads, "s" * (threads > 1)))
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is None:
                continue
            nn = mod.nn
            mod.manual_seed(0)
            model = nn.Sequential(
                nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                nn.Flatten(), nn.Linear(32, 10),
            )
            opt = mod.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            r.run(lib, training_step(model, nn.CrossEntropyLoss(), opt, mod.from_numpy(xs), mod.from_numpy(ys)))
        rows.append(r.measure())
    set_threads(os.cpu_count())
    return rows


@workload
def conv_pool_layers(quick):
    """The small CNN's layers one by one (batch 32, 1 thread): where a step's time goes."""
    set_threads(1)
    rs = np.random.RandomState(0)
    images = rs.randn(32, 3, 32, 32).astype(np.float32)
    features = rs.randn(32, 16, 16, 16).astype(np.float32)
    maps = rs.randn(32, 16, 32, 32).astype(np.float32)
    rows = []

    def layer(name, make):
        r = Row(name + ", 1 thread")
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                mod.manual_seed(0)
                r.run(lib, make(mod))
        rows.append(r.measure())

    def conv(x, cin, cout, backward):
        def make(mod):
            m, t = mod.nn.Conv2d(cin, cout, 3, padding=1), mod.from_numpy(x)
            if not backward:
                return lambda: m(t)
            t.requires_grad_()
            return lambda: m(t).sum().backward()
        return make

    def pool(fn, backward):
        def make(mod):
            t = mod.from_numpy(maps)
            f = fn(mod.nn.functional)
            if not backward:
                return lambda: f(t)
            t.requires_grad_()
            return lambda: f(t).sum().backward()
        return make

    layer("conv2d 3->16 3x3 32x32 fwd", conv(images, 3, 16, False))
    layer("conv2d 3->16 3x3 32x32 fwd+bwd", conv(images, 3, 16, True))
    layer("conv2d 16->32 3x3 16x16 fwd", conv(features, 16, 32, False))
    layer("conv2d 16->32 3x3 16x16 fwd+bwd", conv(features, 16, 32, True))
    layer("max_pool2d 2 16x32x32 fwd+bwd", pool(lambda F: lambda t: F.max_pool2d(t, 2), True))
    layer("avg_pool2d 3 s2 p1 16x32x32 fwd", pool(lambda F: lambda t: F.avg_pool2d(t, 3, 2, 1), False))
    layer("adaptive_avg_pool2d 1 16x32x32 fwd+bwd", pool(lambda F: lambda t: F.adaptive_avg_pool2d(t, 1), True))
    set_threads(os.cpu_count())
    return rows


@workload
def resnet18_train_step(quick):
    """torchvision's resnet18 in train mode: forward and backward of a batch of 8 3x64x64 images
    (gradients reset to None between steps), on 1 and on 2 threads."""
    images = np.random.RandomState(0).randn(8, 3, 64, 64).astype(np.float32)
    rows = []
    for threads in (1, 2):
        set_threads(threads)
        r = Row("resnet18 fwd+bwd 8x3x64x64, %d thread%s" % (threads, "s" * (threads > 1)))
        for lib, mod, vision in (("rustorch", rt, load("rustorch.vision")), ("torch", torch, load("torchvision"))):
            if mod is None or vision is None:
                continue
            model = vision.models.resnet18()
            x = mod.from_numpy(images)

            def step(model=model, x=x):
                model.zero_grad(set_to_none=True)
                model(x).sum().backward()

            r.run(lib, step)
        rows.append(r.measure())
    set_threads(os.cpu_count())
    return rows


@workload
def import_and_size(quick):
    rows = []
    r = Row("import time (fresh interpreter)")
    for lib, mod in (("rustorch", rt), ("torch", torch), ("numpy", np)):
        if mod is None:
            continue
        # An installed package has its .pyc files (pip writes them); a source tree run with
        # PYTHONDONTWRITEBYTECODE would otherwise be timed compiling every module (~2.5x).
        compileall.compile_dir(os.path.dirname(mod.__file__), quiet=2)
        code = "import time; t = time.perf_counter(); import %s; print(time.perf_counter() - t)" % mod.__name__
        samples = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(3 if quick else 7)]
        r.times[lib] = statistics.median(samples)
    rows.append(r.measure())
    for lib, mod in (("rustorch", rt), ("torch", torch), ("numpy", np)):
        if mod is not None:
            root = os.path.dirname(mod.__file__)
            size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
            print("installed size of %s: %.1f MB" % (mod.__name__, size / 1e6))
    return rows


@workload
def gpu(quick):
    """GPU rows (rustorch's `cuda` over wgpu vs PyTorch CUDA, TF32 off), when both see a GPU:
    f32 matmul n=4096, add on 16M elements, a 1-element op (100 per timed call, so the time
    divided by 100 is the per-op cost of an async launch), the MLP step of `mlp_step`."""
    libs = [(lib, mod) for lib, mod in (("rustorch", rt), ("torch", torch)) if mod is not None and mod.cuda.is_available()]
    if not libs:
        return []
    if rt is not None and rt.cuda.is_available():
        print("rustorch adapter: %s" % rt.backends.wgpu.info())
    if torch is not None and torch.cuda.is_available():
        print("torch device: %s" % torch.cuda.get_device_name())
        torch.backends.cuda.matmul.allow_tf32 = False
    rows = []

    def synced(mod, fn, repeat=1):
        def run():
            for _ in range(repeat):
                fn()
            mod.cuda.synchronize()
        return run

    n = 1024 if quick else 4096
    a = np.random.RandomState(0).randn(n, n).astype(np.float32)
    r = Row("gpu matmul f32 n=%d" % n)
    for lib, mod in libs:
        ga = mod.from_numpy(a).cuda()
        r.run(lib, synced(mod, lambda ga=ga: ga @ ga))
    rows.append(r.measure())
    size = 1 << 20 if quick else 1 << 24
    v = np.random.RandomState(1).randn(size).astype(np.float32)
    r = Row("gpu add f32 %dM" % (size >> 20))
    for lib, mod in libs:
        gv = mod.from_numpy(v).cuda()
        r.run(lib, synced(mod, lambda gv=gv: gv + gv))
    rows.append(r.measure())
    r = Row("gpu 1-element add x100 (per call)")
    for lib, mod in libs:
        one = mod.ones(1).cuda()
        r.run(lib, synced(mod, lambda one=one: one.add_(1), repeat=100))
    rows.append(r.measure())
    rs = np.random.RandomState(0)
    xs, ys = rs.randn(64, 784).astype(np.float32), rs.randint(0, 10, 64)
    r = Row("gpu MLP 784-256-10 step b=64")
    for lib, mod in libs:
        nn = mod.nn
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).cuda()
        opt = mod.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        step = training_step(model, nn.CrossEntropyLoss(), opt, mod.from_numpy(xs).cuda(), mod.from_numpy(ys).cuda())
        r.run(lib, synced(mod, step))
    rows.append(r.measure())
    return rows


def cpu_name():
    """The CPU's model and its widest vector extension (what the kernels can use)."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return "unknown"
    model = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "unknown")
    flags = set(next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), []))
    widest = "AVX-512" if "avx512f" in flags else "AVX2+FMA" if {"avx2", "fma"} <= flags else "no AVX2"
    return "%s (%s)" % (model, widest)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", default="", help="only workloads whose name contains this")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print("python %s, numpy %s, rustorch %s, torch %s, %d cpus" % (
        sys.version.split()[0], np.__version__, getattr(rt, "__version__", "missing"),
        getattr(torch, "__version__", "not installed"), os.cpu_count()))
    print("cpu: %s; load average at start: %.1f" % (cpu_name(), os.getloadavg()[0]))
    for w in WORKLOADS:
        if args.k in w.__name__:
            report(w(args.quick))
            print("load average now: %.1f" % os.getloadavg()[0])
            print()


if __name__ == "__main__":
    main()
