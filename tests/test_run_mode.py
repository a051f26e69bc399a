"""`rustorch run` / `python -m rustorch`: unmodified PyTorch scripts on rustorch, in the process
and in every Python child it starts."""
import os
import subprocess
import sys
import textwrap

import pytest


def run_script(tmp_path, source, *args, name="script.py", timeout=120):
    script = tmp_path / name
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, "-m", "rustorch", str(script), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)


def test_torch_and_its_submodules_are_rustorch(tmp_path):
    r = run_script(tmp_path, """
        import sys, importlib.metadata
        import torch, torch.nn as nn, torch.nn.functional as F, torchvision, rustorch
        from torch.utils.data import DataLoader
        from torch.optim.lr_scheduler import StepLR
        import torch.utils.dlpack, torch.backends.cudnn, torch.cuda.amp
        print(sys.argv)
        print(__name__, __file__)
        print(torch is rustorch, nn is rustorch.nn, F is rustorch.nn.functional,
              torchvision is rustorch.vision, DataLoader is rustorch.utils.data.DataLoader,
              torch.cuda.amp is rustorch.cuda.amp, isinstance(torch.ones(1), torch.Tensor))
        print(torch.__version__, importlib.metadata.version("torch"), torch.version.__version__)
    """, "a", "--flag=1")
    assert r.returncode == 0, r.stderr
    argv, main, ids, versions = r.stdout.splitlines()
    assert argv == "['%s', 'a', '--flag=1']" % (tmp_path / "script.py")
    assert main == "__main__ %s" % (tmp_path / "script.py")
    assert ids == " ".join(["True"] * 7)
    v = versions.split()
    assert v[0] == v[1] == v[2] and v[0].startswith("2.15.0+rustorch.")


def test_missing_names_say_what_rustorch_lacks(tmp_path):
    r = run_script(tmp_path, """
        import torch
        try:
            import torch.no_such_module
        except ImportError as e:
            print(type(e).__name__, e)
        print(hasattr(torch, "no_such_fn"))
        torch.nn.functional.no_such_fn(1)
    """)
    assert r.returncode == 1
    assert r.stdout.splitlines() == ["ModuleNotFoundError rustorch has no torch.no_such_module yet", "False"]
    assert r.stderr.strip().endswith("AttributeError: rustorch has no torch.nn.functional.no_such_fn yet")


def test_traceback_and_exit_status_as_python_gives_them(tmp_path):
    r = run_script(tmp_path, """
        import torch

        def f():
            raise ValueError("boom")

        f()
    """)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1].startswith('  File "%s", line 7, in <module>' % (tmp_path / "script.py"))
    assert "runpy" not in r.stderr and "_run.py" not in r.stderr
    assert lines[-1] == "ValueError: boom"
    r = run_script(tmp_path, "import sys; sys.exit(3)")
    assert r.returncode == 3
    r = subprocess.run([sys.executable, "-m", "rustorch", str(tmp_path / "missing.py")], capture_output=True, text=True)
    assert r.returncode == 2 and "can't open file" in r.stderr


def test_children_see_torch_as_rustorch(tmp_path):
    r = run_script(tmp_path, """
        import multiprocessing as mp, subprocess, sys
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Squares(Dataset):
            def __len__(self):
                return 4
            def __getitem__(self, i):
                import torch as child_torch
                return torch.tensor([float(i * i)]), child_torch.__name__

        def child(q):
            import torch
            q.put(torch.__name__)

        if __name__ == "__main__":
            for ctx in ("fork", "spawn"):
                loader = DataLoader(Squares(), batch_size=2, num_workers=2, multiprocessing_context=ctx)
                print(ctx, [(b[0].flatten().tolist(), list(b[1])) for b in loader])
            c = mp.get_context("spawn")
            q = c.Queue()
            p = c.Process(target=child, args=(q,))
            p.start(); print("mp-spawn", q.get()); p.join()
            out = subprocess.run([sys.executable, "-c", "import torch, torchvision; print(torch.__name__, torchvision.__name__)"],
                                 capture_output=True, text=True)
            print("subprocess", out.stdout.strip() or out.stderr[-300:])
    """, timeout=180)
    assert r.returncode == 0, r.stderr
    expected = "[([0.0, 1.0], ['rustorch', 'rustorch']), ([4.0, 9.0], ['rustorch', 'rustorch'])]"
    assert r.stdout.splitlines() == ["fork " + expected, "spawn " + expected, "mp-spawn rustorch",
                                     "subprocess rustorch rustorch.vision"]


def test_module_mode_and_console_script(tmp_path):
    (tmp_path / "pkg_mod.py").write_text("import sys, torch\nprint(torch.__name__, sys.argv[1:])\n")
    r = subprocess.run([sys.executable, "-m", "rustorch", "run", "-m", "pkg_mod", "x"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "rustorch ['x']"
    # The console script's entry point (installed as `rustorch` by pip).
    r = subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['rustorch', 'run', 'pkg_mod.py', 'y'];"
                        "from rustorch._run import console_main; console_main()"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "rustorch ['y']"
    r = subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['rustorch'];"
                        "from rustorch._run import console_main; console_main()"], capture_output=True, text=True)
    assert r.returncode == 2 and "usage: rustorch run" in r.stderr


def test_plain_import_is_untouched():
    code = "import rustorch, sys; print('torch' in sys.modules, rustorch.__version__)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items()})
    assert r.stdout.split() == ["False", "0.1.0"]


def test_console_script_declared():
    import tomllib
    root = os.path.join(os.path.dirname(__file__), "..", "pyproject.toml")
    if not os.path.exists(root):
        pytest.skip("run from a source checkout")
    with open(root, "rb") as f:
        assert tomllib.load(f)["project"]["scripts"]["rustorch"] == "rustorch._run:console_main"
