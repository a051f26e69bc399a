//! Ops that map each lane along a dim to a lane of the same length: cumulative sums and
//! products, running extrema, `softmax` and `log_softmax`.
use crate::backend::cpu::lanes::{lanes1, lanes2};
use crate::backend::cpu::map;
use crate::backend::cpu::simd::dispatch;
use crate::backend::cpu::vmath::{lane_fold, FastExp};
use crate::dtype::{DType, Element};
use crate::error::{runtime, Error, Result};
use crate::layout::wrap_dim;
use crate::ops::binary::{binary, type_label, BinOp, Other};
use crate::ops::reduce::{self, widen_halves, with_float, Extreme};
use crate::ops::sort::as_vector_if_scalar;
use crate::ops::unary::{unary, UnaryOp};
use crate::tensor::Tensor;

/// Runs a same-length lane op into a new tensor of element type `O` and the input's shape.
fn map_lanes<T: Element, O: Element>(t: &Tensor, dim: usize, f: impl Fn(&[T], &mut [O]) + Sync) -> Result<Tensor> {
    let x = as_vector_if_scalar(t)?;
    let out = Tensor::empty(x.shape(), O::DTYPE)?;
    lanes1::<T, O>(&x, dim, &out, f);
    if t.ndim() == 0 { out.reshape(&[]) } else { Ok(out) }
}

/// `cumsum` / `cumprod`: integers and bool accumulate to int64 (unless `dtype` says otherwise).
pub fn cumulative(t: &Tensor, dim: i64, dtype: Option<DType>, product: bool) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    let out_dtype = dtype.unwrap_or(if t.dtype.is_float() { t.dtype } else { DType::I64 });
    if product && out_dtype == DType::Bool {
        return Err(Error::NotImplemented("\"cumprod_out_cpu\" not implemented for 'Bool'".into()));
    }
    if out_dtype.is_float() {
        let src = widen_halves(&t.to_dtype(out_dtype)?)?;
        return with_float!(src.dtype, F => map_lanes::<F, F>(&src, d, |x, y| {
            let mut acc: F = if product { 1.0 } else { 0.0 };
            for (o, &v) in y.iter_mut().zip(x) {
                acc = if product { acc * v } else { acc + v };
                *o = acc;
            }
        }))?
        .to_dtype(out_dtype);
    }
    let wide = crate::with_dtype!(t.dtype, T => map_lanes::<T, i64>(t, d, |x, y| {
        let mut acc: i64 = if product { 1 } else { 0 };
        for (o, &v) in y.iter_mut().zip(x) {
            acc = if product { acc.wrapping_mul(v.to_i64()) } else { acc.wrapping_add(v.to_i64()) };
            *o = acc;
        }
    }))?;
    wide.to_dtype(out_dtype)
}

/// `cummax` / `cummin`: running extreme and the index where it was last attained (ties move
/// the index forward; a NaN sticks, each later NaN taking over the index), as in PyTorch.
pub fn cumulative_extreme(t: &Tensor, dim: i64, which: Extreme) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, t.ndim())?;
    let x = as_vector_if_scalar(t)?;
    let (values, indices) = (Tensor::empty(x.shape(), t.dtype)?, Tensor::empty(x.shape(), DType::I64)?);
    crate::with_dtype!(t.dtype, T => lanes2::<T, T, i64>(&x, d, &values, &indices, |lane, v, i| {
        #[allow(clippy::eq_op)]
        let nan = |x: T| x != x;
        let Some(&first) = lane.first() else { return };
        let (mut best, mut at) = (first, 0usize);
        for (k, &cur) in lane.iter().enumerate() {
            let wins = match which {
                Extreme::Max => cur >= best,
                Extreme::Min => cur <= best,
            };
            if nan(cur) || (!nan(best) && wins) {
                best = cur;
                at = k;
            }
            v[k] = best;
            i[k] = at as i64;
        }
    }));
    let shape: Vec<i64> = t.shape().iter().map(|&s| s as i64).collect();
    Ok((values.reshape(&shape)?, indices.reshape(&shape)?))
}

