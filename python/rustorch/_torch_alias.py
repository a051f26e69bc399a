"""The import hook behind ``rustorch run``: ``torch``, every ``torch.*`` submodule and
``torchvision`` resolve to rustorch's modules (the same objects, so ``torch.Tensor is
rustorch.Tensor``), and a name rustorch lacks raises ``AttributeError: rustorch has no torch.X
yet`` instead of an error further downstream.

Child processes inherit the mapping through ``PYTHONPATH``: ``_bootstrap/`` holds a tiny
``torch`` and ``torchvision`` package that install this hook when imported (no ``.pth`` or
``sitecustomize``), so DataLoader workers, ``multiprocessing`` spawn children and Python
subprocesses see the same ``torch``.
"""
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import os
import sys

# The PyTorch API rustorch follows; run mode reports it as torch's version (with rustorch's own
# as the local part) because libraries gate features on ``torch.__version__``.
TORCH_API_VERSION = "2.15.0"
BOOTSTRAP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bootstrap")

# alias prefix -> rustorch module it maps to
_ALIASES = {"torch": "rustorch", "torchvision": "rustorch.vision"}


def _public_name(real_name):
    """``rustorch.nn.functional`` -> ``torch.nn.functional``; ``rustorch.vision.x`` -> ``torchvision.x``."""
    if real_name == "rustorch.vision" or real_name.startswith("rustorch.vision."):
        return "torchvision" + real_name[len("rustorch.vision"):]
    return "torch" + real_name[len("rustorch"):]


def _real_name(alias):
    for prefix, target in _ALIASES.items():
        if alias == prefix or alias.startswith(prefix + "."):
            return target + alias[len(prefix):]
    return None


def _missing_name_hook(module):
    """A module ``__getattr__`` naming the torch attribute rustorch does not have."""
    public = _public_name(module.__name__)

    def __getattr__(name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError("module %r has no attribute %r" % (public, name))
        raise AttributeError("rustorch has no %s.%s yet" % (public, name))

    return __getattr__


def _adopt(module):
    """Gives a rustorch module the missing-name message (once; its own ``__getattr__`` wins)."""
    try:
        if "__getattr__" not in module.__dict__:
            module.__getattr__ = _missing_name_hook(module)
    except (AttributeError, TypeError):
        pass  # extension modules without a writable dict keep Python's message
    return module


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module
        self.real_spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        # The import system put the alias spec on the module; it stays rustorch's own module.
        module.__spec__ = self.real_spec


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``torch[.X]`` / ``torchvision[.X]`` to the matching rustorch module."""

    def find_spec(self, fullname, path=None, target=None):
        real_name = _real_name(fullname)
        if real_name is None:
            return None
        try:
            module = importlib.import_module(real_name)
        except ModuleNotFoundError as e:
            # Only the module itself (or a parent) being absent is "rustorch lacks it"; a
            # missing optional dependency inside it keeps its own message.
            if e.name and (real_name == e.name or real_name.startswith(e.name + ".")):
                raise ModuleNotFoundError("rustorch has no %s yet" % fullname, name=fullname) from None
            raise
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(_adopt(module)),
                                              is_package=hasattr(module, "__path__"))

    def find_distributions(self, context=importlib.metadata.DistributionFinder.Context()):
        """``importlib.metadata.version("torch")`` answers for rustorch in run mode."""
        if context.name in ("torch", None):
            yield _TorchDistribution()


class _TorchDistribution(importlib.metadata.Distribution):
    def read_text(self, filename):
        if filename == "METADATA":
            return "Metadata-Version: 2.1\nName: torch\nVersion: %s\nSummary: rustorch standing in for PyTorch\n" % torch_version()
        return None

    def locate_file(self, path):
        return os.path.join(os.path.dirname(BOOTSTRAP_DIR), path)


@functools.lru_cache(maxsize=None)
def torch_version():
    import rustorch
    return "%s+rustorch.%s" % (TORCH_API_VERSION, rustorch.version.__version__)


def install():
    """Maps torch and torchvision onto rustorch in this process (idempotent)."""
    if not any(isinstance(f, TorchAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAliasFinder())
    import rustorch
    import rustorch.vision
    rustorch.__version__ = rustorch.version.__version__ = torch_version()
    for name, module in list(sys.modules.items()):
        if module is not None and (name == "rustorch" or name.startswith("rustorch.")) \
                and not name.startswith("rustorch._bootstrap"):
            sys.modules.setdefault(_public_name(name), _adopt(module))
    return rustorch


def child_environment(env):
    """``env`` with ``PYTHONPATH`` set so Python children start with the mapping installed."""
    env = dict(env)
    paths = [BOOTSTRAP_DIR]
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    import site
    # rustorch found through the current directory or sys.path edits must stay importable.
    if package_parent not in site.getsitepackages() + [site.getusersitepackages()]:
        paths.append(package_parent)
    existing = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p not in paths]
    env["PYTHONPATH"] = os.pathsep.join(paths + existing)
    return env
