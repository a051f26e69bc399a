"""Started straight by ``mpiexec -n 2`` (no launcher, no torchrun variables): ranks come from MPI."""
import os

import rustorch as torch
import rustorch.distributed as dist

assert "RANK" not in os.environ
dist.init_process_group(backend="gloo")
t = torch.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(t)
print(f"rank {dist.get_rank()} of {dist.get_world_size()}: {t.item()}")
