"""Process groups and collectives with PyTorch's ``torch.distributed`` API, over MPI.

Every backend name ("mpi", "gloo", "nccl") runs on MPI through mpi4py; MPI does the rendezvous
(mpiexec, srun, or ``python -m rustorch.distributed.run``), so ``init_method`` and the
``env://`` variables only have to agree with it. mpi4py is imported by
``init_process_group``, never by ``import rustorch``."""
import enum
import importlib.util
import os
import time
import warnings
from datetime import timedelta

from .. import _C
from .._C import Tensor

__all__ = [
    "Backend", "DistBackendError", "DistError", "GroupMember", "P2POp", "ProcessGroup", "ReduceOp", "Work",
    "all_gather", "all_gather_into_tensor", "all_gather_object", "all_reduce", "all_to_all", "all_to_all_single",
    "barrier", "batch_isend_irecv", "broadcast", "broadcast_object_list", "destroy_process_group", "gather",
    "gather_object", "get_backend", "get_global_rank", "get_group_rank", "get_process_group_ranks", "get_rank",
    "get_world_size", "group", "init_process_group", "irecv", "is_available", "is_gloo_available",
    "is_initialized", "is_mpi_available", "is_nccl_available", "is_torchelastic_launched", "isend",
    "monitored_barrier", "new_group", "recv", "reduce", "reduce_scatter", "reduce_scatter_tensor", "scatter",
    "scatter_object_list", "send",
]

default_pg_timeout = timedelta(minutes=30)


def is_available():
    """Whether mpi4py (and so an MPI library) can be imported; nothing is imported here."""
    return importlib.util.find_spec("mpi4py") is not None


is_mpi_available = is_available
is_gloo_available = is_available  # "gloo" runs on MPI


def is_nccl_available():
    return False


def is_torchelastic_launched():
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


class DistError(RuntimeError):
    pass


class DistBackendError(DistError):
    pass


class Backend(str):
    """A backend name, lower-cased (``Backend("GLOO") == "gloo"``). All of them run on MPI."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"
    backend_list = [UNDEFINED, GLOO, NCCL, UCC, MPI, XCCL]

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {type(name)}")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return value


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"


class ReduceOp:
    """The reductions of ``all_reduce``, ``reduce`` and ``reduce_scatter``."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


class ProcessGroup:
    """A set of ranks with its own MPI communicator. ``ranks`` are global ranks ordered by
    group rank."""

    def __init__(self, comm, ranks, timeout, name):
        self._comm = comm
        self._size = comm.Get_size()
        self._ranks = ranks
        self._group_rank = {r: i for i, r in enumerate(ranks)}
        self._timeout = timeout.total_seconds()
        self.group_name = name

    def rank(self):
        return self._comm.Get_rank()

    def size(self):
        return self._size

    def name(self):
        return Backend.MPI

    def __repr__(self):
        return f"ProcessGroup(name={self.group_name!r}, ranks={self._ranks})"


class _NonGroupMember:
    def __repr__(self):
        return "NON_GROUP_MEMBER"


class _World:
    default_pg = None
    groups = []
    watchdog = None


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return _World.default_pg


class group(metaclass=_WorldMeta):
    pass


class GroupMember(metaclass=_WorldMeta):
    NON_GROUP_MEMBER = _NonGroupMember()


_MPI = None


def _mpi():
    """The MPI bridge, imported on first use."""
    global _MPI
    if _MPI is None:
        if not is_available():
            raise RuntimeError("rustorch.distributed needs mpi4py and an MPI library: pip install rustorch[distributed]")
        from . import _mpi as bridge
        _MPI = bridge
    return _MPI


def is_initialized():
    return _World.default_pg is not None


def _default_group():
    if _World.default_pg is None:
        raise ValueError("Default process group has not been initialized, please make sure to call init_process_group.")
    return _World.default_pg


def _group(group):
    """The group an operation runs on, or None when this rank is not in it."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    if group is None:
        return _default_group()
    _default_group()
    return group


def _member_group(group, op_name):
    """The group ``op_name`` runs on; None, with PyTorch's warning, when this rank is not in it."""
    g = _group(group)
    if g is None:
        rank = _World.default_pg.rank() if _World.default_pg is not None else -1
        warnings.warn(f"Running {op_name} on global rank {rank} which does not belong to the given group.",
                      stacklevel=3)
    return g


