//! Differentiable fused layers, one node each as in PyTorch: batch norm
//! (NativeBatchNormBackward0), layer norm (NativeLayerNormBackward0), GELU (GeluBackward0) and
//! embedding (EmbeddingBackward0). The backward runs the fused kernels of `ops::norm`; under
//! `create_graph` it is composed of differentiable ops instead.
use super::binary::{add, binary, mul, mul_scalar, sub};
use super::gather::index_add_;
use super::{grads, optional_input as slot};
use super::reduce::{mean, sum};
use super::shape::reshape;
use super::unary::unary;
use crate::autograd::grad_mode::{self, GradModeGuard};
use crate::autograd::graph::{record, BackwardFn, Ctx, Grads, Saver};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::ops::binary::{BinOp, Other};
use crate::ops::norm::{self as plain, BatchNormMode, Gelu};
use crate::ops::unary::UnaryOp;
use crate::storage::Device;
use crate::tensor::Tensor;

fn plus(t: &Tensor, v: f64) -> Result<Tensor> {
    binary(BinOp::Add, t, &Other::Scalar(Scalar::Float(v)))
}

fn three(g: [Option<Tensor>; 3]) -> Result<Grads> {
    grads(g)
}

/// `x̂`'s gradient from differentiable ops: `invstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂))` over `dims`.
fn normalized_input_grad(gh: &Tensor, xhat: &Tensor, invstd: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let centered = sub(gh, &mean(gh, Some(dims), true, None)?)?;
    mul(invstd, &sub(&centered, &mul(xhat, &mean(&mul(gh, xhat)?, Some(dims), true, None)?)?)?)
}

/// `(x - mean) * rstd` over `dims` (biased variance) and that `rstd`, from differentiable ops.
fn standardized(x: &Tensor, dims: &[i64], eps: f64) -> Result<(Tensor, Tensor)> {
    let centered = sub(x, &mean(x, Some(dims), true, None)?)?;
    let rstd = unary(UnaryOp::Rsqrt, &plus(&mean(&mul(&centered, &centered)?, Some(dims), true, None)?, eps)?)?;
    Ok((mul(&centered, &rstd)?, rstd))
}

/// `ops::norm::batch_norm` from differentiable ops: (output, mean, inverse std per channel),
/// the running stats updated in place in training.
fn composed_batch_norm(x: &Tensor, weight: Option<&Tensor>, bias: Option<&Tensor>, mode: &BatchNormMode) -> Result<(Tensor, Tensor, Tensor)> {
    if x.ndim() < 2 {
        return Err(Error::Runtime(format!("batch_norm: expected an input with at least 2 dims, got {}", x.ndim())));
    }
    let dims: Vec<i64> = std::iter::once(0).chain(2..x.ndim() as i64).collect();
    let channel_shape: Vec<i64> = (0..x.ndim()).map(|d| if d == 1 { -1 } else { 1 }).collect();
    let per_channel = |t: &Tensor| reshape(t, &channel_shape);
    let flat = |t: &Tensor| reshape(t, &[-1]);
    let (mean_t, invstd_t) = if mode.training {
        let batch_mean = mean(x, Some(&dims), true, None)?;
        let (_, invstd) = standardized(x, &dims, mode.eps)?;
        let count = (x.numel() / x.shape()[1].max(1)) as f64;
        let update = |running: Option<&Tensor>, batch: &Tensor| -> Result<()> {
            let Some(r) = running else { return Ok(()) };
            r.copy_(&add(&mul_scalar(r, 1.0 - mode.momentum)?, &mul_scalar(&flat(batch)?, mode.momentum)?)?)
        };
        update(mode.running_mean, &batch_mean)?;
        let centered = sub(x, &batch_mean)?;
        let unbiased = mul_scalar(&sum(&mul(&centered, &centered)?, Some(&dims), true, None)?, 1.0 / (count - 1.0).max(1.0))?;
        update(mode.running_var, &unbiased)?;
        (flat(&batch_mean)?, flat(&invstd)?)
    } else {
        let (Some(rm), Some(rv)) = (mode.running_mean, mode.running_var) else {
            return Err(Error::Runtime("running_mean and running_var must be defined in evaluation mode".into()));
        };
        (rm.to_dtype(x.dtype)?, unary(UnaryOp::Rsqrt, &plus(&rv.to_dtype(x.dtype)?, mode.eps)?)?)
    };
    let mut out = mul(&sub(x, &per_channel(&mean_t)?)?, &per_channel(&invstd_t)?)?;
    if let Some(w) = weight {
        out = mul(&out, &per_channel(w)?)?;
    }
    if let Some(b) = bias {
        out = add(&out, &per_channel(b)?)?;
    }
    Ok((out, mean_t, invstd_t))
}

