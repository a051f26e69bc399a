//! Reduction methods of `Tensor` (`sum`, `mean`, …) with PyTorch's `dim`/`keepdim` and NumPy's
//! `axis`/`keepdims` spellings.
use super::args;
use super::tensor::{wrap, PyTensor};
use crate::autograd::derivatives::reduce;
use pyo3::prelude::*;

#[pymethods]
impl PyTensor {
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn sum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let dims = args::dims(args::dim_alias(dim, axis))?;
        wrap(py, reduce::sum(&self.tensor(), dims.as_deref(), keepdims.unwrap_or(keepdim), args::opt_dtype(dtype)?)?)
    }

    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None, axis=None, keepdims=None))]
    fn mean(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>, axis: Option<&Bound<'_, PyAny>>, keepdims: Option<bool>) -> PyResult<Py<PyTensor>> {
        let dims = args::dims(args::dim_alias(dim, axis))?;
        wrap(py, reduce::mean(&self.tensor(), dims.as_deref(), keepdims.unwrap_or(keepdim), args::opt_dtype(dtype)?)?)
    }
}

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