def _check_timeout(timeout):
    if not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {timeout}")


def _env_int(name):
    value = os.environ.get(name)
    return None if value in (None, "") else int(value)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Joins the MPI job as the default process group. Ranks come from MPI; ``rank`` and
    ``world_size`` (given, or RANK / WORLD_SIZE under ``env://``) must agree with them."""
    if _World.default_pg is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if timeout is None:
        timeout = default_pg_timeout
    _check_timeout(timeout)
    if backend is not None:
        for part in str(backend).split(","):
            name = Backend(part.split(":")[-1])
            if name not in Backend.backend_list or name == Backend.UNDEFINED:
                raise ValueError(f"Invalid backend: '{backend}'")
    mpi = _mpi()
    world = mpi.world()
    if init_method in (None, "env://") or str(init_method).startswith("env://"):
        world_size = world_size if world_size != -1 else (_env_int("WORLD_SIZE") or -1)
        rank = rank if rank != -1 else (_env_int("RANK") if _env_int("RANK") is not None else -1)
    if world_size not in (-1, world.Get_size()) or rank not in (-1, world.Get_rank()):
        raise RuntimeError(
            f"rank {rank} of world size {world_size} was requested, but MPI started this process as rank "
            f"{world.Get_rank()} of {world.Get_size()}: start the ranks with mpiexec, srun or "
            "python -m rustorch.distributed.run (and use the mpiexec of the MPI that mpi4py loads)")
    comm = world.Dup()
    _World.default_pg = ProcessGroup(comm, list(range(comm.Get_size())), timeout, group_name or "0")
    _World.groups = [_World.default_pg]
    mpi.abort_on_uncaught_exception()
    if _World.watchdog is None:
        _World.watchdog = mpi.Watchdog()
    _World.watchdog.start(period=min(1.0, max(timeout.total_seconds() / 4, 0.05)))


def destroy_process_group(group=None):
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    pg = _default_group() if group is None else group
    targets = list(_World.groups) if pg is _World.default_pg else [pg]
    for g in targets:
        g._comm.Free()
        _World.groups.remove(g)
    if pg is _World.default_pg:
        _World.default_pg = None


def get_rank(group=None):
    g = _group(group)
    return -1 if g is None else g.rank()


def get_world_size(group=None):
    g = _group(group)
    return -1 if g is None else g.size()


def get_backend(group=None):
    if _group(group) is None:
        raise ValueError("Invalid process group specified")
    return Backend.MPI


def get_group_rank(group, global_rank):
    if group is None or group is _World.default_pg:
        return global_rank
    if global_rank not in group._group_rank:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return group._group_rank[global_rank]


def get_global_rank(group, group_rank):
    if group is None or group is _World.default_pg:
        return group_rank
    if not 0 <= group_rank < len(group._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return group._ranks[group_rank]


def get_process_group_ranks(group):
    return list((group or _default_group())._ranks)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None, sort_ranks=True):
    """A group of some of the world's ranks. Every rank of the world must call it (it is an
    MPI_Comm_split); ranks outside the group get ``GroupMember.NON_GROUP_MEMBER``."""
    default = _default_group()
    world_size = default.size()
    ranks = list(range(world_size)) if ranks is None else list(ranks)
    if sort_ranks:
        ranks = sorted(ranks)
    if len(set(ranks)) != len(ranks) or any(not 0 <= r < world_size for r in ranks):
        raise ValueError(f"Invalid ranks {ranks} for a world of size {world_size}")
    timeout = timeout if timeout is not None else timedelta(seconds=default._timeout)
    _check_timeout(timeout)
    mine = default.rank() in ranks
    mpi = _mpi()
    comm = _blocking(default, "new_group", default._comm.Split,
                     0 if mine else mpi.MPI.UNDEFINED, ranks.index(default.rank()) if mine else 0)
    if not mine:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, ranks, timeout, group_desc or str(len(_World.groups)))
    _World.groups.append(pg)
    return pg


