"""Run by test_distributed.py under ``mpiexec -n 2``: every collective against a NumPy reference,
for several dtypes, sizes and non-contiguous inputs. Each rank writes {check: "ok" | error} to
<out_dir>/rank<r>.json. Inputs are small integers so every dtype's result is exact."""
import sys
import warnings

import numpy as np
import rustorch as torch
import rustorch.distributed as dist
from _report import check, write  # tests/distributed/_report.py, beside this script

DTYPES = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64,
          "float16": np.float16, "bfloat16": np.float32, "uint8": np.uint8, "bool": np.bool_}
SIZES = [1, 7, 1000]


def values(rank, n, dtype, salt=0):
    """Rank ``rank``'s input: small integers (0/1 for bool), the same on every rank that asks."""
    rng = np.random.default_rng(1000 * rank + 10 * n + salt)
    if dtype == "bool":
        return rng.integers(0, 2, n).astype(np.bool_)
    return rng.integers(1, 4, n).astype(DTYPES[dtype])


def tensor(a, dtype, contiguous=True):
    """``a`` as a rustorch tensor of ``dtype``; non-contiguous: every other element of a
    buffer twice as long (the other elements must stay untouched)."""
    t = torch.from_numpy(np.array(a)).to(getattr(torch, dtype))  # a copy: MPI writes into it
    if contiguous:
        return t, None
    base = torch.full((2 * t.numel(),), 9, dtype=t.dtype)
    view = base[::2]
    view.copy_(t)
    return view, base


def as_numpy(t):
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy()


def expect(t, ref, base=None):
    np.testing.assert_array_equal(as_numpy(t).astype(np.float64), np.asarray(ref).astype(np.float64))
    if base is not None:
        np.testing.assert_array_equal(as_numpy(base[1::2]).astype(np.float64), 1 if base.dtype == torch.bool else 9)


rank, world = None, None


