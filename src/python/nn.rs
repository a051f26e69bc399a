//! Kernels behind `rustorch.nn.functional` that the Python layer cannot compose cheaply: the
//! sliding-window pair (im2col / col2im), convolution and pooling, and the fused losses and
//! layers that are one autograd node each in PyTorch.
use super::reduce::detach_if_large;
use super::tensor::{wrap, PyTensor};
use crate::autograd::derivatives::{conv, loss, norm, rnn, window};
use crate::dtype::Scalar;
use crate::error::Error;
use crate::ops::loss::{Pointwise, Reduction};
use crate::ops::norm::{BatchNormMode, Gelu};
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

/// `conv2d` of a 4-D input with a 4-D weight and optional bias (or a 1-d convolution of 3-D
/// ones, geometry given as for height 1); `padding` is (top, bottom, left, right) zeros.
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
    // A 3-D weight is a 1-d convolution's: a kernel of height 1.
    let kernel = match *wt.shape() {
        [_, _, k] => [1, k],
        _ => [wt.shape().get(2).copied().unwrap_or(0), wt.shape().get(3).copied().unwrap_or(0)],
    };
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

fn tensors(t: Option<PyRef<'_, PyTensor>>) -> Option<crate::tensor::Tensor> {
    t.map(|t| t.tensor())
}

/// A pointwise loss (`kind`: mse, huber, smooth_l1, binary_cross_entropy,
/// binary_cross_entropy_with_logits; `param`: huber's delta or smooth l1's beta) of same-shaped
/// input and target; `reduction` is PyTorch's enum.
#[pyfunction]
#[pyo3(signature = (kind, input, target, weight, pos_weight, reduction, param=1.0))]
#[allow(clippy::too_many_arguments)]
fn _pointwise_loss(
    py: Python<'_>,
    kind: &str,
    input: PyRef<'_, PyTensor>,
    target: PyRef<'_, PyTensor>,
    weight: Option<PyRef<'_, PyTensor>>,
    pos_weight: Option<PyRef<'_, PyTensor>>,
    reduction: i64,
    param: f64,
) -> PyResult<Py<PyTensor>> {
    let kind = match kind {
        "mse" => Pointwise::Mse,
        "huber" => Pointwise::Huber(param),
        "smooth_l1" => Pointwise::SmoothL1(param),
        "binary_cross_entropy" => Pointwise::BinaryCrossEntropy,
        "binary_cross_entropy_with_logits" => Pointwise::BinaryCrossEntropyWithLogits,
        other => return Err(Error::Value(format!("unknown pointwise loss {}", other)).into()),
    };
    let (x, t, w, pw) = (input.tensor(), target.tensor(), tensors(weight), tensors(pos_weight));
    let reduction = Reduction::from_enum(reduction)?;
    wrap(py, detach_if_large(py, x.numel(), || loss::pointwise_loss(kind, &x, &t, w.as_ref(), pw.as_ref(), reduction))?)
}

/// `nll_loss` of log-probabilities `[N, C, *]` (or `[C]`) and class indices.
#[pyfunction]
fn _nll_loss(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    target: PyRef<'_, PyTensor>,
    weight: Option<PyRef<'_, PyTensor>>,
    reduction: i64,
    ignore_index: i64,
) -> PyResult<Py<PyTensor>> {
    let (x, t, w) = (input.tensor(), target.tensor(), tensors(weight));
    let reduction = Reduction::from_enum(reduction)?;
    wrap(py, detach_if_large(py, x.numel(), || loss::nll_loss(&x, &t, w.as_ref(), reduction, ignore_index))?)
}

/// `native_batch_norm`'s output; in training the running stats are updated in place.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _batch_norm(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    weight: Option<PyRef<'_, PyTensor>>,
    bias: Option<PyRef<'_, PyTensor>>,
    running_mean: Option<PyRef<'_, PyTensor>>,
    running_var: Option<PyRef<'_, PyTensor>>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> PyResult<Py<PyTensor>> {
    let (x, w, b, rm, rv) = (input.tensor(), tensors(weight), tensors(bias), tensors(running_mean), tensors(running_var));
    let mode = BatchNormMode { training, running_mean: rm.as_ref(), running_var: rv.as_ref(), momentum, eps };
    wrap(py, detach_if_large(py, x.numel(), || norm::batch_norm(&x, w.as_ref(), b.as_ref(), &mode))?)
}

