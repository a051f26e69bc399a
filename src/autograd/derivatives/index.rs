//! Differentiable `tensor[index]` and `tensor[index] = value` (same functions as
//! `crate::ops::index`): reads gather, writes record what they overwrote.
use super::shape::{reshape, sum_to};
use super::views::{gathered, replay, untouched_mask};
use super::{grads, Make};
use crate::autograd::graph::{any_requires_grad, check_inplace, record_inplace, BackwardFn, Ctx, Saver};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::index as plain;
use crate::tensor::Tensor;

pub use plain::{nonzero, SetValue, TensorIndex};

fn is_advanced(i: &TensorIndex) -> bool {
    match i {
        TensorIndex::Tensor(t) => !(t.ndim() == 0 && t.dtype.is_integral(false)),
        TensorIndex::Bool(_) => true,
        _ => false,
    }
}

/// PyTorch's node for an index expression: the last op it applies.
fn read_name(indices: &[TensorIndex]) -> &'static str {
    if indices.iter().any(is_advanced) {
        return "IndexBackward0";
    }
    match indices.iter().rev().find(|i| !matches!(i, TensorIndex::Ellipsis)) {
        Some(TensorIndex::Slice { .. }) => "SliceBackward0",
        Some(TensorIndex::None) => "UnsqueezeBackward0",
        Some(_) => "SelectBackward0",
        None => "AliasBackward0",
    }
}

/// `tensor[indices]`.
pub fn get_item(t: &Tensor, indices: &[TensorIndex]) -> Result<Tensor> {
    let out = plain::get_item(t, indices)?;
    if !any_requires_grad(&[t]) {
        return Ok(out);
    }
    let idx = indices.to_vec();
    Ok(gathered(read_name(indices), t, out, replay(move |x| plain::get_item(x, &idx))))
}

/// The gradient for a value written into a region: the region's gradient, summed over the
/// dims the value was broadcast along (NumPy's leading size-1 dims of the value included).
pub fn reduce_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let lead = shape.iter().take_while(|&&d| d == 1).count();
    let core = &shape[lead..];
    let summed = if g.ndim() >= core.len() { sum_to(g, core)? } else { g.clone() };
    reshape(&summed, &shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
}

/// `tensor[indices] = value` (CopySlices for basic indices, IndexPutBackward0 otherwise).
pub fn set_item(t: &mut Tensor, indices: &[TensorIndex], value: SetValue) -> Result<()> {
    let value_tensor = match &value {
        SetValue::Tensor(v) => Some(v.clone()),
        SetValue::Scalar(_) => None,
    };
    let inputs: Vec<&Tensor> = std::iter::once(&*t).chain(value_tensor.as_ref()).collect();
    if !any_requires_grad(&inputs) {
        return plain::set_item(t, indices, value);
    }
    check_inplace(t)?;
    let before = t.clone();
    plain::set_item(t, indices, value)?;
    let name = if indices.iter().any(is_advanced) { "IndexPutBackward0" } else { "CopySlices" };
    let (idx, shape) = (indices.to_vec(), before.shape_dims());
    let value_shape = value_tensor.as_ref().map(|v| v.shape_dims()).unwrap_or_default();
    let inputs: Vec<&Tensor> = std::iter::once(&before).chain(value_tensor.as_ref()).collect();
    let make: Make = Box::new(move |_s: &mut Saver| {
        Box::new(move |c: &Ctx, g: &[Tensor]| {
            grads([
                c.grad(0, || {
                    let mask = untouched_mask(&shape, g[0].dtype, |m| plain::set_item(m, &idx, SetValue::Scalar(Scalar::Int(0))))?;
                    super::binary::mul(&g[0], &mask)
                })?,
                c.grad(1, || reduce_to(&get_item(&g[0], &idx)?, &value_shape))?,
            ])
        }) as BackwardFn
    });
    record_inplace(name, &inputs, t, make)
}
