"""``rustorch.random``: seeding and the state of the default random number generator."""
import contextlib

from ._C import _cuda_default_generator, default_generator

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng"]


def manual_seed(seed):
    """Seeds the default generators of every device (any int in [-2**63, 2**64)), as PyTorch
    does; returns the CPU one."""
    _cuda_default_generator.manual_seed(int(seed))
    return default_generator.manual_seed(int(seed))


def seed():
    """Seeds the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state, a ``torch.ByteTensor``."""
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Restores the default generator's state on exit, so random calls inside do not
    disturb the stream outside."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
