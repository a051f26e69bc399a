"""rustorch.distributed on 2 ranks (mpiexec), DistributedDataParallel, the launcher, and
DistributedSampler against PyTorch's recorded index lists. The multi-rank checks run as
scripts in tests/distributed/ (one mpiexec start each) and report to JSON files."""
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rustorch as torch
import rustorch.distributed as dist
from rustorch.utils.data.distributed import DistributedSampler

HERE = Path(__file__).parent
SCRIPTS = HERE / "distributed"
FIXTURE = HERE / "data" / "distributed" / "distributed_sampler.json"


def _mpiexec():
    if importlib.util.find_spec("mpi4py") is None:
        return None
    from rustorch.distributed.run import find_mpiexec
    try:
        return find_mpiexec()
    except SystemExit:
        return None


MPIEXEC = _mpiexec()
needs_mpi = pytest.mark.skipif(MPIEXEC is None, reason="mpi4py and an mpiexec are needed (pip install mpi4py mpich)")


def _env(**extra):
    """The environment for the ranks: they import this rustorch, with one thread each."""
    env = dict(os.environ, OMP_NUM_THREADS="1", **extra)
    package_root = str(Path(torch.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def _run(cmd, timeout=90, **env):
    start = time.monotonic()
    proc = subprocess.run(cmd, env=_env(**env), capture_output=True, text=True, timeout=timeout)
    return proc, time.monotonic() - start


def _mpirun(script, *args, timeout=90):
    return _run([MPIEXEC, "-n", "2", sys.executable, str(SCRIPTS / script), *map(str, args)], timeout)[0]


def _launch(*args, timeout=90, **env):
    return _run([sys.executable, "-m", "rustorch.distributed.run", *map(str, args)], timeout, **env)


def _rank_reports(out_dir):
    return [json.loads((Path(out_dir) / f"rank{r}.json").read_text()) for r in range(2)]


# Without a process group

def test_import_rustorch_does_not_import_mpi4py():
    code = "import sys, rustorch, rustorch.distributed as d, rustorch.nn.parallel; d.is_available(); " \
           "assert 'mpi4py' not in sys.modules, 'mpi4py imported'"
    subprocess.run([sys.executable, "-c", code], env=_env(), check=True)


def test_is_available_reports_mpi4py():
    assert dist.is_available() == (importlib.util.find_spec("mpi4py") is not None)


def test_collectives_before_init_process_group_raise_value_error():
    message = "Default process group has not been initialized, please make sure to call init_process_group."
    assert not dist.is_initialized()
    for call in (lambda: dist.all_reduce(torch.ones(2)), dist.get_rank, dist.get_world_size, dist.barrier,
                 lambda: dist.broadcast(torch.ones(1), src=0), lambda: torch.nn.parallel.DistributedDataParallel(
                     torch.nn.Linear(2, 2))):
        with pytest.raises(ValueError, match="Default process group has not been initialized") as e:
            call()
        assert str(e.value) == message


def test_reduce_op_and_backend_names():
    assert dist.ReduceOp.SUM == 0 and dist.ReduceOp.AVG == 1 and repr(dist.ReduceOp.MAX) == "<RedOpType.MAX: 4>"
    assert dist.Backend("GLOO") == "gloo" and dist.Backend.NCCL == "nccl" and dist.Backend.MPI == "mpi"
    assert issubclass(dist.DistBackendError, RuntimeError)


# DistributedSampler

def test_distributed_sampler_matches_pytorch():
    cases = json.loads(FIXTURE.read_text())["cases"]
    assert len(cases) == 240
    for c in cases:
        sampler = DistributedSampler(range(c["len"]), num_replicas=c["num_replicas"], rank=c["rank"],
                                     shuffle=c["shuffle"], seed=c["seed"], drop_last=c["drop_last"])
        sampler.set_epoch(c["epoch"])
        assert list(sampler) == c["indices"], c
        assert len(sampler) == c["num_samples"], c


def test_distributed_sampler_rejects_bad_rank():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    assert torch.utils.data.DistributedSampler is DistributedSampler


# Collectives on 2 ranks

@pytest.fixture(scope="module")
def collective_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("collectives")
    proc = _mpirun("collectives.py", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return _rank_reports(out)


@needs_mpi
@pytest.mark.parametrize("kind", [
    "all_reduce-SUM", "all_reduce-PRODUCT", "all_reduce-MIN", "all_reduce-MAX", "all_reduce-AVG", "broadcast",
    "reduce-", "all_gather-", "all_gather_into_tensor", "reduce_scatter-", "reduce_scatter_tensor", "gather-",
    "scatter-", "all_to_all_single", "all_to_all-lists", "send_recv", "async-work-handles", "groups",
    "object-collectives", "argument-errors", "zero-copy",
])
def test_collective_matches_numpy(collective_results, kind):
    for rank, results in enumerate(collective_results):
        mine = {name: r for name, r in results.items() if name.startswith(kind)}
        assert mine, f"no {kind} checks ran"
        failed = {name: r for name, r in mine.items() if r != "ok"}
        assert not failed, f"rank {rank}: " + "\n".join(f"{n}:\n{r}" for n, r in list(failed.items())[:3])


@needs_mpi
def test_script_started_by_mpiexec_directly():
    proc = _mpirun("direct.py")
    assert proc.returncode == 0, proc.stderr
    # The ranks' output lines may interleave.
    assert sorted(re.findall(r"rank \d of \d: [\d.]+", proc.stdout)) == ["rank 0 of 2: 3.0", "rank 1 of 2: 3.0"]


# The launcher

@needs_mpi
def test_launcher_sets_torchrun_environment_and_arguments(tmp_path):
    proc, _ = _launch("--nproc-per-node", 2, "--master-port", 29555, SCRIPTS / "launched.py", "ok", tmp_path,
                      "--flag", "two words", USER_VARIABLE="passed")
    assert proc.returncode == 0, proc.stderr
    for rank, report in enumerate(_rank_reports(tmp_path)):
        env = report["env"]
        assert env["RANK"] == str(rank) and env["LOCAL_RANK"] == str(rank) and env["GROUP_RANK"] == "0"
        assert env["WORLD_SIZE"] == "2" and env["LOCAL_WORLD_SIZE"] == "2"
        assert env["MASTER_ADDR"] == "127.0.0.1" and env["MASTER_PORT"] == "29555"
        assert env["USER_VARIABLE"] == "passed" and env["OMP_NUM_THREADS"] == "1" and report["threads"] == 1
        assert env["TORCHELASTIC_RUN_ID"]
        assert report["argv"] == ["ok", str(tmp_path), "--flag", "two words"]


@needs_mpi
def test_launcher_returns_the_failing_rank_exit_code(tmp_path):
    proc, seconds = _launch("--nproc-per-node", 2, SCRIPTS / "launched.py", "exit3", tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert seconds < 30


@needs_mpi
def test_crashed_rank_ends_the_job(tmp_path):
    proc, seconds = _launch("--nproc-per-node", 2, SCRIPTS / "launched.py", "raise", tmp_path)
    assert proc.returncode != 0
    # The job abort can cut off rank 1's own traceback when the machine is loaded (seen once in a
    # full run); some rank's traceback always reaches the user.
    assert "rank 1 failed on purpose" in proc.stderr or "Traceback" in proc.stderr
    assert seconds < 30


@needs_mpi
def test_collective_past_the_timeout_ends_the_job(tmp_path):
    # Rank 1 sleeps 60 s instead of joining the all_reduce; the group's timeout is 3 s.
    proc, seconds = _launch("--nproc-per-node", 2, SCRIPTS / "launched.py", "hang", tmp_path)
    assert proc.returncode != 0
    assert "all_reduce did not complete within the process group's timeout of 3 s" in proc.stderr
    assert seconds < 30


@needs_mpi
def test_mismatched_sizes_fail_instead_of_corrupting(tmp_path):
    proc, seconds = _launch("--nproc-per-node", 2, SCRIPTS / "launched.py", "mismatch", tmp_path)
    assert proc.returncode != 0
    assert "truncated" in proc.stderr.lower() or "DistBackendError" in proc.stderr
    assert seconds < 30


# DistributedDataParallel on 2 ranks

@pytest.fixture(scope="module")
def ddp_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    proc = _mpirun("ddp.py", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return _rank_reports(out)


@needs_mpi
@pytest.mark.parametrize("kind", [
    "ddp-equals-one-process-mlp-sgd", "ddp-equals-one-process-mlp-adam", "ddp-equals-one-process-cnn-sgd",
    "ddp-equals-one-process-cnn-adam", "no_sync-accumulation", "no_sync-leaves-local-gradients",
    "find_unused_parameters", "unused-parameters-without-find_unused_parameters-raise", "broadcast_buffers",
    "module-and-state_dict-prefix", "shape-mismatch-across-ranks-raises",
])
def test_distributed_data_parallel(ddp_results, kind):
    test_collective_matches_numpy(ddp_results, kind)


@needs_mpi
def test_ddp_example_trains_with_the_launcher():
    proc, _ = _launch("--nproc-per-node", 2, HERE.parent / "examples" / "ddp_train.py", "--epochs", 2)
    assert proc.returncode == 0, proc.stderr
    losses = [float(x) for x in re.findall(r"epoch \d: loss ([\d.]+) \(4096 samples on 2 ranks\)", proc.stdout)]
    assert len(losses) == 2 and losses[1] < losses[0]
