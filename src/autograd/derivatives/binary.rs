//! Differentiable binary ops (same signatures as `crate::ops::binary`) and their backward
//! formulas, one match arm per op. Gradients are summed back to each input's shape.
use super::shape::sum_to;
use super::{grads, where_zero, Make};
use crate::autograd::graph::{any_requires_grad, check_inplace, record, record_inplace, BackwardFn, Ctx, SavedTensor, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::layout::Dims;
use crate::ops::binary::{self as plain, BinOp, Other};
use crate::tensor::Tensor;
use smallvec::SmallVec;

/// The second operand as saved for backward.
enum SavedOther {
    Tensor(SavedTensor),
    Scalar(Scalar),
}

impl SavedOther {
    fn new(s: &mut Saver, b: &Other) -> SavedOther {
        match b {
            Other::Tensor(t) => SavedOther::Tensor(s.save(t)),
            Other::Scalar(v) => {
                s.save_number();
                SavedOther::Scalar(*v)
            }
        }
    }
    fn unpack(&self, c: &Ctx) -> Result<Other> {
        Ok(match self {
            SavedOther::Tensor(t) => Other::Tensor(c.unpack(t)?),
            SavedOther::Scalar(v) => Other::Scalar(*v),
        })
    }
}

fn other_tensor(b: &Other) -> Option<&Tensor> {
    match b {
        Other::Tensor(t) => Some(t),
        Other::Scalar(_) => None,
    }
}

/// The tensor operands (what decides whether to record).
fn tensors<'a>(a: &'a Tensor, b: &'a Other) -> SmallVec<[&'a Tensor; 2]> {
    std::iter::once(a).chain(other_tensor(b)).collect()
}

/// The node's inputs. A Python number counts as an input without history (as PyTorch's
/// wrapped-number tensors do), except a `pow` exponent, which is a true scalar argument.
fn node_inputs(op: BinOp, a: &Tensor, b: &Other) -> Result<SmallVec<[Tensor; 2]>> {
    let mut ins: SmallVec<[Tensor; 2]> = smallvec::smallvec![a.clone()];
    match b {
        Other::Tensor(t) => ins.push(t.clone()),
        Other::Scalar(s) if !matches!(op, BinOp::Pow | BinOp::FloatPower) => ins.push(Tensor::scalar(*s, s.natural_dtype(a.dtype))?),
        Other::Scalar(_) => {}
    }
    Ok(ins)
}

/// `f` applied to the node's inputs for `op(a, b)`.
fn with_inputs<R>(op: BinOp, a: &Tensor, b: &Other, f: impl FnOnce(&[&Tensor]) -> R) -> Result<R> {
    let ins = node_inputs(op, a, b)?;
    let refs: SmallVec<[&Tensor; 2]> = ins.iter().collect();
    Ok(f(&refs))
}

/// Shape of the second operand (a scalar gets no gradient, so any shape does).
fn shape_of(b: &Other) -> Dims {
    other_tensor(b).map(|t| t.shape_dims()).unwrap_or_default()
}

pub fn binary(op: BinOp, a: &Tensor, b: &Other) -> Result<Tensor> {
    let out = plain::binary(op, a, b)?;
    match formula(op, a, b).filter(|_| any_requires_grad(&tensors(a, b))) {
        Some((name, make)) => with_inputs(op, a, b, |ins| record(name, ins, out, make)),
        None => Ok(out),
    }
}

/// In place: the formula sees `a` as it was (a copy is kept only when the formula reads it).
pub fn binary_(op: BinOp, a: &mut Tensor, b: &Other) -> Result<()> {
    if !any_requires_grad(&tensors(a, b)) {
        return plain::binary_(op, a, b);
    }
    check_inplace(a)?;
    let before = if reads_self(op) { super::copy_keeping_history(a)? } else { a.clone() };
    plain::binary_(op, a, b)?;
    let Some((name, make)) = formula(op, &before, b) else { return Ok(()) };
    with_inputs(op, &before, b, |ins| record_inplace(name, ins, a, make))?
}

/// Whether the op's formula needs the first operand's value.
fn reads_self(op: BinOp) -> bool {
    use BinOp::*;
    matches!(op, Mul | Div | Pow | FloatPower | Maximum | Minimum | Fmax | Fmin | Atan2 | Rem | Fmod | Hypot | Copysign)
}

