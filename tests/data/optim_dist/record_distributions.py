"""Records torch.distributions behaviour from real PyTorch for tests/test_distributions.py.

Run with PyTorch's venv: /opt/torchvenv/bin/python tests/data/optim_dist/record_distributions.py
Each case is a Python expression building a distribution from ``torch`` and ``D``
(torch.distributions); the test evaluates the same text with rustorch. Recorded: shapes,
seeded sample/rsample draws, log_prob at fixed points, entropy, moments, cdf/icdf, KL values,
and the ValueError messages of argument/sample validation.
"""
import json
import os

import torch
from torch import distributions as D

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    "normal": ("D.Normal(torch.tensor([0.0, 1.0, -2.0]), torch.tensor([1.0, 0.5, 3.0]))", "torch.tensor([0.3, 1.2, -5.0])"),
    "normal_scalar": ("D.Normal(0.5, 2.0)", "torch.tensor([0.3, 1.2, -5.0])"),
    "normal_f64": ("D.Normal(torch.tensor([0.0, 1.0], dtype=torch.float64), torch.tensor([1.0, 0.5], dtype=torch.float64))", "torch.tensor([0.3, 1.2], dtype=torch.float64)"),
    "bernoulli": ("D.Bernoulli(probs=torch.tensor([0.1, 0.5, 0.9]))", "torch.tensor([1.0, 0.0, 1.0])"),
    "bernoulli_logits": ("D.Bernoulli(logits=torch.tensor([-1.0, 0.0, 2.0]))", "torch.tensor([1.0, 0.0, 1.0])"),
    "categorical": ("D.Categorical(probs=torch.tensor([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]))", "torch.tensor([2, 0])"),
    "categorical_logits": ("D.Categorical(logits=torch.tensor([0.3, -1.0, 2.0, 0.0]))", "torch.tensor([3, 1])"),
    "one_hot": ("D.OneHotCategorical(probs=torch.tensor([0.1, 0.2, 0.7]))", "torch.tensor([0.0, 0.0, 1.0])"),
    "uniform": ("D.Uniform(torch.tensor([0.0, -1.0]), torch.tensor([2.0, 3.0]))", "torch.tensor([0.5, 2.5])"),
    "exponential": ("D.Exponential(torch.tensor([0.5, 2.0]))", "torch.tensor([0.3, 1.7])"),
    "laplace": ("D.Laplace(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.3]))", "torch.tensor([0.4, -0.5])"),
    "gamma": ("D.Gamma(torch.tensor([0.5, 1.0, 3.0, 20.0]), torch.tensor([1.0, 2.0, 0.5, 1.0]))", "torch.tensor([0.3, 1.2, 4.0, 19.0])"),
    "gamma_f64": ("D.Gamma(torch.tensor([0.3, 2.5], dtype=torch.float64), torch.tensor([1.0, 3.0], dtype=torch.float64))", "torch.tensor([0.3, 1.2], dtype=torch.float64)"),
    "beta": ("D.Beta(torch.tensor([0.5, 2.0, 5.0]), torch.tensor([0.5, 3.0, 1.0]))", "torch.tensor([0.2, 0.5, 0.9])"),
    "dirichlet": ("D.Dirichlet(torch.tensor([[0.5, 1.0, 2.0], [3.0, 3.0, 0.2]]))", "torch.tensor([0.2, 0.3, 0.5])"),
    "poisson": ("D.Poisson(torch.tensor([0.5, 4.0, 12.0, 150.0]))", "torch.tensor([0.0, 3.0, 11.0, 140.0])"),
    "binomial": ("D.Binomial(torch.tensor([5.0, 10.0, 100.0, 40.0]), torch.tensor([0.3, 0.9, 0.4, 0.95]))", "torch.tensor([2.0, 9.0, 35.0, 38.0])"),
    "binomial_homog": ("D.Binomial(6, torch.tensor([0.2, 0.7]))", "torch.tensor([1.0, 5.0])"),
    "geometric": ("D.Geometric(torch.tensor([0.2, 0.7]))", "torch.tensor([3.0, 0.0])"),
    "lognormal": ("D.LogNormal(torch.tensor([0.0, 1.0]), torch.tensor([0.5, 1.0]))", "torch.tensor([0.8, 3.0])"),
    "mvn_cov": ("D.MultivariateNormal(torch.tensor([0.5, -1.0, 2.0]), covariance_matrix=torch.tensor([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]]))", "torch.tensor([0.0, 0.0, 1.5])"),
    "mvn_tril": ("D.MultivariateNormal(torch.zeros(2, 2), scale_tril=torch.tensor([[1.0, 0.0], [0.5, 2.0]]))", "torch.tensor([[0.3, -0.4], [1.0, 1.0]])"),
    "mvn_precision": ("D.MultivariateNormal(torch.tensor([1.0, 0.0]), precision_matrix=torch.tensor([[2.0, 0.4], [0.4, 1.5]]))", "torch.tensor([0.2, 0.4])"),
    "independent": ("D.Independent(D.Normal(torch.zeros(2, 3), torch.ones(2, 3) * 0.7), 1)", "torch.tensor([0.1, -0.2, 0.3])"),
    "transformed_affine": ("D.TransformedDistribution(D.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0])), [D.transforms.AffineTransform(1.0, 3.0), D.transforms.ExpTransform()])", "torch.tensor([2.0, 5.0])"),
    "transformed_sigmoid": ("D.TransformedDistribution(D.Uniform(torch.tensor([0.0]), torch.tensor([1.0])), [D.transforms.SigmoidTransform().inv, D.transforms.AffineTransform(0.5, -2.0)])", "torch.tensor([0.3])"),
    "transformed_tanh": ("D.TransformedDistribution(D.Normal(0.0, 1.0), [D.transforms.TanhTransform()])", "torch.tensor([0.3, -0.6])"),
}