/// `native_batch_norm` (NativeBatchNormBackward0), training or evaluation.
pub fn batch_norm(x: &Tensor, weight: Option<&Tensor>, bias: Option<&Tensor>, mode: &BatchNormMode) -> Result<Tensor> {
    // The fused kernels are CPU ones; on the GPU the forward and backward run as GPU ops.
    let on_gpu = x.device() == Device::Cuda;
    let (out, mean_t, invstd_t) = if on_gpu {
        let _no_grad = GradModeGuard::new(false);
        composed_batch_norm(x, weight, bias, mode)?
    } else {
        plain::batch_norm(x, weight, bias, mode)?
    };
    let (training, eps) = (mode.training, mode.eps);
    let (w_slot, b_slot) = (slot(weight, x.dtype)?, slot(bias, x.dtype)?);
    let has_weight = weight.is_some();
    Ok(record("NativeBatchNormBackward0", &[x, &w_slot, &b_slot], out, |s: &mut Saver| {
        let (sx, sw) = (s.save(x), has_weight.then(|| s.save(&w_slot)));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let (x, w) = (c.unpack(&sx)?, sw.as_ref().map(|w| c.unpack(w)).transpose()?);
            let needs = [c.needs(0), c.needs(1), c.needs(2)];
            if !grad_mode::is_enabled() && !on_gpu {
                return three(plain::batch_norm_backward(&g[0], &x, w.as_ref(), &mean_t, &invstd_t, training, needs)?);
            }
            let dims: Vec<i64> = std::iter::once(0).chain(2..x.ndim() as i64).collect();
            let channel_shape: Vec<i64> = (0..x.ndim()).map(|d| if d == 1 { -1 } else { 1 }).collect();
            let per_channel = |t: &Tensor| reshape(t, &channel_shape);
            let (xhat, invstd) = if training {
                standardized(&x, &dims, eps)?
            } else {
                let invstd = per_channel(&invstd_t)?;
                (mul(&sub(&x, &per_channel(&mean_t)?)?, &invstd)?, invstd)
            };
            let gh = match &w {
                Some(w) => mul(&g[0], &per_channel(w)?)?,
                None => g[0].clone(),
            };
            let gx = needs[0].then(|| if training { normalized_input_grad(&gh, &xhat, &invstd, &dims) } else { mul(&gh, &invstd) }).transpose()?;
            let gw = needs[1].then(|| sum(&mul(&g[0], &xhat)?, Some(&dims), false, None)).transpose()?;
            let gb = needs[2].then(|| sum(&g[0], Some(&dims), false, None)).transpose()?;
            three([gx, gw, gb])
        }) as BackwardFn
    }))
}

