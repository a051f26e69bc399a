//! The differentiable ops: each calls the plain op in `crate::ops` and records a node whose
//! backward formula is written with these same differentiable ops (so gradients of gradients
//! come for free). One file per op family, mirroring `crate::ops`; the bindings call these.
pub mod binary;
pub mod conv;
pub mod gather;
pub mod index;
pub mod linalg;
pub mod loss;
pub mod norm;
pub mod rearrange;
pub mod reduce;
pub mod rnn;
pub mod scan;
pub mod shape;
pub mod sort;
pub mod ternary;
pub mod unary;
pub mod views;
pub mod window;

use super::graph::{any_requires_grad, AutogradMeta, check_inplace, record, record_inplace, BackwardFn, Ctx, Grads, Saver};
use crate::backend::cpu::map;
use crate::dtype::{DType, Element, Scalar};
use crate::error::Result;
use crate::layout::broadcast_shapes;
use crate::tensor::Tensor;

/// What an op hands to `record`: saves what its backward needs and returns the formula.
pub type Make<'a> = Box<dyn FnOnce(&mut Saver) -> BackwardFn + 'a>;

/// The gradients a formula returns, one per input (None where not needed).
pub fn grads<const N: usize>(g: [Option<Tensor>; N]) -> Result<Grads> {
    Ok(g.into_iter().collect())
}

/// An optional input of a node, or for an absent one a placeholder that never takes a
/// gradient (PyTorch lists it as None in `next_functions`, as a conv's missing bias).
pub fn optional_input(t: Option<&Tensor>, dtype: DType) -> Result<Tensor> {
    t.map_or_else(|| Tensor::empty(&[0], dtype), |t| Ok(t.clone()))
}

/// A fresh copy of `t`'s data with `t`'s current history: what an in-place formula sees as
/// `self`. The history is a snapshot, so it does not follow `t` to the in-place op's node.
pub fn copy_keeping_history(t: &Tensor) -> Result<Tensor> {
    let mut c = t.copy_to_new(t.dtype)?;
    c.autograd = match t.grad_fn() {
        Some(e) => Some(AutogradMeta::with_grad_fn(e.node, e.input_nr)),
        None => t.autograd.clone().filter(|m| m.requires_grad()),
    };
    Ok(c)
}

/// `x` with zeros where `mask` is true (PyTorch's `where(mask, 0, x)` in formulas).
pub fn where_zero(x: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let shape = broadcast_shapes(x.shape(), mask.shape())?;
    let out = Tensor::empty(&shape, x.dtype)?;
    let (xb, mb) = (x.broadcast_to(&shape)?, mask.to_dtype(DType::Bool)?.broadcast_to(&shape)?);
    use crate::backend::wgpu::elementwise::{convert, map as gpu_map, value_type, Input};
    let on_gpu = out.device() == crate::storage::Device::Cuda && value_type(x.dtype).is_some() && {
        let zero = convert(DType::I32, x.dtype, "0i");
        gpu_map("where_zero", &format!("select(x, {zero}, y)"), x.dtype, &out, &[Input::tensor(&xb), Input::tensor(&mb)])?
    };
    if !on_gpu {
        crate::with_dtype!(x.dtype, T => map::binary_into::<T, bool, T>(&out, &xb, &mb, |v, m| if m { T::ZERO } else { v }));
    }
    let mask = mask.detach();
    Ok(record("WhereBackward0", &[x], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || where_zero(&g[0], &mask))?])) as BackwardFn
    }))
}

/// `to(dtype)`: a converted copy (ToCopyBackward0), or the tensor itself when nothing changes.
pub fn to_dtype(t: &Tensor, dtype: DType) -> Result<Tensor> {
    if t.dtype == dtype {
        return Ok(t.clone());
    }
    let out = t.copy_to_new(dtype)?;
    let from = t.dtype;
    Ok(record("ToCopyBackward0", &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || to_dtype(&g[0], from))?])) as BackwardFn
    }))
}

/// `to(device)` (and dtype): a copy on `device` (ToCopyBackward0) whose gradient goes back to
/// the source's device and dtype.
pub fn to_device(t: &Tensor, device: crate::storage::Device, dtype: DType) -> Result<Tensor> {
    let out = t.copy_to(device, dtype)?;
    let (from_device, from_dtype) = (t.device(), t.dtype);
    Ok(record("ToCopyBackward0", &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || g[0].copy_to(from_device, from_dtype))?])) as BackwardFn
    }))
}

/// `clone`: a contiguous copy whose gradient passes straight through (CloneBackward0).
pub fn clone(t: &Tensor) -> Result<Tensor> {
    record_clone(t, t.copy_to_new(t.dtype)?)
}

/// `clone(memory_format=torch.preserve_format)`, Tensor.clone's default: a dense view (a
/// transpose, a permutation) keeps its strides, as in PyTorch; others become contiguous.
pub fn clone_preserving_strides(t: &Tensor) -> Result<Tensor> {
    if t.device() != crate::storage::Device::Cpu || t.is_contiguous() {
        return clone(t); // (GPU copies are contiguous)
    }
    let out = crate::ops::creation::empty_like(t, t.dtype, true)?;
    out.copy_(t)?;
    record_clone(t, out)
}

fn record_clone(t: &Tensor, out: Tensor) -> Result<Tensor> {
    Ok(record("CloneBackward0", &[t], out, |_s| {
        Box::new(|c: &Ctx, g: &[Tensor]| grads([c.grad(0, || Ok(g[0].clone()))?])) as BackwardFn
    }))
}

/// `contiguous`: the tensor itself if already contiguous, else a clone.
pub fn contiguous(t: &Tensor) -> Result<Tensor> {
    if t.is_contiguous() {
        Ok(t.clone())
    } else {
        clone(t)
    }
}

/// `dst.copy_(src)`: dst's old values get no gradient; src gets dst's, summed to its shape and
/// cast to its dtype (CopyBackwards).
pub fn copy_(dst: &mut Tensor, src: &Tensor) -> Result<()> {
    if !any_requires_grad(&[dst, src]) {
        return dst.copy_(src);
    }
    check_inplace(dst)?;
    let before = dst.clone();
    dst.copy_(src)?;
    let (dst_shape, src_shape, src_dtype) = (before.shape_dims(), src.shape_dims(), src.dtype);
    record_inplace("CopyBackwards", &[&before, src], dst, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || Tensor::zeros(&dst_shape, g[0].dtype))?,
                c.grad(1, || to_dtype(&shape::sum_to(&g[0], &src_shape)?, src_dtype))?,
            ])
        }) as BackwardFn
    })
}

/// `fill_(value)`: the old values get no gradient (FillBackward0).
pub fn fill_(t: &mut Tensor, value: Scalar) -> Result<()> {
    overwrite(t, value, "FillBackward0")
}

/// `zero_()` (ZeroBackward0).
pub fn zero_(t: &mut Tensor) -> Result<()> {
    overwrite(t, Scalar::Int(0), "ZeroBackward0")
}

fn overwrite(t: &mut Tensor, value: Scalar, name: &'static str) -> Result<()> {
    if !any_requires_grad(&[t]) {
        return t.fill_(value);
    }
    check_inplace(t)?;
    let before = t.clone();
    t.fill_(value)?;
    let shape = before.shape_dims();
    record_inplace(name, &[&before], t, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || Tensor::zeros(&shape, g[0].dtype))?])) as BackwardFn
    })
}
