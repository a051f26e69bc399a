//! Tensor factories: `tensor`, `as_tensor`, `zeros`/`ones`/`full`/`empty`, ranges, `eye`, the
//! `*_like` functions, the legacy constructors, and the `Tensor.new_*` methods.
use super::args;
use super::autograd::factory_output;
use super::convert;
use super::tensor::{wrap, PyTensor};
use crate::dtype::{DType, Scalar};
use crate::ops::creation as ops;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyTuple};

/// The dtype a factory makes: `dtype=`, else the dtype of `out=`, else `default`.
pub(super) fn factory_dtype(dtype: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, default: DType) -> PyResult<DType> {
    if let Some(d) = args::opt_dtype(dtype)? {
        return Ok(d);
    }
    match out.filter(|o| !o.is_none()) {
        Some(o) => Ok(o.cast::<PyTensor>()?.get().tensor().dtype),
        None => Ok(default),
    }
}

/// A factory's result: written into `out=` when given (resized like PyTorch's out arguments),
/// else a new tensor, which requires grad when asked.
pub(super) fn finish(py: Python<'_>, t: Tensor, out: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    if let Some(out) = out.filter(|o| !o.is_none()) {
        let target = out.cast::<PyTensor>()?;
        let current = target.get().tensor();
        if current.shape() == t.shape() {
            current.copy_(&t)?;
        } else {
            target.get().replace(t.to_dtype(current.dtype)?);
        }
        return Ok(target.clone().unbind());
    }
    factory_output(py, t, requires_grad)
}

/// An endpoint of `linspace`/`logspace`: PyTorch converts it to an integer dtype checked when
/// it is `used` (the end only with 2+ steps), so -0.5 does not fit uint8 while -3 wraps.
fn endpoint(fname: &str, obj: &Bound<'_, PyAny>, dtype: DType, used: bool) -> PyResult<f64> {
    let v = number(fname, obj)?;
    if used && !dtype.is_float() {
        v.check_fits(dtype, false)?;
    }
    Ok(v.to_f64())
}

/// A number argument: a Python number or a one-element tensor.
pub(super) fn number(fname: &str, obj: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Some(s) = args::scalar(obj) {
        return Ok(s);
    }
    if let Ok(u) = obj.extract::<u64>() {
        // Past int64 but within PyTorch's uint64 Scalar: written checked, as for a double.
        return Ok(Scalar::Float(u as f64));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.get().tensor().item()?);
    }
    Err(PyTypeError::new_err(format!("{}(): argument must be a number, not {}", fname, obj.get_type().name()?)))
}

/// A shape given as varargs, one sequence, or the `size=` keyword.
pub(super) fn size_arg(fname: &str, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<usize>> {
    match size {
        Some(s) if dims.is_empty() => args::sizes(&PyTuple::new(dims.py(), [s])?),
        _ if dims.is_empty() => Err(PyTypeError::new_err(format!("{}() missing 1 required positional arguments: \"size\"", fname))),
        _ => args::sizes(dims),
    }
}

/// `memory_format=` of the `*_like` functions: only `torch.preserve_format` (the default)
/// keeps the input's strides.
pub(super) fn preserves_format(memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    match memory_format {
        Some(m) if !m.is_none() => Ok(m.str()?.to_str()? == "torch.preserve_format"),
        _ => Ok(true),
    }
}

fn warn_copy_construct(py: Python<'_>, call: &str) -> PyResult<()> {
    let msg = format!(
        "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), rather than {}.",
        call
    );
    PyErr::warn(py, &py.get_type::<PyUserWarning>(), &std::ffi::CString::new(msg)?, 1)
}

#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
fn tensor(py: Python<'_>, data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = pin_memory;
    // A tensor's copy stays on its device unless `device=` says otherwise, as in PyTorch.
    let source_device = data.cast::<PyTensor>().ok().map(|t| t.get().tensor().device());
    let _on = super::device::factory_scope(device, source_device)?;
    if source_device.is_some() {
        warn_copy_construct(py, "torch.tensor(sourceTensor)")?;
    }
    finish(py, convert::tensor_from_data(data, args::opt_dtype(dtype)?)?, None, requires_grad)
}

/// `as_tensor`: no copy when `data` already is a tensor (or NumPy array) of the dtype.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
fn as_tensor(py: Python<'_>, data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let dtype = args::opt_dtype(dtype)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let inner = t.get().tensor();
        let target = device.filter(|d| !d.is_none()).map(super::device::parse_device).transpose()?.unwrap_or(inner.device());
        return match dtype {
            _ if target != inner.device() => wrap(py, crate::autograd::derivatives::to_device(&inner, target, dtype.unwrap_or(inner.dtype))?),
            Some(d) if d != inner.dtype => wrap(py, crate::autograd::derivatives::to_dtype(&inner, d)?),
            _ => Ok(t.clone().unbind()),
        };
    }
    let _on = check_opt_device(device)?;
    if convert::is_array(data) {
        let shared = convert::from_numpy(data, true)?;
        let converted = match dtype {
            Some(d) if d != shared.dtype => shared.copy_to_new(d)?,
            _ => shared,
        };
        return factory_output(py, converted, false);
    }
    factory_output(py, convert::tensor_from_data(data, dtype)?, false)
}

