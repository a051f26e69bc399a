//! Fused normalization and layer kernels, as PyTorch's ATen ops: batch norm over the channel
//! dim (`native_batch_norm`), layer norm over trailing dims (`native_layer_norm`), GELU, and the
//! embedding gradient. Each forward keeps what its backward kernel needs (the mean and the
//! inverse standard deviation), as PyTorch's do. Elements are computed in f64.
use super::loss::{elems, elems_mut, get, put};
use crate::backend::cpu::simd::dispatch;
use crate::backend::cpu::{map, threads};
use super::vmath::VMath;
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI};
use crate::error::{runtime, Result};
use crate::tensor::Tensor;
use crate::with_float_dtype;

/// Work below this many elements runs on the calling thread.
const PARALLEL_GRAIN: usize = 1 << 15;

fn maybe_parallel(tasks: usize, work: usize, task: &(dyn Fn(usize) + Sync)) {
    if work < PARALLEL_GRAIN {
        (0..tasks).for_each(task);
    } else {
        threads::parallel_for(tasks, task);
    }
}

/// `Σ f(j)` over `0..n` in eight independent f64 accumulators, so that the loop vectorises (one
/// serial accumulator is a chain of dependent adds) and rounding errors grow more slowly.
#[inline(always)]
fn lane_sum(n: usize, f: impl Fn(usize) -> f64) -> f64 {
    const LANES: usize = 8;
    let mut acc = [0.0f64; LANES];
    let whole = n / LANES * LANES;
    for base in (0..whole).step_by(LANES) {
        for (lane, a) in acc.iter_mut().enumerate() {
            *a += f(base + lane);
        }
    }
    let tail: f64 = (whole..n).map(&f).sum();
    acc.iter().sum::<f64>() + tail
}

/// An input seen as `[outer, channels, inner]` (batch norm: N, C, spatial).
#[derive(Clone, Copy)]
struct Channels {
    outer: usize,
    channels: usize,
    inner: usize,
}

impl Channels {
    fn of(t: &Tensor) -> Channels {
        let s = t.shape();
        Channels { outer: s[0], channels: s.get(1).copied().unwrap_or(1), inner: s.iter().skip(2).product() }
    }
    fn per_channel(&self) -> usize {
        self.outer * self.inner
    }
    fn index(&self, n: usize, c: usize, s: usize) -> usize {
        (n * self.channels + c) * self.inner + s
    }
}

/// A per-channel vector as f64 (`default` where absent).
fn vector(t: Option<&Tensor>, len: usize, default: f64) -> Result<Vec<f64>> {
    match t {
        Some(t) => t.to_dtype(crate::dtype::DType::F64)?.contiguous()?.to_vec::<f64>(),
        None => Ok(vec![default; len]),
    }
}

fn from_f64(values: &[f64], dtype: crate::dtype::DType) -> Result<Tensor> {
    shaped_from_f64(values, &[values.len()], dtype)
}

/// A float tensor of `values`, allocated as the op's results are (on the operands' device
/// under the host fallback).
pub(crate) fn shaped_from_f64(values: &[f64], shape: &[usize], dtype: crate::dtype::DType) -> Result<Tensor> {
    let out = Tensor::empty(shape, dtype)?;
    with_float_dtype!(dtype, T => {
        // SAFETY: `out` is fresh and contiguous with `values.len()` elements of T.
        unsafe { elems_mut::<T>(&out) }.iter_mut().zip(values).for_each(|(d, &v)| *d = put(v));
    });
    Ok(out)
}

/// Batch norm's options: training (batch statistics, running stats updated) or evaluation.
pub struct BatchNormMode<'a> {
    pub training: bool,
    pub running_mean: Option<&'a Tensor>,
    pub running_var: Option<&'a Tensor>,
    pub momentum: f64,
    pub eps: f64,
}

