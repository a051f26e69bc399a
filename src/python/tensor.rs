//! The `Tensor` pyclass: attributes, conversions and views. Op families add their methods in
//! their own `#[pymethods]` blocks (math.rs, reduce.rs, …).
use super::args;
use super::autograd::commit;
use super::convert;
use crate::autograd::derivatives;
use super::dtype::{dtype_object, PyDType};
use crate::dtype::{DType, Scalar};
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use std::sync::RwLock;

/// The Python-visible tensor. The lock lets in-place metadata changes (`resize_`, `set_`,
/// `.data = …`) replace the view while other handles keep working.
#[pyclass(name = "Tensor", module = "rustorch", subclass, dict, weakref, frozen)]
pub struct PyTensor {
    inner: RwLock<Tensor>,
}

impl PyTensor {
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor { inner: RwLock::new(t) }
    }
    /// A handle on the current view (cheap: an Arc clone and a small layout copy).
    pub fn tensor(&self) -> Tensor {
        self.inner.read().unwrap().clone()
    }
    pub fn replace(&self, t: Tensor) {
        *self.inner.write().unwrap() = t;
    }
}

/// Wraps a result tensor into a new Python object.
pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Py<PyTensor>> {
    Py::new(py, PyTensor::new(t))
}

static SIZE_CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A `rustorch.Size` (tuple subclass defined in Python) for `shape` and `size()`.
pub fn size_object<'py>(py: Python<'py>, dims: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let tuple = PyTuple::new(py, dims)?;
    match SIZE_CLASS.get(py) {
        Some(cls) => cls.bind(py).call1((tuple,)),
        None => Ok(tuple.into_any()),
    }
}

#[pyfunction]
fn _register_size_class(py: Python<'_>, cls: Bound<'_, PyType>) -> PyResult<()> {
    let _ = SIZE_CLASS.set(py, cls.unbind());
    Ok(())
}

