"""Data-parallel training with DistributedDataParallel and DistributedSampler: an MLP
classifying synthetic points (one Gaussian cluster per class), each rank on its share of every
epoch. Rank 0 prints the loss averaged over all ranks after each epoch.

    python -m rustorch.distributed.run --nproc-per-node 2 examples/ddp_train.py --epochs 5
    mpiexec -n 2 python examples/ddp_train.py                         # the same, straight from MPI
    python -m rustorch.distributed.run --nnodes 2 --nproc-per-node 4 --hosts node1,node2 examples/ddp_train.py

The same script runs unchanged under PyTorch (torchrun) with ``import torch``.
"""
import argparse

import rustorch as torch
import rustorch.distributed as dist
from rustorch import nn
from rustorch.nn.parallel import DistributedDataParallel as DDP
from rustorch.utils.data import DataLoader, TensorDataset
from rustorch.utils.data.distributed import DistributedSampler


def synthetic_points(n, features=32, classes=4, seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    centres = torch.randn((classes, features), generator=g) * 0.3
    labels = torch.randint(0, classes, (n,), generator=g)
    return centres[labels] + torch.randn((n, features), generator=g), labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64, help="per rank")
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()

    dist.init_process_group(backend="gloo")  # runs on MPI
    rank, world = dist.get_rank(), dist.get_world_size()

    dataset = TensorDataset(*synthetic_points(4096))
    sampler = DistributedSampler(dataset, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)

    torch.manual_seed(rank)  # DDP starts every rank from rank 0's weights anyway
    model = DDP(nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 4)))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # a different shuffle each epoch, the same on every rank
        total = torch.zeros(2, dtype=torch.float64)
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()  # gradients are averaged over the ranks during backward
            optimizer.step()
            total += torch.tensor([loss.item() * len(y), len(y)], dtype=torch.float64)
        dist.all_reduce(total)
        if rank == 0:
            print(f"epoch {epoch}: loss {total[0].item() / total[1].item():.4f} "
                  f"({int(total[1].item())} samples on {world} ranks)", flush=True)

    dist.destroy_process_group()


if __name__ == "__main__":
    main()