/// `add`/`sub` with `alpha` scaling the second operand (AddBackward0 / SubBackward0).
pub fn add_scaled(a: &Tensor, b: &Other, alpha: Scalar, subtract: bool) -> Result<Tensor> {
    let out = plain::add_scaled(a, b, alpha, subtract)?;
    if !any_requires_grad(&tensors(a, b)) {
        return Ok(out);
    }
    with_inputs(BinOp::Add, a, b, |ins| record(add_name(subtract), ins, out, |s| add_formula(s, a, b, alpha, subtract)))
}

pub fn add_scaled_(a: &mut Tensor, b: &Other, alpha: Scalar, subtract: bool) -> Result<()> {
    if !any_requires_grad(&tensors(a, b)) {
        return plain::add_scaled_(a, b, alpha, subtract);
    }
    check_inplace(a)?;
    let before = a.clone();
    plain::add_scaled_(a, b, alpha, subtract)?;
    with_inputs(BinOp::Add, &before, b, |ins| record_inplace(add_name(subtract), ins, a, |s| add_formula(s, &before, b, alpha, subtract)))?
}

/// `number op tensor` (`1 - t`, `2 / t`, `2 ** t`), recorded as PyTorch computes it: `1 - t`
/// is rsub (RsubBackward1), `2 / t` is `t.reciprocal() * 2`, `2 ** t` is pow of a number
/// (PowBackward2); the others are the op on a 0-dim tensor.
pub fn binary_scalar_lhs(op: BinOp, s: Scalar, t: &Tensor) -> Result<Tensor> {
    if !any_requires_grad(&[t]) {
        return plain::binary_scalar_lhs(op, s, t);
    }
    let shape = t.shape_dims();
    match op {
        BinOp::Add | BinOp::Mul => binary(op, t, &Other::Scalar(s)),
        BinOp::Div => binary(BinOp::Mul, &super::unary::unary(crate::ops::unary::UnaryOp::Reciprocal, t)?, &Other::Scalar(s)),
        BinOp::Sub => Ok(record("RsubBackward1", &[t], plain::binary_scalar_lhs(op, s, t)?, move |_sv| {
            Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || sum_to(&neg(&g[0])?, &shape))?])) as BackwardFn
        })),
        BinOp::Pow => Ok(record("PowBackward2", &[t], plain::binary_scalar_lhs(op, s, t)?, move |sv| {
            let (exponent, result) = (sv.save(t), sv.save_output());
            Box::new(move |c: &Ctx, g: &[Tensor]| {
                grads([c.grad(0, || {
                    let base = Tensor::scalar(s, g[0].dtype)?;
                    pow_exponent_backward(&g[0], &base, &c.unpack(&exponent)?, &c.unpack(&result)?)
                })?])
            }) as BackwardFn
        })),
        _ => {
            let dtype = crate::dtype::result_type(&[crate::dtype::Operand::Scalar(s), plain::operand(t)], crate::default_dtype::get())?;
            binary(op, &Tensor::scalar(s, dtype)?, &Other::Tensor(t.clone()))
        }
    }
}

fn add_name(subtract: bool) -> &'static str {
    if subtract {
        "SubBackward0"
    } else {
        "AddBackward0"
    }
}

fn add_formula(_s: &mut Saver, a: &Tensor, b: &Other, alpha: Scalar, subtract: bool) -> BackwardFn {
    let (sa, sb) = (a.shape_dims(), shape_of(b));
    let factor = if subtract { -alpha.to_f64() } else { alpha.to_f64() };
    Box::new(move |c: &Ctx, g: &[Tensor]| {
        grads([
            c.grad(0, || sum_to(&g[0], &sa))?,
            c.grad(1, || sum_to(&scaled(&g[0], factor)?, &sb))?,
        ])
    })
}

/// `g * factor`, skipping the multiplication by 1.
fn scaled(g: &Tensor, factor: f64) -> Result<Tensor> {
    if factor == 1.0 {
        Ok(g.clone())
    } else {
        mul_scalar(g, factor)
    }
}

/// A scalar operand as a 0-dim tensor, for formulas that need tensor arithmetic on it.
fn as_tensor(o: Other, dtype: crate::dtype::DType) -> Result<Tensor> {
    match o {
        Other::Tensor(t) => Ok(t),
        Other::Scalar(s) => Tensor::scalar(s, dtype),
    }
}