#[pymethods]
impl PyTensor {
    /// The legacy constructor: `Tensor(2, 3)` (uninitialised, default dtype) or `Tensor(data)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        Ok(PyTensor::new(super::creation::legacy_new(crate::default_dtype::get(), args)?))
    }

    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        size_object(py, self.tensor().shape())
    }

    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor();
        match dim {
            Some(d) => Ok(t.dim_size(d)?.into_pyobject(py)?.into_any()),
            None => size_object(py, t.shape()),
        }
    }

    fn dim(&self) -> usize {
        self.tensor().ndim()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.tensor().ndim()
    }
    fn ndimension(&self) -> usize {
        self.tensor().ndim()
    }
    fn numel(&self) -> usize {
        self.tensor().numel()
    }
    fn nelement(&self) -> usize {
        self.tensor().numel()
    }
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_object(py, self.tensor().dtype)
    }
    fn is_floating_point(&self) -> bool {
        self.tensor().dtype.is_float()
    }
    fn is_complex(&self) -> bool {
        self.tensor().dtype.is_complex()
    }
    fn is_signed(&self) -> bool {
        self.tensor().dtype.is_signed()
    }
    #[getter]
    fn is_cuda(&self) -> bool {
        self.tensor().device() == crate::storage::Device::Cuda
    }
    #[getter]
    fn is_cpu(&self) -> bool {
        self.tensor().device() == crate::storage::Device::Cpu
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor();
        match dim {
            Some(d) => {
                let d = crate::layout::wrap_dim(d, t.ndim())?;
                Ok(t.strides()[d].into_pyobject(py)?.into_any())
            }
            None => Ok(PyTuple::new(py, t.strides())?.into_any()),
        }
    }
    fn storage_offset(&self) -> usize {
        self.tensor().layout.offset
    }
    #[pyo3(signature = (memory_format=None))]
    fn is_contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> bool {
        let _ = memory_format;
        self.tensor().is_contiguous()
    }
    fn element_size(&self) -> usize {
        self.tensor().dtype.size()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.tensor().dtype.size()
    }
    #[getter]
    fn nbytes(&self) -> usize {
        let t = self.tensor();
        t.numel() * t.dtype.size()
    }
    fn data_ptr(&self) -> usize {
        self.tensor().data_ptr_raw() as usize
    }
    /// Whether the storage came from `pin_memory()` (`device` names the accelerator; one here).
    #[pyo3(signature = (device=None))]
    fn is_pinned(&self, device: Option<&Bound<'_, PyAny>>) -> bool {
        let _ = device;
        self.tensor().storage.is_pinned()
    }
    /// Marks this tensor's (new, host) storage as pinned: `pin_memory()` calls it on its copy.
    fn _mark_pinned(&self) {
        self.tensor().storage.pin();
    }
    /// Raises PyTorch's RuntimeError when `input` partly overlaps this tensor, the output of an
    /// in-place or out= op computed in Python (`lerp_`, `out=`).
    fn _check_no_partial_overlap(&self, input: PyRef<'_, PyTensor>) -> PyResult<()> {
        Ok(self.tensor().assert_no_partial_overlap(&input.tensor())?)
    }
    /// The storage's in-place modification counter (autograd's `_version`).
    #[getter]
    fn _version(&self) -> u64 {
        self.tensor().storage.version()
    }

    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        convert::item_to_py(py, &self.tensor())
    }
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        convert::tolist(py, &self.tensor())
    }
    fn __len__(&self) -> PyResult<usize> {
        let t = self.tensor();
        if t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(t.shape()[0])
    }
    fn __bool__(&self) -> PyResult<bool> {
        let t = self.tensor();
        if t.numel() != 1 {
            return Err(crate::error::Error::Runtime(format!(
                "Boolean value of Tensor with {} values is ambiguous",
                if t.numel() == 0 { "no".to_string() } else { "more than one".to_string() }
            ))
            .into());
        }
        Ok(t.item()?.to_f64() != 0.0)
    }
    fn __float__(&self) -> PyResult<f64> {
        Ok(single_element(&self.tensor())?.to_f64())
    }
    fn __int__(&self) -> PyResult<i64> {
        Ok(single_element(&self.tensor())?.to_i64())
    }
    fn __index__(&self) -> PyResult<i64> {
        let t = self.tensor();
        if t.dtype.is_float() || t.numel() != 1 {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        Ok(t.item()?.to_i64())
    }

    /// Values for printing: a NumPy array copy (bfloat16 widened to float32).
    fn _print_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.tensor().detach();
        let dtype = if t.dtype == DType::BF16 { DType::F32 } else { t.dtype };
        let t = if dtype != t.dtype || t.device() != crate::storage::Device::Cpu { t.copy_to(crate::storage::Device::Cpu, dtype)? } else { t.contiguous()? };
        let holder = Py::new(py, PyTensor::new(t))?;
        py.import("numpy")?.call_method1("array", (holder,))
    }

    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = self.tensor();
        if t.requires_grad() {
            return Err(crate::error::Error::Runtime("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.".into()).into());
        }
        convert::array_interface(py, &t)
    }

    #[pyo3(signature = (*, memory_format=None))]
    fn clone(&self, py: Python<'_>, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if super::creation::preserves_format(memory_format)? {
            return wrap(py, derivatives::clone_preserving_strides(&t)?);
        }
        wrap(py, derivatives::clone(&t)?)
    }
    #[pyo3(signature = (memory_format=None))]
    fn contiguous(slf: &Bound<'_, Self>, memory_format: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let _ = memory_format;
        let t = slf.get().tensor();
        if t.is_contiguous() {
            return Ok(slf.clone().unbind());
        }
        wrap(slf.py(), derivatives::contiguous(&t)?)
    }

    /// `to(dtype)`, `to(device)`, `to(device, dtype)`, `to(other)`; returns self when nothing changes.
    #[pyo3(signature = (*args, dtype=None, device=None, non_blocking=false, copy=false, memory_format=None))]
    fn to(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        dtype: Option<&Bound<'_, PyAny>>,
        device: Option<&Bound<'_, PyAny>>,
        non_blocking: bool,
        copy: bool,
        memory_format: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyTensor>> {
        let _ = (non_blocking, memory_format);
        let mut target = args::opt_dtype(dtype)?;
        let mut target_device = None;
        let mut devices = Vec::new();
        if let Some(d) = device {
            devices.push(d.clone());
        }
        for a in args.iter() {
            if let Ok(t) = a.cast::<PyTensor>() {
                target = Some(t.get().tensor().dtype);
                target_device = Some(t.get().tensor().device());
            } else if let Ok(d) = args::dtype(&a) {
                target = Some(d);
            } else {
                devices.push(a);
            }
        }
        for d in devices.iter().filter(|d| !d.is_none()) {
            target_device = Some(check_device(d)?);
        }
        let t = slf.get().tensor();
        let dtype = target.unwrap_or(t.dtype);
        let device = target_device.unwrap_or(t.device());
        if device != t.device() {
            return wrap(slf.py(), derivatives::to_device(&t, device, dtype)?);
        }
        if dtype == t.dtype && !copy {
            return Ok(slf.clone().unbind());
        }
        if dtype == t.dtype {
            return wrap(slf.py(), derivatives::clone(&t)?);
        }
        wrap(slf.py(), derivatives::to_dtype(&t, dtype)?)
    }

    /// `type()` names the legacy tensor type; `type(dtype or type)` converts.
    #[pyo3(signature = (dtype=None, non_blocking=false))]
    fn r#type(slf: &Bound<'_, Self>, dtype: Option<&Bound<'_, PyAny>>, non_blocking: bool) -> PyResult<Py<PyAny>> {
        let _ = non_blocking;
        let py = slf.py();
        let t = slf.get().tensor();
        let Some(target) = dtype.filter(|d| !d.is_none()) else {
            return Ok(format!("torch.{}", t.dtype.legacy_type_name()).into_pyobject(py)?.into_any().unbind());
        };
        let dt = match args::dtype(target) {
            Ok(d) => d,
            Err(_) => {
                let name: String = if let Ok(s) = target.extract::<String>() { s } else { target.getattr("__name__")?.extract()? };
                let short = name.rsplit('.').next().unwrap_or(&name).to_string();
                crate::dtype::ALL_DTYPES
                    .iter()
                    .copied()
                    .find(|d| d.legacy_type_name() == short)
                    .ok_or_else(|| PyValueError::new_err(format!("invalid type: '{}'", name)))?
            }
        };
        if dt == t.dtype {
            return Ok(slf.clone().into_any().unbind());
        }
        Ok(wrap(py, derivatives::to_dtype(&t, dt)?)?.into_any())
    }

    fn float(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::F32)
    }
    fn double(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::F64)
    }
    fn half(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::F16)
    }
    fn bfloat16(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::BF16)
    }
    fn long(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::I64)
    }
    fn int(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::I32)
    }
    fn short(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::I16)
    }
    fn char(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::I8)
    }
    fn byte(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::U8)
    }
    fn bool(slf: &Bound<'_, Self>) -> PyResult<Py<PyTensor>> {
        cast(slf, DType::Bool)
    }

    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(slf: &Bound<'py, Self>, src: &Bound<'py, PyAny>, non_blocking: bool) -> PyResult<Bound<'py, Self>> {
        let _ = non_blocking;
        let src = match src.cast::<PyTensor>() {
            Ok(t) => t.get().tensor(),
            Err(_) => convert::tensor_from_data(src, None)?,
        };
        let mut t = slf.get().tensor();
        derivatives::copy_(&mut t, &src)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn fill_<'py>(slf: &Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = match args::scalar(value) {
            Some(s) => s,
            None => value.cast::<PyTensor>()?.get().tensor().item()?,
        };
        let mut t = slf.get().tensor();
        derivatives::fill_(&mut t, v)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn zero_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        derivatives::zero_(&mut t)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }

    #[pyo3(signature = (*shape, dtype=None))]
    fn view(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        if let Some(d) = dtype {
            if !shape.is_empty() {
                return Err(PyTypeError::new_err("view() takes either a shape or dtype=, not both"));
            }
            return wrap(py, view_as_dtype(&self.tensor(), args::dtype(d)?)?);
        }
        if shape.len() == 1 {
            if let Ok(d) = args::dtype(&shape.get_item(0)?) {
                return wrap(py, view_as_dtype(&self.tensor(), d)?);
            }
        }
        wrap(py, derivatives::shape::view(&self.tensor(), &args::shape_args(shape)?)?)
    }
    #[pyo3(signature = (*shape))]
    fn reshape(&self, py: Python<'_>, shape: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, derivatives::shape::reshape(&self.tensor(), &args::shape_args(shape)?)?)
    }
    fn view_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let shape: Vec<i64> = other.tensor().shape().iter().map(|&d| d as i64).collect();
        wrap(py, derivatives::shape::view(&self.tensor(), &shape)?)
    }
    fn reshape_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let shape: Vec<i64> = other.tensor().shape().iter().map(|&d| d as i64).collect();
        wrap(py, derivatives::shape::reshape(&self.tensor(), &shape)?)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        slf.py().import("rustorch._tensor_str")?.call_method1("tensor_repr", (slf,))?.extract()
    }
    fn __format__(slf: &Bound<'_, Self>, spec: &str) -> PyResult<String> {
        slf.py().import("rustorch._tensor_str")?.call_method1("tensor_format", (slf, spec))?.extract()
    }
}

