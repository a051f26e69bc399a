//! Differentiable sliding windows: `unfold` (Im2ColBackward0) and `fold` (Col2ImBackward0),
//! each the other's gradient; and the pools built on them, whose backward passes are kernels
//! of their own (`ops::pool`), differentiable again for double backward.
use super::grads;
use crate::autograd::graph::{record, BackwardFn, Ctx};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::pool::{self, Divisor, Spans};
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

/// `max_pool2d_with_indices` (MaxPool2DWithIndicesBackward0): the gradient is one scatter of
/// the output gradient to the argmax the forward pass found.
pub fn max_pool2d(input: &Tensor, w: &Window) -> Result<(Tensor, Tensor)> {
    let (values, indices) = plain::max_pool2d(input, w)?;
    let size = [input.shape()[2], input.shape()[3]];
    let at = indices.clone();
    let values = record("MaxPool2DWithIndicesBackward0", &[input], values, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || scatter_planes(&g[0], &at, size))?])) as BackwardFn
    });
    Ok((values, indices))
}

/// The max pool's gradient scatter; its own gradient is the gather at the same positions.
fn scatter_planes(g: &Tensor, indices: &Tensor, size: [usize; 2]) -> Result<Tensor> {
    let out = pool::scatter_planes(g, indices, size)?;
    let at = indices.clone();
    Ok(record("MaxPool2DWithIndicesBackwardBackward0", &[g], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || gather_planes(&g[0], &at))?])) as BackwardFn
    }))
}

fn gather_planes(x: &Tensor, indices: &Tensor) -> Result<Tensor> {
    let out = pool::gather_planes(x, indices)?;
    let (at, size) = (indices.clone(), [x.shape()[x.ndim() - 2], x.shape()[x.ndim() - 1]]);
    Ok(record("GatherBackward0", &[x], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || scatter_planes(&g[0], &at, size))?])) as BackwardFn
    }))
}

/// Average and adaptive average pooling (`name` is the node's): window means, whose gradient
/// spreads each output gradient evenly over its window.
pub fn window_mean(name: &'static str, x: &Tensor, rows: &Spans, cols: &Spans, d: Divisor) -> Result<Tensor> {
    let out = pool::window_mean(x, rows, cols, d)?;
    let (size, rows, cols) = ([x.shape()[x.ndim() - 2], x.shape()[x.ndim() - 1]], rows.clone(), cols.clone());
    Ok(record(name, &[x], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || window_mean_backward(&g[0], size, &rows, &cols, d))?])) as BackwardFn
    }))
}

fn window_mean_backward(g: &Tensor, size: [usize; 2], rows: &Spans, cols: &Spans, d: Divisor) -> Result<Tensor> {
    let out = pool::window_mean_backward(g, size, rows, cols, d)?;
    let (rows, cols) = (rows.clone(), cols.clone());
    Ok(record("AvgPool2DBackwardBackward0", &[g], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || window_mean("AvgPool2DBackward0", &g[0], &rows, &cols, d))?])) as BackwardFn
    }))
}
