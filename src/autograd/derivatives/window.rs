//! Differentiable sliding windows: `unfold` (Im2ColBackward0) and `fold` (Col2ImBackward0),
//! each the other's gradient.
use super::gather::gather;
use super::grads;
use super::shape::{flatten, view};
use crate::autograd::graph::{record, BackwardFn, Ctx};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::window::{self as plain, Window};
use crate::tensor::Tensor;

pub fn unfold(input: &Tensor, w: &Window, pad_value: Scalar) -> Result<Tensor> {
    let out = plain::unfold(input, w, pad_value)?;
    let (size, w) = ([input.shape()[2], input.shape()[3]], *w);
    Ok(record("Im2ColBackward0", &[input], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || fold(&g[0], size, &w))?])) as BackwardFn
    }))
}

pub fn fold(columns: &Tensor, size: [usize; 2], w: &Window) -> Result<Tensor> {
    let out = plain::fold(columns, size, w)?;
    let w = *w;
    Ok(record("Col2ImBackward0", &[columns], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || unfold(&g[0], &w, Scalar::Float(0.0)))?])) as BackwardFn
    }))
}

/// `max_pool2d_with_indices`: the values are gathered from the input at the indices, so the
/// gradient flows back to each window's maximum (GatherBackward0).
pub fn max_pool2d(input: &Tensor, w: &Window) -> Result<(Tensor, Tensor)> {
    let (values, indices) = plain::max_pool2d(input, w)?;
    if !crate::autograd::graph::any_requires_grad(&[input]) {
        return Ok((values, indices));
    }
    let shape: Vec<i64> = values.shape().iter().map(|&d| d as i64).collect();
    let picked = gather(&flatten(input, 2, -1)?, 2, &indices.view(&[shape[0], shape[1], -1])?)?;
    Ok((view(&picked, &shape)?, indices))
}
