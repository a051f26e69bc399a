//! Differentiable scans and softmax (same functions as `crate::ops::scan`).
use super::binary::{div, mul, sub};
use super::rearrange::flip;
use super::sort::selected_along;
use super::unary::unary;
use super::grads;
use crate::autograd::graph::{record, BackwardFn, Ctx, Saver};
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::wrap_dim;
use crate::ops::reduce::Extreme;
use crate::ops::scan as plain;
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

/// `cumsum` (CumsumBackward0) / `cumprod` (CumprodBackward0). The cumprod gradient is the
/// reversed cumulative sum of `g * result`, divided by the input (inputs must be nonzero).
pub fn cumulative(t: &Tensor, dim: i64, dtype: Option<DType>, product: bool) -> Result<Tensor> {
    let out = plain::cumulative(t, dim, dtype, product)?;
    let d = if t.ndim() == 0 { 0 } else { wrap_dim(dim, t.ndim())? as i64 };
    let reversed_cumsum = move |g: &Tensor| -> Result<Tensor> {
        if g.ndim() == 0 {
            return Ok(g.clone());
        }
        flip(&cumulative(&flip(g, &[d])?, d, None, false)?, &[d])
    };
    if !product {
        return Ok(record("CumsumBackward0", &[t], out, move |_s: &mut Saver| {
            Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || reversed_cumsum(&g[0]))?])) as BackwardFn
        }));
    }
    Ok(record("CumprodBackward0", &[t], out, move |s: &mut Saver| {
        let (x, r) = (s.save(t), s.save_output());
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([c.grad(0, || div(&reversed_cumsum(&mul(&g[0], &c.unpack(&r)?)?)?, &c.unpack(&x)?))?])
        }) as BackwardFn
    }))
}

/// `cummax` / `cummin` (CummaxBackward0 / CumminBackward0): each running extreme came from the
/// element at its index.
pub fn cumulative_extreme(t: &Tensor, dim: i64, which: Extreme) -> Result<(Tensor, Tensor)> {
    let name = if which == Extreme::Max { "CummaxBackward0" } else { "CumminBackward0" };
    selected_along(name, t, plain::cumulative_extreme(t, dim, which)?, dim)
}

/// `softmax` (SoftmaxBackward0) / `log_softmax` (LogSoftmaxBackward0).
pub fn softmax(t: &Tensor, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
    let out = plain::softmax(t, dim, dtype, log)?;
    let d = [dim];
    let name = if log { "LogSoftmaxBackward0" } else { "SoftmaxBackward0" };
    Ok(record(name, &[t], out, move |s: &mut Saver| {
        let y = s.save_output();
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([c.grad(0, || {
                let (g, y) = (&g[0], c.unpack(&y)?);
                if log {
                    // g - softmax * sum(g)
                    let total = super::reduce::sum(g, Some(&d), true, None)?;
                    sub(g, &mul(&unary(UnaryOp::Exp, &y)?, &total)?)
                } else {
                    // y * (g - sum(g * y))
                    let dot = super::reduce::sum(&mul(g, &y)?, Some(&d), true, None)?;
                    mul(&y, &sub(g, &dot)?)
                }
            })?])
        }) as BackwardFn
    }))
}
