"""Type stubs: rustorch._C's stub names only what the module has, and mypy accepts the examples
and a typed program (tests/typing/typed_usage.py) with them."""
import ast
import importlib.util
import os
import subprocess
import sys

import pytest

import rustorch
import rustorch._C as C

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(os.path.abspath(rustorch.__file__))


def test_stub_and_marker_ship_with_the_package():
    assert os.path.exists(os.path.join(PACKAGE, "py.typed"))
    tree = ast.parse(open(os.path.join(PACKAGE, "_C.pyi")).read())
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    assert names and not names - set(dir(C)), "stub names missing from _C: %s" % sorted(names - set(dir(C)))
    tensor_stub = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    assert {"view", "matmul", "backward", "__add__"} <= {f.name for f in tensor_stub.body if isinstance(f, ast.FunctionDef)}


def test_mypy_accepts_examples_and_typed_code(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed")
    root = os.path.dirname(HERE)
    examples = os.path.join(root, "examples")
    if not os.path.isdir(examples):
        pytest.skip("run from a source checkout")
    files = [os.path.join(examples, f) for f in sorted(os.listdir(examples)) if f.endswith(".py")]
    typed = os.path.join(HERE, "typing", "typed_usage.py")
    # ... and a misuse, to show the stubs give mypy something to check.
    bad = tmp_path / "misuse.py"
    bad.write_text("import rustorch\nx: int = rustorch.zeros(2) + 1\n")
    cmd = [sys.executable, "-m", "mypy", "--config-file", os.path.join(HERE, "typing", "mypy.ini"),
           "--cache-dir", str(tmp_path / "cache"), typed, str(bad), *files]
    env = dict(os.environ)
    # A source checkout is found through MYPYPATH; an installed package through site-packages
    # (which mypy refuses in MYPYPATH).
    if os.path.basename(os.path.dirname(PACKAGE)) != "site-packages":
        env["MYPYPATH"] = os.path.dirname(PACKAGE)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    errors = [line for line in r.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith(str(bad) + ":2:") and '"Tensor"' in errors[0], r.stdout
