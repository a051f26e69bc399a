"""``rustorch.version``: build information in PyTorch's shape."""
__version__ = "0.1.0"
cuda = None
git_version = None
debug = False
