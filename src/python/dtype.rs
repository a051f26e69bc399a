//! `rustorch.dtype` objects: one singleton per DType, printed as PyTorch prints them.
use crate::dtype::{DType, ALL_DTYPES};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

#[pyclass(name = "dtype", module = "rustorch", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash, Clone, Copy)]
pub struct PyDType {
    pub dtype: DType,
}

#[pymethods]
impl PyDType {
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dtype.is_float()
    }
    #[getter]
    fn is_complex(&self) -> bool {
        self.dtype.is_complex()
    }
    #[getter]
    fn is_signed(&self) -> bool {
        self.dtype.is_signed()
    }
    #[getter]
    fn itemsize(&self) -> usize {
        self.dtype.size()
    }
    /// PyTorch prints dtypes as `torch.float32`; scripts compare these strings.
    fn __repr__(&self) -> String {
        format!("torch.{}", self.dtype.name())
    }
    fn __reduce__(&self) -> String {
        self.dtype.name().to_string()
    }
}

static SINGLETONS: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The singleton Python object for `dtype`.
pub fn dtype_object(py: Python<'_>, dtype: DType) -> Py<PyDType> {
    let all = SINGLETONS.get_or_init(py, || {
        ALL_DTYPES.iter().map(|&d| Py::new(py, PyDType { dtype: d }).expect("dtype object")).collect()
    });
    all[dtype as usize].clone_ref(py)
}

/// `torch.promote_types`.
#[pyfunction]
fn promote_types(py: Python<'_>, type1: PyRef<'_, PyDType>, type2: PyRef<'_, PyDType>) -> PyResult<Py<PyDType>> {
    Ok(dtype_object(py, crate::dtype::promote_types(type1.dtype, type2.dtype)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDType>()?;
    m.add_function(wrap_pyfunction!(promote_types, m)?)?;
    for &d in ALL_DTYPES.iter() {
        m.add(d.name(), dtype_object(m.py(), d))?;
    }
    Ok(())
}
