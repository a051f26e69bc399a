//! Rust errors become the Python exception PyTorch raises for the same mistake.
use crate::error::Error;
use pyo3::exceptions::{PyIndexError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::PyErr;

// `torch.cuda.OutOfMemoryError`: a RuntimeError subclass, as in PyTorch.
pyo3::create_exception!(rustorch, OutOfMemoryError, PyRuntimeError);

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            // A kernel missing for a dtype (AT_DISPATCH's message) is PyTorch's NotImplementedError.
            Error::Runtime(m) if m.contains("\" not implemented for '") => PyNotImplementedError::new_err(m),
            Error::Runtime(m) => PyRuntimeError::new_err(m),
            Error::Index(m) => PyIndexError::new_err(m),
            Error::Type(m) => PyTypeError::new_err(m),
            Error::Value(m) => PyValueError::new_err(m),
            Error::NotImplemented(m) => PyNotImplementedError::new_err(m),
            Error::OutOfMemory(m) => OutOfMemoryError::new_err(m),
        }
    }
}

/// A Rust panic that escapes a binding reaches Python as PyO3's `PanicException`, a
/// BaseException that `except Exception` cannot catch. Every panic is a bug, but the user must
/// still see a RuntimeError: re-parent the exception class under RuntimeError and give it that
/// name, so `except RuntimeError` catches it and tracebacks read `RuntimeError: <panic message>`.
pub fn panics_raise_runtime_error(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let panic_type = py.get_type::<pyo3::panic::PanicException>();
    let runtime_error = py.get_type::<PyRuntimeError>();
    panic_type.setattr("__bases__", (runtime_error,))?;
    panic_type.setattr("__name__", "RuntimeError")?;
    panic_type.setattr("__qualname__", "RuntimeError")?;
    panic_type.setattr("__module__", "builtins")?;
    m.add_function(wrap_pyfunction!(_test_panic, m)?)
}

/// Test-only hook: panics inside a binding, so a test can check what the user sees.
#[pyfunction]
fn _test_panic(op: &str) -> PyResult<()> {
    panic!("{}: injected panic for testing", op)
}
