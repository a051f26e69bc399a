//! Differentiable unary ops (same signatures as `crate::ops::unary`). The table below gives each
//! op's node name, the value its formula reads, and the formula.
use super::binary::{div, mul, mul_scalar, neg, sub};
use super::{copy_keeping_history, grads};
use crate::autograd::graph::{any_requires_grad, check_inplace, record, record_inplace, BackwardFn, Ctx, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::binary::{self as plain_binary, BinOp, Other};
use crate::ops::unary::{self as plain, UnaryOp};

pub use plain::{bitwise_not, check_positive, logical_not_, predicate, Predicate};
use crate::tensor::Tensor;

/// The value a formula needs besides the incoming gradient.
#[derive(Clone, Copy, PartialEq)]
enum Reads {
    Input,
    Result,
    Nothing,
}

type Formula = fn(&Tensor, &Tensor) -> Result<Tensor>;

/// `(name, reads, formula(grad, value))` for every op of the unary table: the match is
/// exhaustive, so a new op does not compile until its derivative is declared here.
fn derivative(op: UnaryOp) -> (&'static str, Reads, Formula) {
    use std::f64::consts::{FRAC_2_SQRT_PI, LN_10, LN_2, PI};
    use Reads::*;
    use UnaryOp as U;
    match op {
        // Through the differentiable sign (zero derivative), so create_graph keeps a graph.
        U::Abs => ("AbsBackward0", Input, |g, x| mul(g, &unary(U::Sign, x)?)),
        U::Neg => ("NegBackward0", Nothing, |g, _| neg(g)),
        U::Sign => ("SignBackward0", Nothing, zero),
        U::Square => ("PowBackward0", Input, |g, x| mul(g, &mul_scalar(x, 2.0)?)),
        U::Relu => ("ReluBackward0", Result, threshold_backward),
        U::Floor => ("FloorBackward0", Nothing, zero),
        U::Ceil => ("CeilBackward0", Nothing, zero),
        U::Trunc => ("TruncBackward0", Nothing, zero),
        U::Frac => ("FracBackward0", Nothing, |g, _| Ok(g.clone())),
        U::Sqrt => ("SqrtBackward0", Result, |g, y| div(g, &mul_scalar(y, 2.0)?)),
        U::Rsqrt => ("RsqrtBackward0", Result, |g, y| mul(g, &mul_scalar(&mul(y, &mul(y, y)?)?, -0.5)?)),
        U::Reciprocal => ("ReciprocalBackward0", Result, |g, y| mul(g, &neg(&mul(y, y)?)?)),
        U::Exp => ("ExpBackward0", Result, |g, y| mul(g, y)),
        U::Exp2 => ("Exp2Backward0", Result, |g, y| mul(g, &mul_scalar(y, LN_2)?)),
        U::Expm1 => ("Expm1Backward0", Result, |g, y| mul(g, &plus(y, 1.0)?)),
        U::Log => ("LogBackward0", Input, |g, x| div(g, x)),
        U::Log2 => ("Log2Backward0", Input, |g, x| div(g, &mul_scalar(x, LN_2)?)),
        U::Log10 => ("Log10Backward0", Input, |g, x| div(g, &mul_scalar(x, LN_10)?)),
        U::Log1p => ("Log1pBackward0", Input, |g, x| div(g, &plus(x, 1.0)?)),
        U::Sin => ("SinBackward0", Input, |g, x| mul(g, &unary(U::Cos, x)?)),
        U::Cos => ("CosBackward0", Input, |g, x| mul(g, &neg(&unary(U::Sin, x)?)?)),
        U::Tan => ("TanBackward0", Result, |g, y| mul(g, &plus(&mul(y, y)?, 1.0)?)),
        U::Asin => ("AsinBackward0", Input, |g, x| div(g, &unary(U::Sqrt, &one_minus(&mul(x, x)?)?)?)),
        U::Acos => ("AcosBackward0", Input, |g, x| neg(&div(g, &unary(U::Sqrt, &one_minus(&mul(x, x)?)?)?)?)),
        U::Atan => ("AtanBackward0", Input, |g, x| div(g, &plus(&mul(x, x)?, 1.0)?)),
        U::Sinh => ("SinhBackward0", Input, |g, x| mul(g, &unary(U::Cosh, x)?)),
        U::Cosh => ("CoshBackward0", Input, |g, x| mul(g, &unary(U::Sinh, x)?)),
        U::Tanh => ("TanhBackward0", Result, |g, y| mul(g, &one_minus(&mul(y, y)?)?)),
        U::Asinh => ("AsinhBackward0", Input, |g, x| div(g, &unary(U::Sqrt, &plus(&mul(x, x)?, 1.0)?)?)),
        U::Acosh => ("AcoshBackward0", Input, |g, x| div(g, &unary(U::Sqrt, &plus(&mul(x, x)?, -1.0)?)?)),
        U::Atanh => ("AtanhBackward0", Input, |g, x| div(g, &one_minus(&mul(x, x)?)?)),
        U::Sigmoid => ("SigmoidBackward0", Result, |g, y| mul(g, &mul(y, &one_minus(y)?)?)),
        U::Erf => ("ErfBackward0", Input, |g, x| mul(g, &mul_scalar(&unary(U::Exp, &neg(&mul(x, x)?)?)?, FRAC_2_SQRT_PI)?)),
        U::Erfc => ("ErfcBackward0", Input, |g, x| mul(g, &mul_scalar(&unary(U::Exp, &neg(&mul(x, x)?)?)?, -FRAC_2_SQRT_PI)?)),
        U::Erfinv => ("ErfinvBackward0", Result, |g, y| mul(g, &mul_scalar(&unary(U::Exp, &mul(y, y)?)?, PI.sqrt() / 2.0)?)),
        U::Lgamma => ("LgammaBackward0", Input, |g, x| mul(g, &unary(U::Digamma, x)?)),
        U::Digamma => ("DigammaBackward0", Input, |g, x| mul(g, &polygamma(1, x)?)),
        U::I0 => ("I0Backward0", Input, |g, x| mul(g, &unary(U::I1, x)?)),
        U::Sinc => ("SincBackward0", Input, |g, x| {
            // (cos(πx) πx - sin(πx)) / (πx²), 0 at x = 0.
            let px = mul_scalar(x, PI)?;
            let d = div(&sub(&mul(&unary(U::Cos, &px)?, &px)?, &unary(U::Sin, &px)?)?, &mul(&px, x)?)?;
            mul(g, &fill_where_zero(&d, x, 0.0)?)
        }),
        U::I0e => ("SpecialI0EBackward0", Input, |g, x| mul(g, &sub(&unary(U::I1e, x)?, &mul(&sign(x)?, &unary(U::I0e, x)?)?)?)),
        U::I1 => ("SpecialI1Backward0", Input, |g, x| {
            let d = sub(&unary(U::I0, x)?, &div(&unary(U::I1, x)?, x)?)?;
            mul(g, &fill_where_zero(&d, x, 0.5)?)
        }),
        U::I1e => ("SpecialI1EBackward0", Input, |g, x| {
            let d = sub(&unary(U::I0e, x)?, &mul(&unary(U::I1e, x)?, &super::binary::add(&sign(x)?, &unary(U::Reciprocal, x)?)?)?)?;
            mul(g, &fill_where_zero(&d, x, 0.5)?)
        }),
        U::Ndtri => ("SpecialNdtriBackward0", Result, |g, y| mul(g, &mul_scalar(&unary(U::Exp, &mul_scalar(&mul(y, y)?, 0.5)?)?, (2.0 * PI).sqrt())?)),
        U::Erfcx => ("SpecialErfcxBackward0", Input, |g, x| mul(g, &plus(&mul_scalar(&mul(x, &unary(U::Erfcx, x)?)?, 2.0)?, -FRAC_2_SQRT_PI)?)),
        U::LogNdtr => ("SpecialLogNdtrBackward0", Input, |g, x| {
            let exponent = neg(&super::binary::add(&unary(U::LogNdtr, x)?, &mul_scalar(&mul(x, x)?, 0.5)?)?)?;
            mul(g, &mul_scalar(&unary(U::Exp, &exponent)?, 1.0 / (2.0 * PI).sqrt())?)
        }),
        U::Entr => ("SpecialEntrBackward0", Input, |g, x| mul(g, &neg(&plus(&unary(U::Log, x)?, 1.0)?)?)),
        U::BesselJ0 => ("SpecialBesselJ0Backward0", Input, |g, x| mul(g, &neg(&unary(U::BesselJ1, x)?)?)),
        U::BesselJ1 => ("SpecialBesselJ1Backward0", Input, |g, x| {
            let d = sub(&unary(U::BesselJ0, x)?, &div(&unary(U::BesselJ1, x)?, x)?)?;
            mul(g, &fill_where_zero(&d, x, 0.5)?)
        }),
    }
}

/// `d` with `value` where `x == 0` (the removable singularities of sinc', I₁' and J₁').
fn fill_where_zero(d: &Tensor, x: &Tensor, value: f64) -> Result<Tensor> {
    let at_zero = plain_binary::binary(BinOp::Eq, x, &Other::Scalar(Scalar::Int(0)))?;
    let cleared = super::where_zero(d, &at_zero)?;
    plain_binary::binary(BinOp::Add, &cleared, &Other::Tensor(mul_scalar(&at_zero.to_dtype(d.dtype)?, value)?))
}

/// A zero gradient (piecewise-constant ops).
fn zero(g: &Tensor, _: &Tensor) -> Result<Tensor> {
    Tensor::zeros(g.shape(), g.dtype)
}

pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    let out = plain::unary(op, a)?;
    let (name, reads, f) = derivative(op);
    if a.dtype.is_complex() {
        // No complex gradients (`abs` of a complex tensor is real, but its formula is not ours).
        return Ok(crate::autograd::graph::record_without_gradient(name, &[a], out));
    }
    Ok(record(name, &[a], out, |s| formula(s, a, reads, f)))
}

