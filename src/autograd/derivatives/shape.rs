//! Differentiable views and reshapes (same signatures as the plain `Tensor` methods / `crate::ops::shape`).
use super::grads;
use crate::autograd::graph::{record, BackwardFn, Ctx};
use crate::error::Result;
use crate::tensor::Tensor;

/// `view(shape)` (ViewBackward0: the gradient is reshaped back).
pub fn view(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let out = t.view(shape)?;
    Ok(reshaped_back("ViewBackward0", t, out))
}

/// `reshape(shape)`: a view when the strides allow, else a copy (CloneBackward0 followed by
/// UnsafeViewBackward0, as in PyTorch).
pub fn reshape(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let dims = crate::layout::infer_shape(shape, t.numel())?;
    if t.layout.view_strides(&dims).is_some() {
        return view(t, shape);
    }
    let copy = super::clone(t)?;
    let out = copy.view(shape)?;
    Ok(reshaped_back("UnsafeViewBackward0", &copy, out))
}

fn reshaped_back(name: &'static str, t: &Tensor, out: Tensor) -> Tensor {
    let shape: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
    record(name, &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || reshape(&g[0], &shape))?])) as BackwardFn
    })
}

/// `expand` / `broadcast_to` (ExpandBackward0: the gradient is summed back).
pub fn expand(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let out = t.with_layout(t.layout.broadcast_to(shape)?);
    let from = t.shape_dims();
    Ok(record("ExpandBackward0", &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || sum_to(&g[0], &from))?])) as BackwardFn
    }))
}

/// Sums `g` down to `shape` (which `g`'s shape is a broadcast of): PyTorch's `sum_to_size`.
pub fn sum_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let lead = g.ndim() - shape.len();
    let dims: Vec<i64> = (0..g.ndim())
        .filter(|&d| d < lead || (shape[d - lead] == 1 && g.shape()[d] != 1))
        .map(|d| d as i64)
        .collect();
    let summed = if dims.is_empty() { g.clone() } else { super::reduce::sum(g, Some(&dims), true, None)? };
    let target: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    reshape(&summed, &target)
}
