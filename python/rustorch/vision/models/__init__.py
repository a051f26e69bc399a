"""``torchvision.models``: model builders with torchvision's module structure and state_dict
key names, so torchvision checkpoints load with ``load_state_dict(strict=True)``."""
from ._api import Weights, WeightsEnum, get_model, get_model_builder, list_models
from .resnet import *  # noqa: F401,F403
from .resnet import __all__ as _resnet_all

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder",
           "list_models"] + _resnet_all
