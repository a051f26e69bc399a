//! Differentiable reductions (same functions as `crate::ops::reduce`). Each gradient starts from
//! the output gradient broadcast back over the reduced dims (`restore`).
use super::binary::{binary, div, mul, mul_scalar};
use super::shape::{expand_to, reshape};
use super::ternary::where_;
use super::unary::unary;
use super::{grads, where_zero};
use crate::autograd::graph::{any_requires_grad, record, BackwardFn, Ctx, Saver};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::layout::Dims;
use crate::ops::binary::{self as plain_binary, BinOp, Other};
use crate::ops::reduce::{self as plain, reduction_dims};
use crate::ops::unary::{Predicate, UnaryOp};
use crate::tensor::Tensor;

pub use plain::{count_nonzero, logical, Extreme};

/// Where a reduction's gradient lands: the input's shape and the reduced dims.
#[derive(Clone)]
struct Reduced {
    shape: Dims,
    dims: Vec<usize>,
    keepdim: bool,
}

impl Reduced {
    fn new(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Reduced> {
        Ok(Reduced { shape: t.shape_dims(), dims: reduction_dims(dims, t.ndim())?, keepdim })
    }
    /// A reduced value (gradient or result) broadcast back to the input's shape.
    fn restore(&self, r: &Tensor) -> Result<Tensor> {
        expand_to(&self.keep_dims(r)?, &self.shape)
    }
    /// A reduced value with the reduced dims kept (size 1).
    fn keep_dims(&self, r: &Tensor) -> Result<Tensor> {
        if self.keepdim {
            return Ok(r.clone());
        }
        let kept: Vec<i64> = self.shape.iter().enumerate().map(|(i, &s)| if self.dims.contains(&i) { 1 } else { s as i64 }).collect();
        reshape(r, &kept)
    }
    fn count(&self) -> f64 {
        self.dims.iter().map(|&d| self.shape[d]).product::<usize>() as f64
    }
    fn dims_i64(&self) -> Vec<i64> {
        self.dims.iter().map(|&d| d as i64).collect()
    }
}

/// Records a reduction whose formula sees the restored gradient, the input and the restored
/// result (each fetched only if the formula asks).
fn reduction(
    name: &'static str,
    t: &Tensor,
    out: Tensor,
    at: Reduced,
    uses: (bool, bool),
    f: impl Fn(&Reduced, &Tensor, Option<Tensor>, Option<Tensor>) -> Result<Tensor> + Send + Sync + 'static,
) -> Tensor {
    record(name, &[t], out, move |s: &mut Saver| {
        let x = uses.0.then(|| s.save(t));
        let r = uses.1.then(|| s.save_output());
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([c.grad(0, || {
                let x = x.as_ref().map(|x| c.unpack(x)).transpose()?;
                let r = r.as_ref().map(|r| at.restore(&c.unpack(r)?)).transpose()?;
                f(&at, &at.restore(&g[0])?, x, r)
            })?])
        }) as BackwardFn
    })
}

/// `sum` (SumBackward0 over everything, SumBackward1 over given dims).
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::sum(t, dims, keepdim, dtype)?;
    let name = if dims.is_some() { "SumBackward1" } else { "SumBackward0" };
    Ok(reduction(name, t, out, Reduced::new(t, dims, keepdim)?, (false, false), |_, g, _, _| Ok(g.clone())))
}

/// `mean` (MeanBackward0 / MeanBackward1).
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::mean(t, dims, keepdim, dtype)?;
    let name = if dims.is_some() { "MeanBackward1" } else { "MeanBackward0" };
    Ok(reduction(name, t, out, Reduced::new(t, dims, keepdim)?, (false, false), |at, g, _, _| mul_scalar(g, 1.0 / at.count())))
}

/// The gradient of a sum over `dims`: the output gradient broadcast back over them.
pub fn sum_backward(g: &Tensor, shape: &[usize], dims: &[usize], keepdim: bool) -> Result<Tensor> {
    Reduced { shape: shape.into(), dims: dims.to_vec(), keepdim }.restore(g)
}

/// `nansum` (NansumBackward0): NaNs get no gradient.
pub fn nansum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::nansum(t, dims, keepdim, dtype)?;
    Ok(reduction("NansumBackward0", t, out, Reduced::new(t, dims, keepdim)?, (true, false), |_, g, x, _| {
        where_zero(g, &is_nan(&x.unwrap())?)
    }))
}

