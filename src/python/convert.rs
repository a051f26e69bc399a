//! Conversions between Python data and tensors: nested sequences, NumPy arrays (through the
//! array interface, so no NumPy C API is needed) and `tolist`.
use super::args::scalar;
use super::tensor::PyTensor;
use crate::dtype::{Category, DType, Element, Scalar};
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyComplex, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn numpy_typestr(dtype: DType) -> Option<&'static str> {
    Some(match dtype {
        DType::Bool => "|b1",
        DType::U8 => "|u1",
        DType::I8 => "|i1",
        DType::I16 => "<i2",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F16 => "<f2",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::U16 => "<u2",
        DType::U32 => "<u4",
        DType::U64 => "<u8",
        DType::Complex64 => "<c8",
        DType::Complex128 => "<c16",
        DType::BF16 => return None,
    })
}

/// The dtype of a NumPy type string (`<f4`); `owner` (an array or NumPy scalar) names its
/// type in the error for unsupported types.
fn dtype_from_typestr(typestr: &str, owner: &Bound<'_, PyAny>) -> PyResult<DType> {
    let dt = match typestr.get(1..).unwrap_or("") {
        "b1" => Some(DType::Bool),
        "u1" => Some(DType::U8),
        "i1" => Some(DType::I8),
        "i2" => Some(DType::I16),
        "i4" => Some(DType::I32),
        "i8" => Some(DType::I64),
        "f2" => Some(DType::F16),
        "f4" => Some(DType::F32),
        "f8" => Some(DType::F64),
        "u2" => Some(DType::U16),
        "u4" => Some(DType::U32),
        "u8" => Some(DType::U64),
        "c8" => Some(DType::Complex64),
        "c16" => Some(DType::Complex128),
        _ => None,
    };
    let Some(dt) = dt else {
        let np_name: String = owner.getattr("dtype").and_then(|d| d.getattr("type")).and_then(|t| t.getattr("__name__")).and_then(|n| n.extract()).unwrap_or_else(|_| typestr.to_string());
        return Err(PyTypeError::new_err(format!(
            "can't convert np.ndarray of type numpy.{}. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.",
            np_name
        )));
    };
    let native = if cfg!(target_endian = "little") { "|<=" } else { "|>=" };
    if !typestr.starts_with(|c| native.contains(c)) {
        return Err(PyValueError::new_err(
            "given numpy array has byte order different from the native byte order. Conversion between byte orders is currently not supported.",
        ));
    }
    Ok(dt)
}

/// Whether `obj` is a NumPy array or scalar (or anything exposing the array interface).
pub fn is_array(obj: &Bound<'_, PyAny>) -> bool {
    !obj.is_instance_of::<PyTensor>() && obj.hasattr("__array_interface__").unwrap_or(false)
}

/// `numpy.generic`, the base of NumPy's scalar types (None when NumPy is not installed).
fn numpy_generic(py: Python<'_>) -> Option<&Bound<'_, PyType>> {
    static GENERIC: PyOnceLock<Option<Py<PyType>>> = PyOnceLock::new();
    GENERIC
        .get_or_init(py, || py.import("numpy").and_then(|np| np.getattr("generic")).and_then(|g| Ok(g.cast_into::<PyType>()?.unbind())).ok())
        .as_ref()
        .map(|g| g.bind(py))
}

/// The dtype of a NumPy scalar type, or None for other objects.
fn numpy_scalar_dtype(obj: &Bound<'_, PyAny>) -> PyResult<Option<DType>> {
    let Some(generic) = numpy_generic(obj.py()) else { return Ok(None) };
    if !obj.is_instance(generic)? {
        return Ok(None);
    }
    let typestr: String = obj.getattr("dtype")?.getattr("str")?.extract()?;
    dtype_from_typestr(&typestr, obj).map(Some)
}

/// A NumPy scalar's value as a `Scalar` of its dtype's kind.
fn numpy_scalar_value(obj: &Bound<'_, PyAny>, dtype: DType) -> PyResult<Scalar> {
    Ok(match dtype.category() {
        Category::Bool => Scalar::Bool(obj.is_truthy()?),
        // uint64 values beyond int64 keep their bits, which the cast to uint64 restores.
        Category::Integer if dtype == DType::U64 => Scalar::Int(obj.extract::<u64>()? as i64),
        Category::Integer => Scalar::Int(obj.extract::<i64>()?),
        Category::Floating => Scalar::Float(obj.extract::<f64>()?),
        Category::Complex => Scalar::Complex(obj.getattr("real")?.extract()?, obj.getattr("imag")?.extract()?),
    })
}

/// Whether `obj` is a `numpy.ndarray` (what `from_numpy` accepts).
pub fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    let py = obj.py();
    py.import("numpy").and_then(|np| np.getattr("ndarray")).and_then(|cls| obj.is_instance(&cls)).unwrap_or(false)
}