/// `native_batch_norm`: (output, mean, inverse std) per channel, the statistics in the input's
/// dtype. In training the running stats are updated in place with the unbiased variance.
pub fn batch_norm(x: &Tensor, weight: Option<&Tensor>, bias: Option<&Tensor>, mode: &BatchNormMode) -> Result<(Tensor, Tensor, Tensor)> {
    if x.ndim() < 2 {
        return runtime(format!("batch_norm: expected an input with at least 2 dims, got {}", x.ndim()));
    }
    let l = Channels::of(x);
    let x = x.contiguous()?;
    let (mut mean, mut invstd) = (vec![0.0; l.channels], vec![0.0; l.channels]);
    let m = l.per_channel() as f64;
    if mode.training {
        let mut var = vec![0.0; l.channels];
        with_float_dtype!(x.dtype, T => {
            // SAFETY: `x` is contiguous of dtype T.
            let xs = unsafe { elems::<T>(&x) };
            for c in 0..l.channels {
                let values = || (0..l.outer).flat_map(move |n| (0..l.inner).map(move |s| get(xs[l.index(n, c, s)])));
                let mu = values().sum::<f64>() / m;
                var[c] = values().map(|v| (v - mu) * (v - mu)).sum::<f64>() / m;
                mean[c] = mu;
                invstd[c] = 1.0 / (var[c] + mode.eps).sqrt();
            }
        });
        let update = |running: Option<&Tensor>, batch: &[f64]| -> Result<()> {
            let Some(r) = running else { return Ok(()) };
            let old = vector(Some(r), l.channels, 0.0)?;
            let new: Vec<f64> = old.iter().zip(batch).map(|(o, b)| (1.0 - mode.momentum) * o + mode.momentum * b).collect();
            r.copy_(&from_f64(&new, r.dtype)?)
        };
        update(mode.running_mean, &mean)?;
        let unbiased: Vec<f64> = var.iter().map(|v| v * m / (m - 1.0).max(1.0)).collect();
        update(mode.running_var, &unbiased)?;
    } else {
        let (Some(rm), Some(rv)) = (mode.running_mean, mode.running_var) else {
            return runtime("running_mean and running_var must be defined in evaluation mode");
        };
        mean = vector(Some(rm), l.channels, 0.0)?;
        invstd = vector(Some(rv), l.channels, 0.0)?.iter().map(|v| 1.0 / (v + mode.eps).sqrt()).collect();
    }
    let (w, b) = (vector(weight, l.channels, 1.0)?, vector(bias, l.channels, 0.0)?);
    let out = Tensor::empty(x.shape(), x.dtype)?;
    with_float_dtype!(x.dtype, T => {
        let (xs, os) = (x.data_ptr::<T>() as usize, out.data_ptr::<T>() as usize);
        maybe_parallel(l.outer * l.channels, x.numel(), &|p| {
            let c = p % l.channels;
            let (scale, shift) = (invstd[c] * w[c], b[c] - mean[c] * invstd[c] * w[c]);
            // SAFETY: plane p of the contiguous input and of the fresh output, written by this task only.
            let (src, dst) = unsafe { (std::slice::from_raw_parts((xs as *const T).add(p * l.inner), l.inner), std::slice::from_raw_parts_mut((os as *mut T).add(p * l.inner), l.inner)) };
            for (d, &v) in dst.iter_mut().zip(src) {
                *d = put(get(v) * scale + shift);
            }
        });
    });
    Ok((out, from_f64(&mean, x.dtype)?, from_f64(&invstd, x.dtype)?))
}

