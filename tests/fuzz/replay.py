"""Replay the recorded cases against rustorch and summarise the findings per class.

    PYTHONPATH=python python3 -m tests.fuzz.replay [family ...] [-v]
"""
import collections
import sys

from .differences import deliberate
from .harness import classify, load_fixture, run_case


def findings(family, records, torch):
    """[(class, code, detail)] for every case of `family` whose outcome differs from PyTorch's,
    leaving out the documented deliberate differences."""
    out = []
    for code, want in records:
        got = run_case(code, torch)
        found = classify(got, want)
        if found and not deliberate(family, code, found[0]):
            out.append((found[0], code, found[1]))
    return out


if __name__ == "__main__":
    import rustorch
    verbose = "-v" in sys.argv
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    data = load_fixture()
    total = collections.Counter()
    for family, records in data.items():
        if family.startswith("_") or (names and family not in names):
            continue
        found = findings(family, records, rustorch)
        counts = collections.Counter(c for c, _, _ in found)
        total.update(counts)
        print("%-14s %5d cases  %s" % (family, len(records), dict(counts)))
        if verbose:
            for cls, code, detail in found:
                print("  [%s] %s\n      -> %s" % (cls, code.replace("\n", "; "), detail))
    print("total", dict(total))
