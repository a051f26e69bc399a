//! `Tensor.__getitem__` / `__setitem__` (index expressions parsed here, applied in
//! `ops::index`), iteration, and the index-driven methods (gather, scatter, masked ops, where).
use super::args;
use super::convert;
use super::tensor::{wrap, PyTensor};
use crate::dtype::{DType, Scalar};
use crate::error::Error;
use crate::ops::binary::{binary, BinOp};
use super::autograd::commit;
use crate::autograd::derivatives::gather::{self, ScatterReduce, ScatterSource};
use crate::autograd::derivatives::index::{get_item, nonzero, set_item, SetValue, TensorIndex};
use crate::autograd::derivatives::{self, shape};
use crate::ops::index::index_put_tensors_;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PyList, PySlice, PyString, PyTuple};

/// A Python slice's raw bounds (`PySlice_Unpack`: None becomes the extreme for the step's
/// direction; a zero step raises Python's ValueError). Inside a tuple a zero step is kept (step
/// 0) and raises when the slicing reaches it, after the index count check, as in PyTorch.
fn unpack_slice(s: &Bound<'_, PySlice>, in_tuple: bool) -> PyResult<TensorIndex> {
    if in_tuple && s.getattr("step")?.extract::<i64>().is_ok_and(|step| step == 0) {
        return Ok(TensorIndex::Slice { start: None, stop: None, step: 0 });
    }
    let (mut start, mut stop, mut step) = (0isize, 0isize, 0isize);
    // SAFETY: `s` is a live slice object and the out-pointers are valid.
    if unsafe { ffi::PySlice_Unpack(s.as_ptr(), &mut start, &mut stop, &mut step) } < 0 {
        return Err(PyErr::fetch(s.py()));
    }
    Ok(TensorIndex::Slice { start: Some(start as i64), stop: Some(stop as i64), step: step as i64 })
}

/// A sequence usable as an index (strings are sequences to Python, not indices to PyTorch).
fn is_sequence(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `obj` is a live object; PySequence_Check does not fail.
    unsafe { ffi::PySequence_Check(obj.as_ptr()) == 1 && !obj.is_instance_of::<PyString>() }
}

/// A list (or other sequence, or NumPy array) used as an index becomes an int64 tensor, or
/// stays bool/uint8 when it holds booleans.
fn sequence_index(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    // Fast path for the common `x[[0, 2]]`: a list of plain ints.
    if let Ok(list) = obj.cast::<PyList>() {
        let ints: Option<Vec<i64>> = list.iter().map(|o| if o.is_exact_instance_of::<PyInt>() { o.extract().ok() } else { None }).collect();
        if let Some(ints) = ints.filter(|v| !v.is_empty()) {
            let n = ints.len();
            return Ok(Tensor::from_vec(ints, &[n])?);
        }
    }
    let t = convert::tensor_from_data(obj, None)?;
    Ok(match t.dtype {
        DType::Bool | DType::U8 => t,
        _ => t.to_dtype(DType::I64)?,
    })
}

fn parse_entry(obj: &Bound<'_, PyAny>, in_tuple: bool) -> PyResult<TensorIndex> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(TensorIndex::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(TensorIndex::Int(obj.extract()?));
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        return unpack_slice(s, in_tuple);
    }
    if obj.is_none() {
        return Ok(TensorIndex::None);
    }
    if obj.is_instance_of::<PyEllipsis>() {
        return Ok(TensorIndex::Ellipsis);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(TensorIndex::Tensor(t.get().tensor()));
    }
    if is_sequence(obj) {
        return Ok(TensorIndex::Tensor(sequence_index(obj)?));
    }
    if obj.get_type().name()?.to_string() == "bool" {
        return Ok(TensorIndex::Bool(obj.is_truthy()?));
    }
    obj.extract::<i64>().map(TensorIndex::Int).map_err(|_| {
        PyIndexError::new_err(format!(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

/// NumPy's heuristic, kept by PyTorch: a short non-tuple sequence holding a tensor, sequence,
/// slice, Ellipsis or None is a multi-dim index (`x[[0, slice(None)]]`), otherwise one index.
fn sequence_is_tuple(obj: &Bound<'_, PyAny>) -> bool {
    let multi_dim_entry = |item: &Bound<'_, PyAny>| {
        item.is_instance_of::<PyTensor>() || is_sequence(item) || item.is_instance_of::<PySlice>() || item.is_none() || item.is_instance_of::<PyEllipsis>()
    };
    if let Ok(list) = obj.cast::<PyList>() {
        return list.len() < 32 && list.iter().any(|item| multi_dim_entry(&item));
    }
    if !is_sequence(obj) || obj.is_instance_of::<PyTensor>() || convert::is_array(obj) {
        return false;
    }
    match obj.len() {
        Ok(n) if n < 32 => (0..n).any(|i| obj.get_item(i).is_ok_and(|item| multi_dim_entry(&item))),
        _ => false,
    }
}

fn parse_index(index: &Bound<'_, PyAny>) -> PyResult<Vec<TensorIndex>> {
    if let Ok(t) = index.cast::<PyTuple>() {
        return t.iter().map(|o| parse_entry(&o, true)).collect();
    }
    if sequence_is_tuple(index) {
        return index.try_iter()?.map(|o| parse_entry(&o?, true)).collect();
    }
    let entry = parse_entry(index, false)?;
    // A lone slice's step is checked before its dim, as PyTorch's single-slice path does.
    if let TensorIndex::Slice { step, .. } = entry {
        if step < 0 {
            return Err(PyValueError::new_err("step must be greater than zero"));
        }
    }
    Ok(vec![entry])
}

/// The right-hand side of `x[i] = value`: a tensor or a Python number (PyTorch's TypeError
/// for anything else, lists included).
fn set_value(value: &Bound<'_, PyAny>, target: &Tensor) -> PyResult<SetValue> {
    if let Ok(t) = value.cast::<PyTensor>() {
        return Ok(SetValue::Tensor(t.get().tensor()));
    }
    args::scalar(value).map(SetValue::Scalar).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "can't assign a {} to a torch.{}",
            value.get_type().name().map(|n| n.to_string()).unwrap_or_default(),
            target.dtype.legacy_type_name()
        ))
    })
}

