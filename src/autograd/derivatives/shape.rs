//! Differentiable views and reshapes: the same functions as `crate::ops::shape` (plus `view` and
//! `reshape`), each recording its node and remembering that its result is a view.
use super::grads;
use super::views::{gathered, replay, view_op};
use crate::autograd::graph::{any_requires_grad, record, record_multi, BackwardFn, Ctx};
use crate::error::{runtime, Result};
use crate::layout::wrap_dim;
use crate::ops::shape as plain;
use crate::tensor::Tensor;
use std::sync::Arc;

pub use plain::{fmt_dims, unique_dims};

fn as_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// A result whose elements are the input's in the same order: the gradient is reshaped back.
fn reshaped(name: &'static str, t: &Tensor, out: Tensor) -> Tensor {
    if !any_requires_grad(&[t]) {
        return out;
    }
    let (from, to) = (as_i64(t.shape()), as_i64(out.shape()));
    let back = from.clone();
    let r = replay(move |x| reshape_plain(x, &to));
    if Arc::ptr_eq(&t.storage, &out.storage) {
        view_op(name, t, out, r, move |g| reshape(g, &back))
    } else {
        record("UnsafeViewBackward0", &[t], out, move |_s| {
            Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || reshape(&g[0], &from))?])) as BackwardFn
        })
    }
}

fn reshape_plain(x: &Tensor, shape: &[i64]) -> Result<Tensor> {
    x.reshape(shape)
}

/// `_unsafe_view(shape)`: a reshape of an op's fresh result, not tracked as a view (nothing
/// else holds the base), recorded as PyTorch's UnsafeViewBackward0.
pub fn unsafe_view(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let out = t.reshape(shape)?;
    if !any_requires_grad(&[t]) {
        return Ok(out);
    }
    let from = as_i64(t.shape());
    Ok(record("UnsafeViewBackward0", &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || reshape(&g[0], &from))?])) as BackwardFn
    }))
}

/// `view(shape)` (ViewBackward0).
pub fn view(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    Ok(reshaped("ViewBackward0", t, t.view(shape)?))
}

/// `reshape(shape)`: a view when the strides allow (ViewBackward0), else a copy
/// (UnsafeViewBackward0).
pub fn reshape(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    Ok(reshaped("ViewBackward0", t, t.reshape(shape)?))
}

pub fn flatten(t: &Tensor, start_dim: i64, end_dim: i64) -> Result<Tensor> {
    let out = plain::flatten(t, start_dim, end_dim)?;
    Ok(if out.shape() == t.shape() && Arc::ptr_eq(&out.storage, &t.storage) && out.layout == t.layout { t.clone() } else { reshaped("ViewBackward0", t, out) })
}

pub fn unflatten(t: &Tensor, dim: i64, sizes: &[i64]) -> Result<Tensor> {
    Ok(reshaped("ViewBackward0", t, plain::unflatten(t, dim, sizes)?))
}

pub fn squeeze(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let name = match dims {
        None => "SqueezeBackward0",
        Some([_]) => "SqueezeBackward1",
        Some(_) => "SqueezeBackward2",
    };
    Ok(reshaped(name, t, plain::squeeze(t, dims)?))
}

pub fn unsqueeze(t: &Tensor, dim: i64) -> Result<Tensor> {
    Ok(reshaped("UnsqueezeBackward0", t, plain::unsqueeze(t, dim)?))
}

pub fn atleast_nd(t: &Tensor, n: usize) -> Result<Tensor> {
    if t.ndim() >= n {
        return Ok(t.clone());
    }
    Ok(reshaped("ViewBackward0", t, plain::atleast_nd(t, n)?))
}

/// A permuting view whose gradient is permuted back by `back`.
fn permuted(name: &'static str, t: &Tensor, out: Tensor, forward: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static, back: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Tensor {
    if !any_requires_grad(&[t]) {
        return out;
    }
    view_op(name, t, out, replay(forward), back)
}

pub fn transpose(t: &Tensor, dim0: i64, dim1: i64) -> Result<Tensor> {
    let out = plain::transpose(t, dim0, dim1)?;
    let f = move |x: &Tensor| plain::transpose(x, dim0, dim1);
    Ok(permuted("TransposeBackward0", t, out, f, move |g| transpose(g, dim0, dim1)))
}

pub fn matrix_t(t: &Tensor) -> Result<Tensor> {
    Ok(permuted("TBackward0", t, plain::matrix_t(t)?, plain::matrix_t, matrix_t))
}

