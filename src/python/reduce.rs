//! Reduction, scan, sorting and softmax methods of `Tensor`, with PyTorch's `dim`/`keepdim`
//! and NumPy's `axis`/`keepdims` spellings. Ops returning (values, indices) build the named
//! result types of `rustorch.return_types` (`torch.return_types.max(values=…, indices=…)`).
use super::args;
use super::tensor::{wrap, PyTensor};
use crate::autograd::derivatives::binary::binary;

use crate::error::Error;
use crate::ops::binary::{BinOp, Other};
use crate::autograd::derivatives::reduce::{self, Extreme};
use crate::autograd::derivatives::{scan, sort};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyModule, PyString, PyTuple};

type Dims = Option<Vec<i64>>;

/// Runs a kernel without the GIL when it has enough elements to be worth the hand-off.
pub fn detach_if_large<R: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> R + Send) -> R {
    if numel >= 1 << 16 { py.detach(f) } else { f() }
}

static RETURN_TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `rustorch.return_types.<name>((a, b))`.
pub fn named_pair(py: Python<'_>, name: &str, a: Tensor, b: Tensor) -> PyResult<Py<PyAny>> {
    let module = RETURN_TYPES.get_or_try_init(py, || py.import("rustorch.return_types").map(|m| m.unbind()))?;
    let pair = PyTuple::new(py, [wrap(py, a)?, wrap(py, b)?])?;
    Ok(module.bind(py).getattr(name)?.call1((pair,))?.unbind())
}

/// `dim`/`axis` and `keepdim`/`keepdims` resolved.
fn dims_keep(dim: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdim: bool, keepdims: Option<bool>) -> PyResult<(Dims, bool)> {
    Ok((args::dims(args::dim_alias(dim, axis))?, keepdims.unwrap_or(keepdim)))
}

/// A single `dim` argument (int), also accepted as NumPy's `axis`.
fn one_dim(dim: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    match args::dim_alias(dim, axis) {
        Some(d) if !d.is_none() => Ok(Some(d.extract::<i64>()?)),
        _ => Ok(None),
    }
}

fn required_dim(op: &str, dim: Option<i64>) -> PyResult<i64> {
    dim.ok_or_else(|| PyTypeError::new_err(format!("{}() missing 1 required positional arguments: \"dim\"", op)))
}

/// `max`/`min`: the value, a (values, indices) pair along `dim`, or `maximum`/`minimum` with a
/// tensor as the second argument.
fn extreme_method(slf: &PyTensor, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, which: Extreme) -> PyResult<Py<PyAny>> {
    let t = slf.tensor();
    if let Some(other) = dim.and_then(|d| d.cast::<PyTensor>().ok()) {
        let op = if which == Extreme::Max { BinOp::Maximum } else { BinOp::Minimum };
        return Ok(wrap(py, binary(op, &t, &Other::Tensor(other.get().tensor()))?)?.into_any());
    }
    match dim.filter(|d| !d.is_none()) {
        None => Ok(wrap(py, detach_if_large(py, t.numel(), || reduce::extreme(&t, None, false, which, which.name()))?)?.into_any()),
        Some(d) => {
            let d = d.extract::<i64>()?;
            let (v, i) = detach_if_large(py, t.numel(), || sort::extreme_dim(&t, d, keepdim, which))?;
            named_pair(py, which.name(), v, i)
        }
    }
}

/// `std`/`var` accept `(dim, unbiased, keepdim)`, the legacy `(unbiased)` and `correction=`.
fn moments_args(dim: Option<&Bound<'_, PyAny>>, unbiased: Option<bool>, correction: Option<f64>) -> PyResult<(Dims, f64)> {
    let (dims, legacy_unbiased) = match dim {
        Some(d) if d.is_instance_of::<PyBool>() => (None, Some(d.extract::<bool>()?)),
        other => (args::dims(other)?, None),
    };
    let correction = match (correction, unbiased.or(legacy_unbiased)) {
        (Some(c), _) => c,
        (None, Some(u)) => u as i32 as f64,
        (None, None) => 1.0,
    };
    Ok((dims, correction))
}