/// `softmax` (or `log_softmax`) along `dim`, computed in the float type of `dtype` or the input.
pub fn softmax(t: &Tensor, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    let src = match dtype {
        Some(dt) => t.to_dtype(dt)?,
        None => t.clone(),
    };
    if src.numel() == 0 {
        // PyTorch returns before it picks a kernel, so any dtype passes.
        return Tensor::empty(src.shape(), src.dtype);
    }
    if !src.dtype.is_float() {
        let kernel = match (log, d + 1 == t.ndim().max(1)) {
            (false, true) => "softmax_lastdim_kernel_impl",
            (false, false) => "softmax_kernel_impl",
            (true, true) => "log_softmax_lastdim_kernel_impl",
            (true, false) => "log_softmax_kernel_impl",
        };
        return runtime(format!("\"{}\" not implemented for '{}'", kernel, type_label(src.dtype)));
    }
    let wide = widen_halves(&src)?;
    let on_gpu = wide.device() == crate::storage::Device::Cuda;
    if on_gpu && d + 1 == wide.ndim() {
        let out = Tensor::empty(wide.shape(), wide.dtype)?;
        if crate::backend::wgpu::reduce::softmax(&wide, d, &out, log)? {
            return out.to_dtype(src.dtype);
        }
    }
    // Elsewhere on the GPU: its max, exp, sum and elementwise kernels.
    let out = if (wide.ndim() > 1 && wide.strides()[d] != 1) || on_gpu {
        softmax_across(&wide, d, log)?
    } else {
        with_float!(wide.dtype, F => map_lanes::<F, F>(&wide, d, |x, y| dispatch(#[inline(always)] || softmax_lane(x, y, log))))?
    };
    out.to_dtype(src.dtype)
}

/// Softmax along a dim that is not contiguous in memory: whole-tensor passes (max, shift and
/// exp, sum, scale) run along the contiguous dims, where gathering each lane would not.
fn softmax_across(x: &Tensor, dim: usize, log: bool) -> Result<Tensor> {
    let d = [dim as i64];
    let max = reduce::extreme(x, Some(&d), true, Extreme::Max, "softmax")?;
    let shifted = binary(BinOp::Sub, x, &Other::Tensor(max))?;
    let exp = if x.device() == crate::storage::Device::Cuda {
        unary(UnaryOp::Exp, &shifted)?
    } else {
        let exp = Tensor::empty(shifted.shape(), shifted.dtype)?;
        with_float!(x.dtype, F => map::unary_into::<F, F>(&exp, &shifted, |v| v.fast_exp()));
        exp
    };
    let total = reduce::sum(&exp, Some(&d), true, None)?;
    if log {
        binary(BinOp::Sub, &shifted, &Other::Tensor(unary(UnaryOp::Log, &total)?))
    } else {
        binary(BinOp::Div, &exp, &Other::Tensor(total))
    }
}

/// One lane of `softmax`/`log_softmax`. It and the closure handing it to `dispatch` are forced
/// inline: otherwise the body stays a separate baseline function (SSE2, `floorf` calls)
/// instead of being compiled inside the AVX variants.
#[inline(always)]
fn softmax_lane<F: num_traits::Float + FastExp>(x: &[F], y: &mut [F], log: bool) {
    // NaN is ignored by the maximum but then poisons the sum, as it should.
    let max = lane_fold(x, F::neg_infinity(), |m, v| if v > m { v } else { m });
    for (o, &v) in y.iter_mut().zip(x) {
        *o = (v - max).fast_exp();
    }
    let total = lane_fold(y, F::zero(), |a, b| a + b);
    if log {
        let shift = max + total.ln();
        for (o, &v) in y.iter_mut().zip(x) {
            *o = v - shift;
        }
    } else {
        let inv = F::one() / total;
        for o in y.iter_mut() {
            *o = *o * inv;
        }
    }
}
