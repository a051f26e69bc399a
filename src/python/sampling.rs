//! `torch._standard_gamma`, `torch._sample_dirichlet`, `torch.poisson`, `torch.binomial`: the
//! samplers of `torch.distributions` that have their own ATen kernels.
use super::random::{generator, sampling};
use super::tensor::{wrap, PyTensor};
use crate::ops::sampling as ops;
use pyo3::prelude::*;

#[pyfunction]
#[pyo3(signature = (input, generator=None))]
fn _standard_gamma(py: Python<'_>, input: &Bound<'_, PyTensor>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let (t, gen) = (input.get().tensor(), self::generator(generator)?);
    wrap(py, sampling(py, t.numel(), || ops::standard_gamma(&t, &gen))?)
}

#[pyfunction]
#[pyo3(signature = (input, generator=None))]
fn _sample_dirichlet(py: Python<'_>, input: &Bound<'_, PyTensor>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let (t, gen) = (input.get().tensor(), self::generator(generator)?);
    wrap(py, sampling(py, t.numel(), || ops::sample_dirichlet(&t, &gen))?)
}

#[pyfunction]
#[pyo3(signature = (input, generator=None))]
fn poisson(py: Python<'_>, input: &Bound<'_, PyTensor>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let (t, gen) = (input.get().tensor(), self::generator(generator)?);
    wrap(py, sampling(py, t.numel(), || ops::poisson(&t, &gen))?)
}

#[pyfunction]
#[pyo3(signature = (count, prob, generator=None))]
fn binomial(py: Python<'_>, count: &Bound<'_, PyTensor>, prob: &Bound<'_, PyTensor>, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyTensor>> {
    let (n, p, gen) = (count.get().tensor(), prob.get().tensor(), self::generator(generator)?);
    wrap(py, sampling(py, n.numel(), || ops::binomial(&n, &p, &gen))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_standard_gamma, m)?)?;
    m.add_function(wrap_pyfunction!(_sample_dirichlet, m)?)?;
    m.add_function(wrap_pyfunction!(poisson, m)?)?;
    m.add_function(wrap_pyfunction!(binomial, m)?)?;
    Ok(())
}
