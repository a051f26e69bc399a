"""``torch.nn.parallel``: data-parallel training across processes."""

__all__ = ["DistributedDataParallel"]


def __getattr__(name):
    # Loaded on first use, as are torch.distributed's other parts: `import rustorch` skips it.
    if name in ("DistributedDataParallel", "distributed"):
        import importlib  # (`from . import` would ask this hook again, recursively)
        distributed = importlib.import_module(".distributed", __name__)
        return distributed if name == "distributed" else distributed.DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