/// The value of a one-element tensor for `float()` / `int()` (ValueError otherwise, as in PyTorch).
fn single_element(t: &Tensor) -> PyResult<Scalar> {
    if t.numel() != 1 {
        return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
    }
    Ok(t.item()?)
}

fn cast(slf: &Bound<'_, PyTensor>, dtype: DType) -> PyResult<Py<PyTensor>> {
    let t = slf.get().tensor();
    if t.dtype == dtype {
        return Ok(slf.clone().unbind());
    }
    wrap(slf.py(), derivatives::to_dtype(&t, dtype)?)
}

/// Accepts CPU devices ("cpu", `device('cpu')`); the GPU backend will extend this.
pub fn check_device(d: &Bound<'_, PyAny>) -> PyResult<crate::storage::Device> {
    super::device::parse_device(d)
}

#[pyfunction]
fn from_numpy(py: Python<'_>, ndarray: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
    if !convert::is_ndarray(ndarray) {
        return Err(PyTypeError::new_err(format!("expected np.ndarray (got {})", convert::qualified_type_name(ndarray))));
    }
    wrap(py, convert::from_numpy(ndarray, true)?)
}

#[pyfunction]
fn get_default_dtype(py: Python<'_>) -> Py<PyDType> {
    dtype_object(py, crate::default_dtype::get())
}

