//! PyO3 bindings only: argument parsing, error conversion, and the `Tensor` pyclass.
mod args;
mod autograd;
mod complex;
mod convert;
mod creation;
mod dlpack;
mod device;
mod decomp;
mod dtype;
mod errors;
mod function;
mod index;
mod linalg;
mod math;
mod nn;
mod optim;
mod random;
mod reduce;
mod sampling;
mod shape;
mod tensor;

use pyo3::prelude::*;

/// The extension module is `rustorch._C`, as in PyTorch.
#[pymodule]
#[allow(non_snake_case)]
fn _C(m: &Bound<'_, PyModule>) -> PyResult<()> {
    dtype::register(m)?;
    tensor::register(m)?;
    creation::register(m)?;
    random::register(m)?;
    math::register(m)?;
    reduce::register(m)?;
    shape::register(m)?;
    index::register(m)?;
    linalg::register(m)?;
    nn::register(m)?;
    optim::register(m)?;
    sampling::register(m)?;
    autograd::register(m)?;
    dlpack::register(m)?;
    device::register(m)?;
    decomp::register(m)?;
    complex::register(m)?;
    errors::panics_raise_runtime_error(m)?;
    Ok(())
}
