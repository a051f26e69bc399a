"""``torch.backends.opt_einsum``: whether the ``opt_einsum`` package is there to plan contractions."""
enabled = True
strategy = "auto"


def is_available():
    import importlib.util
    return importlib.util.find_spec("opt_einsum") is not None
