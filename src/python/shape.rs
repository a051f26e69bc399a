//! Shape methods of `Tensor` (views and copying rearrangements) and the joining functions
//! (`cat`, `stack`, …).
use super::args;
use super::tensor::{wrap, PyTensor};
use super::autograd::commit;
use crate::autograd::derivatives::{rearrange, shape};
use crate::tensor::Tensor;
use pyo3::exceptions::{PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyTuple};

/// Tensors returned as a Python tuple (`split`, `chunk`, `unbind`, …).
fn tuple_of(py: Python<'_>, ts: Vec<Tensor>) -> PyResult<Py<PyTuple>> {
    let items = ts.into_iter().map(|t| wrap(py, t)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.unbind())
}

/// An int or a sequence of ints (`dim=1`, `dims=(0, 1)`).
fn int_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    Ok(args::dims(Some(obj))?.unwrap_or_default())
}

/// Dims given as varargs (`flip(0, 1)`), one sequence (`flip((0, 1))`) or a keyword.
fn varargs_or(dims: &Bound<'_, PyTuple>, keyword: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<i64>> {
    match keyword {
        Some(k) if dims.is_empty() => int_list(k),
        _ => args::shape_args(dims),
    }
}

/// A sequence of tensors (`cat`, `stack`, `broadcast_tensors`), with PyTorch's TypeError.
pub fn tensor_list(obj: &Bound<'_, PyAny>, fn_name: &str) -> PyResult<Vec<Tensor>> {
    if obj.is_instance_of::<PyTensor>() || !(obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() || obj.hasattr("__iter__")?) {
        return Err(PyTypeError::new_err(format!(
            "{}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            fn_name,
            obj.get_type().name()?
        )));
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            item.cast::<PyTensor>().map(|t| t.get().tensor()).map_err(|_| {
                PyTypeError::new_err(format!(
                    "expected Tensor as element {} in argument 0, but got {}",
                    i,
                    item.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ))
            })
        })
        .collect()
}

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(&self, py: Python<'_>, start_dim: i64, end_dim: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::flatten(&self.tensor(), start_dim, end_dim)?)
    }
    fn ravel(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::reshape(&self.tensor(), &[-1])?)
    }
    fn unflatten(&self, py: Python<'_>, dim: i64, sizes: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::unflatten(&self.tensor(), dim, &int_list(sizes)?)?)
    }
    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::squeeze(&self.tensor(), args::dims(dim)?.as_deref())?)
    }
    #[pyo3(signature = (dim=None))]
    fn squeeze_<'py>(slf: &Bound<'py, Self>, dim: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let t = shape::squeeze(&slf.get().tensor(), args::dims(dim)?.as_deref())?;
        slf.get().replace(t);
        Ok(slf.clone())
    }
    fn unsqueeze(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::unsqueeze(&self.tensor(), dim)?)
    }
    fn unsqueeze_<'py>(slf: &Bound<'py, Self>, dim: i64) -> PyResult<Bound<'py, Self>> {
        let t = shape::unsqueeze(&slf.get().tensor(), dim)?;
        slf.get().replace(t);
        Ok(slf.clone())
    }
    fn transpose(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::transpose(&self.tensor(), dim0, dim1)?)
    }
    fn transpose_<'py>(slf: &Bound<'py, Self>, dim0: i64, dim1: i64) -> PyResult<Bound<'py, Self>> {
        let t = shape::transpose(&slf.get().tensor(), dim0, dim1)?;
        slf.get().replace(t);
        Ok(slf.clone())
    }
    fn swapaxes(&self, py: Python<'_>, axis0: i64, axis1: i64) -> PyResult<Py<PyTensor>> {
        self.transpose(py, axis0, axis1)
    }
    fn swapdims(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyTensor>> {
        self.transpose(py, dim0, dim1)
    }
    fn t(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::matrix_t(&self.tensor())?)
    }
    fn t_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let t = shape::matrix_t(&slf.get().tensor())?;
        slf.get().replace(t);
        Ok(slf.clone())
    }
    #[getter(T)]
    fn reversed_dims(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if t.ndim() != 2 && t.ndim() != 0 {
            PyErr::warn(
                py,
                &py.get_type::<PyUserWarning>(),
                c"The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                1,
            )?;
        }
        wrap(py, shape::reverse_dims(&t))
    }
    #[getter(mT)]
    fn matrix_transposed(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::matrix_transpose(&self.tensor())?)
    }
    /// Conjugate transposes: for real dtypes the plain transposes.
    #[getter(H)]
    fn adjoint_2d(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if t.ndim() == 0 {
            return wrap(py, t);
        }
        if t.ndim() != 2 {
            return Err(crate::error::Error::Runtime(format!("tensor.H is only supported on matrices (2-D tensors). Got {}-D tensor.", t.ndim())).into());
        }
        wrap(py, shape::transpose(&t, 0, 1)?)
    }
    #[getter(mH)]
    fn adjoint(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if t.ndim() == 0 {
            return wrap(py, t);
        }
        if t.ndim() < 2 {
            return Err(crate::error::Error::Runtime(format!("tensor.mH is only supported on matrices or batches of matrices. Got {}-D tensor.", t.ndim())).into());
        }
        wrap(py, shape::transpose(&t, -2, -1)?)
    }
    #[pyo3(signature = (*dims_args, dims=None))]
    fn permute(&self, py: Python<'_>, dims_args: &Bound<'_, PyTuple>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::permute(&self.tensor(), &varargs_or(dims_args, dims)?)?)
    }
    fn movedim(&self, py: Python<'_>, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::movedim(&self.tensor(), &int_list(source)?, &int_list(destination)?)?)
    }
    fn moveaxis(&self, py: Python<'_>, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        self.movedim(py, source, destination)
    }
    #[pyo3(signature = (*sizes))]
    fn expand(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::expand(&self.tensor(), &args::shape_args(sizes)?)?)
    }
    fn expand_as(&self, py: Python<'_>, other: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let target: Vec<i64> = other.tensor().shape().iter().map(|&d| d as i64).collect();
        wrap(py, shape::expand(&self.tensor(), &target)?)
    }
    fn broadcast_to(&self, py: Python<'_>, size: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::expand(&self.tensor(), &int_list(size)?)?)
    }
    fn narrow(&self, py: Python<'_>, dim: i64, start: i64, length: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::narrow(&self.tensor(), dim, start, length)?)
    }
    fn select(&self, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::select(&self.tensor(), dim, index)?)
    }
    #[pyo3(signature = (dim=0))]
    fn unbind(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyTuple>> {
        tuple_of(py, shape::unbind(&self.tensor(), dim)?)
    }
    #[pyo3(signature = (chunks, dim=0))]
    fn chunk(&self, py: Python<'_>, chunks: i64, dim: i64) -> PyResult<Py<PyTuple>> {
        tuple_of(py, shape::chunk(&self.tensor(), chunks, dim)?)
    }
    #[pyo3(signature = (split_size, dim=0))]
    fn split(&self, py: Python<'_>, split_size: &Bound<'_, PyAny>, dim: i64) -> PyResult<Py<PyTuple>> {
        let t = self.tensor();
        let pieces = if split_size.is_instance_of::<PyInt>() {
            shape::split(&t, split_size.extract()?, dim)?
        } else {
            shape::split_with_sizes(&t, &int_list(split_size)?, dim)?
        };
        tuple_of(py, pieces)
    }
    #[pyo3(signature = (split_sizes, dim=0))]
    fn split_with_sizes(&self, py: Python<'_>, split_sizes: &Bound<'_, PyAny>, dim: i64) -> PyResult<Py<PyTuple>> {
        tuple_of(py, shape::split_with_sizes(&self.tensor(), &int_list(split_sizes)?, dim)?)
    }
    #[pyo3(signature = (indices_or_sections, dim=0))]
    fn tensor_split(&self, py: Python<'_>, indices_or_sections: &Bound<'_, PyAny>, dim: i64) -> PyResult<Py<PyTuple>> {
        let t = self.tensor();
        let arg = match indices_or_sections.cast::<PyTensor>() {
            Ok(i) => {
                let i = i.get().tensor();
                if i.ndim() == 0 { SplitArg::Sections(i.item()?.to_i64()) } else { SplitArg::Indices(i.to_vec::<i64>()?) }
            }
            Err(_) if indices_or_sections.is_instance_of::<PyInt>() => SplitArg::Sections(indices_or_sections.extract()?),
            Err(_) => SplitArg::Indices(int_list(indices_or_sections)?),
        };
        let pieces = match arg {
            SplitArg::Sections(n) => shape::tensor_split_sections(&t, n, dim)?,
            SplitArg::Indices(ix) => shape::tensor_split_indices(&t, &ix, dim)?,
        };
        tuple_of(py, pieces)
    }
    #[pyo3(signature = (size, stride, storage_offset=None))]
    fn as_strided(&self, py: Python<'_>, size: &Bound<'_, PyAny>, stride: &Bound<'_, PyAny>, storage_offset: Option<i64>) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::as_strided(&self.tensor(), &int_list(size)?, &int_list(stride)?, storage_offset)?)
    }
    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, shape::diagonal(&self.tensor(), offset, dim1, dim2)?)
    }
    /// `resize_`: changes this tensor's shape in place (see `shape::resize`); returns self.
    #[pyo3(signature = (*sizes, memory_format=None))]
    fn resize_<'py>(slf: &Bound<'py, Self>, sizes: &Bound<'py, PyTuple>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let _ = memory_format;
        let t = shape::resize(&slf.get().tensor(), &args::shape_args(sizes)?)?;
        slf.get().replace(t);
        Ok(slf.clone())
    }
    #[pyo3(signature = (other, memory_format=None))]
    fn resize_as_<'py>(slf: &Bound<'py, Self>, other: PyRef<'py, PyTensor>, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let _ = memory_format;
        let sizes: Vec<i64> = other.tensor().shape().iter().map(|&d| d as i64).collect();
        let t = shape::resize(&slf.get().tensor(), &sizes)?;
        slf.get().replace(t);
        Ok(slf.clone())
    }

    #[pyo3(signature = (*dims_args, dims=None))]
    fn flip(&self, py: Python<'_>, dims_args: &Bound<'_, PyTuple>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::flip(&self.tensor(), &varargs_or(dims_args, dims)?)?)
    }
    fn fliplr(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if t.ndim() < 2 {
            return Err(crate::error::Error::Runtime("Input must be >= 2-d.".into()).into());
        }
        wrap(py, rearrange::flip(&t, &[1])?)
    }
    fn flipud(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if t.ndim() < 1 {
            return Err(crate::error::Error::Runtime("Input must be >= 1-d.".into()).into());
        }
        wrap(py, rearrange::flip(&t, &[0])?)
    }
    #[pyo3(signature = (shifts, dims=None))]
    fn roll(&self, py: Python<'_>, shifts: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let dims = args::dims(dims)?.unwrap_or_default();
        wrap(py, rearrange::roll(&self.tensor(), &int_list(shifts)?, &dims)?)
    }
    #[pyo3(signature = (*sizes))]
    fn repeat(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::repeat(&self.tensor(), &args::shape_args(sizes)?)?)
    }
    #[pyo3(signature = (*dims))]
    fn tile(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::tile(&self.tensor(), &args::shape_args(dims)?)?)
    }
    #[pyo3(signature = (diagonal=0))]
    fn diag(&self, py: Python<'_>, diagonal: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::diag(&self.tensor(), diagonal)?)
    }
    #[pyo3(signature = (offset=0, dim1=-2, dim2=-1))]
    fn diag_embed(&self, py: Python<'_>, offset: i64, dim1: i64, dim2: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::diag_embed(&self.tensor(), offset, dim1, dim2)?)
    }
    #[pyo3(signature = (diagonal=0))]
    fn tril(&self, py: Python<'_>, diagonal: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::tril(&self.tensor(), diagonal)?)
    }
    #[pyo3(signature = (diagonal=0))]
    fn triu(&self, py: Python<'_>, diagonal: i64) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::triu(&self.tensor(), diagonal)?)
    }
    #[pyo3(signature = (diagonal=0))]
    fn tril_<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        rearrange::tril_(&mut t, diagonal)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    #[pyo3(signature = (diagonal=0))]
    fn triu_<'py>(slf: &Bound<'py, Self>, diagonal: i64) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        rearrange::triu_(&mut t, diagonal)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn trace(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, rearrange::trace(&self.tensor())?)
    }
}