fn is_nan(x: &Tensor) -> Result<Tensor> {
    crate::ops::unary::predicate(Predicate::IsNan, x)
}

/// `nanmean`: as in PyTorch, `nansum` divided by the count of non-NaN elements.
pub fn nanmean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if !any_requires_grad(&[t]) {
        return plain::nanmean(t, dims, keepdim, dtype);
    }
    let present = crate::ops::unary::predicate(Predicate::LogicalNot, &is_nan(t)?)?;
    let count = plain::sum(&present, dims, keepdim, None)?;
    div(&nansum(t, dims, keepdim, dtype)?, &count)
}

/// `prod` (ProdBackward0 / ProdBackward1): the product of the other elements, written so that
/// it stays differentiable where a slice holds one zero (as PyTorch's exclusive-product formula).
pub fn prod(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::prod(t, dims, keepdim, dtype)?;
    let name = if dims.is_some() { "ProdBackward1" } else { "ProdBackward0" };
    Ok(reduction(name, t, out, Reduced::new(t, dims, keepdim)?, (true, false), |at, g, x, _| {
        let x = x.unwrap();
        if x.ndim() == 0 {
            return Ok(g.clone()); // PyTorch's prod_backward passes the gradient of a 0-dim input on as is
        }
        let dims = at.dims_i64();
        let compare = |t: &Tensor, op: BinOp, v: i64| plain_binary::binary(op, t, &Other::Scalar(Scalar::Int(v)));
        let zero = compare(&x, BinOp::Eq, 0)?;
        let zeros_in_slice = at.restore(&plain::sum(&zero, Some(&dims), true, None)?)?;
        let one = Other::Scalar(Scalar::Int(1));
        let safe_x = where_(&zero, &one, &Other::Tensor(x.clone()))?;
        let nonzero_product = at.restore(&prod(&safe_x, Some(&dims), true, None)?)?;
        // The slice's zero (0, but the product of the others depends on it), or 1 without one.
        let the_zero = at.restore(&sum(&where_zero(&x, &compare(&zero, BinOp::Eq, 0)?)?, Some(&dims), true, None)?)?;
        let zero_factor = where_(&compare(&zeros_in_slice, BinOp::Eq, 0)?, &one, &Other::Tensor(the_zero))?;
        let at_nonzero = mul(&zero_factor, &div(&nonzero_product, &safe_x)?)?;
        let others = where_(&zero, &Other::Tensor(nonzero_product), &Other::Tensor(at_nonzero))?;
        // Two zeros in a slice make every product of the others 0.
        mul(g, &where_zero(&others, &compare(&zeros_in_slice, BinOp::Ge, 2)?)?)
    }))
}

/// The node of a max/min-type reduction, by the name the bindings pass.
fn extreme_name(which: Extreme, op: &str) -> &'static str {
    match (which, op) {
        (Extreme::Max, "amax") => "AmaxBackward0",
        (Extreme::Min, "amin") => "AminBackward0",
        (Extreme::Max, "max") => "MaxBackward1",
        (Extreme::Min, "min") => "MinBackward1",
        (Extreme::Max, _) => "AmaxBackward0",
        (Extreme::Min, _) => "AminBackward0",
    }
}

/// `max()` / `amax(dims)` and the min forms: the gradient is shared evenly by the elements
/// equal to the extreme.
pub fn extreme(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, which: Extreme, op: &str) -> Result<Tensor> {
    let out = plain::extreme(t, dims, keepdim, which, op)?;
    let name = extreme_name(which, op);
    // amax/amin share by `x == result` only, so a NaN result gives NaN (0/0) everywhere, as
    // PyTorch's AmaxBackward0; max()/min() pass it to the NaNs.
    let nan_aware = !matches!(name, "AmaxBackward0" | "AminBackward0");
    Ok(reduction(name, t, out, Reduced::new(t, dims, keepdim)?, (true, true), move |at, g, x, r| {
        evenly(at, g, &x.unwrap(), &r.unwrap(), nan_aware)
    }))
}

/// A full reduction `out` (a median, …) whose gradient is shared evenly by the elements equal
/// to it.
pub fn evenly_shared(name: &'static str, t: &Tensor, out: Tensor) -> Result<Tensor> {
    Ok(reduction(name, t, out, Reduced::new(t, None, false)?, (true, true), |at, g, x, r| evenly(at, g, &x.unwrap(), &r.unwrap(), true)))
}