pub fn matrix_transpose(t: &Tensor) -> Result<Tensor> {
    let out = plain::matrix_transpose(t)?;
    Ok(permuted("TransposeBackward0", t, out, plain::matrix_transpose, matrix_transpose))
}

pub fn reverse_dims(t: &Tensor) -> Tensor {
    let out = plain::reverse_dims(t);
    permuted("PermuteBackward0", t, out, |x| Ok(plain::reverse_dims(x)), |g| Ok(reverse_dims(g)))
}

pub fn permute(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let out = plain::permute(t, dims)?;
    let order = unique_dims(dims, t.ndim())?;
    let mut inverse = vec![0i64; order.len()];
    for (i, &d) in order.iter().enumerate() {
        inverse[d] = i as i64;
    }
    let dims = dims.to_vec();
    Ok(permuted("PermuteBackward0", t, out, move |x| plain::permute(x, &dims), move |g| permute(g, &inverse)))
}

pub fn movedim(t: &Tensor, source: &[i64], destination: &[i64]) -> Result<Tensor> {
    let out = plain::movedim(t, source, destination)?;
    let (src, dst) = (source.to_vec(), destination.to_vec());
    let (src2, dst2) = (src.clone(), dst.clone());
    Ok(permuted("PermuteBackward0", t, out, move |x| plain::movedim(x, &src, &dst), move |g| movedim(g, &dst2, &src2)))
}

/// `expand(sizes)` (ExpandBackward0: the gradient is summed back).
pub fn expand(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    let out = plain::expand(t, sizes)?;
    Ok(expanded(t, out))
}

/// `t` broadcast to `shape`, differentiably.
pub fn expand_to(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let out = t.with_layout(t.layout.broadcast_to(shape)?);
    Ok(expanded(t, out))
}

fn expanded(t: &Tensor, out: Tensor) -> Tensor {
    if !any_requires_grad(&[t]) {
        return out;
    }
    let (from, to) = (t.shape_dims(), out.shape_dims());
    view_op("ExpandBackward0", t, out, replay(move |x| x.broadcast_to(&to)), move |g| sum_to(g, &from))
}

pub fn broadcast_tensors(ts: &[Tensor]) -> Result<Vec<Tensor>> {
    plain::broadcast_tensors(ts)?.into_iter().zip(ts).map(|(out, t)| Ok(expanded(t, out))).collect()
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
    reshape(&summed, &as_i64(shape))
}

/// An op that picks elements (slice, select, diagonal, …), recorded as `name`.
fn picked(name: &'static str, t: &Tensor, out: Tensor, f: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Tensor {
    if !any_requires_grad(&[t]) {
        return out;
    }
    gathered(name, t, out, replay(f))
}

pub fn slice(t: &Tensor, dim: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> Result<Tensor> {
    let out = plain::slice(t, dim, start, stop, step)?;
    Ok(picked("SliceBackward0", t, out, move |x| plain::slice(x, dim, start, stop, step)))
}

pub fn narrow(t: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    let out = plain::narrow(t, dim, start, length)?;
    Ok(picked("SliceBackward0", t, out, move |x| plain::narrow(x, dim, start, length)))
}

pub fn select(t: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    let out = plain::select(t, dim, index)?;
    Ok(picked("SelectBackward0", t, out, move |x| plain::select(x, dim, index)))
}

pub fn as_strided(t: &Tensor, size: &[i64], stride: &[i64], offset: Option<i64>) -> Result<Tensor> {
    let out = plain::as_strided(t, size, stride, offset)?;
    let (size, stride, layout) = (size.to_vec(), stride.to_vec(), t.layout.clone());
    let offset = offset.unwrap_or(t.layout.offset as i64);
    let storage_len = t.storage.nbytes() / t.dtype.size();
    // as_strided addresses the storage, so the replay lays its argument out like `t` first.
    Ok(picked("AsStridedBackward0", t, out, move |x| {
        let fill = if x.dtype.is_float() { 0 } else { -1 };
        let buffer = Tensor::full(&[storage_len], crate::dtype::Scalar::Int(fill), x.dtype)?;
        buffer.with_layout(layout.clone()).copy_(x)?;
        plain::as_strided(&buffer, &size, &stride, Some(offset))
    }))
}

pub fn diagonal(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let out = plain::diagonal(t, offset, dim1, dim2)?;
    Ok(picked("DiagonalBackward0", t, out, move |x| plain::diagonal(x, offset, dim1, dim2)))
}

/// Pieces of `t` along `dim` starting at `starts`, as one node. When they tile `dim` in order
/// the gradient is their gradients joined; otherwise each is added back at its place.
fn pieces(name: &'static str, t: &Tensor, outs: Vec<Tensor>, dim: i64, starts: Vec<i64>) -> Result<Vec<Tensor>> {
    if !any_requires_grad(&[t]) {
        return Ok(outs);
    }
    let d = wrap_dim(dim, t.ndim())?;
    let spans: Vec<(i64, i64)> = starts.into_iter().zip(&outs).map(|(s, o)| (s, o.shape()[d] as i64)).collect();
    let mut end = 0;
    let tiles = spans.iter().all(|&(s, len)| {
        let ok = s == end;
        end += len;
        ok
    }) && end == t.shape()[d] as i64;
    let replays: Vec<_> = spans.iter().map(|&(s, len)| replay(move |x| plain::narrow(x, d as i64, s, len))).collect();
    let shape = t.shape_dims();
    let scatter_replays = replays.clone();
    let outs = record_multi(name, &[t], outs, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([c.grad(0, || {
                if tiles {
                    return super::rearrange::cat(g, d as i64);
                }
                let mut total = Tensor::zeros(&shape, g[0].dtype)?;
                for (gi, r) in g.iter().zip(&scatter_replays) {
                    total = super::binary::add(&total, &super::views::scatter_back("SliceBackward0", gi, r, &shape, true)?)?;
                }
                Ok(total)
            })?])
        }) as BackwardFn
    });
    for (o, r) in outs.iter().zip(replays) {
        super::views::track_view(t, o, r);
    }
    Ok(outs)
}

