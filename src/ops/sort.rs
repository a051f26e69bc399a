//! Ops that need element positions along one dim: `max`/`min` with a dim, `argmax`/`argmin`,
//! `sort`, `argsort`, `topk`, `kthvalue`, `median`, `nanmedian`, `mode`, and `unique`.
//! NaN sorts above every number, as in PyTorch.
use crate::backend::cpu::lanes::lanes2;
use crate::backend::cpu::simd::dispatch;
use crate::backend::cpu::vmath::lane_fold;
use crate::dtype::{DType, Element};
use crate::error::{runtime, Error, Result};
use crate::layout::wrap_dim;
use crate::ops::reduce::Extreme;
use crate::backend::wgpu::reduce::{arg_reduce, Reduction};
use crate::storage::Device;
use crate::tensor::Tensor;
use std::cmp::Ordering;

#[allow(clippy::eq_op)]
#[inline(always)]
fn is_nan<T: Element>(x: T) -> bool {
    x != x
}

/// Ascending order with NaN last (NaNs equal to each other).
#[inline(always)]
pub fn order<T: Element>(a: T, b: T) -> Ordering {
    a.partial_cmp(&b).unwrap_or_else(|| is_nan(a).cmp(&is_nan(b)))
}

/// A 0-dim tensor behaves as a 1-element vector along "dim 0".
pub fn as_vector_if_scalar(t: &Tensor) -> Result<Tensor> {
    if t.ndim() == 0 { t.reshape(&[1]) } else { Ok(t.clone()) }
}

/// `shape` with `dim` resized to `len`.
pub fn with_dim(shape: &[usize], dim: usize, len: usize) -> Vec<usize> {
    let mut s = shape.to_vec();
    s[dim] = len;
    s
}

/// Drops `dim` from a keepdim-shaped result unless `keepdim`; 0-dim inputs give 0-dim results.
fn finish_shape(t: Tensor, input_ndim: usize, dim: usize, keepdim: bool) -> Result<Tensor> {
    if input_ndim == 0 {
        return t.reshape(&[]);
    }
    if keepdim {
        return Ok(t);
    }
    let shape: Vec<i64> = t.shape().iter().enumerate().filter(|&(d, _)| d != dim).map(|(_, &s)| s as i64).collect();
    t.reshape(&shape)
}

/// Reducing along an empty dim has no answer for ops without an identity.
fn check_lane_nonempty(name: &str, t: &Tensor, dim: usize) -> Result<()> {
    if t.ndim() > 0 && t.shape()[dim] == 0 {
        return Err(Error::Index(format!("{}(): Expected reduction dim {} to have non-zero size.", name, dim)));
    }
    Ok(())
}

/// A lane op with one value and one index per lane (`max(dim)`, `median(dim)`, …).
fn select_along<T: Element>(
    t: &Tensor,
    dim: usize,
    keepdim: bool,
    pick: impl Fn(&[T]) -> (T, usize) + Sync,
) -> Result<(Tensor, Tensor)> {
    let x = as_vector_if_scalar(t)?;
    let shape = with_dim(x.shape(), dim, 1);
    let (values, indices) = (Tensor::empty(&shape, t.dtype)?, Tensor::empty(&shape, DType::I64)?);
    lanes2::<T, T, i64>(&x, dim, &values, &indices, |lane, v, i| {
        let (value, index) = pick(lane);
        v[0] = value;
        i[0] = index as i64;
    });
    Ok((finish_shape(values, t.ndim(), dim, keepdim)?, finish_shape(indices, t.ndim(), dim, keepdim)?))
}

/// First position of the extreme (the first NaN if there is one): a vectorised pass finds the
/// value, a second one its first occurrence.
fn extreme_position<T: Element>(lane: &[T], which: Extreme) -> (T, usize) {
    let pick = which.picker::<T>();
    let best = dispatch(#[inline(always)] || lane_fold(&lane[1..], lane[0], pick));
    let at = if is_nan(best) { lane.iter().position(|&x| is_nan(x)) } else { lane.iter().position(|&x| x == best) };
    (best, at.unwrap_or(0))
}

/// `max(dim)` / `min(dim)` (values and positions) or `argmax`/`argmin` (positions) by the GPU's
/// kernel, when `t` is a `cuda` tensor of a dtype it has.
fn extreme_on_gpu(t: &Tensor, dim: usize, keepdim: bool, which: Extreme, values: bool) -> Result<Option<(Tensor, Tensor)>> {
    if t.device() != Device::Cuda || t.dtype != DType::F32 || t.numel() == 0 {
        return Ok(None);
    }
    let x = as_vector_if_scalar(t)?;
    let shape = with_dim(x.shape(), dim, 1);
    let value_shape: &[usize] = if values { &shape } else { &[] };
    let (v, i) = (Tensor::empty(value_shape, t.dtype)?, Tensor::empty(&shape, DType::I64)?);
    let kind = if which == Extreme::Max { Reduction::Max } else { Reduction::Min };
    if !arg_reduce(&x, dim, values.then_some(&v), &i, kind)? {
        return Ok(None);
    }
    let v = if values { finish_shape(v, t.ndim(), dim, keepdim)? } else { v };
    Ok(Some((v, finish_shape(i, t.ndim(), dim, keepdim)?)))
}

/// `max(dim)` / `min(dim)`: values and the index of their first occurrence.
pub fn extreme_dim(t: &Tensor, dim: i64, keepdim: bool, which: Extreme) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, t.ndim())?;
    check_lane_nonempty(which.name(), t, d)?;
    if let Some(r) = extreme_on_gpu(t, d, keepdim, which, true)? {
        return Ok(r);
    }
    crate::with_dtype!(t.dtype, T => select_along::<T>(t, d, keepdim, |lane| extreme_position(lane, which)))
}

