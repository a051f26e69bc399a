"""Stand-in ``torchvision`` for processes started under ``rustorch run`` (see torch/__init__.py)."""
import sys

from rustorch._torch_alias import install

install()
sys.modules[__name__] = sys.modules["rustorch.vision"]