/// `tensor_split`'s argument: a number of sections, or the indices to split at.
enum SplitArg {
    Sections(i64),
    Indices(Vec<i64>),
}

/// The join dim, given as `dim` or NumPy's `axis`.
fn join_dim(dim: Option<i64>, axis: Option<i64>) -> i64 {
    dim.or(axis).unwrap_or(0)
}

/// The result of a function called with `out=`: `out` is resized to the result's shape and
/// receives its values (cast to out's dtype).
pub fn into_out(py: Python<'_>, result: Tensor, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    let Some(out) = out else { return wrap(py, result) };
    let sizes: Vec<i64> = result.shape().iter().map(|&d| d as i64).collect();
    let resized = shape::resize(&out.get().tensor(), &sizes)?;
    out.get().replace(resized.clone());
    resized.copy_(&result)?;
    Ok(out.clone().unbind())
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None, out=None))]
fn cat(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: Option<i64>, axis: Option<i64>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    into_out(py, rearrange::cat(&tensor_list(tensors, "cat")?, join_dim(dim, axis))?, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None, out=None))]
fn stack(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: Option<i64>, axis: Option<i64>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    into_out(py, rearrange::stack(&tensor_list(tensors, "stack")?, join_dim(dim, axis))?, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn hstack(py: Python<'_>, tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    into_out(py, rearrange::stack_along(&tensor_list(tensors, "hstack")?, 1)?, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn vstack(py: Python<'_>, tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    into_out(py, rearrange::stack_along(&tensor_list(tensors, "vstack")?, 2)?, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn dstack(py: Python<'_>, tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    into_out(py, rearrange::stack_along(&tensor_list(tensors, "dstack")?, 3)?, out)
}

#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn column_stack(py: Python<'_>, tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyTensor>>) -> PyResult<Py<PyTensor>> {
    into_out(py, rearrange::column_stack(&tensor_list(tensors, "column_stack")?)?, out)
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
fn broadcast_tensors(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyTuple>> {
    let list = if tensors.len() == 1 && !tensors.get_item(0)?.is_instance_of::<PyTensor>() {
        tensor_list(&tensors.get_item(0)?, "broadcast_tensors")?
    } else {
        tensor_list(tensors.as_any(), "broadcast_tensors")?
    };
    tuple_of(py, shape::broadcast_tensors(&list)?)
}

/// `atleast_1d(x)` / `atleast_1d(x, y)` / `atleast_1d((x, y))`: one tensor, or a tuple.
fn atleast(py: Python<'_>, tensors: &Bound<'_, PyTuple>, n: usize) -> PyResult<Py<PyAny>> {
    if tensors.len() == 1 {
        let first = tensors.get_item(0)?;
        if let Ok(t) = first.cast::<PyTensor>() {
            return Ok(wrap(py, shape::atleast_nd(&t.get().tensor(), n)?)?.into_any());
        }
        let list = tensor_list(&first, "atleast")?;
        return Ok(tuple_of(py, list.iter().map(|t| shape::atleast_nd(t, n)).collect::<Result<_, _>>()?)?.into_any());
    }
    let list = tensor_list(tensors.as_any(), "atleast")?;
    Ok(tuple_of(py, list.iter().map(|t| shape::atleast_nd(t, n)).collect::<Result<_, _>>()?)?.into_any())
}

#[pyfunction]
#[pyo3(signature = (*tensors))]
fn atleast_1d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast(py, tensors, 1)
}
#[pyfunction]
#[pyo3(signature = (*tensors))]
fn atleast_2d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast(py, tensors, 2)
}
#[pyfunction]
#[pyo3(signature = (*tensors))]
fn atleast_3d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast(py, tensors, 3)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cat, m)?)?;
    m.add_function(wrap_pyfunction!(stack, m)?)?;
    m.add_function(wrap_pyfunction!(hstack, m)?)?;
    m.add_function(wrap_pyfunction!(vstack, m)?)?;
    m.add_function(wrap_pyfunction!(dstack, m)?)?;
    m.add_function(wrap_pyfunction!(column_stack, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast_tensors, m)?)?;
    m.add_function(wrap_pyfunction!(atleast_1d, m)?)?;
    m.add_function(wrap_pyfunction!(atleast_2d, m)?)?;
    m.add_function(wrap_pyfunction!(atleast_3d, m)?)?;
    Ok(())
}
