"""Stand-in ``torch`` found through PYTHONPATH in processes started under ``rustorch run``:
it installs the torch -> rustorch mapping and replaces itself with rustorch."""
import sys

from rustorch._torch_alias import install

sys.modules[__name__] = install()
