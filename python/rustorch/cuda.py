"""``rustorch.cuda``: GPU queries. No GPU backend is active yet, so CUDA is never available."""


def is_available():
    return False


def device_count():
    return 0