/// `norm`'s `p`: a number, `inf`, or the string 'fro' (the 2-norm here).
fn norm_order(p: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    match p {
        None => Ok(2.0),
        Some(p) if p.is_none() => Ok(2.0),
        Some(p) if p.is_instance_of::<PyString>() => match p.extract::<String>()?.as_str() {
            "fro" => Ok(2.0),
            "nuc" => Err(Error::NotImplemented("norm: the nuclear norm needs an SVD, which rustorch does not implement yet".into()).into()),
            other => Err(Error::Runtime(format!("norm(): Unsupported norm type: {}", other)).into()),
        },
        Some(p) => Ok(p.extract::<f64>()?),
    }
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn sum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let (t, dtype) = (self.tensor(), args::opt_dtype(dtype)?);
        wrap(py, detach_if_large(py, t.numel(), || reduce::sum(&t, dims.as_deref(), keep, dtype))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn nansum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let (t, dtype) = (self.tensor(), args::opt_dtype(dtype)?);
        wrap(py, detach_if_large(py, t.numel(), || reduce::nansum(&t, dims.as_deref(), keep, dtype))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn mean(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let (t, dtype) = (self.tensor(), args::opt_dtype(dtype)?);
        wrap(py, detach_if_large(py, t.numel(), || reduce::mean(&t, dims.as_deref(), keep, dtype))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn nanmean(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let (t, dtype) = (self.tensor(), args::opt_dtype(dtype)?);
        wrap(py, detach_if_large(py, t.numel(), || reduce::nanmean(&t, dims.as_deref(), keep, dtype))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn prod(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let dim = one_dim(dim, axis)?.map(|d| vec![d]);
        let (t, dtype, keep) = (self.tensor(), args::opt_dtype(dtype)?, keepdims.unwrap_or(keepdim));
        wrap(py, detach_if_large(py, t.numel(), || reduce::prod(&t, dim.as_deref(), keep, dtype))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn max(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyAny>> {
        extreme_method(self, py, args::dim_alias(dim, axis), keepdims.unwrap_or(keepdim), Extreme::Max)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn min(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyAny>> {
        extreme_method(self, py, args::dim_alias(dim, axis), keepdims.unwrap_or(keepdim), Extreme::Min)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn amax(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || reduce::extreme(&t, dims.as_deref(), keep, Extreme::Max, "amax"))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn amin(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || reduce::extreme(&t, dims.as_deref(), keep, Extreme::Min, "amin"))?)
    }

    #[pyo3(signature = (*, dim=None, keepdim=false))]
    fn aminmax(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        let t = self.tensor();
        let dims = dim.map(|d| vec![d]);
        let lo = reduce::extreme(&t, dims.as_deref(), keepdim, Extreme::Min, "aminmax")?;
        let hi = reduce::extreme(&t, dims.as_deref(), keepdim, Extreme::Max, "aminmax")?;
        named_pair(py, "aminmax", lo, hi)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn argmax(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dim, t) = (one_dim(dim, axis)?, self.tensor());
        wrap(py, detach_if_large(py, t.numel(), || sort::arg_extreme(&t, dim, keepdims.unwrap_or(keepdim), Extreme::Max))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn argmin(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dim, t) = (one_dim(dim, axis)?, self.tensor());
        wrap(py, detach_if_large(py, t.numel(), || sort::arg_extreme(&t, dim, keepdims.unwrap_or(keepdim), Extreme::Min))?)
    }

    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None, axis=None, keepdims=None))]
    #[allow(clippy::too_many_arguments)]
    fn std(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<bool>, keepdim: bool, correction: Option<f64>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, correction) = moments_args(args::dim_alias(dim, axis), unbiased, correction)?;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || reduce::var(&t, dims.as_deref(), correction, keepdims.unwrap_or(keepdim), true))?)
    }

    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None, axis=None, keepdims=None))]
    #[allow(clippy::too_many_arguments)]
    fn var(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<bool>, keepdim: bool, correction: Option<f64>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, correction) = moments_args(args::dim_alias(dim, axis), unbiased, correction)?;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || reduce::var(&t, dims.as_deref(), correction, keepdims.unwrap_or(keepdim), false))?)
    }

    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm(&self, py: Python<'_>, p: Option<&Bound<'_, PyAny>>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let (ord, dims, dtype, t) = (norm_order(p)?, args::dims(dim)?, args::opt_dtype(dtype)?, self.tensor());
        wrap(py, detach_if_large(py, t.numel(), || reduce::vector_norm(&t, ord, dims.as_deref(), keepdim, dtype))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn all(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || reduce::logical(&t, dims.as_deref(), keep, true))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, axis=None, keepdims=None))]
    fn any(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let (dims, keep) = dims_keep(dim, axis, keepdim, keepdims)?;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || reduce::logical(&t, dims.as_deref(), keep, false))?)
    }

    #[pyo3(signature = (dim=None))]
    fn count_nonzero(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let (dims, t) = (args::dims(dim)?, self.tensor());
        wrap(py, reduce::count_nonzero(&t, dims.as_deref())?)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn logsumexp(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyTensor>> {
        let (dims, t) = (args::dims(dim)?, self.tensor());
        wrap(py, reduce::logsumexp(&t, dims.as_deref(), keepdim)?)
    }

    #[pyo3(signature = (dim=None, *, dtype=None, axis=None))]
    fn cumsum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let (dim, dtype, t) = (required_dim("cumsum", one_dim(dim, axis)?)?, args::opt_dtype(dtype)?, self.tensor());
        wrap(py, scan::cumulative(&t, dim, dtype, false)?)
    }

    #[pyo3(signature = (dim=None, *, dtype=None, axis=None))]
    fn cumprod(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let (dim, dtype, t) = (required_dim("cumprod", one_dim(dim, axis)?)?, args::opt_dtype(dtype)?, self.tensor());
        wrap(py, scan::cumulative(&t, dim, dtype, true)?)
    }

    fn cummax(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        let (v, i) = scan::cumulative_extreme(&self.tensor(), dim, Extreme::Max)?;
        named_pair(py, "cummax", v, i)
    }

    fn cummin(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        let (v, i) = scan::cumulative_extreme(&self.tensor(), dim, Extreme::Min)?;
        named_pair(py, "cummin", v, i)
    }

    #[pyo3(signature = (dim, dtype=None))]
    fn softmax(&self, py: Python<'_>, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let (dtype, t) = (args::opt_dtype(dtype)?, self.tensor());
        wrap(py, detach_if_large(py, t.numel(), || scan::softmax(&t, dim, dtype, false))?)
    }

    #[pyo3(signature = (dim, dtype=None))]
    fn log_softmax(&self, py: Python<'_>, dim: i64, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let (dtype, t) = (args::opt_dtype(dtype)?, self.tensor());
        wrap(py, detach_if_large(py, t.numel(), || scan::softmax(&t, dim, dtype, true))?)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn median(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        median_method(self, py, dim, keepdim, false)
    }

    #[pyo3(signature = (dim=None, keepdim=false))]
    fn nanmedian(&self, py: Python<'_>, dim: Option<i64>, keepdim: bool) -> PyResult<Py<PyAny>> {
        median_method(self, py, dim, keepdim, true)
    }

    #[pyo3(signature = (dim=-1, keepdim=false))]
    fn mode(&self, py: Python<'_>, dim: i64, keepdim: bool) -> PyResult<Py<PyAny>> {
        let (v, i) = sort::mode(&self.tensor(), dim, keepdim)?;
        named_pair(py, "mode", v, i)
    }

    #[pyo3(signature = (k, dim=-1, keepdim=false))]
    fn kthvalue(&self, py: Python<'_>, k: i64, dim: i64, keepdim: bool) -> PyResult<Py<PyAny>> {
        let (v, i) = sort::kthvalue(&self.tensor(), k, dim, keepdim)?;
        named_pair(py, "kthvalue", v, i)
    }

    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn sort(&self, py: Python<'_>, dim: i64, descending: bool, stable: bool) -> PyResult<Py<PyAny>> {
        // Every sort here is stable, which satisfies both settings.
        let _ = stable;
        let t = self.tensor();
        let (v, i) = detach_if_large(py, t.numel(), || sort::sort(&t, dim, descending))?;
        named_pair(py, "sort", v, i)
    }

    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn argsort(&self, py: Python<'_>, dim: i64, descending: bool, stable: bool) -> PyResult<Py<PyTensor>> {
        let _ = stable;
        let t = self.tensor();
        wrap(py, detach_if_large(py, t.numel(), || sort::argsort(&t, dim, descending))?)
    }

    #[pyo3(signature = (k, dim=-1, largest=true, sorted=true))]
    fn topk(&self, py: Python<'_>, k: i64, dim: i64, largest: bool, sorted: bool) -> PyResult<Py<PyAny>> {
        // Results always come sorted, which `sorted=False` permits.
        let _ = sorted;
        let t = self.tensor();
        let (v, i) = detach_if_large(py, t.numel(), || sort::topk(&t, k, dim, largest))?;
        named_pair(py, "topk", v, i)
    }

    #[pyo3(signature = (sorted=true, return_inverse=false, return_counts=false, dim=None))]
    fn unique(&self, py: Python<'_>, sorted: bool, return_inverse: bool, return_counts: bool, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        let _ = sorted;
        if dim.is_some() {
            return Err(Error::NotImplemented("unique(dim=...) is not supported yet".into()).into());
        }
        let (values, inverse, counts) = sort::unique(&self.tensor())?;
        let values = wrap(py, values)?.into_any();
        if !return_inverse && !return_counts {
            return Ok(values);
        }
        let mut items = vec![values];
        if return_inverse {
            items.push(wrap(py, inverse)?.into_any());
        }
        if return_counts {
            items.push(wrap(py, counts)?.into_any());
        }
        Ok(PyTuple::new(py, items)?.into_any().unbind())
    }
}

fn median_method(slf: &PyTensor, py: Python<'_>, dim: Option<i64>, keepdim: bool, ignore_nan: bool) -> PyResult<Py<PyAny>> {
    let t = slf.tensor();
    match dim {
        None => Ok(wrap(py, sort::median_all(&t, ignore_nan)?)?.into_any()),
        Some(d) => {
            let (v, i) = sort::median_dim(&t, d, keepdim, ignore_nan)?;
            named_pair(py, if ignore_nan { "nanmedian" } else { "median" }, v, i)
        }
    }
}

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