/// PyTorch warns once per process when a tensor aliases a read-only array.
fn warn_not_writable(py: Python<'_>) -> PyResult<()> {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if WARNED.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    PyErr::warn(
        py,
        &py.get_type::<PyUserWarning>(),
        c"The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This means writing to this tensor will result in undefined behavior. You may want to copy the array to protect its data or make it writable before converting it to a tensor. This type of warning will be suppressed for the rest of this program.",
        1,
    )
}

/// A tensor sharing the memory of a NumPy array or scalar; it keeps the array alive. With
/// `warn_read_only`, aliasing a read-only array warns as in PyTorch (`from_numpy`, `as_tensor`).
pub fn from_numpy(arr: &Bound<'_, PyAny>, warn_read_only: bool) -> PyResult<Tensor> {
    let iface = arr.getattr("__array_interface__")?;
    let iface = iface.cast::<PyDict>()?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        iface.get_item(k)?.ok_or_else(|| PyValueError::new_err(format!("array interface lacks '{}'", k)))
    };
    let typestr: String = get("typestr")?.extract()?;
    let dtype = dtype_from_typestr(&typestr, arr)?;
    if dtype == DType::U64 && numpy_generic(arr.py()).map(|g| arr.is_instance(g)).transpose()?.unwrap_or(false) {
        // PyTorch reads a NumPy uint64 scalar as a Python number, which it refuses.
        return Err(PyTypeError::new_err("an integer is required"));
    }
    let (addr, readonly): (usize, bool) = get("data")?.extract()?;
    let shape: Vec<usize> = get("shape")?.extract()?;
    let item = dtype.size() as isize;
    // An ndarray's own `strides` are exact where the interface says None (C-contiguous),
    // e.g. for size-1 dims; PyTorch copies them as they are.
    let byte_strides = match arr.getattr("strides") {
        Ok(s) if !s.is_none() => Some(s),
        _ => iface.get_item("strides")?.filter(|s| !s.is_none()),
    };
    let strides: Vec<isize> = match byte_strides {
        Some(s) => {
            let bytes: Vec<isize> = s.extract()?;
            if bytes.iter().any(|&b| b % item != 0) {
                return Err(PyValueError::new_err("given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory."));
            }
            if bytes.iter().any(|&b| b < 0) {
                return Err(PyValueError::new_err(
                    "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array  with array.copy().) ",
                ));
            }
            bytes.iter().map(|b| b / item).collect()
        }
        None => crate::layout::contiguous_strides(&shape).to_vec(),
    };
    if readonly && warn_read_only {
        warn_not_writable(arr.py())?;
    }
    let span = if shape.iter().any(|&d| d == 0) {
        0
    } else {
        shape.iter().zip(&strides).map(|(&d, &s)| (d as isize - 1) * s).sum::<isize>() as usize + 1
    };
    // The interface dict is kept too: for NumPy scalars it holds the temporary array whose
    // memory `data` points into.
    let owner: (Py<PyAny>, Py<PyAny>) = (arr.clone().unbind(), iface.clone().into_any().unbind());
    // SAFETY: the array's buffer spans `span` elements from `addr` and lives while `owner` does.
    let storage = unsafe { Storage::from_foreign(addr as *mut u8, span * dtype.size(), Box::new(owner)) };
    let layout = Layout { shape: shape.into(), strides: strides.into(), offset: 0 };
    Ok(Tensor::from_storage(Arc::new(storage), layout, dtype))
}

