"""``torch.utils``."""

__all__ = ["data", "dlpack"]


def __getattr__(name):
    # Submodules load on first use (`torch.utils.data.X` or `import torch.utils.data`): the
    # DataLoader brings multiprocessing, which `import rustorch` should not pay for.
    if name in __all__:
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
