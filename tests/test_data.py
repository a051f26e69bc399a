"""torch.utils.data: datasets, samplers, default_collate, and the DataLoader (single process and
worker processes)."""
import collections
import warnings

import numpy as np
import pytest

import rustorch as torch
from rustorch.utils.data import (
    BatchSampler, ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler,
    SequentialSampler, Subset, SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate,
    default_convert, get_worker_info, random_split,
)
from rustorch.utils.data.dataset import StackDataset

# Worker tests fail instead of hanging if a worker never answers.
WORKER_TIMEOUT = 30


class Range(Dataset):
    """Sample i is i (a Python int)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i


class Stream(IterableDataset):
    """0..n-1; in worker processes each worker yields every num_workers-th item."""

    def __init__(self, n, length=None):
        self.n = n
        self.length = length

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n if self.length is None else self.length


# ---- datasets ---------------------------------------------------------------------------------
def test_tensor_dataset():
    x = torch.arange(12.0).reshape(6, 2)
    y = torch.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    item = ds[4]
    assert type(item) is tuple
    assert item[0].tolist() == [8.0, 9.0] and item[1].item() == 4
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, torch.arange(5))


def test_concat_dataset_and_add():
    ds = Range(3) + Range(2)
    assert isinstance(ds, ConcatDataset)
    assert len(ds) == 5 and ds.cumulative_sizes == [3, 5]
    assert [ds[i] for i in range(5)] == [0, 1, 2, 0, 1]
    assert ds[-1] == 1 and ds[-5] == 0
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        ds[-6]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Stream(2)])


def test_chain_and_stack_datasets():
    chained = Stream(2) + Stream(3)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5
    stacked = StackDataset(Range(3), Range(3))
    assert stacked[2] == (2, 2)
    assert StackDataset(a=Range(2), b=Range(2))[1] == {"a": 1, "b": 1}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Range(2), Range(3))


def test_subset():
    sub = Subset(Range(10), [7, 2, 5])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [7, 2, 5]
    assert sub.__getitems__([0, 2]) == [7, 5]


def test_random_split_lengths_and_fractions():
    ds = Range(10)
    parts = random_split(ds, [3, 7], generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(ds, [3, 7], generator=torch.Generator().manual_seed(0))
    assert again[0].indices == parts[0].indices

    # 10 * [0.33, 0.33, 0.34] floors to [3, 3, 3]; the remaining item goes to the first split.
    parts = random_split(ds, [0.33, 0.33, 0.34])
    assert [len(p) for p in parts] == [4, 3, 3]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Range(2), [0.9, 0.1])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        random_split(ds, [3, 3])


def test_dataset_base_class():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__."):
        Dataset()[0]


# ---- samplers ---------------------------------------------------------------------------------
def test_sequential_sampler():
    s = SequentialSampler(Range(4))
    assert list(s) == [0, 1, 2, 3] and len(s) == 4


def test_random_sampler_permutations():
    torch.manual_seed(3)
    s = RandomSampler(Range(20))
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(20))
    assert first != second  # a fresh order each epoch
    assert len(s) == 20

    fixed = [list(RandomSampler(Range(20), generator=torch.Generator().manual_seed(5))) for _ in range(2)]
    assert fixed[0] == fixed[1]

    # More samples than items without replacement: whole permutations, then a partial one.
    drawn = list(RandomSampler(Range(4), num_samples=10))
    assert len(drawn) == 10
    assert sorted(drawn[:4]) == sorted(drawn[4:8]) == [0, 1, 2, 3]
    assert len(set(drawn[8:])) == 2


def test_random_sampler_with_replacement():
    drawn = list(RandomSampler(Range(3), replacement=True, num_samples=70))
    assert len(drawn) == 70 and set(drawn) <= {0, 1, 2}
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        RandomSampler(Range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(Range(3), num_samples=0)


def test_subset_random_sampler():
    s = SubsetRandomSampler([10, 20, 30])
    assert sorted(s) == [10, 20, 30] and len(s) == 3


def test_weighted_random_sampler():
    s = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], num_samples=50)
    drawn = list(s)
    assert len(drawn) == 50 == len(s) and set(drawn) <= {1, 3}
    no_repeat = list(WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False))
    assert sorted(no_repeat) == [0, 1, 2]
    assert s.weights.dtype == torch.float64
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=True"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="weights should be a 1d sequence but given weights have shape \\(1, 2\\)"):
        WeightedRandomSampler([[1.0, 2.0]], 2)


def test_batch_sampler():
    assert list(BatchSampler(SequentialSampler(Range(7)), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(SequentialSampler(Range(7)), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=None"):
        BatchSampler(range(3), 2, None)


# ---- collate ----------------------------------------------------------------------------------
Point = collections.namedtuple("Point", ["x", "y"])


def test_collate_tensors_numbers_and_strings():
    batch = default_collate([torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])])
    assert batch.tolist() == [[1.0, 2.0], [3.0, 4.0]] and batch.dtype == torch.float32

    ints = default_collate([1, 2, 3])
    assert ints.dtype == torch.int64 and ints.tolist() == [1, 2, 3]
    floats = default_collate([0.5, 1.5])
    assert floats.dtype == torch.float64 and floats.tolist() == [0.5, 1.5]
    bools = default_collate([True, False])
    assert bools.dtype == torch.bool and bools.tolist() == [True, False]
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


def test_collate_numpy():
    arrays = default_collate([np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)])
    assert arrays.dtype == torch.int32 and arrays.tolist() == [[1, 2], [3, 4]]
    scalars = default_collate([np.float32(0.5), np.float32(1.5)])
    assert scalars.dtype == torch.float32 and scalars.tolist() == [0.5, 1.5]
    assert default_collate([np.float64(2.0), np.float64(3.0)]).dtype == torch.float64
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers, dicts or lists; found"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_collate_containers():
    samples = [{"x": torch.ones(2) * i, "label": i, "name": f"s{i}"} for i in range(3)]
    batch = default_collate(samples)
    assert list(batch.keys()) == ["x", "label", "name"]
    assert batch["x"].tolist() == [[0, 0], [1, 1], [2, 2]]
    assert batch["label"].tolist() == [0, 1, 2] and batch["name"] == ["s0", "s1", "s2"]

    points = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(points) is Point
    assert points.x.tolist() == [1, 3] and points.y.dtype == torch.float64

    # Tuples are transposed into a list; lists stay lists.
    pairs = default_collate([(torch.tensor(1), 10), (torch.tensor(2), 20)])
    assert type(pairs) is list and pairs[0].tolist() == [1, 2] and pairs[1].tolist() == [10, 20]
    nested = default_collate([[1, [2.0]], [3, [4.0]]])
    assert nested[0].tolist() == [1, 3] and nested[1][0].tolist() == [2.0, 4.0]


def test_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([torch.ones(2), torch.ones(3)])


def test_default_convert():
    converted = default_convert({"a": np.array([1.0, 2.0]), "b": (np.int64(3), "s")})
    assert converted["a"].dtype == torch.float64 and converted["a"].tolist() == [1.0, 2.0]
    assert converted["b"][0].item() == 3 and converted["b"][1] == "s"
    assert default_convert(5) == 5


# ---- DataLoader (single process) --------------------------------------------------------------
def test_batches_lengths_and_drop_last():
    ds = TensorDataset(torch.arange(10), torch.arange(10.0) / 2)
    dl = DataLoader(ds, batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 == len(batches)
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert type(batches[0]) is list and batches[0][1].dtype == torch.float32
    dl = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(dl) == 2 and [b[0].tolist() for b in dl] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [b.tolist() for b in DataLoader(Range(3))] == [[0], [1], [2]]


def test_shuffle_is_a_new_permutation_each_epoch():
    torch.manual_seed(0)
    dl = DataLoader(Range(30), batch_size=7, shuffle=True)
    epochs = [torch.cat(list(dl)).tolist() for _ in range(2)]
    for order in epochs:
        assert sorted(order) == list(range(30))
    assert epochs[0] != epochs[1] and epochs[0] != list(range(30))


def test_generator_makes_shuffle_reproducible():
    orders = [
        torch.cat(list(DataLoader(Range(25), batch_size=5, shuffle=True, generator=torch.Generator().manual_seed(7))))
        .tolist()
        for _ in range(2)
    ]
    assert orders[0] == orders[1]


def test_sampler_and_batch_sampler_arguments():
    dl = DataLoader(Range(6), batch_size=2, sampler=[5, 4, 3, 2, 1, 0])
    assert [b.tolist() for b in dl] == [[5, 4], [3, 2], [1, 0]]
    dl = DataLoader(Range(6), batch_sampler=[[0, 5], [1]])
    assert [b.tolist() for b in dl] == [[0, 5], [1]] and len(dl) == 2
    assert dl.batch_size is None


def test_no_auto_batching():
    dl = DataLoader(Range(3), batch_size=None)
    assert list(dl) == [0, 1, 2] and len(dl) == 3
    arrays = list(DataLoader([np.array([1, 2])], batch_size=None))
    assert arrays[0].tolist() == [1, 2] and isinstance(arrays[0], torch.Tensor)


def test_iterable_dataset():
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Stream(7), batch_size=3)) == 3
    assert len(DataLoader(Stream(7), batch_size=3, drop_last=True)) == 2
    assert len(DataLoader(Stream(7), batch_size=None)) == 7
    dl = DataLoader(Stream(4, length=2), batch_size=1)
    len(dl)
    with pytest.warns(UserWarning, match="was reported to be 2 \\(when accessing len\\(dataloader\\)\\)"):
        list(dl)


def test_argument_errors():
    ds = Range(4)
    cases = [
        (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
        (dict(batch_sampler=[[0]], batch_size=2),
         "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
        (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_size=None, drop_last=True),
         "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
        (dict(num_workers=-1), "num_workers option should be non-negative"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
        (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used with multi-process"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            DataLoader(ds, **kwargs)
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(3), sampler=[0])
    dl = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        dl.batch_size = 3


def test_accepted_no_op_options():
    dl = DataLoader(Range(4), batch_size=2, pin_memory=True)
    assert [b.tolist() for b in dl] == [[0, 1], [2, 3]]


def test_errors_in_dataset_propagate():
    class Broken(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        next(iter(DataLoader(Broken())))


# ---- DataLoader with worker processes ---------------------------------------------------------
class WhoLoadedMe(Dataset):
    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = get_worker_info()
        return torch.tensor([float(i)]), info.id, info.num_workers, info.seed


def test_two_workers_preserve_order():
    assert get_worker_info() is None
    ds = TensorDataset(torch.arange(23), torch.arange(23.0) * 0.5)
    dl = DataLoader(ds, batch_size=4, num_workers=2, timeout=WORKER_TIMEOUT)
    batches = list(dl)
    assert len(batches) == len(dl) == 6
    assert torch.cat([b[0] for b in batches]).tolist() == list(range(23))
    assert torch.cat([b[1] for b in batches]).tolist() == [i * 0.5 for i in range(23)]


class LargeOps(Dataset):
    """Items that run multithreaded kernels inside the worker."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return (torch.ones(1 << 20) * float(i)).sum()