def _peer(group, global_rank, group_rank, default=None):
    """A group rank from either a global rank or a group rank, as PyTorch's src/dst arguments."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        if not 0 <= group_rank < group.size():
            raise ValueError(f"Group rank {group_rank} is not part of group {group}")
        return group_rank
    if global_rank is None:
        if default is None:
            raise ValueError("Must specify global_rank or group_rank")
        global_rank = default
    return get_group_rank(group, global_rank)


def _check_single_tensor(param, name):
    if not isinstance(param, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type torch.Tensor "
                        f"but got {type(param)} instead.")


def _check_tensor_list(param, name):
    if not isinstance(param, list) or not all(isinstance(p, Tensor) for p in param):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor] "
                        f"but got {type(param)} instead.")


def _check_list_length(tensors, group, what):
    if len(tensors) != group.size():
        raise ValueError(f"{what} must contain {group.size()} tensors (the group's size), got {len(tensors)}")


def _check_same(tensors, like, what):
    for t in tensors:
        if t.dtype != like.dtype:
            raise ValueError(f"{what}: all tensors must have dtype {like.dtype}, got {t.dtype}")
        if t.numel() != like.numel():
            raise ValueError(f"{what}: tensor sizes must match ({tuple(t.shape)} vs {tuple(like.shape)})")


def _backend_error(op_name, e):
    return DistBackendError(f"{op_name} failed in MPI: {e}")


def _blocking(group, op_name, call, *args):
    """Runs a blocking MPI call under the watchdog (which ends the job past the timeout)."""
    watchdog = _World.watchdog
    watchdog.busy = (time.monotonic(), op_name, group._timeout)
    try:
        return call(*args)
    except _MPI.Exception as e:
        raise _backend_error(op_name, e) from None
    finally:
        watchdog.busy = None


class Work:
    """A handle on an operation started with ``async_op=True``; ``wait()`` completes it (and
    copies staged results into the caller's tensors)."""

    def __init__(self, group, op_name, requests, finish=None, keep=()):
        self._group = group
        self._op_name = op_name
        self._requests = requests
        self._finish = finish
        self._keep = keep  # buffers MPI reads or writes until completion
        self._statuses = [_mpi().Status() for _ in requests]
        self._done = False

    def _complete(self):
        self._done = True
        self._keep = None
        if self._finish is not None:
            self._finish()

    def is_completed(self):
        if not self._done:
            mpi = _mpi()
            try:
                if mpi.Request.Testall(self._requests, self._statuses):
                    self._complete()
            except mpi.Exception as e:
                raise _backend_error(self._op_name, e) from None
        return self._done

    def wait(self, timeout=None):
        """Blocks until the operation is complete; with a ``timeout`` (timedelta or seconds)
        raises DistBackendError when it is not done by then."""
        if self._done:
            return True
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
        if not seconds:
            _blocking(self._group, self._op_name, _mpi().Request.Waitall, self._requests, self._statuses)
            self._complete()
            return True
        deadline = time.monotonic() + seconds
        while not self.is_completed():
            if time.monotonic() > deadline:
                raise DistBackendError(f"{self._op_name} timed out after {seconds:g} s")
            time.sleep(0)
        return True

    synchronize = wait

    def is_success(self):
        return self._done

    def exception(self):
        return None

    def source_rank(self):
        if not self._done:
            raise RuntimeError("source_rank() is only available once the operation has completed")
        return self._group._ranks[self._statuses[0].Get_source()]

    def result(self):
        return []


def _run(group, op_name, name, args, finish=None, async_op=False, keep=()):
    """Runs MPI collective ``name`` (``"I" + name`` when async) on the group's communicator."""
    comm = group._comm
    if async_op:
        try:
            request = getattr(comm, "I" + name[0].lower() + name[1:])(*args)
        except _mpi().Exception as e:
            raise _backend_error(op_name, e) from None
        return Work(group, op_name, [request], finish, keep)
    _blocking(group, op_name, getattr(comm, name), *args)
    if finish is not None:
        finish()
    return None


def _after_reduce(buf, op, size):
    """What completes a reduction: AVG divides the sum; a staged result goes back into the
    caller's tensor. None when there is nothing to do."""
    if op != ReduceOp.AVG:
        return buf.finish if buf.staged is not None else None

    def finish():
        with _no_grad():
            buf.data.div_(size)
        buf.finish()
    return finish


def _no_grad():
    from ..autograd.grad_mode import no_grad
    return no_grad()


def _check_op(op, tensor):
    if op == ReduceOp.AVG and not tensor.dtype.is_floating_point:
        raise ValueError(f"ReduceOp.AVG is only supported for floating point tensors, got {tensor.dtype}")


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, "all_reduce")) is None:
        return None
    _check_op(op, tensor)
    mpi = _mpi()
    buf = mpi.Buffer(tensor, reduced=True)
    return _run(g, "all_reduce", "Allreduce", (mpi.IN_PLACE, buf.message, mpi.mpi_op(op, buf.dtype)),
                _after_reduce(buf, op, g.size()), async_op, buf)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, "broadcast")) is None:
        return None
    root = _peer(g, src, group_src)
    buf = _mpi().Buffer(tensor)
    return _run(g, "broadcast", "Bcast", (buf.message, root), buf.finish, async_op, buf)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, "reduce")) is None:
        return None
    root = _peer(g, dst, group_dst)
    _check_op(op, tensor)
    mpi = _mpi()
    buf = mpi.Buffer(tensor, reduced=True)
    mine = g.rank() == root
    send = mpi.IN_PLACE if mine else buf.message
    return _run(g, "reduce", "Reduce", (send, buf.message if mine else None, mpi.mpi_op(op, buf.dtype), root),
                _after_reduce(buf, op, g.size()) if mine else None, async_op, buf)


