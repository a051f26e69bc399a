//! Elementwise ops with three operands: `clamp` (input and two bounds) and `where`.
use super::binary::{binary, operand, type_label, BinOp, Other};
use crate::backend::cpu::strided::{for_each_row, Row};
use crate::dtype::{result_type, DType, Element, Operand, Scalar};
use crate::error::{runtime, Result};
use crate::layout::broadcast_shapes;
use crate::backend::wgpu::elementwise as gpu;
use crate::storage::Device;
use crate::tensor::Tensor;

fn other_operand(o: &Other) -> Operand {
    match o {
        Other::Tensor(t) => operand(t),
        Other::Scalar(s) => Operand::Scalar(*s),
    }
}

/// `clamp(input, min, max)` (either bound may be absent, not both). The result dtype
/// promotes over all three, so float bounds on an int tensor give a float result.
pub fn clamp(a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<Tensor> {
    let dtype = clamp_dtype(a, min, max)?;
    let a = a.to_dtype(dtype)?;
    match (min, max) {
        (Some(Other::Tensor(_)), _) | (_, Some(Other::Tensor(_))) => clamp_tensors(&a, min, max),
        _ => {
            let out = Tensor::empty(a.shape(), dtype)?;
            clamp_scalars_into(&out, &a, min, max)?;
            Ok(out)
        }
    }
}

/// `clamp_`: the promoted result must fit `a`'s dtype.
pub fn clamp_(a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<()> {
    a.assert_no_internal_overlap()?;
    for bound in min.into_iter().chain(max) {
        if let Other::Tensor(t) = bound {
            a.assert_no_partial_overlap(t)?;
        }
    }
    let dtype = clamp_dtype(a, min, max)?;
    if dtype.category() > a.dtype.category() {
        return runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            type_label(dtype),
            type_label(a.dtype)
        ));
    }
    match (min, max) {
        (Some(Other::Tensor(_)), _) | (_, Some(Other::Tensor(_))) => a.copy_(&clamp(a, min, max)?),
        _ if dtype == a.dtype => {
            clamp_scalars_into(a, a, min, max)?;
            a.storage.bump_version();
            Ok(())
        }
        _ => a.copy_(&clamp(a, min, max)?),
    }
}

