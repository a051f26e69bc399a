"""``DistributedDataParallel``: data-parallel training over ``rustorch.distributed``.

Each rank runs the whole module on its share of the batch. Parameters (and buffers) start
from rank 0's. As backward accumulates each parameter's gradient (autograd's post-accumulate
hook), the parameter is marked ready; a bucket of parameters (about ``bucket_cap_mb``) whose
gradients are all ready is averaged over the ranks by an asynchronous all-reduce while the
rest of backward runs; when the last bucket has been launched the results are written back
to ``.grad``. Buckets are launched in one fixed order on every rank, as MPI requires."""
import weakref
from contextlib import contextmanager

from ... import _C
from ...autograd.grad_mode import enable_grad, no_grad
from .. import Module

__all__ = ["DistributedDataParallel"]

_DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024


def _dist():
    from ... import distributed
    return distributed


def _tensors_in(obj):
    """The tensors of a (nested) forward output."""
    if isinstance(obj, _C.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _tensors_in(o)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _tensors_in(o)


class _Bucket:
    def __init__(self, indices, params):
        self.indices = indices
        self.offsets = []
        total = 0
        for i in indices:
            self.offsets.append(total)
            total += params[i].numel()
        self.flat = _C.zeros(total, dtype=params[indices[0]].dtype)
        self.pending = len(indices)
        self.work = None


class _Reducer:
    """Buckets parameters, reacts to their gradients becoming ready, and all-reduces."""

    def __init__(self, params, group, bucket_bytes, find_unused):
        self.params = params
        self.group = group
        self.find_unused = find_unused
        self.buckets = self._make_buckets(bucket_bytes)
        self.bucket_of = {}
        for b, bucket in enumerate(self.buckets):
            for slot, i in enumerate(bucket.indices):
                self.bucket_of[i] = (b, slot)
        self.expecting = False  # a synchronised backward is due (set by forward)
        self.next_bucket = 0
        self.ready = [False] * len(params)
        self.used = None
        if find_unused:
            # Each parameter's gradient accumulator node, to find it in a forward's graph.
            with enable_grad():
                self.accumulators = {p.view_as(p).grad_fn.next_functions[0][0]: i for i, p in enumerate(params)}
        self.handles = [p.register_post_accumulate_grad_hook(self._hook(i)) for i, p in enumerate(params)]

    def _make_buckets(self, bucket_bytes):
        """Parameters in reverse order (about the order backward produces their gradients),
        one dtype per bucket; the first bucket is small so that communication starts early."""
        buckets, current, size, cap, dtype = [], [], 0, min(_DEFAULT_FIRST_BUCKET_BYTES, bucket_bytes), None
        for i in reversed(range(len(self.params))):
            p = self.params[i]
            if current and (size >= cap or p.dtype != dtype):
                buckets.append(_Bucket(current, self.params))
                current, size, cap = [], 0, bucket_bytes
            current.append(i)
            size += p.numel() * p.element_size()
            dtype = p.dtype
        if current:
            buckets.append(_Bucket(current, self.params))
        return buckets

    def prepare_for_backward(self, outputs):
        self.expecting = True
        self.next_bucket = 0
        self.ready = [False] * len(self.params)
        for bucket in self.buckets:
            bucket.pending = len(bucket.indices)
            bucket.work = None
        if self.find_unused:
            reached = self._reachable_parameters(outputs)
            self.used = [i in reached for i in range(len(self.params))]
            for i in range(len(self.params)):
                if i not in reached:
                    self._mark_ready(i)

    def _reachable_parameters(self, outputs):
        seen, stack, reached = set(), [t.grad_fn for t in _tensors_in(outputs) if t.grad_fn is not None], set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in self.accumulators:
                reached.add(self.accumulators[node])
            stack.extend(n for n, _ in node.next_functions if n is not None)
        return reached

    def check_previous_finished(self):
        if self.expecting:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss. You can enable "
                "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
                "participate in calculating loss.")

    def _hook(self, index):
        # Weakly: the parameter keeps its hooks, and must not keep a dropped DDP alive.
        reducer = weakref.ref(self)

        def hook(param):
            r = reducer()
            if r is not None and r.expecting and not r.ready[index]:
                r._mark_ready(index)
        return hook

    def _mark_ready(self, index):
        self.ready[index] = True
        b, _ = self.bucket_of[index]
        self.buckets[b].pending -= 1
        # Launch, in bucket order, every bucket now complete.
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            self._launch(self.buckets[self.next_bucket])
            self.next_bucket += 1
        for bucket in self.buckets[:self.next_bucket]:
            # Testing a request lets MPI progress it while backward goes on.
            if bucket.work is not None:
                bucket.work.is_completed()
        if self.next_bucket == len(self.buckets):
            self._finish()

    def _launch(self, bucket):
        world = self.group.size()
        with no_grad():
            for i, offset in zip(bucket.indices, bucket.offsets):
                p = self.params[i]
                view = bucket.flat[offset:offset + p.numel()]
                if p.grad is None:
                    view.zero_()
                else:
                    view.copy_(p.grad.reshape(-1))
            bucket.flat.div_(world)
        bucket.work = _dist().all_reduce(bucket.flat, group=self.group, async_op=True)

    def _finish(self):
        self.expecting = False
        globally_used = None
        if self.find_unused:
            mask = _C.tensor([1 if u else 0 for u in self.used], dtype=_C.int32)
            _dist().all_reduce(mask, group=self.group)
            globally_used = mask.tolist()
        with no_grad():
            for bucket in self.buckets:
                bucket.work.wait()
                for i, offset in zip(bucket.indices, bucket.offsets):
                    if globally_used is not None and not globally_used[i]:
                        continue  # unused on every rank: the gradient stays as it was
                    p = self.params[i]
                    averaged = bucket.flat[offset:offset + p.numel()].reshape(p.shape)
                    if p.grad is None:
                        p.grad = averaged.clone()
                    else:
                        p.grad.copy_(averaged)


