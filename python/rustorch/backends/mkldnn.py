"""``torch.backends.mkldnn``: rustorch has its own CPU kernels, not oneDNN."""
enabled = True
deterministic = False


def is_available():
    return False
