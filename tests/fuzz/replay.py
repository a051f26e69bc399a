"""Replay the recorded cases against rustorch and summarise the findings per class.

    PYTHONPATH=python python3 -m tests.fuzz.replay [family ...] [-v] [--all] [--write-open]

--all also counts the listed differences; --write-open rewrites the open-findings list (the
findings DIFFERENCES does not cover).
"""
import collections
import sys

import gzip
import json

from .differences import OPEN_FINDINGS, case_key, deliberate, in_table
from .harness import classify, load_fixture, run_case


def findings(family, records, torch, everything=False):
    """[(class, code, detail)] for every case of `family` whose outcome differs from PyTorch's,
    leaving out the documented differences (unless `everything`)."""
    out = []
    for code, want in records:
        got = run_case(code, torch)
        found = classify(got, want)
        if found and (everything or not deliberate(family, code, found[0])):
            out.append((found[0], code, found[1]))
    return out


if __name__ == "__main__":
    import rustorch
    verbose = "-v" in sys.argv
    write_open = "--write-open" in sys.argv
    open_keys = []
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    data = load_fixture()
    total = collections.Counter()
    for family, records in data.items():
        if family.startswith("_") or (names and family not in names):
            continue
        found = findings(family, records, rustorch, everything="--all" in sys.argv or write_open)
        open_keys += [case_key(family, code, cls) for cls, code, _ in found if not in_table(family, code, cls)]
        counts = collections.Counter(c for c, _, _ in found)
        total.update(counts)
        print("%-14s %5d cases  %s" % (family, len(records), dict(counts)))
        if verbose:
            for cls, code, detail in found:
                print("  [%s] %s\n      -> %s" % (cls, code.replace("\n", "; "), detail))
    print("total", dict(total))
    if write_open:
        with gzip.open(OPEN_FINDINGS, "wt") as f:
            json.dump(sorted(open_keys), f)