class DistributedDataParallel(Module):
    """Wraps ``module`` so that ``backward`` leaves every rank with the gradient averaged over
    all ranks. The wrapped module is ``.module``; its state_dict keys gain a ``module.`` prefix."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True, init_sync=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None):
        super().__init__()
        dist = _dist()
        params = []
        for p in module.parameters():
            if p.requires_grad and not any(p is q for q in params):
                params.append(p)
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self.module = module
        self.process_group = process_group if process_group is not None else dist.group.WORLD
        if self.process_group is None:
            dist.get_rank()  # raises PyTorch's "Default process group has not been initialized" error
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._verify_same_parameters(params)
        if init_sync:
            self._broadcast_from_rank0(params + list(module.buffers()))
        self.reducer = _Reducer(params, self.process_group, self.bucket_bytes_cap, find_unused_parameters)

    def _verify_same_parameters(self, params):
        dist = _dist()
        mine = [(tuple(p.shape), str(p.dtype)) for p in params]
        everyone = [None] * self.process_group.size()
        dist.all_gather_object(everyone, mine, group=self.process_group)
        for rank, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but Rank {rank} has {len(theirs)} params "
                    f"({theirs}), while rank 0 has {len(everyone[0])} params ({everyone[0]}).")

    def _broadcast_from_rank0(self, tensors):
        dist = _dist()
        source = dist.get_global_rank(self.process_group, 0)
        with no_grad():
            works = [dist.broadcast(t.detach(), src=source, group=self.process_group, async_op=True) for t in tensors]
        for w in works:
            w.wait()

    @contextmanager
    def no_sync(self):
        """Backward passes inside accumulate gradients locally; the first one after it
        all-reduces the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def forward(self, *inputs, **kwargs):
        grad_sync = _C.is_grad_enabled() and self.require_backward_grad_sync
        if grad_sync:
            self.reducer.check_previous_finished()
        buffers = list(self.module.buffers())
        if self.require_forward_param_sync and self.broadcast_buffers and buffers:
            self._broadcast_from_rank0(buffers)
        output = self.module(*inputs, **kwargs)
        self.require_forward_param_sync = grad_sync
        if grad_sync:
            self.reducer.prepare_for_backward(output)
        return output
