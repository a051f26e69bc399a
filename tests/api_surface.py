"""How much of PyTorch's public call surface rustorch has: the names of
``shared/api/torch-signatures.json`` (PyTorch 2.15's functions and methods of torch, torch.Tensor,
torch.nn.functional, torch.linalg, torch.special, torch.fft, torch.autograd, torch.nn.init)
that exist in the matching rustorch namespace, outside the groups rustorch leaves out on purpose.

    python3 tests/api_surface.py            # counts per namespace
    python3 tests/api_surface.py --missing  # and the missing names, grouped by namespace
"""
import importlib
import json
import os
import sys
from pathlib import Path

# Names out of scope, each group with its reason. A name listed here counts neither as present
# nor as missing.
OUT_OF_SCOPE = {
    "sparse and other non-strided layouts (rustorch tensors are dense and strided)": """
        Tensor.coalesce Tensor.col_indices Tensor.crow_indices Tensor.ccol_indices
        Tensor.row_indices Tensor.dense_dim Tensor.indices Tensor.is_coalesced Tensor.smm
        Tensor.sparse_dim Tensor.sparse_mask Tensor.sparse_resize_
        Tensor.sparse_resize_and_clear_ Tensor.sspaddmm Tensor.to_dense Tensor.to_sparse
        Tensor.to_sparse_bsc Tensor.to_sparse_bsr Tensor.to_sparse_coo Tensor.to_sparse_csc
        Tensor.to_sparse_csr Tensor.values Tensor.to_mkldnn
        hspmm smm sspaddmm sparse_bsc_tensor sparse_bsr_tensor sparse_compressed_tensor
        sparse_coo_tensor sparse_csc_tensor sparse_csr_tensor
    """,
    "quantized tensors": """
        Tensor.dequantize Tensor.int_repr Tensor.q_per_channel_axis Tensor.q_per_channel_scales
        Tensor.q_per_channel_zero_points Tensor.q_scale Tensor.q_zero_point Tensor.qscheme
        dequantize fake_quantize_per_channel_affine fake_quantize_per_tensor_affine
        quantize_per_channel quantize_per_tensor quantize_per_tensor_dynamic
        quantized_batch_norm quantized_max_pool1d quantized_max_pool2d
    """,
    "nested tensors": "Tensor.to_padded_tensor",
    "named tensors and first-class dims (functorch.dim)": "Tensor.index",
    "complex-only functions (complex dtypes are another branch's work)": """
        Tensor.cdouble Tensor.cfloat Tensor.chalf Tensor.conj Tensor.conj_physical
        Tensor.conj_physical_ Tensor.is_conj Tensor.is_neg Tensor.resolve_conj Tensor.resolve_neg
        complex conj conj_physical conj_physical_ imag real is_conj polar resolve_conj
        resolve_neg view_as_complex view_as_real
    """,
    "torch.fft and the STFT (need complex dtypes)": "fft.* stft istft Tensor.stft Tensor.istft",
    "CUDA-only and other-accelerator internals": """
        Tensor.ipu Tensor.mtia Tensor.xpu Tensor.record_stream
        profiler_allow_cudagraph_cupti_lazy_reinit_cuda12
        nn.functional.scaled_mm nn.functional.scaled_addmm nn.functional.scaled_addmm_
        nn.functional.scaled_grouped_mm nn.functional.grouped_mm
    """,
}


def signatures_path():
    shared = os.environ.get("RUSTORCH_SHARED") or str(Path(__file__).resolve().parent.parent.parent / "shared")
    return Path(shared) / "api" / "torch-signatures.json"


def _excluded():
    names = set()
    for group in OUT_OF_SCOPE.values():
        names.update("torch." + n for n in group.split())
    return names


def _is_excluded(full, excluded):
    return full in excluded or any(e.endswith(".*") and full.startswith(e[:-1]) for e in excluded)


def survey(torch_module=None):
    """{namespace: (present names, missing names)} over the in-scope names."""
    if torch_module is None:
        import rustorch as torch_module
    listed = json.loads(signatures_path().read_text())["signatures"]
    excluded = _excluded()
    result = {}
    for full in listed:
        if _is_excluded(full, excluded):
            continue
        namespace, name = full.rsplit(".", 1)
        if namespace == "torch":
            owner = torch_module
        elif namespace == "torch.Tensor":
            owner = torch_module.Tensor
        else:
            try:
                owner = importlib.import_module(torch_module.__name__ + namespace[len("torch"):])
            except ImportError:
                owner = None
        present, missing = result.setdefault(namespace, ([], []))
        (present if owner is not None and hasattr(owner, name) else missing).append(name)
    return result


def main(argv):
    result = survey()
    total_present = sum(len(p) for p, _ in result.values())
    total = sum(len(p) + len(m) for p, m in result.values())
    for namespace, (present, missing) in result.items():
        print(f"{namespace:22} {len(present):4} / {len(present) + len(missing):4}")
    print(f"{'in scope':22} {total_present:4} / {total:4} ({100 * total_present / total:.1f}%)")
    if "--missing" in argv:
        for namespace, (_, missing) in result.items():
            if missing:
                print(f"\n{namespace} ({len(missing)} missing):\n  " + " ".join(missing))


if __name__ == "__main__":
    main(sys.argv[1:])
