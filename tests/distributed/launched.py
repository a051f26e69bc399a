"""Run by test_distributed.py through the launcher: reports torchrun's variables and its
arguments, then behaves as the first argument asks (ok / exit3 on rank 1 / raise on rank 1 /
hang on rank 1 / size mismatch)."""
import json
import os
import sys
import time
from datetime import timedelta

import rustorch as torch
import rustorch.distributed as dist

mode, out_dir = sys.argv[1], sys.argv[2]
keys = ["RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "MASTER_ADDR", "MASTER_PORT",
        "TORCHELASTIC_RUN_ID", "OMP_NUM_THREADS", "USER_VARIABLE"]
rank = int(os.environ["RANK"])
with open(f"{out_dir}/rank{rank}.json", "w") as f:
    json.dump({"env": {k: os.environ.get(k) for k in keys}, "argv": sys.argv[1:],
               "threads": torch.get_num_threads()}, f)
dist.init_process_group("nccl", init_method="env://", timeout=timedelta(seconds=3))
assert dist.get_rank() == rank
if mode == "exit3" and rank == 1:
    sys.exit(3)
if mode == "raise" and rank == 1:
    raise RuntimeError("rank 1 failed on purpose")
if mode == "hang" and rank == 1:
    time.sleep(60)
n = 4 if (mode == "mismatch" and rank == 1) else 8
t = torch.ones(n)
dist.all_reduce(t)
assert t.tolist() == [2.0] * n
dist.destroy_process_group()
