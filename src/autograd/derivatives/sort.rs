//! Differentiable selections by index (same functions as `crate::ops::sort`): values picked by
//! max/min/sort/topk/kthvalue/median/mode get their gradient back at the picked positions.
use super::views::{gathered, replay};
use crate::autograd::graph::any_requires_grad;
use crate::error::Result;
use crate::layout::wrap_dim;
use crate::ops::reduce::Extreme;
use crate::ops::sort as plain;
use crate::tensor::Tensor;

pub use plain::{arg_extreme, argsort, unique};

/// `values` are `t`'s elements at `indices` along `dim` (`keepdim` false: that dim removed).
fn selected(name: &'static str, t: &Tensor, (values, indices): (Tensor, Tensor), dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    if !any_requires_grad(&[t]) {
        return Ok((values, indices));
    }
    let d = if t.ndim() == 0 { 0 } else { wrap_dim(dim, t.ndim())? as i64 };
    let index = if keepdim || t.ndim() == 0 { indices.clone() } else { crate::ops::shape::unsqueeze(&indices, d)? };
    let shape: Vec<i64> = values.shape().iter().map(|&s| s as i64).collect();
    // gather wants at least 1-d operands; a 0-dim input is one element along dim 0.
    let index = if index.ndim() == 0 { index.reshape(&[1])? } else { index };
    let pick = replay(move |x| {
        let x = if x.ndim() == 0 { x.reshape(&[1])? } else { x.clone() };
        crate::ops::gather::gather(&x, d, &index)?.reshape(&shape)
    });
    Ok((gathered(name, t, values, pick), indices))
}

/// Values picked along `dim` at `indices` of the same shape (cummax, cummin).
pub fn selected_along(name: &'static str, t: &Tensor, picked: (Tensor, Tensor), dim: i64) -> Result<(Tensor, Tensor)> {
    selected(name, t, picked, dim, true)
}

pub fn extreme_dim(t: &Tensor, dim: i64, keepdim: bool, which: Extreme) -> Result<(Tensor, Tensor)> {
    let name = if which == Extreme::Max { "MaxBackward0" } else { "MinBackward0" };
    selected(name, t, plain::extreme_dim(t, dim, keepdim, which)?, dim, keepdim)
}

pub fn sort(t: &Tensor, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
    selected("SortBackward0", t, plain::sort(t, dim, descending)?, dim, true)
}

pub fn topk(t: &Tensor, k: i64, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
    selected("TopkBackward0", t, plain::topk(t, k, dim, largest)?, dim, true)
}

pub fn kthvalue(t: &Tensor, k: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    selected("KthvalueBackward0", t, plain::kthvalue(t, k, dim, keepdim)?, dim, keepdim)
}

pub fn median_dim(t: &Tensor, dim: i64, keepdim: bool, ignore_nan: bool) -> Result<(Tensor, Tensor)> {
    let name = if ignore_nan { "NanmedianBackward1" } else { "MedianBackward1" };
    selected(name, t, plain::median_dim(t, dim, keepdim, ignore_nan)?, dim, keepdim)
}

pub fn mode(t: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    selected("ModeBackward0", t, plain::mode(t, dim, keepdim)?, dim, keepdim)
}

/// `median()` of all elements: as in PyTorch, the gradient is shared evenly by the elements
/// equal to the median.
pub fn median_all(t: &Tensor, ignore_nan: bool) -> Result<Tensor> {
    let out = plain::median_all(t, ignore_nan)?;
    if !any_requires_grad(&[t]) {
        return Ok(out);
    }
    let name = if ignore_nan { "NanmedianBackward0" } else { "MedianBackward0" };
    super::reduce::evenly_shared(name, t, out)
}