/// Where each of the `n` equal-ish pieces of a dim starts.
fn starts_of(outs: &[Tensor], d: usize) -> Vec<i64> {
    let mut start = 0;
    outs.iter()
        .map(|o| {
            let s = start;
            start += o.shape()[d] as i64;
            s
        })
        .collect()
}

pub fn unbind(t: &Tensor, dim: i64) -> Result<Vec<Tensor>> {
    let outs = plain::unbind(t, dim)?;
    if !any_requires_grad(&[t]) {
        return Ok(outs);
    }
    let d = wrap_dim(dim, t.ndim())? as i64;
    let outs = record_multi("UnbindBackward0", &[t], outs, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || super::rearrange::stack(g, d))?])) as BackwardFn
    });
    for (i, o) in outs.iter().enumerate() {
        super::views::track_view(t, o, replay(move |x| plain::select(x, d, i as i64)));
    }
    Ok(outs)
}

pub fn split(t: &Tensor, split_size: i64, dim: i64) -> Result<Vec<Tensor>> {
    consecutive("SplitBackward0", t, plain::split(t, split_size, dim)?, dim)
}

pub fn split_with_sizes(t: &Tensor, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    consecutive("SplitWithSizesBackward0", t, plain::split_with_sizes(t, sizes, dim)?, dim)
}

pub fn chunk(t: &Tensor, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
    consecutive("SplitBackward0", t, plain::chunk(t, chunks, dim)?, dim)
}

pub fn tensor_split_sections(t: &Tensor, sections: i64, dim: i64) -> Result<Vec<Tensor>> {
    consecutive("SplitBackward0", t, plain::tensor_split_sections(t, sections, dim)?, dim)
}

/// Pieces that follow each other along `dim`.
fn consecutive(name: &'static str, t: &Tensor, outs: Vec<Tensor>, dim: i64) -> Result<Vec<Tensor>> {
    let starts = if t.ndim() == 0 { Vec::new() } else { starts_of(&outs, wrap_dim(dim, t.ndim())?) };
    pieces(name, t, outs, dim, starts)
}

/// Pieces between split points, which may overlap or leave gaps (clamped like slices).
pub fn tensor_split_indices(t: &Tensor, indices: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    let outs = plain::tensor_split_indices(t, indices, dim)?;
    let size = t.shape()[wrap_dim(dim, t.ndim())?] as i64;
    let clamp = |v: i64| if v < 0 { (v + size).max(0) } else { v.min(size) };
    let starts = std::iter::once(0).chain(indices.iter().map(|&i| clamp(i))).collect();
    pieces("SplitBackward0", t, outs, dim, starts)
}

/// `resize_`: only for tensors outside any graph, as in PyTorch.
pub fn resize(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    if t.requires_grad() {
        return runtime("cannot resize variables that require grad");
    }
    plain::resize(t, sizes)
}
