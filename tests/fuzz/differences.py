"""The one table of deliberate differences from PyTorch that the fuzz replay accepts.

Each entry: (family or "*", regular expression searched in the case's code, finding class, reason).
"""
import re

DIFFERENCES = [
]


def deliberate(family, code, finding_class):
    return any((fam in ("*", family)) and cls == finding_class and re.search(pattern, code)
               for fam, pattern, cls, _reason in DIFFERENCES)
