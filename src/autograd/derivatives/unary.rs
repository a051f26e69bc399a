//! Differentiable unary ops (same signatures as `crate::ops::unary`). The table below gives each
//! op's node name, the value its formula reads, and the formula; an op without an entry raises
//! PyTorch's "derivative ... is not implemented" error when a gradient is needed.
use super::binary::{div, mul, mul_scalar, neg};
use super::{copy_keeping_history, grads};
use crate::autograd::graph::{any_requires_grad, check_inplace, record, record_inplace, BackwardFn, Ctx, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::binary::{self as plain_binary, BinOp, Other};
use crate::ops::unary::{self as plain, UnaryOp};
use crate::tensor::Tensor;

/// The value a formula needs besides the incoming gradient.
#[derive(Clone, Copy, PartialEq)]
enum Reads {
    Input,
    Result,
    Nothing,
}

type Formula = fn(&Tensor, &Tensor) -> Result<Tensor>;

/// `(name, reads, formula(grad, value))`, or None for ops without a gradient.
fn derivative(op: UnaryOp) -> Option<(&'static str, Reads, Formula)> {
    use Reads::*;
    Some(match op {
        UnaryOp::Exp => ("ExpBackward0", Result, |g, y| mul(g, y)),
        UnaryOp::Log => ("LogBackward0", Input, |g, x| div(g, x)),
        UnaryOp::Sqrt => ("SqrtBackward0", Result, |g, y| div(g, &mul_scalar(y, 2.0)?)),
        UnaryOp::Sin => ("SinBackward0", Input, |g, x| mul(g, &unary(UnaryOp::Cos, x)?)),
        UnaryOp::Cos => ("CosBackward0", Input, |g, x| mul(g, &neg(&unary(UnaryOp::Sin, x)?)?)),
        UnaryOp::Tanh => ("TanhBackward0", Result, |g, y| mul(g, &one_minus(&mul(y, y)?)?)),
        UnaryOp::Neg => ("NegBackward0", Nothing, |g, _| neg(g)),
        UnaryOp::Abs => ("AbsBackward0", Input, |g, x| mul(g, &sign(x)?)),
        _ => return None,
    })
}

/// PyTorch's error for an op whose derivative is not declared yet.
fn no_derivative(op: UnaryOp) -> crate::error::Error {
    crate::error::Error::Runtime(format!("the derivative for '{}' is not implemented.", op.name()))
}

pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    let out = plain::unary(op, a)?;
    Ok(match derivative(op) {
        Some((name, reads, f)) => record(name, &[a], out, |s| formula(s, a, reads, f)),
        None if any_requires_grad(&[a]) => return Err(no_derivative(op)),
        None => out,
    })
}

pub fn unary_(op: UnaryOp, a: &mut Tensor) -> Result<()> {
    if !any_requires_grad(&[a]) {
        return plain::unary_(op, a);
    }
    let Some((name, reads, f)) = derivative(op) else {
        return Err(no_derivative(op));
    };
    check_inplace(a)?;
    let before = if reads == Reads::Input { copy_keeping_history(a)? } else { a.clone() };
    plain::unary_(op, a)?;
    record_inplace(name, &[&before], a, |s| formula(s, &before, reads, f))
}

fn formula(s: &mut Saver, a: &Tensor, reads: Reads, f: Formula) -> BackwardFn {
    let saved = match reads {
        Reads::Input => Some(s.save(a)),
        Reads::Result => Some(s.save_output()),
        Reads::Nothing => None,
    };
    Box::new(move |c: &Ctx, g: &[Tensor]| {
        grads([c.grad(0, || {
            let value = match &saved {
                Some(v) => c.unpack(v)?,
                None => g[0].clone(),
            };
            f(&g[0], &value)
        })?])
    })
}

/// `1 - t`.
fn one_minus(t: &Tensor) -> Result<Tensor> {
    super::binary::binary(BinOp::Add, &neg(t)?, &Other::Scalar(Scalar::Int(1)))
}

/// sign(x) as a constant (its derivative is zero): 0 at 0, as PyTorch's `sgn`.
pub fn sign(x: &Tensor) -> Result<Tensor> {
    let zero = Other::Scalar(Scalar::Int(0));
    let pos = plain_binary::binary(BinOp::Gt, x, &zero)?.to_dtype(x.dtype)?;
    let negative = plain_binary::binary(BinOp::Lt, x, &zero)?.to_dtype(x.dtype)?;
    plain_binary::binary(BinOp::Sub, &pos, &Other::Tensor(negative))
}
