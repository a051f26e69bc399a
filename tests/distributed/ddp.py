"""Run by test_distributed.py under ``mpiexec -n 2``: the DDP property. N steps of
DistributedDataParallel on 2 ranks, each on half of every batch, must leave the parameters that
N steps in one process on the whole batch leave (each rank also computes that reference).
Each rank writes {check: "ok" | error} to <out_dir>/rank<r>.json."""
import sys

import numpy as np
import rustorch as torch
import rustorch.distributed as dist
from _report import check, write  # tests/distributed/_report.py, beside this script
from rustorch import nn
from rustorch.nn.parallel import DistributedDataParallel as DDP

STEPS, BATCH = 4, 8


def mlp(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(12, 16), nn.Tanh(), nn.Linear(16, 3)).double()


def cnn(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 5 * 5, 3)).double()


def batches(kind, steps=STEPS):
    g = torch.Generator()
    g.manual_seed(123)
    shape = (BATCH, 12) if kind == "mlp" else (BATCH, 2, 5, 5)
    return [(torch.randn(shape, generator=g, dtype=torch.float64), torch.randint(0, 3, (BATCH,), generator=g))
            for _ in range(steps)]


def optimizer(name, params):
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.1, momentum=0.9)
    return torch.optim.Adam(params, lr=0.01)


def half(t, rank):
    n = t.shape[0] // 2
    return t[rank * n:(rank + 1) * n]


def assert_same_state(model, reference):
    for (name, a), (_, b) in zip(model.state_dict().items(), reference.state_dict().items()):
        np.testing.assert_allclose(a.double().numpy(), b.double().numpy(), rtol=1e-5, atol=1e-8, err_msg=name)


def train_reference(make, kind, opt_name):
    model = make(0)
    opt = optimizer(opt_name, model.parameters())
    for x, y in batches(kind):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model


def main(out_dir):
    dist.init_process_group("gloo")
    rank = dist.get_rank()

    for kind, make in (("mlp", mlp), ("cnn", cnn)):
        for opt_name in ("sgd", "adam"):
            for bucket_mb in (25, 0.0002):
                @check(f"ddp-equals-one-process-{kind}-{opt_name}-bucket{bucket_mb}")
                def _():
                    reference = train_reference(make, kind, opt_name)
                    # Rank 1 starts from other weights: DDP must broadcast rank 0's.
                    local = make(rank)
                    if kind == "cnn":
                        local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
                    model = DDP(local, bucket_cap_mb=bucket_mb)
                    opt = optimizer(opt_name, model.parameters())
                    for x, y in batches(kind):
                        opt.zero_grad()
                        nn.functional.cross_entropy(model(half(x, rank)), half(y, rank)).backward()
                        opt.step()
                    assert_same_state(model.module, reference)
                    if bucket_mb < 1:
                        assert len(model.reducer.buckets) >= 2

    @check("no_sync-accumulation")
    def _():
        data = batches("mlp", steps=2 * STEPS)
        reference = mlp(0)
        opt = optimizer("sgd", reference.parameters())
        for step in range(STEPS):
            opt.zero_grad()
            for x, y in data[2 * step:2 * step + 2]:
                nn.functional.cross_entropy(reference(x), y).backward()
            opt.step()
        model = DDP(mlp(rank))
        opt = optimizer("sgd", model.parameters())
        for step in range(STEPS):
            opt.zero_grad()
            (x1, y1), (x2, y2) = data[2 * step:2 * step + 2]
            with model.no_sync():
                nn.functional.cross_entropy(model(half(x1, rank)), half(y1, rank)).backward()
            nn.functional.cross_entropy(model(half(x2, rank)), half(y2, rank)).backward()
            opt.step()
        assert_same_state(model.module, reference)

    @check("no_sync-leaves-local-gradients")
    def _():
        model = DDP(mlp(0))
        x = torch.full((2, 12), float(rank + 1), dtype=torch.float64)
        with model.no_sync():
            model(x).sum().backward()
        local = mlp(0)
        local(x).sum().backward()
        for p, q in zip(model.parameters(), local.parameters()):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.used = nn.Linear(4, 2).double()
            self.unused = nn.Linear(4, 2).double()

        def forward(self, x):
            return self.used(x)

    @check("find_unused_parameters")
    def _():
        model = DDP(Branchy(), find_unused_parameters=True)
        x = torch.ones((2, 4), dtype=torch.float64) * (rank + 1)
        for _ in range(2):
            model.zero_grad()
            model(x).sum().backward()
        assert model.module.unused.weight.grad is None
        # d/dW of sum(W x + b) is x summed over the batch: 2 * (rank + 1), averaged over ranks.
        np.testing.assert_allclose(model.module.used.weight.grad.numpy(), np.full((2, 4), 3.0))

    @check("unused-parameters-without-find_unused_parameters-raise")
    def _():
        model = DDP(Branchy())
        x = torch.ones((2, 4), dtype=torch.float64)
        model(x).sum().backward()
        try:
            model(x)
        except RuntimeError as e:
            assert "Expected to have finished reduction in the prior iteration" in str(e)
        else:
            raise AssertionError("no error for a parameter that got no gradient")

    @check("broadcast_buffers")
    def _():
        model = DDP(cnn(rank))
        seen = []
        model.module[1].register_forward_pre_hook(lambda m, args: seen.append(m.running_mean.clone()))
        for x, y in batches("cnn"):
            nn.functional.cross_entropy(model(half(x, rank)), half(y, rank)).backward()
        for before in seen:
            everyone = [torch.zeros(4, dtype=torch.float64) for _ in range(2)]
            dist.all_gather(everyone, before)
            np.testing.assert_array_equal(everyone[0].numpy(), everyone[1].numpy())
        assert not np.array_equal(seen[0].numpy(), seen[-1].numpy())

    @check("module-and-state_dict-prefix")
    def _():
        local = mlp(0)
        model = DDP(local)
        assert model.module is local
        assert list(model.state_dict()) == ["module." + k for k in local.state_dict()]

    @check("shape-mismatch-across-ranks-raises")
    def _():
        local = nn.Linear(3, 2 + rank)
        try:
            DDP(local)
        except RuntimeError as e:
            assert "DDP expects same model across all ranks" in str(e)
        else:
            raise AssertionError("different models on the ranks did not raise")

    dist.destroy_process_group()
    write(out_dir, rank)


if __name__ == "__main__":
    main(sys.argv[1])
