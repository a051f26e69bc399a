//! Differentiable index-driven ops (same functions as `crate::ops::gather`).
use super::views::{gathered, replay, scatter_back, untouched_mask};
use super::{grads, where_zero, Make};
use crate::autograd::graph::{any_requires_grad, check_inplace, record, record_inplace, BackwardFn, Ctx, Saver};
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::ops::binary::{BinOp, Other};
use crate::ops::gather as plain;
use crate::tensor::Tensor;

pub use plain::{ScatterReduce, ScatterSource};

fn picked(name: &'static str, t: &Tensor, out: Tensor, f: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static) -> Tensor {
    if !any_requires_grad(&[t]) {
        return out;
    }
    gathered(name, t, out, replay(f))
}

pub fn index_select(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let (out, index) = (plain::index_select(t, dim, index)?, index.clone());
    Ok(picked("IndexSelectBackward0", t, out, move |x| plain::index_select(x, dim, &index)))
}

pub fn gather(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    let (out, index) = (plain::gather(t, dim, index)?, index.clone());
    Ok(picked("GatherBackward0", t, out, move |x| plain::gather(x, dim, &index)))
}

pub fn take(t: &Tensor, index: &Tensor) -> Result<Tensor> {
    let (out, index) = (plain::take(t, index)?, index.clone());
    Ok(picked("TakeBackward0", t, out, move |x| plain::take(x, &index)))
}

pub fn masked_select(t: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let (out, mask) = (plain::masked_select(t, mask)?, mask.clone());
    Ok(picked("MaskedSelectBackward0", t, out, move |x| plain::masked_select(x, &mask)))
}

/// `masked_fill` (MaskedFillBackward0): filled positions get no gradient.
pub fn masked_fill(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<Tensor> {
    let out = plain::masked_fill(t, mask, value)?;
    let mask = mask.clone();
    let shape = t.shape_dims();
    Ok(record("MaskedFillBackward0", &[t], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || super::shape::sum_to(&where_zero(&g[0], &mask)?, &shape))?])) as BackwardFn
    }))
}

pub fn masked_fill_(t: &mut Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    if !any_requires_grad(&[t]) {
        return plain::masked_fill_(t, mask, value);
    }
    check_inplace(t)?;
    let before = t.clone();
    plain::masked_fill_(t, mask, value)?;
    let mask = mask.clone();
    let make: Make = Box::new(move |_s: &mut Saver| Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || where_zero(&g[0], &mask))?])) as BackwardFn);
    record_inplace("MaskedFillBackward0", &[&before], t, make)
}

/// The gradient of a value read at the positions `read` picks, padded out to `shape` when the
/// value is larger than what was read (scatter's `src`).
fn read_back(g: &Tensor, shape: &[usize], read: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let part = read(g)?;
    if part.shape() == shape {
        return Ok(part);
    }
    let region = part.shape_dims();
    let corner = replay(move |x| {
        let mut v = x.clone();
        for (d, &n) in region.iter().enumerate() {
            v = crate::ops::shape::narrow(&v, d as i64, 0, n as i64)?;
        }
        Ok(v)
    });
    scatter_back("SliceBackward0", &part, &corner, shape, true)
}

/// An in-place write whose target keeps the gradient outside `overwritten` positions (all of
/// it when `overwritten` is None) and whose source gets the gradient read back by `read`.
fn record_write(
    name: &'static str,
    before: &Tensor,
    source: Option<&Tensor>,
    t: &mut Tensor,
    overwritten: Option<Box<dyn Fn(&Tensor) -> Result<()> + Send + Sync>>,
    read: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static,
) -> Result<()> {
    let (shape, source_shape) = (before.shape_dims(), source.map(|s| s.shape_dims()).unwrap_or_default());
    let inputs: Vec<&Tensor> = std::iter::once(before).chain(source).collect();
    let make: Make = Box::new(move |_s: &mut Saver| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || match &overwritten {
                    Some(overwrite) => super::binary::mul(&g[0], &untouched_mask(&shape, g[0].dtype, |m| overwrite(m))?),
                    None => Ok(g[0].clone()),
                })?,
                c.grad(1, || read_back(&g[0], &source_shape, &read))?,
            ])
        }) as BackwardFn
    });
    record_inplace(name, &inputs, t, make)
}

