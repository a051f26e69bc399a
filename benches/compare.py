"""Times the same workloads in rustorch, PyTorch (when importable) and NumPy in one run and
prints medians and ratios.

    python benches/compare.py                 # everything
    python benches/compare.py -k matmul       # workloads whose name contains 'matmul'
    python benches/compare.py --quick         # fewer sizes and repeats

PyTorch is optional: install it in a separate venv by hand (`pip install torch`), never in CI.
Ratios are "how many times faster rustorch is" (other's median / rustorch's median).
"""
import argparse
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


def median_time(fn, min_time=0.2, repeats=7):
    """Median seconds per call over `repeats` rounds of an auto-sized inner loop."""
    fn()
    n, elapsed = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time / repeats or n >= 1 << 20:
            break
        n *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def set_threads(n):
    if rt is not None and hasattr(rt, "set_num_threads"):
        rt.set_num_threads(n)
    if torch is not None:
        torch.set_num_threads(n)
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(n)


class Row:
    def __init__(self, name, unit="s", scale=1.0):
        self.name, self.unit, self.scale = name, unit, scale
        self.times = {}

    def run(self, lib, fn):
        if fn is not None:
            self.times[lib] = median_time(fn)


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
            rows.append(r)
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
            rows.append(r)
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
        r = Row("%s f32 %dx%d" % (name, *a.shape))
        r.run("numpy", np_fn)
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                x = mod.from_numpy(a)
                r.run(lib, lambda x=x: t_fn(x))
        rows.append(r)
    return rows


@workload
def overhead(quick):
    rows = []
    for n in (1, 100):
        a = np.ones(n, dtype=np.float32)
        r = Row("a + b, %d elements (per-op overhead)" % n)
        r.run("numpy", lambda: a + a)
        for lib, mod in (("rustorch", rt), ("torch", torch)):
            if mod is not None:
                x = mod.from_numpy(a.copy())
                r.run(lib, lambda x=x: x + x)
        rows.append(r)
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
    set_threads(os.cpu_count())
    return [r]


@workload
def cnn_step(quick):
    """Conv-ReLU-MaxPool-Conv-ReLU-AdaptiveAvgPool-Linear, batch 32 of 3x32x32, SGD, 1 thread."""
    set_threads(1)
    rs = np.random.RandomState(0)
    xs, ys = rs.randn(32, 3, 32, 32).astype(np.float32), rs.randint(0, 10, 32)
    r = Row("small CNN step b=32 3x32x32, 1 thread")
    for lib, mod in (("rustorch", rt), ("torch", torch)):
        if mod is None:
            continue
        nn = mod.nn
        model = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(32, 10),
        )
        opt = mod.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        r.run(lib, training_step(model, nn.CrossEntropyLoss(), opt, mod.from_numpy(xs), mod.from_numpy(ys)))
    set_threads(os.cpu_count())
    return [r]


@workload
def resnet18_train_step(quick):
    """torchvision's resnet18 in train mode: forward and backward of a batch of 8 3x64x64 images
    (gradients reset to None between steps), on one thread."""
    set_threads(1)
    images = np.random.RandomState(0).randn(8, 3, 64, 64).astype(np.float32)
    r = Row("resnet18 fwd+bwd 8x3x64x64, 1 thread")
    for lib, mod, vision in (("rustorch", rt, load("rustorch.vision")), ("torch", torch, load("torchvision"))):
        if mod is None or vision is None:
            continue
        model = vision.models.resnet18()
        x = mod.from_numpy(images)

        def step(model=model, x=x):
            model.zero_grad(set_to_none=True)
            model(x).sum().backward()

        r.run(lib, step)
    set_threads(os.cpu_count())
    return [r]


@workload
def import_and_size(quick):
    rows = []
    r = Row("import time (fresh interpreter)")
    for lib, mod in (("rustorch", rt), ("torch", torch), ("numpy", np)):
        if mod is None:
            continue
        code = "import time; t = time.perf_counter(); import %s; print(time.perf_counter() - t)" % mod.__name__
        samples = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(3 if quick else 7)]
        r.times[lib] = statistics.median(samples)
    rows.append(r)
    for lib, mod in (("rustorch", rt), ("torch", torch), ("numpy", np)):
        if mod is not None:
            root = os.path.dirname(mod.__file__)
            size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
            print("installed size of %s: %.1f MB" % (mod.__name__, size / 1e6))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", default="", help="only workloads whose name contains this")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print("python %s, numpy %s, rustorch %s, torch %s, %d cpus" % (
        sys.version.split()[0], np.__version__, getattr(rt, "__version__", "missing"),
        getattr(torch, "__version__", "not installed"), os.cpu_count()))
    for w in WORKLOADS:
        if args.k in w.__name__:
            report(w(args.quick))
            print()


if __name__ == "__main__":
    main()