/// The backward of `op(a, b)`: its node name and a closure that saves what the formula needs.
fn formula<'a>(op: BinOp, a: &'a Tensor, b: &'a Other) -> Option<(&'static str, Make<'a>)> {
    let (sa, sb) = (a.shape_dims(), shape_of(b));
    Some(match op {
        BinOp::Add | BinOp::Sub => {
            let subtract = op == BinOp::Sub;
            (add_name(subtract), Box::new(move |s: &mut Saver| add_formula(s, a, b, Scalar::Int(1), subtract)))
        }
        BinOp::Mul => ("MulBackward0", Box::new(move |s: &mut Saver| {
            let other = s.needs(0).then(|| SavedOther::new(s, b));
            let me = s.needs(1).then(|| s.save(a));
            Box::new(move |c: &Ctx, g: &[Tensor]| {
                grads([
                    c.grad(0, || sum_to(&binary(BinOp::Mul, &g[0], &other.as_ref().unwrap().unpack(c)?)?, &sa))?,
                    c.grad(1, || sum_to(&mul(&g[0], &c.unpack(me.as_ref().unwrap())?)?, &sb))?,
                ])
            }) as BackwardFn
        })),
        BinOp::Div => ("DivBackward0", Box::new(move |s: &mut Saver| {
            let other = SavedOther::new(s, b);
            let me = s.needs(1).then(|| s.save(a));
            Box::new(move |c: &Ctx, g: &[Tensor]| {
                let other = other.unpack(c)?;
                grads([
                    c.grad(0, || sum_to(&binary(BinOp::Div, &g[0], &other)?, &sa))?,
                    c.grad(1, || {
                        // -g * ((a / b) / b)
                        let ratio = binary(BinOp::Div, &c.unpack(me.as_ref().unwrap())?, &other)?;
                        let q = binary(BinOp::Div, &ratio, &other)?;
                        sum_to(&neg(&mul(&g[0], &q)?)?, &sb)
                    })?,
                ])
            }) as BackwardFn
        })),
        BinOp::Pow => match b {
            Other::Scalar(e) => ("PowBackward0", Box::new(move |s: &mut Saver| {
                let me = s.save(a);
                let e = *e;
                Box::new(move |c: &Ctx, g: &[Tensor]| grads([c.grad(0, || pow_scalar_backward(&g[0], &c.unpack(&me)?, e))?])) as BackwardFn
            })),
            Other::Tensor(_) => ("PowBackward1", Box::new(move |s: &mut Saver| {
                let (me, exponent) = (s.save(a), SavedOther::new(s, b));
                let result = s.needs(1).then(|| s.save_output());
                Box::new(move |c: &Ctx, g: &[Tensor]| {
                    let (base, exponent) = (c.unpack(&me)?, as_tensor(exponent.unpack(c)?, g[0].dtype)?);
                    grads([
                        c.grad(0, || sum_to(&pow_self_backward(&g[0], &base, &exponent)?, &sa))?,
                        c.grad(1, || {
                            let r = c.unpack(result.as_ref().unwrap())?;
                            sum_to(&pow_exponent_backward(&g[0], &base, &exponent, &r)?, &sb)
                        })?,
                    ])
                }) as BackwardFn
            })),
        },
        BinOp::Maximum | BinOp::Minimum => {
            let name = if op == BinOp::Maximum { "MaximumBackward0" } else { "MinimumBackward0" };
            (name, Box::new(move |s: &mut Saver| {
                let (me, other) = (s.save(a), SavedOther::new(s, b));
                Box::new(move |c: &Ctx, g: &[Tensor]| {
                    let (x, y) = (c.unpack(&me)?.detach(), other.unpack(c)?);
                    let (win, lose) = if op == BinOp::Maximum { (BinOp::Gt, BinOp::Lt) } else { (BinOp::Lt, BinOp::Gt) };
                    grads([
                        c.grad(0, || sum_to(&mul(&g[0], &selection_weight(&x, &y, lose, g[0].dtype)?)?, &sa))?,
                        c.grad(1, || sum_to(&mul(&g[0], &selection_weight(&x, &y, win, g[0].dtype)?)?, &sb))?,
                    ])
                }) as BackwardFn
            }))
        }
        BinOp::Atan2 => ("Atan2Backward0", Box::new(move |s: &mut Saver| {
            let (me, other) = (s.save(a), SavedOther::new(s, b));
            Box::new(move |c: &Ctx, g: &[Tensor]| {
                let (x, y) = (c.unpack(&me)?, as_tensor(other.unpack(c)?, g[0].dtype)?);
                let denom = add(&mul(&x, &x)?, &mul(&y, &y)?)?;
                // PyTorch's atan2 gradient is 0 where x = y = 0, not 0/0.
                let at_origin = plain::binary(BinOp::Eq, &denom, &Other::Scalar(Scalar::Int(0)))?;
                let scale = where_zero(&div(&g[0], &denom)?, &at_origin)?;
                grads([c.grad(0, || sum_to(&mul(&scale, &y)?, &sa))?, c.grad(1, || sum_to(&neg(&mul(&scale, &x)?)?, &sb))?])
            }) as BackwardFn
        })),
        // a - q b with q piecewise constant: floor (remainder) or truncated (fmod) quotient.
        BinOp::Rem | BinOp::Fmod => {
            let scalar = matches!(b, Other::Scalar(_));
            let (name, quotient) = match op {
                BinOp::Rem => (if scalar { "RemainderBackward0" } else { "RemainderBackward1" }, BinOp::FloorDiv),
                _ => (if scalar { "FmodBackward0" } else { "FmodBackward1" }, BinOp::TruncDiv),
            };
            (name, Box::new(move |s: &mut Saver| {
                let saved = s.needs(1).then(|| (s.save(a), SavedOther::new(s, b)));
                Box::new(move |c: &Ctx, g: &[Tensor]| {
                    grads([
                        c.grad(0, || sum_to(&g[0], &sa))?,
                        c.grad(1, || {
                            let (x, y) = saved.as_ref().unwrap();
                            let q = plain::binary(quotient, &c.unpack(x)?, &y.unpack(c)?)?;
                            sum_to(&neg(&mul(&g[0], &q)?)?, &sb)
                        })?,
                    ])
                }) as BackwardFn
            }))
        }
        // NaN-ignoring maximum/minimum: the side that was taken gets the gradient.
        BinOp::Fmax | BinOp::Fmin => {
            let (name, keeps) = if op == BinOp::Fmax { ("FmaxBackward0", BinOp::Ge) } else { ("FminBackward0", BinOp::Le) };
            (name, Box::new(move |s: &mut Saver| {
                let (me, other) = (s.save(a), SavedOther::new(s, b));
                Box::new(move |c: &Ctx, g: &[Tensor]| {
                    let (x, y) = (c.unpack(&me)?.detach(), as_tensor(other.unpack(c)?, g[0].dtype)?.detach());
                    let y_nan = plain::binary(BinOp::Ne, &y, &Other::Tensor(y.clone()))?;
                    let first = plain::binary(BinOp::BitOr, &plain::binary(keeps, &x, &Other::Tensor(y))?, &Other::Tensor(y_nan))?;
                    let second = plain::binary(BinOp::Eq, &first, &Other::Scalar(Scalar::Bool(false)))?;
                    grads([c.grad(0, || sum_to(&where_zero(&g[0], &second)?, &sa))?, c.grad(1, || sum_to(&where_zero(&g[0], &first)?, &sb))?])
                }) as BackwardFn
            }))
        }
        BinOp::Hypot => ("HypotBackward0", Box::new(move |s: &mut Saver| {
            let (me, other, result) = (s.save(a), SavedOther::new(s, b), s.save_output());
            Box::new(move |c: &Ctx, g: &[Tensor]| {
                let scale = div(&g[0], &c.unpack(&result)?)?;
                grads([
                    c.grad(0, || sum_to(&mul(&scale, &c.unpack(&me)?)?, &sa))?,
                    c.grad(1, || sum_to(&mul(&scale, &as_tensor(other.unpack(c)?, g[0].dtype)?)?, &sb))?,
                ])
            }) as BackwardFn
        })),
        // |a| carries the gradient with the sign that was copied onto it.
        BinOp::Copysign => {
            let name = if matches!(b, Other::Scalar(_)) { "CopysignBackward1" } else { "CopysignBackward0" };
            (name, Box::new(move |s: &mut Saver| {
                let (me, result) = (s.save(a), s.save_output());
                Box::new(move |c: &Ctx, g: &[Tensor]| {
                    grads([
                        c.grad(0, || {
                            let x = c.unpack(&me)?;
                            let ratio = div(&c.unpack(&result)?, &x)?;
                            let at_zero = plain::binary(BinOp::Eq, &x, &Other::Scalar(Scalar::Int(0)))?;
                            sum_to(&mul(&g[0], &where_zero(&ratio, &at_zero)?)?, &sa)
                        })?,
                        c.grad(1, || Tensor::zeros(&sb, g[0].dtype))?,
                    ])
                }) as BackwardFn
            }))
        }
        // Computed in float64; the gradient is pow's.
        BinOp::FloatPower => return formula(BinOp::Pow, a, b),
        // Piecewise constant: zero gradients.
        BinOp::FloorDiv | BinOp::TruncDiv => {
            let name = match (op, b) {
                (BinOp::FloorDiv, _) => "FloorDivideBackward0",
                (_, Other::Scalar(_)) => "DivBackward3",
                _ => "DivBackward2",
            };
            (name, Box::new(move |_s: &mut Saver| {
                Box::new(move |c: &Ctx, g: &[Tensor]| {
                    grads([c.grad(0, || Tensor::zeros(&sa, g[0].dtype))?, c.grad(1, || Tensor::zeros(&sb, g[0].dtype))?])
                }) as BackwardFn
            }))
        }
        // Integer- and bool-valued ops.
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr | BinOp::LogicalAnd | BinOp::LogicalOr | BinOp::LogicalXor => return None,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => return None,
    })
}