/// The normalized-group sums a norm's backward needs: Σ g·w and Σ g·w·x̂ per group, and the
/// parameter gradients Σ g·x̂ and Σ g per parameter element.
///
/// Batch norm's gradient (training, statistics over M values per channel):
///   dx = invstd / M · (M·ĝ − Σĝ − x̂·Σ(ĝ·x̂)), ĝ = g·w; in evaluation dx = g·w·invstd.
/// Layer norm's is the same over each row of K values, the weight varying along the row.
pub fn batch_norm_backward(
    grad: &Tensor,
    x: &Tensor,
    weight: Option<&Tensor>,
    mean: &Tensor,
    invstd: &Tensor,
    training: bool,
    needs: [bool; 3],
) -> Result<[Option<Tensor>; 3]> {
    let l = Channels::of(x);
    let (x, g) = (x.contiguous()?, grad.to_dtype(x.dtype)?.contiguous()?);
    let (mean, invstd, w) = (vector(Some(mean), l.channels, 0.0)?, vector(Some(invstd), l.channels, 0.0)?, vector(weight, l.channels, 1.0)?);
    let (mut sum_g, mut sum_gx) = (vec![0.0; l.channels], vec![0.0; l.channels]);
    let m = l.per_channel() as f64;
    let gx = needs[0].then(|| Tensor::empty(x.shape(), x.dtype)).transpose()?;
    with_float_dtype!(x.dtype, T => {
        // SAFETY: `x` and `g` are contiguous of dtype T.
        let (xs, gs) = unsafe { (elems::<T>(&x), elems::<T>(&g)) };
        for c in 0..l.channels {
            for n in 0..l.outer {
                for s in 0..l.inner {
                    let i = l.index(n, c, s);
                    let gv = get(gs[i]);
                    sum_g[c] += gv;
                    sum_gx[c] += gv * (get(xs[i]) - mean[c]) * invstd[c];
                }
            }
        }
        if let Some(gx) = &gx {
            let (xp, gp, op) = (xs.as_ptr() as usize, gs.as_ptr() as usize, gx.data_ptr::<T>() as usize);
            maybe_parallel(l.outer * l.channels, x.numel(), &|p| {
                let c = p % l.channels;
                // SAFETY: plane p of the contiguous operands and of the fresh result, written by this task only.
                let (src, gsrc, dst) = unsafe {
                    (
                        std::slice::from_raw_parts((xp as *const T).add(p * l.inner), l.inner),
                        std::slice::from_raw_parts((gp as *const T).add(p * l.inner), l.inner),
                        std::slice::from_raw_parts_mut((op as *mut T).add(p * l.inner), l.inner),
                    )
                };
                let k = w[c] * invstd[c];
                for ((d, &v), &gv) in dst.iter_mut().zip(src).zip(gsrc) {
                    *d = put(if training {
                        let xhat = (get(v) - mean[c]) * invstd[c];
                        k * (get(gv) - sum_g[c] / m - xhat * sum_gx[c] / m)
                    } else {
                        k * get(gv)
                    });
                }
            });
        }
    });
    let gw = needs[1].then(|| from_f64(&sum_gx, x.dtype)).transpose()?;
    let gb = needs[2].then(|| from_f64(&sum_g, x.dtype)).transpose()?;
    Ok([gx, gw, gb])
}

/// The element count of the trailing `normalized_ndim` dims (one row of a layer norm).
pub fn row_len(x: &Tensor, normalized_ndim: usize) -> usize {
    x.shape()[x.ndim() - normalized_ndim..].iter().product()
}

/// `native_layer_norm` over the trailing `normalized_ndim` dims: (output, mean, rstd), the
/// statistics shaped as the leading dims followed by ones (as PyTorch's).
pub fn layer_norm(x: &Tensor, normalized_ndim: usize, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64) -> Result<(Tensor, Tensor, Tensor)> {
    let x = x.contiguous()?;
    let k = row_len(&x, normalized_ndim);
    let rows = if k == 0 { 0 } else { x.numel() / k };
    let (w, b) = (vector(weight, k, 1.0)?, vector(bias, k, 0.0)?);
    let (mut mean, mut rstd) = (vec![0.0; rows], vec![0.0; rows]);
    let out = Tensor::empty(x.shape(), x.dtype)?;
    with_float_dtype!(x.dtype, T => {
        let (xs, os) = (x.data_ptr::<T>() as usize, out.data_ptr::<T>() as usize);
        let (mp, rp) = (mean.as_mut_ptr() as usize, rstd.as_mut_ptr() as usize);
        maybe_parallel(rows, x.numel(), &|r| {
            // SAFETY: row r of the contiguous input and of the fresh output and statistics, written by this task only.
            let (src, dst) = unsafe { (std::slice::from_raw_parts((xs as *const T).add(r * k), k), std::slice::from_raw_parts_mut((os as *mut T).add(r * k), k)) };
            let (mu, inv) = dispatch(|| {
                let mu = lane_sum(k, |j| get(src[j])) / k as f64;
                let var = lane_sum(k, |j| (get(src[j]) - mu) * (get(src[j]) - mu)) / k as f64;
                let inv = 1.0 / (var + eps).sqrt();
                for (j, (d, &v)) in dst.iter_mut().zip(src).enumerate() {
                    *d = put((get(v) - mu) * inv * w[j] + b[j]);
                }
                (mu, inv)
            });
            unsafe {
                *(mp as *mut f64).add(r) = mu;
                *(rp as *mut f64).add(r) = inv;
            }
        });
    });
    let lead = x.ndim() - normalized_ndim;
    let stat_shape: Vec<usize> = x.shape()[..lead].iter().copied().chain(std::iter::repeat_n(1, normalized_ndim)).collect();
    let stat = |v: &[f64]| shaped_from_f64(v, &stat_shape, x.dtype);
    Ok((out, stat(&mean)?, stat(&rstd)?))
}

