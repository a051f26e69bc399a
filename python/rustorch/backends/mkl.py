"""``torch.backends.mkl``: rustorch's GEMM is the ``gemm`` crate, not MKL."""


def is_available():
    return False
