//! Matrix-product methods of `Tensor` (`mm`, `matmul`/`@`, `bmm`, `addmm`, …) and the
//! intra-op thread settings (`set_num_threads` / `get_num_threads`).
use super::args;
use super::reduce::detach_if_large;
use super::tensor::{wrap, PyTensor};
use crate::backend::cpu::threads;
use crate::dtype::Scalar;
use crate::error::Error;
use crate::autograd::derivatives::linalg::{self, Scale};
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

type Binary = fn(&Tensor, &Tensor) -> crate::error::Result<Tensor>;
type Fused = fn(&Tensor, &Tensor, &Tensor, Scale) -> crate::error::Result<Tensor>;

fn run_binary(py: Python<'_>, op: Binary, a: Tensor, b: &Bound<'_, PyAny>, name: &str) -> PyResult<Py<PyTensor>> {
    let b = tensor_arg(b, name)?;
    wrap(py, detach_if_large(py, a.numel() + b.numel(), || op(&a, &b))?)
}

fn tensor_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.get().tensor()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{}(): argument 'other' (position 1) must be Tensor, not {}",
            name,
            obj.get_type().name()?
        ))),
    }
}

fn scale(beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> Scale {
    let get = |o: Option<&Bound<'_, PyAny>>| o.and_then(args::scalar).unwrap_or(Scalar::Int(1));
    Scale { beta: get(beta), alpha: get(alpha) }
}

fn run_fused(py: Python<'_>, op: Fused, input: Tensor, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, s: Scale, name: &str) -> PyResult<Py<PyTensor>> {
    let (a, b) = (tensor_arg(a, name)?, tensor_arg(b, name)?);
    wrap(py, detach_if_large(py, a.numel() + b.numel(), || op(&input, &a, &b, s))?)
}

#[pymethods]
impl PyTensor {
    fn mm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::mm, self.tensor(), mat2, "mm")
    }
    fn mv(&self, py: Python<'_>, vec: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::mv, self.tensor(), vec, "mv")
    }
    fn dot(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::dot, self.tensor(), other, "dot")
    }
    fn vdot(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::dot, self.tensor(), other, "vdot")
    }
    fn inner(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::inner, self.tensor(), other, "inner")
    }
    fn outer(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::outer, self.tensor(), vec2, "outer")
    }
    fn ger(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::outer, self.tensor(), vec2, "ger")
    }
    fn matmul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::matmul, self.tensor(), other, "matmul")
    }
    fn bmm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<Py<PyTensor>> {
        run_binary(py, linalg::bmm, self.tensor(), mat2, "bmm")
    }

    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyTensor>() {
            Ok(o) => Ok(run_binary(py, linalg::matmul, self.tensor(), o.as_any(), "matmul")?.into_any()),
            Err(_) => Ok(py.NotImplemented()),
        }
    }
    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match other.cast::<PyTensor>() {
            Ok(o) => {
                let (lhs, rhs) = (o.get().tensor(), self.tensor());
                Ok(wrap(py, detach_if_large(py, lhs.numel() + rhs.numel(), || linalg::matmul(&lhs, &rhs))?)?.into_any())
            }
            Err(_) => Ok(py.NotImplemented()),
        }
    }

    #[pyo3(signature = (mat1, mat2, *, beta=None, alpha=None))]
    fn addmm(&self, py: Python<'_>, mat1: &Bound<'_, PyAny>, mat2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        run_fused(py, linalg::addmm, self.tensor(), mat1, mat2, scale(beta, alpha), "addmm")
    }
    #[pyo3(signature = (mat, vec, *, beta=None, alpha=None))]
    fn addmv(&self, py: Python<'_>, mat: &Bound<'_, PyAny>, vec: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        run_fused(py, linalg::addmv, self.tensor(), mat, vec, scale(beta, alpha), "addmv")
    }
    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn addbmm(&self, py: Python<'_>, batch1: &Bound<'_, PyAny>, batch2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        run_fused(py, linalg::addbmm, self.tensor(), batch1, batch2, scale(beta, alpha), "addbmm")
    }
    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn baddbmm(&self, py: Python<'_>, batch1: &Bound<'_, PyAny>, batch2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
        run_fused(py, linalg::baddbmm, self.tensor(), batch1, batch2, scale(beta, alpha), "baddbmm")
    }
}

/// `torch.set_num_threads`: the number of threads used by parallel CPU kernels.
#[pyfunction]
fn set_num_threads(n: i64) -> PyResult<()> {
    if n <= 0 {
        return Err(Error::Runtime("Expected positive number of threads".into()).into());
    }
    threads::set_num_threads(n as usize);
    Ok(())
}

/// `torch.get_num_threads`.
#[pyfunction]
fn get_num_threads() -> usize {
    threads::num_threads()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    Ok(())
}