/// How much of the gradient of maximum/minimum goes to `x`: 1 where it won, 0 where it was
/// `beaten`, and half on ties (NaN compares false everywhere, so it takes the gradient).
fn selection_weight(x: &Tensor, y: &Other, beaten: BinOp, dtype: crate::dtype::DType) -> Result<Tensor> {
    let lost = plain::binary(beaten, x, y)?.to_dtype(dtype)?;
    let tie = plain::binary(BinOp::Eq, x, y)?.to_dtype(dtype)?;
    let half_tie = plain::binary(BinOp::Mul, &tie, &Other::Scalar(Scalar::Float(0.5)))?;
    let won = plain::binary(BinOp::Sub, &Tensor::scalar(Scalar::Int(1), dtype)?, &Other::Tensor(lost))?;
    plain::binary(BinOp::Sub, &won, &Other::Tensor(half_tie))
}

/// d/dx x^e = e x^(e-1); zero everywhere for e == 0 (as PyTorch, even at x == 0).
fn pow_scalar_backward(g: &Tensor, x: &Tensor, e: Scalar) -> Result<Tensor> {
    if e.to_f64() == 0.0 {
        return Tensor::zeros(x.shape(), g.dtype);
    }
    let e_minus_1 = match e {
        Scalar::Float(f) => Scalar::Float(f - 1.0),
        other => Scalar::Int(other.to_i64() - 1),
    };
    let d = binary(BinOp::Mul, &binary(BinOp::Pow, x, &Other::Scalar(e_minus_1))?, &Other::Scalar(e))?;
    mul(g, &d)
}