def _stage_like(t, n):
    """A contiguous CPU tensor of ``n`` copies of ``t``'s shape and dtype."""
    return _C.empty((n,) + tuple(t.shape), dtype=t.dtype)


def _scatter_rows(staged, tensors):
    with _no_grad():
        for i, t in enumerate(tensors):
            t.copy_(staged[i].reshape(t.shape))


def all_gather(tensor_list, tensor, group=None, async_op=False):
    _check_tensor_list(tensor_list, "tensor_list")
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, "all_gather")) is None:
        return None
    _check_list_length(tensor_list, g, "tensor_list")
    _check_same(tensor_list, tensor, "all_gather")
    mpi = _mpi()
    src = mpi.Buffer(tensor)
    out = mpi.Buffer(_stage_like(tensor, g.size()))
    return _run(g, "all_gather", "Allgather", (src.message, out.message),
                lambda: _scatter_rows(out.data, tensor_list), async_op, (src, out))


def _check_multiple(big, small, n, what):
    if big.numel() != n * small.numel():
        raise ValueError(f"{what}: the output tensor size must be equal to world_size times the input tensor size "
                         f"({big.numel()} != {n} * {small.numel()})")
    if big.dtype != small.dtype:
        raise ValueError(f"{what}: input and output must have the same dtype ({small.dtype} vs {big.dtype})")


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    _check_single_tensor(output_tensor, "output_tensor")
    _check_single_tensor(input_tensor, "input_tensor")
    if (g := _member_group(group, "all_gather_into_tensor")) is None:
        return None
    _check_multiple(output_tensor, input_tensor, g.size(), "all_gather_into_tensor")
    mpi = _mpi()
    src, out = mpi.Buffer(input_tensor), mpi.Buffer(output_tensor, fill=False)
    return _run(g, "all_gather_into_tensor", "Allgather", (src.message, out.message), out.finish, async_op, (src, out))


