//! Ops that pick elements of their input (views, index reads, gathers). Their backward replays
//! the op on the positions of the input's elements and adds the gradient back there, which is
//! right for every such op, repeated picks included. Views also remember their base, so an
//! in-place write into a view rewrites the base's history (PyTorch's CopySlices).
use super::grads;
use crate::autograd::graph::{build_node, record, set_meta_history, BackwardFn, Ctx, Replay, ViewOf};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::index::index_put_;
use crate::tensor::Tensor;
use std::sync::Arc;

/// A replay closure (the plain op, applied to anything shaped like the op's input).
pub fn replay(f: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Replay {
    Arc::new(f)
}

/// A fresh handle for an op's output: a plain op may hand back its input itself (a no-op
/// transpose), but the result must not share the input's autograd state.
fn fresh(x: &Tensor, out: Tensor) -> Tensor {
    match (&x.autograd, &out.autograd) {
        (Some(a), Some(b)) if Arc::ptr_eq(a, b) => out.with_layout(out.layout.clone()),
        _ => out,
    }
}

fn shares_memory(x: &Tensor, out: &Tensor) -> bool {
    Arc::ptr_eq(&x.storage, &out.storage)
}

/// Records `out = replay(x)` as `name`; the gradient is scattered back to x's positions.
pub fn gathered(name: &'static str, x: &Tensor, out: Tensor, replay: Replay) -> Tensor {
    let out = fresh(x, out);
    let is_view = shares_memory(x, &out);
    let shape = x.shape_dims();
    let r = replay.clone();
    let out = record(name, &[x], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || scatter_back(name, &g[0], &r, &shape, is_view))?])) as BackwardFn
    });
    if is_view {
        track_view(x, &out, replay);
    }
    out
}

/// Records the view `out` of `x` whose gradient is `backward(grad)` (transposes, reshapes).
pub fn view_op(name: &'static str, x: &Tensor, out: Tensor, replay: Replay, backward: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Tensor {
    let out = record(name, &[x], fresh(x, out), move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || backward(&g[0]))?])) as BackwardFn
    });
    track_view(x, &out, replay);
    out
}

/// Marks a recorded `out` as a view of `x`'s base.
pub fn track_view(x: &Tensor, out: &Tensor, replay: Replay) {
    let Some(m) = out.autograd.as_ref().filter(|_| out.grad_fn().is_some()) else { return };
    let view = match x.autograd.as_ref().and_then(|xm| xm.view.get()) {
        Some(parent) => {
            let outer = parent.replay.clone();
            ViewOf { base: parent.base.clone(), replay: Arc::new(move |t| replay(&outer(t)?)) }
        }
        None => ViewOf { base: x.clone(), replay },
    };
    let _ = m.view.set(view);
}

/// Whether no two elements of `layout` share memory.
fn non_overlapping(layout: &Layout) -> bool {
    let mut dims: Vec<(isize, usize)> = layout.strides.iter().zip(&layout.shape).filter(|(_, &n)| n > 1).map(|(&s, &n)| (s.abs(), n)).collect();
    dims.sort_unstable();
    let mut reach = 0isize;
    for (stride, n) in dims {
        if stride <= reach {
            return false;
        }
        reach += stride * (n as isize - 1);
    }
    true
}

/// The adjoint of a gather: zeros shaped like its input, with `g` added at the picked
/// positions. Differentiable (its own gradient is the gather again).
pub fn scatter_back(name: &'static str, g: &Tensor, replay: &Replay, shape: &[usize], is_view: bool) -> Result<Tensor> {
    let out = Tensor::zeros(shape, g.dtype)?;
    let region = if is_view { Some(replay(&out)?) } else { None };
    match region.filter(|r| shares_memory(&out, r) && non_overlapping(&r.layout)) {
        // A plain view: the gradient lands in it directly.
        Some(region) => region.copy_(&g.detach())?,
        None => {
            let numel = out.numel();
            let positions = replay(&Tensor::from_vec((0..numel as i64).collect::<Vec<_>>(), shape)?)?;
            let flat = out.with_layout(Layout::contiguous(&[numel]));
            let values = g.detach().contiguous()?.reshape(&[-1])?;
            index_put_(&flat, &[Some(positions.reshape(&[-1])?)], &values, true)?;
        }
    }
    let r = replay.clone();
    Ok(record("IndexPutBackward0", &[g], out, move |_s| {
        Box::new(move |c: &Ctx, gg: &[Tensor]| grads([c.grad(0, || Ok(gathered(name, &gg[0], r(&gg[0])?, r.clone())))?])) as BackwardFn
    }))
}

/// A constant of `shape` that is 1 except 0 where `replay` picks: the part of a base that an
/// in-place write through a view (or an index assignment) leaves untouched.
pub fn untouched_mask(shape: &[usize], dtype: DType, overwrite: impl FnOnce(&Tensor) -> Result<()>) -> Result<Tensor> {
    let mask = Tensor::full(shape, Scalar::Int(1), dtype)?;
    overwrite(&mask)?;
    Ok(mask)
}

/// After an in-place write into the view `target`, its base is its old value with the view's
/// region replaced by `target`'s new value (CopySlices).
pub fn rebase_base(view: &ViewOf, target: &Tensor) -> Result<()> {
    let base = &view.base;
    let Some(base_meta) = base.autograd.clone() else { return Ok(()) };
    let (shape, r) = (base.shape_dims(), view.replay.clone());
    let node = build_node("CopySlices", &[base, target], base, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || {
                    let mask = untouched_mask(&shape, g[0].dtype, |m| r(m)?.fill_(Scalar::Int(0)))?;
                    super::binary::mul(&g[0], &mask)
                })?,
                c.grad(1, || Ok(gathered("AsStridedBackward0", &g[0], r(&g[0])?, r.clone())))?,
            ])
        }) as BackwardFn
    });
    if let Some(node) = node {
        set_meta_history(&base_meta, node, 0);
    }
    Ok(())
}
