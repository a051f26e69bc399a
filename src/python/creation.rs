//! Tensor factories: `tensor`, `zeros`, `ones`, `full`, `empty`, `arange`.
use super::args;
use super::autograd::factory_output;
use super::convert;
use super::tensor::{check_device, PyTensor};
use crate::dtype::{DType, Element, Scalar};
use crate::error::Error;
use crate::tensor::Tensor;
use crate::with_dtype;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyTensor>> {
    let _ = pin_memory;
    if let Some(d) = device {
        check_device(d)?;
    }
    factory_output(py, convert::tensor_from_data(data, args::opt_dtype(dtype)?)?, requires_grad)
}

/// Shared by `zeros`, `ones`, `full` and `empty`: the fill value (None leaves memory as is).
fn filled(
    py: Python<'_>,
    shape: &Bound<'_, PyTuple>,
    value: Option<Scalar>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    if let Some(d) = device {
        check_device(d)?;
    }
    let dims = args::sizes(shape)?;
    let dtype = args::opt_dtype(dtype)?.unwrap_or_else(|| match value {
        Some(Scalar::Bool(_)) => DType::Bool,
        Some(Scalar::Int(_)) if shape.is_empty() => DType::I64,
        _ => crate::default_dtype::get(),
    });
    let t = match value {
        None => Tensor::empty(&dims, dtype)?,
        Some(Scalar::Int(0)) => Tensor::zeros(&dims, dtype)?,
        Some(v) => Tensor::full(&dims, v, dtype)?,
    };
    factory_output(py, t, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
fn zeros(py: Python<'_>, size: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    let _ = (out, layout);
    filled(py, size, Some(Scalar::Int(0)), dtype, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
fn ones(py: Python<'_>, size: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    let _ = (out, layout);
    filled(py, size, Some(Scalar::Int(1)), dtype, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
fn empty(py: Python<'_>, size: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let _ = (out, layout, pin_memory, memory_format);
    filled(py, size, None, dtype, device, requires_grad)
}

/// `full(size, fill_value)`: the dtype follows the fill value (bool, int64, default float).
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
fn full(py: Python<'_>, size: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    let _ = (out, layout);
    let value = match args::scalar(fill_value) {
        Some(v) => v,
        None => fill_value.cast::<PyTensor>()?.get().tensor().item()?,
    };
    let dims = args::sizes(&PyTuple::new(py, [size])?)?;
    let dtype = args::opt_dtype(dtype)?.unwrap_or(value.natural_dtype(crate::default_dtype::get()));
    if let Some(d) = device {
        check_device(d)?;
    }
    factory_output(py, Tensor::full(&dims, value, dtype)?, requires_grad)
}

fn arange_values<T: Element>(start: f64, step: f64, n: usize, exact_ints: Option<(i64, i64)>) -> Vec<T> {
    match exact_ints {
        Some((s, st)) => (0..n as i64).map(|i| T::from_i64(s + i * st)).collect(),
        None => (0..n).map(|i| T::from_f64(start + i as f64 * step)).collect(),
    }
}

/// `arange(end)`, `arange(start, end, step=1)`: int64 when every bound is an integer.
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
fn arange(py: Python<'_>, start: &Bound<'_, PyAny>, end: Option<&Bound<'_, PyAny>>, step: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    let _ = (out, layout);
    if let Some(d) = device {
        check_device(d)?;
    }
    let num = |o: &Bound<'_, PyAny>| -> PyResult<Scalar> {
        args::scalar(o).or_else(|| o.cast::<PyTensor>().ok().and_then(|t| t.get().tensor().item().ok())).ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err(format!("arange(): argument must be a number, not {}", o.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
        })
    };
    let (s, e) = match end {
        Some(e) if !e.is_none() => (num(start)?, num(e)?),
        _ => (Scalar::Int(0), num(start)?),
    };
    let st = match step {
        Some(s) => num(s)?,
        None => Scalar::Int(1),
    };
    let all_int = [s, e, st].iter().all(|v| !matches!(v, Scalar::Float(_)));
    let dtype = args::opt_dtype(dtype)?.unwrap_or(if all_int { DType::I64 } else { crate::default_dtype::get() });
    let (fs, fe, fst) = (s.to_f64(), e.to_f64(), st.to_f64());
    if fst == 0.0 {
        return Err(Error::Runtime("step must be nonzero".into()).into());
    }
    if (fst > 0.0 && fe < fs) || (fst < 0.0 && fe > fs) {
        return Err(Error::Runtime("upper bound and larger bound inconsistent with step sign".into()).into());
    }
    let n = ((fe - fs) / fst).ceil().max(0.0) as usize;
    let exact = all_int.then(|| (s.to_i64(), st.to_i64()));
    let t = with_dtype!(dtype, T => Tensor::from_vec(arange_values::<T>(fs, fst, n, exact), &[n])?);
    factory_output(py, t, requires_grad)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tensor, m)?)?;
    m.add_function(wrap_pyfunction!(zeros, m)?)?;
    m.add_function(wrap_pyfunction!(ones, m)?)?;
    m.add_function(wrap_pyfunction!(empty, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    Ok(())
}