fn pow_self_backward(g: &Tensor, x: &Tensor, e: &Tensor) -> Result<Tensor> {
    let e_minus_1 = binary(BinOp::Sub, e, &Other::Scalar(Scalar::Int(1)))?;
    let d = mul(g, &mul(e, &binary(BinOp::Pow, x, &Other::Tensor(e_minus_1))?)?)?;
    let zero_exponent = plain::binary(BinOp::Eq, e, &Other::Scalar(Scalar::Int(0)))?;
    where_zero(&d, &zero_exponent)
}

/// d/de x^e = x^e ln x, taken as 0 where x == 0 and e >= 0 (PyTorch's convention).
fn pow_exponent_backward(g: &Tensor, x: &Tensor, e: &Tensor, result: &Tensor) -> Result<Tensor> {
    let ln = super::unary::unary(crate::ops::unary::UnaryOp::Log, x)?;
    let d = mul(g, &mul(result, &ln)?)?;
    let zero_base = plain::binary(BinOp::Eq, x, &Other::Scalar(Scalar::Int(0)))?;
    let nonneg = plain::binary(BinOp::Ge, e, &Other::Scalar(Scalar::Int(0)))?;
    let mask = plain::binary(BinOp::BitAnd, &zero_base, &Other::Tensor(nonneg))?;
    where_zero(&d, &mask)
}

pub fn add(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinOp::Add, a, &Other::Tensor(b.clone()))
}
pub fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinOp::Sub, a, &Other::Tensor(b.clone()))
}
pub fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinOp::Mul, a, &Other::Tensor(b.clone()))
}
pub fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinOp::Div, a, &Other::Tensor(b.clone()))
}
pub fn mul_scalar(a: &Tensor, s: f64) -> Result<Tensor> {
    binary(BinOp::Mul, a, &Other::Scalar(Scalar::Float(s)))
}
pub fn neg(a: &Tensor) -> Result<Tensor> {
    super::unary::unary(crate::ops::unary::UnaryOp::Neg, a)
}