pub fn unary_(op: UnaryOp, a: &mut Tensor) -> Result<()> {
    if !any_requires_grad(&[a]) {
        return plain::unary_(op, a);
    }
    let (name, reads, f) = derivative(op);
    if a.dtype.is_complex() {
        return crate::error::runtime(format!("{}: rustorch does not support autograd through complex tensors", name));
    }
    check_inplace(a)?;
    let before = if reads == Reads::Input { copy_keeping_history(a)? } else { a.clone() };
    plain::unary_(op, a)?;
    record_inplace(name, &[&before], a, |s| formula(s, &before, reads, f))
}

fn formula(s: &mut Saver, a: &Tensor, reads: Reads, f: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + Send + Sync + 'static) -> BackwardFn {
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
    plus(&neg(t)?, 1.0)
}

/// `t + c`.
fn plus(t: &Tensor, c: f64) -> Result<Tensor> {
    super::binary::binary(BinOp::Add, t, &Other::Scalar(Scalar::Float(c)))
}

/// relu's gradient: `g` where `y > 0`, else 0. Like PyTorch's threshold_backward it is a
/// function of `y` too (with a zero derivative), so under create_graph the gradient requires
/// grad and a second derivative exists (zero), instead of silently ending the graph.
fn threshold_backward(g: &Tensor, y: &Tensor) -> Result<Tensor> {
    let blocked = plain_binary::binary(BinOp::Le, &positive(y)?, &Other::Scalar(Scalar::Int(0)))?;
    let out = super::where_zero(&g.detach(), &blocked)?;
    let (y_shape, y_dtype) = (y.shape_dims(), y.dtype);
    Ok(record("ThresholdBackwardBackward0", &[g, y], out, move |_s| {
        Box::new(move |c: &Ctx, gg: &[Tensor]| {
            grads([c.grad(0, || super::where_zero(&gg[0], &blocked))?, c.grad(1, || Tensor::zeros(&y_shape, y_dtype))?])
        }) as BackwardFn
    }))
}

