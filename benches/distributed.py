"""rustorch.distributed speed on 2 ranks of this machine, as ratios in one run:

    python benches/distributed.py [--torch-python /opt/torchvenv/bin/python] [--batch 256]

1. all_reduce of 1K / 1M / 16M float32: rustorch vs raw mpi4py (Allreduce in place on a NumPy
   array), rounds interleaved; and PyTorch's gloo backend when a PyTorch Python is given.
2. A DistributedDataParallel step (forward, backward, SGD step) of the MLP 784-256-10 on
   2 ranks vs the same step in one process, both on the same per-rank batch, one thread each.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SIZES = [1 << 10, 1 << 20, 1 << 24]
HERE = os.path.abspath(__file__)


def _repeats(n):
    return 2000 if n <= 1 << 10 else (40 if n <= 1 << 20 else 4)


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def rank_all_reduce(out):
    """Under mpiexec: median ms per all_reduce, rustorch and raw mpi4py, interleaved."""
    import numpy as np
    import rustorch as torch
    import rustorch.distributed as dist
    from mpi4py import MPI
    dist.init_process_group("mpi")
    comm = MPI.COMM_WORLD
    report = {}
    for n in SIZES:
        t, a, reps = torch.ones(n), np.ones(n, np.float32), _repeats(n)
        ours, raw = [], []
        for _ in range(5):
            comm.Barrier()
            start = time.perf_counter()
            for _ in range(reps):
                dist.all_reduce(t)
            ours.append((time.perf_counter() - start) / reps * 1e3)
            comm.Barrier()
            start = time.perf_counter()
            for _ in range(reps):
                comm.Allreduce(MPI.IN_PLACE, a, MPI.SUM)
            raw.append((time.perf_counter() - start) / reps * 1e3)
        report[n] = {"rustorch": _median(ours), "mpi4py": _median(raw)}
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump(report, f)


def torch_all_reduce(out):
    """A rank of PyTorch's gloo backend (started by this script with torchrun's variables)."""
    import torch
    import torch.distributed as dist
    dist.init_process_group("gloo")
    report = {}
    for n in SIZES:
        t, reps, times = torch.ones(n), _repeats(n) // 4 or 1, []
        for _ in range(5):
            dist.barrier()
            start = time.perf_counter()
            for _ in range(reps):
                dist.all_reduce(t)
            times.append((time.perf_counter() - start) / reps * 1e3)
        report[n] = _median(times)
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump(report, f)
    dist.destroy_process_group()


def ddp_step(out, batch, distributed):
    """Median ms per training step of the MLP 784-256-10, with or without DDP."""
    import rustorch as torch
    from rustorch import nn
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if distributed:
        import rustorch.distributed as dist
        dist.init_process_group("gloo")
        model = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(batch, 784), torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    for _ in range(5):
        step()
    times = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(20):
            step()
        times.append((time.perf_counter() - start) / 20 * 1e3)
    if not distributed or torch.distributed.get_rank() == 0:
        with open(out, "w") as f:
            json.dump(_median(times), f)


def _result(path):
    with open(path) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torch-python", default=None, help="a Python with PyTorch, for the gloo comparison")
    p.add_argument("--batch", type=int, default=256, help="per-rank batch of the DDP step")
    p.add_argument("--role", default=None, help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.role == "all_reduce":
        return rank_all_reduce(args.out)
    if args.role == "torch":
        return torch_all_reduce(args.out)
    if args.role in ("ddp", "single"):
        return ddp_step(args.out, args.batch, args.role == "ddp")

    from rustorch.distributed.run import find_mpiexec
    mpiexec = find_mpiexec()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    tmp = tempfile.mkdtemp()
    me = [sys.executable, HERE]
    subprocess.run([mpiexec, "-n", "2", *me, "--role", "all_reduce", "--out", f"{tmp}/ar.json"], env=env, check=True)
    ours = _result(f"{tmp}/ar.json")
    gloo = None
    if args.torch_python:
        procs = [subprocess.Popen([args.torch_python, HERE, "--role", "torch", "--out", f"{tmp}/gloo.json"],
                                  env=dict(env, RANK=str(r), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                                           MASTER_PORT="29631")) for r in range(2)]
        if all(p.wait() == 0 for p in procs):
            gloo = _result(f"{tmp}/gloo.json")
    print("all_reduce, float32, 2 ranks (median ms)")
    print(f"{'elements':>10} {'rustorch':>10} {'mpi4py':>10} {'ratio':>8} {'gloo':>10} {'vs gloo':>8}")
    for n in SIZES:
        r = ours[str(n)]
        g = gloo[str(n)] if gloo else None
        print(f"{n:>10} {r['rustorch']:>10.4f} {r['mpi4py']:>10.4f} {r['rustorch'] / r['mpi4py']:>8.2f} "
              + (f"{g:>10.4f} {g / r['rustorch']:>7.1f}x" if g else f"{'-':>10} {'-':>8}"))

    subprocess.run([*me, "--role", "single", "--batch", str(args.batch), "--out", f"{tmp}/single.json"], env=env,
                   check=True)
    subprocess.run([mpiexec, "-n", "2", *me, "--role", "ddp", "--batch", str(args.batch), "--out", f"{tmp}/ddp.json"],
                   env=env, check=True)
    single, ddp = _result(f"{tmp}/single.json"), _result(f"{tmp}/ddp.json")
    print(f"\nMLP 784-256-10 step, batch {args.batch} per rank, 1 thread per rank (median ms)")
    print(f"one process {single:.3f}   DDP on 2 ranks {ddp:.3f}   ratio {ddp / single:.2f}")


if __name__ == "__main__":
    main()
