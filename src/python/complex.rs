//! Bindings of the complex functions: `view_as_real`, `view_as_complex`, `complex`, `polar`,
//! and the `real`, `imag`, `conj`, `angle` methods. rustorch has no complex gradients: a result
//! computed from a tensor that requires grad raises when backward reaches it.
use super::tensor::{wrap, PyTensor};
use crate::autograd::graph::record_without_gradient;
use crate::dtype::Scalar;
use crate::ops::binary::{binary, BinOp, Other};
use crate::ops::complex;
use crate::ops::unary::{predicate, Predicate};
use crate::tensor::Tensor;
use pyo3::prelude::*;

fn out(py: Python<'_>, name: &'static str, inputs: &[&Tensor], t: Tensor) -> PyResult<Py<PyTensor>> {
    wrap(py, record_without_gradient(name, inputs, t))
}

#[pyfunction]
fn view_as_real(py: Python<'_>, input: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    let t = input.tensor();
    out(py, "ViewAsRealBackward0", &[&t], complex::view_as_real(&t)?)
}

#[pyfunction]
fn view_as_complex(py: Python<'_>, input: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    let t = input.tensor();
    out(py, "ViewAsComplexBackward0", &[&t], complex::view_as_complex(&t)?)
}

#[pyfunction]
#[pyo3(name = "complex", signature = (real, imag, *, out=None))]
fn complex_(py: Python<'_>, real: PyRef<'_, PyTensor>, imag: PyRef<'_, PyTensor>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let (re, im) = (real.tensor(), imag.tensor());
    let t = record_without_gradient("ComplexBackward0", &[&re, &im], complex::from_parts(&re, &im)?);
    super::creation::finish(py, t, out, false)
}

#[pyfunction]
#[pyo3(signature = (abs, angle, *, out=None))]
fn polar(py: Python<'_>, abs: PyRef<'_, PyTensor>, angle: PyRef<'_, PyTensor>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let (r, a) = (abs.tensor(), angle.tensor());
    let t = record_without_gradient("PolarBackward0", &[&r, &a], complex::polar(&r, &a)?);
    super::creation::finish(py, t, out, false)
}

#[pymethods]
impl PyTensor {
    #[getter]
    fn real(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if !t.dtype.is_complex() {
            return wrap(py, t);
        }
        out(py, "RealBackward0", &[&t], complex::real(&t))
    }
    #[getter]
    fn imag(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        out(py, "ImagBackward0", &[&t], complex::imag(&t)?)
    }
    fn conj(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if !t.dtype.is_complex() {
            return wrap(py, t);
        }
        out(py, "ConjBackward0", &[&t], complex::conj(&t)?)
    }
    fn conj_physical(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        self.conj(py)
    }
    fn resolve_conj(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        wrap(py, self.tensor())
    }
    /// Conjugation is never lazy here: `conj()` returns a new tensor.
    fn is_conj(&self) -> bool {
        false
    }
    fn angle(&self, py: Python<'_>) -> PyResult<Py<PyTensor>> {
        let t = self.tensor();
        if t.dtype.is_complex() {
            return out(py, "AngleBackward0", &[&t], complex::abs_or_angle(&t, true)?);
        }
        // Real inputs: 0 for x >= 0, pi for x < 0, NaN kept (computed in the float dtype).
        let x = if t.dtype.is_float() { t.clone() } else { t.to_dtype(crate::default_dtype::get())? };
        let negative = binary(BinOp::Lt, &x, &Other::Scalar(Scalar::Int(0)))?.to_dtype(x.dtype)?;
        let pi = binary(BinOp::Mul, &negative, &Other::Scalar(Scalar::Float(std::f64::consts::PI)))?;
        let nan = predicate(Predicate::IsNan, &x)?;
        wrap(py, crate::ops::ternary::where_(&nan, &Other::Tensor(x.clone()), &Other::Tensor(pi))?)
    }
}

/// The 1-D transform behind `torch.fft` (python/rustorch/fft.py): `kind` is "c2c", "c2c_inverse",
/// "r2c", "r2c_full" or "c2r".
#[pyfunction]
fn _fft(py: Python<'_>, input: PyRef<'_, PyTensor>, dim: i64, n: usize, kind: &str, scale: f64) -> PyResult<Py<PyTensor>> {
    use crate::ops::fft::{fft, Kind};
    let kind = match kind {
        "c2c" => Kind::C2C { inverse: false },
        "c2c_inverse" => Kind::C2C { inverse: true },
        "r2c" => Kind::R2C { onesided: true },
        "r2c_full" => Kind::R2C { onesided: false },
        "c2r" => Kind::C2R,
        other => return Err(pyo3::exceptions::PyValueError::new_err(format!("unknown transform kind {}", other))),
    };
    let t = input.tensor();
    out(py, "FftBackward0", &[&t], fft(&t, dim, n, kind, scale)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_fft, m)?)?;
    m.add_function(wrap_pyfunction!(view_as_real, m)?)?;
    m.add_function(wrap_pyfunction!(view_as_complex, m)?)?;
    m.add_function(wrap_pyfunction!(complex_, m)?)?;
    m.add_function(wrap_pyfunction!(polar, m)?)?;
    Ok(())
}
