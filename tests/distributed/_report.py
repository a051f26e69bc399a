"""What the rank scripts share: named checks whose outcome ("ok" or the traceback) each rank
writes to <out_dir>/rank<r>.json for test_distributed.py to read."""
import json
import traceback

results = {}


def check(name):
    """Runs the decorated function at once and records how it went under ``name``."""
    def run(fn):
        try:
            fn()
            results[name] = "ok"
        except Exception:
            results[name] = traceback.format_exc()
        return fn
    return run


def write(out_dir, rank):
    with open(f"{out_dir}/rank{rank}.json", "w") as f:
        json.dump(results, f)
