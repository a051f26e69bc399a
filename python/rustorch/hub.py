"""``torch.hub``: the hub cache directory, checkpoints from the local cache, and entry points of
repositories that are already on disk (``source='local'``, or a GitHub repository PyTorch's hub
already cached). Fetching a repository from GitHub is not implemented; a checkpoint missing from
the cache is downloaded with ``urllib`` and fails with a clear error when there is no network."""
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
import warnings
import zipfile
from urllib.parse import urlparse

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url", "set_dir"]

ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
MODULE_HUBCONF = "hubconf.py"
VAR_DEPENDENCY = "dependencies"
# A checkpoint named like ``resnet18-5c106cde.pth`` carries the first hex digits of its SHA-256.
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
READ_DATA_CHUNK = 128 * 1024

_hub_dir = None


def _get_torch_home():
    return os.path.expanduser(
        os.getenv(ENV_TORCH_HOME, os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch"))
    )


def get_dir():
    """The hub cache: ``set_dir``'s directory, else ``$TORCH_HOME/hub`` (``$TORCH_HOME`` defaults to
    ``$XDG_CACHE_HOME/torch``, that to ``~/.cache``)."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d):
    """Sets the hub cache directory for this process."""
    global _hub_dir
    _hub_dir = os.path.expanduser(d)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Downloads ``url`` to ``dst`` (through a temporary file, checking the SHA-256 prefix)."""
    dst = os.path.expanduser(dst)
    for _ in range(10000):
        tmp_dst = dst + "." + os.urandom(16).hex() + ".partial"
        if not os.path.exists(tmp_dst):
            break
    else:
        raise FileExistsError(17, "No usable temporary file name found")
    try:
        try:
            response = urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "torch.hub"}))
        except urllib.error.URLError as e:
            raise urllib.error.URLError(
                f"could not download {url} ({e.reason}). Without network access, place the file at {dst} "
                "(the hub cache) yourself"
            ) from e
        sha256 = hashlib.sha256() if hash_prefix is not None else None
        with open(tmp_dst, "wb") as f, response:
            while True:
                buffer = response.read(READ_DATA_CHUNK)
                if not buffer:
                    break
                f.write(buffer)
                if sha256 is not None:
                    sha256.update(buffer)
        if sha256 is not None:
            digest = sha256.hexdigest()
            if digest[: len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(tmp_dst, dst)
    finally:
        if os.path.exists(tmp_dst):
            os.remove(tmp_dst)


def _is_legacy_zip_format(filename):
    """A zip holding a single legacy-format file (not a torch.save zip archive)."""
    if zipfile.is_zipfile(filename):
        infolist = zipfile.ZipFile(filename).infolist()
        return len(infolist) == 1 and not infolist[0].is_dir()
    return False


def _legacy_zip_load(filename, model_dir, map_location, weights_only):
    from .serialization import load
    with zipfile.ZipFile(filename) as f:
        members = f.infolist()
        if len(members) != 1:
            raise RuntimeError("Only one file(not dir) is allowed in the zipfile")
        f.extractall(model_dir)
        extracted_name = members[0].filename
        extracted_file = os.path.join(model_dir, extracted_name)
    return load(extracted_file, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """Loads the object saved at ``url`` from ``<hub dir>/checkpoints/<file name of the URL>``,
    downloading it first when it is not cached (``check_hash`` verifies a download against the
    hash prefix in the file name, as PyTorch does)."""
    from .serialization import load
    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            match = HASH_REGEX.search(filename)
            hash_prefix = match.group(1) if match else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return load(cached_file, map_location=map_location, weights_only=weights_only)


def _parse_repo_info(github):
    if ":" in github:
        repo_info, ref = github.split(":")
    else:
        repo_info, ref = github, "main"
    repo_owner, repo_name = repo_info.split("/")
    return repo_owner, repo_name, ref


def _cached_repo_dir(github, force_reload):
    """The directory PyTorch's hub keeps ``owner/name[:ref]`` in; fetching is not implemented."""
    repo_owner, repo_name, ref = _parse_repo_info(github)
    candidates = [ref] if ":" in github else ["main", "master"]
    for candidate in candidates:
        repo_dir = os.path.join(get_dir(), "_".join([repo_owner, repo_name, candidate.replace("/", "_")]))
        if os.path.exists(repo_dir) and not force_reload:
            return repo_dir
    raise RuntimeError(
        f"torch.hub: fetching the GitHub repository {github} is not supported by rustorch (it needs the network "
        f"and GitHub's API). Clone it yourself and use source='local' with its directory, or place it in "
        f"{get_dir()} as {repo_owner}_{repo_name}_<ref>."
    )


def _import_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_hubconf(repo_dir):
    sys.path.insert(0, repo_dir)
    try:
        return _import_module(MODULE_HUBCONF, os.path.join(repo_dir, MODULE_HUBCONF))
    finally:
        sys.path.remove(repo_dir)


def _check_dependencies(module):
    dependencies = getattr(module, VAR_DEPENDENCY, None)
    if dependencies is not None:
        missing = [pkg for pkg in dependencies if importlib.util.find_spec(pkg) is None]
        if missing:
            raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")


def _load_entry_from_hubconf(module, model):
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    _check_dependencies(module)
    func = getattr(module, model, None)
    if func is None or not callable(func):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return func


def _repo_dir(repo_or_dir, source, force_reload):
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    return _cached_repo_dir(repo_or_dir, force_reload) if source == "github" else repo_or_dir


def list(github, force_reload=False, skip_validation=False, trust_repo="check", verbose=True):
    """The entry points (public callables) of the repository's ``hubconf.py``."""
    module = _load_hubconf(_cached_repo_dir(github, force_reload))
    return [f for f in dir(module) if callable(getattr(module, f)) and not f.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False, trust_repo="check"):
    """The docstring of the entry point ``model``."""
    module = _load_hubconf(_cached_repo_dir(github, force_reload))
    return _load_entry_from_hubconf(module, model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    """Calls the entry point ``model`` of the repository's ``hubconf.py`` with ``args``/``kwargs``."""
    repo_dir = _repo_dir(repo_or_dir, source, force_reload)
    module = _load_hubconf(repo_dir)
    return _load_entry_from_hubconf(module, model)(*args, **kwargs)
