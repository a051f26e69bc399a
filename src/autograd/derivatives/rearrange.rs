//! Differentiable copying shape ops: the same functions as `crate::ops::rearrange`.
use super::shape::{atleast_nd, diagonal, expand_to, narrow, reshape, select};
use super::views::{gathered, replay, scatter_back};
use super::{grads, Make};
use crate::autograd::graph::{any_requires_grad, check_inplace, record, record_inplace, BackwardFn, Ctx, Grads, Saver};
use crate::error::Result;
use crate::layout::wrap_dim;
use crate::ops::rearrange as plain;
use crate::tensor::Tensor;

/// `cat` (CatBackward0): each input gets its span of the gradient.
pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let out = plain::cat(tensors, dim)?;
    let refs: Vec<&Tensor> = tensors.iter().collect();
    if !any_requires_grad(&refs) {
        return Ok(out);
    }
    let d = wrap_dim(dim, out.ndim())? as i64;
    let mut start = 0;
    // Legacy empty inputs (shape [0]) take no part in the join.
    let spans: Vec<Option<(i64, i64)>> = tensors
        .iter()
        .map(|t| {
            (t.shape() != [0] || out.ndim() == 1).then(|| {
                let len = t.shape()[d as usize] as i64;
                start += len;
                (start - len, len)
            })
        })
        .collect();
    Ok(record("CatBackward0", &refs, out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            spans
                .iter()
                .enumerate()
                .map(|(i, span)| {
                    c.grad(i, || match span {
                        Some((s, len)) => narrow(&g[0], d, *s, *len),
                        None => Tensor::zeros(&[0], g[0].dtype),
                    })
                })
                .collect::<Result<Grads>>()
        }) as BackwardFn
    }))
}

/// `stack` (StackBackward0): input `i` gets the gradient's slice `i`.
pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let out = plain::stack(tensors, dim)?;
    let refs: Vec<&Tensor> = tensors.iter().collect();
    let d = wrap_dim(dim, out.ndim())? as i64;
    let n = tensors.len();
    Ok(record("StackBackward0", &refs, out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| (0..n).map(|i| c.grad(i, || select(&g[0], d, i as i64))).collect::<Result<Grads>>()) as BackwardFn
    }))
}

/// `hstack` / `vstack` / `dstack`: the inputs lifted to `min_ndim` dims, then joined.
pub fn stack_along(tensors: &[Tensor], min_ndim: usize) -> Result<Tensor> {
    let lifted = tensors.iter().map(|t| atleast_nd(t, min_ndim)).collect::<Result<Vec<_>>>()?;
    let dim = match min_ndim {
        1 if lifted.first().is_some_and(|t| t.ndim() == 1) => 0,
        1 => 1,
        2 => 0,
        _ => 2,
    };
    cat(&lifted, dim)
}

pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
    let columns = tensors
        .iter()
        .map(|t| if t.ndim() <= 1 { reshape(t, &[t.numel() as i64, 1]) } else { Ok(t.clone()) })
        .collect::<Result<Vec<_>>>()?;
    cat(&columns, 1)
}

/// A one-input op whose gradient is `backward(grad)`.
fn simple(name: &'static str, t: &Tensor, out: Tensor, backward: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Tensor {
    record(name, &[t], out, move |_s| Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || backward(&g[0]))?])) as BackwardFn)
}

pub fn flip(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let dims = dims.to_vec();
    let out = plain::flip(t, &dims)?;
    Ok(simple("FlipBackward0", t, out, move |g| flip(g, &dims)))
}

pub fn roll(t: &Tensor, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
    let out = plain::roll(t, shifts, dims)?;
    let (back, dims) = (shifts.iter().map(|s| -s).collect::<Vec<_>>(), dims.to_vec());
    Ok(simple("RollBackward0", t, out, move |g| roll(g, &back, &dims)))
}

pub fn repeat(t: &Tensor, reps: &[i64]) -> Result<Tensor> {
    let out = plain::repeat(t, reps)?;
    if !any_requires_grad(&[t]) {
        return Ok(out);
    }
    let reps = reps.to_vec();
    Ok(gathered("RepeatBackward0", t, out, replay(move |x| plain::repeat(x, &reps))))
}

pub fn tile(t: &Tensor, reps: &[i64]) -> Result<Tensor> {
    let out = plain::tile(t, reps)?;
    if !any_requires_grad(&[t]) {
        return Ok(out);
    }
    let reps = reps.to_vec();
    Ok(gathered("RepeatBackward0", t, out, replay(move |x| plain::tile(x, &reps))))
}

/// `diag`: a vector onto a matrix's diagonal (DiagEmbedBackward0), or a matrix's diagonal.
pub fn diag(t: &Tensor, offset: i64) -> Result<Tensor> {
    let out = plain::diag(t, offset)?;
    if !any_requires_grad(&[t]) {
        return Ok(out);
    }
    if t.ndim() == 1 {
        return Ok(simple("DiagEmbedBackward0", t, out, move |g| diagonal(g, offset, 0, 1)));
    }
    Ok(gathered("DiagonalBackward0", t, out, replay(move |x| plain::diag(x, offset))))
}

pub fn diag_embed(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let out = plain::diag_embed(t, offset, dim1, dim2)?;
    Ok(simple("DiagEmbedBackward0", t, out, move |g| diagonal(g, offset, dim1, dim2)))
}

fn triangle(lower: bool, k: i64) -> (&'static str, impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + Copy + 'static) {
    let name = if lower { "TrilBackward0" } else { "TriuBackward0" };
    (name, move |g: &Tensor| if lower { tril(g, k) } else { triu(g, k) })
}

pub fn tril(t: &Tensor, k: i64) -> Result<Tensor> {
    let (name, back) = triangle(true, k);
    Ok(simple(name, t, plain::tril(t, k)?, back))
}

pub fn triu(t: &Tensor, k: i64) -> Result<Tensor> {
    let (name, back) = triangle(false, k);
    Ok(simple(name, t, plain::triu(t, k)?, back))
}

pub fn tril_(t: &mut Tensor, k: i64) -> Result<()> {
    triangle_(t, k, true)
}

pub fn triu_(t: &mut Tensor, k: i64) -> Result<()> {
    triangle_(t, k, false)
}

fn triangle_(t: &mut Tensor, k: i64, lower: bool) -> Result<()> {
    if !any_requires_grad(&[t]) {
        return if lower { plain::tril_(t, k) } else { plain::triu_(t, k) };
    }
    check_inplace(t)?;
    let before = t.clone();
    if lower { plain::tril_(t, k) } else { plain::triu_(t, k) }?;
    let (name, back) = triangle(lower, k);
    let make: Make = Box::new(move |_s: &mut Saver| Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || back(&g[0]))?])) as BackwardFn);
    record_inplace(name, &[&before], t, make)
}

/// `trace` (TraceBackward0): the gradient goes onto the diagonal.
pub fn trace(t: &Tensor) -> Result<Tensor> {
    let out = plain::trace(t)?;
    let shape = t.shape_dims();
    let len = shape.iter().copied().min().unwrap_or(0);
    Ok(simple("TraceBackward0", t, out, move |g| {
        let on_diagonal = replay(|x| crate::ops::shape::diagonal(x, 0, 0, 1));
        scatter_back("DiagonalBackward0", &expand_to(g, &[len])?, &on_diagonal, &shape, true)
    }))
}
