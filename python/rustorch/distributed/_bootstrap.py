"""What each rank started by ``rustorch.distributed.run`` runs first: it takes its place from
MPI, exports torchrun's environment variables, then runs the user's script, module or program."""
import argparse
import os
import runpy
import sys


def _torchrun_environment(rank, world_size, local_rank, local_world_size, args):
    return {
        "RANK": rank, "WORLD_SIZE": world_size, "LOCAL_RANK": local_rank, "LOCAL_WORLD_SIZE": local_world_size,
        "GROUP_RANK": rank // local_world_size, "GROUP_WORLD_SIZE": args.nnodes,
        "ROLE_RANK": rank, "ROLE_WORLD_SIZE": world_size, "ROLE_NAME": "default",
        "MASTER_ADDR": args.master_addr, "MASTER_PORT": args.master_port,
        "TORCHELASTIC_RUN_ID": args.run_id, "TORCHELASTIC_RESTART_COUNT": 0, "TORCHELASTIC_MAX_RESTARTS": 0,
    }


# (rank, size, local rank, local size) as each MPI launcher exports them.
_LAUNCHER_VARIABLES = [
    ("PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),  # MPICH (Hydra)
    ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"),
    ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE"),
]


_MODES = ("--script", "--module", "--exec")


def _place_from_environment():
    """This rank's place from the launcher's variables, without starting MPI (so that a
    program run with --no-python can start it itself)."""
    for names in _LAUNCHER_VARIABLES:
        values = [os.environ.get(n, "") for n in names]
        if all(v.isdigit() for v in values):
            return tuple(int(v) for v in values)
    return None


def _place_from_mpi():
    from . import _mpi
    world = _mpi.world()
    node = world.Split_type(_mpi.MPI.COMM_TYPE_SHARED)
    place = (world.Get_rank(), world.Get_size(), node.Get_rank(), node.Get_size())
    node.Free()
    return place


def main():
    # [options] (--script|--module|--exec) TARGET [the target's own arguments, untouched]
    argv = sys.argv[1:]
    at = next(i for i, a in enumerate(argv) if a in _MODES)
    p = argparse.ArgumentParser(allow_abbrev=False)
    for name in ("--nproc-per-node", "--nnodes"):
        p.add_argument(name, type=int, required=True)
    for name in ("--master-addr", "--master-port", "--run-id"):
        p.add_argument(name, required=True)
    args = p.parse_args(argv[:at])
    mode, target, target_args = argv[at], argv[at + 1], argv[at + 2:]
    place = _place_from_environment() or _place_from_mpi()
    expected = args.nproc_per_node * args.nnodes
    if place[1] != expected:
        raise SystemExit(
            f"rustorch.distributed.run: MPI reports a world of {place[1]} processes, not {expected}: this "
            "mpiexec does not belong to the MPI library mpi4py loaded (pass the right one with --mpiexec)")
    env = _torchrun_environment(*place, args)
    os.environ.update({k: str(v) for k, v in env.items()})
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        import rustorch
        rustorch.set_num_threads(max(int(os.environ["OMP_NUM_THREADS"]), 1))

    if mode == "--exec":
        sys.stdout.flush()
        os.execvp(target, [target, *target_args])
    sys.argv = [target, *target_args]
    if mode == "--module":
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
        runpy.run_path(target, run_name="__main__")

if __name__ == "__main__":
    main()
