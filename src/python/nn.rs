//! Kernels behind `rustorch.nn.functional` that the Python layer cannot compose cheaply: the
//! sliding-window pair (im2col / col2im) under convolution and pooling.
use super::reduce::detach_if_large;
use super::tensor::{wrap, PyTensor};
use crate::autograd::derivatives::window;
use crate::dtype::Scalar;
use crate::ops::window::Window;
use pyo3::prelude::*;

fn geometry(kernel: [usize; 2], dilation: [usize; 2], padding: [usize; 4], stride: [usize; 2]) -> Window {
    Window { kernel, dilation, padding, stride }
}

/// `unfold` of a 4-D input; `padding` is (top, bottom, left, right), filled with `pad_value`.
#[pyfunction]
#[pyo3(signature = (input, kernel_size, dilation, padding, stride, pad_value=0.0))]
fn _im2col(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    kernel_size: [usize; 2],
    dilation: [usize; 2],
    padding: [usize; 4],
    stride: [usize; 2],
    pad_value: f64,
) -> PyResult<Py<PyTensor>> {
    let t = input.tensor();
    let w = geometry(kernel_size, dilation, padding, stride);
    wrap(py, detach_if_large(py, t.numel(), || window::unfold(&t, &w, Scalar::Float(pad_value)))?)
}

/// `fold` of a 3-D `[N, C*kh*kw, L]` input into `[N, C, H, W]`.
#[pyfunction]
fn _col2im(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    output_size: [usize; 2],
    kernel_size: [usize; 2],
    dilation: [usize; 2],
    padding: [usize; 4],
    stride: [usize; 2],
) -> PyResult<Py<PyTensor>> {
    let t = input.tensor();
    let w = geometry(kernel_size, dilation, padding, stride);
    wrap(py, detach_if_large(py, t.numel(), || window::fold(&t, output_size, &w))?)
}

/// `max_pool2d` of a 4-D input: `(values, indices)`, indices flat in each input plane.
#[pyfunction]
fn _max_pool2d(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    kernel_size: [usize; 2],
    dilation: [usize; 2],
    padding: [usize; 4],
    stride: [usize; 2],
) -> PyResult<(Py<PyTensor>, Py<PyTensor>)> {
    let t = input.tensor();
    let w = geometry(kernel_size, dilation, padding, stride);
    let (values, indices) = detach_if_large(py, t.numel(), || window::max_pool2d(&t, &w))?;
    Ok((wrap(py, values)?, wrap(py, indices)?))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_max_pool2d, m)?)?;
    m.add_function(wrap_pyfunction!(_im2col, m)?)?;
    m.add_function(wrap_pyfunction!(_col2im, m)?)?;
    Ok(())
}