def _stack(tensors, dtype=None):
    """One contiguous staging tensor holding ``tensors`` one after another."""
    flat = [t.detach().reshape(-1) for t in tensors]
    out = _C.empty((sum(t.numel() for t in flat),), dtype=dtype or tensors[0].dtype)
    with _no_grad():
        offset = 0
        for t in flat:
            out[offset:offset + t.numel()].copy_(t)
            offset += t.numel()
    return out


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    if (g := _member_group(group, "reduce_scatter")) is None:
        return None
    _check_list_length(input_list, g, "input_list")
    _check_same(input_list, output, "reduce_scatter")
    return _reduce_scatter(g, output, _stack(input_list), op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    if (g := _member_group(group, "reduce_scatter_tensor")) is None:
        return None
    _check_multiple(input, output, g.size(), "reduce_scatter_tensor")
    return _reduce_scatter(g, output, input, op, async_op)


def _reduce_scatter(g, output, input, op, async_op):
    _check_op(op, output)
    mpi = _mpi()
    src, out = mpi.Buffer(input, reduced=True), mpi.Buffer(output, reduced=True, fill=False)
    return _run(g, "reduce_scatter", "Reduce_scatter_block", (src.message, out.message, mpi.mpi_op(op, src.dtype)),
                _after_reduce(out, op, g.size()), async_op, (src, out))


def _check_root_list(tensors, name, mine, role, group, like):
    """gather's and scatter's list: one tensor like ``like`` per rank, on the root only."""
    if mine and not tensors:
        raise ValueError(f"Argument ``{name}`` must be specified on {role} rank.")
    if not mine and tensors:
        raise ValueError(f"Argument ``{name}`` must NOT be specified on non-{role} ranks.")
    if mine:
        _check_tensor_list(tensors, name)
        _check_list_length(tensors, group, name)
        _check_same(tensors, like, name.split("_")[0])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, "gather")) is None:
        return None
    root = _peer(g, dst, group_dst, default=0)
    mine = g.rank() == root
    _check_root_list(gather_list, "gather_list", mine, "destination", g, tensor)
    mpi = _mpi()
    src = mpi.Buffer(tensor)
    if not mine:
        return _run(g, "gather", "Gather", (src.message, None, root), None, async_op, src)
    out = mpi.Buffer(_stage_like(tensor, g.size()))
    return _run(g, "gather", "Gather", (src.message, out.message, root),
                lambda: _scatter_rows(out.data, gather_list), async_op, (src, out))


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, "scatter")) is None:
        return None
    root = _peer(g, src, group_src, default=0)
    mine = g.rank() == root
    _check_root_list(scatter_list, "scatter_list", mine, "source", g, tensor)
    mpi = _mpi()
    out = mpi.Buffer(tensor, fill=False)
    send = mpi.Buffer(_stack(scatter_list)) if mine else None
    return _run(g, "scatter", "Scatter", (send.message if send else None, out.message, root), out.finish, async_op,
                (send, out))


