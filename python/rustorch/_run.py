"""``rustorch run script.py [args]`` and ``python -m rustorch script.py [args]``: run an
unmodified PyTorch script on rustorch, as if ``python script.py [args]`` ran it.

``-m module [args]`` runs a module the same way (``python -m module``).
"""
import os
import runpy
import sys
import traceback

from . import _torch_alias

USAGE = """usage: rustorch run script.py [args ...]
       rustorch run -m module [args ...]
       python -m rustorch script.py [args ...]

Runs a PyTorch script unchanged with torch, torch.* and torchvision mapped onto rustorch,
in this process and in every Python process it starts."""


def _print_user_traceback(exc, script_path):
    """Prints the traceback Python would print, without this runner's own frames."""
    tb = exc.__traceback__
    if script_path is not None:
        while tb is not None and tb.tb_frame.f_code.co_filename != script_path:
            tb = tb.tb_next
    else:  # -m: drop the frames of this file and of runpy
        while tb is not None and tb.tb_frame.f_code.co_filename in (__file__, runpy.__file__):
            tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb or exc.__traceback__)


def run(argv):
    """Runs ``argv`` (``[script, *args]`` or ``["-m", module, *args]``); returns the exit code."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    as_module = argv[0] == "-m"
    if as_module and len(argv) < 2:
        print("rustorch run: -m needs a module name", file=sys.stderr)
        return 2
    os.environ.update(_torch_alias.child_environment(os.environ))
    _torch_alias.install()
    script = None
    if as_module:
        sys.argv = [argv[1]] + argv[2:]
        sys.path.insert(0, os.getcwd())
    else:
        script = os.path.abspath(argv[0])  # Python runs __main__ from its absolute path
        if not os.path.exists(script):
            print("%s: can't open file %r: [Errno 2] No such file or directory"
                  % (sys.executable, script), file=sys.stderr)
            return 2
        sys.argv = list(argv)
        sys.path.insert(0, os.path.dirname(script))
    # multiprocessing's spawn children take the parent's sys.path rather than PYTHONPATH.
    sys.path.insert(1, _torch_alias.BOOTSTRAP_DIR)
    try:
        if as_module:
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: B902  (KeyboardInterrupt too, as Python reports it)
        _print_user_traceback(exc, script)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    return 0


def console_main():
    """The ``rustorch`` console script: ``rustorch run script.py [args]``."""
    args = sys.argv[1:]
    if not args or args[0] != "run":
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    sys.exit(run(args[1:]))


def module_main():
    """``python -m rustorch [run] script.py [args]``."""
    args = sys.argv[1:]
    if args and args[0] == "run":
        args = args[1:]
    sys.exit(run(args))
