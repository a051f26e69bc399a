//! Differentiable `clamp` and `where` (same functions as `crate::ops::ternary`).
use super::shape::sum_to;
use super::{copy_keeping_history, grads, where_zero, Make};
use crate::autograd::graph::{any_requires_grad, check_inplace, record, record_inplace, BackwardFn, Ctx, SavedTensor, Saver};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::layout::Dims;
use crate::ops::binary::{binary, BinOp, Other};
use crate::ops::ternary as plain;
use crate::tensor::Tensor;

fn tensor_of(o: Option<&Other>) -> Option<Tensor> {
    match o {
        Some(Other::Tensor(t)) => Some(t.clone()),
        _ => None,
    }
}

/// `cond` as a mask that is true where it does not hold.
fn negated(cond: &Tensor) -> Result<Tensor> {
    binary(BinOp::Eq, cond, &Other::Scalar(Scalar::Bool(false)))
}

fn both(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinOp::BitAnd, a, &Other::Tensor(b.clone()))
}

/// Where the input stayed itself: `min <= x <= max` for tensor bounds (which pass their
/// gradient on), `min < x < max` for number bounds (PyTorch 2.15 gives a value on a number
/// bound no gradient); NaN inputs pass none.
fn kept(x: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<Tensor> {
    let is_number = |o: &Other| matches!(o, Other::Scalar(_));
    let above = min.map(|m| binary(if is_number(m) { BinOp::Gt } else { BinOp::Ge }, x, m)).transpose()?;
    let below = max.map(|m| binary(if is_number(m) { BinOp::Lt } else { BinOp::Le }, x, m)).transpose()?;
    match (above, below) {
        (Some(a), Some(b)) => both(&a, &b),
        (Some(m), None) | (None, Some(m)) => Ok(m),
        (None, None) => unreachable!("clamp checks that a bound is given"),
    }
}

/// The clamp formula, given the input as it was.
fn clamp_formula(name: &'static str, x: &Tensor, min: Option<&Other>, max: Option<&Other>) -> (&'static str, Vec<Tensor>, Make<'static>) {
    let (min_t, max_t) = (tensor_of(min), tensor_of(max));
    let placeholder = || Tensor::scalar(Scalar::Int(0), x.dtype).expect("a scalar");
    let inputs = if min_t.is_none() && max_t.is_none() {
        vec![x.clone()]
    } else {
        vec![x.clone(), min_t.clone().unwrap_or_else(placeholder), max_t.clone().unwrap_or_else(placeholder)]
    };
    let (min, max) = (min.cloned(), max.cloned());
    let x = x.clone();
    let make: Make = Box::new(move |s: &mut Saver| {
        let saved: SavedTensor = s.save(&x);
        let shapes: Vec<Dims> = [&min_t, &max_t].iter().map(|t| t.as_ref().map(|t| t.shape_dims()).unwrap_or_default()).collect();
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let x = c.unpack(&saved)?.detach();
            let self_grad = c.grad(0, || where_zero(&g[0], &negated(&kept(&x, min.as_ref(), max.as_ref())?)?))?;
            let bound_grad = |i: usize, bound: &Option<Other>, below: bool| {
                c.grad(i, || {
                    let Some(b) = bound else { return Tensor::zeros(&[], g[0].dtype) };
                    let b = match b {
                        Other::Tensor(t) => t.detach(),
                        Other::Scalar(s) => Tensor::scalar(*s, x.dtype)?,
                    };
                    let crossed = binary(if below { BinOp::Lt } else { BinOp::Gt }, &x, &Other::Tensor(b.clone()))?;
                    // Where min > max the result is max everywhere (PyTorch's rule).
                    let pick = match (below, &min, &max) {
                        (true, _, Some(hi)) => both(&crossed, &binary(BinOp::Lt, &b, hi)?)?,
                        (false, Some(lo), _) => binary(BinOp::BitOr, &crossed, &Other::Tensor(binary(BinOp::Lt, &b, lo)?))?,
                        _ => crossed,
                    };
                    sum_to(&where_zero(&g[0], &negated(&pick)?)?, &shapes[i - 1])
                })
            };
            grads([self_grad, bound_grad(1, &min, true)?, bound_grad(2, &max, false)?])
        }) as BackwardFn
    });
    (name, inputs, make)
}