fn clamp_dtype(a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<DType> {
    if min.is_none() && max.is_none() {
        return runtime("torch.clamp: At least one of 'min' or 'max' must not be None");
    }
    let mut ops = vec![operand(a)];
    ops.extend(min.iter().chain(max.iter()).map(|o| other_operand(o)));
    let dtype = result_type(&ops, crate::default_dtype::get())?;
    if dtype == DType::Bool {
        return runtime("\"clamp_cpu\" not implemented for 'Bool'");
    }
    Ok(dtype)
}

/// Tensor bounds: max with the lower bound, then min with the upper one (NaN in a bound
/// propagates, and min > max gives max, as in PyTorch).
fn clamp_tensors(a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<Tensor> {
    let lower = match min {
        Some(lo) => binary(BinOp::Maximum, a, lo)?,
        None => a.clone(),
    };
    match max {
        Some(hi) => binary(BinOp::Minimum, &lower, hi),
        None if min.is_some() => Ok(lower),
        None => a.copy_to_new(a.dtype),
    }
}

/// PyTorch's Python signature takes a 0-dim tensor bound beside a number bound as a number
/// (the `Scalar?` overload), so such a pair promotes and range-checks as two numbers.
pub fn number_bounds(min: Option<&Other>, max: Option<&Other>) -> Result<(Option<Other>, Option<Other>)> {
    let as_number = |o: Option<&Other>| -> Result<Option<Other>> {
        Ok(match o {
            Some(Other::Tensor(t)) if t.ndim() == 0 => Some(Other::Scalar(t.item()?)),
            other => other.cloned(),
        })
    };
    match (min, max) {
        (Some(Other::Scalar(_)), Some(Other::Tensor(_))) | (Some(Other::Tensor(_)), Some(Other::Scalar(_))) => {
            Ok((as_number(min)?, as_number(max)?))
        }
        _ => Ok((min.cloned(), max.cloned())),
    }
}

/// Number bounds as PyTorch's clamp takes them: on an integer result a bound beyond the type's
/// range leaves that side unbounded, unless it would cut off every value (a min above the top,
/// a max below the bottom), which is an error; on a float result a bound must convert without
/// overflow.
fn checked_number_bounds(dtype: DType, lo: Option<Scalar>, hi: Option<Scalar>) -> Result<(Option<Scalar>, Option<Scalar>)> {
    if dtype.is_float() {
        lo.iter().chain(hi.iter()).try_for_each(|s| s.check_fits(dtype, true))?;
        return Ok((lo, hi));
    }
    let (bottom, top): (i128, i128) = match dtype {
        DType::U8 => (0, 255),
        DType::I8 => (-128, 127),
        DType::I16 => (-32768, 32767),
        DType::I32 => (-2147483648, 2147483647),
        _ => (i64::MIN as i128, i64::MAX as i128),
    };
    let outside = |which: &str, s: Scalar| {
        runtime(format!("Clamp {} value {} is outside the representable range of {}", which, s.to_i64(), type_label(dtype)))
    };
    let lo = match lo {
        Some(s) if (s.to_i64() as i128) > top => return outside("min", s),
        Some(s) if (s.to_i64() as i128) < bottom => None,
        other => other,
    };
    let hi = match hi {
        Some(s) if (s.to_i64() as i128) < bottom => return outside("max", s),
        Some(s) if (s.to_i64() as i128) > top => None,
        other => other,
    };
    Ok((lo, hi))
}

/// `clamp` with (checked) number bounds by the GPU's generated kernel, with the CPU kernel's
/// comparisons (a NaN input stays NaN, a NaN bound is ignored); false when `out` is not on it.
fn clamp_on_gpu(out: &Tensor, a: &Tensor, lo: Option<Scalar>, hi: Option<Scalar>) -> Result<bool> {
    let (name, expr, bounds) = match (lo, hi) {
        (Some(lo), Some(hi)) => ("clamp", "select(select(x, y, x < y), z, z < select(x, y, x < y))", vec![lo, hi]),
        (Some(lo), None) => ("clamp_min", "select(x, y, x < y)", vec![lo]),
        (None, Some(hi)) => ("clamp_max", "select(x, y, y < x)", vec![hi]),
        (None, None) => return Ok(false),
    };
    let mut inputs = vec![gpu::Input::tensor(a)];
    inputs.extend(bounds.into_iter().map(|s| gpu::Input::scalar(s, out.dtype)));
    gpu::map(name, expr, out.dtype, out, &inputs)
}

/// `std::min(std::max(x, lo), hi)`: a NaN input stays NaN.
fn clamp_scalars_into(out: &Tensor, a: &Tensor, min: Option<&Other>, max: Option<&Other>) -> Result<()> {
    let bound = |o: Option<&Other>| match o {
        Some(Other::Scalar(s)) => Some(*s),
        _ => None,
    };
    let (lo, hi) = checked_number_bounds(out.dtype, bound(min), bound(max))?;
    if clamp_on_gpu(out, a, lo, hi)? {
        return Ok(());
    }
    crate::with_dtype!(out.dtype, T => {
        let (lo, hi) = (lo.map(T::from_scalar), hi.map(T::from_scalar));
        match (lo, hi) {
            (Some(lo), Some(hi)) => crate::backend::cpu::map::unary_into::<T, T>(out, a, move |x: T| {
                let y = if x < lo { lo } else { x };
                if hi < y { hi } else { y }
            }),
            (Some(lo), None) => crate::backend::cpu::map::unary_into::<T, T>(out, a, move |x: T| if x < lo { lo } else { x }),
            (None, Some(hi)) => crate::backend::cpu::map::unary_into::<T, T>(out, a, move |x: T| if hi < x { hi } else { x }),
            (None, None) => crate::backend::cpu::map::copy_cast(out, a),
        }
    });
    Ok(())
}

/// An operand of `where` as a tensor of `dtype` (numbers become 0-dim tensors).
fn as_tensor(o: &Other, dtype: DType) -> Result<Tensor> {
    match o {
        Other::Tensor(t) => t.to_dtype(dtype),
        Other::Scalar(s) => Tensor::scalar_checked(*s, dtype, false),
    }
}

/// `where(condition, x, y)`: x where the condition holds, else y, broadcast together.
pub fn where_(cond: &Tensor, x: &Other, y: &Other) -> Result<Tensor> {
    if cond.dtype != DType::Bool {
        return runtime(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            type_label(cond.dtype)
        ));
    }
    let dtype = result_type(&[other_operand(x), other_operand(y)], crate::default_dtype::get())?;
    if let Some(out) = where_on_gpu(cond, x, y, dtype)? {
        return Ok(out);
    }
    let (x, y) = (as_tensor(x, dtype)?, as_tensor(y, dtype)?);
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), x.shape())?, y.shape())?;
    let out = Tensor::empty(&shape, dtype)?;
    let (c, x, y) = (cond.broadcast_to(&shape)?, x.broadcast_to(&shape)?, y.broadcast_to(&shape)?);
    crate::with_any_dtype!(dtype, T => select_into::<T>(&out, &c, &x, &y));
    Ok(out)
}