#[pyfunction]
fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = args::dtype(d)?;
    if !d.is_float() {
        return Err(PyTypeError::new_err("only floating-point types are supported as the default type"));
    }
    crate::default_dtype::set(d);
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTensor>()?;
    m.add_function(wrap_pyfunction!(_register_size_class, m)?)?;
    m.add_function(wrap_pyfunction!(from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(get_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(set_default_dtype, m)?)?;
    Ok(())
}

/// `view(dtype)`: the same bytes read as another dtype. With a different element size the last
/// dim (stride 1) shrinks or grows by the size ratio, as in PyTorch's `view_dtype`.
fn view_as_dtype(t: &Tensor, d: DType) -> PyResult<Tensor> {
    let (old, new) = (t.dtype.size(), d.size());
    if old == new {
        return Ok(Tensor::from_storage(t.storage.clone(), t.layout.clone(), d));
    }
    let names = format!("{} as {} (different element sizes)", dtype_name(t.dtype), dtype_name(d));
    let err = |what: String| Err(PyRuntimeError::new_err(format!("{} to view {}", what, names)));
    if t.ndim() == 0 {
        return err("self.dim() cannot be 0".into());
    }
    let last = t.ndim() - 1;
    if t.strides()[last] != 1 {
        return err(format!("self.stride(-1) must be 1, but got {}", t.strides()[last]));
    }
    let mut layout = t.layout.clone();
    if new > old {
        let ratio = new / old;
        if t.shape()[last] % ratio != 0 {
            return err(format!("self.size(-1) must be divisible by {}, but got {}", ratio, t.shape()[last]));
        }
        if layout.offset % ratio != 0 {
            return err(format!("self.storage_offset() must be divisible by {}, but got {}", ratio, layout.offset));
        }
        for i in 0..last {
            if layout.strides[i] % ratio as isize != 0 {
                return err(format!("self.stride({}) must be divisible by {}, but got {}", i, ratio, layout.strides[i]));
            }
            layout.strides[i] /= ratio as isize;
        }
        layout.shape[last] /= ratio;
        layout.offset /= ratio;
    } else {
        let ratio = old / new;
        for i in 0..last {
            layout.strides[i] *= ratio as isize;
        }
        layout.shape[last] *= ratio;
        layout.offset *= ratio;
    }
    Ok(Tensor::from_storage(t.storage.clone(), layout, d))
}

fn dtype_name(d: DType) -> String {
    Python::attach(|py| dtype_object(py, d).bind(py).to_string())
}
