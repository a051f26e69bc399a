//! Differentiable fused losses: one node each, named as PyTorch's (MseLossBackward0,
//! NllLossBackward0, …). The backward runs the fused kernels of `ops::loss`; under
//! `create_graph` it is composed of differentiable ops instead, so that gradients of gradients
//! exist.
use super::binary::{add, binary, binary_scalar_lhs, div, mul, mul_scalar, neg, sub};
use super::reduce::{mean, sum};
use super::shape::{reshape, unsqueeze};
use super::ternary::{clamp, clamp_max, clamp_min};
use super::unary::unary;
use super::{grads, to_dtype};
use crate::autograd::grad_mode::{self, GradModeGuard};
use crate::autograd::graph::{record, BackwardFn, Ctx, Saver};
use crate::dtype::{promote_types, Scalar};
use crate::error::Result;
use crate::ops::binary::{BinOp, Other};
use crate::ops::loss::{self as plain, Pointwise, PointwiseArgs, Reduction};
use crate::ops::unary::UnaryOp;
use crate::storage::Device;
use crate::tensor::Tensor;

fn number(v: f64) -> Other {
    Other::Scalar(Scalar::Float(v))
}

/// A pointwise loss of same-shaped `input` and `target` (promoted to one dtype); `weight` and
/// `pos_weight` (shaped like the input) are constants, as in PyTorch.
pub fn pointwise_loss(kind: Pointwise, input: &Tensor, target: &Tensor, weight: Option<&Tensor>, pos_weight: Option<&Tensor>, reduction: Reduction) -> Result<Tensor> {
    let dtype = promote_types(input.dtype, target.dtype)?;
    let (x, t) = (to_dtype(input, dtype)?, to_dtype(target, dtype)?);
    let (w, pw) = (weight.map(|w| w.detach()), pos_weight.map(|w| w.detach()));
    let args = PointwiseArgs { input: &x, target: &t, weight: w.as_ref(), pos_weight: pw.as_ref() };
    // The fused kernels are CPU ones; on the GPU the same formulas run as ops with GPU kernels.
    let on_gpu = x.device() == Device::Cuda;
    let out = if on_gpu {
        plain::check_pointwise_args(kind, &args)?;
        let _no_grad = GradModeGuard::new(false);
        composed_pointwise_loss(kind, &x, &t, w.as_ref(), pw.as_ref(), reduction)?
    } else {
        plain::pointwise_loss(kind, &args, reduction)?
    };
    Ok(record(kind.node_name(), &[&x, &t], out, |s: &mut Saver| {
        let (sx, st) = (s.save(&x), s.save(&t));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let (x, t) = (c.unpack(&sx)?, c.unpack(&st)?);
            let needs = [c.needs(0), c.needs(1)];
            let [gx, gt] = if grad_mode::is_enabled() || on_gpu {
                composed_pointwise_backward(kind, &g[0], &x, &t, w.as_ref(), pw.as_ref(), reduction, needs)?
            } else {
                plain::pointwise_loss_backward(kind, &g[0], &PointwiseArgs { input: &x, target: &t, weight: w.as_ref(), pos_weight: pw.as_ref() }, reduction, needs)?
            };
            grads([gx, gt])
        }) as BackwardFn
    }))
}