/// `argmax` / `argmin`; without a dim, the index into the flattened tensor.
pub fn arg_extreme(t: &Tensor, dim: Option<i64>, keepdim: bool, which: Extreme) -> Result<Tensor> {
    let name = if which == Extreme::Max { "argmax" } else { "argmin" };
    if t.dtype == DType::Bool {
        return Err(Error::NotImplemented(format!("{}(): does not support bool input", name)));
    }
    match dim {
        Some(dim) => {
            let d = wrap_dim(dim, t.ndim())?;
            check_lane_nonempty(name, t, d)?;
            if let Some((_, positions)) = extreme_on_gpu(t, d, keepdim, which, false)? {
                return Ok(positions);
            }
            Ok(crate::with_dtype!(t.dtype, T => select_along::<T>(t, d, keepdim, |lane| extreme_position(lane, which)))?.1)
        }
        None => {
            if t.numel() == 0 {
                return Err(Error::Index(format!("{}(): Expected reduction dim to be specified for input.numel() == 0.", name)));
            }
            let flat = t.reshape(&[-1])?;
            let index = arg_extreme(&flat, Some(0), false, which)?;
            if keepdim { index.reshape(&vec![1; t.ndim()]) } else { Ok(index) }
        }
    }
}

/// Lane positions sorted by value (stable: equal values keep their order).
fn sorted_positions<T: Element>(lane: &[T], descending: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..lane.len()).collect();
    if descending {
        idx.sort_by(|&a, &b| order(lane[b], lane[a]));
    } else {
        idx.sort_by(|&a, &b| order(lane[a], lane[b]));
    }
    idx
}

/// `sort`: values and the positions they came from (always stable here).
pub fn sort(t: &Tensor, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, t.ndim())?;
    let x = as_vector_if_scalar(t)?;
    let (values, indices) = (Tensor::empty(x.shape(), t.dtype)?, Tensor::empty(x.shape(), DType::I64)?);
    crate::with_real_dtype!(t.dtype, T => lanes2::<T, T, i64>(&x, d, &values, &indices, |lane, v, i| {
        for (k, p) in sorted_positions(lane, descending).into_iter().enumerate() {
            v[k] = lane[p];
            i[k] = p as i64;
        }
    }));
    Ok((values.reshape(&shape_i64(t.shape()))?, indices.reshape(&shape_i64(t.shape()))?))
}

fn shape_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&s| s as i64).collect()
}

/// `topk`: the `k` largest (or smallest) along `dim`, in order; ties keep the lower index first.
pub fn topk(t: &Tensor, k: i64, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
    if t.dtype == DType::Bool {
        return Err(Error::NotImplemented("topk does not support bool dtypes on CPU".into()));
    }
    let d = wrap_dim(dim, t.ndim())?;
    if t.ndim() == 0 && k == 0 {
        // PyTorch gives a 0-dim input back whole for k = 0 too.
        return Ok((t.copy_to_new(t.dtype)?, Tensor::zeros(&[], DType::I64)?));
    }
    let x = as_vector_if_scalar(t)?;
    let n = x.shape()[d];
    if k < 0 || k as usize > n {
        return runtime("selected index k out of range");
    }
    let k = k as usize;
    let shape = with_dim(x.shape(), d, k);
    let (values, indices) = (Tensor::empty(&shape, t.dtype)?, Tensor::empty(&shape, DType::I64)?);
    crate::with_dtype!(t.dtype, T => lanes2::<T, T, i64>(&x, d, &values, &indices, |lane, v, i| {
        let rank = |&a: &usize, &b: &usize| {
            let o = if largest { order(lane[b], lane[a]) } else { order(lane[a], lane[b]) };
            o.then(a.cmp(&b))
        };
        let mut idx: Vec<usize> = (0..lane.len()).collect();
        if k > 0 && k < idx.len() {
            idx.select_nth_unstable_by(k - 1, rank);
            idx.truncate(k);
        }
        idx.sort_unstable_by(rank);
        for (j, &p) in idx.iter().take(k).enumerate() {
            v[j] = lane[p];
            i[j] = p as i64;
        }
    }));
    let out_shape: Vec<i64> = if t.ndim() == 0 { vec![] } else { shape_i64(&shape) };
    Ok((values.reshape(&out_shape)?, indices.reshape(&out_shape)?))
}

