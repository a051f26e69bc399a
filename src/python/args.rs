//! Argument parsing shared by the bindings: shapes, dims, dtypes, scalars and operands.
use super::dtype::PyDType;
use super::tensor::PyTensor;
use crate::dtype::{DType, Scalar};
use crate::ops::binary::Other;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};

/// A Python number as a `Scalar` (bool before int: bool is an int subclass), or None.
pub fn scalar(obj: &Bound<'_, PyAny>) -> Option<Scalar> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Some(Scalar::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().ok().map(Scalar::Int);
    }
    if obj.is_instance_of::<PyFloat>() {
        return obj.extract::<f64>().ok().map(Scalar::Float);
    }
    // NumPy scalars and other numbers: integers expose __index__, reals __float__.
    if obj.hasattr("__index__").unwrap_or(false) && !obj.hasattr("shape").unwrap_or(false) {
        return obj.extract::<i64>().ok().map(Scalar::Int);
    }
    if obj.hasattr("__float__").unwrap_or(false) && !obj.hasattr("__len__").unwrap_or(false) {
        if obj.is_instance_of::<PyTensor>() {
            return None;
        }
        let is_np_bool = obj.get_type().name().map(|n| n.to_string() == "bool").unwrap_or(false);
        if is_np_bool {
            return obj.is_truthy().ok().map(Scalar::Bool);
        }
        return obj.extract::<f64>().ok().map(Scalar::Float);
    }
    None
}

/// The second operand of a binary op, or None when it is neither a tensor nor a number.
pub fn other(obj: &Bound<'_, PyAny>) -> Option<Other> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Some(Other::Tensor(t.get().tensor()));
    }
    // Python complex numbers are operands of the arithmetic ops (`t * 1j`) only: elsewhere a
    // number is real.
    if let Ok(c) = obj.cast::<pyo3::types::PyComplex>() {
        return Some(Other::Scalar(Scalar::Complex(c.real(), c.imag())));
    }
    scalar(obj).map(Other::Scalar)
}

pub fn other_or_err(obj: &Bound<'_, PyAny>) -> PyResult<Other> {
    other(obj).ok_or_else(|| {
        int_too_big(obj).unwrap_or_else(|| {
            PyTypeError::new_err(format!(
                "expected Tensor or number as argument, but got {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })
    })
}

/// PyTorch's error for a Python int outside int64 (`t + 2**70`), if `obj` is one.
pub fn int_too_big(obj: &Bound<'_, PyAny>) -> Option<PyErr> {
    (obj.is_instance_of::<PyInt>() && obj.extract::<i64>().is_err()).then(|| PyOverflowError::new_err("int too big to convert"))
}

pub fn dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().dtype);
    }
    // Python's own types map as in PyTorch: float -> float64, int -> int64, bool -> bool.
    let py = obj.py();
    if obj.is(py.get_type::<PyFloat>()) {
        return Ok(DType::F64);
    }
    if obj.is(py.get_type::<PyInt>()) {
        return Ok(DType::I64);
    }
    if obj.is(py.get_type::<PyBool>()) {
        return Ok(DType::Bool);
    }
    Err(PyTypeError::new_err(format!("dtype must be a rustorch.dtype, not {}", obj.repr()?)))
}

pub fn opt_dtype(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match obj {
        Some(o) if !o.is_none() => dtype(o).map(Some),
        _ => Ok(None),
    }
}

fn int_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyTensor>() && obj.cast::<PyTensor>()?.get().tensor().dtype.is_float() {
        return Err(PyTypeError::new_err(format!(
            "{} must be tuple of ints, but found element of type {} at pos 0",
            what,
            obj.get_type().name()?
        )));
    }
    obj.extract::<i64>().map_err(|_| {
        PyTypeError::new_err(format!("{} must be tuple of ints, not {}", what, obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
    })
}

/// A shape given as varargs (`zeros(2, 3)`) or as one sequence (`zeros((2, 3))`, a `Size`).
pub fn shape_args(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if first.is_instance_of::<PyTuple>() || first.is_instance_of::<PyList>() {
            return first.try_iter()?.map(|o| int_arg(&o?, "size")).collect();
        }
    }
    args.iter().map(|o| int_arg(&o, "size")).collect()
}

/// Non-negative sizes for creating tensors.
pub fn sizes(args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    shape_args(args)?
        .into_iter()
        .map(|d| {
            usize::try_from(d).map_err(|_| {
                crate::error::Error::Runtime(format!("Trying to create tensor with negative dimension {}: {:?}", d, shape_args(args).unwrap_or_default())).into()
            })
        })
        .collect()
}

/// `dim` given as an int, a tuple or list of ints, or None.
pub fn dims(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<i64>>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) if o.is_instance_of::<PyTuple>() || o.is_instance_of::<PyList>() => {
            Ok(Some(o.try_iter()?.map(|d| d?.extract::<i64>()).collect::<PyResult<_>>()?))
        }
        Some(o) => Ok(Some(vec![o.extract::<i64>()?])),
    }
}

/// Reductions accept numpy's `axis`/`keepdims` as aliases of `dim`/`keepdim`.
pub fn dim_alias<'a, 'py>(dim: Option<&'a Bound<'py, PyAny>>, axis: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    dim.or(axis)
}