/// The loss of `ops::loss::Pointwise::loss`, weighted and reduced, from differentiable ops.
fn composed_pointwise_loss(kind: Pointwise, x: &Tensor, t: &Tensor, weight: Option<&Tensor>, pos_weight: Option<&Tensor>, reduction: Reduction) -> Result<Tensor> {
    // Huber and smooth L1 as `0.5 m^2 + delta (|d| - m)` with `m = min(|d|, delta)`: one formula
    // for both branches of PyTorch's piecewise definition.
    let huber = |delta: f64| -> Result<(Tensor, Tensor)> {
        let z = unary(UnaryOp::Abs, &sub(x, t)?)?;
        let m = clamp_max(&z, &number(delta))?;
        Ok((mul_scalar(&mul(&m, &m)?, 0.5)?, sub(&z, &m)?))
    };
    let one_minus = |v: &Tensor| binary_scalar_lhs(BinOp::Sub, Scalar::Float(1.0), v);
    let mut loss = match kind {
        Pointwise::Mse => {
            let d = sub(x, t)?;
            mul(&d, &d)?
        }
        Pointwise::Huber(delta) => {
            let (quadratic, linear) = huber(delta)?;
            add(&quadratic, &mul_scalar(&linear, delta)?)?
        }
        Pointwise::SmoothL1(beta) if beta == 0.0 => unary(UnaryOp::Abs, &sub(x, t)?)?,
        Pointwise::SmoothL1(beta) => {
            let (quadratic, linear) = huber(beta)?;
            add(&mul_scalar(&quadratic, 1.0 / beta)?, &linear)?
        }
        Pointwise::BinaryCrossEntropy => {
            let clamped_log = |v: &Tensor| clamp_min(&unary(UnaryOp::Log, v)?, &number(-100.0));
            let positive = mul(t, &clamped_log(x)?)?;
            neg(&add(&positive, &mul(&one_minus(t)?, &clamped_log(&one_minus(x)?)?)?)?)?
        }
        Pointwise::BinaryCrossEntropyWithLogits => {
            let log_term = log_sigmoid(x)?;
            let weighted = match pos_weight {
                Some(p) => mul(&binary_scalar_lhs(BinOp::Add, Scalar::Float(1.0), &mul(&binary(BinOp::Sub, p, &number(1.0))?, t)?)?, &log_term)?,
                None => log_term,
            };
            sub(&mul(&one_minus(t)?, x)?, &weighted)?
        }
    };
    if let Some(w) = weight {
        loss = mul(&loss, w)?;
    }
    match reduction {
        Reduction::None => Ok(loss),
        Reduction::Mean => mean(&loss, None, false, None),
        Reduction::Sum => sum(&loss, None, false, None),
    }
}

/// `log(sigmoid(x))` from differentiable ops: `min(x, 0) - log1p(exp(-|x|))`.
fn log_sigmoid(x: &Tensor) -> Result<Tensor> {
    let tail = unary(UnaryOp::Log1p, &unary(UnaryOp::Exp, &neg(&unary(UnaryOp::Abs, x)?)?)?)?;
    sub(&clamp_max(x, &number(0.0))?, &tail)
}

/// The same gradients as `ops::loss::pointwise_loss_backward`, from differentiable ops.
#[allow(clippy::too_many_arguments)]
fn composed_pointwise_backward(
    kind: Pointwise,
    g: &Tensor,
    x: &Tensor,
    t: &Tensor,
    weight: Option<&Tensor>,
    pos_weight: Option<&Tensor>,
    reduction: Reduction,
    needs: [bool; 2],
) -> Result<[Option<Tensor>; 2]> {
    let mut scale = if reduction == Reduction::Mean { mul_scalar(g, 1.0 / x.numel() as f64)? } else { g.clone() };
    if let Some(w) = weight {
        scale = mul(&scale, w)?;
    }
    let diff = || sub(x, t);
    let symmetric = |dx: Tensor| -> Result<[Option<Tensor>; 2]> {
        let gx = mul(&scale, &dx)?;
        let gt = needs[1].then(|| neg(&gx)).transpose()?;
        Ok([needs[0].then_some(gx), gt])
    };
    match kind {
        Pointwise::Mse => symmetric(mul_scalar(&diff()?, 2.0)?),
        Pointwise::Huber(delta) => symmetric(clamp(&diff()?, Some(&number(-delta)), Some(&number(delta)))?),
        Pointwise::SmoothL1(beta) => symmetric(mul_scalar(&clamp(&diff()?, Some(&number(-beta)), Some(&number(beta)))?, 1.0 / beta)?),
        Pointwise::BinaryCrossEntropy => {
            let one_minus_x = binary_scalar_lhs(BinOp::Sub, Scalar::Float(1.0), x)?;
            let gx = needs[0].then(|| mul(&scale, &div(&diff()?, &clamp_min(&mul(&one_minus_x, x)?, &number(1e-12))?)?)).transpose()?;
            let clamped_log = |v: &Tensor| clamp_min(&unary(UnaryOp::Log, v)?, &number(-100.0));
            let gt = needs[1].then(|| mul(&scale, &sub(&clamped_log(&one_minus_x)?, &clamped_log(x)?)?)).transpose()?;
            Ok([gx, gt])
        }
        Pointwise::BinaryCrossEntropyWithLogits => {
            // d/dx = (1 - t) - (1 + (pw - 1) t)(1 - sigmoid(x)); d/dt = -(x + (pw - 1) logsigmoid(x)).
            let pw_minus_one = pos_weight.map(|p| binary_scalar_lhs(BinOp::Sub, Scalar::Float(1.0), p).and_then(|v| neg(&v))).transpose()?;
            let gx = needs[0]
                .then(|| {
                    let one_minus_sigmoid = binary_scalar_lhs(BinOp::Sub, Scalar::Float(1.0), &unary(UnaryOp::Sigmoid, x)?)?;
                    let weighted = match &pw_minus_one {
                        Some(p) => mul(&binary_scalar_lhs(BinOp::Add, Scalar::Float(1.0), &mul(p, t)?)?, &one_minus_sigmoid)?,
                        None => one_minus_sigmoid,
                    };
                    mul(&scale, &sub(&binary_scalar_lhs(BinOp::Sub, Scalar::Float(1.0), t)?, &weighted)?)
                })
                .transpose()?;
            let gt = needs[1]
                .then(|| {
                    let inner = match &pw_minus_one {
                        Some(p) => super::binary::add(x, &mul(p, &log_sigmoid(x)?)?)?,
                        None => x.clone(),
                    };
                    mul(&scale, &neg(&inner)?)
                })
                .transpose()?;
            Ok([gx, gt])
        }
    }
}

