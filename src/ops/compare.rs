//! Whole-tensor comparisons: `isclose`, `allclose`, `equal`, and the zero-divisor scan.
use super::binary::{binary, type_label, BinOp, Other};
use crate::backend::cpu::map;
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::layout::broadcast_shapes;
use crate::tensor::Tensor;

/// Calls `f` on the elements of `t` (as a contiguous slice) and returns its answer.
fn with_slice<R>(t: &Tensor, f: impl FnOnce(&[bool]) -> R) -> Result<R> {
    let t = if t.dtype == DType::Bool { t.contiguous()? } else { t.copy_to_new(DType::Bool)? };
    // SAFETY: `t` is contiguous with numel bools.
    Ok(f(unsafe { std::slice::from_raw_parts(t.data_ptr::<bool>(), t.numel()) }))
}

/// Whether any element is zero (integer division checks its divisor with this).
pub fn any_zero(t: &Tensor) -> Result<bool> {
    with_slice(t, |s| s.iter().any(|&v| !v))
}

/// Whether every element is non-zero.
pub fn all_true(t: &Tensor) -> Result<bool> {
    with_slice(t, |s| s.iter().all(|&v| v))
}

/// `isclose`: |a - b| <= atol + rtol * |b| (finite differences only), or a == b, or both NaN
/// when `equal_nan`.
pub fn isclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
    if a.dtype != b.dtype {
        return runtime(format!("{} did not match {}", type_label(a.dtype), type_label(b.dtype)));
    }
    if rtol < 0.0 {
        return runtime(format!("rtol must be greater than or equal to zero, but got {}", rtol));
    }
    if atol < 0.0 {
        return runtime(format!("atol must be greater than or equal to zero, but got {}", atol));
    }
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let out = Tensor::empty(&shape, DType::Bool)?;
    let (a, b) = (a.broadcast_to(&shape)?, b.broadcast_to(&shape)?);
    crate::with_dtype!(a.dtype, T => map::binary_into::<T, T, bool>(&out, &a, &b, move |x: T, y: T| {
        let (x, y) = (x.to_f64(), y.to_f64());
        let diff = (x - y).abs();
        x == y || (equal_nan && x.is_nan() && y.is_nan()) || (diff.is_finite() && diff <= atol + rtol * y.abs())
    }));
    Ok(out)
}

pub fn allclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<bool> {
    all_true(&isclose(a, b, rtol, atol, equal_nan)?)
}

/// `equal`: the same shape and equal elements (after promotion; NaN is unequal).
pub fn equal(a: &Tensor, b: &Tensor) -> Result<bool> {
    if a.shape() != b.shape() {
        return Ok(false);
    }
    all_true(&binary(BinOp::Eq, a, &Other::Tensor(b.clone()))?)
}