fn clamp_name(min: Option<&Other>, max: Option<&Other>, scalar_name: &'static str, tensor_name: &'static str) -> &'static str {
    if tensor_of(min).is_some() || tensor_of(max).is_some() {
        tensor_name
    } else {
        scalar_name
    }
}

fn requires(a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> bool {
    let bounds: Vec<Tensor> = tensor_of(min).into_iter().chain(tensor_of(max)).collect();
    any_requires_grad(&std::iter::once(a).chain(bounds.iter()).collect::<Vec<_>>())
}

fn clamp_named(a: &Tensor, min: Option<&Other>, max: Option<&Other>, names: (&'static str, &'static str)) -> Result<Tensor> {
    let (min, max) = plain::number_bounds(min, max)?;
    let (min, max) = (min.as_ref(), max.as_ref());
    let out = plain::clamp(a, min, max)?;
    if !requires(a, min, max) {
        return Ok(out);
    }
    let (name, inputs, make) = clamp_formula(clamp_name(min, max, names.0, names.1), a, min, max);
    Ok(record(name, &inputs.iter().collect::<Vec<_>>(), out, make))
}

/// `clamp(min, max)` (ClampBackward1 for number bounds, ClampBackward0 for tensor bounds).
pub fn clamp(a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<Tensor> {
    clamp_named(a, min, max, ("ClampBackward1", "ClampBackward0"))
}

/// `clamp_min(min)` (ClampMinBackward0 / ClampMinBackward1).
pub fn clamp_min(a: &Tensor, min: &Other) -> Result<Tensor> {
    clamp_named(a, Some(min), None, ("ClampMinBackward0", "ClampMinBackward1"))
}

/// `clamp_max(max)` (ClampMaxBackward0 / ClampMaxBackward1).
pub fn clamp_max(a: &Tensor, max: &Other) -> Result<Tensor> {
    clamp_named(a, None, Some(max), ("ClampMaxBackward0", "ClampMaxBackward1"))
}

/// `clamp_` and friends: `a` as it was feeds the formula.
pub fn clamp_(a: &mut Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<()> {
    let (min, max) = plain::number_bounds(min, max)?;
    let (min, max) = (min.as_ref(), max.as_ref());
    if !requires(a, min, max) {
        return plain::clamp_(a, min, max);
    }
    check_inplace(a)?;
    let before = copy_keeping_history(a)?;
    plain::clamp_(a, min, max)?;
    let (name, inputs, make) = clamp_formula(clamp_name(min, max, "ClampBackward1", "ClampBackward0"), &before, min, max);
    record_inplace(name, &inputs.iter().collect::<Vec<_>>(), a, make)
}

/// `where(cond, x, y)` (WhereBackward0): each side gets the gradient where it was chosen.
pub fn where_(cond: &Tensor, x: &Other, y: &Other) -> Result<Tensor> {
    let out = plain::where_(cond, x, y)?;
    let side = |o: &Other| match o {
        Other::Tensor(t) => Ok(t.clone()),
        Other::Scalar(s) => Tensor::scalar(*s, out.dtype),
    };
    let (xt, yt) = (side(x)?, side(y)?);
    if !any_requires_grad(&[&xt, &yt]) {
        return Ok(out);
    }
    let chosen = cond.to_dtype(DType::Bool)?;
    let not_chosen = negated(&chosen)?;
    let (xs, ys) = (xt.shape_dims(), yt.shape_dims());
    Ok(record("WhereBackward0", &[&xt, &yt], out, move |_s| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || sum_to(&where_zero(&g[0], &not_chosen)?, &xs))?,
                c.grad(1, || sum_to(&where_zero(&g[0], &chosen)?, &ys))?,
            ])
        }) as BackwardFn
    }))
}
