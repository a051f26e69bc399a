"""``torch.backends.openmp``: rustorch parallelises with rayon, not OpenMP."""


def is_available():
    return False