def main(out_dir):
    global rank, world
    dist.init_process_group("gloo", init_method="env://")
    rank, world = dist.get_rank(), dist.get_world_size()
    reductions = {"SUM": np.sum, "PRODUCT": np.prod, "MIN": np.min, "MAX": np.max}

    for dtype in DTYPES:
        for n in SIZES:
            for contiguous in (True, False):
                tag = f"{dtype}-{n}-{'contig' if contiguous else 'strided'}"
                inputs = [values(r, n, dtype) for r in range(world)]
                for op_name, fn in reductions.items():
                    @check(f"all_reduce-{op_name}-{tag}")
                    def _():
                        t, base = tensor(inputs[rank], dtype, contiguous)
                        dist.all_reduce(t, op=getattr(dist.ReduceOp, op_name))
                        ref = fn(np.stack(inputs).astype(np.int64), axis=0)
                        expect(t, ref.astype(bool) if dtype == "bool" else ref, base)

                @check(f"broadcast-{tag}")
                def _():
                    t, base = tensor(inputs[rank], dtype, contiguous)
                    dist.broadcast(t, src=1)
                    expect(t, inputs[1], base)

                @check(f"all_gather-{tag}")
                def _():
                    outs = [tensor(np.zeros(n, DTYPES[dtype]), dtype, contiguous)[0] for _ in range(world)]
                    t, _b = tensor(inputs[rank], dtype, contiguous)
                    dist.all_gather(outs, t)
                    for r in range(world):
                        expect(outs[r], inputs[r])

                @check(f"scatter-{tag}")
                def _():
                    out, base = tensor(np.zeros(n, DTYPES[dtype]), dtype, contiguous)
                    pieces = [tensor(values(r, n, dtype, salt=1), dtype, contiguous)[0] for r in range(world)]
                    dist.scatter(out, pieces if rank == 0 else None, src=0)
                    expect(out, values(rank, n, dtype, salt=1), base)

            if dtype == "bool":
                continue
            inputs = [values(r, n, dtype) for r in range(world)]

            @check(f"all_reduce-AVG-{dtype}-{n}")
            def _():
                t = tensor(inputs[rank] * 2, dtype)[0]
                if not t.dtype.is_floating_point:
                    try:
                        dist.all_reduce(t, op=dist.ReduceOp.AVG)
                    except ValueError:
                        return
                    raise AssertionError("AVG on an integer tensor did not raise")
                dist.all_reduce(t, op=dist.ReduceOp.AVG)
                expect(t, np.mean(np.stack(inputs).astype(np.float64) * 2, axis=0))

            @check(f"reduce-{dtype}-{n}")
            def _():
                t = tensor(inputs[rank], dtype)[0]
                dist.reduce(t, dst=1, op=dist.ReduceOp.SUM)
                expect(t, np.sum(np.stack(inputs).astype(np.int64), axis=0) if rank == 1 else inputs[rank])

            @check(f"all_gather_into_tensor-{dtype}-{n}")
            def _():
                out = torch.zeros((world, n), dtype=getattr(torch, dtype))
                dist.all_gather_into_tensor(out, tensor(inputs[rank], dtype)[0])
                expect(out, np.stack(inputs))

            @check(f"reduce_scatter_tensor-{dtype}-{n}")
            def _():
                big = [values(r, n * world, dtype, salt=2) for r in range(world)]
                out = torch.zeros(n, dtype=getattr(torch, dtype))
                dist.reduce_scatter_tensor(out, tensor(big[rank], dtype)[0])
                expect(out, np.sum(np.stack(big).astype(np.int64), axis=0)[rank * n:(rank + 1) * n])

            @check(f"reduce_scatter-{dtype}-{n}")
            def _():
                lists = [[values(r, n, dtype, salt=10 + i) for i in range(world)] for r in range(world)]
                out, base = tensor(np.zeros(n, DTYPES[dtype]), dtype, contiguous=False)
                dist.reduce_scatter(out, [tensor(a, dtype, contiguous=False)[0] for a in lists[rank]],
                                    op=dist.ReduceOp.MAX)
                expect(out, np.max(np.stack([lists[r][rank] for r in range(world)]), axis=0), base)

            @check(f"gather-{dtype}-{n}")
            def _():
                outs = [torch.zeros(n, dtype=getattr(torch, dtype)) for _ in range(world)] if rank == 0 else None
                dist.gather(tensor(inputs[rank], dtype, contiguous=False)[0], outs, dst=0)
                if rank == 0:
                    for r in range(world):
                        expect(outs[r], inputs[r])

            @check(f"all_to_all_single-{dtype}-{n}")
            def _():
                send = [values(r, 2 * world, dtype, salt=3) for r in range(world)]
                out = torch.zeros(2 * world, dtype=getattr(torch, dtype))
                dist.all_to_all_single(out, tensor(send[rank], dtype)[0])
                expect(out, np.concatenate([send[r][2 * rank:2 * rank + 2] for r in range(world)]))

            @check(f"send_recv-{dtype}-{n}")
            def _():
                if rank == 0:
                    dist.send(tensor(inputs[0], dtype, contiguous=False)[0], dst=1, tag=5)
                else:
                    out, base = tensor(np.zeros(n, DTYPES[dtype]), dtype, contiguous=False)
                    assert dist.recv(out, src=0, tag=5) == 0
                    expect(out, inputs[0], base)

    @check("all_to_all_single-uneven-splits")
    def _():
        # rank 0 sends 1 row to 0 and 2 to 1; rank 1 sends 3 rows to 0 and 1 to 1.
        splits = [[1, 2], [3, 1]]
        inp = torch.arange(sum(splits[rank]) * 2, dtype=torch.float32).reshape(-1, 2) + 100 * rank
        recv = [splits[r][rank] for r in range(world)]
        out = torch.zeros((sum(recv), 2))
        dist.all_to_all_single(out, inp, output_split_sizes=recv, input_split_sizes=splits[rank])
        rows = []
        for r in range(world):
            start = sum(splits[r][:rank])
            rows.append(np.arange(sum(splits[r]) * 2, dtype=np.float32).reshape(-1, 2)[start:start + recv[r]] + 100 * r)
        expect(out, np.concatenate(rows))

    @check("all_to_all-lists")
    def _():
        ins = [torch.full((r + 1,), float(10 * rank + r)) for r in range(world)]
        outs = [torch.zeros(rank + 1) for _ in range(world)]
        dist.all_to_all(outs, ins)
        for r in range(world):
            expect(outs[r], np.full(rank + 1, 10 * r + rank))

    @check("async-work-handles")
    def _():
        ts = [torch.full((1000,), float(rank + i)) for i in range(3)]
        works = [dist.all_reduce(t, async_op=True) for t in ts]
        strided, base = tensor(np.arange(5, dtype=np.float32) * (rank + 1), "float32", contiguous=False)
        works.append(dist.all_reduce(strided, op=dist.ReduceOp.MAX, async_op=True))
        works.append(dist.broadcast(torch.zeros(3) + rank, src=0, async_op=True))
        for w in works:
            assert w.wait() is True
            assert w.is_completed() and w.is_success()
        for i, t in enumerate(ts):
            expect(t, np.full(1000, sum(r + i for r in range(world))))
        expect(strided, np.arange(5) * world, base)
        req = dist.isend(torch.full((4,), 3.0), dst=1 - rank)
        got = torch.zeros(4)
        w = dist.irecv(got, src=1 - rank)
        w.wait(timeout=30)
        req.wait()
        assert w.source_rank() == 1 - rank
        expect(got, np.full(4, 3.0))
        ops = [dist.P2POp(dist.isend, torch.full((2,), float(rank)), 1 - rank),
               dist.P2POp(dist.irecv, got[:2], 1 - rank)]
        for w in dist.batch_isend_irecv(ops):
            w.wait()
        expect(got[:2], np.full(2, 1 - rank))
        dist.barrier(async_op=True).wait()

    @check("groups")
    def _():
        both = dist.new_group([1, 0])
        assert dist.get_process_group_ranks(both) == [0, 1] and dist.get_world_size(both) == 2
        t = torch.tensor([rank + 1.0])
        dist.all_reduce(t, group=both)
        expect(t, [3.0])
        only1 = dist.new_group([1])
        if rank == 1:
            assert dist.get_rank(only1) == 0 and dist.get_world_size(only1) == 1
            assert dist.get_global_rank(only1, 0) == 1 and dist.get_group_rank(only1, 1) == 0
            t = torch.tensor([5.0])
            dist.all_reduce(t, group=only1)
            expect(t, [5.0])
            b = torch.tensor([7.0])
            dist.broadcast(b, group_src=0, group=only1)
            dist.broadcast(b, src=1, group=only1)
            try:
                dist.broadcast(b, src=0, group=only1)
            except ValueError:
                pass
            else:
                raise AssertionError("src outside the group did not raise")
        else:
            assert only1 is dist.GroupMember.NON_GROUP_MEMBER
            assert dist.get_rank(only1) == -1 and dist.get_world_size(only1) == -1
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert dist.all_reduce(torch.ones(1), group=only1) is None
            assert any("does not belong to the given group" in str(w.message) for w in caught)

    @check("object-collectives")
    def _():
        objs = [None] * world
        dist.all_gather_object(objs, {"rank": rank, "t": [rank] * 3})
        assert objs == [{"rank": r, "t": [r] * 3} for r in range(world)]
        lst = ["a", 1, None] if rank == 1 else [None, None, None]
        dist.broadcast_object_list(lst, src=1)
        assert lst == ["a", 1, None]
        gathered = [None] * world if rank == 0 else None
        dist.gather_object(("x", rank), gathered, dst=0)
        if rank == 0:
            assert gathered == [("x", r) for r in range(world)]
        out = [None]
        dist.scatter_object_list(out, [f"piece{r}" for r in range(world)] if rank == 0 else None, src=0)
        assert out == [f"piece{rank}"]
        t = [torch.tensor([1.0, 2.0]) * (rank + 1)] if rank == 0 else [None]
        dist.broadcast_object_list(t, src=0)
        expect(t[0], [1.0, 2.0])

    @check("argument-errors")
    def _():
        def raises(exc, fn, *a, **k):
            try:
                fn(*a, **k)
            except exc:
                return
            raise AssertionError(f"{fn.__name__} did not raise {exc.__name__}")
        raises(ValueError, dist.broadcast, torch.ones(1))  # no src
        raises(ValueError, dist.gather, torch.ones(1), [torch.ones(1)] * world if rank == 1 else None, dst=0)
        raises(ValueError, dist.scatter, torch.ones(1), None if rank == 0 else [torch.ones(1)] * world, src=0)
        raises(ValueError, dist.all_gather, [torch.ones(1)], torch.ones(1))  # list too short
        raises(ValueError, dist.all_gather, [torch.ones(2), torch.ones(2)], torch.ones(1))  # size mismatch
        raises(ValueError, dist.all_gather_into_tensor, torch.ones(3), torch.ones(2))
        raises(ValueError, dist.send, torch.ones(1), dst=rank)
        raises(TypeError, dist.all_reduce, [1.0, 2.0])
        raises(ValueError, dist.init_process_group, "gloo")  # twice
        raises(ValueError, dist.all_reduce, torch.ones(1, dtype=torch.float32), op=dist.ReduceOp.BAND)

    @check("zero-copy")
    def _():
        t = torch.ones(64)
        ptr = t.data_ptr()
        dist.all_reduce(t)
        assert t.data_ptr() == ptr
        from rustorch.distributed import _mpi
        assert _mpi.Buffer(t).staged is None and _mpi.Buffer(t[::2]).staged is not None

    assert dist.get_backend() == "mpi" and dist.is_initialized()
    dist.barrier()
    dist.destroy_process_group()
    assert not dist.is_initialized()
    write(out_dir, rank)


if __name__ == "__main__":
    main(sys.argv[1])