/// `where` by the GPU's generated kernel, which converts and broadcasts its operands itself.
fn where_on_gpu(cond: &Tensor, x: &Other, y: &Other, dtype: DType) -> Result<Option<Tensor>> {
    if cond.device() != Device::Cuda {
        return Ok(None);
    }
    let dims = |o: &Other| match o {
        Other::Tensor(t) => t.shape_dims(),
        Other::Scalar(_) => Default::default(),
    };
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), &dims(x))?, &dims(y))?;
    let out = Tensor::empty(&shape, dtype)?;
    let c = cond.broadcast_to(&shape)?;
    let (xt, yt) = (broadcast_other(x, &shape)?, broadcast_other(y, &shape)?);
    let inputs = [gpu::Input { value: gpu::Value::Tensor(&c), as_type: DType::Bool }, where_operand(x, &xt, dtype), where_operand(y, &yt, dtype)];
    Ok(gpu::map("where", "select(z, y, x)", dtype, &out, &inputs)?.then_some(out))
}

/// A `where` operand for the GPU kernel: a number, or its broadcast tensor `t`.
fn where_operand<'a>(o: &Other, t: &'a Option<Tensor>, dtype: DType) -> gpu::Input<'a> {
    match (o, t) {
        (Other::Scalar(s), _) => gpu::Input::scalar(*s, dtype),
        (_, Some(t)) => gpu::Input { value: gpu::Value::Tensor(t), as_type: dtype },
        _ => unreachable!("a tensor operand is broadcast"),
    }
}

fn broadcast_other(o: &Other, shape: &[usize]) -> Result<Option<Tensor>> {
    match o {
        Other::Tensor(t) => Ok(Some(t.broadcast_to(shape)?)),
        Other::Scalar(_) => Ok(None),
    }
}

fn select_into<T: Element>(out: &Tensor, c: &Tensor, x: &Tensor, y: &Tensor) {
    let base = |t: &Tensor| t.storage.as_ptr() as usize;
    let (po, pc, px, py) = (base(out), base(c), base(x), base(y));
    for_each_row(
        out.shape(),
        [out.strides(), c.strides(), x.strides(), y.strides()],
        [out.layout.offset, c.layout.offset, x.layout.offset, y.layout.offset].map(|o| o as isize),
        &|row: Row<4>| {
            let [oo, oc, ox, oy] = row.offsets;
            let [so, sc, sx, sy] = row.strides;
            // SAFETY: each row lies within its operand's storage; only `out` is written, and
            // it is a fresh tensor that aliases no input.
            unsafe {
                let (o, c) = ((po as *mut T).offset(oo), (pc as *const bool).offset(oc));
                let (x, y) = ((px as *const T).offset(ox), (py as *const T).offset(oy));
                for i in 0..row.len as isize {
                    *o.offset(i * so) = if *c.offset(i * sc) { *x.offset(i * sx) } else { *y.offset(i * sy) };
                }
            }
        },
    );
}
