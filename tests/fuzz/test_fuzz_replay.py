"""Replays the fuzz cases recorded from PyTorch 2.15 (tests/fuzz/data/cases.json.gz) against
rustorch: every outcome (value with dtype and shape, or exception class) must match, except the
deliberate differences listed in tests/fuzz/differences.py."""
import pytest

import rustorch

from .harness import FAMILIES, load_fixture
from .replay import findings

RECORDS = load_fixture()


def test_fixture_covers_every_family():
    assert set(FAMILIES) <= set(RECORDS)
    assert sum(len(RECORDS[f]) for f in FAMILIES) >= 10_000


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_replay_matches_pytorch(family):
    found = findings(family, RECORDS[family], rustorch)
    report = "\n".join("[%s] %s\n    -> %s" % (cls, code.replace("\n", "; ")[:300], detail)
                       for cls, code, detail in found[:25])
    assert not found, "%d cases differ from PyTorch:\n%s" % (len(found), report)