/// `scatter_(dim, index, src or value, reduce)`.
pub fn scatter_(t: &mut Tensor, dim: i64, index: &Tensor, src: ScatterSource, reduce: ScatterReduce, op: &str) -> Result<()> {
    let source = match &src {
        ScatterSource::Tensor(s) => Some((*s).clone()),
        ScatterSource::Value(_) => None,
    };
    let inputs: Vec<&Tensor> = std::iter::once(&*t).chain(source.as_ref()).collect();
    if !any_requires_grad(&inputs) {
        return plain::scatter_(t, dim, index, src, reduce, op);
    }
    let (name, replaces) = match (&reduce, &source) {
        (ScatterReduce::Replace, Some(_)) => ("ScatterBackward0", true),
        (ScatterReduce::Replace, None) => ("ScatterBackward1", true),
        (ScatterReduce::Add, _) => ("ScatterAddBackward0", false),
        (ScatterReduce::Multiply, _) => {
            return Err(Error::NotImplemented("the derivative for 'scatter' with reduce='multiply' is not implemented.".into()));
        }
    };
    check_inplace(t)?;
    let before = t.clone();
    plain::scatter_(t, dim, index, src, reduce, op)?;
    let (i1, i2) = (index.clone(), index.clone());
    let overwritten: Option<Box<dyn Fn(&Tensor) -> Result<()> + Send + Sync>> = replaces.then(|| {
        Box::new(move |m: &Tensor| plain::scatter_(m, dim, &i1, ScatterSource::Value(Scalar::Int(0)), ScatterReduce::Replace, "scatter")) as Box<dyn Fn(&Tensor) -> Result<()> + Send + Sync>
    });
    record_write(name, &before, source.as_ref(), t, overwritten, move |g| gather(g, dim, &i2))
}

/// `index_add_` (IndexAddBackward0): the target keeps its gradient; the source reads it back.
pub fn index_add_(t: &mut Tensor, dim: i64, index: &Tensor, source: &Tensor, alpha: Scalar) -> Result<()> {
    if !any_requires_grad(&[t, source]) {
        return plain::index_add_(t, dim, index, source, alpha);
    }
    check_inplace(t)?;
    let before = t.clone();
    plain::index_add_(t, dim, index, source, alpha)?;
    let index = index.clone();
    record_write("IndexAddBackward0", &before, Some(source), t, None, move |g| {
        let picked = index_select(g, dim, &index)?;
        if alpha == Scalar::Int(1) {
            return Ok(picked);
        }
        super::binary::binary(BinOp::Mul, &picked, &Other::Scalar(alpha))
    })
}

/// `index_copy_` (IndexCopyBackward0): the overwritten rows get no gradient.
pub fn index_copy_(t: &mut Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<()> {
    if !any_requires_grad(&[t, source]) {
        return plain::index_copy_(t, dim, index, source);
    }
    check_inplace(t)?;
    let before = t.clone();
    plain::index_copy_(t, dim, index, source)?;
    let (i1, i2) = (index.clone(), index.clone());
    let overwrite: Box<dyn Fn(&Tensor) -> Result<()> + Send + Sync> = Box::new(move |m| plain::index_fill_(m, dim, &i1, Scalar::Int(0)));
    record_write("IndexCopyBackward0", &before, Some(source), t, Some(overwrite), move |g| index_select(g, dim, &i2))
}

/// `index_fill_` (IndexFillBackward0): the filled rows get no gradient.
pub fn index_fill_(t: &mut Tensor, dim: i64, index: &Tensor, value: Scalar) -> Result<()> {
    if !any_requires_grad(&[t]) {
        return plain::index_fill_(t, dim, index, value);
    }
    check_inplace(t)?;
    let before = t.clone();
    plain::index_fill_(t, dim, index, value)?;
    let i1 = index.clone();
    let overwrite: Box<dyn Fn(&Tensor) -> Result<()> + Send + Sync> = Box::new(move |m| plain::index_fill_(m, dim, &i1, Scalar::Int(0)));
    record_write("IndexFillBackward0", &before, None, t, Some(overwrite), |g| Ok(g.clone()))
}