/// `native_layer_norm`'s output over the trailing `normalized_ndim` dims.
#[pyfunction]
fn _layer_norm(
    py: Python<'_>,
    input: PyRef<'_, PyTensor>,
    normalized_ndim: usize,
    weight: Option<PyRef<'_, PyTensor>>,
    bias: Option<PyRef<'_, PyTensor>>,
    eps: f64,
) -> PyResult<Py<PyTensor>> {
    let (x, w, b) = (input.tensor(), tensors(weight), tensors(bias));
    wrap(py, detach_if_large(py, x.numel(), || norm::layer_norm(&x, normalized_ndim, w.as_ref(), b.as_ref(), eps))?)
}

/// `gelu` with `approximate` "none" or "tanh".
#[pyfunction]
fn _gelu(py: Python<'_>, input: PyRef<'_, PyTensor>, approximate: &str) -> PyResult<Py<PyTensor>> {
    let kind = if approximate == "tanh" { Gelu::Tanh } else { Gelu::Exact };
    let x = input.tensor();
    wrap(py, detach_if_large(py, x.numel(), || norm::gelu(&x, kind))?)
}

/// `embedding`: rows of `weight` picked by `indices`.
#[pyfunction]
fn _embedding(py: Python<'_>, weight: PyRef<'_, PyTensor>, indices: PyRef<'_, PyTensor>, padding_idx: Option<i64>, scale_grad_by_freq: bool) -> PyResult<Py<PyTensor>> {
    let (w, i) = (weight.tensor(), indices.tensor());
    wrap(py, norm::embedding(&w, &i, padding_idx, scale_grad_by_freq)?)
}

/// `_unsafe_view`: a reshape of a fresh result, recorded as UnsafeViewBackward0 (F.linear's
/// fold of batched inputs).
#[pyfunction]
fn _unsafe_view(py: Python<'_>, input: PyRef<'_, PyTensor>, shape: Vec<i64>) -> PyResult<Py<PyTensor>> {
    wrap(py, crate::autograd::derivatives::shape::unsafe_view(&input.tensor(), &shape)?)
}

/// One LSTM step's pointwise part (PyTorch's `_thnn_fused_lstm_cell`): (h', c') from the summed
/// gate pre-activations and the cell state.
#[pyfunction]
fn _lstm_cell(py: Python<'_>, gates: PyRef<'_, PyTensor>, cx: PyRef<'_, PyTensor>) -> PyResult<(Py<PyTensor>, Py<PyTensor>)> {
    let (h, c) = rnn::lstm_cell(&gates.tensor(), &cx.tensor())?;
    Ok((wrap(py, h)?, wrap(py, c)?))
}

/// One GRU step's pointwise part (PyTorch's `_thnn_fused_gru_cell`): h' from the input and
/// hidden gate projections and the state.
#[pyfunction]
fn _gru_cell(py: Python<'_>, input_gates: PyRef<'_, PyTensor>, hidden_gates: PyRef<'_, PyTensor>, hx: PyRef<'_, PyTensor>) -> PyResult<Py<PyTensor>> {
    wrap(py, rnn::gru_cell(&input_gates.tensor(), &hidden_gates.tensor(), &hx.tensor())?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_unsafe_view, m)?)?;
    m.add_function(wrap_pyfunction!(_lstm_cell, m)?)?;
    m.add_function(wrap_pyfunction!(_gru_cell, m)?)?;
    m.add_function(wrap_pyfunction!(_pointwise_loss, m)?)?;
    m.add_function(wrap_pyfunction!(_nll_loss, m)?)?;
    m.add_function(wrap_pyfunction!(_batch_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_layer_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_gelu, m)?)?;
    m.add_function(wrap_pyfunction!(_embedding, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool2d, m)?)?;
    m.add_function(wrap_pyfunction!(_conv2d, m)?)?;
    m.add_function(wrap_pyfunction!(_window_mean, m)?)?;
    m.add_function(wrap_pyfunction!(_im2col, m)?)?;
    m.add_function(wrap_pyfunction!(_col2im, m)?)?;
    Ok(())
}
