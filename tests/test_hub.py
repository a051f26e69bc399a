"""torch.hub against PyTorch's documented behaviour: the cache directory rules, checkpoints read
from $TORCH_HOME/hub/checkpoints under the URL's file name, the offline error, and entry points
of local (or already cached) repositories."""
import os
import urllib.error

import pytest
import rustorch as torch
from rustorch import hub

HUBCONF = '''
dependencies = ["os"]


def tiny(scale=1.0):
    """A one-parameter model."""
    import rustorch
    return rustorch.nn.Linear(1, 1) if scale else None


def _private():
    pass
'''


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return tmp_path


def test_get_dir_follows_torch_home_xdg_and_set_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.get_dir() == str(tmp_path / "xdg" / "torch" / "hub")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    assert hub.get_dir() == str(tmp_path / "home" / "hub")
    hub.set_dir(str(tmp_path / "custom"))
    assert hub.get_dir() == str(tmp_path / "custom")


def test_load_state_dict_from_url_reads_the_cache(torch_home, capsys):
    state = {"weight": torch.arange(6.0).reshape(2, 3), "bias": torch.tensor([0.5, -1.0])}
    checkpoints = torch_home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(state, str(checkpoints / "tiny-0123abcd.pth"))
    loaded = hub.load_state_dict_from_url("https://download.pytorch.org/models/tiny-0123abcd.pth?raw=1",
                                          check_hash=True, weights_only=True)
    assert sorted(loaded) == ["bias", "weight"]
    assert torch.equal(loaded["weight"], state["weight"]) and torch.equal(loaded["bias"], state["bias"])
    other = hub.load_state_dict_from_url("https://example.invalid/whatever.pth", file_name="tiny-0123abcd.pth")
    assert torch.equal(other["bias"], state["bias"])
    assert capsys.readouterr().out == ""  # nothing was downloaded


def test_missing_checkpoint_offline_raises_a_clear_error(torch_home, capsys):
    # Port 9 (discard) on the loopback refuses the connection at once: no network is needed.
    with pytest.raises(urllib.error.URLError, match="could not download .*place the file at"):
        hub.load_state_dict_from_url("http://127.0.0.1:9/models/absent-12345678.pth")
    expected = os.path.join(str(torch_home), "hub", "checkpoints", "absent-12345678.pth")
    assert capsys.readouterr().out == f'Downloading: "http://127.0.0.1:9/models/absent-12345678.pth" to {expected}\n'
    assert not os.path.exists(expected)
    assert not [f for f in os.listdir(os.path.dirname(expected)) if f.endswith(".partial")]


def test_local_repository_entry_points(tmp_path, torch_home):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "hubconf.py").write_text(HUBCONF)
    model = hub.load(str(repo), "tiny", source="local", scale=2.0)
    assert isinstance(model, torch.nn.Linear)
    with pytest.raises(RuntimeError, match="Cannot find callable missing in hubconf"):
        hub.load(str(repo), "missing", source="local")
    with pytest.raises(ValueError, match='Unknown source: "svn". Allowed values: "github" | "local".'):
        hub.load(str(repo), "tiny", source="svn")


def test_github_repositories_need_the_cache(torch_home):
    with pytest.raises(RuntimeError, match="fetching the GitHub repository pytorch/vision is not supported"):
        hub.load("pytorch/vision", "resnet18")
    with pytest.raises(RuntimeError, match="not supported"):
        hub.list("pytorch/vision")
    cached = torch_home / "hub" / "owner_repo_main"
    cached.mkdir(parents=True)
    (cached / "hubconf.py").write_text(HUBCONF)
    assert hub.list("owner/repo") == ["tiny"]
    assert hub.help("owner/repo", "tiny") == "A one-parameter model."
    assert isinstance(hub.load("owner/repo", "tiny"), torch.nn.Linear)
    with pytest.raises(RuntimeError, match="not supported"):
        hub.load("owner/repo:v2", "tiny")