/// Layer norm's gradients: (input, weight, bias), the parameters shaped `[k]`.
pub fn layer_norm_backward(grad: &Tensor, x: &Tensor, normalized_ndim: usize, weight: Option<&Tensor>, mean: &Tensor, rstd: &Tensor, needs: [bool; 3]) -> Result<[Option<Tensor>; 3]> {
    let (x, g) = (x.contiguous()?, grad.to_dtype(x.dtype)?.contiguous()?);
    let k = row_len(&x, normalized_ndim);
    let rows = if k == 0 { 0 } else { x.numel() / k };
    let (mean, rstd, w) = (vector(Some(mean), rows, 0.0)?, vector(Some(rstd), rows, 0.0)?, vector(weight, k, 1.0)?);
    let (mut gw, mut gb) = (vec![0.0; k], vec![0.0; k]);
    let gx = needs[0].then(|| Tensor::empty(x.shape(), x.dtype)).transpose()?;
    with_float_dtype!(x.dtype, T => {
        // SAFETY: `x` and `g` are contiguous of dtype T.
        let (xs, gs) = unsafe { (elems::<T>(&x), elems::<T>(&g)) };
        if needs[1] || needs[2] {
            dispatch(|| {
                for r in 0..rows {
                    let (gr, xr) = (&gs[r * k..(r + 1) * k], &xs[r * k..(r + 1) * k]);
                    for (j, (gw, gb)) in gw.iter_mut().zip(gb.iter_mut()).enumerate() {
                        let gv = get(gr[j]);
                        *gw += gv * (get(xr[j]) - mean[r]) * rstd[r];
                        *gb += gv;
                    }
                }
            });
        }
        if let Some(gx) = &gx {
            let (xp, gp, op) = (xs.as_ptr() as usize, gs.as_ptr() as usize, gx.data_ptr::<T>() as usize);
            maybe_parallel(rows, x.numel(), &|r| {
                // SAFETY: row r of the contiguous operands and of the fresh result, written by this task only.
                let (src, gsrc, dst) = unsafe {
                    (
                        std::slice::from_raw_parts((xp as *const T).add(r * k), k),
                        std::slice::from_raw_parts((gp as *const T).add(r * k), k),
                        std::slice::from_raw_parts_mut((op as *mut T).add(r * k), k),
                    )
                };
                let xhat = |j: usize| (get(src[j]) - mean[r]) * rstd[r];
                dispatch(|| {
                    let sum_g = lane_sum(k, |j| get(gsrc[j]) * w[j]);
                    let sum_gx = lane_sum(k, |j| get(gsrc[j]) * w[j] * xhat(j));
                    let kf = k as f64;
                    for j in 0..k {
                        let gh = get(gsrc[j]) * w[j];
                        dst[j] = put(rstd[r] * (gh - sum_g / kf - xhat(j) * sum_gx / kf));
                    }
                });
            });
        }
    });
    let gw = needs[1].then(|| from_f64(&gw, x.dtype)).transpose()?;
    let gb = needs[2].then(|| from_f64(&gb, x.dtype)).transpose()?;
    Ok([gx, gw, gb])
}

/// GELU, exact (`x·Φ(x)`) or with PyTorch's tanh approximation.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Gelu {
    Exact,
    Tanh,
}

impl Gelu {
    /// GELU at `x`, with PyTorch's CPU formulas in the kernel's float type.
    #[inline(always)]
    fn value<W: num_traits::Float + VMath>(self, x: W) -> W {
        let c = |v: f64| W::from(v).unwrap();
        match self {
            Gelu::Exact => x * c(0.5) * (W::one() + (x * c(FRAC_1_SQRT_2)).erf_vectorised()),
            Gelu::Tanh => c(0.5) * x * (W::one() + (c(TANH_SCALE) * (x + c(TANH_CUBIC) * x * x * x)).vtanh()),
        }
    }

