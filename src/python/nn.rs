//! Kernels behind `rustorch.nn.functional` that the Python layer cannot compose cheaply: the
//! sliding-window pair (im2col / col2im), convolution and pooling.
use super::reduce::detach_if_large;
use super::tensor::{wrap, PyTensor};
use crate::autograd::derivatives::{conv, window};
use crate::dtype::Scalar;
use crate::ops::pool::{Divisor, Spans};
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

/// `conv2d` of a 4-D input with a 4-D weight and optional bias; `padding` is (top, bottom,
/// left, right) zeros.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _conv2d(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    weight: PyRef<'_, PyTensor>,
    bias: Option<PyRef<'_, PyTensor>>,
    dilation: [usize; 2],
    padding: [usize; 4],
    stride: [usize; 2],
    groups: usize,
) -> PyResult<Py<PyTensor>> {
    let (x, wt, b) = (input.tensor(), weight.tensor(), bias.map(|b| b.tensor()));
    let kernel = [wt.shape().get(2).copied().unwrap_or(0), wt.shape().get(3).copied().unwrap_or(0)];
    let w = geometry(kernel, dilation, padding, stride);
    let work = x.numel().max(wt.numel());
    wrap(py, detach_if_large(py, work, || conv::conv2d(&x, &wt, b.as_ref(), &w, groups))?)
}

/// Mean pooling of `[…, H, W]`: per axis, each output's input range `(start, end)` and count;
/// the sums are divided by the counts' product or by `divisor_override`.
#[pyfunction]
fn _window_mean(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    rows: Vec<(usize, usize, f64)>,
    cols: Vec<(usize, usize, f64)>,
    divisor_override: Option<f64>,
    adaptive: bool,
) -> PyResult<Py<PyTensor>> {
    let t = input.tensor();
    let spans = |v: Vec<(usize, usize, f64)>| Spans { ranges: v.iter().map(|&(a, b, _)| (a, b)).collect(), counts: v.iter().map(|s| s.2).collect() };
    let (rows, cols) = (spans(rows), spans(cols));
    let divisor = divisor_override.map_or(Divisor::Counts, Divisor::Fixed);
    let name = if adaptive { "AdaptiveAvgPool2DBackward0" } else { "AvgPool2DBackward0" };
    wrap(py, detach_if_large(py, t.numel(), || window::window_mean(name, &t, &rows, &cols, divisor))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_max_pool2d, m)?)?;
    m.add_function(wrap_pyfunction!(_conv2d, m)?)?;
    m.add_function(wrap_pyfunction!(_window_mean, m)?)?;
    m.add_function(wrap_pyfunction!(_im2col, m)?)?;
    m.add_function(wrap_pyfunction!(_col2im, m)?)?;
    Ok(())
}