/// A fill value: a Python number or a 0-dim tensor.
fn fill_value(value: &Bound<'_, PyAny>, op: &str) -> PyResult<Scalar> {
    if let Some(s) = args::scalar(value) {
        return Ok(s);
    }
    let t = value.cast::<PyTensor>().map_err(|_| {
        PyTypeError::new_err(format!("{}(): argument 'value' must be Number, not {}", op, value.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
    })?;
    let t = t.get().tensor();
    if t.ndim() != 0 {
        return Err(Error::Runtime(format!(
            "{} only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
            op,
            t.ndim()
        ))
        .into());
    }
    Ok(t.item()?)
}

fn scatter_reduce(reduce: Option<&str>) -> PyResult<ScatterReduce> {
    match reduce {
        None => Ok(ScatterReduce::Replace),
        Some("add") => Ok(ScatterReduce::Add),
        Some("multiply") => Ok(ScatterReduce::Multiply),
        Some(_) => Err(Error::Runtime("reduce argument must be either add or multiply.".into()).into()),
    }
}

/// `scatter_` with a tensor or a number as source, on `target` (self, or a copy of it).
fn scatter_into(target: &mut Tensor, dim: i64, index: &Tensor, src: &Bound<'_, PyAny>, reduce: Option<&str>, op: &str) -> PyResult<()> {
    let reduce = scatter_reduce(reduce)?;
    match src.cast::<PyTensor>() {
        Ok(s) => gather::scatter_(target, dim, index, ScatterSource::Tensor(&s.get().tensor()), reduce, op)?,
        Err(_) => gather::scatter_(target, dim, index, ScatterSource::Value(fill_value(src, op)?), reduce, op)?,
    }
    Ok(())
}

fn nonzero_tuple(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyTuple>> {
    let t = if t.ndim() == 0 { t.reshape(&[1])? } else { t.clone() };
    let coords = nonzero(&t)?;
    let columns = shape::unbind(&coords, 1)?;
    let items = columns.into_iter().map(|c| wrap(py, c)).collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, items)?.unbind())
}

#[pymethods]
impl PyTensor {
    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        // The common case, `x[i]`, without building an index list.
        if index.is_exact_instance_of::<PyInt>() {
            return wrap(py, get_item(&t, &[TensorIndex::Int(index.extract()?)])?);
        }
        wrap(py, get_item(&t, &parse_index(index)?)?)
    }

    fn __setitem__(&self, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut t = self.tensor();
        let value = set_value(value, &t)?;
        let indices = if index.is_exact_instance_of::<PyInt>() { vec![TensorIndex::Int(index.extract()?)] } else { parse_index(index)? };
        set_item(&mut t, &indices, value)?;
        commit(self, t);
        Ok(())
    }

    fn __delitem__(&self, _index: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(PyTypeError::new_err("Tensor does not support deleting items"))
    }

    /// Iterates over dim 0 (`unbind(0)`).
    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = self.tensor();
        if t.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let items = shape::unbind(&t, 0)?.into_iter().map(|r| wrap(py, r)).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.try_iter()?.into_any().unbind())
    }

    fn __contains__(&self, element: &Bound<'_, PyAny>) -> PyResult<bool> {
        let other = args::other(element).ok_or_else(|| {
            Error::Runtime(format!(
                "Tensor.__contains__ only supports Tensor or scalar, but you passed in a {}.",
                element.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        Ok(binary(BinOp::Eq, &self.tensor(), &other)?.to_vec::<bool>()?.contains(&true))
    }

    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(slf: &Bound<'py, Self>, indices: &Bound<'py, PyAny>, values: PyRef<'py, PyTensor>, accumulate: bool) -> PyResult<Bound<'py, Self>> {
        let indices = super::shape::tensor_list(indices, "index_put_")?;
        index_put_tensors_(&slf.get().tensor(), &indices, &values.tensor(), accumulate)?;
        Ok(slf.clone())
    }
    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(&self, py: Python<'_>, indices: &Bound<'_, PyAny>, values: PyRef<'_, PyTensor>, accumulate: bool) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        let out = t.copy_to_new(t.dtype)?;
        index_put_tensors_(&out, &super::shape::tensor_list(indices, "index_put")?, &values.tensor(), accumulate)?;
        wrap(py, out)
    }
    fn index_select(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        wrap(py, gather::index_select(&self.tensor(), dim, &index.tensor())?)
    }
    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, sparse_grad: bool) -> PyResult<Py<PyTensor>> {
        let _ = sparse_grad;
        wrap(py, gather::gather(&self.tensor(), dim, &index.tensor())?)
    }
    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>, reduce: Option<&str>) -> PyResult<Py<PyTensor>> {
        let mut out = derivatives::clone(&self.tensor())?;
        let src = src.or(value).ok_or_else(|| PyTypeError::new_err("scatter() missing required argument 'src' or 'value'"))?;
        scatter_into(&mut out, dim, &index.tensor(), src, reduce, "scatter")?;
        wrap(py, out)
    }
    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter_<'py>(slf: &Bound<'py, Self>, dim: i64, index: PyRef<'py, PyTensor>, src: Option<&Bound<'py, PyAny>>, value: Option<&Bound<'py, PyAny>>, reduce: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let src = src.or(value).ok_or_else(|| PyTypeError::new_err("scatter_() missing required argument 'src' or 'value'"))?;
        let mut t = slf.get().tensor();
        scatter_into(&mut t, dim, &index.tensor(), src, reduce, "scatter")?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn scatter_add(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, src: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let mut out = derivatives::clone(&self.tensor())?;
        gather::scatter_(&mut out, dim, &index.tensor(), ScatterSource::Tensor(&src.tensor()), ScatterReduce::Add, "scatter_add")?;
        wrap(py, out)
    }
    fn scatter_add_<'py>(slf: &Bound<'py, Self>, dim: i64, index: PyRef<'py, PyTensor>, src: PyRef<'py, PyTensor>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        gather::scatter_(&mut t, dim, &index.tensor(), ScatterSource::Tensor(&src.tensor()), ScatterReduce::Add, "scatter_add")?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn masked_fill(&self, py: Python<'_>, mask: PyRef<'_, PyTensor>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        wrap(py, gather::masked_fill(&self.tensor(), &mask.tensor(), fill_value(value, "masked_fill_")?)?)
    }
    fn masked_fill_<'py>(slf: &Bound<'py, Self>, mask: PyRef<'py, PyTensor>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        gather::masked_fill_(&mut t, &mask.tensor(), fill_value(value, "masked_fill_")?)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn masked_select(&self, py: Python<'_>, mask: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        wrap(py, gather::masked_select(&self.tensor(), &mask.tensor())?)
    }
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero(&self, py: Python<'_>, as_tuple: bool) -> PyResult<Py<PyAny>> {
        let t = self.tensor();
        if as_tuple {
            return Ok(nonzero_tuple(py, &t)?.into_any());
        }
        Ok(wrap(py, nonzero(&t)?)?.into_any())
    }
    fn argwhere(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, nonzero(&self.tensor())?)
    }
    fn take(&self, py: Python<'_>, index: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        wrap(py, gather::take(&self.tensor(), &index.tensor())?)
    }
    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, source: PyRef<'_, PyTensor>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        let mut out = derivatives::clone(&self.tensor())?;
        gather::index_add_(&mut out, dim, &index.tensor(), &source.tensor(), alpha.and_then(args::scalar).unwrap_or(Scalar::Int(1)))?;
        wrap(py, out)
    }
    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(slf: &Bound<'py, Self>, dim: i64, index: PyRef<'py, PyTensor>, source: PyRef<'py, PyTensor>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        gather::index_add_(&mut t, dim, &index.tensor(), &source.tensor(), alpha.and_then(args::scalar).unwrap_or(Scalar::Int(1)))?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn index_copy(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, source: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
        let mut out = derivatives::clone(&self.tensor())?;
        gather::index_copy_(&mut out, dim, &index.tensor(), &source.tensor())?;
        wrap(py, out)
    }
    fn index_copy_<'py>(slf: &Bound<'py, Self>, dim: i64, index: PyRef<'py, PyTensor>, source: PyRef<'py, PyTensor>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        gather::index_copy_(&mut t, dim, &index.tensor(), &source.tensor())?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
    fn index_fill(&self, py: Python<'_>, dim: i64, index: PyRef<'_, PyTensor>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        let mut out = derivatives::clone(&self.tensor())?;
        gather::index_fill_(&mut out, dim, &index.tensor(), fill_value(value, "index_fill_")?)?;
        wrap(py, out)
    }
    fn index_fill_<'py>(slf: &Bound<'py, Self>, dim: i64, index: PyRef<'py, PyTensor>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().tensor();
        gather::index_fill_(&mut t, dim, &index.tensor(), fill_value(value, "index_fill_")?)?;
        commit(slf.get(), t);
        Ok(slf.clone())
    }
}

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
