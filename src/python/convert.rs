//! Conversions between Python data and tensors: nested sequences, NumPy arrays (through the
//! array interface, so no NumPy C API is needed) and `tolist`.
use super::args::scalar;
use super::tensor::PyTensor;
use crate::dtype::{DType, Element, Scalar};
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::Tensor;
use crate::with_dtype;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySequence, PyString, PyTuple};
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
        DType::BF16 => return None,
    })
}

fn dtype_from_typestr(typestr: &str, np_name: &str) -> PyResult<DType> {
    let native = typestr.starts_with('|') || typestr.starts_with('<') || typestr.starts_with('=');
    let dt = match &typestr[1..] {
        "b1" => Some(DType::Bool),
        "u1" => Some(DType::U8),
        "i1" => Some(DType::I8),
        "i2" => Some(DType::I16),
        "i4" => Some(DType::I32),
        "i8" => Some(DType::I64),
        "f2" => Some(DType::F16),
        "f4" => Some(DType::F32),
        "f8" => Some(DType::F64),
        _ => None,
    };
    match dt {
        Some(d) if native => Ok(d),
        _ => Err(PyTypeError::new_err(format!(
            "can't convert np.ndarray of type numpy.{}. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.",
            np_name
        ))),
    }
}

/// Whether `obj` is a NumPy array (or anything exposing the array interface).
pub fn is_array(obj: &Bound<'_, PyAny>) -> bool {
    !obj.is_instance_of::<PyTensor>() && obj.hasattr("__array_interface__").unwrap_or(false)
}

/// A tensor sharing the memory of a NumPy array (`from_numpy`); it keeps the array alive.
pub fn from_numpy(arr: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let iface = arr.getattr("__array_interface__")?;
    let iface = iface.cast::<PyDict>()?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        iface.get_item(k)?.ok_or_else(|| PyValueError::new_err(format!("array interface lacks '{}'", k)))
    };
    let typestr: String = get("typestr")?.extract()?;
    let np_name: String = arr.getattr("dtype").and_then(|d| d.getattr("name")).and_then(|n| n.extract()).unwrap_or_else(|_| typestr.clone());
    let dtype = dtype_from_typestr(&typestr, &np_name)?;
    let (addr, _readonly): (usize, bool) = get("data")?.extract()?;
    let shape: Vec<usize> = get("shape")?.extract()?;
    let item = dtype.size() as isize;
    let strides: Vec<isize> = match iface.get_item("strides")? {
        Some(s) if !s.is_none() => {
            let bytes: Vec<isize> = s.extract()?;
            if bytes.iter().any(|&b| b < 0) {
                return Err(PyValueError::new_err(
                    "At least one stride in the given numpy array is negative, and tensors with negative strides are not currently supported. (You can probably work around this by making a copy of your array with array.copy().) ",
                ));
            }
            if bytes.iter().any(|&b| b % item != 0) {
                return Err(PyValueError::new_err("given numpy array strides not a multiple of the element byte size. Copy the numpy array to reallocate the memory."));
            }
            bytes.iter().map(|b| b / item).collect()
        }
        _ => crate::layout::contiguous_strides(&shape).to_vec(),
    };
    let span = if shape.iter().any(|&d| d == 0) {
        0
    } else {
        shape.iter().zip(&strides).map(|(&d, &s)| (d as isize - 1) * s).sum::<isize>() as usize + 1
    };
    let owner: Py<PyAny> = arr.clone().unbind();
    // SAFETY: the array's buffer spans `span` elements from `addr` and lives while `owner` does.
    let storage = unsafe { Storage::from_foreign(addr as *mut u8, span * dtype.size(), Box::new(owner)) };
    Ok(Tensor::from_storage(Arc::new(storage), Layout { shape: shape.into(), strides: strides.into(), offset: 0 }, dtype))
}