/// 1 where `y > 0`, else 0, as a constant (relu's gradient mask; NaN passes none).
fn positive(y: &Tensor) -> Result<Tensor> {
    plain_binary::binary(BinOp::Gt, y, &Other::Scalar(Scalar::Int(0)))?.to_dtype(y.dtype)
}

/// sign(x) as a constant (its derivative is zero): 0 at 0, as PyTorch's `sgn`.
fn sign(x: &Tensor) -> Result<Tensor> {
    plain::unary(UnaryOp::Sign, x)
}

/// An op with arguments besides its input (`round`, `nan_to_num`, `logit`); `in_place` writes
/// into `a`, as the plain op does.
fn with_args(
    a: &Tensor,
    in_place: bool,
    name: &'static str,
    reads: Reads,
    forward: impl Fn(&Tensor, bool) -> Result<Tensor>,
    f: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + Send + Sync + 'static,
) -> Result<Tensor> {
    if !in_place {
        let out = forward(a, false)?;
        return Ok(record(name, &[a], out, |s| formula(s, a, reads, f)));
    }
    if !any_requires_grad(&[a]) {
        return forward(a, true);
    }
    let mut target = a.clone();
    check_inplace(&target)?;
    let before = if reads == Reads::Input { copy_keeping_history(a)? } else { a.clone() };
    let out = forward(a, true)?;
    record_inplace(name, &[&before], &mut target, |s| formula(s, &before, reads, f))?;
    Ok(out)
}