/// The `__array_interface__` dict describing a tensor's memory, for zero-copy NumPy views.
pub fn array_interface<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyDict>> {
    if t.device() != crate::storage::Device::Cpu {
        return Err(PyTypeError::new_err(format!(
            "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            t.device().label()
        )));
    }
    let typestr = numpy_typestr(t.dtype).ok_or_else(|| PyTypeError::new_err("Got unsupported ScalarType BFloat16"))?;
    let d = PyDict::new(py);
    let item = t.dtype.size() as isize;
    d.set_item("data", (t.data_ptr_raw() as usize, false))?;
    d.set_item("shape", PyTuple::new(py, t.shape())?)?;
    d.set_item("strides", PyTuple::new(py, t.strides().iter().map(|s| s * item))?)?;
    d.set_item("typestr", typestr)?;
    d.set_item("version", 3)?;
    Ok(d)
}

/// Scalars gathered from nested sequences, with the kinds seen (for dtype inference).
struct Gathered {
    values: Vec<Scalar>,
    shape: Vec<usize>,
    saw_float: bool,
    saw_int: bool,
    /// Positions (in `values`) of ints beyond int64, stored as floats: fine for a float or bool
    /// result, PyTorch's ValueError for an integer one.
    big_ints: Vec<usize>,
    saw_complex: bool,
    /// dtype of nested tensors, arrays and NumPy scalars, which take part in inference with
    /// their own dtype.
    inner_dtype: Option<DType>,
    /// The last NumPy scalar type seen and its dtype: lists of NumPy scalars are common and
    /// usually uniform.
    numpy_type: Option<(usize, DType)>,
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

/// The type's name as CPython's `tp_name` shows it: `list`, `numpy.float64`.
pub fn qualified_type_name(obj: &Bound<'_, PyAny>) -> String {
    let ty = obj.get_type();
    match ty.module().map(|m| m.to_string()) {
        Ok(m) if m != "builtins" => format!("{}.{}", m, type_name(obj)),
        _ => type_name(obj),
    }
}

/// A Python bool, int or float (exact types: the common case, checked first), with PyTorch's
/// error for ints beyond int64.
fn python_number(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if obj.is_exact_instance_of::<PyInt>() {
        return obj.extract::<i64>().map(|i| Some(Scalar::Int(i))).map_err(|_| PyRuntimeError::new_err("Overflow when unpacking long"));
    }
    if obj.is_exact_instance_of::<PyFloat>() || obj.is_exact_instance_of::<PyBool>() {
        return Ok(scalar(obj));
    }
    if let Ok(c) = obj.cast::<PyComplex>() {
        return Ok(Some(Scalar::Complex(c.real(), c.imag())));
    }
    Ok(None)
}

impl Gathered {
    fn push(&mut self, s: Scalar, depth: usize) -> PyResult<()> {
        match s {
            Scalar::Float(_) => self.saw_float = true,
            Scalar::Int(_) => self.saw_int = true,
            Scalar::Complex(..) => self.saw_complex = true,
            Scalar::Bool(_) => {}
        }
        self.push_typed(s, None, depth)
    }

    /// Stores a value whose `dtype` (when known) takes part in inference.
    fn push_typed(&mut self, s: Scalar, dtype: Option<DType>, depth: usize) -> PyResult<()> {
        if depth != self.shape.len() {
            return Err(PyTypeError::new_err("not a sequence"));
        }
        if let Some(d) = dtype {
            self.note_dtype(d)?;
        }
        self.values.push(s);
        Ok(())
    }

    fn note_dtype(&mut self, dtype: DType) -> PyResult<()> {
        self.inner_dtype = Some(match self.inner_dtype {
            Some(d) => crate::dtype::promote_types(d, dtype)?,
            None => dtype,
        });
        Ok(())
    }