def _splits(tensor, sizes, n, what):
    """Element counts and offsets of the dim-0 slices each rank sends or receives."""
    rows = tensor.shape[0] if tensor.dim() else 1
    per_row = tensor.numel() // rows if rows else 0
    if not sizes:
        if rows % n:
            raise ValueError(f"{what}: the tensor's first dimension ({rows}) must be divisible by the group size ({n})")
        sizes = [rows // n] * n
    if len(sizes) != n or sum(sizes) != rows:
        raise ValueError(f"{what}: split sizes {list(sizes)} must have {n} entries summing to {rows}")
    counts = [s * per_row for s in sizes]
    offsets = [sum(counts[:i]) for i in range(n)]
    return counts, offsets


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None, async_op=False):
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    if (g := _member_group(group, "all_to_all_single")) is None:
        return None
    if output.dtype != input.dtype:
        raise ValueError(f"all_to_all_single: input and output must have the same dtype ({input.dtype} vs {output.dtype})")
    n = g.size()
    send_counts, send_offsets = _splits(input, input_split_sizes, n, "all_to_all_single input")
    recv_counts, recv_offsets = _splits(output, output_split_sizes, n, "all_to_all_single output")
    mpi = _mpi()
    src, out = mpi.Buffer(input), mpi.Buffer(output, fill=False)
    wire = src.message[1]
    return _run(g, "all_to_all_single", "Alltoallv",
                ([src.message[0], (send_counts, send_offsets), wire], [out.message[0], (recv_counts, recv_offsets), wire]),
                out.finish, async_op, (src, out))


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    _check_tensor_list(output_tensor_list, "output_tensor_list")
    _check_tensor_list(input_tensor_list, "input_tensor_list")
    if (g := _member_group(group, "all_to_all")) is None:
        return None
    _check_list_length(output_tensor_list, g, "output_tensor_list")
    _check_list_length(input_tensor_list, g, "input_tensor_list")
    mpi = _mpi()
    src, out = mpi.Buffer(_stack(input_tensor_list)), mpi.Buffer(_stack(output_tensor_list))
    send_counts = [t.numel() for t in input_tensor_list]
    recv_counts = [t.numel() for t in output_tensor_list]

    def finish():
        offset = 0
        with _no_grad():
            for t in output_tensor_list:
                t.copy_(out.data[offset:offset + t.numel()].reshape(t.shape))
                offset += t.numel()
    wire = src.message[1]
    return _run(g, "all_to_all", "Alltoallv",
                ([src.message[0], (send_counts, None), wire], [out.message[0], (recv_counts, None), wire]),
                finish, async_op, (src, out))


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    if (g := _member_group(group, "barrier")) is None:
        return None
    return _run(g, "barrier", "Barrier", (), None, async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    if (g := _member_group(group, "monitored_barrier")) is None:
        return None
    work = _run(g, "monitored_barrier", "Barrier", (), None, True)
    work.wait(timeout if timeout is not None else timedelta(seconds=g._timeout))


def _p2p(tensor, peer, group_peer, group, tag, op_name, sending, async_op):
    _check_single_tensor(tensor, "tensor")
    if (g := _member_group(group, op_name)) is None:
        return None
    mpi = _mpi()
    if peer is None and group_peer is None and not sending:
        other = mpi.ANY_SOURCE
    else:
        other = _peer(g, peer, group_peer)
        if other == g.rank():
            kind = "destination" if sending else "source"
            raise ValueError(f"Invalid {kind} rank: {kind} rank should not be the same as the rank of the current process.")
    buf = mpi.Buffer(tensor, fill=sending)
    call = "Isend" if sending else "Irecv"
    try:
        request = getattr(g._comm, call)(buf.message, other, tag)
    except mpi.Exception as e:
        raise _backend_error(op_name, e) from None
    work = Work(g, op_name, [request], None if sending else buf.finish, buf)
    if async_op:
        return work
    work.wait()
    return None if sending else work.source_rank()


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    return _p2p(tensor, dst, group_dst, group, tag, "isend", True, True)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    return _p2p(tensor, src, group_src, group, tag, "irecv", False, True)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    _p2p(tensor, dst, group_dst, group, tag, "send", True, False)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receives into ``tensor``; returns the sender's global rank (any sender when src is None)."""
    return _p2p(tensor, src, group_src, group, tag, "recv", False, False)


class P2POp:
    """One send or receive for ``batch_isend_irecv``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or "
                             "``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag, self.group_peer = op, tensor, peer, group, tag, group_peer


def batch_isend_irecv(p2p_op_list):
    if not p2p_op_list or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type ``torch.distributed.P2POp``.")
    return [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]


# Object collectives: pickled by mpi4py's object-mode calls.

def all_gather_object(object_list, obj, group=None):
    if (g := _member_group(group, "all_gather_object")) is None:
        return None
    gathered = _blocking(g, "all_gather_object", g._comm.allgather, obj)
    for i, o in enumerate(gathered):
        object_list[i] = o


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    if (g := _member_group(group, "broadcast_object_list")) is None:
        return None
    root = _peer(g, src, group_src, default=0)
    received = _blocking(g, "broadcast_object_list", g._comm.bcast, list(object_list) if g.rank() == root else None, root)
    for i, o in enumerate(received):
        object_list[i] = o


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    if (g := _member_group(group, "gather_object")) is None:
        return None
    root = _peer(g, dst, group_dst, default=0)
    if g.rank() == root and object_gather_list is None:
        raise AssertionError("Must provide object_gather_list on dst rank")
    gathered = _blocking(g, "gather_object", g._comm.gather, obj, root)
    if g.rank() == root:
        for i, o in enumerate(gathered):
            object_gather_list[i] = o


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None, group=None,
                        group_src=None):
    if (g := _member_group(group, "scatter_object_list")) is None:
        return None
    root = _peer(g, src, group_src, default=0)
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at least 1.")
    if g.rank() == root and scatter_object_input_list is None:
        raise ValueError("source rank must provide non-None scatter_object_input_list")
    items = list(scatter_object_input_list) if g.rank() == root else None
    scatter_object_output_list[0] = _blocking(g, "scatter_object_list", g._comm.scatter, items, root)
