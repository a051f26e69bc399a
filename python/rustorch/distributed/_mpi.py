"""The bridge to MPI (mpi4py): loading it, tensors as MPI buffers, reduce ops, and the
watchdog that ends the job when a collective outlives the process group's timeout.

Imported only when a process group is created, so ``import rustorch`` never loads MPI."""
import os
import sys
import threading
import time

import mpi4py

# Without MPI_Finalize at exit, a rank that exits with an error (or sys.exit(n)) makes the
# launcher (MPICH's Hydra, Open MPI's orted, srun) end the whole job at once; with it, the
# exiting rank would wait in MPI_Finalize for peers that wait on it in a collective.
mpi4py.rc.finalize = False
from mpi4py import MPI  # noqa: E402

from .. import _C  # noqa: E402
from ..autograd.grad_mode import no_grad  # noqa: E402

# rustorch dtype -> MPI datatype of one element (bool travels as bytes; half types as 16-bit
# words, and through float32 when reduced: MPI has no reduction for them).
_WIRE_TYPES = {
    _C.bool: MPI.UINT8_T, _C.uint8: MPI.UINT8_T, _C.int8: MPI.INT8_T, _C.int16: MPI.INT16_T,
    _C.int32: MPI.INT32_T, _C.int64: MPI.INT64_T, _C.float32: MPI.FLOAT, _C.float64: MPI.DOUBLE,
    _C.float16: MPI.UINT16_T, _C.bfloat16: MPI.UINT16_T,
}
# Reduced through float32 (a dict: lookups by identity are cheaper than dtype comparisons).
_WIDENED = {_C.float16: _C.float32, _C.bfloat16: _C.float32}

# ReduceOp value -> MPI op (AVG is SUM followed by a division).
_MPI_OPS = {0: MPI.SUM, 1: MPI.SUM, 2: MPI.PROD, 3: MPI.MIN, 4: MPI.MAX, 5: MPI.BAND, 6: MPI.BOR, 7: MPI.BXOR}
# On bool tensors PyTorch's SUM is a logical or and PRODUCT a logical and.
_BOOL_OPS = {0: MPI.LOR, 2: MPI.LAND, 3: MPI.LAND, 4: MPI.LOR, 5: MPI.BAND, 6: MPI.BOR, 7: MPI.BXOR}

IN_PLACE = MPI.IN_PLACE
ANY_SOURCE = MPI.ANY_SOURCE
Exception = MPI.Exception
Request = MPI.Request
Status = MPI.Status


def world():
    return MPI.COMM_WORLD


def mpi_op(op, dtype):
    table = _BOOL_OPS if dtype == _C.bool else _MPI_OPS
    if op not in table or (op >= 5 and dtype.is_floating_point):
        raise ValueError(f"{op!r} is not supported for tensors of dtype {dtype}")
    return table[op]


class Buffer:
    """A tensor's memory as an MPI message. A contiguous CPU tensor is handed over as is
    (zero copy); any other goes through one contiguous staging copy, written back by
    ``finish`` when the tensor is an output. ``reduced`` buffers widen half types to float32."""

    __slots__ = ("tensor", "staged", "message", "dtype")

    def __init__(self, tensor, reduced=False, fill=True):
        self.tensor = tensor
        dtype = tensor.dtype
        staged = None
        if reduced and dtype in _WIDENED:
            dtype = _WIDENED[dtype]
            staged = tensor.detach().cpu().to(dtype)
        elif not (tensor.is_cpu and tensor.is_contiguous()):
            staged = tensor.detach().cpu().contiguous() if fill else _C.empty(tensor.shape, dtype=dtype)
        self.staged = staged
        self.dtype = dtype
        t = tensor if staged is None else staged
        nbytes = t.nbytes
        memory = MPI.buffer.fromaddress(t.data_ptr(), nbytes) if nbytes else bytearray(0)
        # No count: mpi4py takes it from the size (divided among the ranks where MPI wants a
        # per-rank count).
        self.message = [memory, _WIRE_TYPES[dtype]]

    def finish(self):
        """Copies a staged output back into its tensor."""
        if self.staged is not None:
            with no_grad():
                self.tensor.copy_(self.staged)

    @property
    def data(self):
        """The tensor MPI reads and writes (the staging copy where there is one)."""
        return self.tensor if self.staged is None else self.staged


class Watchdog:
    """Ends the job when a blocking collective runs past its group's timeout: a rank that
    died or called another collective would otherwise leave the others waiting forever. A
    blocking MPI call cannot be interrupted, so the job is aborted, as PyTorch's NCCL watchdog
    tears the process down."""

    def __init__(self):
        self.busy = None  # (start time, operation name, timeout in seconds) while in a call
        self._thread = None

    def start(self, period):
        self.period = period
        if self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="rustorch-distributed-watchdog", daemon=True)
            self._thread.start()

    def _watch(self):
        while True:
            time.sleep(self.period)
            busy = self.busy
            if busy is not None and time.monotonic() - busy[0] > busy[2]:
                abort(f"{busy[1]} did not complete within the process group's timeout of {busy[2]:g} s "
                      "(a rank may have failed, or the ranks called different collectives)")


def abort(reason):
    rank = MPI.COMM_WORLD.Get_rank()
    print(f"[rank {rank}] rustorch.distributed: {reason}; aborting the job.", file=sys.stderr, flush=True)
    MPI.COMM_WORLD.Abort(1)
    os._exit(1)


def abort_on_uncaught_exception():
    """An uncaught exception ends the whole job. (Exiting without MPI_Finalize does that
    already, unless mpi4py was imported before us and will finalize at exit.)"""
    previous = sys.excepthook
    if getattr(previous, "_rustorch_aborts", False):
        return

    def hook(kind, value, tb):
        previous(kind, value, tb)
        sys.stderr.flush()
        if MPI.COMM_WORLD.Get_size() > 1:
            MPI.COMM_WORLD.Abort(1)
    hook._rustorch_aborts = True
    sys.excepthook = hook