    fn numpy_scalar(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<Option<(Scalar, DType)>> {
        let ty = obj.get_type().as_ptr() as usize;
        let dtype = match self.numpy_type {
            Some((t, d)) if t == ty => d,
            _ => match numpy_scalar_dtype(obj)? {
                Some(d) => {
                    self.numpy_type = Some((ty, d));
                    d
                }
                None => return Ok(None),
            },
        };
        Ok(Some((numpy_scalar_value(obj, dtype)?, dtype)))
    }

    fn gather(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        if obj.is_exact_instance_of::<PyInt>() && obj.extract::<i64>().is_err() {
            // Beyond int64: still an int for inference, checked when stored.
            self.saw_int = true;
            self.big_ints.push(self.values.len());
            return self.push_typed(Scalar::Float(obj.extract::<f64>()?), None, depth);
        }
        if let Some(s) = python_number(obj)? {
            return self.push(s, depth);
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            return self.gather_sequence(obj, depth);
        }
        if let Ok(t) = obj.cast::<PyTensor>() {
            return self.gather_tensor(&t.get().tensor(), depth);
        }
        if let Some((s, dtype)) = self.numpy_scalar(obj)? {
            return self.push_typed(s, Some(dtype), depth);
        }
        if is_array(obj) {
            return self.gather_tensor(&from_numpy(obj, false)?, depth);
        }
        if let Some(s) = scalar(obj) {
            return self.push(s, depth);
        }
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(format!("new(): invalid data type '{}'", type_name(obj))));
        }
        // CPython's sequence protocol, as PyTorch checks it (pandas Series qualify too).
        // SAFETY: `obj` is a valid object and the GIL is held.
        if unsafe { pyo3::ffi::PySequence_Check(obj.as_ptr()) } == 1 {
            return self.gather_sequence(obj, depth);
        }
        Err(PyRuntimeError::new_err(format!("Could not infer dtype of {}", type_name(obj))))
    }

    fn gather_sequence(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        let len = obj.len()?;
        if depth == self.shape.len() {
            if !self.values.is_empty() {
                // Sizes come from the first element: a sequence where a number was expected.
                return Err(PyTypeError::new_err(format!("must be real number, not {}", type_name(obj))));
            }
            self.shape.push(len);
        } else if self.shape[depth] != len {
            return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got {})", self.shape[depth], depth, len)));
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            for item in obj.try_iter()? {
                self.gather(&item?, depth + 1)?;
            }
        } else {
            // Items by index, as PyTorch reads sequences (a Series iterates as Python floats
            // but indexes as NumPy scalars, which keep their dtype).
            for i in 0..len {
                self.gather(&obj.get_item(i)?, depth + 1)?;
            }
        }
        Ok(())
    }

    fn gather_tensor(&mut self, t: &Tensor, depth: usize) -> PyResult<()> {
        if depth == self.shape.len() && self.values.is_empty() {
            self.shape.extend_from_slice(t.shape());
        } else if self.shape.len() != depth + t.ndim() || &self.shape[depth..] != t.shape() {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {} (got {})",
                self.shape.get(depth).copied().unwrap_or(0),
                depth,
                t.shape().first().copied().unwrap_or(1)
            )));
        }
        self.note_dtype(t.dtype)?;
        crate::with_any_dtype!(t.dtype, T => self.values.extend(t.to_vec::<T>()?.into_iter().map(|v| v.to_scalar())));
        Ok(())
    }

    /// PyTorch's inference: nested tensors/arrays by dtype, Python floats as the default
    /// dtype, ints as int64, bools as bool; an empty sequence is the default dtype.
    fn inferred_dtype(&self) -> PyResult<DType> {
        let default = crate::default_dtype::get();
        let from_scalars = if self.saw_complex {
            Some(default.to_complex())
        } else if self.saw_float {
            Some(default)
        } else if self.saw_int {
            Some(DType::I64)
        } else if !self.values.is_empty() && self.inner_dtype.is_none() {
            Some(DType::Bool)
        } else {
            None
        };
        Ok(match (self.inner_dtype, from_scalars) {
            (Some(d), Some(s)) => crate::dtype::promote_types(d, s)?,
            (d, s) => d.or(s).unwrap_or(default),
        })
    }
}

