//! Ops that map each lane along a dim to a lane of the same length: cumulative sums and
//! products, running extrema, `softmax` and `log_softmax`.
use crate::backend::cpu::lanes::{lanes1, lanes2};
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::layout::wrap_dim;
use crate::ops::binary::type_label;
use crate::ops::reduce::{widen_halves, with_float, Extreme};
use crate::ops::sort::as_vector_if_scalar;
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
    with_float!(wide.dtype, F => map_lanes::<F, F>(&wide, d, |x, y| {
        // NaN is ignored by the maximum but then poisons the sum, as it should.
        let max = x.iter().fold(F::NEG_INFINITY, |m, &v| if v > m { v } else { m });
        let mut total: F = 0.0;
        for (o, &v) in y.iter_mut().zip(x) {
            let e = (v - max).exp();
            total += e;
            *o = e;
        }
        if log {
            let shift = max + total.ln();
            for (o, &v) in y.iter_mut().zip(x) {
                *o = v - shift;
            }
        } else {
            let inv = 1.0 / total;
            for o in y.iter_mut() {
                *o *= inv;
            }
        }
    }))?
    .to_dtype(src.dtype)
}