/// The allocation scope of a factory function: `device=`, else the default device.
fn check_opt_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<crate::backend::DeviceScope> {
    super::device::factory_scope(device, None)
}

/// Shared by `zeros`, `ones` and `empty`: the fill value (None leaves memory as is).
#[allow(clippy::too_many_arguments)]
fn filled(py: Python<'_>, fname: &str, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, value: Option<Scalar>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    let _on = check_opt_device(device)?;
    let dims = size_arg(fname, dims, size)?;
    let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
    let t = match value {
        None => Tensor::empty(&dims, dtype)?,
        Some(Scalar::Int(0)) => Tensor::zeros(&dims, dtype)?,
        Some(v) => Tensor::full(&dims, v, dtype)?,
    };
    finish(py, t, out, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*dims, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn zeros(py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    filled(py, "zeros", dims, size, Some(Scalar::Int(0)), out, dtype, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*dims, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn ones(py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    filled(py, "ones", dims, size, Some(Scalar::Int(1)), out, dtype, device, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (*dims, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, memory_format=None))]
#[allow(clippy::too_many_arguments)]
fn empty(py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory, memory_format);
    filled(py, "empty", dims, size, None, out, dtype, device, requires_grad)
}

/// A fill value: a Python number or a one-element tensor.
fn fill_value(obj: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Ok(c) = obj.cast::<pyo3::types::PyComplex>() {
        return Ok(Scalar::Complex(c.real(), c.imag()));
    }
    number("full", obj)
}

/// `full(size, fill_value)`: the dtype follows the fill value (bool, int64, default float).
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn full(py: Python<'_>, size: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let value = self::fill_value(fill_value)?;
    let dims = args::sizes(&PyTuple::new(py, [size])?)?;
    let dtype = factory_dtype(dtype, out, value.natural_dtype(crate::default_dtype::get()))?;
    finish(py, Tensor::full(&dims, value, dtype)?, out, requires_grad)
}

/// `arange(end)`, `arange(start, end, step=1)`: int64 when every bound is an integer.
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn arange(py: Python<'_>, start: &Bound<'_, PyAny>, end: Option<&Bound<'_, PyAny>>, step: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let (s, e) = match end {
        Some(e) if !e.is_none() => (number("arange", start)?, number("arange", e)?),
        _ => (Scalar::Int(0), number("arange", start)?),
    };
    let st = step.filter(|s| !s.is_none()).map_or(Ok(Scalar::Int(1)), |s| number("arange", s))?;
    let all_int = [s, e, st].iter().all(|v| !matches!(v, Scalar::Float(_)));
    let dtype = factory_dtype(dtype, out, if all_int { DType::I64 } else { crate::default_dtype::get() })?;
    finish(py, ops::arange(s, e, st, dtype)?, out, requires_grad)
}

/// The deprecated `torch.range(start, end, step=1)`: the end is included and the dtype is
/// the default float dtype.
#[pyfunction]
#[pyo3(signature = (start, end, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn range(py: Python<'_>, start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, step: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    PyErr::warn(
        py,
        &py.get_type::<PyUserWarning>(),
        c"torch.range is deprecated and will be removed in a future release because its behavior is inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).",
        1,
    )?;
    let _on = check_opt_device(device)?;
    let st = step.filter(|s| !s.is_none()).map_or(Ok(Scalar::Int(1)), |s| number("range", s))?;
    let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
    finish(py, ops::range(number("range", start)?, number("range", end)?, st, dtype)?, out, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn linspace(py: Python<'_>, start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, steps: i64, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
    let t = ops::linspace(endpoint("linspace", start, dtype, steps > 0)?, endpoint("linspace", end, dtype, steps > 1)?, steps, dtype)?;
    finish(py, t, out, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn logspace(py: Python<'_>, start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, steps: i64, base: f64, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
    let t = ops::logspace(endpoint("logspace", start, dtype, steps > 0)?, endpoint("logspace", end, dtype, steps > 1)?, steps, base, dtype)?;
    finish(py, t, out, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn eye(py: Python<'_>, n: i64, m: Option<i64>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    let _on = check_opt_device(device)?;
    let dtype = factory_dtype(dtype, out, crate::default_dtype::get())?;
    finish(py, ops::eye(n, m.unwrap_or(n), dtype)?, out, requires_grad)
}

/// Shared by the deterministic `*_like` functions.
fn like(py: Python<'_>, input: &Bound<'_, PyTensor>, value: Option<Scalar>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let t = input.get().tensor();
    let _on = super::device::factory_scope(device, Some(t.device()))?;
    let dtype = args::opt_dtype(dtype)?.unwrap_or(t.dtype);
    let preserve = preserves_format(memory_format)?;
    let out = match value {
        Some(v) => ops::full_like(&t, v, dtype, preserve)?,
        None => ops::empty_like(&t, dtype, preserve)?,
    };
    finish(py, out, None, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn zeros_like(py: Python<'_>, input: &Bound<'_, PyTensor>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    like(py, input, Some(Scalar::Int(0)), dtype, device, requires_grad, memory_format)
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn ones_like(py: Python<'_>, input: &Bound<'_, PyTensor>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    like(py, input, Some(Scalar::Int(1)), dtype, device, requires_grad, memory_format)
}

#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn empty_like(py: Python<'_>, input: &Bound<'_, PyTensor>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    like(py, input, None, dtype, device, requires_grad, memory_format)
}

#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None, pin_memory=false))]
#[allow(clippy::too_many_arguments)]
fn full_like(py: Python<'_>, input: &Bound<'_, PyTensor>, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
    let _ = (layout, pin_memory);
    like(py, input, Some(self::fill_value(fill_value)?), dtype, device, requires_grad, memory_format)
}

/// The legacy constructors (`torch.Tensor(...)`, `torch.IntTensor(...)`, `x.new(...)`):
/// no arguments → an empty 1-D tensor; sizes (ints or a `torch.Size`) → uninitialised; a
/// tensor of the same dtype → an alias; other data → a copy converted to `dtype`.
pub fn legacy_new(dtype: DType, args: &Bound<'_, PyTuple>) -> PyResult<Tensor> {
    if args.is_empty() {
        return Ok(Tensor::empty(&[0], dtype)?);
    }
    let first = args.get_item(0)?;
    if args.len() == 1 && !first.is_instance_of::<PyInt>() {
        let is_size = first.get_type().name()?.to_str()? == "Size";
        if !is_size {
            if let Ok(t) = first.cast::<PyTensor>() {
                let t = t.get().tensor();
                if t.dtype != dtype {
                    return Err(PyTypeError::new_err(format!(
                        "expected torch.{} (got torch.{})",
                        dtype.legacy_type_name(),
                        t.dtype.legacy_type_name()
                    )));
                }
                return Ok(t.detach());
            }
            return convert::tensor_from_data(&first, Some(dtype));
        }
    }
    Ok(Tensor::empty(&args::sizes(args)?, dtype)?)
}

#[pyfunction]
#[pyo3(signature = (dtype, *args, device=None))]
fn _legacy_new(py: Python<'_>, dtype: &Bound<'_, PyAny>, args: &Bound<'_, PyTuple>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let _on = check_opt_device(device)?;
    wrap(py, legacy_new(args::dtype(dtype)?, args)?)
}

/// `Tensor.new_*`: the dtype follows `self` unless given.
#[pymethods]
impl PyTensor {
    #[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_tensor(&self, py: Python<'_>, data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, layout: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
        let _ = (layout, pin_memory);
        let _on = super::device::factory_scope(device, Some(self.tensor().device()))?;
        if data.is_instance_of::<PyTensor>() {
            warn_copy_construct(py, "tensor.new_tensor(sourceTensor)")?;
        }
        let dtype = args::opt_dtype(dtype)?.unwrap_or(self.tensor().dtype);
        finish(py, convert::tensor_from_data(data, Some(dtype))?, None, requires_grad)
    }

    #[pyo3(signature = (*dims, size=None, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_zeros(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, layout: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
        let _ = (layout, pin_memory);
        self.new_filled(py, "new_zeros", dims, size, Some(Scalar::Int(0)), dtype, device, requires_grad)
    }

    #[pyo3(signature = (*dims, size=None, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_ones(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, layout: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
        let _ = (layout, pin_memory);
        self.new_filled(py, "new_ones", dims, size, Some(Scalar::Int(1)), dtype, device, requires_grad)
    }

    #[pyo3(signature = (*dims, size=None, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_empty(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, layout: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
        let _ = (layout, pin_memory);
        self.new_filled(py, "new_empty", dims, size, None, dtype, device, requires_grad)
    }

    #[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false, layout=None, pin_memory=false))]
    #[allow(clippy::too_many_arguments)]
    fn new_full(&self, py: Python<'_>, size: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, layout: Option<&Bound<'_, PyAny>>, pin_memory: bool) -> PyResult<Py<PyTensor>> {
        let _ = (layout, pin_memory);
        let value = self::fill_value(fill_value)?;
        self.new_filled(py, "new_full", &PyTuple::new(py, [size])?, None, Some(value), dtype, device, requires_grad)
    }

    /// The legacy `x.new(...)`: like `torch.Tensor(...)` with x's dtype.
    #[pyo3(name = "new", signature = (*args, device=None))]
    fn legacy_new_method(&self, py: Python<'_>, args: &Bound<'_, PyTuple>, device: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let _on = super::device::factory_scope(device, Some(self.tensor().device()))?;
        wrap(py, legacy_new(self.tensor().dtype, args)?)
    }
}

impl PyTensor {
    #[allow(clippy::too_many_arguments)]
    fn new_filled(&self, py: Python<'_>, fname: &str, dims: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, value: Option<Scalar>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyResult<Py<PyTensor>> {
        let _on = super::device::factory_scope(device, Some(self.tensor().device()))?;
        let dims = size_arg(fname, dims, size)?;
        let dtype = args::opt_dtype(dtype)?.unwrap_or(self.tensor().dtype);
        let t = match value {
            None => Tensor::empty(&dims, dtype)?,
            Some(v) => Tensor::full(&dims, v, dtype)?,
        };
        finish(py, t, None, requires_grad)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tensor, m)?)?;
    m.add_function(wrap_pyfunction!(as_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(zeros, m)?)?;
    m.add_function(wrap_pyfunction!(ones, m)?)?;
    m.add_function(wrap_pyfunction!(empty, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(range, m)?)?;
    m.add_function(wrap_pyfunction!(linspace, m)?)?;
    m.add_function(wrap_pyfunction!(logspace, m)?)?;
    m.add_function(wrap_pyfunction!(eye, m)?)?;
    m.add_function(wrap_pyfunction!(zeros_like, m)?)?;
    m.add_function(wrap_pyfunction!(ones_like, m)?)?;
    m.add_function(wrap_pyfunction!(empty_like, m)?)?;
    m.add_function(wrap_pyfunction!(full_like, m)?)?;
    m.add_function(wrap_pyfunction!(_legacy_new, m)?)?;
    Ok(())
}