/// Builds a tensor from Python data (`torch.tensor(data)`), inferring the dtype as PyTorch
/// does. Tensors and arrays are copied.
pub fn tensor_from_data(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.get().tensor();
        return Ok(t.copy_to_new(dtype.unwrap_or(t.dtype))?);
    }
    let big_int = obj.is_exact_instance_of::<PyInt>() && obj.extract::<i64>().is_err();
    if big_int && dtype.is_none() {
        return Err(PyRuntimeError::new_err("Overflow when unpacking long"));
    }
    let plain = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() || big_int || python_number(obj)?.is_some();
    if !plain && is_array(obj) {
        let mut t = from_numpy(obj, false)?;
        let is_scalar = numpy_generic(obj.py()).map(|g| obj.is_instance(g)).transpose()?.unwrap_or(false);
        if let Some(d) = dtype.filter(|_| is_scalar) {
            // A NumPy scalar converts as a Python number: an integer dtype takes only integers
            // (and float64, a Python float), a float dtype takes a complex one's real part.
            let not_an_integer = t.dtype.is_complex() || (t.dtype.is_float() && t.dtype != DType::F64);
            if d.is_integral(false) && not_an_integer {
                return Err(complex_to_real_error(d, &qualified_type_name(obj)));
            }
            if t.dtype.is_complex() && d.is_float() {
                t = crate::ops::complex::real(&t);
            }
        }
        return Ok(t.copy_to_new(dtype.unwrap_or(t.dtype))?);
    }
    let mut g = Gathered { values: Vec::new(), shape: Vec::new(), saw_float: false, saw_int: false, big_ints: Vec::new(), saw_complex: false, inner_dtype: None, numpy_type: None };
    g.gather(obj, 0)?;
    let dtype = match dtype {
        Some(d) => d,
        None => g.inferred_dtype()?,
    };
    if g.saw_complex && !dtype.is_complex() && dtype != DType::Bool {
        return Err(complex_to_real_error(dtype, "complex"));
    }
    if !dtype.is_float() && dtype != DType::Bool {
        // Element by element, as PyTorch stores them: the first that does not fit decides.
        let mut big = g.big_ints.iter().peekable();
        for (i, s) in g.values.iter().enumerate() {
            if big.next_if_eq(&&i).is_some() {
                return Err(PyValueError::new_err("Overflow when unpacking long long"));
            }
            s.check_fits(dtype, false)?;
        }
    }
    Ok(crate::with_any_dtype!(dtype, T => Tensor::from_vec(g.values.iter().map(|&s| T::from_scalar(s)).collect::<Vec<T>>(), &g.shape)?))
}

/// PyTorch's error when `tensor()` writes a complex number into a real tensor, or a number
/// that is not an integer (a NumPy float scalar) into an integer one.
fn complex_to_real_error(dtype: DType, type_name: &str) -> PyErr {
    if dtype.is_float() {
        PyTypeError::new_err(format!("must be real number, not {}", type_name))
    } else {
        PyTypeError::new_err(format!("'{}' object cannot be interpreted as an integer", type_name))
    }
}

fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Complex(re, im) => PyComplex::from_doubles(py, re, im).into_any().unbind(),
        Scalar::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

pub fn item_to_py(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    scalar_to_py(py, t.item()?)
}

/// `tolist`: nested Python lists of Python numbers.
pub fn tolist(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    fn build<T: Element>(py: Python<'_>, data: &[T], shape: &[usize]) -> PyResult<Py<PyAny>> {
        if shape.is_empty() {
            return scalar_to_py(py, data[0].to_scalar());
        }
        let step = data.len().checked_div(shape[0]).unwrap_or(0);
        let items = (0..shape[0])
            .map(|i| build(py, &data[i * step..(i + 1) * step], &shape[1..]))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    crate::with_any_dtype!(t.dtype, T => build(py, &t.to_vec::<T>()?, t.shape()))
}
