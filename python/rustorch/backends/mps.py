"""``torch.backends.mps``: Apple's Metal backend, never built into rustorch."""


def is_available():
    return False


def is_built():
    return False
