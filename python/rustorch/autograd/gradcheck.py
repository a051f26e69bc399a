"""``gradcheck`` / ``gradgradcheck``: analytical gradients (from the engine) compared with
central finite differences, element by element, in the inputs' precision (use float64).
NumPy is imported where it is used, so that `import rustorch` does not pay for it."""
import warnings

from .._C import Tensor, float64

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck / gradgradcheck when a gradient is wrong."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable(outputs):
    return tuple(o for o in _as_tuple(outputs) if isinstance(o, Tensor) and o.requires_grad)


def _writable_view(t):
    """A NumPy array over the tensor's own memory (strides included), for perturbing it."""
    import numpy as np
    return np.asarray(t.detach())


def _numerical_jacobians(func, inputs, diff_idx, n_outputs, eps):
    """J[i][k]: d(output k) / d(input i) as an array of shape (numel_in, numel_out)."""
    import numpy as np

    def evaluate():
        # Not under no_grad: gradgradcheck's function differentiates inside.
        outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
        return [np.array(o.detach(), dtype=np.float64).ravel() for o in outs[:n_outputs]]

    jacobians = []
    for i in diff_idx:
        arr = _writable_view(inputs[i])
        per_output = None
        for flat, idx in enumerate(np.ndindex(arr.shape)):
            orig = arr[idx].copy()
            arr[idx] = orig - eps
            minus = evaluate()
            arr[idx] = orig + eps
            plus = evaluate()
            arr[idx] = orig
            if per_output is None:
                per_output = [np.zeros((arr.size, p.size)) for p in plus]
            for k, (p, m) in enumerate(zip(plus, minus)):
                per_output[k][flat] = (p - m) / (2 * eps)
        if per_output is None:  # an empty input
            per_output = [np.zeros((0, p.size)) for p in evaluate()]
        jacobians.append(per_output)
    return jacobians


def _analytical_jacobians(inputs, diff_idx, outputs):
    import numpy as np
    from . import grad
    from .. import zeros

    diff_inputs = [inputs[i] for i in diff_idx]
    jacobians = [[np.zeros((inputs[i].numel(), o.numel())) for o in outputs] for i in diff_idx]
    for k, out in enumerate(outputs):
        for j in range(out.numel()):
            grad_output = zeros(out.shape, dtype=out.dtype)
            np.asarray(grad_output).reshape(-1)[j] = 1
            grads = grad(out, diff_inputs, grad_output, retain_graph=True, allow_unused=True)
            for n, (x, g) in enumerate(zip(diff_inputs, grads)):
                if g is None:
                    continue
                if g.shape != x.shape:
                    raise GradcheckError(f"Gradient has incorrect size: got {tuple(g.shape)}, expected {tuple(x.shape)}")
                jacobians[n][k][:, j] = np.array(g.detach(), dtype=np.float64).ravel()
    return jacobians


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Checks the gradients of ``func`` at ``inputs`` against finite differences."""
    import numpy as np
    inputs = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of the them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype != float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ")
    outputs = _differentiable(func(*inputs))
    numerical = _numerical_jacobians(func, inputs, diff_idx, len(outputs) or 1, eps)
    if not outputs:
        for per_output in numerical:
            if any(np.any(j != 0) for j in per_output):
                return _fail(raise_exception, "Numerical gradient for function expected to be zero")
        return True
    analytical = _analytical_jacobians(inputs, diff_idx, outputs)
    for n, i in enumerate(diff_idx):
        for k in range(len(outputs)):
            a, num = analytical[n][k], numerical[n][k]
            if not np.allclose(a, num, rtol=rtol, atol=atol, equal_nan=False):
                return _fail(raise_exception,
                             f"Jacobian mismatch for output {k} with respect to input {i},\n"
                             f"numerical:{num}\nanalytical:{a}\n")
    return True


def _fail(raise_exception, msg):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Checks second derivatives: gradcheck of the map (inputs, v) -> vᵀ·J(inputs)."""
    import numpy as np
    from . import grad
    from .. import tensor

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.RandomState(0)
        grad_outputs = tuple(
            tensor(np.asarray(rng.randn(*o.shape)), dtype=o.dtype, requires_grad=True)
            for o in _differentiable(func(*inputs)))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivatives(*args):
        inp, vs = args[:len(args) - n_out], args[len(args) - n_out:]
        outs = _differentiable(func(*inp))
        grads = grad(outs, [inp[i] for i in diff_idx], vs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
