"""Record PyTorch's outcome for every generated case into tests/fuzz/data/cases.json.gz.

Run by hand where PyTorch 2.15 is installed, from the repository root:
    /opt/torchvenv/bin/python -m tests.fuzz.record
"""
import torch

from .harness import generate, run_case, save_fixture

if __name__ == "__main__":
    torch.set_num_threads(1)
    records = {}
    for family, codes in generate().items():
        records[family] = [[code, run_case(code, torch)] for code in codes]
        print(family, len(codes))
    records["_meta"] = {"torch": torch.__version__}
    save_fixture(records)