/// `g` shared evenly among the elements equal to the (restored) result `r` in each slice.
fn evenly(at: &Reduced, g: &Tensor, x: &Tensor, r: &Tensor, nan_aware: bool) -> Result<Tensor> {
    let mut hit = plain_binary::binary(BinOp::Eq, &x.detach(), &Other::Tensor(r.detach()))?;
    if nan_aware {
        // A NaN result comes from the NaNs.
        let nan_result = plain_binary::binary(BinOp::Ne, &r.detach(), &Other::Tensor(r.detach()))?;
        hit = plain_binary::binary(BinOp::BitOr, &hit, &Other::Tensor(plain_binary::binary(BinOp::BitAnd, &nan_result, &Other::Tensor(is_nan(x)?))?))?;
    }
    let weight = hit.to_dtype(g.dtype)?;
    let count = at.restore(&plain::sum(&weight, Some(&at.dims_i64()), true, None)?)?;
    mul(g, &plain_binary::binary(BinOp::Div, &weight, &Other::Tensor(count))?)
}

/// `vector_norm(ord)` (LinalgVectorNormBackward0), with PyTorch's zero gradient where the
/// norm is 0.
pub fn vector_norm(t: &Tensor, ord: f64, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    let out = plain::vector_norm(t, ord, dims, keepdim, dtype)?;
    Ok(reduction("LinalgVectorNormBackward0", t, out, Reduced::new(t, dims, keepdim)?, (true, true), move |at, g, x, r| {
        let (x, r) = (x.unwrap(), r.unwrap());
        let sign = crate::ops::unary::unary(UnaryOp::Sign, &x.detach())?;
        if ord == 0.0 {
            return Tensor::zeros(x.shape(), g.dtype);
        }
        if ord == 1.0 {
            return mul(g, &sign);
        }
        if ord.is_infinite() {
            let abs = unary(UnaryOp::Abs, &x)?;
            return mul(&evenly(at, g, &abs, &r, true)?, &sign);
        }
        let zero_norm = plain_binary::binary(BinOp::Eq, &r.detach(), &Other::Scalar(Scalar::Int(0)))?;
        let scale = if ord == 2.0 {
            div(g, &r)?
        } else {
            let abs_pow = binary(BinOp::Pow, &unary(UnaryOp::Abs, &x)?, &Other::Scalar(Scalar::Float(ord - 2.0)))?;
            mul(&div(g, &binary(BinOp::Pow, &r, &Other::Scalar(Scalar::Float(ord - 1.0)))?)?, &abs_pow)?
        };
        mul(&x, &where_zero(&scale, &zero_norm)?)
    }))
}

/// `var` (VarBackward0) and `std` (StdBackward0, zero gradient where the std is 0).
pub fn var(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool, sqrt: bool) -> Result<Tensor> {
    let out = plain::var(t, dims, correction, keepdim, sqrt)?;
    let name = if sqrt { "StdBackward0" } else { "VarBackward0" };
    Ok(reduction(name, t, out, Reduced::new(t, dims, keepdim)?, (true, sqrt), move |at, g, x, r| {
        let x = x.unwrap();
        let centered = super::binary::sub(&x, &mean(&x, Some(&at.dims_i64()), true, None)?)?;
        let var_grad = |g: &Tensor| mul(g, &mul_scalar(&centered, 2.0 / (at.count() - correction))?);
        match r {
            None => var_grad(g),
            Some(r) => {
                let zero_std = plain_binary::binary(BinOp::Eq, &r.detach(), &Other::Scalar(Scalar::Int(0)))?;
                var_grad(&where_zero(&div(g, &mul_scalar(&r, 2.0)?)?, &zero_std)?)
            }
        }
    }))
}

/// `logsumexp` (LogsumexpBackward0): softmax weights.
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let out = plain::logsumexp(t, dims, keepdim)?;
    Ok(reduction("LogsumexpBackward0", t, out, Reduced::new(t, dims, keepdim)?, (true, true), |_, g, x, r| {
        mul(g, &unary(UnaryOp::Exp, &super::binary::sub(&x.unwrap(), &r.unwrap())?)?)
    }))
}
