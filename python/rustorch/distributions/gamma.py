"""``torch.distributions.Gamma`` (shape ``concentration``, inverse scale ``rate``)."""
from numbers import Number

from .. import _C
from .._size import Size
from ..autograd.grad_mode import no_grad
from . import constraints
from ._special import digamma, lgamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all, finfo_tiny, xlogy

__all__ = ["Gamma"]


def _no_concentration_gradient(concentration):
    # PyTorch differentiates the draw through ATen's _standard_gamma_grad, which rustorch lacks.
    if concentration.requires_grad:
        raise NotImplementedError(
            "rsample: the gradient with respect to the concentration (implicit reparameterization through "
            "_standard_gamma_grad) is not implemented in rustorch; detach the concentration or use sample()"
        )


class Gamma(ExponentialFamily):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, Number) and isinstance(rate, Number)
        super().__init__(Size() if scalar else self.concentration.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_into(Gamma, batch_shape, _instance, ("concentration", "rate"))

    def sample(self, sample_shape=Size(), *, generator=None):
        with no_grad():
            return self.rsample(sample_shape, generator=generator)

    def rsample(self, sample_shape=Size(), generator=None):
        _no_concentration_gradient(self.concentration)
        shape = self._extended_shape(sample_shape)
        draws = _C._standard_gamma(self.concentration.detach().expand(shape).contiguous(), generator=generator)
        value = draws / self.rate.expand(shape)
        value.detach().clamp_(min=finfo_tiny(value.dtype))
        return value

    def log_prob(self, value):
        value = _C.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value)
                - self.rate * value - lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - self.rate.log() + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()