/// The `__array_interface__` dict describing a tensor's memory, for zero-copy NumPy views.
pub fn array_interface<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyDict>> {
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
    /// dtype of nested tensors / arrays, which take part in inference as their dtype.
    inner_dtype: Option<DType>,
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

fn gather(obj: &Bound<'_, PyAny>, depth: usize, g: &mut Gathered) -> PyResult<()> {
    if let Some(s) = scalar(obj) {
        if depth != g.shape.len() {
            return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got {})", g.shape[depth], depth, type_name(obj))));
        }
        match s {
            Scalar::Float(_) => g.saw_float = true,
            Scalar::Int(_) => g.saw_int = true,
            Scalar::Bool(_) => {}
        }
        g.values.push(s);
        return Ok(());
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.get().tensor();
        return gather_tensor(&t, depth, g);
    }
    if is_array(obj) {
        return gather_tensor(&from_numpy(obj)?, depth, g);
    }
    if obj.is_instance_of::<PyString>() || !obj.is_instance_of::<PySequence>() && !obj.is_instance_of::<PyList>() && !obj.is_instance_of::<PyTuple>() {
        return Err(PyTypeError::new_err(format!("new(): invalid data type '{}'", type_name(obj))));
    }
    let len = obj.len()?;
    if depth == g.shape.len() {
        if !g.values.is_empty() {
            return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got {})", 1, depth, len)));
        }
        g.shape.push(len);
    } else if g.shape[depth] != len {
        return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {} (got {})", g.shape[depth], depth, len)));
    }
    for item in obj.try_iter()? {
        gather(&item?, depth + 1, g)?;
    }
    Ok(())
}

fn gather_tensor(t: &Tensor, depth: usize, g: &mut Gathered) -> PyResult<()> {
    if depth == g.shape.len() && g.values.is_empty() {
        g.shape.extend_from_slice(t.shape());
    } else if g.shape.len() < depth + t.ndim() || &g.shape[depth..depth + t.ndim()] != t.shape() {
        return Err(PyValueError::new_err(format!("expected sequence of length {} at dim {}", g.shape.get(depth).copied().unwrap_or(0), depth)));
    }
    g.inner_dtype = Some(g.inner_dtype.map_or(t.dtype, |d| crate::dtype::promote_types(d, t.dtype)));
    with_dtype!(t.dtype, T => g.values.extend(t.to_vec::<T>()?.into_iter().map(|v| v.to_scalar())));
    Ok(())
}

/// Builds a tensor from Python data (`torch.tensor(data)`), inferring the dtype as PyTorch does.
pub fn tensor_from_data(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.get().tensor();
        return Ok(t.copy_to_new(dtype.unwrap_or(t.dtype))?);
    }
    if is_array(obj) {
        let t = from_numpy(obj)?;
        return Ok(t.copy_to_new(dtype.unwrap_or(t.dtype))?);
    }
    let mut g = Gathered { values: Vec::new(), shape: Vec::new(), saw_float: false, saw_int: false, inner_dtype: None };
    gather(obj, 0, &mut g)?;
    let inferred = if let Some(d) = g.inner_dtype {
        let from_scalars = if g.saw_float { Some(crate::default_dtype::get()) } else if g.saw_int { Some(DType::I64) } else { None };
        from_scalars.map_or(d, |s| crate::dtype::promote_types(d, s))
    } else if g.saw_float {
        crate::default_dtype::get()
    } else if g.saw_int {
        DType::I64
    } else if g.values.is_empty() {
        crate::default_dtype::get()
    } else {
        DType::Bool
    };
    let dtype = dtype.unwrap_or(inferred);
    Ok(with_dtype!(dtype, T => Tensor::from_vec(g.values.iter().map(|&s| T::from_scalar(s)).collect::<Vec<T>>(), &g.shape)?))
}

fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
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
    with_dtype!(t.dtype, T => build(py, &t.to_vec::<T>()?, t.shape()))
}