/// `nll_loss` (NllLossBackward0 for 1-d and 2-d inputs, NllLoss2DBackward0 beyond, whose 3-d
/// and 5-d+ inputs are viewed as 4-d first, as PyTorch's `nll_loss_nd`).
pub fn nll_loss(input: &Tensor, target: &Tensor, weight: Option<&Tensor>, reduction: Reduction, ignore_index: i64) -> Result<Tensor> {
    if input.ndim() >= 3 && input.ndim() != 4 {
        let (n, c) = (input.shape()[0] as i64, input.shape()[1] as i64);
        let x4 = reshape(input, &[n, c, 1, -1])?;
        let t3 = target.reshape(&[n, 1, -1])?;
        let out = nll_loss(&x4, &t3, weight, reduction, ignore_index)?;
        return if reduction == Reduction::None { reshape(&out, &target.shape().iter().map(|&d| d as i64).collect::<Vec<_>>()) } else { Ok(out) };
    }
    let name = if input.ndim() == 4 { "NllLoss2DBackward0" } else { "NllLossBackward0" };
    let (out, total_weight) = plain::nll_loss(input, target, weight, reduction, ignore_index)?;
    let (target, weight) = (target.detach(), weight.map(|w| w.detach()));
    let total = total_weight.to_dtype(crate::dtype::DType::F64)?.to_vec::<f64>()?[0];
    Ok(record(name, &[input], out, |s: &mut Saver| {
        let (sx, st) = (s.save(input), s.save(&target));
        let sw = weight.as_ref().map(|w| s.save(w));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let (x, t, w) = (c.unpack(&sx)?, c.unpack(&st)?, sw.as_ref().map(|w| c.unpack(w)).transpose()?);
            let gx = c.grad(0, || {
                if !grad_mode::is_enabled() {
                    return plain::nll_loss_backward(&g[0], &x, &t, w.as_ref(), reduction, ignore_index, total);
                }
                // Linear in the incoming gradient: the kernel's result for a unit gradient, times it.
                let unit = plain::nll_loss_backward(&Tensor::full(g[0].shape(), Scalar::Float(1.0), g[0].dtype)?, &x, &t, w.as_ref(), Reduction::Sum, ignore_index, total)?;
                let unit = if reduction == Reduction::Mean { mul_scalar(&unit, 1.0 / total)? } else { unit };
                let g = if reduction == Reduction::None && x.ndim() >= 2 { unsqueeze(&g[0], 1)? } else { g[0].clone() };
                mul(&unit, &g)
            })?;
            grads([gx])
        }) as BackwardFn
    }))
}
