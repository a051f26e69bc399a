//! Differentiable reductions (same signatures as `crate::ops::reduce`).
use super::grads;
use super::shape::{expand_to, reshape};
use crate::autograd::graph::{record, BackwardFn, Ctx};
use crate::dtype::DType;
use crate::error::Result;
use crate::ops::reduce::{self as plain, reduction_dims};
use crate::tensor::Tensor;

/// `sum` (SumBackward0 over everything, SumBackward1 over given dims).
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::sum(t, dims, keepdim, dtype)?;
    let name = if dims.is_some() { "SumBackward1" } else { "SumBackward0" };
    let (shape, reduced) = (t.shape_dims(), reduction_dims(dims, t.ndim())?);
    Ok(record(name, &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || sum_backward(&g[0], &shape, &reduced, keepdim))?])) as BackwardFn
    }))
}

/// `mean` (MeanBackward0 / MeanBackward1): the sum's gradient divided by the count.
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::mean(t, dims, keepdim, dtype)?;
    let name = if dims.is_some() { "MeanBackward1" } else { "MeanBackward0" };
    let (shape, reduced) = (t.shape_dims(), reduction_dims(dims, t.ndim())?);
    let count = reduced.iter().map(|&d| shape[d]).product::<usize>() as f64;
    Ok(record(name, &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([c.grad(0, || super::binary::mul_scalar(&sum_backward(&g[0], &shape, &reduced, keepdim)?, 1.0 / count))?])
        }) as BackwardFn
    }))
}

/// The gradient of a sum over `dims`: the output gradient broadcast back over them.
pub fn sum_backward(g: &Tensor, shape: &[usize], dims: &[usize], keepdim: bool) -> Result<Tensor> {
    let g = if keepdim {
        g.clone()
    } else {
        let kept: Vec<i64> = shape.iter().enumerate().map(|(i, &s)| if dims.contains(&i) { 1 } else { s as i64 }).collect();
        reshape(g, &kept)?
    };
    expand_to(&g, shape)
}