PROPERTIES = ["mean", "variance", "stddev", "mode"]

KL_PAIRS = {
    "normal": ("D.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))", "D.Normal(torch.tensor([0.5, 0.0]), torch.tensor([2.0, 1.0]))"),
    "bernoulli": ("D.Bernoulli(torch.tensor([0.2, 0.9]))", "D.Bernoulli(torch.tensor([0.5, 0.4]))"),
    "categorical": ("D.Categorical(torch.tensor([0.2, 0.3, 0.5]))", "D.Categorical(torch.tensor([0.4, 0.4, 0.2]))"),
    "one_hot": ("D.OneHotCategorical(torch.tensor([0.2, 0.3, 0.5]))", "D.OneHotCategorical(torch.tensor([0.4, 0.4, 0.2]))"),
    "uniform": ("D.Uniform(torch.tensor([0.0, 0.0]), torch.tensor([1.0, 1.0]))", "D.Uniform(torch.tensor([-1.0, 0.5]), torch.tensor([2.0, 1.0]))"),
    "uniform_normal": ("D.Uniform(torch.tensor([0.0]), torch.tensor([2.0]))", "D.Normal(torch.tensor([0.5]), torch.tensor([1.5]))"),
    "exponential": ("D.Exponential(torch.tensor([0.5, 2.0]))", "D.Exponential(torch.tensor([1.0, 1.0]))"),
    "laplace": ("D.Laplace(torch.tensor([0.0]), torch.tensor([1.0]))", "D.Laplace(torch.tensor([1.0]), torch.tensor([2.0]))"),
    "gamma": ("D.Gamma(torch.tensor([0.5, 3.0]), torch.tensor([1.0, 2.0]))", "D.Gamma(torch.tensor([2.0, 1.0]), torch.tensor([0.5, 1.0]))"),
    "beta": ("D.Beta(torch.tensor([0.5, 2.0]), torch.tensor([1.5, 3.0]))", "D.Beta(torch.tensor([1.0, 1.0]), torch.tensor([2.0, 0.5]))"),
    "dirichlet": ("D.Dirichlet(torch.tensor([0.5, 1.0, 2.0]))", "D.Dirichlet(torch.tensor([1.0, 1.0, 1.0]))"),
    "poisson": ("D.Poisson(torch.tensor([0.5, 4.0]))", "D.Poisson(torch.tensor([1.0, 3.0]))"),
    "geometric": ("D.Geometric(torch.tensor([0.2, 0.7]))", "D.Geometric(torch.tensor([0.5, 0.5]))"),
    "binomial": ("D.Binomial(10, torch.tensor([0.2, 0.7]))", "D.Binomial(10, torch.tensor([0.5, 0.5]))"),
    "mvn": ("D.MultivariateNormal(torch.tensor([0.0, 1.0]), covariance_matrix=torch.tensor([[2.0, 0.3], [0.3, 1.0]]))", "D.MultivariateNormal(torch.tensor([1.0, 0.0]), scale_tril=torch.tensor([[1.0, 0.0], [0.2, 0.5]]))"),
    "independent": ("D.Independent(D.Normal(torch.zeros(3), torch.ones(3)), 1)", "D.Independent(D.Normal(torch.ones(3), 2 * torch.ones(3)), 1)"),
    "lognormal": ("D.LogNormal(torch.tensor([0.0]), torch.tensor([1.0]))", "D.LogNormal(torch.tensor([1.0]), torch.tensor([0.5]))"),
}

