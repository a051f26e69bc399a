"""``torch.backends.cpu``: the CPU's vector capability."""


def get_cpu_capability():
    """PyTorch's names: "AVX512", "AVX2", "DEFAULT" (rustorch dispatches on the same features)."""
    import platform
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return "DEFAULT"
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return "DEFAULT"
    if " avx512f" in flags and " avx512bw" in flags:
        return "AVX512"
    return "AVX2" if " avx2" in flags else "DEFAULT"