/// The `k`-th smallest (0-based) of a lane, NaN last, with its position.
fn kth_smallest<T: Element>(lane: &[T], k: usize) -> (T, usize) {
    let mut idx: Vec<usize> = (0..lane.len()).collect();
    idx.select_nth_unstable_by(k, |&a, &b| order(lane[a], lane[b]).then(a.cmp(&b)));
    (lane[idx[k]], idx[k])
}

/// `kthvalue`: the k-th smallest (1-based) along `dim`.
pub fn kthvalue(t: &Tensor, k: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, t.ndim())?;
    let n = if t.ndim() == 0 { 1 } else { t.shape()[d] };
    if k < 1 || k as usize > n {
        return runtime(format!("kthvalue(): selected number k out of range for dimension {}", d));
    }
    crate::with_dtype!(t.dtype, T => select_along::<T>(t, d, keepdim, |lane| kth_smallest(lane, k as usize - 1)))
}

/// Lower median of a lane; NaN (the first one) if the lane has any, unless `ignore_nan`, which
/// takes the median of the other elements.
fn lane_median<T: Element>(lane: &[T], ignore_nan: bool) -> (T, usize) {
    let nans = lane.iter().filter(|&&x| is_nan(x)).count();
    if nans > 0 && (!ignore_nan || nans == lane.len()) {
        let first = lane.iter().position(|&x| is_nan(x)).unwrap_or(0);
        return (lane[first], first);
    }
    let valid = lane.len() - if ignore_nan { nans } else { 0 };
    kth_smallest(lane, (valid - 1) / 2)
}

/// `median` / `nanmedian` with a dim: values and indices.
pub fn median_dim(t: &Tensor, dim: i64, keepdim: bool, ignore_nan: bool) -> Result<(Tensor, Tensor)> {
    check_median_dtype(t, "median_out")?;
    let d = wrap_dim(dim, t.ndim())?;
    check_lane_nonempty(if ignore_nan { "nanmedian" } else { "median" }, t, d)?;
    crate::with_dtype!(t.dtype, T => select_along::<T>(t, d, keepdim, |lane| lane_median(lane, ignore_nan)))
}

/// `median()` / `nanmedian()` of all elements: a 0-dim value (NaN for an empty float input).
pub fn median_all(t: &Tensor, ignore_nan: bool) -> Result<Tensor> {
    check_median_dtype(t, "median_cpu")?;
    if t.numel() == 0 {
        // PyTorch: NaN for a float input, 0 for an integer one.
        let empty_value = if t.dtype.is_float() { f64::NAN } else { 0.0 };
        return Tensor::full(&[], crate::dtype::Scalar::Float(empty_value), t.dtype);
    }
    Ok(median_dim(&t.reshape(&[-1])?, 0, false, ignore_nan)?.0)
}

fn check_median_dtype(t: &Tensor, kernel: &str) -> Result<()> {
    if t.dtype == DType::Bool {
        return Err(Error::NotImplemented(format!("\"{}\" not implemented for 'Bool'", kernel)));
    }
    Ok(())
}

/// `mode`: the most frequent value (the smallest among equally frequent ones) and the last
/// position holding it.
pub fn mode(t: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    let d = wrap_dim(dim, t.ndim())?;
    check_lane_nonempty("mode", t, d)?;
    crate::with_dtype!(t.dtype, T => select_along::<T>(t, d, keepdim, |lane| {
        let idx = sorted_positions(lane, false);
        let (mut best, mut best_count, mut run) = ((lane[idx[0]], idx[0]), 0usize, 0usize);
        for (j, &p) in idx.iter().enumerate() {
            run += 1;
            let run_ends = j + 1 == idx.len() || order(lane[idx[j + 1]], lane[p]) != Ordering::Equal;
            if run_ends {
                if run > best_count {
                    best = (lane[p], p);
                    best_count = run;
                }
                run = 0;
            }
        }
        best
    }))
}

/// `unique` over all elements: sorted distinct values, and optionally each element's position
/// among them (`inverse`, input-shaped) and each value's count.
pub fn unique(t: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    crate::with_dtype!(t.dtype, T => {
        let data = t.to_vec::<T>()?;
        let idx = sorted_positions(&data, false);
        let mut values: Vec<T> = Vec::new();
        let mut counts: Vec<i64> = Vec::new();
        let mut inverse = vec![0i64; data.len()];
        for &p in &idx {
            // NaNs never compare equal, so each stays its own value (as in PyTorch).
            if values.last().is_none_or(|&last| last != data[p]) {
                values.push(data[p]);
                counts.push(0);
            }
            *counts.last_mut().unwrap() += 1;
            inverse[p] = values.len() as i64 - 1;
        }
        let n = values.len();
        Ok((Tensor::from_vec(values, &[n])?, Tensor::from_vec(inverse, t.shape())?, Tensor::from_vec(counts, &[n])?))
    })
}

/// `argsort`: the positions `sort` would produce.
pub fn argsort(t: &Tensor, dim: i64, descending: bool) -> Result<Tensor> {
    Ok(sort(t, dim, descending)?.1)
}
