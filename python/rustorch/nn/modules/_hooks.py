"""``RemovableHandle``: what ``register_*_hook`` returns (PyTorch's ``torch.utils.hooks``)."""
import weakref

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Removes the hook stored under ``self.id`` in the hooks dict (and any extra dicts).

    The dicts are held weakly (so they must be ``OrderedDict``s, as Module's hook dicts are)."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra_dict = []
        elif isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self):
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            hooks = ref()
            if hooks is not None and self.id in hooks:
                del hooks[self.id]

    def __enter__(self):
        return self

    def __exit__(self, type, value, tb):
        self.remove()