    /// GELU's derivative at `x`.
    #[inline(always)]
    fn derivative<W: num_traits::Float + VMath>(self, x: W) -> W {
        let c = |v: f64| W::from(v).unwrap();
        match self {
            Gelu::Exact => {
                let cdf = c(0.5) * (W::one() + (x * c(FRAC_1_SQRT_2)).erf_vectorised());
                let pdf = c(FRAC_2_SQRT_PI * FRAC_1_SQRT_2 * 0.5) * (x * x * c(-0.5)).vexp();
                cdf + x * pdf
            }
            Gelu::Tanh => {
                let x2 = x * x;
                let th = (c(TANH_SCALE) * (x + c(TANH_CUBIC) * x2 * x)).vtanh();
                let right = (W::one() - th * th) * c(TANH_SCALE) * (W::one() + c(3.0 * TANH_CUBIC) * x2);
                c(0.5) * (W::one() + th) + c(0.5) * x * right
            }
        }
    }
}

/// The tanh approximation's √(2/π) and cubic coefficient.
const TANH_SCALE: f64 = std::f64::consts::SQRT_2 * FRAC_2_SQRT_PI * 0.5;
const TANH_CUBIC: f64 = 0.044715;

pub fn gelu(x: &Tensor, kind: Gelu) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype)?;
    // One closure per kind, small enough to be inlined into the AVX2+FMA loop variant.
    crate::with_opmath_dtype!(x.dtype, W => match kind {
        Gelu::Exact => map::unary_into::<W, W>(&out, x, |v: W| Gelu::Exact.value(v)),
        Gelu::Tanh => map::unary_into::<W, W>(&out, x, |v: W| Gelu::Tanh.value(v)),
    });
    Ok(out)
}

pub fn gelu_backward(grad: &Tensor, x: &Tensor, kind: Gelu) -> Result<Tensor> {
    let grad = grad.to_dtype(x.dtype)?.broadcast_to(x.shape())?;
    let out = Tensor::empty(x.shape(), x.dtype)?;
    crate::with_opmath_dtype!(x.dtype, W => match kind {
        Gelu::Exact => map::binary_into::<W, W, W>(&out, &grad, x, |g: W, v: W| g * Gelu::Exact.derivative(v)),
        Gelu::Tanh => map::binary_into::<W, W, W>(&out, &grad, x, |g: W, v: W| g * Gelu::Tanh.derivative(v)),
    });
    Ok(out)
}

/// Each index's factor in the embedding gradient: 0 for `padding_idx`, else 1, or 1 / (how
/// often the index occurs) with `scale_grad_by_freq`.
pub fn embedding_row_scales(indices: &[i64], rows: usize, padding_idx: Option<i64>, scale_grad_by_freq: bool) -> Vec<f64> {
    let mut counts = vec![0usize; rows];
    if scale_grad_by_freq {
        indices.iter().for_each(|&i| counts[i as usize] += 1);
    }
    indices
        .iter()
        .map(|&i| if Some(i) == padding_idx { 0.0 } else if scale_grad_by_freq { 1.0 / counts[i as usize] as f64 } else { 1.0 })
        .collect()
}

/// The embedding gradient: the rows of `grad` (`[L, D]` for `L` flat indices) added into a
/// zero `[rows, D]` table, each scaled by `embedding_row_scales`.
pub fn embedding_backward(grad: &Tensor, indices: &Tensor, rows: usize, padding_idx: Option<i64>, scale_grad_by_freq: bool) -> Result<Tensor> {
    let idx = indices.to_dtype(crate::dtype::DType::I64)?.to_vec::<i64>()?;
    let scales = embedding_row_scales(&idx, rows, padding_idx, scale_grad_by_freq);
    let d = if idx.is_empty() { 0 } else { grad.numel() / idx.len() };
    let g = grad.contiguous()?;
    let out = Tensor::zeros(&[rows, d], grad.dtype)?;
    with_float_dtype!(grad.dtype, T => {
        // SAFETY: contiguous operands of dtype T and a fresh result.
        let (gs, dst) = unsafe { (elems::<T>(&g), elems_mut::<T>(&out)) };
        for (l, (&i, &scale)) in idx.iter().zip(&scales).enumerate() {
            if scale == 0.0 {
                continue;
            }
            let row = &mut dst[i as usize * d..(i as usize + 1) * d];
            for (r, &v) in row.iter_mut().zip(&gs[l * d..(l + 1) * d]) {
                *r = put(get(*r) + get(v) * scale);
            }
        }
    });
    Ok(out)
}