/// `native_layer_norm` over the trailing `normalized_ndim` dims (NativeLayerNormBackward0).
pub fn layer_norm(x: &Tensor, normalized_ndim: usize, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64) -> Result<Tensor> {
    // The fused kernels are CPU ones; on the GPU the forward and backward run as GPU ops.
    let on_gpu = x.device() == Device::Cuda;
    let (out, stats) = if on_gpu {
        let _no_grad = GradModeGuard::new(false);
        let lead = x.ndim().checked_sub(normalized_ndim).ok_or_else(|| Error::Runtime(format!("layer_norm: input of {} dims cannot be normalized over {}", x.ndim(), normalized_ndim)))?;
        let dims: Vec<i64> = (lead as i64..x.ndim() as i64).collect();
        let (xhat, _) = standardized(x, &dims, eps)?;
        let scaled = match weight {
            Some(w) => mul(&xhat, w)?,
            None => xhat,
        };
        (bias.map_or(Ok(scaled.clone()), |b| add(&scaled, b))?, None)
    } else {
        let (out, mean_t, rstd_t) = plain::layer_norm(x, normalized_ndim, weight, bias, eps)?;
        (out, Some((mean_t, rstd_t)))
    };
    let (w_slot, b_slot) = (slot(weight, x.dtype)?, slot(bias, x.dtype)?);
    let has_weight = weight.is_some();
    Ok(record("NativeLayerNormBackward0", &[x, &w_slot, &b_slot], out, |s: &mut Saver| {
        let (sx, sw) = (s.save(x), has_weight.then(|| s.save(&w_slot)));
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let (x, w) = (c.unpack(&sx)?, sw.as_ref().map(|w| c.unpack(w)).transpose()?);
            let needs = [c.needs(0), c.needs(1), c.needs(2)];
            if let (Some((mean_t, rstd_t)), false) = (&stats, grad_mode::is_enabled()) {
                return three(plain::layer_norm_backward(&g[0], &x, normalized_ndim, w.as_ref(), mean_t, rstd_t, needs)?);
            }
            let lead = x.ndim() - normalized_ndim;
            let dims: Vec<i64> = (lead as i64..x.ndim() as i64).collect();
            let (xhat, rstd) = standardized(&x, &dims, eps)?;
            let gh = match &w {
                Some(w) => mul(&g[0], w)?,
                None => g[0].clone(),
            };
            // The parameters' gradients sum over the leading dims (none: nothing to sum).
            let over_lead = |t: Tensor| if lead == 0 { Ok(t) } else { sum(&t, Some(&(0..lead as i64).collect::<Vec<_>>()), false, None) };
            let gx = needs[0].then(|| normalized_input_grad(&gh, &xhat, &rstd, &dims)).transpose()?;
            let gw = needs[1].then(|| over_lead(mul(&g[0], &xhat)?)).transpose()?;
            let gb = needs[2].then(|| over_lead(g[0].clone())).transpose()?;
            three([gx, gw, gb])
        }) as BackwardFn
    }))
}

/// GELU from differentiable ops: `x Φ(x)`, or PyTorch's tanh approximation of it.
fn composed_gelu(x: &Tensor, kind: Gelu) -> Result<Tensor> {
    use std::f64::consts::FRAC_1_SQRT_2;
    let half_x = mul_scalar(x, 0.5)?;
    let inner = match kind {
        Gelu::Exact => unary(UnaryOp::Erf, &mul_scalar(x, FRAC_1_SQRT_2)?)?,
        Gelu::Tanh => {
            let cubic = mul_scalar(&mul(&mul(x, x)?, x)?, 0.044715)?;
            unary(UnaryOp::Tanh, &mul_scalar(&add(x, &cubic)?, (2.0 / std::f64::consts::PI).sqrt())?)?
        }
    };
    mul(&half_x, &plus(&inner, 1.0)?)
}