ERRORS = [
    "D.Normal(torch.tensor([0.0]), torch.tensor([-1.0]))",
    "D.Bernoulli(probs=torch.tensor([1.5]))",
    "D.Categorical(probs=torch.tensor([0.5, -0.5]))",
    "D.Bernoulli()",
    "D.Categorical(torch.tensor(0.5))",
    "D.Uniform(torch.tensor([1.0]), torch.tensor([0.0]))",
    "D.MultivariateNormal(torch.zeros(2))",
    "D.Normal(0.0, 1.0).log_prob(3.0)",
    "D.Normal(torch.zeros(2), torch.ones(2)).log_prob(torch.zeros(3))",
    "D.Exponential(torch.tensor([1.0])).log_prob(torch.tensor([-1.0]))",
    "D.Categorical(torch.tensor([0.5, 0.5])).log_prob(torch.tensor([2]))",
    "D.Dirichlet(torch.tensor(1.0))",
    "D.Independent(D.Normal(torch.zeros(2), torch.ones(2)), 2)",
    "D.kl_divergence(D.Categorical(torch.tensor([0.5, 0.5])), D.Normal(0.0, 1.0))",
]


def to_list(x):
    if isinstance(x, torch.Tensor):
        return {"dtype": str(x.dtype).replace("torch.", ""), "values": x.tolist(), "shape": list(x.shape)}
    return x


def try_value(fn):
    try:
        return to_list(fn())
    except (NotImplementedError, ValueError, RuntimeError) as e:
        return {"error": type(e).__name__}


def record_case(expr, value_expr):
    dist = eval(expr)
    value = eval(value_expr)
    out = {"expr": expr, "value": value_expr, "batch_shape": list(dist.batch_shape),
           "event_shape": list(dist.event_shape), "repr": repr(dist), "support": repr(dist.support)}
    torch.manual_seed(2024)
    out["sample"] = to_list(dist.sample((4,)))
    torch.manual_seed(7)
    out["sample_scalar_shape"] = to_list(dist.sample())
    if dist.has_rsample:
        torch.manual_seed(11)
        out["rsample"] = to_list(dist.rsample((2, 3)))
    out["log_prob"] = to_list(dist.log_prob(value))
    out["entropy"] = try_value(dist.entropy)
    for prop in PROPERTIES:
        out[prop] = try_value(lambda: getattr(dist, prop))
    out["cdf"] = try_value(lambda: dist.cdf(value))
    out["icdf"] = try_value(lambda: dist.icdf(torch.full(value.shape, 0.3)))
    expanded = dist.expand((5,) + tuple(dist.batch_shape))
    out["expanded_batch_shape"] = list(expanded.batch_shape)
    out["expanded_log_prob"] = try_value(lambda: expanded.log_prob(value))
    if dist.has_enumerate_support:
        out["enumerate_support"] = try_value(dist.enumerate_support)
    return out


def main():
    out = {"cases": {name: record_case(*spec) for name, spec in CASES.items()}}
    out["kl"] = {name: {"p": p, "q": q, "value": to_list(D.kl_divergence(eval(p), eval(q)))} for name, (p, q) in KL_PAIRS.items()}
    errors = {}
    for expr in ERRORS:
        try:
            eval(expr)
            errors[expr] = None
        except Exception as e:  # noqa: BLE001 - the recorded type and message are the point
            errors[expr] = [type(e).__name__, str(e)]
    out["errors"] = errors
    torch.manual_seed(3)
    big = {"gamma": torch._standard_gamma(torch.tensor([0.2, 0.9, 1.0, 4.5, 60.0]).repeat(20)).tolist(),
           "poisson": torch.poisson(torch.tensor([0.0, 0.3, 9.9, 10.0, 500.0]).repeat(20)).tolist(),
           "binomial": torch.binomial(torch.tensor([0.0, 3.0, 30.0, 1000.0]).repeat(20), torch.tensor([0.5, 0.01, 0.6, 0.999]).repeat(20)).tolist(),
           "dirichlet": torch._sample_dirichlet(torch.tensor([[0.1, 1.0, 5.0]]).repeat(10, 1)).tolist()}
    out["samplers"] = big
    with open(os.path.join(HERE, "distributions.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
