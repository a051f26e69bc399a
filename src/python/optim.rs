//! The fused optimizer steps behind `rustorch.optim` (one call per parameter and step).
use super::reduce::detach_if_large;
use super::tensor::PyTensor;
use crate::ops::optim::{self, Adagrad, Adam, RmsProp, Sgd};
use pyo3::prelude::*;

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _sgd_step(
    py: Python<'_>,
    param: PyRef<'_, PyTensor>,
    grad: PyRef<'_, PyTensor>,
    momentum_buffer: Option<PyRef<'_, PyTensor>>,
    buffer_is_new: bool,
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    maximize: bool,
) -> PyResult<()> {
    let (p, g, b) = (param.tensor(), grad.tensor(), momentum_buffer.map(|b| b.tensor()));
    let o = Sgd { lr, momentum, dampening, weight_decay, nesterov, maximize };
    Ok(detach_if_large(py, p.numel(), || optim::sgd(&p, &g, b.as_ref().map(|b| (b, buffer_is_new)), o))?)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adam_step(
    py: Python<'_>,
    param: PyRef<'_, PyTensor>,
    grad: PyRef<'_, PyTensor>,
    exp_avg: PyRef<'_, PyTensor>,
    exp_avg_sq: PyRef<'_, PyTensor>,
    max_exp_avg_sq: Option<PyRef<'_, PyTensor>>,
    step: f64,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> PyResult<()> {
    let (p, g, m, v) = (param.tensor(), grad.tensor(), exp_avg.tensor(), exp_avg_sq.tensor());
    let max_v = max_exp_avg_sq.map(|t| t.tensor());
    let o = Adam { lr, beta1, beta2, eps, weight_decay, maximize, decoupled_weight_decay, step };
    Ok(detach_if_large(py, p.numel(), || optim::adam(&p, &g, &m, &v, max_v.as_ref(), o))?)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _rmsprop_step(
    py: Python<'_>,
    param: PyRef<'_, PyTensor>,
    grad: PyRef<'_, PyTensor>,
    square_avg: PyRef<'_, PyTensor>,
    grad_avg: Option<PyRef<'_, PyTensor>>,
    momentum_buffer: Option<PyRef<'_, PyTensor>>,
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    maximize: bool,
) -> PyResult<()> {
    let (p, g, sq) = (param.tensor(), grad.tensor(), square_avg.tensor());
    let (ga, b) = (grad_avg.map(|t| t.tensor()), momentum_buffer.map(|t| t.tensor()));
    let o = RmsProp { lr, alpha, eps, weight_decay, momentum, maximize };
    Ok(detach_if_large(py, p.numel(), || optim::rmsprop(&p, &g, &sq, ga.as_ref(), b.as_ref(), o))?)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adagrad_step(
    py: Python<'_>,
    param: PyRef<'_, PyTensor>,
    grad: PyRef<'_, PyTensor>,
    state_sum: PyRef<'_, PyTensor>,
    clr: f64,
    eps: f64,
    weight_decay: f64,
    maximize: bool,
) -> PyResult<()> {
    let (p, g, s) = (param.tensor(), grad.tensor(), state_sum.tensor());
    let o = Adagrad { clr, eps, weight_decay, maximize };
    Ok(detach_if_large(py, p.numel(), || optim::adagrad(&p, &g, &s, o))?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_rmsprop_step, m)?)?;
    m.add_function(wrap_pyfunction!(_adagrad_step, m)?)?;
    m.add_function(wrap_pyfunction!(_sgd_step, m)?)?;
    m.add_function(wrap_pyfunction!(_adam_step, m)?)?;
    Ok(())
}