/// GELU's derivative from differentiable ops.
fn gelu_derivative(x: &Tensor, kind: Gelu) -> Result<Tensor> {
    use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};
    match kind {
        Gelu::Exact => {
            let cdf = mul_scalar(&plus(&unary(UnaryOp::Erf, &mul_scalar(x, FRAC_1_SQRT_2)?)?, 1.0)?, 0.5)?;
            let pdf = mul_scalar(&unary(UnaryOp::Exp, &mul_scalar(&mul(x, x)?, -0.5)?)?, 0.5 * FRAC_2_SQRT_PI * FRAC_1_SQRT_2)?;
            add(&cdf, &mul(x, &pdf)?)
        }
        Gelu::Tanh => {
            let (c, cubic) = ((2.0 / std::f64::consts::PI).sqrt(), 0.044715);
            let x2 = mul(x, x)?;
            let th = unary(UnaryOp::Tanh, &mul_scalar(&add(x, &mul_scalar(&mul(&x2, x)?, cubic)?)?, c)?)?;
            let left = mul_scalar(&plus(&th, 1.0)?, 0.5)?;
            let sech2 = binary(BinOp::Sub, &mul(&th, &th)?, &Other::Scalar(Scalar::Float(1.0)))?;
            let right = mul(&mul_scalar(&mul(x, &sech2)?, -0.5 * c)?, &plus(&mul_scalar(&x2, 3.0 * cubic)?, 1.0)?)?;
            add(&left, &right)
        }
    }
}

/// `gelu(x, approximate)` (GeluBackward0).
pub fn gelu(x: &Tensor, kind: Gelu) -> Result<Tensor> {
    // The fused kernels are CPU ones; on the GPU the forward and backward run as GPU ops.
    let on_gpu = x.device() == Device::Cuda;
    let out = if on_gpu {
        let _no_grad = GradModeGuard::new(false);
        composed_gelu(x, kind)?
    } else {
        plain::gelu(x, kind)?
    };
    Ok(record("GeluBackward0", &[x], out, |s: &mut Saver| {
        let sx = s.save(x);
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let x = c.unpack(&sx)?;
            let composed = grad_mode::is_enabled() || on_gpu;
            grads([c.grad(0, || if composed { mul(&g[0], &gelu_derivative(&x, kind)?) } else { plain::gelu_backward(&g[0], &x, kind) })?])
        }) as BackwardFn
    }))
}

/// `embedding(indices, weight)` (EmbeddingBackward0): rows of `weight`, shaped
/// `indices.shape + [dim]`; the padding row gets no gradient.
pub fn embedding(weight: &Tensor, indices: &Tensor, padding_idx: Option<i64>, scale_grad_by_freq: bool) -> Result<Tensor> {
    if weight.ndim() != 2 {
        return Err(Error::Runtime("'weight' must be 2-D".into()));
    }
    let flat = indices.reshape(&[-1])?;
    let rows_in_table = weight.shape()[0] as i64;
    if flat.to_dtype(DType::I64)?.to_vec::<i64>()?.iter().any(|&i| i < 0 || i >= rows_in_table) {
        return Err(Error::Index("index out of range in self".into()));
    }
    let rows = crate::ops::gather::index_select(weight, 0, &flat)?;
    let shape: Vec<i64> = indices.shape().iter().map(|&d| d as i64).chain(weight.shape()[1..].iter().map(|&d| d as i64)).collect();
    let out = rows.reshape(&shape)?;
    let (table_rows, width) = (weight.shape()[0], weight.numel() / weight.shape()[0].max(1));
    Ok(record("EmbeddingBackward0", &[weight], out, |s: &mut Saver| {
        let si = s.save(&flat);
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            let idx = c.unpack(&si)?;
            grads([c.grad(0, || {
                if !grad_mode::is_enabled() {
                    return plain::embedding_backward(&g[0], &idx, table_rows, padding_idx, scale_grad_by_freq);
                }
                let scales = plain::embedding_row_scales(&idx.to_vec::<i64>()?, table_rows, padding_idx, scale_grad_by_freq);
                let scale = plain::shaped_from_f64(&scales, &[idx.numel(), 1], g[0].dtype)?;
                let mut table = Tensor::zeros(&[table_rows, width], g[0].dtype)?;
                index_add_(&mut table, 0, &idx, &mul(&reshape(&g[0], &[idx.numel() as i64, width as i64])?, &scale)?, Scalar::Int(1))?;
                Ok(table)
            })?])
        }) as BackwardFn
    }))
}
