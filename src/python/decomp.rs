//! Bindings of the `torch.linalg` factorization kernels and the special functions with extra
//! arguments (`_C._linalg_*`, `_C._special_*`); `rustorch.linalg` and `rustorch.special` build the
//! public functions and their gradients on them.
use super::tensor::{wrap, PyTensor};
use crate::autograd::derivatives::unary;
use crate::ops::{decomp, unary as plain_unary};
use pyo3::prelude::*;

type T<'py> = PyRef<'py, PyTensor>;
type Out = Py<PyTensor>;

#[pyfunction]
fn _linalg_lu_factor(py: Python<'_>, a: T<'_>) -> PyResult<(Out, Out, Out)> {
    let (lu, pivots, info) = decomp::lu_factor(&a.tensor())?;
    Ok((wrap(py, lu)?, wrap(py, pivots)?, wrap(py, info)?))
}

#[pyfunction]
fn _linalg_cholesky(py: Python<'_>, a: T<'_>) -> PyResult<(Out, Out)> {
    let (l, info) = decomp::cholesky(&a.tensor())?;
    Ok((wrap(py, l)?, wrap(py, info)?))
}

#[pyfunction]
fn _linalg_qr(py: Python<'_>, a: T<'_>, complete: bool) -> PyResult<(Out, Out)> {
    let (q, r) = decomp::qr(&a.tensor(), complete)?;
    Ok((wrap(py, q)?, wrap(py, r)?))
}

#[pyfunction]
fn _linalg_eigh(py: Python<'_>, a: T<'_>) -> PyResult<(Out, Out)> {
    let (w, v) = decomp::eigh(&a.tensor())?;
    Ok((wrap(py, w)?, wrap(py, v)?))
}

#[pyfunction]
fn _linalg_svd(py: Python<'_>, a: T<'_>, full_matrices: bool) -> PyResult<(Out, Out, Out)> {
    let (u, s, vh) = decomp::svd(&a.tensor(), full_matrices)?;
    Ok((wrap(py, u)?, wrap(py, s)?, wrap(py, vh)?))
}

#[pyfunction]
fn _linalg_solve_triangular(py: Python<'_>, a: T<'_>, b: T<'_>, upper: bool, unitriangular: bool) -> PyResult<Out> {
    wrap(py, decomp::solve_triangular(&a.tensor(), &b.tensor(), upper, unitriangular)?)
}

/// ζ(x, q) of two float tensors of one shape and dtype (no gradient: the Python layer adds it).
#[pyfunction]
fn _special_zeta(py: Python<'_>, x: T<'_>, q: T<'_>) -> PyResult<Out> {
    wrap(py, plain_unary::zeta(&x.tensor(), &q.tensor())?)
}

/// Differentiable ψ⁽ⁿ⁾(x) (PolygammaBackward0).
#[pyfunction]
fn _special_polygamma(py: Python<'_>, n: u32, x: T<'_>) -> PyResult<Out> {
    wrap(py, unary::polygamma(n, &x.tensor())?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_linalg_lu_factor, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_qr, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigh, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svd, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve_triangular, m)?)?;
    m.add_function(wrap_pyfunction!(_special_zeta, m)?)?;
    m.add_function(wrap_pyfunction!(_special_polygamma, m)?)?;
    Ok(())
}
