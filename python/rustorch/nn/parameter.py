"""``nn.Parameter``: a tensor that is a module parameter (requires grad by default)."""
from .._C import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor sharing ``data``'s memory, with ``requires_grad=True`` by default."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty
            data = empty(0)
        return Tensor._make_subclass(cls, data, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        # As PyTorch: checkpoints name torch._utils._rebuild_parameter.
        from .._utils import _get_obj_state, _rebuild_parameter, _rebuild_parameter_with_state
        from collections import OrderedDict

        state = _get_obj_state(self)
        if not state:
            return (_rebuild_parameter, (self.data, self.requires_grad, OrderedDict()))
        return (_rebuild_parameter_with_state, (self.data, self.requires_grad, OrderedDict(), state))
