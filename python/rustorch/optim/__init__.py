"""``torch.optim``: optimizers and learning-rate schedulers."""
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
__all__ += ["ASGD", "LBFGS", "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "SparseAdam"]


def __getattr__(name):
    # The schedulers load on first use (`torch.optim.lr_scheduler.X` or an import of it): they
    # are a third of torch.optim's code and import time is a feature.
    if name == "lr_scheduler":
        import importlib  # (`from . import` would ask this hook again, recursively)
        return importlib.import_module(".lr_scheduler", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
