"""Pretrained-weight descriptors, the model registry, and resolving a builder's ``weights=``.

rustorch never downloads: ``weights=`` is a local checkpoint path. torchvision's weight enums
exist so that code naming them gets a clear error that says which file to fetch."""
import enum
import fnmatch
import os
import warnings
from dataclasses import dataclass

from ... import serialization

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "list_models"]


@dataclass
class Weights:
    url: str
    meta: dict


class WeightsEnum(enum.Enum):
    """torchvision's weight enums: members name published checkpoints by their URL."""

    @classmethod
    def verify(cls, obj):
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            return cls[obj.replace(cls.__name__ + ".", "")]
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                        f"{obj.__class__.__name__}.")

    def get_state_dict(self, *args, **kwargs):
        file_name = os.path.basename(self.url)
        raise RuntimeError(
            f"rustorch.vision does not download weights: {self!r} is {self.url}. Download that file "
            f"yourself and pass its local path instead, e.g. weights='/path/to/{file_name}'.")

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def meta(self):
        return self.value.meta


def _state_dict_from_weights(weights, weights_enum):
    """The state_dict a builder's ``weights=`` names, or None. A str that is not an existing
    file but is one of ``weights_enum``'s names (``"IMAGENET1K_V1"``, ``"ResNet18_Weights.DEFAULT"``)
    means the published weights, which cannot be downloaded here."""
    if weights is None:
        return None
    if isinstance(weights, str) and not os.path.exists(weights):
        name = weights.replace(weights_enum.__name__ + ".", "")
        if name in weights_enum.__members__:
            weights = weights_enum[name]
    if isinstance(weights, WeightsEnum):
        return weights_enum.verify(weights).get_state_dict()
    if isinstance(weights, (str, os.PathLike)):
        return serialization.load(weights, map_location="cpu", weights_only=True)
    raise TypeError(f"weights must be None or a local checkpoint path (str or os.PathLike), but got "
                    f"{type(weights).__name__}")


def _ovewrite_named_param(kwargs, param, new_value):
    """Sets ``kwargs[param]`` to what the weights need; a caller's different value is an error."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _legacy_pretrained(kwargs, weights, default_weights):
    """torchvision < 0.13's ``pretrained=`` flag, mapped to ``weights=`` with its deprecation warnings."""
    if "pretrained" not in kwargs:
        return weights
    pretrained = kwargs.pop("pretrained")
    warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                  "please use 'weights' instead.")
    if weights is not None:
        return weights
    weights = default_weights if pretrained else None
    msg = ("Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be "
           f"removed in the future. The current behavior is equivalent to passing `weights={weights}`.")
    if pretrained:
        msg += (f" You can also use `weights={type(default_weights).__name__}.DEFAULT` to get the most "
                "up-to-date weights.")
    warnings.warn(msg)
    return weights


_MODELS = {}


def register_model(fn):
    _MODELS[fn.__name__] = fn
    return fn


def list_models(module=None, include=None, exclude=None):
    """Names of the registered model builders (optionally those in ``module``), filtered by
    fnmatch patterns."""
    names = {name for name, fn in _MODELS.items()
             if module is None or fn.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        patterns = [include] if isinstance(include, str) else include
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else exclude
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)}
    return sorted(names)


def get_model_builder(name):
    try:
        return _MODELS[name.lower()]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    return get_model_builder(name)(**config)