/// `round(decimals)`: a zero gradient (RoundBackward0, or RoundBackward1 with decimals).
pub fn round(a: &Tensor, decimals: i64, in_place: bool) -> Result<Tensor> {
    let name = if decimals == 0 { "RoundBackward0" } else { "RoundBackward1" };
    with_args(a, in_place, name, Reads::Nothing, |x, ip| plain::round(x, decimals, ip), zero)
}

/// `nan_to_num` (NanToNumBackward0): replaced values get no gradient.
pub fn nan_to_num(a: &Tensor, nan: f64, posinf: Option<f64>, neginf: Option<f64>, in_place: bool) -> Result<Tensor> {
    with_args(a, in_place, "NanToNumBackward0", Reads::Input, |x, ip| plain::nan_to_num(x, nan, posinf, neginf, ip), |g, x| {
        let finite = plain::predicate(Predicate::IsFinite, x)?.to_dtype(g.dtype)?;
        mul(g, &finite)
    })
}

/// `logit(eps)` (LogitBackward0): 1 / (x (1 - x)), zero where eps clamped the input.
pub fn logit(a: &Tensor, eps: Option<f64>, in_place: bool) -> Result<Tensor> {
    with_args(a, in_place, "LogitBackward0", Reads::Input, |x, ip| plain::logit(x, eps, ip), move |g, x| {
        let d = div(g, &mul(x, &one_minus(x)?)?)?;
        let Some(e) = eps else { return Ok(d) };
        let below = plain_binary::binary(BinOp::Lt, x, &Other::Scalar(Scalar::Float(e)))?;
        let above = plain_binary::binary(BinOp::Gt, x, &Other::Scalar(Scalar::Float(1.0 - e)))?;
        super::where_zero(&d, &plain_binary::binary(BinOp::BitOr, &below, &Other::Tensor(above))?)
    })
}

/// `polygamma(n, x)` (PolygammaBackward0): its derivative is ψ⁽ⁿ⁺¹⁾, so every order differentiates.
pub fn polygamma(n: u32, a: &Tensor) -> Result<Tensor> {
    with_args(a, false, "PolygammaBackward0", Reads::Input, move |x, _| plain::polygamma(n, x), move |g, x| mul(g, &polygamma(n + 1, x)?))
}