def test_forked_workers_run_parallel_kernels_after_the_parent_did():
    # The parent's thread pool is started before the fork; the workers must build their own
    # instead of waiting on threads that do not exist in them.
    assert (torch.ones(1 << 22) * 3).sum().item() == 3 * (1 << 22)
    sums = [b.item() for b in DataLoader(LargeOps(), batch_size=1, num_workers=2, timeout=WORKER_TIMEOUT)]
    assert sums == [float(i * (1 << 20)) for i in range(4)]


def test_worker_info_and_round_robin_assignment():
    batches = list(DataLoader(WhoLoadedMe(), batch_size=3, num_workers=2, timeout=WORKER_TIMEOUT))
    assert torch.cat([b[0] for b in batches]).flatten().tolist() == [float(i) for i in range(12)]
    assert [b[1].tolist() for b in batches] == [[0] * 3, [1] * 3, [0] * 3, [1] * 3]
    assert all(b[2].tolist() == [2, 2, 2] for b in batches)
    seeds = {b[1][0].item(): b[3][0].item() for b in batches}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker id


def test_worker_init_fn_runs_in_each_worker():
    class InitRecorder(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return WORKER_STATE["init"]

    dl = DataLoader(InitRecorder(), batch_size=1, num_workers=2, worker_init_fn=_record_init, timeout=WORKER_TIMEOUT)
    assert [b.item() for b in dl] == [100, 101, 100, 101]


WORKER_STATE = {"init": -1}


def _record_init(worker_id):
    WORKER_STATE["init"] = 100 + worker_id


def test_iterable_dataset_split_between_workers():
    batches = [b.tolist() for b in DataLoader(Stream(10), batch_size=3, num_workers=2, timeout=WORKER_TIMEOUT)]
    assert batches == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]


def test_worker_exception_is_reraised_with_its_origin():
    class FailsAtTwo(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            if i == 2:
                raise ValueError("bad sample")
            return i

    dl = DataLoader(FailsAtTwo(), num_workers=2, timeout=WORKER_TIMEOUT)
    with pytest.raises(ValueError, match="(?s)Caught ValueError in DataLoader worker process 0.*bad sample") as info:
        list(dl)
    assert "Original Traceback" in str(info.value)


def test_persistent_workers_reshuffle_each_epoch():
    torch.manual_seed(2)
    dl = DataLoader(Range(16), batch_size=4, shuffle=True, num_workers=2, persistent_workers=True,
                    prefetch_factor=1, timeout=WORKER_TIMEOUT)
    orders = [torch.cat(list(dl)).tolist() for _ in range(3)]
    assert all(sorted(o) == list(range(16)) for o in orders)
    assert orders[0] != orders[1] or orders[1] != orders[2]
    assert dl._iterator is not None


def test_too_many_workers_warns():
    with pytest.warns(UserWarning, match="This DataLoader will create 512 worker processes in total"):
        DataLoader(Range(2), num_workers=512)


def test_single_process_loader_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(DataLoader(Range(3), batch_size=2))
